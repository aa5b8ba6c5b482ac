//! Quality: the real `docnorm` binary over every body-extraction corpus of `shared/bench/`,
//! scored.
//!
//! Each corpus folder holds `ground-truth.json`, the pages in `html/<id>.html.gz` and their
//! plain-text copies in `text/<id>.txt` or `text/<id>.txt.gz`; `meta-truth.json` where the
//! pages' metadata is known (article-extraction). The HTML pages and the text copies are each
//! run through `docnorm process --output DIR`; records are mapped back to pages by
//! `source.name`, and a page without a record (it failed) counts as empty output. Bodies are
//! scored with [`crate::score`], metadata with [`crate::meta`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::meta::{self, Field, MetaTruth};
use crate::score::{self, DocScore, Summary};

/// One corpus: its pages and their truth.
pub struct Dataset {
    /// The corpus's name: its folder's name.
    pub name: String,
    /// The dataset folder.
    pub dir: PathBuf,
    /// Page ids, sorted.
    pub ids: Vec<String>,
    /// The reference body of each page.
    pub bodies: HashMap<String, String>,
    /// What each page's `<head>` declares (empty for corpora without `meta-truth.json`).
    pub meta: HashMap<String, MetaTruth>,
    /// Whether the corpus has `meta-truth.json`.
    pub has_meta: bool,
    /// How the text copies' names end: `txt` or `txt.gz`.
    text_ext: &'static str,
}

#[derive(Deserialize)]
struct GroundTruth {
    #[serde(rename = "articleBody", default)]
    article_body: String,
}

impl Dataset {
    /// Loads `ground-truth.json` and, when there is one, `meta-truth.json` from `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let truth: HashMap<String, GroundTruth> = read_json(&dir.join("ground-truth.json"))?;
        let meta_path = dir.join("meta-truth.json");
        let has_meta = meta_path.exists();
        let meta: HashMap<String, MetaTruth> = if has_meta {
            read_json(&meta_path)?
        } else {
            HashMap::new()
        };
        let mut ids: Vec<String> = truth.keys().cloned().collect();
        ids.sort();
        let text_ext = match ids.first() {
            Some(id) if !dir.join("text").join(format!("{id}.txt")).exists() => "txt.gz",
            _ => "txt",
        };
        let bodies = truth
            .into_iter()
            .map(|(id, t)| (id, t.article_body))
            .collect();
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Self {
            name,
            dir: dir.to_owned(),
            ids,
            bodies,
            meta,
            has_meta,
            text_ext,
        })
    }

    /// The input file of page `id` in the given copy.
    pub fn input(&self, copy: Copy, id: &str) -> PathBuf {
        match copy {
            Copy::Html => self.dir.join("html").join(format!("{id}.html.gz")),
            Copy::Text => self
                .dir
                .join("text")
                .join(format!("{id}.{}", self.text_ext)),
        }
    }

    /// The plain-text copy of page `id`, unzipped when it is gzipped.
    pub fn text(&self, id: &str) -> anyhow::Result<String> {
        let path = self.input(Copy::Text, id);
        let mut bytes = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
        if self.text_ext.ends_with(".gz") {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
                .with_context(|| format!("{}: bad gzip", path.display()))?;
            bytes = plain;
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The corpora under `bench_dir` (every folder with a `ground-truth.json`), sorted by name,
/// or only those named in `only`; a name in `only` that is not a corpus is an error.
pub fn corpora(bench_dir: &Path, only: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(bench_dir)
        .with_context(|| format!("{}: cannot list", bench_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("ground-truth.json").is_file())
        .collect();
    dirs.sort();
    if only.is_empty() {
        return Ok(dirs);
    }
    let name = |p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned());
    for wanted in only {
        if !dirs.iter().any(|d| name(d).as_deref() == Some(wanted)) {
            let known: Vec<String> = dirs.iter().filter_map(name).collect();
            bail!(
                "no corpus `{wanted}` in {} (there are: {})",
                bench_dir.display(),
                known.join(", ")
            );
        }
    }
    dirs.retain(|d| name(d).is_some_and(|n| only.contains(&n)));
    Ok(dirs)
}

/// Everything measured on one corpus.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusReport {
    /// The corpus's name.
    pub name: String,
    /// Pages in it.
    pub pages: usize,
    /// docnorm on each copy of the pages.
    pub copies: Vec<CopyReport>,
    /// The text copy taken whole, scored the same way.
    pub baseline: Option<BodyReport>,
}

/// Which copy of the pages is fed to docnorm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Copy {
    /// The saved HTML pages.
    Html,
    /// Their plain-text copies.
    Text,
}

