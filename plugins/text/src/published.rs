//! Step 4c of the analysis: the publication and update dates, from the header's date lines
//! (the first is the publication date unless labelled as an update), from the lines right
//! under the headline, or from a labelled line near the article ("Published …"). Every value
//! goes through the toolkit's one date policy.

use docnorm_toolkit::dates::{self, Found};

use crate::analysis::Analysis;
use crate::fate::Fate;
use crate::meta::{DateRole, attribution, date_keyword, date_line, inner_keyword};
use crate::page::{Class, Page};

/// Dates in the header: the first is the publication date unless marked as an update.
pub(crate) fn header_dates(page: &mut Page<'_>, from: usize, to: usize, out: &mut Analysis<'_>) {
    for i in from..to.min(page.lines.len()) {
        if matches!(page.classes[i], Class::Prose) && page.fates[i].is_none() {
            continue;
        }
        if matches!(page.fates[i], Some(Fate::Title | Fate::Subtitle)) {
            continue;
        }
        // A byline line may carry its date after the names and a role.
        let is_date = page.fates[i] == Some(Fate::Author) || date_line(&page.lines[i]);
        if !is_date {
            continue;
        }
        let mut any = false;
        for (found, role) in labelled_parts(page.lines[i].text) {
            any = true;
            let value = found.value.to_string();
            if role == DateRole::Updated {
                out.updated.get_or_insert(value);
            } else if out.published.is_none() {
                out.published = Some(value);
            } else {
                out.updated.get_or_insert(value);
            }
        }
        if any && page.fates[i].is_none() {
            page.fates[i] = Some(Fate::Date);
        }
    }
    if out.published.is_none() && out.updated.is_none() {
        date_under_title(page, out);
    }
}

/// The first date in the few lines right under the headline, when no line there reads as a
/// date line on its own: "Jane Doe 27/09/2018 Comment! Books, News",
/// "October 12, 2018/0 Comments/in News /by admin".
fn date_under_title(page: &mut Page<'_>, out: &mut Analysis<'_>) {
    let Some(title) = page.fates.iter().position(|f| *f == Some(Fate::Title)) else {
        return;
    };
    for j in (title + 1..page.lines.len())
        .filter(|&j| !page.lines[j].blank())
        .take(4)
    {
        let l = &page.lines[j];
        if page.classes[j] == Class::Prose || page.fates[j] == Some(Fate::Subtitle) {
            break;
        }
        if l.numbers() == 0 || l.words > 25 || l.copyright() || attribution(l.text) {
            continue;
        }
        if let Some(found) = dates::find(l.text) {
            out.published = Some(found.value.to_string());
            page.fates[j].get_or_insert(Fate::Date);
            return;
        }
    }
}

/// The dates of a line split at ` | `, ` / ` and `;`, each marked as an update when its part
/// opens with an update keyword ("Updated … / Original …").
fn labelled_parts(text: &str) -> Vec<(Found, DateRole)> {
    let mut out = Vec::new();
    let mut update_seen = false;
    for part in text
        .split(['|', ';'])
        .flat_map(|p| p.split(" / "))
        .flat_map(split_at_update)
    {
        let keyword = date_keyword(part.trim()).or_else(|| inner_keyword(part));
        if let Some(found) = dates::find(part) {
            // A part without its own keyword after an "Updated" part is still the update.
            let is_update = keyword.map_or(update_seen, |role| role == DateRole::Updated);
            update_seen |= is_update;
            let role = if is_update {
                DateRole::Updated
            } else {
                DateRole::Published
            };
            out.push((found, role));
        } else if keyword == Some(DateRole::Updated) {
            update_seen = true;
        }
    }
    out
}

/// A part cut before an update keyword inside it ("Nov. 20, 2019Updated: Nov. 21, 2019"), so
/// the date before the keyword is not taken for the update.
fn split_at_update(part: &str) -> impl Iterator<Item = &str> {
    const UPDATE: &[&str] = &[
        "updated",
        "last modified",
        "aktualisiert",
        "mis à jour",
        "actualizado",
    ];
    // ASCII lower-casing keeps byte offsets.
    let lower = part.to_ascii_lowercase();
    let at = UPDATE
        .iter()
        .filter_map(|k| lower.find(k))
        .filter(|&at| at > 0 && part[..at].bytes().any(|b| b.is_ascii_digit()))
        .min();
    let (head, tail) = match at {
        Some(at) => (&part[..at], Some(&part[at..])),
        None => (part, None),
    };
    std::iter::once(head).chain(tail)
}

/// When the header states no date: a line opening with a date keyword ("Published …",
/// "Updated …") near the article, never in a teaser, a comment or the copyright line.
pub(crate) fn labelled_dates(
    page: &mut Page<'_>,
    (start, end): (usize, usize),
    out: &mut Analysis<'_>,
) {
    let from = start.saturating_sub(60);
    let to = (end + 6).min(page.lines.len());
    for i in from..to {
        if page.fates[i].is_some() && page.fates[i] != Some(Fate::Author) {
            continue;
        }
        let l = &page.lines[i];
        if l.words > 25
            || l.copyright()
            || l.numbers() == 0
            || matches!(page.classes[i], Class::Prose)
        {
            continue;
        }
        if date_keyword(l.text).is_none() {
            continue;
        }
        for (found, role) in labelled_parts(l.text) {
            let slot = if role == DateRole::Updated {
                &mut out.updated
            } else {
                &mut out.published
            };
            if slot.is_none() {
                *slot = Some(found.value.to_string());
                page.fates[i].get_or_insert(Fate::Date);
            }
        }
    }
}
