//! The docnorm plugin contract.
//!
//! Every document that docnorm reads becomes one [`Record`]. The record is built by a
//! [`Chain`] of [`Plugin`]s: each plugin declares in its [`Manifest`] which record fields it
//! reads and which it writes, receives the document's bytes plus a JSON object holding the
//! fields it reads, and answers with a JSON merge patch (RFC 7396) or declines. The chain
//! checks every patch against the plugin's declared writes and the record's types before
//! applying it, and keeps provenance: which plugin wrote which field and how long each ran.
//!
//! This crate does no file or network I/O; the daemon reads files and hands the chain a
//! [`Document`].
//!
//! ```
//! use docnorm_plugin_api::{Chain, Document, Field, Manifest, Outcome, Patch, Plugin, PluginError, slot};
//! use serde_json::{Map, Value};
//!
//! /// Uses the first line of a text document as its title.
//! struct FirstLine(Manifest);
//!
//! impl Plugin for FirstLine {
//!     fn manifest(&self) -> &Manifest {
//!         &self.0
//!     }
//!     fn process(&self, doc: &Document<'_>, _fields: &Map<String, Value>) -> Result<Outcome, PluginError> {
//!         let Some(text) = doc.text else { return Ok(Outcome::Decline) };
//!         let title = text.lines().next().unwrap_or_default();
//!         let mut patch = Patch::new();
//!         patch.set_text(slot::TITLE, title).set_text(slot::BODY, text);
//!         Ok(patch.into())
//!     }
//! }
//!
//! let plugin = FirstLine(Manifest::new("first_line", "1.0.0", &[], &[Field::Title, Field::Body]));
//! let chain = Chain::new(vec![Box::new(plugin)]).unwrap();
//! let text = "Hello\n\nWorld";
//! let record = chain.run(&Document::for_text("a.txt", text)).unwrap();
//! assert_eq!(record.title.as_deref(), Some("Hello"));
//! assert_eq!(record.provenance.fields["title"], "first_line");
//! ```
#![warn(missing_docs)]

mod chain;
pub mod deadline;
mod document;
mod error;
mod field;
mod format;
pub mod native;
mod patch;
mod plugin;
pub mod protocol;
mod record;
mod removed;
pub mod testing;

pub use chain::{Chain, EMPTY_BODY_WARNING, MAX_PATCH_BYTES, MAX_PATCH_VALUES};
pub use document::Document;
pub use error::{ChainError, PluginError, panic_message};
pub use field::{Field, Slot, UnknownField, slot};
pub use format::Format;
pub use patch::{Patch, merge_patch};
pub use plugin::{ExplainedLine, Explanation, Manifest, Outcome, Plugin, PluginConfig};
pub use record::{
    Author, Entities, Fingerprints, Image, LineRange, PluginRun, Provenance, Publisher, Record,
    Related, Removed, SCHEMA, Source, Stats,
};
pub use removed::RemovedLines;
/// The JSON crate of the plugin contract, re-exported so that a plugin uses the same version.
pub use serde_json;
