//! The run loop of `docnorm run`: ties the daemon's stages together.
//!
//! At start it opens the [`spool`](crate::spool) and the [`state`](crate::state) store,
//! queues what a crash left in the work folder, starts the [`watch`](crate::watch)er and
//! only then scans the inbox, so no file slips between the two (the [`queue`](crate::queue)
//! drops the duplicates), and tells systemd it is ready. Then each ready file is
//! [`claim`](crate::claim)ed, processed within the time limit and [`finish`](crate::finish)ed
//! on one of the [`work`](crate::work) stage's threads, at most `run.concurrency` in the
//! pipeline at once and as many more claiming or finishing. The loop
//! reconciles with a full scan at an interval and whenever events were lost, reloads the
//! pipeline on SIGHUP, and on shutdown stops claiming and lets in-flight documents finish
//! within the grace time.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use docnorm_enrich::{DuplicateIndex, parse_simhash};
use docnorm_plugin_api::Record;
use schemars::JsonSchema;
use serde::Deserialize;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::claim::{Claim, ClaimBy, ClaimIds, Claimed};
use crate::config::Config;
use crate::finish::{Failure, fail, succeed, write_records};
use crate::locks::lock;
use crate::logging::Escaped;
use crate::pipeline::{DocError, Pipeline};
use crate::queue::Queue;
use crate::spool::OnSuccess;
use crate::spool::Spool;
use crate::state::{Stamp, StateStore};
use crate::systemd::Systemd;
use crate::watch::{Signal, Watch, scan};
use crate::work::{self, Worked};
use crate::write::record_name;

/// Limits of the run loop, under `run` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// How many documents are in the pipeline (read and run through the plugins) at once
    /// (0: one per CPU core plus two). As many more may be claiming or finishing meanwhile,
    /// waiting on the disk, each on its own worker thread, so the cores stay busy through the
    /// fsyncs (measured on 2 cores: +10 % files/s over one thread per document, peak RSS 28 →
    /// 40 MiB). Also bounds the open files and the documents in memory (a document finishing
    /// holds only its records): each document in flight holds at most a few files.
    pub concurrency: usize,
    /// How many inbox files the daemon keeps track of at once; more wait in the inbox and
    /// are found by a rescan once there is room, so memory stays bounded.
    pub max_queued_files: usize,
    /// How long one plugin call (one plugin on one document) may take before the file is
    /// abandoned.
    pub plugin_time_limit_ms: u64,
    /// How many times processing a file may be started (counting crashes and time-outs)
    /// before it goes to `failed/`.
    pub max_attempts: u32,
    /// How long SIGTERM or SIGINT waits for documents in flight before exiting.
    pub shutdown_grace_ms: u64,
    /// How often systemd's STATUS= line is updated.
    pub status_interval_ms: u64,
    /// How many of the most recent records a new one is compared with for near-duplicates
    /// (`duplicates` in the record); their fingerprints are kept in the state store across
    /// restarts.
    pub near_duplicate_window: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            concurrency: 0,
            max_queued_files: 10_000,
            plugin_time_limit_ms: 30_000,
            max_attempts: 3,
            shutdown_grace_ms: 30_000,
            status_interval_ms: 1000,
            near_duplicate_window: 100_000,
        }
    }
}

impl RunConfig {
    fn workers(&self) -> usize {
        if self.concurrency > 0 {
            return self.concurrency;
        }
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get) + 2
    }
}

