//! The article's vocabulary, for telling its headline from other short lines: the content
//! words of its first paragraphs, each keyed by a hash of its first five lower-case letters.

use docnorm_toolkit::hash::{FNV_OFFSET, fnv1a_step};

use crate::lexicon;
use crate::lines::precision_f32;
use crate::page::{Class, Page};

/// The content words of the article's first paragraphs, by their first five letters.
pub(crate) struct BodyWords {
    keys: Vec<u64>,
}

impl BodyWords {
    /// The vocabulary of the article running from line `start` to line `end`.
    pub fn new(page: &Page<'_>, start: usize, end: usize) -> Self {
        let mut keys = Vec::with_capacity(256);
        // The first paragraphs are enough: a headline's words turn up early.
        for i in (start..=end)
            .filter(|&i| page.classes[i] == Class::Prose)
            .take(4)
        {
            content_keys(page.lines[i].text, |k| keys.push(k));
        }
        keys.sort_unstable();
        keys.dedup();
        Self { keys }
    }

    /// Share of the content words of `text` that the article uses, trusted less for lines of
    /// fewer than four content words (a section label shares a word or two by chance).
    pub fn overlap(&self, text: &str) -> f32 {
        let (mut n, mut hit) = (0u32, 0u32);
        content_keys(text, |k| {
            n += 1;
            hit += u32::from(self.keys.binary_search(&k).is_ok());
        });
        if n == 0 {
            0.0
        } else {
            let evidence = (precision_f32(n) / 4.0).min(1.0);
            evidence * precision_f32(hit) / precision_f32(n)
        }
    }
}

/// Calls `f` with a key for each word of three letters or more that is not a function word:
/// a hash of its first five lower-case characters.
fn content_keys(text: &str, mut f: impl FnMut(u64)) {
    let mut visit = |word: &str| {
        if word.len() >= 3 && !lexicon::is_stopword_any_case(word) {
            f(content_key(word));
        }
    };
    // `text.split(|c: char| !c.is_alphanumeric())`, decoding only the non-ASCII characters
    // (curly quotes and dashes are common even in English text).
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let (alnum, len) = if bytes[i].is_ascii() {
            (bytes[i].is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        };
        if !alnum {
            visit(&text[start..i]);
            start = i + len;
        }
        i += len;
    }
    visit(&text[start..]);
}

/// A hash of the first five lower-case characters of `word`.
fn content_key(word: &str) -> u64 {
    if word.is_ascii() {
        return word
            .bytes()
            .take(5)
            .fold(FNV_OFFSET, |key, b| fnv1a_step(key, b.to_ascii_lowercase()));
    }
    let mut key = FNV_OFFSET;
    for c in word.chars().take(5) {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let mut utf8 = [0u8; 4];
        for &b in lower.encode_utf8(&mut utf8).as_bytes() {
            key = fnv1a_step(key, b);
        }
    }
    key
}
