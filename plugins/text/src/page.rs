//! The page being analysed, shared by every step: its measured lines, how each looks on its
//! own ([`Class`]), and the fate each step has claimed for it so far. Steps take the one
//! [`Page`] rather than parallel slices of lines, classes and fates.

use crate::fate::{Fate, Reason};
use crate::lines::Line;

/// One page copy while it is analysed; the three vectors run in parallel, one entry a line.
#[derive(Debug, Default)]
pub(crate) struct Page<'a> {
    /// Every line of the document with its measurements, in order.
    pub lines: Vec<Line<'a>>,
    /// How each line looks before its neighbours are considered.
    pub classes: Vec<Class>,
    /// The fate a step has claimed for the line; `None` until one does.
    pub fates: Vec<Option<Fate>>,
}

impl<'a> Page<'a> {
    /// A page of `lines` classed as `classes`, with no fate decided yet.
    pub fn new(lines: Vec<Line<'a>>, classes: Vec<Class>) -> Self {
        let fates = vec![None; lines.len()];
        Self {
            lines,
            classes,
            fates,
        }
    }

    /// The nearest line above or below line `i` that is not blank.
    pub fn neighbour_index(&self, i: usize, dir: Dir) -> Option<usize> {
        neighbour_index(&self.classes, i, dir)
    }
}

/// How a line looks before its neighbours are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Nothing but whitespace.
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

/// Which way to look from a line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dir {
    /// Towards the top of the page.
    Up,
    /// Towards its end.
    Down,
}

/// The class of the nearest line above or below line `i` that is not blank.
pub(crate) fn neighbour(classes: &[Class], i: usize, dir: Dir) -> Option<Class> {
    neighbour_index(classes, i, dir).map(|j| classes[j])
}

/// The nearest line above or below line `i` that is not blank, by its class.
pub(crate) fn neighbour_index(classes: &[Class], i: usize, dir: Dir) -> Option<usize> {
    match dir {
        Dir::Up => (0..i).rev().find(|&j| classes[j] != Class::Blank),
        Dir::Down => (i + 1..classes.len()).find(|&j| classes[j] != Class::Blank),
    }
}

/// The nearest non-blank line above or below line `i`.
pub(crate) fn nonblank_neighbour(lines: &[Line<'_>], i: usize, dir: Dir) -> Option<usize> {
    match dir {
        Dir::Up => (0..i).rev().find(|&j| !lines[j].blank()),
        Dir::Down => (i + 1..lines.len()).find(|&j| !lines[j].blank()),
    }
}

/// The nearest non-blank lines above and below line `i`.
pub(crate) fn nonblank_neighbours<'a>(
    lines: &'a [Line<'_>],
    i: usize,
) -> impl Iterator<Item = usize> + 'a {
    [Dir::Up, Dir::Down]
        .into_iter()
        .filter_map(move |d| nonblank_neighbour(lines, i, d))
}
