//! The date policy, pinned on the forms each plugin meets.

use super::*;

/// The record's form of a whole value, or why there is none.
fn value(input: &str) -> String {
    match normalize(input) {
        Normalized::Value(v) => v.to_string(),
        other => format!("{other:?}"),
    }
}

/// The record's form of the first date in a line of prose.
fn found(line: &str) -> Option<String> {
    find(line).map(|f| f.value.to_string())
}

#[test]
fn moments_with_a_zone_become_utc_to_the_second() {
    for (input, expected) in [
        // Front matter, JSON and HTML metadata: RFC 3339 and ISO 8601 with an offset.
        ("2021-04-13T17:10:59Z", "2021-04-13T17:10:59Z"),
        ("2021-04-13T19:10:59+02:00", "2021-04-13T17:10:59Z"),
        ("20210413T171059Z", "2021-04-13T17:10:59Z"),
        ("2021-04-13 12:10:59-05:00", "2021-04-13T17:10:59Z"),
        ("2021-04-13T17:10:59.250Z", "2021-04-13T17:10:59Z"),
        ("2021-04-13T17:10:59.750Z", "2021-04-13T17:11:00Z"),
        ("2019-11-19T13:03:00.000+0000", "2019-11-19T13:03:00Z"),
        // Jekyll and Hugo front matter.
        ("2022-11-30 14:05:00 -0500", "2022-11-30T19:05:00Z"),
        ("2022-11-30 14:05 +01:00", "2022-11-30T13:05:00Z"),
        ("2022-11-30 14:05:00 UTC", "2022-11-30T14:05:00Z"),
        // RSS `pubDate` and e-mail: RFC 2822.
        ("Tue, 13 Apr 2021 17:10:59 GMT", "2021-04-13T17:10:59Z"),
        ("Tue, 13 Apr 2021 19:10:59 +0200", "2021-04-13T17:10:59Z"),
        // Unix seconds and milliseconds (JSON exports; a JSON number is read as its digits).
        ("1618333859", "2021-04-13T17:10:59Z"),
        ("1618333859250", "2021-04-13T17:10:59Z"),
        // Dates as pages show them, with a zone abbreviation.
        ("November 19, 2019, 07:47 PM EST", "2019-11-20T00:47:00Z"),
        ("2:15 PM GMT, April 9, 2022", "2022-04-09T14:15:00Z"),
        ("Nov. 19, 2019 8:03 am ET", "2019-11-19T13:03:00Z"),
        ("July 4, 2021 10:32 PM ET", "2021-07-05T02:32:00Z"),
        ("12.01.2024 14h30 CET", "2024-01-12T13:30:00Z"),
    ] {
        assert_eq!(value(input), expected, "{input}");
    }
}

#[test]
fn a_time_without_zone_is_kept_without_offset() {
    for (input, expected) in [
        ("2021-04-13T17:10:59", "2021-04-13T17:10:59"),
        ("2021-04-13 17:10", "2021-04-13T17:10:00"),
        ("2021-04-13T17:10:59.25", "2021-04-13T17:10:59"),
        ("Mar. 4, 2021 at 9:05 a.m.", "2021-03-04T09:05:00"),
        ("Nov 19, 2019 7:47 PM", "2019-11-19T19:47:00"),
        ("12.01.2024, 08:30 Uhr", "2024-01-12T08:30:00"),
        ("19 November 2019 13:03", "2019-11-19T13:03:00"),
    ] {
        assert_eq!(value(input), expected, "{input}");
    }
}

#[test]
fn a_day_alone_stays_a_day() {
    for (input, expected) in [
        ("2021-04-13", "2021-04-13"),
        ("20210413", "2021-04-13"),
        (" 2021/4/13 ", "2021-04-13"),
        ("2021.04.13", "2021-04-13"),
        ("04.03.2021", "2021-03-04"),
        ("27/03/2024", "2024-03-27"),
        ("03/27/2024", "2024-03-27"),
        ("April 13, 2021", "2021-04-13"),
        ("Apr. 13, 2021", "2021-04-13"),
        ("April 13th, 2021", "2021-04-13"),
        ("13 April 2021", "2021-04-13"),
        ("Tuesday, April 13, 2021", "2021-04-13"),
        ("Tue Apr 13 2021", "2021-04-13"),
        ("12. Januar 2024", "2024-01-12"),
        ("4 février 2025", "2025-02-04"),
        ("7 de marzo de 2024", "2024-03-07"),
        ("Tuesday 3 December 2019 06.00 GMT", "Unreadable"),
    ] {
        assert_eq!(value(input), expected, "{input}");
    }
}

