//! Page furniture removed from the tree before the article container is chosen: hidden
//! elements, captions and galleries, and blocks whose `class` or `id` says they are share bars,
//! newsletter or cookie boxes, "related" lists, bylines, comments and the like.
//!
//! A block is only removed when it cannot be the article itself: it holds a small share of
//! the page's text, or most of its text is links.

use dom_query::{Document, NodeData, NodeRef};

/// Class and id words that mark page furniture, matched as whole words of the attribute.
/// Sorted by length, then bytes, for [`furniture_word`].
const FURNITURE_WORDS: &[&str] = &[
    "ad",
    "sr",
    "ads",
    "gdpr",
    "tags",
    "email",
    "modal",
    "popup",
    "print",
    "promo",
    "share",
    "tools",
    "advert",
    "author",
    "banner",
    "byline",
    "cookie",
    "credit",
    "disqus",
    "follow",
    "hidden",
    "screen",
    "signup",
    "social",
    "teaser",
    "widget",
    "authors",
    "bylines",
    "caption",
    "comment",
    "consent",
    "cookies",
    "credits",
    "gallery",
    "related",
    "sharing",
    "sidebar",
    "sponsor",
    "taboola",
    "teasers",
    "toolbar",
    "utility",
    "carousel",
    "comments",
    "dateline",
    "outbrain",
    "trending",
    "visually",
    "promotion",
    "slideshow",
    "sponsored",
    "subscribe",
    "timestamp",
    "breadcrumb",
    "disclaimer",
    "newsletter",
    "breadcrumbs",
    "newsletters",
    "recommended",
    "subscription",
    "advertisement",
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

/// What [`remove_furniture`] took out of the page.
#[derive(Debug, Default)]
pub struct Furniture {
    /// The text of the first visible byline met on the way (bylines are furniture too).
    pub byline: Option<String>,
    /// The blocks removed, in document order, with why.
    pub removed: Vec<RemovedBlock>,
}

/// A block of page furniture taken out of the tree.
#[derive(Debug)]
pub struct RemovedBlock {
    /// Its text, whitespace folded.
    pub text: String,
    /// Why it is furniture: the element, role, attribute or class word that marks it.
    pub reason: Mark,
}

/// What marks an element as page furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The element's name (`nav`, `aside`, `figcaption` ...).
    Tag(&'static str),
    /// Its ARIA role.
    Role(&'static str),
    /// `hidden`, `aria-hidden=true` or a style that hides it.
    Hidden,
    /// A word of its `class` or `id`.
    Word(&'static str),
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mark::Tag(tag) => write!(f, "<{tag}> block"),
            Mark::Role(role) => write!(f, "role={role} block"),
            Mark::Hidden => f.write_str("hidden block"),
            Mark::Word(word) => write!(f, "class or id `{word}`"),
        }
    }
}

/// Removes page furniture from `doc`: the blocks removed, and the first visible byline.
///
/// Elements are judged in document order and the subtree of a removed one is skipped. One
/// bottom-up walk measures every element first, rather than a walk per judged element (which
/// is quadratic in the depth of nested wrappers): removing a subtree only changes the
/// measures of its ancestors, which were judged before it, so each element is judged on the
/// same measures as in the tree it was parsed into.
pub fn remove_furniture(doc: &Document) -> Furniture {
    let mut found = Furniture::default();
    let Some(body) = doc.body() else {
        return found;
    };
    let (elements, totals) = Measured::walk(&body);
    let total = totals.text.max(1);
    let mut at = 0;
    while let Some(element) = elements.get(at) {
        at += 1;
        let Some(look) = Look::at(&element.node) else {
            continue;
        };
        if found.byline.is_none() && look.byline {
            found.byline = byline_text(&element.node, look.itemprop_author);
        }
        if let Some(mark) = look.furniture
            && element.stats.removable(total)
        {
            if element.stats.text > 0 {
                found.removed.push(RemovedBlock {
                    text: crate::text::squash(&element.node.text()),
                    reason: mark,
                });
            }
            element.node.remove_from_parent();
            release(&element.node);
            at = element.end;
        }
    }
    found
}

/// Empties the nodes of a subtree taken out of the tree.
///
/// The tree keeps detached nodes in its node list, and Readability copies that whole list for
/// each extraction attempt and frees the copies afterwards: the names, attributes and text of
/// removed furniture would be copied and freed for nothing. Nothing reaches these nodes any
/// more (they are linked only to each other), so what they hold cannot change the result.
fn release(root: &NodeRef) {
    let nodes: Vec<NodeRef> = root.descendants_it().collect();
    for node in nodes.iter().chain(std::iter::once(root)) {
        node.update(|n| n.data = NodeData::Fragment);
    }
}

/// An element below `<body>` with the measures of its subtree.
struct Measured<'a> {
    node: NodeRef<'a>,
    stats: Stats,
    /// The position, among the elements in document order, of the first one after its
    /// subtree.
    end: usize,
}

