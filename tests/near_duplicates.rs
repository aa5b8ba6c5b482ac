//! Calibration of the near-duplicate threshold: copies of one article that differ by page
//! chrome fall within [`DEFAULT_MAX_DISTANCE`], different articles do not.
//!
//! The seed bodies under the enricher's `tests/fixtures/` were cut by hand from
//! `shared/seeds/` (the body paragraphs only), so these tests do not depend on the text plugin.
//! The benchmark test reads the article-extraction reference bodies from `shared/` beside the
//! checkout.
// A missing fixture should fail the test where it is read.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use docnorm::duplicates::{DEFAULT_MAX_DISTANCE, NearDuplicates};
use docnorm_enrich::{hamming, simhash};
use docnorm_plugin_api::{Record, Source};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins/enrich/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn distance(a: &str, b: &str) -> u32 {
    hamming(simhash(a), simhash(b))
}

/// Seed 002's body with `extra` inserted as a paragraph after the `at`-th one.
fn with_paragraph(body: &str, at: usize, extra: &str) -> String {
    let mut paragraphs: Vec<&str> = body.trim_end().split("\n\n").collect();
    paragraphs.insert(at, extra);
    paragraphs.join("\n\n")
}

#[test]
fn issue_7_a_copy_of_seed_002_with_chrome_left_in_is_a_near_duplicate() {
    let clean = fixture("002_body.txt");
    let promotion = "Subscribe to The Week\n\nEscape your echo chamber. Get the facts behind \
        the news, plus analysis from multiple perspectives.";
    for copy in [
        clean.clone(),
        clean.replace('"', "“"),
        with_paragraph(&clean, 3, promotion),
    ] {
        let d = distance(&clean, &copy);
        assert!(d <= DEFAULT_MAX_DISTANCE, "distance {d}");
    }
}

#[test]
fn issue_7_different_articles_on_the_same_event_are_not_near_duplicates() {
    let bodies = ["000", "001", "002", "004"].map(|n| fixture(&format!("{n}_body.txt")));
    for (i, a) in bodies.iter().enumerate() {
        for b in &bodies[i + 1..] {
            let d = distance(a, b);
            assert!(d > 3 * DEFAULT_MAX_DISTANCE, "distance {d}");
        }
    }
}

#[test]
fn the_index_flags_the_copy_and_not_the_other_article() {
    let clean = fixture("002_body.txt");
    let copy = with_paragraph(&clean, 2, "Sign up for The Week's Free Newsletters");
    let other = fixture("004_body.txt");
    let mut index = NearDuplicates::default();
    let mut mark = |id: &str, body: &str| {
        let mut record = Record::new(Source::default());
        id.clone_into(&mut record.id);
        record.fingerprints.simhash = Some(format!("{:016x}", simhash(body)));
        index.mark(&mut record);
        record.duplicates
    };
    assert!(mark("seed-002", &clean).is_empty());
    assert!(mark("seed-004", &other).is_empty());
    assert_eq!(mark("copy", &copy), ["seed-002"]);
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/article-extraction")
}

/// `(reference body, first line of the page copy that is not in the body)` per page.
fn bench_pages() -> Vec<(String, Option<String>)> {
    let dir = bench_dir();
    let truth = std::fs::read_to_string(dir.join("ground-truth.json"))
        .expect("shared/bench/article-extraction beside the checkout");
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&truth).expect("ground-truth.json is a JSON object");
    let mut pages: Vec<(String, Option<String>)> = truth
        .iter()
        .map(|(id, page)| {
            let body = page["articleBody"].as_str().unwrap_or_default().to_owned();
            let copy =
                std::fs::read_to_string(dir.join(format!("text/{id}.txt"))).unwrap_or_default();
            let chrome = copy
                .lines()
                .map(str::trim)
                .find(|line| line.split_whitespace().count() >= 3 && !body.contains(line))
                .map(ToOwned::to_owned);
            (body, chrome)
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn on_the_benchmark_distinct_articles_stay_far_apart_and_chrome_moves_few_bits() {
    let pages = bench_pages();
    let hashes: Vec<u64> = pages.iter().map(|(body, _)| simhash(body)).collect();
    let closest = hashes
        .iter()
        .enumerate()
        .flat_map(|(i, a)| hashes[i + 1..].iter().map(move |b| hamming(*a, *b)))
        .min()
        .expect("at least two pages");
    assert!(
        closest > 2 * DEFAULT_MAX_DISTANCE,
        "two different articles are only {closest} bits apart"
    );

    let moved: Vec<u32> = pages
        .iter()
        .zip(&hashes)
        .filter_map(|((body, chrome), hash)| {
            let paragraphs = body.split("\n\n").count();
            let copy = with_paragraph(body, paragraphs / 2, chrome.as_deref()?);
            Some(hamming(*hash, simhash(&copy)))
        })
        .collect();
    let within = moved.iter().filter(|d| **d <= DEFAULT_MAX_DISTANCE).count();
    assert!(
        within * 10 >= moved.len() * 9,
        "only {within} of {} copies with one chrome line are near-duplicates",
        moved.len()
    );
}
