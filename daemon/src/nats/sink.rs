//! The sink: `docnorm sink`. Takes the records stream through a durable pull consumer and
//! writes what the embedded daemon writes: each record as `<id>.json` in `spool.output`, and
//! each failure as its input and `.error.json` in `spool.failed`, named by the input's claim
//! (`<claim id>-<name>`, unique per file).
//!
//! Every write is atomic ([`write_atomic`]) and named by content or claim, so a message
//! delivered twice (a sink killed between its write and its ack) leaves the same single file.
//! A message is acknowledged only once its file is durable.

use std::future::Future;
use std::sync::Arc;

use anyhow::{Context, bail};
use async_nats::jetstream::message::Acker;
use async_nats::jetstream::object_store::ObjectStore;
use async_nats::jetstream::{self, consumer};
use tokio::io::AsyncReadExt;
use tracing::{info, warn};

use super::headers::{self, Input};
use super::{Broker, pull};
use crate::config::Config;
use crate::logging::Escaped;
use crate::write::{FolderSync, Readers, record_name, write_atomic};

/// Messages written at once: the writes share their folder's flushes.
const WRITES_AT_ONCE: usize = 32;

/// Runs a sink until `shutdown` resolves, then lets the writes in hand finish.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let nats = super::required(&config.queue, "sink")?;
    let broker = Broker::connect(nats, "sink").await?;
    let records = broker.records_stream().await?;
    let objects = broker.objects().await?;
    let consumer: consumer::PullConsumer = records
        .get_or_create_consumer(
            &broker.names.sink,
            consumer::pull::Config {
                durable_name: Some(broker.names.sink.clone()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: nats.ack_wait,
                max_deliver: -1,
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("cannot open or create the consumer {}", broker.names.sink))?;
    let folder = |dir: &std::path::Path| -> anyhow::Result<FolderSync> {
        Ok(FolderSync::new(
            &crate::spool::create_shared(dir)?,
            Readers::Group,
        ))
    };
    let sink = Arc::new(Sink {
        output: folder(&config.spool.output)?,
        failed: folder(&config.spool.failed)?,
        objects,
        records: broker.names.records.clone(),
        failures: broker.names.failed.clone(),
    });
    info!(
        output = %Escaped(&sink.output.path().display().to_string()),
        consumer = broker.names.sink,
        "writing records from NATS"
    );
    let (mut written, mut left) = (0u64, 0u64);
    pull::consume(
        &consumer,
        WRITES_AT_ONCE,
        config.run.shutdown_grace,
        shutdown,
        |message| Arc::clone(&sink).handle(message),
        |ok: bool| {
            if ok {
                written += 1;
            } else {
                left += 1;
            }
        },
    )
    .await;
    info!(written, left, "stopped");
    Ok(())
}

/// What the sink's tasks share.
struct Sink {
    output: FolderSync,
    failed: FolderSync,
    objects: ObjectStore,
    records: String,
    failures: String,
}

impl Sink {
    /// Writes one message's file and acknowledges it; `false` when it is left to be
    /// delivered again.
    async fn handle(self: Arc<Self>, message: jetstream::Message) -> bool {
        let (message, acker) = message.split();
        let written = if message.subject.as_str() == self.records {
            Arc::clone(&self).record(message).await
        } else if message.subject.as_str() == self.failures {
            Arc::clone(&self).failure(message).await
        } else {
            Err(anyhow::anyhow!("unexpected subject {}", message.subject))
        };
        match written {
            Ok(object) => {
                let confirmed = acked(&acker).await;
                if confirmed && let Some(object) = object {
                    // The failure's input is in `failed/` now.
                    if let Err(err) = self.objects.delete(&object).await {
                        warn!(object, error = %err, "cannot remove a failed input from the object store");
                    }
                }
                confirmed
            }
            Err(err) => {
                warn!(
                    error = format!("{err:#}"),
                    "cannot write a message's file; it is delivered again"
                );
                false
            }
        }
    }

    /// Writes a record as `<id>.json`.
    async fn record(
        self: Arc<Self>,
        message: async_nats::Message,
    ) -> anyhow::Result<Option<String>> {
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(headers::MESSAGE_ID))
            .map(|v| v.as_str().to_owned())
            .context("a record without a message id")?;
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            bail!("a record id that is not a file name: {}", Escaped(&id));
        }
        tokio::task::spawn_blocking(move || {
            write_atomic(&self.output, record_name(&id), &message.payload)
                .with_context(|| format!("cannot write record {id}"))
        })
        .await??;
        Ok(None)
    }

    /// Writes a failed input and its `.error.json`; returns the object to remove once acked.
    async fn failure(
        self: Arc<Self>,
        message: async_nats::Message,
    ) -> anyhow::Result<Option<String>> {
        let input = Input::from_headers(message.headers.as_ref()).map_err(anyhow::Error::msg)?;
        let bytes = match &input.object {
            Some(object) => match self.fetch(object).await {
                Ok(bytes) => Some(bytes),
                Err(err) => {
                    // Written by an earlier delivery whose ack was lost, or removed by hand.
                    warn!(path = %Escaped(&input.path), error = format!("{err:#}"), "the failed input is not in the object store; writing its report only");
                    None
                }
            },
            None => None,
        };
        let claim = input.claim.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            if let Some(bytes) = bytes {
                write_atomic(&self.failed, &claim, &bytes)
                    .with_context(|| format!("cannot write failed input {claim}"))?;
            }
            write_atomic(
                &self.failed,
                format!("{claim}.error.json"),
                &message.payload,
            )
            .with_context(|| format!("cannot write the report of {claim}"))?;
            Ok(())
        })
        .await??;
        warn!(path = %Escaped(&input.path), claim = %Escaped(&input.claim), "failed input written");
        Ok(input.object)
    }

    async fn fetch(&self, object: &str) -> anyhow::Result<Vec<u8>> {
        let mut reader = self.objects.get(object).await?;
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        Ok(bytes)
    }
}

/// Acknowledges a written message and waits for the server to confirm.
async fn acked(acker: &Acker) -> bool {
    match acker.double_ack().await {
        Ok(()) => true,
        Err(err) => {
            warn!(error = %err, "cannot acknowledge a written message; it is delivered again and written the same");
            false
        }
    }
}
