//! The worker: `docnorm worker`. Takes files from the files stream through the durable pull
//! consumer all workers share, runs the chain over each and publishes its records.
//!
//! A file's life on a worker follows the embedded daemon's decisions ([`life`]), with the
//! server's delivery count as the attempt count:
//!
//! ```text
//! delivered ─► past run.max_attempts: give up ("processing never finished")
//!     │
//!     ▼ pipeline on the pool, each plugin call within run.plugin_time_limit_ms,
//!     │ a progress ack every third of ack_wait_ms meanwhile
//!     ├─ time limit, attempts left: nak (delivered again, counted)
//!     ├─ time limit on the last attempt, a failing document, a crash: give up
//!     ▼
//! records published (Nats-Msg-Id = record id), each ack awaited ─► input acked
//!
//! give up: the input's bytes go to the object store, the error report (the `.error.json`
//! the embedded daemon writes) to the failed subject ─► input acked
//! ```
//!
//! A worker killed at any point leaves its files unacknowledged: the server hands them to
//! another worker once `ack_wait_ms` passes, and records published twice are dropped by the
//! server (same record id within the duplicate window) or written again to the same file
//! by the sink. Near-duplicates are marked against the records this worker made since it
//! started (see docs/scale-out.md).

use std::future::Future;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use async_nats::HeaderMap;
use async_nats::jetstream::message::{AckKind, Acker};
use async_nats::jetstream::object_store::ObjectStore;
use async_nats::jetstream::{self, consumer};
use docnorm_plugin_api::Record;
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncReadExt;
use tracing::{debug, info, warn};

use super::headers::{self, Input, escape};
use super::{Broker, pull};
use crate::config::Config;
use crate::duplicates::NearDuplicates;
use crate::finish::Failure;
use crate::life::{self, Finish, GiveUp, Start, TimeOut};
use crate::limits::RunLimits;
use crate::locks::lock;
use crate::logging::Escaped;
use crate::pipeline::{DocError, Pipeline};
use crate::pool::{Pool, Ran};
use crate::state::{Attempt, FileState};

/// Records of one file published at once.
const PUBLISH_AT_ONCE: usize = 64;

