//! Speed end to end: generated files through the real binary, beside a durable-copy
//! baseline on the same files.
//!
//! The files are made from the seeds and the article-extraction pages (plain-text copies,
//! HTML pages, reference bodies wrapped in YAML front matter); in each, a few words of its
//! paragraphs are replaced at random (seeded, so every run makes the same files) so no two
//! files, and no two records, are the same. Everything runs in a temporary folder
//! under `target/`, on the disk the project lives on, so fsync costs what it really costs.
//!
//! - Baseline: for each file, read it, write it to a temporary name, fsync, rename, fsync
//!   the folder: the floor of what any file-to-file daemon must do. It runs on as many
//!   threads as the daemon's default workers (one per CPU plus two), so the ratio compares
//!   like with like, twice (before and after `docnorm process`), and the faster pass is kept.
//! - `docnorm run` (when the binary has it): started with embedded defaults in an empty
//!   folder, ready when it sends `READY=1` on a `NOTIFY_SOCKET` we hold; its idle CPU is
//!   sampled first; then every file is renamed into the inbox at once and the run ends when
//!   every input has reached `done/` or `failed/`. Latency is each record's mtime minus the
//!   moment its input was renamed in. Peak RSS is the daemon's `VmHWM`. Then a paced phase
//!   drops fresh files at 200 per second and reports their latency.
//! - `docnorm process --output` over the same files, one process, for comparison (and as
//!   the only docnorm figure when `run` does not exist).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use serde::Serialize;
use tracing::{info, warn};

use crate::daemon::Daemon;
use crate::quality::{read_json, read_records};
use crate::rng::Rng;

/// Files dropped per second in the paced phase.
pub const PACED_RATE: u32 = 200;

/// What the end-to-end run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EndToEnd {
    /// Files generated for the burst.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The durable-copy baseline.
    pub baseline: Throughput,
    /// `docnorm run` with the whole burst dropped at once; absent when the binary has no
    /// `run` command.
    pub daemon: Option<DaemonRun>,
    /// `docnorm process --output` over the same files, in one process.
    pub process: Throughput,
    /// The same with as many processes at once as the baseline has threads: records written
    /// durably with no daemon work (no claiming, state store, moves or watching).
    pub parallel: Throughput,
    /// `docnorm process` over the first files of the burst with the records thrown away, in
    /// one process: reading and the plugins alone on one core, no record written.
    pub plugins: Throughput,
    /// The CPUs of the machine.
    pub cpus: usize,
    /// The baseline's threads and the processes of `parallel`: as many as `docnorm run` has
    /// workers by default.
    pub threads: usize,
}

/// A timed pass over the files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Throughput {
    /// Files handled.
    pub files: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Files per second.
    pub docs_per_second: f64,
    /// `docs_per_second` over the baseline's.
    pub ratio_to_baseline: f64,
    /// Records written (for docnorm) or files copied.
    pub outputs: usize,
    /// Peak resident memory in KiB, where measured.
    pub peak_rss_kib: Option<u64>,
}

/// The daemon's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DaemonRun {
    /// From the first drop to the last record.
    pub burst: Throughput,
    /// Inputs that went to `failed/`.
    pub failed: usize,
    /// Latency from drop to record during the burst.
    pub burst_latency: Latency,
    /// CPU used while idle with an empty inbox, in percent of one core.
    pub idle_cpu_percent: f64,
    /// Latency at a paced 200 files per second.
    pub paced_latency: Latency,
    /// Files dropped in the paced phase.
    pub paced_files: usize,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    /// Records measured.
    pub records: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// Generates `files` documents and measures the baseline and docnorm on them.