/// An element being walked: its measures so far.
struct Open<'a> {
    node: NodeRef<'a>,
    stats: Stats,
    /// Text seen so far that is in no paragraph of this subtree.
    loose: usize,
    link: bool,
    paragraph: bool,
    /// Its position in the list of measured elements, `None` for the root.
    at: Option<usize>,
}

impl<'a> Measured<'a> {
    /// The elements below `root` in document order with their measures, and the measures of
    /// `root`.
    fn walk(root: &NodeRef<'a>) -> (Vec<Self>, Stats) {
        let mut elements: Vec<Self> = Vec::new();
        let mut open = vec![Open::new(*root, Kind::Other, None)];
        let mut next = root.first_child();
        loop {
            let Some(node) = next else {
                let Some(done) = open.pop() else {
                    unreachable!("the root stays open until its children are walked")
                };
                let (stats, loose) = done.close();
                if let Some(at) = done.at {
                    elements[at].stats = stats;
                    elements[at].end = elements.len();
                }
                let Some(parent) = open.last_mut() else {
                    return (elements, stats);
                };
                parent.add(&stats, loose);
                next = done.node.next_sibling();
                continue;
            };
            match Kind::of(&node) {
                Kind::Text(len) => {
                    if let Some(parent) = open.last_mut() {
                        let text = Stats {
                            text: len,
                            ..Stats::default()
                        };
                        parent.add(&text, len);
                    }
                    next = node.next_sibling();
                }
                Kind::NotElement => next = node.next_sibling(),
                kind => {
                    open.push(Open::new(node, kind, Some(elements.len())));
                    elements.push(Self {
                        node,
                        stats: Stats::default(),
                        end: 0,
                    });
                    next = node.first_child();
                }
            }
        }
    }
}

impl<'a> Open<'a> {
    fn new(node: NodeRef<'a>, kind: Kind, at: Option<usize>) -> Self {
        Self {
            node,
            stats: Stats::default(),
            loose: 0,
            link: matches!(kind, Kind::Link),
            paragraph: matches!(kind, Kind::Paragraph),
            at,
        }
    }

    /// Adds a child's measures and its text outside paragraphs.
    fn add(&mut self, child: &Stats, loose: usize) {
        self.stats.text += child.text;
        self.stats.links += child.links;
        self.stats.long_paragraphs += child.long_paragraphs;
        self.loose += loose;
    }

    /// The measures of the finished subtree and its text outside paragraphs.
    fn close(&self) -> (Stats, usize) {
        let mut stats = self.stats;
        if self.link {
            stats.links = stats.text;
        }
        if self.paragraph {
            stats.long_paragraphs += usize::from(self.loose > 100);
            return (stats, 0);
        }
        (stats, self.loose)
    }
}

/// What a node counts as in the measures.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Text, with its length in bytes of non-space text.
    Text(usize),
    /// An `<a>`: its text is link text.
    Link,
    /// A `<p>`: its own text makes it a long paragraph or not.
    Paragraph,
    /// Any other element.
    Other,
    /// Comments, doctypes and the like.
    NotElement,
}

impl Kind {
    fn of(node: &NodeRef) -> Self {
        node.query_or(Self::NotElement, |n| match &n.data {
            NodeData::Text { contents } => Self::Text(
                contents
                    .bytes()
                    .filter(|b| !b.is_ascii_whitespace())
                    .count(),
            ),
            NodeData::Element(el) => match el.name.local.as_ref() {
                "a" => Self::Link,
                "p" => Self::Paragraph,
                _ => Self::Other,
            },
            _ => Self::NotElement,
        })
    }
}

