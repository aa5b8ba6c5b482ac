//! Regression tests of issue 21 for the read stage and the built-in plugins: inputs made to
//! hurt (a million short lines, endlessly nesting tags, text dense with names, a stray byte, a
//! FIFO, NUL characters) through the real binary, checked for what a user would notice —
//! memory, time growing with the input's size, the text of the record, a clear error.
//!
//! Time is never asserted in absolute terms: a test compares the same binary on an input and
//! on one ten times larger, taking the fastest of a few runs of each, and allows twenty times
//! the time (linear work takes ten; the quadratic work these inputs used to cause took
//! hundreds). The larger run is stopped as soon as it passes that bound.
// The whole crate is test code, helpers included, where a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod util;

use std::fmt::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{docnorm, record_of};

/// The peak resident memory of `docnorm process FILE` with its output going to `out`, in
/// bytes.
///
/// The kernel keeps each process's high-water mark of resident memory and hands it to the
/// parent that reaps it (`wait4`'s `ru_maxrss`): exact, and unlike polling
/// `/proc/PID/status` it cannot miss a peak just before the process ends; unlike
/// `getrusage(RUSAGE_CHILDREN)` it counts this child alone, not the children other tests
/// run at the same time.
#[allow(clippy::zombie_processes)] // Reaped by `wait4` in `wait_with_rusage`.
fn peak_memory(file: &Path, out: &Path) -> u64 {
    let child = Command::new(env!("CARGO_BIN_EXE_docnorm"))
        .arg("process")
        .arg(file)
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (status, max_rss_kib) = wait_with_rusage(&child);
    assert_eq!(status, 0, "docnorm process failed");
    max_rss_kib * 1024
}

/// Reaps `child`: its exit code and its peak resident memory in KiB.
#[allow(unsafe_code)]
fn wait_with_rusage(child: &std::process::Child) -> (i32, u64) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills in; an all-zero value is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: both pointers point to live, writable values of the types `wait4` expects; the
    // child is ours and reaped here only (its `Child` handle is never waited on).
    let reaped = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    assert_eq!(reaped, pid, "{}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, u64::try_from(usage.ru_maxrss).unwrap())
}

/// How long `docnorm process FILE` takes at best over `runs` runs, or `None` when a run passes
/// `bound` (it is then stopped).
fn fastest(file: &Path, runs: usize, bound: Duration) -> Option<Duration> {
    let mut best = bound;
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_docnorm"))
            .arg("process")
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "docnorm process {} failed",
                    file.display()
                );
                break;
            }
            if started.elapsed() > bound {
                child.kill().unwrap();
                child.wait().unwrap();
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        best = best.min(started.elapsed());
    }
    Some(best)
}

/// Asserts that `docnorm process` on `large` (ten times `small`) takes less than twenty times
/// as long as on `small`.
fn assert_linear(small: &Path, large: &Path) {
    let small_time = fastest(small, 3, Duration::from_secs(600)).unwrap();
    let bound = small_time * 20;
    let large_time = fastest(large, 2, bound);
    assert!(
        large_time.is_some(),
        "{} took more than 20 times the {small_time:?} of {}",
        large.display(),
        small.display()
    );
}

#[test]
fn issue_21_a_million_short_lines_take_less_than_100_mb() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.txt");
    // 2 MB: two repeated letters and a separator line, over and over, so the removed lines
    // alternate between two reasons and cannot all merge into one entry.
    std::fs::write(&path, "a\nb\n-\n".repeat(333_334)).unwrap();
    let out = dir.path().join("record.json");
    let peak = peak_memory(&path, &out);
    assert!(peak < 100 << 20, "peak resident memory {} MiB", peak >> 20);

    let record: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let removed = record["provenance"]["removed"].as_array().unwrap();
    assert_eq!(
        removed[0]["lines"],
        serde_json::json!({"first": 1, "last": 2})
    );
    assert_eq!(removed[0]["text"], "a\nb");
    assert_eq!(removed[1]["reason"], "separator");
    assert_eq!(removed.len(), 4096);
    let warnings = record["warnings"].to_string();
    assert!(
        warnings.contains("more removed lines, from line 6145 on, are not listed"),
        "{warnings}"
    );
    assert!(std::fs::metadata(&out).unwrap().len() < 1 << 20);
}