impl Copy {
    /// How the copy is named in reports.
    pub fn label(self) -> &'static str {
        match self {
            Copy::Html => "html",
            Copy::Text => "text copy",
        }
    }
}

/// Body scores of one run over the pages.
#[derive(Debug, Clone, Serialize)]
pub struct BodyReport {
    /// What was scored.
    pub label: String,
    /// Averages and their bootstrap deviations.
    pub summary: Summary,
    /// Pages with no record.
    pub failed: usize,
    /// The lowest-scoring pages, worst first.
    pub worst: Vec<PageScore>,
}

/// One page's body score.
#[derive(Debug, Clone, Serialize)]
pub struct PageScore {
    /// Page id.
    pub id: String,
    /// The page's own F1.
    pub f1: f64,
    /// Its precision (absent for empty output).
    pub precision: Option<f64>,
    /// Its recall.
    pub recall: Option<f64>,
}

/// Metadata scores of one field over the pages that count for it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldReport {
    /// The field.
    pub field: Field,
    /// Pages with a truth value (and, for text copies, where the value occurs in the copy).
    pub pages: usize,
    /// Of those, pages where the record has a value.
    pub covered: usize,
    /// Of those, pages where the value is right.
    pub correct: usize,
    /// `correct / pages`.
    pub accuracy: f64,
    /// `covered / pages`.
    pub coverage: f64,
    /// Some pages the field is wrong or missing on.
    pub worst: Vec<MetaMiss>,
}

/// A page where a metadata field is wrong or missing.
#[derive(Debug, Clone, Serialize)]
pub struct MetaMiss {
    /// Page id.
    pub id: String,
    /// What the page declares.
    pub truth: String,
    /// What the record says.
    pub predicted: Option<String>,
}

/// Everything measured on one copy of the pages.
#[derive(Debug, Clone, Serialize)]
pub struct CopyReport {
    /// Which copy.
    pub copy: Copy,
    /// Body scores.
    pub body: BodyReport,
    /// Metadata scores, one per field (none for corpora without metadata truth).
    pub meta: Vec<FieldReport>,
}

/// Runs `docnorm` over one copy of every page and scores the records.
pub fn measure(
    docnorm: &Path,
    data: &Dataset,
    copy: Copy,
    worst: usize,
) -> anyhow::Result<CopyReport> {
    let inputs: Vec<PathBuf> = data.ids.iter().map(|id| data.input(copy, id)).collect();
    let records = run_process(docnorm, &inputs)?;
    let record_of = |id: &str| -> Option<&Value> {
        let path = data.input(copy, id);
        let name = path.file_name()?.to_str()?;
        records.get(name)
    };
    let mut scores = Vec::new();
    let mut failed = 0;
    for id in &data.ids {
        let record = record_of(id);
        failed += usize::from(record.is_none());
        let body = record.and_then(|r| r["body"].as_str()).unwrap_or_default();
        scores.push((id.clone(), score::score_doc(body, &data.bodies[id])));
    }
    let label = format!("docnorm, {}", copy.label());
    let body = body_report(label, &scores, failed, worst);
    let mut meta_reports = Vec::new();
    if data.has_meta {
        let texts = match copy {
            Copy::Text => Some(folded_texts(data)?),
            Copy::Html => None,
        };
        for field in Field::ALL {
            meta_reports.push(field_report(data, field, &record_of, texts.as_ref(), worst));
        }
    }
    Ok(CopyReport {
        copy,
        body,
        meta: meta_reports,
    })
}

/// The benchmark's trivial baseline: every plain-text copy taken whole as the body.
pub fn text_baseline(data: &Dataset, worst: usize) -> anyhow::Result<BodyReport> {
    let mut scores = Vec::new();
    for id in &data.ids {
        scores.push((
            id.clone(),
            score::score_doc(&data.text(id)?, &data.bodies[id]),
        ));
    }
    Ok(body_report(
        "text copy unchanged (baseline)".to_owned(),
        &scores,
        0,
        worst,
    ))
}

/// Runs `docnorm process --output DIR` over `inputs` and returns the records by
/// `source.name`. Failing documents are simply absent.
pub fn run_process(docnorm: &Path, inputs: &[PathBuf]) -> anyhow::Result<HashMap<String, Value>> {
    let out = tempfile::tempdir().context("cannot create a temporary folder")?;
    let output = std::process::Command::new(docnorm)
        .arg("process")
        .arg("--output")
        .arg(out.path())
        .args(inputs)
        .output()
        .with_context(|| format!("cannot run {}", docnorm.display()))?;
    // Exit 1 means some documents failed, which the scores account for.
    if !matches!(output.status.code(), Some(0 | 1)) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        bail!(
            "docnorm process exited with {}: {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        );
    }
    read_records(out.path())
}

