//! Start-up with a full state store: how long `docnorm run` takes to send `READY=1` when its
//! state store holds the rows of many files, and how large the store is then.
//!
//! The daemon first starts on an empty folder (three starts, median); then it processes
//! `files` small generated documents (distinct, so each keeps a near-duplicate fingerprint
//! up to the window) and stops; then it starts five times on that store. Every row is
//! younger than the store's retention, so nothing is pruned away before the starts: the
//! worst case of a restart right after a large burst.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tracing::info;

use crate::daemon::Daemon;
use crate::probe::count_files;
use crate::rng::Rng;

/// Starts timed on the full store.
const FULL_STARTS: usize = 5;
/// Starts timed on the empty folder.
const EMPTY_STARTS: usize = 3;

/// What the start-up measurement found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Startup {
    /// Files processed before the timed starts.
    pub files: usize,
    /// Median time to `READY=1` on an empty folder, in milliseconds.
    pub empty_ms: f64,
    /// Each time to `READY=1` on the full store, in milliseconds, in order.
    pub full_ms: Vec<f64>,
    /// The state store's files (database, write-ahead log) after the files, in bytes.
    pub store_bytes: u64,
    /// Seconds the daemon took to process the files.
    pub fill_seconds: f64,
}

/// Runs the measurement in a temporary folder under `target/`.
pub fn measure(docnorm: &Path, files: usize) -> anyhow::Result<Startup> {
    let target = crate::workspace::target_dir();
    std::fs::create_dir_all(&target)?;
    let work = tempfile::Builder::new()
        .prefix("xtask-startup-")
        .tempdir_in(&target)
        .context("cannot create a work folder under target/")?;
    let dir = work.path();
    let empty_ms = median(&time_starts(docnorm, &dir.join("empty"), EMPTY_STARTS)?);

    let run = dir.join("full");
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage)?;
    info!(files, "generating the files for the state store");
    let names = generate(&stage, files)?;
    let (daemon, _) = Daemon::start(docnorm, &run)?;
    let inbox = run.join("inbox");
    let started = Instant::now();
    for name in &names {
        std::fs::rename(stage.join(name), inbox.join(name))?;
    }
    wait_done(&run, files, started)?;
    let fill_seconds = started.elapsed().as_secs_f64();
    daemon.stop()?;
    let store_bytes = store_size(&run.join(".docnorm"))?;
    info!(
        files,
        fill_seconds, store_bytes, "store filled; timing starts"
    );
    let full_ms = time_starts(docnorm, &run, FULL_STARTS)?;
    Ok(Startup {
        files,
        empty_ms,
        full_ms,
        store_bytes,
        fill_seconds,
    })
}

/// Renders the section of the report.
pub fn render(startup: &Startup, out: &mut dyn Write) -> std::io::Result<()> {
    let mut sorted = startup.full_ms.clone();
    sorted.sort_by(f64::total_cmp);
    writeln!(
        out,
        "\n## Start-up with a full state store ({} files)\n",
        startup.files
    )?;
    writeln!(
        out,
        "| state store | starts | median to READY=1 | slowest |"
    )?;
    writeln!(out, "|---|---|---|---|")?;
    writeln!(
        out,
        "| empty | {EMPTY_STARTS} | {:.0} ms | – |",
        startup.empty_ms
    )?;
    writeln!(
        out,
        "| after {} files ({:.1} MiB) | {} | {:.0} ms | {:.0} ms |",
        startup.files,
        mib(startup.store_bytes),
        sorted.len(),
        median(&sorted),
        sorted.last().copied().unwrap_or(f64::NAN)
    )?;
    writeln!(
        out,
        "\nEach start is `docnorm run` from process start to `READY=1`, with embedded defaults; \
         the {} files (processed in {:.0} s) are all younger than the store's retention of \
         finished files, so none is pruned before the starts. Later the store keeps only what \
         the guarantees need: files not finished, finished ones for 10 minutes, and the \
         fingerprints of the near-duplicate window (`duplicates.window`).",
        startup.files, startup.fill_seconds
    )
}

/// Starts and stops the daemon `n` times in `dir`, returning each time to `READY=1`.
fn time_starts(docnorm: &Path, dir: &Path, n: usize) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let (daemon, ready) = Daemon::start(docnorm, dir)?;
        times.push(ready.as_secs_f64() * 1000.0);
        daemon.stop()?;
    }
    Ok(times)
}

/// Writes `count` small distinct documents into `dir`; returns their names.
fn generate(dir: &Path, count: usize) -> anyhow::Result<Vec<String>> {
    const WORDS: &[&str] = &[
        "harbour", "council", "river", "budget", "school", "market", "winter", "bridge", "station",
        "library", "festival", "museum", "garden", "airport", "hospital", "forest", "village",
        "factory", "stadium", "theatre", "railway", "election", "harvest", "storm",
    ];
    let mut rng = Rng::new(24);
    let mut names = Vec::with_capacity(count);
    for i in 0..count {
        let mut sentence = |n: usize| {
            (0..n)
                .map(|_| WORDS[rng.below(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = format!(
            "Notes on the {} number {i}\n\nThe {} met on day {i} to discuss the {}.\n\n{}.\n",
            sentence(2),
            sentence(3),
            sentence(4),
            sentence(24)
        );
        let name = format!("note-{i:06}.txt");
        std::fs::write(dir.join(&name), text)?;
        names.push(name);
    }
    Ok(names)
}

/// Waits until `expected` inputs reached `done/` or `failed/`.
fn wait_done(dir: &Path, expected: usize, started: Instant) -> anyhow::Result<()> {
    let timeout = Duration::from_secs(600);
    loop {
        let done = count_files(&dir.join("done"), "")?;
        let failed = count_files(&dir.join("failed"), ".error.json")?;
        if done + failed >= expected {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < timeout,
            "only {} of {expected} files finished within {} s; see {}",
            done + failed,
            timeout.as_secs(),
            dir.join("daemon.log").display()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The total size of the state store's files in `dir` (`state.sqlite` and its journal).
fn store_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
        let entry = entry?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("state.sqlite")
        {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
    }
}

#[allow(clippy::cast_precision_loss)]
fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert!((median(&[5.0, 1.0, 3.0]) - 3.0).abs() < 1e-9);
        assert!((median(&[4.0, 1.0, 3.0, 2.0]) - 2.5).abs() < 1e-9);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_section_names_the_files_and_the_median() {
        let startup = Startup {
            files: 100_000,
            empty_ms: 7.0,
            full_ms: vec![40.0, 30.0, 50.0, 35.0, 45.0],
            store_bytes: 3 * 1024 * 1024,
            fill_seconds: 120.0,
        };
        let mut out = Vec::new();
        render(&startup, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("| after 100000 files (3.0 MiB) | 5 | 40 ms | 50 ms |"),
            "{text}"
        );
        assert!(text.contains("| empty | 3 | 7 ms | – |"), "{text}");
    }
}
