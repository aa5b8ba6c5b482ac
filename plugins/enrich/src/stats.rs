//! Stats: counts a reader would care about, derived from the body alone.

use docnorm_plugin_api::Stats;

use crate::chars;

/// Reading speed used for `reading_minutes`: 230 words per minute, the commonly cited average
/// for adults reading English prose silently (Brysbaert, 2019, finds 238 for non-fiction).
pub const WORDS_PER_MINUTE: u64 = 230;

/// The stats of `body`, with reading time at `words_per_minute` (rounded up; 0 for no words).
///
/// A word is a whitespace-separated run holding at least one letter or digit (so a lone `–`
/// is not one); characters are Unicode scalar values; paragraphs are blocks of text separated
/// by blank lines.
pub fn stats(body: &str, words_per_minute: u64) -> Stats {
    let ascii = body.is_ascii();
    let characters = if ascii {
        body.len()
    } else {
        body.chars().count()
    } as u64;
    let (words, paragraphs) = if ascii {
        words_and_paragraphs(
            body.bytes()
                .map(|b| (chars::class(char::from(b)), b == b'\n')),
        )
    } else {
        words_and_paragraphs(body.chars().map(|ch| (chars::class(ch), ch == '\n')))
    };
    Stats {
        words,
        characters,
        paragraphs,
        reading_minutes: words.div_ceil(words_per_minute.max(1)),
    }
}

/// Words and paragraphs from the classes of a text's characters (and whether each is `\n`),
/// in one pass: a word ends at whitespace, a line at `\n`; a paragraph starts at the first
/// non-blank character of a line after a blank line (or the start).
fn words_and_paragraphs(classes: impl Iterator<Item = (u8, bool)>) -> (u64, u64) {
    let mut words = 0u64;
    let mut paragraphs = 0u64;
    let mut in_word = false;
    let mut word_has_alphanumeric = false;
    let mut line_blank = true;
    let mut in_paragraph = false;
    for (class, newline) in classes {
        if class & chars::WHITESPACE != 0 {
            if in_word {
                words += u64::from(word_has_alphanumeric);
                in_word = false;
            }
            if newline {
                in_paragraph = !line_blank;
                line_blank = true;
            }
        } else {
            if !in_word {
                in_word = true;
                word_has_alphanumeric = false;
            }
            word_has_alphanumeric |= class & chars::ALPHANUMERIC != 0;
            if line_blank {
                line_blank = false;
                paragraphs += u64::from(!in_paragraph);
            }
        }
    }
    words += u64::from(in_word && word_has_alphanumeric);
    (words, paragraphs)
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
