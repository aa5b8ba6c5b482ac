//! The heuristics proper: decides the fate of every line of a page copy — body, title,
//! standfirst, byline, date, author bio, teaser, or removed and why — and assembles the
//! record fields from those fates.
//!
//! Steps, each one pass over the lines:
//! 1. measure every line ([`crate::lines`]) and count repeated lines;
//! 2. classify each line as prose, near-prose, short, or chrome (with the reason);
//! 3. pick the article as the run of lines with the most prose (a maximum-sum segment where
//!    prose counts for and chrome against), so menus before and teasers after fall away;
//! 4. find headline, standfirst, bylines and dates just above the article, bios and teaser
//!    lists just below it;
//! 5. settle short lines by their neighbours (a subheading between paragraphs stays).

use docnorm_plugin_api::deadline::{self, Ticker};

use docnorm_toolkit::dates::{self, Found};
use docnorm_toolkit::hash::{FNV_OFFSET, fnv1a_step};

use crate::lines::{self, Line, Scratch, precision_f32};
use crate::names;
use crate::related::{self, Teaser};

/// Why a line was left out of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Before or after the article's run of prose: menus, footers, sidebars.
    OutsideArticle,
    /// Page chrome: subscribe, share, sign in, cookies and the like.
    Chrome,
    /// A promotion addressing the reader, next to other chrome.
    Promotion,
    /// The same line occurs more than once in the page.
    Repeated,
    /// A copyright or rights line.
    Copyright,
    /// A photo caption or credit.
    Credit,
    /// A line of punctuation only.
    Separator,
    /// A short line (label, menu entry, heading) not between paragraphs.
    Short,
    /// A list item that is not part of the prose.
    ListItem,
}

impl Reason {
    /// The reason as written to `provenance.removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutsideArticle => "outside the article",
            Self::Chrome => "page chrome",
            Self::Promotion => "promotion",
            Self::Repeated => "repeated line",
            Self::Copyright => "copyright line",
            Self::Credit => "caption or credit",
            Self::Separator => "separator",
            Self::Short => "short line outside the prose",
            Self::ListItem => "list item outside the prose",
        }
    }
}

/// What became of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fate {
    /// An empty line.
    Blank,
    /// Part of the body.
    Kept,
    /// The headline.
    Title,
    /// The standfirst.
    Subtitle,
    /// A byline, a name line or an author bio.
    Author,
    /// The date line.
    Date,
    /// Part of a teaser for another article.
    Related,
    /// Left out, for this reason.
    Removed(Reason),
}

impl Fate {
    /// A short label for `docnorm explain`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Blank => "blank",
            Self::Kept => "kept",
            Self::Title => "title",
            Self::Subtitle => "subtitle",
            Self::Author => "author",
            Self::Date => "date",
            Self::Related => "related",
            Self::Removed(_) => "removed",
        }
    }
}

/// One line of the document and its fate.
#[derive(Debug, Clone)]
pub struct LineFate<'a> {
    /// The line number, from 1.
    pub number: usize,
    /// The line without surrounding whitespace.
    pub text: &'a str,
    /// What became of it.
    pub fate: Fate,
}

/// An author found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAuthor {
    /// The name.
    pub name: String,
    /// Their bio, when the page has one.
    pub bio: Option<String>,
}

/// Everything the heuristics read from one page copy.
#[derive(Debug, Clone, Default)]
pub struct Analysis<'a> {
    /// The page copy.
    text: &'a str,
    /// The fate of each line, in document order (see [`Analysis::lines`]).
    fates: Vec<Fate>,
    /// The headline.
    pub title: Option<String>,
    /// The standfirst.
    pub subtitle: Option<String>,
    /// The body: kept lines as paragraphs separated by a blank line.
    pub body: String,
    /// Authors from bylines, name lines and bios.
    pub authors: Vec<FoundAuthor>,
    /// Publication date, RFC 3339 or `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Update date, RFC 3339 or `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// The publisher a bio names.
    pub publisher: Option<String>,
    /// Teasers for other articles.
    pub related: Vec<Teaser>,
    /// Things a user should know about the result.
    pub warnings: Vec<String>,
}

impl<'a> Analysis<'a> {
    /// Each line with its fate, in document order.
    pub fn lines(&self) -> impl Iterator<Item = LineFate<'a>> + '_ {
        self.text
            .split('\n')
            .zip(&self.fates)
            .enumerate()
            .map(|(i, (raw, &fate))| LineFate {
                number: i + 1,
                text: lines::shown(raw),
                fate,
            })
    }

    /// The fate of each line, in document order: a line's number is its index plus one.
    pub fn fates(&self) -> &[Fate] {
        &self.fates
    }
}

/// How a line looks before its neighbours are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Blank,
    /// Sentences with function words: article text.
    Prose,
    /// Prose-like but short or without an end mark.
    NearProse,
    /// Too short to tell: headings, labels, menu entries.
    Short,
    /// Chrome, for this reason.
    Bad(Reason),
}

