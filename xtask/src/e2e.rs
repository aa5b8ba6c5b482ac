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

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use tracing::{info, warn};

use crate::corpus::{Sources, generate};
use crate::daemon_run::{DaemonRun, PACED_RATE, run_daemon};
use crate::probe::{Throughput, count_files, kib_to_mib, throughput, wait_sampling_rss};
use crate::quality::read_records;

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

/// Generates `files` documents and measures the baseline and docnorm on them.
pub fn measure(docnorm: &Path, data: &Path, files: usize) -> anyhow::Result<EndToEnd> {
    let target = crate::workspace::target_dir();
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

fn has_run(docnorm: &Path) -> bool {
    Command::new(docnorm)
        .args(["run", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
