//! Stats: counts a reader would care about, derived from the body alone.

use docnorm_plugin_api::Stats;

use docnorm_toolkit::chars::{self, Class};

/// Reading speed used for `reading_minutes`: 230 words per minute, the commonly cited average
/// for adults reading English prose silently (Brysbaert, 2019, finds 238 for non-fiction).
pub const WORDS_PER_MINUTE: u64 = 230;

/// The stats of `body`, with reading time at `words_per_minute` (rounded up; 0 for no words).
///
/// A word is a whitespace-separated run holding at least one letter or digit (so a lone `–`
/// is not one); characters are Unicode scalar values; paragraphs are blocks of text separated
/// by blank lines.
pub fn stats(body: &str, words_per_minute: u64) -> Stats {
    let mut counter = Counter::default();
    for ch in body.chars() {
        counter.push(chars::class(ch), ch == '\n');
    }
    counter.finish(words_per_minute)
}

/// The stats counted one character at a time, so that another pass over the body (the
/// `SimHash`'s) can count them on the way: a word ends at whitespace, a line at `\n`; a
/// paragraph starts at the first non-blank character of a line after a blank line (or the
/// start).
#[allow(clippy::struct_excessive_bools)] // The state of the count, read by name.
pub(crate) struct Counter {
    characters: u64,
    words: u64,
    paragraphs: u64,
    in_word: bool,
    word_has_alphanumeric: bool,
    line_blank: bool,
    in_paragraph: bool,
}

impl Default for Counter {
    fn default() -> Self {
        Self {
            characters: 0,
            words: 0,
            paragraphs: 0,
            in_word: false,
            word_has_alphanumeric: false,
            line_blank: true,
            in_paragraph: false,
        }
    }
}

impl Counter {
    /// One character, by its [`chars::class`] and whether it is `\n`.
    #[inline]
    pub(crate) fn push(&mut self, class: Class, newline: bool) {
        self.characters += 1;
        if class.contains(Class::WHITESPACE) {
            if self.in_word {
                self.words += u64::from(self.word_has_alphanumeric);
                self.in_word = false;
            }
            if newline {
                self.in_paragraph = !self.line_blank;
                self.line_blank = true;
            }
        } else {
            if !self.in_word {
                self.in_word = true;
                self.word_has_alphanumeric = false;
            }
            self.word_has_alphanumeric |= class.intersects(Class::ALPHANUMERIC);
            if self.line_blank {
                self.line_blank = false;
                self.paragraphs += u64::from(!self.in_paragraph);
            }
        }
    }

    /// `count` more letters or digits right after one: inside a word of a non-blank line, so
    /// only the count of characters moves ([`Counter::push`] would find nothing else to do).
    #[inline]
    pub(crate) fn push_more_alphanumeric(&mut self, count: usize) {
        self.characters += u64::try_from(count).unwrap_or(u64::MAX);
    }

    /// The stats, with reading time at `words_per_minute`.
    pub(crate) fn finish(self, words_per_minute: u64) -> Stats {
        let words = self.words + u64::from(self.in_word && self.word_has_alphanumeric);
        Stats {
            words,
            characters: self.characters,
            paragraphs: self.paragraphs,
            reading_minutes: words.div_ceil(words_per_minute.max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_characters_paragraphs_and_minutes() {
        let body = "One two three.\n\nFour – five\nsix.\n\n\n  \nSeven é";
        let stats = stats(body, WORDS_PER_MINUTE);
        assert_eq!(stats.words, 8);
        assert_eq!(stats.characters, body.chars().count() as u64);
        assert_eq!(stats.paragraphs, 3);
        assert_eq!(stats.reading_minutes, 1);
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines_of_any_whitespace() {
        let body = "a\r\nb\n \t\r\nc\n\n\nd\u{2003}e\u{2003}\n\u{2003}\nf";
        let stats = stats(body, WORDS_PER_MINUTE);
        assert_eq!(stats.paragraphs, 4);
        assert_eq!(stats.words, 6);
    }

    #[test]
    fn reading_time_rounds_up() {
        let body = "word ".repeat(231);
        assert_eq!(stats(&body, 230).reading_minutes, 2);
        let body = "word ".repeat(230);
        assert_eq!(stats(&body, 230).reading_minutes, 1);
    }

    #[test]
    fn an_empty_body_is_all_zero() {
        assert_eq!(stats("", WORDS_PER_MINUTE), Stats::default());
        assert_eq!(stats(" \n\n ", WORDS_PER_MINUTE).paragraphs, 0);
    }
}
