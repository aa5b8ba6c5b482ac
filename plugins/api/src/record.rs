//! The normalized record: one JSON object per input document (SPEC §3).
//!
//! Field order here is the order in which records are written, so output is stable. Maps are
//! `BTreeMap`s or `serde_json::Map` (sorted keys), never hash maps.

use std::collections::BTreeMap;
use std::io::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::format::Format;

/// The value of [`Record::schema`] for records of this shape.
pub const SCHEMA: &str = "docnorm.record/1";

/// One normalized document.
///
/// Unknown values are `null` or empty, never guessed: a field is filled only when the document
/// supports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Always [`SCHEMA`]; lets consumers recognise the record's shape.
    pub schema: String,
    /// Stable id derived from the normalized content (lower-case hex), see [`Record::content_id`].
    pub id: String,
    /// Where the document came from and how it was read.
    pub source: Source,
    /// The document's headline.
    pub title: Option<String>,
    /// The standfirst or dek: one or two sentences under the headline.
    pub subtitle: Option<String>,
    /// An excerpt or description the source gives for the document.
    pub summary: Option<String>,
    /// The article text as plain text, paragraphs separated by a blank line.
    pub body: String,
    /// The people who wrote the document.
    pub authors: Vec<Author>,
    /// When the document was first published: RFC 3339 in UTC when the source gives a zone; a
    /// date and time without offset when it gives none (never guessed); a bare date when only
    /// the day is known.
    pub published: Option<String>,
    /// When the document was last updated, same form as `published`.
    pub updated: Option<String>,
    /// The organisation that published the document.
    pub publisher: Option<Publisher>,
    /// Where the document came from on the web.
    pub url: Option<String>,
    /// ISO 639-1 language code of the document.
    pub language: Option<String>,
    /// Tags, categories and keywords given by the source.
    pub topics: Vec<String>,
    /// Images the document shows or declares.
    pub images: Vec<Image>,
    /// Other documents the source links to: teaser lists, "read more" boxes.
    pub related: Vec<Related>,
    /// Counts derived from the body.
    pub stats: Stats,
    /// Hashes for exact and near-duplicate detection.
    pub fingerprints: Fingerprints,
    /// Named things found in title and body.
    pub entities: Entities,
    /// Ids of earlier records this one nearly duplicates.
    pub duplicates: Vec<String>,
    /// Every source field the schema has no place for, unchanged.
    pub extra: Map<String, Value>,
    /// How the record was built.
    pub provenance: Provenance,
    /// Things a user should know about the record: values dropped, guesses declined.
    pub warnings: Vec<String>,
}

/// Where a document came from and how it was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The path the document was read from, as given; in the daemon, where the file was
    /// dropped (the inbox).
    pub path: String,
    /// Where the daemon moved the input once this record was written (in `done/`); absent
    /// when the input was not moved (`docnorm process`, `spool.on_success` `keep` or
    /// `delete`, a file of several documents of which some failed: see its `.error.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// The file name part of `path`.
    pub name: String,
    /// Size of the file as stored (before decompression).
    pub bytes: u64,
    /// SHA-256 of the file as stored, lower-case hex.
    pub sha256: String,
    /// The media type the content was sniffed as, e.g. `text/html`.
    pub media_type: String,
    /// The character encoding the text was decoded from (`UTF-8`, `windows-1252`, …), or null
    /// for binary content.
    pub encoding: Option<String>,
    /// The format the content was sniffed as, e.g. `frontmatter`.
    pub format: Format,
    /// The file's modification time, RFC 3339 UTC, when known.
    pub modified: Option<String>,
    /// When docnorm read the file, RFC 3339 UTC; differs between runs by design.
    pub received: Option<String>,
}