/// Decides the fate of every line of `text` and reads the record fields.
///
/// Once the [`deadline`] of the plugin call has passed, it gives up early and returns what it
/// has: the caller checks the deadline and discards that.
pub fn analyze(text: &str) -> Analysis<'_> {
    let mut out = Analysis {
        text,
        ..Analysis::default()
    };
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
    let mut fates: Vec<Option<Fate>> = vec![None; lines.len()];
    let Some((start, end)) = article_run(&lines, &classes) else {
        return fallback(&lines, &classes, out);
    };
    let end = comments_start(&lines, &classes, start, end).unwrap_or(end);

    // Above the article: headline, standfirst, bylines, dates.
    let header = Header::find(&lines, &classes, start, end);
    if let Some(t) = header.title {
        fates[t] = Some(Fate::Title);
        out.title = Some(clean_title(lines[t].text));
    }
    if let Some(s) = header.subtitle {
        fates[s] = Some(Fate::Subtitle);
        out.subtitle = Some(lines[s].text.to_owned());
    }
    let head_from = header.title.map_or(start.saturating_sub(8), |t| {
        (0..t)
            .rev()
            .filter(|&j| !lines[j].blank())
            .nth(3)
            .unwrap_or(0)
    });
    // Bylines and dates sit above the body or just under its first paragraph.
    let head_to = first_prose(&lines, &classes, start, end, &fates).map_or(end, |p| {
        (p + 1..=end)
            .filter(|&j| !lines[j].blank())
            .nth(5)
            .unwrap_or(end + 1)
    });
    bylines(&lines, head_from, head_to, &mut fates, &mut out);
    if out.authors.is_empty() {
        // "WASHINGTON (Reuters) - …": the wire service credited in the dateline of one of
        // the first paragraphs (a caption may come first).
        let agency = (start..=end)
            .filter(|&i| fates[i].is_none() && classes[i] == Class::Prose)
            .take(2)
            .find_map(|i| names::wire_credit(lines[i].text));
        if let Some(agency) = agency {
            add_authors(&mut out, vec![agency]);
        }
    }
    header_dates(&lines, &classes, head_from, head_to, &mut fates, &mut out);

    if deadline::expired() {
        return out;
    }
    // Below the article: bios and teasers.
    let found = related::find(&lines, end + 1, lines.len());
    for i in found.used {
        fates[i] = Some(Fate::Related);
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
        labelled_dates(&lines, &classes, (start, end), &mut fates, &mut out);
    }
    let bio_from = start + (end - start) / 2;
    bios(&lines, bio_from, &mut fates, &mut out);
    if out.publisher.is_none() {
        // The page's copyright line, the last one (the footer's) first: "© 2024 Outlet".
        out.publisher = (start..lines.len())
            .rev()
            .filter(|&i| lines[i].copyright() && lines[i].words <= 40)
            .find_map(|i| names::copyright_holder(lines[i].text));
    }
    trailing_bylines(&lines, &classes, end, &mut fates, &mut out);

    settle(&lines, &classes, start, end, &mut fates);
    finish(&lines, &fates, &mut out);
    out
}

