//! The run loop of `docnorm run`: the daemon's events, dispatched.
//!
//! At start it opens the [`spool`](crate::spool) and the [`state`](crate::state) store,
//! queues what a crash left in the work folder, starts the [`watch`](crate::watch)er and
//! only then scans the inbox, so no file slips between the two (the [`queue`](crate::queue)
//! drops the duplicates), and tells systemd it is ready. Then it hands each ready file to a
//! [`job`](crate::job) on the [`pool`](crate::pool) and hears how it ended; it reconciles with
//! a full scan at an interval and whenever events were lost, reloads the pipeline on SIGHUP,
//! and on shutdown stops claiming and lets in-flight documents finish within the grace time.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use anyhow::Context;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::backlog::{Backlog, Next};
use crate::config::Config;
use crate::job::{self, Ended, Host, Job};
use crate::logging::Escaped;
use crate::metrics;
use crate::nats::edge::{self, Edge};
use crate::pipeline::Pipeline;
use crate::queue::Queue;
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
    let edge = Edge::connect(&config).await?.map(Arc::new);
    let host = Arc::new(Host::open(&config)?);
    let metrics_host = Arc::clone(&host);
    let _listener = metrics::listen(&config.metrics, move || metrics_host.metrics.render())?;
    let mut daemon = Daemon::new(Arc::clone(&host), config, config_path, pipeline)?;
    daemon.edge = edge;
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
    daemon.stop_plugins();
    Ok(())
}

