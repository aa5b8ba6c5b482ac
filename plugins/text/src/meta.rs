//! Lines that belong between a headline and its body rather than in either: bylines, name
//! lines and date lines ("meta" lines), told by their shape and their keywords. The header,
//! authors and dates steps all ask these questions.

use docnorm_toolkit::dates;

use crate::lines::Line;
use crate::names;

/// Bylines, name lines and date lines, which sit between headline and body.
pub(crate) fn is_meta_line(l: &Line<'_>) -> bool {
    if l.words == 0 || l.words > 20 || attribution(l.text) {
        return false;
    }
    names::is_lone_byline_word(l.text)
        || names::byline(l.text).is_some()
        || date_line(l)
        || (l.numbers() > 0 && l.words <= 12 && stamped(l.text))
        // "Jane DawsonView More Articles": a name with a button glued on.
        || (l.words <= 8 && l.capitalized() >= 3 && names::name_with_role(l.text).is_some())
}

/// A quote's or an embedded post's attribution: "— Jane Doe (@jane) November 18, 2019".
pub(crate) fn attribution(text: &str) -> bool {
    text.starts_with(['—', '–', '―'])
}

/// Whether the line opens with "Updated", "Posted", "Published" (or the same in German,
/// French, Spanish): a time stamp, also when it gives no year ("Posted Nov 18, 8:19 PM").
pub(crate) fn stamped(text: &str) -> bool {
    const STAMPS: &[&str] = &[
        "updated",
        "posted",
        "published",
        "aktualisiert",
        "veröffentlicht",
        "publié",
        "mis à jour",
        "publicado",
        "actualizado",
    ];
    let head = text.get(..16).unwrap_or(text);
    let head = head.trim_start_matches(|c: char| !c.is_alphanumeric());
    STAMPS.iter().any(|k| {
        head.get(..k.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(k))
    })
}

/// Whether the line is a date line: a date that makes up most of a short line, or a line
/// opening with a date keyword.
pub(crate) fn date_line(l: &Line<'_>) -> bool {
    if l.words == 0 || l.words > 25 || l.copyright() || l.numbers() == 0 {
        return false;
    }
    let Some(found) = dates::find(l.text) else {
        return false;
    };
    let keyword = date_keyword(l.text);
    let share = found.covered * 100 / l.text.len().max(1);
    share >= 35
        || keyword.is_some()
        || l.words <= 8
        // "Nov. 20, 2019Updated: Nov. 20, 2019 1:35 a.m."
        || (l.words <= 16 && inner_keyword(l.text).is_some())
}

/// What a date keyword says of the date it labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateRole {
    /// "Published", "Posted", "Date:": when the article first appeared.
    Published,
    /// "Updated", "Last modified": when it last changed.
    Updated,
}

/// The role of the date keyword the line opens with, if it opens with one.
pub(crate) fn date_keyword(text: &str) -> Option<DateRole> {
    const UPDATED: &[&str] = &[
        "updated",
        "last updated",
        "modified",
        "aktualisiert",
        "mis à jour",
        "actualizado",
        "actualisé",
    ];
    const PUBLISHED: &[&str] = &[
        "published",
        "first published",
        "originally published",
        "original",
        "posted",
        "veröffentlicht",
        "erschienen",
        "publié",
        "publicado",
        "date:",
        "datum:",
        "stand:",
        "am ",
        "le ",
        "el ",
        "on ",
    ];
    // The lower-cased start of the line, in a stack buffer: a character lower-cases to three
    // at most, of four bytes at most.
    let mut buf = [0u8; 24 * 3 * 4];
    let mut len = 0;
    for c in text.chars().take(24).flat_map(char::to_lowercase) {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    let lower = &buf[..len];
    if UPDATED.iter().any(|k| lower.starts_with(k.as_bytes())) {
        return Some(DateRole::Updated);
    }
    PUBLISHED
        .iter()
        .any(|k| lower.starts_with(k.as_bytes()))
        .then_some(DateRole::Published)
}

/// The role of a date keyword inside a part ("By Jane Doe Updated Nov. 19, 2019").
pub(crate) fn inner_keyword(part: &str) -> Option<DateRole> {
    let lower = part.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&[
        "updated",
        "aktualisiert",
        "mis à jour",
        "actualizado",
        "actualisé",
    ]) {
        Some(DateRole::Updated)
    } else if has(&[
        "published",
        "posted",
        "veröffentlicht",
        "publié",
        "publicado",
    ]) {
        Some(DateRole::Published)
    } else {
        None
    }
}
