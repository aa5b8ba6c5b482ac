//! Character classes for the plugins' scans of text, with tables for ASCII and for the
//! non-ASCII characters most texts are made of, so that the common case costs one load instead
//! of a chain of comparisons or a search of the Unicode tables.
//!
//! Every answer is the one of the `char` method a class is named after; the tests check each
//! table against those methods over every code point it covers.

use std::sync::LazyLock;

crate::flags! {
    /// What a character is, as the `char` methods say.
    pub struct Class: u8 {
        /// `char::is_whitespace`.
        const WHITESPACE = 1;
        /// `char::is_alphabetic`.
        const ALPHABETIC = 2;
        /// `char::is_numeric`.
        const NUMERIC = 4;
        /// `char::is_uppercase`.
        const UPPER = 8;
        /// `char::is_lowercase`.
        const LOWER = 16;
    }
}

impl Class {
    /// `char::is_alphanumeric`: alphabetic or numeric (ask with `intersects`).
    pub const ALPHANUMERIC: Self = Self::ALPHABETIC.union(Self::NUMERIC);
}

/// The classes of every ASCII character.
static ASCII: [Class; 128] = {
    let mut table = [Class::NONE; 128];
    let mut b = 0u8;
    while b < 128 {
        table[b as usize] = if b.is_ascii_uppercase() {
            Class::ALPHABETIC.union(Class::UPPER)
        } else if b.is_ascii_lowercase() {
            Class::ALPHABETIC.union(Class::LOWER)
        } else if b.is_ascii_digit() {
            Class::NUMERIC
        } else if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            Class::WHITESPACE
        } else {
            Class::NONE
        };
        b += 1;
    }
    table
};

/// The classes of the ASCII character `byte` (below 0x80).
#[inline]
pub fn ascii(byte: u8) -> Class {
    ASCII[usize::from(byte & 0x7F)]
}

/// The first code point after the characters of two bytes in UTF-8.
const TWO_BYTE_END: u32 = 0x800;

/// The block of general punctuation: spaces, dashes, quotes and ellipsis of typeset text.
const PUNCTUATION: std::ops::Range<u32> = 0x2000..0x2070;

/// The CJK unified ideographs: every one a letter (`Lo`), and with [`HANGUL_SYLLABLES`]
/// nearly all the characters of Chinese, Japanese and Korean text, so both are answered
/// without searching the Unicode tables (the test checks every code point).
const IDEOGRAPHS: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

/// The Hangul syllables: every one a letter (`Lo`).
const HANGUL_SYLLABLES: std::ops::RangeInclusive<u32> = 0xAC00..=0xD7A3;

/// The classes of the characters U+0080 to U+07FF (two bytes in UTF-8: Latin letters with
/// accents, Greek, Cyrillic, Hebrew, Arabic) and of the general punctuation, which make up
/// nearly all the non-ASCII characters of Western and Cyrillic text. The `char` methods
/// search a table of ranges for each of these, which costs more than the rest of a scan;
/// these tables ask them once per character, on first use.
struct NonAscii {
    /// Indexed by code point minus 0x80.
    two_byte: [Class; (TWO_BYTE_END - 0x80) as usize],
    /// Indexed by code point minus the start of [`PUNCTUATION`].
    punctuation: [Class; (PUNCTUATION.end - PUNCTUATION.start) as usize],
    /// Indexed by code point minus 0x80: the UTF-8 of the character lower-cased when that is
    /// one character of two bytes (nearly always), else zeros.
    lower: [[u8; 2]; (TWO_BYTE_END - 0x80) as usize],
}

static NON_ASCII: LazyLock<NonAscii> = LazyLock::new(|| {
    let class_of = |code: u32| char::from_u32(code).map_or(Class::NONE, search);
    NonAscii {
        two_byte: std::array::from_fn(|i| class_of(0x80 + index_u32(i))),
        punctuation: std::array::from_fn(|i| class_of(PUNCTUATION.start + index_u32(i))),
        lower: std::array::from_fn(|i| {
            char::from_u32(0x80 + index_u32(i)).map_or([0; 2], search_lower_two_byte)
        }),
    }
});

/// The UTF-8 of `ch` lower-cased, when that is one character of two bytes, else zeros.
fn search_lower_two_byte(ch: char) -> [u8; 2] {
    let mut lower = ch.to_lowercase();
    let mut bytes = [0; 2];
    if let (Some(lower), None) = (lower.next(), lower.next())
        && lower.len_utf8() == 2
    {
        lower.encode_utf8(&mut bytes);
    }
    bytes
}

/// The UTF-8 of `ch` lower-cased (`char::to_lowercase`), when `ch` and its lower-case form
/// are both one character of two bytes, as nearly all accented, Greek and Cyrillic letters
/// are: read from a table instead of searching the Unicode case tables.
#[inline]
pub fn lower_two_byte(ch: char) -> Option<[u8; 2]> {
    let code = u32::from(ch);
    if !(0x80..TWO_BYTE_END).contains(&code) {
        return None;
    }
    let lower = NON_ASCII.lower[(code - 0x80) as usize];
    (lower[0] != 0).then_some(lower)
}

