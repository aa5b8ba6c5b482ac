//! Line features: one pass over each line of a page copy measuring what the heuristics look
//! at — words, function words, capitals, sentence ends, bullets, chrome vocabulary, reader
//! address, domains, copyright marks — plus a hash of its normalized text to spot repeats.

mod measure;

pub use measure::{Scratch, measure};

/// One line of the document with its measurements.
///
/// A page copy can hold millions of short lines and every line is held until the analysis
/// ends, so the measurements are packed: 48 bytes a line. The counts other than `words`
/// saturate at 65,535, which only a line of more than 65,535 characters (a whole document on
/// one line) reaches; the heuristics compare them with small thresholds or with `words`.
#[derive(Debug, Clone, Default)]
pub struct Line<'a> {
    /// The line without surrounding whitespace and without its list bullet.
    pub text: &'a str,
    /// Hash of the lower-cased text with whitespace folded, to find repeated lines.
    pub hash: u64,
    /// Runs of letters or digits.
    pub words: u32,
    stopwords: u16,
    capitalized: u16,
    upper_words: u16,
    numbers: u16,
    chars: u16,
    sentences: u16,
    second_person: u16,
    ui_words: u16,
    flags: u16,
}

/// The yes/no observations of a [`Line`], one bit each.
mod flag {
    pub const BULLET: u16 = 1;
    pub const BLANK: u16 = 1 << 1;
    pub const SEPARATOR: u16 = 1 << 2;
    pub const SENTENCE_END: u16 = 1 << 3;
    pub const UI_PHRASE: u16 = 1 << 4;
    pub const ROLE_WORD: u16 = 1 << 5;
    pub const CREDIT: u16 = 1 << 6;
    pub const COPYRIGHT: u16 = 1 << 7;
    pub const DOMAIN: u16 = 1 << 8;
    pub const FIRST_LOWER: u16 = 1 << 9;
}

/// Accessors returning a packed count as `u32`.
macro_rules! counts {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        $($(#[$doc])* pub fn $name(&self) -> u32 {
            u32::from(self.$name)
        })*
    };
}

/// Accessors returning one bit of the flags.
macro_rules! flags {
    ($($(#[$doc:meta])* $name:ident = $bit:ident,)*) => {
        $($(#[$doc])* pub fn $name(&self) -> bool {
            self.flags & flag::$bit != 0
        })*
    };
}

impl Line<'_> {
    counts! {
        /// Function words among the words.
        stopwords,
        /// Words starting with an upper-case letter.
        capitalized,
        /// Words of two letters or more written all in upper case.
        upper_words,
        /// Words that are numbers.
        numbers,
        /// Characters (not bytes).
        chars,
        /// Sentence breaks inside the line (`. X`) plus the final one.
        sentences,
        /// Words addressing the reader (you, your, vous, du…).
        second_person,
        /// Chrome words (subscribe, share, cookies…).
        ui_words,
    }

    flags! {
        /// The line starts with a list bullet (`* `, `• `, `- `).
        bullet = BULLET,
        /// Nothing but whitespace.
        blank = BLANK,
        /// Nothing but punctuation or symbols (`-`, `*`, `|`, `•`).
        separator = SEPARATOR,
        /// Ends like a sentence: `.`, `!`, `?`, `…` (before closing quotes), or `:` after a
        /// clause.
        sentence_end = SENTENCE_END,
        /// A chrome phrase (sign up, all rights reserved…) occurs.
        ui_phrase = UI_PHRASE,
        /// A journalistic role word (writer, editor, reporter…) occurs.
        role_word = ROLE_WORD,
        /// Starts like a photo caption or credit (`Photo:`, `Image credit`…).
        credit = CREDIT,
        /// A copyright mark (`©`, `(c) 2024`, `copyright`).
        copyright = COPYRIGHT,
        /// A domain name or web address occurs.
        domain = DOMAIN,
        /// The first letter is lower case.
        first_lower = FIRST_LOWER,
    }

    /// The same line, counted as `sentences` sentences.
    #[must_use]
    pub fn with_sentences(&self, sentences: u16) -> Self {
        Self {
            sentences,
            ..self.clone()
        }
    }

    /// Share of function words among the words.
    pub fn stop_density(&self) -> f32 {
        if self.words == 0 {
            0.0
        } else {
            precision_f32(self.stopwords()) / precision_f32(self.words)
        }
    }

    /// Most words are capitalized, as in a menu entry or a headline in title case.
    pub fn title_case(&self) -> bool {
        let content = self.words.saturating_sub(self.stopwords() + self.numbers());
        self.words > 0 && content > 0 && self.capitalized() * 10 >= content * 8
    }
}

/// Words separated by whitespace, as `text.split_whitespace().count()` gives, but counted
/// only up to `limit` (callers test a range, and long lines need not be read to the end);
/// without decoding characters when the text is ASCII.
pub fn count_words_upto(text: &str, limit: usize) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().take(limit).count();
    }
    let mut n = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        // The ASCII characters `char::is_whitespace` accepts: tab to carriage return, space.
        let space = b <= b' ' && (1u64 << b) & ASCII_SPACES != 0;
        if !space && !in_word {
            n += 1;
            if n >= limit {
                return limit;
            }
        }
        in_word = !space;
    }
    n
}