/// Prose, near-prose, short or chrome, line by line, with repeats and promotions found.
fn classify(lines: &[Line<'_>]) -> Vec<Class> {
    let repeats = repeats(lines);
    let lang = Lang::of(lines);
    let mut classes: Vec<Class> = lines
        .iter()
        .zip(repeats)
        .map(|(l, repeat)| base_class(l, repeat != Repeat::Once, repeat != Repeat::Again, lang))
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

fn base_class(l: &Line<'_>, repeated: bool, first: bool, lang: Lang) -> Class {
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

#[derive(Clone, Copy)]
enum Dir {
    Up,
    Down,
}

fn neighbour(classes: &[Class], i: usize, dir: Dir) -> Option<Class> {
    neighbour_index(classes, i, dir).map(|j| classes[j])
}

fn neighbour_index(classes: &[Class], i: usize, dir: Dir) -> Option<usize> {
    match dir {
        Dir::Up => (0..i).rev().find(|&j| classes[j] != Class::Blank),
        Dir::Down => (i + 1..classes.len()).find(|&j| classes[j] != Class::Blank),
    }
}

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
fn article_run(lines: &[Line<'_>], classes: &[Class]) -> Option<(usize, usize)> {
    let isolated = isolated_prose(classes);
    let mut best = (0.0f32, 0usize, 0usize);
    let mut sum = 0.0f32;
    let mut from = 0usize;
    for (i, (l, &c)) in lines.iter().zip(classes).enumerate() {
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
    while start < end && classes[start] == Class::Blank {
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
fn comments_start(
    lines: &[Line<'_>],
    classes: &[Class],
    start: usize,
    end: usize,
) -> Option<usize> {
    let total: u32 = (start..=end)
        .filter(|&i| classes[i] == Class::Prose)
        .map(|i| lines[i].words)
        .sum();
    let mut before = 0;
    let mut paragraphs = 0;
    for i in start..=end {
        if classes[i] == Class::Prose {
            paragraphs += 1;
            before += lines[i].words;
            continue;
        }
        let l = &lines[i];
        // Comments follow most of the article; a "comments" link near its top is not the end.
        if paragraphs >= 2
            && before * 10 >= total * 4
            && l.words <= 6
            && crate::lexicon::names_comments(l.text)
        {
            return (start..i).rev().find(|&j| classes[j] != Class::Blank);
        }
    }
    None
}

/// Headline and standfirst above (or at the top of) the article.
struct Header {
    title: Option<usize>,
    subtitle: Option<usize>,
}

impl Header {
    fn find(lines: &[Line<'_>], classes: &[Class], start: usize, end: usize) -> Self {
        let mut header = Self {
            title: None,
            subtitle: None,
        };
        let vocabulary = BodyWords::new(lines, classes, start, end);
        // Lines of the run before its first paragraph can hold the headline too.
        let top = (start..=end)
            .find(|&i| classes[i] == Class::Prose)
            .unwrap_or(start);
        let mut best: Option<(f32, usize)> = None;
        let mut distance = 0u32;
        for i in (0..top).rev() {
            let l = &lines[i];
            if l.blank() {
                continue;
            }
            distance += 1;
            if distance > 40 {
                break;
            }
            if is_meta_line(l) || !(headline_like(l) || long_headline_over_meta(lines, l, i, top)) {
                continue;
            }
            if matches!(classes[i], Class::Bad(r) if !matches!(r, Reason::Repeated | Reason::Promotion))
            {
                continue;
            }
            let mut score = title_score(l, &vocabulary) - 0.02 * precision_f32(distance);
            if meta_follows(lines, i, top) {
                score += 1.5;
            }
            if byline_next(lines, classes, i) {
                score += 1.0;
            }
            // Pages repeat their headline (breadcrumb, heading, share text); menus repeat too,
            // but menu entries lose on shape and vocabulary.
            if classes[i] == Class::Bad(Reason::Repeated) && l.words >= 5 {
                score += 1.0;
            }
            // Inside a run of headlines: a list of links to other articles.
            let listed = |j: Option<usize>| {
                j.is_some_and(|j| {
                    headline_like(&lines[j])
                        && !is_meta_line(&lines[j])
                        && names::name_line(lines[j].text).is_none()
                })
            };
            let down = neighbour_index(classes, i, Dir::Down);
            if listed(down) && listed(down.and_then(|d| neighbour_index(classes, d, Dir::Down))) {
                score -= 2.0;
            }
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        if let Some(inner) = headline_in_run(lines, classes, top, end) {
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
            .filter(|&j| classes[j] != Class::Blank)
            .take(3)
            .find(|&j| !matches!(classes[j], Class::Bad(r) if r != Reason::Repeated));
        if let Some(above) = above {
            let (a, b) = (&lines[above], &lines[title]);
            let clean = !matches!(classes[above], Class::Bad(r) if r != Reason::Repeated);
            if clean
                && headline_like(a)
                && !is_meta_line(a)
                && !list_entry(a)
                // "3. Headline" above "Headline": a numbered breadcrumb repeating it.
                && !a.text.ends_with(b.text)
                // A headline shares words with its article; a form label does not.
                && vocabulary.overlap(a.text) > 0.0
                && a.words >= 4
                && ((b.words >= a.words && !b.title_case()) || byline_next(lines, classes, title))
                && names::name_line(a.text).is_none()
            {
                header.title = Some(above);
                header.subtitle = Some(title);
                return header;
            }
        }
        header.title = Some(title);
        header.subtitle = standfirst(lines, classes, title, end);
        header
    }
}

/// A headline inside the run, before most of its prose, with a byline or date line right
/// under it and paragraphs after: the run then opens with teasers or a quoted claim, not
/// with the article. Returns its score (on the scale of the lines above the run) and index.
fn headline_in_run(
    lines: &[Line<'_>],
    classes: &[Class],
    top: usize,
    end: usize,
) -> Option<(f32, usize)> {
    let mut best: Option<(f32, usize)> = None;
    for i in top..end {
        let l = &lines[i];
        if l.blank()
            || matches!(classes[i], Class::Bad(r) if !matches!(r, Reason::Repeated | Reason::Promotion))
            || !headline_like(l)
            || is_meta_line(l)
            // "3. Jane Doe" over a date: a comment's header.
            || list_entry(l)
            || names::name_line(l.text).is_some()
        {
            continue;
        }
        let Some(meta) = neighbour_index(classes, i, Dir::Down).filter(|&m| m <= end) else {
            continue;
        };
        if !is_meta_line(&lines[meta]) {
            continue;
        }
        // Paragraphs follow within a few lines of the byline or date.
        let prose_after = (meta + 1..=end)
            .filter(|&j| !lines[j].blank())
            .take(5)
            .filter(|&j| classes[j] == Class::Prose)
            .count();
        if prose_after < 2 {
            continue;
        }
        let vocabulary = BodyWords::new(lines, classes, meta, end);
        let mut score = title_score(l, &vocabulary) + 1.5;
        if byline_next(lines, classes, i) {
            score += 1.0;
        }
        if classes[i] == Class::Bad(Reason::Repeated) && l.words >= 5 {
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
fn byline_next(lines: &[Line<'_>], classes: &[Class], i: usize) -> bool {
    neighbour_index(classes, i, Dir::Down).is_some_and(|j| names::opens_byline(lines[j].text))
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

/// The content words of the article's first paragraphs, by their first five letters.
struct BodyWords {
    keys: Vec<u64>,
}

impl BodyWords {
    fn new(lines: &[Line<'_>], classes: &[Class], start: usize, end: usize) -> Self {
        let mut keys = Vec::with_capacity(256);
        // The first paragraphs are enough: a headline's words turn up early.
        for i in (start..=end)
            .filter(|&i| classes[i] == Class::Prose)
            .take(4)
        {
            content_keys(lines[i].text, |k| keys.push(k));
        }
        keys.sort_unstable();
        keys.dedup();
        Self { keys }
    }

    /// Share of the content words of `text` that the article uses, trusted less for lines of
    /// fewer than four content words (a section label shares a word or two by chance).
    fn overlap(&self, text: &str) -> f32 {
        let (mut n, mut hit) = (0u32, 0u32);
        content_keys(text, |k| {
            n += 1;
            hit += u32::from(self.keys.binary_search(&k).is_ok());
        });
        if n == 0 {
            0.0
        } else {
            let evidence = (precision_f32(n) / 4.0).min(1.0);
            evidence * precision_f32(hit) / precision_f32(n)
        }
    }
}

/// Calls `f` with a key for each word of three letters or more that is not a function word:
/// a hash of its first five lower-case characters.
fn content_keys(text: &str, mut f: impl FnMut(u64)) {
    let mut visit = |word: &str| {
        if word.len() >= 3 && !crate::lexicon::is_stopword_any_case(word) {
            f(content_key(word));
        }
    };
    // `text.split(|c: char| !c.is_alphanumeric())`, decoding only the non-ASCII characters
    // (curly quotes and dashes are common even in English text).
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let (alnum, len) = if bytes[i].is_ascii() {
            (bytes[i].is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        };
        if !alnum {
            visit(&text[start..i]);
            start = i + len;
        }
        i += len;
    }
    visit(&text[start..]);
}

/// A hash of the first five lower-case characters of `word`.
fn content_key(word: &str) -> u64 {
    if word.is_ascii() {
        return word
            .bytes()
            .take(5)
            .fold(FNV_OFFSET, |key, b| fnv1a_step(key, b.to_ascii_lowercase()));
    }
    let mut key = FNV_OFFSET;
    for c in word.chars().take(5) {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let mut utf8 = [0u8; 4];
        for &b in lower.encode_utf8(&mut utf8).as_bytes() {
            key = fnv1a_step(key, b);
        }
    }
    key
}

/// The line right under the headline when it reads as a one-sentence standfirst.
fn standfirst(lines: &[Line<'_>], classes: &[Class], title: usize, end: usize) -> Option<usize> {
    let s = neighbour_index(classes, title, Dir::Down)?;
    if s >= end {
        return None;
    }
    let l = &lines[s];
    if is_meta_line(l) || l.words < 6 || l.words > 60 || l.sentences() > 2 {
        return None;
    }
    if !matches!(classes[s], Class::Prose | Class::NearProse) {
        return None;
    }
    let next = neighbour_index(classes, s, Dir::Down)?;
    let separated = lines[s + 1].blank();
    // A byline or date between standfirst and body, or a standfirst without an end mark set
    // apart from the paragraphs that follow.
    let meta_follows = is_meta_line(&lines[next]);
    let open_ended = !l.sentence_end() && separated && classes[next] == Class::Prose;
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

/// Bylines, name lines and date lines, which sit between headline and body.
fn is_meta_line(l: &Line<'_>) -> bool {
    if l.words == 0 || l.words > 20 || attribution(l.text) {
        return false;
    }
    names::is_lone_byline_word(l.text)
        || names::byline(l.text).is_some()
        || date_line(l).is_some()
        || (l.numbers() > 0 && l.words <= 12 && stamped(l.text))
        // "Jane DawsonView More Articles": a name with a button glued on.
        || (l.words <= 8 && l.capitalized() >= 3 && names::name_with_role(l.text).is_some())
}

/// A quote's or an embedded post's attribution: "— Jane Doe (@jane) November 18, 2019".
fn attribution(text: &str) -> bool {
    text.starts_with(['—', '–', '―'])
}

/// Whether the line opens with "Updated", "Posted", "Published" (or the same in German,
/// French, Spanish): a time stamp, also when it gives no year ("Posted Nov 18, 8:19 PM").
fn stamped(text: &str) -> bool {
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

/// A date that makes up most of a short line, or a line opening with a date keyword.
fn date_line(l: &Line<'_>) -> Option<(Found, bool)> {
    if l.words == 0 || l.words > 25 || l.copyright() || l.numbers() == 0 {
        return None;
    }
    let found = dates::find(l.text)?;
    let keyword = date_keyword(l.text);
    let share = found.covered * 100 / l.text.len().max(1);
    let dated = share >= 35
        || keyword.is_some()
        || l.words <= 8
        // "Nov. 20, 2019Updated: Nov. 20, 2019 1:35 a.m."
        || (l.words <= 16 && inner_keyword(l.text).is_some());
    dated.then_some((found, keyword == Some(true)))
}

/// Whether the line opens with a date keyword: `Some(true)` for an update, `Some(false)` for
/// publication.
fn date_keyword(text: &str) -> Option<bool> {
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
        return Some(true);
    }
    PUBLISHED
        .iter()
        .any(|k| lower.starts_with(k.as_bytes()))
        .then_some(false)
}

fn first_prose(
    lines: &[Line<'_>],
    classes: &[Class],
    start: usize,
    end: usize,
    fates: &[Option<Fate>],
) -> Option<usize> {
    (start..=end)
        .find(|&i| fates[i].is_none() && classes[i] == Class::Prose && !is_meta_line(&lines[i]))
}

/// Bylines (`By X`, a lone `By` with names under it, names next to a date) in the header.
fn bylines(
    lines: &[Line<'_>],
    from: usize,
    to: usize,
    fates: &mut [Option<Fate>],
    out: &mut Analysis<'_>,
) {
    let mut i = from;
    while i < to.min(lines.len()) {
        let l = &lines[i];
        if fates[i].is_some() || l.blank() {
            i += 1;
            continue;
        }
        if let Some(found) = names::byline(l.text) {
            fates[i] = Some(Fate::Author);
            add_authors(out, found);
        } else if names::is_lone_byline_word(l.text) {
            fates[i] = Some(Fate::Author);
            // The names follow, one per line (sometimes repeated), until something else.
            let mut j = i + 1;
            let mut first = true;
            while j < to.min(lines.len()) {
                if lines[j].blank() {
                    j += 1;
                    continue;
                }
                // The first line may credit a desk or a name the name test refuses ("Al
                // Root"); further lines must be names (an outlet line or a button follows).
                let text = lines[j].text;
                let credited = || first.then(|| names::credited(text)).flatten();
                let Some(name) = names::name_line(text).or_else(credited) else {
                    break;
                };
                fates[j] = Some(Fate::Author);
                add_authors(out, vec![name]);
                first = false;
                j += 1;
            }
            i = j;
            continue;
        } else if let Some(found) = embedded_byline(l) {
            fates[i] = Some(Fate::Author);
            add_authors(out, found);
        } else if let Some(found) = names::credit_with_place(l.text).filter(|_| {
            nonblank_neighbour(lines, i, Dir::Down).is_some_and(|j| date_line(&lines[j]).is_some())
        }) {
            fates[i] = Some(Fate::Author);
            add_authors(out, vec![found]);
        } else if let Some(name) = names::name_line(l.text)
            .or_else(|| names::name_with_role(l.text))
            .or_else(|| names::name_with_outlet(l.text))
        {
            // Next to a date line (blank lines between do not count), or right under the
            // headline (and its standfirst).
            let near_date = near_date(lines, i);
            // A run of name lines is a list (captions, people named in a gallery), not a byline.
            let listed = nonblank_neighbours(lines, i)
                .any(|j| fates[j].is_none() && names::name_line(lines[j].text).is_some());
            if !listed && (near_date || under_title(lines, fates, i)) {
                fates[i] = Some(Fate::Author);
                add_authors(out, vec![name]);
            }
        }
        i += 1;
    }
}

/// Whether the nearest non-blank line above or below line `i` is a date line.
fn near_date(lines: &[Line<'_>], i: usize) -> bool {
    nonblank_neighbours(lines, i).any(|j| date_line(&lines[j]).is_some())
}

/// The nearest non-blank lines above and below line `i`.
fn nonblank_neighbours<'a>(lines: &'a [Line<'_>], i: usize) -> impl Iterator<Item = usize> + 'a {
    [Dir::Up, Dir::Down]
        .into_iter()
        .filter_map(move |d| nonblank_neighbour(lines, i, d))
}

/// The nearest non-blank line above or below line `i`.
fn nonblank_neighbour(lines: &[Line<'_>], i: usize, dir: Dir) -> Option<usize> {
    match dir {
        Dir::Up => (0..i).rev().find(|&j| !lines[j].blank()),
        Dir::Down => (i + 1..lines.len()).find(|&j| !lines[j].blank()),
    }
}

/// Whether line `i` comes right under the headline, or under the headline's standfirst.
fn under_title(lines: &[Line<'_>], fates: &[Option<Fate>], i: usize) -> bool {
    let mut j = i;
    for _ in 0..2 {
        let Some(up) = nonblank_neighbour(lines, j, Dir::Up) else {
            return false;
        };
        match fates[up] {
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
    if date_line(l).is_some() {
        let lower = l.text.to_lowercase();
        if let Some(at) = lower.find(" by ").or_else(|| lower.find(" by:")) {
            return names::byline(&l.text[at + 1..]);
        }
        return names::name_before_date(l.text).map(|name| vec![name]);
    }
    None
}

fn add_authors(out: &mut Analysis<'_>, names: Vec<String>) {
    for name in names {
        if !out
            .authors
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(&name))
        {
            out.authors.push(FoundAuthor { name, bio: None });
        }
    }
}

/// Dates in the header: the first is the publication date unless marked as an update.
fn header_dates(
    lines: &[Line<'_>],
    classes: &[Class],
    from: usize,
    to: usize,
    fates: &mut [Option<Fate>],
    out: &mut Analysis<'_>,
) {
    for i in from..to.min(lines.len()) {
        if matches!(classes[i], Class::Prose) && fates[i].is_none() {
            continue;
        }
        if matches!(fates[i], Some(Fate::Title | Fate::Subtitle)) {
            continue;
        }
        // A byline line may carry its date after the names and a role.
        let is_date = fates[i] == Some(Fate::Author) || date_line(&lines[i]).is_some();
        if !is_date {
            continue;
        }
        let mut any = false;
        for (found, is_update) in labelled_parts(lines[i].text) {
            any = true;
            let value = found.value.to_string();
            if is_update {
                out.updated.get_or_insert(value);
            } else if out.published.is_none() {
                out.published = Some(value);
            } else {
                out.updated.get_or_insert(value);
            }
        }
        if any && fates[i].is_none() {
            fates[i] = Some(Fate::Date);
        }
    }
    if out.published.is_none() && out.updated.is_none() {
        date_under_title(lines, classes, fates, out);
    }
}

/// The first date in the few lines right under the headline, when no line there reads as a
/// date line on its own: "Jane Doe 27/09/2018 Comment! Books, News",
/// "October 12, 2018/0 Comments/in News /by admin".
fn date_under_title(
    lines: &[Line<'_>],
    classes: &[Class],
    fates: &mut [Option<Fate>],
    out: &mut Analysis<'_>,
) {
    let Some(title) = fates.iter().position(|f| *f == Some(Fate::Title)) else {
        return;
    };
    for j in (title + 1..lines.len())
        .filter(|&j| !lines[j].blank())
        .take(4)
    {
        let l = &lines[j];
        if classes[j] == Class::Prose || fates[j] == Some(Fate::Subtitle) {
            break;
        }
        if l.numbers() == 0 || l.words > 25 || l.copyright() || attribution(l.text) {
            continue;
        }
        if let Some(found) = dates::find(l.text) {
            out.published = Some(found.value.to_string());
            fates[j].get_or_insert(Fate::Date);
            return;
        }
    }
}

/// The dates of a line split at ` | `, ` / ` and `;`, each marked as an update when its part
/// opens with an update keyword ("Updated … / Original …").
fn labelled_parts(text: &str) -> Vec<(Found, bool)> {
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
            let is_update = keyword.unwrap_or(update_seen);
            update_seen |= is_update;
            out.push((found, is_update));
        } else if keyword == Some(true) {
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

/// A date keyword inside a part ("By Jane Doe Updated Nov. 19, 2019"): `Some(true)` for an
/// update.
fn inner_keyword(part: &str) -> Option<bool> {
    let lower = part.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&[
        "updated",
        "aktualisiert",
        "mis à jour",
        "actualizado",
        "actualisé",
    ]) {
        Some(true)
    } else if has(&[
        "published",
        "posted",
        "veröffentlicht",
        "publié",
        "publicado",
    ]) {
        Some(false)
    } else {
        None
    }
}

/// When the header states no date: a line opening with a date keyword ("Published …",
/// "Updated …") near the article, never in a teaser, a comment or the copyright line.
fn labelled_dates(
    lines: &[Line<'_>],
    classes: &[Class],
    (start, end): (usize, usize),
    fates: &mut [Option<Fate>],
    out: &mut Analysis<'_>,
) {
    let from = start.saturating_sub(60);
    let to = (end + 6).min(lines.len());
    for i in from..to {
        if fates[i].is_some() && fates[i] != Some(Fate::Author) {
            continue;
        }
        let l = &lines[i];
        if l.words > 25 || l.copyright() || l.numbers() == 0 || matches!(classes[i], Class::Prose) {
            continue;
        }
        if date_keyword(l.text).is_none() {
            continue;
        }
        for (found, is_update) in labelled_parts(l.text) {
            let slot = if is_update {
                &mut out.updated
            } else {
                &mut out.published
            };
            if slot.is_none() {
                *slot = Some(found.value.to_string());
                fates[i].get_or_insert(Fate::Date);
            }
        }
    }
}

/// Bios in the lower half of the article or after it: authors with bio, and the publisher.
fn bios(lines: &[Line<'_>], from: usize, fates: &mut [Option<Fate>], out: &mut Analysis<'_>) {
    for i in from..lines.len() {
        let l = &lines[i];
        if fates[i].is_some() || l.words < 6 || l.blank() {
            continue;
        }
        let Some(bio) = names::bio(l.text, l.role_word()) else {
            continue;
        };
        fates[i] = Some(Fate::Author);
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
fn trailing_bylines(
    lines: &[Line<'_>],
    classes: &[Class],
    end: usize,
    fates: &mut [Option<Fate>],
    out: &mut Analysis<'_>,
) {
    let last_prose = (0..=end)
        .rev()
        .find(|&i| classes[i] == Class::Prose && fates[i].is_none())
        .unwrap_or(end);
    let mut seen = 0;
    for i in last_prose + 1..lines.len() {
        if lines[i].blank() {
            continue;
        }
        seen += 1;
        if seen > 6 {
            break;
        }
        if fates[i].is_some() {
            continue;
        }
        if let Some(found) = names::byline(lines[i].text) {
            fates[i] = Some(Fate::Author);
            add_authors(out, found);
        }
    }
}

/// Inside the article run, short lines stay only between prose; outside it everything goes.
fn settle(
    lines: &[Line<'_>],
    classes: &[Class],
    start: usize,
    end: usize,
    fates: &mut [Option<Fate>],
) {
    let keepable = |c: Class| matches!(c, Class::Prose | Class::NearProse);
    for i in 0..lines.len() {
        if fates[i].is_some() {
            continue;
        }
        let c = classes[i];
        let fate = match c {
            Class::Blank => Fate::Blank,
            Class::Bad(r) => Fate::Removed(r),
            _ if i < start || i > end => Fate::Removed(Reason::OutsideArticle),
            Class::Prose => Fate::Kept,
            Class::NearProse | Class::Short => {
                let prev = usable_neighbour(classes, fates, i, Dir::Up, start, end);
                let next = usable_neighbour(classes, fates, i, Dir::Down, start, end);
                let keep = match c {
                    Class::NearProse => prev.is_some_and(keepable) || next.is_some_and(keepable),
                    _ => prev.is_some_and(keepable) && next == Some(Class::Prose),
                };
                if keep {
                    Fate::Kept
                } else if lines[i].bullet() {
                    Fate::Removed(Reason::ListItem)
                } else {
                    Fate::Removed(Reason::Short)
                }
            }
        };
        fates[i] = Some(fate);
    }
}

/// The nearest non-blank line inside the article that no earlier step claimed.
fn usable_neighbour(
    classes: &[Class],
    fates: &[Option<Fate>],
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
        if classes[j] == Class::Blank {
            continue;
        }
        if matches!(fates[j], Some(f) if f != Fate::Kept) {
            return None;
        }
        return Some(classes[j]);
    }
}

/// Writes the fates out and joins the kept lines into the body.
fn finish<'a>(lines: &[Line<'a>], fates: &[Option<Fate>], out: &mut Analysis<'a>) {
    let mut body = String::with_capacity(lines.iter().map(|l| l.text.len() + 2).sum());
    out.fates = lines
        .iter()
        .zip(fates)
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
fn fallback<'a>(lines: &[Line<'a>], classes: &[Class], mut out: Analysis<'a>) -> Analysis<'a> {
    let fates: Vec<Option<Fate>> = classes
        .iter()
        .map(|c| {
            Some(match c {
                Class::Blank => Fate::Blank,
                Class::Bad(r) => Fate::Removed(*r),
                _ => Fate::Kept,
            })
        })
        .collect();
    finish(lines, &fates, &mut out);
    if !out.body.is_empty() {
        out.warnings
            .push("text: no run of prose found; kept every line that is not page chrome".into());
    }
    out
}

/// The headline as shown, without a trailing site name after ` | `.
fn clean_title(text: &str) -> String {
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fate_of(a: &Analysis<'_>, needle: &str) -> Fate {
        a.lines()
            .find(|l| l.text.contains(needle))
            .map_or_else(|| panic!("no line with {needle}"), |l| l.fate)
    }

    const ARTICLE: &str = "Home\nNews\nSport\n\
        Council votes to close the old bridge\n\
        The decision follows years of complaints about traffic\n\n\
        By Jane Doe\n\
        March 7, 2024\n\n\
        The city council voted on Tuesday to close the old bridge for repairs, ending a debate that has lasted for most of the decade.\n\
        Engineers said the structure was no longer safe for heavy vehicles and that the work would take at least two years.\n\
        Subscribe to our newsletter\n\
        Get the latest news delivered to your inbox every morning.\n\
        Residents who live near the bridge said they were relieved, although some shop owners fear a drop in trade.\n\
        What happens next\n\
        The council will publish a plan for detours in the coming weeks, and a public meeting is planned for April.\n\
        © 2024 Example Media. All rights reserved.\n";

    #[test]
    fn headline_byline_date_and_body() {
        let a = analyze(ARTICLE);
        assert_eq!(
            a.title.as_deref(),
            Some("Council votes to close the old bridge")
        );
        assert_eq!(
            a.subtitle.as_deref(),
            Some("The decision follows years of complaints about traffic")
        );
        assert_eq!(a.authors.len(), 1);
        assert_eq!(a.authors[0].name, "Jane Doe");
        assert_eq!(a.published.as_deref(), Some("2024-03-07"));
        assert!(a.body.starts_with("The city council voted"));
        assert!(
            a.body.contains("What happens next"),
            "subheading kept: {}",
            a.body
        );
        assert!(a.body.ends_with("planned for April."));
    }

    #[test]
    fn names_under_a_lone_by_and_a_name_with_its_outlet_beside_a_date() {
        let body = "The city council voted on Tuesday to close the old bridge for repairs, ending a debate that has lasted for most of the decade.\n\
            Engineers said the structure was no longer safe for heavy vehicles and that the work would take at least two years.\n\
            Residents who live near the bridge said they were relieved, although some shop owners fear a drop in trade.\n";
        let lone = format!(
            "News\n\nCouncil votes to close the old bridge\n\nBy\nAl Baker\nUpdated March 7, 2024\nOrder Reprints\n\n{body}"
        );
        let a = analyze(&lone);
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Al Baker");
        let outlet = format!(
            "News\n\nCouncil votes to close the old bridge\n\n* Jane Doe, Example Daily\n* 07.03.2024, 08:30\n\n{body}"
        );
        let a = analyze(&outlet);
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Jane Doe");
    }

    #[test]
    fn a_wire_dateline_or_a_credit_over_the_date_names_the_agency() {
        let body = "The city council voted on Tuesday to close the old bridge for repairs, ending a debate that has lasted for most of the decade.\n\
            Engineers said the structure was no longer safe for heavy vehicles and that the work would take at least two years.\n";
        let wire = format!(
            "News\n\nCouncil votes to close the old bridge\n\nMarch 7, 2024\n\nSPRINGFIELD (Wirepress) - {body}"
        );
        let a = analyze(&wire);
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Wirepress");
        assert!(
            a.body.starts_with("SPRINGFIELD (Wirepress) - The city"),
            "the dateline stays in the body"
        );
        let credit = format!(
            "News\n\nCouncil votes to close the old bridge\n\nWirepress, Springfield,\nMar 7 2024, 11:06am\n\n{body}"
        );
        let a = analyze(&credit);
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Wirepress");
        // A time without a zone is kept without an offset.
        assert_eq!(a.published.as_deref(), Some("2024-03-07T11:06:00"));
    }

    #[test]
    fn chrome_and_promotions_are_removed_with_reasons() {
        let a = analyze(ARTICLE);
        assert_eq!(fate_of(&a, "Home"), Fate::Removed(Reason::OutsideArticle));
        assert_eq!(
            fate_of(&a, "Subscribe to our"),
            Fate::Removed(Reason::Chrome)
        );
        assert_eq!(
            fate_of(&a, "Get the latest"),
            Fate::Removed(Reason::Promotion)
        );
        assert_eq!(fate_of(&a, "© 2024"), Fate::Removed(Reason::Copyright));
        assert!(!a.body.contains("newsletter"));
    }

    #[test]
    fn repeated_lines_are_chrome() {
        let text = "A headline about the harbour\n\n\
            The harbour reopened on Monday after a week of storms kept every boat in port.\n\
            Share this story with a friend\n\
            Fishermen said the catch was good and prices at the market fell by a third.\n\
            Share this story with a friend\n\
            The harbour master expects traffic to return to normal by the end of the month.\n";
        let a = analyze(text);
        assert_eq!(fate_of(&a, "Share this"), Fate::Removed(Reason::Repeated));
        assert_eq!(a.body.matches("\n\n").count(), 2);
    }

    #[test]
    fn a_sentence_starting_with_by_gives_no_author() {
        let text = "Flood waters rise along the river\n\n\
            By Thursday afternoon, the river had risen two metres above its usual level and the town square was under water.\n\
            Volunteers filled sandbags through the night while the fire service pumped water out of cellars.\n\
            Officials said the worst should be over by the weekend if the rain eases as forecast.\n";
        let a = analyze(text);
        assert!(a.authors.is_empty(), "{:?}", a.authors);
        assert!(a.body.starts_with("By Thursday afternoon"));
        assert_eq!(
            a.title.as_deref(),
            Some("Flood waters rise along the river")
        );
    }

    #[test]
    fn bio_gives_author_and_publisher() {
        let text = "Markets calm after the rate decision\n\n\
            Stock markets were steady on Wednesday after the central bank left interest rates unchanged for a third month.\n\
            Analysts had expected the decision and said attention would now turn to inflation figures due next week.\n\
            Traders said volumes were thin ahead of the holiday weekend, with many desks already half empty.\n\
            Jane Doe has worked as a staff writer at The Example Post since 2019, covering markets.\n";
        let a = analyze(text);
        assert_eq!(a.authors.len(), 1);
        assert_eq!(a.authors[0].name, "Jane Doe");
        assert!(
            a.authors[0]
                .bio
                .as_deref()
                .is_some_and(|b| b.contains("staff writer"))
        );
        assert_eq!(a.publisher.as_deref(), Some("The Example Post"));
        assert!(!a.body.contains("staff writer"));
    }

    #[test]
    fn title_running_into_the_body() {
        let text = "Inside the new library\n\
            The new city library opened its doors on Saturday, and thousands of visitors queued to see the building.\n\
            Its reading rooms hold more than a million books, and the roof garden is open to everyone.\n\
            The architects said they wanted a building that felt like a public square.\n";
        let a = analyze(text);
        assert_eq!(a.title.as_deref(), Some("Inside the new library"));
        assert!(a.body.starts_with("The new city library"));
        assert_eq!(a.subtitle, None);
    }

    #[test]
    fn teasers_after_the_article_become_related() {
        let text = "Rain returns to the valley\n\n\
            After three dry months, rain finally returned to the valley on Sunday, to the relief of farmers.\n\
            The reservoirs are still low, but forecasters expect more showers in the coming days.\n\
            Farmers said the rain came just in time to save the late harvest in the lower fields.\n\
            -\n\
            Town hall gets a new clock tower\n\
            By Ann Lee, Example Times\n\
            -\n\
            School choir wins national prize\n\
            By Bo Chan, Example Times\n";
        let a = analyze(text);
        assert_eq!(a.related.len(), 2);
        assert_eq!(a.related[0].title, "Town hall gets a new clock tower");
        assert!(a.authors.is_empty());
        assert_eq!(fate_of(&a, "By Bo Chan"), Fate::Related);
    }

    #[test]
    fn dates_in_teasers_or_copyright_lines_are_not_publication_dates() {
        let text = "Rain returns to the valley\n\n\
            After three dry months, rain finally returned to the valley on Sunday, to the relief of farmers.\n\
            The reservoirs are still low, but forecasters expect more showers in the coming days.\n\
            -\n\
            Crossword: April 14, 2025\n\
            By Ann Lee, Example Times\n\
            -\n\
            School choir wins national prize\n\
            By Bo Chan, Example Times\n\
            © March 3, 2025 Example Media\n";
        let a = analyze(text);
        assert_eq!(a.published, None);
    }

    #[test]
    fn german_and_french_header_dates() {
        let text = "Stadtrat beschließt neue Radwege\n\
            12.01.2024, 08:30 Uhr\n\n\
            Der Stadtrat hat am Dienstag beschlossen, dass in der Innenstadt neue Radwege gebaut werden sollen.\n\
            Die Arbeiten sollen im Frühjahr beginnen und bis zum Ende des Jahres abgeschlossen sein.\n";
        let a = analyze(text);
        assert_eq!(a.published.as_deref(), Some("2024-01-12T08:30:00"));
        let text = "Le conseil adopte le budget\n\
            Publié le 4 février 2025\n\n\
            Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine.\n\
            Les élus de l'opposition ont voté contre et dénoncent une hausse des impôts locaux.\n";
        let a = analyze(text);
        assert_eq!(a.published.as_deref(), Some("2025-02-04"));
        assert_eq!(fate_of(&a, "Publié"), Fate::Date);
    }

    #[test]
    fn no_date_stated_gives_none() {
        let a = analyze(
            "A quiet week in the garden\n\n\
             The roses are blooming early this year, and the tomatoes have never looked better than they do now.\n\
             Even the old apple tree has more fruit than it had for many seasons in a row.\n",
        );
        assert_eq!(a.published, None);
        assert_eq!(a.updated, None);
    }
    #[test]
    fn byline_and_date_on_one_line() {
        let text = "Menu\nSearch\n\nPort strike ends after two weeks\n\
            By Jane Doe Updated Nov. 19, 2019 8:03 am ET\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n";
        let a = analyze(text);
        assert_eq!(a.authors.len(), 1);
        assert_eq!(a.authors[0].name, "Jane Doe");
        assert_eq!(a.updated.as_deref(), Some("2019-11-19T13:03:00Z"));
        assert_eq!(a.published, None, "only an update time is stated");
    }

    #[test]
    fn updated_and_original_dates_are_told_apart() {
        let text = "Port strike ends after two weeks\n\
            Updated Nov. 19, 2019 8:21 am ET / Original Nov. 18, 2019 8:02 am ET\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n";
        let a = analyze(text);
        assert_eq!(a.published.as_deref(), Some("2019-11-18T13:02:00Z"));
        assert_eq!(a.updated.as_deref(), Some("2019-11-19T13:21:00Z"));
    }

    #[test]
    fn headline_is_not_a_caption_or_a_link_list() {
        let text = "Port strike ends after two weeks\n\
            By Jane Doe\n\n\
            Union leader Ann Lee (left) and port director Bo Chan sign the deal\n\
            More on this\n\
            Ships queue outside the harbour for a second week\n\
            Exporters count the cost of the long dispute\n\
            What the new contract means for night shifts\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n";
        let a = analyze(text);
        assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
        assert_eq!(
            fate_of(&a, "(left)"),
            Fate::Removed(Reason::Credit),
            "a caption naming who stands where"
        );
    }

    const PORT_BODY: &str = "Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
        The union said the new contract raises wages by six percent over three years and limits night shifts.\n\
        Exporters said it would take a month to clear the backlog of containers stuck on the quays.\n";

    #[test]
    fn breadcrumb_and_numbered_crumb_are_not_the_headline() {
        let text = format!(
            "1. Home >\n2. Business >\n3. Port strike ends after two weeks\n\n\
             Port strike ends after two weeks\n\nMarch 7, 2024\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
        assert_eq!(a.subtitle, None);
        let text = format!(
            "Home ›\nBusiness ›\nPort strike ends after two weeks\nMarch 7, 2024\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
    }

    #[test]
    fn headline_of_several_sentences_over_a_time_stamp() {
        let text = format!(
            "Weather: Set your location\nEnter City and State or Zip Code\n\n\
             Port strike over. Ships return. The union won.\n\n\
             Posted Nov 18, 8:19 PM\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(
            a.title.as_deref(),
            Some("Port strike over. Ships return. The union won.")
        );
    }

    #[test]
    fn headline_inside_the_run_over_its_byline() {
        // The run opens with a quoted claim and its attribution; the headline and byline follow.
        let text = format!(
            "\"Ten ships a day are leaving the port without their cargo, and nobody is counting them.\"\n\n\
             — Ann Lee on Sunday, October 13th, 2019 in a speech to the harbour board\n\n\
             How many ships leave the port without cargo?\n\n\
             By Jane Doe on Monday, November 18th, 2019\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(
            a.title.as_deref(),
            Some("How many ships leave the port without cargo?")
        );
        assert_eq!(a.authors.len(), 1);
        assert_eq!(a.authors[0].name, "Jane Doe");
    }

    #[test]
    fn an_embedded_posts_attribution_is_not_a_date_line() {
        let text = format!(
            "Port strike ends after two weeks\nMarch 7, 2024\n\n{PORT_BODY}\
             Finally the ships are moving again after all this time\n\n\
             — Bo Chan (@bochan) March 7, 2024\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
    }

    #[test]
    fn name_line_under_the_headline_or_beside_a_date_is_the_author() {
        let text =
            format!("Port strike ends after two weeks\n\nJane Doe\n\n5 Min Read\n\n{PORT_BODY}");
        let a = analyze(&text);
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Jane Doe");
        let text = format!(
            "Port strike ends after two weeks\n\nThe union won a six percent raise over three years\n\n\
             JANE DOE\n\nNov. 20, 2019 1:35 a.m.\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Jane Doe");
        let text = format!(
            "Port strike ends after two weeks\n\nJane Doe Senior Contributor\n\n{PORT_BODY}"
        );
        assert_eq!(analyze(&text).authors[0].name, "Jane Doe");
    }

    #[test]
    fn labels_and_lists_of_names_are_not_authors() {
        // A navigation label under the headline, and captions naming people.
        let text = format!(
            "Port strike ends after two weeks\n\nPrevious Post\nNext Post\n\n\
             Ann Lee Harbour Master\n\nBo Chan Union Leader\n\nMarch 7, 2024\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert!(a.authors.is_empty(), "{:?}", a.authors);
        // A lone "By" with the name under it; buttons after the date are not names.
        let text = format!(
            "Port strike ends after two weeks\n\nBy\n\nJane Doe\nMarch 7, 2024\nOrder Reprints\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        let names: Vec<&str> = a.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Jane Doe"]);
    }

    #[test]
    fn date_in_the_meta_line_under_the_headline() {
        let text = format!(
            "Port strike ends after two weeks\n\n\
             Jane Doe 27/09/2018 Comment! Harbour, Unions, Shipping News\n\n{PORT_BODY}"
        );
        assert_eq!(analyze(&text).published.as_deref(), Some("2018-09-27"));
        let text = format!(
            "Port strike ends after two weeks\n\n\
             October 12, 2018/0 Comments/in Harbour News /by admin\n\n{PORT_BODY}"
        );
        assert_eq!(analyze(&text).published.as_deref(), Some("2018-10-12"));
        // A date inside the first paragraph is not the article's date.
        let text = format!(
            "Port strike ends after two weeks\n\n\
             The strike that began on October 12, 2018 ended on Monday, and the ships are leaving the port again.\n{PORT_BODY}"
        );
        assert_eq!(analyze(&text).published, None);
    }

    #[test]
    fn date_line_with_an_update_glued_to_it() {
        let text = format!(
            "Port strike ends after two weeks\n\n\
             Nov. 20, 2019Updated: Nov. 21, 2019 1:35 a.m.\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(a.published.as_deref(), Some("2019-11-20"));
        assert_eq!(a.updated.as_deref(), Some("2019-11-21T01:35:00"));
    }

    #[test]
    fn headline_with_a_dotted_date_and_a_byline_with_a_glued_button() {
        let text = format!(
            "Markets\n\nPort Report 11.18.19\n\n\
             Port strike ends and the ships leave after two weeks of waiting\n\n\
             Jane DawsonView More Articles\n\n{PORT_BODY}"
        );
        let a = analyze(&text);
        assert_eq!(a.title.as_deref(), Some("Port Report 11.18.19"));
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(a.authors[0].name, "Jane Dawson");
        // A line of scores is still no headline.
        let text = format!("Results\n\n12 - 3 14 - 2 Finals\n\n{PORT_BODY}");
        assert_eq!(analyze(&text).title, None);
    }

    #[test]
    fn comment_section_is_cut_off() {
        let text = "Port strike ends after two weeks\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n\
            Exporters said it would take a month to clear the backlog of containers stuck on the quays.\n\
            12 Comments\n\
            I think the union was right to hold out for a better deal, and the port should have settled much sooner.\n\
            Posted on November 20, 2019 by a reader who works at the port and saw the queue of ships every day.\n";
        let a = analyze(text);
        assert!(a.body.ends_with("stuck on the quays."), "{}", a.body);
        assert_eq!(a.published, None, "a comment's date is not the article's");
    }

    #[test]
    fn teaser_summaries_between_headlines_stay_out_of_the_body() {
        let mut text = String::from(
            "Port strike ends after two weeks\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n\
            Exporters said it would take a month to clear the backlog of containers stuck on the quays.\n\
            Menu\nMore stories\nOpinion\nSport\n",
        );
        for i in 0..6 {
            text.push_str("Other story number ");
            text.push_str(&i.to_string());
            text.push_str(" in the list\nAnn Lee\n");
            text.push_str(
                "A summary sentence for the other story, which is long enough to look like a \
                 paragraph of prose.\n",
            );
        }
        let a = analyze(&text);
        assert!(a.body.ends_with("stuck on the quays."), "{}", a.body);
    }
}
