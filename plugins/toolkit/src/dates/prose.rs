//! Dates as people write them: month names in English, German, French and Spanish, numeric
//! forms (`2024-03-07`, `12.01.2024`, `03/27/2024`) and a time of day before or after the
//! date with perhaps its zone (`8:03 am ET`, `08:30 Uhr`, `14h30 CET`, `2:15 PM GMT, …`).
//!
//! [`find`] looks for the first date in a line of page text; [`read_whole`] reads a value
//! that must be a date and nothing else.

use std::ops::RangeInclusive;

use jiff::civil::Date;
use jiff::tz::Offset;

use super::calendar::{self, month_number};
use super::{DateValue, Normalized, zones};

/// Years a four-digit number in prose is read as: outside them it is taken for a count, a
/// price or a placeholder, not a publication date.
const PROSE_YEARS: RangeInclusive<u32> = 1990..=2100;

/// Years a whole value may name: it is known to be a date.
const VALUE_YEARS: RangeInclusive<u32> = 1000..=9999;

/// A date found in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The date, with the time of day when the line gives one (see the policy).
    pub value: DateValue,
    /// How many bytes of the lower-cased line the date (and time) cover, to tell a date line
    /// from prose.
    pub covered: usize,
}

/// Finds the first date in `line`, a line of page text in its original case.
pub fn find(line: &str) -> Option<Found> {
    if !line.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // Month names and zones are matched in lower case; offsets only measure coverage.
    let lower = line.to_lowercase();
    let toks = tokenize(&lower, &PROSE_YEARS);
    let reading = (0..toks.len())
        .filter_map(|i| reading_at(&toks, i, &PROSE_YEARS))
        .find(|r| r.possible)?;
    Some(Found {
        value: reading.value()?,
        covered: reading.last.saturating_sub(reading.first),
    })
}

/// Reads `value` whole: a date (with perhaps its time) and nothing else but a weekday or a
/// joining word (`Tuesday, April 13, 2021`, `March 4, 2021 at 9:05 a.m.`).
pub(super) fn read_whole(value: &str) -> Normalized {
    let lower = value.to_lowercase();
    let toks = tokenize(&lower, &VALUE_YEARS);
    let Some(reading) = (0..toks.len()).find_map(|i| reading_at(&toks, i, &VALUE_YEARS)) else {
        return Normalized::Unreadable;
    };
    let rest = [&lower[..reading.first], &lower[reading.last..]];
    if !rest.iter().all(|part| only_filler(part)) {
        return Normalized::Unreadable;
    }
    match reading.value() {
        Some(value) if reading.possible => Normalized::Value(value),
        _ => Normalized::Impossible,
    }
}

/// Whether `text` holds no letter or digit but weekdays and the words that join a date to
/// its time (`at`, `um`, `à`).
fn only_filler(text: &str) -> bool {
    const JOINING: &[&str] = &["at", "um", "à", "on", "am", "le", "el", "the"];
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .all(|word| JOINING.contains(&word) || calendar::is_weekday(word))
}

/// A date read at one token: what it says and which bytes of the line it covers.
#[derive(Debug, Clone, Copy)]
struct Reading {
    year: u16,
    month: u8,
    day: u8,
    time: Option<Time>,
    /// The day exists (not 30 February).
    possible: bool,
    first: usize,
    last: usize,
}

/// A time of day, with the offset of its zone in minutes when the zone is known.
#[derive(Debug, Clone, Copy)]
struct Time {
    hour: u8,
    minute: u8,
    offset: Option<i16>,
}

