//! People and publishers named in page text: bylines (`By X and Y`, `BY X`, `Author: X`,
//! `Von X`, `Par X`, `Por X`), lines holding only a name, and bio sentences ("X has worked as a
//! staff writer at P", "X is the news editor of P") with the publisher they name.
//!
//! A name is two to five capitalized words (initials and particles such as `van`, `de` allowed)
//! that are neither function words, calendar words nor job titles, so a sentence that merely
//! starts with "By" ("By Thursday afternoon, …") never yields an author.
//!
//! Where no person is named, a byline word may credit a desk, an agency or a single name
//! ([`credited`]: "By Staff Reports", "By Reuters", "by Regan"), a user name when a date
//! follows ("By admin - 2018-09-16"), a wire dateline its agency ([`wire_credit`]:
//! "WASHINGTON (AP) — …") and a line running into the date its credit ([`credit_with_place`]:
//! "Reuters, Washington,"); an author may therefore be an organisation, as the page says.

use crate::lexicon::{self, Kind};

/// Words that introduce a byline, lowercase, each followed by the names.
const BYLINE_PREFIXES: &[&str] = &[
    "by:",
    "by",
    "von:",
    "von",
    "par:",
    "par",
    "por:",
    "por",
    "written by",
    "words by",
    "author:",
    "authors:",
    "autor:",
    "autorin:",
    "autoren:",
    "auteur:",
    "auteur :",
    "auteurs:",
    "auteurs :",
    "autora:",
    "text:",
    "texto:",
];

/// Words that may precede "by" in a byline ("Analysis by X").
const BY_LEADS: &[&str] = &[
    "analysis",
    "commentary",
    "opinion",
    "photos",
    "report",
    "reporting",
    "story",
    "text",
    "video",
    "words",
];

/// Whether the line opens like a byline (`By …`, `Author: …`, `Analysis by …`), names or not.
pub fn opens_byline(text: &str) -> bool {
    strip_byline_prefix(text).is_some()
}

/// Words joining two names in a byline.
const AND_WORDS: &[&str] = &[" and ", " & ", " und ", " et ", " y ", " e "];

/// Lower-case name particles (allowed inside a name, never first).
const PARTICLES: &[&str] = &[
    "al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el", "la",
    "le", "ten", "ter", "van", "von", "zu",
];

/// Lowercase words that may join the capitalized words of a credited desk or outlet
/// ("Friends of the Earth", "Marks & Spencer").
const CREDIT_JOINERS: &[&str] = &[
    "&", "of", "the", "for", "de", "du", "des", "del", "la", "le",
];

/// Words after a name that make it a byline with a role or a button: "Senior Contributor",
/// "View More Articles".
const ROLE_TAIL_WORDS: &[&str] = &["articles", "contributing", "senior", "staff", "view"];

/// Verbs that follow the name at the start of a bio sentence.
const BIO_VERBS: &[&str] = &[
    "is",
    "was",
    "has",
    "had",
    "worked",
    "works",
    "writes",
    "wrote",
    "covers",
    "covered",
    "joined",
    "reports",
    "reported",
    "edits",
    "serves",
    "ist",
    "war",
    "arbeitet",
    "schreibt",
    "est",
    "a",
    "travaille",
    "écrit",
    "es",
    "fue",
    "trabaja",
    "escribe",
];

/// Prepositions after which a bio names the publisher.
const PUBLISHER_PREPOSITIONS: &[&str] = &[
    "at", "for", "of", "with", "bei", "für", "chez", "pour", "au", "à", "para", "en", "in",
];

/// Whether the line is only a byline keyword, with the names on the next lines.
pub fn is_lone_byline_word(text: &str) -> bool {
    if text.len() > 12 {
        return false;
    }
    let t = text.trim().trim_end_matches(':').trim().to_lowercase();
    matches!(
        t.as_str(),
        "by" | "von"
            | "par"
            | "por"
            | "author"
            | "authors"
            | "autor"
            | "autorin"
            | "auteur"
            | "written by"
    )
}

