//! End-to-end tests of the enricher and near-duplicate marking (issue 7): the real binary over
//! the seeds and copies of them.
// Helpers outside `#[test]` functions panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{docnorm, seeds};

/// Runs `docnorm process` over `files`, asserting success, and returns the records.
fn process(files: &[PathBuf]) -> Vec<Value> {
    let output = docnorm().arg("process").args(files).output().unwrap();
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each stdout line is one JSON record"))
        .collect()
}

fn seed(prefix: &str) -> PathBuf {
    seeds()
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("seed {prefix}"))
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

#[test]
fn issue_7_seed_000_names_its_people_places_and_organizations() {
    let record = &process(&[seed("000_")])[0];
    let entities = &record["entities"];
    let people = strings(&entities["people"]);
    let places = strings(&entities["places"]);
    let organizations = strings(&entities["organizations"]);
    assert!(people.contains(&"Vladimir Putin"), "{people:?}");
    assert!(
        people.contains(&"Joe Biden") || people.contains(&"Biden"),
        "{people:?}"
    );
    for place in ["Ukraine", "Russia", "Kyiv", "Taiwan", "Iran", "Afghanistan"] {
        assert!(places.contains(&place), "{place} missing from {places:?}");
    }
    for organization in [
        "The New York Times",
        "The Washington Post",
        "The Wall Street Journal",
        "The Daily Beast",
    ] {
        assert!(
            organizations.contains(&organization),
            "{organization} missing from {organizations:?}"
        );
    }
    // Surnames are absorbed by full names.
    assert!(!people.contains(&"Putin"), "{people:?}");
}

#[test]
fn issue_7_no_entity_comes_from_removed_text_or_is_a_common_word() {
    let record = &process(&[seed("000_")])[0];
    let text = format!(
        "{} {}",
        record["title"].as_str().unwrap_or_default(),
        record["body"].as_str().unwrap()
    );
    let entities = &record["entities"];
    // People are named verbatim: every word of each name is in the title or body.
    for person in strings(&entities["people"]) {
        for word in person.split(' ') {
            assert!(text.contains(word), "{person} is not in the title or body");
        }
    }
    // Names that occur only in the promotions, bio and teasers the text plugin removed.
    let removed_only = [
        "The Week",
        "Brigid Kennedy",
        "Devika Rao",
        "Catherine Garcia",
        "Rafi Schwartz",
        "Peter Weber",
        "Elon Musk",
        "Peter Navarro",
        "El Salvador",
        "Columbia University",
        "Supreme Court",
        "White House",
        "China",
        "Internal Revenue Service",
        "Immigration and Customs Enforcement",
        "Department of Government Efficiency",
    ];
    let all: Vec<&str> = ["people", "places", "organizations"]
        .iter()
        .flat_map(|kind| strings(&entities[*kind]))
        .collect();
    for name in removed_only {
        assert!(
            !all.contains(&name),
            "{name} comes from removed text: {all:?}"
        );
    }
    let common = [
        "The",
        "In",
        "Subscribe",
        "Sign",
        "Escape",
        "From",
        "Tuesday",
        "President",
        "Summit",
        "Times",
        "Post",
        "Russian",
        "Western",
        "European",
        "Chinese",
        "August",
        "Dec",
    ];
    for name in &all {
        assert!(!common.contains(name), "common word {name} is an entity");
    }
}

#[test]
fn issue_7_every_seed_is_english() {
    for record in process(&seeds()) {
        assert_eq!(record["language"], "en", "{}", record["source"]["name"]);
    }
}

#[test]
fn issue_7_the_same_seed_under_two_names_gets_the_same_id() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(seed("002_")).unwrap();
    let a = dir.path().join("first.txt");
    let b = dir.path().join("second copy.txt");
    std::fs::write(&a, &original).unwrap();
    std::fs::write(&b, &original).unwrap();
    let records = process(&[a, b]);
    assert_eq!(records[0]["id"], records[1]["id"]);
    // The same record again is not its own near-duplicate.
    assert_eq!(records[1]["duplicates"], serde_json::json!([]));
}

/// Seed 002 without its sign-up promotions and its trailing teaser list.
fn cleaned_002(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(seed("002_")).unwrap();
    let promotion = |line: &str| {
        [
            "Subscribe to",
            "Escape your",
            "Sign up for",
            "From our morning",
            "A free daily",
        ]
        .iter()
        .any(|start| line.starts_with(start))
    };
    let kept: Vec<&str> = text
        .lines()
        .take_while(|line| line.trim() != "-")
        .filter(|line| !promotion(line))
        .collect();
    let path = dir.join("clean copy.txt");
    std::fs::write(&path, kept.join("\n")).unwrap();
    path
}

#[test]
fn issue_7_a_cleaned_copy_of_seed_002_is_its_near_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let records = process(&[seed("002_"), cleaned_002(dir.path())]);
    let (original, copy) = (&records[0], &records[1]);
    assert_ne!(
        original["id"], copy["id"],
        "the teasers differ, so the records do"
    );
    assert_eq!(copy["duplicates"], serde_json::json!([original["id"]]));
    assert_eq!(original["duplicates"], serde_json::json!([]));
}

#[test]
fn issue_7_different_articles_on_the_same_event_are_not_near_duplicates() {
    let records = process(&seeds());
    for record in &records {
        assert_eq!(
            record["duplicates"],
            serde_json::json!([]),
            "{}",
            record["source"]["name"]
        );
    }
}
