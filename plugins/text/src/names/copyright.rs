//! The publisher a copyright line names: "© 2019 Example Times. All rights reserved." →
//! "Example Times".

/// The holder a copyright line names, as the publisher: "© 2019 Example Times. All rights
/// reserved." → "Example Times"; "Copyright © 2005-2019 Example Media, LLC" → "Example
/// Media". `None` for a photo credit ("Image copyright Jo Roe", "Photo: © Jo Roe") or a line
/// that names no one.
pub fn copyright_holder(text: &str) -> Option<String> {
    if text.len() > 200 {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    // The mark opens the line (after at most "All contents" or a bullet): not a credit.
    let mark = ["©", "ⓒ", "(c)", "copyright"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()?;
    let before = lower[..mark].trim_matches(|c: char| !c.is_alphanumeric());
    if !matches!(before, "" | "all contents" | "this site" | "site") {
        return None;
    }
    // A bare "© Name" is as often a photo credit: a year or a rights statement makes it the
    // page's notice.
    let notice = lower.contains("copyright")
        || lower.contains("right")
        || ["rechte", "droits", "derechos", "direitos"]
            .iter()
            .any(|w| lower.contains(w))
        || lower
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit));
    if !notice {
        return None;
    }
    // Skip marks, years, year ranges and "by" after the mark.
    let mut rest = &text[mark..];
    loop {
        let trimmed = rest.trim_start_matches(|c: char| {
            c.is_whitespace()
                || c.is_ascii_digit()
                || matches!(c, '©' | 'ⓒ' | '-' | '–' | '—' | ',' | '.' | ':')
        });
        let next = ["copyright", "(c)", "by "].iter().find(|m| {
            trimmed
                .get(..m.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(m))
        });
        if let Some(m) = next {
            rest = &trimmed[m.len()..];
        } else {
            rest = trimmed;
            break;
        }
    }
    let name = holder_name(rest);
    let words = name.split_whitespace().count();
    let starts_upper = name
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    // "Designed by …", "Powered by …", "The Site unless otherwise noted": not a name.
    let plain = !name.to_ascii_lowercase().contains("rights")
        && !name.contains('@')
        && !name
            .split_whitespace()
            .any(|w| matches!(w, "by" | "unless" | "except" | "powered" | "designed"));
    ((1..=6).contains(&words) && starts_upper && plain).then(|| name.to_owned())
}

/// The holder's name at the start of `rest`, without what follows it (a sentence, a
/// separator, the rights statement), its legal form or a trailing year.
fn holder_name(rest: &str) -> &str {
    let rest_lower = rest.to_ascii_lowercase();
    let end = [
        ". ",
        ",",
        " / ",
        " |",
        " - ",
        " — ",
        " – ",
        " •",
        ";",
        "(",
        "all rights",
        "all right",
        "alle rechte",
        "tous droits",
        "todos los derechos",
        "todos os direitos",
    ]
    .iter()
    .filter_map(|m| rest_lower.find(m))
    .min()
    .unwrap_or(rest.len());
    // "Example Network.Other Company": a full stop glued to the next name.
    let end = rest[..end]
        .char_indices()
        .zip(rest[..end].chars().skip(1))
        .find(|&((_, c), next)| c == '.' && next.is_uppercase())
        .map_or(end, |((i, _), _)| i);
    let mut name = rest[..end].trim().trim_end_matches(['.', ',', ' ']);
    // Legal forms and a trailing year are not part of the name.
    loop {
        let before = name;
        for suffix in [
            ", Inc", " Inc", ", LLC", " LLC", " Ltd", " Pty", " Pvt", " Limited", " GmbH", " Corp",
            ", Corp", " Co", " S.A", " AG",
        ] {
            if let Some(head) = name.strip_suffix(suffix) {
                name = head;
            }
        }
        name = name
            .trim_end_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '-' | '–')
            })
            .trim_end();
        if name == before {
            break;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copyright_lines_name_the_publisher() {
        let holder = |s: &str| copyright_holder(s);
        assert_eq!(
            holder("© 2019 Example Times. All rights reserved."),
            Some("Example Times".into())
        );
        assert_eq!(
            holder("Copyright © 2005-2019 Example Media, LLC. All Rights Reserved."),
            Some("Example Media".into())
        );
        assert_eq!(
            holder("© Example Weekly Pty Ltd. All rights reserved."),
            Some("Example Weekly".into())
        );
        assert_eq!(
            holder("Copyright © 2019, Example Herald | Terms of Service | Privacy Policy"),
            Some("Example Herald".into())
        );
        assert_eq!(holder("© Example Post 2019"), Some("Example Post".into()));
        // Photo credits and bare statements name no publisher.
        assert_eq!(holder("Image copyright Jo Roe"), None);
        assert_eq!(holder("Rain over the harbour. Photo: © Jo Roe"), None);
        assert_eq!(holder("© 2019 All rights reserved."), None);
        assert_eq!(holder("© Jo Roe"), None, "no year, no notice: a credit");
        assert_eq!(holder("Sports data © Example Stats 2018"), None);
        assert_eq!(
            holder("Copyright © 2002-2019 - Designed by Example Digital"),
            None
        );
        assert_eq!(
            holder("© 2019 Example Network.Example Holdings, Inc.All Rights Reserved."),
            Some("Example Network".into())
        );
        assert_eq!(
            holder("© 2019 The Example unless otherwise noted. All rights reserved."),
            None
        );
    }
}
