//! The files the end-to-end run feeds the binary: made from the seeds and the
//! article-extraction pages (plain-text copies, HTML pages, reference bodies wrapped in YAML
//! front matter), each with a few words of its paragraphs replaced at random (seeded, so every
//! run makes the same files) so no two files, and no two records, are the same.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::quality::read_json;
use crate::rng::Rng;

/// Raw material for generated files.
pub struct Sources {
    /// Seed documents and plain-text copies: `(extension, text)`.
    texts: Vec<String>,
    /// Decompressed HTML pages.
    pages: Vec<String>,
    /// Front-matter documents made from reference bodies and declared metadata.
    frontmatter: Vec<String>,
    /// Words to swap in.
    vocabulary: Vec<String>,
}

impl Sources {
    pub fn load(data: &Path) -> anyhow::Result<Self> {
        let mut texts = Vec::new();
        let seeds = crate::seeds::seed_files(&crate::workspace::shared().join("seeds"))?;
        for path in seeds.iter().chain(&sorted(&data.join("text"), ".txt")?) {
            texts.push(read_text(path)?);
        }
        let mut pages = Vec::new();
        for path in sorted(&data.join("html"), ".html.gz")? {
            let raw = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
            let mut html = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut html)
                .with_context(|| format!("{}: bad gzip", path.display()))?;
            pages.push(String::from_utf8_lossy(&html).into_owned());
        }
        let bodies: HashMap<String, serde_json::Value> =
            read_json(&data.join("ground-truth.json"))?;
        let meta: HashMap<String, serde_json::Value> = read_json(&data.join("meta-truth.json"))?;
        let mut ids: Vec<&String> = bodies.keys().collect();
        ids.sort();
        let mut frontmatter = Vec::new();
        let mut vocabulary = HashSet::new();
        for id in ids {
            let body = bodies[id]["articleBody"].as_str().unwrap_or_default();
            vocabulary.extend(
                crate::score::tokens(body)
                    .into_iter()
                    .filter(|w| w.len() > 3)
                    .map(str::to_owned),
            );
            frontmatter.push(front_matter(meta.get(id), body));
        }
        let mut vocabulary: Vec<String> = vocabulary.into_iter().collect();
        vocabulary.sort();
        if vocabulary.is_empty() || texts.is_empty() || pages.is_empty() {
            bail!(
                "{}: no benchmark documents to build files from",
                data.display()
            );
        }
        Ok(Self {
            texts,
            pages,
            frontmatter,
            vocabulary,
        })
    }
}

fn front_matter(meta: Option<&serde_json::Value>, body: &str) -> String {
    let mut doc = String::from("---\n");
    if let Some(meta) = meta {
        for (key, field) in [
            ("title", "title"),
            ("author", "authors"),
            ("date", "published"),
            ("publisher", "publisher"),
            ("url", "url"),
        ] {
            if let Some(value) = meta.get(field) {
                doc.push_str(key);
                doc.push_str(": ");
                doc.push_str(&value.to_string());
                doc.push('\n');
            }
        }
    }
    doc.push_str("tags: [news]\n---\n\n");
    doc.push_str(body);
    doc.push('\n');
    doc
}

/// Writes `count` distinct files into `dir` and returns their names, in drop order.
pub fn generate(sources: &Sources, dir: &Path, count: usize) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng::new(0xd0c_2024);
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(count);
    for i in 0..count {
        let mut attempts = 0;
        let (ext, text) = loop {
            attempts += 1;
            if attempts > 1_000 {
                bail!("cannot make a new distinct file after 1000 attempts");
            }
            // Half plain-text copies, a quarter HTML pages, a quarter front matter.
            let (ext, text) = match rng.below(4) {
                0 | 1 => (
                    "txt",
                    perturb_text(pick(&sources.texts, &mut rng), sources, &mut rng),
                ),
                2 => (
                    "html",
                    perturb_html(pick(&sources.pages, &mut rng), sources, &mut rng),
                ),
                _ => (
                    "md",
                    perturb_text(pick(&sources.frontmatter, &mut rng), sources, &mut rng),
                ),
            };
            if seen.insert(fingerprint(&text)) {
                break (ext, text);
            }
        };
        let name = format!("doc-{i:06}.{ext}");
        std::fs::write(dir.join(&name), text)
            .with_context(|| format!("{}: cannot write", dir.join(&name).display()))?;
        names.push(name);
    }
    Ok(names)
}

fn pick<'a>(items: &'a [String], rng: &mut Rng) -> &'a str {
    &items[rng.below(items.len())]
}

/// Words replaced in each of the three longest paragraphs (one in every other paragraph).
const SWAPS: usize = 3;

/// Replaces a word in every paragraph (line) of a text, and a few in its three longest,
/// so that whatever part of it docnorm keeps differs from every other file.
fn perturb_text(text: &str, sources: &Sources, rng: &mut Rng) -> String {
    // Front matter stays as written, so the file keeps parsing; only the body changes.
    let (head, body) = split_front_matter(text);
    let lines: Vec<&str> = body.split('\n').collect();
    let longest = longest_three(&lines.iter().map(|l| l.len()).collect::<Vec<_>>());
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, line)| swap_words(line, swaps(&longest, i), sources, rng))
        .collect::<Vec<_>>()
        .join("\n");
    format!("{head}{lines}")
}

