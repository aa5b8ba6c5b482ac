//! Main-content extraction: the article's text, as paragraphs, without the page around it.
//!
//! A Readability port (`dom_smoothie`) scores candidate containers and keeps the article;
//! the text is then cut into paragraphs and lines that are page furniture rather than article
//! ("Advertisement", "Share this article") are dropped. Pages too large to score keep the text
//! of their `<article>`, `<main>` or `<body>`.

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

/// What the content stage found.
#[derive(Debug, Default)]
pub struct Content {
    /// The article text, paragraphs separated by a blank line.
    pub body: String,
    /// The visible byline, when the page shows one.
    pub byline: Option<String>,
    /// What was taken out, in the order of the page: furniture blocks first (removed from the
    /// tree before the article was chosen), then lines dropped from the article text.
    pub removed: Vec<Removal>,
}

/// A piece of the page left out of the body, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Its text, whitespace folded.
    pub text: String,
    /// Why it was left out.
    pub reason: String,
    /// For a line of the article text, how many body paragraphs come before it; `None` for a
    /// furniture block.
    pub before_paragraph: Option<usize>,
}

/// Extracts the main content of `doc`, consuming it (the extraction rewrites the tree).
pub fn extract(doc: Document, html: &str, max_elements: usize) -> Content {
    let elements = doc
        .root()
        .descendants_it()
        .filter(dom_query::NodeRef::is_element)
        .count();
    if elements > max_elements {
        tracing::debug!(
            elements,
            max_elements,
            "page too large to score; keeping its main container"
        );
        return Content::from_text(&fallback_text(&doc), None);
    }
    let furniture = crate::clean::remove_furniture(&doc);
    let byline = furniture.byline;
    let blocks = furniture.removed.into_iter().map(|block| Removal {
        text: block.text,
        reason: block.reason.to_string(),
        before_paragraph: None,
    });
    let blocks: Vec<Removal> = blocks.collect();
    let config = Config {
        text_mode: TextMode::Formatted,
        disable_json_ld: true,
        ..Config::default()
    };
    let Ok(mut readability) = Readability::with_document(doc, None, Some(config)) else {
        return Content::default();
    };
    let mut content = match readability.parse() {
        Ok(article) => Content::from_text(&article.text_content, byline.or(article.byline)),
        Err(err) => {
            tracing::debug!(error = %err, "no article container found; keeping the page text");
            // Extraction rewrote the tree; the fallback reads a fresh one (`html` is the part
            // of the page the first parse took, so this one nests no deeper).
            Content::from_text(&fallback_text(&Document::from(html)), byline)
        }
    };
    content.removed.splice(0..0, blocks);
    content
}

fn fallback_text(doc: &Document) -> String {
    doc.select("script, style, noscript, template, nav, header, footer, aside, form")
        .remove();
    for selector in ["article", "main", "[role=main]", "body"] {
        let sel = doc.select(selector);
        if let Some(node) = sel.nodes().first() {
            return node.formatted_text().to_string();
        }
    }
    doc.root().formatted_text().to_string()
}

impl Content {
    /// Content from extracted text: cut into paragraphs, each line with folded whitespace,
    /// furniture lines and repeated paragraphs dropped, joined by blank lines.
    fn from_text(text: &str, byline: Option<String>) -> Self {
        let mut removed = Vec::new();
        let mut out: Vec<String> = Vec::new();
        for block in text.split("\n\n") {
            let mut lines: Vec<String> = Vec::new();
            for line in block.lines().map(crate::text::squash) {
                if line.is_empty() {
                    continue;
                }
                match crate::lines::furniture(&line) {
                    Some(reason) => removed.push(Removal {
                        text: line,
                        reason: reason.to_owned(),
                        before_paragraph: Some(out.len()),
                    }),
                    None => lines.push(line),
                }
            }
            if lines.is_empty() {
                continue;
            }
            let para = lines.join("\n");
            if out.last() != Some(&para) {
                out.push(para);
            }
        }
        Self {
            body: out.join("\n\n"),
            byline,
            removed,
        }
    }
}