/// The names of a byline line, or `None` when the line is not a byline.
pub fn byline(text: &str) -> Option<Vec<String>> {
    // Every byline prefix starts with one of these letters; most lines are rejected here.
    let first = text
        .trim_start()
        .bytes()
        .next()
        .map(|b| b.to_ascii_lowercase());
    if text.len() > 160
        || !matches!(
            first,
            Some(b'a' | b'b' | b'c' | b'o' | b'p' | b'r' | b's' | b't' | b'v' | b'w')
        )
    {
        return None;
    }
    let rest = strip_byline_prefix(text)?;
    // What follows the names: a separator, then dates, places, roles.
    let cut = names_end(rest);
    // "Meg JamesStaff Writer": the role is glued to the name.
    let cut = crate::related::glued_at(&rest[..cut]).unwrap_or(cut);
    // A separator or a date right after the names.
    let after = rest[cut..].trim_start();
    let dated = after.starts_with(['-', '|', '—', '–', '·', '•'])
        || after.starts_with(|c: char| c.is_ascii_digit());
    let rest = rest[..cut].trim().trim_end_matches([',', ';', '.']);
    let mut names = Vec::new();
    // "By A, B and C" lists names; otherwise what follows the first comma is an outlet, a
    // place or a role.
    let last = rest.rsplit([',', ';']).next().unwrap_or("").trim();
    let listed =
        rest.contains([',', ';']) && (last.split(' ').any(is_and_word) || last.starts_with("and "));
    let take = if listed { usize::MAX } else { 1 };
    for (i, segment) in rest.split([',', ';']).take(take).enumerate() {
        let segment = segment.trim();
        let segment = segment
            .strip_prefix("and ")
            .or_else(|| segment.strip_prefix("und "))
            .unwrap_or(segment);
        // Every part of the segment must be a name, or none of them counts.
        let before = names.len();
        for part in split_and(segment) {
            let Some(name) = person_name(part) else {
                names.truncate(before);
                break;
            };
            names.push(name);
        }
        if names.len() == before {
            // The first segment must be names, or else a desk, an outlet or a single name
            // that the byline word credits ("By Reuters", "By Staff Reports", "by Regan");
            // later segments may be a place or an outlet.
            if i == 0 {
                return credited(segment)
                    .or_else(|| {
                        (dated && segment == rest)
                            .then(|| handle(segment))
                            .flatten()
                    })
                    .map(|name| vec![name]);
            }
            break;
        }
    }
    (!names.is_empty()).then_some(names)
}

/// Where the names of a byline end: at a separator (`|`, ` - `, `—`, `·`, `(`) or at a word
/// that introduces a date (`on`, `am`, `le`, `el`).
fn names_end(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    for (i, c) in rest.char_indices() {
        match c {
            '|' | '—' | '–' | '·' | '•' | '(' => return i,
            '@' => {
                // A handle glued to the name ("Jane Doe@janedoe") ends it at the `@`; an
                // address ("jdoe@example.org") ends it where the address starts.
                let from = rest[..i].rfind(' ').map_or(0, |s| s + 1);
                let glued = rest[from..i].chars().next().is_some_and(char::is_uppercase)
                    && rest[from..i].chars().all(char::is_alphabetic);
                return if glued { i } else { from.saturating_sub(1) };
            }
            ' ' => {
                let next = &bytes[i + 1..];
                let space = next.iter().position(|&b| b == b' ');
                let word = &rest[i + 1..i + 1 + space.unwrap_or(next.len())];
                if starts_date(word) {
                    return i;
                }
                // A dash or a date's preposition, followed by more words.
                if space.is_some() && matches!(word, "-" | "on" | "On" | "am" | "le" | "el") {
                    return i;
                }
            }
            _ => {}
        }
    }
    rest.len()
}

/// Whether a word opens a date or its label: a number, a month name, `Updated`, `Published`.
fn starts_date(word: &str) -> bool {
    match word.bytes().next() {
        Some(b'0'..=b'9') => return true,
        // Month names and labels open with a capital in a byline; trimming keeps the first
        // character, so a lower-case ASCII start rules the word out at once.
        Some(b) if b.is_ascii() && !b.is_ascii_uppercase() => return false,
        _ => {}
    }
    let bare = word.trim_end_matches(['.', ',', ':']);
    if bare.len() > 14 || !bare.chars().next().is_some_and(char::is_uppercase) {
        // Month names and labels open with a capital in a byline.
        return false;
    }
    let mut buf = [0u8; 14];
    let lower = if bare.is_ascii() {
        buf[..bare.len()].copy_from_slice(bare.as_bytes());
        buf[..bare.len()].make_ascii_lowercase();
        std::str::from_utf8(&buf[..bare.len()]).unwrap_or("")
    } else {
        return starts_date_slow(bare);
    };
    docnorm_toolkit::dates::month_number(lower).is_some()
        || matches!(
            lower,
            "updated"
                | "published"
                | "posted"
                | "aktualisiert"
                | "veröffentlicht"
                | "publié"
                | "publicado"
                | "actualizado"
        )
}

/// [`starts_date`] for words with non-ASCII letters.
fn starts_date_slow(bare: &str) -> bool {
    let lower = bare.to_lowercase();
    docnorm_toolkit::dates::month_number(&lower).is_some()
        || matches!(lower.as_str(), "aktualisiert" | "veröffentlicht" | "publié")
}

/// The name at the start of a date line ("Jane Doe - Nov 19, 2019, 10:31 pm"), if the text
/// before the date is a name and nothing else.
pub fn name_before_date(text: &str) -> Option<String> {
    let cut = names_end(text);
    let head = text[..cut]
        .trim()
        .trim_end_matches([',', '-', '|', '·', '–', '—']);
    name_line(head.trim())
}

