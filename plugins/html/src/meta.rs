//! Page metadata: `<meta>` tags (`OpenGraph`, `article:*`, Twitter, Dublin Core, plain names),
//! JSON-LD, `<link rel=canonical>`, `<html lang>`, `<title>` and `<time datetime>`, merged
//! into the record's fields. Each field takes the first source that has a usable value, in
//! an order that prefers what the publisher declared most deliberately.

use docnorm_plugin_api::{Author, Image, Patch, Publisher, slot};
use docnorm_toolkit::dates::{self, Normalized};
use dom_query::Document;
use serde_json::{Map, Value};

use crate::authors;
use crate::jsonld::{Graph, Item, Node};
use crate::tags::Tags;
use crate::text::{clean, squash};
use crate::title::{same, strip_site_suffix};

/// The metadata of one page: the fields it fills, and the authors the markup declares (a
/// visible byline may still supply them, see [`add_byline`]).
#[derive(Debug, Default)]
pub struct Meta {
    pub patch: Patch,
    pub authors: Vec<Author>,
}

/// Limits on list fields.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub topics: usize,
    pub images: usize,
}

const TITLE_KEYS: &[&str] = &["og:title", "twitter:title", "dc.title", "dcterms.title"];
const SUMMARY_KEYS: &[&str] = &[
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
];
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "article:published",
];
const UPDATED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:article:modified_time",
    "datemodified",
    "og:updated_time",
    "article.updated",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
];
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "dc.creator",
    "dcterms.creator",
    "sailthru.author",
    "parsely-author",
    "byl",
    "citation_author",
];
const SITE_KEYS: &[&str] = &[
    "og:site_name",
    "application-name",
    "twitter:app:name:iphone",
];
const ORGANIZATION_TYPES: &[&str] = &["NewsMediaOrganization", "Organization", "WebSite"];

/// Reads the metadata of `doc`.
pub fn extract(doc: &Document, limits: Limits) -> Meta {
    let tags = Tags::read(doc);
    let graph = Graph::parse(tags.json_ld.iter().map(String::as_str));
    let article = graph.article();

    let url = page_url(&tags, article);
    let site = site_name(&tags, article, &graph);
    let title = title(doc, &tags, article, site.as_deref(), url.as_deref());
    let subtitle = article
        .and_then(|a| a.text("alternativeHeadline"))
        .map(clean)
        .filter(|s| Some(s) != title.as_ref());
    let summary = tags
        .first(SUMMARY_KEYS)
        .or_else(|| article.and_then(|a| a.text("description")))
        .map(clean)
        .filter(|s| !s.is_empty());
    let published = first_date(
        tags.first(&PUBLISHED_KEYS[..2])
            .into_iter()
            .chain(article.and_then(|a| a.text("datePublished")))
            .chain(PUBLISHED_KEYS[2..].iter().filter_map(|k| tags.first(&[k])))
            .chain(article.and_then(|a| a.text("dateCreated")))
            .chain(tags.published.iter().map(String::as_str)),
    );
    let updated = first_date(
        tags.first(&UPDATED_KEYS[..2])
            .into_iter()
            .chain(article.and_then(|a| a.text("dateModified")))
            .chain(UPDATED_KEYS[2..].iter().filter_map(|k| tags.first(&[k])))
            .chain(tags.modified.iter().map(String::as_str)),
    );
    let language = language(doc, &tags, article);

    let mut patch = Patch::new();
    if let Some(name) = site {
        let domain = url.as_deref().and_then(domain);
        patch.set(slot::PUBLISHER, &Publisher { name, domain });
    }
    let images = images(&tags, article, url.as_deref(), limits.images);
    let texts = [
        (slot::TITLE, title),
        (slot::SUBTITLE, subtitle),
        (slot::SUMMARY, summary),
        (slot::PUBLISHED, published),
        (slot::UPDATED, updated),
        (slot::URL, url),
        (slot::LANGUAGE, language),
    ];
    for (slot, value) in texts {
        if let Some(value) = value {
            patch.set_text(slot, value);
        }
    }
    let topics = topics(&tags, article, limits.topics);
    patch
        .set_texts(slot::TOPICS, topics.iter().map(String::as_str))
        .set(slot::IMAGES, &images)
        .set_json(slot::EXTRA, Value::Object(extra(&tags, article)));
    Meta {
        patch,
        authors: page_authors(&tags, article),
    }
}

/// Sets `authors` from the visible byline when the markup declared none.
pub fn add_byline(meta: &mut Meta, byline: Option<&str>) {
    if !meta.authors.is_empty() {
        return;
    }
    let Some(byline) = byline.filter(|b| b.chars().count() <= 100) else {
        return;
    };
    meta.authors = authors::names(byline)
        .into_iter()
        .map(|name| Author {
            name,
            bio: None,
            url: None,
        })
        .collect();
}

