//! What the user sets for the `enrich` plugin, under `plugins.enrich` in the config, and the
//! checks run once while building the plugin from it.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::duplicates::{DEFAULT_MAX_DISTANCE, DuplicateIndex, MAX_DISTANCE_LIMIT};
use crate::{Enrich, stats::WORDS_PER_MINUTE};

/// What the user can set for the `enrich` plugin, under `plugins.enrich` in the config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EnrichConfig {
    /// Reading speed behind `stats.reading_minutes`, in words per minute (10 to 2000).
    pub words_per_minute: u64,
    /// Two records are near-duplicates when their `SimHash` values differ in at most this many of
    /// their 64 bits (0 to 10). The host, not the plugin, marks them (`duplicates`).
    pub near_duplicate_bits: u32,
}

impl Default for EnrichConfig {
    fn default() -> Self {
        Self {
            words_per_minute: WORDS_PER_MINUTE,
            near_duplicate_bits: DEFAULT_MAX_DISTANCE,
        }
    }
}

impl EnrichConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Enrich, BuildError> {
        self.validate()?;
        Ok(Enrich::new(self.words_per_minute))
    }

    /// Validates the config and builds the near-duplicate index the host keeps across
    /// records.
    pub fn duplicate_index(&self) -> Result<DuplicateIndex, BuildError> {
        self.validate()?;
        Ok(DuplicateIndex::new(self.near_duplicate_bits))
    }

    fn validate(&self) -> Result<(), BuildError> {
        if !(10..=2000).contains(&self.words_per_minute) {
            return Err(BuildError::Invalid(format!(
                "words_per_minute must be between 10 and 2000, not {}",
                self.words_per_minute
            )));
        }
        if self.near_duplicate_bits > MAX_DISTANCE_LIMIT {
            return Err(BuildError::Invalid(format!(
                "near_duplicate_bits must be at most {MAX_DISTANCE_LIMIT}, not {}",
                self.near_duplicate_bits
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
        assert_eq!(config.duplicate_index().unwrap().max_distance(), 6);
    }

    #[test]
    fn out_of_range_settings_are_refused_naming_the_key() {
        let config = EnrichConfig {
            near_duplicate_bits: 40,
            ..EnrichConfig::default()
        };
        let err = config.build().err().unwrap().to_string();
        assert!(
            err.starts_with("plugins.enrich: near_duplicate_bits"),
            "{err}"
        );
        let config = EnrichConfig {
            words_per_minute: 0,
            ..EnrichConfig::default()
        };
        assert!(config.duplicate_index().is_err());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let result: Result<EnrichConfig, _> =
            serde_json::from_value(serde_json::json!({"words_per_minut": 200}));
        assert!(result.is_err());
    }
}
