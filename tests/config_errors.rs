//! What `docnorm check` prints for broken configs: one snapshot per kind of mistake, each
//! naming the file, the key, what was expected and what was found, with the lines around it;
//! and the README's troubleshooting section, which shows five of them as printed.
// A failed setup step (temporary folder, file copy) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use util::{docnorm, fixture, readme_blocks};

/// The timestamp every log line starts with, as the README shows it.
const SHOWN_TIME: &str = "2026-01-01T00:00:00.000000Z";

/// Runs `docnorm check --config NAME` in `dir`, expects exit 78 and returns stderr with the
/// log timestamps replaced by [`SHOWN_TIME`].
fn check_in(dir: &Path, name: &str) -> String {
    let output = docnorm()
        .args(["check", "--config", name])
        .current_dir(dir)
        .env_remove("DOCNORM_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(78), "{name}: {stderr}");
    assert!(output.stdout.is_empty(), "{name}: nothing on stdout");
    stderr
        .lines()
        .map(fixed_time)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `check_in` on a config of `tests/fixtures/config`.
fn check(name: &str) -> String {
    check_in(&fixture("config"), name)
}

/// A log line with its leading RFC 3339 timestamp replaced by [`SHOWN_TIME`].
fn fixed_time(line: &str) -> String {
    let stamp = line.split(' ').next().unwrap_or_default();
    let is_stamp = stamp.len() > 20 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T';
    if is_stamp {
        format!("{SHOWN_TIME}{}", &line[stamp.len()..])
    } else {
        line.to_owned()
    }
}

#[test]
fn a_word_where_a_number_belongs() {
    insta::assert_snapshot!(check("word_for_a_number.yaml"));
}

#[test]
fn a_unit_written_after_a_number() {
    insta::assert_snapshot!(check("unit_in_a_number.yaml"));
}

#[test]
fn a_negative_number() {
    insta::assert_snapshot!(check("negative_number.yaml"));
}

#[test]
fn a_zero_where_at_least_one_is_needed() {
    insta::assert_snapshot!(check("zero_attempts.yaml"));
}

#[test]
fn a_section_given_twice() {
    insta::assert_snapshot!(check("section_twice.yaml"));
}

#[test]
fn a_misspelled_key() {
    insta::assert_snapshot!(check("misspelled_key.yaml"));
}

#[test]
fn a_value_that_is_not_one_of_the_choices() {
    insta::assert_snapshot!(check("unknown_choice.yaml"));
}

#[test]
fn a_single_value_where_a_list_belongs() {
    insta::assert_snapshot!(check("not_a_list.yaml"));
}

#[test]
fn a_chain_naming_an_unknown_plugin() {
    insta::assert_snapshot!(check("unknown_plugin.yaml"));
}

#[test]
fn a_custom_plugin_without_its_path() {
    insta::assert_snapshot!(check("missing_key.yaml"));
}

#[test]
fn a_tab_in_the_indentation() {
    insta::assert_snapshot!(check("tab_indent.yaml"));
}

#[test]
fn a_wrong_value_inside_braces() {
    insta::assert_snapshot!(check("flow_section.yaml"));
}

#[test]
fn a_config_file_that_is_not_there() {
    insta::assert_snapshot!(check("missing.yaml"));
}

#[test]
fn a_plugin_path_that_is_not_a_library_gives_the_loaders_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a library\n").unwrap();
    std::fs::write(
        dir.path().join("docnorm.yaml"),
        "chain: [frontmatter, tagger]\ncustom:\n  - name: tagger\n    path: ./notes.txt\n",
    )
    .unwrap();
    let shown = dir.path().canonicalize().unwrap();
    let err = check_in(dir.path(), "docnorm.yaml").replace(shown.to_str().unwrap(), "DIR");
    insta::assert_snapshot!(err);
}

/// The README's troubleshooting section: each `yaml file=NAME` block is that fixture, and the
/// `text` block after it is what `docnorm check --config NAME` prints.
#[test]
fn the_readme_shows_what_check_prints() {
    let blocks = readme_blocks("Troubleshooting");
    let mut shown = 0;
    for pair in blocks.windows(2) {
        let [config, output] = pair else {
            continue;
        };
        let Some(name) = config.info.strip_prefix("yaml file=") else {
            continue;
        };
        assert_eq!(output.info, "text", "{name}: its output follows it");
        let on_disk = std::fs::read_to_string(fixture("config").join(name)).unwrap();
        assert_eq!(config.text, on_disk, "{name}: the README shows the fixture");
        let command = format!("$ docnorm check --config {name}\n");
        let printed = output
            .text
            .strip_prefix(&command)
            .unwrap_or_else(|| panic!("{name}: the output block starts with `{command}`"));
        assert_eq!(printed.trim_end(), check(name), "{name}");
        shown += 1;
    }
    assert_eq!(shown, 5, "five broken configs are shown");
}