/// Runs the daemon until `shutdown` resolves, then drains; `config_path` is read again on
/// SIGHUP.
pub async fn serve(
    config: Config,
    config_path: Option<PathBuf>,
    pipeline: Pipeline,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut hangup = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
    let spool = Spool::open(&config.spool)?;
    spool.remove_leftovers();
    let store = StateStore::open(&spool.database)?;
    let duplicates = duplicate_index(&config, &store)?;
    let kept = store
        .kept()
        .context("cannot read the kept files from the state store")?
        .into_iter()
        .map(|(path, stamp)| (PathBuf::from(path), stamp))
        .collect();
    let pool = work::Pool::new("docnorm-doc", config.run.workers())
        .context("cannot start the worker threads")?;
    let shared = Arc::new(Shared {
        pool,
        spool,
        store,
        ids: ClaimIds::default(),
        limits: config.run.clone(),
        duplicates: Mutex::new(duplicates),
        stopping: AtomicBool::new(false),
        kept: Mutex::new(kept),
    });
    let mut daemon = Daemon::new(Arc::clone(&shared), config, config_path, pipeline)?;
    daemon.start()?;
    tokio::pin!(shutdown);
    loop {
        daemon.launch();
        let wake_at = daemon.next_wake();
        tokio::select! {
            () = &mut shutdown => break,
            _ = hangup.recv() => daemon.reload(),
            Some(joined) = daemon.jobs.join_next_with_id(), if !daemon.jobs.is_empty() => {
                daemon.joined(joined);
            }
            Some(signal) = daemon.watch.signals.recv() => daemon.signal(signal),
            () = daemon.watch.wake.notified() => {}
            () = tokio::time::sleep_until(wake_at) => {}
        }
        daemon.tick();
    }
    daemon.drain().await;
    Ok(())
}

/// The near-duplicate index over the most recent records, refilled from the state store.
fn duplicate_index(config: &Config, store: &StateStore) -> anyhow::Result<DuplicateIndex> {
    let window = config.run.near_duplicate_window.max(1);
    let mut index = config
        .plugins
        .enrich
        .duplicate_index()?
        .with_capacity(window);
    for (id, simhash) in store
        .simhashes(window)
        .context("cannot read fingerprints from the state store")?
    {
        index.check_and_insert(&id, simhash);
    }
    Ok(index)
}

/// What every job needs.
struct Shared {
    /// The worker threads the jobs run on.
    pool: work::Pool,
    spool: Spool,
    store: StateStore,
    ids: ClaimIds,
    limits: RunConfig,
    duplicates: Mutex<DuplicateIndex>,
    /// Set on SIGTERM/SIGINT: jobs that have not claimed their inbox file yet leave it.
    stopping: AtomicBool,
    /// Under `on_success: keep`, the finished files left in the inbox, as they were.
    kept: Mutex<HashMap<PathBuf, Stamp>>,
}

impl Shared {
    fn keeps(&self) -> bool {
        self.spool.on_success == OnSuccess::Keep
    }

    /// Whether `path` is a kept file that has not changed since it was finished.
    fn is_kept(&self, path: &Path) -> bool {
        if !self.keeps() {
            return false;
        }
        lock(&self.kept)
            .get(path)
            .is_some_and(|stamp| Stamp::of(path).as_ref() == Some(stamp))
    }

    /// Under `keep`, the claimed file's stamp, taken before it is finished.
    fn stamp(&self, claimed: &Claimed) -> Option<Stamp> {
        self.keeps().then(|| Stamp::of(&claimed.work)).flatten()
    }

    /// Remembers a finished file left in the inbox, as `stamp` says it was.
    fn keep(&self, claimed: &Claimed, stamp: Option<Stamp>) {
        let Some(stamp) = stamp else {
            return;
        };
        if let Err(err) = self
            .store
            .keep(&claimed.inbox_path.to_string_lossy(), stamp)
        {
            warn!(error = %err, "cannot remember the kept file in the state store");
        }
        lock(&self.kept).insert(claimed.inbox_path.clone(), stamp);
    }

    /// Forgets a kept file that left the inbox.
    fn unkeep(&self, path: &Path) {
        if !self.keeps() {
            return;
        }
        let removed = lock(&self.kept).remove(path);
        if removed.is_some()
            && let Err(err) = self.store.unkeep(&path.to_string_lossy())
        {
            warn!(error = %err, "cannot forget the kept file in the state store");
        }
    }
}

/// What a job is given: an inbox file to claim, or a file already in the work folder.
#[derive(Debug)]
enum Job {
    Inbox(PathBuf),
    Work(PathBuf),
}

/// How a job ended.
#[derive(Debug)]
enum Ended {
    Processed,
    Failed,
    /// Timed out with attempts left: process the work file again.
    Retry(PathBuf),
    /// The file was gone, or a step failed and left it where it was.
    Nothing,
}

