//! The bundled word lists entity extraction relies on, parsed once per process.
//!
//! The lists are plain text files under `data/`, compiled into the binary with
//! `include_str!` so the plugin needs no files at run time:
//!
//! | file | holds |
//! |---|---|
//! | `countries.txt`, `us_states.txt`, `cities.txt` | places: countries and regions, US states, capitals and major cities |
//! | `organizations.txt`, `news_outlets.txt` | organizations: institutions, parties, companies, news outlets |
//! | `given_names.txt` | given names that mark a capitalized phrase as a person |
//! | `roles.txt` | honorifics and roles that mark the following name as a person |
//! | `common_words.txt` | words never part of an entity (function words, days, months, demonyms) |
//!
//! Gazetteer lines read `Name|alias|alias`; records show the first name. A `#` starts a
//! comment line. Matching is case-sensitive on whole tokens, so `US` is a country and `us`
//! is not.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::entities::{Kind, tokenize_phrase};

/// A known name: what it is and how records spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub kind: Kind,
    pub canonical: &'static str,
}

/// Every list, parsed.
pub(crate) struct Lists {
    /// Alias (its tokens joined by one space) → entry.
    pub names: HashMap<String, Entry, Fnv>,
    /// First tokens of the aliases, to skip the lookup at most tokens.
    pub first_tokens: HashSet<String, Fnv>,
    /// The most tokens an alias has.
    pub longest: usize,
    pub given_names: HashSet<&'static str, Fnv>,
    /// Lower case, without a trailing period.
    pub roles: HashSet<&'static str, Fnv>,
    /// Lower case.
    pub common: HashSet<&'static str, Fnv>,
}

/// FNV-1a hashing for the word lists: every token of every document is looked up several
/// times, and these keys are short, fixed words where `SipHash`'s protection against chosen
/// keys buys nothing (the lists are ours, a document only chooses what it looks up).
pub(crate) type Fnv = BuildHasherDefault<FnvHasher>;

/// A 64-bit FNV-1a [`Hasher`].
pub(crate) struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// The lists, parsed on first use.
pub(crate) static LISTS: LazyLock<Lists> = LazyLock::new(Lists::load);

const PLACES: &[&str] = &[
    include_str!("../data/countries.txt"),
    include_str!("../data/us_states.txt"),
    include_str!("../data/cities.txt"),
];
const ORGANIZATIONS: &[&str] = &[
    include_str!("../data/news_outlets.txt"),
    include_str!("../data/organizations.txt"),
];

impl Lists {
    fn load() -> Self {
        let mut lists = Self {
            names: HashMap::default(),
            first_tokens: HashSet::default(),
            longest: 0,
            given_names: lines(include_str!("../data/given_names.txt")).collect(),
            roles: lines(include_str!("../data/roles.txt")).collect(),
            common: lines(include_str!("../data/common_words.txt")).collect(),
        };
        for (kind, files) in [(Kind::Place, PLACES), (Kind::Organization, ORGANIZATIONS)] {
            for line in files.iter().flat_map(|file| lines(file)) {
                let mut aliases = line.split('|').map(str::trim).filter(|a| !a.is_empty());
                let Some(canonical) = aliases.next() else {
                    continue;
                };
                for alias in std::iter::once(canonical).chain(aliases) {
                    lists.add(alias, Entry { kind, canonical });
                }
            }
        }
        lists
    }

    fn add(&mut self, alias: &str, entry: Entry) {
        let tokens = tokenize_phrase(alias);
        let Some(first) = tokens.first() else {
            return;
        };
        self.first_tokens.insert(first.clone());
        self.longest = self.longest.max(tokens.len());
        // The first list naming an alias keeps it: countries before cities, outlets before
        // other organizations.
        self.names.entry(tokens.join(" ")).or_insert(entry);
    }

    /// Whether `word` (any case, trailing period ignored) is an honorific or role.
    #[cfg(test)]
    pub fn is_role(&self, word: &str) -> bool {
        self.common_and_role(word).1
    }

    /// Whether `word` (any case, trailing period ignored) is a common word.
    #[cfg(test)]
    pub fn is_common(&self, word: &str) -> bool {
        self.common_and_role(word).0
    }

    /// Whether `word` (any case, trailing period ignored) is a common word, and whether it is
    /// an honorific or role. An acronym in capitals (`WHO`, `US`) is not the word it spells.
    pub fn common_and_role(&self, word: &str) -> (bool, bool) {
        let word = word.strip_suffix('.').unwrap_or(word);
        let lower;
        let key = if word.chars().any(char::is_uppercase) {
            lower = word.to_lowercase();
            lower.as_str()
        } else {
            word
        };
        let acronym = word.chars().count() > 1 && word.chars().all(char::is_uppercase);
        (
            !acronym && self.common.contains(key),
            self.roles.contains(key),
        )
    }
}

/// The non-empty, non-comment lines of a list file.
fn lines(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_and_know_their_names() {
        let lists = &*LISTS;
        assert_eq!(lists.names["U.S."].canonical, "United States");
        assert_eq!(
            lists.names["New York Times"].canonical,
            "The New York Times"
        );
        assert_eq!(lists.names["Kyiv"].kind, Kind::Place);
        assert_eq!(lists.names["Reuters"].kind, Kind::Organization);
        assert!(lists.given_names.contains("Vladimir"));
        assert!(lists.is_role("Sen."));
        assert!(lists.is_common("Tuesday"));
        assert!(lists.longest >= 5);
    }

    #[test]
    fn no_gazetteer_alias_is_a_common_word_or_role() {
        // Such an alias would turn every sentence opening with it into an entity.
        let lists = &*LISTS;
        for alias in lists.names.keys() {
            if !alias.contains(' ') {
                assert!(!lists.is_common(alias), "`{alias}` is a common word");
                assert!(!lists.is_role(alias), "`{alias}` is a role");
            }
        }
    }
}