fn page_url(tags: &Tags, article: Option<Node<'_>>) -> Option<String> {
    let og = tags.first(&["og:url"]).filter(|u| is_absolute(u));
    let canonical = tags
        .canonical
        .as_deref()
        .filter(|h| !h.is_empty())
        .and_then(|href| resolve(href, og));
    canonical.or_else(|| og.map(str::to_owned)).or_else(|| {
        let a = article?;
        a.text("url")
            .or_else(|| a.child("mainEntityOfPage").and_then(|m| m.text("@id")))
            .or_else(|| a.text("mainEntityOfPage"))
            .filter(|u| is_absolute(u))
            .map(str::to_owned)
    })
}

fn is_absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// `href` made absolute against `base` where that is simple; `None` when it cannot be.
fn resolve(href: &str, base: Option<&str>) -> Option<String> {
    if is_absolute(href) {
        return Some(href.to_owned());
    }
    if let Some(rest) = href.strip_prefix("//") {
        return Some(format!("https://{rest}"));
    }
    let base = base?;
    let scheme_end = base.find("://")? + 3;
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if href.starts_with('/') {
        return Some(format!("{}{href}", &base[..host_end]));
    }
    None
}

/// The host of an absolute URL without `www.`.
pub fn domain(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host
        .strip_prefix("www.")
        .unwrap_or(host)
        .to_ascii_lowercase();
    (host.contains('.') && !host.is_empty()).then_some(host)
}

fn site_name(tags: &Tags, article: Option<Node<'_>>, graph: &Graph) -> Option<String> {
    tags.first(SITE_KEYS)
        .map(clean)
        .or_else(|| {
            article
                .and_then(|a| a.child("publisher"))
                .and_then(|p| p.text("name"))
                .or_else(|| article.and_then(|a| a.text("publisher")))
                .map(clean)
        })
        .or_else(|| {
            graph
                .first_of(ORGANIZATION_TYPES)
                .and_then(|o| o.text("name"))
                .map(clean)
        })
        .filter(|s| !s.is_empty() && s.chars().count() <= 100)
}

fn title(
    doc: &Document,
    tags: &Tags,
    article: Option<Node<'_>>,
    site: Option<&str>,
    url: Option<&str>,
) -> Option<String> {
    // The first `<h1>` is looked up only when nothing else named the page.
    let h1 = std::iter::once_with(|| {
        doc.select_single("h1")
            .nodes()
            .first()
            .map(|n| squash(&n.text()))
    })
    .flatten();
    let candidates = TITLE_KEYS
        .iter()
        .filter_map(|k| tags.first(&[k]).map(clean))
        .chain(article.and_then(|a| a.text("headline")).map(clean))
        .chain(tags.title.as_deref().map(clean))
        .chain(h1);
    let mut sites: Vec<String> = site.map(str::to_owned).into_iter().collect();
    if let Some(d) = url.and_then(domain) {
        sites.push(d);
    }
    candidates
        .filter(|t| !t.is_empty() && !sites.iter().any(|s| same(s, t)))
        .map(|t| strip_site_suffix(&t, &sites))
        .next()
}

