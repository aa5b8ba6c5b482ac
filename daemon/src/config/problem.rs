//! What is wrong in a config file, said so that a person can fix it.
//!
//! Loading the config ([`super::Config::load`]) deserializes the YAML through
//! [`deserialize`], which keeps the path of keys down to the failing value
//! (`run.max_attempts`, `custom[0].path`) and turns the YAML library's error into a
//! [`Problem`]: the key, what was expected and what was found, in our own words (`a whole
//! number of milliseconds`, not `invalid u64`), and the lines of the file around it with the
//! value underlined, under the file's name.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use serde::de::DeserializeOwned;
use serde_saphyr::Error as YamlError;

/// One thing wrong with a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The keys down to the wrong value, e.g. `run.max_attempts`; `None` when the problem is
    /// not under one key (a YAML syntax error, a key at the top).
    pub key: Option<String>,
    /// What is wrong: what was expected and what was found.
    pub message: String,
    /// The lines around the problem with the value underlined, when its place is known.
    pub snippet: Option<String>,
}

impl Problem {
    /// A problem with no place in the file, such as two custom plugins with one name.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            key: None,
            message: message.into(),
            snippet: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(snippet) = &self.snippet {
            write!(f, "\n{snippet}")?;
        }
        Ok(())
    }
}

/// Deserializes `text`, the content of the config file named `file`, into `T`.
pub fn deserialize<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Problem> {
    let mut key = None;
    let options = serde_saphyr::options! { with_snippet: false };
    let parsed = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize(de).map_err(|err| {
            let path = err.path().to_string();
            if path != "." && path != "?" {
                key = Some(path);
            }
            err.into_inner()
        })
    });
    parsed.map_err(|err| problem(&err, key, text, file))
}

/// Turns the YAML library's error into a [`Problem`].
fn problem(err: &YamlError, key: Option<String>, text: &str, file: &str) -> Problem {
    let err = err.without_snippet();
    let place = err.location().and_then(|at| Place::find(text, &at));
    let found = place.as_ref().map(|p| &text[p.span.clone()]);
    let (key, message, label) = describe(err, key, found);
    let snippet = place.map(|place| snippet(text, file, &place, &label));
    Problem {
        key,
        message,
        snippet,
    }
}

/// The key the problem is under, the whole message, and the short label under the value.
fn describe(
    err: &YamlError,
    key: Option<String>,
    found: Option<&str>,
) -> (Option<String>, String, String) {
    let found_text = |what: &str| match found {
        Some(token) if !token.is_empty() => format!("{what}, found `{token}`"),
        _ => what.to_owned(),
    };
    let leaf = key.as_deref().map(leaf);
    match err {
        YamlError::InvalidScalar { ty, .. } => {
            let expected = format!("expected {}", expected(ty, leaf, found));
            (key, found_text(&expected), expected)
        }
        YamlError::SerdeInvalidType {
            unexpected,
            expected: wanted,
            ..
        }
        | YamlError::SerdeInvalidValue {
            unexpected,
            expected: wanted,
            ..
        } => {
            // Serde names a number it refused (`integer `0``) better than the place, which
            // may be its key.
            let found = serde_value(unexpected).or(found);
            let expected = format!("expected {}", expected(wanted, leaf, found));
            let message = match (kind_of(unexpected), found) {
                (Some(kind), _) => format!("{expected}, found {kind}"),
                (None, Some(value)) if !value.is_empty() => {
                    format!("{expected}, found `{value}`")
                }
                (None, _) => expected.clone(),
            };
            (key, message, expected)
        }
        YamlError::Unexpected {
            expected: wanted, ..
        } => {
            let expected = format!("expected {}", expected(wanted, leaf, found));
            (key, found_text(&expected), expected)
        }
        // A rule of the config's own (a `Deserialize` impl that checks its values): its
        // message is ours already, said once above the snippet.
        YamlError::Message { msg, .. } => (key, msg.clone(), "here".into()),
        YamlError::InvalidBooleanStrict { .. } => (
            key,
            found_text("expected true or false"),
            "expected true or false".into(),
        ),
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            // The path ends at the section holding the unknown key.
            let section = key
                .as_deref()
                .map(|k| parent(k, field))
                .filter(|s| !s.is_empty());
            let place = section.map_or_else(|| "at the top".to_owned(), |s| format!("in `{s}`"));
            (
                None,
                format!(
                    "unknown key `{field}` {place}; the keys there are {}",
                    list(expected)
                ),
                "unknown key".into(),
            )
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            key,
            format!("expected one of {}, found `{variant}`", list(expected)),
            format!("expected one of {}", list(expected)),
        ),
        YamlError::SerdeMissingField { field, .. } => (
            key,
            format!("missing key `{field}`"),
            format!("this entry has no `{field}`"),
        ),
        YamlError::DuplicateMappingKey { key: name, .. } => {
            let name = name.as_deref().or(found).unwrap_or("this key");
            (
                key,
                format!("`{name}` is given twice in one section; keep one"),
                "given a second time".into(),
            )
        }
        other => {
            let message =
                other
                    .without_snippet()
                    .render_with_options(serde_saphyr::render_options! {
                        formatter: &serde_saphyr::UserMessageFormatter,
                        snippets: serde_saphyr::SnippetMode::Off,
                    });
            let message = if message.contains("tabs disallowed") {
                "a tab in the indentation: YAML indents with spaces only"
            } else {
                strip_place(&message)
            };
            (
                key,
                format!("not valid YAML: {message}"),
                message.to_owned(),
            )
        }
    }
}

