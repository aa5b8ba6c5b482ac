//! Dates: the one policy by which every built-in plugin writes `published`, `updated` and a
//! related item's date, so that the same input gives the same value whichever plugin read it.
//!
//! | what the source gives | what the record holds |
//! |---|---|
//! | a moment with a zone: an offset or `Z` (RFC 3339, ISO 8601, `2022-11-30 14:05:00 -0500`), a zone abbreviation (`7:47 PM EST`, `2:15 PM GMT, April 9, 2022`), RFC 2822 (`Tue, 13 Apr 2021 17:10:59 GMT`), Unix seconds or milliseconds (10 or 13 digits, as text or as a JSON number) | RFC 3339 in UTC, rounded to the second: `2021-04-13T17:10:59Z` |
//! | a date and a time of day with no zone (`2021-04-13T17:10:59`, `2021-04-13 17:10`, `Mar. 4, 2021 at 9:05 a.m.`, `12.01.2024, 08:30 Uhr`) | the date and time without an offset, rounded to the second: `2021-03-04T09:05:00`; the zone is unknown, so none is guessed |
//! | only a day (`2021-04-13`, `20210413`, `2021/4/13`, `04.03.2021`, `April 13, 2021`, `Tuesday, 13 April 2021`, `12. Januar 2024`, `7 de marzo de 2024`) | `2021-04-13` |
//!
//! Dotted numeric dates are day first (`04.03.2021` is 4 March); with slashes or dashes, a
//! numeric date is read only when day and month cannot be mixed up (`27/03/2024`,
//! `03/27/2024`), never `04/05/2021`. Month names are read in English, German, French and
//! Spanish; zone abbreviations from [`zones`].
//!
//! [`normalize`] reads a whole value (a metadata field); [`find`] finds the first date stated
//! in a line of prose. Both write through [`DateValue`], so both follow the table above.

pub mod calendar;
mod prose;
pub mod zones;

use std::fmt;

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use jiff::{Timestamp, Unit};

pub use calendar::month_number;
pub use prose::{Found, find};

/// The longest value [`normalize`] reads: longer text is not a date.
const MAX_VALUE_BYTES: usize = 64;

/// A date in the record's form (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// A moment whose zone the source named: written in UTC.
    Instant(Timestamp),
    /// A date and time of day whose zone the source did not name: written without offset.
    Civil(DateTime),
    /// A day.
    Day(Date),
}

impl DateValue {
    /// The value's year (in UTC for an instant).
    pub fn year(&self) -> i16 {
        match self {
            Self::Instant(ts) => ts.to_zoned(jiff::tz::TimeZone::UTC).year(),
            Self::Civil(dt) => dt.year(),
            Self::Day(date) => date.year(),
        }
    }

    /// A moment from a civil date and time at `offset`; `None` if that moment cannot exist.
    fn at_offset(civil: DateTime, offset: Offset) -> Option<Self> {
        offset.to_timestamp(civil).ok().map(Self::Instant)
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Instant(ts) => write!(f, "{}", ts.round(Unit::Second).unwrap_or(*ts)),
            Self::Civil(dt) => write!(f, "{}", dt.round(Unit::Second).unwrap_or(*dt)),
            Self::Day(date) => write!(f, "{date}"),
        }
    }
}

/// What became of one date value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalized {
    /// The value, read.
    Value(DateValue),
    /// The value names a date or time that cannot exist (`2021-02-30`, hour 25).
    Impossible,
    /// The value is in no form of the policy.
    Unreadable,
}

impl Normalized {
    /// The value in the record's form, if it was read.
    pub fn text(self) -> Option<String> {
        match self {
            Self::Value(value) => Some(value.to_string()),
            Self::Impossible | Self::Unreadable => None,
        }
    }
}

/// Reads a whole value (a metadata field, a front-matter key) as a date.
pub fn normalize(value: &str) -> Normalized {
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_VALUE_BYTES {
        return Normalized::Unreadable;
    }
    if let Some(day) = iso_date_prefix(value) {
        return iso(value, &day);
    }
    if let Some(ts) = epoch(value) {
        return Normalized::Value(DateValue::Instant(ts));
    }
    if let Ok(ts) = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(value) {
        return Normalized::Value(DateValue::Instant(ts));
    }
    prose::read_whole(value)
}

