//! Hashing: FNV-1a 64 and the `MurmurHash3` `fmix64` finalizer, two fixed, published
//! functions (a value hashed today compares with one hashed by any later version, as stored
//! fingerprints need), and [`WordHash`] for hash maps keyed by words.

use std::hash::{BuildHasherDefault, Hasher};

/// The FNV-1a 64 offset basis: the hash of no bytes.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The FNV-1a 64 prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// One step of FNV-1a 64: `hash` with `byte` mixed in. Start from [`FNV_OFFSET`].
#[inline]
pub fn fnv1a_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// FNV-1a 64 of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(FNV_OFFSET, |hash, &b| fnv1a_step(hash, b))
}

/// The 64-bit finalizer of `MurmurHash3`: every input bit affects every output bit, which
/// FNV's high bits and a multiplicative hash's low bits need.
#[inline]
pub fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// Hashing for maps keyed by words: every token of every document may be looked up, and the
/// keys are short words where `SipHash`'s protection against chosen keys buys nothing (the
/// lists are ours; a document only chooses what it looks up, and a collision costs time, not
/// a wrong answer). Eight bytes are mixed per step, so a word costs one or two steps.
pub type WordHash = BuildHasherDefault<WordHasher>;

/// The [`Hasher`] of [`WordHash`]: multiply-rotate over 64-bit words, [`fmix64`] at the end.
#[derive(Default)]
pub struct WordHasher(u64);

impl WordHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(31);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // hashbrown takes the bucket from the low bits and a tag from the top seven: spread.
        fmix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let word = rest
                .iter()
                .rev()
                .fold(0u64, |word, &byte| word << 8 | u64::from(byte));
            self.mix(word);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    #[allow(clippy::cast_possible_truncation)] // The low and the high half, on purpose.
    fn write_u128(&mut self, i: u128) {
        self.mix(i as u64);
        self.mix((i >> 64) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn words_hash_apart() {
        use std::hash::BuildHasher;
        let hash = |word: &str| WordHash::default().hash_one(word);
        assert_ne!(hash("the"), hash("The"));
        assert_ne!(hash("abcdefgh"), hash("abcdefghi"));
        assert_eq!(hash("Putin"), hash("Putin"));
    }
}
