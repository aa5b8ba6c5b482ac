//! The pipeline: read a file, run the chain, return the record or a per-document error.
//!
//! `docnorm process` and the daemon share this; a file gives one record, or one per object
//! when it holds several (JSON Lines, JSON lists); a failing document becomes a [`DocError`]
//! that names the file and the plugin (or `read` for the read stage) and never stops the
//! caller.

use std::path::Path;

use anyhow::{Context, bail};
use docnorm_plugin_api::{Chain, ChainError, Document, Format, Manifest, Plugin, Record};
use tracing::span::EnteredSpan;
use tracing::{debug, debug_span, info_span};

use crate::config::Config;
use crate::read::{Loaded, ReadConfig, ReadError, decode, read_file};
use crate::split;

/// The stage name used in errors from reading and decoding, where no plugin was involved.
pub const READ_STAGE: &str = "read";

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
}

/// A ready-to-run pipeline built from a [`Config`].
pub struct Pipeline {
    read: ReadConfig,
    chain: Chain,
}

impl Pipeline {
    /// Builds every plugin named in `config.chain`.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let mut plugins: Vec<Box<dyn Plugin>> = Vec::new();
        for name in &config.chain {
            let plugin = build_plugin(config, name).with_context(|| format!("plugin {name}"))?;
            plugins.push(plugin);
        }
        Ok(Self {
            read: config.read.clone(),
            chain: Chain::new(plugins)?,
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
        let span = document_span(shown);
        let loaded = {
            let _read = debug_span!("plugin", plugin = READ_STAGE).entered();
            read_file(path, &self.read)
        };
        let loaded = loaded.map(|mut loaded| {
            if path != shown {
                loaded.source.path = shown.to_string_lossy().into_owned();
                if let Some(name) = shown.file_name() {
                    loaded.source.name = name.to_string_lossy().into_owned();
                }
            }
            loaded
        });
        self.run(loaded, shown, &span, on_call)
    }

    /// Runs the chain over a file's bytes already in memory (a scale-out worker's), named
    /// `shown` and modified at `modified` (RFC 3339), with the read stage's limits.
    pub fn process_bytes(
        &self,
        raw: Vec<u8>,
        shown: &Path,
        modified: Option<String>,
        on_call: &mut dyn FnMut(&Manifest),
    ) -> Vec<Result<Record, DocError>> {
        let span = document_span(shown);
        let loaded = {
            let _read = debug_span!("plugin", plugin = READ_STAGE).entered();
            if raw.len() as u64 > self.read.max_bytes {
                Err(ReadError::TooLarge {
                    limit: self.read.max_bytes,
                })
            } else {
                decode(shown, raw, &self.read)
            }
        };
        let loaded = loaded.map(|mut loaded| {
            loaded.source.modified = modified;
            loaded.source.received = Some(jiff::Timestamp::now().to_string());
            loaded
        });
        self.run(loaded, shown, &span, on_call)
    }

    /// The chain over a file read by `process_as` or `process_bytes`.
    fn run(
        &self,
        loaded: Result<Loaded, ReadError>,
        shown: &Path,
        span: &EnteredSpan,
        on_call: &mut dyn FnMut(&Manifest),
    ) -> Vec<Result<Record, DocError>> {
        let shown = shown.display().to_string();
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                return vec![Err(DocError {
                    path: shown,
                    plugin: Some(READ_STAGE.to_owned()),
                    message: e.to_string(),
                })];
            }
        };
        let doc = loaded.document();
        let Some(parts) = doc.text.and_then(|text| split::parts(text, doc.format)) else {
            let result = self.chain.run_observed(&doc, on_call);
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
            })];
        }
        debug!(parts = parts.len(), "split into one document per object");
        parts
            .iter()
            .map(|part| {
                let part_span =
                    info_span!("part", at = %part.at, id = tracing::field::Empty).entered();
                let doc = Document {
                    bytes: part.text.as_bytes(),
                    text: Some(part.text),
                    format: Format::Json,
                    ..doc
                };
                let result = self.chain.run_observed(&doc, on_call);
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

/// The span of one document, carrying its path; its `id` is filled once the record is made.
fn document_span(shown: &Path) -> EnteredSpan {
    info_span!(
        "document",
        path = %crate::logging::Escaped(&shown.display().to_string()),
        id = tracing::field::Empty
    )
    .entered()
}

fn from_chain(path: &str, err: &ChainError) -> DocError {
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
    }
}

fn build_plugin(config: &Config, name: &str) -> anyhow::Result<Box<dyn Plugin>> {
    if let Some(custom) = config.custom.iter().find(|c| c.name == name) {
        return Ok(Box::new(custom.load()?.plugin));
    }
    match config.plugins.build(name) {
        Some(built) => built,
        None => bail!(
            "unknown plugin `{name}` in chain (built-in: {})",
            crate::config::PluginsConfig::NAMES.join(", ")
        ),
    }
}