struct Daemon {
    shared: Arc<Shared>,
    config: Config,
    config_path: Option<PathBuf>,
    pipeline: Arc<Pipeline>,
    watch: Watch,
    queue: Queue,
    retries: VecDeque<PathBuf>,
    jobs: JoinSet<Ended>,
    /// For each running job: the inbox path it holds in the queue.
    running: HashMap<tokio::task::Id, Option<PathBuf>>,
    workers: usize,
    systemd: Systemd,
    processed: u64,
    failed: u64,
    /// Documents finished plus plugin calls started, and when that count last changed.
    progress: (u64, Instant),
    next_status: Instant,
    next_reconcile: Instant,
}

impl Daemon {
    fn new(
        shared: Arc<Shared>,
        config: Config,
        config_path: Option<PathBuf>,
        pipeline: Pipeline,
    ) -> anyhow::Result<Self> {
        // Watcher first: anything arriving from now on is seen, by the scan or by an event.
        let watch = Watch::start(&shared.spool.inbox, &config.watch)?;
        let settle = Duration::from_millis(config.watch.settle_ms);
        let counts = shared.store.counts().unwrap_or_default();
        let now = Instant::now();
        Ok(Self {
            queue: Queue::new(config.run.max_queued_files, settle),
            workers: config.run.workers(),
            next_reconcile: now + Duration::from_millis(config.watch.reconcile_interval_ms),
            shared,
            config,
            config_path,
            pipeline: Arc::new(pipeline),
            watch,
            retries: VecDeque::new(),
            jobs: JoinSet::new(),
            running: HashMap::new(),
            systemd: Systemd::from_env(),
            processed: counts.done,
            failed: counts.failed,
            progress: (0, now),
            next_status: now,
        })
    }

    /// Queues what is left in the work folder, scans the inbox, and says it is ready.
    fn start(&mut self) -> anyhow::Result<()> {
        let shared = Arc::clone(&self.shared);
        let spool = &shared.spool;
        let leftovers = crate::claim::leftovers(&spool.work)
            .with_context(|| format!("{}: cannot list the work folder", spool.work.display()))?;
        if !leftovers.is_empty() {
            info!(
                files = leftovers.len(),
                "resuming files claimed before the last stop"
            );
        }
        self.retries.extend(leftovers);
        self.scan();
        info!(
            inbox = %Escaped(&spool.inbox.display().to_string()),
            output = %Escaped(&spool.output.path().display().to_string()),
            watcher = self.watch.kind,
            queued = self.queue.waiting(),
            workers = self.workers,
            "watching the inbox"
        );
        let status = self.status_line();
        self.systemd.ready(&status);
        Ok(())
    }

    fn scan(&mut self) {
        let now = Instant::now().into_std();
        match scan(&self.shared.spool.inbox) {
            Ok(paths) => {
                for path in paths {
                    if self.shared.is_kept(&path) {
                        continue;
                    }
                    if self.queue.is_full() {
                        // The rest waits in the inbox; the queue asks for a rescan once it
                        // has room again (without that, it waited for the reconcile scan).
                        break;
                    }
                    self.queue.found(path, now);
                }
            }
            Err(err) => error!(error = %err, "cannot scan the inbox"),
        }
    }

    /// Starts jobs while workers are free and files are ready.
    fn launch(&mut self) {
        // A thread for each job: at most `workers` of them processing (the gate in `work`),
        // the others claiming, finishing or waiting for their turn.
        while self.jobs.len() < self.shared.pool.threads() {
            let (job, key) = if let Some(work) = self.retries.pop_front() {
                (Job::Work(work), None)
            } else if let Some(path) = self.queue.take() {
                (Job::Inbox(path.clone()), Some(path))
            } else {
                break;
            };
            let shared = Arc::clone(&self.shared);
            let pipeline = Arc::clone(&self.pipeline);
            let handle = self.jobs.spawn(run_job(shared, pipeline, job));
            self.running.insert(handle.id(), key);
        }
    }

