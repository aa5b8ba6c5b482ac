//! Test-only plugins, compiled only with the `test-plugins` feature (which `cargo test`
//! turns on and release builds never have).
//!
//! `test_sleep` makes the daemon's time limit testable with a real hang: a document whose
//! text holds a line `docnorm-test-sleep-ms: N` keeps the plugin busy for N milliseconds;
//! every other document is declined. Put it first in a test's `chain`.

use std::time::Duration;

use docnorm_plugin_api::{Document, Manifest, Outcome, Plugin, PluginError};
use serde_json::{Map, Value};

/// The test plugin's name in a config's `chain`.
pub const SLEEP: &str = "test_sleep";

const MARKER: &str = "docnorm-test-sleep-ms:";

/// The running `test_sleep` plugin.
pub struct Sleep {
    manifest: Manifest,
}

impl Sleep {
    /// The plugin; it has no settings.
    pub fn new() -> Self {
        Self {
            manifest: Manifest::new(SLEEP, env!("CARGO_PKG_VERSION"), &[], &[]),
        }
    }
}

impl Default for Sleep {
    fn default() -> Self {
        Self::new()
    }
}

impl Plugin for Sleep {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let millis = doc.text.and_then(|text| {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(MARKER))
                .and_then(|n| n.trim().parse::<u64>().ok())
        });
        if let Some(millis) = millis {
            std::thread::sleep(Duration::from_millis(millis));
        }
        Ok(Outcome::Decline)
    }
}
