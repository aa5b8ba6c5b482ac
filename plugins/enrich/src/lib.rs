//! The `enrich` plugin: language, stats, fingerprints, entities and date normalization,
//! computed from whatever the format plugins produced.
//!
//! It runs last in the default chain `frontmatter → html → text → enrich`, on every record:
//! it never declines. It reads `title`, `subtitle`, `summary`, `body`, `language`,
//! `published` and `updated`, and writes:
//!
//! | field | how |
//! |---|---|
//! | `language` | ISO 639-1 code detected with `whatlang` from the body (title, subtitle and summary too when the body is short); `null` when the detection is unreliable; a declared language wins unless a long text clearly disagrees, with a warning (see [`language`]) |
//! | `stats` | words, characters, paragraphs and reading minutes at [`WORDS_PER_MINUTE`] (230 wpm by default, rounded up; 0 for an empty body) |
//! | `fingerprints` | `body_sha256` (hex SHA-256 of the body) and `simhash` (16 hex digits, see [`simhash`]); both `null` for an empty body, `simhash` also when the body has no words |
//! | `entities` | people, places and organizations named in the title and body (never in text a format plugin removed), see [`entities()`] |
//! | `published`, `updated` | brought to the one date policy of the built-in plugins (`docnorm_toolkit::dates`): RFC 3339 in UTC when the zone is known, a date and time without offset when it is not, `YYYY-MM-DD` for a bare date; an impossible or unreadable date becomes `null` with a warning |
//!
//! A field is written only when the plugin's value differs from what the record holds, so
//! `provenance.fields` keeps crediting the plugin that found an unchanged value.
//!
//! The enricher runs on every document, so it is kept cheap (issue 7 asks for at most 20 % of
//! the rest of the default chain's time on seed-sized documents; `cargo xtask bench` reports
//! the share): word lists are parsed once per process (`LazyLock`) into tables keyed by
//! words packed into integers, so a token costs one lookup; no regular expression runs; the
//! body is read in few passes (one for the stats and the `SimHash` together, one for the
//! entities, one for the language over at most [`language::MAX_DETECT_BYTES`]) with an ASCII
//! table for character classes; `whatlang` runs only when the function-word shortcut cannot
//! answer and the answer can matter (never when a declared language cannot be overruled);
//! SHA-256 is computed once. Outputs are unchanged by these shortcuts: the tests compare
//! each with the plain version it replaces.
//!
//! # Ids and duplicates
//!
//! The host computes a record's `id` after the chain, as BLAKE3 over the canonical JSON of
//! every content field (`Record::content_id`): everything but `source`, `provenance`,
//! `duplicates` and `warnings`. The enricher's outputs are part of that content, and they are
//! pure functions of the record's text, so the same document dropped twice, under any name,
//! gets the same id; and a change to the enricher's rules or word lists changes ids.
//!
//! Near-duplicates are the host's job, since they depend on which records came before: the
//! enricher only computes the `SimHash` the host compares (see the daemon's `duplicates`).
//!
//! # Example
//!
//! ```
//! use docnorm_enrich::EnrichConfig;
//! use docnorm_plugin_api::{Document, Outcome, Plugin};
//! use serde_json::{Map, Value, json};
//!
//! let enrich = EnrichConfig::default().build().unwrap();
//! let fields: Map<String, Value> = json!({
//!     "title": "Leaders meet",
//!     "body": "President Biden met French President Emmanuel Macron in Paris on Thursday. \
//!              The two leaders discussed the war in Ukraine and new sanctions on Russia.",
//!     "published": "2023-12-01T10:00:00+01:00",
//! })
//! .as_object()
//! .cloned()
//! .unwrap();
//! let Outcome::Patch(patch) = enrich.process(&Document::for_text("a.txt", ""), &fields).unwrap()
//! else {
//!     unreachable!("the enricher never declines")
//! };
//! assert_eq!(patch["language"], "en");
//! assert_eq!(patch["published"], "2023-12-01T09:00:00Z");
//! assert_eq!(patch["entities"]["people"], json!(["Biden", "Emmanuel Macron"]));
//! assert_eq!(patch["entities"]["places"], json!(["Paris", "Ukraine", "Russia"]));
//! assert_eq!(patch["stats"]["words"], 24);
//! ```