    fn joined(&mut self, joined: Result<(tokio::task::Id, Ended), tokio::task::JoinError>) {
        let (id, ended) = match joined {
            Ok((id, ended)) => (id, ended),
            Err(err) => {
                error!(error = %err, "a job panicked; its file stays in the work folder");
                (err.id(), Ended::Nothing)
            }
        };
        if let Some(Some(path)) = self.running.remove(&id)
            && self.queue.finished(&path)
            && !self.shared.is_kept(&path)
        {
            self.queue.changed(path, Instant::now().into_std());
        }
        match ended {
            Ended::Processed => self.processed += 1,
            Ended::Failed => self.failed += 1,
            Ended::Retry(work) => self.retries.push_back(work),
            Ended::Nothing => {}
        }
    }

    fn signal(&mut self, first: Signal) {
        let now = Instant::now().into_std();
        let mut next = Some(first);
        // Take what else is waiting in one go, up to a bound so the loop stays responsive.
        for _ in 0..1024 {
            let Some(signal) = next else { break };
            match signal {
                Signal::Complete(path) | Signal::Changed(path) if self.shared.is_kept(&path) => {}
                Signal::Complete(path) => self.queue.complete(path),
                Signal::Changed(path) => self.queue.changed(path, now),
                Signal::Gone(path) => {
                    self.queue.gone(&path);
                    self.shared.unkeep(&path);
                }
            }
            next = self.watch.signals.try_recv().ok();
        }
    }

    fn next_wake(&self) -> Instant {
        let mut wake = self.next_status.min(self.next_reconcile);
        if let Some(settle) = self.queue.next_settle() {
            wake = wake.min(Instant::from_std(settle));
        }
        if let Some(interval) = self.systemd.watchdog_interval() {
            wake = wake.min(Instant::now() + interval);
        }
        wake.max(Instant::now() + Duration::from_millis(5))
    }

    /// Work done between events: settling, rescans, status and watchdog.
    fn tick(&mut self) {
        let now = Instant::now();
        self.queue.settle(now.into_std());
        let reconcile = now >= self.next_reconcile;
        if self.watch.take_rescan() | self.queue.take_overflow() || reconcile {
            self.scan();
            if reconcile {
                self.next_reconcile =
                    now + Duration::from_millis(self.config.watch.reconcile_interval_ms);
            }
        }
        let progress = self.processed + self.failed + work::calls_started();
        if progress != self.progress.0 {
            self.progress = (progress, now);
        }
        let healthy = self.healthy(now);
        self.systemd.watchdog(healthy, now.into_std());
        if now >= self.next_status {
            let status = self.status_line();
            self.systemd.status(&status);
            self.next_status =
                now + Duration::from_millis(self.shared.limits.status_interval_ms.max(100));
        }
    }

    /// Nothing to do, or progress (a document finished or a plugin call started) within one
    /// plugin time limit and ten seconds: a plugin call that runs past its limit is abandoned,
    /// which is progress, so only a daemon stuck outside the plugins (a hung file system, a
    /// stalled run loop) stops the watchdog. A long JSON Lines file makes progress with
    /// each object.
    fn healthy(&self, now: Instant) -> bool {
        let idle = self.jobs.is_empty() && self.queue.waiting() == 0 && self.retries.is_empty();
        let limit = Duration::from_millis(self.shared.limits.plugin_time_limit_ms)
            + Duration::from_secs(10);
        idle || now.duration_since(self.progress.1) < limit
    }

    fn status_line(&self) -> String {
        format!(
            "{} processed, {} failed, {} queued, {} in flight",
            self.processed,
            self.failed,
            self.queue.waiting() + self.retries.len(),
            self.jobs.len()
        )
    }

    /// Rebuilds the pipeline from the config file; keeps the current one if that fails.
    fn reload(&mut self) {
        self.systemd.reloading();
        match self.load() {
            Ok((config, pipeline)) => {
                let restart_needed = config.spool != self.config.spool
                    || config.watch != self.config.watch
                    || config.run != self.config.run;
                if restart_needed {
                    warn!(
                        "changes to the spool, watch and run sections take effect at the next start"
                    );
                }
                self.pipeline = Arc::new(pipeline);
                self.config.chain = config.chain;
                self.config.plugins = config.plugins;
                self.config.read = config.read;
                info!(plugins = self.config.chain.join(","), "config reloaded");
            }
            Err(err) => error!(
                error = format!("{err:#}"),
                "cannot reload the config; still running on the previous one"
            ),
        }
        let status = self.status_line();
        self.systemd.ready(&status);
    }

