//! What the analysis of one page copy gives: the record fields and the fate of every line.

use crate::fate::{Fate, LineFate};
use crate::lines;
use crate::related::Teaser;

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
    pub(crate) text: &'a str,
    /// The fate of each line, in document order (see [`Analysis::lines`]).
    pub(crate) fates: Vec<Fate>,
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
    /// An analysis of `text` that has found nothing yet.
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            ..Self::default()
        }
    }

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

/// Adds the authors of `names` that are not listed yet (whatever their case).
pub(crate) fn add_authors(out: &mut Analysis<'_>, names: Vec<String>) {
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