pub fn measure(docnorm: &Path, data: &Path, files: usize) -> anyhow::Result<EndToEnd> {
    let target = crate::bench::target_dir();
    std::fs::create_dir_all(&target)?;
    let work = tempfile::Builder::new()
        .prefix("xtask-e2e-")
        .tempdir_in(&target)
        .context("cannot create a work folder under target/")?;
    let paced = (files / 5).clamp(200, 2_000);
    info!(files, paced, "generating files");
    let sources = Sources::load(data)?;
    let corpus = work.path().join("corpus");
    let names = generate(&sources, &corpus, files + paced)?;
    let (burst, paced_names) = names.split_at(files);
    if std::env::var_os("XTASK_KEEP_WORK").is_some() {
        info!(folder = %work.path().display(), "keeping the work folder (XTASK_KEEP_WORK)");
    }
    let bytes = burst
        .iter()
        .map(|n| std::fs::metadata(corpus.join(n)).map_or(0, |m| m.len()))
        .sum();

    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // As many as `docnorm run` has workers by default (run.concurrency 0).
    let threads = cpus + 2;
    info!("timing the durable-copy baseline");
    let first = durable_copy(&corpus, burst, &work.path().join("copy-1"), threads)?;
    info!(docs_per_second = first.docs_per_second, "baseline done");

    info!("timing docnorm process");
    let mut process = run_process(docnorm, &corpus, burst, &work.path().join("process"), 1)?;
    // As many at once as the baseline has threads, so fsync waits overlap as much.
    info!(processes = threads, "timing docnorm processes at once");
    let dir = work.path().join("process-parallel");
    let mut parallel = run_process(docnorm, &corpus, burst, &dir, threads)?;
    info!("timing the plugins alone");
    let mut plugins = run_plugins_alone(docnorm, &corpus, &burst[..burst.len().min(2_000)])?;

    // Disk speed on a shared machine drifts: time the baseline again and keep the faster
    // pass, the stricter floor to compare docnorm with.
    let second = durable_copy(&corpus, burst, &work.path().join("copy-2"), threads)?;
    info!(docs_per_second = second.docs_per_second, "baseline again");
    let baseline = if second.docs_per_second > first.docs_per_second {
        second
    } else {
        first
    };
    process.ratio_to_baseline = process.docs_per_second / baseline.docs_per_second;
    parallel.ratio_to_baseline = parallel.docs_per_second / baseline.docs_per_second;
    plugins.ratio_to_baseline = plugins.docs_per_second / baseline.docs_per_second;

    let daemon = if has_run(docnorm) {
        let dir = work.path().join("daemon");
        let mut run = run_daemon(docnorm, &corpus, burst, paced_names, &dir)?;
        run.burst.ratio_to_baseline = run.burst.docs_per_second / baseline.docs_per_second;
        Some(run)
    } else {
        warn!("docnorm has no `run` command yet; measuring `docnorm process` only");
        None
    };
    if std::env::var_os("XTASK_KEEP_WORK").is_some() {
        let _ = work.keep();
    }
    Ok(EndToEnd {
        files,
        bytes,
        baseline,
        daemon,
        process,
        parallel,
        plugins,
        cpus,
        threads,
    })
}

