//! Metadata scoring against the benchmark's `meta-truth.json`.
//!
//! The truth is what each page's `<head>` declares. A record's field is right when, after
//! folding, it matches: titles equal after folding whitespace, case and quote style (the
//! page's title as given, or without a trailing " - Site" / " | Site" / " — Site" suffix);
//! authors as a set of folded names; published on the same calendar day; the publisher's
//! name folded; language on its primary subtag. For the plain-text copies a field counts
//! only on pages where its value occurs in the copy (see [`occurs_in`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One page's entry in `meta-truth.json`; only fields the page declares are present.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MetaTruth {
    /// `og:title`, else `<title>`.
    pub title: Option<String>,
    /// Author names.
    #[serde(default)]
    pub authors: Vec<String>,
    /// ISO 8601 date or timestamp.
    pub published: Option<String>,
    /// Site name.
    pub publisher: Option<String>,
    /// `<html lang>` as written.
    pub language: Option<String>,
}

/// The metadata fields scored, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `title`.
    Title,
    /// `authors[].name`.
    Authors,
    /// `published`.
    Published,
    /// `publisher.name`.
    Publisher,
    /// `language`.
    Language,
}

impl Field {
    /// Every scored field.
    pub const ALL: [Field; 5] = [
        Field::Title,
        Field::Authors,
        Field::Published,
        Field::Publisher,
        Field::Language,
    ];

    /// The record field's name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Authors => "authors",
            Field::Published => "published",
            Field::Publisher => "publisher",
            Field::Language => "language",
        }
    }
}

/// The truth of one field on one page, when the page declares it.
pub fn truth_value(truth: &MetaTruth, field: Field) -> Option<String> {
    match field {
        Field::Title => truth.title.clone(),
        Field::Authors => (!truth.authors.is_empty()).then(|| truth.authors.join("; ")),
        Field::Published => truth.published.clone(),
        Field::Publisher => truth.publisher.clone(),
        Field::Language => truth.language.clone(),
    }
}

/// What a record says for one field, shown in reports; `None` when it says nothing.
pub fn predicted_value(record: &Value, field: Field) -> Option<String> {
    let text = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match field {
        Field::Title => text(&record["title"]),
        Field::Authors => {
            let names = author_names(record);
            (!names.is_empty()).then(|| names.join("; "))
        }
        Field::Published => text(&record["published"]),
        Field::Publisher => text(&record["publisher"]["name"]),
        Field::Language => text(&record["language"]),
    }
}

/// Whether the record's value of `field` matches the truth. The truth must be present.
pub fn is_correct(record: &Value, truth: &MetaTruth, field: Field) -> bool {
    let Some(predicted) = predicted_value(record, field) else {
        return false;
    };
    match field {
        Field::Title => truth
            .title
            .as_deref()
            .is_some_and(|t| title_matches(&predicted, t)),
        Field::Authors => authors_match(&author_names(record), &truth.authors),
        Field::Published => truth
            .published
            .as_deref()
            .is_some_and(|t| same_day(&predicted, t)),
        Field::Publisher => truth
            .publisher
            .as_deref()
            .is_some_and(|t| fold(&predicted) == fold(t)),
        Field::Language => truth
            .language
            .as_deref()
            .is_some_and(|t| primary_subtag(&predicted) == primary_subtag(t)),
    }
}

/// Whether the truth of `field` can be found in a page's plain-text copy, `folded_text`
/// being the copy passed through [`fold`].
///
/// Titles, author names and publisher names must occur verbatim after folding; a date in
/// one of the common written forms ("November 19, 2019", "19 Nov 2019", "2019-11-19",
/// "11/19/2019" ...). Language is a property of the text itself, so it always counts.
pub fn occurs_in(truth: &MetaTruth, field: Field, folded_text: &str) -> bool {
    let has = |s: &str| {
        let s = fold(s);
        !s.is_empty() && folded_text.contains(&s)
    };
    match field {
        Field::Title => truth
            .title
            .as_deref()
            .is_some_and(|t| has(t) || strip_site_suffix(t).is_some_and(has)),
        Field::Authors => !truth.authors.is_empty() && truth.authors.iter().all(|a| has(a)),
        Field::Published => truth
            .published
            .as_deref()
            .is_some_and(|t| date_occurs(t, folded_text)),
        Field::Publisher => truth.publisher.as_deref().is_some_and(has),
        Field::Language => truth.language.is_some(),
    }
}

