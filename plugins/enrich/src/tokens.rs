//! The tokenizer of entity finding: a line cut into words, without surrounding punctuation
//! or possessive `’s`, each marked where a phrase must close (punctuation, a dash, the line's
//! end) and, when word lists are given, with what they say of the word, looked up once.

use docnorm_toolkit::chars::{self, Class};
use docnorm_toolkit::words::WordKey;

use crate::words::{WORDS, WordInfo};

/// What the word lists say of a token, as the tokenizer asks it: implemented by the
/// gazetteer's `Lists`, which depend on the tokenizer to read their aliases.
pub(crate) trait Lookup {
    /// What the lists say of `token` as written.
    fn word_info(&self, token: &str) -> WordInfo;
    /// The same for a short ASCII token already packed into `key` (no inner capital).
    fn word_info_by_key(&self, key: WordKey) -> WordInfo;
}

/// No word lists: tokens carry no word information (the gazetteer's own aliases).
struct NoLookup;

impl Lookup for NoLookup {
    fn word_info(&self, _: &str) -> WordInfo {
        WordInfo::default()
    }

    fn word_info_by_key(&self, _: WordKey) -> WordInfo {
        WordInfo::default()
    }
}

/// One word of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The word without surrounding punctuation or possessive `’s`.
    pub text: &'a str,
    /// Punctuation or a line end follows: no phrase continues past this token.
    pub closes: bool,
    /// Whether the word starts with a capital letter.
    pub capitalized: bool,
    /// What the word lists say of the word, looked up once since the scanner asks often.
    pub kind: WordInfo,
}

impl<'a> Token<'a> {
    /// A token of `text`, closing a phrase if `closes`, with no word information yet.
    fn new(text: &'a str, closes: bool) -> Self {
        Self {
            capitalized: text.chars().next().is_some_and(char::is_uppercase),
            text,
            closes,
            kind: WordInfo::default(),
        }
    }

    /// Whether the word starts with a capital letter.
    pub fn is_capitalized(&self) -> bool {
        self.capitalized
    }

    /// Whether the token continues a capitalized phrase.
    pub fn joins(&self) -> bool {
        self.capitalized && !self.kind.common && !self.kind.role
    }
}

/// The tokens of a gazetteer alias, as the tokenizer would read them in text.
pub(crate) fn tokenize_phrase(phrase: &str) -> Vec<String> {
    tokenize(phrase)
        .into_iter()
        .map(|t| t.text.to_owned())
        .collect()
}

/// Cuts one line into tokens.
pub(crate) fn tokenize(line: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    tokenize_into::<NoLookup>(line, &mut tokens, None);
    tokens
}

/// Cuts one line into tokens, appended to `tokens`.
pub(crate) fn tokenize_into<'t, L: Lookup>(
    line: &'t str,
    tokens: &mut Vec<Token<'t>>,
    lists: Option<&L>,
) {
    // The whitespace-separated pieces of the line, as `split_whitespace` cuts them. Most are
    // plain words of ASCII letters and digits, which need no trimming.
    let bytes = line.as_bytes();
    let mut start = None;
    let mut plain = true;
    let mut at = 0;
    while at < bytes.len() {
        let (class, len) = chars::class_at(line, at);
        if class.contains(Class::WHITESPACE) {
            if let Some(start) = start.take() {
                push_piece_of(tokens, line, start, at, plain, lists);
            }
        } else {
            if start.is_none() {
                start = Some(at);
                plain = true;
            }
            plain &= len == 1 && class.intersects(Class::ALPHANUMERIC);
            // The rest of a run of ASCII letters and digits (most of a piece) changes none of
            // this: skipped in a loop of its own.
            at += len;
            while at < bytes.len() && chars::FOLD[usize::from(bytes[at])] != 0 {
                at += 1;
            }
            continue;
        }
        at += len;
    }
    if let Some(start) = start {
        push_piece_of(tokens, line, start, line.len(), plain, lists);
    }
    if let Some(last) = tokens.last_mut() {
        last.closes = true;
    }
}

/// Adds the tokens of the piece `line[start..end]`, looked up in `lists` if given; `plain`
/// when it holds only ASCII letters and digits.
fn push_piece_of<'t, L: Lookup>(
    tokens: &mut Vec<Token<'t>>,
    line: &'t str,
    start: usize,
    end: usize,
    plain: bool,
    lists: Option<&L>,
) {
    let piece = &line[start..end];
    if !plain {
        // Both dashes start with 0xE2 in UTF-8: a piece without it or `/` has none.
        let dashed = piece.bytes().any(|b| b == b'/' || b == 0xE2);
        push_pieces(tokens, piece, dashed, lists);
        return;
    }
    let mut token = Token::new(piece, false);
    if let Some(lists) = lists {
        let bytes = line.as_bytes();
        token.kind = match WordKey::at(bytes, start, end, 0) {
            Some(key) if !key.has_inner_capital() => lists.word_info_by_key(key),
            _ => lists.word_info(piece),
        };
    }
    tokens.push(token);
}

/// Dashes and slashes separate words and close phrases, like punctuation.
fn push_pieces<'t, L: Lookup>(
    tokens: &mut Vec<Token<'t>>,
    piece: &'t str,
    dashed: bool,
    lists: Option<&L>,
) {
    if dashed {
        for (n, part) in piece.split(['—', '–', '/']).enumerate() {
            push_piece(tokens, n > 0, part, lists);
        }
    } else {
        push_piece(tokens, false, piece, lists);
    }
}

