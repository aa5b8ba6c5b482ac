//! Dates stated in page text: month names in English, German, French and Spanish, numeric
//! forms (`2024-03-07`, `12.01.2024`, `03/27/2024`) and an optional time with its zone
//! (`8:03 am ET`, `08:30 Uhr`, `14h30 CET`), turned into RFC 3339 or `YYYY-MM-DD`.
//!
//! The text plugin calls [`find_date`] on the few lines around the headline; this module only
//! reads one line and never decides which line a date belongs to.

/// A date found in a line, with the time of day when the line gives one with a known zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// Calendar year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// Hour and minute with the zone's offset from UTC in minutes, when all are known.
    pub time: Option<(u8, u8, i16)>,
    /// How many bytes of the line the date (and time) cover, to tell a date line from prose.
    pub covered: usize,
}

impl FoundDate {
    /// RFC 3339 when the time and zone are known, else `YYYY-MM-DD`.
    pub fn to_rfc3339(&self) -> String {
        let date = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        match self.time {
            None => date,
            Some((h, m, 0)) => format!("{date}T{h:02}:{m:02}:00Z"),
            Some((h, m, off)) => {
                let sign = if off < 0 { '-' } else { '+' };
                let abs = off.unsigned_abs();
                format!(
                    "{date}T{h:02}:{m:02}:00{sign}{:02}:{:02}",
                    abs / 60,
                    abs % 60
                )
            }
        }
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

/// Finds the first date in `line`. The line is expected in its original case.
pub fn find_date(line: &str) -> Option<FoundDate> {
    if !line.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // Month names and zones are matched in lowercase; offsets only measure coverage.
    let lower = line.to_lowercase();
    let line = lower.as_str();
    let toks = tokenize(line);
    for i in 0..toks.len() {
        if let Some((year, month, day, end)) = date_at(&toks, i) {
            let (time, time_end) = time_near(&toks, i, end, (year, month, day));
            let first = toks[i].start;
            let last = time_end.map_or(toks[end - 1].end, |t| t.max(toks[end - 1].end));
            let time_start = time_start_before(&toks, i);
            let first = time_start.unwrap_or(first);
            return Some(FoundDate {
                year,
                month,
                day,
                time,
                covered: last.saturating_sub(first),
            });
        }
    }
    None
}

fn tokenize(s: &str) -> Vec<Span<'_>> {
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
                && (1990..=2100).contains(&(value / 10u32.pow(u32::from(digits) - 4)))
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

/// The month a (lowercase) month name or abbreviation stands for, in EN, DE, FR or ES.
pub fn month_number(word: &str) -> Option<u8> {
    let m = match word {
        "january" | "jan" | "januar" | "jänner" | "janvier" | "janv" | "enero" | "ene" => 1,
        "february" | "feb" | "febr" | "februar" | "février" | "fevrier" | "févr" | "fevr"
        | "febrero" => 2,
        "march" | "mar" | "märz" | "maerz" | "mär" | "mars" | "marzo" => 3,
        "april" | "apr" | "avril" | "avr" | "abril" | "abr" => 4,
        "may" | "mai" | "mayo" | "may." => 5,
        "june" | "jun" | "juni" | "juin" | "junio" => 6,
        "july" | "jul" | "juli" | "juillet" | "juil" | "julio" => 7,
        "august" | "aug" | "août" | "aout" | "agosto" | "ago" => 8,
        "september" | "sep" | "sept" | "septembre" | "septiembre" | "setiembre" | "set" => 9,
        "october" | "oct" | "oktober" | "okt" | "octobre" | "octubre" => 10,
        "november" | "nov" | "novembre" | "noviembre" => 11,
        "december" | "dec" | "dezember" | "dez" | "décembre" | "decembre" | "déc" | "dic"
        | "diciembre" => 12,
        _ => return None,
    };
    Some(m)
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

fn year_at(toks: &[Span<'_>], i: usize) -> Option<u16> {
    let (v, d) = num(toks, i)?;
    (d == 4 && (1990..=2100).contains(&v))
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

/// A date starting at token `i`: returns (year, month, day, index after the date).
fn date_at(toks: &[Span<'_>], i: usize) -> Option<(u16, u8, u8, usize)> {
    // Month-name first: "March 7, 2024", "Mar. 7th 2024", "marzo 7 de 2024".
    if let Some(month) = month_at(toks, i) {
        let j = skip(toks, i + 1, &[], &['.']);
        if let Some(day) = day_at(toks, j) {
            let k = skip(toks, j + 1, ORDINALS, &[',', '.']);
            if let Some(year) = year_at(toks, k) {
                return valid(year, month, day).then_some((year, month, day, k + 1));
            }
        }
    }
    let (v, digits) = num(toks, i)?;
    // Day first with a month name: "7 March 2024", "12. Januar 2024", "7 de marzo de 2024".
    if let Some(day) = day_at(toks, i) {
        let j = skip(toks, i + 1, ORDINALS, &['.']);
        if let Some(month) = month_at(toks, j) {
            let k = skip(toks, j + 1, &["de", "del"], &['.', ',']);
            if let Some(year) = year_at(toks, k) {
                return valid(year, month, day).then_some((year, month, day, k + 1));
            }
        }
    }
    // ISO: 2024-03-07 (also with slashes or dots).
    if digits == 4 {
        let sep = punct(toks, i + 1)?;
        if matches!(sep, '-' | '/' | '.') && punct(toks, i + 3) == Some(sep) {
            let year = year_at(toks, i)?;
            let (m, md) = num(toks, i + 2)?;
            let (d, dd) = num(toks, i + 4)?;
            if md <= 2 && dd <= 2 {
                let (month, day) = (u8::try_from(m).ok()?, u8::try_from(d).ok()?);
                return valid(year, month, day).then_some((year, month, day, i + 5));
            }
        }
        return None;
    }
    // Numeric day first or month first: 12.01.2024, 27/03/2024, 03/27/2024.
    if digits <= 2 {
        let sep = punct(toks, i + 1)?;
        if !matches!(sep, '.' | '/' | '-') || punct(toks, i + 3) != Some(sep) {
            return None;
        }
        let (b, bd) = num(toks, i + 2)?;
        let year = year_at(toks, i + 4)?;
        if bd > 2 {
            return None;
        }
        let (a, b) = (u8::try_from(v).ok()?, u8::try_from(b).ok()?);
        let (month, day) = match sep {
            // Dotted dates are day-first wherever they are written.
            '.' => (b, a),
            _ if a > 12 => (b, a),
            _ if b > 12 => (a, b),
            // 03/04/2024 could be either; a date is never guessed.
            _ if a != b => return None,
            _ => (a, b),
        };
        return valid(year, month, day).then_some((year, month, day, i + 5));
    }
    None
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
/// Uhr") or right before it. Returns the time with its offset and where the time text ends.
fn time_near(
    toks: &[Span<'_>],
    date: usize,
    after: usize,
    ymd: (u16, u8, u8),
) -> (Option<(u8, u8, i16)>, Option<usize>) {
    let candidates = (after..(after + 4).min(toks.len())).chain(date.saturating_sub(6)..date);
    for i in candidates {
        if let Some((h, m, zone_tok, end)) = parse_time(toks, i) {
            let end_byte = toks[end - 1].end;
            let offset = zone_tok.and_then(|z| zone_offset(toks, z, ymd));
            return (offset.map(|o| (h, m, o)), Some(end_byte));
        }
    }
    (None, None)
}

/// `8:03 am`, `08:30 Uhr`, `14h30`, `10:32 PM`; returns (hour, minute, zone token, end).
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
    let us_dst = us_summer_time(year, month, day);
    let hours: i16 = match word(toks, i)? {
        "utc" | "gmt" | "z" | "wet" => 0,
        "edt" => -4,
        "est" | "cdt" => -5,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" => -8,
        // US zones named without standard or daylight time: decided by the date.
        "et" => -5 + i16::from(us_dst),
        "ct" => -6 + i16::from(us_dst),
        "pt" => -8 + i16::from(us_dst),
        "cet" | "mez" | "bst" => 1,
        "cest" | "mesz" => 2,
        "aest" => 10,
        "aedt" => 11,
        // German pages give "Uhr" without a zone; a time without a zone stays unknown.
        _ => return None,
    };
    Some(hours * 60)
}

/// Whether US daylight saving time is in force on that day (second Sunday of March to the
/// first Sunday of November).
fn us_summer_time(year: u16, month: u8, day: u8) -> bool {
    match month {
        4..=10 => true,
        3 => day >= nth_sunday(year, 3, 2),
        11 => day < nth_sunday(year, 11, 1),
        _ => false,
    }
}

/// The day of the month of the `n`th Sunday.
fn nth_sunday(year: u16, month: u8, n: u8) -> u8 {
    let first = weekday(year, month, 1); // 0 = Sunday
    let first_sunday = 1 + (7 - first) % 7;
    first_sunday + 7 * (n - 1)
}

/// Day of the week, 0 = Sunday (Sakamoto's method).
fn weekday(year: u16, month: u8, day: u8) -> u8 {
    const T: [u16; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    let w = (y + y / 4 - y / 100 + y / 400 + T[usize::from(month - 1)] + u16::from(day)) % 7;
    u8::try_from(w).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<String> {
        find_date(s).map(|d| d.to_rfc3339())
    }

    #[test]
    fn english_month_names() {
        assert_eq!(date("March 7, 2024").as_deref(), Some("2024-03-07"));
        assert_eq!(
            date("Published Mar. 7th, 2024").as_deref(),
            Some("2024-03-07")
        );
        assert_eq!(date("7 March 2024").as_deref(), Some("2024-03-07"));
        assert_eq!(
            date("Tuesday 3 December 2019 06.00 GMT").as_deref(),
            Some("2019-12-03")
        );
    }

    #[test]
    fn other_languages() {
        assert_eq!(date("4 février 2025").as_deref(), Some("2025-02-04"));
        assert_eq!(date("12. Januar 2024").as_deref(), Some("2024-01-12"));
        assert_eq!(date("7 de marzo de 2024").as_deref(), Some("2024-03-07"));
        assert_eq!(
            date("Publicado el 1 de abril de 2023").as_deref(),
            Some("2023-04-01")
        );
    }

    #[test]
    fn numeric_forms() {
        assert_eq!(date("12.01.2024, 08:30 Uhr").as_deref(), Some("2024-01-12"));
        assert_eq!(date("2024-03-07").as_deref(), Some("2024-03-07"));
        assert_eq!(date("27/03/2024").as_deref(), Some("2024-03-27"));
        assert_eq!(date("03/27/2024").as_deref(), Some("2024-03-27"));
        // Day and month cannot be told apart: no date rather than a guess.
        assert_eq!(date("03/04/2024"), None);
    }

    #[test]
    fn time_with_a_known_zone_gives_rfc3339() {
        assert_eq!(
            date("Nov. 19, 2019 8:03 am ET").as_deref(),
            Some("2019-11-19T08:03:00-05:00")
        );
        assert_eq!(
            date("Updated 10:32 PM EDT Jul 4, 2021").as_deref(),
            Some("2021-07-04T22:32:00-04:00")
        );
        assert_eq!(
            date("March 7, 2024 14:05 UTC").as_deref(),
            Some("2024-03-07T14:05:00Z")
        );
    }

    #[test]
    fn year_glued_to_the_time() {
        assert_eq!(
            date("Published Tue, Nov 19 20197:05 AM EST").as_deref(),
            Some("2019-11-19T07:05:00-05:00")
        );
        assert_eq!(date("Nov 15, 201910:45 PM").as_deref(), Some("2019-11-15"));
        // A long number is not a year and an hour.
        assert_eq!(date("Order 123456: March"), None);
    }

    #[test]
    fn not_dates() {
        assert_eq!(date("The 2024 election"), None);
        assert_eq!(date("February 30, 2024"), None);
        assert_eq!(date("He scored 12 goals in May"), None);
    }
}
