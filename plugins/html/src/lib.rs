//! The `html` plugin: the main content and the metadata (JSON-LD, `OpenGraph`, meta tags) of a
//! saved web page.
//!
//! It sits in the default chain `frontmatter → html → text → enrich`, claims documents the
//! read stage sniffed as HTML (already decompressed and decoded to UTF-8, `<meta charset>`
//! honoured) and declines the rest. The page is parsed once: metadata is read from the tree
//! first, then the main-content extraction rewrites the same tree.
//!
//! ```
//! use docnorm_html::HtmlConfig;
//! use docnorm_plugin_api::{Chain, Document, Format};
//!
//! let html = r#"<html lang="en-GB"><head>
//!   <title>Storm hits the coast | The Daily Planet</title>
//!   <meta property="og:site_name" content="The Daily Planet">
//!   <meta name="author" content="Lois Lane">
//! </head><body><article><h1>Storm hits the coast</h1>
//!   <p>Heavy rain fell on the coast overnight, and the harbour closed for the day.</p>
//! </article></body></html>"#;
//! let chain = Chain::new(vec![Box::new(HtmlConfig::default().build().unwrap())]).unwrap();
//! let record = chain.run(&Document::for_text("page.html", html).with_format(Format::Html)).unwrap();
//! assert_eq!(record.title.as_deref(), Some("Storm hits the coast"));
//! assert_eq!(record.authors[0].name, "Lois Lane");
//! assert_eq!(record.language.as_deref(), Some("en"));
//! assert!(record.body.contains("harbour closed"));
//! ```

mod authors;
mod clean;
mod config;
mod content;
mod jsonld;
mod lines;
mod meta;
mod raw;
mod tags;
mod text;
mod title;

use docnorm_plugin_api::{
    Document, ExplainedLine, Explanation, Field, Format, Manifest, Outcome, Plugin, PluginError,
    deadline, slot,
};
use serde_json::{Map, Value, json};

pub use config::{BuildError, HtmlConfig};

/// The plugin's name: its config key, span field and the name in its errors.
pub const NAME: &str = "html";

/// The running `html` plugin.
pub struct Html {
    manifest: Manifest,
    config: HtmlConfig,
}

impl Html {
    fn new(config: HtmlConfig) -> Self {
        Self {
            manifest: Manifest::new(
                NAME,
                env!("CARGO_PKG_VERSION"),
                &[],
                &[
                    Field::Title,
                    Field::Subtitle,
                    Field::Summary,
                    Field::Body,
                    Field::Authors,
                    Field::Published,
                    Field::Updated,
                    Field::Publisher,
                    Field::Url,
                    Field::Language,
                    Field::Topics,
                    Field::Images,
                    Field::Extra,
                    Field::Warnings,
                    Field::Removed,
                ],
            ),
            config,
        }
    }

