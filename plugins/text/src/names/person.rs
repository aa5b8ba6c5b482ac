//! A person's name as a byline or a bio writes it: two to five capitalized words (initials
//! and particles such as `van`, `de` allowed) that are neither function words, calendar
//! words nor job titles; a line holding only a name, or a name and a role or button.

use crate::glued::glued_at;
use crate::lexicon::{self, Kind};
use crate::lines::count_words_upto;

/// Lower-case name particles (allowed inside a name, never first).
const PARTICLES: &[&str] = &[
    "al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el", "la",
    "le", "ten", "ter", "van", "von", "zu",
];

/// Words after a name that make it a byline with a role or a button: "Senior Contributor",
/// "View More Articles".
pub(super) const ROLE_TAIL_WORDS: &[&str] =
    &["articles", "contributing", "senior", "staff", "view"];

/// The name when the whole line is a person's name (two to five name words).
pub fn name_line(text: &str) -> Option<String> {
    if text.len() > 60 {
        return None;
    }
    person_name(text.trim())
}

/// A person's name in canonical case, or `None`.
pub fn person_name(text: &str) -> Option<String> {
    // Six words are as bad as sixty.
    let count = count_words_upto(text, 6);
    if !(2..=5).contains(&count) {
        return None;
    }
    // Reject cheaply before allocating: every word must pass the name test.
    let mut words = [""; 5];
    let mut kinds = [NameWord::Full; 5];
    for (i, w) in text.split_whitespace().enumerate() {
        kinds[i] = name_word(w, i == 0)?;
        words[i] = w;
    }
    let (words, kinds) = (&words[..count], &kinds[..count]);
    let all_upper = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    let mut out = String::with_capacity(text.len());
    let mut full_words = 0;
    for (i, (w, &kind)) in words.iter().zip(kinds).enumerate() {
        if kind == NameWord::Full {
            full_words += 1;
        }
        if i > 0 {
            out.push(' ');
        }
        if all_upper && kind == NameWord::Full {
            out.push_str(&title_case(w));
        } else {
            out.push_str(w);
        }
    }
    // The last word is never the first (a name has two words or more), so its kind stands.
    (full_words >= 1 && kinds[count - 1] == NameWord::Full).then_some(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameWord {
    Full,
    Initial,
    Particle,
}

pub(super) fn name_word(w: &str, first: bool) -> Option<NameWord> {
    if !first && w.len() <= 5 && PARTICLES.iter().any(|p| p.eq_ignore_ascii_case(w)) {
        return Some(NameWord::Particle);
    }
    let c0 = w.chars().next()?;
    if !c0.is_uppercase() {
        return None;
    }
    if w.len() > 40 {
        return None;
    }
    let (mut buf, mut owned) = ([0u8; 40], String::new());
    let lower = lowercase(w, &mut buf, &mut owned);
    if !w
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    {
        return None;
    }
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 || (letters == 2 && w.ends_with('.') && w.chars().nth(1) == Some('.')) {
        return Some(NameWord::Initial);
    }
    if w.ends_with('.') && letters <= 3 {
        // "Jr.", "St." and other abbreviations: part of a name, not enough on their own.
        return Some(NameWord::Initial);
    }
    let bare = lower.trim_end_matches('.');
    if lexicon::kind_of(bare).intersects(NOT_NAME_KINDS) {
        return None;
    }
    Some(NameWord::Full)
}

/// Lexicon kinds never part of a name: function, calendar, role and interface words, and
/// the desk and chrome words ([`Kind::NOT_NAME`]).
const NOT_NAME_KINDS: Kind = Kind::STOP
    .union(Kind::CALENDAR)
    .union(Kind::ROLE)
    .union(Kind::UI)
    .union(Kind::NOT_NAME);

/// The name of a line holding a name and then only a role or a button: "Jane Doe Senior
/// Contributor", `Jane DawsonView More Articles` (the button glued to the name).
pub fn name_with_role(text: &str) -> Option<String> {
    if text.len() > 80 {
        return None;
    }
    let text = text.trim();
    if let Some(at) = glued_at(text) {
        let (head, tail) = text.split_at(at);
        return (only_role_words(tail)).then(|| name_line(head)).flatten();
    }
    // Every tail tried below ends with the last word; when that word is no role word nor
    // one allowed beside them, no tail is only role words.
    text.split_whitespace().next_back().and_then(role_word)?;
    // Where each word after the second starts: the name may end before any of them.
    let starts = text
        .char_indices()
        .filter(|&(i, c)| !c.is_whitespace() && i > 0 && text[..i].ends_with(char::is_whitespace))
        .map(|(i, _)| i)
        .skip(1)
        .take(5);
    starts
        .map(|cut| text.split_at(cut))
        .find(|(_, tail)| only_role_words(tail))
        .and_then(|(head, _)| person_name(head.trim()))
}

/// Whether every word is a role or button word and one at least is ("Senior Contributor",
/// "View More Articles", "Staff Writer").
fn only_role_words(text: &str) -> bool {
    let mut any = false;
    for w in text.split_whitespace() {
        match role_word(w) {
            Some(role) => any |= role,
            None => return false,
        }
    }
    any
}

/// How a word counts in [`only_role_words`]: `Some(true)` for a role or button word,
/// `Some(false)` for a word allowed beside them (a function word, "Senior"), `None` for
/// any other.
fn role_word(w: &str) -> Option<bool> {
    let (mut buf, mut owned) = ([0u8; 40], String::new());
    let lower = lowercase(
        w.trim_matches(|c: char| !c.is_alphanumeric()),
        &mut buf,
        &mut owned,
    );
    let kind = lexicon::kind_of(lower);
    if kind.intersects(Kind::ROLE | Kind::UI) || ROLE_TAIL_WORDS.contains(&lower) {
        Some(true)
    } else if kind.intersects(Kind::NOT_NAME | Kind::STOP) {
        Some(false)
    } else {
        None
    }
}

/// `w` in lower case: ASCII words (nearly all) in the stack buffer, others in `owned`.
pub(super) fn lowercase<'b>(w: &str, buf: &'b mut [u8; 40], owned: &'b mut String) -> &'b str {
    if w.is_ascii() && w.len() <= buf.len() {
        let b = &mut buf[..w.len()];
        b.copy_from_slice(w.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).unwrap_or("")
    } else {
        *owned = w.to_lowercase();
        owned
    }
}

fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, '-' | '\'' | '’' | '.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_followed_by_a_role_or_a_button() {
        assert_eq!(
            name_with_role("Jane Q. Doe Senior Contributor"),
            Some("Jane Q. Doe".into())
        );
        assert_eq!(
            name_with_role("Jane DawsonView More Articles"),
            Some("Jane Dawson".into())
        );
        // A section label followed by a label word is no name.
        assert_eq!(name_with_role("Home Music Music News"), None);
        assert_eq!(name_with_role("Jane Doe"), None);
    }

    #[test]
    fn navigation_labels_and_credits_are_not_names() {
        assert_eq!(name_line("Previous Post"), None);
        assert_eq!(name_line("Order Reprints"), None);
        assert_eq!(name_line("Getty Images"), None);
        assert_eq!(name_line("CAR REVIEWS"), None);
    }

    #[test]
    fn name_lines() {
        assert_eq!(
            name_line("Jane van der Berg"),
            Some("Jane van der Berg".into())
        );
        assert_eq!(name_line("Most Popular"), None);
        assert_eq!(name_line("Share this"), None);
        assert_eq!(name_line("Jane"), None);
    }
}
