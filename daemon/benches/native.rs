//! Criterion benches of the cost of a custom plugin call per seed-sized document, for each
//! way a custom plugin runs (issue 9: a no-op native plugin must cost under 10% of the text
//! plugin's time; issue 17: the host's side of a process plugin call at most 50 µs).
//!
//! Each bench calls one plugin over the seeds, given each seed's extracted body (and title),
//! exactly as the chain calls it:
//!
//! - `native_noop/seeds`: the no-op plugin loaded into this process: the call crosses the C
//!   ABI with the document, its source and the body as JSON;
//! - `isolated_noop/seeds`: the same library with `isolate: true`, in one child
//!   `docnorm plugin-host` process: a no-op process plugin written in Rust; the call is a
//!   protocol round trip through two pipes;
//! - `process_host/seeds`: the same calls, measured in this thread's CPU time only: the
//!   host's side of a process plugin call (framing, JSON, the pipe's system calls), without
//!   the plugin's own work;
//! - `python_tagger/seeds`: the Python example (`examples/plugins/python/tagger.py`) in one
//!   child process.
//!
//! The text plugin's time over the same seeds is `text/seeds` in the `pipeline` bench;
//! `cargo xtask bench` runs both, pinned to one core (the plugin processes inherit the
//! pinning), and reports the ratios.
//!
//! The no-op plugin is `tests/plugins/probe` without options, built by the bench with cargo
//! (release profile) and loaded through the same checks users' libraries go through.
// A bench that cannot set itself up should stop right there.
#![allow(clippy::unwrap_used)]

#[path = "../../tests/plugins_support.rs"]
mod plugins_support;
#[path = "../../tests/util.rs"]
mod util;

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docnorm::config::Config;
use docnorm::native::NativeLibrary;
use docnorm::pipeline::Pipeline;
use docnorm::process_plugin::{ProcessPlugin, ProcessSpec, Shared};
use docnorm::read::{Loaded, ReadConfig, read_file};
use docnorm_plugin_api::Plugin;
use serde_json::{Map, Value, json};

/// One seed: the document as read and the fields the plugins read.
struct Seed {
    loaded: Loaded,
    /// The extracted body: what the no-op plugin reads.
    body_fields: Map<String, Value>,
    /// The extracted title and body: what the Python tagger reads.
    text_fields: Map<String, Value>,
}

fn seeds() -> Vec<Seed> {
    let pipeline = Pipeline::new(&Config::default()).unwrap();
    util::seeds()
        .iter()
        .map(|path| {
            let loaded = read_file(path, &ReadConfig::default()).unwrap();
            let record = pipeline.process(path).remove(0).ok();
            let body = record.as_ref().map(|r| r.body.clone()).unwrap_or_default();
            let title = record.and_then(|r| r.title);
            let mut body_fields = Map::new();
            body_fields.insert("body".to_owned(), Value::String(body));
            let mut text_fields = body_fields.clone();
            text_fields.insert("title".to_owned(), json!(title));
            Seed {
                loaded,
                body_fields,
                text_fields,
            }
        })
        .collect()
}

/// The no-op plugin's library, installed where only its owner can write.
fn noop_library(dir: &std::path::Path) -> PathBuf {
    plugins_support::install(&plugins_support::build("docnorm-test-probe"), dir)
}

/// One process of a plugin run by `command`, as the daemon runs it.
fn process_plugin(name: &str, command: Vec<String>, options: Value) -> Shared {
    let spec = ProcessSpec {
        name: name.to_owned(),
        command,
        dir: None,
        options,
        processes: NonZeroUsize::MIN,
        time_limit: Duration::from_secs(30),
        max_response_bytes: NonZeroUsize::new(64 << 20).unwrap(),
    };
    Shared(std::sync::Arc::new(ProcessPlugin::start(spec).unwrap()))
}

/// The no-op library isolated in `docnorm plugin-host`.
fn isolated_noop(library: &std::path::Path) -> Shared {
    let command = [
        env!("CARGO_BIN_EXE_docnorm"),
        "plugin-host",
        "--library",
        &library.display().to_string(),
    ];
    process_plugin("noop", command.map(str::to_owned).to_vec(), Value::Null)
}

/// Which of a seed's fields a plugin is given.
type Fields = fn(&Seed) -> &Map<String, Value>;

/// Calls `plugin` on every seed with the fields `fields` picks.
fn over_seeds(plugin: &dyn Plugin, seeds: &[Seed], fields: Fields) {
    for seed in seeds {
        black_box(
            plugin
                .process(&seed.loaded.document(), fields(seed))
                .unwrap(),
        );
    }
}

fn native(c: &mut Criterion) {
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    let library = noop_library(dir.path());
    let noop = NativeLibrary {
        name: "noop".to_owned(),
        path: library.clone(),
        options: Value::Null,
    }
    .load()
    .unwrap()
    .plugin;
    let isolated = isolated_noop(&library);
    let python = plugins_support::python().display().to_string();
    let tagger_py = plugins_support::workspace().join("examples/plugins/python/tagger.py");
    let tagger = process_plugin(
        "tagger",
        vec![python, tagger_py.display().to_string()],
        json!({"tags": {
            "politics": ["election", "minister", "parliament", "president"],
            "economy": ["market", "inflation", "prices", "bank"],
            "climate": ["climate", "carbon emissions", "warming"],
        }}),
    );

    let runs: [(&str, &dyn Plugin, Fields); 3] = [
        ("native_noop", &noop, |s| &s.body_fields),
        ("isolated_noop", &isolated, |s| &s.body_fields),
        ("python_tagger", &tagger, |s| &s.text_fields),
    ];
    for (name, plugin, fields) in runs {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(seeds.len() as u64));
        group.bench_function("seeds", |b| b.iter(|| over_seeds(plugin, &seeds, fields)));
        group.finish();
    }
}

/// The host's side of a process plugin call alone: this thread's CPU time, which the plugin
/// process's own work (on another thread of execution, even on one core) does not count in.
fn process_host(c: &mut Criterion<ThreadCpu>) {
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    let isolated = isolated_noop(&noop_library(dir.path()));
    let mut group = c.benchmark_group("process_host");
    group.throughput(Throughput::Elements(seeds.len() as u64));
    group.bench_function("seeds", |b| {
        b.iter(|| over_seeds(&isolated, &seeds, |s| &s.body_fields));
    });
    group.finish();
}

/// CPU time of the calling thread, in nanoseconds, as a criterion measurement.
struct ThreadCpu;

fn thread_cpu_nanos() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let nanos = i128::from(now.tv_sec) * 1_000_000_000 + i128::from(now.tv_nsec);
    u64::try_from(nanos).unwrap_or(0)
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_nanos()
    }
    fn end(&self, started: u64) -> u64 {
        thread_cpu_nanos().saturating_sub(started)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    #[allow(clippy::cast_precision_loss)]
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuNanos
    }
}

/// Shows thread CPU times in nanoseconds.
struct CpuNanos;

impl ValueFormatter for CpuNanos {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        "ns (CPU)"
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        if let Throughput::Elements(n) = throughput {
            #[allow(clippy::cast_precision_loss)]
            let n = *n as f64;
            for value in values {
                *value = n * 1e9 / *value;
            }
        }
        "elem/s (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

criterion_group!(benches, native);
criterion_group! {
    name = host;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = process_host
}
criterion_main!(benches, host);
