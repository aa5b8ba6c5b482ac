//! JSON-LD (`<script type="application/ld+json">`): the article-like object of a page, found
//! among several blocks, `@graph` lists and arrays, with `@id` references resolved.
//!
//! Pages often carry broken JSON-LD (raw line breaks inside strings, trailing commas, HTML
//! comments around the object); a block that still does not parse after light repair is
//! skipped.

use serde_json::{Map, Value};

/// Schema.org types (or their suffixes) that describe an article.
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "BlogPosting",
    "Posting",
    "Report",
    "NewsArticle",
    "LiveBlogPosting",
];

/// Page types whose dates and authors are used when no article object exists.
const PAGE_TYPES: &[&str] = &["WebPage", "ItemPage", "AboutPage", "CollectionPage"];

/// Types that never stand for the page's content.
const NOT_WORKS: &[&str] = &[
    "Organization",
    "Person",
    "WebSite",
    "ImageObject",
    "VideoObject",
    "BreadcrumbList",
    "SiteNavigationElement",
];

/// Every object of every block of a page.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every object found, each a `Value::Object`.
    nodes: Vec<Value>,
}

impl Graph {
    /// Parses the text of each JSON-LD block; blocks that are not JSON are skipped.
    pub fn parse<'a>(blocks: impl IntoIterator<Item = &'a str>) -> Self {
        let mut graph = Self::default();
        for block in blocks {
            if let Some(value) = parse_block(block) {
                graph.collect(value, 0);
            }
        }
        graph
    }

    fn collect(&mut self, value: Value, depth: usize) {
        if depth > 8 {
            return;
        }
        match value {
            Value::Array(items) => {
                for item in items {
                    self.collect(item, depth + 1);
                }
            }
            Value::Object(mut map) => {
                if let Some(inner) = map.remove("@graph") {
                    self.collect(inner, depth + 1);
                }
                if map.contains_key("@type") || map.contains_key("@id") {
                    self.nodes.push(Value::Object(map));
                }
            }
            _ => {}
        }
    }

    /// The page's article object: the best-furnished object of an article type, else of
    /// another creative work, else a page object.
    pub fn article(&self) -> Option<Node<'_>> {
        let pick = |types: &[&str]| {
            // `max_by_key` keeps the last of equals; reversing keeps the first.
            self.maps()
                .filter(|n| has_type(n, types))
                .rev()
                .max_by_key(|n| richness(n))
        };
        let creative_work = || {
            // Other creative works that describe the page (`ClaimReview`, `Recipe`): the
            // best-furnished object with a headline or a publication date.
            self.maps()
                .filter(|n| {
                    (n.contains_key("headline") || n.contains_key("datePublished"))
                        && !has_type(n, NOT_WORKS)
                        && !has_type(n, PAGE_TYPES)
                })
                .rev()
                .max_by_key(|n| richness(n))
        };
        pick(ARTICLE_TYPES)
            .or_else(creative_work)
            .or_else(|| pick(PAGE_TYPES))
            .map(|map| Node { map, graph: self })
    }

    /// The first object of one of `types`, e.g. the site's `Organization`.
    pub fn first_of(&self, types: &[&str]) -> Option<Node<'_>> {
        self.maps()
            .find(|n| has_type(n, types))
            .map(|map| Node { map, graph: self })
    }

    fn maps(&self) -> impl DoubleEndedIterator<Item = &Map<String, Value>> {
        self.nodes.iter().filter_map(Value::as_object)
    }

    /// The object whose `@id` is `id`, when it says more than its id.
    fn by_id(&self, id: &str) -> Option<&Value> {
        self.nodes.iter().find(|n| {
            n.as_object().is_some_and(|map| {
                map.len() > 1 && map.get("@id").and_then(Value::as_str) == Some(id)
            })
        })
    }
}

/// One JSON-LD object, with its graph for resolving references.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    map: &'a Map<String, Value>,
    graph: &'a Graph,
}