/// A table index as a code point offset (the tables are far smaller than `u32::MAX`).
fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Each ASCII letter or digit lower-cased; 0 for every other byte (so a non-zero entry also
/// says the byte is an ASCII letter or digit).
pub static FOLD: [u8; 256] = {
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

/// The classes of `ch`.
#[inline]
pub fn class(ch: char) -> Class {
    let code = u32::from(ch);
    if code < 0x80 {
        ASCII[code as usize]
    } else if code < TWO_BYTE_END {
        NON_ASCII.two_byte[(code - 0x80) as usize]
    } else if PUNCTUATION.contains(&code) {
        NON_ASCII.punctuation[(code - PUNCTUATION.start) as usize]
    } else if HANGUL_SYLLABLES.contains(&code) || IDEOGRAPHS.contains(&code) {
        Class::ALPHABETIC
    } else {
        search(ch)
    }
}

/// The classes of `ch` asked of the `char` methods, which search the Unicode tables.
fn search(ch: char) -> Class {
    let flag = |yes: bool, class: Class| if yes { class } else { Class::NONE };
    flag(ch.is_whitespace(), Class::WHITESPACE)
        | flag(ch.is_alphabetic(), Class::ALPHABETIC)
        | flag(ch.is_numeric(), Class::NUMERIC)
        | flag(ch.is_uppercase(), Class::UPPER)
        | flag(ch.is_lowercase(), Class::LOWER)
}

/// The classes of the character starting at byte `at` of `text` (a character boundary),
/// and its length in bytes: a character of one or two bytes is read straight from the bytes
/// (a lead byte below 0xE0 starts a two-byte sequence in valid UTF-8), anything else decoded.
///
/// Always inlined, with the rare longer characters in a function of their own: the scans
/// call this once per character, and where the compiler chose a call (the language scan),
/// the call cost more than the lookup itself.
#[inline(always)]
#[allow(clippy::inline_always)] // Measured: the language scan kept a call per character.
pub fn class_at(text: &str, at: usize) -> (Class, usize) {
    let bytes = text.as_bytes();
    let byte = bytes[at];
    if byte < 0x80 {
        (ASCII[usize::from(byte)], 1)
    } else if byte < 0xE0 {
        let code = u32::from(byte & 0x1F) << 6 | u32::from(bytes[at + 1] & 0x3F);
        (NON_ASCII.two_byte[(code - 0x80) as usize], 2)
    } else {
        class_of_long_at(text, at)
    }
}

/// [`class_at`] for a character of three or four bytes.
#[inline(never)]
fn class_of_long_at(text: &str, at: usize) -> (Class, usize) {
    let ch = char_at(text, at);
    (class(ch), ch.len_utf8())
}

/// The character starting at byte `at` of `text` (a character boundary).
#[inline]
pub fn char_at(text: &str, at: usize) -> char {
    text[at..].chars().next().unwrap_or_default()
}

/// Han ideographs, kana and CJK punctuation: scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_agree_with_the_char_methods() {
        let samples = (0..0x1_0000u32)
            .chain([0x0001_D7CE, 0x0001_F600, 0x0002_0000, 0x0010_FFFF])
            .filter_map(char::from_u32);
        for ch in samples {
            let class = class(ch);
            assert_eq!(class, search(ch), "{ch:?}");
            assert_eq!(
                class.contains(Class::WHITESPACE),
                ch.is_whitespace(),
                "{ch:?}"
            );
            assert_eq!(
                class.contains(Class::ALPHABETIC),
                ch.is_alphabetic(),
                "{ch:?}"
            );
            assert_eq!(class.contains(Class::NUMERIC), ch.is_numeric(), "{ch:?}");
            assert_eq!(class.contains(Class::UPPER), ch.is_uppercase(), "{ch:?}");
            assert_eq!(class.contains(Class::LOWER), ch.is_lowercase(), "{ch:?}");
            let alphanumeric = class.intersects(Class::ALPHANUMERIC);
            assert_eq!(alphanumeric, ch.is_alphanumeric(), "{ch:?}");
            if ch.is_ascii() {
                assert_eq!(ascii(ch as u8), class, "{ch:?}");
            }
        }
    }

    #[test]
    fn lower_two_byte_agrees_with_to_lowercase() {
        for ch in (0..0x3000u32).filter_map(char::from_u32) {
            let expected: String = ch.to_lowercase().collect();
            match lower_two_byte(ch) {
                Some(bytes) => assert_eq!(&bytes[..], expected.as_bytes(), "{ch:?}"),
                None => assert!(ch.len_utf8() != 2 || expected.len() != 2, "{ch:?}"),
            }
        }
        assert_eq!(lower_two_byte('Ж'), Some(*b"\xD0\xB6"));
        assert_eq!(lower_two_byte('İ'), None);
    }

    #[test]
    fn class_at_walks_any_text() {
        let every: String = (0..0x3000u32).filter_map(char::from_u32).collect();
        let text = format!("a é\u{2003}€😀1 ǅ İstanbul Москва 서울 北京{every}");
        let mut at = 0;
        let mut seen = Vec::new();
        while at < text.len() {
            let (class, len) = class_at(&text, at);
            seen.push((char_at(&text, at), class));
            at += len;
        }
        let expected: Vec<(char, Class)> = text.chars().map(|ch| (ch, search(ch))).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn fold_lower_cases_ascii_letters_and_digits_only() {
        for b in 0..=255u8 {
            let expected = if b.is_ascii_alphanumeric() {
                b.to_ascii_lowercase()
            } else {
                0
            };
            assert_eq!(FOLD[usize::from(b)], expected, "{b:#x}");
        }
    }
}
