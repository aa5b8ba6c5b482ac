//! Near-duplicate detection across records: an in-memory index of `SimHash` values.
//!
//! The host (not a plugin) owns `record.duplicates`, because the answer depends on which
//! records came before: `docnorm process` keeps one [`DuplicateIndex`] over its files, and the
//! daemon one over its stream. Each new record is compared with every earlier one and lists
//! the ids of those whose `SimHash` differs in at most `max_distance` of 64 bits; the earlier
//! records are not rewritten.
//!
//! Lookup is exact and sub-linear (Manku, Jain and Das Sarma, "Detecting near-duplicates for
//! web crawling", 2007): the 64 bits are cut into `max_distance + 1` bands, and two hashes
//! within `max_distance` bits agree on at least one whole band (pigeonhole), so only records
//! sharing a band with the new one are compared bit by bit.
//!
//! Two bounds keep a flood of near-identical documents (a templated export, the same page
//! dropped thousands of times) from making every lookup slower than the last: a record lists
//! at most [`MAX_REPORTED`] duplicates, the oldest first so the original is named, and a band
//! bucket keeps at most [`MAX_BUCKET`] records, the oldest. Past that bucket size a lookup is
//! no longer exhaustive, but a near-identical record still shares the other bands with the
//! oldest records of its kind, and those are the ones reported.

use std::collections::{HashMap, VecDeque};

use docnorm_plugin_api::Record;

use crate::fingerprint::{hamming, parse_simhash};

/// The default Hamming distance (of 64 bits) under which two records are near-duplicates.
///
/// Measured (`tests/near_duplicates.rs`) on the 181 reference bodies of the article-extraction
/// benchmark: no two different articles come closer than 17 bits (16,290 pairs; 99.9% are 20
/// or more apart), while a body with one line of page chrome left in (a sign-up box, a bio)
/// moves a median of 2 bits and 9 in 10 stay within 6; with three such lines, 3 in 4 stay
/// within 6. On the seeds, different articles about the same event are 30 or more bits apart.
/// 6 keeps a margin of 11 bits below the closest distinct pair.
pub const DEFAULT_MAX_DISTANCE: u32 = 6;

/// The largest distance an index accepts: beyond it, unrelated texts start to match and the
/// bands get too narrow to narrow the search.
pub const MAX_DISTANCE_LIMIT: u32 = 10;

/// The most earlier records one record lists as its near-duplicates.
pub const MAX_REPORTED: usize = 16;

/// The most records one band bucket holds; later ones with the same band value are still
/// compared but not added to that bucket.
pub const MAX_BUCKET: usize = 256;

/// Earlier records' `SimHash` values, searchable by Hamming distance.
#[derive(Debug)]
pub struct DuplicateIndex {
    max_distance: u32,
    /// Bit ranges `(shift, width)` of the bands.
    bands: Vec<(u32, u32)>,
    /// Per band: band value → sequence numbers of the entries having it.
    tables: Vec<HashMap<u64, Vec<u64>>>,
    /// Sequence number → (id, hash), in insertion order.
    entries: HashMap<u64, (String, u64)>,
    order: VecDeque<u64>,
    next: u64,
    capacity: Option<usize>,
}

impl DuplicateIndex {
    /// An empty index matching hashes within `max_distance` bits (clamped to
    /// [`MAX_DISTANCE_LIMIT`]); unbounded.
    pub fn new(max_distance: u32) -> Self {
        let max_distance = max_distance.min(MAX_DISTANCE_LIMIT);
        let count = max_distance + 1;
        let bands = (0..count)
            .map(|i| {
                let start = 64 * i / count;
                let end = 64 * (i + 1) / count;
                (start, end - start)
            })
            .collect::<Vec<_>>();
        Self {
            max_distance,
            tables: vec![HashMap::new(); bands.len()],
            bands,
            entries: HashMap::new(),
            order: VecDeque::new(),
            next: 0,
            capacity: None,
        }
    }