#[test]
fn issue_21_tags_that_close_nothing_do_not_make_the_page_nest_without_end() {
    let dir = tempfile::tempdir().unwrap();
    let page = |repeats: usize| {
        let path = dir.path().join(format!("nested-{repeats}.html"));
        let html = format!(
            "<html><body>{}</body></html>",
            "<section> x </div>".repeat(repeats)
        );
        std::fs::write(&path, html).unwrap();
        path
    };
    let (small, large) = (page(2_000), page(20_000));
    assert_linear(&small, &large);
    let warnings = record_of(&large)["warnings"].to_string();
    assert!(warnings.contains("nest deeper than 1000"), "{warnings}");
}

#[test]
fn issue_21_text_dense_with_names_takes_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let text = |paragraphs: usize| {
        let path = dir.path().join(format!("names-{paragraphs}.txt"));
        let mut text = String::from("Names everywhere\n\n");
        for i in 0..paragraphs {
            write!(
                text,
                "President John Zorb{i} met Kalvin{i} and Mr. Quix{i} in Berlin on Monday, \
                 officials said.\n\n"
            )
            .unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    };
    let (small, large) = (text(2_000), text(20_000));
    assert_linear(&small, &large);
    let people = record_of(&small)["entities"]["people"].clone();
    assert_eq!(people[0], "John Zorb0");
    assert_eq!(people.as_array().unwrap().len(), 4_000);
}

#[test]
fn issue_21_a_stray_byte_keeps_the_text_utf_8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.txt");
    let mut bytes = "Café owners relieved as the harbour reopens\n\n\
        The harbour reopened on Tuesday after a storm, and café owners said they were glad \
        to see the boats return.\n\n"
        .as_bytes()
        .to_vec();
    bytes.extend(b"A stray \xff byte came from a broken copy.\n\n");
    bytes.extend("© 2024 The Harbour Times\n".as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let record = record_of(&path);
    assert_eq!(record["source"]["encoding"], "UTF-8");
    assert_eq!(
        record["title"],
        "Café owners relieved as the harbour reopens"
    );
    assert!(
        record["body"]
            .as_str()
            .unwrap()
            .contains("A stray \u{fffd} byte"),
        "{}",
        record["body"]
    );
    assert_eq!(
        record["warnings"][0],
        "1 byte sequence that is not valid UTF-8 replaced with U+FFFD; the rest of the text is UTF-8"
    );
}

#[test]
fn issue_21_a_page_declaring_utf_8_is_read_as_utf_8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    let mut bytes = "<html><head><meta charset=\"utf-8\"><title>Zoë’s café</title></head>\
        <body><article><p>The harbour closed on Tuesday after a storm brought heavy rain and \
        strong winds to the coast, flooding streets near the sea front.</p>"
        .as_bytes()
        .to_vec();
    // Four bytes of a broken copy outnumber the three characters that are valid UTF-8: the
    // declaration decides.
    bytes.extend(b"<p>Broken \x92\x93\x94\x95 here, said officials who asked residents to stay away from the sea wall while engineers inspected it.</p></article></body></html>");
    std::fs::write(&path, bytes).unwrap();
    let record = record_of(&path);
    assert_eq!(record["source"]["encoding"], "UTF-8");
    assert_eq!(record["title"], "Zoë’s café");
    assert!(
        record["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("4 byte sequences that are not valid UTF-8"),
        "{}",
        record["warnings"]
    );
}

#[test]
fn issue_21_a_record_whose_every_line_was_removed_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chrome.txt");
    std::fs::write(
        &path,
        "© 2024 Example Media\nSubscribe to our newsletter\n© 2024 Example Media\n",
    )
    .unwrap();
    let record = record_of(&path);
    assert_eq!(record["body"], "");
    assert_eq!(
        record["warnings"],
        serde_json::json!(["the body is empty although the document is not"])
    );
}

#[test]
fn issue_21_a_fifo_is_refused_instead_of_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let output = docnorm()
        .arg("process")
        .arg(&fifo)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("pipe.txt: read: not a regular file but a FIFO"),
        "{stderr}"
    );
}

#[test]
fn issue_21_nul_and_other_control_characters_leave_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.json");
    std::fs::write(
        &path,
        r#"{"title": "Storm\u0000 hits", "body": "Heavy\u0000 rain\u0007 fell.", "tags": ["sea\u001b"]}"#,
    )
    .unwrap();
    let record = record_of(&path);
    assert_eq!(record["title"], "Storm hits");
    assert_eq!(record["body"], "Heavy rain fell.");
    assert_eq!(record["topics"], serde_json::json!(["sea"]));
}
