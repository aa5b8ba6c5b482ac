//! HTML inside front matter and JSON values made plain text: a CMS export's `content` or
//! `excerpt` written as markup, a title with character references (`&#8217;`), the HTML
//! blocks of a Markdown body.
//!
//! Block elements (`p`, `div`, headings, list items, table rows, …) become paragraphs
//! separated by a blank line, `<br>` a line end; character references are decoded by the
//! parser; scripts, styles, comments and the like leave nothing behind. Runs of white space
//! are one space, except that a fragment without block elements keeps its lines as
//! paragraphs.
//!
//! Only text that is HTML goes through the parser ([`is_html`]): a title such as
//! `Using Option<T> in Rust` is text, and only its character references are decoded.
//!
//! The parser builds the tree only [`MAX_DEPTH`] elements deep (see `docnorm_markup`): markup
//! that nests deeper would cost time quadratic in its size. Whatever lies past that point is
//! still kept, read as text with its tags dropped.

use dom_query::{NodeData, NodeRef};

/// How deep the elements of a value's HTML are built into a tree (as deep as the `html`
/// plugin's default `max_depth`; real markup stays far below).
pub(crate) const MAX_DEPTH: usize = 1000;

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

/// Elements whose tags alone mark a value as HTML: the markup a CMS writes around text.
/// Scripts, styles and the like are left out, so that a title about `<script>` tags keeps
/// its words.
const MARKUP: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "cite",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "i",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "td",
    "th",
    "tr",
    "u",
    "ul",
];

/// Elements of [`MARKUP`]'s kind that have no end tag: one of them is markup on its own.
const VOID: &[&str] = &["br", "hr", "img"];

/// Whether `text` is HTML: it holds a known element closed properly (`<p>…</p>`,
/// `<em class="x">…</em>`, a `<br>` or `<img …>`) or a whole comment (`<!--more-->`). A
/// lone `<T>`, `<script>` or `x < y` is text, as is a character reference alone: see
/// [`decode_references`].
pub(crate) fn is_html(text: &str) -> bool {
    let Some(last_close) = text.rfind('>') else {
        return false;
    };
    let comment_end = text.rfind("-->");
    // Bit i set: an element of `MARKUP[i]` was opened.
    let mut opened = 0_u64;
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..last_close].find('<').map(|i| from + i) {
        from = at + 1;
        let rest = &bytes[from..];
        if rest.starts_with(b"!--") {
            if comment_end.is_some_and(|end| end >= from + 3) {
                return true;
            }
            continue;
        }
        let (closing, rest) = match rest.split_first() {
            Some((b'/', rest)) => (true, rest),
            _ => (false, rest),
        };
        let name_len = rest
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_len);
        if !matches!(
            after.first(),
            Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
        ) {
            continue;
        }
        if VOID.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(name)) {
            return true;
        }
        let Some(index) = MARKUP
            .iter()
            .position(|m| m.as_bytes().eq_ignore_ascii_case(name))
        else {
            continue;
        };
        if !closing {
            opened |= 1 << index;
        } else if opened & (1 << index) != 0 {
            return true;
        }
    }
    false
}

/// Named references common in exported text, with their characters; any other `&word;`
/// is left as written.
const NAMED: &[(&str, char)] = &[
    ("aacute", 'á'),
    ("agrave", 'à'),
    ("amp", '&'),
    ("apos", '\''),
    ("auml", 'ä'),
    ("ccedil", 'ç'),
    ("copy", '©'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("gt", '>'),
    ("hellip", '…'),
    ("iacute", 'í'),
    ("laquo", '«'),
    ("ldquo", '\u{201c}'),
    ("lsquo", '\u{2018}'),
    ("lt", '<'),
    ("mdash", '\u{2014}'),
    ("nbsp", '\u{a0}'),
    ("ndash", '\u{2013}'),
    ("ntilde", 'ñ'),
    ("oacute", 'ó'),
    ("ouml", 'ö'),
    ("quot", '"'),
    ("raquo", '»'),
    ("rdquo", '\u{201d}'),
    ("reg", '®'),
    ("rsquo", '\u{2019}'),
    ("szlig", 'ß'),
    ("trade", '™'),
    ("uacute", 'ú'),
    ("uuml", 'ü'),
];

/// The character of a known `name;`, `#123;` or `#x1F;` at the start of `rest` (the text
/// after an `&`), and the length of the reference there.
fn reference(rest: &str) -> Option<(char, usize)> {
    let end = rest.bytes().take(10).position(|c| c == b';')?;
    let body = &rest[..end];
    let c = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        numeric(hex, 16)?
    } else if let Some(digits) = body.strip_prefix('#') {
        numeric(digits, 10)?
    } else {
        NAMED.iter().find(|(name, _)| *name == body)?.1
    };
    Some((c, end + 1))
}

/// The character numbered `digits` in `radix`, when they are all digits and name one.
fn numeric(digits: &str, radix: u32) -> Option<char> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    char::from_u32(u32::from_str_radix(digits, radix).ok()?)
}

