//! The `frontmatter` plugin: YAML, TOML and JSON front matter (and whole-JSON articles)
//! mapped onto the record through one alias table, the Markdown body rendered to plain text.
//!
//! It sits first in the default chain `frontmatter → html → text → enrich`. It claims four
//! formats and declines everything else at the cost of one comparison:
//!
//! - **front matter**: YAML between `---` and `---` (or `...`), TOML between `+++` lines, or
//!   a JSON object at the very start, followed by a body in Markdown or plain text;
//! - **JSON**: one article object (a schema.org `NewsArticle`, a CMS export), or a list
//!   holding exactly one; its text is one of its keys (`articleBody`, `body`, …), taken as
//!   plain text with each non-blank line a paragraph and character references (`&amp;`)
//!   decoded, or as HTML made plain text when it is HTML: it holds a known element closed
//!   properly (`<p>…</p>`, `<em>…</em>`, `<br>`) or a comment, or comes from a `rendered` or
//!   `html` wrapper (a CMS's `content`);
//! - **JSON Lines** holding exactly one object, treated like JSON. The docnorm host splits
//!   JSON Lines and JSON lists of several objects into one document per object before any
//!   plugin runs; given several objects at once, the plugin refuses them with a clear error;
//! - **Markdown** without front matter: the body, rendered to plain text.
//!
//! A Markdown body that opens with a level-1 heading gives the title when the front matter
//! has none (and loses the heading when it only repeats the front matter's title).
//!
//! # The alias table
//!
//! Source keys fill record fields through one table, used alike for front matter, JSON
//! articles and the items of a `related` list. Keys match ignoring case, `_`, `-` and `:`
//! (`site_name`, `siteName` and `og:image`-style spellings all match).
//!
//! | field | source keys, highest precedence first |
//! |---|---|
//! | `title` | `title`, `headline`, `name` |
//! | `subtitle` | `subtitle`, `alternativeHeadline`, `dek`, `standfirst` |
//! | `summary` | `summary`, `excerpt`, `description`, `abstract` |
//! | `body` | `articleBody`, `body`, `content`, `text` |
//! | `authors` | `authors`, `author`, `byline`, `creator` |
//! | `published` | `datePublished`, `publishedDateTime`, `publishDate`, `published`, `pubDate`, `date` |
//! | `updated` | `dateModified`, `lastmod`, `updated`, `modified` |
//! | `publisher` | `publisher`, `provider`, `source`, `site_name` |
//! | `url` | `canonical_url`, `canonical`, `url`, `originalUrl`, `permalink`, `webUrl`, `link` |
//! | `language` | `inLanguage`, `language`, `lang`, `locale` |
//! | `topics` | `topics`, `tags`, `categories`, `keywords` |
//! | `images` | `images`, `image`, `cover`, `og_image` |
//! | `related` | `related` |
//! | `section` | `section`, `articleSection` |
//!
//! `body` keys are mapped only in whole-JSON documents: in front matter the body is the text
//! after the block, and a `body` key stays in `extra`. `section` is mapped only inside related
//! items (the record has no section field). Inside a related item only `title`, `url`,
//! `summary`, `section`, `authors` and `published` are mapped.
//!
//! # Precedence and what is never dropped
//!
//! - When several keys fill one field, the key listed first above wins, provided its value
//!   fits (`datePublished` beats `publishedDateTime` beats `date`; an unparseable
//!   `datePublished` lets the next key win). The other keys stay in `extra` unchanged.
//! - `topics` and `images` are lists: all their keys are merged in table order, duplicates
//!   removed (topics ignoring case, images by URL).
//! - Keys the table does not know go to `extra` unchanged, nested structure and all.
//! - A value whose shape does not fit its field (`images: 3`, `date: soon`) stays in `extra`
//!   under its key, and a warning says so. A boolean `published: true` is a flag, not a date:
//!   it stays in `extra` without a warning.
//! - Parts of a fitting value that the record has no place for (an image's `isCached`, a
//!   publisher's `logo`, a related item's `type`) stay in `extra` under the source key in the
//!   same shape: an object of the unused keys, or a list with the unused parts of each item
//!   at its position and `null` where an item was used whole.
//! - Text values (`title`, `subtitle`, `summary`, `url`, `body`) may be wrapped the way CMS
//!   and XML exports wrap them: under `rendered` (as `WordPress` does), `text`, `#text` (as XML
//!   converters do), `value`, `content`, `html` or `raw`, first of those keys winning; the
//!   wrapper's other keys stay in `extra`.
//! - Text that is HTML (a `rendered` or `html` wrapper's, or any holding a known element
//!   closed properly, such as `<p>…</p>` or `<br>`) is made plain text, block elements
//!   becoming paragraphs of a body. Other text keeps every character, `Option<T>` and a
//!   literal `<script>` included; only its character references (`&#8217;`) are decoded.
//! - A number in a list of topics is a category id, not a topic: it stays in `extra`,
//!   without a warning when the list holds only ids.
//! - One limit of the record's merge-patch contract: a key whose value is `null` cannot be
//!   stored in `extra` (a `null` in a merge patch deletes), so it disappears.
//!
//! # Value shapes
//!
//! - Text fields are trimmed; a number is written out as text; an empty string is no value.
//! - `authors`: a name, a list of names, an object with `name` (and `url`, `bio` or
//!   `description`), or a list of objects. A leading "By " is removed from names.
//! - `publisher`: a name, or an object with `name` and `domain`, or `name` and `url`, the
//!   domain then taken from the URL's host (without `www.`). A bare URL is not a name.
//! - `topics`: a list, or one comma-separated string.
//! - `images`: a URL, an object with `url` (or `src`, `contentUrl`), `width`, `height` and
//!   `caption` (or `alt`), or a list of these.
//! - `related`: a list of objects, each mapped with this same table; items need a title.
//! - `language`: a tag such as `en-US` or `en_GB` becomes its ISO 639-1 code, `en`.
//! - Dates follow the one date policy of the built-in plugins (`docnorm_toolkit::dates`):
//!   with an offset, `Z` or a zone abbreviation, RFC 3339 in UTC (`2022-11-30 14:05:00
//!   -0500` becomes `2022-11-30T19:05:00Z`; RSS dates too); a bare date stays a date
//!   (`2022-11-30`); a date and time with no zone stays so (`2022-11-30T14:05:00`); Unix
//!   seconds, as text or a JSON number, are a moment in UTC. TOML datetimes are read as
//!   their RFC 3339 text first.
//!
//! # Limits
//!
//! The front-matter block is measured before it is parsed, without reading past the limit
//! (`max_block_bytes`, 1 MiB by default); a whole JSON document likewise
//! (`max_json_bytes`, 8 MiB). YAML is parsed with a serde-saphyr budget: at most 1,000
//! aliases and 10,000 replayed alias events (an alias bomb stops there), 64 levels of
//! nesting, 200,000 nodes. JSON stops at 128 levels of nesting and TOML at its parser's
//! recursion limit. Each of these fails the document with an error naming the limit.
//!
//! # Example
//!
//! ```
//! use docnorm_frontmatter::FrontmatterConfig;
//! use docnorm_plugin_api::{Chain, Document, Format};
//!
//! let plugin = FrontmatterConfig::default().build().unwrap();
//! let chain = Chain::new(vec![Box::new(plugin)]).unwrap();
//! let text = "---\ntitle: \"Hello: world\"\ndate: 2022-11-30 14:05:00 -0500\n\
//!             tags: news, tests\nlayout: post\n---\nSome *Markdown* text.\n";
//! let doc = Document::for_text("post.md", text).with_format(Format::Frontmatter);
//! let record = chain.run(&doc).unwrap();
//! assert_eq!(record.title.as_deref(), Some("Hello: world"));
//! assert_eq!(record.published.as_deref(), Some("2022-11-30T19:05:00Z"));
//! assert_eq!(record.topics, ["news", "tests"]);
//! assert_eq!(record.extra["layout"], "post");
//! assert_eq!(record.body, "Some Markdown text.");
//! ```

