//! Criterion benches of the pipeline's stages: reading and decoding, each built-in plugin
//! alone, and the whole default chain, each over the input sets it applies to.
//!
//! Input sets (from the shared folder beside the checkout):
//! - `seeds`: the seed documents (seed-sized page copies, one front-matter file);
//! - `text`: a sample of the article-extraction benchmark's plain-text copies;
//! - `html`: a sample of the benchmark's HTML pages (gzip, decompressed by the read stage);
//! - `frontmatter`: Markdown files with YAML front matter, built from the benchmark's
//!   reference bodies and declared metadata.
//!
//! Each iteration processes every document of a set, and throughput is declared as
//! `Throughput::Elements(documents)`, so criterion reports documents per second.
//! `cargo xtask bench` runs these pinned to one core and reads criterion's estimates.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use docnorm::config::Config;
use docnorm::read::{Loaded, ReadConfig, decode};
use docnorm_plugin_api::{Chain, Plugin};
use serde_json::{Map, Value};

/// Benchmark pages sampled per input set: one in this many, in id order.
const SAMPLE_EVERY: usize = 15;

/// One named set of documents, kept as the bytes on disk.
struct InputSet {
    name: &'static str,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl InputSet {
    fn decoded(&self, limits: &ReadConfig) -> Vec<Loaded> {
        self.files
            .iter()
            .map(|(path, raw)| decode(path, raw.clone(), limits).expect("bench input decodes"))
            .collect()
    }

    fn throughput(&self) -> Throughput {
        Throughput::Elements(self.files.len() as u64)
    }
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn bench_data() -> PathBuf {
    shared().join("bench/article-extraction")
}

fn sorted_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}

