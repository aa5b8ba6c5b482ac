//! The `run` section of the config: what the user wrote ([`RunConfig`]) and the checked limits
//! the daemon runs by ([`RunLimits`]).
//!
//! The section is turned into limits once, while the config is read (`serde(from)`): counts
//! that must not be zero are typed so (a zero is refused with its line and column), durations
//! become [`Duration`]s, and the thread rule lives in [`RunLimits::from`] alone, so no code
//! downstream clamps or converts.

use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

/// Limits of the daemon, under `run` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// How many documents are in the pipeline (read and run through the plugins) at once
    /// (0: one per CPU core plus two). As many more may be claiming or finishing meanwhile,
    /// each on its own worker thread, so the cores stay busy while files wait on the disk.
    /// Also bounds the open files and the documents in memory.
    pub concurrency: usize,
    /// How many inbox files the daemon keeps track of at once; more wait in the inbox and
    /// are found by a rescan once there is room, so memory stays bounded.
    pub max_queued_files: NonZeroUsize,
    /// How long one plugin call (one plugin on one document, or a process plugin's handshake)
    /// may take: past it the file is abandoned (and tried again), and a process plugin's
    /// process is killed.
    pub plugin_time_limit_ms: NonZeroU64,
    /// How many attempts may be counted against a file before it goes to `failed/`: a plugin
    /// call past the time limit, or the daemon dying while the file ran alone (after a crash
    /// the files that were in flight run alone, one after the other).
    pub max_attempts: NonZeroU32,
    /// How long SIGTERM or SIGINT waits for documents in flight before exiting.
    pub shutdown_grace_ms: u64,
    /// How often systemd's STATUS= line is updated (at least every 100 ms).
    pub status_interval_ms: u64,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            concurrency: 0,
            max_queued_files: NonZeroUsize::new(10_000).expect("not zero"),
            plugin_time_limit_ms: NonZeroU64::new(30_000).expect("not zero"),
            max_attempts: NonZeroU32::new(3).expect("not zero"),
            shutdown_grace_ms: 30_000,
            status_interval_ms: 1000,
        }
    }
}

/// Limits of the daemon, under `run` in the config, checked: what the daemon's parts are built
/// from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(from = "RunConfig")]
#[schemars(with = "RunConfig")]
pub struct RunLimits {
    /// How many documents may be in the pipeline at once.
    pub pipeline: NonZeroUsize,
    /// How many worker threads run jobs: twice `pipeline`, so half of them can claim or
    /// finish (waiting on the disk) while the other half keeps the cores busy.
    pub threads: NonZeroUsize,
    /// How many inbox files are tracked at once.
    pub max_queued_files: NonZeroUsize,
    /// How long one plugin call may take.
    pub plugin_time_limit: Duration,
    /// How many starts a file gets before it is given up.
    pub max_attempts: NonZeroU32,
    /// How long a shutdown waits for documents in flight.
    pub shutdown_grace: Duration,
    /// How often the status line is updated.
    pub status_interval: Duration,
}

/// The shortest status interval: systemd need not hear more often.
const MIN_STATUS_INTERVAL: Duration = Duration::from_millis(100);

impl From<RunConfig> for RunLimits {
    fn from(config: RunConfig) -> Self {
        let pipeline = NonZeroUsize::new(config.concurrency).unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
            cores.saturating_add(2)
        });
        Self {
            pipeline,
            threads: pipeline.saturating_mul(NonZeroUsize::new(2).expect("not zero")),
            max_queued_files: config.max_queued_files,
            plugin_time_limit: Duration::from_millis(config.plugin_time_limit_ms.get()),
            max_attempts: config.max_attempts,
            shutdown_grace: Duration::from_millis(config.shutdown_grace_ms),
            status_interval: Duration::from_millis(config.status_interval_ms)
                .max(MIN_STATUS_INTERVAL),
        }
    }
}

impl Default for RunLimits {
    fn default() -> Self {
        RunConfig::default().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_zero_means_one_per_core_plus_two_and_threads_are_twice_that() {
        let cores = std::thread::available_parallelism().unwrap().get();
        let limits = RunLimits::default();
        assert_eq!(limits.pipeline.get(), cores + 2);
        assert_eq!(limits.threads.get(), 2 * (cores + 2));
        let limits = RunLimits::from(RunConfig {
            concurrency: 3,
            ..RunConfig::default()
        });
        assert_eq!((limits.pipeline.get(), limits.threads.get()), (3, 6));
    }

    #[test]
    fn milliseconds_become_durations_and_the_status_interval_has_a_floor() {
        let limits = RunLimits::from(RunConfig {
            status_interval_ms: 5,
            shutdown_grace_ms: 1500,
            ..RunConfig::default()
        });
        assert_eq!(limits.status_interval, Duration::from_millis(100));
        assert_eq!(limits.shutdown_grace, Duration::from_millis(1500));
        assert_eq!(limits.plugin_time_limit, Duration::from_secs(30));
    }
}
