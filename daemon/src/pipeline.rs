//! The pipeline: read a file, run the chain, return the record or a per-document error.
//!
//! `docnorm process` and the daemon share this; a file gives one record, or one per object
//! when it holds several (JSON Lines, JSON lists); a failing document becomes a [`DocError`]
//! that names the file and the plugin (or `read` for the read stage) and never stops the
//! caller.

use std::path::Path;

use anyhow::{Context, bail};
use docnorm_plugin_api::{Chain, ChainError, Document, Format, Plugin, Record};
use tracing::{debug, debug_span, info_span};

use crate::config::Config;
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
}

/// A ready-to-run pipeline built from a [`Config`].
pub struct Pipeline {
    read: ReadConfig,
    chain: Chain,
}

impl Pipeline {
    /// Builds every plugin named in `config.chain`.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Self::new_wrapped(config, &|plugin| plugin)
    }

    /// Builds the chain like [`new`](Self::new), passing each plugin through `wrap` (the
    /// daemon wraps them to know which plugin a document that hangs is in).
    pub fn new_wrapped(
        config: &Config,
        wrap: &dyn Fn(Box<dyn Plugin>) -> Box<dyn Plugin>,
    ) -> anyhow::Result<Self> {
        let mut plugins: Vec<Box<dyn Plugin>> = Vec::new();
        for name in &config.chain {
            let plugin = build_plugin(config, name).with_context(|| format!("plugin {name}"))?;
            plugins.push(wrap(plugin));
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
        self.process_as(path, path)
    }

    /// Reads `path` but names the document `shown` in its span, its errors and its
    /// `source` (the daemon reads its claimed copy in the work folder but records where the
    /// file was dropped).
    pub fn process_as(&self, path: &Path, shown: &Path) -> Vec<Result<Record, DocError>> {
        self.run(shown, |limits| {
            let mut loaded = read_file(path, limits)?;
            if path != shown {
                loaded.source.path = shown.to_string_lossy().into_owned();
                if let Some(name) = shown.file_name() {
                    loaded.source.name = name.to_string_lossy().into_owned();
                }
            }
            Ok(loaded)
        })
    }

    /// Runs the chain over content already in memory (standard input), named `shown`.
    pub fn process_bytes(&self, raw: Vec<u8>, shown: &Path) -> Vec<Result<Record, DocError>> {
        self.run(shown, |limits| {
            if raw.len() as u64 > limits.max_bytes {
                return Err(ReadError::TooLarge {
                    limit: limits.max_bytes,
                });
            }
            let mut loaded = decode(shown, raw, limits)?;
            loaded.source.received = Some(jiff::Timestamp::now().to_string());
            Ok(loaded)
        })
    }

    /// The read stage (`read`) then the chain, in a span carrying the document's name.
    fn run(
        &self,
        shown_path: &Path,
        read: impl FnOnce(&ReadConfig) -> Result<Loaded, ReadError>,
    ) -> Vec<Result<Record, DocError>> {
        let shown = shown_path.display().to_string();
        let span = info_span!(
            "document",
            path = %crate::logging::Escaped(&shown),
            id = tracing::field::Empty
        )
        .entered();
        let loaded = {
            let _read = debug_span!("plugin", plugin = READ_STAGE).entered();
            read(&self.read)
        };
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
            if doc.format == Format::Json
                && let Some(Err(why)) = doc.text.map(split::check)
            {
                return vec![Err(not_json(shown, "", &why))];
            }
            let result = self.chain.run(&doc);
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
                if let Some(why) = &part.broken {
                    return Err(not_json(shown.clone(), &format!("{}: ", part.at), why));
                }
                let doc = Document {
                    bytes: part.text.as_bytes(),
                    text: Some(part.text),
                    format: Format::Json,
                    ..doc
                };
                let result = self.chain.run(&doc);
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
    }
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
    let plugins = &config.plugins;
    Ok(match name {
        docnorm_frontmatter::NAME => Box::new(plugins.frontmatter.build()?),
        docnorm_html::NAME => Box::new(plugins.html.build()?),
        docnorm_text::NAME => Box::new(plugins.text.build()?),
        docnorm_enrich::NAME => Box::new(plugins.enrich.build()?),
        #[cfg(feature = "test-plugins")]
        crate::testing::SLEEP => Box::new(crate::testing::Sleep::new()),
        _ => bail!(
            "named in `chain` but neither a built-in plugin ({}) nor one of `custom`",
            crate::config::BUILT_IN.join(", ")
        ),
    })
}