mod config;
mod entities;
mod fingerprint;
mod gazetteer;
pub mod language;
mod stats;
mod tokens;
mod words;

use docnorm_plugin_api::{
    Document, Field, Fingerprints, Manifest, Outcome, Patch, Plugin, PluginError, Slot, deadline,
    slot,
};
use docnorm_toolkit::dates::{self, Normalized};
use serde_json::{Map, Value};

pub use config::{BuildError, EnrichConfig};
pub use entities::entities;
pub use fingerprint::{SHINGLE_WORDS, body_sha256, hamming, simhash, simhash_hex};
pub use stats::{WORDS_PER_MINUTE, stats};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "enrich";

/// The record fields the enricher reads.
const READS: &[Field] = &[
    Field::Title,
    Field::Subtitle,
    Field::Summary,
    Field::Body,
    Field::Language,
    Field::Published,
    Field::Updated,
];

/// The record fields the enricher writes.
const WRITES: &[Field] = &[
    Field::Language,
    Field::Stats,
    Field::Fingerprints,
    Field::Entities,
    Field::Published,
    Field::Updated,
    Field::Warnings,
];

/// The date fields the enricher normalizes.
const DATE_FIELDS: [Slot<String>; 2] = [slot::PUBLISHED, slot::UPDATED];

/// The running `enrich` plugin.
pub struct Enrich {
    manifest: Manifest,
    words_per_minute: u64,
}

impl Enrich {
    fn new(words_per_minute: u64) -> Self {
        Self {
            manifest: Manifest::new(NAME, env!("CARGO_PKG_VERSION"), READS, WRITES),
            words_per_minute,
        }
    }
}

impl Plugin for Enrich {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        _doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let text = |field: Field| fields.get(field.name()).and_then(Value::as_str);
        let title = text(Field::Title);
        let body = text(Field::Body).unwrap_or_default();
        let mut patch = Patch::new();
        let mut warnings = Vec::new();

        let language = language::resolve(
            language::Texts {
                title,
                subtitle: text(Field::Subtitle),
                summary: text(Field::Summary),
                body,
            },
            text(Field::Language),
        );
        warnings.extend(language.warning);
        if language.code.as_deref() != text(Field::Language) {
            match language.code {
                Some(code) => patch.set_text(slot::LANGUAGE, code),
                None => patch.clear(slot::LANGUAGE),
            };
        }

        // One pass over the body counts the stats and hashes the shingles.
        let mut counter = stats::Counter::default();
        let simhash = fingerprint::simhash_and_stats(body, &mut counter);
        patch
            .set(slot::STATS, &counter.finish(self.words_per_minute))
            .set(slot::FINGERPRINTS, &fingerprints(body, simhash))
            .set(slot::ENTITIES, &entities(title, body));
        // Entities stop early once the plugin call is past its time limit.
        deadline::check()?;

        for slot in DATE_FIELDS {
            let field = slot.field();
            let Some(value) = text(field) else {
                continue;
            };
            let normalized = match dates::normalize(value) {
                Normalized::Value(normal) => Some(normal.to_string()),
                Normalized::Impossible => {
                    warnings.push(format!(
                        "{field}: `{value}` is not a possible date; dropped"
                    ));
                    None
                }
                Normalized::Unreadable => {
                    warnings.push(format!("{field}: `{value}` is not a date; dropped"));
                    None
                }
            };
            if normalized.as_deref() != Some(value) {
                match normalized {
                    Some(normal) => patch.set_text(slot, normal),
                    None => patch.clear(slot),
                };
            }
        }

        if !warnings.is_empty() {
            patch.set(slot::WARNINGS, &warnings);
        }
        Ok(patch.into())
    }
}

/// The `fingerprints` of `body`, whose `SimHash` is `simhash` (`None`: no words).
fn fingerprints(body: &str, simhash: Option<u64>) -> Fingerprints {
    if body.is_empty() {
        return Fingerprints::default();
    }
    Fingerprints {
        body_sha256: Some(body_sha256(body)),
        simhash: simhash.map(simhash_hex),
    }
}

#[cfg(test)]
mod tests;
