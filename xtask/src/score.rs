//! The body metric of the article-extraction benchmark, as its README defines it.
//!
//! Both texts are cut into word tokens (runs of Unicode letters and digits, case kept) and
//! into the multiset of their 4-token shingles. Per document, precision is shared shingles
//! over predicted shingles and recall is shared shingles over reference shingles. Precision
//! and recall are averaged over documents (an empty output has no precision and is left out
//! of that average; it scores recall 0) and F1 is computed from the two averages. Accuracy
//! is the share of documents whose token sequence equals the reference's. Standard
//! deviations come from bootstrap resampling of the documents.

use std::collections::HashMap;

use crate::rng::Rng;

/// Shingle length in tokens.
pub const SHINGLE: usize = 4;

/// Bootstrap resamples used for the standard deviations.
pub const BOOTSTRAP_SAMPLES: usize = 1000;

/// The word tokens of `text`: maximal runs of alphanumeric characters.
pub fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The multiset of shingles of a token sequence.
///
/// A text shorter than one shingle still has one: all its tokens (as the benchmark's
/// reference implementation does); an empty text has none.
pub fn shingles<'a>(tokens: &'a [&'a str]) -> HashMap<&'a [&'a str], usize> {
    let mut out: HashMap<&'a [&'a str], usize> = HashMap::new();
    if tokens.is_empty() {
        return out;
    }
    if tokens.len() < SHINGLE {
        out.insert(tokens, 1);
        return out;
    }
    for window in tokens.windows(SHINGLE) {
        *out.entry(window).or_default() += 1;
    }
    out
}

/// How one predicted text compares with its reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocScore {
    /// Shared over predicted shingles; `None` when the prediction has no shingles.
    pub precision: Option<f64>,
    /// Shared over reference shingles; `None` when the reference has no shingles.
    pub recall: Option<f64>,
    /// Whether the token sequences are equal.
    pub exact: bool,
}

impl DocScore {
    /// The document's own F1 (0 for an empty output), used to rank the worst pages.
    pub fn f1(&self) -> f64 {
        f1(self.precision.unwrap_or(0.0), self.recall.unwrap_or(0.0))
    }
}

/// Scores one predicted body against its reference.
pub fn score_doc(predicted: &str, reference: &str) -> DocScore {
    let predicted = tokens(predicted);
    let reference = tokens(reference);
    let pred = shingles(&predicted);
    let truth = shingles(&reference);
    let pred_total: usize = pred.values().sum();
    let truth_total: usize = truth.values().sum();
    let shared: usize = pred
        .iter()
        .map(|(shingle, &n)| n.min(truth.get(shingle).copied().unwrap_or(0)))
        .sum();
    DocScore {
        precision: ratio(shared, pred_total),
        recall: ratio(shared, truth_total),
        exact: predicted == reference,
    }
}

/// Macro-averaged scores over a set of documents.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Documents scored.
    pub documents: usize,
    /// Mean precision over documents with output.
    pub precision: f64,
    /// Mean recall over all documents.
    pub recall: f64,
    /// F1 of the mean precision and the mean recall.
    pub f1: f64,
    /// Share of documents whose tokens equal the reference's.
    pub accuracy: f64,
    /// Bootstrap standard deviation of `precision`.
    pub precision_std: f64,
    /// Bootstrap standard deviation of `recall`.
    pub recall_std: f64,
    /// Bootstrap standard deviation of `f1`.
    pub f1_std: f64,
    /// Bootstrap standard deviation of `accuracy`.
    pub accuracy_std: f64,
}

/// Averages per-document scores and bootstraps their standard deviations.
pub fn summarize(docs: &[DocScore]) -> Summary {
    let point = averages(docs.iter());
    let mut rng = Rng::new(0x5eed_b007);
    let mut samples = Vec::with_capacity(BOOTSTRAP_SAMPLES);
    if !docs.is_empty() {
        for _ in 0..BOOTSTRAP_SAMPLES {
            let resample = (0..docs.len()).map(|_| &docs[rng.below(docs.len())]);
            samples.push(averages(resample));
        }
    }
    let std = |pick: fn(&Averages) -> f64| std_dev(samples.iter().map(pick));
    Summary {
        documents: docs.len(),
        precision: point.precision,
        recall: point.recall,
        f1: point.f1,
        accuracy: point.accuracy,
        precision_std: std(|a| a.precision),
        recall_std: std(|a| a.recall),
        f1_std: std(|a| a.f1),
        accuracy_std: std(|a| a.accuracy),
    }
}

/// F1 from a precision and a recall (0 when both are 0).
pub fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

struct Averages {
    precision: f64,
    recall: f64,
    f1: f64,
    accuracy: f64,
}