/// Reads every `*.json` record in `dir`, keyed by `source.name`.
pub fn read_records(dir: &Path) -> anyhow::Result<HashMap<String, Value>> {
    let mut records = HashMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let record: Value = read_json(&path)?;
        if let Some(name) = record["source"]["name"].as_str() {
            records.insert(name.to_owned(), record);
        }
    }
    Ok(records)
}

fn body_report(
    label: String,
    scores: &[(String, DocScore)],
    failed: usize,
    worst: usize,
) -> BodyReport {
    let docs: Vec<DocScore> = scores.iter().map(|(_, s)| *s).collect();
    let mut pages: Vec<PageScore> = scores
        .iter()
        .map(|(id, s)| PageScore {
            id: id.clone(),
            f1: s.f1(),
            precision: s.precision,
            recall: s.recall,
        })
        .collect();
    pages.sort_by(|a, b| a.f1.total_cmp(&b.f1).then_with(|| a.id.cmp(&b.id)));
    pages.truncate(worst);
    BodyReport {
        label,
        summary: score::summarize(&docs),
        failed,
        worst: pages,
    }
}

fn field_report<'a>(
    data: &Dataset,
    field: Field,
    record_of: &dyn Fn(&str) -> Option<&'a Value>,
    texts: Option<&HashMap<String, String>>,
    worst: usize,
) -> FieldReport {
    let (mut pages, mut covered, mut correct) = (0, 0, 0);
    let mut misses = Vec::new();
    let empty = Value::Null;
    for id in &data.ids {
        let Some(truth) = data.meta.get(id) else {
            continue;
        };
        let Some(truth_value) = meta::truth_value(truth, field) else {
            continue;
        };
        if texts.is_some_and(|texts| !meta::occurs_in(truth, field, &texts[id])) {
            continue;
        }
        pages += 1;
        let record = record_of(id).unwrap_or(&empty);
        let predicted = meta::predicted_value(record, field);
        covered += usize::from(predicted.is_some());
        if meta::is_correct(record, truth, field) {
            correct += 1;
        } else if misses.len() < worst {
            misses.push(MetaMiss {
                id: id.clone(),
                truth: truth_value,
                predicted,
            });
        }
    }
    FieldReport {
        field,
        pages,
        covered,
        correct,
        accuracy: share(correct, pages),
        coverage: share(covered, pages),
        worst: misses,
    }
}

fn folded_texts(data: &Dataset) -> anyhow::Result<HashMap<String, String>> {
    data.ids
        .iter()
        .map(|id| Ok((id.clone(), meta::fold(&data.text(id)?))))
        .collect()
}

/// `part / whole`, 0 when `whole` is 0.
pub fn share(part: usize, whole: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Reads and parses a JSON file, naming it in errors.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: invalid JSON", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench")
    }

    /// The benchmark folder beside the checkout.
    fn dataset() -> Dataset {
        Dataset::load(&bench_dir().join("article-extraction"))
            .expect("the article-extraction benchmark beside the checkout")
    }

    #[test]
    fn every_corpus_is_found_and_a_filter_keeps_the_named_ones() {
        let all = corpora(&bench_dir(), &[]).unwrap();
        assert!(all.len() >= 3, "{all:?}");
        let one = corpora(&bench_dir(), &["dragnet".to_owned()]).unwrap();
        assert_eq!(one.len(), 1);
        assert!(one[0].ends_with("dragnet"));
        let err = corpora(&bench_dir(), &["nope".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("no corpus `nope`"), "{err}");
    }

    /// Gzipped text copies are read unzipped.
    #[test]
    fn gzipped_text_copies_are_read() {
        let data = Dataset::load(&bench_dir().join("dragnet")).unwrap();
        assert!(!data.has_meta);
        let text = data.text(&data.ids[0]).unwrap();
        assert!(!text.starts_with('\u{1f}') && text.len() > 100);
    }

    /// Acceptance: the scorer reproduces the dataset's published figure for the trivial
    /// baseline (the plain-text copy taken whole scores F1 0.683).
    #[test]
    fn text_copy_baseline_reproduces_the_published_f1() {
        let data = dataset();
        let report = text_baseline(&data, 3).unwrap();
        assert_eq!(report.summary.documents, 181);
        let f1 = report.summary.f1;
        assert!(
            (f1 - 0.683).abs() <= 0.01,
            "baseline F1 {f1:.4}, published 0.683"
        );
        assert_eq!(report.worst.len(), 3);
        assert!(report.worst[0].f1 <= report.worst[2].f1);
    }
}
