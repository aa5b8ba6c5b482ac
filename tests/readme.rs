//! The README's quick start, run as written: its first `sh` block, in an empty temporary
//! folder (outside the source tree), by `sh -e`, with the `docnorm` under test first on
//! `PATH` as `cargo install` would put it.
// A failed setup step (temporary folder) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;
use std::process::Command;

use util::readme_blocks;

#[test]
fn the_quick_start_works_as_written() {
    let blocks = readme_blocks("Quick start");
    let script = &blocks
        .iter()
        .find(|b| b.info == "sh")
        .expect("the quick start has an sh block")
        .text;
    let dir = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_docnorm")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("sh")
        .args(["-e", "-c", script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("DOCNORM_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let demo = dir.path().join("docnorm-demo");
    let names = |sub: &str| -> Vec<String> {
        std::fs::read_dir(demo.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let records = names("out");
    assert_eq!(records.len(), 1, "{records:?}\n{stderr}");
    assert!(
        Path::new(&records[0])
            .extension()
            .is_some_and(|e| e == "json")
    );
    assert_eq!(names("done"), ["hello.txt"]);
    assert!(
        stdout.contains(&records[0]) && stdout.contains("hello.txt"),
        "{stdout}"
    );
    assert!(
        stderr.contains("shutting down"),
        "stopped by SIGTERM: {stderr}"
    );
}
