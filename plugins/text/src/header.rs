//! Step 4a of the analysis: the headline and the standfirst, above the article or at the top
//! of its run. Candidates are scored by shape (a headline is short, not chrome, not a byline)
//! and by how many of their words the article's first paragraphs use ([`BodyWords`]).

use crate::fate::Reason;
use crate::lines::{Line, precision_f32};
use crate::meta::{attribution, date_keyword, is_meta_line};
use crate::names;
use crate::page::{Class, Dir, Page};
use crate::vocabulary::BodyWords;

/// Headline and standfirst above (or at the top of) the article.
pub(crate) struct Header {
    /// The headline's line.
    pub title: Option<usize>,
    /// The standfirst's line.
    pub subtitle: Option<usize>,
}

impl Header {
    /// The header of the article that runs from line `start` to line `end`.
    pub fn find(page: &Page<'_>, start: usize, end: usize) -> Self {
        let mut header = Self {
            title: None,
            subtitle: None,
        };
        let vocabulary = BodyWords::new(page, start, end);
        // Lines of the run before its first paragraph can hold the headline too.
        let top = (start..=end)
            .find(|&i| page.classes[i] == Class::Prose)
            .unwrap_or(start);
        let mut best: Option<(f32, usize)> = None;
        let mut distance = 0u32;
        for i in (0..top).rev() {
            let l = &page.lines[i];
            if l.blank() {
                continue;
            }
            distance += 1;
            if distance > 40 {
                break;
            }
            if is_meta_line(l)
                || !(headline_like(l) || long_headline_over_meta(&page.lines, l, i, top))
            {
                continue;
            }
            if matches!(page.classes[i], Class::Bad(r) if !matches!(r, Reason::Repeated | Reason::Promotion))
            {
                continue;
            }
            let mut score = title_score(l, &vocabulary) - 0.02 * precision_f32(distance);
            if meta_follows(&page.lines, i, top) {
                score += 1.5;
            }
            if byline_next(page, i) {
                score += 1.0;
            }
            // Pages repeat their headline (breadcrumb, heading, share text); menus repeat too,
            // but menu entries lose on shape and vocabulary.
            if page.classes[i] == Class::Bad(Reason::Repeated) && l.words >= 5 {
                score += 1.0;
            }
            // Inside a run of headlines: a list of links to other articles.
            let listed = |j: Option<usize>| {
                j.is_some_and(|j| {
                    headline_like(&page.lines[j])
                        && !is_meta_line(&page.lines[j])
                        && names::name_line(page.lines[j].text).is_none()
                })
            };
            let down = page.neighbour_index(i, Dir::Down);
            if listed(down) && listed(down.and_then(|d| page.neighbour_index(d, Dir::Down))) {
                score -= 2.0;
            }
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        if let Some(inner) = headline_in_run(page, top, end) {
            best = best.filter(|&(b, _)| b >= inner.0).or(Some(inner));
        }
        let Some((_, title)) = best else {
            return header;
        };
        // A headline right above the chosen line, and no longer than it: the chosen line is
        // the standfirst under it.
        // Chrome between them (a comment counter, a separator) does not part them.
        let above = (0..title)
            .rev()
            .filter(|&j| page.classes[j] != Class::Blank)
            .take(3)
            .find(|&j| !matches!(page.classes[j], Class::Bad(r) if r != Reason::Repeated));
        if let Some(above) = above {
            let (a, b) = (&page.lines[above], &page.lines[title]);
            let clean = !matches!(page.classes[above], Class::Bad(r) if r != Reason::Repeated);
            if clean
                && headline_like(a)
                && !is_meta_line(a)
                && !list_entry(a)
                // "3. Headline" above "Headline": a numbered breadcrumb repeating it.
                && !a.text.ends_with(b.text)
                // A headline shares words with its article; a form label does not.
                && vocabulary.overlap(a.text) > 0.0
                && a.words >= 4
                && ((b.words >= a.words && !b.title_case()) || byline_next(page, title))
                && names::name_line(a.text).is_none()
            {
                header.title = Some(above);
                header.subtitle = Some(title);
                return header;
            }
        }
        header.title = Some(title);
        header.subtitle = standfirst(page, title, end);
        header
    }
}

/// A headline inside the run, before most of its prose, with a byline or date line right
/// under it and paragraphs after: the run then opens with teasers or a quoted claim, not
/// with the article. Returns its score (on the scale of the lines above the run) and index.
fn headline_in_run(page: &Page<'_>, top: usize, end: usize) -> Option<(f32, usize)> {
    let mut best: Option<(f32, usize)> = None;
    for i in top..end {
        let l = &page.lines[i];
        if l.blank()
            || matches!(page.classes[i], Class::Bad(r) if !matches!(r, Reason::Repeated | Reason::Promotion))
            || !headline_like(l)
            || is_meta_line(l)
            // "3. Jane Doe" over a date: a comment's header.
            || list_entry(l)
            || names::name_line(l.text).is_some()
        {
            continue;
        }
        let Some(meta) = page.neighbour_index(i, Dir::Down).filter(|&m| m <= end) else {
            continue;
        };
        if !is_meta_line(&page.lines[meta]) {
            continue;
        }
        // Paragraphs follow within a few lines of the byline or date.
        let prose_after = (meta + 1..=end)
            .filter(|&j| !page.lines[j].blank())
            .take(5)
            .filter(|&j| page.classes[j] == Class::Prose)
            .count();
        if prose_after < 2 {
            continue;
        }
        let vocabulary = BodyWords::new(page, meta, end);
        let mut score = title_score(l, &vocabulary) + 1.5;
        if byline_next(page, i) {
            score += 1.0;
        }
        if page.classes[i] == Class::Bad(Reason::Repeated) && l.words >= 5 {
            score += 1.0;
        }
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, i));
        }
    }
    best
}

