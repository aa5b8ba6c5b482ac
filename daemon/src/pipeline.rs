//! The pipeline: read a file, run the chain, return the record or a per-document error.
//!
//! `docnorm process` and the daemon share this; a file gives one record, or one per object
//! when it holds several (JSON Lines, JSON lists); a failing document becomes a [`DocError`]
//! that names the file and the plugin (or `read` for the read stage) and never stops the
//! caller. What the read stage warns about (bytes that were not UTF-8) opens each record's
//! `warnings`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use docnorm_plugin_api::{
    Chain, ChainError, Document, Format, Manifest, Plugin, PluginError, Record,
};
use tracing::{debug, debug_span, info_span};

use crate::config::Config;
use crate::custom::Runs;
use crate::logging::os_text;
use crate::process_plugin::{ProcessPlugin, Shared};
use crate::read::{Loaded, ReadConfig, ReadError, decode, read_file};
use crate::split;

/// The stage name used in errors from reading and decoding, where no plugin was involved.
pub const READ_STAGE: &str = "read";

/// The stage name used in errors for a document sniffed as JSON that does not parse: the
/// host checks it before any plugin sees it, so it is not reported as the plugin's failure
/// (the `frontmatter` plugin reads whole-JSON documents too).
pub const JSON_STAGE: &str = "json";

/// A document that could not be turned into a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {stage}: {message}", stage = plugin.as_deref().unwrap_or("chain"))]
pub struct DocError {
    /// The file.
    pub path: String,
    /// The plugin (or `read`) that failed, if one did.
    pub plugin: Option<String>,
    /// What went wrong, without the path and plugin.
    pub message: String,
    /// Whether the document or a plugin process is to blame.
    pub cause: Cause,
}

/// Whom a [`DocError`] is about, which decides whether trying again may help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The document was refused (by the read stage, a plugin's error, a rejected patch, or no
    /// plugin claiming it): another attempt would give the same.
    Document,
    /// A plugin's process crashed, hung or broke the protocol on it, and was replaced: another
    /// attempt may work.
    Crash,
}

/// A ready-to-run pipeline built from a [`Config`].
pub struct Pipeline {
    read: ReadConfig,
    chain: Chain,
    /// The chain's process plugins, which outlive it when a reload shares them.
    processes: Vec<Arc<ProcessPlugin>>,
}

impl Pipeline {
    /// Builds every plugin named in `config.chain`, starting the first process of each process
    /// plugin; each call of one is limited to `config.run.plugin_time_limit_ms`.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Self::build(config, &[])
    }

    /// Builds the pipeline of a reloaded `config`, keeping the processes of every process
    /// plugin whose settings did not change; the others start afresh, and the old ones end
    /// once the documents still using this pipeline are done (when it is dropped).
    pub fn reload(&self, config: &Config) -> anyhow::Result<Self> {
        Self::build(config, &self.processes)
    }

    /// Stops the process plugins' processes (see [`ProcessPlugin::stop`]); calls after this
    /// fail.
    pub fn stop(&self) {
        for plugin in &self.processes {
            plugin.stop();
        }
    }

    fn build(config: &Config, running: &[Arc<ProcessPlugin>]) -> anyhow::Result<Self> {
        let mut plugins: Vec<Box<dyn Plugin>> = Vec::new();
        let mut processes: Vec<Arc<ProcessPlugin>> = Vec::new();
        for name in &config.chain {
            plugins.push(build_plugin(config, name, running, &mut processes)?);
        }
        // Each plugin call also has a cooperative deadline, so a built-in plugin whose call
        // passes the limit stops soon after instead of keeping a core busy.
        let limit = config.run.plugin_time_limit;
        Ok(Self {
            read: config.read.clone(),
            chain: Chain::new(plugins)?.with_time_limit(limit),
            processes,
        })
    }

    /// The chain's plugins, in order.
    pub fn plugins(&self) -> impl Iterator<Item = &dyn Plugin> {
        self.chain.plugins()
    }

    /// Reads `path` and runs the chain over it, in a span carrying the path: one result for
    /// most files, one per object for JSON Lines and JSON lists of objects (see
    /// [`split`](crate::split)). A file that cannot be read gives one error.
    pub fn process(&self, path: &Path) -> Vec<Result<Record, DocError>> {
        self.process_as(path, path, &mut |_| {})
    }

    /// Reads `path` but names the document `shown` in its span, its errors and its
    /// `source` (the daemon reads its claimed copy in the work folder but records where the
    /// file was dropped), and tells `on_call` before each plugin call which plugin it is (the
    /// daemon limits each call's time).
    pub fn process_as(
        &self,
        path: &Path,
        shown: &Path,
        on_call: &mut dyn FnMut(&Manifest),
    ) -> Vec<Result<Record, DocError>> {
        self.run(shown, on_call, |limits, shown_text| {
            let mut loaded = read_file(path, limits)?;
            if path != shown {
                shown_text.clone_into(&mut loaded.source.path);
                if let Some(name) = shown.file_name() {
                    loaded.source.name = os_text(name).into_owned();
                }
            }
            Ok(loaded)
        })
    }

    /// Runs the chain over content already in memory (standard input, or a file a scale-out
    /// worker received), named `shown` and modified at `modified` (RFC 3339) when known.
    pub fn process_bytes(
        &self,
        raw: Vec<u8>,
        shown: &Path,
        modified: Option<String>,
        on_call: &mut dyn FnMut(&Manifest),
    ) -> Vec<Result<Record, DocError>> {
        self.run(shown, on_call, |limits, _| {
            if raw.len() as u64 > limits.max_bytes {
                return Err(ReadError::TooLarge {
                    limit: limits.max_bytes,
                });
            }
            let mut loaded = decode(shown, raw, limits)?;
            loaded.source.modified = modified;
            loaded.source.received = Some(jiff::Timestamp::now().to_string());
            Ok(loaded)
        })
    }

    /// The read stage (`read`, given the limits and the document's name as text) then the
    /// chain, in a span carrying the document's name.
    fn run(
        &self,
        shown_path: &Path,
        on_call: &mut dyn FnMut(&Manifest),
        read: impl FnOnce(&ReadConfig, &str) -> Result<Loaded, ReadError>,
    ) -> Vec<Result<Record, DocError>> {
        let shown = os_text(shown_path.as_os_str()).into_owned();
        let _processing = crate::native::processing(shown.clone());
        let span = info_span!(
            "document",
            path = %crate::logging::Escaped(&shown),
            id = tracing::field::Empty
        )
        .entered();
        let loaded = {
            let _read = debug_span!("plugin", plugin = READ_STAGE).entered();
            read(&self.read, &shown)
        };
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                return vec![Err(DocError {
                    path: shown,
                    plugin: Some(READ_STAGE.to_owned()),
                    message: e.to_string(),
                    cause: Cause::Document,
                })];
            }
        };
        let doc = loaded.document();
        let run = |doc: &Document<'_>, on_call: &mut dyn FnMut(&Manifest)| {
            let mut record = self.chain.run_observed(doc, on_call)?;
            record
                .warnings
                .splice(0..0, loaded.warnings.iter().cloned());
            Ok(record)
        };
        let Some(parts) = doc.text.and_then(|text| split::parts(text, doc.format)) else {
            if doc.format == Format::Json
                && let Some(Err(why)) = doc.text.map(split::check)
            {
                return vec![Err(not_json(shown, "", &why))];
            }
            let result = run(&doc, on_call);
            if let Ok(record) = &result {
                span.record("id", record.id.as_str());
                debug!("record made");
            }
            return vec![result.map_err(|e| from_chain(&shown, &e))];
        };
        if parts.len() > self.read.max_documents {
            return vec![Err(DocError {
                path: shown,
                plugin: Some(READ_STAGE.to_owned()),
                message: format!(
                    "the file holds {} documents, more than read.max_documents ({}); split it into smaller files",
                    parts.len(),
                    self.read.max_documents
                ),
                cause: Cause::Document,
            })];
        }
        debug!(parts = parts.len(), "split into one document per object");
        parts
            .iter()
            .map(|part| {
                let part_span =
                    info_span!("part", at = %part.at, id = tracing::field::Empty).entered();
                if let Some(why) = &part.broken {
                    return Err(not_json(shown.clone(), &format!("{}: ", part.at), why));
                }
                let doc = Document {
                    bytes: part.text.as_bytes(),
                    text: Some(part.text),
                    format: Format::Json,
                    ..doc
                };
                let result = run(&doc, on_call);
                if let Ok(record) = &result {
                    part_span.record("id", record.id.as_str());
                    debug!("record made");
                }
                result.map_err(|e| {
                    let mut err = from_chain(&shown, &e);
                    err.message = format!("{}: {}", part.at, err.message);
                    err
                })
            })
            .collect()
    }
}

