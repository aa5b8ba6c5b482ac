//! A cheap pass over the page's bytes before parsing: the contents of `<script>` (but JSON-LD),
//! `<style>`, `<svg>` and `<noscript>` elements and HTML comments are dropped. On typical news pages they are half
//! the bytes, nothing the plugin reads is in them, and the HTML tokenizer would otherwise walk
//! them character by character.
//!
//! The same pass bounds nesting: the HTML tree builder and the content scoring both slow down
//! with the depth of the tree (quadratically for pathological pages), so a page whose elements
//! nest deeper than a limit is cut where that happens.

use std::borrow::Cow;

// The pass is mostly byte searches over the whole page: the `memchr` crate's vectorised
// searches are several times faster than the standard library's.
use memchr::{memchr, memmem};

/// A page after the raw pass.
#[derive(Debug)]
pub struct Stripped<'a> {
    /// The page without script, style and comment contents.
    pub html: Cow<'a, str>,
    /// Whether the page was cut because it nests deeper than the limit.
    pub cut: bool,
}

/// `html` without script, style, svg, noscript and comment contents (the tags themselves
/// stay), cut where
/// its elements nest deeper than `max_depth`.
pub fn strip(html: &str, max_depth: usize) -> Stripped<'_> {
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    let mut depth = 0usize;
    while let Some(offset) = memchr(b'<', &bytes[at..]) {
        let open = at + offset;
        let rest = &bytes[open + 1..];
        depth = nesting(rest, depth);
        if depth > max_depth {
            out.push_str(&html[copied..open]);
            return Stripped {
                html: Cow::Owned(out),
                cut: true,
            };
        }
        if rest.starts_with(b"!--") {
            let Some(end) = memmem::find(&bytes[open + 4..], b"-->") else {
                break;
            };
            let close = open + 4 + end + 3;
            out.push_str(&html[copied..open]);
            copied = close;
            at = close;
            continue;
        }
        let Some(name) = ["script", "style", "svg", "noscript"]
            .into_iter()
            .find(|name| starts_tag(rest, name.as_bytes()))
        else {
            at = open + 1;
            continue;
        };
        let Some(gt) = memchr(b'>', &bytes[open..]) else {
            break;
        };
        let content = open + gt + 1;
        let Some(end) = find_close(&html[content..], name) else {
            break;
        };
        let close = content + end;
        let keep = name == "script" && {
            let tag = html[open..content].to_ascii_lowercase();
            tag.contains("ld+json")
        };
        if !keep {
            out.push_str(&html[copied..content]);
            copied = close;
        }
        at = close + 2;
    }
    if copied == 0 {
        return Stripped {
            html: Cow::Borrowed(html),
            cut: false,
        };
    }
    out.push_str(&html[copied..]);
    Stripped {
        html: Cow::Owned(out),
        cut: false,
    }
}

/// The nesting depth after the tag that `rest` (what follows a `<`) begins.
fn nesting(rest: &[u8], depth: usize) -> usize {
    let (closing, name_start) = match rest.first() {
        Some(b'/') => (true, &rest[1..]),
        Some(c) if c.is_ascii_alphabetic() => (false, rest),
        _ => return depth,
    };
    let len = name_start
        .iter()
        .take(16)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if len == 0 || never_nests(&name_start[..len]) {
        return depth;
    }
    if closing {
        return depth.saturating_sub(1);
    }
    // A self-closing tag (`<div/>` in XHTML-ish pages) opens nothing.
    let tag_end = memchr(b'>', rest).unwrap_or(0);
    if tag_end > 0 && rest[tag_end - 1] == b'/' {
        return depth;
    }
    depth + 1
}

/// Whether the element `name` (at most 16 bytes, any case) is void (it has no end tag) or one
/// whose end tag pages often leave out, so that the parser closes it implicitly: neither
/// counts as nesting.
fn never_nests(name: &[u8]) -> bool {
    let mut lower = [0u8; 16];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return false;
    };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"rtc"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// Whether `rest` (what follows a `<`) opens the element `name`.
fn starts_tag(rest: &[u8], name: &[u8]) -> bool {
    rest.len() > name.len()
        && rest[..name.len()].eq_ignore_ascii_case(name)
        && matches!(
            rest[name.len()],
            b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'
        )
}

/// The offset of `</name` in `text`, ignoring case.
fn find_close(text: &str, name: &str) -> Option<usize> {
    let mut at = 0;
    // Searching for the single byte `<` is much faster than for a two-byte pattern.
    while let Some(offset) = memchr(b'<', &text.as_bytes()[at..]) {
        let start = at + offset;
        let rest = &text.as_bytes()[start + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn scripts_styles_and_comments_are_emptied() {
        let html = "<head><SCRIPT src=a.js>var a = '<p>';</SCRIPT><style>p{}</style>\
            <script type=\"application/ld+json\">{\"@type\":\"Article\"}</script></head>\
            <!-- <script> --><body><p>Text</p><scripted>x</scripted></body>";
        assert_eq!(
            strip(html, 100).html,
            "<head><SCRIPT src=a.js></SCRIPT><style></style>\
            <script type=\"application/ld+json\">{\"@type\":\"Article\"}</script></head>\
            <body><p>Text</p><scripted>x</scripted></body>"
        );
    }

    #[test]
    fn an_unclosed_script_leaves_the_rest_alone() {
        assert_eq!(
            strip("<p>a</p><script>var x", 100).html,
            "<p>a</p><script>var x"
        );
    }

    #[test]
    fn pages_nested_too_deep_are_cut() {
        let deep = format!(
            "<body>{}<p>text</p>{}",
            "<div>".repeat(50),
            "</div>".repeat(50)
        );
        let stripped = strip(&deep, 10);
        assert!(stripped.cut);
        assert_eq!(stripped.html, format!("<body>{}", "<div>".repeat(10)));
        let flat = "<div><p>a<p>b<br><img src=x></div>".repeat(100);
        assert!(!strip(&flat, 10).cut);
    }
}
