//! The run loop of `docnorm run`: the daemon's events, dispatched.
//!
//! At start it opens the [`spool`](crate::spool) and the [`state`](crate::state) store,
//! queues what a crash left in the work folder, starts the [`watch`](crate::watch)er and
//! only then scans the inbox, so no file slips between the two (the [`queue`](crate::queue)
//! drops the duplicates), and tells systemd it is ready. Then it hands each ready file to a
//! [`job`](crate::job) on the [`pool`](crate::pool) and hears how it ended; it reconciles with
//! a full scan at an interval and whenever events were lost, reloads the pipeline on SIGHUP,
//! and on shutdown stops claiming and lets in-flight documents finish within the grace time.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::claim::ClaimIds;
use crate::config::Config;
use crate::duplicates::NearDuplicates;
use crate::job::{self, Ended, Host, Job};
use crate::kept::Kept;
use crate::logging::Escaped;
use crate::pipeline::Pipeline;
use crate::pool::Pool;
use crate::queue::Queue;
use crate::spool::{OnSuccess, Spool};
use crate::state::StateStore;
use crate::systemd::Systemd;
use crate::watch::{Signal, Watch, scan};

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
    let duplicates = near_duplicates(&config, &store)?;
    let kept = Kept::load(spool.on_success == OnSuccess::Keep, &store)
        .context("cannot read the kept files from the state store")?;
    let limits = config.run.clone();
    let edge = crate::nats::edge::Edge::connect(&config).await?;
    let pool = Pool::new(
        "docnorm-doc",
        limits.pipeline,
        limits.threads,
        limits.plugin_time_limit,
    )
    .context("cannot start the worker threads")?;
    let host = Arc::new(Host {
        pool,
        spool,
        store,
        ids: ClaimIds::default(),
        limits,
        duplicates: Mutex::new(duplicates),
        stopping: AtomicBool::new(false),
        kept,
        edge,
    });
    let mut daemon = Daemon::new(Arc::clone(&host), config, config_path, pipeline)?;
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

/// The near-duplicate index over the most recent records, refilled from the state store
/// (remembered only: their own duplicates were found when they were written).
fn near_duplicates(config: &Config, store: &StateStore) -> anyhow::Result<NearDuplicates> {
    let mut index = NearDuplicates::new(&config.duplicates);
    for (id, simhash) in store
        .simhashes(config.duplicates.window.get())
        .context("cannot read fingerprints from the state store")?
    {
        index.remember(&id, simhash);
    }
    Ok(index)
}

struct Daemon {
    host: Arc<Host>,
    config: Config,
    config_path: Option<PathBuf>,
    pipeline: Arc<Pipeline>,
    watch: Watch,
    queue: Queue,
    retries: VecDeque<PathBuf>,
    jobs: JoinSet<Ended>,
    /// For each running job: the inbox path it holds in the queue.
    running: HashMap<tokio::task::Id, Option<PathBuf>>,
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
        host: Arc<Host>,
        config: Config,
        config_path: Option<PathBuf>,
        pipeline: Pipeline,
    ) -> anyhow::Result<Self> {
        // Watcher first: anything arriving from now on is seen, by the scan or by an event.
        let watch = Watch::start(&host.spool.inbox, &config.watch)?;
        let counts = host.store.counts().unwrap_or_default();
        let now = Instant::now();
        Ok(Self {
            queue: Queue::new(config.run.max_queued_files, config.watch.settle),
            next_reconcile: now + config.watch.reconcile_interval,
            host,
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
        let host = Arc::clone(&self.host);
        let spool = &host.spool;
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
            workers = self.host.limits.pipeline,
            "watching the inbox"
        );
        let status = self.status_line();
        self.systemd.ready(&status);
        Ok(())
    }

    fn scan(&mut self) {
        let now = Instant::now().into_std();
        match scan(&self.host.spool.inbox) {
            Ok(paths) => {
                for path in paths {
                    if self.host.kept.holds(&path) {
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
        // A thread for each job: at most `run.concurrency` of them in the pipeline (the gate in `pool`),
        // the others claiming, finishing or waiting for their turn.
        while self.jobs.len() < self.host.pool.threads() {
            let (job, key) = if let Some(work) = self.retries.pop_front() {
                (Job::Work(work), None)
            } else if let Some(path) = self.queue.take() {
                (Job::Inbox(path.clone()), Some(path))
            } else {
                break;
            };
            let host = Arc::clone(&self.host);
            let pipeline = Arc::clone(&self.pipeline);
            let handle = self.jobs.spawn(job::run(host, pipeline, job));
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
            && !self.host.kept.holds(&path)
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
                Signal::Complete(path) | Signal::Changed(path) if self.host.kept.holds(&path) => {}
                Signal::Complete(path) => self.queue.complete(path),
                Signal::Changed(path) => self.queue.changed(path, now),
                Signal::Gone(path) => {
                    self.queue.gone(&path);
                    self.host.kept.forget(&self.host.store, &path);
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
                self.next_reconcile = now + self.config.watch.reconcile_interval;
            }
        }
        let progress = self.processed + self.failed + self.host.pool.laps();
        if progress != self.progress.0 {
            self.progress = (progress, now);
        }
        let healthy = self.healthy(now);
        self.systemd.watchdog(healthy, now.into_std());
        if now >= self.next_status {
            let status = self.status_line();
            self.systemd.status(&status);
            self.next_status = now + self.host.limits.status_interval;
        }
    }

    /// Nothing to do, or progress (a document finished or a plugin call started) within one
    /// plugin time limit and ten seconds: a plugin call that runs past its limit is abandoned,
    /// which is progress, so only a daemon stuck outside the plugins (a hung file system, a
    /// stalled run loop) stops the watchdog. A long JSON Lines file makes progress with
    /// each object.
    fn healthy(&self, now: Instant) -> bool {
        let idle = self.jobs.is_empty() && self.queue.waiting() == 0 && self.retries.is_empty();
        let limit = self.host.limits.plugin_time_limit + Duration::from_secs(10);
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
                    || config.run != self.config.run
                    || config.duplicates != self.config.duplicates
                    || config.queue != self.config.queue;
                if restart_needed {
                    warn!(
                        "changes to the spool, watch, run, duplicates and queue sections take effect at the next start"
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
        let pipeline = Pipeline::new(&config)?;
        Ok((config, pipeline))
    }

    /// Lets documents in flight finish within the grace time.
    async fn drain(&mut self) {
        self.systemd.stopping();
        self.host.stopping.store(true, Ordering::SeqCst);
        let in_flight = self.jobs.len();
        info!(in_flight, "stopping: finishing documents in flight");
        let grace = self.host.limits.shutdown_grace;
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