/// A document sniffed as JSON that does not parse: file `shown`, at `at` (`line 3: ` for a
/// part of a JSON Lines file, else empty).
fn not_json(shown: String, at: &str, why: &str) -> DocError {
    DocError {
        path: shown,
        plugin: Some(JSON_STAGE.to_owned()),
        message: format!("{at}not valid JSON: {why}"),
        cause: Cause::Document,
    }
}

fn from_chain(path: &str, err: &ChainError) -> DocError {
    let cause = match err {
        ChainError::Plugin {
            source: PluginError::Crashed(_),
            ..
        } => Cause::Crash,
        _ => Cause::Document,
    };
    let message = match err {
        ChainError::Plugin { source, .. } => source.to_string(),
        ChainError::Patch { reason, .. } => format!("rejected patch: {reason}"),
        ChainError::Unclaimed { format, .. } => {
            format!("no plugin recognised the document (sniffed as {format})")
        }
        other => other.to_string(),
    };
    DocError {
        path: path.to_owned(),
        plugin: err.plugin().map(ToOwned::to_owned),
        message,
        cause,
    }
}

/// Builds plugin `name`; a process plugin reuses one of `running` (or of `started`, this
/// chain's so far) that runs the same way, and is added to `started`.
fn build_plugin(
    config: &Config,
    name: &str,
    running: &[Arc<ProcessPlugin>],
    started: &mut Vec<Arc<ProcessPlugin>>,
) -> anyhow::Result<Box<dyn Plugin>> {
    if let Some(custom) = config.custom.iter().find(|c| c.name == name) {
        let spec = match custom.runs(&config.run) {
            Runs::Processes(spec) => spec,
            Runs::InProcess(path) => return Ok(Box::new(custom.library(path).load()?.plugin)),
        };
        let same = running
            .iter()
            .chain(started.iter())
            .find(|p| *p.spec() == spec);
        let plugin = match same {
            Some(plugin) => Arc::clone(plugin),
            None => Arc::new(ProcessPlugin::start(spec)?),
        };
        started.push(Arc::clone(&plugin));
        return Ok(Box::new(Shared(plugin)));
    }
    // A custom plugin's errors name it already.
    match config.plugins.build(name) {
        Some(built) => built.with_context(|| format!("plugin {name}")),
        None => bail!(
            "plugin {name}: named in `chain` but neither a built-in plugin ({}) nor one of `custom`",
            crate::config::PluginsConfig::NAMES.join(", ")
        ),
    }
}
