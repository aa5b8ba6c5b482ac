//! Bylines: `By X and Y`, `BY X`, `Author: X`, `Von X`, `Par X`, `Por X`, a lone byline word
//! with the names below it, and the names before a date ("Jane Doe - Nov 19, 2019").

use docnorm_toolkit::dates::month_number;

use super::credit::{credited, handle};
use super::person::{name_line, person_name};
use crate::glued::glued_at;

/// Words that introduce a byline, lowercase, each followed by the names.
const BYLINE_PREFIXES: &[&str] = &[
    "by:",
    "by",
    "von:",
    "von",
    "par:",
    "par",
    "por:",
    "por",
    "written by",
    "words by",
    "author:",
    "authors:",
    "autor:",
    "autorin:",
    "autoren:",
    "auteur:",
    "auteur :",
    "auteurs:",
    "auteurs :",
    "autora:",
    "text:",
    "texto:",
];

/// Words that may precede "by" in a byline ("Analysis by X").
const BY_LEADS: &[&str] = &[
    "analysis",
    "commentary",
    "opinion",
    "photos",
    "report",
    "reporting",
    "story",
    "text",
    "video",
    "words",
];

/// Words joining two names in a byline.
const AND_WORDS: &[&str] = &[" and ", " & ", " und ", " et ", " y ", " e "];

/// Whether the line opens like a byline (`By …`, `Author: …`, `Analysis by …`), names or not.
pub fn opens_byline(text: &str) -> bool {
    strip_byline_prefix(text).is_some()
}

/// Whether the line is only a byline keyword, with the names on the next lines.
pub fn is_lone_byline_word(text: &str) -> bool {
    if text.len() > 12 {
        return false;
    }
    let t = text.trim().trim_end_matches(':').trim().to_lowercase();
    matches!(
        t.as_str(),
        "by" | "von"
            | "par"
            | "por"
            | "author"
            | "authors"
            | "autor"
            | "autorin"
            | "auteur"
            | "written by"
    )
}

/// The names of a byline line, or `None` when the line is not a byline.
pub fn byline(text: &str) -> Option<Vec<String>> {
    // Every byline prefix starts with one of these letters; most lines are rejected here.
    let first = text
        .trim_start()
        .bytes()
        .next()
        .map(|b| b.to_ascii_lowercase());
    if text.len() > 160
        || !matches!(
            first,
            Some(b'a' | b'b' | b'c' | b'o' | b'p' | b'r' | b's' | b't' | b'v' | b'w')
        )
    {
        return None;
    }
    let rest = strip_byline_prefix(text)?;
    // What follows the names: a separator, then dates, places, roles.
    let cut = names_end(rest);
    // "Meg JamesStaff Writer": the role is glued to the name.
    let cut = glued_at(&rest[..cut]).unwrap_or(cut);
    // A separator or a date right after the names.
    let after = rest[cut..].trim_start();
    let dated = after.starts_with(['-', '|', '—', '–', '·', '•'])
        || after.starts_with(|c: char| c.is_ascii_digit());
    let rest = rest[..cut].trim().trim_end_matches([',', ';', '.']);
    let mut names = Vec::new();
    // "By A, B and C" lists names; otherwise what follows the first comma is an outlet, a
    // place or a role.
    let last = rest.rsplit([',', ';']).next().unwrap_or("").trim();
    let listed =
        rest.contains([',', ';']) && (last.split(' ').any(is_and_word) || last.starts_with("and "));
    let take = if listed { usize::MAX } else { 1 };
    for (i, segment) in rest.split([',', ';']).take(take).enumerate() {
        let segment = segment.trim();
        let segment = segment
            .strip_prefix("and ")
            .or_else(|| segment.strip_prefix("und "))
            .unwrap_or(segment);
        // Every part of the segment must be a name, or none of them counts.
        let before = names.len();
        for part in split_and(segment) {
            let Some(name) = person_name(part) else {
                names.truncate(before);
                break;
            };
            names.push(name);
        }
        if names.len() == before {
            // The first segment must be names, or else a desk, an outlet or a single name
            // that the byline word credits ("By Reuters", "By Staff Reports", "by Regan");
            // later segments may be a place or an outlet.
            if i == 0 {
                return credited(segment)
                    .or_else(|| {
                        (dated && segment == rest)
                            .then(|| handle(segment))
                            .flatten()
                    })
                    .map(|name| vec![name]);
            }
            break;
        }
    }
    (!names.is_empty()).then_some(names)
}

