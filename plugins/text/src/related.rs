//! Teaser lists after the article: items separated by blank lines, `-` lines or bullets, each
//! a headline with perhaps a section label, a one-line summary and a byline. A headline glued to
//! its section label (`…50 years onIn The Spotlight The nation…`) is split where a lower-case
//! word runs straight into a capital.

use std::ops::Range;

use docnorm_plugin_api::Related;

use crate::glued::glued_at;
use crate::lines::{Line, count_words_upto};
use crate::names;

/// One teaser for another article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Teaser {
    /// The headline.
    pub title: String,
    /// The section label shown with it.
    pub section: Option<String>,
    /// The summary line.
    pub summary: Option<String>,
    /// Names from its byline.
    pub authors: Vec<String>,
}

impl Teaser {
    /// The teaser as a record's related item.
    pub fn to_related(&self) -> Related {
        Related {
            title: self.title.clone(),
            url: None,
            summary: self.summary.clone(),
            section: self.section.clone(),
            authors: (!self.authors.is_empty()).then(|| self.authors.clone()),
            published: None,
        }
    }
}

/// At most this many teasers are listed in `related`; a page of a million teaser-like lines
/// would otherwise give a million of them.
pub const MAX_TEASERS: usize = 1000;

/// Teasers found in a page's lines.
#[derive(Debug, Default)]
pub struct Found {
    /// The first [`MAX_TEASERS`] teasers.
    pub teasers: Vec<Teaser>,
    /// The indices of the lines all teasers use, listed or not.
    pub used: Vec<usize>,
    /// How many teasers were found beyond [`MAX_TEASERS`].
    pub unlisted: usize,
}

