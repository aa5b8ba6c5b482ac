//! The `text` plugin: plain-text heuristics that turn the copied text of a web page into title, standfirst, body, bylines, dates and teasers, listing every line it removes.
//!
//! It sits in the default chain `frontmatter → html → text → enrich` and declines documents
//! that are not its kind.

use docnorm_plugin_api::{Document, Format, Manifest, Outcome, Plugin, PluginError};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "text";

/// What the user can set for the `text` plugin, under `plugins.text` in the config.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TextConfig {}

impl TextConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Text, BuildError> {
        Ok(Text {
            manifest: Manifest::new(
                NAME,
                env!("CARGO_PKG_VERSION"),
                &["source"],
                &[
                    "title",
                    "subtitle",
                    "body",
                    "authors",
                    "published",
                    "updated",
                    "publisher",
                    "related",
                    "extra",
                    "warnings",
                    "provenance.removed",
                ],
            ),
        })
    }
}

/// Why a `TextConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.text: {0}")]
    Invalid(String),
}

/// The running `text` plugin.
pub struct Text {
    manifest: Manifest,
}

impl Plugin for Text {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        if !matches!(doc.format, Format::Text) {
            return Ok(Outcome::Decline);
        }
        // Not built yet: see the plugin's issue. Declining leaves the document to the others.
        Ok(Outcome::Decline)
    }
}
