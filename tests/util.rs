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
