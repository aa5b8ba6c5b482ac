//! Zone abbreviations a source may write after a time, with their offsets from UTC.
//!
//! Only abbreviations whose meaning is settled enough to use are listed; any other word after
//! a time leaves the time without a zone (kept without offset, never guessed). The US zones
//! named without saying standard or daylight time (`ET`, `CT`, `PT`) take the offset the
//! date had in the United States.

use jiff::civil::{Date, Weekday};

/// The offset in minutes of a lower-case zone abbreviation on `date`, if it is one listed.
pub fn offset_minutes(zone: &str, date: Date) -> Option<i16> {
    let summer = i16::from(us_summer_time(date));
    let hours: i16 = match zone {
        "utc" | "gmt" | "z" | "wet" => 0,
        "edt" => -4,
        "est" | "cdt" => -5,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" => -8,
        "hst" => -10,
        "et" => -5 + summer,
        "ct" => -6 + summer,
        "pt" => -8 + summer,
        "cet" | "mez" | "bst" => 1,
        "cest" | "mesz" => 2,
        "jst" => 9,
        "aest" => 10,
        "aedt" => 11,
        _ => return None,
    };
    Some(hours * 60)
}

/// Whether US daylight saving time is in force on `date`: from the second Sunday of March to
/// the first Sunday of November.
fn us_summer_time(date: Date) -> bool {
    match date.month() {
        4..=10 => true,
        3 => date.day() >= nth_sunday(date, 2),
        11 => date.day() < nth_sunday(date, 1),
        _ => false,
    }
}

/// The day of the month of the `n`th Sunday of `date`'s month.
fn nth_sunday(date: Date, n: i8) -> i8 {
    date.nth_weekday_of_month(n, Weekday::Sunday)
        .map_or(0, Date::day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn us_zones_without_season_follow_the_date() {
        assert_eq!(offset_minutes("et", date(2019, 11, 19)), Some(-300));
        assert_eq!(offset_minutes("et", date(2021, 7, 4)), Some(-240));
        // 2024: summer time from 10 March to 3 November.
        assert_eq!(offset_minutes("pt", date(2024, 3, 9)), Some(-480));
        assert_eq!(offset_minutes("pt", date(2024, 3, 10)), Some(-420));
        assert_eq!(offset_minutes("ct", date(2024, 11, 2)), Some(-300));
        assert_eq!(offset_minutes("ct", date(2024, 11, 3)), Some(-360));
    }

    #[test]
    fn unknown_words_are_no_zone() {
        assert_eq!(offset_minutes("uhr", date(2024, 1, 12)), None);
        assert_eq!(offset_minutes("ist", date(2024, 1, 12)), None);
        assert_eq!(offset_minutes("gmt", date(2024, 1, 12)), Some(0));
    }
}