/// What a byline word credits when it is not a person's full name: a desk, an agency or an
/// outlet ("Reuters", "Staff Reports", "The Associated Press", "Example Editorial Staff") or a
/// single name ("Regan"). One to six capitalized words (lowercase joiners such as "of" or
/// "&" between them), no digits, no calendar, interface, button or navigation word, not only
/// roles ("Staff Reporter") and never a lone function word, so "By Thursday afternoon, …" and
/// "By the time …" credit no one. Also the name on the line under a lone "By" ("Al Root",
/// whose first word is a function word elsewhere).
pub fn credited(text: &str) -> Option<String> {
    let text = without_trailing_separator(text);
    let count = crate::lines::count_words_upto(text, 7);
    if text.len() > 60 || !(1..=6).contains(&count) {
        return None;
    }
    let mut substantive = 0;
    for (i, w) in text.split_whitespace().enumerate() {
        let (mut buf, mut owned) = ([0u8; 40], String::new());
        let lower = lowercase(w, &mut buf, &mut owned);
        if i > 0 && CREDIT_JOINERS.contains(&lower) {
            continue;
        }
        if !w.chars().next().is_some_and(char::is_uppercase)
            || !w
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
        {
            return None;
        }
        let kind = lexicon::kind_of(lower.trim_end_matches('.'));
        if kind.intersects(Kind::CALENDAR | Kind::UI) || lexicon::CHROME_WORDS.contains(&lower) {
            return None;
        }
        if !kind.intersects(Kind::STOP | Kind::ROLE) && !ROLE_TAIL_WORDS.contains(&lower) {
            substantive += 1;
        }
    }
    (substantive > 0).then(|| text.to_owned())
}

/// A user name credited by a byline word and followed by a date ("By admin - 2018-09-16",
/// `by jdoe_42 | March 7`): one lower-case word of letters, digits and `_`, `.`, `-`, not a
/// function word, so "by then - 2024" credits no one.
fn handle(text: &str) -> Option<String> {
    let text = without_trailing_separator(text);
    let valid = (2..=30).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !lexicon::kind_of(text).intersects(Kind::STOP | Kind::CALENDAR);
    valid.then(|| text.to_owned())
}

/// `text` trimmed, without a dash or bar left after the names ("By Staff Reports -").
fn without_trailing_separator(text: &str) -> &str {
    text.trim()
        .trim_end_matches(['-', '–', '—', '|', ':'])
        .trim_end()
}

/// The credit of a line that names who and where and runs on into the date on the next
/// line: "Reuters, Washington," / "Jane Doe, New Delhi," (the trailing comma).
pub fn credit_with_place(text: &str) -> Option<String> {
    let text = text.trim();
    let (who, place) = text.strip_suffix(',')?.split_once(", ")?;
    let place_ok =
        (1..=3).contains(&crate::lines::count_words_upto(place, 4)) && credited(place).is_some();
    if !place_ok {
        return None;
    }
    name_line(who).or_else(|| credited(who))
}

/// The agency of a wire-service dateline opening the article: "WASHINGTON (Reuters) - …",
/// "VIENNA, Austria (AP) — …", "(Example Wire) — …": a place of capitalized words (or none),
/// the agency in parentheses, then a dash.
pub fn wire_credit(text: &str) -> Option<String> {
    let open = text.get(..60).unwrap_or(text).find('(')?;
    let place = text[..open].trim().trim_end_matches(',');
    let place_ok = place.split([' ', ',']).filter(|w| !w.is_empty()).all(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
    });
    let close = open + text[open..].find(')')?;
    let after = text[close + 1..].trim_start();
    let dashed = after.starts_with(['-', '—', '–']);
    let agency = &text[open + 1..close];
    if !place_ok || !dashed || crate::lines::count_words_upto(agency, 4) > 3 {
        return None;
    }
    credited(agency)
}

/// The name of a line holding a person's name and the outlet they write for, next to a date:
/// "Jane Doe, Example Daily".
pub fn name_with_outlet(text: &str) -> Option<String> {
    let (name, outlet) = text.split_once(", ")?;
    let name = person_name(name.trim())?;
    (crate::lines::count_words_upto(outlet, 5) <= 4 && credited(outlet).is_some()).then_some(name)
}

/// The name when the whole line is a person's name (two to five name words).
pub fn name_line(text: &str) -> Option<String> {
    if text.len() > 60 {
        return None;
    }
    person_name(text.trim())
}

