//! The `docnorm run` part of the end-to-end run: the daemon started with embedded defaults in
//! an empty folder, ready when it sends `READY=1` on a `NOTIFY_SOCKET` we hold, its idle CPU
//! sampled; every file renamed into the inbox at once, then a paced phase; latency is each
//! record's mtime minus the moment its input was renamed in.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use serde::Serialize;
use tracing::{info, warn};

use crate::daemon::Daemon;
use crate::probe::{Throughput, count_files, cpu_ticks, peak_rss_kib, throughput};
use crate::quality::read_records;

/// Files dropped per second in the paced phase.
pub const PACED_RATE: u32 = 200;

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

/// The daemon over a burst of files, then a paced phase.
pub(crate) fn run_daemon(
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
pub(crate) fn idle_cpu(pid: u32, window: Duration) -> f64 {
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
pub(crate) fn wait_for_inputs(
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
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&values, 0.5) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 0.99) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&[], 0.5)).abs() < f64::EPSILON);
    }
}