/// Bits of the ASCII whitespace bytes (9 to 13 and 32).
const ASCII_SPACES: u64 = 0b11111 << 9 | 1 << 32;

/// Converts a small count to `f32` (counts here stay far below 2^24).
pub fn precision_f32(n: u32) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let f = n as f32;
    f
}

/// The line as [`Line::text`] holds it: without surrounding whitespace and list bullet.
pub fn shown(raw: &str) -> &str {
    let trimmed = raw.trim();
    strip_bullet(trimmed).unwrap_or(trimmed)
}

fn strip_bullet(s: &str) -> Option<&str> {
    // The first byte of every marker; most lines start otherwise.
    if !matches!(
        s.as_bytes().first(),
        Some(b'*' | b'-' | b'>' | b'+' | 0xC2 | 0xE2)
    ) {
        return None;
    }
    for marker in ["* ", "• ", "- ", "– ", "· ", "◦ ", "▪ ", "> ", "+ "] {
        if let Some(rest) = s.strip_prefix(marker) {
            return Some(rest.trim_start());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Line<'_> {
        measure(s, &mut Scratch::default())
    }

    #[test]
    fn prose_has_function_words_and_a_sentence_end() {
        let l = m("The council voted on Tuesday to close the old bridge for repairs.");
        assert_eq!(l.words, 12);
        assert!(l.sentence_end());
        assert!(l.stop_density() > 0.2);
        assert!(!l.title_case());
    }

    #[test]
    fn bullets_separators_and_title_case() {
        let l = m("* World News");
        assert!(l.bullet() && l.title_case());
        assert_eq!(l.text, "World News");
        assert!(m(" - ").separator());
        assert!(m("").blank());
    }

    #[test]
    fn chrome_vocabulary_and_reader_address() {
        let l = m("Sign up for our newsletter and get the best in your inbox");
        assert!(l.ui_phrase());
        assert_eq!(l.ui_words(), 1);
        assert!(l.second_person() >= 1);
        assert!(m("Photo: Jane Doe").credit());
        assert!(m("© 2024 Example Media").copyright());
        assert!(m("Visit example.com today").domain());
    }

    #[test]
    fn words_of_scripts_without_spaces_are_estimated() {
        let l = m(
            "パスワードの強化は非常に重要なことであり、管理するにはパスワードマネージャーが便利です。",
        );
        assert!(l.words >= 15, "{}", l.words);
        assert!(l.sentence_end());
    }

    #[test]
    fn lines_whose_lower_case_changes_length_measure_alike() {
        // "İ" grows in lower case, so this line is read character by character.
        let a = m("İSTANBUL Summit Opens. Leaders Meet In The Old Palace");
        let b = m("ISTANBUL Summit Opens. Leaders Meet In The Old Palace");
        let counts = |l: &Line<'_>| {
            (
                l.words,
                l.capitalized(),
                l.upper_words(),
                l.sentences(),
                l.stopwords(),
                l.chars(),
            )
        };
        assert_eq!(counts(&a), counts(&b));
        assert_eq!(counts(&a), (9, 9, 1, 1, 2, 53));
        assert!(a.title_case() && b.title_case());
        assert_eq!(m("Read  More ÉTÉ").hash, m("read more été").hash);
    }

    #[test]
    fn words_are_counted_as_whitespace_splits_them() {
        for t in [
            "",
            "  one ",
            "a\tb\x0bc\u{c}d\re",
            "Jane  Doe\u{a0}Roe",
            "x \u{2003} y",
        ] {
            assert_eq!(
                count_words_upto(t, usize::MAX),
                t.split_whitespace().count(),
                "{t:?}"
            );
            assert_eq!(
                count_words_upto(t, 2),
                t.split_whitespace().count().min(2),
                "{t:?}"
            );
        }
    }

    #[test]
    fn a_line_is_small() {
        // A page of a million short lines holds a million of these.
        assert!(std::mem::size_of::<Line<'_>>() <= 48);
    }

    #[test]
    fn counts_saturate_and_words_do_not() {
        let long = "the cat ".repeat(40_000);
        let l = m(&long);
        assert_eq!(l.words, 80_000);
        assert_eq!(l.stopwords(), 40_000);
        assert_eq!(l.chars(), u32::from(u16::MAX));
    }

    #[test]
    fn repeated_lines_hash_alike() {
        assert_eq!(m("Read  More").hash, m("read more").hash);
        assert_ne!(m("Read more").hash, m("Read less").hash);
    }
}