/// One author of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Author {
    /// The author's name as a person would write it.
    pub name: String,
    /// A biography line the document gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// A page about the author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The organisation that published a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// The publisher's name, e.g. `The Week`.
    pub name: String,
    /// The publisher's web domain, e.g. `theweek.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// An image a document shows or declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Where the image is.
    pub url: String,
    /// Width in pixels, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// The image's caption or alternative text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// Another document the source points to, such as a teaser after the article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// The other document's headline.
    pub title: String,
    /// Where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its teaser text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The section label shown with it, e.g. `Under the Radar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Its authors' names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<String>>,
    /// When it was published, same form as [`Record::published`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// Counts derived from the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stats {
    /// Words in the body.
    pub words: u64,
    /// Unicode scalar values in the body.
    pub characters: u64,
    /// Paragraphs in the body.
    pub paragraphs: u64,
    /// Estimated reading time in whole minutes, rounded up.
    pub reading_minutes: u64,
}

/// Hashes of the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fingerprints {
    /// SHA-256 of the body text, lower-case hex; null until computed.
    pub body_sha256: Option<String>,
    /// 64-bit `SimHash` of the body's word shingles as 16 lower-case hex digits; null until computed.
    pub simhash: Option<String>,
}

/// Named things found in the title and body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entities {
    /// People, full names preferred.
    pub people: Vec<String>,
    /// Countries, cities, regions.
    pub places: Vec<String>,
    /// Companies, institutions, news outlets.
    pub organizations: Vec<String>,
}

/// How a record was built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The plugins that contributed to the record, in chain order.
    pub plugins: Vec<PluginRun>,
    /// For each record field, the plugin that last wrote it.
    pub fields: BTreeMap<String, String>,
    /// Text that a plugin removed from the document, with the reason.
    pub removed: Vec<Removed>,
}

/// One plugin's contribution to a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginRun {
    /// The plugin's name.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// How long the plugin took, in microseconds; differs between runs by design.
    pub micros: u64,
}

/// A piece of the document a plugin removed.
///
/// Plugins that remove whole lines (the `text` plugin) give one entry per run of consecutive
/// lines removed for the same reason (blank lines between them do not break the run), with
/// the run's `lines`; a record lists at most [`RemovedLines::MAX_ENTRIES`] entries and
/// [`RemovedLines::MAX_TEXT_BYTES`] bytes of removed text per plugin, and a warning counts
/// what it leaves out (see [`RemovedLines`]).
///
/// [`RemovedLines`]: crate::RemovedLines
/// [`RemovedLines::MAX_ENTRIES`]: crate::RemovedLines::MAX_ENTRIES
/// [`RemovedLines::MAX_TEXT_BYTES`]: crate::RemovedLines::MAX_TEXT_BYTES
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Removed {
    /// The removed text: one line, or the lines of a run joined by line breaks.
    pub text: String,
    /// Why it was removed, e.g. `promotion`.
    pub reason: String,
    /// The plugin that removed it.
    pub plugin: String,
    /// The lines the text was on, when the plugin removed whole lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<LineRange>,
}

/// A run of lines of the document, numbered from 1, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRange {
    /// The first line of the run.
    pub first: u64,
    /// The last line of the run (equal to `first` for a single line).
    pub last: u64,
}

impl Source {
    /// A `source` from its JSON, keeping only the keys this build knows, so that a plugin keeps
    /// working when a newer host adds one.
    pub fn lenient(value: Value) -> Result<Self, String> {
        let bad = |e: serde_json::Error| format!("source is not valid: {e}");
        let Value::Object(mut map) = value else {
            return Err("source is not valid: not a JSON object".to_owned());
        };
        if let Ok(source) = Self::deserialize(&Value::Object(map.clone())) {
            return Ok(source);
        }
        if let Ok(Value::Object(known)) = serde_json::to_value(Self::default()) {
            map.retain(|key, _| known.contains_key(key));
        }
        Self::deserialize(Value::Object(map)).map_err(bad)
    }
}