/// The name of a line holding a name and then only a role or a button: "Jane Doe Senior
/// Contributor", `Jane DawsonView More Articles` (the button glued to the name).
pub fn name_with_role(text: &str) -> Option<String> {
    if text.len() > 80 {
        return None;
    }
    let text = text.trim();
    if let Some(at) = crate::related::glued_at(text) {
        let (head, tail) = text.split_at(at);
        return (only_role_words(tail)).then(|| name_line(head)).flatten();
    }
    // Every tail tried below ends with the last word; when that word is no role word nor
    // one allowed beside them, no tail is only role words.
    text.split_whitespace().next_back().and_then(role_word)?;
    // Where each word after the second starts: the name may end before any of them.
    let starts = text
        .char_indices()
        .filter(|&(i, c)| !c.is_whitespace() && i > 0 && text[..i].ends_with(char::is_whitespace))
        .map(|(i, _)| i)
        .skip(1)
        .take(5);
    starts
        .map(|cut| text.split_at(cut))
        .find(|(_, tail)| only_role_words(tail))
        .and_then(|(head, _)| person_name(head.trim()))
}

/// Whether every word is a role or button word and one at least is ("Senior Contributor",
/// "View More Articles", "Staff Writer").
fn only_role_words(text: &str) -> bool {
    let mut any = false;
    for w in text.split_whitespace() {
        match role_word(w) {
            Some(role) => any |= role,
            None => return false,
        }
    }
    any
}

/// How a word counts in [`only_role_words`]: `Some(true)` for a role or button word,
/// `Some(false)` for a word allowed beside them (a function word, "Senior"), `None` for
/// any other.
fn role_word(w: &str) -> Option<bool> {
    let (mut buf, mut owned) = ([0u8; 40], String::new());
    let lower = lowercase(
        w.trim_matches(|c: char| !c.is_alphanumeric()),
        &mut buf,
        &mut owned,
    );
    let kind = lexicon::kind_of(lower);
    if kind.intersects(Kind::ROLE | Kind::UI) || ROLE_TAIL_WORDS.contains(&lower) {
        Some(true)
    } else if kind.intersects(Kind::NOT_NAME | Kind::STOP) {
        Some(false)
    } else {
        None
    }
}

/// The holder a copyright line names, as the publisher: "© 2019 Example Times. All rights
/// reserved." → "Example Times"; "Copyright © 2005-2019 Example Media, LLC" → "Example
/// Media". `None` for a photo credit ("Image copyright Jo Roe", "Photo: © Jo Roe") or a line
/// that names no one.
pub fn copyright_holder(text: &str) -> Option<String> {
    if text.len() > 200 {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    // The mark opens the line (after at most "All contents" or a bullet): not a credit.
    let mark = ["©", "ⓒ", "(c)", "copyright"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()?;
    let before = lower[..mark].trim_matches(|c: char| !c.is_alphanumeric());
    if !matches!(before, "" | "all contents" | "this site" | "site") {
        return None;
    }
    // A bare "© Name" is as often a photo credit: a year or a rights statement makes it the
    // page's notice.
    let notice = lower.contains("copyright")
        || lower.contains("right")
        || ["rechte", "droits", "derechos", "direitos"]
            .iter()
            .any(|w| lower.contains(w))
        || lower
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit));
    if !notice {
        return None;
    }
    // Skip marks, years, year ranges and "by" after the mark.
    let mut rest = &text[mark..];
    loop {
        let trimmed = rest.trim_start_matches(|c: char| {
            c.is_whitespace()
                || c.is_ascii_digit()
                || matches!(c, '©' | 'ⓒ' | '-' | '–' | '—' | ',' | '.' | ':')
        });
        let next = ["copyright", "(c)", "by "].iter().find(|m| {
            trimmed
                .get(..m.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(m))
        });
        if let Some(m) = next {
            rest = &trimmed[m.len()..];
        } else {
            rest = trimmed;
            break;
        }
    }
    let name = holder_name(rest);
    let words = name.split_whitespace().count();
    let starts_upper = name
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    // "Designed by …", "Powered by …", "The Site unless otherwise noted": not a name.
    let plain = !name.to_ascii_lowercase().contains("rights")
        && !name.contains('@')
        && !name
            .split_whitespace()
            .any(|w| matches!(w, "by" | "unless" | "except" | "powered" | "designed"));
    ((1..=6).contains(&words) && starts_upper && plain).then(|| name.to_owned())
}