fn load(files: Vec<PathBuf>) -> Vec<(PathBuf, Vec<u8>)> {
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

fn sample(files: Vec<PathBuf>) -> Vec<PathBuf> {
    files.into_iter().step_by(SAMPLE_EVERY).collect()
}

/// Markdown documents with YAML front matter, made from the benchmark's truth files.
fn frontmatter_files() -> Vec<(PathBuf, Vec<u8>)> {
    let read = |name: &str| -> Map<String, Value> {
        let bytes = std::fs::read(bench_data().join(name)).expect("benchmark truth file");
        serde_json::from_slice(&bytes).expect("benchmark truth is JSON")
    };
    let bodies = read("ground-truth.json");
    let meta = read("meta-truth.json");
    let mut ids: Vec<&String> = bodies.keys().collect();
    ids.sort();
    ids.into_iter()
        .step_by(SAMPLE_EVERY)
        .map(|id| {
            let m = &meta[id];
            let quoted = |v: &Value| serde_json::to_string(v).unwrap_or_default();
            let mut doc = String::from("---\n");
            for (key, value) in [
                ("title", &m["title"]),
                ("author", &m["authors"]),
                ("date", &m["published"]),
                ("publisher", &m["publisher"]),
                ("url", &m["url"]),
            ] {
                if !value.is_null() {
                    doc.push_str(key);
                    doc.push_str(": ");
                    doc.push_str(&quoted(value));
                    doc.push('\n');
                }
            }
            doc.push_str("tags: [news, bench]\n---\n\n");
            doc.push_str(bodies[id]["articleBody"].as_str().unwrap_or_default());
            doc.push('\n');
            (PathBuf::from(format!("{id}.md")), doc.into_bytes())
        })
        .collect()
}

fn input_sets() -> Vec<InputSet> {
    vec![
        InputSet {
            name: "seeds",
            files: load(sorted_files(&shared().join("seeds"), ".txt")),
        },
        InputSet {
            name: "text",
            files: load(sample(sorted_files(&bench_data().join("text"), ".txt"))),
        },
        InputSet {
            name: "html",
            files: load(sample(sorted_files(&bench_data().join("html"), ".html.gz"))),
        },
        InputSet {
            name: "frontmatter",
            files: frontmatter_files(),
        },
    ]
}

/// The built-in plugins with the default config, in chain order, by name.
fn built_ins(config: &Config) -> Vec<(&'static str, Box<dyn Plugin>)> {
    let p = &config.plugins;
    vec![
        (
            docnorm_frontmatter::NAME,
            Box::new(p.frontmatter.build().expect("default frontmatter config")),
        ),
        (
            docnorm_html::NAME,
            Box::new(p.html.build().expect("default html config")),
        ),
        (
            docnorm_text::NAME,
            Box::new(p.text.build().expect("default text config")),
        ),
        (
            docnorm_enrich::NAME,
            Box::new(p.enrich.build().expect("default enrich config")),
        ),
    ]
}

/// The input sets a plugin is benchmarked on: the formats it handles (enrich runs on all).
fn applies(plugin: &str, set: &str) -> bool {
    match plugin {
        "frontmatter" => matches!(set, "frontmatter" | "seeds"),
        "html" => set == "html",
        "text" => matches!(set, "text" | "seeds"),
        _ => true,
    }
}

/// The fields a plugin would be handed: those it reads, from the finished record (or, when
/// the chain fails on the document, just its text as `body`).
fn fields_for(plugin: &dyn Plugin, chain: &Chain, loaded: &Loaded) -> Map<String, Value> {
    let doc = loaded.document();
    let record = match chain.run(&doc) {
        Ok(record) => serde_json::to_value(record).unwrap_or(Value::Null),
        Err(_) => serde_json::json!({ "body": doc.text.unwrap_or_default() }),
    };
    plugin
        .manifest()
        .reads
        .iter()
        .filter_map(|field| {
            let name = field.name();
            Some((name.to_owned(), record.get(name)?.clone()))
        })
        .collect()
}

fn read_and_decode(c: &mut Criterion, sets: &[InputSet]) {
    let limits = ReadConfig::default();
    let mut group = c.benchmark_group("read");
    for set in sets {
        group.throughput(set.throughput());
        group.bench_with_input(BenchmarkId::from_parameter(set.name), set, |b, set| {
            b.iter(|| {
                for (path, raw) in &set.files {
                    black_box(decode(path, raw.clone(), &limits).ok());
                }
            });
        });
    }
    group.finish();
}

fn each_plugin(c: &mut Criterion, sets: &[InputSet]) {
    let config = Config::default();
    let chain = Chain::new(built_ins(&config).into_iter().map(|(_, p)| p).collect())
        .expect("default chain builds");
    for (name, plugin) in built_ins(&config) {
        let mut group = c.benchmark_group(name);
        for set in sets.iter().filter(|s| applies(name, s.name)) {
            let docs = set.decoded(&config.read);
            let fields: Vec<Map<String, Value>> = docs
                .iter()
                .map(|d| fields_for(plugin.as_ref(), &chain, d))
                .collect();
            group.throughput(set.throughput());
            group.bench_function(BenchmarkId::from_parameter(set.name), |b| {
                b.iter(|| {
                    for (loaded, fields) in docs.iter().zip(&fields) {
                        black_box(plugin.process(&loaded.document(), fields).ok());
                    }
                });
            });
        }
        group.finish();
    }
}

fn whole_chain(c: &mut Criterion, sets: &[InputSet]) {
    let config = Config::default();
    let chain = Chain::new(built_ins(&config).into_iter().map(|(_, p)| p).collect())
        .expect("default chain builds");
    let mut group = c.benchmark_group("chain");
    for set in sets {
        let docs = set.decoded(&config.read);
        group.throughput(set.throughput());
        group.bench_function(BenchmarkId::from_parameter(set.name), |b| {
            b.iter(|| {
                for loaded in &docs {
                    black_box(chain.run(&loaded.document()).ok());
                }
            });
        });
    }
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let sets = input_sets();
    read_and_decode(c, &sets);
    each_plugin(c, &sets);
    whole_chain(c, &sets);
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