/// Teasers found in `lines[from..to]`.
pub fn find(lines: &[Line<'_>], from: usize, to: usize) -> Found {
    let items = group(lines, from, to);
    let mut found = Found::default();
    let mut run = Found::default();
    for item in items {
        match teaser(lines, item.clone()) {
            Some(t) => {
                if found.teasers.len() + run.teasers.len() < MAX_TEASERS {
                    run.teasers.push(t);
                } else {
                    run.unlisted += 1;
                }
                run.used.extend(item);
            }
            None => flush(&mut run, &mut found),
        }
    }
    flush(&mut run, &mut found);
    split_sections(&mut found.teasers);
    found
}

/// Keeps every run of two teasers or more.
fn flush(run: &mut Found, all: &mut Found) {
    if run.teasers.len() + run.unlisted >= 2 {
        all.teasers.append(&mut run.teasers);
        all.used.append(&mut run.used);
        all.unlisted += run.unlisted;
    }
    run.teasers.clear();
    run.used.clear();
    run.unlisted = 0;
}

/// Splits lines into items at blank lines, separator lines and bullets; an item is a run of
/// consecutive lines. One too long for a teaser stays one item, rejected later.
fn group(lines: &[Line<'_>], from: usize, to: usize) -> Vec<Range<usize>> {
    let mut items: Vec<Range<usize>> = Vec::new();
    let mut current = from..from;
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        if line.blank() || line.separator() {
            if !current.is_empty() {
                items.push(current.clone());
            }
            current = i + 1..i + 1;
            continue;
        }
        if line.bullet() && !current.is_empty() {
            items.push(current.clone());
            current = i..i;
        }
        current.end = i + 1;
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}

/// Cheap tests first: flags of the line, then counts, then the byline parse.
fn headline_like(line: &Line<'_>, text: &str, glued: bool) -> bool {
    !line.copyright()
        && (glued || (line.ui_words() == 0 && !line.ui_phrase()))
        && !line.credit()
        && !text.ends_with(':')
        && (3..=25).contains(&count_words_upto(text, 26))
        && (text.len() <= 200 || text.chars().count() <= 200)
        && names::byline(text).is_none()
}

fn teaser(lines: &[Line<'_>], item: Range<usize>) -> Option<Teaser> {
    if item.is_empty() || item.len() > 4 {
        return None;
    }
    let head = &lines[item.start];
    let mut t = Teaser::default();
    let glued = if item.len() == 1 {
        split_glued(head.text)
    } else {
        None
    };
    let (title, glued_rest) = match glued {
        Some((title, rest)) => (title, Some(rest)),
        None => (head.text, None),
    };
    // Chrome words in a glued summary say nothing about the headline.
    let glued = glued_rest.is_some();
    if !headline_like(head, title, glued) {
        return None;
    }
    // A full sentence with an end mark on its own is prose, not a teaser headline.
    if item.len() == 1 && glued_rest.is_none() && head.sentence_end() && !title.ends_with('?') {
        return None;
    }
    title.trim().clone_into(&mut t.title);
    if let Some(rest) = glued_rest {
        t.summary = Some(rest.trim().to_owned());
    }
    for line in &lines[item.start + 1..item.end] {
        if let Some(found) = names::byline(line.text) {
            t.authors.extend(found);
        } else if line.copyright() || line.ui_phrase() {
            return None;
        } else if t.summary.is_none() {
            t.summary = Some(line.text.to_owned());
        }
    }
    Some(t)
}

/// Splits `…50 years onIn The Spotlight The nation…` after `on`: a lower-case word (or a
/// question mark) directly followed by a capital, with a headline of three words or more
/// before it and three words or more after it.
pub fn split_glued(text: &str) -> Option<(&str, &str)> {
    let at = glued_at(text)?;
    let (head, tail) = text.split_at(at);
    (count_words_upto(head, 3) >= 3 && count_words_upto(tail, 3) >= 3).then_some((head, tail))
}

/// Moves a section label from the front of each summary into `section`: a prefix shared by
/// several summaries, else a run of capitalized words ending where the summary's first
/// sentence starts (`In The Spotlight The nation is…`).
fn split_sections(teasers: &mut [Teaser]) {
    // The summaries are moved out while they are read, and back (or cut) at the end.
    let summaries: Vec<Option<String>> = teasers.iter_mut().map(|t| t.summary.take()).collect();
    let mut cuts: Vec<Option<(String, usize)>> = Vec::with_capacity(teasers.len());
    // The first six words of each summary, in one vector; the first four are its prefix.
    let firsts: Vec<([&str; 6], usize)> = summaries
        .iter()
        .map(|s| {
            let mut words = [""; 6];
            let mut n = 0;
            for (slot, w) in words
                .iter_mut()
                .zip(s.as_deref().unwrap_or("").split_whitespace())
            {
                *slot = w;
                n += 1;
            }
            (words, n)
        })
        .collect();
    let prefixes: Vec<&[&str]> = firsts.iter().map(|(w, n)| &w[..(*n).min(4)]).collect();
    // How many leading words each other summary shares with this one (any case).
    let mut common: Vec<usize> = Vec::with_capacity(prefixes.len());
    for k in 0..teasers.len() {
        let summary = summaries[k].as_deref().unwrap_or("");
        let words = &firsts[k].0[..firsts[k].1];
        let mut label_len = 0;
        common.clear();
        if prefixes[k].len() >= 3 {
            common.extend(
                prefixes
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, p)| {
                        p.iter()
                            .zip(prefixes[k])
                            .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
                            .count()
                    }),
            );
        }
        // Other summaries opening with the same `len` words.
        let shared = |len: usize| common.iter().filter(|&&c| c >= len).count();
        if prefixes[k].len() >= 3 && shared(2) > 0 {
            let base = shared(2);
            label_len = 2;
            for len in 3..prefixes[k].len() {
                if shared(len) == base {
                    label_len = len;
                } else {
                    break;
                }
            }
        }
        if label_len == 0 {
            label_len = capitalized_label(words);
        }
        cuts.push((label_len > 0 && label_len < words.len()).then(|| {
            // Byte offset of the first word after the label, inside `summary`.
            let rest = words[label_len].as_ptr() as usize - summary.as_ptr() as usize;
            (words[..label_len].join(" "), rest)
        }));
    }
    drop(prefixes);
    drop(firsts);
    for ((t, summary), cut) in teasers.iter_mut().zip(summaries).zip(cuts) {
        t.summary = match (cut, summary) {
            (Some((section, rest)), Some(mut summary)) => {
                t.section = Some(section);
                // Cut in place: no new string.
                summary.drain(..rest);
                Some(summary)
            }
            (_, summary) => summary,
        };
    }
}

fn capitalized_label(words: &[&str]) -> usize {
    let mut run = 0;
    while run < words.len() && run < 5 {
        let w = words[run];
        let cap = w.chars().next().is_some_and(char::is_uppercase);
        if !cap {
            break;
        }
        run += 1;
    }
    // The last capitalized word starts the summary's sentence.
    if run >= 3 && run < words.len() {
        run - 1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{Scratch, measure};

    fn teasers(text: &str) -> Vec<Teaser> {
        let mut s = Scratch::default();
        let lines: Vec<Line<'_>> = text.lines().map(|l| measure(l, &mut s)).collect();
        find(&lines, 0, lines.len()).teasers
    }

    #[test]
    fn a_page_of_teasers_lists_the_first_thousand_and_counts_the_rest() {
        let text = "Storm closes the harbour for a day\n\n".repeat(3 * MAX_TEASERS);
        let mut s = Scratch::default();
        let lines: Vec<Line<'_>> = text.lines().map(|l| measure(l, &mut s)).collect();
        let found = find(&lines, 0, lines.len());
        assert_eq!(found.teasers.len(), MAX_TEASERS);
        assert_eq!(found.unlisted, 2 * MAX_TEASERS);
        assert_eq!(found.used.len(), 3 * MAX_TEASERS);
    }

    #[test]
    fn separated_teasers_with_bylines() {
        let t = teasers(
            "-\nCity council approves new bike lanes\nLocal News Riders get safer routes\nBy Ann Lee, Example Times\n-\nStorm closes three mountain passes\nLocal News Snow is expected to continue\nBy Bo Chan, Example Times",
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].title, "City council approves new bike lanes");
        assert_eq!(t[0].section.as_deref(), Some("Local News"));
        assert_eq!(t[0].summary.as_deref(), Some("Riders get safer routes"));
        assert_eq!(t[1].authors, vec!["Bo Chan".to_owned()]);
    }

    #[test]
    fn glued_title_and_section_are_split() {
        let t = teasers(
            "-\nThe lake that keeps moving northIn The Field The water has shifted every year\n-\nWhy bees prefer blue flowersThe Explainer Colour vision helps them find food fast",
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].title, "The lake that keeps moving north");
        assert_eq!(t[0].section.as_deref(), Some("In The Field"));
        assert_eq!(t[1].title, "Why bees prefer blue flowers");
        assert_eq!(t[1].section.as_deref(), Some("The Explainer"));
    }

    #[test]
    fn a_single_item_is_not_a_list() {
        assert!(teasers("One lonely headline about the weather").is_empty());
    }

    #[test]
    fn glued_split_ignores_ordinary_words() {
        assert_eq!(
            split_glued("Fans queue for the new iPhone in the rain"),
            None
        );
        assert_eq!(split_glued("McDonald opens a new branch downtown"), None);
    }
}