/// Folds whitespace, case and quote style (and the ellipsis character), for comparing
/// titles and names.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => {
                out.push('\'');
            }
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => out.push('"'),
            '\u{2026}' => out.push_str("..."),
            c if c.is_whitespace() => out.push(' '),
            c => out.extend(c.to_lowercase()),
        }
    }
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The title without a trailing site suffix (" - Site", " | Site", " — Site", " – Site").
pub fn strip_site_suffix(title: &str) -> Option<&str> {
    [" - ", " | ", " \u{2014} ", " \u{2013} "]
        .iter()
        .filter_map(|sep| title.rfind(sep))
        .max()
        .map(|at| title[..at].trim_end())
        .filter(|rest| !rest.is_empty())
}

fn title_matches(predicted: &str, truth: &str) -> bool {
    let predicted = fold(predicted);
    predicted == fold(truth) || strip_site_suffix(truth).is_some_and(|t| predicted == fold(t))
}

fn author_names(record: &Value) -> Vec<String> {
    record["authors"]
        .as_array()
        .map(|authors| {
            authors
                .iter()
                .filter_map(|a| a["name"].as_str().or(a.as_str()))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn authors_match(predicted: &[String], truth: &[String]) -> bool {
    let set = |names: &mut dyn Iterator<Item = &str>| -> BTreeSet<String> {
        names.map(fold).filter(|n| !n.is_empty()).collect()
    };
    let predicted = set(&mut predicted.iter().map(String::as_str));
    let given = set(&mut truth.iter().map(String::as_str));
    let named = set(&mut truth.iter().map(|a| name_part(a)));
    !given.is_empty() && (predicted == given || predicted == named)
}

/// The person's name in a declared author string that also carries a byline word, an
/// outlet, a role or credentials: "By Jane Doe, Example News" → "Jane Doe",
/// "Jane Doe | Example Media", "Jane Doe, MS, RD", "Analysis by Jane Doe, Senior Editor".
fn name_part(author: &str) -> &str {
    let mut name = author.trim();
    let lower = name.to_ascii_lowercase();
    if let Some(at) = lower
        .find("by ")
        .filter(|&at| at == 0 || lower[..at].ends_with(' '))
    {
        // Only a leading "By" or "<Word> by": never inside a name.
        if lower[..at].split_whitespace().count() <= 1 {
            name = &name[at + 3..];
        }
    }
    let cut = [",", " | "]
        .iter()
        .filter_map(|sep| name.find(sep))
        .min()
        .unwrap_or(name.len());
    name[..cut].trim()
}

fn primary_subtag(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether `predicted` (RFC 3339 or a date) falls on the calendar day of `truth`.
///
/// The day of the truth is the one it is written in. The prediction matches when it is
/// written on that day, or when, as an instant, it falls on that day at the truth's offset
/// (a UTC prediction of a page dated at -05:00 late in the evening is the same day).
pub fn same_day(predicted: &str, truth: &str) -> bool {
    let (Some(truth_day), Some(written_day)) = (truth.get(..10), predicted.trim().get(..10)) else {
        return false;
    };
    if written_day == truth_day {
        return true;
    }
    let (Some(offset), Ok(instant)) = (
        offset_seconds(truth),
        predicted.trim().parse::<jiff::Timestamp>(),
    ) else {
        return false;
    };
    instant
        .checked_add(jiff::SignedDuration::from_secs(offset))
        .is_ok_and(|local| local.to_string().get(..10) == Some(truth_day))
}

/// The UTC offset written at the end of an ISO 8601 timestamp, in seconds.
fn offset_seconds(timestamp: &str) -> Option<i64> {
    if timestamp.len() <= 10 {
        return None;
    }
    if timestamp.ends_with(['Z', 'z']) {
        return Some(0);
    }
    let tail = timestamp.get(timestamp.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i64 = tail.get(1..3)?.parse().ok()?;
    let minutes: i64 = tail.get(4..6)?.parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether the calendar day of `truth` is written in the folded text in a common form.
fn date_occurs(truth: &str, folded_text: &str) -> bool {
    let Some((year, month, day)) = parse_day(truth) else {
        return false;
    };
    let text: String = folded_text
        .chars()
        .map(|c| if c == ',' || c == '.' { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let long = MONTHS[month - 1];
    let short = &long[..3];
    let mut forms = vec![
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{month}/{day}/{year}"),
        format!("{month:02}/{day:02}/{year}"),
        format!("{day:02}/{month:02}/{year}"),
        format!("{day}/{month}/{year}"),
    ];
    for name in [long, short, "sept"] {
        if name == "sept" && month != 9 {
            continue;
        }
        for d in [day.to_string(), format!("{day}{}", ordinal(day))] {
            forms.push(format!("{name} {d} {year}"));
            forms.push(format!("{d} {name} {year}"));
        }
    }
    forms.iter().any(|f| text.contains(f.as_str()))
}

fn ordinal(day: usize) -> &'static str {
    match day {
        1 | 21 | 31 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    }
}

fn parse_day(iso: &str) -> Option<(usize, usize, usize)> {
    let year = iso.get(0..4)?.parse().ok()?;
    let month = iso
        .get(5..7)?
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let day = iso
        .get(8..10)?
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    Some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn truth() -> MetaTruth {
        MetaTruth {
            title: Some("So Many \u{201c}Ways\u{201d} to Play - The Daily Site".into()),
            authors: vec!["Jane Doe".into(), "John Roe".into()],
            published: Some("2019-11-19T22:30:00-05:00".into()),
            publisher: Some("The Daily Site".into()),
            language: Some("en-US".into()),
        }
    }

    #[test]
    fn titles_match_after_folding_with_or_without_site_suffix() {
        let t = truth();
        let ok = |title: &str| is_correct(&json!({ "title": title }), &t, Field::Title);
        assert!(ok("so many \"ways\"   to play"));
        assert!(ok("So Many \u{201c}Ways\u{201d} to Play - The Daily Site"));
        assert!(!ok("So Many Ways"));
        assert!(!ok(""));
        assert_eq!(strip_site_suffix("A - B | C"), Some("A - B"));
        assert_eq!(strip_site_suffix("No suffix"), None);
    }

    #[test]
    fn authors_are_a_set_of_folded_names() {
        let t = truth();
        let ok = |authors: Value| is_correct(&json!({ "authors": authors }), &t, Field::Authors);
        assert!(ok(json!([{"name": "john roe"}, {"name": "JANE  DOE"}])));
        assert!(!ok(json!([{"name": "Jane Doe"}])));
        assert!(!ok(json!([])));
        // A declared author string carrying byline word, outlet or credentials is compared
        // by its name part too.
        let t = MetaTruth {
            authors: vec![
                "By JANE DOE, Example Wire Writer".into(),
                "John Roe | Example".into(),
            ],
            ..MetaTruth::default()
        };
        let ok = |authors: Value| is_correct(&json!({ "authors": authors }), &t, Field::Authors);
        assert!(ok(json!([{"name": "Jane Doe"}, {"name": "John Roe"}])));
        assert!(!ok(json!([{"name": "Jane Doe"}])));
        assert_eq!(name_part("Analysis by Jane Doe, Senior Editor"), "Jane Doe");
        assert_eq!(name_part("Jane Doe, MS, RD"), "Jane Doe");
        assert_eq!(name_part("Abby Lee"), "Abby Lee");
    }

    #[test]
    fn published_matches_on_the_calendar_day_of_the_truth() {
        // 22:30 at -05:00 is 03:30 UTC the next day: still the truth's day.
        assert!(same_day(
            "2019-11-20T03:30:00Z",
            "2019-11-19T22:30:00-05:00"
        ));
        assert!(same_day("2019-11-19", "2019-11-19T22:30:00-05:00"));
        assert!(same_day("2019-11-19T08:00:00Z", "2019-11-19"));
        assert!(!same_day(
            "2019-11-20T12:00:00Z",
            "2019-11-19T22:30:00-05:00"
        ));
        assert!(!same_day("garbage", "2019-11-19"));
    }

    #[test]
    fn publisher_and_language_compare_folded_name_and_primary_subtag() {
        let t = truth();
        let record = json!({ "publisher": {"name": "the daily site"}, "language": "en" });
        assert!(is_correct(&record, &t, Field::Publisher));
        assert!(is_correct(&record, &t, Field::Language));
        let record = json!({ "publisher": null, "language": "de" });
        assert!(!is_correct(&record, &t, Field::Publisher));
        assert!(!is_correct(&record, &t, Field::Language));
    }

    #[test]
    fn text_copies_count_a_field_only_where_its_value_occurs() {
        let t = truth();
        let text = fold("So many \u{2018}Ways\u{2019}?\nBy Jane Doe and John Roe\nNov. 19, 2019");
        assert!(!occurs_in(&t, Field::Title, &text));
        let text = fold("So Many \"Ways\" to Play\nBy Jane Doe and John Roe\nNov. 19, 2019");
        assert!(occurs_in(&t, Field::Title, &text));
        assert!(occurs_in(&t, Field::Authors, &text));
        assert!(occurs_in(&t, Field::Published, &text));
        assert!(!occurs_in(&t, Field::Publisher, &text));
        assert!(occurs_in(&t, Field::Language, &text));
        assert!(occurs_in(
            &t,
            Field::Published,
            &fold("posted 19th November 2019")
        ));
        assert!(!occurs_in(
            &t,
            Field::Published,
            &fold("posted November 18, 2019")
        ));
    }
}
