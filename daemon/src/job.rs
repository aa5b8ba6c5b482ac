//! One file's job in the daemon: claim, count the attempt, run the pipeline with each plugin
//! call under the time limit, write the records and move the file on — carrying out the
//! decisions of [`life`](crate::life) on the spool and the state store.
//!
//! A job runs whole on one thread of the [`pool`](crate::pool); the run loop
//! ([`serve`](crate::serve)) only starts jobs and hears how they ended. When a plugin call
//! passes the time limit, the pool hands back what the job parked (the claimed file and its
//! attempt count) and the time-out is handled here, off the stuck thread.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use docnorm_plugin_api::Record;
use tracing::{error, info, warn};

use crate::claim::{Claim, ClaimBy, ClaimIds, Claimed};
use crate::duplicates::NearDuplicates;
use crate::finish::{Failure, destination, fail, failed_destination, move_on, write_records};
use crate::kept::Kept;
use crate::life::{self, Finish, GiveUp, Start, TimeOut};
use crate::limits::RunLimits;
use crate::locks::lock;
use crate::logging::{Escaped, os_text};
use crate::metrics::Metrics;
use crate::pipeline::{DocError, Pipeline};
use crate::pool::{Pool, Ran, Worker};
use crate::spool::{OnSuccess, Spool};
use crate::state::{Begin, StateStore};
use crate::write::record_name;

/// What every job shares.
pub struct Host {
    /// The worker threads the jobs run on.
    pub pool: Pool,
    pub spool: Spool,
    pub store: StateStore,
    pub ids: ClaimIds,
    pub limits: RunLimits,
    pub duplicates: Mutex<NearDuplicates>,
    /// Set on SIGTERM/SIGINT: jobs that have not claimed their inbox file yet leave it.
    pub stopping: AtomicBool,
    pub kept: Kept,
    pub metrics: Metrics,
    /// When the state store is next pruned (milliseconds since 1970), and the window kept.
    next_prune: AtomicI64,
    window: usize,
}

impl Host {
    /// Opens the spool and the state store (pruned, and refilling the near-duplicate index)
    /// and starts the worker threads, as `config` says.
    pub fn open(config: &crate::config::Config) -> anyhow::Result<Self> {
        use anyhow::Context;
        let spool = Spool::open(&config.spool)?;
        spool.remove_leftovers();
        let store = StateStore::open(&spool.database)?;
        store.prune(config.duplicates.window.get());
        let duplicates = NearDuplicates::refill(&config.duplicates, &store)
            .context("cannot read fingerprints from the state store")?;
        let kept = Kept::load(spool.on_success == OnSuccess::Keep, &store)
            .context("cannot read the kept files from the state store")?;
        let limits = config.run.clone();
        let pool = Pool::new(
            "docnorm-doc",
            limits.pipeline,
            limits.threads,
            limits.plugin_time_limit,
        )
        .context("cannot start the worker threads")?;
        Ok(Self {
            pool,
            spool,
            store,
            ids: ClaimIds::default(),
            limits,
            duplicates: Mutex::new(duplicates),
            stopping: AtomicBool::new(false),
            kept,
            metrics: Metrics::default(),
            next_prune: AtomicI64::new(crate::state::now_ms() + PRUNE_INTERVAL_MS),
            window: config.duplicates.window.get(),
        })
    }

    /// Prunes the state store (see [`StateStore::prune`]) once a minute, on the job thread
    /// that finds it due, so no thread is started for it and the run loop never waits.
    fn prune_when_due(&self) {
        let now = crate::state::now_ms();
        let due = self.next_prune.load(Ordering::Relaxed);
        if now >= due
            && self
                .next_prune
                .compare_exchange(
                    due,
                    now + PRUNE_INTERVAL_MS,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            self.store.prune(self.window);
        }
    }
}

/// How often the state store is pruned, in milliseconds.
const PRUNE_INTERVAL_MS: i64 = 60_000;

/// What a job is given: an inbox file to claim, or a file already in the work folder.
#[derive(Debug)]
pub enum Job {
    /// A file in the inbox.
    Inbox(PathBuf),
    /// A file to try again after a time-out.
    Retry(PathBuf),
    /// A file found in the work folder at start, run alone in the pipeline.
    Resume(PathBuf),
}

impl Job {
    /// How its start counts (see [`Begin`]).
    fn begin(&self) -> Begin {
        match self {
            Self::Inbox(_) | Self::Retry(_) => Begin::Fresh,
            Self::Resume(_) => Begin::Alone,
        }
    }

    fn path(&self) -> &Path {
        let (Self::Inbox(path) | Self::Retry(path) | Self::Resume(path)) = self;
        path
    }
}