impl Reading {
    /// The reading in the record's form; `None` for a day that cannot exist.
    fn value(&self) -> Option<DateValue> {
        let date = Date::new(
            i16::try_from(self.year).ok()?,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
        )
        .ok()?;
        // A time that cannot be (24:30) leaves the day.
        let Some((time, civil)) = self.time.and_then(|time| {
            let hour = i8::try_from(time.hour).ok()?;
            let minute = i8::try_from(time.minute).ok()?;
            let of_day = jiff::civil::Time::new(hour, minute, 0, 0).ok()?;
            Some((time, date.to_datetime(of_day)))
        }) else {
            return Some(DateValue::Day(date));
        };
        let at_offset = time.offset.and_then(|minutes| {
            let offset = Offset::from_seconds(i32::from(minutes) * 60).ok()?;
            DateValue::at_offset(civil, offset)
        });
        Some(at_offset.unwrap_or(DateValue::Civil(civil)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Num { value: u32, digits: u8 },
    Word(&'a str),
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
struct Span<'a> {
    tok: Tok<'a>,
    start: usize,
    end: usize,
}

/// The date (and time) starting at token `i`, possible or not.
fn reading_at(toks: &[Span<'_>], i: usize, years: &RangeInclusive<u32>) -> Option<Reading> {
    let (year, month, day, end) = date_at(toks, i, years)?;
    let possible = valid(year, month, day);
    let (time, time_end) = time_near(toks, i, end, (year, month, day));
    let last = time_end.map_or(toks[end - 1].end, |t| t.max(toks[end - 1].end));
    let first = time_start_before(toks, i).unwrap_or(toks[i].start);
    Some(Reading {
        year,
        month,
        day,
        time,
        possible,
        first,
        last,
    })
}

fn tokenize<'a>(s: &'a str, years: &RangeInclusive<u32>) -> Vec<Span<'a>> {
    let mut out = Vec::with_capacity(16);
    let mut it = s.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        if c.is_ascii_digit() {
            let mut value = c.to_digit(10).unwrap_or(0);
            let mut digits = 1u8;
            let mut end = start + 1;
            while let Some(&(i, d)) = it.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                if digits < 9 {
                    value = value * 10 + d.to_digit(10).unwrap_or(0);
                }
                digits = digits.saturating_add(1);
                end = i + 1;
                it.next();
            }
            // "Nov 19 20197:05 AM": a year glued to the hour that follows it.
            if (5..=6).contains(&digits)
                && s.as_bytes().get(end) == Some(&b':')
                && years.contains(&(value / 10u32.pow(u32::from(digits) - 4)))
            {
                let hour_digits = digits - 4;
                let split = 10u32.pow(u32::from(hour_digits));
                out.push(Span {
                    tok: Tok::Num {
                        value: value / split,
                        digits: 4,
                    },
                    start,
                    end: start + 4,
                });
                out.push(Span {
                    tok: Tok::Num {
                        value: value % split,
                        digits: hour_digits,
                    },
                    start: start + 4,
                    end,
                });
                continue;
            }
            out.push(Span {
                tok: Tok::Num { value, digits },
                start,
                end,
            });
        } else if c.is_alphabetic() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = it.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                end = i + d.len_utf8();
                it.next();
            }
            out.push(Span {
                tok: Tok::Word(&s[start..end]),
                start,
                end,
            });
        } else if !c.is_whitespace() {
            out.push(Span {
                tok: Tok::Punct(c),
                start,
                end: start + c.len_utf8(),
            });
        }
    }
    out
}

