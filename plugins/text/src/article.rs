//! Step 3 of the analysis: the article as the run of lines with the most prose (a
//! maximum-sum segment where prose counts for and chrome against), so menus before and
//! teasers after fall away; then where a comment section cuts it short.

use crate::lexicon;
use crate::lines::{Line, precision_f32};
use crate::meta::is_meta_line;
use crate::page::{Class, Page};

/// How much a line counts for (prose) or against (chrome) being inside the article.
fn weight(l: &Line<'_>, c: Class) -> f32 {
    let words = precision_f32(l.words);
    match c {
        // Prose counts by its words, less when function words are scarce (tables, legal
        // boilerplate, lists of names).
        Class::Prose => {
            let content = precision_f32(l.words.saturating_sub(l.numbers()));
            let density = l.stop_density();
            if density > 0.0 {
                content * (density / 0.25).min(1.0)
            } else {
                content
            }
        }
        Class::NearProse if l.sentence_end() => words * 0.5,
        Class::NearProse | Class::Blank => 0.0,
        Class::Short if l.bullet() => -3.0,
        Class::Short => -1.5,
        Class::Bad(_) => -4.0 - words / 3.0,
    }
}

/// The maximum-sum run of line weights: the article's first and last line.
pub(crate) fn article_run(page: &Page<'_>) -> Option<(usize, usize)> {
    let isolated = isolated_prose(&page.classes);
    let mut best = (0.0f32, 0usize, 0usize);
    let mut sum = 0.0f32;
    let mut from = 0usize;
    for (i, (l, &c)) in page.lines.iter().zip(&page.classes).enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            from = i;
        }
        let w = weight(l, c);
        // A paragraph fenced off by other lines on both sides reads like a teaser's summary.
        sum += if isolated[i] { w * ISOLATED_FACTOR } else { w };
        if sum > best.0 {
            best = (sum, from, i);
        }
    }
    if best.0 <= 0.0 {
        return None;
    }
    let (_, mut start, end) = best;
    while start < end && page.classes[start] == Class::Blank {
        start += 1;
    }
    Some((start, end))
}

/// How much an isolated paragraph counts compared with one among other paragraphs.
const ISOLATED_FACTOR: f32 = 0.2;

/// Prose lines with two or more headline-like lines (short or near-prose; chrome does not
/// count, since ad boxes interrupt articles too) between them and the prose before, and
/// between them and the prose after.
fn isolated_prose(classes: &[Class]) -> Vec<bool> {
    let is_prose = |c: Class| matches!(c, Class::Prose);
    // First whether the gap before is wide enough, then also the gap after.
    let mut out = vec![false; classes.len()];
    let mut gap = usize::MAX;
    for (i, &c) in classes.iter().enumerate() {
        if is_prose(c) {
            out[i] = gap >= 2;
            gap = 0;
        } else if matches!(c, Class::Short | Class::NearProse) {
            gap = gap.saturating_add(1);
        }
    }
    let mut gap = usize::MAX;
    for (i, &c) in classes.iter().enumerate().rev() {
        if is_prose(c) {
            out[i] = out[i] && gap >= 2;
            gap = 0;
        } else if matches!(c, Class::Short | Class::NearProse) {
            gap = gap.saturating_add(1);
        }
    }
    out
}

/// Where a comment section opens inside the run: a short heading naming comments after the
/// first paragraphs. Returns the last line before it.
pub(crate) fn comments_start(page: &Page<'_>, start: usize, end: usize) -> Option<usize> {
    let total: u32 = (start..=end)
        .filter(|&i| page.classes[i] == Class::Prose)
        .map(|i| page.lines[i].words)
        .sum();
    let mut before = 0;
    let mut paragraphs = 0;
    for i in start..=end {
        if page.classes[i] == Class::Prose {
            paragraphs += 1;
            before += page.lines[i].words;
            continue;
        }
        let l = &page.lines[i];
        // Comments follow most of the article; a "comments" link near its top is not the end.
        if paragraphs >= 2
            && before * 10 >= total * 4
            && l.words <= 6
            && lexicon::names_comments(l.text)
        {
            return (start..i).rev().find(|&j| page.classes[j] != Class::Blank);
        }
    }
    None
}

/// The first paragraph of the article that no step has claimed and that is no byline or date.
pub(crate) fn first_prose(page: &Page<'_>, start: usize, end: usize) -> Option<usize> {
    (start..=end).find(|&i| {
        page.fates[i].is_none() && page.classes[i] == Class::Prose && !is_meta_line(&page.lines[i])
    })
}