    /// The same index keeping only the `capacity` most recent records, so a long-running
    /// daemon's memory stays bounded (about 100 bytes per record plus its id).
    #[must_use]
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity.max(1));
        self
    }

    /// The distance this index matches within.
    pub fn max_distance(&self) -> u32 {
        self.max_distance
    }

    /// How many records the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no record.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The ids of earlier records within the distance of `simhash`, oldest first and at most
    /// [`MAX_REPORTED`], then remembers this one. A record with the same id as an earlier one (the same content read
    /// again) is not its own duplicate and is not stored twice.
    pub fn check_and_insert(&mut self, id: &str, simhash: u64) -> Vec<String> {
        let mut candidates: Vec<u64> = self
            .bands
            .iter()
            .zip(&self.tables)
            .filter_map(|(&band, table)| table.get(&band_value(simhash, band)))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut found = Vec::new();
        let mut seen_self = false;
        for seq in candidates {
            let (other, hash) = &self.entries[&seq];
            if other == id {
                seen_self = true;
            } else if found.len() < MAX_REPORTED
                && hamming(*hash, simhash) <= self.max_distance
                && !found.contains(other)
            {
                found.push(other.clone());
            }
        }
        if !seen_self {
            self.insert(id, simhash);
        }
        found
    }

    /// Sets `record.duplicates` from its `SimHash` and remembers it. Records without a `SimHash`
    /// (no words in the body) are neither matched nor remembered.
    pub fn mark(&mut self, record: &mut Record) {
        let Some(hash) = record
            .fingerprints
            .simhash
            .as_deref()
            .and_then(parse_simhash)
        else {
            return;
        };
        record.duplicates = self.check_and_insert(&record.id, hash);
    }

    fn insert(&mut self, id: &str, simhash: u64) {
        let seq = self.next;
        self.next += 1;
        for (&band, table) in self.bands.iter().zip(&mut self.tables) {
            let bucket = table.entry(band_value(simhash, band)).or_default();
            if bucket.len() < MAX_BUCKET {
                bucket.push(seq);
            }
        }
        self.entries.insert(seq, (id.to_owned(), simhash));
        self.order.push_back(seq);
        if self.capacity.is_some_and(|cap| self.order.len() > cap) {
            self.evict_oldest();
        }
    }

    fn evict_oldest(&mut self) {
        let Some(seq) = self.order.pop_front() else {
            return;
        };
        let Some((_, hash)) = self.entries.remove(&seq) else {
            return;
        };
        for (&band, table) in self.bands.iter().zip(&mut self.tables) {
            let key = band_value(hash, band);
            if let Some(list) = table.get_mut(&key) {
                list.retain(|&s| s != seq);
                if list.is_empty() {
                    table.remove(&key);
                }
            }
        }
    }
}

impl Default for DuplicateIndex {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_DISTANCE)
    }
}

fn band_value(hash: u64, (shift, width): (u32, u32)) -> u64 {
    (hash >> shift) & ((1u64 << width) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_identical_records_names_the_oldest_and_stays_bounded() {
        let mut index = DuplicateIndex::default();
        let mut last = Vec::new();
        for i in 0..5_000 {
            last = index.check_and_insert(&format!("id{i}"), 0xdead_beef_0000_ffff);
        }
        let oldest: Vec<String> = (0..MAX_REPORTED).map(|i| format!("id{i}")).collect();
        assert_eq!(last, oldest);
        assert!(
            index
                .tables
                .iter()
                .flat_map(HashMap::values)
                .all(|b| b.len() <= MAX_BUCKET)
        );
    }

    #[test]
    fn finds_earlier_records_within_the_distance_only() {
        let mut index = DuplicateIndex::new(3);
        assert!(index.check_and_insert("a", 0).is_empty());
        assert_eq!(index.check_and_insert("b", 0b111), ["a"]);
        // 4 bits from `a`, 1 from `b`.
        assert_eq!(index.check_and_insert("c", 0b1111), ["b"]);
        assert!(index.check_and_insert("d", u64::MAX).is_empty());
        assert_eq!(index.len(), 4);
    }

    #[test]
    fn bits_spread_over_every_band_are_still_found() {
        let mut index = DuplicateIndex::new(3);
        index.check_and_insert("a", 0);
        // One differing bit in each of three bands.
        let spread = 1 | 1 << 20 | 1 << 40;
        assert_eq!(index.check_and_insert("b", spread), ["a"]);
        // Four bits, one per band: beyond the distance.
        assert_eq!(index.check_and_insert("c", spread | 1 << 60), ["b"]);
    }

    #[test]
    fn the_same_record_again_is_not_its_own_duplicate() {
        let mut index = DuplicateIndex::default();
        assert!(index.check_and_insert("a", 42).is_empty());
        assert!(index.check_and_insert("a", 42).is_empty());
        assert_eq!(index.len(), 1);
        assert_eq!(index.check_and_insert("b", 43), ["a"]);
    }

    #[test]
    fn a_bounded_index_forgets_the_oldest_records() {
        let mut index = DuplicateIndex::new(3).with_capacity(2);
        index.check_and_insert("a", 0);
        index.check_and_insert("b", 1 << 63);
        index.check_and_insert("c", u64::MAX);
        assert_eq!(index.len(), 2);
        assert_eq!(index.check_and_insert("d", 1 << 63 | 1), ["b"]);
    }

    #[test]
    fn brute_force_agrees_with_the_bands() {
        // A small deterministic pseudo-random walk of hashes, some close to each other.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut hashes = Vec::new();
        for i in 0..400 {
            let hash = if i % 3 == 0 && !hashes.is_empty() {
                let base: u64 = hashes[usize::try_from(next() % hashes.len() as u64).unwrap()];
                base ^ (1 << (next() % 64)) ^ (1 << (next() % 64))
            } else {
                next()
            };
            hashes.push(hash);
        }
        let mut index = DuplicateIndex::new(3);
        for (i, &hash) in hashes.iter().enumerate() {
            let found = index.check_and_insert(&i.to_string(), hash);
            let expected: Vec<String> = hashes[..i]
                .iter()
                .enumerate()
                .filter(|(_, h)| hamming(**h, hash) <= 3)
                .map(|(j, _)| j.to_string())
                .collect();
            assert_eq!(found, expected, "hash {i}");
        }
    }
}