/// Adds the token of one piece of a line, if it holds one, and marks where phrases close.
fn push_piece<'t, L: Lookup>(
    tokens: &mut Vec<Token<'t>>,
    after_dash: bool,
    piece: &'t str,
    lists: Option<&L>,
) {
    if let Some(last) = tokens.last_mut().filter(|_| after_dash) {
        last.closes = true;
    }
    let (lead, word, closes) = strip(piece);
    if let Some(last) = tokens.last_mut().filter(|_| lead) {
        last.closes = true;
    }
    let has_alphanumeric = word
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphanumeric)
        || word
            .chars()
            .any(|ch| chars::class(ch).intersects(Class::ALPHANUMERIC));
    if !has_alphanumeric {
        if let Some(last) = tokens.last_mut() {
            last.closes = true;
        }
        return;
    }
    let mut token = Token::new(word, closes);
    if let Some(lists) = lists {
        token.kind = lists.word_info(word);
    }
    tokens.push(token);
}

/// Splits a whitespace-separated piece into (opened by punctuation, word, closed by
/// punctuation).
fn strip(piece: &str) -> (bool, &str, bool) {
    let bytes = piece.as_bytes();
    if let (Some(first), Some(last)) = (bytes.first(), bytes.last())
        && first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && !(*last == b's' && (piece.ends_with("'s") || piece.ends_with("’s")))
    {
        // Most words: nothing to trim at either end.
        return split_suffix(false, piece, false);
    }
    let word = trim_start(piece, is_opening);
    let lead = word.len() != piece.len();
    let mut word = word;
    let mut closes = false;
    loop {
        let before = word.len();
        word = trim_end(word, is_closing);
        if let Some(stem) = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("’s"))
            .filter(|s| !s.is_empty())
        {
            word = stem;
        }
        word = trim_end(word, |ch| matches!(ch, '\'' | '’'));
        if let Some(stem) = word.strip_suffix('.') {
            if keeps_period(stem) {
                if !WORDS.name_abbreviations.contains(&stem) && !is_initial(stem) {
                    closes = true;
                }
                break;
            }
            word = stem;
        }
        if word.len() == before {
            break;
        }
        closes = true;
    }
    split_suffix(lead, word, closes)
}

/// Punctuation that opens a word: a quote, a bracket, emphasis.
fn is_opening(ch: char) -> bool {
    matches!(
        ch,
        '"' | '“' | '‘' | '\'' | '(' | '[' | '{' | '«' | '¿' | '¡' | '*' | '_' | '„'
    )
}

/// Punctuation that closes a word.
fn is_closing(ch: char) -> bool {
    matches!(
        ch,
        ',' | ';' | ':' | '!' | '?' | '…' | ')' | ']' | '}' | '"' | '”' | '»' | '*' | '_' | '“'
    )
}

/// `text` without the characters matching `trim` at its start (`trim_start_matches`, by a
/// `match` instead of a scan of a list per character).
fn trim_start(text: &str, trim: impl Fn(char) -> bool) -> &str {
    let mut rest = text;
    while let Some(ch) = rest.chars().next().filter(|ch| trim(*ch)) {
        rest = &rest[ch.len_utf8()..];
    }
    rest
}

/// `text` without the characters matching `trim` at its end.
fn trim_end(text: &str, trim: impl Fn(char) -> bool) -> &str {
    let mut rest = text;
    while let Some(ch) = rest.chars().next_back().filter(|ch| trim(*ch)) {
        rest = &rest[..rest.len() - ch.len_utf8()];
    }
    rest
}

/// `Kremlin-led`, `Russia-backed`: the name is the part before a lower-case suffix.
fn split_suffix(lead: bool, word: &str, closes: bool) -> (bool, &str, bool) {
    // `-` is ASCII, so its byte position is a character boundary.
    if let Some(hyphen) = word.bytes().position(|b| b == b'-')
        && hyphen > 0
        && word[hyphen + 1..]
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    {
        return (lead, &word[..hyphen], true);
    }
    (lead, word, closes)
}

/// Whether the period after `stem` belongs to it: an abbreviation or an initial.
fn keeps_period(stem: &str) -> bool {
    WORDS.name_abbreviations.contains(&stem)
        || WORDS.closing_abbreviations.contains(&stem)
        || is_initial(stem)
        || (stem.contains('.') && stem.len() <= 6 && !stem.ends_with('.'))
}

/// A single capital letter (`F` in `John F. Kennedy`).
fn is_initial(stem: &str) -> bool {
    let mut chars = stem.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(tokens: &[Token<'a>]) -> Vec<&'a str> {
        tokens.iter().map(|t| t.text).collect()
    }

    #[test]
    fn tokens_shed_punctuation_and_possessives() {
        let tokens = tokenize("Biden’s call, per “The Times.” U.S. troops Kremlin-led Mr. Putin");
        assert_eq!(
            texts(&tokens),
            [
                "Biden", "call", "per", "The", "Times", "U.S.", "troops", "Kremlin", "Mr.", "Putin"
            ]
        );
        let closes: Vec<bool> = tokens.iter().map(|t| t.closes).collect();
        assert_eq!(
            closes,
            [
                true, true, true, false, true, true, false, true, false, true
            ]
        );
    }
}