    fn load(&self) -> anyhow::Result<(Config, Pipeline)> {
        let config = Config::load_or_default(self.config_path.as_deref())?;
        let pipeline = work::build(&config)?;
        Ok((config, pipeline))
    }

    /// Lets documents in flight finish within the grace time.
    async fn drain(&mut self) {
        self.systemd.stopping();
        self.shared.stopping.store(true, Ordering::SeqCst);
        let in_flight = self.jobs.len();
        info!(in_flight, "stopping: finishing documents in flight");
        let grace = Duration::from_millis(self.shared.limits.shutdown_grace_ms);
        let drained = tokio::time::timeout(grace, async {
            while let Some(joined) = self.jobs.join_next_with_id().await {
                self.joined(joined);
            }
        })
        .await;
        if drained.is_err() {
            warn!(
                left = self.jobs.len(),
                "shutdown grace passed; the documents left in the work folder are processed at the next start"
            );
        }
        info!(processed = self.processed, failed = self.failed, "stopped");
    }
}

/// Claims, processes and finishes one file, all on one worker thread.
async fn run_job(shared: Arc<Shared>, pipeline: Arc<Pipeline>, job: Job) -> Ended {
    let limit = Duration::from_millis(shared.limits.plugin_time_limit_ms);
    let job_shared = Arc::clone(&shared);
    let ran = shared
        .pool
        .run(limit, move |worker| {
            let shared = job_shared;
            let (claimed, attempts) = match begin(&shared, &job, worker) {
                Begun::Ready(claimed, attempts) => (claimed, attempts),
                Begun::Ended(ended) => return ended,
            };
            let (work, shown) = (claimed.work.clone(), claimed.inbox_path.clone());
            match worker.process(&pipeline, &work, &shown, (claimed, attempts)) {
                Some((worked, (claimed, attempts))) => finish(&shared, &claimed, attempts, worked),
                // The run loop took the file over at the time limit.
                None => Ended::Nothing,
            }
        })
        .await;
    match ran {
        work::Ran::Finished(ended) => ended,
        work::Ran::TimedOut(plugin, (claimed, attempts)) => {
            tokio::task::spawn_blocking(move || {
                timed_out(&shared, &claimed, attempts, plugin.as_deref())
            })
            .await
            .unwrap_or_else(|err| {
                error!(error = %err, "handling a time-out panicked");
                Ended::Nothing
            })
        }
        work::Ran::Crashed(message) => {
            error!(error = %message, "a job failed; its file stays where it was");
            Ended::Nothing
        }
    }
}

enum Begun {
    Ready(Claimed, u32),
    Ended(Ended),
}

/// Claims the file, waits for a place in the pipeline and counts the attempt, before any
/// plugin sees it (a crash while waiting counts no attempt).
fn begin(shared: &Shared, job: &Job, worker: &work::Worker<(Claimed, u32)>) -> Begun {
    let spool = &shared.spool;
    let claim = match job {
        Job::Inbox(path) if shared.is_kept(path) || shared.stopping.load(Ordering::SeqCst) => {
            return Begun::Ended(Ended::Nothing);
        }
        Job::Inbox(path) => {
            let by = if shared.keeps() {
                ClaimBy::Link
            } else {
                ClaimBy::Rename
            };
            crate::claim::claim(&spool.inbox, &spool.work, path, &shared.ids, by)
        }
        Job::Work(path) => crate::claim::reclaim(&spool.inbox, path),
    };
    let claimed = match claim {
        Ok(Claim::Taken(claimed)) => claimed,
        Ok(Claim::Refused(claimed, reason)) => {
            let attempts = count_attempt(shared, &claimed).unwrap_or(1);
            return Begun::Ended(give_up(shared, &claimed, Some("claim"), &reason, attempts));
        }
        Ok(Claim::Gone) => return Begun::Ended(Ended::Nothing),
        Err(err) => {
            let path = match job {
                Job::Inbox(path) | Job::Work(path) => path,
            };
            error!(path = %shown(path), error = %err, "cannot claim file");
            return Begun::Ended(Ended::Nothing);
        }
    };
    worker.enter();
    let Some(attempt) = count_attempt_full(shared, &claimed) else {
        return Begun::Ended(Ended::Nothing);
    };
    if all_written(&shared.spool, &attempt.records) {
        return Begun::Ended(written_before(shared, &claimed, &attempt.records));
    }
    let max = shared.limits.max_attempts.max(1);
    if attempt.attempts > max {
        let reason = format!(
            "gave up after {max} attempts: {}",
            attempt.error.as_deref().unwrap_or(
                "processing never finished (the daemon stopped or crashed while processing it)"
            )
        );
        return Begun::Ended(give_up(
            shared,
            &claimed,
            attempt.plugin.as_deref(),
            &reason,
            attempt.attempts - 1,
        ));
    }
    Begun::Ready(claimed, attempt.attempts)
}

