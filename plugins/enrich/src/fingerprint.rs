//! Body fingerprints: SHA-256 for exact copies and a 64-bit `SimHash` for near-duplicates.
//!
//! The `SimHash` is implemented here, over fixed, published hash functions (FNV-1a 64 followed
//! by the `MurmurHash3` `fmix64` finalizer), so a fingerprint written today compares with one
//! written by any later version: no crate upgrade or Rust release can change it. It is
//! computed over shingles of [`SHINGLE_WORDS`] consecutive word tokens, where a token is a run
//! of letters and digits, lower-cased, with apostrophes dropped (`Biden’s` → `bidens`), so
//! punctuation, typography and line breaks do not move it.

use sha2::{Digest, Sha256};

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
    let words = Words::new(text);
    if words.ends.is_empty() {
        return 0;
    }
    let count = words.ends.len();
    let hashes: Vec<u64> = if count < SHINGLE_WORDS {
        vec![words.shingle_hash(0, count)]
    } else {
        (0..=count - SHINGLE_WORDS)
            .map(|first| words.shingle_hash(first, SHINGLE_WORDS))
            .collect()
    };
    // Each bit of the result is set when more shingle hashes have it set than clear.
    let mut ones = [0u32; 64];
    for hash in &hashes {
        for (bit, ones) in ones.iter_mut().enumerate() {
            *ones += u32::from(hash >> bit & 1 == 1);
        }
    }
    let total = hashes.len();
    ones.iter()
        .enumerate()
        .filter(|(_, ones)| **ones as usize * 2 > total)
        .fold(0u64, |hash, (bit, _)| hash | 1 << bit)
}

/// How many of the 64 bits differ between two `SimHash` values.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// A `SimHash` as the record stores it: 16 lower-case hex digits.
pub fn simhash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// Reads a `SimHash` back from its record form; `None` unless it is 16 hex digits.
pub fn parse_simhash(hex: &str) -> Option<u64> {
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// SHA-256 of `body`, lower-case hex.
pub fn body_sha256(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    digest
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            use std::fmt::Write;
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The lower-case word tokens `SimHash` shingles (letters and digits, apostrophes dropped),
/// kept in one buffer so hashing a document allocates twice, not once per word.
struct Words {
    text: String,
    /// Where each word ends in `text`; it starts where the previous one ends.
    ends: Vec<usize>,
}

impl Words {
    fn new(source: &str) -> Self {
        let mut words = Self {
            text: String::with_capacity(source.len()),
            ends: Vec::new(),
        };
        let mut in_word = false;
        for ch in source.chars() {
            if ch.is_ascii_alphanumeric() {
                words.text.push(ch.to_ascii_lowercase());
                in_word = true;
            } else if !ch.is_ascii() && ch.is_alphanumeric() {
                words.text.extend(ch.to_lowercase());
                in_word = true;
            } else if is_apostrophe(ch) && in_word {
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
        &self.text.as_bytes()[start..self.ends[index]]
    }

    /// Hash of the shingle of `len` words from `first`: FNV-1a 64 over the words, each
    /// followed by a 0xFF byte (never part of UTF-8, so `ab c` and `a bc` differ), then
    /// `fmix64` to spread FNV's weak high bits.
    fn shingle_hash(&self, first: usize, len: usize) -> u64 {
        let mut hash = FNV_OFFSET;
        for index in first..first + len {
            for &byte in self.word(index).iter().chain(std::iter::once(&0xFF)) {
                hash = fnv1a_step(hash, byte);
            }
        }
        fmix64(hash)
    }
}

fn is_apostrophe(ch: char) -> bool {
    matches!(ch, '\'' | '’' | 'ʼ')
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// The 64-bit finalizer of `MurmurHash3`: every input bit affects every output bit.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes
            .iter()
            .fold(FNV_OFFSET, |hash, &b| fnv1a_step(hash, b))
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fmix64_matches_murmur3() {
        assert_eq!(fmix64(0), 0);
        assert_eq!(fmix64(1), 0xb456_bcfc_34c2_cb2c);
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
    fn hex_round_trips() {
        let hash = simhash("some words to hash");
        assert_eq!(parse_simhash(&simhash_hex(hash)), Some(hash));
        assert_eq!(simhash_hex(1), "0000000000000001");
        assert_eq!(parse_simhash("xyz"), None);
    }

    #[test]
    fn body_sha256_is_the_hex_digest() {
        assert_eq!(
            body_sha256(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