fn averages<'a>(docs: impl Iterator<Item = &'a DocScore>) -> Averages {
    let (mut p_sum, mut p_n, mut r_sum, mut r_n, mut exact, mut n) = (0.0, 0u32, 0.0, 0u32, 0, 0);
    for doc in docs {
        n += 1;
        if let Some(p) = doc.precision {
            p_sum += p;
            p_n += 1;
        }
        if let Some(r) = doc.recall {
            r_sum += r;
            r_n += 1;
        }
        exact += u32::from(doc.exact);
    }
    let mean = |sum: f64, count: u32| {
        if count == 0 {
            0.0
        } else {
            sum / f64::from(count)
        }
    };
    let precision = mean(p_sum, p_n);
    let recall = mean(r_sum, r_n);
    Averages {
        precision,
        recall,
        f1: f1(precision, recall),
        accuracy: mean(f64::from(exact), n),
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    // Shingle counts of real pages are far below 2^52, so the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Sample standard deviation (n - 1), as `statistics.stdev` computes it.
fn std_dev(values: impl Iterator<Item = f64>) -> f64 {
    let values: Vec<f64> = values.collect();
    if values.len() < 2 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    var.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn tokens_are_runs_of_letters_and_digits_with_case_kept() {
        assert_eq!(
            tokens("Hello, wörld! It's 2019—ok_go  Ünïcode."),
            ["Hello", "wörld", "It", "s", "2019", "ok", "go", "Ünïcode"]
        );
    }

    #[test]
    fn identical_texts_score_one_and_count_as_exact() {
        let s = score_doc(
            "one two three four five",
            "One? no: one two three four five",
        );
        assert!(!s.exact);
        let s = score_doc("a b c d e", "a, b. c; d e!");
        assert_eq!(s.precision, Some(1.0));
        assert_eq!(s.recall, Some(1.0));
        assert!(s.exact);
    }

    #[test]
    fn prediction_with_extra_text_loses_precision_only() {
        // Reference: a b c d e f -> 3 shingles. Prediction adds x y in front:
        // x y a b c d e f -> 5 shingles, of which abcd, bcde, cdef are shared.
        let s = score_doc("x y a b c d e f", "a b c d e f");
        assert_eq!(s.precision, Some(3.0 / 5.0));
        assert_eq!(s.recall, Some(1.0));
        assert!(close(s.f1(), 2.0 * 0.6 / 1.6));
    }

    #[test]
    fn repeated_shingles_count_as_a_multiset() {
        // Prediction holds the reference twice: a b c d a b c d -> abcd x2, bcda, cdab, dabc.
        // The reference a b c d has abcd once, so only one of the two copies is shared.
        let s = score_doc("a b c d a b c d", "a b c d");
        assert_eq!(s.precision, Some(1.0 / 5.0));
        assert_eq!(s.recall, Some(1.0));
    }

    #[test]
    fn short_texts_form_one_shingle_of_all_their_tokens() {
        let s = score_doc("a b", "a b");
        assert_eq!(s.precision, Some(1.0));
        let s = score_doc("a b", "a b c");
        assert_eq!(s.precision, Some(0.0));
        assert_eq!(s.recall, Some(0.0));
    }

    #[test]
    fn empty_output_has_no_precision_and_zero_recall() {
        let s = score_doc(" ,. ", "a b c d");
        assert_eq!(s.precision, None);
        assert_eq!(s.recall, Some(0.0));
        assert!(close(s.f1(), 0.0));
    }

    #[test]
    fn averages_leave_empty_outputs_out_of_precision() {
        let docs = [
            // Perfect page.
            score_doc("a b c d e", "a b c d e"),
            // Half the prediction is wrong: p = 1/2 (2 of 4 shingles), r = 1.
            score_doc("a b c d e x y", "a b c d e"),
            // Empty output: no precision, recall 0.
            score_doc("", "a b c d e"),
        ];
        let s = summarize(&docs);
        assert_eq!(s.documents, 3);
        assert!(close(s.precision, 0.75));
        assert!(close(s.recall, (1.0 + 1.0 + 0.0) / 3.0));
        assert!(close(s.f1, 2.0 * 0.75 * (2.0 / 3.0) / (0.75 + 2.0 / 3.0)));
        assert!(close(s.accuracy, 1.0 / 3.0));
        assert!(s.f1_std > 0.0);
    }

    #[test]
    fn bootstrap_is_deterministic() {
        let docs = [
            score_doc("a b c d e", "a b c d e"),
            score_doc("x", "a b c d"),
        ];
        assert_eq!(summarize(&docs), summarize(&docs));
    }
}