/// Writes the end-to-end tables.
pub fn render(e2e: &EndToEnd, out: &mut dyn Write) -> std::io::Result<()> {
    #[allow(clippy::cast_precision_loss)]
    let mib = e2e.bytes as f64 / f64::from(1u32 << 20);
    writeln!(
        out,
        "\n## End to end ({} generated files, {mib:.1} MiB)\n",
        e2e.files
    )?;
    writeln!(
        out,
        "| run | outputs | seconds | files/s | × baseline | peak RSS |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    let row = |out: &mut dyn Write, name: &str, t: &Throughput| {
        writeln!(
            out,
            "| {name} | {} | {:.2} | {:.0} | {:.3} | {} |",
            t.outputs,
            t.seconds,
            t.docs_per_second,
            t.ratio_to_baseline,
            t.peak_rss_kib
                .map_or_else(|| "–".to_owned(), |k| format!("{:.1} MiB", kib_to_mib(k)))
        )
    };
    row(
        out,
        "durable copy (baseline, one thread per CPU plus two, faster of 2 passes)",
        &e2e.baseline,
    )?;
    if let Some(d) = &e2e.daemon {
        row(out, "docnorm run (burst)", &d.burst)?;
    }
    row(out, "docnorm process (one process)", &e2e.process)?;
    row(
        out,
        &format!("docnorm process ({} processes at once)", e2e.threads),
        &e2e.parallel,
    )?;
    row(
        out,
        &format!(
            "docnorm process, records discarded (one process, the first {} files)",
            e2e.plugins.files
        ),
        &e2e.plugins,
    )?;
    #[allow(clippy::cast_precision_loss)]
    let cpus = e2e.cpus as f64;
    writeln!(
        out,
        "\nThe plugins alone do {:.0} files/s on one core; on {} CPUs that is at most {:.0} \
         files/s = {:.3} × the baseline, before any record is written: the most any daemon \
         running these plugins could reach on this machine. With the records written durably \
         (`docnorm process --output`, as many at once as the baseline's threads, and none of \
         a daemon's claiming, state store, moves or watching): {:.0} files/s = {:.3} × the \
         baseline.",
        e2e.plugins.docs_per_second,
        e2e.cpus,
        e2e.plugins.docs_per_second * cpus,
        e2e.plugins.ratio_to_baseline * cpus,
        e2e.parallel.docs_per_second,
        e2e.parallel.ratio_to_baseline,
    )?;
    let Some(d) = &e2e.daemon else {
        return writeln!(
            out,
            "\n`docnorm run` was not available; no latency figures."
        );
    };
    writeln!(out, "\n| docnorm run | records | p50 | p99 | max |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for (name, l) in [
        ("latency drop → record, burst", &d.burst_latency),
        ("latency drop → record, paced", &d.paced_latency),
    ] {
        writeln!(
            out,
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.0} ms |",
            l.records, l.p50_ms, l.p99_ms, l.max_ms
        )?;
    }
    writeln!(
        out,
        "\nBurst: every file renamed into the inbox at once; {} failed. Paced: {} fresh files \
         at {PACED_RATE} files/s after the burst. Idle CPU with an empty inbox: {:.2}% of one \
         core. Latency is record mtime minus drop time (mtime resolution: a few ms).",
        d.failed, d.paced_files, d.idle_cpu_percent
    )
}

fn kib_to_mib(kib: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let kib = kib as f64;
    kib / 1024.0
}

/// Raw material for generated files.
pub(crate) struct Sources {
    /// Seed documents and plain-text copies: `(extension, text)`.
    texts: Vec<String>,
    /// Decompressed HTML pages.
    pages: Vec<String>,
    /// Front-matter documents made from reference bodies and declared metadata.
    frontmatter: Vec<String>,
    /// Words to swap in.
    vocabulary: Vec<String>,
}

impl Sources {
    pub(crate) fn load(data: &Path) -> anyhow::Result<Self> {
        let mut texts = Vec::new();
        let seeds = crate::seeds::seed_files(&crate::bench::shared().join("seeds"))?;
        for path in seeds.iter().chain(&sorted(&data.join("text"), ".txt")?) {
            texts.push(read_text(path)?);
        }
        let mut pages = Vec::new();
        for path in sorted(&data.join("html"), ".html.gz")? {
            let raw = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
            let mut html = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut html)
                .with_context(|| format!("{}: bad gzip", path.display()))?;
            pages.push(String::from_utf8_lossy(&html).into_owned());
        }
        let bodies: HashMap<String, serde_json::Value> =
            read_json(&data.join("ground-truth.json"))?;
        let meta: HashMap<String, serde_json::Value> = read_json(&data.join("meta-truth.json"))?;
        let mut ids: Vec<&String> = bodies.keys().collect();
        ids.sort();
        let mut frontmatter = Vec::new();
        let mut vocabulary = HashSet::new();
        for id in ids {
            let body = bodies[id]["articleBody"].as_str().unwrap_or_default();
            vocabulary.extend(
                crate::score::tokens(body)
                    .into_iter()
                    .filter(|w| w.len() > 3)
                    .map(str::to_owned),
            );
            frontmatter.push(front_matter(meta.get(id), body));
        }
        let mut vocabulary: Vec<String> = vocabulary.into_iter().collect();
        vocabulary.sort();
        if vocabulary.is_empty() || texts.is_empty() || pages.is_empty() {
            bail!(
                "{}: no benchmark documents to build files from",
                data.display()
            );
        }
        Ok(Self {
            texts,
            pages,
            frontmatter,
            vocabulary,
        })
    }
}