/// What a config value of Rust type (or serde description) `ty` must be, in a person's words;
/// the key's unit suffix (`_ms`, `_bytes`) says what the number counts, and a `found` with a
/// minus sign that the number has none.
fn expected(ty: &str, key: Option<&str>, found: Option<&str>) -> String {
    let unit = match key {
        Some(k) if k.ends_with("_ms") => " of milliseconds",
        Some(k) if k.ends_with("_bytes") => " of bytes",
        _ => "",
    };
    let (nonzero, ty) = match ty.strip_prefix("a nonzero ") {
        Some(ty) => (true, ty),
        None => (false, ty),
    };
    let max = match ty {
        "u8" => Some(u64::from(u8::MAX)),
        "u16" => Some(u64::from(u16::MAX)),
        "u32" => Some(u64::from(u32::MAX)),
        _ => None,
    };
    match ty {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            if nonzero {
                format!("a whole number{unit} of 1 or more")
            } else if found.is_some_and(|f| f.starts_with('-')) {
                format!("a whole number{unit} without a sign")
            } else if let Some(max) = max {
                format!("a whole number{unit} up to {max}")
            } else {
                format!("a whole number{unit}")
            }
        }
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => format!("a whole number{unit}"),
        "f32" | "f64" => format!("a number{unit}"),
        "bool" | "a boolean" => "true or false".to_owned(),
        "char" | "a character" => "a single character".to_owned(),
        "string" | "a string" | "path string" => "text".to_owned(),
        "a sequence" | "sequence" | "sequence start" => {
            "a list (`[a, b]`, or one `- item` line each)".to_owned()
        }
        "string scalar" | "scalar" => "a single value".to_owned(),
        _ if ty.starts_with("struct ") || ty.contains("map") => {
            "a section of keys (one `key: value` line each)".to_owned()
        }
        other => other.to_owned(),
    }
}

/// The value in serde's description of what it refused, when it quotes one:
/// ``integer `0` `` gives `0`.
fn serde_value(unexpected: &str) -> Option<&str> {
    let start = unexpected.find('`')? + 1;
    let end = unexpected.rfind('`')?;
    (end > start).then(|| &unexpected[start..end])
}

/// How serde names an unexpected value, in a person's words, when it is not a scalar whose
/// text the snippet shows better.
fn kind_of(unexpected: &str) -> Option<&'static str> {
    if unexpected.starts_with("sequence") {
        Some("a list")
    } else if unexpected.starts_with("map") {
        Some("a section of keys")
    } else if unexpected.starts_with("unit") || unexpected == "null" {
        Some("nothing")
    } else {
        None
    }
}

/// The last key of a path such as `custom[0].path`.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The section holding `field`: `path` without a trailing `.field`, if it has one.
fn parent<'a>(path: &'a str, field: &str) -> &'a str {
    path.strip_suffix(field)
        .and_then(|p| p.strip_suffix('.'))
        .unwrap_or(if path == field { "" } else { path })
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

/// The YAML library's message without the ` at line L, column C` it appends.
fn strip_place(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// Where the problem is in the text: the byte range of the value (or key) to underline.
struct Place {
    line: usize,
    span: Range<usize>,
}

impl Place {
    /// The token starting at `at` (1-based line and column, in characters).
    fn find(text: &str, at: &serde_saphyr::Location) -> Option<Self> {
        let line = usize::try_from(at.line()).ok()?;
        let column = usize::try_from(at.column()).ok()?;
        let line_start = text
            .split_inclusive('\n')
            .take(line.checked_sub(1)?)
            .map(str::len)
            .sum::<usize>();
        let line_text = text[line_start..].lines().next().unwrap_or_default();
        let start = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        let token = token(&line_text[start..]);
        Some(Self {
            line,
            span: line_start + start..line_start + start + token.len(),
        })
    }
}

/// The YAML token at the start of `rest`: a quoted string, or a plain value or key running to
/// a `: `, a comment, a flow separator or the end of the line.
fn token(rest: &str) -> &str {
    let mut chars = rest.char_indices();
    if let Some((_, quote @ ('"' | '\''))) = chars.next() {
        let end = rest[1..].find(quote).map_or(rest.len(), |i| i + 2);
        return &rest[..end];
    }
    let bytes = rest.as_bytes();
    let mut end = rest.len();
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        let stops = match b {
            b',' | b']' | b'}' => true,
            b':' => next.is_none_or(|n| n == b' ' || n == b'\t'),
            b'#' => i > 0 && bytes[i - 1] == b' ',
            _ => false,
        };
        if stops {
            end = i;
            break;
        }
    }
    rest[..end].trim_end()
}

/// The lines around `place` with its token underlined and `label` beneath, under `file`.
fn snippet(text: &str, file: &str, place: &Place, label: &str) -> String {
    // Show the line of the problem and the one above it, which is usually its section.
    let first = place.line.saturating_sub(2);
    let from = text
        .split_inclusive('\n')
        .take(first)
        .map(str::len)
        .sum::<usize>();
    let to = text[place.span.end..]
        .find('\n')
        .map_or(text.len(), |i| place.span.end + i);
    let source = &text[from..to];
    let span = place.span.start - from..place.span.end - from;
    let report = [Level::ERROR.no_name().primary_title("").element(
        Snippet::source(source)
            .line_start(first + 1)
            .path(file)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(span).label(label)),
    )];
    let rendered = Renderer::plain().render(&report);
    // The title line is empty: the message is said once, before the snippet.
    rendered
        .lines()
        .skip_while(|line| line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
