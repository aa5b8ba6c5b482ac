//! Entities: people, places and organizations named in the title and body, found without a
//! statistical model.
//!
//! Each line is cut into tokens; punctuation, possessives (`Biden’s`) and line ends close a
//! phrase. Then, left to right:
//!
//! 1. A phrase in the bundled gazetteers (see `gazetteer`), longest first, is a place or an
//!    organization under the gazetteer's name (`U.S.` → `United States`, `New York Times` →
//!    `The New York Times`).
//! 2. Common words (`The`, `However`, `Tuesday`, `Russian`) never start or join a phrase, so
//!    a word capitalized only because it opens a sentence never becomes an entity.
//! 3. An honorific or role (`President`, `Mr.`, `Sen.`, `spokesperson`) makes the capitalized
//!    phrase after it a person.
//! 4. Any other run of capitalized words is a person when it starts with a known given name,
//!    an organization when it ends like one (`… University`, `… Party`, `Bank of …`), a place
//!    when it ends like one (`… County`, `Gulf of …`); otherwise it is not an entity.
//! 5. Full names absorb their surnames: `Putin` alone counts for `Vladimir Putin` when both
//!    occur, and a surname never seen with a role or a full name is dropped.
//!
//! A line in title case (a headline) is read word by word, since there capitals say nothing
//! about names. Entities are listed in order of first mention, title first.

use std::borrow::Cow;
use std::collections::HashMap;

use docnorm_plugin_api::Entities;
use docnorm_plugin_api::deadline::Ticker;

use crate::gazetteer::{LISTS, Lists};
use crate::tokens::{Token, tokenize_into};
use crate::words::{Kind, WORDS};

/// The entities named in `title` and `body`.
pub fn entities(title: Option<&str>, body: &str) -> Entities {
    let lists = &*LISTS;
    let mut mentions = Vec::new();
    // Reused from line to line: a document costs a few allocations, not a few per line.
    let mut tokens = Vec::new();
    let mut key = String::new();
    let mut ticker = Ticker::default();
    for line in title.into_iter().chain(body.lines()) {
        if ticker.expired() {
            // The plugin call is past its time limit: the caller checks it and drops this.
            break;
        }
        tokens.clear();
        tokenize_into(line, &mut tokens, Some(lists));
        let mode = if is_title_case(&tokens) {
            Mode::WordByWord
        } else {
            Mode::Phrases
        };
        Scanner {
            lists,
            tokens: &tokens,
            mode,
            mentions: &mut mentions,
            key: &mut key,
        }
        .scan();
    }
    resolve(&mentions)
}

/// A name as it occurs, before surnames are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention<'t> {
    /// `None`: a capitalized word that is a person only if it is a known person's surname.
    kind: Option<Kind>,
    /// Borrowed from the text or the gazetteer unless the words had to be joined.
    name: Cow<'t, str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Phrases,
    WordByWord,
}

struct Scanner<'s, 't> {
    lists: &'static Lists,
    tokens: &'s [Token<'t>],
    mode: Mode,
    mentions: &'s mut Vec<Mention<'t>>,
    /// Buffer for gazetteer keys.
    key: &'s mut String,
}

