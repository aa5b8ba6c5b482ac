//! Character classes for the enricher's scans of the text, with a table for ASCII so that
//! the common case costs one load instead of a chain of comparisons.

/// `char::is_whitespace`.
pub(crate) const WHITESPACE: u8 = 1;
/// `char::is_alphabetic`.
pub(crate) const ALPHABETIC: u8 = 2;
/// `char::is_numeric`.
pub(crate) const NUMERIC: u8 = 4;
/// `char::is_alphanumeric`.
pub(crate) const ALPHANUMERIC: u8 = ALPHABETIC | NUMERIC;

/// The classes of every ASCII character.
static ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        table[b as usize] = if b.is_ascii_alphabetic() {
            ALPHABETIC
        } else if b.is_ascii_digit() {
            NUMERIC
        } else if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            WHITESPACE
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Each ASCII letter or digit lower-cased; 0 for every other byte.
pub(crate) static FOLD: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0u8;
    while b < 128 {
        if b.is_ascii_alphanumeric() {
            table[b as usize] = b.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// The classes of `ch`: the same answers as the `char` methods they are named after.
#[inline]
pub(crate) fn class(ch: char) -> u8 {
    if ch.is_ascii() {
        ASCII[ch as usize]
    } else {
        (u8::from(ch.is_whitespace()) * WHITESPACE)
            | (u8::from(ch.is_alphabetic()) * ALPHABETIC)
            | (u8::from(ch.is_numeric()) * NUMERIC)
    }
}

/// The classes of the character starting at byte `at` of `text` (a character boundary),
/// and its length in bytes: ASCII from the table, anything else decoded.
#[inline]
pub(crate) fn class_at(text: &str, at: usize) -> (u8, usize) {
    let byte = text.as_bytes()[at];
    if byte.is_ascii() {
        (ASCII[usize::from(byte)], 1)
    } else {
        let ch = char_at(text, at);
        (class(ch), ch.len_utf8())
    }
}

/// The character starting at byte `at` of `text` (a character boundary).
#[inline]
pub(crate) fn char_at(text: &str, at: usize) -> char {
    text[at..].chars().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_agree_with_the_char_methods() {
        let samples = (0..0x3000u32)
            .chain([0x3000, 0x2028, 0xFEFF, 0x0001_D7CE, 0x0010_FFFF])
            .filter_map(char::from_u32);
        for ch in samples {
            let class = class(ch);
            assert_eq!(class & WHITESPACE != 0, ch.is_whitespace(), "{ch:?}");
            assert_eq!(class & ALPHABETIC != 0, ch.is_alphabetic(), "{ch:?}");
            assert_eq!(class & NUMERIC != 0, ch.is_numeric(), "{ch:?}");
            assert_eq!(class & ALPHANUMERIC != 0, ch.is_alphanumeric(), "{ch:?}");
        }
    }

    #[test]
    fn class_at_walks_any_text() {
        let text = "a é\u{2003}€😀1";
        let mut at = 0;
        let mut seen = Vec::new();
        while at < text.len() {
            let (class, len) = class_at(text, at);
            seen.push((char_at(text, at), class));
            at += len;
        }
        let expected: Vec<(char, u8)> = text.chars().map(|ch| (ch, class(ch))).collect();
        assert_eq!(seen, expected);
    }
}
