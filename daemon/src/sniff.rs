//! Format sniffing: what a decoded document is, from its content first and its name second.
//!
//! A `.txt` file that opens with YAML front matter is front matter; a `.html` file that holds
//! plain text is text. The name decides only what the content leaves open: Markdown, which
//! has no reliable content signature, and HTML fragments without a document tag.

use docnorm_plugin_api::Format;
use serde::de::IgnoredAny;

/// The format of `text`, a decoded document named `name` (compression suffix removed).
pub fn sniff(text: &str, name: &str) -> Format {
    sniff_noted(text, name).format
}

/// What a document was sniffed as, and what was tried on the way when that was not the
/// format its first bytes suggested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The format.
    pub format: Format,
    /// For the record's `warnings`: a format its first bytes suggested and why it is not
    /// that (a page copy whose first line is `[ Home ] [ Products ]` is not JSON).
    pub note: Option<String>,
}

impl From<Format> for Sniffed {
    fn from(format: Format) -> Self {
        Self { format, note: None }
    }
}

/// Like [`sniff`], with a note on what was tried.
pub fn sniff_noted(text: &str, name: &str) -> Sniffed {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let head = text.trim_start_matches('\u{feff}');
    if is_front_matter(head) {
        return Format::Frontmatter.into();
    }
    let trimmed = head.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return sniff_json(trimmed, &extension);
    }
    if is_html(trimmed)
        || (matches!(extension.as_str(), "html" | "htm" | "xhtml") && trimmed.starts_with('<'))
    {
        return Format::Html.into();
    }
    if is_xml(trimmed, &extension) {
        return Format::Xml.into();
    }
    if matches!(extension.as_str(), "md" | "markdown" | "mdown" | "mkd") {
        return Format::Markdown.into();
    }
    Format::Text.into()
}

/// YAML between `---` lines or TOML between `+++` lines, at the very start: the opening line,
/// a first line that looks like a key, and a closing line. A file that merely opens with a
/// horizontal rule has no key line and is not front matter.
fn is_front_matter(text: &str) -> bool {
    let mut lines = text.lines();
    let (looks_like_key, closers): (fn(&str) -> bool, &[&str]) =
        match lines.next().map(str::trim_end) {
            Some("---") => (is_yaml_key, &["---", "..."]),
            Some("+++") => (is_toml_key, &["+++"]),
            _ => return false,
        };
    let Some(first) = lines
        .by_ref()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    else {
        return false;
    };
    looks_like_key(first) && lines.any(|l| closers.contains(&l.trim_end()))
}