impl Record {
    /// An empty record for a document read from `source`: every field unknown.
    pub fn new(source: Source) -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            id: String::new(),
            source,
            title: None,
            subtitle: None,
            summary: None,
            body: String::new(),
            authors: Vec::new(),
            published: None,
            updated: None,
            publisher: None,
            url: None,
            language: None,
            topics: Vec::new(),
            images: Vec::new(),
            related: Vec::new(),
            stats: Stats::default(),
            fingerprints: Fingerprints::default(),
            entities: Entities::default(),
            duplicates: Vec::new(),
            extra: Map::new(),
            provenance: Provenance::default(),
            warnings: Vec::new(),
        }
    }

    /// The record's content id: BLAKE3 over the canonical JSON of every field that describes
    /// the document itself, truncated to 128 bits (32 hex digits).
    ///
    /// Left out are the fields that describe one reading of it: `id`, `source` (path, name,
    /// times), `provenance` (timings), `duplicates` (depends on what came before) and
    /// `warnings`. So the same content dropped twice under two names gets the same id, and
    /// any change to what the record says about the document changes it.
    pub fn content_id(&self) -> String {
        let content = Content {
            schema: &self.schema,
            title: &self.title,
            subtitle: &self.subtitle,
            summary: &self.summary,
            body: &self.body,
            authors: &self.authors,
            published: &self.published,
            updated: &self.updated,
            publisher: &self.publisher,
            url: &self.url,
            language: &self.language,
            topics: &self.topics,
            images: &self.images,
            related: &self.related,
            stats: &self.stats,
            fingerprints: &self.fingerprints,
            entities: &self.entities,
            extra: &self.extra,
        };
        // Struct fields serialize in a fixed order and `extra` (no `preserve_order`) in
        // sorted key order, so this JSON is canonical; it streams into the hasher through a
        // buffer (the serializer writes a few bytes at a time, and the hasher is fastest fed
        // whole kilobytes).
        let mut hasher = blake3::Hasher::new();
        let mut buffered = std::io::BufWriter::with_capacity(16 * 1024, &mut hasher);
        serde_json::to_writer(&mut buffered, &content)
            .and_then(|()| buffered.flush().map_err(serde_json::Error::io))
            .expect("serializing to a hasher cannot fail");
        drop(buffered);
        hasher.finalize().to_hex()[..32].to_owned()
    }
}

/// The fields of a [`Record`] that describe the document itself: what its id is derived from.
#[derive(Serialize)]
struct Content<'a> {
    schema: &'a str,
    title: &'a Option<String>,
    subtitle: &'a Option<String>,
    summary: &'a Option<String>,
    body: &'a str,
    authors: &'a [Author],
    published: &'a Option<String>,
    updated: &'a Option<String>,
    publisher: &'a Option<Publisher>,
    url: &'a Option<String>,
    language: &'a Option<String>,
    topics: &'a [String],
    images: &'a [Image],
    related: &'a [Related],
    stats: &'a Stats,
    fingerprints: &'a Fingerprints,
    entities: &'a Entities,
    extra: &'a Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_id_ignores_where_the_document_came_from() {
        let mut a = Record::new(Source {
            path: "a.txt".into(),
            ..Source::default()
        });
        a.body = "Same text".into();
        let mut b = Record::new(Source {
            path: "b.txt".into(),
            ..Source::default()
        });
        b.body = "Same text".into();
        assert_eq!(a.content_id(), b.content_id());
        b.title = Some("A title".into());
        assert_ne!(a.content_id(), b.content_id());
        assert_eq!(a.content_id().len(), 32);
    }

    #[test]
    fn the_fields_are_those_of_the_record_in_order() {
        let json = serde_json::to_string(&Record::new(Source::default())).unwrap();
        let mut at = 0;
        for field in crate::Field::RECORD {
            let key = format!("\"{}\":", field.name());
            let found = json[at..].find(&key).map(|i| at + i);
            assert!(
                found.is_some(),
                "`{field}` missing or out of order in {json}"
            );
            at = found.unwrap_or(at);
        }
        let value = serde_json::to_value(Record::new(Source::default())).unwrap();
        assert_eq!(value.as_object().unwrap().len(), crate::Field::RECORD.len());
    }
}
