//! The `Plugin` trait and the manifest every plugin declares.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::Document;
use crate::error::PluginError;
use crate::field::Field;

/// What a plugin is and which record fields it touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The plugin's name: its config key, span field and the name in every error about it.
    pub name: String,
    /// The plugin's version, recorded in `provenance.plugins`.
    pub version: String,
    /// Top-level record fields the plugin is given, e.g. `source`, `body`.
    pub reads: Vec<Field>,
    /// Top-level record fields the plugin may write, plus [`Field::Removed`] for plugins
    /// that remove text. The chain rejects a patch touching anything else.
    pub writes: Vec<Field>,
}

impl Manifest {
    /// A manifest from slices of fields.
    pub fn new(name: &str, version: &str, reads: &[Field], writes: &[Field]) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            reads: reads.to_vec(),
            writes: writes.to_vec(),
        }
    }
}

/// A plugin's answer for one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The document is not the plugin's kind; the record is left as it is.
    Decline,
    /// A JSON merge patch (RFC 7396) to apply to the record. Two log-like fields are appended
    /// to instead of replaced: `warnings` and `provenance.removed`.
    Patch(Map<String, Value>),
}

impl Outcome {
    /// A patch from a JSON value; anything but an object patches nothing.
    pub fn patch(value: Value) -> Self {
        match value {
            Value::Object(map) => Self::Patch(map),
            _ => Self::Patch(Map::new()),
        }
    }
}

/// One step of the chain.
///
/// Implementations must be cheap to call concurrently: the daemon runs documents in parallel
/// through one shared chain.
pub trait Plugin: Send + Sync {
    /// The plugin's name, version and declared reads and writes.
    fn manifest(&self) -> &Manifest;

    /// Looks at one document and answers with a patch, or declines.
    ///
    /// `fields` holds exactly the record fields named in the manifest's `reads`.
    fn process(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError>;

    /// How the plugin reads `doc`, line by line, for `docnorm explain`; `None` (the default)
    /// when it does not explain itself or declines the document.
    fn explain(&self, doc: &Document<'_>) -> Option<Explanation> {
        let _ = doc;
        None
    }
}

/// What a plugin says about how it read one document, line by line, for `docnorm explain`.
///
/// A plugin that makes line-by-line decisions (what it kept, what it used as a title, what it
/// removed and why) offers them through [`Plugin::explain`]; the host prints them without
/// knowing how the plugin works inside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The document's lines (or blocks), in order.
    pub lines: Vec<ExplainedLine>,
}

/// One line (or block) of an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedLine {
    /// Its line number in the document, from 1.
    pub number: usize,
    /// What the plugin made of it: `kept`, `title`, `author`, `removed`, … (empty for a blank
    /// line).
    pub role: String,
    /// Why it was removed, for a removed line.
    pub reason: Option<String>,
    /// Its text.
    pub text: String,
}

/// The config type of a built-in plugin: its section under `plugins` in the config, named
/// [`NAME`](Self::NAME), and how the running plugin is built from it. The host keeps one table
/// of these, so adding a built-in plugin is one line there.
pub trait PluginConfig: Default {
    /// The plugin's name in `chain`, its config section and its manifest.
    const NAME: &'static str;

    /// Checks the settings and builds the running plugin.
    fn build_plugin(&self) -> Result<Box<dyn Plugin>, Box<dyn std::error::Error + Send + Sync>>;
}
