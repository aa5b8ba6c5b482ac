//! End-to-end tests of `docnorm process`: the real binary over real files.
// The whole crate is test code, helpers included, where a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod util;

use std::io::Write;
use std::path::Path;

use flate2::{Compression, write::GzEncoder};
use serde_json::Value;
use util::{docnorm, fixture, seeds, shared};

/// Runs `docnorm process` over `files` and returns (exit code, records, stderr).
fn process(files: &[&Path]) -> (i32, Vec<Value>, String) {
    let output = docnorm().arg("process").args(files).output().unwrap();
    let records = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each stdout line is one JSON record"))
        .collect();
    (
        output.status.code().unwrap(),
        records,
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn schema_validator() -> jsonschema::Validator {
    let output = docnorm().arg("schema").output().unwrap();
    assert!(output.status.success());
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    jsonschema::validator_for(&schema).expect("docnorm schema prints a valid JSON Schema")
}

#[test]
fn seeds_give_five_records_valid_against_the_schema() {
    let seeds = seeds();
    let paths: Vec<&Path> = seeds.iter().map(AsRef::as_ref).collect();
    let (code, records, stderr) = process(&paths);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(records.len(), 5);
    let validator = schema_validator();
    for record in &records {
        let errors: Vec<String> = validator
            .iter_errors(record)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {errors:?}",
            record["source"]["name"]
        );
    }
    let seed_003 = records
        .iter()
        .find(|r| r["source"]["name"].as_str().unwrap().starts_with("003_"))
        .unwrap();
    assert_eq!(seed_003["source"]["format"], "frontmatter");
}

#[test]
fn seeds_meet_their_expectations() {
    let checker = shared().join("tools/check_expected.py");
    let output = docnorm().arg("process").args(seeds()).output().unwrap();
    let mut child = std::process::Command::new("python3")
        .arg(&checker)
        .arg(shared().join("seeds/expected"))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs the shared checker");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&output.stdout)
        .unwrap();
    let result = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{report}");
}

#[test]
fn encodings_decode_to_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Café crème – “quoted” naïve résumé\n\nSecond paragraph, déjà vu.";
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut utf8_bom = b"\xef\xbb\xbf".to_vec();
    utf8_bom.extend(text.as_bytes());
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("cp1252.md", cp1252.into_owned(), "windows-1252"),
        ("utf16.md", utf16, "UTF-16LE"),
        ("bom.md", utf8_bom, "UTF-8"),
        ("crlf.md", text.replace('\n', "\r\n").into_bytes(), "UTF-8"),
        ("zipped.md.gz", gzip(text.as_bytes()), "UTF-8"),
    ];
    for (name, bytes, encoding) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (code, records, stderr) = process(&[&path]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let record = &records[0];
        assert_eq!(record["source"]["encoding"], encoding, "{name}");
        assert_eq!(record["body"], text, "{name}");
    }
}

