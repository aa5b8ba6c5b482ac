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
    Document, Field, Format, Manifest, Outcome, Plugin, PluginError, deadline, slot,
};
use serde_json::{Map, Value};

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
            return Map::new();
        }
        let limits = meta::Limits {
            topics: self.config.max_topics,
            images: self.config.max_images,
        };
        let mut meta = meta::extract(&parsed.dom, limits);
        let content = content::extract(parsed.dom, parsed.html, self.config.max_elements);
        meta::add_byline(&mut meta, content.byline.as_deref());
        let mut patch = meta.patch;
        patch
            .set_text(slot::BODY, content.body)
            .set(slot::AUTHORS, &meta.authors);
        if !warnings.is_empty() {
            patch.set(slot::WARNINGS, &warnings);
        }
        patch.removed(
            content
                .removed
                .iter()
                .map(|(text, reason)| (text.as_str(), *reason)),
        );
        patch.into_map()
    }
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
}

#[cfg(test)]
mod tests;
