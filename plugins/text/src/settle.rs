//! The last step of the analysis: lines no step claimed are settled by their class and their
//! neighbours (inside the article a short line stays only between prose; outside it every
//! line goes), and the kept lines are joined into the body.

use crate::analysis::Analysis;
use crate::fate::{Fate, Reason};
use crate::page::{Class, Dir, Page};

/// Inside the article run, short lines stay only between prose; outside it everything goes.
pub(crate) fn settle(page: &mut Page<'_>, start: usize, end: usize) {
    let keepable = |c: Class| matches!(c, Class::Prose | Class::NearProse);
    for i in 0..page.lines.len() {
        if page.fates[i].is_some() {
            continue;
        }
        let c = page.classes[i];
        let fate = match c {
            Class::Blank => Fate::Blank,
            Class::Bad(r) => Fate::Removed(r),
            _ if i < start || i > end => Fate::Removed(Reason::OutsideArticle),
            Class::Prose => Fate::Kept,
            Class::NearProse | Class::Short => {
                let prev = usable_neighbour(page, i, Dir::Up, start, end);
                let next = usable_neighbour(page, i, Dir::Down, start, end);
                let keep = match c {
                    Class::NearProse => prev.is_some_and(keepable) || next.is_some_and(keepable),
                    _ => prev.is_some_and(keepable) && next == Some(Class::Prose),
                };
                if keep {
                    Fate::Kept
                } else if page.lines[i].bullet() {
                    Fate::Removed(Reason::ListItem)
                } else {
                    Fate::Removed(Reason::Short)
                }
            }
        };
        page.fates[i] = Some(fate);
    }
}

/// The nearest non-blank line inside the article that no earlier step claimed.
fn usable_neighbour(
    page: &Page<'_>,
    i: usize,
    dir: Dir,
    start: usize,
    end: usize,
) -> Option<Class> {
    let mut j = i;
    loop {
        j = match dir {
            Dir::Up if j > start => j - 1,
            Dir::Down if j < end => j + 1,
            _ => return None,
        };
        if page.classes[j] == Class::Blank {
            continue;
        }
        if matches!(page.fates[j], Some(f) if f != Fate::Kept) {
            return None;
        }
        return Some(page.classes[j]);
    }
}

/// Writes the fates out and joins the kept lines into the body.
pub(crate) fn finish(page: &Page<'_>, out: &mut Analysis<'_>) {
    let mut body = String::with_capacity(page.lines.iter().map(|l| l.text.len() + 2).sum());
    out.fates = page
        .lines
        .iter()
        .zip(&page.fates)
        .map(|(l, f)| {
            let fate = f.unwrap_or(Fate::Removed(Reason::OutsideArticle));
            if fate == Fate::Kept {
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                body.push_str(l.text);
            }
            fate
        })
        .collect();
    out.body = body;
}

/// No run of prose at all (a list, a poem, a form): keep every line that is not chrome.
pub(crate) fn fallback<'a>(mut page: Page<'_>, mut out: Analysis<'a>) -> Analysis<'a> {
    page.fates = page
        .classes
        .iter()
        .map(|c| {
            Some(match c {
                Class::Blank => Fate::Blank,
                Class::Bad(r) => Fate::Removed(*r),
                _ => Fate::Kept,
            })
        })
        .collect();
    finish(&page, &mut out);
    if !out.body.is_empty() {
        out.warnings
            .push("text: no run of prose found; kept every line that is not page chrome".into());
    }
    out
}