/// The numbers of a value starting with an ISO 8601 day, `YYYY-MM-DD` or in the basic format
/// `YYYYMMDD` (then alone or followed by `T`), and how many bytes the day takes.
fn iso_date_prefix(value: &str) -> Option<IsoDay> {
    let bytes = value.as_bytes();
    let extended = bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-';
    let basic = bytes.len() >= 8
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && matches!(bytes.get(8), None | Some(b'T'));
    let (month_at, day_at, len) = match (extended, basic) {
        (true, _) => (5, 8, 10),
        (false, true) => (4, 6, 8),
        (false, false) => return None,
    };
    let number = |from: usize, digits: usize| -> Option<i64> {
        let part = value.get(from..from + digits)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    Some(IsoDay {
        year: i16::try_from(number(0, 4)?).ok()?,
        month: i8::try_from(number(month_at, 2)?).ok()?,
        day: i8::try_from(number(day_at, 2)?).ok()?,
        len,
    })
}

/// The day an ISO 8601 value starts with.
struct IsoDay {
    year: i16,
    month: i8,
    day: i8,
    /// Bytes of the value the day takes (10, or 8 in the basic format).
    len: usize,
}

/// A value starting with an ISO day: the day alone, or with a time and perhaps a zone.
fn iso(value: &str, day: &IsoDay) -> Normalized {
    let Ok(date) = Date::new(day.year, day.month, day.day) else {
        return Normalized::Impossible;
    };
    if value.len() == day.len {
        return Normalized::Value(DateValue::Day(date));
    }
    let read = value
        .parse::<Timestamp>()
        .ok()
        .map(DateValue::Instant)
        .or_else(|| with_numeric_offset(value))
        .or_else(|| with_zone_name(value))
        .or_else(|| civil(value).map(DateValue::Civil));
    if let Some(read) = read {
        return Normalized::Value(read);
    }
    // A valid day followed by something time-shaped that does not parse: an hour 25 or a
    // minute 61. Anything else after the day is not a form of the policy.
    let rest = &value[day.len..];
    let time_shaped = rest.starts_with(['T', 't', ' '])
        && rest[1..].bytes().take(2).all(|b| b.is_ascii_digit())
        && rest.as_bytes().get(3) == Some(&b':');
    if time_shaped {
        Normalized::Impossible
    } else {
        Normalized::Unreadable
    }
}

/// An ISO date and time without zone, `T` or a space between them.
fn civil(text: &str) -> Option<DateTime> {
    text.trim().replacen(' ', "T", 1).parse().ok()
}

/// `2019-11-19 13:03:00 +0000`, `2019-11-19T13:03:00.000+0100`: an offset of four digits (a
/// colon between hours and minutes allowed) that RFC 3339 parsing does not take.
fn with_numeric_offset(value: &str) -> Option<DateValue> {
    let sign_at = value
        .char_indices()
        .rev()
        .find(|&(i, c)| (c == '+' || c == '-') && i > 10)
        .map(|(i, _)| i)?;
    let zone = &value[sign_at + 1..];
    let digits: String = zone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 || zone.chars().any(|c| !c.is_ascii_digit() && c != ':') {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    let mut seconds = hours * 3600 + minutes * 60;
    if value[sign_at..].starts_with('-') {
        seconds = -seconds;
    }
    let offset = Offset::from_seconds(seconds).ok()?;
    DateValue::at_offset(civil(&value[..sign_at])?, offset)
}

/// `2022-11-30 14:05:00 UTC`: a time followed by a zone abbreviation of [`zones`].
fn with_zone_name(value: &str) -> Option<DateValue> {
    let (rest, zone) = value.rsplit_once(' ')?;
    let civil = civil(rest)?;
    let minutes = zones::offset_minutes(&zone.to_ascii_lowercase(), civil.date())?;
    let offset = Offset::from_seconds(i32::from(minutes) * 60).ok()?;
    DateValue::at_offset(civil, offset)
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

#[cfg(test)]
mod tests;
