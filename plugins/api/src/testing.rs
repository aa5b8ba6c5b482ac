//! A test helper for native plugin authors: runs a [`NativePlugin`] in-process, through the
//! same ABI functions, JSON encoding and panic guards as a loaded library, without building
//! one.
//!
//! ```
//! use docnorm_plugin_api::native::NativePlugin;
//! use docnorm_plugin_api::testing::Harness;
//! use docnorm_plugin_api::{Document, Field, Manifest, Outcome, Plugin, PluginError};
//! use serde_json::{Map, Value, json};
//!
//! struct Shout(Manifest);
//!
//! impl NativePlugin for Shout {
//!     fn declare() -> Manifest {
//!         Manifest::new("shout", "1.0.0", &[Field::Title], &[Field::Title])
//!     }
//!     fn new(_options: Value) -> Result<Self, String> {
//!         Ok(Self(Self::declare()))
//!     }
//! }
//!
//! impl Plugin for Shout {
//!     fn manifest(&self) -> &Manifest {
//!         &self.0
//!     }
//!     fn process(&self, _: &Document<'_>, fields: &Map<String, Value>) -> Result<Outcome, PluginError> {
//!         let Some(title) = fields["title"].as_str() else { return Ok(Outcome::Decline) };
//!         Ok(Outcome::patch(json!({ "title": title.to_uppercase() })))
//!     }
//! }
//!
//! let shout = Harness::new::<Shout>(&json!(null)).unwrap();
//! let outcome = shout.process_text("some text", json!({ "title": "hello" })).unwrap();
//! assert_eq!(outcome, Outcome::patch(json!({ "title": "HELLO" })));
//! ```

use serde_json::Value;

use crate::document::Document;
use crate::error::PluginError;
use crate::native::{NativeError, NativeInstance, NativeManifest, NativePlugin, export};
use crate::plugin::{Outcome, Plugin};

/// A native plugin made from its options and called through its ABI table, in-process.
#[derive(Debug)]
pub struct Harness {
    plugin: NativeInstance,
}

impl Harness {
    /// Makes plugin `T` from `options` as the host would: manifest first, then `init`.
    pub fn new<T: NativePlugin>(options: &Value) -> Result<Self, NativeError> {
        let opened = export::open_in_process::<T>()?;
        let name = opened.manifest().name.clone();
        Ok(Self {
            plugin: opened.init(&name, options)?,
        })
    }

    /// What the plugin declares.
    pub fn manifest(&self) -> &NativeManifest {
        self.plugin.declared()
    }

    /// The plugin as the chain sees it, to put in a [`Chain`](crate::Chain).
    pub fn into_plugin(self) -> NativeInstance {
        self.plugin
    }

    /// Processes `doc` with the record fields in `fields` (a JSON object); as the host does,
    /// only the fields the plugin declares it reads are passed on.
    pub fn process(&self, doc: &Document<'_>, fields: Value) -> Result<Outcome, PluginError> {
        let Value::Object(mut fields) = fields else {
            return Err(PluginError::Other(
                "fields must be a JSON object".to_owned(),
            ));
        };
        let reads = &self.plugin.declared().reads;
        fields.retain(|key, _| reads.iter().any(|field| field.name() == key));
        self.plugin.process(doc, &fields)
    }

    /// Processes a plain-text document holding `text`; see [`Harness::process`].
    pub fn process_text(&self, text: &str, fields: Value) -> Result<Outcome, PluginError> {
        self.process(&Document::for_text("test.txt", text), fields)
    }
}
