//! Near-duplicate detection across records, a concern of the host: `record.duplicates` lists
//! the earlier records whose `SimHash` (`fingerprints.simhash`, computed by the enrich plugin)
//! differs in at most `duplicates.max_distance_bits` of 64 bits.
//!
//! The answer depends on which records came before, so no plugin can give it: `docnorm
//! process` keeps one [`NearDuplicates`] index over its files, the daemon one over its stream,
//! refilled from the state store at start. Both mark each finished record with
//! [`NearDuplicates::mark`]; the earlier records are not rewritten. Only the most recent
//! `duplicates.window` records are kept, so memory stays bounded (about 100 bytes a record).
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

use std::num::NonZeroUsize;

use docnorm_plugin_api::Record;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::state::StateStore;

/// Near-duplicate marking, under `duplicates` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DuplicatesConfig {
    /// Two records are near-duplicates when their `SimHash` values differ in at most this many
    /// of their 64 bits (0 to 10).
    #[serde(deserialize_with = "max_distance_bits")]
    #[schemars(range(max = 10))]
    pub max_distance_bits: u32,
    /// How many of the most recent records a new one is compared with; the daemon keeps their
    /// fingerprints in its state store across restarts.
    pub window: NonZeroUsize,
}

impl Default for DuplicatesConfig {
    fn default() -> Self {
        Self {
            max_distance_bits: DEFAULT_MAX_DISTANCE,
            window: NonZeroUsize::new(100_000).expect("not zero"),
        }
    }
}

/// Reads `max_distance_bits`, refusing a value above [`MAX_DISTANCE_LIMIT`] where it stands.
fn max_distance_bits<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let bits = u32::deserialize(deserializer)?;
    if bits > MAX_DISTANCE_LIMIT {
        return Err(serde::de::Error::custom(format!(
            "expected at most {MAX_DISTANCE_LIMIT} bits, found {bits}"
        )));
    }
    Ok(bits)
}

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
pub struct NearDuplicates {
    max_distance: u32,
    /// Bit ranges `(shift, width)` of the bands.
    bands: Vec<(u32, u32)>,
    /// Per band: band value → sequence numbers of the entries having it.
    tables: Vec<HashMap<u64, Vec<u64>>>,
    /// Sequence number → (id, hash), in insertion order.
    entries: HashMap<u64, (String, u64)>,
    order: VecDeque<u64>,
    next: u64,
    capacity: usize,
    /// How many lookups compared hashes (refilling the index makes none).
    searches: u64,
}

impl NearDuplicates {
    /// An empty index as `config` says.
    pub fn new(config: &DuplicatesConfig) -> Self {
        Self::with(config.max_distance_bits, config.window)
    }

    /// An empty index matching hashes within `max_distance` bits (at most
    /// [`MAX_DISTANCE_LIMIT`]) and keeping the `capacity` most recent records.
    fn with(max_distance: u32, capacity: NonZeroUsize) -> Self {
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
            capacity: capacity.get(),
            searches: 0,
        }
    }

    /// How many lookups compared hashes so far.
    pub fn searches(&self) -> u64 {
        self.searches
    }

    /// How many records the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no record.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets `record.duplicates` from its `SimHash` and remembers the record; returns its id and
    /// `SimHash` for the daemon's state store. Records without a `SimHash` (no words in the
    /// body) are neither matched nor remembered.
    pub fn mark(&mut self, record: &mut Record) -> Option<(String, u64)> {
        let simhash = record
            .fingerprints
            .simhash
            .as_deref()
            .and_then(parse_simhash)?;
        record.duplicates = self.check_and_insert(&record.id, simhash);
        Some((record.id.clone(), simhash))
    }

    /// An index as `config` says, refilled with the most recent records' fingerprints from
    /// the daemon's state store. They are only remembered, not searched: their own
    /// duplicates were found when they were written.
    pub fn refill(config: &DuplicatesConfig, store: &StateStore) -> rusqlite::Result<Self> {
        let mut index = Self::new(config);
        for (id, simhash) in store.simhashes(config.window.get())? {
            index.insert(&id, simhash);
        }
        Ok(index)
    }

    /// The ids of earlier records within the distance of `simhash`, oldest first and at most
    /// [`MAX_REPORTED`], then remembers this one. A record with the same id as an earlier one
    /// (the same content read again) is not its own duplicate and is not stored twice.
    fn check_and_insert(&mut self, id: &str, simhash: u64) -> Vec<String> {
        self.searches += 1;
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
        if self.order.len() > self.capacity {
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

impl Default for NearDuplicates {
    fn default() -> Self {
        Self::new(&DuplicatesConfig::default())
    }
}

/// How many of the 64 bits differ between two `SimHash` values.
fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Reads a `SimHash` from its record form; `None` unless it is 16 hex digits.
fn parse_simhash(hex: &str) -> Option<u64> {
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

fn band_value(hash: u64, (shift, width): (u32, u32)) -> u64 {
    (hash >> shift) & ((1u64 << width) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_identical_records_names_the_oldest_and_stays_bounded() {
        let mut index = NearDuplicates::default();
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
        let mut index = NearDuplicates::with(3, NonZeroUsize::MAX);
        assert!(index.check_and_insert("a", 0).is_empty());
        assert_eq!(index.check_and_insert("b", 0b111), ["a"]);
        // 4 bits from `a`, 1 from `b`.
        assert_eq!(index.check_and_insert("c", 0b1111), ["b"]);
        assert!(index.check_and_insert("d", u64::MAX).is_empty());
        assert_eq!(index.len(), 4);
    }

    #[test]
    fn bits_spread_over_every_band_are_still_found() {
        let mut index = NearDuplicates::with(3, NonZeroUsize::MAX);
        index.check_and_insert("a", 0);
        // One differing bit in each of three bands.
        let spread = 1 | 1 << 20 | 1 << 40;
        assert_eq!(index.check_and_insert("b", spread), ["a"]);
        // Four bits, one per band: beyond the distance.
        assert_eq!(index.check_and_insert("c", spread | 1 << 60), ["b"]);
    }

    #[test]
    fn the_same_record_again_is_not_its_own_duplicate() {
        let mut index = NearDuplicates::default();
        assert!(index.check_and_insert("a", 42).is_empty());
        assert!(index.check_and_insert("a", 42).is_empty());
        assert_eq!(index.len(), 1);
        assert_eq!(index.check_and_insert("b", 43), ["a"]);
    }

    #[test]
    fn a_bounded_index_forgets_the_oldest_records() {
        let mut index = NearDuplicates::with(3, NonZeroUsize::new(2).unwrap());
        index.check_and_insert("a", 0);
        index.check_and_insert("b", 1 << 63);
        index.check_and_insert("c", u64::MAX);
        assert_eq!(index.len(), 2);
        assert_eq!(index.check_and_insert("d", 1 << 63 | 1), ["b"]);
    }

    #[test]
    fn issue_24_the_index_is_refilled_from_the_store_without_searching() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        // Near-identical fingerprints, the case where searching at start was slowest.
        let stored: Vec<(String, u64)> = (0..5000u64).map(|n| (format!("id{n}"), n % 7)).collect();
        store.add_simhashes(&stored).unwrap();
        let index = NearDuplicates::refill(&DuplicatesConfig::default(), &store).unwrap();
        assert_eq!(index.len(), 5000);
        assert_eq!(index.searches(), 0);
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
        let mut index = NearDuplicates::with(3, NonZeroUsize::MAX);
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
