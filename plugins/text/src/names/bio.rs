//! Bio sentences ("X has worked as a staff writer at P", "X is the news editor of P"): the
//! person they are about and the publisher they name.

use super::person::{name_word, person_name};
use crate::lexicon;

/// Verbs that follow the name at the start of a bio sentence.
const BIO_VERBS: &[&str] = &[
    "is",
    "was",
    "has",
    "had",
    "worked",
    "works",
    "writes",
    "wrote",
    "covers",
    "covered",
    "joined",
    "reports",
    "reported",
    "edits",
    "serves",
    "ist",
    "war",
    "arbeitet",
    "schreibt",
    "est",
    "a",
    "travaille",
    "écrit",
    "es",
    "fue",
    "trabaja",
    "escribe",
];

/// Prepositions after which a bio names the publisher.
const PUBLISHER_PREPOSITIONS: &[&str] = &[
    "at", "for", "of", "with", "bei", "für", "chez", "pour", "au", "à", "para", "en", "in",
];

/// A bio sentence: the person it is about and the publisher it names, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio {
    /// The person the bio is about.
    pub name: String,
    /// The publication the bio says they work for, when it names one.
    pub publisher: Option<String>,
}

/// Reads a bio sentence: a name, a bio verb, and (with a role word, or `worked at`) the rest.
pub fn bio(text: &str, has_role_word: bool) -> Option<Bio> {
    // Cheap test first: a bio opens with two capitalized words.
    let mut head = text.split_whitespace();
    let capitalized = |w: Option<&str>| {
        w.and_then(|w| w.chars().next())
            .is_some_and(char::is_uppercase)
    };
    if !capitalized(head.next()) || !capitalized(head.next()) {
        return None;
    }
    // The verb comes right after a name of two to five words.
    if !text
        .split_whitespace()
        .skip(2)
        .take(4)
        .any(|w| BIO_VERBS.iter().any(|v| v.eq_ignore_ascii_case(w)))
    {
        return None;
    }
    // "Jane Doe (@janedoe) is a writer at …": the handle after the name is skipped.
    let words: Vec<&str> = text
        .split_whitespace()
        .take(60)
        .filter(|w| !(w.starts_with("(@") && w.ends_with(')')))
        .collect();
    let mut n = 0;
    while n < words.len() && n < 5 && name_word(words[n], n == 0).is_some() {
        n += 1;
    }
    if n < 2 {
        return None;
    }
    let verb = words.get(n)?.to_lowercase();
    if !BIO_VERBS.contains(&verb.as_str()) {
        return None;
    }
    let worked_at = || {
        words.windows(2).any(|w| {
            (lower_is(w[0], "worked") || lower_is(w[0], "works"))
                && (lower_is(w[1], "at") || lower_is(w[1], "for"))
        })
    };
    if !has_role_word && !worked_at() {
        return None;
    }
    let name = person_name(&words[..n].join(" "))?;
    let publisher = publisher_after(&words, n + 1);
    Some(Bio { name, publisher })
}

/// Whether `word` lower-cases to `lower` (without allocating for ASCII words).
fn lower_is(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        word.eq_ignore_ascii_case(lower)
    } else {
        word.to_lowercase() == lower
    }
}

/// The first capitalized run after a preposition, from word `from` on, within the first
/// sentence.
fn publisher_after(words: &[&str], from: usize) -> Option<String> {
    let mut i = from;
    while i + 1 < words.len() {
        let w = words[i];
        if w.ends_with('.') && i > from {
            // The first sentence ended.
            return None;
        }
        let lw = w.to_lowercase();
        if PUBLISHER_PREPOSITIONS.contains(&lw.as_str())
            && let Some(p) = capitalized_run(&words[i + 1..])
        {
            return Some(p);
        }
        i += 1;
    }
    None
}

fn capitalized_run(words: &[&str]) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for w in words.iter().take(6) {
        let core = w.trim_end_matches([',', '.', ';', ':', ')', '’', '\'', '"', '”']);
        let first = core.chars().next()?;
        let connector = matches!(
            core,
            "of" | "and" | "&" | "de" | "du" | "der" | "für" | "la"
        );
        if !(first.is_uppercase() || (connector && !out.is_empty())) {
            break;
        }
        if first.is_uppercase() && lexicon::is_calendar_word(&core.to_lowercase()) {
            break;
        }
        out.push(core);
        if core.len() != w.len() {
            break;
        }
    }
    while out
        .last()
        .is_some_and(|w| w.chars().next().is_some_and(|c| !c.is_uppercase()))
    {
        out.pop();
    }
    let content = out
        .iter()
        .filter(|w| !lexicon::is_stopword(&w.to_lowercase()))
        .count();
    (content > 0).then(|| out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bios_name_person_and_publisher() {
        assert_eq!(
            bio(
                "Jane Doe has worked as a staff writer at The Daily Example since 2019.",
                true
            ),
            Some(Bio {
                name: "Jane Doe".into(),
                publisher: Some("The Daily Example".into())
            })
        );
        assert_eq!(
            bio(
                "Jane Doe worked at Example Weekly from 2020 to 2022 as an editor.",
                true
            ),
            Some(Bio {
                name: "Jane Doe".into(),
                publisher: Some("Example Weekly".into())
            })
        );
        assert_eq!(
            bio(
                "John Roe is the news editor of, follow him on social media.",
                true
            ),
            Some(Bio {
                name: "John Roe".into(),
                publisher: None
            })
        );
        assert_eq!(
            bio(
                "Jane Doe (@janedoe) is a contributor at Example Weekly and hosts a podcast.",
                true
            ),
            Some(Bio {
                name: "Jane Doe".into(),
                publisher: Some("Example Weekly".into())
            })
        );
        // No role: a sentence about someone, not a bio.
        assert_eq!(
            bio("Jane Doe is the president of Example Corp.", false),
            None
        );
    }
}
