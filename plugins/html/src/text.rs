//! Small text helpers shared by the metadata and content code: whitespace folding and the
//! decoding of entities left in attribute values and JSON-LD strings.

use dom_query::Document;

/// `s` with runs of whitespace folded to one space and trimmed.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `s` with HTML entities decoded and tags dropped, whitespace folded.
///
/// JSON-LD strings and some attribute values still carry `&amp;`, `&#8217;` or `<b>`; the HTML
/// parser decodes them exactly as a browser would.
pub fn clean(s: &str) -> String {
    if !s.contains(['&', '<']) {
        return squash(s);
    }
    // Parsing as the content of a `<textarea>` would keep tags; a plain fragment drops them.
    let fragment = Document::fragment(s);
    squash(&fragment.root().text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_and_tags_dropped() {
        assert_eq!(
            clean("Tom &amp; Jerry&#8217;s <b>day</b>"),
            "Tom & Jerry\u{2019}s day"
        );
        assert_eq!(clean("  a \n b  "), "a b");
        assert_eq!(clean("1 < 2"), "1 < 2");
    }
}