fn front_matter(meta: Option<&serde_json::Value>, body: &str) -> String {
    let mut doc = String::from("---\n");
    if let Some(meta) = meta {
        for (key, field) in [
            ("title", "title"),
            ("author", "authors"),
            ("date", "published"),
            ("publisher", "publisher"),
            ("url", "url"),
        ] {
            if let Some(value) = meta.get(field) {
                doc.push_str(key);
                doc.push_str(": ");
                doc.push_str(&value.to_string());
                doc.push('\n');
            }
        }
    }
    doc.push_str("tags: [news]\n---\n\n");
    doc.push_str(body);
    doc.push('\n');
    doc
}

/// Writes `count` distinct files into `dir` and returns their names, in drop order.
pub(crate) fn generate(sources: &Sources, dir: &Path, count: usize) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng::new(0xd0c_2024);
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(count);
    for i in 0..count {
        let mut attempts = 0;
        let (ext, text) = loop {
            attempts += 1;
            if attempts > 1_000 {
                bail!("cannot make a new distinct file after 1000 attempts");
            }
            // Half plain-text copies, a quarter HTML pages, a quarter front matter.
            let (ext, text) = match rng.below(4) {
                0 | 1 => (
                    "txt",
                    perturb_text(pick(&sources.texts, &mut rng), sources, &mut rng),
                ),
                2 => (
                    "html",
                    perturb_html(pick(&sources.pages, &mut rng), sources, &mut rng),
                ),
                _ => (
                    "md",
                    perturb_text(pick(&sources.frontmatter, &mut rng), sources, &mut rng),
                ),
            };
            if seen.insert(fingerprint(&text)) {
                break (ext, text);
            }
        };
        let name = format!("doc-{i:06}.{ext}");
        std::fs::write(dir.join(&name), text)
            .with_context(|| format!("{}: cannot write", dir.join(&name).display()))?;
        names.push(name);
    }
    Ok(names)
}

fn pick<'a>(items: &'a [String], rng: &mut Rng) -> &'a str {
    &items[rng.below(items.len())]
}

/// Words replaced in each of the three longest paragraphs (one in every other paragraph).
const SWAPS: usize = 3;

/// Replaces a word in every paragraph (line) of a text, and a few in its three longest,
/// so that whatever part of it docnorm keeps differs from every other file.
fn perturb_text(text: &str, sources: &Sources, rng: &mut Rng) -> String {
    // Front matter stays as written, so the file keeps parsing; only the body changes.
    let (head, body) = split_front_matter(text);
    let lines: Vec<&str> = body.split('\n').collect();
    let longest = longest_three(&lines.iter().map(|l| l.len()).collect::<Vec<_>>());
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, line)| swap_words(line, swaps(&longest, i), sources, rng))
        .collect::<Vec<_>>()
        .join("\n");
    format!("{head}{lines}")
}

/// A leading `---` front-matter block (with its closing line) and the rest of the text.
fn split_front_matter(text: &str) -> (&str, &str) {
    if !text.starts_with("---\n") {
        return ("", text);
    }
    match text[3..].find("\n---\n") {
        Some(at) => text.split_at(3 + at + 5),
        None => ("", text),
    }
}

/// Like [`perturb_text`], for the text runs between the tags of a page (scripts and styles
/// left alone).
fn perturb_html(html: &str, sources: &Sources, rng: &mut Rng) -> String {
    let runs = text_runs(html);
    let longest = longest_three(&runs.iter().map(|(s, e)| e - s).collect::<Vec<_>>());
    let mut out = String::with_capacity(html.len() + 64);
    let mut last = 0;
    for (i, &(start, end)) in runs.iter().enumerate() {
        out.push_str(&html[last..start]);
        out.push_str(&swap_words(
            &html[start..end],
            swaps(&longest, i),
            sources,
            rng,
        ));
        last = end;
    }
    out.push_str(&html[last..]);
    out
}

