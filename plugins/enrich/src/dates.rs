//! Dates: `published` and `updated` brought to one form, whatever form the source used.
//!
//! | input | output |
//! |---|---|
//! | a moment with a zone: RFC 3339 / ISO 8601 with an offset or `Z`, RFC 2822 (`Tue, 13 Apr 2021 17:10:59 GMT`), Unix seconds or milliseconds (10 or 13 digits) | RFC 3339 in UTC, `2021-04-13T17:10:59Z` |
//! | a date and time without a zone (`2021-04-13T17:10:59`, `2021-04-13 17:10`) | `2021-04-13T17:10:59`: the zone is unknown, so it is not guessed and no offset is written |
//! | a date alone: `2021-04-13`, `2021/04/13`, `13.04.2021`, `April 13, 2021`, `13 April 2021`, `Apr. 13, 2021`, `Tuesday, April 13, 2021` | `2021-04-13` |
//!
//! A date that cannot exist (`2021-02-30`, month 13, hour 25) is dropped, the field set to
//! `null` and a warning added; so is a value in none of these forms. Ambiguous numeric forms
//! such as `04/05/2021` (April or May?) are not guessed either.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::fmt::{rfc2822, strtime};

/// What became of one date value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Normalized {
    /// The value in its normal form.
    Value(String),
    /// The value names a date or time that does not exist.
    Impossible,
    /// The value is in no form this module reads.
    Unreadable,
}

/// The normal form of the date `value`.
pub fn normalize(value: &str) -> Normalized {
    let value = value.trim();
    if let Some(shape) = iso_date_prefix(value) {
        return normalize_iso(value, shape);
    }
    if let Some(date) = numeric_date(value) {
        return date.map_or(Normalized::Impossible, |d| Normalized::Value(d.to_string()));
    }
    if let Some(timestamp) = epoch(value) {
        return Normalized::Value(timestamp.to_string());
    }
    if let Ok(timestamp) = rfc2822::DateTimeParser::new().parse_timestamp(value) {
        return Normalized::Value(timestamp.to_string());
    }
    month_name_date(value)
}

/// The `(year, month, day)` numbers of a value starting `YYYY-MM-DD`.
fn iso_date_prefix(value: &str) -> Option<(i16, i8, i8)> {
    let bytes = value.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = value.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = i16::try_from(number(0..4)?).ok()?;
    let month = i8::try_from(number(5..7)?).ok()?;
    let day = i8::try_from(number(8..10)?).ok()?;
    Some((year, month, day))
}

fn normalize_iso(value: &str, (year, month, day): (i16, i8, i8)) -> Normalized {
    if Date::new(year, month, day).is_err() {
        return Normalized::Impossible;
    }
    if value.len() == 10 {
        return Normalized::Value(value.to_owned());
    }
    if let Ok(timestamp) = value.parse::<Timestamp>() {
        return Normalized::Value(timestamp.to_string());
    }
    if let Ok(datetime) = value.parse::<DateTime>() {
        return Normalized::Value(datetime.to_string());
    }
    // A valid day followed by something time-shaped that does not parse: an hour 25 or a
    // minute 61. Anything else after the day is not a form we read.
    let rest = &value[10..];
    let time_shaped = rest.starts_with(['T', 't', ' '])
        && rest[1..].bytes().take(2).all(|b| b.is_ascii_digit())
        && rest.as_bytes().get(3) == Some(&b':');
    if time_shaped {
        Normalized::Impossible
    } else {
        Normalized::Unreadable
    }
}

/// `YYYY/MM/DD` or `DD.MM.YYYY`: `Some(Err)` when shaped so but impossible.
fn numeric_date(value: &str) -> Option<Result<Date, jiff::Error>> {
    let parts: Vec<&str> = value.split(['/', '.']).collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let sep_is = |c: char| value.contains(c);
    let (year, month, day) = match (parts[0].len(), parts[1].len(), parts[2].len()) {
        (4, 1 | 2, 1 | 2) if sep_is('/') => (parts[0], parts[1], parts[2]),
        (1 | 2, 1 | 2, 4) if sep_is('.') => (parts[2], parts[1], parts[0]),
        _ => return None,
    };
    Some(Date::new(
        year.parse().ok()?,
        month.parse().ok()?,
        day.parse().ok()?,
    ))
}

