//! Author names as pages declare them ("By JANE DOE and JOHN ROE, AP Writer", "Jane Doe,
//! MD", a profile URL) turned into clean person or organisation names.

/// Words that mark an affiliation or a role, not a name ("AP Auto Writer", "CNN Business").
const ROLE_WORDS: &[&str] = &[
    "writer",
    "editor",
    "reporter",
    "correspondent",
    "contributor",
    "columnist",
    "staff",
    "press",
    "news",
    "business",
    "international",
    "media",
    "bureau",
    "at-large",
    "editor-at-large",
    "senior",
    "times",
    "post",
    "journal",
    "agency",
];

/// Leading words that introduce a byline rather than belong to the name.
const LEADS: &[&str] = &[
    "by",
    "analysis by",
    "opinion by",
    "words by",
    "written by",
    "posted by",
    "story by",
    "text by",
    "report by",
    "reporting by",
    "von",
    "par",
    "por",
    "door",
    "di",
    "av",
    "af",
];

/// Clean names from one declared author string; empty when it names nobody.
pub fn names(raw: &str) -> Vec<String> {
    let text = crate::text::squash(raw);
    if text.is_empty() || looks_like_url(&text) || text.chars().count() > 200 {
        return Vec::new();
    }
    let text = strip_lead(&text);
    // "Name | Affiliation" and "Name, Affiliation": keep what precedes the affiliation.
    let mut parts: Vec<&str> = text
        .split([',', '|', ';', '\u{2022}'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // "Jane Doe, MD, PhD": post-nominal credentials belong to the name as the page writes it.
    if parts.len() > 1 && parts[1..].iter().all(|p| is_credential(p)) {
        let name = tidy(&parts.join(", "));
        return if is_name_like(&name) {
            vec![name]
        } else {
            Vec::new()
        };
    }
    if parts.len() > 1 {
        parts.retain(|p| !is_affiliation(p) && !is_credential(p));
        // People are written with two words or more; a lone word after a name is a masthead.
        if parts.iter().any(|p| p.contains(' ')) {
            parts.retain(|p| p.contains(' '));
        }
    }
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        for name in split_and(part) {
            let name = tidy(name);
            if is_name_like(&name) && !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                out.push(name);
            }
        }
    }
    out
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("www.")
        || s.starts_with('/')
}

fn strip_lead(text: &str) -> &str {
    let lower = text.to_lowercase();
    for lead in LEADS {
        if lower.starts_with(lead)
            && lower[lead.len()..].starts_with([' ', ':'])
            && text.is_char_boundary(lead.len())
        {
            return text[lead.len()..].trim_start_matches([' ', ':']).trim();
        }
    }
    text
}

fn split_and(part: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = part;
    loop {
        let next = [" and ", " & ", " AND ", " und ", " et ", " y "]
            .iter()
            .filter_map(|sep| rest.find(sep).map(|i| (i, sep.len())))
            .min();
        let Some((i, len)) = next else {
            out.push(rest.trim());
            return out;
        };
        out.push(rest[..i].trim());
        rest = &rest[i + len..];
    }
}

/// Affiliations and roles after a name: "AP Auto Writer", "Cleveland.com", "CNN Business".
fn is_affiliation(part: &str) -> bool {
    let lower = part.to_lowercase();
    lower.contains(".com")
        || lower.contains(".org")
        || lower.contains(".co")
        || lower.split_whitespace().any(|w| ROLE_WORDS.contains(&w))
        || lower.starts_with("the ")
        || lower.starts_with("for ")
}

/// Degrees and titles after a name: "MD", "MS", "RDN", `PhD`.
fn is_credential(part: &str) -> bool {
    let letters = part.chars().filter(|c| c.is_alphabetic()).count();
    letters <= 5
        && !part.contains(' ')
        && part.chars().filter(|c| c.is_uppercase()).count() * 2 >= letters
}

fn tidy(name: &str) -> String {
    let name = name.trim_matches(|c: char| c.is_whitespace() || ",.;:|-".contains(c));
    let words: Vec<&str> = name.split_whitespace().collect();
    let shouting = words.len() > 1
        && name.chars().any(char::is_alphabetic)
        && !name.chars().any(char::is_lowercase);
    if !shouting {
        return words.join(" ");
    }
    // "TOM KRISHER" reads as "Tom Krisher".
    words
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_name_like(name: &str) -> bool {
    let words = name.split_whitespace().count();
    (1..=6).contains(&words)
        && name.chars().any(char::is_alphabetic)
        && name.chars().filter(char::is_ascii_digit).count() < 3
        && !looks_like_url(name)
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn bylines_are_split_into_names() {
        assert_eq!(names("By TOM KRISHER, AP Auto Writer"), ["Tom Krisher"]);
        assert_eq!(
            names("By MEG KINNARD and ERRIN HAINES, Associated Press"),
            ["Meg Kinnard", "Errin Haines"]
        );
        assert_eq!(names("Jane Doe & John Roe"), ["Jane Doe", "John Roe"]);
        assert_eq!(names("Rachael Link, MS, RD"), ["Rachael Link, MS, RD"]);
        assert_eq!(names("Troy L. Smith, Cleveland.com"), ["Troy L. Smith"]);
        assert_eq!(names("Victor Tangermann, Futurism"), ["Victor Tangermann"]);
        assert_eq!(
            names("Lia Eustachewich, Yaron Steinbuch"),
            ["Lia Eustachewich", "Yaron Steinbuch"]
        );
        assert_eq!(
            names("Analysis by Chris Cillizza, CNN Editor-at-large"),
            ["Chris Cillizza"]
        );
        assert_eq!(
            names("Amy Kuperinsky | NJ Advance Media for NJ.com"),
            ["Amy Kuperinsky"]
        );
    }

    #[test]
    fn urls_are_not_names() {
        assert!(names("https://www.facebook.com/someone").is_empty());
        assert!(names("  ").is_empty());
    }

    #[test]
    fn organisations_stay_whole() {
        assert_eq!(names("Reuters"), ["Reuters"]);
        assert_eq!(names("The Associated Press"), ["The Associated Press"]);
    }
}
