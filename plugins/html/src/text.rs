//! Small text helpers shared by the metadata and content code: whitespace folding, the
//! decoding of entities left in attribute values and JSON-LD strings, and the removal of
//! invisible characters from every text field.

use std::borrow::Cow;

use dom_query::Document;
use serde_json::Value;

/// Characters that show nothing and only break words apart for search and comparison: the
/// soft hyphen, zero-width space, word joiner, byte-order mark (zero-width no-break space)
/// and the Mongolian vowel separator. Zero-width joiners and non-joiners stay: they shape
/// emoji and the spelling of words in Persian, Hindi and other scripts.
const INVISIBLE: [char; 5] = ['\u{ad}', '\u{200b}', '\u{2060}', '\u{feff}', '\u{180e}'];

/// `s` without [`INVISIBLE`] characters.
pub fn remove_invisible(s: &str) -> Cow<'_, str> {
    if s.contains(INVISIBLE) {
        Cow::Owned(s.chars().filter(|c| !INVISIBLE.contains(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Removes [`INVISIBLE`] characters from every string in `value`.
pub fn remove_invisible_in(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(clean) = remove_invisible(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(remove_invisible_in),
        Value::Object(map) => map.values_mut().for_each(remove_invisible_in),
        _ => {}
    }
}

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
    fn invisible_characters_are_removed_and_joiners_kept() {
        assert_eq!(
            remove_invisible("pho\u{ad}to\u{200b}graph\u{feff}"),
            "photograph"
        );
        assert!(matches!(remove_invisible("plain"), Cow::Borrowed("plain")));
        let persian = "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}";
        assert_eq!(remove_invisible(persian), persian);
        let mut value = serde_json::json!({"a": ["x\u{ad}y"], "b": {"c": "\u{2060}z"}});
        remove_invisible_in(&mut value);
        assert_eq!(value, serde_json::json!({"a": ["xy"], "b": {"c": "z"}}));
    }

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
