//! The `enrich` plugin: language, stats, fingerprints, entities and date normalization, computed from whatever the format plugins produced.
//!
//! It sits in the default chain `frontmatter → html → text → enrich` and declines documents
//! that are not its kind.

use docnorm_plugin_api::{Document, Manifest, Outcome, Plugin, PluginError};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "enrich";

/// What the user can set for the `enrich` plugin, under `plugins.enrich` in the config.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EnrichConfig {}

impl EnrichConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Enrich, BuildError> {
        Ok(Enrich {
            manifest: Manifest::new(
                NAME,
                env!("CARGO_PKG_VERSION"),
                &[
                    "title",
                    "subtitle",
                    "summary",
                    "body",
                    "language",
                    "published",
                    "updated",
                ],
                &[
                    "language",
                    "stats",
                    "fingerprints",
                    "entities",
                    "published",
                    "updated",
                    "warnings",
                ],
            ),
        })
    }
}

/// Why a `EnrichConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.enrich: {0}")]
    Invalid(String),
}

/// The running `enrich` plugin.
pub struct Enrich {
    manifest: Manifest,
}

impl Plugin for Enrich {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        if !matches!(doc.format, _) {
            return Ok(Outcome::Decline);
        }
        // Not built yet: see the plugin's issue. Declining leaves the document to the others.
        Ok(Outcome::Decline)
    }
}
