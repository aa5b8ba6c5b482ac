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
//!
//! # Modules
//!
//! One file per step of the analysis, all reading and writing one `Page` (the lines, how
//! each looks, and the fate each step claimed); imports point down this graph only, with no
//! cycle (an arrow reads "uses"):
//!
//! ```text
//! lib ─► analyze ─► classify ─┐   (step 2: prose, short, chrome; repeats)
//!           │      article ───┤   (step 3: the article's run; comment sections)
//!           │      header ────┤   (step 4: headline, standfirst) ─► vocabulary
//!           │      authors ───┤   (step 4: bylines, wire credit, bios, copyright holder)
//!           │      published ─┤   (step 4: publication and update dates)
//!           │      related ───┤   (step 4: teaser lists after the article)
//!           │      settle ────┤   (step 5: unclaimed lines, the body)
//!           ▼                 ▼
//!        analysis         meta ─► names/{byline, credit, bio, copyright, person} ─► glued
//!  (the result)            │
//!           │              ▼
//!           └──► fate ◄── page ─► lines (+ lines/measure) ─► lexicon
//! ```
//!
//! `meta` answers "is this line a byline or a date line?" for header, authors, published and
//! article; `names` reads the names themselves; `lines` measures each line once
//! (`lines/measure`) and packs the result; `lexicon` holds the word tables (function words,
//! chrome words, roles) on the toolkit's `WordTable`. Dates are read by
//! `docnorm_toolkit::dates`, the one date policy of every built-in plugin.

mod analysis;
mod analyze;
mod article;
mod authors;
mod classify;
mod fate;
mod glued;
mod header;
mod lexicon;
mod lines;
mod meta;
mod names;
mod page;
mod published;
mod related;
mod settle;
mod vocabulary;

pub use analysis::{Analysis, FoundAuthor};
pub use analyze::analyze;
pub use fate::{Fate, LineFate, Reason};
pub use related::Teaser;

use docnorm_plugin_api::{
    Author, Document, ExplainedLine, Explanation, Field, Format, Manifest, Outcome, Patch, Plugin,
    PluginConfig, PluginError, Publisher, Related, RemovedLines, deadline, slot,
};
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
                &[Field::Source, Field::Provenance],
                &[
                    Field::Title,
                    Field::Subtitle,
                    Field::Body,
                    Field::Authors,
                    Field::Published,
                    Field::Updated,
                    Field::Publisher,
                    Field::Related,
                    Field::Extra,
                    Field::Warnings,
                    Field::Removed,
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
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let Some(text) = doc.text.filter(|_| takes(doc.format, fields)) else {
            return Ok(Outcome::Decline);
        };
        let analysis = analyze(text);
        // The analysis gives up early once the deadline has passed; its result is then
        // partial and is not used.
        deadline::check()?;
        Ok(patch(analysis).into())
    }

    /// The fate of every line of a text document (see [`LineFate`]).
    fn explain(&self, doc: &Document<'_>) -> Option<Explanation> {
        let (Format::Text, Some(text)) = (doc.format, doc.text) else {
            return None;
        };
        let lines = analyze(text)
            .lines()
            .map(|line| ExplainedLine {
                number: line.number,
                role: match line.fate {
                    Fate::Blank => String::new(),
                    fate => fate.label().to_owned(),
                },
                reason: match line.fate {
                    Fate::Removed(reason) => Some(reason.as_str().to_owned()),
                    _ => None,
                },
                text: line.text.to_owned(),
            })
            .collect();
        Some(Explanation { lines })
    }
}

/// Whether the plugin reads a document of `format` given the record so far: plain text, and
/// a document whose first bytes suggested front matter or JSON but that reaches this plugin
/// with no body written (the `frontmatter` plugin tried it, found it is not, and said so in
/// `warnings`: a page copy whose first line is `[ Home ] [ Products ]`).
fn takes(format: Format, fields: &Map<String, Value>) -> bool {
    match format {
        Format::Text => true,
        Format::Frontmatter | Format::Json | Format::Jsonl => fields
            .get(Field::Provenance.name())
            .and_then(|p| p.get("fields"))
            .is_none_or(|f| f.get(Field::Body.name()).is_none()),
        _ => false,
    }
}

impl PluginConfig for TextConfig {
    const NAME: &'static str = NAME;

    fn build_plugin(&self) -> Result<Box<dyn Plugin>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Box::new(self.build()?))
    }
}

/// The record fields an analysis gives, as a merge patch; unknown fields are left out.
fn patch(mut a: Analysis<'_>) -> Patch {
    let mut patch = Patch::new();
    let (removed, omitted) = removed(&a);
    if let Some(omitted) = omitted {
        a.warnings.push(format!("{NAME}: {omitted}"));
    }
    patch.set_text(slot::BODY, std::mem::take(&mut a.body));
    let texts = [
        (slot::TITLE, &a.title),
        (slot::SUBTITLE, &a.subtitle),
        (slot::PUBLISHED, &a.published),
        (slot::UPDATED, &a.updated),
    ];
    for (slot, value) in texts {
        if let Some(value) = value {
            patch.set_text(slot, value.as_str());
        }
    }
    if !a.authors.is_empty() {
        let authors: Vec<Author> = a
            .authors
            .iter()
            .map(|author| Author {
                name: author.name.clone(),
                bio: author.bio.clone(),
                url: None,
            })
            .collect();
        patch.set(slot::AUTHORS, &authors);
    }
    if let Some(name) = &a.publisher {
        let publisher = Publisher {
            name: name.clone(),
            domain: None,
        };
        patch.set(slot::PUBLISHER, &publisher);
    }
    if !a.related.is_empty() {
        let related: Vec<Related> = a.related.iter().map(Teaser::to_related).collect();
        patch.set(slot::RELATED, &related);
    }
    if !a.warnings.is_empty() {
        patch.set_texts(slot::WARNINGS, a.warnings.iter().map(String::as_str));
    }
    patch.removed_entries(removed);
    patch
}

/// The `provenance.removed` entries: a run of lines removed for one reason is one entry.
fn removed(a: &Analysis<'_>) -> (Vec<Value>, Option<String>) {
    let mut removed = RemovedLines::default();
    for line in a.lines() {
        match line.fate {
            Fate::Removed(reason) => removed.remove(line.number as u64, line.text, reason.as_str()),
            Fate::Blank => {}
            _ => removed.keep(),
        }
    }
    removed.finish()
}
