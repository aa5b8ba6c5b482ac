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
        let Some(look) = Look::at(&node) else {
            continue;
        };
        if byline.is_none() && look.byline {
            byline = byline_text(&node, look.itemprop_author);
        }
        if look.furniture && removable(&node, total) {
            node.remove_from_parent();
            continue;
        }
        stack.extend(node.children_it(true));
    }
    byline
}

/// What an element's name and attributes say about it, read in one pass over its attributes.
#[derive(Debug, Default)]
struct Look {
    /// Marked as page furniture by its name, role, visibility, class or id.
    furniture: bool,
    /// Marked as the author's byline.
    byline: bool,
    /// Marked with `itemprop=author`; its `itemprop=name` child holds the name.
    itemprop_author: bool,
}

impl Look {
    /// `None` for nodes that are not elements.
    fn at(node: &NodeRef) -> Option<Self> {
        let element = node.element_ref()?;
        let tag = element.name.local.as_ref();
        let mut look = Self {
            furniture: FURNITURE_TAGS.contains(&tag),
            ..Self::default()
        };
        let wrapper = matches!(tag, "body" | "html" | "article");
        let mut marked = false;
        let mut content = false;
        for attr in &element.attrs {
            let value: &str = &attr.value;
            match attr.name.local.as_ref() {
                "hidden" => look.furniture = true,
                "aria-hidden" => look.furniture |= value == "true",
                "role" => look.furniture |= FURNITURE_ROLES.contains(&value),
                "style" => look.furniture |= hides(value),
                "itemprop" => {
                    look.itemprop_author = value.split_whitespace().any(|w| w == "author");
                    look.byline |= look.itemprop_author;
                }
                "rel" => look.byline |= value.split_whitespace().any(|w| w == "author"),
                name @ ("class" | "id") => {
                    if name == "class" {
                        look.byline |= ["byline", "author-name", "author_name"]
                            .iter()
                            .any(|m| contains_ignore_case(value, m));
                    }
                    let (m, c) = marks(value);
                    marked |= m;
                    content |= c;
                }
                _ => {}
            }
        }
        look.furniture |= marked && !content && !wrapper;
        Some(look)
    }
}

/// Whether a `style` attribute hides the element.
fn hides(style: &str) -> bool {
    let style: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    style.contains("display:none") || style.contains("visibility:hidden")
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether a class or id value has a furniture word, and whether it has a content word.
fn marks(value: &str) -> (bool, bool) {
    let mut marked = false;
    let mut content = false;
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower;
        let word = if word.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = word.to_ascii_lowercase();
            lower.as_str()
        } else {
            word
        };
        content |= CONTENT_WORDS.contains(&word);
        marked |= FURNITURE_WORDS.contains(&word)
            || (word.len() > 5 && FURNITURE_PARTS.iter().any(|part| word.contains(part)));
    }
    (marked, content)
}

/// The byline `node` shows: its text, or that of its `itemprop=name` descendant, when short
/// enough to be a name.
fn byline_text(node: &NodeRef, itemprop_author: bool) -> Option<String> {
    let named = itemprop_author
        .then(|| {
            node.descendants_it()
                .find(|d| d.attr("itemprop").is_some_and(|p| p.as_ref() == "name"))
        })
        .flatten();
    let text = crate::text::squash(&named.unwrap_or(*node).text());
    (!text.is_empty() && text.chars().count() <= 100).then_some(text)
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
