//! Measuring one line: a single scan over its characters that lower-cases it, counts its
//! words, function words, capitals and sentences, looks each word up in the lexicon as it
//! ends, and hashes its normalized text; then the checks that need the whole line (chrome
//! phrases, credits, domains). The result is packed into a [`Line`].

use docnorm_toolkit::chars::{self, Class};
use docnorm_toolkit::hash::{FNV_OFFSET, fnv1a_step as fnv};

use super::{Line, flag, strip_bullet};
use crate::lexicon::{self, Kind};

/// Reusable scratch space so measuring a line allocates nothing once warmed up.
#[derive(Default)]
pub struct Scratch {
    lower: String,
    /// Where words that may open a chrome phrase start, checked once the line is read.
    phrase_starts: Vec<usize>,
    /// Where the first word ends when it may open a credit, checked likewise.
    credit_end: Option<usize>,
}

/// Measures one raw line.
pub fn measure<'a>(raw: &'a str, scratch: &mut Scratch) -> Line<'a> {
    measure_unpacked(raw, scratch).into()
}

fn measure_unpacked<'a>(raw: &'a str, scratch: &mut Scratch) -> Measured<'a> {
    let trimmed = raw.trim();
    let mut line = Measured {
        text: trimmed,
        ..Measured::default()
    };
    if trimmed.is_empty() {
        line.blank = true;
        return line;
    }
    if let Some(rest) = strip_bullet(trimmed) {
        line.bullet = true;
        line.text = rest;
    }
    scan(line.text, scratch, &mut line);
    if line.words == 0 {
        line.separator = true;
        return line;
    }
    line.sentence_end = ends_sentence(line.text, line.words);
    line.sentences += u32::from(line.sentence_end);
    if !line.credit && line.words <= 40 {
        line.credit = has_credit(&scratch.lower);
    }
    line
}

impl<'a> From<Measured<'a>> for Line<'a> {
    fn from(m: Measured<'a>) -> Self {
        let small = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
        let flags = [
            (m.bullet, flag::BULLET),
            (m.blank, flag::BLANK),
            (m.separator, flag::SEPARATOR),
            (m.sentence_end, flag::SENTENCE_END),
            (m.ui_phrase, flag::UI_PHRASE),
            (m.role_word, flag::ROLE_WORD),
            (m.credit, flag::CREDIT),
            (m.copyright, flag::COPYRIGHT),
            (m.domain, flag::DOMAIN),
            (m.first_lower, flag::FIRST_LOWER),
        ]
        .into_iter()
        .filter(|&(set, _)| set)
        .fold(0, |all, (_, bit)| all | bit);
        Self {
            text: m.text,
            hash: m.hash,
            words: m.words,
            stopwords: small(m.stopwords),
            capitalized: small(m.capitalized),
            upper_words: small(m.upper_words),
            numbers: small(m.numbers),
            chars: small(m.chars),
            sentences: small(m.sentences),
            second_person: small(m.second_person),
            ui_words: small(m.ui_words),
            flags,
        }
    }
}

/// A line's measurements while it is read, unpacked: see [`Line`] for what each means.
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)] // Independent yes/no observations, read by name.
struct Measured<'a> {
    text: &'a str,
    bullet: bool,
    blank: bool,
    separator: bool,
    words: u32,
    stopwords: u32,
    capitalized: u32,
    upper_words: u32,
    numbers: u32,
    chars: u32,
    sentence_end: bool,
    sentences: u32,
    second_person: u32,
    ui_words: u32,
    ui_phrase: bool,
    role_word: bool,
    credit: bool,
    copyright: bool,
    domain: bool,
    first_lower: bool,
    hash: u64,
}

/// The state of the word being read by [`scan`].
#[derive(Default)]
struct Word {
    upper: u32,
    lower: u32,
}

impl Word {
    /// Counts one more letter or digit of the word.
    fn add(&mut self, class: Class) {
        self.upper += u32::from(class.contains(Class::UPPER));
        self.lower += u32::from(class.contains(Class::LOWER));
    }
}

