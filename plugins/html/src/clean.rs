//! Page furniture removed from the tree before the article container is chosen: hidden
//! elements, captions and galleries, and blocks whose `class` or `id` says they are share bars,
//! newsletter or cookie boxes, "related" lists, bylines, comments and the like.
//!
//! A block is only removed when it cannot be the article itself: it holds a small share of
//! the page's text, or most of its text is links.

use dom_query::{Document, NodeRef};

/// Class and id words that mark page furniture, matched as whole words of the attribute.
const FURNITURE_WORDS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "author",
    "authors",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "bylines",
    "caption",
    "comment",
    "comments",
    "consent",
    "cookie",
    "cookies",
    "credit",
    "credits",
    "dateline",
    "disclaimer",
    "gallery",
    "gdpr",
    "hidden",
    "modal",
    "newsletter",
    "outbrain",
    "popup",
    "promo",
    "promotion",
    "related",
    "recommended",
    "share",
    "sharing",
    "sidebar",
    "signup",
    "slideshow",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "taboola",
    "tags",
    "timestamp",
    "toolbar",
    "trending",
    "widget",
    "carousel",
    "disqus",
    "follow",
    "newsletters",
    "teaser",
    "teasers",
    "tools",
    "utility",
    "print",
    "email",
    "sr",
    "visually",
    "screen",
];

/// Words that mark the article's own container ("entry-content", "article-body"), which is
/// never furniture whatever else its class says.
const CONTENT_WORDS: &[&str] = &["content", "body", "entry", "text", "story"];

/// Longer markers also found inside compound words ("sharebar", "socialLinks").
const FURNITURE_PARTS: &[&str] = &[
    "share",
    "social",
    "newsletter",
    "related",
    "comment",
    "sidebar",
    "cookie",
    "promo",
    "subscribe",
    "breadcrumb",
    "byline",
    "advert",
    "outbrain",
    "taboola",
    "caption",
    "gallery",
    "slideshow",
    "recommend",
];

/// Elements that never hold article text.
const FURNITURE_TAGS: &str = "figcaption, nav, aside, footer, form, button, dialog, \
    [hidden], [aria-hidden=true], [role=navigation], [role=complementary], [role=contentinfo], \
    [role=dialog], [role=alert], [role=banner], [style*='display:none'], [style*='display: none'], \
    [style*='visibility:hidden']";

/// Removes page furniture from `doc`.
pub fn remove_furniture(doc: &Document) {
    let total = doc
        .body()
        .map_or(0, |body| body.normalized_char_count())
        .max(1);
    for node in doc.select(FURNITURE_TAGS).nodes() {
        if removable(node, total) {
            node.remove_from_parent();
        }
    }
    let marked: Vec<NodeRef> = doc
        .select("body [class], body [id]")
        .nodes()
        .iter()
        .copied()
        .filter(is_marked)
        .collect();
    for node in marked {
        if node.parent().is_some() && removable(&node, total) {
            node.remove_from_parent();
        }
    }
}

fn is_marked(node: &NodeRef) -> bool {
    if node.has_name("body") || node.has_name("html") || node.has_name("article") {
        return false;
    }
    let mut attrs = String::new();
    for name in ["class", "id"] {
        if let Some(value) = node.attr(name) {
            attrs.push_str(&value);
            attrs.push(' ');
        }
    }
    let lower = attrs.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| CONTENT_WORDS.contains(w)) {
        return false;
    }
    for word in words {
        if FURNITURE_WORDS.contains(&word) {
            return true;
        }
        if word.len() > 5 && FURNITURE_PARTS.iter().any(|part| word.contains(part)) {
            return true;
        }
    }
    false
}

/// Whether removing `node` cannot take the article with it.
fn removable(node: &NodeRef, total: usize) -> bool {
    let text = node.normalized_char_count();
    let paragraphs = node
        .descendants_it()
        .filter(|n| n.has_name("p") && n.normalized_char_count() > 120)
        .count();
    if text * 5 < total && text < 2000 && paragraphs < 3 {
        return true;
    }
    let links: usize = node
        .descendants_it()
        .filter(|n| n.has_name("a"))
        .map(|a| a.normalized_char_count())
        .sum();
    links * 2 > text
}
