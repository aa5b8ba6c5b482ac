//! What a byline credits when no person is named: a desk, an agency or a single name
//! ("By Staff Reports", "By Reuters", "by Regan"), a user name before a date, a wire
//! dateline's agency ("WASHINGTON (AP) — …") and a credit running into the date ("Reuters,
//! Washington,").

use super::person::{ROLE_TAIL_WORDS, lowercase, name_line, person_name};
use crate::lexicon::{self, Kind};
use crate::lines::count_words_upto;

/// Lowercase words that may join the capitalized words of a credited desk or outlet
/// ("Friends of the Earth", "Marks & Spencer").
const CREDIT_JOINERS: &[&str] = &[
    "&", "of", "the", "for", "de", "du", "des", "del", "la", "le",
];

/// What a byline word credits when it is not a person's full name: a desk, an agency or an
/// outlet ("Reuters", "Staff Reports", "The Associated Press", "Example Editorial Staff") or a
/// single name ("Regan"). One to six capitalized words (lowercase joiners such as "of" or
/// "&" between them), no digits, no calendar, interface, button or navigation word, not only
/// roles ("Staff Reporter") and never a lone function word, so "By Thursday afternoon, …" and
/// "By the time …" credit no one. Also the name on the line under a lone "By" ("Al Root",
/// whose first word is a function word elsewhere).
pub fn credited(text: &str) -> Option<String> {
    let text = without_trailing_separator(text);
    let count = count_words_upto(text, 7);
    if text.len() > 60 || !(1..=6).contains(&count) {
        return None;
    }
    let mut substantive = 0;
    for (i, w) in text.split_whitespace().enumerate() {
        let (mut buf, mut owned) = ([0u8; 40], String::new());
        let lower = lowercase(w, &mut buf, &mut owned);
        if i > 0 && CREDIT_JOINERS.contains(&lower) {
            continue;
        }
        if !w.chars().next().is_some_and(char::is_uppercase)
            || !w
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
        {
            return None;
        }
        let kind = lexicon::kind_of(lower.trim_end_matches('.'));
        if kind.intersects(Kind::CALENDAR | Kind::UI) || lexicon::CHROME_WORDS.contains(&lower) {
            return None;
        }
        if !kind.intersects(Kind::STOP | Kind::ROLE) && !ROLE_TAIL_WORDS.contains(&lower) {
            substantive += 1;
        }
    }
    (substantive > 0).then(|| text.to_owned())
}

/// A user name credited by a byline word and followed by a date ("By admin - 2018-09-16",
/// `by jdoe_42 | March 7`): one lower-case word of letters, digits and `_`, `.`, `-`, not a
/// function word, so "by then - 2024" credits no one.
pub(super) fn handle(text: &str) -> Option<String> {
    let text = without_trailing_separator(text);
    let valid = (2..=30).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !lexicon::kind_of(text).intersects(Kind::STOP | Kind::CALENDAR);
    valid.then(|| text.to_owned())
}

/// `text` trimmed, without a dash or bar left after the names ("By Staff Reports -").
fn without_trailing_separator(text: &str) -> &str {
    text.trim()
        .trim_end_matches(['-', '–', '—', '|', ':'])
        .trim_end()
}

/// The credit of a line that names who and where and runs on into the date on the next
/// line: "Reuters, Washington," / "Jane Doe, New Delhi," (the trailing comma).
pub fn credit_with_place(text: &str) -> Option<String> {
    let text = text.trim();
    let (who, place) = text.strip_suffix(',')?.split_once(", ")?;
    let place_ok = (1..=3).contains(&count_words_upto(place, 4)) && credited(place).is_some();
    if !place_ok {
        return None;
    }
    name_line(who).or_else(|| credited(who))
}

/// The agency of a wire-service dateline opening the article: "WASHINGTON (Reuters) - …",
/// "VIENNA, Austria (AP) — …", "(Example Wire) — …": a place of capitalized words (or none),
/// the agency in parentheses, then a dash.
pub fn wire_credit(text: &str) -> Option<String> {
    let open = text.get(..60).unwrap_or(text).find('(')?;
    let place = text[..open].trim().trim_end_matches(',');
    let place_ok = place.split([' ', ',']).filter(|w| !w.is_empty()).all(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
    });
    let close = open + text[open..].find(')')?;
    let after = text[close + 1..].trim_start();
    let dashed = after.starts_with(['-', '—', '–']);
    let agency = &text[open + 1..close];
    if !place_ok || !dashed || count_words_upto(agency, 4) > 3 {
        return None;
    }
    credited(agency)
}

/// The name of a line holding a person's name and the outlet they write for, next to a date:
/// "Jane Doe, Example Daily".
pub fn name_with_outlet(text: &str) -> Option<String> {
    let (name, outlet) = text.split_once(", ")?;
    let name = person_name(name.trim())?;
    (count_words_upto(outlet, 5) <= 4 && credited(outlet).is_some()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_datelines_credit_their_agency() {
        assert_eq!(
            wire_credit("WASHINGTON (Wirepress) - Scientists on Monday unveiled a map."),
            Some("Wirepress".into())
        );
        assert_eq!(
            wire_credit("VIENNA, Austria (XP) — The house will be a police station."),
            Some("XP".into())
        );
        assert_eq!(
            wire_credit("(Example Wire) — The attorney general is investigating."),
            Some("Example Wire".into())
        );
        // Parentheses in a sentence, or without the dash, credit no one.
        assert_eq!(
            wire_credit("The council (which met on Monday) - as expected - agreed."),
            None
        );
        assert_eq!(wire_credit("WASHINGTON (Wirepress) Scientists said."), None);
        assert_eq!(wire_credit("Prices rose (2.5%) — a record."), None);
    }

    #[test]
    fn a_credit_with_its_place_running_into_the_date() {
        assert_eq!(
            credit_with_place("Wirepress, Washington,"),
            Some("Wirepress".into())
        );
        assert_eq!(
            credit_with_place("Jane Doe, New Delhi,"),
            Some("Jane Doe".into())
        );
        assert_eq!(credit_with_place("Wirepress, Washington"), None);
        assert_eq!(credit_with_place("Apples, pears, and more,"), None);
    }

    #[test]
    fn a_name_with_its_outlet() {
        assert_eq!(
            name_with_outlet("Jane Doe, Example Daily"),
            Some("Jane Doe".into())
        );
        assert_eq!(name_with_outlet("Jane Doe, who spoke on Monday"), None);
        assert_eq!(name_with_outlet("Council meeting, Town Hall"), None);
    }
}