/// Reads the characters of a line: lower-cased copy, counts, capitals, sentence breaks, the
/// copyright sign, and each word's lexicon lookup as it ends.
///
/// The lower-cased copy is made first: in bulk when lower-casing keeps every character's
/// length (nearly always), so positions in the copy are positions in the line; else
/// character by character, and the scan then keeps the position in the copy (`at`) apart
/// from the position in the line (`i`).
fn scan(text: &str, scratch: &mut Scratch, line: &mut Measured<'_>) {
    let same_len = lower_into(text, &mut scratch.lower);
    scratch.phrase_starts.clear();
    scratch.credit_end = None;
    let lower = scratch.lower.as_str();
    let mut marks = Marks {
        phrase_starts: &mut scratch.phrase_starts,
        credit_end: &mut scratch.credit_end,
    };
    let mut capitalized = 0u32;
    let mut sentences = 0u32;
    let mut cjk = 0u32;
    let mut copyright = false;
    let mut first_lower: Option<bool> = None;
    let mut word_start: Option<usize> = None;
    let mut word = Word::default();
    let mut hash = FNV_OFFSET;
    let mut chars = 0u32;
    let bytes = text.as_bytes();
    let lower_bytes = lower.as_bytes();
    let (mut i, mut at) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        chars += 1;
        let (class, len, lower_len) = if b.is_ascii() {
            let class = chars::ascii(b);
            if !class.contains(Class::WHITESPACE) {
                hash = fnv(hash, lower_bytes[at]);
            }
            (class, 1, 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            if c == '\u{a9}' {
                copyright = true;
            }
            if chars::is_cjk(c) {
                cjk += 1;
            }
            let lower_len = if same_len {
                c.len_utf8()
            } else {
                c.to_lowercase().map(char::len_utf8).sum()
            };
            hash = lower_bytes[at..at + lower_len]
                .iter()
                .fold(hash, |h, &lb| fnv(h, lb));
            (chars::class(c), c.len_utf8(), lower_len)
        };
        if class.intersects(Class::ALPHANUMERIC) {
            if word_start.is_none() {
                let upper = class.contains(Class::UPPER);
                // A line opening with a digit ("16-inch …") does not open in lower case.
                first_lower.get_or_insert(class.contains(Class::LOWER));
                if upper {
                    capitalized += 1;
                    sentences += u32::from(opens_sentence(bytes, i));
                }
                word_start = Some(at);
                word = Word::default();
            }
            word.add(class);
            i += len;
            at += lower_len;
            // The rest of the word while it is ASCII, in a tighter loop.
            while let Some(&next) = bytes.get(i) {
                let class = if next.is_ascii() {
                    chars::ascii(next)
                } else {
                    Class::NONE
                };
                if !class.intersects(Class::ALPHANUMERIC) {
                    break;
                }
                word.add(class);
                hash = fnv(hash, lower_bytes[at]);
                chars += 1;
                i += 1;
                at += 1;
            }
            continue;
        } else if let Some(start) = word_start.take() {
            end_word(lower, start, at, &word, line, &mut marks);
            // Every `.` after an ASCII letter or digit ends a word, so domains are found here
            // rather than in another pass.
            if b == b'.' && !line.domain {
                line.domain = domain_dot(lower_bytes, at);
            }
        }
        i += len;
        at += lower_len;
    }
    if let Some(start) = word_start.take() {
        end_word(lower, start, lower.len(), &word, line, &mut marks);
    }
    line.chars += chars;
    line.sentences += sentences;
    line.capitalized += capitalized;
    line.copyright |= copyright;
    line.first_lower = first_lower.unwrap_or(false);
    line.hash = hash;
    // Chinese and Japanese run words together; count about two characters a word.
    line.words += cjk / 2;
    finish_marks(lower, line, &marks);
}

/// Writes the lower-cased `text` into `lower`; true when every character kept its length.
#[inline]
fn lower_into(text: &str, lower: &mut String) -> bool {
    let same_len = lower_same_len(text, lower);
    if !same_len {
        lower_each(text, lower);
    }
    same_len
}

/// Whether the capital at `i` opens a sentence: it follows ". ", "! " or "? ".
#[inline]
fn opens_sentence(bytes: &[u8], i: usize) -> bool {
    i >= 2 && bytes[i - 1] == b' ' && matches!(bytes[i - 2], b'.' | b'!' | b'?')
}

/// Writes the lower-cased `text` into `lower` character by character, for a line where some
/// character changes length in lower case.
fn lower_each(text: &str, lower: &mut String) {
    lower.clear();
    lower.reserve(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            lower.push(c.to_ascii_lowercase());
        } else {
            lower.extend(c.to_lowercase());
        }
    }
}

/// Writes the lower-cased `text` into `lower`; false when some character changes length
/// in lower case, which leaves `lower` unusable.
fn lower_same_len(text: &str, lower: &mut String) -> bool {
    lower.clear();
    lower.push_str(text);
    lower.make_ascii_lowercase();
    if text.is_ascii() {
        return true;
    }
    // Only the non-ASCII characters are decoded.
    let non_ascii = text
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b >= 0xC0)
        .map(|(i, _)| (i, text[i..].chars().next().unwrap_or(' ')));
    for (i, c) in non_ascii.filter(|&(_, c)| !is_general_punctuation(c)) {
        let mut lc = c.to_lowercase();
        let (Some(l), None) = (lc.next(), lc.next()) else {
            return false;
        };
        if l == c {
            continue;
        }
        if l.len_utf8() != c.len_utf8() {
            return false;
        }
        let mut buf = [0u8; 4];
        lower.replace_range(i..i + c.len_utf8(), l.encode_utf8(&mut buf));
    }
    true
}

