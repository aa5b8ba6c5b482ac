//! The configuration file: one YAML document, every section checked for unknown keys.
//!
//! Each section's struct lives next to the code that uses it (`read::ReadConfig`, each
//! plugin's own config in its crate); this module ties them together and loads the file.
//! Every default is in code, so an empty file (or none at all) is a complete config.

use std::path::Path;

use docnorm_enrich::EnrichConfig;
use docnorm_frontmatter::FrontmatterConfig;
use docnorm_html::HtmlConfig;
use docnorm_plugin_api::{Plugin, PluginConfig};
use docnorm_text::TextConfig;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::duplicates::DuplicatesConfig;
use crate::limits::RunLimits;
use crate::native::CustomPluginConfig;
use crate::nats::QueueConfig;
use crate::read::ReadConfig;
use crate::spool::SpoolConfig;
use crate::watch::WatchLimits;

/// The built-in plugins, in their default chain order: the one table of them. Each entry is a
/// section of [`PluginsConfig`], named after the plugin ([`PluginConfig::NAME`]).
macro_rules! built_in_plugins {
    ($($(#[$doc:meta])* $field:ident: $config:ty),* $(,)?) => {
        /// Settings of the built-in plugins, one section each.
        #[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct PluginsConfig {
            $($(#[$doc])* pub $field: $config,)*
        }

        impl PluginsConfig {
            /// The names of the built-in plugins, in their default chain order.
            pub const NAMES: &[&str] = &[$(<$config as PluginConfig>::NAME),*];

            /// Builds the built-in plugin `name`; `None` when no built-in has that name.
            pub fn build(&self, name: &str) -> Option<anyhow::Result<Box<dyn Plugin>>> {
                $(
                    if name == <$config as PluginConfig>::NAME {
                        return Some(self.$field.build_plugin().map_err(anyhow::Error::from_boxed));
                    }
                )*
                None
            }
        }

        $(
            const _: () = assert!(
                same(stringify!($field), <$config as PluginConfig>::NAME),
                "a built-in plugin's section is named after the plugin"
            );
        )*
    };
}

built_in_plugins! {
    /// The front-matter and JSON plugin.
    frontmatter: FrontmatterConfig,
    /// The HTML plugin.
    html: HtmlConfig,
    /// The plain-text plugin.
    text: TextConfig,
    /// The enricher.
    enrich: EnrichConfig,
}

/// Whether two strings are equal, at compile time.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A whole docnorm configuration.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Limits of the read stage.
    #[serde(default)]
    pub read: ReadConfig,
    /// The plugins every document passes through, in order.
    #[serde(default = "default_chain")]
    pub chain: Vec<String>,
    /// Settings of the built-in plugins, one section each.
    #[serde(default)]
    pub plugins: PluginsConfig,
    /// How records that nearly duplicate earlier ones are found.
    #[serde(default)]
    pub duplicates: DuplicatesConfig,
    /// Custom native plugins, each named in `chain` by its `name` (see docs/plugins.md).
    #[serde(default)]
    pub custom: Vec<CustomPluginConfig>,
    /// `docnorm run`: the folders files pass through.
    #[serde(default)]
    pub spool: SpoolConfig,
    /// `docnorm run`: how the inbox is watched.
    #[serde(default)]
    pub watch: WatchLimits,
    /// `docnorm run`: concurrency, time limit, attempts, shutdown.
    #[serde(default)]
    pub run: RunLimits,
    /// Scale-out: a message broker the daemon's work goes through (docs/scale-out.md).
    #[serde(default)]
    pub queue: QueueConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            read: ReadConfig::default(),
            chain: default_chain(),
            plugins: PluginsConfig::default(),
            duplicates: DuplicatesConfig::default(),
            custom: Vec::new(),
            spool: SpoolConfig::default(),
            watch: WatchLimits::default(),
            run: RunLimits::default(),
            queue: QueueConfig::default(),
        }
    }
}

fn default_chain() -> Vec<String> {
    PluginsConfig::NAMES
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// Why a config could not be loaded. Callers exit with `EX_CONFIG` (78).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {source}")]
    Read {
        /// The config file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not fit the config (unknown key, wrong type).
    #[error("{path}: invalid config: {message}")]
    Invalid {
        /// The config file.
        path: String,
        /// What is wrong, with its line and column.
        message: String,
    },
}

impl Config {
    /// Loads and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: display.clone(),
            source,
        })?;
        let mut config = Self::parse(&text).map_err(|message| ConfigError::Invalid {
            path: display,
            message,
        })?;
        let folder = path.parent().unwrap_or(Path::new("."));
        for custom in &mut config.custom {
            custom.resolve_against(folder);
        }
        Ok(config)
    }

    /// Parses config text; the error names what is wrong and where.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let config: Self = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        crate::native::check_config(&config.custom, PluginsConfig::NAMES)?;
        if let Some(nats) = &config.queue.nats {
            crate::nats::check(nats, config.run.plugin_time_limit)?;
        }
        Ok(config)
    }

    /// The config at `path`, or the embedded defaults when there is none.
    pub fn load_or_default(path: Option<&Path>) -> Result<Self, ConfigError> {
        path.map_or_else(|| Ok(Self::default()), Self::load)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/docnorm.example.yaml");
        let config = Config::load(&path).unwrap();
        assert_eq!(config.chain, PluginsConfig::NAMES);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_place() {
        let err = Config::parse("read:\n  max_bytes: 10\n  max_bites: 5\n").unwrap_err();
        assert!(err.contains("max_bites"), "{err}");
        assert!(err.contains("line 3") || err.contains("3:3"), "{err}");
    }
}