#[test]
fn bad_files_fail_one_by_one_and_the_rest_still_produce_records() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let empty = write("empty.txt", b"");
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
        .collect();
    let junk = write("junk.bin", &junk);
    let mut cut = gzip("words enough to compress ".repeat(200).as_bytes());
    cut.truncate(cut.len() / 2);
    let truncated = write("cut.txt.gz", &cut);
    // 80 MiB of zeros inflate past the default 64 MiB limit.
    let bomb = write("bomb.txt.gz", &gzip(&vec![0u8; 80 << 20]));
    let good = fixture("article.md");
    let files = [
        empty.as_path(),
        junk.as_path(),
        good.as_path(),
        truncated.as_path(),
        bomb.as_path(),
    ];
    let (code, records, stderr) = process(&files);
    assert_eq!(code, 1, "stderr: {stderr}");
    assert_eq!(records.len(), 1, "stderr: {stderr}");
    assert_eq!(records[0]["source"]["name"], "article.md");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 4, "one line per bad file: {stderr}");
    for (file, reason) in [
        (&empty, "empty file"),
        (
            &junk,
            "no plugin recognised the document (sniffed as binary)",
        ),
        (&truncated, "truncated or corrupt gzip"),
        (&bomb, "gzip bomb"),
    ] {
        let name = file.display().to_string();
        let line = errors
            .iter()
            .find(|l| l.contains(&name))
            .unwrap_or_else(|| panic!("no error for {name}: {stderr}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(
        errors.iter().filter(|l| l.contains("read:")).count() == 3,
        "{stderr}"
    );
}

#[test]
fn an_unknown_config_key_is_named_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("docnorm.yaml");
    std::fs::write(
        &config,
        "read:\n  max_bytes: 1000\nplugins:\n  text:\n    colour: blue\n",
    )
    .unwrap();
    let output = docnorm()
        .arg("process")
        .arg("--config")
        .arg(&config)
        .arg(fixture("article.md"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(78), "{stderr}");
    assert!(stderr.contains("colour"), "{stderr}");
    assert!(
        stderr.contains("line 5") || stderr.contains("5:5"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let output = docnorm().arg("process").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn output_folder_gets_one_file_per_record_named_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let article = fixture("article.md");
    for _ in 0..2 {
        let status = docnorm()
            .arg("process")
            .arg("--output")
            .arg(&out)
            .arg(&article)
            .output()
            .unwrap()
            .status;
        assert!(status.success());
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let record: Value =
        serde_json::from_slice(&std::fs::read(out.join(&names[0])).unwrap()).unwrap();
    assert_eq!(format!("{}.json", record["id"].as_str().unwrap()), names[0]);
}

#[test]
fn plugins_lists_the_default_chain() {
    let output = docnorm().arg("plugins").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["frontmatter", "html", "text", "enrich"]);
}

#[test]
fn json_lines_and_json_lists_give_one_record_per_object() {
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("export.jsonl");
    std::fs::write(
        &lines,
        "{\"title\": \"First\", \"author\": \"Ann Writer\", \"text\": \"The first story.\"}\n\
         \n\
         {\"title\": broken}\n\
         {\"headline\": \"Third\", \"text\": \"The third story.\"}\n",
    )
    .unwrap();
    let list = dir.path().join("list.json");
    std::fs::write(
        &list,
        "[{\"title\": \"Fourth\", \"text\": \"The fourth story.\"},\n {\"title\": \"Fifth\", \"text\": \"The fifth story.\"}]",
    )
    .unwrap();
    let (code, records, stderr) = process(&[&lines, &list]);
    assert_eq!(code, 1, "a broken line is a failure: {stderr}");
    assert!(
        stderr.contains(
            "export.jsonl: json: line 3: not valid JSON: expected value at line 1 column 11"
        ),
        "{stderr}"
    );
    let titles: Vec<&str> = records
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["First", "Third", "Fourth", "Fifth"]);
    assert_eq!(records[0]["authors"][0]["name"], "Ann Writer");
    assert_eq!(records[1]["source"]["name"], "export.jsonl");
    assert_eq!(records[3]["source"]["format"], "json");
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4, "each object has its own id");
}

#[test]
fn a_file_of_more_documents_than_read_max_documents_fails_whole() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("docnorm.yaml");
    std::fs::write(&config, "read:\n  max_documents: 2\n").unwrap();
    let lines = dir.path().join("export.jsonl");
    let object = |n: u32| format!("{{\"title\": \"Story {n}\", \"text\": \"Story {n} text.\"}}\n");
    std::fs::write(&lines, (1..=3).map(object).collect::<String>()).unwrap();
    let output = docnorm()
        .arg("process")
        .arg("--config")
        .arg(&config)
        .arg(&lines)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "export.jsonl: read: the file holds 3 documents, more than read.max_documents (2)"
        ),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no record for any of them");
}

/// Copies the seeds into `dir` under `sub/`, with temporary names the walk must skip.
fn seed_folder(dir: &Path) -> usize {
    let nested = dir.join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    let seeds = seeds();
    for (i, seed) in seeds.iter().enumerate() {
        let into = if i % 2 == 0 { dir } else { nested.as_path() };
        std::fs::copy(seed, into.join(seed.file_name().unwrap())).unwrap();
    }
    for temporary in [
        ".hidden.txt",
        "half.txt.part",
        "a/b/draft.tmp",
        "a/b/edit.txt~",
    ] {
        std::fs::copy(&seeds[0], dir.join(temporary)).unwrap();
    }
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::copy(&seeds[0], dir.join(".git/seed.txt")).unwrap();
    seeds.len()
}

