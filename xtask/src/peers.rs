//! Other extractors' body F1 on the same corpora, kept in `xtask/peers.csv` so each row of
//! the quality table can show the figure to beat beside docnorm's.

use crate::quality::Copy;

/// One published figure: an extractor's body F1 on one copy of one corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    /// The corpus (its folder under `shared/bench`).
    pub corpus: String,
    /// The copy the extractor was given.
    pub copy: Copy,
    /// The extractor and its version.
    pub extractor: String,
    /// Its body F1.
    pub f1: f64,
}

/// The figures of `xtask/peers.csv`.
pub fn all() -> Vec<Peer> {
    parse(include_str!("../peers.csv"))
}

/// The best figure on `copy` of `corpus`, if any peer was measured there.
pub fn best<'a>(peers: &'a [Peer], corpus: &str, copy: Copy) -> Option<&'a Peer> {
    peers
        .iter()
        .filter(|p| p.corpus == corpus && p.copy == copy)
        .max_by(|a, b| a.f1.total_cmp(&b.f1))
}

/// Parses `corpus,input,extractor,f1` lines; `#` lines are comments. A malformed line is a
/// mistake in the file, checked by a test, and skipped here.
fn parse(text: &str) -> Vec<Peer> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut cells = line.split(',');
            let corpus = cells.next()?.to_owned();
            let copy = match cells.next()? {
                "html" => Copy::Html,
                "text" => Copy::Text,
                _ => return None,
            };
            let extractor = cells.next()?.to_owned();
            let f1 = cells.next()?.parse().ok()?;
            cells.next().is_none().then_some(Peer {
                corpus,
                copy,
                extractor,
                f1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_file_parses() {
        let text = include_str!("../peers.csv");
        let lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(all().len(), lines);
    }

    #[test]
    fn the_best_peer_is_the_highest_figure_of_its_corpus_and_copy() {
        let peers = all();
        let best = best(&peers, "dragnet", Copy::Html).unwrap();
        assert!(best.extractor.starts_with("readability"));
        assert!((best.f1 - 0.918).abs() < 1e-9);
        assert!(super::best(&peers, "nowhere", Copy::Html).is_none());
    }
}
