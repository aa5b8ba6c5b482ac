//! Follows the guides of `docs/plugins.md` step by step in a temporary folder.
//!
//! The native guide: `cargo new`, the guide's `Cargo.toml` and `src/lib.rs`, `cargo test`,
//! `cargo build --release`, install, the guide's config, `docnorm check` and `docnorm process`
//! on the guide's article, whose `extra` must be what the guide shows. Builds offline, sharing
//! the workspace's target folder.
//!
//! The Python guide (its blocks are marked `guide=python`): its shell steps run as written,
//! `tagger.py` is the example's, the hand-made exchange answers what the guide shows, and
//! `docnorm check` and `docnorm process` print what it shows. Needs `python3`, and says so.
// A failed step should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod plugins_support;
mod util;

use std::path::Path;
use std::process::Command;

use plugins_support::{cargo, chmod, records, target_dir, workspace};
use util::{Block, docnorm, fenced_blocks};

impl Block {
    /// The guide the block belongs to: its `guide=` word, or `None` for the native guide.
    fn guide(&self) -> Option<&str> {
        self.info
            .split_whitespace()
            .find_map(|word| word.strip_prefix("guide="))
    }

    fn has(&self, tag: &str) -> bool {
        self.info.split_whitespace().any(|word| word == tag)
    }
}

/// The native guide's block whose info string holds `tag`.
fn block<'a>(blocks: &'a [Block], tag: &str) -> &'a str {
    guide_block(blocks, None, tag)
}

/// The block of guide `guide` whose info string holds `tag`.
fn guide_block<'a>(blocks: &'a [Block], guide: Option<&str>, tag: &str) -> &'a str {
    let found = blocks.iter().find(|b| b.guide() == guide && b.has(tag));
    &found
        .unwrap_or_else(|| panic!("docs/plugins.md has no `{tag}` block (guide {guide:?})"))
        .text
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn following_the_plugin_guide_produces_a_working_plugin() {
    let root = workspace();
    let guide = std::fs::read_to_string(root.join("docs/plugins.md")).unwrap();
    let blocks = fenced_blocks(&guide);
    let lib_rs = block(&blocks, "file=src/lib.rs");
    let example =
        std::fs::read_to_string(root.join("examples/plugins/keywords/src/lib.rs")).unwrap();
    assert_eq!(
        lib_rs, example,
        "the guide's src/lib.rs is the example plugin"
    );

    // 1. Create the crate, beside a checkout named `docnorm` as the guide says (here a link
    // to this workspace), with the guide's Cargo.toml as written.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&root, dir.path().join("docnorm")).unwrap();
    run(
        cargo()
            .args(["new", "--lib", "docnorm-keywords"])
            .current_dir(dir.path()),
        "cargo new",
    );
    let krate = dir.path().join("docnorm-keywords");
    std::fs::write(krate.join("Cargo.toml"), block(&blocks, "file=Cargo.toml")).unwrap();
    // Not a step of the guide: the workspace's lock file pins the crate versions already in
    // the shared target folder and the local registry cache, so the build needs no network.
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();

    // 2. Write the plugin.
    std::fs::write(krate.join("src/lib.rs"), lib_rs).unwrap();

    // 3. Test it; 4. build it.
    run(
        cargo()
            .args(["test", "--offline", "--quiet"])
            .current_dir(&krate),
        "cargo test",
    );
    run(
        cargo()
            .args(["build", "--offline", "--quiet", "--release"])
            .current_dir(&krate),
        "cargo build --release",
    );
    let built = target_dir().join("release/libdocnorm_keywords.so");

    // 5. Install where only the owner can write.
    let plugins = dir.path().join("lib/docnorm/plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let installed = plugins.join("libdocnorm_keywords.so");
    std::fs::copy(&built, &installed).unwrap();
    chmod(&installed, 0o755);

    // 6. Configure.
    let config = block(&blocks, "file=docnorm.yaml")
        .replace("/usr/local/lib/docnorm/plugins", plugins.to_str().unwrap());
    std::fs::write(dir.path().join("docnorm.yaml"), config).unwrap();

    // 7. Check and run.
    let in_dir = |command: &str| {
        let mut cmd = docnorm();
        cmd.args([command, "--config", "docnorm.yaml"])
            .current_dir(dir.path());
        cmd
    };
    let output = in_dir("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("custom plugin keywords: "), "{stdout}");
    write(dir.path(), "article.md", block(&blocks, "file=article.md"));
    let output = in_dir("process").arg("article.md").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = records(&output.stdout);
    let shown: serde_json::Value = serde_json::from_str(block(&blocks, "output")).unwrap();
    assert_eq!(records[0]["extra"], shown);
    assert_eq!(records[0]["provenance"]["fields"]["extra"], "keywords");
}

#[test]
fn following_the_python_guide_produces_a_record_with_the_plugins_field() {
    plugins_support::python();
    let root = workspace();
    let guide = std::fs::read_to_string(root.join("docs/plugins.md")).unwrap();
    let blocks = fenced_blocks(&guide);
    let step = |tag: &str| guide_block(&blocks, Some("python"), tag);
    let dir = tempfile::tempdir().unwrap();

    // 1. Make a folder and copy the helper, as written (the docnorm checkout is the workspace).
    let setup = step("setup").replace("/path/to/docnorm", root.to_str().unwrap());
    run(
        Command::new("sh")
            .args(["-ec", &setup])
            .current_dir(dir.path()),
        "the guide's setup step",
    );
    let folder = dir.path().join("tagger");

    // 2. Write the plugin: the example.
    let example = std::fs::read_to_string(root.join("examples/plugins/python/tagger.py")).unwrap();
    assert_eq!(
        step("file=tagger.py"),
        example,
        "the guide's tagger.py is the example"
    );
    write(&folder, "tagger.py", step("file=tagger.py"));

    // 3. Try it by hand.
    let output = Command::new("sh")
        .args(["-ec", step("try")])
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(records(&output.stdout), records(step("answers").as_bytes()));

    // 4. Configure; 5. check and run.
    write(&folder, "docnorm.yaml", step("file=docnorm.yaml"));
    write(&folder, "article.md", step("file=article.md"));
    let in_folder = |command: &str| {
        let mut cmd = docnorm();
        cmd.args([command, "--config", "docnorm.yaml"])
            .current_dir(&folder);
        cmd
    };
    let output = in_folder("check").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), step("check"));
    let output = in_folder("process").arg("article.md").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = records(&output.stdout);
    let shown: serde_json::Value = serde_json::from_str(step("output")).unwrap();
    assert_eq!(records[0]["extra"], shown);
    assert_eq!(records[0]["provenance"]["fields"]["extra"], "tagger");
}

#[test]
fn the_python_example_passes_its_own_tests() {
    let python = plugins_support::python();
    let output = Command::new(python)
        .args(["-m", "unittest", "-v"])
        .current_dir(workspace().join("examples/plugins/python"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{report}");
    assert!(report.contains("Ran 6 tests"), "{report}");
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}
