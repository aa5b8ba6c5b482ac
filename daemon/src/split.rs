//! Files that hold several documents: JSON Lines, and JSON lists of objects, are split into
//! one part per object before the chain runs, so each object becomes its own record.
//!
//! Spec §2: "JSON: an object (or JSON Lines of objects)". The split happens in the host, not
//! in a plugin, so every plugin (built-in or custom) sees one article object per document,
//! with the format [`Format::Json`]; the record's `source` still describes the whole file.
//! Parts borrow the file's text: nothing is copied.
//!
//! A part that is not valid JSON is still a part (it runs to the next line that opens an
//! object, so a broken pretty-printed object is one part, not one per line), carrying the
//! parser's message, so a bad object fails alone, with its line number, and the objects
//! after it are still read. [`check`] tells the same of a JSON document that is not split.

use docnorm_plugin_api::Format;
use serde::de::IgnoredAny;

/// One document of a file that holds several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The part's JSON text.
    pub text: &'a str,
    /// Where it is in the file: its line for JSON Lines, its position for a list.
    pub at: Position,
    /// Why the part is not valid JSON (the parser's message), if it is not.
    pub broken: Option<String>,
}

/// Where a part is in its file (1-based), for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The line a JSON Lines part starts on.
    Line(usize),
    /// The position of an object in a JSON list.
    Item(usize),
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Line(n) => write!(f, "line {n}"),
            Self::Item(n) => write!(f, "item {n}"),
        }
    }
}

/// The parts of a file sniffed as `format`, or `None` when it is one document: anything
/// but JSON Lines, and JSON other than a list of at least two objects (a broken list, one
/// with a missing or a trailing comma among them, is left whole for the plugins to refuse
/// with the parser's message).
pub fn parts(text: &str, format: Format) -> Option<Vec<Part<'_>>> {
    match format {
        Format::Jsonl => Some(lines(text)).filter(|parts| !parts.is_empty()),
        Format::Json => list(text),
        _ => None,
    }
}

/// One part per JSON value; a value that does not parse runs to the next line opening an
/// object (or the end of the file).
fn lines(text: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut line = 1;
    let mut pos = 0;
    loop {
        let start = skip_space(text, pos);
        line += count_lines(&text[pos..start]);
        if start == text.len() {
            return parts;
        }
        let rest = &text[start..];
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
        let (len, broken) = match stream.next() {
            Some(Ok(_)) => (stream.byte_offset(), None),
            other => {
                let why = other.and_then(Result::err).map(|e| e.to_string());
                (
                    rest.find("\n{").unwrap_or(rest.len()),
                    why.or_else(|| Some("empty".into())),
                )
            }
        };
        let part = &rest[..len];
        parts.push(Part {
            text: part,
            at: Position::Line(line),
            broken,
        });
        line += count_lines(part);
        pos = start + len;
    }
}

/// The objects of a top-level JSON list, when it holds at least two and only objects.
fn list(text: &str) -> Option<Vec<Part<'_>>> {
    let mut pos = skip_space(text, 0);
    if !text[pos..].starts_with('[') {
        return None;
    }
    pos += 1;
    let mut parts = Vec::new();
    loop {
        pos = skip_space(text, pos);
        let rest = &text[pos..];
        if !rest.starts_with('{') {
            // An empty list, a list of anything but objects, or a trailing comma: whole.
            return None;
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
        stream.next()?.ok()?;
        let len = stream.byte_offset();
        parts.push(Part {
            text: &rest[..len],
            at: Position::Item(parts.len() + 1),
            broken: None,
        });
        pos = skip_space(text, pos + len);
        match text.as_bytes().get(pos) {
            Some(b',') => pos += 1,
            Some(b']') => {
                let closed = skip_space(text, pos + 1) == text.len();
                return (closed && parts.len() >= 2).then_some(parts);
            }
            // A missing comma or anything else: a broken list stays whole.
            _ => return None,
        }
    }
}

/// Why `text`, a JSON document that is not split, is not valid JSON (the parser's message),
/// if it is not. Parsed without building anything; nesting deeper than the parser's limit
/// (128) counts as not valid.
pub fn check(text: &str) -> Result<(), String> {
    serde_json::from_str::<IgnoredAny>(text)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn skip_space(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| !c.is_ascii_whitespace())
        .map_or(text.len(), |i| from + i)
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_part_carries_the_parsers_message() {
        let split = parts("{\"a\": 1}\n{\"a\": oops}\n", Format::Jsonl).unwrap();
        assert_eq!(split[0].broken, None);
        assert_eq!(
            split[1].broken.as_deref(),
            Some("expected value at line 1 column 7")
        );
        assert_eq!(check("{\"a\": 1}"), Ok(()));
        assert_eq!(
            check("[ Skip to content ]").unwrap_err(),
            "expected value at line 1 column 3"
        );
    }

    fn texts<'a>(parts: &[Part<'a>]) -> Vec<(String, &'a str)> {
        parts.iter().map(|p| (p.at.to_string(), p.text)).collect()
    }

    #[test]
    fn json_lines_give_one_part_per_line_and_a_broken_line_fails_alone() {
        let text =
            "{\"title\": \"A\"}\n\n{\"title\": oops}\n{\"title\": \"C\",\n \"body\": \"x\"}\n";
        let split = parts(text, Format::Jsonl).unwrap();
        assert_eq!(
            texts(&split),
            [
                ("line 1".to_owned(), "{\"title\": \"A\"}"),
                ("line 3".to_owned(), "{\"title\": oops}"),
                ("line 4".to_owned(), "{\"title\": \"C\",\n \"body\": \"x\"}"),
            ]
        );
    }

    #[test]
    fn a_broken_pretty_printed_object_is_one_part() {
        let text = "{\"title\": \"A\"}\n{\n  \"title\": oops,\n  \"related\": [\n    {\"title\": \"nested\"}\n  ]\n}\n{\"title\": \"C\"}\n";
        let split = parts(text, Format::Jsonl).unwrap();
        assert_eq!(
            texts(&split),
            [
                ("line 1".to_owned(), "{\"title\": \"A\"}"),
                (
                    "line 2".to_owned(),
                    "{\n  \"title\": oops,\n  \"related\": [\n    {\"title\": \"nested\"}\n  ]\n}"
                ),
                ("line 8".to_owned(), "{\"title\": \"C\"}"),
            ]
        );
        assert_eq!(parts(" \n\n", Format::Jsonl), None, "no parts at all");
    }

    #[test]
    fn a_list_of_objects_is_split_and_other_json_is_left_whole() {
        let text = " [ {\"title\": \"A\", \"tags\": [\"x\", \"y\"]} ,\n{\"title\": \"B\"} ]\n";
        let split = parts(text, Format::Json).unwrap();
        assert_eq!(
            texts(&split),
            [
                (
                    "item 1".to_owned(),
                    "{\"title\": \"A\", \"tags\": [\"x\", \"y\"]}"
                ),
                ("item 2".to_owned(), "{\"title\": \"B\"}"),
            ]
        );
        for whole in [
            "{\"title\": \"A\"}",
            "[{\"title\": \"A\"}]",
            "[{\"a\": 1}, 2]",
            "[{\"a\": 1}, {\"a\": 2}",
            "[{\"a\": 1}, {\"a\": oops}]",
            "[{\"a\": 1} {\"a\": 2}]",
            "[{\"a\": 1}, {\"a\": 2},]",
            "[]",
        ] {
            assert_eq!(parts(whole, Format::Json), None, "{whole}");
        }
        assert_eq!(parts("# A title", Format::Markdown), None);
    }
}