    /// The record fields this plugin finds in `html`, as a JSON merge patch.
    pub fn extract(&self, html: &str) -> Map<String, Value> {
        let Some(Reading {
            meta,
            content,
            mut warnings,
        }) = self.read(html)
        else {
            return Map::new();
        };
        let (removed, omitted) = removed_entries(&content.removed);
        warnings.extend(omitted);
        let mut patch = meta.patch;
        patch
            .set_text(slot::BODY, content.body)
            .set(slot::AUTHORS, &meta.authors);
        if !warnings.is_empty() {
            patch.set(slot::WARNINGS, &warnings);
        }
        patch.removed_entries(removed);
        let mut patch = Value::Object(patch.into_map());
        text::remove_invisible_in(&mut patch);
        match patch {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// Parses `html` and reads its metadata and main content; `None` when the plugin call's
    /// deadline passed on the way.
    fn read(&self, html: &str) -> Option<Reading> {
        let mut warnings = Vec::new();
        let html = if html.len() > self.config.max_bytes {
            let mut end = self.config.max_bytes;
            while !html.is_char_boundary(end) {
                end -= 1;
            }
            warnings.push(format!(
                "page cut to its first {} bytes before parsing (plugins.html.max_bytes)",
                self.config.max_bytes
            ));
            &html[..end]
        } else {
            html
        };
        let stripped = raw::strip(html);
        let parsed = docnorm_markup::document(&stripped, self.config.max_depth);
        if parsed.cut {
            warnings.push(format!(
                "page cut where its elements nest deeper than {} (plugins.html.max_depth)",
                self.config.max_depth
            ));
        }
        // Stopped early: the caller sees the deadline passed and drops the result.
        if deadline::expired() {
            return None;
        }
        let limits = meta::Limits {
            topics: self.config.max_topics,
            images: self.config.max_images,
        };
        let mut meta = meta::extract(&parsed.dom, limits);
        let content = content::extract(parsed.dom, parsed.html, self.config.max_elements);
        meta::add_byline(&mut meta, content.byline.as_deref());
        Some(Reading {
            meta,
            content,
            warnings,
        })
    }
}

/// What the plugin read from one page.
struct Reading {
    meta: meta::Meta,
    content: content::Content,
    warnings: Vec<String>,
}

/// The most `provenance.removed` entries listed per page.
const MAX_REMOVED_ENTRIES: usize = 1024;

/// The most bytes of removed text listed per page.
const MAX_REMOVED_BYTES: usize = 256 * 1024;

/// The `provenance.removed` entries of a page, bounded by [`MAX_REMOVED_ENTRIES`] and
/// [`MAX_REMOVED_BYTES`], and the warning that counts what they leave out, if anything.
fn removed_entries(removed: &[content::Removal]) -> (Vec<Value>, Option<String>) {
    let mut entries = Vec::new();
    let mut bytes = 0;
    for (listed, removal) in removed.iter().enumerate() {
        bytes += removal.text.len();
        if listed == MAX_REMOVED_ENTRIES || bytes > MAX_REMOVED_BYTES {
            let warning = format!(
                "{} more removed blocks are not listed in provenance.removed (at most \
                 {MAX_REMOVED_ENTRIES} entries and {MAX_REMOVED_BYTES} bytes of removed text \
                 are listed)",
                removed.len() - listed
            );
            return (entries, Some(warning));
        }
        entries.push(json!({"text": removal.text, "reason": removal.reason}));
    }
    (entries, None)
}

/// The page as the plugin reads it, block by block: the title and subtitle it found, the
/// furniture blocks it removed, then the article's paragraphs kept and its lines removed, in
/// the order of the page. Blocks are numbered from 1 in this order (a page has no useful line
/// numbers once parsed).
fn explanation(reading: &Reading) -> Explanation {
    let mut lines = Vec::new();
    let mut push = |role: &str, reason: Option<&str>, text: &str| {
        lines.push(ExplainedLine {
            number: lines.len() + 1,
            role: role.to_owned(),
            reason: reason.map(str::to_owned),
            text: text::remove_invisible(text).into_owned(),
        });
    };
    let fields = reading.meta.patch.clone().into_map();
    for role in ["title", "subtitle"] {
        if let Some(text) = fields.get(role).and_then(Value::as_str) {
            push(role, None, text);
        }
    }
    let removed = &reading.content.removed;
    let (blocks, in_article): (Vec<_>, Vec<_>) =
        removed.iter().partition(|r| r.before_paragraph.is_none());
    for block in blocks {
        push("removed", Some(&block.reason), &block.text);
    }
    let mut in_article = in_article.into_iter().peekable();
    let paragraphs = reading.content.body.split("\n\n").filter(|p| !p.is_empty());
    for (at, paragraph) in paragraphs.enumerate() {
        while let Some(line) = in_article.next_if(|r| r.before_paragraph <= Some(at)) {
            push("removed", Some(&line.reason), &line.text);
        }
        push("kept", None, paragraph);
    }
    for line in in_article {
        push("removed", Some(&line.reason), &line.text);
    }
    Explanation { lines }
}

impl Plugin for Html {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        _fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        if !matches!(doc.format, Format::Html) {
            return Ok(Outcome::Decline);
        }
        let Some(text) = doc.text else {
            return Ok(Outcome::Decline);
        };
        let patch = self.extract(text);
        deadline::check()?;
        Ok(Outcome::Patch(patch))
    }

    /// The blocks of an HTML page kept and removed, with why (see [`explanation`]).
    fn explain(&self, doc: &Document<'_>) -> Option<Explanation> {
        let (Format::Html, Some(text)) = (doc.format, doc.text) else {
            return None;
        };
        self.read(text).map(|reading| explanation(&reading))
    }
}

#[cfg(test)]
mod tests;
