//! Body fingerprints: SHA-256 for exact copies and a 64-bit `SimHash` for near-duplicates.
//!
//! The `SimHash` is implemented here, over fixed, published hash functions (FNV-1a 64 followed
//! by the `MurmurHash3` `fmix64` finalizer), so a fingerprint written today compares with one
//! written by any later version: no crate upgrade or Rust release can change it. It is
//! computed over shingles of [`SHINGLE_WORDS`] consecutive word tokens, where a token is a run
//! of letters and digits, lower-cased, with apostrophes dropped (`Biden’s` → `bidens`), so
//! punctuation, typography and line breaks do not move it.

use sha2::{Digest, Sha256};

use crate::stats::Counter;
use docnorm_toolkit::chars::{self, Class};
use docnorm_toolkit::hash::{FNV_OFFSET, fmix64, fnv1a_step};

/// Words per shingle. Three keeps word order (two articles sharing vocabulary still differ)
/// while one edited word disturbs only three shingles.
pub const SHINGLE_WORDS: usize = 3;

/// The 64-bit `SimHash` of `text`'s word shingles; `0` when the text has no words.
///
/// ```
/// use docnorm_enrich::{hamming, simhash};
/// let a = simhash("The quick brown fox jumps over the lazy dog near the river bank today");
/// let b = simhash("The quick brown fox jumps over the lazy dog near the river bank, today!");
/// assert_eq!(hamming(a, b), 0);
/// ```
pub fn simhash(text: &str) -> u64 {
    simhash_of_words(text).unwrap_or(0)
}

/// The `SimHash` of `text`, or `None` when it has no words (no letter or digit).
///
/// One pass over the text: each lower-cased byte of a word goes straight into the hashes of
/// the [`SHINGLE_WORDS`] shingles it belongs to, so no word is stored or hashed twice.
pub(crate) fn simhash_of_words(text: &str) -> Option<u64> {
    simhash_and_stats(text, &mut Counter::default())
}

/// [`simhash_of_words`], counting the text's [`crate::stats`] in `counter` on the way (one
/// pass over the body for both).
pub(crate) fn simhash_and_stats(text: &str, counter: &mut Counter) -> Option<u64> {
    let mut shingles = Shingles::default();
    let bytes = text.as_bytes();
    let mut in_word = false;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let apostrophe = if byte < 0x80 {
            at += 1;
            counter.push(chars::class(char::from(byte)), byte == b'\n');
            let folded = chars::FOLD[usize::from(byte)];
            if folded != 0 {
                shingles.byte(folded);
                // The rest of a run of ASCII letters and digits (most of a text), in a loop of
                // its own: after the first, each only adds to the count of characters.
                let run = at;
                while let Some(&byte) = bytes.get(at) {
                    let folded = chars::FOLD[usize::from(byte)];
                    if folded == 0 {
                        break;
                    }
                    shingles.byte(folded);
                    at += 1;
                }
                counter.push_more_alphanumeric(at - run);
                in_word = true;
                continue;
            }
            byte == b'\''
        } else {
            let ch = chars::char_at(text, at);
            at += ch.len_utf8();
            let class = chars::class(ch);
            counter.push(class, false);
            if class.intersects(Class::ALPHANUMERIC) {
                if let Some([first, second]) = chars::lower_two_byte(ch) {
                    shingles.byte(first);
                    shingles.byte(second);
                } else {
                    let mut buffer = [0u8; 4];
                    for lower in ch.to_lowercase() {
                        for &byte in lower.encode_utf8(&mut buffer).as_bytes() {
                            shingles.byte(byte);
                        }
                    }
                }
                in_word = true;
                continue;
            }
            is_apostrophe(ch)
        };
        if apostrophe && in_word {
            // Inside a word: `don't` and `don’t` both become `dont`.
        } else if in_word {
            shingles.end_word();
            in_word = false;
        }
    }
    if in_word {
        shingles.end_word();
    }
    shingles.finish()
}

