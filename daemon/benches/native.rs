//! Criterion bench of the cost of a native plugin call per seed-sized document (issue 9: a
//! no-op native plugin must cost under 10% of the text plugin's time).
//!
//! `native_noop/seeds`: a loaded native plugin that reads `body` and declines, over the seeds,
//! given each seed's extracted body: the call crosses the ABI with the document, its source
//! and the body as JSON, exactly as in the chain. The text plugin's time over the same seeds
//! is `text/seeds` in the `pipeline` bench; `cargo xtask bench` runs both and reports the
//! ratio.
//!
//! The no-op plugin is `tests/plugins/probe` without options, built by the bench with cargo
//! (release profile) and loaded through the same config path users use.
// A bench that cannot set itself up should stop right there.
#![allow(clippy::unwrap_used)]

#[path = "../../tests/plugins_support.rs"]
mod plugins_support;
#[path = "../../tests/util.rs"]
mod util;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docnorm::config::Config;
use docnorm::native::NativeLibrary;
use docnorm::pipeline::Pipeline;
use docnorm::read::{Loaded, ReadConfig, read_file};
use docnorm_plugin_api::Plugin;
use serde_json::{Map, Value};

/// One seed: the document as read and its extracted body, the field the plugin reads.
struct Seed {
    loaded: Loaded,
    body_fields: Map<String, Value>,
}

fn seeds() -> Vec<Seed> {
    let pipeline = Pipeline::new(&Config::default()).unwrap();
    util::seeds()
        .iter()
        .map(|path| {
            let loaded = read_file(path, &ReadConfig::default()).unwrap();
            let body = pipeline
                .process(path)
                .remove(0)
                .map(|r| r.body)
                .unwrap_or_default();
            let mut body_fields = Map::new();
            body_fields.insert("body".to_owned(), Value::String(body));
            Seed {
                loaded,
                body_fields,
            }
        })
        .collect()
}

fn native(c: &mut Criterion) {
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    let library =
        plugins_support::install(&plugins_support::build("docnorm-test-probe"), dir.path());
    let noop = NativeLibrary {
        name: "noop".to_owned(),
        path: library,
        options: Value::Null,
    }
    .load()
    .unwrap()
    .plugin;

    let mut group = c.benchmark_group("native_noop");
    group.throughput(Throughput::Elements(seeds.len() as u64));
    group.bench_function("seeds", |b| {
        b.iter(|| {
            for seed in &seeds {
                black_box(
                    noop.process(&seed.loaded.document(), &seed.body_fields)
                        .unwrap(),
                );
            }
        });
    });
    group.finish();
}

criterion_group!(benches, native);
criterion_main!(benches);
