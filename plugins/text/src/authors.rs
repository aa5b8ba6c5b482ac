//! Step 4b and 5 of the analysis: the authors. Bylines in the header (`By X`, a lone `By`
//! with names under it, a name next to a date or right under the headline), a wire service
//! credited in a dateline, bios in the lower half of the article, and `Author: X` lines
//! right after it. The names themselves are read by [`crate::names`].

use crate::analysis::{Analysis, FoundAuthor, add_authors};
use crate::fate::Fate;
use crate::lines::Line;
use crate::meta::date_line;
use crate::names;
use crate::page::{Class, Dir, Page, nonblank_neighbour, nonblank_neighbours};

/// Bylines (`By X`, a lone `By` with names under it, names next to a date) in the header.
pub(crate) fn bylines(page: &mut Page<'_>, from: usize, to: usize, out: &mut Analysis<'_>) {
    let mut i = from;
    while i < to.min(page.lines.len()) {
        let l = &page.lines[i];
        if page.fates[i].is_some() || l.blank() {
            i += 1;
            continue;
        }
        if let Some(found) = names::byline(l.text) {
            page.fates[i] = Some(Fate::Author);
            add_authors(out, found);
        } else if names::is_lone_byline_word(l.text) {
            page.fates[i] = Some(Fate::Author);
            // The names follow, one per line (sometimes repeated), until something else.
            let mut j = i + 1;
            let mut first = true;
            while j < to.min(page.lines.len()) {
                if page.lines[j].blank() {
                    j += 1;
                    continue;
                }
                // The first line may credit a desk or a name the name test refuses ("Al
                // Root"); further lines must be names (an outlet line or a button follows).
                let text = page.lines[j].text;
                let credited = || first.then(|| names::credited(text)).flatten();
                let Some(name) = names::name_line(text).or_else(credited) else {
                    break;
                };
                page.fates[j] = Some(Fate::Author);
                add_authors(out, vec![name]);
                first = false;
                j += 1;
            }
            i = j;
            continue;
        } else if let Some(found) = embedded_byline(l) {
            page.fates[i] = Some(Fate::Author);
            add_authors(out, found);
        } else if let Some(found) = names::credit_with_place(l.text).filter(|_| {
            nonblank_neighbour(&page.lines, i, Dir::Down).is_some_and(|j| date_line(&page.lines[j]))
        }) {
            page.fates[i] = Some(Fate::Author);
            add_authors(out, vec![found]);
        } else if let Some(name) = names::name_line(l.text)
            .or_else(|| names::name_with_role(l.text))
            .or_else(|| names::name_with_outlet(l.text))
        {
            // Next to a date line (blank lines between do not count), or right under the
            // headline (and its standfirst).
            let near_date = near_date(&page.lines, i);
            // A run of name lines is a list (captions, people named in a gallery), not a byline.
            let listed = nonblank_neighbours(&page.lines, i)
                .any(|j| page.fates[j].is_none() && names::name_line(page.lines[j].text).is_some());
            if !listed && (near_date || under_title(page, i)) {
                page.fates[i] = Some(Fate::Author);
                add_authors(out, vec![name]);
            }
        }
        i += 1;
    }
}

/// Whether the nearest non-blank line above or below line `i` is a date line.
fn near_date(lines: &[Line<'_>], i: usize) -> bool {
    nonblank_neighbours(lines, i).any(|j| date_line(&lines[j]))
}

/// Whether line `i` comes right under the headline, or under the headline's standfirst.
fn under_title(page: &Page<'_>, i: usize) -> bool {
    let mut j = i;
    for _ in 0..2 {
        let Some(up) = nonblank_neighbour(&page.lines, j, Dir::Up) else {
            return false;
        };
        match page.fates[up] {
            Some(Fate::Title) => return true,
            Some(Fate::Subtitle) => j = up,
            _ => return false,
        }
    }
    false
}

/// A byline inside a date line ("March 7, 2024 8:00 am by Jane Doe") or a name with a
/// handle ("Jane Doe @janedoe / 2 days").
fn embedded_byline(l: &Line<'_>) -> Option<Vec<String>> {
    if l.words > 20 {
        return None;
    }
    if let Some(at) = l.text.find('@') {
        let name = l.text[..at].trim().trim_end_matches([',', '|', '-', '·']);
        if let Some(name) = names::name_line(name.trim()) {
            return Some(vec![name]);
        }
    }
    if date_line(l) {
        let lower = l.text.to_lowercase();
        if let Some(at) = lower.find(" by ").or_else(|| lower.find(" by:")) {
            return names::byline(&l.text[at + 1..]);
        }
        return names::name_before_date(l.text).map(|name| vec![name]);
    }
    None
}

/// Bios in the lower half of the article or after it: authors with bio, and the publisher.
pub(crate) fn bios(page: &mut Page<'_>, from: usize, out: &mut Analysis<'_>) {
    for i in from..page.lines.len() {
        let l = &page.lines[i];
        if page.fates[i].is_some() || l.words < 6 || l.blank() {
            continue;
        }
        let Some(bio) = names::bio(l.text, l.role_word()) else {
            continue;
        };
        page.fates[i] = Some(Fate::Author);
        if out.publisher.is_none() {
            out.publisher.clone_from(&bio.publisher);
        }
        let text = l.text.to_owned();
        if let Some(a) = out
            .authors
            .iter_mut()
            .find(|a| a.name.eq_ignore_ascii_case(&bio.name))
        {
            a.bio.get_or_insert(text);
        } else if !out.authors.iter().any(|a| a.bio.is_none()) {
            // Only when no byline named someone else: a bio of another person is not a byline.
            out.authors.push(FoundAuthor {
                name: bio.name,
                bio: Some(text),
            });
        }
    }
}

/// `Author: X` lines right after the article.
pub(crate) fn trailing_bylines(page: &mut Page<'_>, end: usize, out: &mut Analysis<'_>) {
    let last_prose = (0..=end)
        .rev()
        .find(|&i| page.classes[i] == Class::Prose && page.fates[i].is_none())
        .unwrap_or(end);
    let mut seen = 0;
    for i in last_prose + 1..page.lines.len() {
        if page.lines[i].blank() {
            continue;
        }
        seen += 1;
        if seen > 6 {
            break;
        }
        if page.fates[i].is_some() {
            continue;
        }
        if let Some(found) = names::byline(page.lines[i].text) {
            page.fates[i] = Some(Fate::Author);
            add_authors(out, found);
        }
    }
}

/// "WASHINGTON (Reuters) - …": the wire service credited in the dateline of one of the
/// first paragraphs of the article running from line `start` to line `end` (a caption may
/// come first), as the author when no byline named one.
pub(crate) fn wire_credit(page: &Page<'_>, start: usize, end: usize, out: &mut Analysis<'_>) {
    let agency = (start..=end)
        .filter(|&i| page.fates[i].is_none() && page.classes[i] == Class::Prose)
        .take(2)
        .find_map(|i| names::wire_credit(page.lines[i].text));
    if let Some(agency) = agency {
        add_authors(out, vec![agency]);
    }
}

/// The publisher named by the page's copyright line from line `start` on, the last one (the
/// footer's) first: "© 2024 Outlet".
pub(crate) fn copyright_holder(page: &Page<'_>, start: usize) -> Option<String> {
    (start..page.lines.len())
        .rev()
        .filter(|&i| page.lines[i].copyright() && page.lines[i].words <= 40)
        .find_map(|i| names::copyright_holder(page.lines[i].text))
}