impl<'t> Scanner<'_, 't> {
    fn scan(&mut self) {
        let tokens = self.tokens;
        let mut role = false;
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            let run = self.run_at(i);
            if let Some((len, kind, canonical)) = self.known_at(i) {
                // A longer capitalized run opening with a given name is a person whose name
                // contains a place (`Jordan Peterson`, `Lloyd Austin` is handled by rule 4).
                if !(run > len && token.kind.given_name) {
                    self.push(Some(kind), Cow::Borrowed(canonical));
                    i += len;
                    role = false;
                    continue;
                }
            }
            if !token.is_capitalized() {
                role = role_continues(token, role);
                i += 1;
                continue;
            }
            if token.kind.role && self.mode == Mode::Phrases {
                role = !token.closes;
                i += 1;
                continue;
            }
            if run == 0 {
                // A common word: the role, if any, carries over (`Secretary of State X`).
                role = role && !token.closes;
                i += 1;
                continue;
            }
            let words = &tokens[i..i + run];
            self.classify(words, role);
            role = false;
            i += run;
        }
    }

    /// The length of the capitalized phrase starting at `i`: 0 when the token cannot start
    /// one (a common word that is not a given name followed by a name).
    fn run_at(&self, i: usize) -> usize {
        let tokens = self.tokens;
        let first = &tokens[i];
        if !first.is_capitalized() || first.kind.role {
            return 0;
        }
        if self.mode == Mode::WordByWord {
            return usize::from(!first.kind.common);
        }
        let mut end = i + 1;
        while end < tokens.len() && !tokens[end - 1].closes && tokens[end].joins() {
            end += 1;
        }
        // `Bank of England`, `Gulf of Mexico`: a head word may take an `of` phrase.
        if end + 1 < tokens.len()
            && !tokens[end - 1].closes
            && tokens[end].text == "of"
            && !tokens[end].closes
            && is_head(tokens[end - 1].text)
            && tokens[end + 1].joins()
        {
            end += 2;
            while end < tokens.len() && !tokens[end - 1].closes && tokens[end].joins() {
                end += 1;
            }
        }
        let common = first.kind.common;
        if common && !(end > i + 1 && first.kind.given_name) {
            return 0;
        }
        end - i
    }

    /// The longest gazetteer name starting at `i`: `(tokens, kind, canonical name)`.
    ///
    /// The key grows one token at a time and stops as soon as no alias starts with it, so
    /// most candidates cost one lookup.
    fn known_at(&mut self, i: usize) -> Option<(usize, Kind, &'static str)> {
        let tokens = self.tokens;
        if !tokens[i].kind.starts_name {
            return None;
        }
        let mut reach = i;
        while reach < tokens.len() && reach - i < self.lists.longest {
            reach += 1;
            if tokens[reach - 1].closes {
                break;
            }
        }
        let key = &mut *self.key;
        key.clear();
        let mut found = None;
        for (n, token) in tokens[i..reach].iter().enumerate() {
            if n > 0 {
                key.push(' ');
            }
            key.push_str(token.text);
            let Some(node) = self.lists.node(key) else {
                break;
            };
            if let Some(entry) = node.entry {
                found = Some((n + 1, entry.kind, entry.canonical));
            }
            if !node.continues {
                break;
            }
        }
        found
    }

    fn classify(&mut self, words: &[Token<'t>], role: bool) {
        let first = words[0].text;
        let last = words[words.len() - 1].text.trim_end_matches('.');
        let has_of = words.iter().any(|w| w.text == "of");
        let kind = if has_of {
            Some(if WORDS.place_heads.contains(&first) {
                Kind::Place
            } else {
                Kind::Organization
            })
        } else if role {
            Some(Kind::Person)
        } else if words.len() < 2 {
            None
        } else if WORDS.organization_ends.contains(&last) {
            Some(Kind::Organization)
        } else if WORDS.place_ends.contains(&last) || WORDS.place_starts.contains(&first) {
            Some(Kind::Place)
        } else if words[0].kind.given_name {
            Some(Kind::Person)
        } else {
            // An unknown capitalized phrase: its words may still be surnames of people named
            // elsewhere.
            for word in words {
                self.push(None, Cow::Borrowed(word.text));
            }
            return;
        };
        self.push(kind, join(words));
    }

    fn push(&mut self, kind: Option<Kind>, name: Cow<'t, str>) {
        self.mentions.push(Mention { kind, name });
    }
}

/// Whether a lower-case `token` keeps a pending role alive: `Secretary of State`, `the`.
fn role_continues(token: &Token<'_>, role: bool) -> bool {
    if token.closes {
        return false;
    }
    if token.kind.role {
        return true;
    }
    role && matches!(token.text, "of" | "the")
}

/// Words after which `of` and a name continue the phrase.
fn is_head(word: &str) -> bool {
    WORDS.organization_heads.contains(&word) || WORDS.place_heads.contains(&word)
}

/// What the text says of one name, gathered over all its mentions.
#[derive(Debug, Default)]
struct Name<'m> {
    /// Mentioned as a person.
    person: bool,
    /// For a single word: the first full name of a person that ends with it.
    full: Option<&'m str>,
    /// Already listed, per [`Kind`].
    listed: [bool; 3],
}

