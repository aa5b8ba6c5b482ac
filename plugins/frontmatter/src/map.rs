//! Mapping a parsed source object onto record fields through the alias table, shaping each
//! value (authors, publisher, topics, images, related items, dates, language) and keeping
//! everything else in `extra`.
//!
//! Nothing is dropped. A key the table does not know goes to `extra` unchanged. A key that
//! loses to a higher-ranked key for the same field goes to `extra` unchanged. A value whose
//! shape does not fit its field goes to `extra` unchanged, with a warning (a boolean
//! `published: true` is a flag, not a broken date, and gets no warning). When a value fits
//! but carries parts the record has no place for (an image's `isCached`, a publisher's
//! logo), those parts go to `extra` under the source key, in the same shape: an object with
//! the unused keys, or a list with the unused parts of each item at its position (`null`
//! where an item was used whole).

use std::collections::{BTreeMap, HashSet};

use docnorm_toolkit::dates;
use serde_json::{Map, Value, json};

use crate::aliases::{Context, Field, lookup};
use crate::html;
use crate::messages::kind;

/// A source object mapped onto fields.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    /// Field → value, shaped as the record wants it.
    pub fields: BTreeMap<Field, Value>,
    /// What the record has no place for.
    pub extra: Map<String, Value>,
    /// What a user should know: values kept in `extra` because they did not fit.
    pub warnings: Vec<String>,
}

/// Maps `source` in `context`. `path` names the object in warnings (empty at the top).
pub(crate) fn map_object(source: Map<String, Value>, context: Context, path: &str) -> Mapped {
    let mut mapped = Mapped::default();
    let mut candidates: BTreeMap<Field, Vec<(usize, String, Value)>> = BTreeMap::new();
    for (key, value) in source {
        match lookup(&key).filter(|(field, _)| context.fills(*field)) {
            Some((field, rank)) => candidates
                .entry(field)
                .or_default()
                .push((rank, key, value)),
            None => {
                mapped.extra.insert(key, value);
            }
        }
    }
    for (field, mut list) in candidates {
        list.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        if field.merges() {
            mapped.merge(field, list, path);
        } else {
            mapped.first_wins(field, list, path);
        }
    }
    mapped
}

/// What became of one source value.
enum Shaped {
    /// It fits: the field's value, and the parts of the source value left over.
    Fits(Value, Option<Value>),
    /// It does not fit; the reason is worth a warning unless it is `None`.
    Misfit(Option<String>),
}

impl Mapped {
    /// The highest-ranked key whose value fits fills the field.
    fn first_wins(&mut self, field: Field, list: Vec<(usize, String, Value)>, path: &str) {
        let mut filled = false;
        for (_, key, value) in list {
            if filled {
                self.extra.insert(key, value);
                continue;
            }
            let at = join(path, &key);
            match shape(field, &value, &at, &mut self.warnings) {
                Shaped::Fits(shaped, leftover) => {
                    self.fields.insert(field, shaped);
                    self.keep(key, leftover);
                    filled = true;
                }
                Shaped::Misfit(reason) => self.misfit(key, value, &at, reason),
            }
        }
    }

    /// Every key's items, in rank order, without duplicates.
    fn merge(&mut self, field: Field, list: Vec<(usize, String, Value)>, path: &str) {
        let mut items: Vec<Value> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (_, key, value) in list {
            let at = join(path, &key);
            match shape(field, &value, &at, &mut self.warnings) {
                Shaped::Fits(Value::Array(new), leftover) => {
                    for item in new {
                        if seen.insert(identity(&item)) {
                            items.push(item);
                        }
                    }
                    self.keep(key, leftover);
                }
                Shaped::Fits(_, _) => {}
                Shaped::Misfit(reason) => self.misfit(key, value, &at, reason),
            }
        }
        if !items.is_empty() {
            self.fields.insert(field, Value::Array(items));
        }
    }

    fn keep(&mut self, key: String, leftover: Option<Value>) {
        if let Some(leftover) = leftover {
            self.extra.insert(key, leftover);
        }
    }

