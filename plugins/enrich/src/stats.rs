//! Stats: counts a reader would care about, derived from the body alone.

use docnorm_plugin_api::Stats;

/// Reading speed used for `reading_minutes`: 230 words per minute, the commonly cited average
/// for adults reading English prose silently (Brysbaert, 2019, finds 238 for non-fiction).
pub const WORDS_PER_MINUTE: u64 = 230;

/// The stats of `body`, with reading time at `words_per_minute` (rounded up; 0 for no words).
///
/// A word is a whitespace-separated run holding at least one letter or digit (so a lone `–`
/// is not one); characters are Unicode scalar values; paragraphs are blocks of text separated
/// by blank lines.
pub fn stats(body: &str, words_per_minute: u64) -> Stats {
    let words = body
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as u64;
    let characters = body.chars().count() as u64;
    let paragraphs = paragraphs(body);
    Stats {
        words,
        characters,
        paragraphs,
        reading_minutes: words.div_ceil(words_per_minute.max(1)),
    }
}

fn paragraphs(body: &str) -> u64 {
    let mut count = 0;
    let mut in_paragraph = false;
    for line in body.lines() {
        let blank = line.trim().is_empty();
        if !blank && !in_paragraph {
            count += 1;
        }
        in_paragraph = !blank;
    }
    count
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