fn count_attempt(shared: &Shared, claimed: &Claimed) -> Option<u32> {
    count_attempt_full(shared, claimed).map(|attempt| attempt.attempts)
}

fn count_attempt_full(shared: &Shared, claimed: &Claimed) -> Option<crate::state::Attempt> {
    match shared.store.begin_attempt(&claimed.claim, &claimed.name) {
        Ok(attempt) => Some(attempt),
        Err(err) => {
            // Without the count a crashing file could loop forever: leave it for later.
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot count the attempt in the state store");
            None
        }
    }
}

/// Writes what came of processing.
fn finish(shared: &Shared, claimed: &Claimed, attempts: u32, worked: Worked) -> Ended {
    match worked {
        Worked::Done(results) => {
            let parts = results.len();
            let mut records = Vec::with_capacity(parts);
            let mut fingerprints = Vec::with_capacity(parts);
            let mut errors = Vec::new();
            for result in results {
                match result {
                    Ok(mut record) => {
                        fingerprints.extend(mark(shared, &mut record));
                        records.push(record);
                    }
                    Err(err) => errors.push(err),
                }
            }
            match errors.first() {
                None => processed(shared, claimed, attempts, &records, &fingerprints),
                Some(first) => {
                    // A file of several documents keeps the records of those that worked
                    // (written again under the same names if the file is dropped again).
                    if let Err(err) = write_records(&shared.spool, &records) {
                        error!(path = %shown(&claimed.inbox_path), error = %err, "cannot write the record; the file stays in the work folder");
                        return Ended::Nothing;
                    }
                    if let Err(err) = shared.store.add_simhashes(&fingerprints) {
                        warn!(error = %err, "cannot remember the fingerprints in the state store");
                    }
                    let reason = if parts == 1 {
                        first.message.clone()
                    } else {
                        // The reason names the first few; the log names every one.
                        for err in &errors {
                            warn!(path = %shown(&claimed.inbox_path), plugin = err.plugin.as_deref().unwrap_or("chain"), error = %err.message, "a document of the file failed");
                        }
                        partial_failure(parts, &errors)
                    };
                    give_up(shared, claimed, first.plugin.as_deref(), &reason, attempts)
                }
            }
        }
        Worked::Crashed(message) => give_up(shared, claimed, None, &message, attempts),
    }
}

/// A plugin call exceeded the time limit: tries the file again, or gives it up after the
/// configured attempts.
fn timed_out(shared: &Shared, claimed: &Claimed, attempts: u32, plugin: Option<&str>) -> Ended {
    let reason = format!(
        "processing exceeded the time limit of {} ms (run.plugin_time_limit_ms)",
        shared.limits.plugin_time_limit_ms
    );
    if attempts >= shared.limits.max_attempts {
        return give_up(shared, claimed, plugin, &reason, attempts);
    }
    warn!(
        path = %shown(&claimed.inbox_path),
        plugin = plugin.unwrap_or("chain"),
        attempts,
        "{reason}; trying again"
    );
    if let Err(err) = shared.store.note_error(&claimed.claim, plugin, &reason) {
        warn!(error = %err, "cannot record the error in the state store");
    }
    Ended::Retry(claimed.work.clone())
}