/// What an element's name and attributes say about it, read in one pass over its attributes.
#[derive(Debug, Default)]
struct Look {
    /// Marked as page furniture by its name, role, visibility, class or id: what marks it.
    furniture: Option<Mark>,
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
            furniture: FURNITURE_TAGS
                .iter()
                .find(|t| **t == tag)
                .map(|t| Mark::Tag(t)),
            ..Self::default()
        };
        let wrapper = matches!(tag, "body" | "html" | "article");
        let mut marked = None;
        let mut content = false;
        for attr in &element.attrs {
            let value: &str = &attr.value;
            let hidden = match attr.name.local.as_ref() {
                "hidden" => true,
                "aria-hidden" => value == "true",
                "style" => hides(value),
                _ => false,
            };
            if hidden {
                look.furniture = look.furniture.or(Some(Mark::Hidden));
            }
            match attr.name.local.as_ref() {
                "role" => {
                    let role = FURNITURE_ROLES.iter().find(|r| **r == value);
                    look.furniture = look.furniture.or(role.map(|r| Mark::Role(r)));
                }
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
                    marked = marked.or(m);
                    content |= c;
                }
                _ => {}
            }
        }
        if !content && !wrapper {
            look.furniture = look.furniture.or(marked.map(Mark::Word));
        }
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

/// Whether `haystack` contains `needle` (lower-case ASCII), ignoring ASCII case.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    // Comparing the first byte before the whole window is much cheaper: this runs for every
    // class attribute of the page.
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w[0].to_ascii_lowercase() == needle[0] && w.eq_ignore_ascii_case(needle))
}

/// The furniture word of a class or id value, if it has one, and whether it has a content
/// word.
fn marks(value: &str) -> (Option<&'static str>, bool) {
    let mut marked = None;
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
        if marked.is_none() {
            marked = furniture_word(word).or_else(|| {
                (word.len() > 5)
                    .then(|| furniture_part(word.as_bytes()))
                    .flatten()
            });
        }
    }
    (marked, content)
}

/// Whether a (lower-case) word is one of [`FURNITURE_WORDS`].
///
/// A binary search that compares lengths first settles most probes without comparing bytes:
/// this runs for every class and id word of the page.
fn furniture_word(word: &str) -> Option<&'static str> {
    FURNITURE_WORDS
        .binary_search_by(|w| w.len().cmp(&word.len()).then_with(|| w.cmp(&word)))
        .ok()
        .map(|at| FURNITURE_WORDS[at])
}

/// The furniture part a (lower-case) word has inside it, if any.
///
/// Comparing first bytes at each position is much cheaper than a substring search per part:
/// this runs for most class words of the page.
fn furniture_part(word: &[u8]) -> Option<&'static str> {
    (0..word.len()).find_map(|at| {
        FURNITURE_PARTS.iter().copied().find(|part| {
            let part = part.as_bytes();
            part[0] == word[at] && word[at..].starts_with(part)
        })
    })
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

/// Text measures of a subtree, in bytes of non-space text.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    text: usize,
    links: usize,
    long_paragraphs: usize,
}

impl Stats {
    /// Whether removing the subtree measured cannot take the article with it, on a page with
    /// `total` bytes of text.
    fn removable(&self, total: usize) -> bool {
        if self.text * 5 < total && self.text < 2000 && self.long_paragraphs < 3 {
            return true;
        }
        self.links * 2 > self.text
    }
}

#[cfg(test)]
mod tests {
    use super::{FURNITURE_WORDS, Mark, furniture_word, remove_furniture};

    #[test]
    fn furniture_words_stay_sorted_for_the_binary_search() {
        let key = |w: &&str| (w.len(), w.to_string());
        assert!(FURNITURE_WORDS.windows(2).all(|p| key(&p[0]) < key(&p[1])));
        assert!(FURNITURE_WORDS.iter().all(|w| furniture_word(w) == Some(w)));
        assert!(furniture_word("article").is_none());
    }

    #[test]
    fn removed_blocks_are_listed_with_what_marks_them() {
        let article = "<p>The harbour closed on Tuesday after a storm brought heavy rain and \
            strong winds to the coast, flooding streets near the sea front.</p>"
            .repeat(5);
        let doc = dom_query::Document::from(format!(
            "<html><body><nav>Home News Sport</nav><div class=\"shareBar\">Share on X</div>\
             <p hidden>Old version</p><div role=complementary>Most read</div>\
             <article>{article}</article></body></html>"
        ));
        let found = remove_furniture(&doc);
        let removed: Vec<(&str, Mark)> = found
            .removed
            .iter()
            .map(|b| (b.text.as_str(), b.reason))
            .collect();
        assert_eq!(
            removed,
            [
                ("Home News Sport", Mark::Tag("nav")),
                ("Share on X", Mark::Word("share")),
                ("Old version", Mark::Hidden),
                ("Most read", Mark::Role("complementary")),
            ]
        );
        assert_eq!(Mark::Word("share").to_string(), "class or id `share`");
    }
}
