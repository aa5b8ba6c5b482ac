//! Page furniture removed from the tree before the article container is chosen: hidden
//! elements, captions and galleries, and blocks whose `class` or `id` says they are share bars,
//! newsletter or cookie boxes, "related" lists, bylines, comments and the like.
//!
//! A block is only removed when it cannot be the article itself: it holds a small share of
//! the page's text, or most of its text is links.

use dom_query::{Document, NodeData, NodeRef};

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
const FURNITURE_TAGS: &[&str] = &[
    "figcaption",
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "dialog",
];

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "contentinfo",
    "dialog",
    "alert",
    "banner",
];

/// Removes page furniture from `doc`, in one walk that skips what it removed, and returns the
/// text of the first visible byline met on the way (bylines are furniture too).
pub fn remove_furniture(doc: &Document) -> Option<String> {
    let body = doc.body()?;
    let total = Stats::of(&body).text.max(1);
    let mut byline = None;
    let mut stack: Vec<NodeRef> = body.children_it(true).collect();
    while let Some(node) = stack.pop() {
        if !node.is_element() {
            continue;
        }
        if byline.is_none() {
            byline = byline_text(&node);
        }
        if (is_furniture_element(&node) || is_marked(&node)) && removable(&node, total) {
            node.remove_from_parent();
            continue;
        }
        stack.extend(node.children_it(true));
    }
    byline
}

/// The byline `node` shows, when it is one: an element marked as the author (by `itemprop`,
/// `rel` or its class) whose text is short enough to be a name.
fn byline_text(node: &NodeRef) -> Option<String> {
    let itemprop_author = node
        .attr("itemprop")
        .is_some_and(|p| p.split_whitespace().any(|w| w == "author"));
    let rel_author = node
        .attr("rel")
        .is_some_and(|r| r.split_whitespace().any(|w| w == "author"));
    let class_author = node.attr("class").is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("byline") || c.contains("author-name") || c.contains("author_name")
    });
    if !(itemprop_author || rel_author || class_author) {
        return None;
    }
    let named = itemprop_author
        .then(|| {
            node.descendants_it()
                .find(|d| d.attr("itemprop").is_some_and(|p| p.as_ref() == "name"))
        })
        .flatten();
    let text = crate::text::squash(&named.unwrap_or(*node).text());
    (!text.is_empty() && text.chars().count() <= 100).then_some(text)
}

fn is_furniture_element(node: &NodeRef) -> bool {
    if FURNITURE_TAGS.iter().any(|tag| node.has_name(tag)) || node.has_attr("hidden") {
        return true;
    }
    if node
        .attr("aria-hidden")
        .is_some_and(|v| v.as_ref() == "true")
    {
        return true;
    }
    if node
        .attr("role")
        .is_some_and(|role| FURNITURE_ROLES.contains(&role.as_ref()))
    {
        return true;
    }
    node.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
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
    let stats = Stats::of(node);
    if stats.text * 5 < total && stats.text < 2000 && stats.long_paragraphs < 3 {
        return true;
    }
    stats.links * 2 > stats.text
}

/// Text measures of a subtree, in bytes of non-space text.
#[derive(Debug, Default)]
struct Stats {
    text: usize,
    links: usize,
    long_paragraphs: usize,
}

impl Stats {
    /// Measures the subtree of `root` in one walk.
    fn of(root: &NodeRef) -> Self {
        let mut stats = Self::default();
        // Each entry: a node, whether it is inside a link, and the paragraph it belongs to.
        let mut stack: Vec<(NodeRef, bool, Option<usize>)> = vec![(*root, false, None)];
        let mut paragraphs: Vec<usize> = Vec::new();
        while let Some((node, in_link, paragraph)) = stack.pop() {
            if node.is_text() {
                let len = node.query_or(0, |n| match &n.data {
                    NodeData::Text { contents } => contents
                        .bytes()
                        .filter(|b| !b.is_ascii_whitespace())
                        .count(),
                    _ => 0,
                });
                stats.text += len;
                if in_link {
                    stats.links += len;
                }
                if let Some(p) = paragraph {
                    paragraphs[p] += len;
                }
                continue;
            }
            let in_link = in_link || node.has_name("a");
            let paragraph = if node.has_name("p") {
                paragraphs.push(0);
                Some(paragraphs.len() - 1)
            } else {
                paragraph
            };
            stack.extend(node.children_it(false).map(|c| (c, in_link, paragraph)));
        }
        stats.long_paragraphs = paragraphs.iter().filter(|len| **len > 100).count();
        stats
    }
}
