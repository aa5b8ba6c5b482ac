//! The configuration file: one YAML document, every section checked for unknown keys.
//!
//! Each section's struct lives next to the code that uses it (`read::ReadConfig`, each
//! plugin's own config in its crate); this module ties them together and loads the file.
//! Every default is in code, so an empty file (or none at all) is a complete config.

mod problem;

use std::path::Path;

use docnorm_enrich::EnrichConfig;
use docnorm_frontmatter::FrontmatterConfig;
use docnorm_html::HtmlConfig;
use docnorm_plugin_api::{Plugin, PluginConfig};
use docnorm_text::TextConfig;
use schemars::JsonSchema;
use serde::Deserialize;

pub use problem::Problem;

use crate::custom::CustomPlugin;
use crate::duplicates::DuplicatesConfig;
use crate::limits::RunLimits;
use crate::metrics::MetricsConfig;
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
    /// Custom plugins, each named in `chain` by its `name`: native libraries or programs in
    /// any language (see docs/plugins.md).
    #[serde(default)]
    pub custom: Vec<CustomPlugin>,
    /// `docnorm run`: the folders files pass through.
    #[serde(default)]
    pub spool: SpoolConfig,
    /// `docnorm run`: how the inbox is watched.
    #[serde(default)]
    pub watch: WatchLimits,
    /// `docnorm run`: concurrency, time limit, attempts, shutdown.
    #[serde(default)]
    pub run: RunLimits,
    /// `docnorm run`: where its metrics are exposed (nowhere by default).
    #[serde(default)]
    pub metrics: MetricsConfig,
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
            metrics: MetricsConfig::default(),
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
    #[error("{path}: cannot read config: {reason}")]
    Read {
        /// The config file.
        path: String,
        /// What went wrong (not a `source`: the message says it, once).
        reason: std::io::Error,
    },
    /// The YAML is malformed or does not fit the config (unknown key, wrong type).
    #[error("{path}: invalid config: {problem}")]
    Invalid {
        /// The config file.
        path: String,
        /// What is wrong, where, and the lines around it.
        problem: Problem,
    },
}

impl Config {
    /// Loads and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|reason| ConfigError::Read {
            path: display.clone(),
            reason,
        })?;
        let mut config = Self::parse(&text, &display).map_err(|problem| ConfigError::Invalid {
            path: display,
            problem,
        })?;
        let folder = path.parent().unwrap_or(Path::new("."));
        for custom in &mut config.custom {
            custom.resolve_against(folder);
        }
        Ok(config)
    }

    /// Parses config text read from `file`; the error names what is wrong and where.
    pub fn parse(text: &str, file: &str) -> Result<Self, Problem> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let config: Self = problem::deserialize(text, file)?;
        crate::custom::check_names(&config.custom, PluginsConfig::NAMES).map_err(Problem::new)?;
        if let Some(nats) = &config.queue.nats {
            crate::nats::check(nats, config.run.plugin_time_limit).map_err(Problem::new)?;
        }
        Ok(config)
    }

    /// The config at `path`, or the embedded defaults when there is none.
    pub fn load_or_default(path: Option<&Path>) -> Result<Self, ConfigError> {
        path.map_or_else(|| Ok(Self::default()), Self::load)
    }

    /// Like [`load_or_default`](Self::load_or_default), for a reload (SIGHUP): an empty file
    /// is refused. At start it means the built-in defaults, but on a reload it is far more
    /// likely a file caught half-written, and would silently change every setting.
    pub fn reload(path: Option<&Path>) -> Result<Self, ConfigError> {
        if let Some(path) = path
            && std::fs::read(path).is_ok_and(|text| text.trim_ascii().is_empty())
        {
            return Err(ConfigError::Invalid {
                path: path.display().to_string(),
                problem: Problem::new(
                    "the config file is empty (an empty file means the built-in defaults only at start)",
                ),
            });
        }
        Self::load_or_default(path)
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
        let err = Config::parse("read:\n  max_bytes: 10\n  max_bites: 5\n", "a.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown key `max_bites` in `read`"), "{err}");
        assert!(err.contains("a.yaml:3:3"), "{err}");
    }
}
