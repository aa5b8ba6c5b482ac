//! Date values from front matter and JSON, normalized: a moment with a known offset becomes
//! UTC RFC 3339 (`2021-04-13T17:10:59Z`), a bare date stays a date (`2022-11-30`), a date and
//! time with no zone stays a civil date-time (`2022-11-30T14:05:00`) rather than being given a
//! zone it never had. Anything else is not a date.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::fmt::{rfc2822, strtime, temporal};

/// Date-time layouts with a numeric offset that RFC 3339 parsing does not take, such as
/// Jekyll's `2022-11-30 14:05:00 -0500`.
const OFFSET_LAYOUTS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%dT%H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %Z",
];

/// `text` as a normalized date, or `None` when it is not one.
pub(crate) fn normalize(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    if let Some(ts) = timestamp(text) {
        return Some(ts.to_string());
    }
    if let Ok(date) = Date::strptime("%Y-%m-%d", text) {
        return Some(date.to_string());
    }
    let civil = temporal::DateTimeParser::new().parse_datetime(text).ok();
    let civil = civil.or_else(|| DateTime::strptime("%Y-%m-%d %H:%M", text).ok());
    civil.map(|dt| dt.to_string())
}

fn timestamp(text: &str) -> Option<Timestamp> {
    // RFC 3339 and its ISO 8601 relatives, with an offset or `Z`.
    if let Ok(ts) = temporal::DateTimeParser::new().parse_timestamp(text) {
        return Some(ts);
    }
    if let Some(ts) = OFFSET_LAYOUTS
        .iter()
        .find_map(|layout| strtime::parse(layout, text).ok()?.to_timestamp().ok())
    {
        return Some(ts);
    }
    // RSS `pubDate`: `Tue, 13 Apr 2021 17:10:59 GMT`.
    rfc2822::DateTimeParser::new().parse_timestamp(text).ok()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn offsets_are_normalized_to_utc() {
        assert_eq!(
            normalize("2021-04-13T17:10:59Z").as_deref(),
            Some("2021-04-13T17:10:59Z")
        );
        assert_eq!(
            normalize("2023-05-01T10:00:00+02:00").as_deref(),
            Some("2023-05-01T08:00:00Z")
        );
        assert_eq!(
            normalize("2022-11-30 14:05:00 -0500").as_deref(),
            Some("2022-11-30T19:05:00Z")
        );
        assert_eq!(
            normalize("Tue, 13 Apr 2021 17:10:59 GMT").as_deref(),
            Some("2021-04-13T17:10:59Z")
        );
    }

    #[test]
    fn dates_and_zoneless_times_are_not_given_a_zone() {
        assert_eq!(normalize("2022-11-30").as_deref(), Some("2022-11-30"));
        assert_eq!(
            normalize("2022-11-30T14:05:00").as_deref(),
            Some("2022-11-30T14:05:00")
        );
        assert_eq!(
            normalize("2022-11-30 14:05").as_deref(),
            Some("2022-11-30T14:05:00")
        );
    }

    #[test]
    fn words_are_not_dates() {
        assert_eq!(normalize("soon"), None);
        assert_eq!(normalize("2022-13-45"), None);
        assert_eq!(normalize(""), None);
    }
}
