//! What the user sets for the `html` plugin (`plugins.html` in the config) and how it is
//! checked before the plugin runs.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::{Html, NAME};

/// What the user can set for the `html` plugin, under `plugins.html` in the config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {
    /// Largest page, in bytes of decoded text, that is parsed; the rest of a larger page is
    /// cut off (at a character boundary) so the work per document stays bounded.
    pub max_bytes: usize,
    /// The page is cut where its tree, as the parser builds it, nests deeper than this
    /// (parsing and scoring slow down with depth; real pages stay far below).
    pub max_depth: usize,
    /// Pages with more elements than this skip the scoring of candidate containers (the costly
    /// part of main-content extraction) and keep the text of `<article>`, `<main>` or `<body>`.
    pub max_elements: usize,
    /// At most this many topics are kept.
    pub max_topics: usize,
    /// At most this many images are kept.
    pub max_images: usize,
}

impl Default for HtmlConfig {
    fn default() -> Self {
        Self {
            max_bytes: 8 << 20,
            max_depth: 1000,
            max_elements: 40_000,
            max_topics: 30,
            max_images: 10,
        }
    }
}

impl docnorm_plugin_api::PluginConfig for HtmlConfig {
    const NAME: &'static str = crate::NAME;

    fn build_plugin(
        &self,
    ) -> Result<Box<dyn docnorm_plugin_api::Plugin>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Box::new(self.build()?))
    }
}

impl HtmlConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Html, BuildError> {
        if self.max_bytes < 1024 {
            return Err(BuildError::Invalid(format!(
                "max_bytes must be at least 1024, got {}",
                self.max_bytes
            )));
        }
        if self.max_depth < 32 {
            return Err(BuildError::Invalid(format!(
                "max_depth must be at least 32, got {}",
                self.max_depth
            )));
        }
        if self.max_elements < 100 {
            return Err(BuildError::Invalid(format!(
                "max_elements must be at least 100, got {}",
                self.max_elements
            )));
        }
        Ok(Html::new(self.clone()))
    }
}

/// Why a `HtmlConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.{NAME}: {0}")]
    Invalid(String),
}
