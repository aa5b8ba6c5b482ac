//! Line features: one pass over each line of a page copy measuring what the heuristics look
//! at — words, function words, capitals, sentence ends, bullets, chrome vocabulary, reader
//! address, domains, copyright marks — plus a hash of its normalized text to spot repeats.

use crate::lexicon;

/// One line of the document with its measurements.
#[derive(Debug, Clone, Default)]
pub struct Line<'a> {
    /// The line without surrounding whitespace and without its list bullet.
    pub text: &'a str,
    /// The line starts with a list bullet (`* `, `• `, `- `).
    pub bullet: bool,
    /// Nothing but whitespace.
    pub blank: bool,
    /// Nothing but punctuation or symbols (`-`, `*`, `|`, `•`).
    pub separator: bool,
    /// Runs of letters or digits.
    pub words: u32,
    /// Function words among them.
    pub stopwords: u32,
    /// Words starting with an upper-case letter.
    pub capitalized: u32,
    /// Words of two letters or more written all in upper case.
    pub upper_words: u32,
    /// Words that are numbers.
    pub numbers: u32,
    /// Characters (not bytes).
    pub chars: u32,
    /// Ends like a sentence: `.`, `!`, `?`, `…` (before closing quotes), or `:` after a clause.
    pub sentence_end: bool,
    /// Sentence breaks inside the line (`. X`) plus the final one.
    pub sentences: u32,
    /// Words addressing the reader (you, your, vous, du…).
    pub second_person: u32,
    /// Chrome words (subscribe, share, cookies…).
    pub ui_words: u32,
    /// A chrome phrase (sign up, all rights reserved…) occurs.
    pub ui_phrase: bool,
    /// A journalistic role word (writer, editor, reporter…) occurs.
    pub role_word: bool,
    /// Starts like a photo caption or credit (`Photo:`, `Image credit`…).
    pub credit: bool,
    /// A copyright mark (`©`, `(c) 2024`, `copyright`).
    pub copyright: bool,
    /// A domain name or web address occurs.
    pub domain: bool,
    /// The first letter is lower case.
    pub first_lower: bool,
    /// Hash of the lower-cased text with whitespace folded, to find repeated lines.
    pub hash: u64,
}

impl Line<'_> {
    /// Share of function words among the words.
    pub fn stop_density(&self) -> f32 {
        if self.words == 0 {
            0.0
        } else {
            precision_f32(self.stopwords) / precision_f32(self.words)
        }
    }

    /// Most words are capitalized, as in a menu entry or a headline in title case.
    pub fn title_case(&self) -> bool {
        let content = self.words.saturating_sub(self.stopwords + self.numbers);
        self.words > 0 && content > 0 && self.capitalized * 10 >= content * 8
    }
}

/// Converts a small count to `f32` (counts here stay far below 2^24).
pub fn precision_f32(n: u32) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let f = n as f32;
    f
}

/// Reusable scratch space so measuring a line allocates nothing once warmed up.
#[derive(Default)]
pub struct Scratch {
    lower: String,
}

/// Measures one raw line.
pub fn measure<'a>(raw: &'a str, scratch: &mut Scratch) -> Line<'a> {
    let trimmed = raw.trim();
    let mut line = Line {
        text: trimmed,
        ..Line::default()
    };
    if trimmed.is_empty() {
        line.blank = true;
        return line;
    }
    if let Some(rest) = strip_bullet(trimmed) {
        line.bullet = true;
        line.text = rest;
    }
    let text = line.text;
    scratch.lower.clear();
    let mut has_alnum = false;
    for c in text.chars() {
        line.chars += 1;
        has_alnum |= c.is_alphanumeric();
        if c.is_ascii() {
            scratch.lower.push(c.to_ascii_lowercase());
        } else {
            scratch.lower.extend(c.to_lowercase());
        }
    }
    if !has_alnum {
        line.separator = true;
        line.hash = hash(&scratch.lower);
        return line;
    }
    measure_case(text, &mut line);
    measure_words(&scratch.lower, &mut line);
    line.sentence_end = ends_sentence(text, line.words);
    line.sentences = count_breaks(text) + u32::from(line.sentence_end);
    line.copyright = text.contains('©') || scratch.lower.contains("copyright");
    line.domain = has_domain(&scratch.lower);
    line.first_lower = text
        .chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_lowercase);
    line.hash = hash(&scratch.lower);
    line
}

fn strip_bullet(s: &str) -> Option<&str> {
    for marker in ["* ", "• ", "- ", "– ", "· ", "◦ ", "▪ ", "> "] {
        if let Some(rest) = s.strip_prefix(marker) {
            return Some(rest.trim_start());
        }
    }
    None
}