/// Chrome phrases and credits look past a word's end, so they are checked on the whole line.
fn finish_marks(lower: &str, line: &mut Measured<'_>, marks: &Marks<'_>) {
    line.ui_phrase = marks
        .phrase_starts
        .iter()
        .any(|&at| lexicon::ui_phrase_at(lower, at));
    if let Some(end) = *marks.credit_end {
        let next = lower.as_bytes().get(end).copied().unwrap_or(b' ');
        line.credit = matches!(next, b':' | b'/' | b'|') || lower[end..].starts_with(" credit");
    }
}

/// Quotes, dashes, bullets and spaces of the General Punctuation block (`’`, `“`, `—`, `…`):
/// frequent in page text, and neither letters, digits nor cased, so their Unicode tables
/// need not be read (a test checks the whole block).
fn is_general_punctuation(c: char) -> bool {
    ('\u{2000}'..='\u{206f}').contains(&c)
}

/// Positions [`scan`] notes for checks that need the whole line.
struct Marks<'s> {
    phrase_starts: &'s mut Vec<usize>,
    credit_end: &'s mut Option<usize>,
}

/// Counts a finished word and looks it up in the lexicon. Inlined into the scan loops, as it
/// runs once per word.
#[inline]
fn end_word(
    lower: &str,
    start: usize,
    end: usize,
    word: &Word,
    line: &mut Measured<'_>,
    marks: &mut Marks<'_>,
) {
    // Bytes, not `str`: slicing a `str` checks character boundaries, for every word.
    let text = &lower.as_bytes()[start..end];
    line.words += 1;
    if word.upper >= 2 && word.lower == 0 {
        line.upper_words += 1;
    }
    // A word with a cased letter is no number; only the others need their bytes read.
    let kind = if word.upper + word.lower == 0 && text.iter().all(u8::is_ascii_digit) {
        line.numbers += 1;
        Kind::NONE
    } else {
        lexicon::kind_at(lower.as_bytes(), start, end)
    };
    if kind.is_empty() {
        if text == b"copyright" {
            line.copyright = true;
        }
        return;
    }
    if kind.contains(Kind::STOP) {
        line.stopwords += 1;
    } else if kind.contains(Kind::UI) {
        line.ui_words += 1;
    } else if kind.contains(Kind::ROLE) {
        line.role_word = true;
    }
    if kind.contains(Kind::SECOND_PERSON) {
        line.second_person += 1;
    }
    if kind.contains(Kind::PHRASE_START) {
        marks.phrase_starts.push(start);
    }
    if line.words == 1 && kind.contains(Kind::CREDIT) {
        *marks.credit_end = Some(end);
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

/// A photo credit inside the line ("… in New York. Photograph by Jane Doe").
fn has_credit(lower: &str) -> bool {
    const SIDES: [&[u8]; 4] = [b"(left)", b"(right)", b"(center)", b"(l-r)"];
    const CREDITS: [&[u8]; 6] = [
        b"photo by",
        b"photos by",
        b"photograph by",
        b"photo:",
        b"photograph:",
        b"photo credit",
    ];
    let bytes = lower.as_bytes();
    // "Jane Doe (left) and John Roe": a photo caption names who stands where.
    if bytes.contains(&b'(')
        && SIDES
            .iter()
            .any(|s| bytes.windows(s.len()).any(|w| w == *s))
    {
        return true;
    }
    (0..bytes.len()).any(|at| {
        bytes[at] == b'p' && {
            let rest = &bytes[at..];
            rest.starts_with(b"photo") && CREDITS.iter().any(|p| rest.starts_with(p))
        }
    })
}

/// Whether the `.` at `dot` joins a name to a known top-level domain (`example.com`).
fn domain_dot(bytes: &[u8], dot: usize) -> bool {
    if dot == 0 || !bytes[dot - 1].is_ascii_alphanumeric() {
        return false;
    }
    let rest = &bytes[dot + 1..];
    [
        &b"com"[..],
        b"org",
        b"net",
        b"co.uk",
        b"de",
        b"fr",
        b"es",
        b"io",
        b"info",
        b"tv",
    ]
    .iter()
    .any(|tld| {
        rest.starts_with(tld)
            && rest
                .get(tld.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_punctuation_is_no_letter_digit_or_case() {
        for c in ('\u{2000}'..='\u{206f}').filter(|&c| is_general_punctuation(c)) {
            assert!(
                !c.is_alphanumeric() && !c.is_uppercase() && !c.is_lowercase(),
                "{c:?}"
            );
            assert!(c.to_lowercase().eq([c]), "{c:?}");
        }
    }
}