/// Byte ranges of the text between tags, except inside `<script>` and `<style>`.
fn text_runs(html: &str) -> Vec<(usize, usize)> {
    let bytes = html.as_bytes();
    let mut runs = Vec::new();
    let mut tag_start = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => tag_start = Some(i),
            b'>' => {
                let Some(open) = tag_start.take() else {
                    continue;
                };
                let tag = html[open + 1..i].to_ascii_lowercase();
                if tag.starts_with("script") || tag.starts_with("style") {
                    continue;
                }
                let end = html[i + 1..].find('<').map_or(html.len(), |e| i + 1 + e);
                if end > i + 1 {
                    runs.push((i + 1, end));
                }
            }
            _ => {}
        }
    }
    runs
}

fn longest_three(lengths: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    order.truncate(3);
    order
}

fn swaps(longest: &[usize], i: usize) -> usize {
    if longest.contains(&i) { SWAPS } else { 1 }
}

/// Replaces `n` words of `text` (kept as is when it has too few) with vocabulary words.
fn swap_words(text: &str, n: usize, sources: &Sources, rng: &mut Rng) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    let candidates: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].len() > 3 && words[i].chars().all(char::is_alphabetic))
        .collect();
    if candidates.len() < SWAPS * 2 {
        return insert_words(text, n, sources, rng);
    }
    for _ in 0..n {
        let i = candidates[rng.below(candidates.len())];
        words[i].clone_from(&sources.vocabulary[rng.below(sources.vocabulary.len())]);
    }
    words.join(" ")
}

/// For text written without spaces (Chinese, Japanese): inserts `n` vocabulary words at
/// random character boundaries of text with enough non-ASCII letters; other text is kept
/// as is.
fn insert_words(text: &str, n: usize, sources: &Sources, rng: &mut Rng) -> String {
    let letters = text
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii())
        .count();
    if letters < 40 {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..n {
        let at = rng.below(chars.len() + 1);
        let word = &sources.vocabulary[rng.below(sources.vocabulary.len())];
        chars.splice(at..at, word.chars());
    }
    chars.into_iter().collect()
}

fn fingerprint(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Read, write to a temporary name, fsync, rename, fsync the folder; per file, on `threads`
/// threads.
fn durable_copy(
    corpus: &Path,
    names: &[String],
    dest: &Path,
    threads: usize,
) -> anyhow::Result<Throughput> {
    std::fs::create_dir_all(dest)?;
    let started = Instant::now();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || -> std::io::Result<()> {
                    for name in names.iter().skip(t).step_by(threads) {
                        copy_durably(&corpus.join(name), dest, name)?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("copy thread panicked")))
        })
    })
    .context("durable copy failed")?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(throughput(names.len(), seconds, names.len(), None))
}

fn copy_durably(source: &Path, dest: &Path, name: &str) -> std::io::Result<()> {
    let bytes = std::fs::read(source)?;
    let temp = dest.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, dest.join(name))?;
    std::fs::File::open(dest)?.sync_all()
}

pub(crate) fn throughput(
    files: usize,
    seconds: f64,
    outputs: usize,
    rss: Option<u64>,
) -> Throughput {
    #[allow(clippy::cast_precision_loss)]
    let docs_per_second = if seconds > 0.0 {
        outputs as f64 / seconds
    } else {
        0.0
    };
    Throughput {
        files,
        seconds,
        docs_per_second,
        ratio_to_baseline: 1.0,
        outputs,
        peak_rss_kib: rss,
    }
}