fn word<'a>(toks: &[Span<'a>], i: usize) -> Option<&'a str> {
    match toks.get(i)?.tok {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

fn num(toks: &[Span<'_>], i: usize) -> Option<(u32, u8)> {
    match toks.get(i)?.tok {
        Tok::Num { value, digits } => Some((value, digits)),
        _ => None,
    }
}

fn punct(toks: &[Span<'_>], i: usize) -> Option<char> {
    match toks.get(i)?.tok {
        Tok::Punct(c) => Some(c),
        _ => None,
    }
}

fn year_at(toks: &[Span<'_>], i: usize, years: &RangeInclusive<u32>) -> Option<u16> {
    let (v, d) = num(toks, i)?;
    (d == 4 && years.contains(&v))
        .then(|| u16::try_from(v).ok())
        .flatten()
}

fn day_at(toks: &[Span<'_>], i: usize) -> Option<u8> {
    let (v, d) = num(toks, i)?;
    (d <= 2 && (1..=31).contains(&v))
        .then(|| u8::try_from(v).ok())
        .flatten()
}

fn month_at(toks: &[Span<'_>], i: usize) -> Option<u8> {
    month_number(word(toks, i)?)
}

/// Skips an ordinal suffix (`7th`), a dot (`7.`, `Mar.`) or a comma at `i`.
fn skip(toks: &[Span<'_>], mut i: usize, what: &[&str], puncts: &[char]) -> usize {
    loop {
        match toks.get(i).map(|t| t.tok) {
            Some(Tok::Word(w)) if what.contains(&w) => i += 1,
            Some(Tok::Punct(c)) if puncts.contains(&c) => i += 1,
            _ => return i,
        }
    }
}

const ORDINALS: &[&str] = &["st", "nd", "rd", "th", "er", "de", "of"];

/// A date starting at token `i`, possible or not: (year, month, day, index after the date).
fn date_at(
    toks: &[Span<'_>],
    i: usize,
    years: &RangeInclusive<u32>,
) -> Option<(u16, u8, u8, usize)> {
    // Month-name first: "March 7, 2024", "Mar. 7th 2024", "marzo 7 de 2024".
    if let Some(month) = month_at(toks, i) {
        let j = skip(toks, i + 1, &[], &['.']);
        if let Some(day) = day_at(toks, j) {
            let k = skip(toks, j + 1, ORDINALS, &[',', '.']);
            if let Some(year) = year_at(toks, k, years) {
                return Some((year, month, day, k + 1));
            }
        }
    }
    let (v, digits) = num(toks, i)?;
    // Day first with a month name: "7 March 2024", "12. Januar 2024", "7 de marzo de 2024".
    if let Some(day) = day_at(toks, i) {
        let j = skip(toks, i + 1, ORDINALS, &['.']);
        if let Some(month) = month_at(toks, j) {
            let k = skip(toks, j + 1, &["de", "del"], &['.', ',']);
            if let Some(year) = year_at(toks, k, years) {
                return Some((year, month, day, k + 1));
            }
        }
    }
    match digits {
        4 => year_first(toks, i, years),
        1 | 2 => numeric_day_month(toks, i, v, years),
        _ => None,
    }
}

/// ISO and its relatives: `2024-03-07`, `2024/3/7`, `2024.03.07`.
fn year_first(
    toks: &[Span<'_>],
    i: usize,
    years: &RangeInclusive<u32>,
) -> Option<(u16, u8, u8, usize)> {
    let sep = punct(toks, i + 1)?;
    if !matches!(sep, '-' | '/' | '.') || punct(toks, i + 3) != Some(sep) {
        return None;
    }
    let year = year_at(toks, i, years)?;
    let (m, md) = num(toks, i + 2)?;
    let (d, dd) = num(toks, i + 4)?;
    if md > 2 || dd > 2 {
        return None;
    }
    Some((year, u8::try_from(m).ok()?, u8::try_from(d).ok()?, i + 5))
}

/// Numeric day first or month first: `12.01.2024`, `27/03/2024`, `03/27/2024`; never a
/// guess between the two.
fn numeric_day_month(
    toks: &[Span<'_>],
    i: usize,
    first: u32,
    years: &RangeInclusive<u32>,
) -> Option<(u16, u8, u8, usize)> {
    let sep = punct(toks, i + 1)?;
    if !matches!(sep, '.' | '/' | '-') || punct(toks, i + 3) != Some(sep) {
        return None;
    }
    let (b, bd) = num(toks, i + 2)?;
    let year = year_at(toks, i + 4, years)?;
    if bd > 2 {
        return None;
    }
    let (a, b) = (u8::try_from(first).ok()?, u8::try_from(b).ok()?);
    let (month, day) = match sep {
        // Dotted dates are day-first wherever they are written.
        '.' => (b, a),
        _ if a > 12 => (b, a),
        _ if b > 12 => (a, b),
        // 03/04/2024 could be either; a date is never guessed.
        _ if a != b => return None,
        _ => (a, b),
    };
    Some((year, month, day, i + 5))
}

fn valid(year: u16, month: u8, day: u8) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A time given right before the date ("10:32 AM EST Nov 19, 2019"): its first byte.
fn time_start_before(toks: &[Span<'_>], date: usize) -> Option<usize> {
    let lo = date.saturating_sub(6);
    (lo..date)
        .find(|&i| parse_time(toks, i).is_some())
        .map(|i| toks[i].start)
}

/// The time of day near the date, after it ("March 7, 2024 8:03 am ET", "12.01.2024, 08:30
/// Uhr") or right before it. Returns the time and where its text ends.
fn time_near(
    toks: &[Span<'_>],
    date: usize,
    after: usize,
    ymd: (u16, u8, u8),
) -> (Option<Time>, Option<usize>) {
    let candidates = (after..(after + 4).min(toks.len())).chain(date.saturating_sub(6)..date);
    for i in candidates {
        if let Some((hour, minute, zone_tok, end)) = parse_time(toks, i) {
            let end_byte = toks[end - 1].end;
            let offset = zone_tok.and_then(|z| zone_offset(toks, z, ymd));
            let time = Time {
                hour,
                minute,
                offset,
            };
            return (Some(time), Some(end_byte));
        }
    }
    (None, None)
}

/// `8:03 am`, `08:30 Uhr`, `14h30`, `10:32 PM`, `9:05 a.m.`; returns (hour, minute, zone
/// token, end).
#[allow(clippy::many_single_char_names)] // h, m, i, j, z: hour, minute and token indices.
fn parse_time(toks: &[Span<'_>], i: usize) -> Option<(u8, u8, Option<usize>, usize)> {
    let (h, hd) = num(toks, i)?;
    if hd > 2 || h > 24 {
        return None;
    }
    let (m, mut j) = match toks.get(i + 1).map(|t| t.tok) {
        Some(Tok::Punct(':') | Tok::Word("h")) => {
            let (m, md) = num(toks, i + 2)?;
            if md != 2 {
                return None;
            }
            (m, i + 3)
        }
        _ => return None,
    };
    if m > 59 {
        return None;
    }
    // Seconds.
    if punct(toks, j) == Some(':') && num(toks, j + 1).is_some() {
        j += 2;
    }
    let mut hour = u8::try_from(h).ok()?;
    match word(toks, j) {
        Some("am" | "a") => {
            if hour == 12 {
                hour = 0;
            }
            j += if word(toks, j) == Some("a") { 4 } else { 1 };
        }
        Some("pm" | "p") => {
            if hour < 12 {
                hour += 12;
            }
            j += if word(toks, j) == Some("p") { 4 } else { 1 };
        }
        Some("uhr") => j += 1,
        _ => {}
    }
    let j = j.min(toks.len());
    // A zone right after the time (skipping an opening parenthesis).
    let z = if punct(toks, j) == Some('(') {
        j + 1
    } else {
        j
    };
    let zone = toks.get(z).is_some_and(|t| match t.tok {
        Tok::Word(_) => true,
        Tok::Punct('+' | '-' | '−') => num(toks, z + 1).is_some(),
        _ => false,
    });
    let end = if zone { z + 1 } else { j };
    Some((
        hour,
        u8::try_from(m).ok()?,
        zone.then_some(z),
        end.max(i + 1),
    ))
}

/// The offset in minutes of a zone abbreviation or a `+hh:mm` offset at token `i`.
fn zone_offset(toks: &[Span<'_>], i: usize, (year, month, day): (u16, u8, u8)) -> Option<i16> {
    if let Some(sign @ ('+' | '-' | '−')) = punct(toks, i) {
        let (v, d) = num(toks, i + 1)?;
        let minutes = match d {
            2 if punct(toks, i + 2) == Some(':') => {
                i16::try_from(v).ok()? * 60 + i16::try_from(num(toks, i + 3)?.0).ok()?
            }
            1 | 2 => i16::try_from(v).ok()? * 60,
            4 => i16::try_from(v / 100).ok()? * 60 + i16::try_from(v % 100).ok()?,
            _ => return None,
        };
        return Some(if sign == '+' { minutes } else { -minutes });
    }
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    zones::offset_minutes(word(toks, i)?, date)
}
