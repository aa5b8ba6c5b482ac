//! Whole records, as `docnorm process` writes them, for every fixture under
//! `tests/fixtures/records` (issue 18): one insta snapshot per fixture, so any change to
//! what a plugin extracts shows up as a reviewable diff of the records it touches.
//!
//! The values that differ between runs by design are redacted: `source.received`, the
//! file's `source.modified` (a checkout's mtime) and the plugins' timings. The fixtures are
//! given by name from their folder, so `source.path` is the same in every checkout.
//! After an intended change: `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! docnorm --test records`, then read the diff).

mod util;

use serde_json::Value;
use util::{docnorm, fixture};

#[test]
fn every_fixture_gives_the_records_of_its_snapshot() {
    let dir = fixture("records");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/records")
        .map(|entry| entry.expect("a readable fixture folder").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 30, "{} fixtures", names.len());
    for name in names {
        let records = records(&dir, &name);
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!("record", records, {
                "[].source.received" => "[received]",
                "[].source.modified" => "[modified]",
                "[].provenance.plugins[].micros" => "[micros]",
            });
        });
    }
}

/// The records of one fixture, processed from its folder.
fn records(dir: &std::path::Path, name: &str) -> Vec<Value> {
    let output = docnorm()
        .current_dir(dir)
        .arg("process")
        .arg(name)
        .output()
        .expect("docnorm runs");
    assert!(
        output.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("records are UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON record"))
        .collect()
}
