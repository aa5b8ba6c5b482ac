//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `docnorm` binary under test.
pub fn docnorm() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_docnorm"))
}

/// The shared folder beside the checkout (seeds, benchmark data).
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The seed documents, sorted.
pub fn seeds() -> Vec<PathBuf> {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(shared().join("seeds"))
        .expect("shared/seeds beside the checkout")
        .map(|e| e.expect("readable seeds folder").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    seeds
}

/// A fixture file under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// Runs `docnorm process FILE` on a file that gives one record, and returns that record.
pub fn record_of(file: &Path) -> serde_json::Value {
    let output = docnorm()
        .arg("process")
        .arg(file)
        .output()
        .expect("docnorm runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("records are UTF-8");
    serde_json::from_str(stdout.lines().next().expect("one record")).expect("a JSON record")
}

/// The fenced code blocks of the README's section `## <title>`.
pub fn readme_blocks(title: &str) -> Vec<Block> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .expect("the README beside the workspace");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with(title))
        .unwrap_or_else(|| panic!("README has a `{title}` section"));
    fenced_blocks(section)
}

/// One fenced code block of a Markdown file.
pub struct Block {
    /// The info string after the opening fence, e.g. `rust file=src/lib.rs`.
    pub info: String,
    /// The lines between the fences, each ending in a line break.
    pub text: String,
}

/// The fenced code blocks of a Markdown text (fences at the start of a line), in order.
pub fn fenced_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    text: String::new(),
                });
            }
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}