mod aliases;
mod config;
mod html;
mod map;
mod markdown;
mod messages;
mod parse;
mod split;
#[cfg(test)]
mod tests;

use docnorm_plugin_api::{
    Document, Format, Manifest, Outcome, Patch, Plugin, PluginError, deadline, slot,
};
use serde_json::{Map, Value};

pub use config::{BuildError, DEFAULT_MAX_BLOCK_BYTES, DEFAULT_MAX_JSON_BYTES, FrontmatterConfig};

use aliases::{Context, Field};
use map::{Mapped, map_object};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "frontmatter";

/// The running `frontmatter` plugin.
pub struct Frontmatter {
    manifest: Manifest,
    max_block_bytes: usize,
    max_json_bytes: usize,
}

impl Plugin for Frontmatter {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        if !matches!(
            doc.format,
            Format::Frontmatter | Format::Json | Format::Jsonl | Format::Markdown
        ) {
            return Ok(Outcome::Decline);
        }
        let Some(text) = doc.text else {
            return Ok(Outcome::Decline);
        };
        let read = match doc.format {
            Format::Frontmatter => self.front_matter(text),
            Format::Json => self.json(text),
            Format::Jsonl => self.json_lines(text),
            _ => Ok(markdown_body(Mapped::default(), text)),
        };
        let (mapped, body) = match read {
            Err(PluginError::Invalid(why)) if only_first_bytes(doc) => {
                return Ok(left_as_text(doc.format, &why).into());
            }
            other => other?,
        };
        // The Markdown and HTML readers stop early once the call is past its time limit.
        deadline::check()?;
        tracing::debug!(
            format = %doc.format,
            mapped = mapped.fields.len(),
            extra = mapped.extra.len(),
            warnings = mapped.warnings.len(),
            body_bytes = body.len(),
            "front matter mapped"
        );
        Ok(patch(mapped, body).into())
    }
}

