//! The `frontmatter` plugin's settings (`plugins.frontmatter` in the config) and the build
//! step that validates them and turns them into the running [`Frontmatter`] plugin.

use docnorm_plugin_api::{Field, Manifest};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::{Frontmatter, NAME};

/// The default for [`FrontmatterConfig::max_block_bytes`]: 1 MiB, far more than any real
/// front matter, far less than what it takes to hurt.
pub const DEFAULT_MAX_BLOCK_BYTES: u64 = 1 << 20;

/// The default for [`FrontmatterConfig::max_json_bytes`]: 8 MiB.
pub const DEFAULT_MAX_JSON_BYTES: u64 = 8 << 20;

/// What the user can set for the `frontmatter` plugin, under `plugins.frontmatter` in the config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FrontmatterConfig {
    /// The largest front-matter block (YAML, TOML or JSON before the body) the plugin parses,
    /// in bytes. A larger block fails the document before any parsing starts.
    pub max_block_bytes: u64,
    /// The largest whole-JSON document (a `.json` article, or JSON Lines holding one) the
    /// plugin parses, in bytes. Parsed JSON takes several times its size in memory, so this
    /// bounds the plugin's memory per document.
    pub max_json_bytes: u64,
}

impl Default for FrontmatterConfig {
    fn default() -> Self {
        Self {
            max_block_bytes: DEFAULT_MAX_BLOCK_BYTES,
            max_json_bytes: DEFAULT_MAX_JSON_BYTES,
        }
    }
}

impl docnorm_plugin_api::PluginConfig for FrontmatterConfig {
    const NAME: &'static str = crate::NAME;

    fn build_plugin(
        &self,
    ) -> Result<Box<dyn docnorm_plugin_api::Plugin>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Box::new(self.build()?))
    }
}

impl FrontmatterConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Frontmatter, BuildError> {
        let limit = |value: u64, key: &str| {
            if value == 0 {
                return Err(BuildError::Invalid(format!("{key} must be at least 1")));
            }
            Ok(usize::try_from(value).unwrap_or(usize::MAX))
        };
        Ok(Frontmatter {
            manifest: Manifest::new(
                NAME,
                env!("CARGO_PKG_VERSION"),
                &[Field::Source],
                &[
                    Field::Title,
                    Field::Subtitle,
                    Field::Summary,
                    Field::Body,
                    Field::Authors,
                    Field::Published,
                    Field::Updated,
                    Field::Publisher,
                    Field::Url,
                    Field::Language,
                    Field::Topics,
                    Field::Images,
                    Field::Related,
                    Field::Extra,
                    Field::Warnings,
                ],
            ),
            max_block_bytes: limit(self.max_block_bytes, "max_block_bytes")?,
            max_json_bytes: limit(self.max_json_bytes, "max_json_bytes")?,
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