/// Runs a worker until `shutdown` resolves, then lets the files in hand finish.
pub async fn run(
    config: Config,
    pipeline: Pipeline,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let nats = super::required(&config.queue, "worker")?;
    let broker = Broker::connect(nats, "worker").await?;
    let files = broker.files_stream().await?;
    broker.records_stream().await?;
    let objects = broker.objects().await?;
    let consumer: consumer::PullConsumer = files
        .get_or_create_consumer(
            &broker.names.workers,
            consumer::pull::Config {
                durable_name: Some(broker.names.workers.clone()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: nats.ack_wait,
                // Deliveries are counted here, against run.max_attempts, so a file past them
                // is reported failed instead of being left in the stream for good.
                max_deliver: -1,
                ..Default::default()
            },
        )
        .await
        .with_context(|| {
            format!(
                "cannot open or create the consumer {}",
                broker.names.workers
            )
        })?;
    let limits = config.run.clone();
    let pool = Pool::new(
        "docnorm-doc",
        limits.pipeline,
        limits.threads,
        limits.plugin_time_limit,
    )
    .context("cannot start the worker threads")?;
    info!(
        servers = nats.servers.join(","),
        consumer = broker.names.workers,
        workers = limits.pipeline,
        "taking files from NATS"
    );
    let worker = Arc::new(Worker {
        progress_every: nats.ack_wait / 3,
        broker,
        objects,
        pool,
        pipeline: Arc::new(pipeline),
        duplicates: Arc::new(Mutex::new(NearDuplicates::new(&config.duplicates))),
        max_bytes: config.read.max_bytes,
        limits,
    });
    let mut counts = [0u64; 4];
    let (at_once, grace) = (worker.limits.threads.get(), worker.limits.shutdown_grace);
    pull::consume(
        &consumer,
        at_once,
        grace,
        shutdown,
        |message| Arc::clone(&worker).handle(message),
        |done: Done| counts[done as usize] += 1,
    )
    .await;
    info!(
        processed = counts[Done::Processed as usize],
        failed = counts[Done::Failed as usize],
        retried = counts[Done::Retried as usize],
        left = counts[Done::Left as usize],
        "stopped"
    );
    Ok(())
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    /// Records published, input acknowledged.
    Processed,
    /// Failure reported, input acknowledged.
    Failed,
    /// Timed out with attempts left: handed back to be delivered again.
    Retried,
    /// Not acknowledged (the server was away): delivered again after the ack-wait.
    Left,
}

/// What the workers' tasks share.
struct Worker {
    broker: Broker,
    objects: ObjectStore,
    pool: Pool,
    pipeline: Arc<Pipeline>,
    duplicates: Arc<Mutex<NearDuplicates>>,
    limits: RunLimits,
    max_bytes: u64,
    progress_every: Duration,
}

/// What the pipeline made of a file: its records as they are published, and the verdict
/// when some document failed.
struct Made {
    records: Vec<(String, Vec<u8>)>,
    failed: Option<GiveUp>,
    /// A plugin's process crashed and deliveries are left: why; the file is handed back.
    retry: Option<String>,
}

impl Worker {
    /// Handles one delivery, telling the server meanwhile that work is in progress.
    async fn handle(self: Arc<Self>, message: jetstream::Message) -> Done {
        let delivered = message.info().map_or(1, |info| info.delivered);
        let attempts = u32::try_from(delivered).unwrap_or(u32::MAX);
        let (message, acker) = message.split();
        let acker = Arc::new(acker);
        let progress = tokio::spawn(keep_alive(Arc::clone(&acker), self.progress_every));
        let done = self.process(message, &acker, attempts).await;
        progress.abort();
        done
    }

    async fn process(&self, message: async_nats::Message, acker: &Acker, attempts: u32) -> Done {
        let input = match Input::from_headers(message.headers.as_ref()) {
            Ok(input) => input,
            Err(reason) => {
                warn!(subject = %message.subject, reason, "not a file from a docnorm edge; dropped");
                return ack(acker, AckKind::Term, Done::Failed).await;
            }
        };
        // Every earlier delivery counts against the file: the worker that had it cannot tell
        // whether the file killed it.
        let before = attempts.saturating_sub(1);
        let counted = Attempt {
            attempts: before,
            starts: attempts,
            state: FileState::Processing,
            plugin: None,
            error: Some(format!(
                "processing never finished: delivered {before} times without an answer (the worker stopped or lost its connection)"
            )),
            records: Vec::new(),
        };
        if let Start::GiveUp(verdict) = life::on_start(&counted, false, self.limits.max_attempts) {
            return self
                .give_up(&input, &message.payload, acker, &verdict)
                .await;
        }
        let raw = match &input.object {
            None => message.payload.to_vec(),
            Some(object) => match self.fetch(object).await {
                Ok(raw) => raw,
                Err(err) => {
                    warn!(path = %Escaped(&input.path), error = format!("{err:#}"), "cannot fetch the file from the object store; it is delivered again");
                    return Done::Left;
                }
            },
        };
        match self.run_pipeline(&input, raw, attempts).await {
            Ran::Finished(Some(Ok(Made {
                retry: Some(reason),
                ..
            }))) => {
                warn!(path = %Escaped(&input.path), attempts, "{reason}; handing it back");
                ack(acker, AckKind::Nak(None), Done::Retried).await
            }
            Ran::Finished(Some(Ok(made))) => {
                self.publish(&input, made, &message.payload, acker, attempts)
                    .await
            }
            Ran::Finished(Some(Err(panic))) | Ran::Crashed(panic) => {
                let verdict = life::on_crash(panic, attempts);
                self.give_up(&input, &message.payload, acker, &verdict)
                    .await
            }
            // Only a timed-out job is abandoned, and that one comes back as `TimedOut`.
            Ran::Finished(None) => Done::Left,
            Ran::TimedOut(plugin, ()) => {
                let limits = &self.limits;
                match life::on_time_out(
                    plugin.clone(),
                    attempts,
                    attempts,
                    life::time_out_reason(limits.plugin_time_limit),
                    limits.max_attempts,
                ) {
                    TimeOut::GiveUp(verdict) => {
                        self.give_up(&input, &message.payload, acker, &verdict)
                            .await
                    }
                    TimeOut::Retry { reason } => {
                        warn!(path = %Escaped(&input.path), plugin = plugin.as_deref().unwrap_or("chain"), attempts, "{reason}; handing it back");
                        ack(acker, AckKind::Nak(None), Done::Retried).await
                    }
                }
            }
        }
    }

    /// The bytes of an object, within `read.max_bytes` (one more byte tells the read stage
    /// it is too large).
    async fn fetch(&self, object: &str) -> anyhow::Result<Vec<u8>> {
        let mut reader = self
            .objects
            .get(object)
            .await
            .with_context(|| format!("object {object}"))?;
        let mut raw = Vec::new();
        (&mut reader)
            .take(self.max_bytes + 1)
            .read_to_end(&mut raw)
            .await
            .with_context(|| format!("object {object}"))?;
        Ok(raw)
    }

    /// Runs the chain over the file on the pool, then marks near-duplicates and serializes
    /// the records there too.
    async fn run_pipeline(
        &self,
        input: &Input,
        raw: Vec<u8>,
        attempts: u32,
    ) -> Ran<Option<Result<Made, String>>, ()> {
        let pipeline = Arc::clone(&self.pipeline);
        let duplicates = Arc::clone(&self.duplicates);
        let shown = PathBuf::from(&input.path);
        let modified = input.modified.clone();
        let max_attempts = self.limits.max_attempts;
        self.pool
            .run(move |worker| {
                worker.enter();
                let (results, ()) = worker.watched((), |timer| {
                    pipeline.process_bytes(raw, &shown, modified, &mut |plugin| {
                        timer.restart(&plugin.name);
                    })
                })?;
                Some(results.and_then(|results| made(&duplicates, results, attempts, max_attempts)))
            })
            .await
    }

    /// Publishes the records, waits for every ack, then acknowledges the input (or reports
    /// the documents that failed).
    async fn publish(
        &self,
        input: &Input,
        made: Made,
        payload: &[u8],
        acker: &Acker,
        attempts: u32,
    ) -> Done {
        let count = made.records.len();
        let first = made.records.first().map(|(id, _)| id.clone());
        let published = futures_util::stream::iter(made.records)
            .map(|(id, bytes)| {
                let mut headers = HeaderMap::new();
                headers.insert(headers::MESSAGE_ID, id.as_str());
                headers.insert(headers::PATH, escape(&input.path).as_str());
                headers.insert(headers::CLAIM, escape(&input.claim).as_str());
                self.broker
                    .publish(&self.broker.names.records, headers, bytes)
            })
            .buffer_unordered(PUBLISH_AT_ONCE)
            .try_collect::<Vec<bool>>()
            .await;
        let duplicates = match published {
            Ok(duplicates) => duplicates.iter().filter(|d| **d).count(),
            Err(err) => {
                warn!(path = %Escaped(&input.path), error = format!("{err:#}"), "cannot publish the records; the file is delivered again");
                return Done::Left;
            }
        };
        if let Some(verdict) = made.failed {
            return self.give_up(input, payload, acker, &verdict).await;
        }
        let done = ack(acker, AckKind::Ack, Done::Processed).await;
        if done == Done::Processed {
            self.remove_object(input).await;
            info!(
                path = %Escaped(&input.path),
                id = first.unwrap_or_default(),
                records = count,
                duplicates,
                attempts,
                "processed"
            );
        }
        done
    }

    /// Publishes the error report to the failed subject, with the input's bytes in the object
    /// store, then acknowledges the input.
    async fn give_up(
        &self,
        input: &Input,
        payload: &[u8],
        acker: &Acker,
        verdict: &GiveUp,
    ) -> Done {
        let plugin = verdict.plugin.as_deref().unwrap_or("chain");
        let failure = Failure {
            path: input.path.clone(),
            plugin: Some(plugin.to_owned()),
            reason: verdict.reason.clone(),
            attempts: verdict.attempts,
            failed_at: jiff::Timestamp::now().to_string(),
        };
        let reported = async {
            let object = if let Some(object) = &input.object {
                object.clone()
            } else {
                self.objects
                    .put(input.id.as_str(), &mut &payload[..])
                    .await
                    .context("cannot keep the input in the object store")?;
                input.id.clone()
            };
            let report = Input {
                id: format!("failed-{}", input.id),
                object: Some(object),
                ..input.clone()
            };
            let mut bytes = serde_json::to_vec_pretty(&failure)?;
            bytes.push(b'\n');
            self.broker
                .publish(&self.broker.names.failed, report.to_headers(), bytes)
                .await
        }
        .await;
        if let Err(err) = reported {
            warn!(path = %Escaped(&input.path), error = format!("{err:#}"), "cannot report the failure; the file is delivered again");
            return Done::Left;
        }
        let done = ack(acker, AckKind::Ack, Done::Failed).await;
        if done == Done::Failed {
            warn!(
                path = %Escaped(&input.path),
                plugin,
                reason = %Escaped(&verdict.reason),
                attempts = verdict.attempts,
                "failed"
            );
        }
        done
    }

    /// Removes a processed file's object; one left behind (a crash between the ack and
    /// this) only takes room until the bucket is cleaned.
    async fn remove_object(&self, input: &Input) {
        if let Some(object) = &input.object
            && let Err(err) = self.objects.delete(object).await
        {
            warn!(object, error = %err, "cannot remove the processed file from the object store");
        }
    }
}

/// What a file's results become: the records marked and serialized as the sink writes them,
/// and the verdict when some document failed.
fn made(
    duplicates: &Mutex<NearDuplicates>,
    results: Vec<Result<Record, DocError>>,
    attempts: u32,
    max_attempts: NonZeroU32,
) -> Result<Made, String> {
    let (mut records, failed) =
        match life::on_results(results, attempts, attempts.saturating_sub(1), max_attempts) {
            Finish::Processed(records) => (records, None),
            Finish::Failed(records, verdict) => (records, Some(verdict)),
            Finish::Retry { plugin, reason } => {
                let plugin = plugin.as_deref().unwrap_or("chain");
                return Ok(Made {
                    records: Vec::new(),
                    failed: None,
                    retry: Some(format!("{plugin}: {reason}")),
                });
            }
        };
    {
        let mut duplicates = lock(duplicates);
        for record in &mut records {
            duplicates.mark(record);
        }
    }
    let records = records
        .iter()
        .map(|record| {
            let mut bytes = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            Ok((record.id.clone(), bytes))
        })
        .collect::<Result<_, String>>()?;
    Ok(Made {
        records,
        failed,
        retry: None,
    })
}

/// Answers a delivery with `kind`, waiting for the server to confirm an ack; `Done::Left`
/// when that failed (the file is then delivered again, and its records dropped as
/// duplicates).
async fn ack(acker: &Acker, kind: AckKind, done: Done) -> Done {
    let sent = if matches!(kind, AckKind::Ack) {
        acker.double_ack_with(kind).await
    } else {
        acker.ack_with(kind).await
    };
    match sent {
        Ok(()) => done,
        Err(err) => {
            warn!(error = %err, "cannot acknowledge the file; it is delivered again");
            Done::Left
        }
    }
}

/// Tells the server every `every` that the file is still being worked on.
async fn keep_alive(acker: Arc<Acker>, every: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        if let Err(err) = acker.ack_with(AckKind::Progress).await {
            debug!(error = %err, "cannot send a progress ack");
        }
    }
}