/// A leading `---` front-matter block (with its closing line) and the rest of the text.
fn split_front_matter(text: &str) -> (&str, &str) {
    if !text.starts_with("---\n") {
        return ("", text);
    }
    match text[3..].find("\n---\n") {
        Some(at) => text.split_at(3 + at + 5),
        None => ("", text),
    }
}

/// Like [`perturb_text`], for the text runs between the tags of a page (scripts and styles
/// left alone).
fn perturb_html(html: &str, sources: &Sources, rng: &mut Rng) -> String {
    let runs = text_runs(html);
    let longest = longest_three(&runs.iter().map(|(s, e)| e - s).collect::<Vec<_>>());
    let mut out = String::with_capacity(html.len() + 64);
    let mut last = 0;
    for (i, &(start, end)) in runs.iter().enumerate() {
        out.push_str(&html[last..start]);
        out.push_str(&swap_words(
            &html[start..end],
            swaps(&longest, i),
            sources,
            rng,
        ));
        last = end;
    }
    out.push_str(&html[last..]);
    out
}

/// Byte ranges of the text between tags, except inside `<script>` and `<style>`.
fn text_runs(html: &str) -> Vec<(usize, usize)> {
    let bytes = html.as_bytes();
    let mut runs = Vec::new();
    let mut tag_start = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => tag_start = Some(i),
            b'>' => {
                let Some(open) = tag_start.take() else {
                    continue;
                };
                let tag = html[open + 1..i].to_ascii_lowercase();
                if tag.starts_with("script") || tag.starts_with("style") {
                    continue;
                }
                let end = html[i + 1..].find('<').map_or(html.len(), |e| i + 1 + e);
                if end > i + 1 {
                    runs.push((i + 1, end));
                }
            }
            _ => {}
        }
    }
    runs
}

fn longest_three(lengths: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    order.truncate(3);
    order
}

fn swaps(longest: &[usize], i: usize) -> usize {
    if longest.contains(&i) { SWAPS } else { 1 }
}

/// Replaces `n` words of `text` (kept as is when it has too few) with vocabulary words.
fn swap_words(text: &str, n: usize, sources: &Sources, rng: &mut Rng) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    let candidates: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].len() > 3 && words[i].chars().all(char::is_alphabetic))
        .collect();
    if candidates.len() < SWAPS * 2 {
        return insert_words(text, n, sources, rng);
    }
    for _ in 0..n {
        let i = candidates[rng.below(candidates.len())];
        words[i].clone_from(&sources.vocabulary[rng.below(sources.vocabulary.len())]);
    }
    words.join(" ")
}

/// For text written without spaces (Chinese, Japanese): inserts `n` vocabulary words at
/// random character boundaries of text with enough non-ASCII letters; other text is kept
/// as is.
fn insert_words(text: &str, n: usize, sources: &Sources, rng: &mut Rng) -> String {
    let letters = text
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii())
        .count();
    if letters < 40 {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..n {
        let at = rng.below(chars.len() + 1);
        let word = &sources.vocabulary[rng.below(sources.vocabulary.len())];
        chars.splice(at..at, word.chars());
    }
    chars.into_iter().collect()
}

fn fingerprint(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

fn sorted(dir: &Path, suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    Ok(files)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        Sources {
            texts: vec![
                "Title\n\nThe first paragraph holds quite a number of longer words here.\nEnd"
                    .into(),
            ],
            pages: vec![
                "<html><body><p>Short</p><p class=x>The second paragraph holds quite a \
                 number of longer words here</p><pre>keep</pre></body></html>"
                    .into(),
            ],
            frontmatter: vec![
                "---\ntitle: \"T\"\n---\n\nSome body text with many words in it here.\n".into(),
            ],
            vocabulary: (0..50).map(|i| format!("word{i}")).collect(),
        }
    }

    #[test]
    fn generated_files_are_all_different_and_keep_their_structure() {
        let dir = tempfile::tempdir().unwrap();
        let names = generate(&sources(), dir.path(), 40).unwrap();
        assert_eq!(names.len(), 40);
        let mut contents = HashSet::new();
        for name in &names {
            let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
            if Path::new(name).extension().is_some_and(|e| e == "html") {
                assert!(text.contains("<p>Short</p>") && text.contains("<pre>keep</pre>"));
            }
            assert!(contents.insert(text), "{name} repeats another file");
        }
        let again = tempfile::tempdir().unwrap();
        assert_eq!(generate(&sources(), again.path(), 40).unwrap(), names);
    }

    #[test]
    fn front_matter_is_left_as_written() {
        let doc = "---\ntitle: \"Some long title with many words in it\"\n---\n\nSome body text with many words in it here.\n";
        let out = perturb_text(doc, &sources(), &mut Rng::new(1));
        assert!(out.starts_with("---\ntitle: \"Some long title with many words in it\"\n---\n\n"));
        assert_ne!(out, doc);
    }

    #[test]
    fn html_text_runs_skip_scripts_and_styles() {
        let html = "<div>Hello <b>world</b></div><script>var a = 1;</script><style>p{}</style>";
        let runs: Vec<&str> = text_runs(html).iter().map(|&(s, e)| &html[s..e]).collect();
        assert_eq!(runs, ["Hello ", "world"]);
    }
}
