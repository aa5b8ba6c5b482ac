//! The `html` plugin: the main content and the metadata (JSON-LD, OpenGraph, meta tags) of a saved web page.
//!
//! It sits in the default chain `frontmatter → html → text → enrich` and declines documents
//! that are not its kind.

use docnorm_plugin_api::{Document, Format, Manifest, Outcome, Plugin, PluginError};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "html";

/// What the user can set for the `html` plugin, under `plugins.html` in the config.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {}

impl HtmlConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Html, BuildError> {
        Ok(Html {
            manifest: Manifest::new(
                NAME,
                env!("CARGO_PKG_VERSION"),
                &["source"],
                &[
                    "title",
                    "subtitle",
                    "summary",
                    "body",
                    "authors",
                    "published",
                    "updated",
                    "publisher",
                    "url",
                    "language",
                    "topics",
                    "images",
                    "related",
                    "extra",
                    "warnings",
                    "provenance.removed",
                ],
            ),
        })
    }
}

/// Why a `HtmlConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.html: {0}")]
    Invalid(String),
}

/// The running `html` plugin.
pub struct Html {
    manifest: Manifest,
}

impl Plugin for Html {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        if !matches!(doc.format, Format::Html) {
            return Ok(Outcome::Decline);
        }
        // Not built yet: see the plugin's issue. Declining leaves the document to the others.
        Ok(Outcome::Decline)
    }
}
