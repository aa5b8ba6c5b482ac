//! Lines of extracted text that are page furniture even inside the article container:
//! datelines, photo credits, "Read more" and sign-up prompts, contributor notes, lone words
//! such as "Advertisement". Each rule is generic: it looks at the shape of the line, never at
//! a site.

use docnorm_toolkit::dates::calendar;

/// Lines of one or two words that are labels of page furniture, compared lower-cased.
const LABELS: &[&str] = &[
    "advertisement",
    "advert",
    "ad",
    "ads",
    "sponsored",
    "share",
    "share this",
    "share this article",
    "tweet",
    "email",
    "print",
    "comments",
    "comment",
    "read more",
    "more",
    "close",
    "caption",
    "continue reading",
    "continue reading below",
    "recent articles",
    "related articles",
    "related stories",
    "related",
    "more stories",
    "you may also like",
    "you may also like...",
    "don't miss",
    "don\u{2019}t miss",
    "watch",
    "listen",
    "opinion columnist",
    "skip advertisement",
];

/// Openings of prompts that point away from the article, compared lower-cased.
const PROMPTS: &[&str] = &[
    "read more",
    "read also",
    "also read",
    "related:",
    "[related",
    "see more",
    "see also",
    "also:",
    "subscribe to",
    "click here",
    "follow us",
    "join our",
    "want more",
    "more from",
    "more news",
    "more on this",
    "don't miss",
    "don\u{2019}t miss",
    "download:",
    "if you enjoyed this",
    "get the latest",
    "this post may contain affiliate",
    "(reporting by",
    "reporting by",
    "editing by",
    "write to ",
    "reach the reporter",
    "contact the reporter",
    "have a tip?",
    "copyright",
    "\u{a9}",
    "all rights reserved",
];

/// Words that begin a dateline: "Updated 5:27 am", "Published November 20th, 2019".
const DATELINE_LEADS: &[&str] = &[
    "published",
    "updated",
    "posted",
    "last updated",
    "first published",
    "modified",
    "last modified",
];

/// Words a bare date line is made of beside the English month and weekday names
/// (`docnorm_toolkit::dates::calendar`): times of day, ordinals, zone abbreviations.
const DATE_WORDS: &[&str] = &[
    "am", "pm", "a", "p", "m", "at", "on", "st", "nd", "rd", "th", "gmt", "utc", "est", "edt",
    "cst", "cdt", "mst", "mdt", "pst", "pdt", "bst", "cet", "cest", "ist", "hst", "et", "pt", "ct",
];

/// Whether a lower-case word may stand in a bare date line.
fn is_date_word(word: &str) -> bool {
    DATE_WORDS.contains(&word)
        || calendar::ENGLISH_MONTHS.contains(&word)
        || calendar::ENGLISH_MONTH_ABBREVIATIONS.contains(&word)
        || calendar::ENGLISH_WEEKDAYS.contains(&word)
        || calendar::ENGLISH_WEEKDAY_ABBREVIATIONS.contains(&word)
}

/// Why `line` is furniture, or `None` when it may be article text.
pub fn furniture(line: &str) -> Option<&'static str> {
    // Every rule wants a line of at most 300 characters. Most lines are article paragraphs
    // far longer than that: checking their length first spares lower-casing them. Trimming
    // and lower-casing commute (no letter lower-cases to a space or to the trimmed marks),
    // and lower-casing never makes a line shorter, so the check can run on the line itself.
    if line.trim_matches(is_edge).chars().count() > 300 {
        return None;
    }
    let lower = line.to_lowercase();
    let trimmed = lower.trim_matches(is_edge);
    let chars = trimmed.chars().count();
    if chars == 0 {
        return None;
    }
    if LABELS.contains(&trimmed) {
        return Some("label");
    }
    if chars <= 100 && is_dateline(trimmed) {
        return Some("dateline");
    }
    if chars <= 120 && is_credit(trimmed) {
        return Some("credit");
    }
    if chars <= 300 && PROMPTS.iter().any(|p| trimmed.starts_with(p)) {
        return Some("promotion");
    }
    if chars <= 300
        && trimmed.starts_with("sign up")
        && (trimmed.contains("newsletter") || trimmed.contains(" our "))
    {
        return Some("promotion");
    }
    if chars <= 300 && is_contributor_note(trimmed) {
        return Some("contributors");
    }
    if chars <= 200 && ends_with_teaser_tag(line) {
        return Some("teaser");
    }
    None
}