fn page_authors(tags: &Tags, article: Option<Node<'_>>) -> Vec<Author> {
    let mut out: Vec<Author> = Vec::new();
    let push = |out: &mut Vec<Author>, name: String, url: Option<String>| {
        if !out.iter().any(|a| a.name.eq_ignore_ascii_case(&name)) {
            out.push(Author {
                name,
                bio: None,
                url,
            });
        }
    };
    if let Some(article) = article {
        for item in article
            .items("author")
            .into_iter()
            .chain(article.items("creator"))
        {
            match item {
                Item::Text(s) => authors::names(&clean(s))
                    .into_iter()
                    .for_each(|n| push(&mut out, n, None)),
                Item::Node(node) => {
                    let url = node
                        .text("url")
                        .or_else(|| node.text("sameAs"))
                        .filter(|u| is_absolute(u))
                        .map(str::to_owned);
                    let name = node.text("name").map(clean).unwrap_or_default();
                    for n in authors::names(&name) {
                        push(&mut out, n, url.clone());
                    }
                }
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    for key in AUTHOR_KEYS {
        for value in tags.all(key) {
            for n in authors::names(&clean(value)) {
                push(&mut out, n, None);
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    for value in tags.all("article:author") {
        for n in authors::names(&clean(value)) {
            push(&mut out, n, None);
        }
    }
    out
}

/// Years a page's date metadata is believed in: outside them a value is a placeholder
/// (`1970-01-01T00:00:00Z`, `0001-01-01`) and the next source is asked.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i16> = 1990..=2100;

/// The first candidate that is a date of a plausible year, in the record's form.
fn first_date<'a>(candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .find_map(|candidate| match dates::normalize(candidate) {
            Normalized::Value(date) if PLAUSIBLE_YEARS.contains(&date.year()) => {
                Some(date.to_string())
            }
            _ => None,
        })
}

fn language(doc: &Document, tags: &Tags, article: Option<Node<'_>>) -> Option<String> {
    let root = doc.html_root();
    let html_lang = root.attr("lang").map(|l| l.to_string());
    let xml_lang = root.attr("xml:lang").map(|l| l.to_string());
    html_lang
        .into_iter()
        .chain(xml_lang)
        .chain(
            [
                "content-language",
                "og:locale",
                "dc.language",
                "language",
                "inlanguage",
            ]
            .iter()
            .filter_map(|k| tags.first(&[k]).map(str::to_owned)),
        )
        .chain(
            article
                .and_then(|a| a.text("inLanguage"))
                .map(str::to_owned),
        )
        .find_map(|l| primary_subtag(&l))
}

/// `en` from `en-US`, `en_GB` or `EN`; `None` for anything but a two-letter code.
pub fn primary_subtag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_', ',', ';']).next()?.trim();
    (primary.len() == 2 && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| primary.to_ascii_lowercase())
}

fn topics(tags: &Tags, article: Option<Node<'_>>, max: usize) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    raw.extend(tags.all("article:tag").map(str::to_owned));
    if let Some(a) = article {
        for item in a.items("keywords") {
            if let Item::Text(s) = item {
                raw.extend(s.split(',').map(str::to_owned));
            }
        }
    }
    for key in ["news_keywords", "keywords"] {
        for value in tags.all(key) {
            raw.extend(value.split([',', ';']).map(str::to_owned));
        }
    }
    raw.extend(tags.all("article:section").map(str::to_owned));
    if let Some(a) = article {
        for item in a.items("articleSection") {
            if let Item::Text(s) = item {
                raw.push(s.to_owned());
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for topic in raw {
        let topic = clean(&topic);
        let fine = !topic.is_empty() && topic.chars().count() <= 60 && !is_absolute(&topic);
        if fine && !out.iter().any(|t| t.to_lowercase() == topic.to_lowercase()) {
            out.push(topic);
        }
        if out.len() >= max {
            break;
        }
    }
    out
}

fn images(tags: &Tags, article: Option<Node<'_>>, page: Option<&str>, max: usize) -> Vec<Image> {
    let mut out: Vec<Image> = Vec::new();
    let mut last: Option<usize> = None;
    let add = |out: &mut Vec<Image>, url: &str| -> Option<usize> {
        let url = resolve(url.trim(), page)?;
        if let Some(i) = out.iter().position(|img| img.url == url) {
            return Some(i);
        }
        out.push(Image {
            url,
            width: None,
            height: None,
            caption: None,
        });
        Some(out.len() - 1)
    };
    for (key, value) in &tags.pairs {
        match key.as_str() {
            "og:image" | "og:image:url" | "twitter:image" | "twitter:image:src" => {
                last = add(&mut out, value);
            }
            "og:image:width" | "og:image:height" | "og:image:alt" => {
                let Some(img) = last.and_then(|i| out.get_mut(i)) else {
                    continue;
                };
                match key.as_str() {
                    "og:image:width" => img.width = img.width.or_else(|| dimension(value)),
                    "og:image:height" => img.height = img.height.or_else(|| dimension(value)),
                    _ => img.caption = img.caption.take().or_else(|| Some(clean(value))),
                }
            }
            _ => {}
        }
    }
    if let Some(a) = article {
        for item in a.items("image") {
            match item {
                Item::Text(s) => {
                    add(&mut out, s);
                }
                Item::Node(node) => {
                    let Some(url) = node.text("url").or_else(|| node.text("contentUrl")) else {
                        continue;
                    };
                    let Some(i) = add(&mut out, url) else {
                        continue;
                    };
                    let dim = |key: &str| {
                        node.values(key).into_iter().find_map(|v| match v {
                            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                            Value::String(s) => dimension(s),
                            Value::Object(o) => o.get("value").and_then(|v| match v {
                                Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                                Value::String(s) => dimension(s),
                                _ => None,
                            }),
                            _ => None,
                        })
                    };
                    let img = &mut out[i];
                    img.width = img.width.or_else(|| dim("width"));
                    img.height = img.height.or_else(|| dim("height"));
                    if img.caption.is_none() {
                        img.caption = node.text("caption").map(clean).filter(|c| !c.is_empty());
                    }
                }
            }
        }
    }
    out.retain(|img| img.caption.as_ref().is_none_or(|c| !c.is_empty()));
    out.truncate(max);
    out
}

fn dimension(s: &str) -> Option<u32> {
    let digits = s.trim().trim_end_matches("px");
    digits.parse::<u32>().ok().filter(|n| *n > 0)
}

fn extra(tags: &Tags, article: Option<Node<'_>>) -> Map<String, Value> {
    let mut extra = Map::new();
    if let Some(t) = tags.first(&["og:type"]) {
        extra.insert("og_type".to_owned(), Value::String(clean(t)));
    }
    if let Some(a) = article {
        let types = a.types();
        if !types.is_empty() {
            extra.insert("schema_type".to_owned(), Value::String(types.join(", ")));
        }
        if let Some(free) = a.values("isAccessibleForFree").first() {
            let free = match free {
                Value::Bool(b) => Some(*b),
                Value::String(s) => match s.to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                _ => None,
            };
            if let Some(free) = free {
                extra.insert("accessible_for_free".to_owned(), Value::Bool(free));
            }
        }
    }
    extra
}