/// How a job ended.
#[derive(Debug)]
pub enum Ended {
    /// The file's records were written and it moved on.
    Processed,
    /// The file went to `failed/`.
    Failed,
    /// Timed out with attempts left: process the work file again.
    Retry(PathBuf),
    /// Its records or its move could not be written (a full disk, an output folder not
    /// writable): try the work file again later.
    Stalled(PathBuf),
    /// The file was gone, or a step failed and left it where it was.
    Nothing,
}

/// What a job parks while its pipeline runs: the claimed file and its start number.
type Parked = (Claimed, u32);

/// Claims, processes and finishes one file on a pool thread.
pub async fn run(
    host: std::sync::Arc<Host>,
    pipeline: std::sync::Arc<Pipeline>,
    job: Job,
) -> Ended {
    let on_thread = std::sync::Arc::clone(&host);
    let ran = host
        .pool
        .run(move |worker| {
            let ended = work(&on_thread, &pipeline, &job, worker);
            on_thread.prune_when_due();
            ended
        })
        .await;
    match ran {
        Ran::Finished(ended) => ended,
        Ran::TimedOut(plugin, (claimed, attempts)) => tokio::task::spawn_blocking(move || {
            timed_out(&host, &claimed, attempts, plugin.as_deref())
        })
        .await
        .unwrap_or_else(|err| {
            error!(error = %err, "handling a time-out panicked");
            Ended::Nothing
        }),
        Ran::Crashed(message) => {
            error!(error = %message, "a job failed; its file stays where it was");
            Ended::Nothing
        }
    }
}

/// The part of a job on its thread.
fn work(host: &Host, pipeline: &Pipeline, job: &Job, worker: &Worker<Parked>) -> Ended {
    let Some(claimed) = claim(host, job) else {
        return Ended::Nothing;
    };
    let claimed = match claimed {
        Claim::Taken(claimed) => claimed,
        Claim::Refused(claimed, reason) => {
            let attempts = count(host, &claimed, job.begin()).map_or(1, |attempt| attempt.starts);
            return give_up(host, &claimed, &life::on_refused(&reason, attempts));
        }
        Claim::Gone => return Ended::Nothing,
    };
    // A kill while waiting for a place in the pipeline costs no attempt.
    worker.enter();
    let Some(attempt) = count(host, &claimed, job.begin()) else {
        return Ended::Nothing;
    };
    let all_written = all_written(&host.spool, &attempt.records);
    let attempts = match life::on_start(&attempt, all_written, host.limits.max_attempts) {
        Start::WrittenBefore => return written_before(host, &claimed, &attempt.records),
        Start::GiveUp(verdict) => return give_up(host, &claimed, &verdict),
        Start::Process { attempts } => attempts,
    };
    let (work, shown) = (claimed.work.clone(), claimed.inbox_path.clone());
    let counted = attempt.attempts;
    let watched = worker.watched((claimed, attempts), |timer| {
        pipeline.process_as(&work, &shown, &mut |plugin| timer.restart(&plugin.name))
    });
    // `None`: the run loop took the file over at the time limit.
    let Some((results, (claimed, attempts))) = watched else {
        return Ended::Nothing;
    };
    let finish = match results {
        Ok(results) => {
            log_each_failure(&claimed, &results);
            life::on_results(results, attempts, counted, host.limits.max_attempts)
        }
        Err(message) => return give_up(host, &claimed, &life::on_crash(message, attempts)),
    };
    match finish {
        Finish::Processed(mut records) => {
            let fingerprints = mark(host, &mut records);
            processed(host, &claimed, attempts, &records, &fingerprints)
        }
        Finish::Failed(mut records, verdict) => {
            let fingerprints = mark(host, &mut records);
            partly_processed(host, &claimed, &records, &fingerprints, &verdict)
        }
        Finish::Retry { plugin, reason } => {
            if count_against(host, &claimed, plugin.as_deref(), &reason).is_none() {
                return Ended::Nothing;
            }
            retry(&claimed, attempts, plugin.as_deref(), &reason)
        }
    }
}

/// Claims the job's file; `None` when there is nothing to claim or the claim failed (logged).
pub(crate) fn claim(host: &Host, job: &Job) -> Option<Claim> {
    let spool = &host.spool;
    let claim = match job {
        Job::Inbox(path) if host.kept.holds(path) || host.stopping.load(Ordering::SeqCst) => {
            return None;
        }
        Job::Inbox(path) => {
            let by = if spool.on_success == OnSuccess::Keep {
                ClaimBy::Link
            } else {
                ClaimBy::Rename
            };
            crate::claim::claim(&spool.inbox, &spool.work, path, &host.ids, by)
        }
        Job::Retry(path) | Job::Resume(path) => crate::claim::reclaim(&spool.inbox, path),
    };
    claim
        .inspect_err(|err| {
            error!(path = %shown(job.path()), error = %err, "cannot claim file");
        })
        .ok()
}