    fn misfit(&mut self, key: String, value: Value, at: &str, reason: Option<String>) {
        if let Some(reason) = reason {
            self.warnings
                .push(format!("`{at}`: {reason}; kept in extra"));
        }
        self.extra.insert(key, value);
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// What makes two items of a merged list one: a topic's text ignoring case, an image's URL.
fn identity(item: &Value) -> String {
    match item {
        Value::String(topic) => topic.to_lowercase(),
        other => other
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Shapes `value` for `field`. `at` names the value in warnings.
fn shape(field: Field, value: &Value, at: &str, warnings: &mut Vec<String>) -> Shaped {
    if value.is_null() {
        return Shaped::Misfit(None);
    }
    match field {
        Field::Title | Field::Subtitle | Field::Summary | Field::Section | Field::Url => {
            plain(value)
        }
        Field::Body => match unwrapped(value) {
            Some(text) if !text.text.trim().is_empty() => Shaped::Fits(
                Value::String(html::paragraphs_of(text.text, text.markup)),
                text.leftover,
            ),
            Some(_) => Shaped::Misfit(None),
            None => Shaped::Misfit(Some(format!("{} is not text", kind(value)))),
        },
        Field::Published | Field::Updated => date(value),
        Field::Language => language(value),
        Field::Authors => authors(value),
        Field::Publisher => publisher(value),
        Field::Topics => topics(value),
        Field::Images => images(value),
        Field::Related => related(value, at, warnings),
    }
}

/// A one-line text value: a string, trimmed, or a number written out.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Keys under which a CMS export wraps a text value: `{"rendered": "…"}` (`WordPress`), XML
/// converters' `{"#text": "…"}` and the like, in order of preference.
const TEXT_WRAPPERS: &[&str] = &[
    "rendered", "text", "#text", "value", "content", "html", "raw",
];

/// Wrapper keys whose text is HTML by name, whatever it looks like.
const MARKUP_WRAPPERS: &[&str] = &["rendered", "html"];

/// A text value as found: a string, or the string a wrapper object holds.
struct Unwrapped<'a> {
    text: &'a str,
    /// The wrapper's key says the text is HTML.
    markup: bool,
    /// The wrapper's other keys.
    leftover: Option<Value>,
}

/// A string value, or the string a wrapper object holds (with the wrapper's other keys,
/// left over).
fn unwrapped(value: &Value) -> Option<Unwrapped<'_>> {
    match value {
        Value::String(text) => Some(Unwrapped {
            text,
            markup: false,
            leftover: None,
        }),
        Value::Object(map) => {
            let (key, text) = TEXT_WRAPPERS
                .iter()
                .find_map(|key| Some((*key, map.get(*key)?.as_str()?)))?;
            let mut rest = map.clone();
            rest.remove(key);
            Some(Unwrapped {
                text,
                markup: MARKUP_WRAPPERS.contains(&key),
                leftover: non_empty(rest),
            })
        }
        _ => None,
    }
}

/// A one-line text value (title, summary, section, URL): a string or a wrapped one, made
/// plain text when it is HTML (else only its character references decoded), or a number
/// written out.
fn plain(value: &Value) -> Shaped {
    if let Value::Number(n) = value {
        return Shaped::Fits(Value::String(n.to_string()), None);
    }
    let Some(text) = unwrapped(value) else {
        return Shaped::Misfit(Some(format!("{} is not text", kind(value))));
    };
    let line = html::line_of(text.text, text.markup);
    if line.is_empty() {
        return Shaped::Misfit(None);
    }
    Shaped::Fits(Value::String(line), text.leftover)
}

fn date(value: &Value) -> Shaped {
    match value {
        Value::String(s) if s.trim().is_empty() => Shaped::Misfit(None),
        Value::String(s) => match dates::normalize(s).text() {
            Some(date) => Shaped::Fits(Value::String(date), None),
            None => Shaped::Misfit(Some(format!("unparseable date {}", quoted(s)))),
        },
        // Unix seconds (or milliseconds) in a JSON export.
        Value::Number(n) if let Some(date) = dates::normalize(&n.to_string()).text() => {
            Shaped::Fits(Value::String(date), None)
        }
        // `published: true` says the document is published, not when.
        Value::Bool(_) => Shaped::Misfit(None),
        other => Shaped::Misfit(Some(format!("{} is not a date", kind(other)))),
    }
}

/// The ISO 639-1 code of a language tag: `en-US`, `en_US` and `EN` are all `en`.
fn language(value: &Value) -> Shaped {
    let Value::String(tag) = value else {
        return Shaped::Misfit(Some(format!("{} is not a language code", kind(value))));
    };
    let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
    if primary.len() == 2 && primary.chars().all(|c| c.is_ascii_alphabetic()) {
        Shaped::Fits(Value::String(primary.to_ascii_lowercase()), None)
    } else {
        Shaped::Misfit(Some(format!(
            "{} is not an ISO 639-1 language code",
            quoted(tag)
        )))
    }
}

/// Authors: a name, a list of names, an object with `name` (and `url`, `bio` or
/// `description`), or a list of such objects. A leading "By " is not part of a name.
fn authors(value: &Value) -> Shaped {
    list_of(value, author)
        .unwrap_or_else(|| Shaped::Misfit(Some(format!("{} names no author", kind(value)))))
}

fn author(value: &Value) -> Option<(Value, Option<Value>)> {
    match value {
        Value::String(s) => Some((json!({ "name": person_name(s)? }), None)),
        Value::Object(map) => {
            let mut rest = map.clone();
            let name = rest.get("name").and_then(|v| person_name(v.as_str()?))?;
            rest.remove("name");
            let mut author = json!({ "name": name });
            if let Some(url) = take_text(&mut rest, &["url"]) {
                author["url"] = Value::String(url);
            }
            if let Some(bio) = take_text(&mut rest, &["bio", "description"]) {
                author["bio"] = Value::String(bio);
            }
            Some((author, non_empty(rest)))
        }
        _ => None,
    }
}

fn person_name(text: &str) -> Option<String> {
    let text = text.trim();
    let name = match text.get(..3) {
        Some(by) if by.eq_ignore_ascii_case("by ") => text[3..].trim(),
        _ => text,
    };
    Some(name.to_owned()).filter(|n| !n.is_empty())
}

/// The publisher: a name, or an object with `name` and `domain` or a `url` to take the
/// domain from.
fn publisher(value: &Value) -> Shaped {
    match value {
        Value::String(s) if looks_like_url(s) => {
            Shaped::Misfit(Some("a URL is not a publisher name".to_owned()))
        }
        Value::String(_) => match text(value) {
            Some(name) => Shaped::Fits(json!({ "name": name }), None),
            None => Shaped::Misfit(None),
        },
        Value::Object(map) => {
            let mut rest = map.clone();
            let Some(name) = take_text(&mut rest, &["name"]) else {
                return Shaped::Misfit(Some("the publisher has no name".to_owned()));
            };
            let mut publisher = json!({ "name": name });
            let domain = take_text(&mut rest, &["domain"]).or_else(|| {
                let host = host(rest.get("url")?.as_str()?)?;
                rest.remove("url");
                Some(host)
            });
            if let Some(domain) = domain {
                publisher["domain"] = Value::String(domain);
            }
            Shaped::Fits(publisher, non_empty(rest))
        }
        other => Shaped::Misfit(Some(format!("{} is not a publisher", kind(other)))),
    }
}

fn looks_like_url(s: &str) -> bool {
    let s = s.trim_start();
    s.starts_with("http://") || s.starts_with("https://")
}

/// The host of an absolute URL, without a leading `www.`.
fn host(url: &str) -> Option<String> {
    let (_, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    host.contains('.').then(|| host.to_owned())
}

/// Topics: a list, or one string of comma-separated topics.
fn topics(value: &Value) -> Shaped {
    if let Value::String(s) = value {
        let topics: Vec<Value> = s
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Value::String(t.to_owned()))
            .collect();
        if topics.is_empty() {
            return Shaped::Misfit(None);
        }
        return Shaped::Fits(Value::Array(topics), None);
    }
    // A number in a list of topics is a category id, not a topic: it stays in `extra`, and a
    // list of ids alone (a CMS export's `categories: [3, 7]`) is no cause for a warning.
    list_of(value, |item| {
        let topic = item.as_str()?.trim();
        (!topic.is_empty()).then(|| (Value::String(topic.to_owned()), None))
    })
    .unwrap_or_else(|| match value {
        Value::Array(ids) if !ids.is_empty() && ids.iter().all(Value::is_number) => {
            Shaped::Misfit(None)
        }
        _ => Shaped::Misfit(Some(format!("{} holds no topics", kind(value)))),
    })
}

/// Images: a URL, an object with `url` (or `src`, `contentUrl`), `width`, `height` and
/// `caption` (or `alt`), or a list of those.
fn images(value: &Value) -> Shaped {
    list_of(value, image)
        .unwrap_or_else(|| Shaped::Misfit(Some(format!("{} is not an image", kind(value)))))
}

fn image(value: &Value) -> Option<(Value, Option<Value>)> {
    match value {
        Value::String(_) => Some((json!({ "url": text(value)? }), None)),
        Value::Object(map) => {
            let mut rest = map.clone();
            let url = take_text(&mut rest, &["url", "src", "contentUrl"])?;
            let mut image = json!({ "url": url });
            for key in ["width", "height"] {
                if let Some(pixels) = rest.get(key).and_then(pixels) {
                    rest.remove(key);
                    image[key] = json!(pixels);
                }
            }
            if let Some(caption) = take_text(&mut rest, &["caption", "alt"]) {
                image["caption"] = Value::String(caption);
            }
            Some((image, non_empty(rest)))
        }
        _ => None,
    }
}

/// A size in pixels: a whole number, or text such as `1100` or `1100px`.
fn pixels(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => u32::try_from(n.as_u64()?).ok(),
        Value::String(s) => s.trim().trim_end_matches("px").trim().parse().ok(),
        _ => None,
    }
}

/// Related items: a list of objects mapped with the same alias table, each with a title.
fn related(value: &Value, at: &str, warnings: &mut Vec<String>) -> Shaped {
    let mut position = 0;
    let mut item = |value: &Value| {
        let path = format!("{at}[{position}]");
        position += 1;
        related_item(value, &path, warnings)
    };
    list_of(value, &mut item)
        .unwrap_or_else(|| Shaped::Misfit(Some(format!("{} holds no related items", kind(value)))))
}

fn related_item(
    value: &Value,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<(Value, Option<Value>)> {
    let Value::Object(map) = value else {
        return None;
    };
    let mut mapped = map_object(map.clone(), Context::Related, path);
    warnings.append(&mut mapped.warnings);
    let title = mapped.fields.remove(&Field::Title)?;
    let mut item = json!({ "title": title });
    for field in [Field::Url, Field::Summary, Field::Section, Field::Published] {
        if let Some(value) = mapped.fields.remove(&field) {
            item[field.name()] = value;
        }
    }
    if let Some(Value::Array(authors)) = mapped.fields.remove(&Field::Authors) {
        // A related item keeps only its authors' names: the rest stays in `extra`.
        let names: Vec<Value> = authors
            .iter()
            .filter_map(|a| a.get("name").cloned())
            .collect();
        if authors
            .iter()
            .any(|a| a.as_object().is_some_and(|a| a.len() > 1))
        {
            for key in map.keys() {
                if lookup(key).is_some_and(|(field, _)| field == Field::Authors) {
                    mapped.extra.insert(key.clone(), map[key].clone());
                }
            }
        }
        item["authors"] = Value::Array(names);
    }
    Some((item, non_empty(mapped.extra)))
}

/// Shapes a value that may be one item or a list of items. `None` when no item fits; a
/// list's misfit items stay in the leftover at their position.
fn list_of(
    value: &Value,
    mut item: impl FnMut(&Value) -> Option<(Value, Option<Value>)>,
) -> Option<Shaped> {
    let Value::Array(list) = value else {
        let (shaped, leftover) = item(value)?;
        return Some(Shaped::Fits(Value::Array(vec![shaped]), leftover));
    };
    let mut shaped = Vec::new();
    let mut leftovers = Vec::with_capacity(list.len());
    for entry in list {
        match item(entry) {
            Some((value, leftover)) => {
                shaped.push(value);
                leftovers.push(leftover.unwrap_or(Value::Null));
            }
            None => leftovers.push(entry.clone()),
        }
    }
    if shaped.is_empty() {
        return None;
    }
    let leftover = leftovers
        .iter()
        .any(|l| !l.is_null())
        .then_some(Value::Array(leftovers));
    Some(Shaped::Fits(Value::Array(shaped), leftover))
}

/// Removes and returns the first of `keys` holding text.
fn take_text(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    let (key, text) = keys
        .iter()
        .find_map(|key| Some((*key, text(map.get(*key)?)?)))?;
    map.remove(key);
    Some(text)
}

fn non_empty(map: Map<String, Value>) -> Option<Value> {
    (!map.is_empty()).then_some(Value::Object(map))
}

/// `s` quoted for a warning, cut short when long.
fn quoted(s: &str) -> String {
    let mut short: String = s.chars().take(60).collect();
    if short.len() < s.len() {
        short.push('…');
    }
    format!("{short:?}")
}
