//! What the end-to-end run reads of the processes it starts and of what they leave: peak RSS
//! and CPU ticks from `/proc`, files counted in a folder, and files per second.

use std::path::Path;
use std::process::Child;
use std::time::Duration;

use anyhow::Context;

use serde::Serialize;

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

pub(crate) fn kib_to_mib(kib: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let kib = kib as f64;
    kib / 1024.0
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

/// Waits for a child, sampling its `VmHWM` (peak RSS) while it runs.
pub(crate) fn wait_sampling_rss(
    mut child: Child,
) -> anyhow::Result<(std::process::ExitStatus, Option<u64>)> {
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
pub(crate) fn peak_rss_kib(pid: u32) -> Option<u64> {
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
pub(crate) fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `) `.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_stat_cpu_ticks_are_read_for_this_process() {
        assert!(cpu_ticks(std::process::id()).is_some());
        assert!(peak_rss_kib(std::process::id()).is_some_and(|k| k > 0));
    }
}
