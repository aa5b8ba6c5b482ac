//! Word tables: a word list turned into a map from each word to what the lists say of it
//! (its flags, its language), answered with one lookup per token of a text.
//!
//! A word of up to [`WordKey::MAX_BYTES`] bytes (nearly every word) is packed with its
//! length into one integer, its [`WordKey`], so a lookup hashes and compares one number
//! instead of a string and allocates nothing. Keys of up to seven bytes (most words) sit in a
//! table of `u64`s, the rest in one of `u128`s, each open-addressed in one array, so the
//! table most lookups hit stays small enough for the processor's caches; longer words go to
//! a hash map.

use std::collections::HashMap;

use crate::hash::WordHash;

/// A word of up to 15 bytes packed into one integer with its length (in the top byte), so
/// that two words have the same key exactly when they are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WordKey(u128);

impl WordKey {
    /// The longest word that has a key.
    pub const MAX_BYTES: usize = 15;

    /// The key of `word`; `None` when it is empty or longer than [`WordKey::MAX_BYTES`].
    #[inline]
    pub fn new(word: &[u8]) -> Option<Self> {
        Self::mapped(word, |byte| byte)
    }

    /// The key of `word` with `map` applied to each byte (`u8::to_ascii_lowercase`). Built in
    /// a register, byte by byte: copying the word into a buffer and reading it back as one
    /// integer stalls the processor's store forwarding, which costs more than the lookup.
    #[inline]
    pub fn mapped(word: &[u8], map: impl Fn(u8) -> u8) -> Option<Self> {
        let len = u8::try_from(word.len())
            .ok()
            .filter(|len| (1..=15).contains(len))?;
        let packed = word
            .iter()
            .rev()
            .fold(0u128, |key, &byte| key << 8 | u128::from(map(byte)));
        Some(Self(packed | u128::from(len) << 120))
    }

    /// The key of the word `text[start..end]`, read eight bytes at a time straight from the
    /// text where it is long enough, with `or_mask` OR-ed into every byte of the word (0x20
    /// lower-cases ASCII letters; 0 keeps them).
    #[inline]
    pub fn at(text: &[u8], start: usize, end: usize, or_mask: u8) -> Option<Self> {
        let len = end - start;
        if len == 0 || len > Self::MAX_BYTES {
            return None;
        }
        let word = |from: usize, len: usize| -> u64 {
            if len == 0 {
                return 0;
            }
            let fill = u64::from_le_bytes([or_mask; 8]);
            let keep = if len >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * len)) - 1
            };
            let value = match text.get(from..from + 8) {
                Some(chunk) => u64::from_le_bytes(chunk.try_into().unwrap_or_default()),
                None => text[from..from + len]
                    .iter()
                    .rev()
                    .fold(0u64, |word, &byte| word << 8 | u64::from(byte)),
            };
            (value | fill) & keep
        };
        let low = word(start, len.min(8));
        let high = word(start + 8, len.saturating_sub(8));
        let len = u128::from(u8::try_from(len).ok()?);
        Some(Self(u128::from(low) | u128::from(high) << 64 | len << 120))
    }

    /// Whether a word of ASCII letters and digits has a capital after its first letter.
    /// Among letters, digits and the key's zero padding, a capital is the only byte with bit
    /// 0x40 set and 0x20 clear, so all the bytes are tested at once, without a loop.
    #[inline]
    pub fn has_inner_capital(self) -> bool {
        /// Bit 0x40 of the bytes after the first, up to the length in the top byte.
        const INNER: u128 = 0x0040_4040_4040_4040_4040_4040_4040_4000;
        self.0 & !(self.0 << 1) & INNER != 0
    }

    /// The key as a `u64` when the word has at most seven bytes: its bytes, and its length in
    /// the top byte.
    #[inline]
    fn narrow(self) -> Option<u64> {
        let len = self.0 >> 120;
        if len > 7 {
            return None;
        }
        let bytes = u64::try_from(self.0 & u128::from(u64::MAX >> 8)).ok()?;
        let len = u64::try_from(len).ok()?;
        Some(bytes | len << 56)
    }
}

/// A map from words to `V` (flags, an index): `V::default()` for a word in no list.
pub struct WordTable<V> {
    short: Slots<u64, V>,
    wide: Slots<u128, V>,
    long: HashMap<Box<[u8]>, V, WordHash>,
}

impl<V: Copy + Default> Default for WordTable<V> {
    fn default() -> Self {
        Self {
            short: Slots::default(),
            wide: Slots::default(),
            long: HashMap::default(),
        }
    }
}

impl<V: Copy + Default> WordTable<V> {
    /// The value of `word`, to be set or updated (default at first).
    pub fn entry(&mut self, word: &str) -> &mut V {
        match WordKey::new(word.as_bytes()) {
            Some(key) => self.entry_by_key(key),
            None => self.long.entry(word.as_bytes().into()).or_default(),
        }
    }

    /// The value of the word with `key`, to be set or updated.
    pub fn entry_by_key(&mut self, key: WordKey) -> &mut V {
        match key.narrow() {
            Some(short) => self.short.entry(short),
            None => self.wide.entry(key.0),
        }
    }