/// Stores one more start of processing the file, before any plugin sees it.
fn count(host: &Host, claimed: &Claimed, begin: Begin) -> Option<crate::state::Attempt> {
    host.store
        .begin_attempt(&claimed.claim, &claimed.name, begin)
        .inspect_err(|err| {
            // Without the count a crashing file could loop forever: leave it for later.
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot count the attempt in the state store");
        })
        .ok()
}

/// Logs every failed document of a file of several (the `.error.json` names the first few).
fn log_each_failure(claimed: &Claimed, results: &[Result<Record, DocError>]) {
    if results.len() < 2 {
        return;
    }
    for err in results.iter().filter_map(|result| result.as_ref().err()) {
        warn!(path = %shown(&claimed.inbox_path), plugin = err.plugin.as_deref().unwrap_or("chain"), error = %err.message, "a document of the file failed");
    }
}

/// Fills each record's `duplicates` and returns the fingerprints for the state store, which
/// keeps them with the file's state once the records are written (a crash before that
/// processes the file again, so no fingerprint is missed).
fn mark(host: &Host, records: &mut [Record]) -> Vec<(String, u64)> {
    let mut duplicates = lock(&host.duplicates);
    records
        .iter_mut()
        .filter_map(|record| duplicates.mark(record))
        .collect()
}

/// A plugin call passed the time limit: counts it against the file, then tries the file
/// again, or gives it up once its attempts are used up.
fn timed_out(host: &Host, claimed: &Claimed, attempts: u32, plugin: Option<&str>) -> Ended {
    let limits = &host.limits;
    let reason = life::time_out_reason(limits.plugin_time_limit);
    host.metrics.timed_out();
    let Some(counted) = count_against(host, claimed, plugin, &reason) else {
        return Ended::Nothing;
    };
    let plugin = plugin.map(ToOwned::to_owned);
    match life::on_time_out(
        plugin.clone(),
        attempts,
        counted,
        reason,
        limits.max_attempts,
    ) {
        TimeOut::GiveUp(verdict) => give_up(host, claimed, &verdict),
        TimeOut::Retry { reason } => retry(claimed, attempts, plugin.as_deref(), &reason),
    }
}

/// Counts an attempt against the file (a time-out, a crashed plugin process) with why, for
/// the report if it is given up later; returns the attempts counted so far, or `None` when
/// the store failed (logged; the file is left for later, since without the count a file that
/// keeps failing this way could loop forever).
fn count_against(
    host: &Host,
    claimed: &Claimed,
    plugin: Option<&str>,
    reason: &str,
) -> Option<u32> {
    host.store
        .count_attempt(&claimed.claim, plugin, reason)
        .inspect_err(|err| {
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot count the attempt in the state store");
        })
        .ok()
}

/// Asks for the work file to be processed again.
fn retry(claimed: &Claimed, attempts: u32, plugin: Option<&str>, reason: &str) -> Ended {
    warn!(
        path = %shown(&claimed.inbox_path),
        plugin = plugin.unwrap_or("chain"),
        attempts,
        "{}; trying again",
        Escaped(reason)
    );
    Ended::Retry(claimed.work.clone())
}

/// Writes the records of a file whose documents all worked, then moves it out of the work
/// folder; its state and the records' fingerprints are stored in one transaction.
fn processed(
    host: &Host,
    claimed: &Claimed,
    attempts: u32,
    records: &[Record],
    fingerprints: &[(String, u64)],
) -> Ended {
    // From here on a crash is not the file's doing (see `life`).
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    if let Err(err) = host.store.processed(&claimed.claim, &ids) {
        warn!(error = %err, "cannot record the processed file in the state store");
    }
    let target = destination(&host.spool, claimed);
    let written = match write_records(&host.spool, records, target.as_deref()) {
        Ok(written) => written,
        Err(err) => {
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot write the record; the file stays in the work folder and is tried again");
            return Ended::Stalled(claimed.work.clone());
        }
    };
    let (id, sha256) = records
        .first()
        .map(|r| (r.id.as_str(), r.source.sha256.as_str()))
        .unwrap_or_default();
    if let Err(err) = host.store.done(&claimed.claim, id, sha256, fingerprints) {
        warn!(error = %err, "cannot record the result in the state store");
    }
    if !moved_on(host, claimed, target.as_deref()) {
        return Ended::Stalled(claimed.work.clone());
    }
    let sizes: Vec<u64> = written
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|meta| meta.len())
        .collect();
    host.metrics.processed(records, &sizes);
    info!(
        path = %shown(&claimed.inbox_path),
        id,
        record = %written.first().map(|w| shown(w)).unwrap_or_default(),
        records = written.len(),
        attempts,
        "processed"
    );
    Ended::Processed
}

