//! What the markup of a page declares, read in one walk over the tree: `<meta>` tags, the
//! canonical link, the `<title>`, JSON-LD blocks and the dates of dated elements. The
//! metadata stage ([`crate::meta`]) chooses from them.

use dom_query::{Document, local_name};

/// What the markup of a page declares, gathered in one walk over the tree: `<meta>` tags
/// (keys lower-cased, in document order), the canonical link, the `<title>`, the JSON-LD
/// blocks and the `datetime` of dated elements.
#[derive(Default)]
pub(crate) struct Tags {
    pub pairs: Vec<(String, String)>,
    pub canonical: Option<String>,
    pub title: Option<String>,
    pub json_ld: Vec<String>,
    /// `datetime` (or `content`) of elements with `itemprop=datePublished`, then of the first
    /// `<time pubdate>` or `<time>` inside an `<article>`.
    pub published: Vec<String>,
    /// The same for `itemprop=dateModified`.
    pub modified: Vec<String>,
    first_time: Option<String>,
}

impl Tags {
    pub fn read(doc: &Document) -> Self {
        let mut tags = Self::default();
        for node in doc.root().descendants_it() {
            // One borrow of the element per node: most nodes match no arm, and looking up
            // their name and `itemprop` through the node would copy the name each time.
            let Some(element) = node.element_ref() else {
                continue;
            };
            match element.name.local.as_ref() {
                "meta" => tags.meta(&node),
                "link" if tags.canonical.is_none() => {
                    let canonical = element.attr_ref(local_name!("rel")).is_some_and(|rel| {
                        rel.split_whitespace()
                            .any(|r| r.eq_ignore_ascii_case("canonical"))
                    });
                    if canonical {
                        tags.canonical = node.attr("href").map(|h| h.trim().to_owned());
                    }
                }
                "title" if tags.title.is_none() => tags.title = Some(node.text().to_string()),
                "script" => {
                    let json_ld = element
                        .attr_ref(local_name!("type"))
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                    if json_ld {
                        tags.json_ld.push(node.text().to_string());
                    }
                }
                "time" if tags.first_time.is_none() => {
                    let dated = element.has_attr("pubdate")
                        || node.ancestors_it(None).any(|a| a.has_name("article"));
                    if dated {
                        tags.first_time = node.attr("datetime").map(|d| d.to_string());
                    }
                }
                _ => {}
            }
            if let Some(prop) = element.attr_ref(local_name!("itemprop")) {
                let value = || {
                    node.attr("datetime")
                        .or_else(|| node.attr("content"))
                        .map(|v| v.to_string())
                };
                match prop {
                    "datePublished" => tags.published.extend(value()),
                    "dateModified" => tags.modified.extend(value()),
                    _ => {}
                }
            }
        }
        tags.published.extend(tags.first_time.take());
        tags
    }

    fn meta(&mut self, node: &dom_query::NodeRef) {
        let Some(content) = node.attr("content") else {
            return;
        };
        let content = content.trim();
        if content.is_empty() {
            return;
        }
        for attr in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(key) = node.attr(attr) {
                // `property` may hold several space-separated names (RDFa).
                for k in key.split_whitespace() {
                    self.pairs
                        .push((k.to_ascii_lowercase(), content.to_owned()));
                }
            }
        }
    }

    pub fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|key| {
            self.pairs
                .iter()
                .find(|(k, v)| k == key && !v.is_empty())
                .map(|(_, v)| v.as_str())
        })
    }

    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