/// Gives each mention its final name and kind, and lists them by first mention.
///
/// Everything known about a name sits in one table looked up a few times per mention, so the
/// work is linear in the mentions. The table is keyed by the document's words, so it uses the
/// standard library's keyed hash: a document cannot choose words that collide (the word
/// lists' fast hash is for our own words).
fn resolve(mentions: &[Mention<'_>]) -> Entities {
    let mut names: HashMap<&str, Name<'_>> = HashMap::new();
    for mention in mentions.iter().filter(|m| m.kind == Some(Kind::Person)) {
        let name = mention.name.as_ref();
        names.entry(name).or_default().person = true;
        // Single-word names point to the first full name ending with them.
        if let Some((_, surname)) = name.rsplit_once(' ') {
            names.entry(surname).or_default().full.get_or_insert(name);
        }
    }
    let mut entities = Entities::default();
    for mention in mentions {
        let name = mention.name.as_ref();
        let (kind, name) = match mention.kind {
            Some(Kind::Person) | None => {
                let name = names.get(name).and_then(|n| n.full).unwrap_or(name);
                let known = mention.kind.is_some() || names.get(name).is_some_and(|n| n.person);
                if !known {
                    continue;
                }
                (Kind::Person, name)
            }
            Some(kind) => (kind, name),
        };
        let listed = &mut names.entry(name).or_default().listed[kind as usize];
        if std::mem::replace(listed, true) {
            continue;
        }
        let list = match kind {
            Kind::Person => &mut entities.people,
            Kind::Place => &mut entities.places,
            Kind::Organization => &mut entities.organizations,
        };
        list.push(name.to_owned());
    }
    entities
}

fn join<'t>(words: &[Token<'t>]) -> Cow<'t, str> {
    if let [word] = words {
        return Cow::Borrowed(word.text);
    }
    let mut name = String::new();
    for (n, word) in words.iter().enumerate() {
        if n > 0 {
            name.push(' ');
        }
        name.push_str(word.text);
    }
    Cow::Owned(name)
}

/// Whether a line is a headline in title case: the small words that running prose writes in
/// lower case (`Says`, `Has`, `With`) are mostly capitalized. Capitals alone say nothing: a
/// sentence full of names is mostly capitalized too.
fn is_title_case(tokens: &[Token<'_>]) -> bool {
    let (mut upper, mut lower) = (0usize, 0usize);
    for token in tokens.iter().skip(1).filter(|t| t.kind.tell) {
        if token.is_capitalized() {
            upper += 1;
        } else {
            lower += 1;
        }
    }
    upper >= 2 && upper > lower
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Entities {
        entities(None, text)
    }

    #[test]
    fn roles_and_given_names_find_people() {
        let found = names(
            "President Biden met Russian President Vladimir Putin. Kremlin spokesperson \
             Dmitry Peskov said so, and Ed O'Keefe reported it. Putin and Peskov left.",
        );
        assert_eq!(
            found.people,
            ["Biden", "Vladimir Putin", "Dmitry Peskov", "Ed O'Keefe"]
        );
        assert_eq!(found.organizations, ["Kremlin"]);
    }

    #[test]
    fn full_names_absorb_surnames_mentioned_first() {
        let found = entities(
            Some("Macron visits Berlin"),
            "French President Emmanuel Macron met German Chancellor Olaf Scholz in Berlin.",
        );
        assert_eq!(found.people, ["Emmanuel Macron", "Olaf Scholz"]);
        assert_eq!(found.places, ["Berlin"]);
    }

    #[test]
    fn gazetteer_names_use_their_canonical_form() {
        let found = names(
            "The U.S. and the European Union, reports the New York Times, while The Wall \
             Street Journal and CBS News' anchor disagree about Kyiv and the Russian Federation.",
        );
        assert_eq!(found.places, ["United States", "Kyiv", "Russia"]);
        assert_eq!(
            found.organizations,
            [
                "European Union",
                "The New York Times",
                "The Wall Street Journal",
                "CBS News"
            ]
        );
    }

    #[test]
    fn sentence_initial_common_words_are_never_entities() {
        let found = names(
            "However, the talks stalled. Instead officials waited. Tuesday was quiet. In \
             Washington, nothing moved. The Summit went on. Escape your echo chamber.",
        );
        assert!(found.people.is_empty(), "{found:?}");
        assert!(found.organizations.is_empty(), "{found:?}");
        assert_eq!(found.places, ["Washington"]);
    }

    #[test]
    fn unknown_capitalized_phrases_are_not_guessed() {
        let found = names("The Situation Room was busy and Zoom was not used.");
        assert_eq!(found, Entities::default());
    }

    #[test]
    fn shapes_of_organizations_and_places() {
        let found = names(
            "She studied at Columbia University and the University of Chicago, then sailed \
             the Gulf of Mexico to Orange County.",
        );
        assert_eq!(
            found.organizations,
            ["Columbia University", "University of Chicago"]
        );
        assert_eq!(found.places, ["Gulf of Mexico", "Orange County"]);
    }

    #[test]
    fn a_title_case_headline_is_read_word_by_word() {
        let found = entities(
            Some("Biden Says He Has ‘No Immediate Plans’ to Contact Putin"),
            "President Biden spoke about Russian President Vladimir Putin.",
        );
        assert_eq!(found.people, ["Biden", "Vladimir Putin"]);
    }

    #[test]
    fn a_given_name_before_a_place_name_is_a_person() {
        let found = names("Defense Secretary Lloyd Austin and Jordan Peterson visited Jordan.");
        assert_eq!(found.people, ["Lloyd Austin", "Jordan Peterson"]);
        assert_eq!(found.places, ["Jordan"]);
    }
}