fn is_yaml_key(line: &str) -> bool {
    let key_end = line.find(':').unwrap_or(0);
    key_end > 0
        && line[..key_end]
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"' | '\''))
        && line[key_end + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
}

fn is_toml_key(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('[')
        || line
            .split_once('=')
            .is_some_and(|(k, _)| !k.trim().is_empty())
}

/// A JSON object followed by text is JSON front matter; several lines of objects are JSON
/// Lines (also when the first object is broken, so that it fails alone: a file named
/// `.jsonl` or `.ndjson`, or one whose next line opens another object); anything else opening
/// with `{` or `[` is JSON, left to plugins to parse (and to refuse when it is broken or
/// nested too deep). Text whose first value does not parse and whose name does not say JSON
/// only looked like JSON by its first byte: it is plain text (a page copy opening with
/// `[ Home ] [ Products ]`), with a note saying so.
fn sniff_json(text: &str, extension: &str) -> Sniffed {
    let named_json = matches!(extension, "json" | "jsonl" | "ndjson");
    if text.starts_with('{') && matches!(extension, "jsonl" | "ndjson") {
        return Format::Jsonl.into();
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    let first = match stream.next() {
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("no JSON value".to_owned()),
    };
    if let Err(why) = first {
        let next_line = text.split_once('\n').map(|(_, rest)| rest.trim_start());
        if text.starts_with('{') && next_line.is_some_and(|l| l.starts_with('{')) {
            return Format::Jsonl.into();
        }
        // Nesting past the parser's limit is JSON all the same, refused later as such.
        if named_json || why.starts_with("recursion limit exceeded") {
            return Format::Json.into();
        }
        return not_json(text, &why);
    }
    let rest = &text[stream.byte_offset()..];
    let rest_trimmed = rest.trim_start();
    let format = if rest_trimmed.is_empty() {
        Format::Json
    } else if rest_trimmed.starts_with('{')
        && rest.trim_start_matches([' ', '\t']).starts_with('\n')
    {
        Format::Jsonl
    } else if text.starts_with('{') {
        Format::Frontmatter
    } else if named_json {
        Format::Json
    } else {
        // A list followed by text (`[]` and then a page): not one JSON document.
        let why = serde_json::from_str::<IgnoredAny>(text)
            .err()
            .map_or_else(|| "text after the list".to_owned(), |e| e.to_string());
        return not_json(text, &why);
    };
    format.into()
}

/// Text whose first byte suggested JSON (`why` it is not), read as plain text with a note.
fn not_json(text: &str, why: &str) -> Sniffed {
    let opener = &text[..1];
    Sniffed {
        format: Format::Text,
        note: Some(format!(
            "opens with `{opener}` like JSON but is not JSON ({why}); read as plain text"
        )),
    }
}

/// An XML declaration, or a file named as XML (`.xml`, `.rss`, `.atom`) whose content opens
/// with a tag. XHTML was taken as HTML before this.
fn is_xml(text: &str, extension: &str) -> bool {
    text.starts_with("<?xml")
        || (matches!(extension, "xml" | "rss" | "atom")
            && text.starts_with('<')
            && text[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '!'))
}

fn is_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|tag| head.starts_with(tag))
        || (head.starts_with("<?xml") || head.starts_with("<!--")) && head.contains("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_before_the_name() {
        assert_eq!(
            sniff("---\ntitle: A\n---\nBody", "a.txt"),
            Format::Frontmatter
        );
        assert_eq!(
            sniff("+++\ntitle = \"A\"\n+++\nBody", "a.md"),
            Format::Frontmatter
        );
        assert_eq!(sniff("<!DOCTYPE html>\n<html>", "page.txt"), Format::Html);
        assert_eq!(sniff("Just words.", "page.html"), Format::Text);
        assert_eq!(sniff("{\"title\": \"A\"}", "a.txt"), Format::Json);
        assert_eq!(sniff("{\"a\":1}\n{\"a\":2}\n", "a.log"), Format::Jsonl);
        // A broken first object still makes JSON Lines, so it fails alone.
        assert_eq!(sniff("{\"a\": oops}\n{\"a\":2}\n", "a.log"), Format::Jsonl);
        assert_eq!(sniff("{\"a\": oops}\n", "a.jsonl"), Format::Jsonl);
        assert_eq!(sniff("{\"a\": oops,\n \"b\": 2}\n", "a.json"), Format::Json);
        assert_eq!(sniff("[1, 2", "a.json"), Format::Json);
        assert_eq!(
            sniff("{\"title\": \"A\"}\n\nBody text", "a.md"),
            Format::Frontmatter
        );
    }

    #[test]
    fn the_name_decides_what_content_leaves_open() {
        assert_eq!(sniff("# Heading\n\nText", "notes.md"), Format::Markdown);
        assert_eq!(sniff("# Heading\n\nText", "notes.txt"), Format::Text);
        assert_eq!(
            sniff("<div><p>Fragment</p></div>", "frag.htm"),
            Format::Html
        );
    }

    #[test]
    fn xml_that_is_not_xhtml_is_xml() {
        let feed = "<?xml version=\"1.0\"?>\n<rss><channel><title>A</title></channel></rss>";
        assert_eq!(sniff(feed, "feed.txt"), Format::Xml);
        assert_eq!(sniff("<feed xmlns=\"x\"></feed>", "a.atom"), Format::Xml);
        let xhtml = "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">";
        assert_eq!(sniff(xhtml, "page.xml"), Format::Html);
        assert_eq!(sniff("<3 this", "note.txt"), Format::Text);
    }

    #[test]
    fn a_leading_horizontal_rule_is_not_front_matter() {
        assert_eq!(
            sniff("---\nSome text after a rule.\n---\n", "a.md"),
            Format::Markdown
        );
        assert_eq!(sniff("---\n\nPlain paragraph", "a.txt"), Format::Text);
    }

    /// Issue 20: a page copy that merely opens with `[` or `{` is text, and says why.
    #[test]
    fn text_opening_like_json_is_text_with_a_note() {
        let copy = "[ Home ] [ Products ] [ Contact ]\n\nWelcome to our shop.\n";
        let sniffed = sniff_noted(copy, "page.txt");
        assert_eq!(sniffed.format, Format::Text);
        let note = sniffed.note.unwrap();
        assert!(
            note.starts_with("opens with `[` like JSON but is not JSON ("),
            "{note}"
        );
        let braces = sniff_noted("{ Menu } Latest news\nThe council met.\n", "page");
        assert_eq!(braces.format, Format::Text);
        assert!(braces.note.unwrap().contains("`{`"));
        // Valid JSON, and broken JSON in a file named so, stay JSON.
        assert_eq!(sniff_noted("[1, 2]", "page.txt").format, Format::Json);
        assert_eq!(sniff_noted("[ Home ]", "page.json").format, Format::Json);
        assert_eq!(sniff_noted("[1, 2]", "page.txt").note, None);
        let listed = sniff_noted("[]\n\n[Skip navigation links][ | News]\n", "page.txt");
        assert_eq!(listed.format, Format::Text);
        assert!(listed.note.unwrap().contains("trailing characters"));
    }

    #[test]
    fn deeply_nested_json_is_still_json() {
        let deep = "[".repeat(100_000);
        assert_eq!(sniff(&deep, "deep.json"), Format::Json);
    }
}
