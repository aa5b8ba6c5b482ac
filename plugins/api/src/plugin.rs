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
}