/// The shingle hashes of a text fed word by word, byte by byte, into the majority vote.
///
/// A shingle's hash is FNV-1a 64 over its words, each followed by a 0xFF byte (never part of
/// UTF-8, so `ab c` and `a bc` differ), then `fmix64` to spread FNV's weak high bits. Every
/// byte belongs to up to [`SHINGLE_WORDS`] = 3 shingles: the one starting at its word and
/// those starting at the two words before, whose hashes are kept side by side and advanced
/// together.
struct Shingles {
    /// The hashes of the shingles that started at the current word, the word before and the
    /// one before that. Every byte advances all three, without asking how many words came
    /// before: while the first two words are read, `previous` and `oldest` hash bytes of no
    /// shingle, but [`Shingles::end_word`] overwrites each (with `current`, then `previous`)
    /// before anything reads it.
    current: u64,
    previous: u64,
    oldest: u64,
    /// Words completed so far.
    words: usize,
    votes: BitVotes,
}

const _: () = assert!(SHINGLE_WORDS == 3, "Shingles keeps three hashes");

impl Default for Shingles {
    fn default() -> Self {
        Self {
            current: FNV_OFFSET,
            previous: FNV_OFFSET,
            oldest: FNV_OFFSET,
            words: 0,
            votes: BitVotes::default(),
        }
    }
}

impl Shingles {
    /// A byte of the current word (or its 0xFF end).
    #[inline]
    fn byte(&mut self, byte: u8) {
        self.current = fnv1a_step(self.current, byte);
        self.previous = fnv1a_step(self.previous, byte);
        self.oldest = fnv1a_step(self.oldest, byte);
    }

    fn end_word(&mut self) {
        self.byte(0xFF);
        self.words += 1;
        if self.words >= SHINGLE_WORDS {
            // The oldest shingle is complete; the others move up and one starts at the next
            // word.
            self.votes.add(fmix64(self.oldest));
        }
        self.oldest = self.previous;
        self.previous = self.current;
        self.current = FNV_OFFSET;
    }

    /// The vote; a text of fewer words than a shingle is one shingle of all its words.
    fn finish(mut self) -> Option<u64> {
        let first = match self.words {
            0 => return None,
            1 => self.previous,
            2 => self.oldest,
            _ => return Some(self.votes.majority()),
        };
        self.votes.add(fmix64(first));
        Some(self.votes.majority())
    }
}

/// Per-bit counts of set bits over many 64-bit hashes, for the `SimHash` majority vote.
///
/// Counting bit by bit costs 64 steps per hash; here each byte of a hash is spread into eight
/// one-byte lanes of a `u64` by a table and added in one step, eight additions per hash,
/// and the lanes are emptied into the real counts before any can overflow.
struct BitVotes {
    /// Per bit, how many hashes had it set (flushed lanes).
    ones: [u32; 64],
    /// Lane `8 * k + j`: byte `j` of `lanes[k]` counts bit `j` of byte `k` of each hash.
    lanes: [u64; 8],
    /// Hashes added to `lanes` since the last flush (at most 255, a lane's capacity).
    pending: u32,
    /// Hashes added in all.
    total: u32,
}

/// Byte `j` of `SPREAD[b]` is bit `j` of `b`.
static SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            table[b] |= ((b as u64 >> j) & 1) << (8 * j);
            j += 1;
        }
        b += 1;
    }
    table
};

impl Default for BitVotes {
    fn default() -> Self {
        Self {
            ones: [0; 64],
            lanes: [0; 8],
            pending: 0,
            total: 0,
        }
    }
}

