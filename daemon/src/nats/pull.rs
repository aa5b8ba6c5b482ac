//! The loop a worker and a sink share: take messages from a durable pull consumer, at most
//! `at_once` of them in hand, each handled by its own task; on shutdown stop taking and let
//! the ones in hand finish within a grace time.
//!
//! Each pull asks for exactly as many messages as there is room for, so no message waits in
//! this process's buffer while its ack-wait runs out: a message this process holds is being
//! worked on. Messages left unacknowledged (a shutdown past its grace, a kill) go back to
//! the other consumers once their ack-wait passes.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::PullConsumer, consumer::pull::Batch};
use futures_util::StreamExt;
use tokio::task::JoinSet;
use tracing::{info, warn};

/// How long one pull waits for messages before it is renewed.
const PULL_EXPIRES: Duration = Duration::from_secs(5);

/// How long to wait after a failed pull (the server is away) before the next one.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// Runs `handle` on every message of `consumer` until `shutdown`, at most `at_once` at a
/// time, then waits up to `grace` for those in hand; `tally` hears how each ended.
pub async fn consume<T, Fut>(
    consumer: &PullConsumer,
    at_once: usize,
    grace: Duration,
    shutdown: impl Future<Output = ()>,
    mut handle: impl FnMut(jetstream::Message) -> Fut,
    mut tally: impl FnMut(T),
) where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut jobs: JoinSet<T> = JoinSet::new();
    let mut batch: Option<Batch> = None;
    let mut pause = false;
    tokio::pin!(shutdown);
    loop {
        if batch.is_none() && !pause && jobs.len() < at_once {
            match consumer
                .batch()
                .max_messages(at_once - jobs.len())
                .expires(PULL_EXPIRES)
                .messages()
                .await
            {
                Ok(pulled) => batch = Some(pulled),
                Err(err) => {
                    warn!(error = %err, "cannot pull messages; trying again");
                    pause = true;
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => break,
            Some(joined) = jobs.join_next(), if !jobs.is_empty() => match joined {
                Ok(ended) => tally(ended),
                Err(err) => warn!(error = %err, "a message's task failed; it is delivered again"),
            },
            next = next_of(&mut batch) => match next {
                Some(Ok(message)) => {
                    jobs.spawn(handle(message));
                }
                Some(Err(err)) => {
                    warn!(error = %err, "pull interrupted; pulling again");
                    batch = None;
                    pause = true;
                }
                None => batch = None,
            },
            () = tokio::time::sleep(RETRY_PAUSE), if pause => pause = false,
        }
    }
    drop(batch);
    info!(
        in_hand = jobs.len(),
        "stopping: finishing the messages in hand"
    );
    let drained = tokio::time::timeout(grace, async {
        while let Some(joined) = jobs.join_next().await {
            if let Ok(ended) = joined {
                tally(ended);
            }
        }
    })
    .await;
    if drained.is_err() {
        warn!(
            left = jobs.len(),
            "shutdown grace passed; the messages left go to other consumers after their ack-wait"
        );
    }
}

/// The next message of the open pull; never resolves when none is open.
async fn next_of(
    batch: &mut Option<Batch>,
) -> Option<Result<jetstream::Message, async_nats::Error>> {
    match batch {
        Some(batch) => batch.next().await,
        None => std::future::pending().await,
    }
}