#[test]
fn impossible_dates_are_told_from_unreadable_ones() {
    for input in [
        "2021-02-30",
        "2021-13-01",
        "20210230",
        "2021-02-29T10:00:00Z",
        "2021-04-13T25:00:00Z",
        "2021/02/30",
        "30.02.2021",
        "February 30, 2021",
    ] {
        assert_eq!(normalize(input), Normalized::Impossible, "{input}");
    }
    for input in [
        "yesterday",
        "04/05/2021",
        "",
        "2021-04-13 and later",
        "123",
        "2019",
        "Posted on March 5, 2021",
        "soon",
    ] {
        assert_eq!(normalize(input), Normalized::Unreadable, "{input}");
    }
}

#[test]
fn normalizing_twice_changes_nothing() {
    for input in [
        "2021-04-13T19:10:59+02:00",
        "Mar. 4, 2021 at 9:05 a.m.",
        "April 13, 2021",
        "1618333859",
        "2022-11-30 14:05:00 UTC",
    ] {
        let once = value(input);
        assert_eq!(value(&once), once, "{input}");
    }
}

#[test]
fn a_date_in_prose_follows_the_same_policy() {
    assert_eq!(
        found("Published Mar. 7th, 2024").as_deref(),
        Some("2024-03-07")
    );
    assert_eq!(
        found("Updated 10:32 PM EDT Jul 4, 2021").as_deref(),
        Some("2021-07-05T02:32:00Z")
    );
    assert_eq!(
        found("Publicado el 1 de abril de 2023").as_deref(),
        Some("2023-04-01")
    );
    assert_eq!(
        found("By Jane Doe | March 7, 2024 8:03 am").as_deref(),
        Some("2024-03-07T08:03:00")
    );
    assert_eq!(
        found("Published Tue, Nov 19 20197:05 AM EST").as_deref(),
        Some("2019-11-19T12:05:00Z")
    );
    assert_eq!(
        found("Nov 15, 201910:45 PM").as_deref(),
        Some("2019-11-15T22:45:00")
    );
    // Whatever reads it, a value gives the same date.
    for line in [
        "Mar. 4, 2021 at 9:05 a.m.",
        "2:15 PM GMT, April 9, 2022",
        "04.03.2021",
        "Tuesday, April 13, 2021",
    ] {
        assert_eq!(found(line), Some(value(line)), "{line}");
    }
}

#[test]
fn what_prose_does_not_date() {
    assert_eq!(found("The 2024 election"), None);
    assert_eq!(found("February 30, 2024"), None);
    assert_eq!(found("He scored 12 goals in May"), None);
    assert_eq!(found("03/04/2024"), None);
    assert_eq!(found("Order 123456: March"), None);
    // A year outside the range prose dates are read in is a number.
    assert_eq!(found("March 7, 1850"), None);
    assert_eq!(value("March 7, 1850"), "1850-03-07");
}

#[test]
fn coverage_tells_a_date_line_from_prose() {
    let line = "Nov. 19, 2019 8:03 am ET";
    assert_eq!(find(line).map(|f| f.covered), Some(line.len()));
    let line = "The council met on March 7, 2024 to vote.";
    assert_eq!(find(line).map(|f| f.covered), Some("march 7, 2024".len()));
}

#[test]
fn years_are_those_of_the_value() {
    let year = |input: &str| match normalize(input) {
        Normalized::Value(v) => v.year(),
        other => panic!("{input}: {other:?}"),
    };
    assert_eq!(year("2019-12-31T23:30:00-05:00"), 2020);
    assert_eq!(year("2019-12-31T23:30:00"), 2019);
    assert_eq!(year("1970-01-01"), 1970);
}