/// Whether the next line is a byline (`By …`): a line between headline and byline is the
/// standfirst.
fn byline_next(page: &Page<'_>, i: usize) -> bool {
    page.neighbour_index(i, Dir::Down)
        .is_some_and(|j| names::opens_byline(page.lines[j].text))
}

/// Whether a byline or date line follows within the next three lines (a standfirst may sit
/// between): the usual place of a headline.
fn meta_follows(lines: &[Line<'_>], i: usize, top: usize) -> bool {
    (i + 1..top)
        .filter(|&j| !lines[j].blank() && !lines[j].separator())
        .take(3)
        .any(|j| is_meta_line(&lines[j]))
}

/// How much a headline-like line looks like this article's headline: its shape, and how many
/// of its words the article's first paragraphs use.
fn title_score(l: &Line<'_>, vocabulary: &BodyWords) -> f32 {
    let mut score = 0.0;
    if (4..=20).contains(&l.words) {
        score += 1.0;
    } else if l.words <= 3 {
        score -= 1.5;
    }
    if l.text.ends_with('.') {
        score -= 1.5;
    }
    if l.text.contains('@') || l.text.contains(" | ") || l.text.contains(" / ") {
        score -= 1.0;
    }
    if names::name_line(l.text).is_some() {
        score -= 2.0;
    }
    if l.title_case() {
        score += 0.5;
    }
    // Chrome talks to the reader, names buttons and shouts.
    if l.second_person() > 0 {
        score -= 1.0;
    }
    if l.ui_words() > 0 {
        score -= 1.5;
    }
    if l.upper_words() == l.words {
        score -= 1.0;
    }
    // "Jane Doe, Political Writer", table rows ("Ticker  Last  Change"), credits ("Jo Roe/AP").
    if l.role_word() {
        score -= 2.0;
    }
    if l.text.contains("  ") {
        score -= 2.0;
    }
    if l.words <= 6 && l.text.contains('/') {
        score -= 1.5;
    }
    // Breadcrumbs: "Blog > Health > Tips".
    if l.text.contains(" > ") || l.text.contains(" » ") || l.text.contains(" › ") {
        score -= 2.0;
    }
    // "3. Politics", "Image 1 of 13": list entries and gallery counters.
    if list_entry(l) || l.numbers() >= 2 && l.words <= 5 {
        score -= 2.0;
    }
    score + 3.0 * vocabulary.overlap(l.text)
}

/// The line right under the headline when it reads as a one-sentence standfirst.
fn standfirst(page: &Page<'_>, title: usize, end: usize) -> Option<usize> {
    let s = page.neighbour_index(title, Dir::Down)?;
    if s >= end {
        return None;
    }
    let l = &page.lines[s];
    if is_meta_line(l) || l.words < 6 || l.words > 60 || l.sentences() > 2 {
        return None;
    }
    if !matches!(page.classes[s], Class::Prose | Class::NearProse) {
        return None;
    }
    let next = page.neighbour_index(s, Dir::Down)?;
    let separated = page.lines[s + 1].blank();
    // A byline or date between standfirst and body, or a standfirst without an end mark set
    // apart from the paragraphs that follow.
    let meta_follows = is_meta_line(&page.lines[next]);
    let open_ended = !l.sentence_end() && separated && page.classes[next] == Class::Prose;
    (meta_follows || open_ended).then_some(s)
}

/// A numbered list entry: "3. Politics".
fn list_entry(l: &Line<'_>) -> bool {
    l.text.as_bytes().first().is_some_and(u8::is_ascii_digit) && l.text.contains(". ")
}

/// A headline of several sentences ending with a full stop ("Meth. We're on it. They might
/// be."), which [`headline_like`] turns down, is still the headline when a byline or date
/// line sits right under it.
fn long_headline_over_meta(lines: &[Line<'_>], l: &Line<'_>, i: usize, top: usize) -> bool {
    if !l.text.ends_with('.') || l.words > 20 || l.sentences() > 3 {
        return false;
    }
    headline_like(&l.with_sentences(1))
        && (i + 1..top)
            .find(|&j| !lines[j].blank())
            .is_some_and(|j| is_meta_line(&lines[j]))
}

/// Whether the line has a headline's shape: a few words, no chrome, no byline or date.
fn headline_like(l: &Line<'_>) -> bool {
    if l.blank() || l.separator() || l.bullet() || l.copyright() || l.credit() || l.domain() {
        return false;
    }
    if !(2..=30).contains(&l.words) || !(10..=250).contains(&l.chars()) {
        return false;
    }
    if l.ui_phrase() || (l.ui_words() > 0 && l.words <= 4) {
        return false;
    }
    if l.first_lower() || l.text.ends_with([':', ',']) || attribution(l.text) {
        return false;
    }
    // Breadcrumbs and menu paths: "Software ›", "Home >".
    if l.text.ends_with(['›', '>', '»', '/', '|']) {
        return false;
    }
    if names::opens_byline(l.text) || date_keyword(l.text).is_some() {
        return false;
    }
    // Headlines may end with ? or !, seldom with a full stop after several sentences (unless
    // written in title case).
    if l.text.ends_with('.') && (l.sentences() > 1 || l.words > 14) && !l.title_case() {
        return false;
    }
    // Mostly numbers: a table row, a score, a counter. A date written with dots or slashes
    // ("Opening Bell 11.18.19") counts once.
    if l.numbers() * 2 > l.words {
        let (mut numeric, mut all) = (0u32, 0u32);
        for w in l.text.split_whitespace() {
            all += 1;
            numeric += u32::from(w.starts_with(|c: char| c.is_ascii_digit()));
        }
        if numeric * 2 > all {
            return false;
        }
    }
    true
}

/// The headline as shown, without a trailing site name after ` | `.
pub(crate) fn clean_title(text: &str) -> String {
    text.trim().to_owned()
}