/// The holder's name at the start of `rest`, without what follows it (a sentence, a
/// separator, the rights statement), its legal form or a trailing year.
fn holder_name(rest: &str) -> &str {
    let rest_lower = rest.to_ascii_lowercase();
    let end = [
        ". ",
        ",",
        " / ",
        " |",
        " - ",
        " — ",
        " – ",
        " •",
        ";",
        "(",
        "all rights",
        "all right",
        "alle rechte",
        "tous droits",
        "todos los derechos",
        "todos os direitos",
    ]
    .iter()
    .filter_map(|m| rest_lower.find(m))
    .min()
    .unwrap_or(rest.len());
    // "Example Network.Other Company": a full stop glued to the next name.
    let end = rest[..end]
        .char_indices()
        .zip(rest[..end].chars().skip(1))
        .find(|&((_, c), next)| c == '.' && next.is_uppercase())
        .map_or(end, |((i, _), _)| i);
    let mut name = rest[..end].trim().trim_end_matches(['.', ',', ' ']);
    // Legal forms and a trailing year are not part of the name.
    loop {
        let before = name;
        for suffix in [
            ", Inc", " Inc", ", LLC", " LLC", " Ltd", " Pty", " Pvt", " Limited", " GmbH", " Corp",
            ", Corp", " Co", " S.A", " AG",
        ] {
            if let Some(head) = name.strip_suffix(suffix) {
                name = head;
            }
        }
        name = name
            .trim_end_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '-' | '–')
            })
            .trim_end();
        if name == before {
            break;
        }
    }
    name
}

/// A bio sentence: the person it is about and the publisher it names, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio {
    /// The person the bio is about.
    pub name: String,
    /// The publication the bio says they work for, when it names one.
    pub publisher: Option<String>,
}

/// Reads a bio sentence: a name, a bio verb, and (with a role word, or `worked at`) the rest.
pub fn bio(text: &str, has_role_word: bool) -> Option<Bio> {
    // Cheap test first: a bio opens with two capitalized words.
    let mut head = text.split_whitespace();
    let capitalized = |w: Option<&str>| {
        w.and_then(|w| w.chars().next())
            .is_some_and(char::is_uppercase)
    };
    if !capitalized(head.next()) || !capitalized(head.next()) {
        return None;
    }
    // The verb comes right after a name of two to five words.
    if !text
        .split_whitespace()
        .skip(2)
        .take(4)
        .any(|w| BIO_VERBS.iter().any(|v| v.eq_ignore_ascii_case(w)))
    {
        return None;
    }
    // "Jane Doe (@janedoe) is a writer at …": the handle after the name is skipped.
    let words: Vec<&str> = text
        .split_whitespace()
        .take(60)
        .filter(|w| !(w.starts_with("(@") && w.ends_with(')')))
        .collect();
    let mut n = 0;
    while n < words.len() && n < 5 && name_word(words[n], n == 0).is_some() {
        n += 1;
    }
    if n < 2 {
        return None;
    }
    let verb = words.get(n)?.to_lowercase();
    if !BIO_VERBS.contains(&verb.as_str()) {
        return None;
    }
    let worked_at = || {
        words.windows(2).any(|w| {
            (lower_is(w[0], "worked") || lower_is(w[0], "works"))
                && (lower_is(w[1], "at") || lower_is(w[1], "for"))
        })
    };
    if !has_role_word && !worked_at() {
        return None;
    }
    let name = person_name(&words[..n].join(" "))?;
    let publisher = publisher_after(&words, n + 1);
    Some(Bio { name, publisher })
}

/// Whether `word` lower-cases to `lower` (without allocating for ASCII words).
fn lower_is(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        word.eq_ignore_ascii_case(lower)
    } else {
        word.to_lowercase() == lower
    }
}

/// The first capitalized run after a preposition, from word `from` on, within the first
/// sentence.
fn publisher_after(words: &[&str], from: usize) -> Option<String> {
    let mut i = from;
    while i + 1 < words.len() {
        let w = words[i];
        if w.ends_with('.') && i > from {
            // The first sentence ended.
            return None;
        }
        let lw = w.to_lowercase();
        if PUBLISHER_PREPOSITIONS.contains(&lw.as_str())
            && let Some(p) = capitalized_run(&words[i + 1..])
        {
            return Some(p);
        }
        i += 1;
    }
    None
}

fn capitalized_run(words: &[&str]) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for w in words.iter().take(6) {
        let core = w.trim_end_matches([',', '.', ';', ':', ')', '’', '\'', '"', '”']);
        let first = core.chars().next()?;
        let connector = matches!(
            core,
            "of" | "and" | "&" | "de" | "du" | "der" | "für" | "la"
        );
        if !(first.is_uppercase() || (connector && !out.is_empty())) {
            break;
        }
        if first.is_uppercase() && lexicon::is_calendar_word(&core.to_lowercase()) {
            break;
        }
        out.push(core);
        if core.len() != w.len() {
            break;
        }
    }
    while out
        .last()
        .is_some_and(|w| w.chars().next().is_some_and(|c| !c.is_uppercase()))
    {
        out.pop();
    }
    let content = out
        .iter()
        .filter(|w| !lexicon::is_stopword(&w.to_lowercase()))
        .count();
    (content > 0).then(|| out.join(" "))
}

