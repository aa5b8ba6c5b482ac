//! The work stage: one claimed document through the pipeline, on a worker thread, within a
//! time limit.
//!
//! Between the claim and the finish. Plugins run in the daemon's process, so a plugin that
//! hangs cannot be stopped: when a document exceeds the time limit the run loop stops
//! waiting for it, counts the attempt and goes on, and the worker thread is abandoned (it
//! keeps running, and holding what it holds, until the plugin returns, if ever). The
//! process-isolated plugins planned in the spec will make the limit a hard kill. Each plugin
//! is wrapped so the abandoned document can name the plugin it was in.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docnorm_plugin_api::{Document, Manifest, Outcome, Plugin, PluginError, Record};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::pipeline::{DocError, Pipeline};

/// The plugin a document is in, written by the worker and read on a timeout.
type Slot = Arc<Mutex<Option<String>>>;

thread_local! {
    static CURRENT: RefCell<Option<Slot>> = const { RefCell::new(None) };
}

/// What came of processing one document.
#[derive(Debug)]
pub enum Worked {
    /// The pipeline's results: one for most files, one per object for JSON Lines and JSON
    /// lists; each a record or the error that failed that document.
    Done(Vec<Result<Record, DocError>>),
    /// The time limit passed; the plugin it was in, if one.
    TimedOut(Option<String>),
    /// The worker itself panicked (a bug in the daemon, not in a plugin).
    Crashed(String),
}

/// Builds the pipeline with every plugin wrapped to report itself.
pub fn build(config: &Config) -> anyhow::Result<Pipeline> {
    Pipeline::new_wrapped(config, &|plugin| Box::new(Tracked(plugin)))
}

/// Runs `pipeline` over `path` (named `shown`) on a blocking thread and waits at most
/// `limit`.
pub async fn process(
    pipeline: Arc<Pipeline>,
    path: PathBuf,
    shown: PathBuf,
    limit: Duration,
) -> Worked {
    let slot: Slot = Arc::default();
    let worker_slot = Arc::clone(&slot);
    let handle = tokio::task::spawn_blocking(move || {
        CURRENT.with(|current| *current.borrow_mut() = Some(worker_slot));
        let result = pipeline.process_as(&path, &shown);
        CURRENT.with(|current| current.borrow_mut().take());
        result
    });
    match tokio::time::timeout(limit, handle).await {
        Ok(Ok(results)) => Worked::Done(results),
        Ok(Err(err)) => Worked::Crashed(err.to_string()),
        Err(_) => Worked::TimedOut(
            slot.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
        ),
    }
}

/// A plugin that notes its name in the current document's slot before it runs.
struct Tracked(Box<dyn Plugin>);

impl Plugin for Tracked {
    fn manifest(&self) -> &Manifest {
        self.0.manifest()
    }

    fn process(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        CURRENT.with(|current| {
            if let Some(slot) = current.borrow().as_ref() {
                *slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(self.0.manifest().name.clone());
            }
        });
        self.0.process(doc, fields)
    }
}
