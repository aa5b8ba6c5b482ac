//! Step 2 of the analysis: how each line looks before the article is known — prose,
//! near-prose, short, or chrome with its reason — from its own measurements, whether it
//! repeats elsewhere in the page, and its neighbours (a promotion box, a framed list item).

use crate::fate::Reason;
use crate::lines::Line;
use crate::page::{Class, Dir, neighbour, neighbour_index, nonblank_neighbour};

/// Prose, near-prose, short or chrome, line by line, with repeats and promotions found.
pub(crate) fn classify(lines: &[Line<'_>]) -> Vec<Class> {
    let mut repeats = repeats(lines);
    unrepeat_labels(lines, &mut repeats);
    let lang = Lang::of(lines);
    let mut classes: Vec<Class> = lines
        .iter()
        .zip(repeats)
        .map(|(l, repeat)| base_class(l, repeat, lang))
        .collect();
    mark_promotions(lines, &mut classes);
    mark_framed_items(lines, &mut classes);
    classes
}

/// Whether a line's text occurs elsewhere in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Only here (blank and separator lines always count as once).
    Once,
    /// Here first, and again later.
    First,
    /// Already earlier.
    Again,
}

/// [`Repeat`] of every line, by sorting the line numbers by hash: a few bytes a line, where a
/// hash map of counts took over thirty on a page of a million distinct lines.
fn repeats(lines: &[Line<'_>]) -> Vec<Repeat> {
    let mut order: Vec<u32> = (0..lines.len())
        .filter(|&i| !lines[i].blank() && !lines[i].separator())
        .map(|i| u32::try_from(i).expect("a document has fewer than 2^32 lines"))
        .collect();
    order.sort_unstable_by_key(|&i| (lines[i as usize].hash, i));
    let mut repeats = vec![Repeat::Once; lines.len()];
    for group in order.chunk_by(|&a, &b| lines[a as usize].hash == lines[b as usize].hash) {
        if let [first, rest @ ..] = group
            && !rest.is_empty()
        {
            repeats[*first as usize] = Repeat::First;
            for &i in rest {
                repeats[i as usize] = Repeat::Again;
            }
        }
    }
    repeats
}

/// A repeated line between two lines that occur only once is a label of repeated records (a
/// course list's `Instructor:`, a table's `New`), part of the content, not a menu repeated
/// in header and footer, whose neighbours repeat with it: it is classed as if it occurred
/// once.
fn unrepeat_labels(lines: &[Line<'_>], repeats: &mut [Repeat]) {
    let once = |repeats: &[Repeat], j: Option<usize>| {
        j.is_some_and(|j| repeats[j] == Repeat::Once && !lines[j].separator())
    };
    let labels: Vec<usize> = (0..lines.len())
        .filter(|&i| repeats[i] != Repeat::Once && lines[i].words <= 4)
        .filter(|&i| {
            once(repeats, nonblank_neighbour(lines, i, Dir::Up))
                && once(repeats, nonblank_neighbour(lines, i, Dir::Down))
        })
        .collect();
    for i in labels {
        repeats[i] = Repeat::Once;
    }
}

/// A line with a separator line (`-`, `*`) right above and below is an item of a list of
/// links or teasers, however long.
fn mark_framed_items(lines: &[Line<'_>], classes: &mut [Class]) {
    for i in 0..lines.len() {
        if matches!(classes[i], Class::Blank | Class::Bad(_)) || lines[i].words > 80 {
            continue;
        }
        let up = neighbour_index(classes, i, Dir::Up).is_some_and(|j| lines[j].separator());
        let down = neighbour_index(classes, i, Dir::Down).is_none_or(|j| lines[j].separator());
        if up && down {
            classes[i] = Class::Bad(Reason::ListItem);
        }
    }
}

/// Whether the function-word lists cover the document's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Known,
    Unknown,
}

impl Lang {
    /// Known when the longer lines have a fair share of function words from our lists.
    fn of(lines: &[Line<'_>]) -> Self {
        let (mut words, mut stop) = (0u32, 0u32);
        for l in lines.iter().filter(|l| l.words >= 8) {
            words += l.words;
            stop += l.stopwords();
        }
        if words < 40 || stop * 100 >= words * 8 {
            Self::Known
        } else {
            Self::Unknown
        }
    }
}

/// The class of line `l` on its own, given whether its text occurs elsewhere in the page.
fn base_class(l: &Line<'_>, repeat: Repeat, lang: Lang) -> Class {
    let repeated = repeat != Repeat::Once;
    let first = repeat != Repeat::Again;
    if l.blank() {
        return Class::Blank;
    }
    if l.separator() {
        return Class::Bad(Reason::Separator);
    }
    if repeated && (l.words < 20 || !first) {
        return Class::Bad(Reason::Repeated);
    }
    if l.copyright() && l.words <= 40 {
        return Class::Bad(Reason::Copyright);
    }
    if l.credit() && l.words <= 30 {
        return Class::Bad(Reason::Credit);
    }
    let ui = l.ui_words() + 2 * u32::from(l.ui_phrase());
    if ui > 0
        && ((l.words <= 6 && ui * 3 >= l.words)
            || (l.words <= 30
                && (ui >= 2
                    || l.second_person() > 0
                    || l.domain()
                    || (l.ui_phrase() && !l.sentence_end())))
            || ui * 4 >= l.words)
    {
        return Class::Bad(Reason::Chrome);
    }
    if l.domain() && l.words <= 25 && !l.sentence_end() {
        return Class::Bad(Reason::Chrome);
    }
    let density = l.stop_density();
    let prose = match lang {
        Lang::Known => density >= 0.2 || (density >= 0.1 && l.words >= 20 && l.sentence_end()),
        // Without function words to go by, sentences are told by length and end marks.
        Lang::Unknown => l.sentence_end() || l.words >= 20,
    };
    // A line in title case is a headline or a label, also when it asks a question.
    let headline =
        l.title_case() && l.words <= 15 && (!l.sentence_end() || l.text.ends_with(['?', '!']));
    if prose && !headline && ((l.sentence_end() && l.words >= 8) || l.words >= 25) {
        return Class::Prose;
    }
    if prose && !headline && l.words >= 5 {
        return Class::NearProse;
    }
    if l.bullet() && l.words < 10 && !l.sentence_end() {
        return Class::Short;
    }
    Class::Short
}

/// A short line addressing the reader next to chrome is part of the same promotion box.
fn mark_promotions(lines: &[Line<'_>], classes: &mut [Class]) {
    for i in 0..lines.len() {
        let l = &lines[i];
        if l.second_person() == 0 || l.words > 30 || matches!(classes[i], Class::Bad(_)) {
            continue;
        }
        let prev = neighbour(classes, i, Dir::Up);
        let next = neighbour(classes, i, Dir::Down);
        let bad = |c: Option<Class>| matches!(c, Some(Class::Bad(_)));
        if bad(prev) || bad(next) {
            classes[i] = Class::Bad(Reason::Promotion);
        }
    }
}
