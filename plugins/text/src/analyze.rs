//! The heuristics proper: decides the fate of every line of a page copy — body, title,
//! standfirst, byline, date, author bio, teaser, or removed and why — and assembles the
//! record fields from those fates.
//!
//! [`analyze`] only runs the steps in order; each step is a module of its own, and every
//! step after the first two reads and writes one [`Page`] (lines, classes, fates):
//! 1. measure every line ([`crate::lines`]);
//! 2. classify each line as prose, near-prose, short, or chrome with its reason, repeated
//!    lines included ([`crate::classify`]);
//! 3. pick the article as the run of lines with the most prose, so menus before and teasers
//!    after fall away, and cut it where a comment section opens ([`crate::article`]);
//! 4. above the article, the header: headline and standfirst ([`crate::header`]), bylines
//!    ([`crate::authors`]) and dates ([`crate::published`]); below it, teasers
//!    ([`crate::related`]), bios and trailing bylines ([`crate::authors`]);
//! 5. settle the lines no step claimed by their neighbours (a subheading between paragraphs
//!    stays) and join the kept ones into the body ([`crate::settle`]).

use docnorm_plugin_api::deadline::{self, Ticker};

use crate::analysis::Analysis;
use crate::article::{article_run, comments_start, first_prose};
use crate::authors::{bios, bylines, copyright_holder, trailing_bylines, wire_credit};
use crate::classify::classify;
use crate::fate::Fate;
use crate::header::{Header, clean_title};
use crate::lines::{self, Line, Scratch};
use crate::page::Page;
use crate::published::{header_dates, labelled_dates};
use crate::related;
use crate::settle::{fallback, finish, settle};

/// Decides the fate of every line of `text` and reads the record fields.
///
/// Once the [`deadline`] of the plugin call has passed, it gives up early and returns what it
/// has: the caller checks the deadline and discards that.
pub fn analyze(text: &str) -> Analysis<'_> {
    let mut out = Analysis::new(text);
    let mut scratch = Scratch::default();
    // Room for lines of 40 bytes on average, so page copies rarely grow the vector.
    let mut lines: Vec<Line<'_>> = Vec::with_capacity(text.len() / 40 + 16);
    let mut ticker = Ticker::default();
    for raw in text.split('\n') {
        if ticker.expired() {
            return out;
        }
        lines.push(lines::measure(raw, &mut scratch));
    }
    let classes = classify(&lines);
    if deadline::expired() {
        return out;
    }
    let mut page = Page::new(lines, classes);
    let Some((start, end)) = article_run(&page) else {
        return fallback(page, out);
    };
    let end = comments_start(&page, start, end).unwrap_or(end);

    // Above the article: headline, standfirst, bylines, dates.
    let header = Header::find(&page, start, end);
    if let Some(t) = header.title {
        page.fates[t] = Some(Fate::Title);
        out.title = Some(clean_title(page.lines[t].text));
    }
    if let Some(s) = header.subtitle {
        page.fates[s] = Some(Fate::Subtitle);
        out.subtitle = Some(page.lines[s].text.to_owned());
    }
    let head_from = header.title.map_or(start.saturating_sub(8), |t| {
        (0..t)
            .rev()
            .filter(|&j| !page.lines[j].blank())
            .nth(3)
            .unwrap_or(0)
    });
    // Bylines and dates sit above the body or just under its first paragraph.
    let head_to = first_prose(&page, start, end).map_or(end, |p| {
        (p + 1..=end)
            .filter(|&j| !page.lines[j].blank())
            .nth(5)
            .unwrap_or(end + 1)
    });
    bylines(&mut page, head_from, head_to, &mut out);
    if out.authors.is_empty() {
        wire_credit(&page, start, end, &mut out);
    }
    header_dates(&mut page, head_from, head_to, &mut out);

    if deadline::expired() {
        return out;
    }
    // Below the article: bios and teasers.
    let found = related::find(&page.lines, end + 1, page.lines.len());
    for i in found.used {
        page.fates[i] = Some(Fate::Related);
    }
    out.related = found.teasers;
    if found.unlisted > 0 {
        out.warnings.push(format!(
            "text: {} more teasers after the article are not listed in related (at most {} are)",
            found.unlisted,
            related::MAX_TEASERS
        ));
    }
    if out.published.is_none() {
        labelled_dates(&mut page, (start, end), &mut out);
    }
    let bio_from = start + (end - start) / 2;
    bios(&mut page, bio_from, &mut out);
    if out.publisher.is_none() {
        out.publisher = copyright_holder(&page, start);
    }
    trailing_bylines(&mut page, end, &mut out);

    settle(&mut page, start, end);
    finish(&page, &mut out);
    out
}

#[cfg(test)]
mod tests;