/// Writes the records of a file whose documents all worked, then moves it out of the work
/// folder; its state and the records' fingerprints are stored in one transaction.
fn processed(
    shared: &Shared,
    claimed: &Claimed,
    attempts: u32,
    records: &[Record],
    fingerprints: &[(String, u64)],
) -> Ended {
    // From here on a crash is not the file's doing (see `state`).
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    if let Err(err) = shared.store.processed(&claimed.claim, &ids) {
        warn!(error = %err, "cannot record the processed file in the state store");
    }
    let stamp = shared.stamp(claimed);
    match succeed(&shared.spool, claimed, records) {
        Ok(written) => {
            shared.keep(claimed, stamp);
            let (id, sha256) = records
                .first()
                .map(|r| (r.id.as_str(), r.source.sha256.as_str()))
                .unwrap_or_default();
            if let Err(err) = shared.store.done(&claimed.claim, id, sha256, fingerprints) {
                warn!(error = %err, "cannot record the result in the state store");
            }
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
        Err(err) => {
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot write the record; the file stays in the work folder");
            Ended::Nothing
        }
    }
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
fn written_before(shared: &Shared, claimed: &Claimed, ids: &[String]) -> Ended {
    let stamp = shared.stamp(claimed);
    if let Err(err) = succeed(&shared.spool, claimed, &[]) {
        error!(path = %shown(&claimed.inbox_path), error = %err, "cannot move the file out of the work folder; it stays there");
        return Ended::Nothing;
    }
    shared.keep(claimed, stamp);
    let id = ids.first().map_or("", String::as_str);
    if let Err(err) = shared.store.done(&claimed.claim, id, "", &[]) {
        warn!(error = %err, "cannot record the result in the state store");
    }
    info!(
        path = %shown(&claimed.inbox_path),
        id,
        records = ids.len(),
        "processed (its records were written before the daemon stopped)"
    );
    Ended::Processed
}

/// Why a file of several documents failed: how many, and the first few errors.
fn partial_failure(parts: usize, errors: &[DocError]) -> String {
    const SHOWN: usize = 5;
    let others = if errors.len() < parts {
        " (the others have records)"
    } else {
        ""
    };
    let mut reason = vec![format!(
        "{} of {parts} documents failed{others}",
        errors.len()
    )];
    reason.extend(errors.iter().take(SHOWN).map(|err| {
        let plugin = err.plugin.as_deref().unwrap_or("chain");
        format!("{plugin}: {}", err.message)
    }));
    if errors.len() > SHOWN {
        reason.push(format!("and {} more", errors.len() - SHOWN));
    }
    reason.join("; ")
}

/// Fills `record.duplicates`, remembers its fingerprint in memory and returns it for the
/// state store, which keeps it with the file's state once the record is written (a crash
/// before that processes the file again, so the fingerprint is not missed).
fn mark(shared: &Shared, record: &mut Record) -> Option<(String, u64)> {
    let simhash = record
        .fingerprints
        .simhash
        .as_deref()
        .and_then(parse_simhash)?;
    record.duplicates = lock(&shared.duplicates).check_and_insert(&record.id, simhash);
    Some((record.id.clone(), simhash))
}

/// Moves the file to `failed/` beside its `.error.json`.
fn give_up(
    shared: &Shared,
    claimed: &Claimed,
    plugin: Option<&str>,
    reason: &str,
    attempts: u32,
) -> Ended {
    let failure = Failure {
        path: claimed.inbox_path.to_string_lossy().into_owned(),
        plugin: Some(plugin.unwrap_or("chain").to_owned()),
        reason: reason.to_owned(),
        attempts,
        failed_at: jiff::Timestamp::now().to_string(),
    };
    let stamp = shared.stamp(claimed);
    match fail(&shared.spool, claimed, &failure) {
        Ok(moved) => {
            shared.keep(claimed, stamp);
            if let Err(err) = shared.store.failed(&claimed.claim, plugin, reason) {
                warn!(error = %err, "cannot record the result in the state store");
            }
            warn!(
                path = %shown(&claimed.inbox_path),
                plugin = plugin.unwrap_or("chain"),
                reason = %Escaped(reason),
                attempts,
                moved = %shown(&moved),
                "failed"
            );
            Ended::Failed
        }
        Err(err) => {
            error!(path = %shown(&claimed.inbox_path), error = %err, "cannot move the file to failed/; it stays in the work folder");
            Ended::Nothing
        }
    }
}

fn shown(path: &Path) -> String {
    Escaped(&path.display().to_string()).to_string()
}