/// `docnorm process --output` over the files by `processes` processes at once, each over its
/// share in batches that fit a command line.
fn run_process(
    docnorm: &Path,
    corpus: &Path,
    names: &[String],
    out: &Path,
    processes: usize,
) -> anyhow::Result<Throughput> {
    std::fs::create_dir_all(out)?;
    let started = Instant::now();
    let share = |first: usize| -> anyhow::Result<Option<u64>> {
        let mine: Vec<&String> = names.iter().skip(first).step_by(processes).collect();
        let mut peak = None;
        for batch in mine.chunks(2_000) {
            let child = Command::new(docnorm)
                .arg("process")
                .arg("--output")
                .arg(out)
                .args(batch.iter().map(|n| corpus.join(n)))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("cannot run {}", docnorm.display()))?;
            let (status, rss) = wait_sampling_rss(child)?;
            peak = peak.max(rss);
            if !matches!(status.code(), Some(0 | 1)) {
                bail!("docnorm process exited with {status}");
            }
        }
        Ok(peak)
    };
    let peaks = std::thread::scope(|scope| {
        let shares: Vec<_> = (0..processes)
            .map(|p| scope.spawn(move || share(p)))
            .collect();
        shares
            .into_iter()
            .map(|s| {
                s.join()
                    .unwrap_or_else(|_| bail!("a process thread panicked"))
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    let peak = peaks.into_iter().flatten().max();
    let seconds = started.elapsed().as_secs_f64();
    let outputs = count_files(out, ".json")?;
    let records = read_records(out)?;
    let missing: Vec<&String> = names.iter().filter(|n| !records.contains_key(*n)).collect();
    if !missing.is_empty() {
        warn!(
            missing = missing.len(),
            first = ?&missing[..missing.len().min(5)],
            "inputs without a record of their own (failed, or same content as another)"
        );
    }
    Ok(throughput(names.len(), seconds, outputs, peak))
}

/// Times `docnorm process` over `names` in one process with its output discarded: reading,
/// the plugins and serializing the records, without writing them anywhere.
fn run_plugins_alone(
    docnorm: &Path,
    corpus: &Path,
    names: &[String],
) -> anyhow::Result<Throughput> {
    let started = Instant::now();
    let status = Command::new(docnorm)
        .arg("process")
        .args(names.iter().map(|n| corpus.join(n)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("cannot run {}", docnorm.display()))?;
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("docnorm process exited with {status}");
    }
    Ok(throughput(
        names.len(),
        started.elapsed().as_secs_f64(),
        names.len(),
        None,
    ))
}

/// Waits for a child, sampling its `VmHWM` (peak RSS) while it runs.
fn wait_sampling_rss(mut child: Child) -> anyhow::Result<(std::process::ExitStatus, Option<u64>)> {
    let mut peak = None;
    loop {
        peak = peak.max(peak_rss_kib(child.id()));
        if let Some(status) = child.try_wait()? {
            return Ok((status, peak));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A process's peak resident set size in KiB (`VmHWM` in `/proc/<pid>/status`).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A process's CPU time so far (user + system), in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `) `.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn has_run(docnorm: &Path) -> bool {
    Command::new(docnorm)
        .args(["run", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The daemon over a burst of files, then a paced phase.
fn run_daemon(
    docnorm: &Path,
    corpus: &Path,
    burst: &[String],
    paced: &[String],
    dir: &Path,
) -> anyhow::Result<DaemonRun> {
    info!("starting docnorm run");
    let (daemon, _) = Daemon::start(docnorm, dir)?;
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox)?;

    let idle_cpu_percent = idle_cpu(daemon.pid(), Duration::from_secs(3));
    info!(idle_cpu_percent, files = burst.len(), "dropping the burst");

    let mut dropped: HashMap<String, SystemTime> = HashMap::new();
    let started = Instant::now();
    let started_at = SystemTime::now();
    for name in burst {
        std::fs::rename(corpus.join(name), inbox.join(name))
            .with_context(|| format!("cannot move {name} into the inbox"))?;
        dropped.insert(name.clone(), SystemTime::now());
    }
    let mut peak = None;
    let timeout = Duration::from_secs(120)
        + Duration::from_millis(100) * burst.len().try_into().unwrap_or(u32::MAX);
    let finished = wait_for_inputs(dir, burst.len(), started, timeout, daemon.pid(), &mut peak)?;
    let records = read_records(&dir.join("out"))?;
    let burst_latencies = latencies(&dir.join("out"), &records, &dropped)?;
    let last_record = burst_latencies.iter().map(|(_, t)| *t).max();
    let seconds = last_record
        .and_then(|t| t.duration_since(started_at).ok())
        .map_or(finished.as_secs_f64(), |d| d.as_secs_f64());
    let failed = count_files(&dir.join("failed"), ".error.json")?;
    let burst_throughput = throughput(burst.len(), seconds, burst_latencies.len(), None);

    info!(
        files = paced.len(),
        rate = PACED_RATE,
        "dropping paced files"
    );
    let mut paced_drops = HashMap::new();
    let interval = Duration::from_secs(1) / PACED_RATE;
    let paced_start = Instant::now();
    for (i, name) in paced.iter().enumerate() {
        let due = paced_start + interval * u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        std::fs::rename(corpus.join(name), inbox.join(name))?;
        paced_drops.insert(name.clone(), SystemTime::now());
        if i % 50 == 0 {
            peak = peak.max(peak_rss_kib(daemon.pid()));
        }
    }
    wait_for_inputs(
        dir,
        burst.len() + paced.len(),
        paced_start,
        Duration::from_secs(120),
        daemon.pid(),
        &mut peak,
    )?;
    peak = peak.max(peak_rss_kib(daemon.pid()));
    let all = read_records(&dir.join("out"))?;
    let paced_latencies = latencies(&dir.join("out"), &all, &paced_drops)?;
    if paced_latencies.len() < paced.len() {
        warn!(
            records = paced_latencies.len(),
            files = paced.len(),
            "some paced inputs have no record of their own"
        );
    }
    daemon.stop()?;
    Ok(DaemonRun {
        burst: Throughput {
            peak_rss_kib: peak,
            ..burst_throughput
        },
        failed,
        burst_latency: summarize_latency(&burst_latencies),
        idle_cpu_percent,
        paced_latency: summarize_latency(&paced_latencies),
        paced_files: paced.len(),
    })
}

/// CPU used by `pid` over `window`, in percent of one core.
fn idle_cpu(pid: u32, window: Duration) -> f64 {
    // Linux reports CPU times in USER_HZ ticks, 100 per second on every common build.
    const TICKS_PER_SECOND: f64 = 100.0;
    let before = cpu_ticks(pid);
    let started = Instant::now();
    std::thread::sleep(window);
    let after = cpu_ticks(pid);
    let (Some(before), Some(after)) = (before, after) else {
        return f64::NAN;
    };
    #[allow(clippy::cast_precision_loss)]
    let ticks = after.saturating_sub(before) as f64;
    ticks / TICKS_PER_SECOND / started.elapsed().as_secs_f64() * 100.0
}

/// Waits until `expected` inputs have left the inbox for `done/` or `failed/`.
fn wait_for_inputs(
    dir: &Path,
    expected: usize,
    started: Instant,
    timeout: Duration,
    pid: u32,
    peak: &mut Option<u64>,
) -> anyhow::Result<Duration> {
    loop {
        *peak = (*peak).max(peak_rss_kib(pid));
        let done = count_files(&dir.join("done"), "")?;
        let failed = count_files(&dir.join("failed"), ".error.json")?;
        if done + failed >= expected {
            return Ok(started.elapsed());
        }
        if started.elapsed() > timeout {
            bail!(
                "only {} of {expected} inputs finished within {} s; see {}",
                done + failed,
                timeout.as_secs(),
                dir.join("daemon.log").display()
            );
        }
        // Counting tens of thousands of names costs CPU the daemon would otherwise have; the
        // finish time comes from the records' mtimes and VmHWM keeps the peak by itself, so
        // looking twice a second loses nothing.
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// For each record of a dropped input: its name and when its record file was written.
pub(crate) fn latencies(
    out: &Path,
    records: &HashMap<String, serde_json::Value>,
    dropped: &HashMap<String, SystemTime>,
) -> anyhow::Result<Vec<(Duration, SystemTime)>> {
    let mut result = Vec::new();
    for (name, record) in records {
        let Some(dropped_at) = dropped.get(name) else {
            continue;
        };
        let Some(id) = record["id"].as_str() else {
            continue;
        };
        let written = std::fs::metadata(out.join(format!("{id}.json")))?.modified()?;
        let latency = written.duration_since(*dropped_at).unwrap_or_default();
        result.push((latency, written));
    }
    Ok(result)
}

pub(crate) fn summarize_latency(samples: &[(Duration, SystemTime)]) -> Latency {
    let mut ms: Vec<f64> = samples
        .iter()
        .map(|(d, _)| d.as_secs_f64() * 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    Latency {
        records: ms.len(),
        p50_ms: percentile(&ms, 0.50),
        p99_ms: percentile(&ms, 0.99),
        max_ms: ms.last().copied().unwrap_or(0.0),
    }
}

/// The nearest-rank percentile of sorted values (0 when empty).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(crate) fn count_files(dir: &Path, suffix: &str) -> anyhow::Result<usize> {
    match std::fs::read_dir(dir) {
        Ok(entries) => Ok(entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                !name.starts_with('.') && name.ends_with(suffix)
            })
            .count()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e).with_context(|| format!("{}", dir.display())),
    }
}

fn sorted(dir: &Path, suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    Ok(files)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        Sources {
            texts: vec![
                "Title\n\nThe first paragraph holds quite a number of longer words here.\nEnd"
                    .into(),
            ],
            pages: vec![
                "<html><body><p>Short</p><p class=x>The second paragraph holds quite a \
                 number of longer words here</p><pre>keep</pre></body></html>"
                    .into(),
            ],
            frontmatter: vec![
                "---\ntitle: \"T\"\n---\n\nSome body text with many words in it here.\n".into(),
            ],
            vocabulary: (0..50).map(|i| format!("word{i}")).collect(),
        }
    }

    #[test]
    fn generated_files_are_all_different_and_keep_their_structure() {
        let dir = tempfile::tempdir().unwrap();
        let names = generate(&sources(), dir.path(), 40).unwrap();
        assert_eq!(names.len(), 40);
        let mut contents = HashSet::new();
        for name in &names {
            let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
            if Path::new(name).extension().is_some_and(|e| e == "html") {
                assert!(text.contains("<p>Short</p>") && text.contains("<pre>keep</pre>"));
            }
            assert!(contents.insert(text), "{name} repeats another file");
        }
        let again = tempfile::tempdir().unwrap();
        assert_eq!(generate(&sources(), again.path(), 40).unwrap(), names);
    }

    #[test]
    fn front_matter_is_left_as_written() {
        let doc = "---\ntitle: \"Some long title with many words in it\"\n---\n\nSome body text with many words in it here.\n";
        let out = perturb_text(doc, &sources(), &mut Rng::new(1));
        assert!(out.starts_with("---\ntitle: \"Some long title with many words in it\"\n---\n\n"));
        assert_ne!(out, doc);
    }

    #[test]
    fn html_text_runs_skip_scripts_and_styles() {
        let html = "<div>Hello <b>world</b></div><script>var a = 1;</script><style>p{}</style>";
        let runs: Vec<&str> = text_runs(html).iter().map(|&(s, e)| &html[s..e]).collect();
        assert_eq!(runs, ["Hello ", "world"]);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&values, 0.5) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 0.99) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&[], 0.5)).abs() < f64::EPSILON);
    }

    #[test]
    fn proc_stat_cpu_ticks_are_read_for_this_process() {
        assert!(cpu_ticks(std::process::id()).is_some());
        assert!(peak_rss_kib(std::process::id()).is_some_and(|k| k > 0));
    }
}
