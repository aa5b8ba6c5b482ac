//! Headlines without the site's name: "Storm hits coast | The Daily" → "Storm hits coast".

/// Whether two labels name the same thing, ignoring case, spaces and punctuation.
pub fn same(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (key(a), key(b));
    !a.is_empty() && a == b
}

/// Separators between a headline and the site's name, as pages write them.
const SEPARATORS: &[&str] = &[
    " | ",
    " - ",
    " \u{2014} ",
    " \u{2013} ",
    " :: ",
    " \u{b7} ",
    " \u{bb} ",
    " // ",
];

/// `title` without a trailing " | Site" part when that part names one of `sites` (a site name
/// or a domain) or, failing that, reads like a site name: a few capitalised words after a
/// headline of several words.
pub fn strip_site_suffix(title: &str, sites: &[String]) -> String {
    let mut current = title.trim();
    // A second suffix goes only when it names the site too ("Story - Politics - Site").
    for round in 0..2 {
        let Some((head, tail, sep)) = last_split(current) else {
            break;
        };
        if head.split_whitespace().count() < 2 {
            break;
        }
        let names_site = sites.iter().any(|s| names(tail, s));
        if names_site || (round == 0 && looks_like_site(head, tail, sep)) {
            current = head;
        } else {
            break;
        }
    }
    current.to_owned()
}

fn last_split(title: &str) -> Option<(&str, &str, &str)> {
    SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|i| (i, *sep)))
        .max_by_key(|(i, _)| *i)
        .map(|(i, sep)| (title[..i].trim(), title[i + sep.len()..].trim(), sep))
}

/// Whether `tail` is the site `site`: equal, the domain's name ("wsj" for "wsj.com"), or one
/// containing the other.
fn names(tail: &str, site: &str) -> bool {
    if same(tail, site) {
        return true;
    }
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (t, s) = (key(tail), key(site));
    let label = site.split('.').next().map(key).unwrap_or_default();
    !t.is_empty() && (t == label || (t.len() >= 4 && (s.contains(&t) || t.contains(&s))))
}

fn looks_like_site(head: &str, tail: &str, sep: &str) -> bool {
    let words: Vec<&str> = tail.split_whitespace().collect();
    let capitalised = words.iter().all(|w| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
            || ["of", "the", "and", "for", "on", "de", "la", "&"].contains(w)
            || w.contains('.')
    });
    let max_words = if sep == " | " { 5 } else { 3 };
    capitalised
        && (1..=max_words).contains(&words.len())
        && head.split_whitespace().count() >= 3
        && head.len() > tail.len()
}

#[cfg(test)]
mod tests {
    use super::strip_site_suffix;

    fn sites(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_site_name_suffix_goes() {
        let s = sites(&["The Daily Planet", "dailyplanet.com"]);
        assert_eq!(
            strip_site_suffix("Storm hits the coast | The Daily Planet", &s),
            "Storm hits the coast"
        );
        assert_eq!(
            strip_site_suffix("Storm hits the coast - Daily Planet", &s),
            "Storm hits the coast"
        );
        assert_eq!(
            strip_site_suffix("Storm hits the coast \u{2014} dailyplanet.com", &s),
            "Storm hits the coast"
        );
    }

    #[test]
    fn a_suffix_that_reads_like_a_site_goes_without_a_known_site() {
        assert_eq!(
            strip_site_suffix("Storm hits the coast again | Coastal Herald", &[]),
            "Storm hits the coast again"
        );
    }

    #[test]
    fn headlines_with_inner_dashes_stay() {
        assert_eq!(
            strip_site_suffix("Opinion | Republicans are following him", &[]),
            "Opinion | Republicans are following him"
        );
        assert_eq!(
            strip_site_suffix("Year-end review - what we learned this year", &[]),
            "Year-end review - what we learned this year"
        );
    }
}