impl Frontmatter {
    fn front_matter(&self, text: &str) -> Result<(Mapped, String), PluginError> {
        let split = split::split(text, self.max_block_bytes)?;
        let source = parse::block(split.block)?;
        let mapped = map_object(source, Context::FrontMatter, "");
        Ok(markdown_body(mapped, split.body))
    }

    fn json(&self, text: &str) -> Result<(Mapped, String), PluginError> {
        self.check_json_size(text)?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| messages::json_error("JSON document", &e))?;
        let object = match value {
            Value::Object(object) => object,
            Value::Array(mut items) if items.len() == 1 && items[0].is_object() => {
                let Some(Value::Object(object)) = items.pop() else {
                    unreachable!("checked just above: one object")
                };
                object
            }
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                return Err(PluginError::Invalid(format!(
                    "a JSON list of {} objects is several documents (the docnorm host gives plugins one object at a time)",
                    items.len()
                )));
            }
            other => {
                return Err(PluginError::Invalid(format!(
                    "JSON document is {} where an article object was expected",
                    messages::kind(&other)
                )));
            }
        };
        Ok(whole_json(object))
    }

    fn json_lines(&self, text: &str) -> Result<(Mapped, String), PluginError> {
        self.check_json_size(text)?;
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        let first = match stream.next() {
            Some(Ok(Value::Object(object))) => object,
            Some(Ok(other)) => {
                return Err(PluginError::Invalid(format!(
                    "JSON Lines start with {} where an article object was expected",
                    messages::kind(&other)
                )));
            }
            Some(Err(e)) => return Err(messages::json_error("JSON Lines", &e)),
            None => return Err(PluginError::Invalid("empty JSON Lines".to_owned())),
        };
        // Count the other lines without building them.
        let rest = &text[stream.byte_offset()..];
        let mut others = 0_usize;
        for value in serde_json::Deserializer::from_str(rest).into_iter::<serde::de::IgnoredAny>() {
            value.map_err(|e| messages::json_error("JSON Lines", &e))?;
            others += 1;
        }
        if others > 0 {
            return Err(PluginError::Invalid(format!(
                "JSON Lines with {} objects are several documents (the docnorm host gives plugins one object at a time)",
                others + 1
            )));
        }
        Ok(whole_json(first))
    }

    fn check_json_size(&self, text: &str) -> Result<(), PluginError> {
        if text.len() > self.max_json_bytes {
            return Err(PluginError::Limit(format!(
                "JSON document is larger than {} bytes (plugins.frontmatter.max_json_bytes); not parsed",
                self.max_json_bytes
            )));
        }
        Ok(())
    }
}

