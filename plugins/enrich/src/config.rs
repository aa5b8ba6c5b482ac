//! What the user sets for the `enrich` plugin, under `plugins.enrich` in the config, and the
//! checks run once while building the plugin from it.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::{Enrich, stats::WORDS_PER_MINUTE};

/// What the user can set for the `enrich` plugin, under `plugins.enrich` in the config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EnrichConfig {
    /// Reading speed behind `stats.reading_minutes`, in words per minute (10 to 2000).
    pub words_per_minute: u64,
}

impl Default for EnrichConfig {
    fn default() -> Self {
        Self {
            words_per_minute: WORDS_PER_MINUTE,
        }
    }
}

impl docnorm_plugin_api::PluginConfig for EnrichConfig {
    const NAME: &'static str = crate::NAME;

    fn build_plugin(
        &self,
    ) -> Result<Box<dyn docnorm_plugin_api::Plugin>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Box::new(self.build()?))
    }
}

impl EnrichConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Enrich, BuildError> {
        self.validate()?;
        Ok(Enrich::new(self.words_per_minute))
    }

    fn validate(&self) -> Result<(), BuildError> {
        if !(10..=2000).contains(&self.words_per_minute) {
            return Err(BuildError::Invalid(format!(
                "words_per_minute must be between 10 and 2000, not {}",
                self.words_per_minute
            )));
        }
        Ok(())
    }
}

/// Why an `EnrichConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.enrich: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_build() {
        let config = EnrichConfig::default();
        assert!(config.build().is_ok());
    }

    #[test]
    fn out_of_range_settings_are_refused_naming_the_key() {
        let config = EnrichConfig {
            words_per_minute: 0,
        };
        let err = config.build().err().unwrap().to_string();
        assert!(err.starts_with("plugins.enrich: words_per_minute"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let result: Result<EnrichConfig, _> =
            serde_json::from_value(serde_json::json!({"words_per_minut": 200}));
        assert!(result.is_err());
    }
}
