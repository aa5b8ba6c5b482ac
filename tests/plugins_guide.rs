//! Follows `docs/plugins.md` step by step in a temporary folder: `cargo new`, the guide's
//! `Cargo.toml` and `src/lib.rs`, `cargo test`, `cargo build --release`, install, the guide's
//! config, `docnorm check` and `docnorm process` on the guide's article, whose `extra` must be
//! what the guide shows. Builds offline, sharing the workspace's target folder.
// A failed step should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod plugins_support;
mod util;

use std::path::Path;
use std::process::Command;

use plugins_support::{cargo, chmod, records, target_dir, workspace};
use util::{Block, docnorm, fenced_blocks};

/// The guide's block whose info string holds `tag`.
fn block<'a>(blocks: &'a [Block], tag: &str) -> &'a str {
    let found = blocks
        .iter()
        .find(|b| b.info.split_whitespace().any(|word| word == tag));
    &found
        .unwrap_or_else(|| panic!("docs/plugins.md has no `{tag}` block"))
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

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}