/// Whether the document was taken for front matter or JSON by its first bytes only (`---`,
/// `+++`, `{`, `[`), its name saying nothing of the kind: a page copy whose first line merely
/// looks so. A file named `.md`, `.json` or `.jsonl` is what its name says, and fails when
/// it does not parse.
fn only_first_bytes(doc: &Document<'_>) -> bool {
    let extension = doc
        .path
        .strip_suffix(".gz")
        .unwrap_or(doc.path)
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    !matches!(
        extension.as_str(),
        "md" | "markdown" | "mdown" | "mkd" | "json" | "jsonl" | "ndjson"
    )
}

/// The patch for a document whose first bytes suggested `format` but which does not parse as
/// that (`why`): no body, only a warning saying what was tried, so that it stays unclaimed and
/// goes on to the plugins after this one (the `text` plugin reads it as plain text).
fn left_as_text(format: Format, why: &str) -> Patch {
    let what = match format {
        Format::Frontmatter => "front matter",
        _ => "JSON",
    };
    let mut patch = Patch::new();
    patch.set_texts(
        slot::WARNINGS,
        [format!(
            "{NAME}: opens like {what} but is not ({why}); left to the next plugin as plain text"
        )
        .as_str()],
    );
    patch
}

/// A Markdown body rendered to text. The level-1 heading it opens with is the title when
/// the front matter gives none, and is dropped from the body when it repeats the title.
fn markdown_body(mut mapped: Mapped, markdown: &str) -> (Mapped, String) {
    let rendered = markdown::render(markdown);
    let Some(heading) = rendered.heading else {
        return (mapped, rendered.text);
    };
    match mapped.fields.get(&Field::Title).and_then(Value::as_str) {
        None => {
            mapped.fields.insert(Field::Title, Value::String(heading));
            (mapped, rendered.text)
        }
        Some(title) if title.trim().eq_ignore_ascii_case(&heading) => (mapped, rendered.text),
        Some(_) if rendered.text.is_empty() => (mapped, heading),
        Some(_) => (mapped, format!("{heading}\n\n{}", rendered.text)),
    }
}

/// A whole-JSON article: its text is one of its keys.
fn whole_json(object: Map<String, Value>) -> (Mapped, String) {
    let mut mapped = map_object(object, Context::WholeJson, "");
    let body = match mapped.fields.remove(&Field::Body) {
        Some(Value::String(body)) => body,
        _ => String::new(),
    };
    (mapped, body)
}

/// The merge patch for the record.
fn patch(mapped: Mapped, body: String) -> Patch {
    let Mapped {
        fields,
        extra,
        warnings,
    } = mapped;
    let mut patch = Patch::new();
    for (field, value) in fields {
        field.write(&mut patch, value);
    }
    patch.set_text(slot::BODY, body);
    if !extra.is_empty() {
        patch.set_json(slot::EXTRA, Value::Object(extra));
    }
    if !warnings.is_empty() {
        let warnings: Vec<String> = warnings.iter().map(|w| format!("{NAME}: {w}")).collect();
        patch.set(slot::WARNINGS, &warnings);
    }
    patch
}
