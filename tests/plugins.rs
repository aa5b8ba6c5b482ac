//! End-to-end tests of custom native plugins: the example plugin and test-only plugins are
//! built as `cdylib`s, installed into a private folder, named in a config file and loaded by
//! the real binary, exactly as a user would.
// A failed setup step (temporary folder, file copy) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod plugins_support;
mod util;

use std::path::PathBuf;

use plugins_support::{build, chmod, install, records};
use serde_json::Value;
use tempfile::TempDir;
use util::docnorm;

/// The keyword tagger's options in the tests.
const TAGS: &str = "
      tags:
        diplomacy: [talks, meeting, summit, diplomatic]
        conflict: [war, invasion, troops]
";

/// A temporary folder with the example and probe plugins installed.
struct Setup {
    dir: TempDir,
    keywords: PathBuf,
    probe: PathBuf,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keywords = install(&build("docnorm-keywords"), dir.path());
        let probe = install(&build("docnorm-test-probe"), dir.path());
        Self {
            dir,
            keywords,
            probe,
        }
    }

    /// Writes `docnorm.yaml` with the given chain and `custom` section and returns its path.
    fn config(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("docnorm.yaml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes a document into the folder and returns its path.
    fn doc(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A config whose chain is the built-ins, then the probe (giving a body to documents no
    /// built-in claimed, so the tests do not depend on the built-in extractors), then the
    /// keyword tagger, then `enrich`; `probe_options` are extra probe options.
    fn tagging_config(&self, probe_options: &str) -> PathBuf {
        self.config(&format!(
            "chain: [frontmatter, html, text, probe, keywords, enrich]
custom:
  - name: keywords
    path: ./plugins/{keywords}
    options:{TAGS}
  - name: probe
    path: {probe}
    options:
      body_from_text: true
{probe_options}",
            keywords = self.keywords.file_name().unwrap().to_string_lossy(),
            probe = self.probe.display(),
        ))
    }
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn by_name<'a>(records: &'a [Value], name: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["source"]["name"] == name)
        .unwrap_or_else(|| panic!("no record for {name}"))
}

#[test]
fn the_example_plugin_writes_its_field_into_the_records() {
    let setup = Setup::new();
    let config = setup.tagging_config("");
    let talks = setup.doc(
        "talks.txt",
        "Summit talks resume\n\nDiplomatic talks resumed after the war of words.",
    );
    let recipe = setup.doc("recipe.txt", "Lemon cake\n\nMix the flour and the sugar.");
    let output = docnorm()
        .args(["process", "--config"])
        .arg(&config)
        .args([&talks, &recipe])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), 2);
    let talks = by_name(&records, "talks.txt");
    assert_eq!(
        talks["extra"]["keywords"],
        serde_json::json!({"diplomacy": 4, "conflict": 1})
    );
    assert_eq!(talks["provenance"]["fields"]["extra"], "keywords");
    let plugins: Vec<&str> = talks["provenance"]["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(plugins.contains(&"keywords"), "{plugins:?}");
    assert_eq!(
        by_name(&records, "recipe.txt")["extra"]["keywords"],
        serde_json::json!({})
    );
}

#[test]
fn the_example_plugin_tags_every_seed() {
    let setup = Setup::new();
    // The built-in extractors give the seeds their title and body; no stand-in here.
    let config = setup.config(&format!(
        "chain: [frontmatter, html, text, keywords, enrich]
custom:
  - name: keywords
    path: {}
    options:{TAGS}",
        setup.keywords.display()
    ));
    let seeds = util::seeds();
    let output = docnorm()
        .args(["process", "--config"])
        .arg(&config)
        .args(&seeds)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), seeds.len());
    for record in &records {
        let keywords = &record["extra"]["keywords"];
        assert!(
            keywords.is_object(),
            "{}: {keywords}",
            record["source"]["name"]
        );
    }
    let tagged = records
        .iter()
        .filter(|r| r["extra"]["keywords"]["diplomacy"].as_u64() > Some(0))
        .count();
    assert!(tagged >= 3, "only {tagged} seeds tagged as diplomacy");
}

