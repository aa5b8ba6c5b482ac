//! Dates as pages write them (ISO 8601 with or without zone, RFC 2822, Unix seconds, "November
//! 19, 2019") turned into the record's form: RFC 3339 in UTC when the zone is known, a bare
//! `YYYY-MM-DD` when only the day is.

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime;
use jiff::{Timestamp, tz::Offset};

/// Day-only layouts tried after the structured forms, most specific first.
const DAY_FORMATS: &[&str] = &[
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
];

/// Layouts with a time of day, tried once a trailing zone abbreviation has been read.
const TIME_FORMATS: &[&str] = &[
    "%B %d, %Y, %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y at %I:%M %p",
    "%b %d, %Y, %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%b. %d, %Y %I:%M %p",
    "%d %B %Y %H:%M",
    "%d %b %Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
];

/// Zone abbreviations whose offset is unambiguous enough to use, in hours.
const ZONES: &[(&str, i8)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("EST", -5),
    ("EDT", -4),
    ("CST", -6),
    ("CDT", -5),
    ("MST", -7),
    ("MDT", -6),
    ("PST", -8),
    ("PDT", -7),
    ("HST", -10),
    ("BST", 1),
    ("CET", 1),
    ("CEST", 2),
    ("JST", 9),
    ("AEST", 10),
    ("AEDT", 11),
];

/// Years outside this range are taken for garbage rather than publication dates.
const YEARS: std::ops::RangeInclusive<i16> = 1990..=2100;

/// The normalized form of `raw`, or `None` when it is not a date this module understands.
pub fn normalize(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(ts) = timestamp(s) {
        return in_range(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
            .then(|| ts.round(jiff::Unit::Second).map_or(ts, |t| t).to_string());
    }
    if let Some(result) = with_time_of_day(s) {
        return Some(result);
    }
    if let Some(date) = civil_date(s) {
        return in_range(date).then(|| date.to_string());
    }
    None
}

fn in_range(date: Date) -> bool {
    YEARS.contains(&date.year())
}

/// An instant, when `s` carries a zone or is a Unix time.
fn timestamp(s: &str) -> Option<Timestamp> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    // "2019-11-19 13:03:00 +0000", "2019-11-19T13:03:00.000+0000" and the like.
    if let Some(ts) = with_loose_offset(s) {
        return Some(ts);
    }
    if let Ok(ts) = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(s) {
        return Some(ts);
    }
    if (s.len() == 10 || s.len() == 13) && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        let seconds = if s.len() == 13 { n / 1000 } else { n };
        return Timestamp::from_second(seconds).ok();
    }
    None
}

/// "November 19, 2019, 07:47 PM EST": an instant when the zone is known, else the day.
fn with_time_of_day(s: &str) -> Option<String> {
    let (rest, offset) = match s.rsplit_once(' ') {
        Some((rest, zone)) => match ZONES.iter().find(|(name, _)| *name == zone) {
            Some((_, hours)) => (rest.trim(), Some(Offset::constant(*hours))),
            None => (s, None),
        },
        None => (s, None),
    };
    let civil = TIME_FORMATS
        .iter()
        .find_map(|format| strtime::parse(format, rest).ok()?.to_datetime().ok())?;
    if !in_range(civil.date()) {
        return None;
    }
    Some(match offset {
        Some(offset) => offset.to_timestamp(civil).ok()?.to_string(),
        None => civil.date().to_string(),
    })
}

fn with_loose_offset(s: &str) -> Option<Timestamp> {
    let (body, sign_at) = s
        .char_indices()
        .rev()
        .find(|&(i, c)| (c == '+' || c == '-') && i > 10)
        .map(|(i, _)| (&s[..i], i))?;
    let zone = &s[sign_at..];
    let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 || zone[1..].chars().any(|c| !c.is_ascii_digit() && c != ':') {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    let mut seconds = hours * 3600 + minutes * 60;
    if zone.starts_with('-') {
        seconds = -seconds;
    }
    let offset = Offset::from_seconds(seconds).ok()?;
    let civil: DateTime = body.trim().replace(' ', "T").parse().ok()?;
    offset.to_timestamp(civil).ok()
}

/// A day, when `s` names one without a zone (a zone-less time of day is dropped: the instant
/// is unknown).
fn civil_date(s: &str) -> Option<Date> {
    if let Ok(dt) = s.parse::<DateTime>() {
        return Some(dt.date());
    }
    if let Ok(date) = s.parse::<Date>() {
        return Some(date);
    }
    let cleaned = s.replace(" ,", ",");
    DAY_FORMATS
        .iter()
        .find_map(|format| strtime::parse(format, &cleaned).ok()?.to_date().ok())
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn zoned_times_become_utc() {
        assert_eq!(
            normalize("2019-11-19T08:03:00-05:00").as_deref(),
            Some("2019-11-19T13:03:00Z")
        );
        assert_eq!(
            normalize("2019-11-19T13:03:00.123Z").as_deref(),
            Some("2019-11-19T13:03:00Z")
        );
        assert_eq!(
            normalize("2019-11-19 13:03:00 +0100").as_deref(),
            Some("2019-11-19T12:03:00Z")
        );
        assert_eq!(
            normalize("Tue, 19 Nov 2019 13:03:00 GMT").as_deref(),
            Some("2019-11-19T13:03:00Z")
        );
        assert_eq!(
            normalize("November 19, 2019, 07:47 PM EST").as_deref(),
            Some("2019-11-20T00:47:00Z")
        );
        assert_eq!(
            normalize("1574168580").as_deref(),
            Some("2019-11-19T13:03:00Z")
        );
    }

    #[test]
    fn days_stay_days() {
        assert_eq!(normalize("2019-11-19").as_deref(), Some("2019-11-19"));
        assert_eq!(
            normalize("2019-11-19T13:03:00").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            normalize("November 19, 2019").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(normalize("19 Nov 2019").as_deref(), Some("2019-11-19"));
        assert_eq!(
            normalize("Nov 19, 2019 7:47 PM").as_deref(),
            Some("2019-11-19")
        );
    }

    #[test]
    fn garbage_is_not_a_date() {
        assert_eq!(normalize("yesterday"), None);
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("0000-00-00"), None);
        assert_eq!(normalize("1970-01-01T00:00:00Z"), None);
    }
}
