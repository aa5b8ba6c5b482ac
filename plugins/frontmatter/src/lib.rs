//! The `frontmatter` plugin: YAML, TOML and JSON front matter (and JSON articles) mapped onto the record through one alias table, the Markdown body rendered to plain text.
//!
//! It sits in the default chain `frontmatter → html → text → enrich` and declines documents
//! that are not its kind.

use docnorm_plugin_api::{Document, Format, Manifest, Outcome, Plugin, PluginError};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "frontmatter";

/// What the user can set for the `frontmatter` plugin, under `plugins.frontmatter` in the config.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FrontmatterConfig {}

impl FrontmatterConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Frontmatter, BuildError> {
        Ok(Frontmatter {
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
                ],
            ),
        })
    }
}

/// Why a `FrontmatterConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.frontmatter: {0}")]
    Invalid(String),
}

/// The running `frontmatter` plugin.
pub struct Frontmatter {
    manifest: Manifest,
}

impl Plugin for Frontmatter {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        if !matches!(
            doc.format,
            Format::Frontmatter | Format::Json | Format::Jsonl | Format::Markdown
        ) {
            return Ok(Outcome::Decline);
        }
        // Not built yet: see the plugin's issue. Declining leaves the document to the others.
        Ok(Outcome::Decline)
    }
}