#[test]
fn a_panicking_plugin_fails_only_that_document() {
    let setup = Setup::new();
    let config = setup.tagging_config("      panic_on: PANIC-HERE\n");
    let docs = [
        setup.doc("a.txt", "First\n\nA calm document."),
        setup.doc("b.txt", "Second\n\nThis one says PANIC-HERE."),
        setup.doc("c.txt", "Third\n\nAnother calm document."),
    ];
    let output = docnorm()
        .args(["process", "--config"])
        .arg(&config)
        .args(&docs)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let records = records(&output.stdout);
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.txt", "c.txt"]);
    let err = stderr(&output);
    assert!(
        err.contains("b.txt: probe: panicked: probe was asked to panic"),
        "{err}"
    );
    // The plugin's panic is logged once, as b.txt's error, not printed raw by the panic hook.
    assert!(!err.contains("panicked at"), "{err}");
}

#[test]
fn a_patch_writing_an_undeclared_field_is_rejected() {
    let setup = Setup::new();
    let config = setup.tagging_config("      undeclared_on: SNEAKY\n");
    let sneaky = setup.doc("sneaky.txt", "Title\n\nSNEAKY text.");
    let fine = setup.doc("fine.txt", "Title\n\nFine text.");
    let output = docnorm()
        .args(["process", "--config"])
        .arg(&config)
        .args([&sneaky, &fine])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(records(&output.stdout).len(), 1);
    let err = stderr(&output);
    assert!(
        err.contains("sneaky.txt: probe: rejected patch: writes undeclared field `title`"),
        "{err}"
    );
}

#[test]
fn a_plugin_built_for_another_abi_is_refused_before_its_code_runs() {
    let setup = Setup::new();
    let library = install(&build("docnorm-test-wrong-abi"), setup.dir.path());
    let config = setup.config(&format!(
        "chain: [future]\ncustom:\n  - name: future\n    path: {}\n",
        library.display()
    ));
    // Every function of that library aborts the process: exit code 78 with a message shows
    // that the host read only the table's header.
    for command in ["check", "process"] {
        let mut cmd = docnorm();
        cmd.args([command, "--config"]).arg(&config);
        if command == "process" {
            cmd.arg(setup.doc("a.txt", "text"));
        }
        let output = cmd.output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{command}: {err}");
        assert!(
            err.contains("plugin future: built for plugin ABI 2.0, this docnorm speaks ABI 1.0"),
            "{command}: {err}"
        );
    }
}

