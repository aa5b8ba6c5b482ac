//! `probe`: a test-only native plugin that misbehaves on request, so the end-to-end tests can
//! check what the host does about it. It also stands in for a cheap extractor and as the no-op
//! plugin of the benchmark.
//!
//! Options (all optional):
//! - `body_from_text`: when no plugin has set `body`, set it to the document's text;
//! - `panic_on`: panic on a document whose text contains this marker;
//! - `undeclared_on`: on a document containing this marker, patch `title`, which the plugin
//!   does not declare as a write;
//! - `fail_on`: report an invalid document when its text contains this marker;
//! - `abort_on`: abort the whole process (as a crashing native library does) on a document
//!   whose text contains this marker;
//! - `sleep_marker`: on a document with a line `<marker> N`, sleep N milliseconds first (a
//!   slow or hanging plugin, for the daemon's time limit);
//! - `exit_on`: end the process with `exit(0)` on a document containing this marker.
//!
//! Without options it declines every document: a no-op that still crosses the ABI.
//!
//! When the library is loaded, before the host calls any of its functions, a constructor
//! writes a marker file if `DOCNORM_PROBE_LOADED` names one: the tests see from it whether
//! any code of the library ran.

use docnorm_plugin_api::native::NativePlugin;
use docnorm_plugin_api::serde_json::{Map, Value, json};
use docnorm_plugin_api::{Document, Field, Manifest, Outcome, Plugin, PluginError};

docnorm_plugin_api::export_plugin!(Probe);

/// Runs when the library is loaded, as a C constructor would.
#[used]
#[allow(unsafe_code)]
// SAFETY: `.init_array` holds pointers to functions that take no arguments, as this one.
#[unsafe(link_section = ".init_array")]
static ON_LOAD: extern "C" fn() = on_load;

extern "C" fn on_load() {
    if let Some(marker) = std::env::var_os("DOCNORM_PROBE_LOADED") {
        let _ = std::fs::write(marker, b"the probe library was loaded\n");
    }
}

/// The running probe.
pub struct Probe {
    manifest: Manifest,
    body_from_text: bool,
    panic_on: Option<String>,
    undeclared_on: Option<String>,
    fail_on: Option<String>,
    abort_on: Option<String>,
    sleep_marker: Option<String>,
    exit_on: Option<String>,
}

impl NativePlugin for Probe {
    fn declare() -> Manifest {
        Manifest::new(
            "probe",
            env!("CARGO_PKG_VERSION"),
            &[Field::Body],
            &[Field::Body, Field::Extra],
        )
    }

    fn new(options: Value) -> Result<Self, String> {
        let text = |key: &str| options.get(key).and_then(Value::as_str).map(str::to_owned);
        Ok(Self {
            manifest: Self::declare(),
            body_from_text: options.get("body_from_text").and_then(Value::as_bool) == Some(true),
            panic_on: text("panic_on"),
            undeclared_on: text("undeclared_on"),
            fail_on: text("fail_on"),
            abort_on: text("abort_on"),
            sleep_marker: text("sleep_marker"),
            exit_on: text("exit_on"),
        })
    }
}

impl Plugin for Probe {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let text = doc.text.unwrap_or_default();
        if let Some(millis) = self.sleep_marker.as_deref().and_then(|marker| {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(marker))
                .and_then(|n| n.trim().parse::<u64>().ok())
        }) {
            std::thread::sleep(std::time::Duration::from_millis(millis));
        }
        let marked = |marker: &Option<String>| marker.as_deref().is_some_and(|m| text.contains(m));
        if marked(&self.abort_on) {
            std::process::abort();
        }
        assert!(
            !marked(&self.panic_on),
            "probe was asked to panic on {}",
            doc.path
        );
        if marked(&self.exit_on) {
            #[allow(clippy::disallowed_methods)] // Misbehaving is the point.
            std::process::exit(0);
        }
        if marked(&self.fail_on) {
            return Err(PluginError::Invalid("probe was asked to fail".to_owned()));
        }
        if marked(&self.undeclared_on) {
            return Ok(Outcome::patch(json!({ "title": "not mine to write" })));
        }
        let body_missing = fields
            .get("body")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if self.body_from_text && body_missing && !text.is_empty() {
            return Ok(Outcome::patch(
                json!({ "body": text, "extra": { "probe": "body from text" } }),
            ));
        }
        Ok(Outcome::Decline)
    }
}