fn strip_byline_prefix(text: &str) -> Option<&str> {
    let mut t = text.trim();
    // "Analysis by Jane Doe": drop the lead word.
    if let Some((lead, rest)) = t.split_once(' ')
        && rest.get(..3).is_some_and(|b| b.eq_ignore_ascii_case("by "))
        && BY_LEADS.iter().any(|l| l.eq_ignore_ascii_case(lead))
    {
        t = rest;
    }
    let first = t.as_bytes().first()?.to_ascii_lowercase();
    for prefix in BYLINE_PREFIXES {
        if prefix.as_bytes()[0] != first {
            continue;
        }
        let Some(head) = t.get(..prefix.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(prefix) {
            continue;
        }
        let rest = &t[prefix.len()..];
        let needs_space = !prefix.ends_with(':');
        if needs_space && !rest.starts_with(' ') {
            continue;
        }
        // "by" in lower case opens a clause more often than a byline ("by then, ..."); the
        // name test below rejects those.
        return Some(rest.trim());
    }
    None
}

/// Whether a word is one of [`AND_WORDS`] without its spaces.
fn is_and_word(word: &str) -> bool {
    word.len() <= 3 && AND_WORDS.iter().any(|a| a.trim_matches(' ') == word)
}

fn split_and(segment: &str) -> Vec<&str> {
    // One pass over the words, cutting at each joining word.
    let mut parts = Vec::with_capacity(2);
    let mut from = 0;
    let mut pos = 0;
    for word in segment.split(' ') {
        let end = pos + word.len();
        if is_and_word(word) {
            parts.push(segment[from..pos].trim());
            from = end;
        }
        pos = end + 1;
    }
    parts.push(segment[from..].trim());
    parts
}

/// A person's name in canonical case, or `None`.
pub fn person_name(text: &str) -> Option<String> {
    // Six words are as bad as sixty.
    let count = crate::lines::count_words_upto(text, 6);
    if !(2..=5).contains(&count) {
        return None;
    }
    // Reject cheaply before allocating: every word must pass the name test.
    let mut words = [""; 5];
    let mut kinds = [NameWord::Full; 5];
    for (i, w) in text.split_whitespace().enumerate() {
        kinds[i] = name_word(w, i == 0)?;
        words[i] = w;
    }
    let (words, kinds) = (&words[..count], &kinds[..count]);
    let all_upper = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    let mut out = String::with_capacity(text.len());
    let mut full_words = 0;
    for (i, (w, &kind)) in words.iter().zip(kinds).enumerate() {
        if kind == NameWord::Full {
            full_words += 1;
        }
        if i > 0 {
            out.push(' ');
        }
        if all_upper && kind == NameWord::Full {
            out.push_str(&title_case(w));
        } else {
            out.push_str(w);
        }
    }
    // The last word is never the first (a name has two words or more), so its kind stands.
    (full_words >= 1 && kinds[count - 1] == NameWord::Full).then_some(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameWord {
    Full,
    Initial,
    Particle,
}

fn name_word(w: &str, first: bool) -> Option<NameWord> {
    if !first && w.len() <= 5 && PARTICLES.iter().any(|p| p.eq_ignore_ascii_case(w)) {
        return Some(NameWord::Particle);
    }
    let c0 = w.chars().next()?;
    if !c0.is_uppercase() {
        return None;
    }
    if w.len() > 40 {
        return None;
    }
    let (mut buf, mut owned) = ([0u8; 40], String::new());
    let lower = lowercase(w, &mut buf, &mut owned);
    if !w
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    {
        return None;
    }
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 || (letters == 2 && w.ends_with('.') && w.chars().nth(1) == Some('.')) {
        return Some(NameWord::Initial);
    }
    if w.ends_with('.') && letters <= 3 {
        // "Jr.", "St." and other abbreviations: part of a name, not enough on their own.
        return Some(NameWord::Initial);
    }
    let bare = lower.trim_end_matches('.');
    if lexicon::kind_of(bare).intersects(NOT_NAME_KINDS) {
        return None;
    }
    Some(NameWord::Full)
}

/// Lexicon kinds never part of a name: function, calendar, role and interface words, and
/// the desk and chrome words ([`Kind::NOT_NAME`]).
const NOT_NAME_KINDS: Kind = Kind::STOP
    .union(Kind::CALENDAR)
    .union(Kind::ROLE)
    .union(Kind::UI)
    .union(Kind::NOT_NAME);

/// `w` in lower case: ASCII words (nearly all) in the stack buffer, others in `owned`.
fn lowercase<'b>(w: &str, buf: &'b mut [u8; 40], owned: &'b mut String) -> &'b str {
    if w.is_ascii() && w.len() <= buf.len() {
        let b = &mut buf[..w.len()];
        b.copy_from_slice(w.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).unwrap_or("")
    } else {
        *owned = w.to_lowercase();
        owned
    }
}

fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, '-' | '\'' | '’' | '.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Option<Vec<String>> {
        byline(s)
    }

    #[test]
    fn bylines_in_four_languages() {
        assert_eq!(names("By Jane Doe"), Some(vec!["Jane Doe".into()]));
        assert_eq!(
            names("By Jane Doe and John Q. Public"),
            Some(vec!["Jane Doe".into(), "John Q. Public".into()])
        );
        assert_eq!(names("Author: Ann Lee"), Some(vec!["Ann Lee".into()]));
        assert_eq!(
            names("Von Karl Meier und Eva Roth"),
            Some(vec!["Karl Meier".into(), "Eva Roth".into()])
        );
        assert_eq!(names("Par Jean Dupont"), Some(vec!["Jean Dupont".into()]));
        assert_eq!(names("Por María García"), Some(vec!["María García".into()]));
    }

    #[test]
    fn a_byline_word_credits_a_desk_an_agency_or_a_single_name() {
        assert_eq!(names("By Wirepress"), Some(vec!["Wirepress".into()]));
        assert_eq!(
            names("By Staff Reports -"),
            Some(vec!["Staff Reports".into()])
        );
        assert_eq!(
            names("By KXYZ Staff | November 18, 2019 at 2:26 PM"),
            Some(vec!["KXYZ Staff".into()])
        );
        assert_eq!(
            names("by Morgan September 15, 2014"),
            Some(vec!["Morgan".into()])
        );
        assert_eq!(
            names("Author:Example Riding Editorial StaffPublish date:Oct 4, 2018"),
            Some(vec!["Example Riding Editorial Staff".into()])
        );
        assert_eq!(
            names("By Friends of the Harbour"),
            Some(vec!["Friends of the Harbour".into()])
        );
        // Still no one: calendar words, roles alone, buttons, digits, lower-case words.
        assert_eq!(names("By Monday"), None);
        assert_eq!(names("By Staff Writer"), None);
        assert_eq!(names("By Category"), None);
        assert_eq!(names("By 2025"), None);
        assert_eq!(names("By then it was over"), None);
        assert_eq!(names("By The"), None);
    }

    #[test]
    fn a_user_name_is_credited_only_before_a_date() {
        assert_eq!(names("By admin - 2018-09-16"), Some(vec!["admin".into()]));
        assert_eq!(
            names("by jdoe_42 | March 7, 2024"),
            Some(vec!["jdoe_42".into()])
        );
        assert_eq!(names("By admin"), None);
        assert_eq!(names("by then - 2024"), None);
        assert_eq!(names("by hand, the 12 workers"), None);
    }

    #[test]
    fn wire_datelines_credit_their_agency() {
        assert_eq!(
            wire_credit("WASHINGTON (Wirepress) - Scientists on Monday unveiled a map."),
            Some("Wirepress".into())
        );
        assert_eq!(
            wire_credit("VIENNA, Austria (XP) — The house will be a police station."),
            Some("XP".into())
        );
        assert_eq!(
            wire_credit("(Example Wire) — The attorney general is investigating."),
            Some("Example Wire".into())
        );
        // Parentheses in a sentence, or without the dash, credit no one.
        assert_eq!(
            wire_credit("The council (which met on Monday) - as expected - agreed."),
            None
        );
        assert_eq!(wire_credit("WASHINGTON (Wirepress) Scientists said."), None);
        assert_eq!(wire_credit("Prices rose (2.5%) — a record."), None);
    }

    #[test]
    fn a_credit_with_its_place_running_into_the_date() {
        assert_eq!(
            credit_with_place("Wirepress, Washington,"),
            Some("Wirepress".into())
        );
        assert_eq!(
            credit_with_place("Jane Doe, New Delhi,"),
            Some("Jane Doe".into())
        );
        assert_eq!(credit_with_place("Wirepress, Washington"), None);
        assert_eq!(credit_with_place("Apples, pears, and more,"), None);
    }

    #[test]
    fn a_name_with_its_outlet() {
        assert_eq!(
            name_with_outlet("Jane Doe, Example Daily"),
            Some("Jane Doe".into())
        );
        assert_eq!(name_with_outlet("Jane Doe, who spoke on Monday"), None);
        assert_eq!(name_with_outlet("Council meeting, Town Hall"), None);
    }

    #[test]
    fn upper_case_bylines_are_title_cased() {
        assert_eq!(names("BY JANE DOE"), Some(vec!["Jane Doe".into()]));
    }

    #[test]
    fn byline_stops_at_outlet_and_date() {
        assert_eq!(
            names("By Jane Doe, Example Daily | March 7, 2024"),
            Some(vec!["Jane Doe".into()])
        );
        assert_eq!(
            names("By Jane Doe, Staff Writer"),
            Some(vec!["Jane Doe".into()])
        );
    }

    #[test]
    fn a_sentence_starting_with_by_is_not_a_byline() {
        assert_eq!(
            names("By Thursday afternoon, the river had risen two metres."),
            None
        );
        assert_eq!(
            names("By the time the polls closed, turnout was high."),
            None
        );
        assert_eq!(names("By Monday Evening"), None);
        assert_eq!(names("By Staff Reporter"), None);
    }

    #[test]
    fn byline_with_a_glued_handle_or_a_capitalized_on() {
        assert_eq!(
            names("By Jane Doe@janedoe Nov 18, 2019, 11:47am EST"),
            Some(vec!["Jane Doe".into()])
        );
        assert_eq!(
            names("By Jane Doe On 11/13/19 at 4:00 PM EST"),
            Some(vec!["Jane Doe".into()])
        );
        assert_eq!(
            names("By Jane Doe jdoe@example.org"),
            Some(vec!["Jane Doe".into()])
        );
    }

    #[test]
    fn name_followed_by_a_role_or_a_button() {
        assert_eq!(
            name_with_role("Jane Q. Doe Senior Contributor"),
            Some("Jane Q. Doe".into())
        );
        assert_eq!(
            name_with_role("Jane DawsonView More Articles"),
            Some("Jane Dawson".into())
        );
        // A section label followed by a label word is no name.
        assert_eq!(name_with_role("Home Music Music News"), None);
        assert_eq!(name_with_role("Jane Doe"), None);
    }

    #[test]
    fn navigation_labels_and_credits_are_not_names() {
        assert_eq!(name_line("Previous Post"), None);
        assert_eq!(name_line("Order Reprints"), None);
        assert_eq!(name_line("Getty Images"), None);
        assert_eq!(name_line("CAR REVIEWS"), None);
    }

    #[test]
    fn copyright_lines_name_the_publisher() {
        let holder = |s: &str| copyright_holder(s);
        assert_eq!(
            holder("© 2019 Example Times. All rights reserved."),
            Some("Example Times".into())
        );
        assert_eq!(
            holder("Copyright © 2005-2019 Example Media, LLC. All Rights Reserved."),
            Some("Example Media".into())
        );
        assert_eq!(
            holder("© Example Weekly Pty Ltd. All rights reserved."),
            Some("Example Weekly".into())
        );
        assert_eq!(
            holder("Copyright © 2019, Example Herald | Terms of Service | Privacy Policy"),
            Some("Example Herald".into())
        );
        assert_eq!(holder("© Example Post 2019"), Some("Example Post".into()));
        // Photo credits and bare statements name no publisher.
        assert_eq!(holder("Image copyright Jo Roe"), None);
        assert_eq!(holder("Rain over the harbour. Photo: © Jo Roe"), None);
        assert_eq!(holder("© 2019 All rights reserved."), None);
        assert_eq!(holder("© Jo Roe"), None, "no year, no notice: a credit");
        assert_eq!(holder("Sports data © Example Stats 2018"), None);
        assert_eq!(
            holder("Copyright © 2002-2019 - Designed by Example Digital"),
            None
        );
        assert_eq!(
            holder("© 2019 Example Network.Example Holdings, Inc.All Rights Reserved."),
            Some("Example Network".into())
        );
        assert_eq!(
            holder("© 2019 The Example unless otherwise noted. All rights reserved."),
            None
        );
    }

    #[test]
    fn name_lines() {
        assert_eq!(
            name_line("Jane van der Berg"),
            Some("Jane van der Berg".into())
        );
        assert_eq!(name_line("Most Popular"), None);
        assert_eq!(name_line("Share this"), None);
        assert_eq!(name_line("Jane"), None);
    }

    #[test]
    fn bios_name_person_and_publisher() {
        assert_eq!(
            bio(
                "Jane Doe has worked as a staff writer at The Daily Example since 2019.",
                true
            ),
            Some(Bio {
                name: "Jane Doe".into(),
                publisher: Some("The Daily Example".into())
            })
        );
        assert_eq!(
            bio(
                "Jane Doe worked at Example Weekly from 2020 to 2022 as an editor.",
                true
            ),
            Some(Bio {
                name: "Jane Doe".into(),
                publisher: Some("Example Weekly".into())
            })
        );
        assert_eq!(
            bio(
                "John Roe is the news editor of, follow him on social media.",
                true
            ),
            Some(Bio {
                name: "John Roe".into(),
                publisher: None
            })
        );
        assert_eq!(
            bio(
                "Jane Doe (@janedoe) is a contributor at Example Weekly and hosts a podcast.",
                true
            ),
            Some(Bio {
                name: "Jane Doe".into(),
                publisher: Some("Example Weekly".into())
            })
        );
        // No role: a sentence about someone, not a bio.
        assert_eq!(
            bio("Jane Doe is the president of Example Corp.", false),
            None
        );
    }
}