#[test]
fn a_group_or_world_writable_plugin_or_folder_is_refused() {
    let setup = Setup::new();
    let config = setup.tagging_config("");
    let check = |expected: &str| {
        let output = docnorm()
            .args(["check", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{err}");
        assert!(err.contains("refusing to load plugin"), "{err}");
        assert!(err.contains(expected), "{err}");
    };
    chmod(&setup.keywords, 0o775);
    check("is writable by group or others (mode 775)");
    chmod(&setup.keywords, 0o757);
    check("is writable by group or others (mode 757)");
    chmod(&setup.keywords, 0o755);
    let folder = setup.keywords.parent().unwrap();
    chmod(folder, 0o777);
    check(&format!("folder {} is writable", folder.display()));
    chmod(folder, 0o755);
    let output = docnorm()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn check_reports_every_plugin_it_loaded() {
    let setup = Setup::new();
    let config = setup.tagging_config("");
    let output = docnorm()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    let keywords = setup.keywords.canonicalize().unwrap();
    assert!(
        out.contains(&format!(
            "custom plugin keywords: {} declares keywords 0.1.0 (ABI 1.0, thread-safe), reads [title, body], writes [extra]",
            keywords.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("chain: frontmatter -> html -> text -> probe -> keywords -> enrich"),
        "{out}"
    );
    let output = docnorm()
        .args(["plugins", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.lines().any(|l| l.starts_with("keywords ")), "{out}");
}

#[test]
fn bad_plugin_options_or_paths_are_config_errors() {
    let setup = Setup::new();
    let cases = [
        (
            "chain: [keywords]\ncustom:\n  - name: keywords\n    path: ./plugins/libdocnorm_keywords.so\n    options: {tags: {}, min_mention: 2}\n",
            "plugin keywords: init failed: unknown option `min_mention`",
        ),
        (
            "chain: [keywords]\ncustom:\n  - name: keywords\n    path: libdocnorm_keywords.so\n",
            "library paths are never searched",
        ),
        (
            "chain: [keywords]\ncustom:\n  - name: keywords\n    path: ./plugins/missing.so\n",
            "cannot resolve path",
        ),
    ];
    for (text, expected) in cases {
        let config = setup.config(text);
        let output = docnorm()
            .args(["check", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
        assert_eq!(err.matches(expected).count(), 1, "said once: {err}");
    }
}

/// Changes `path`'s owner; false when not allowed (the tests do not run as root).
fn chown(path: &std::path::Path, uid: u32) -> bool {
    match std::os::unix::fs::chown(path, Some(uid), None) {
        Ok(()) => true,
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => false,
        Err(err) => panic!("chown {}: {err}", path.display()),
    }
}

#[test]
fn issue_21_a_plugin_owned_by_another_user_is_refused_before_its_code_runs() {
    use std::os::unix::fs::MetadataExt;

    /// An unprivileged user that neither root nor these tests run as.
    const NOBODY: u32 = 65534;
    let setup = Setup::new();
    let config = setup.config(&format!(
        "chain: [probe]\ncustom:\n  - name: probe\n    path: {}\n",
        setup.probe.display()
    ));
    let marker = setup.dir.path().join("loaded");
    let check = || {
        let _ = std::fs::remove_file(&marker);
        let output = docnorm()
            .args(["check", "--config"])
            .arg(&config)
            .env("DOCNORM_PROBE_LOADED", &marker)
            .output()
            .unwrap();
        (output.status.code(), stderr(&output), marker.exists())
    };
    // Owned by the user running the tests: loaded, and its constructor ran.
    let (code, err, loaded) = check();
    assert_eq!(code, Some(0), "{err}");
    assert!(loaded, "the probe's constructor did not run");

    let folder = setup.probe.parent().unwrap().to_owned();
    let me = std::fs::metadata(&folder).unwrap().uid();
    if !chown(&setup.probe, NOBODY) {
        eprintln!("skipped: changing a file's owner needs root");
        return;
    }
    let (code, err, loaded) = check();
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains(&format!(
            "refusing to load plugin probe: file {} is owned by ",
            setup.probe.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "(uid 65534); a plugin library and every folder above it must be owned by root or by the user docnorm runs as, root (uid 0): run chown root on it"
        ),
        "{err}"
    );
    assert!(!loaded, "code of the refused library ran");

    // The same in a folder others can write to but not replace entries in (sticky, like /tmp).
    chmod(&folder, 0o1777);
    let (code, err, loaded) = check();
    assert_eq!(code, Some(78), "{err}");
    assert!(!loaded, "code of the refused library ran");
    chown(&setup.probe, me);
    let (code, err, loaded) = check();
    assert_eq!(code, Some(0), "{err}");
    assert!(loaded);
    chmod(&folder, 0o755);

    // A folder above the library owned by another user.
    chown(&folder, NOBODY);
    let (code, err, loaded) = check();
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains(&format!("folder {} is owned by ", folder.display())),
        "{err}"
    );
    assert!(!loaded, "code of the refused library ran");
    chown(&folder, me);
}

#[test]
fn issue_21_a_plugin_calling_exit_ends_docnorm_with_a_failure() {
    let setup = Setup::new();
    let config = setup.tagging_config("      exit_on: EXIT-HERE\n");
    let doc = setup.doc("quits.txt", "Quits\n\nThis one says EXIT-HERE.");
    let output = docnorm()
        .args(["process", "--config"])
        .arg(&config)
        .arg(&doc)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(70), "{err}");
    assert!(err.contains("a native plugin called exit()"), "{err}");

    // The daemon: a supervisor restarting on failure must see one.
    let inbox = setup.dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("calm.txt"), "Calm\n\nA calm document.").unwrap();
    std::fs::rename(&doc, inbox.join("quits.txt")).unwrap();
    let mut daemon = std::process::Command::new(env!("CARGO_BIN_EXE_docnorm"))
        .args(["--log-format", "json", "run", "--config"])
        .arg(&config)
        .current_dir(setup.dir.path())
        .env_remove("NOTIFY_SOCKET")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            daemon.kill().unwrap();
            panic!("the daemon did not exit");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut log = String::new();
    std::io::Read::read_to_string(&mut daemon.stderr.take().unwrap(), &mut log).unwrap();
    assert_eq!(status.code(), Some(70), "{log}");
    assert!(log.contains("a native plugin called exit()"), "{log}");
    assert!(
        log.contains("quits.txt"),
        "the log names the document: {log}"
    );
}
