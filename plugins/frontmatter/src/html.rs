//! HTML inside front matter and JSON values made plain text: a CMS export's `content` or
//! `excerpt` written as markup, a title with character references (`&#8217;`), the HTML
//! blocks of a Markdown body.
//!
//! Block elements (`p`, `div`, headings, list items, table rows, …) become paragraphs
//! separated by a blank line, `<br>` a line end; character references are decoded by the
//! parser; scripts, styles, comments and the like leave nothing behind. Runs of white space
//! are one space.

use dom_query::{Document, NodeData, NodeRef};

/// Elements whose start and end end a paragraph.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
];

/// Elements whose content is not text a reader sees.
const HIDDEN: &[&str] = &[
    "head", "iframe", "noscript", "object", "script", "style", "svg", "template",
];

/// Whether `text` holds markup: a tag (`<p>`, `</div>`, `<br/>`, `<!--`) or a character
/// reference (`&amp;`, `&#8217;`, `&#x2019;`).
pub(crate) fn is_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'<' => {
            bytes
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!'))
                && text[i..].contains('>')
        }
        b'&' => is_reference(&bytes[i + 1..]),
        _ => false,
    })
}

/// Named references common in exported text; any other `&word;` is left as written.
const NAMED: &[&str] = &[
    "aacute", "agrave", "amp", "apos", "auml", "ccedil", "copy", "eacute", "egrave", "gt",
    "hellip", "iacute", "laquo", "ldquo", "lsquo", "lt", "mdash", "nbsp", "ndash", "ntilde",
    "oacute", "ouml", "quot", "raquo", "rdquo", "reg", "rsquo", "szlig", "trade", "uacute", "uuml",
];

/// A known `name;`, or `#123;` or `#x1F;`, at the start of `rest` (the bytes after an `&`).
fn is_reference(rest: &[u8]) -> bool {
    let Some(end) = rest.iter().take(10).position(|&c| c == b';') else {
        return false;
    };
    match &rest[..end] {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        name => NAMED.iter().any(|known| known.as_bytes() == name),
    }
}

/// The text of the HTML fragment `html`: paragraphs separated by a blank line.
pub(crate) fn to_text(html: &str) -> String {
    let document = Document::fragment(html);
    let mut out = Text::default();
    let mut stack = vec![Step::Enter(document.root())];
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Leave => {
                out.end_paragraph();
                continue;
            }
            Step::Enter(node) => node,
        };
        if node.is_text() {
            node.query(|n| {
                if let NodeData::Text { contents } = &n.data {
                    out.push(contents);
                }
            });
            continue;
        }
        if node.is_element() {
            let Some(name) = node.node_name() else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            if HIDDEN.contains(&name.as_str()) {
                continue;
            }
            if name == "br" {
                out.line_end();
                continue;
            }
            if BLOCKS.contains(&name.as_str()) {
                out.end_paragraph();
                stack.push(Step::Leave);
            }
        }
        stack.extend(node.children_it(true).map(Step::Enter));
    }
    out.end_paragraph();
    out.text
}

/// A step of the walk over the tree: a node to read, or the end of a block element.
enum Step<'a> {
    Enter(NodeRef<'a>),
    Leave,
}

/// Paragraphs written so far and the one being read.
#[derive(Default)]
struct Text {
    text: String,
    paragraph: String,
}

impl Text {
    /// Appends text with each run of white space as one space.
    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                if !self.paragraph.is_empty() && !self.paragraph.ends_with([' ', '\n']) {
                    self.paragraph.push(' ');
                }
            } else {
                self.paragraph.push(c);
            }
        }
    }

    fn line_end(&mut self) {
        let kept = self.paragraph.trim_end_matches(' ').len();
        self.paragraph.truncate(kept);
        if !self.paragraph.is_empty() && !self.paragraph.ends_with('\n') {
            self.paragraph.push('\n');
        }
    }

    fn end_paragraph(&mut self) {
        let paragraph = self.paragraph.trim();
        if !paragraph.is_empty() {
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.text.push_str(paragraph);
        }
        self.paragraph.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_paragraphs_and_references_are_decoded() {
        let html = "<p>The council\n  voted <b>7&ndash;2</b> on Thursday.</p>\n<p>The mayor&#8217;s \
                    budget&nbsp;passed.<br>Next year: more.</p><script>var x = 1;</script>\
                    <!-- more --><ul><li>One</li><li>Two</li></ul>";
        assert_eq!(
            to_text(html),
            "The council voted 7\u{2013}2 on Thursday.\n\nThe mayor\u{2019}s budget passed.\nNext year: more.\n\nOne\n\nTwo"
        );
    }

    #[test]
    fn markup_is_told_from_plain_text() {
        for html in [
            "<p>A</p>",
            "A<br/>B",
            "Q&amp;A",
            "It&#8217;s",
            "&#x2019;",
            "</div>",
        ] {
            assert!(is_html(html), "{html}");
        }
        for plain in [
            "5 < 6 & 7 > 3",
            "AT&T",
            "R&D;",
            "x <- y",
            "<3 you",
            "&#;",
            "&#xZZ;",
        ] {
            assert!(!is_html(plain), "{plain}");
        }
    }
}