/// Capitals and all-upper words, on the original text.
fn measure_case(text: &str, line: &mut Line<'_>) {
    let mut in_word = false;
    let (mut upper, mut lower, mut letters) = (0u32, 0u32, 0u32);
    let close = |line: &mut Line<'_>, upper: u32, lower: u32, letters: u32| {
        if letters >= 2 && lower == 0 && upper == letters {
            line.upper_words += 1;
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            if !in_word {
                in_word = true;
                (upper, lower, letters) = (0, 0, 0);
                if c.is_uppercase() {
                    line.capitalized += 1;
                }
            }
            if c.is_alphabetic() {
                letters += 1;
                if c.is_uppercase() {
                    upper += 1;
                } else if c.is_lowercase() {
                    lower += 1;
                }
            }
        } else if in_word && !matches!(c, '\'' | '’' | '-') {
            in_word = false;
            close(line, upper, lower, letters);
        }
    }
    if in_word {
        close(line, upper, lower, letters);
    }
}

/// Word counts and vocabulary, on the lower-cased text.
fn measure_words(lower: &str, line: &mut Line<'_>) {
    let bytes = lower.as_bytes();
    let mut start = None;
    let mut first = true;
    let mut iter = lower.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let alnum = c.is_alphanumeric();
        if alnum && start.is_none() {
            start = Some(i);
            if lexicon::ui_phrase_at(lower, i) {
                line.ui_phrase = true;
            }
        }
        let at_end = iter.peek().is_none();
        if let Some(s) = start {
            if !alnum || at_end {
                let end = if alnum { i + c.len_utf8() } else { i };
                let word = &lower[s..end];
                start = None;
                line.words += 1;
                if word.bytes().all(|b| b.is_ascii_digit()) {
                    line.numbers += 1;
                } else if lexicon::is_stopword(word) {
                    line.stopwords += 1;
                } else if lexicon::is_ui_word(word) {
                    line.ui_words += 1;
                } else if lexicon::is_role_word(word) {
                    line.role_word = true;
                }
                if lexicon::is_second_person(word) {
                    line.second_person += 1;
                }
                if first {
                    first = false;
                    let next = bytes.get(end).copied().unwrap_or(b' ');
                    if lexicon::is_credit_word(word)
                        && (matches!(next, b':' | b'/' | b'|') || lower[end..].starts_with(" credit"))
                    {
                        line.credit = true;
                    }
                }
            }
        }
    }
}

fn ends_sentence(text: &str, words: u32) -> bool {
    let last = text
        .chars()
        .rev()
        .find(|c| !matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '“' | '«'));
    match last {
        Some('.' | '!' | '?' | '…' | '。') => true,
        Some(':' | ';') => words >= 6,
        _ => false,
    }
}

/// Sentence breaks inside a line: `.`, `!` or `?` followed by a space and a capital letter.
fn count_breaks(text: &str) -> u32 {
    let mut n = 0;
    let mut prev2 = ' ';
    let mut prev = ' ';
    for c in text.chars() {
        if prev == ' ' && matches!(prev2, '.' | '!' | '?') && c.is_uppercase() {
            n += 1;
        }
        prev2 = prev;
        prev = c;
    }
    n
}

fn has_domain(lower: &str) -> bool {
    if lower.contains("http") || lower.contains("www.") {
        return true;
    }
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices('.') {
        if i == 0 || !bytes[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let rest = &lower[i + 1..];
        for tld in ["com", "org", "net", "co.uk", "de", "fr", "es", "io", "info", "tv"] {
            if rest.starts_with(tld)
                && rest[tld.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
            {
                return true;
            }
        }
    }
    false
}

/// FNV-1a over the lower-cased text, skipping whitespace so spacing does not matter.
fn hash(lower: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in lower.bytes() {
        if b.is_ascii_whitespace() {
            continue;
        }
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
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
        assert!(l.sentence_end);
        assert!(l.stop_density() > 0.2);
        assert!(!l.title_case());
    }

    #[test]
    fn bullets_separators_and_title_case() {
        let l = m("* World News");
        assert!(l.bullet && l.title_case());
        assert_eq!(l.text, "World News");
        assert!(m(" - ").separator);
        assert!(m("").blank);
    }

    #[test]
    fn chrome_vocabulary_and_reader_address() {
        let l = m("Sign up for our newsletter and get the best in your inbox");
        assert!(l.ui_phrase);
        assert_eq!(l.ui_words, 1);
        assert!(l.second_person >= 1);
        assert!(m("Photo: Jane Doe").credit);
        assert!(m("© 2024 Example Media").copyright);
        assert!(m("Visit example.com today").domain);
    }

    #[test]
    fn repeated_lines_hash_alike() {
        assert_eq!(m("Read  More").hash, m("read more").hash);
        assert_ne!(m("Read more").hash, m("Read less").hash);
    }
}