/// Where the names of a byline end: at a separator (`|`, ` - `, `—`, `·`, `(`) or at a word
/// that introduces a date (`on`, `am`, `le`, `el`).
fn names_end(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    for (i, c) in rest.char_indices() {
        match c {
            '|' | '—' | '–' | '·' | '•' | '(' => return i,
            '@' => {
                // A handle glued to the name ("Jane Doe@janedoe") ends it at the `@`; an
                // address ("jdoe@example.org") ends it where the address starts.
                let from = rest[..i].rfind(' ').map_or(0, |s| s + 1);
                let glued = rest[from..i].chars().next().is_some_and(char::is_uppercase)
                    && rest[from..i].chars().all(char::is_alphabetic);
                return if glued { i } else { from.saturating_sub(1) };
            }
            ' ' => {
                let next = &bytes[i + 1..];
                let space = next.iter().position(|&b| b == b' ');
                let word = &rest[i + 1..i + 1 + space.unwrap_or(next.len())];
                if starts_date(word) {
                    return i;
                }
                // A dash or a date's preposition, followed by more words.
                if space.is_some() && matches!(word, "-" | "on" | "On" | "am" | "le" | "el") {
                    return i;
                }
            }
            _ => {}
        }
    }
    rest.len()
}

/// Whether a word opens a date or its label: a number, a month name, `Updated`, `Published`.
fn starts_date(word: &str) -> bool {
    match word.bytes().next() {
        Some(b'0'..=b'9') => return true,
        // Month names and labels open with a capital in a byline; trimming keeps the first
        // character, so a lower-case ASCII start rules the word out at once.
        Some(b) if b.is_ascii() && !b.is_ascii_uppercase() => return false,
        _ => {}
    }
    let bare = word.trim_end_matches(['.', ',', ':']);
    if bare.len() > 14 || !bare.chars().next().is_some_and(char::is_uppercase) {
        // Month names and labels open with a capital in a byline.
        return false;
    }
    let mut buf = [0u8; 14];
    let lower = if bare.is_ascii() {
        buf[..bare.len()].copy_from_slice(bare.as_bytes());
        buf[..bare.len()].make_ascii_lowercase();
        std::str::from_utf8(&buf[..bare.len()]).unwrap_or("")
    } else {
        return starts_date_slow(bare);
    };
    month_number(lower).is_some()
        || matches!(
            lower,
            "updated"
                | "published"
                | "posted"
                | "aktualisiert"
                | "veröffentlicht"
                | "publié"
                | "publicado"
                | "actualizado"
        )
}

/// [`starts_date`] for words with non-ASCII letters.
fn starts_date_slow(bare: &str) -> bool {
    let lower = bare.to_lowercase();
    month_number(&lower).is_some()
        || matches!(lower.as_str(), "aktualisiert" | "veröffentlicht" | "publié")
}

/// The name at the start of a date line ("Jane Doe - Nov 19, 2019, 10:31 pm"), if the text
/// before the date is a name and nothing else.
pub fn name_before_date(text: &str) -> Option<String> {
    let cut = names_end(text);
    let head = text[..cut]
        .trim()
        .trim_end_matches([',', '-', '|', '·', '–', '—']);
    name_line(head.trim())
}

