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
use std::sync::LazyLock;

use docnorm_toolkit::hash::WordHash;
use docnorm_toolkit::words::{WordKey, WordTable};

use crate::tokens::{Lookup, tokenize_phrase};
use crate::words::{Kind, WORDS, WordInfo, lines};

/// A known name: what it is and how records spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub kind: Kind,
    pub canonical: &'static str,
}

/// One node of the alias lookup: an alias, the first tokens of a longer one, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Node {
    /// The name this exact alias stands for.
    pub entry: Option<Entry>,
    /// Some longer alias starts with these tokens.
    pub continues: bool,
}

/// Every list, parsed.
pub(crate) struct Lists {
    /// Alias, or the first tokens of a longer alias (tokens joined by one space) → node; a
    /// name is found by extending the key one token at a time while it `continues`.
    pub names: HashMap<String, Node, WordHash>,
    /// The most tokens an alias has.
    pub longest: usize,
    /// Token as written → what the lists say of it, so the tokens of a text cost one lookup
    /// each: the exact aliases' first tokens and given names, and the common words and roles
    /// in every form an ASCII token can take without an inner capital (`the`, `The`, `the.`,
    /// `The.`; see [`Lists::word_info`]).
    words: WordTable<WordInfo>,
    /// Lower case, without a trailing period.
    roles: HashSet<&'static str, WordHash>,
    /// Lower case.
    common: HashSet<&'static str, WordHash>,
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
            longest: 0,
            words: WordTable::default(),
            roles: lines(include_str!("../data/roles.txt")).collect(),
            common: lines(include_str!("../data/common_words.txt")).collect(),
        };
        for name in lines(include_str!("../data/given_names.txt")) {
            lists.word(name).given_name = true;
        }
        for tell in &WORDS.title_case_tells {
            // As written or capitalized: `with`, `With` (not `with.`: no period is stripped).
            for form in forms(tell) {
                lists.word(&form).tell = true;
            }
        }
        let common: Vec<&str> = lists.common.iter().copied().collect();
        let roles: Vec<&str> = lists.roles.iter().copied().collect();
        for (words, role) in [(common, false), (roles, true)] {
            for word in words {
                for form in forms(word) {
                    let info = lists.word(&form);
                    if role {
                        info.role = true;
                    } else {
                        info.common = true;
                    }
                }
            }
        }
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
        self.word(first).starts_name = true;
        self.longest = self.longest.max(tokens.len());
        for len in 1..tokens.len() {
            self.names
                .entry(tokens[..len].join(" "))
                .or_default()
                .continues = true;
        }
        // The first list naming an alias keeps it: countries before cities, outlets before
        // other organizations.
        let node = self.names.entry(tokens.join(" ")).or_default();
        node.entry.get_or_insert(entry);
    }

    fn word(&mut self, form: &str) -> &mut WordInfo {
        self.words.entry(form)
    }

    /// The alias node for `key` (tokens joined by one space).
    pub fn node(&self, key: &str) -> Option<&Node> {
        self.names.get(key)
    }

    /// The canonical entry of an alias.
    #[cfg(test)]
    pub fn entry(&self, alias: &str) -> Option<Entry> {
        self.names.get(alias)?.entry
    }

    /// [`Lists::word_info`] of a token of ASCII letters and digits with no capital after the
    /// first letter, by its [`WordKey`].
    pub fn word_info_by_key(&self, key: WordKey) -> WordInfo {
        self.words.get_by_key(key)
    }

    /// What the lists say of `token` as written: one lookup, except for tokens with a
    /// capital after the first letter or with non-ASCII characters, whose common-word and
    /// role flags come from [`Lists::common_and_role`].
    pub fn word_info(&self, token: &str) -> WordInfo {
        let exact = self.exact(token);
        let plain = token.is_ascii() && !token.bytes().skip(1).any(|b| b.is_ascii_uppercase());
        if plain {
            // `common_and_role` ignores one trailing period (`Mr.`, `the.`).
            if let Some(stem) = token.strip_suffix('.') {
                let stem = self.exact(stem);
                return WordInfo {
                    common: stem.common,
                    role: stem.role,
                    ..exact
                };
            }
            return exact;
        }
        let (common, role) = self.common_and_role(token);
        WordInfo {
            common,
            role,
            tell: self.is_tell(token),
            ..exact
        }
    }

    /// Whether `token`, in any case, is one of the title-case tells (`data/title_case_tells.txt`), by one lookup of its
    /// lower-case form (every tell is in the table as listed, flagged `tell`; the other forms
    /// flagged are capitalized, never the lower-case form of a token) instead of comparing it
    /// with each tell.
    fn is_tell(&self, token: &str) -> bool {
        token.is_ascii()
            && WordKey::mapped(token.as_bytes(), |byte| byte.to_ascii_lowercase())
                .is_some_and(|key| self.word_info_by_key(key).tell)
    }

    /// What the table holds for `token` exactly as written.
    fn exact(&self, token: &str) -> WordInfo {
        self.words.get(token.as_bytes())
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
        if !could_lower_to_ascii(word) {
            // Both lists are ASCII (a test checks it): a word lower-casing to anything else is
            // in neither, and needs no lower-casing to tell.
            return (false, false);
        }
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

/// The Kelvin sign, the one character outside ASCII that lower-cases to ASCII (`k`; a test
/// checks every other).
const KELVIN_SIGN: char = '\u{212A}';

/// Whether the lower-case form of `word` may be ASCII: not when the word holds a character
/// outside ASCII (every such character but [`KELVIN_SIGN`] lower-cases to one), which spares
/// Cyrillic, Greek or accented words the lower-casing and the lookups in the ASCII lists.
fn could_lower_to_ascii(word: &str) -> bool {
    word.is_ascii() || word.chars().all(|ch| ch.is_ascii() || ch == KELVIN_SIGN)
}

/// The forms of a lower-case list word that [`Lists::common_and_role`] reads as it, among
/// tokens with no capital after the first letter and no trailing period (that one is looked
/// up without it): as listed and capitalized.
fn forms(word: &str) -> [String; 2] {
    let mut capitalized = word.to_owned();
    if let Some(first) = capitalized.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    [word.to_owned(), capitalized]
}

impl Lookup for Lists {
    fn word_info(&self, token: &str) -> WordInfo {
        Lists::word_info(self, token)
    }

    fn word_info_by_key(&self, key: WordKey) -> WordInfo {
        Lists::word_info_by_key(self, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `word`, in any case, is one of the title-case tells, by comparing it with each:
    /// the plain version of the lookup the word lists answer (`Lists::word_info`).
    fn is_title_case_tell(word: &str) -> bool {
        // The tells are short ASCII words: skip the rest without comparing.
        if word.len() > 7 || !word.is_ascii() {
            return false;
        }
        let mut buffer = [0u8; 7];
        let lower = &mut buffer[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        WORDS
            .title_case_tells
            .iter()
            .any(|tell| tell.as_bytes() == lower)
    }

    #[test]
    fn lists_load_and_know_their_names() {
        let lists = &*LISTS;
        let entry = |alias: &str| lists.entry(alias).unwrap();
        assert_eq!(entry("U.S.").canonical, "United States");
        assert_eq!(entry("New York Times").canonical, "The New York Times");
        assert_eq!(entry("Kyiv").kind, Kind::Place);
        assert_eq!(entry("Reuters").kind, Kind::Organization);
        assert!(lists.node("New York").unwrap().continues);
        assert!(lists.word_info("Vladimir").given_name);
        assert!(lists.word_info("New").starts_name);
        assert!(lists.is_role("Sen."));
        assert!(lists.is_common("Tuesday"));
        assert!(lists.longest >= 5);
    }

    #[test]
    fn only_ascii_words_lower_case_to_the_ascii_lists() {
        let lists = &*LISTS;
        assert!(
            lists
                .common
                .iter()
                .chain(&lists.roles)
                .all(|w| w.is_ascii())
        );
        for ch in (0x80..=0x0010_FFFF).filter_map(char::from_u32) {
            let lower_is_ascii = ch.to_lowercase().all(|c| c.is_ascii());
            assert_eq!(lower_is_ascii, ch == KELVIN_SIGN, "{ch:?}");
        }
        assert!(!could_lower_to_ascii("Москва"));
        assert!(!could_lower_to_ascii("Über"));
        assert!(could_lower_to_ascii("\u{212A}ELVIN"));
        assert!(lists.is_common("The"));
    }

    #[test]
    fn no_gazetteer_alias_is_a_common_word_or_role() {
        // Such an alias would turn every sentence opening with it into an entity.
        let lists = &*LISTS;
        let aliases = lists.names.iter().filter(|(_, node)| node.entry.is_some());
        for (alias, _) in aliases {
            if !alias.contains(' ') {
                assert!(!lists.is_common(alias), "`{alias}` is a common word");
                assert!(!lists.is_role(alias), "`{alias}` is a role");
            }
        }
    }

    #[test]
    fn one_lookup_per_token_says_what_the_slow_lookup_says() {
        let lists = &*LISTS;
        let tokens = [
            "the",
            "The",
            "THE",
            "tHe",
            "the.",
            "The.",
            "Mr.",
            "mr",
            "MR.",
            "Mr..",
            "Sen.",
            "SEN",
            "President",
            "president",
            "PRESIDENT",
            "A",
            "a",
            "I",
            "US",
            "us",
            "Us",
            "WHO",
            "Who",
            "who",
            "Über",
            "über",
            "Tuesday",
            "TUESDAY",
            "Putin",
            "spokesperson",
            "Says",
            "SAYS",
            "says",
            "sAys",
            "says.",
            "Over",
            "against",
            "Against",
            "AGAINST",
            "Againstx",
            "spokeswoman",
            "Spokeswoman",
            "Spokespersons",
            "Administration",
            "Administrations",
        ];
        for token in tokens {
            let info = lists.word_info(token);
            assert_eq!(
                (info.common, info.role),
                lists.common_and_role(token),
                "{token}"
            );
            assert_eq!(info.tell, is_title_case_tell(token), "{token}");
        }
        for word in lists
            .common
            .iter()
            .chain(&lists.roles)
            .chain(&WORDS.title_case_tells)
        {
            for form in forms(word) {
                let info = lists.word_info(&form);
                assert_eq!(
                    (info.common, info.role),
                    lists.common_and_role(&form),
                    "{form}"
                );
                assert_eq!(info.tell, is_title_case_tell(&form), "{form}");
            }
        }
    }
}