impl BitVotes {
    fn add(&mut self, hash: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[usize::from(hash.to_le_bytes()[k])];
        }
        self.pending += 1;
        self.total += 1;
        if self.pending == 255 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for (j, count) in lane.to_le_bytes().into_iter().enumerate() {
                self.ones[8 * k + j] += u32::from(count);
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// Each bit set when more hashes had it set than clear.
    fn majority(mut self) -> u64 {
        self.flush();
        let total = u64::from(self.total);
        self.ones
            .iter()
            .enumerate()
            .filter(|(_, ones)| u64::from(**ones) * 2 > total)
            .fold(0u64, |hash, (bit, _)| hash | 1 << bit)
    }
}

/// How many of the 64 bits differ between two `SimHash` values.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// A `SimHash` as the record stores it: 16 lower-case hex digits.
pub fn simhash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// SHA-256 of `body`, lower-case hex.
pub fn body_sha256(body: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(body.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xF)]));
    }
    hex
}

fn is_apostrophe(ch: char) -> bool {
    matches!(ch, '\'' | '’' | 'ʼ')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `SimHash` as first written: the words lower-cased into a buffer, then each
    /// shingle hashed from it. The one-pass version must give the same values.
    fn simhash_by_words(text: &str) -> u64 {
        let words = Words::new(text);
        let count = words.ends.len();
        if count == 0 {
            return 0;
        }
        let mut votes = BitVotes::default();
        if count < SHINGLE_WORDS {
            votes.add(words.shingle_hash(0, count));
        } else {
            for first in 0..=count - SHINGLE_WORDS {
                votes.add(words.shingle_hash(first, SHINGLE_WORDS));
            }
        }
        votes.majority()
    }

    /// The lower-case word tokens `SimHash` shingles (letters and digits, apostrophes dropped),
    /// kept in one buffer so hashing a document allocates twice, not once per word.
    struct Words {
        /// The words' bytes (UTF-8), one after the other.
        text: Vec<u8>,
        /// Where each word ends in `text`; it starts where the previous one ends.
        ends: Vec<usize>,
    }

    impl Words {
        fn new(source: &str) -> Self {
            let mut words = Self {
                text: Vec::with_capacity(source.len()),
                ends: Vec::with_capacity(source.len() / 4),
            };
            let bytes = source.as_bytes();
            let mut in_word = false;
            let mut at = 0;
            while at < bytes.len() {
                let byte = bytes[at];
                let apostrophe = if byte.is_ascii() {
                    at += 1;
                    if byte.is_ascii_alphanumeric() {
                        words.text.push(byte.to_ascii_lowercase());
                        in_word = true;
                        continue;
                    }
                    byte == b'\''
                } else {
                    let ch = chars::char_at(source, at);
                    at += ch.len_utf8();
                    if ch.is_alphanumeric() {
                        let mut buffer = [0u8; 4];
                        for lower in ch.to_lowercase() {
                            let lower = lower.encode_utf8(&mut buffer);
                            words.text.extend_from_slice(lower.as_bytes());
                        }
                        in_word = true;
                        continue;
                    }
                    is_apostrophe(ch)
                };
                if apostrophe && in_word {
                    // Inside a word: `don't` and `don’t` both become `dont`.
                } else if in_word {
                    words.ends.push(words.text.len());
                    in_word = false;
                }
            }
            if in_word {
                words.ends.push(words.text.len());
            }
            words
        }

        fn word(&self, index: usize) -> &[u8] {
            let start = if index == 0 { 0 } else { self.ends[index - 1] };
            &self.text[start..self.ends[index]]
        }

        /// Hash of the shingle of `len` words from `first`: FNV-1a 64 over the words, each
        /// followed by a 0xFF byte (never part of UTF-8, so `ab c` and `a bc` differ), then
        /// `fmix64` to spread FNV's weak high bits.
        fn shingle_hash(&self, first: usize, len: usize) -> u64 {
            let mut hash = FNV_OFFSET;
            for index in first..first + len {
                for &byte in self.word(index) {
                    hash = fnv1a_step(hash, byte);
                }
                hash = fnv1a_step(hash, 0xFF);
            }
            fmix64(hash)
        }
    }

    #[test]
    fn the_shared_pass_counts_the_stats_of_the_text() {
        for text in [
            "",
            "a\r\nb\n \t\r\nc\n\n\nd\u{2003}e\u{2003}\n\u{2003}\nf – g",
            "Biden’s call — “a high-stakes effort”\n\nÜBER 42",
            include_str!("../tests/fixtures/004_body.txt"),
        ] {
            let mut counter = Counter::default();
            simhash_and_stats(text, &mut counter);
            assert_eq!(
                counter.finish(230),
                crate::stats::stats(text, 230),
                "{text}"
            );
        }
    }

    #[test]
    fn the_one_pass_simhash_equals_the_shingle_by_shingle_one() {
        let texts = [
            "",
            "one",
            "one two",
            "one two three",
            "one two three four",
            "Biden’s call with Putin, on Tuesday:\n\n“a high-stakes effort” don't DON’T",
            "Die Bundesregierung hat am Dienstag ein neues Gesetz zur Förderung beschlossen. ÜBER",
            "İstanbul ǅemal ΣΊΣΥΦΟΣ 42 3.14 ' 'quoted' x’",
            include_str!("../tests/fixtures/000_body.txt"),
            include_str!("../tests/fixtures/004_body.txt"),
        ];
        for text in texts {
            assert_eq!(simhash(text), simhash_by_words(text), "{text}");
        }
        let long = include_str!("../tests/fixtures/002_body.txt").repeat(3);
        assert_eq!(simhash(&long), simhash_by_words(&long));
    }

    #[test]
    fn simhash_values_are_pinned() {
        // These values are stored in records; a change here breaks near-duplicate detection
        // against every record written before. Never update them without a schema change.
        assert_eq!(simhash(""), 0);
        assert_eq!(simhash_hex(simhash("Hello")), "219a539d3500ba1d");
        assert_eq!(
            simhash_hex(simhash("The quick brown fox jumps over the lazy dog.")),
            "25bdc728b7482d5f"
        );
    }

    #[test]
    fn bit_votes_agree_with_counting_bit_by_bit() {
        let hashes: Vec<u64> = (1..=1000u64).map(fmix64).collect();
        for n in [1, 2, 3, 254, 255, 256, 510, 511, 1000] {
            let mut votes = BitVotes::default();
            let mut ones = [0usize; 64];
            for hash in &hashes[..n] {
                votes.add(*hash);
                for (bit, ones) in ones.iter_mut().enumerate() {
                    *ones += usize::from(hash >> bit & 1 == 1);
                }
            }
            let expected = (0..64)
                .filter(|bit| ones[*bit] * 2 > n)
                .fold(0u64, |hash, bit| hash | 1 << bit);
            assert_eq!(votes.majority(), expected, "{n} hashes");
        }
    }

    #[test]
    fn punctuation_case_and_apostrophes_do_not_change_the_hash() {
        let a = simhash("Biden’s call with Putin, on Tuesday:\n\n“a high-stakes effort”");
        let b = simhash("bidens CALL with putin on tuesday a high stakes effort");
        assert_eq!(a, b);
    }

    #[test]
    fn a_small_edit_moves_few_bits_and_a_different_text_many() {
        let base = "White House officials confirmed Friday that there are currently no plans \
            for the president to talk with his counterpart regarding an end to the war, \
            according to several people familiar with the matter who spoke on background.";
        let edited = base.replace("Friday", "Saturday");
        let other = "The central bank raised interest rates by a quarter point on Wednesday, \
            citing persistent inflation in housing and services, and signalled more to come.";
        assert!(hamming(simhash(base), simhash(&edited)) < 16);
        assert!(hamming(simhash(base), simhash(other)) > 16);
    }

    #[test]
    fn hex_is_sixteen_digits() {
        let hash = simhash("some words to hash");
        assert_eq!(u64::from_str_radix(&simhash_hex(hash), 16), Ok(hash));
        assert_eq!(simhash_hex(1), "0000000000000001");
    }

    #[test]
    fn body_sha256_is_the_hex_digest() {
        assert_eq!(
            body_sha256(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