fn strip_byline_prefix(text: &str) -> Option<&str> {
    let mut t = text.trim();
    // "Analysis by Jane Doe": drop the lead word.
    if let Some((lead, rest)) = t.split_once(' ')
        && rest.get(..3).is_some_and(|b| b.eq_ignore_ascii_case("by "))
        && BY_LEADS.iter().any(|l| l.eq_ignore_ascii_case(lead))
    {
        t = rest;
    }
    let first = t.as_bytes().first()?.to_ascii_lowercase();
    for prefix in BYLINE_PREFIXES {
        if prefix.as_bytes()[0] != first {
            continue;
        }
        let Some(head) = t.get(..prefix.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(prefix) {
            continue;
        }
        let rest = &t[prefix.len()..];
        let needs_space = !prefix.ends_with(':');
        if needs_space && !rest.starts_with(' ') {
            continue;
        }
        // "by" in lower case opens a clause more often than a byline ("by then, ..."); the
        // name test below rejects those.
        return Some(rest.trim());
    }
    None
}

/// Whether a word is one of [`AND_WORDS`] without its spaces.
fn is_and_word(word: &str) -> bool {
    word.len() <= 3 && AND_WORDS.iter().any(|a| a.trim_matches(' ') == word)
}

fn split_and(segment: &str) -> Vec<&str> {
    // One pass over the words, cutting at each joining word.
    let mut parts = Vec::with_capacity(2);
    let mut from = 0;
    let mut pos = 0;
    for word in segment.split(' ') {
        let end = pos + word.len();
        if is_and_word(word) {
            parts.push(segment[from..pos].trim());
            from = end;
        }
        pos = end + 1;
    }
    parts.push(segment[from..].trim());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Option<Vec<String>> {
        byline(s)
    }

    #[test]
    fn bylines_in_four_languages() {
        assert_eq!(names("By Jane Doe"), Some(vec!["Jane Doe".into()]));
        assert_eq!(
            names("By Jane Doe and John Q. Public"),
            Some(vec!["Jane Doe".into(), "John Q. Public".into()])
        );
        assert_eq!(names("Author: Ann Lee"), Some(vec!["Ann Lee".into()]));
        assert_eq!(
            names("Von Karl Meier und Eva Roth"),
            Some(vec!["Karl Meier".into(), "Eva Roth".into()])
        );
        assert_eq!(names("Par Jean Dupont"), Some(vec!["Jean Dupont".into()]));
        assert_eq!(names("Por María García"), Some(vec!["María García".into()]));
    }

    #[test]
    fn a_byline_word_credits_a_desk_an_agency_or_a_single_name() {
        assert_eq!(names("By Wirepress"), Some(vec!["Wirepress".into()]));
        assert_eq!(
            names("By Staff Reports -"),
            Some(vec!["Staff Reports".into()])
        );
        assert_eq!(
            names("By KXYZ Staff | November 18, 2019 at 2:26 PM"),
            Some(vec!["KXYZ Staff".into()])
        );
        assert_eq!(
            names("by Morgan September 15, 2014"),
            Some(vec!["Morgan".into()])
        );
        assert_eq!(
            names("Author:Example Riding Editorial StaffPublish date:Oct 4, 2018"),
            Some(vec!["Example Riding Editorial Staff".into()])
        );
        assert_eq!(
            names("By Friends of the Harbour"),
            Some(vec!["Friends of the Harbour".into()])
        );
        // Still no one: calendar words, roles alone, buttons, digits, lower-case words.
        assert_eq!(names("By Monday"), None);
        assert_eq!(names("By Staff Writer"), None);
        assert_eq!(names("By Category"), None);
        assert_eq!(names("By 2025"), None);
        assert_eq!(names("By then it was over"), None);
        assert_eq!(names("By The"), None);
    }

    #[test]
    fn a_user_name_is_credited_only_before_a_date() {
        assert_eq!(names("By admin - 2018-09-16"), Some(vec!["admin".into()]));
        assert_eq!(
            names("by jdoe_42 | March 7, 2024"),
            Some(vec!["jdoe_42".into()])
        );
        assert_eq!(names("By admin"), None);
        assert_eq!(names("by then - 2024"), None);
        assert_eq!(names("by hand, the 12 workers"), None);
    }

    #[test]
    fn upper_case_bylines_are_title_cased() {
        assert_eq!(names("BY JANE DOE"), Some(vec!["Jane Doe".into()]));
    }

    #[test]
    fn byline_stops_at_outlet_and_date() {
        assert_eq!(
            names("By Jane Doe, Example Daily | March 7, 2024"),
            Some(vec!["Jane Doe".into()])
        );
        assert_eq!(
            names("By Jane Doe, Staff Writer"),
            Some(vec!["Jane Doe".into()])
        );
    }

    #[test]
    fn a_sentence_starting_with_by_is_not_a_byline() {
        assert_eq!(
            names("By Thursday afternoon, the river had risen two metres."),
            None
        );
        assert_eq!(
            names("By the time the polls closed, turnout was high."),
            None
        );
        assert_eq!(names("By Monday Evening"), None);
        assert_eq!(names("By Staff Reporter"), None);
    }

    #[test]
    fn byline_with_a_glued_handle_or_a_capitalized_on() {
        assert_eq!(
            names("By Jane Doe@janedoe Nov 18, 2019, 11:47am EST"),
            Some(vec!["Jane Doe".into()])
        );
        assert_eq!(
            names("By Jane Doe On 11/13/19 at 4:00 PM EST"),
            Some(vec!["Jane Doe".into()])
        );
        assert_eq!(
            names("By Jane Doe jdoe@example.org"),
            Some(vec!["Jane Doe".into()])
        );
    }
}
