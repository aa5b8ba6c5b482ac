//! Criterion bench of the `text` plugin alone: the heuristics ([`docnorm_text::analyze`]) and
//! the whole plugin call (analysis plus the JSON merge patch) over the seed page copies, which
//! are seed-sized (about 4.5 KB). Throughput is in documents, so criterion reports documents
//! per second; issue 5 asks for 20,000 per second on one core. A two-pass baseline over the
//! same texts shows how fast the machine is at the time.
//!
//! The seeds live in the shared folder beside the checkout; without it, a built-in page copy of
//! the same size stands in.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docnorm_plugin_api::{Document, Plugin};
use docnorm_text::TextConfig;
use serde_json::Map;

/// A page copy of seed size: menu, headline, byline, paragraphs, a promotion, teasers.
const STAND_IN: &str = "Home\nNews\nSport\nWeather\n\nCouncil votes to close the old bridge\n\
The decision follows years of complaints about traffic\n\nBy Jane Doe\nMarch 7, 2024\n\n";

fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            let mut paths: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            paths.sort();
            paths
                .iter()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                // The front-matter seed is not the text plugin's kind.
                .filter(|t| !t.starts_with("---"))
                .collect()
        })
        .unwrap_or_default();
    if texts.is_empty() {
        let paragraph = "The city council voted on Tuesday to close the old bridge for repairs, \
            ending a debate that has lasted for most of the decade, and engineers said the work \
            would take at least two years.\n";
        let mut page = STAND_IN.to_owned();
        for i in 0..18 {
            page.push_str(paragraph);
            if i % 6 == 5 {
                page.push_str("Subscribe to our newsletter\nGet the latest news in your inbox.\n");
            }
        }
        page.push_str("-\nTown hall gets a new clock tower\nBy Ann Lee, Example Times\n");
        texts.push(page);
    }
    texts
}

fn bench(c: &mut Criterion) {
    let texts = seeds();
    let plugin = TextConfig::default()
        .build()
        .expect("default config builds");
    let fields = Map::new();
    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("analyze", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(docnorm_text::analyze(black_box(t)));
            }
        });
    });
    // Calibration on shared machines: two plain passes over the same text (a lower-case copy
    // and a count of letters), the floor any per-line analysis sits above.
    group.bench_function("two_passes_baseline", |b| {
        b.iter(|| {
            for t in &texts {
                let lower = black_box(t).to_lowercase();
                black_box(t.chars().filter(|c| c.is_alphanumeric()).count() + lower.len());
            }
        });
    });
    group.bench_function("process", |b| {
        b.iter(|| {
            for t in &texts {
                let doc = Document::for_text("seed.txt", t);
                black_box(
                    plugin
                        .process(black_box(&doc), &fields)
                        .expect("text plugin"),
                );
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
