//! Criterion benchmark of the enricher on seed-sized bodies (a few hundred words), the cost it
//! adds to every document in the chain.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use docnorm_enrich::language::{Texts, resolve};
use docnorm_enrich::{EnrichConfig, body_sha256, entities, simhash, stats};
use docnorm_plugin_api::{Document, Plugin};
use serde_json::{Map, Value, json};

const BODY: &str = include_str!("../tests/fixtures/002_body.txt");

fn fields() -> Map<String, Value> {
    json!({
        "title": "White House says there are currently no plans for Biden to talk to Putin",
        "body": BODY,
        "published": "2022-11-04T18:00:00-04:00",
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let enrich = EnrichConfig::default()
        .build()
        .expect("default config builds");
    let fields = fields();
    let doc = Document::for_text("bench.txt", BODY);
    c.bench_function("enrich/process", |b| {
        b.iter(|| enrich.process(black_box(&doc), black_box(&fields)));
    });
    c.bench_function("enrich/language", |b| {
        b.iter(|| {
            resolve(
                black_box(Texts {
                    body: BODY,
                    ..Texts::default()
                }),
                None,
            )
        });
    });
    c.bench_function("enrich/stats", |b| b.iter(|| stats(black_box(BODY), 230)));
    c.bench_function("enrich/sha256", |b| b.iter(|| body_sha256(black_box(BODY))));
    c.bench_function("enrich/simhash", |b| b.iter(|| simhash(black_box(BODY))));
    c.bench_function("enrich/entities", |b| {
        b.iter(|| entities(black_box(None), black_box(BODY)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