impl<'a> Node<'a> {
    /// The object's types.
    pub fn types(&self) -> Vec<&'a str> {
        match self.map.get("@type") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The values under `key`, references resolved: one value or each item of an array.
    pub fn values(&self, key: &str) -> Vec<&'a Value> {
        let resolve = |v: &'a Value| -> &'a Value {
            if let Value::Object(map) = v
                && map.len() == 1
                && let Some(id) = map.get("@id").and_then(Value::as_str)
                && let Some(target) = self.graph.by_id(id)
            {
                // A bare reference: the object it points at stands in for it.
                return target;
            }
            v
        };
        match self.map.get(key) {
            Some(Value::Array(items)) => items.iter().map(resolve).collect(),
            Some(v) => vec![resolve(v)],
            None => Vec::new(),
        }
    }

    /// The first string under `key`, looking into `{"@value": …}` and `{"name": …}` wrappers.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.values(key)
            .into_iter()
            .find_map(text_of)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The node under `key` when it is an object.
    pub fn child(&self, key: &str) -> Option<Node<'a>> {
        self.values(key).into_iter().find_map(|v| match v {
            Value::Object(map) => Some(Node {
                map,
                graph: self.graph,
            }),
            _ => None,
        })
    }

    /// Objects under `key`, strings wrapped as nodes holding only that text.
    pub fn items(&self, key: &str) -> Vec<Item<'a>> {
        self.values(key)
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(Item::Text(s)),
                Value::Object(map) => Some(Item::Node(Node {
                    map,
                    graph: self.graph,
                })),
                _ => None,
            })
            .collect()
    }
}

/// A value that is either plain text or an object.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// A bare string, e.g. an author's name or an image URL.
    Text(&'a str),
    /// A structured object, e.g. a `Person` or an `ImageObject`.
    Node(Node<'a>),
}

fn text_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(map) => map
            .get("@value")
            .or_else(|| map.get("name"))
            .and_then(Value::as_str),
        _ => None,
    }
}

fn has_type(map: &Map<String, Value>, types: &[&str]) -> bool {
    let matches = |t: &str| {
        let t = t.rsplit(['/', ':']).next().unwrap_or(t);
        types.iter().any(|want| t.ends_with(want))
    };
    match map.get("@type") {
        Some(Value::String(s)) => matches(s),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

/// How much an object says about an article, to choose among several.
fn richness(map: &Map<String, Value>) -> usize {
    [
        "headline",
        "author",
        "datePublished",
        "articleBody",
        "description",
        "image",
    ]
    .iter()
    .filter(|k| map.contains_key(**k))
    .count()
}

fn parse_block(text: &str) -> Option<Value> {
    let trimmed = strip_wrappers(text);
    if trimmed.is_empty() {
        return None;
    }
    serde_json::from_str(trimmed)
        .ok()
        .or_else(|| serde_json::from_str(&repair(trimmed)).ok())
}

/// Removes HTML comment and CDATA wrappers and a trailing `;` around a block.
fn strip_wrappers(text: &str) -> &str {
    let mut s = text.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("<![CDATA[", "]]>"),
        ("//<![CDATA[", "//]]>"),
    ] {
        if let Some(rest) = s.strip_prefix(open) {
            s = rest.trim();
            if let Some(rest) = s.strip_suffix(close) {
                s = rest.trim();
            }
        }
    }
    s.trim_end_matches(';').trim()
}

/// Light repair of common breakage: control characters inside strings, trailing commas.
fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                c if c.is_control() => {
                    out.push(' ');
                    continue;
                }
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => in_string = true,
            ',' => {
                // Drop a comma that only precedes a closing bracket.
                let rest: String = chars.clone().take_while(|c| c.is_whitespace()).collect();
                let after = chars.clone().nth(rest.chars().count());
                if matches!(after, Some('}' | ']')) {
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}
