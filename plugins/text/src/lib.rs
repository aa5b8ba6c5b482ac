//! The `text` plugin: plain-text heuristics that turn the copied text of a web page into title, standfirst, body, bylines, dates and teasers, listing every line it removes.
//!
//! It sits in the default chain `frontmatter → html → text → enrich` and declines documents
//! that are not its kind. The heuristics live in [`analyze`], which also tells the fate of
//! every line; `docnorm explain` prints that.
//!
//! ```
//! let page = "Home\nNews\n\nRiver floods the old town\n\nBy Jane Doe\n\n\
//!     The river burst its banks on Monday night and flooded the streets of the old town.\n\
//!     Shop owners spent the morning clearing mud and counting the cost of the damage.\n";
//! let analysis = docnorm_text::analyze(page);
//! assert_eq!(analysis.title.as_deref(), Some("River floods the old town"));
//! assert_eq!(analysis.authors[0].name, "Jane Doe");
//! assert!(analysis.body.starts_with("The river burst"));
//! ```

mod analyze;
mod lexicon;
mod lines;
mod names;
mod related;

pub use analyze::{Analysis, Fate, FoundAuthor, LineFate, Reason, analyze};
pub use related::Teaser;

use docnorm_plugin_api::{Document, Format, Manifest, Outcome, Plugin, PluginError};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "text";

/// What the user can set for the `text` plugin, under `plugins.text` in the config.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TextConfig {}

impl TextConfig {
    /// Validates the config and builds the running plugin.
    pub fn build(&self) -> Result<Text, BuildError> {
        Ok(Text {
            manifest: Manifest::new(
                NAME,
                env!("CARGO_PKG_VERSION"),
                &["source"],
                &[
                    "title",
                    "subtitle",
                    "body",
                    "authors",
                    "published",
                    "updated",
                    "publisher",
                    "related",
                    "extra",
                    "warnings",
                    "provenance.removed",
                ],
            ),
        })
    }
}

/// Why a `TextConfig` could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting is out of range.
    #[error("plugins.text: {0}")]
    Invalid(String),
}

/// The running `text` plugin.
pub struct Text {
    manifest: Manifest,
}

impl Plugin for Text {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let (Format::Text, Some(text)) = (doc.format, doc.text) else {
            return Ok(Outcome::Decline);
        };
        Ok(Outcome::Patch(patch(&analyze(text))))
    }
}

/// The record fields an analysis gives, as a merge patch; unknown fields are left out.
/// Values are built directly (no `json!`, which goes through the serializer).
fn patch(a: &Analysis<'_>) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("body".into(), Value::String(a.body.clone()));
    if let Some(t) = &a.title {
        p.insert("title".into(), string(t));
    }
    if let Some(s) = &a.subtitle {
        p.insert("subtitle".into(), string(s));
    }
    if !a.authors.is_empty() {
        let authors: Vec<Value> = a
            .authors
            .iter()
            .map(|au| {
                let mut m = Map::new();
                m.insert("name".into(), string(&au.name));
                if let Some(bio) = &au.bio {
                    m.insert("bio".into(), string(bio));
                }
                Value::Object(m)
            })
            .collect();
        p.insert("authors".into(), Value::Array(authors));
    }
    if let Some(d) = &a.published {
        p.insert("published".into(), string(d));
    }
    if let Some(d) = &a.updated {
        p.insert("updated".into(), string(d));
    }
    if let Some(name) = &a.publisher {
        let mut m = Map::new();
        m.insert("name".into(), string(name));
        p.insert("publisher".into(), Value::Object(m));
    }
    if !a.related.is_empty() {
        let related: Vec<Value> = a.related.iter().map(teaser_json).collect();
        p.insert("related".into(), Value::Array(related));
    }
    if !a.warnings.is_empty() {
        p.insert("warnings".into(), strings(&a.warnings));
    }
    let mut removed: Vec<Value> = Vec::with_capacity(
        a.lines
            .iter()
            .filter(|l| matches!(l.fate, Fate::Removed(_)))
            .count(),
    );
    removed.extend(a.lines.iter().filter_map(|l| match l.fate {
        Fate::Removed(reason) => {
            let mut m = Map::new();
            m.insert("text".into(), string(l.text));
            m.insert("reason".into(), string(reason.as_str()));
            Some(Value::Object(m))
        }
        _ => None,
    }));
    if !removed.is_empty() {
        let mut m = Map::new();
        m.insert("removed".into(), Value::Array(removed));
        p.insert("provenance".into(), Value::Object(m));
    }
    p
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn strings(list: &[String]) -> Value {
    Value::Array(list.iter().map(|s| string(s)).collect())
}

fn teaser_json(t: &Teaser) -> Value {
    let mut m = Map::new();
    m.insert("title".into(), string(&t.title));
    if let Some(s) = &t.section {
        m.insert("section".into(), string(s));
    }
    if let Some(s) = &t.summary {
        m.insert("summary".into(), string(s));
    }
    if !t.authors.is_empty() {
        m.insert("authors".into(), strings(&t.authors));
    }
    Value::Object(m)
}