/// Moves a file whose records are written out of the work folder to `to` (deleted when
/// `None`; remembered under `keep`); false when it cannot, and it stays there (logged).
pub(crate) fn moved_on(host: &Host, claimed: &Claimed, to: Option<&Path>) -> bool {
    let stamp = host.kept.stamp(claimed);
    if let Err(err) = move_on(claimed, to) {
        error!(path = %shown(&claimed.inbox_path), error = %err, "cannot move the file out of the work folder; it stays there and is tried again");
        return false;
    }
    host.kept.keep(&host.store, claimed, stamp);
    true
}

/// Writes the records of the documents that worked, then gives the file up.
fn partly_processed(
    host: &Host,
    claimed: &Claimed,
    records: &[Record],
    fingerprints: &[(String, u64)],
    verdict: &GiveUp,
) -> Ended {
    let failed_to = failed_destination(&host.spool, claimed);
    if let Err(err) = write_records(&host.spool, records, Some(&failed_to)) {
        error!(path = %shown(&claimed.inbox_path), error = %err, "cannot write the record; the file stays in the work folder and is tried again");
        return Ended::Stalled(claimed.work.clone());
    }
    if let Err(err) = host.store.add_simhashes(fingerprints) {
        warn!(error = %err, "cannot remember the fingerprints in the state store");
    }
    give_up(host, claimed, verdict)
}

/// Whether every record of `ids` (none: false) is in the output folder.
fn all_written(spool: &Spool, ids: &[String]) -> bool {
    !ids.is_empty()
        && ids
            .iter()
            .all(|id| spool.output.path().join(record_name(id)).exists())
}

/// Moves on a file whose records were all written by an earlier start that was stopped
/// before the file left the work folder: nothing is processed or written again.
fn written_before(host: &Host, claimed: &Claimed, ids: &[String]) -> Ended {
    let id = ids.first().map_or("", String::as_str);
    if !id.is_empty()
        && let Err(err) = host.store.done(&claimed.claim, id, "", &[])
    {
        warn!(error = %err, "cannot record the result in the state store");
    }
    if !moved_on(host, claimed, destination(&host.spool, claimed).as_deref()) {
        return Ended::Stalled(claimed.work.clone());
    }
    info!(
        path = %shown(&claimed.inbox_path),
        id,
        records = ids.len(),
        "processed (its records were written before the daemon stopped)"
    );
    Ended::Processed
}

/// Moves the file to `failed/` beside its `.error.json`.
pub(crate) fn give_up(host: &Host, claimed: &Claimed, verdict: &GiveUp) -> Ended {
    let plugin = verdict.plugin.as_deref();
    let failure = Failure {
        path: os_text(claimed.inbox_path.as_os_str()).into_owned(),
        plugin: Some(plugin.unwrap_or("chain").to_owned()),
        reason: verdict.reason.clone(),
        attempts: verdict.attempts,
        failed_at: jiff::Timestamp::now().to_string(),
    };
    // Stored first: a crash before the move finishes failing the file at the next start.
    if let Err(err) = host.store.failed(&claimed.claim, plugin, &verdict.reason) {
        warn!(error = %err, "cannot record the result in the state store");
    }
    let stamp = host.kept.stamp(claimed);
    match fail(&host.spool, claimed, &failure) {
        Ok(moved) => {
            host.kept.keep(&host.store, claimed, stamp);
            host.metrics.failed(plugin.unwrap_or("chain"));
            warn!(
                path = %shown(&claimed.inbox_path),
                plugin = plugin.unwrap_or("chain"),
                reason = %Escaped(&verdict.reason),
                attempts = verdict.attempts,
                moved = %shown(&moved),
                "failed"
            );
            Ended::Failed
        }
        Err(err) => {
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot move the file to failed/; it stays in the work folder and is tried again");
            Ended::Stalled(claimed.work.clone())
        }
    }
}

/// A path as the logs show it: escaped, since file names are untrusted, and with the bytes
/// that are not UTF-8 as `\xNN`.
pub fn shown(path: &Path) -> String {
    Escaped(&os_text(path.as_os_str())).to_string()
}
