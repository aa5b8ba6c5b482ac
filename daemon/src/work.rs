//! The work stage: one claimed file through the pipeline, on a worker thread, each plugin
//! call within a time limit.
//!
//! Between the claim and the finish. The limit applies to each plugin call (one plugin on
//! one document), so a JSON Lines file of many objects gets it for each object, not once
//! for all. Plugins run in the daemon's process, so a plugin that hangs cannot be stopped:
//! when a call exceeds the time limit the run loop stops waiting for the file, counts the attempt and goes on, and the worker thread is abandoned (it
//! keeps running, and holding what it holds, until the plugin returns, if ever). The
//! process-isolated plugins planned in the spec will make the limit a hard kill. Each plugin
//! is wrapped so the abandoned document can name the plugin it was in.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docnorm_plugin_api::{Document, Manifest, Outcome, Plugin, PluginError, Record};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::pipeline::{DocError, Pipeline};

/// The plugin call a file is in, written by the worker and read by the watch on the time
/// limit.
type Slot = Arc<Mutex<Current>>;

/// The plugin running, and since when (the start of processing before the first plugin).
struct Current {
    plugin: Option<String>,
    since: Instant,
}

thread_local! {
    static CURRENT: RefCell<Option<Slot>> = const { RefCell::new(None) };
}

/// What came of processing one document.
#[derive(Debug)]
pub enum Worked {
    /// The pipeline's results: one for most files, one per object for JSON Lines and JSON
    /// lists; each a record or the error that failed that document.
    Done(Vec<Result<Record, DocError>>),
    /// A plugin call exceeded the time limit; the plugin, if one had started.
    TimedOut(Option<String>),
    /// The worker itself panicked (a bug in the daemon, not in a plugin).
    Crashed(String),
}

/// Builds the pipeline with every plugin wrapped to report itself.
pub fn build(config: &Config) -> anyhow::Result<Pipeline> {
    Pipeline::new_wrapped(config, &|plugin| Box::new(Tracked(plugin)))
}

/// Runs `pipeline` over `path` (named `shown`) on a blocking thread and waits for it while
/// no plugin call takes longer than `limit`.
pub async fn process(
    pipeline: Arc<Pipeline>,
    path: PathBuf,
    shown: PathBuf,
    limit: Duration,
) -> Worked {
    let slot: Slot = Arc::new(Mutex::new(Current {
        plugin: None,
        since: Instant::now(),
    }));
    let worker_slot = Arc::clone(&slot);
    let mut handle = tokio::task::spawn_blocking(move || {
        CURRENT.with(|current| *current.borrow_mut() = Some(worker_slot));
        let result = pipeline.process_as(&path, &shown);
        CURRENT.with(|current| current.borrow_mut().take());
        result
    });
    loop {
        let since = lock(&slot).since;
        match tokio::time::timeout_at((since + limit).into(), &mut handle).await {
            Ok(Ok(results)) => return Worked::Done(results),
            Ok(Err(err)) => return Worked::Crashed(err.to_string()),
            // Another plugin call started meanwhile: it gets its own limit.
            Err(_) if lock(&slot).since > since => {}
            Err(_) => return Worked::TimedOut(lock(&slot).plugin.clone()),
        }
    }
}

fn lock(slot: &Slot) -> std::sync::MutexGuard<'_, Current> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A plugin that notes its name and the time in the current file's slot before it runs.
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
                *lock(slot) = Current {
                    plugin: Some(self.0.manifest().name.clone()),
                    since: Instant::now(),
                };
            }
        });
        self.0.process(doc, fields)
    }
}