/// Characters trimmed from both ends of a line before the rules look at it.
fn is_edge(c: char) -> bool {
    c.is_whitespace() || "|\u{2022}-\u{2014}:".contains(c)
}

/// A line made only of date words, numbers and dateline words: "Updated 5:27 am CST,
/// Wednesday, November 20, 2019", "Nov. 20, 2019 5:52 AM EST".
fn is_dateline(lower: &str) -> bool {
    if !lower.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let is_number = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && ["", "st", "nd", "rd", "th", "h"].contains(&&w[digits.len()..])
    };
    let is_lead = |w: &str| DATELINE_LEADS.contains(&w) || w == "last" || w == "first";
    words.iter().any(|w| is_date_word(w) || is_lead(w))
        && words
            .iter()
            .all(|w| is_number(w) || is_date_word(w) || is_lead(w))
}

fn is_credit(lower: &str) -> bool {
    [
        "photo:",
        "photos:",
        "photograph:",
        "image:",
        "(image",
        "credit:",
        "image credit",
        "picture:",
        "\u{444}\u{43e}\u{442}\u{43e}:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || lower.ends_with("getty images")
        || lower.ends_with("shutterstock")
        || lower.ends_with("(image: getty )")
}

fn is_contributor_note(lower: &str) -> bool {
    let end = lower.trim_end_matches(['.', ')']);
    end.ends_with("contributed to this report")
        || end.ends_with("contributed reporting")
        || end.ends_with("contributed to this story")
        || lower.contains(" contributed reporting from ")
        || lower.contains(" contributed to this report")
}

/// "Story title [VIDEO]": a teaser link with a bracketed upper-case tag.
fn ends_with_teaser_tag(line: &str) -> bool {
    let line = line.trim_end();
    let Some(open) = line.rfind('[') else {
        return false;
    };
    let tag = &line[open..];
    tag.ends_with(']')
        && tag.len() > 3
        && tag[1..tag.len() - 1]
            .chars()
            .all(|c| c.is_uppercase() || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::furniture;

    #[test]
    fn furniture_lines_are_recognised() {
        for (line, reason) in [
            ("Advertisement", "label"),
            (
                "Updated 5:27 am CST, Wednesday, November 20, 2019",
                "dateline",
            ),
            ("| UPDATED: 11:05, Tue, Nov 19, 2019", "dateline"),
            ("Nov. 20, 2019 5:52 AM EST", "dateline"),
            ("Published November 20th, 2019 - 07:50 GMT", "dateline"),
            ("Updated Nov 19, 9:41 AM;Posted Nov 18, 8:19 PM", "dateline"),
            ("Photo: Hau Dinh, AP", "credit"),
            ("Natalie Naccache | Bloomberg | Getty Images", "credit"),
            ("Read more: Markets fall as talks stall", "promotion"),
            ("Sign up for our morning newsletter", "promotion"),
            (
                "Keith Bradsher contributed reporting from Hong Kong.",
                "contributors",
            ),
            (
                "Plane passengers quarantined after outbreak [NEWS]",
                "teaser",
            ),
        ] {
            assert_eq!(furniture(line), Some(reason), "{line}");
        }
    }

    #[test]
    fn article_sentences_stay() {
        for line in [
            "Published research shows the harbour wall failed in 2019 after years of neglect.",
            "On November 20, 2019 the council met to discuss the damage.",
            "Read the report, she said, and you will see why.",
            "Photos of the storm were shared widely.",
            "2019",
        ] {
            assert_eq!(furniture(line), None, "{line}");
        }
    }
}