/// Unix seconds (10 digits) or milliseconds (13 digits).
fn epoch(value: &str) -> Option<Timestamp> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: i64 = value.parse().ok()?;
    match value.len() {
        10 => Timestamp::from_second(number).ok(),
        13 => Timestamp::from_millisecond(number).ok(),
        _ => None,
    }
}

/// English dates with a month name, e.g. `April 13, 2021` or `13 Apr 2021`.
fn month_name_date(value: &str) -> Normalized {
    const FORMATS: &[&str] = &[
        "%B %d %Y",
        "%b %d %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%A %B %d %Y",
        "%A %d %B %Y",
        "%a %b %d %Y",
        "%a %d %b %Y",
    ];
    // Commas and the period of `Apr.` carry nothing; dropping them halves the formats.
    let cleaned: String = value
        .chars()
        .filter(|c| !matches!(c, ',' | '.'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut impossible = false;
    for format in FORMATS {
        let Ok(parsed) = strtime::parse(format, &cleaned) else {
            continue;
        };
        match parsed.to_date() {
            Ok(date) => return Normalized::Value(date.to_string()),
            Err(_) => impossible = true,
        }
    }
    if impossible {
        Normalized::Impossible
    } else {
        Normalized::Unreadable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(input: &str) -> String {
        match normalize(input) {
            Normalized::Value(v) => v,
            other => panic!("{input}: {other:?}"),
        }
    }

    #[test]
    fn moments_with_a_zone_become_utc() {
        assert_eq!(value("2021-04-13T17:10:59Z"), "2021-04-13T17:10:59Z");
        assert_eq!(value("2021-04-13T19:10:59+02:00"), "2021-04-13T17:10:59Z");
        assert_eq!(value("2021-04-13 12:10:59-05:00"), "2021-04-13T17:10:59Z");
        assert_eq!(value("2021-04-13T17:10:59.250Z"), "2021-04-13T17:10:59.25Z");
        assert_eq!(
            value("Tue, 13 Apr 2021 17:10:59 GMT"),
            "2021-04-13T17:10:59Z"
        );
        assert_eq!(
            value("Tue, 13 Apr 2021 19:10:59 +0200"),
            "2021-04-13T17:10:59Z"
        );
        assert_eq!(value("1618333859"), "2021-04-13T17:10:59Z");
        assert_eq!(value("1618333859000"), "2021-04-13T17:10:59Z");
    }

    #[test]
    fn a_time_without_zone_is_kept_without_offset() {
        assert_eq!(value("2021-04-13T17:10:59"), "2021-04-13T17:10:59");
        assert_eq!(value("2021-04-13 17:10"), "2021-04-13T17:10:00");
    }

    #[test]
    fn dates_alone_stay_dates() {
        assert_eq!(value("2021-04-13"), "2021-04-13");
        assert_eq!(value(" 2021/4/13 "), "2021-04-13");
        assert_eq!(value("13.04.2021"), "2021-04-13");
        assert_eq!(value("April 13, 2021"), "2021-04-13");
        assert_eq!(value("Apr. 13, 2021"), "2021-04-13");
        assert_eq!(value("13 April 2021"), "2021-04-13");
        assert_eq!(value("Tuesday, April 13, 2021"), "2021-04-13");
    }

    #[test]
    fn impossible_dates_are_reported() {
        for input in [
            "2021-02-30",
            "2021-13-01",
            "2021-02-29T10:00:00Z",
            "2021-04-13T25:00:00Z",
            "2021/02/30",
            "30.02.2021",
            "February 30, 2021",
        ] {
            assert_eq!(normalize(input), Normalized::Impossible, "{input}");
        }
    }

    #[test]
    fn other_values_are_unreadable() {
        for input in ["yesterday", "04/05/2021", "", "2021-04-13 and later", "123"] {
            assert_eq!(normalize(input), Normalized::Unreadable, "{input}");
        }
    }
}