struct Daemon {
    host: Arc<Host>,
    config: Config,
    config_path: Option<PathBuf>,
    pipeline: Arc<Pipeline>,
    /// Set on a scale-out edge: jobs publish files instead of processing them.
    edge: Option<Arc<Edge>>,
    /// Pipelines replaced by a reload, still used by the documents that started with them.
    retired: Vec<Weak<Pipeline>>,
    watch: Watch,
    queue: Queue,
    /// Work-folder files waiting for a job.
    backlog: Backlog,
    /// The job running a suspect (see `backlog`), while one runs.
    suspect: Option<tokio::task::Id>,
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
    textfile: metrics::Textfile,
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
            textfile: metrics::Textfile::new(&config.metrics),
            next_reconcile: now + config.watch.reconcile_interval,
            host,
            config,
            config_path,
            pipeline: Arc::new(pipeline),
            edge: None,
            retired: Vec::new(),
            watch,
            backlog: Backlog::new(Vec::new()),
            suspect: None,
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
        self.backlog = Backlog::resume(&spool.work)?;
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
        match scan(&self.host.spool.inbox) {
            Ok(paths) => {
                let kept = &self.host.kept;
                let now = Instant::now().into_std();
                self.queue.fill(paths, |path| kept.holds(path), now);
            }
            Err(err) => error!(error = %err, "cannot scan the inbox"),
        }
    }

    /// Starts jobs while workers are free and files are ready: the backlog's first, then the
    /// inbox's.
    fn launch(&mut self) {
        // A thread for each job: at most `run.concurrency` of them in the pipeline (the gate
        // in `pool`), the others claiming, finishing or waiting for their turn.
        let now = Instant::now();
        while self.jobs.len() < self.host.pool.threads() {
            match self.backlog.next(self.jobs.len(), now) {
                Next::Job(job) => {
                    let suspect = matches!(job, Job::Resume(_));
                    let id = self.spawn(job, None);
                    if suspect {
                        self.suspect = Some(id);
                    }
                }
                Next::Wait => break,
                Next::Inbox => match self.queue.take() {
                    Some(path) => {
                        self.spawn(Job::Inbox(path.clone()), Some(path));
                    }
                    None => break,
                },
            }
        }
    }

    /// Starts `job`; `key` is the inbox path it holds in the queue.
    fn spawn(&mut self, job: Job, key: Option<PathBuf>) -> tokio::task::Id {
        let host = Arc::clone(&self.host);
        let id = if let Some(edge) = &self.edge {
            self.jobs.spawn(edge::run(host, Arc::clone(edge), job))
        } else {
            self.jobs
                .spawn(job::run(host, Arc::clone(&self.pipeline), job))
        }
        .id();
        self.running.insert(id, key);
        id
    }

    fn joined(&mut self, joined: Result<(tokio::task::Id, Ended), tokio::task::JoinError>) {
        let (id, ended) = match joined {
            Ok((id, ended)) => (id, ended),
            Err(err) => {
                error!(error = %err, "a job panicked; its file stays in the work folder");
                (err.id(), Ended::Nothing)
            }
        };
        let suspect = self.suspect == Some(id);
        if suspect {
            self.suspect = None;
        }
        if let Some(Some(path)) = self.running.remove(&id)
            && self.queue.finished(&path)
            && !self.host.kept.holds(&path)
        {
            self.queue.changed(path, Instant::now().into_std());
        }
        match &ended {
            Ended::Processed => self.processed += 1,
            Ended::Failed => self.failed += 1,
            Ended::Stalled(work) => {
                self.host.metrics.write_error();
                warn!(path = %job::shown(work), "writing failed; trying the file again later");
            }
            Ended::Retry(_) | Ended::Nothing => {}
        }
        self.backlog.ended(suspect, ended, Instant::now());
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
        if let Some(due) = self.backlog.next_due() {
            wake = wake.min(due);
        }
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
        let lost_events = self.watch.take_rescan() | self.queue.take_overflow();
        if lost_events {
            self.host.metrics.rescanned();
        }
        if lost_events || reconcile {
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
        self.host.metrics.set_backlog(
            self.queue.waiting() + self.backlog.waiting(),
            self.jobs.len(),
        );
        self.textfile.write_when_due(&self.host.metrics);
    }

    /// Nothing to do, or progress (a document finished or a plugin call started) within one
    /// plugin time limit and ten seconds: a plugin call that runs past its limit is abandoned,
    /// which is progress, so only a daemon stuck outside the plugins (a hung file system, a
    /// stalled run loop) stops the watchdog. A long JSON Lines file makes progress with
    /// each object.
    fn healthy(&self, now: Instant) -> bool {
        let idle = self.jobs.is_empty() && self.queue.waiting() == 0 && self.backlog.waiting() == 0;
        let limit = self.host.limits.plugin_time_limit + Duration::from_secs(10);
        idle || now.duration_since(self.progress.1) < limit
    }

    fn status_line(&self) -> String {
        let stalled = match self.backlog.stalled() {
            0 => String::new(),
            n => format!(", {n} waiting to retry after a write error"),
        };
        format!(
            "{} processed, {} failed, {} queued, {} in flight{stalled}",
            self.processed,
            self.failed,
            self.queue.waiting() + self.backlog.waiting(),
            self.jobs.len()
        )
    }

    /// Rebuilds the pipeline from the config file; keeps the current one if that fails.
    fn reload(&mut self) {
        self.systemd.reloading();
        // Under the running daemon's `run` limits: a changed `run` section waits for a start.
        let loaded = Config::reload(self.config_path.as_deref())
            .map_err(anyhow::Error::from)
            .and_then(|config| {
                let mut running = config.clone();
                running.run = self.config.run.clone();
                Ok((config, self.pipeline.reload(&running)?))
            });
        match loaded {
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
                let old = std::mem::replace(&mut self.pipeline, Arc::new(pipeline));
                self.retired.retain(|retired| retired.strong_count() > 0);
                self.retired.push(Arc::downgrade(&old));
                // The last owner of the old pipeline stops the processes the new one does not
                // share; that may take a moment, which the run loop should not wait for.
                tokio::task::spawn_blocking(move || drop(old));
                self.config.chain = config.chain;
                self.config.plugins = config.plugins;
                self.config.read = config.read;
                self.config.custom = config.custom;
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

    /// Stops the plugin processes of the pipeline and of those a reload replaced: after the
    /// drain, any still running belongs to a document that did not finish within the grace.
    fn stop_plugins(&self) {
        self.pipeline.stop();
        for retired in self.retired.iter().filter_map(Weak::upgrade) {
            retired.stop();
        }
    }

    /// Lets documents in flight finish within the grace time.
    async fn drain(&mut self) {
        self.systemd.stopping();
        self.host.stopping.store(true, Ordering::SeqCst);
        let in_flight = self.jobs.len();
        info!(in_flight, "stopping: finishing documents in flight");
        let drained = tokio::time::timeout(self.host.limits.shutdown_grace, async {
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