    /// The value of `word` (the default when it is in no list).
    pub fn get(&self, word: &[u8]) -> V {
        match WordKey::new(word) {
            Some(key) => self.get_by_key(key),
            None => self.long.get(word).copied().unwrap_or_default(),
        }
    }

    /// The value of the word with `key`.
    #[inline]
    pub fn get_by_key(&self, key: WordKey) -> V {
        match key.narrow() {
            Some(short) => self.short.get(short),
            None => self.wide.get(key.0),
        }
    }
}

/// A key of a word table: never zero, since the length is part of it.
trait Key: Copy + Eq + Default {
    /// Where the key's probe starts in a table of `2^bits` slots.
    fn slot(self, bits: u32) -> usize;
}

impl Key for u64 {
    #[inline]
    fn slot(self, bits: u32) -> usize {
        // The high bits of the product, as Fibonacci hashing takes them.
        usize::try_from(self.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)).unwrap_or(0)
    }
}

impl Key for u128 {
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // The low and the high half, on purpose.
    fn slot(self, bits: u32) -> usize {
        let [low, high] = [self, self >> 64].map(|half| half as u64);
        (low ^ high.rotate_left(29)).slot(bits)
    }
}

/// One open-addressed table: keys and values in two arrays (the keys, probed, stay dense),
/// never more than half full.
struct Slots<K, V> {
    keys: Vec<K>,
    values: Vec<V>,
    bits: u32,
    len: usize,
}

impl<K: Key, V: Copy + Default> Default for Slots<K, V> {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            values: Vec::new(),
            bits: 0,
            len: 0,
        }
    }
}

impl<K: Key, V: Copy + Default> Slots<K, V> {
    /// The slot holding `key`, or the empty one where it would go.
    #[inline]
    fn find(&self, key: K) -> usize {
        let mask = self.keys.len() - 1;
        let mut i = key.slot(self.bits);
        loop {
            let k = self.keys[i];
            if k == key || k == K::default() {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: K) -> V {
        if self.len == 0 {
            return V::default();
        }
        self.values[self.find(key)]
    }

    fn entry(&mut self, key: K) -> &mut V {
        if (self.len + 1) * 2 > self.keys.len() {
            self.grow();
        }
        let i = self.find(key);
        if self.keys[i] == K::default() {
            self.keys[i] = key;
            self.len += 1;
        }
        &mut self.values[i]
    }

    fn grow(&mut self) {
        let bits = (self.bits + 1).max(6);
        let old = std::mem::replace(
            self,
            Self {
                keys: vec![K::default(); 1 << bits],
                values: vec![V::default(); 1 << bits],
                bits,
                len: 0,
            },
        );
        for (key, value) in old.keys.into_iter().zip(old.values) {
            if key != K::default() {
                *self.entry(key) = value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_read_from_the_text_equal_keys_built_byte_by_byte() {
        let text = b"a Ab abcdefgh ABCDEFGHI abcdefghijklmno abcdefghijklmnop x";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let word = &text[start..end];
                assert_eq!(WordKey::at(text, start, end, 0), WordKey::new(word));
                if word.iter().all(u8::is_ascii_alphabetic) {
                    assert_eq!(
                        WordKey::at(text, start, end, 0x20),
                        WordKey::mapped(word, |b| b.to_ascii_lowercase())
                    );
                }
            }
        }
    }

    #[test]
    fn inner_capitals_are_found_in_the_key() {
        let words: [&[u8]; 11] = [
            b"a",
            b"A",
            b"ab",
            b"aB",
            b"Ab",
            b"McCain",
            b"iPhone",
            b"0123456789zZ",
            b"NATO",
            b"abcdefghijklmnZ",
            b"Z09az",
        ];
        for word in words {
            let key = WordKey::new(word).unwrap();
            let expected = word[1..].iter().any(u8::is_ascii_uppercase);
            assert_eq!(key.has_inner_capital(), expected, "{word:?}");
        }
    }

    #[test]
    fn keys_tell_every_word_apart() {
        let words: [&[u8]; 6] = [b"a", b"a\0", b"ab", b"ba", b"abcdefghijklmno", b"\0"];
        let keys: HashSet<WordKey> = words.iter().filter_map(|w| WordKey::new(w)).collect();
        assert_eq!(keys.len(), words.len());
        assert_eq!(WordKey::new(b""), None);
        assert_eq!(WordKey::new(b"abcdefghijklmnop"), None);
    }

    #[test]
    fn a_table_answers_as_a_hash_map_would() {
        let mut table: WordTable<u32> = WordTable::default();
        let mut plain: HashMap<String, u32> = HashMap::new();
        let words = (0..3000u32).map(|n| match n % 3 {
            0 => format!("w{n}"),
            1 => format!("word number {n}"),
            _ => format!("a much longer word, number {n}"),
        });
        for (n, word) in words.enumerate() {
            let n = u32::try_from(n).unwrap();
            *table.entry(&word) |= n;
            *plain.entry(word).or_default() |= n;
        }
        for (word, value) in &plain {
            assert_eq!(table.get(word.as_bytes()), *value, "{word}");
        }
        assert_eq!(table.get(b"absent"), 0);
        assert_eq!(table.get(b"an absent long word of many bytes"), 0);
        let key = WordKey::at(b"w42 and more", 0, 3, 0).unwrap();
        assert_eq!(table.get_by_key(key), plain["w42"]);
    }
}