/// `text` with its character references (`&amp;`, `&#8217;`, `&#x2019;`) decoded and
/// everything else, line ends and any `<` included, as written.
pub(crate) fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// The text of the HTML fragment `html`: paragraphs separated by a blank line. A fragment
/// without block elements (text with `<em>` or `<a>` in it) keeps each line as a paragraph,
/// as plain text would.
pub(crate) fn to_text(html: &str) -> String {
    let parsed = docnorm_markup::fragment(html, MAX_DEPTH);
    let document = parsed.dom;
    let has_blocks = document.root().descendants_it().any(|node| {
        node.is_element()
            && node
                .node_name()
                .is_some_and(|name| BLOCKS.contains(&name.to_ascii_lowercase().as_str()))
    });
    let mut out = Paragraphs {
        line_per_paragraph: !has_blocks,
        ..Paragraphs::default()
    };
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
    if parsed.cut {
        // Too deep to build: the rest is text, its tags dropped.
        out.push(&decode_references(&without_tags(
            &html[parsed.html.len()..],
        )));
        out.end_paragraph();
    }
    out.text
}

/// `html` without its tags (anything from a `<` to the next `>`), each replaced by a space.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        rest = rest[open..]
            .find('>')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    out.push_str(rest);
    out
}

/// The text of a value that may be HTML, with each paragraph apart: made text when it is
/// HTML (or `markup` says so, as a `rendered` wrapper does), else its character references
/// decoded and each non-blank line a paragraph, nothing else touched.
pub(crate) fn paragraphs_of(value: &str, markup: bool) -> String {
    if markup || is_html(value) {
        return to_text(value);
    }
    let decoded = decode_references(value);
    let lines: Vec<&str> = decoded
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join("\n\n")
}

/// The text of a value that may be HTML on one line (a title, a summary): HTML made text
/// with each run of white space one space, other text trimmed with its character references
/// decoded.
pub(crate) fn line_of(value: &str, markup: bool) -> String {
    if markup || is_html(value) {
        return to_text(value)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
    }
    decode_references(value.trim()).trim().to_owned()
}

/// A step of the walk over the tree: a node to read, or the end of a block element.
enum Step<'a> {
    Enter(NodeRef<'a>),
    Leave,
}

/// Paragraphs written so far and the one being read.
#[derive(Default)]
struct Paragraphs {
    text: String,
    paragraph: String,
    /// A line end in the text ends a paragraph (in a fragment without block elements).
    line_per_paragraph: bool,
}

impl Paragraphs {
    /// Appends text with each run of white space as one space, or a line end as the end
    /// of a paragraph when lines are paragraphs.
    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' && self.line_per_paragraph {
                self.end_paragraph();
            } else if c.is_whitespace() {
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
    fn markup_nested_past_the_bound_keeps_its_text_in_linear_time() {
        let deep = format!(
            "<p>Start</p>{}<b>end &amp; all</b>",
            "<section> x </div>".repeat(20_000)
        );
        let text = to_text(&deep);
        assert!(text.starts_with("Start\n\nx\n\nx"), "{}", &text[..40]);
        assert!(
            text.ends_with("x end & all"),
            "{}",
            &text[text.len() - 40..]
        );
        assert_eq!(text.matches('x').count(), 20_000);
    }

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
            "<P class=\"x\">A</P>",
            "Read <a href=\"/x\">this</a>.",
            "Teaser<!--more-->",
            "<img src=\"x.png\">",
        ] {
            assert!(is_html(html), "{html}");
        }
        for plain in [
            "5 < 6 & 7 > 3",
            "Q&amp;A",
            "It&#8217;s",
            "Using Option<T> in Rust",
            "Why <script> blocks the parser",
            "The <p> tag",
            "</div>",
            "x <- y",
            "<3 you",
        ] {
            assert!(!is_html(plain), "{plain}");
        }
    }

    #[test]
    fn references_alone_are_decoded_and_nothing_else_is_touched() {
        assert_eq!(
            decode_references("Q&amp;A: it&#8217;s &#x2019;<T>&#;&#xZZ; AT&T R&D; &bogus;\nnext"),
            "Q&A: it\u{2019}s \u{2019}<T>&#;&#xZZ; AT&T R&D; &bogus;\nnext"
        );
    }

    #[test]
    fn a_fragment_without_blocks_keeps_its_lines_as_paragraphs() {
        assert_eq!(
            to_text("First <em>line</em>.\nSecond &amp; last."),
            "First line.\n\nSecond & last."
        );
        assert_eq!(to_text("<p>A\nB</p>"), "A B");
    }

    #[test]
    fn plain_text_values_keep_their_lines_and_angle_brackets() {
        assert_eq!(
            paragraphs_of("Tom &amp; Jerry.\nSecond line.\n\nThird.", false),
            "Tom & Jerry.\n\nSecond line.\n\nThird."
        );
        assert_eq!(
            line_of(" Using Option<T> in Rust ", false),
            "Using Option<T> in Rust"
        );
        assert_eq!(line_of("A<b>B</b>", false), "AB");
        assert_eq!(line_of("Option<T>", true), "Option");
    }
}
