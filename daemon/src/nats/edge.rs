//! The edge: `docnorm run` with a `queue.nats` section. It watches and claims inbox files
//! exactly as the embedded daemon does, but instead of running the plugins it publishes each
//! claimed file to the files stream and moves it on once the server has stored it.
//!
//! ```text
//! claim ─► read (within read.max_bytes) ─► publish, wait for the ack ─► done/ (or deleted, kept)
//!            └─ too large: failed/           └─ no ack: stays in the work folder, tried again
//! ```
//!
//! The message id is the file's SHA-256 and its claim id, so a file published again after a
//! crash between the ack and the move (it is still in the work folder at the next start, under
//! the same claim) is dropped by the server as a duplicate within `duplicate_window_ms`.
//! Files larger than `inline_max_bytes` go to the object store first, under the message id,
//! and travel as a reference. The edge never counts attempts: it runs no plugin, so no file
//! can crash it.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::object_store::ObjectStore;
use sha2::{Digest, Sha256};
use tracing::{error, info, warn};

use super::Broker;
use super::headers::Input;
use crate::claim::{Claim, Claimed};
use crate::config::Config;
use crate::finish::destination;
use crate::job::{Ended, Host, Job, give_up, moved_on, shown};
use crate::life::GiveUp;
use crate::pipeline::READ_STAGE;
use crate::read::ReadError;

/// Room left in a message for its headers when the bytes travel inside it.
const HEADER_ROOM: usize = 8 << 10;

/// How long a job waits before a file whose publish failed is tried again, so a server that
/// is down is not asked in a tight loop.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// The edge's connection and limits.
pub struct Edge {
    broker: Broker,
    objects: ObjectStore,
    /// The largest file sent inside its message.
    inline_max: usize,
    /// `read.max_bytes`: larger files fail here, before they reach the broker.
    max_bytes: u64,
}

impl Edge {
    /// Connects when the config has a `queue.nats` section; `None` for the embedded daemon.
    pub async fn connect(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(nats) = &config.queue.nats else {
            return Ok(None);
        };
        let broker = Broker::connect(nats, "edge").await?;
        broker.files_stream().await?;
        let objects = broker.objects().await?;
        let server_max = broker.js.client().server_info().max_payload;
        let inline_max = nats
            .inline_max_bytes
            .min(server_max.saturating_sub(HEADER_ROOM));
        info!(
            servers = nats.servers.join(","),
            subject = broker.names.files,
            inline_max,
            "publishing claimed files to NATS"
        );
        Ok(Some(Self {
            broker,
            objects,
            inline_max,
            max_bytes: config.read.max_bytes,
        }))
    }

    /// Publishes a file (its bytes in the message, or in the object store) and waits for the
    /// server to store it; returns whether the server already had it.
    async fn publish(&self, input: &mut Input, bytes: Vec<u8>) -> anyhow::Result<bool> {
        let payload = if bytes.len() > self.inline_max {
            self.objects
                .put(input.id.as_str(), &mut bytes.as_slice())
                .await
                .context("cannot put the file into the object store")?;
            input.object = Some(input.id.clone());
            Vec::new()
        } else {
            bytes
        };
        self.broker
            .publish(&self.broker.names.files, input.to_headers(), payload)
            .await
    }
}

/// Claims, publishes and moves on one file: what a job does on an edge instead of
/// [`job::run`](crate::job::run).
pub async fn run(host: Arc<Host>, edge: Arc<Edge>, job: Job) -> Ended {
    let on_thread = Arc::clone(&host);
    let max_bytes = edge.max_bytes;
    let taken = tokio::task::spawn_blocking(move || take(&on_thread, max_bytes, &job)).await;
    let (claimed, mut input, bytes) = match taken {
        Ok(Ok(taken)) => taken,
        Ok(Err(ended)) => return ended,
        Err(err) => {
            error!(error = %err, "claiming a file panicked; it stays where it was");
            return Ended::Nothing;
        }
    };
    match edge.publish(&mut input, bytes).await {
        Ok(duplicate) => {
            let on_thread = Arc::clone(&host);
            tokio::task::spawn_blocking(move || move_on(&on_thread, &claimed, &input, duplicate))
                .await
                .unwrap_or_else(|err| {
                    error!(error = %err, "moving a published file on panicked");
                    Ended::Nothing
                })
        }
        Err(err) => {
            warn!(path = %shown(&claimed.inbox_path), error = format!("{err:#}"), "cannot publish the file; it stays in the work folder and is tried again");
            tokio::time::sleep(RETRY_PAUSE).await;
            Ended::Retry(claimed.work)
        }
    }
}

/// Claims the job's file and reads it, on a blocking thread; `Err` with how the job ended
/// when there is nothing to publish.
fn take(host: &Host, max_bytes: u64, job: &Job) -> Result<(Claimed, Input, Vec<u8>), Ended> {
    let claimed = match crate::job::claim(host, job) {
        Some(Claim::Taken(claimed)) => claimed,
        Some(Claim::Refused(claimed, reason)) => {
            return Err(give_up(
                host,
                &claimed,
                &crate::life::on_refused(&reason, 1),
            ));
        }
        Some(Claim::Gone) | None => return Err(Ended::Nothing),
    };
    match read(&claimed, max_bytes) {
        Ok((input, bytes)) => Ok((claimed, input, bytes)),
        Err(reason) => {
            let verdict = GiveUp {
                plugin: Some(READ_STAGE.to_owned()),
                reason,
                attempts: 1,
            };
            Err(give_up(host, &claimed, &verdict))
        }
    }
}

/// Reads a claimed file within `max_bytes`; the error is the reason it fails.
fn read(claimed: &Claimed, max_bytes: u64) -> Result<(Input, Vec<u8>), String> {
    let io = |err: std::io::Error| ReadError::Io(err).to_string();
    let file = std::fs::File::open(&claimed.work).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let too_large = || ReadError::TooLarge { limit: max_bytes }.to_string();
    if meta.len() > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.to_string());
    let input = Input {
        id: Input::message_id(&sha256, &claimed.claim),
        name: claimed.name.clone(),
        path: claimed.inbox_path.to_string_lossy().into_owned(),
        size: bytes.len() as u64,
        sha256,
        modified,
        claim: claimed.claim.clone(),
        object: None,
    };
    Ok((input, bytes))
}

/// Moves a published file out of the work folder, as the embedded daemon does once its
/// records are written.
fn move_on(host: &Host, claimed: &Claimed, input: &Input, duplicate: bool) -> Ended {
    // Left in the work folder, it is published again later, and dropped by the server as a
    // duplicate.
    if !moved_on(host, claimed, destination(&host.spool, claimed).as_deref()) {
        return Ended::Stalled(claimed.work.clone());
    }
    info!(
        path = %shown(&claimed.inbox_path),
        message = input.id,
        bytes = input.size,
        object = input.object.is_some(),
        duplicate,
        "published"
    );
    Ended::Processed
}