#[test]
fn a_folder_is_walked_recursively_skipping_temporary_names_and_ends_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seed_folder(dir.path());
    let (code, records, stderr) = process(&[dir.path()]);
    assert_eq!(code, 0, "{stderr}");
    let mut names: Vec<&str> = records
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    let mut expected: Vec<String> = util::seeds()
        .iter()
        .map(|s| s.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    // Not a terminal: no progress bar, only the summary line.
    let summary = format!("{seeds} files, {seeds} documents: {seeds} records, 0 failed, in ");
    assert!(stderr.starts_with(&summary), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn a_dash_reads_one_document_from_standard_input() {
    let article = std::fs::read(fixture("article.md")).unwrap();
    let output = docnorm()
        .args(["process", "--quiet", "-"])
        .write_stdin(article)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "--quiet prints no summary");
    let record: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(record["source"]["path"], "-");
    assert_eq!(record["source"]["format"], "frontmatter");
    let (_, from_file, _) = process(&[&fixture("article.md")]);
    assert_eq!(
        record["id"], from_file[0]["id"],
        "the same record as from the file"
    );
}

#[test]
fn a_progress_bar_is_drawn_on_a_terminal_and_cleared_before_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seed_folder(dir.path());
    // `script` runs the command on a pseudo-terminal and copies what it drew to stdout.
    let command = format!(
        "{} process {} > /dev/null",
        env!("CARGO_BIN_EXE_docnorm"),
        dir.path().display()
    );
    let output = std::process::Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env_remove("DOCNORM_LOG")
        .env_remove("RUST_LOG")
        .output()
        .expect("this test needs `script` (util-linux) to run docnorm on a pseudo-terminal");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    // Frames are drawn over each other with cursor moves and line erasures (escape
    // sequences); what follows the last of them is what stays on the screen.
    assert!(
        screen.contains(&format!("/{seeds} files, ")) && screen.contains("[==="),
        "a bar counting the files: {screen:?}"
    );
    let after_last_escape = screen.rsplit('\u{1b}').next().unwrap();
    let left = after_last_escape
        .trim_start_matches(|c: char| c == '[' || c.is_ascii_digit() || c == ';')
        .get(1..)
        .unwrap_or_default()
        .trim();
    assert!(
        left.starts_with(&format!(
            "{seeds} files, {seeds} documents: {seeds} records, 0 failed, in "
        )),
        "the bar is cleared and the summary stays: {screen:?}"
    );
}

#[test]
fn rust_log_is_read_when_docnorm_log_is_not_set() {
    let article = fixture("article.md");
    let debug_lines = |env: &[(&str, &str)]| {
        let mut command = docnorm();
        command.args(["process", "--quiet"]).arg(&article);
        command.env_remove("DOCNORM_LOG").env_remove("RUST_LOG");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        String::from_utf8(output.stderr)
            .unwrap()
            .lines()
            .filter(|l| l.contains("DEBUG"))
            .count()
    };
    assert_eq!(debug_lines(&[]), 0);
    assert!(debug_lines(&[("RUST_LOG", "debug")]) > 0);
    assert!(debug_lines(&[("DOCNORM_LOG", "debug")]) > 0);
    assert_eq!(
        debug_lines(&[("DOCNORM_LOG", "warn"), ("RUST_LOG", "debug")]),
        0,
        "DOCNORM_LOG wins"
    );
}

#[test]
fn help_lists_the_exit_codes() {
    for command in [
        &["--help"][..],
        &["process", "--help"],
        &["run", "--help"],
        &["check", "--help"],
    ] {
        let output = docnorm().args(command).output().unwrap();
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("Exit codes"), "{command:?}: {help}");
        assert!(help.contains("78  bad config"), "{command:?}: {help}");
    }
}

/// Issue 22: a JSON file that does not parse is reported under `json`, not `frontmatter`.
#[test]
fn a_json_file_that_does_not_parse_is_reported_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("export.json");
    std::fs::write(&broken, "{\"title\": \"A\", \"body\": }\n").unwrap();
    let (code, records, stderr) = process(&[&broken]);
    assert_eq!(code, 1, "{stderr}");
    assert!(records.is_empty());
    assert!(
        stderr.contains("export.json: json: not valid JSON: expected value at line 1 column 24"),
        "{stderr}"
    );
    assert!(!stderr.contains("frontmatter"), "{stderr}");
}

/// Issue 20: a page copy that merely opens with `[`, `{` or `---` is not failed as JSON or
/// front matter: it is read as plain text, and its record's warnings say what was tried.
#[test]
fn issue_20_copies_opening_like_json_or_front_matter_are_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let article = "The harbour board voted on Tuesday to rebuild the old pier before the summer season begins.\n\n\
        Fishermen said the repairs were long overdue and welcomed the decision of the board.\n";
    let cases = [
        (
            "bracket.txt",
            format!("[ Home ] [ Products ] [ Contact ]\n\nHarbour pier to be rebuilt\n\n{article}"),
            "opens with `[` like JSON but is not JSON",
        ),
        (
            "brace",
            format!("{{ Menu }} News | Sport\n\nHarbour pier to be rebuilt\n\n{article}"),
            "opens with `{` like JSON but is not JSON",
        ),
        (
            "rule.txt",
            format!(
                "---\nSections: News, Sport: Weather\n  - [broken\n---\nHarbour pier to be rebuilt\n\n{article}"
            ),
            "frontmatter: opens like front matter but is not",
        ),
    ];
    for (name, text, warning) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, records, stderr) = process(&[&path]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let record = &records[0];
        assert!(
            record["body"]
                .as_str()
                .unwrap()
                .starts_with("The harbour board voted"),
            "{name}: {record}"
        );
        let warnings = record["warnings"].to_string();
        assert!(warnings.contains(warning), "{name}: {warnings}");
        assert!(
            record["provenance"]["fields"]["body"] == "text",
            "{name}: {record}"
        );
    }
}
