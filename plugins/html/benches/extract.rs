//! Throughput of the `html` plugin on the article-extraction benchmark pages.
//!
//! Reads every `*.html.gz` page of `DOCNORM_BENCH_HTML` (default: the shared benchmark folder
//! beside the workspace), decompresses them up front, and measures the plugin's extraction
//! alone: parse, metadata, main content. Criterion reports the time per pass over all pages;
//! pages per second is the page count divided by it.

use std::io::Read;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docnorm_html::HtmlConfig;

fn pages() -> Vec<String> {
    let dir = std::env::var_os("DOCNORM_BENCH_HTML").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/bench/article-extraction/html")
        },
        PathBuf::from,
    );
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.to_string_lossy().ends_with(".html.gz"));
    paths.sort();
    paths
        .iter()
        .filter_map(|path| {
            let file = std::fs::File::open(path).ok()?;
            let mut text = String::new();
            flate2::read::MultiGzDecoder::new(file)
                .read_to_string(&mut text)
                .ok()?;
            Some(text)
        })
        .collect()
}

fn extract(c: &mut Criterion) {
    let pages = pages();
    if pages.is_empty() {
        eprintln!("no benchmark pages found; set DOCNORM_BENCH_HTML to a folder of *.html.gz");
        return;
    }
    let plugin = HtmlConfig::default()
        .build()
        .expect("the default config is valid");
    let mut group = c.benchmark_group("html");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("extract_all_pages", |b| {
        b.iter(|| {
            for page in &pages {
                std::hint::black_box(plugin.extract(page));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, extract);
criterion_main!(benches);
