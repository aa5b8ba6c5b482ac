//! End-to-end tests of custom plugins run in their own processes (issue 17): the real daemon,
//! real child processes misbehaving on purpose.
//!
//! `tests/plugins/misbehave.py` is a process plugin that exits, hangs, writes garbage, answers
//! another request's id, writes a 100 MB line, floods stderr or writes an undeclared field when
//! a document asks it to; the test-only native plugin `probe`, run isolated (`isolate: true`),
//! calls `abort()` on request. For each kind the document must land in `failed/` with an
//! `.error.json` naming the plugin and what it did, the other documents must go on, no plugin
//! process may be left behind, and the daemon's threads and open files must be what they were.
// A failed setup step (temporary folder, file copy) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod daemon_support;
mod plugins_support;
mod util;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use daemon_support::{Daemon, SOON, Spool, doc, wait_until};

/// How many misbehaving documents the leak test drops; `DOCNORM_TEST_MISBEHAVING` overrides it
/// (the issue asks for 1,000; 200 keep the test within a few minutes on two busy cores).
const MISBEHAVING: usize = 200;

/// A spool whose config, made by `config` from the spool's folder, names files inside it
/// (so that the plugin processes of each test can be told apart by their command lines).
fn spool_with(config: impl FnOnce(&Path) -> String) -> Spool {
    let spool = Spool::new("");
    let text = config(spool.dir.path());
    std::fs::write(spool.path("docnorm.yaml"), text).unwrap();
    spool
}

/// The `custom` entry of the misbehaving process plugin, its script copied into `dir`, with
/// more `settings` lines.
fn misbehave(dir: &Path, settings: &str) -> String {
    let script = dir.join("misbehave.py");
    let source = plugins_support::workspace().join("tests/plugins/misbehave.py");
    std::fs::copy(source, &script).unwrap();
    format!(
        "  - name: misbehave\n    command: [{}, {}]\n{settings}",
        plugins_support::python().display(),
        script.display()
    )
}

/// The `custom` entry of the probe library, installed into `dir` and run isolated, with more
/// `settings` lines.
fn isolated_probe(dir: &Path, settings: &str) -> String {
    let library = plugins_support::install(&plugins_support::build("docnorm-test-probe"), dir);
    format!(
        "  - name: probe\n    path: {}\n    isolate: true\n{settings}",
        library.display()
    )
}

/// What the kernel says about the daemon: its threads, and its open files not counting the
/// three pipes of each live plugin process (those come and go with the pool).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Census {
    threads: usize,
    files: usize,
}

fn census(pid: u32) -> Census {
    let count = |sub: &str| {
        std::fs::read_dir(format!("/proc/{pid}/{sub}"))
            .unwrap()
            .count()
    };
    Census {
        threads: count("task"),
        files: count("fd") - 3 * children(pid).len(),
    }
}

/// One process seen in `/proc`.
#[derive(Debug)]
struct Process {
    parent: u32,
    state: char,
    command: String,
}

fn processes() -> Vec<Process> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if entry.file_name().to_string_lossy().parse::<u32>().is_err() {
            continue;
        }
        let (Ok(stat), Ok(command)) = (
            std::fs::read_to_string(entry.path().join("stat")),
            std::fs::read(entry.path().join("cmdline")),
        ) else {
            continue;
        };
        // `pid (name) state ppid …`: the name may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|at| &stat[at + 2..]) else {
            continue;
        };
        let mut fields = after.split(' ');
        let state = fields.next().and_then(|s| s.chars().next()).unwrap_or('?');
        let parent = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let command = String::from_utf8_lossy(&command).replace('\0', " ");
        found.push(Process {
            parent,
            state,
            command,
        });
    }
    found
}

/// The daemon's child processes.
fn children(pid: u32) -> Vec<Process> {
    processes()
        .into_iter()
        .filter(|p| p.parent == pid)
        .collect()
}

/// Every process running a plugin from `dir`, wherever it is in the process tree.
fn plugin_processes(dir: &Path) -> Vec<Process> {
    let dir = dir.display().to_string();
    processes()
        .into_iter()
        .filter(|p| p.command.contains(&dir))
        .collect()
}

fn pid_of(daemon: &Daemon) -> u32 {
    daemon.child.id()
}

/// A document asking the plugins to do `what` (a `docnorm-test-…` marker, or `none`).
fn asking(n: usize, what: &str) -> String {
    format!("{}\ndocnorm-test-{what}\n", doc(n))
}

/// What a misbehaving document must leave in its `.error.json`: the plugin, a piece of the
/// reason, and the attempts (every run of the plugin failed it, or only the first when the
/// failure is a verdict on the document).
struct Expected {
    plugin: &'static str,
    reason: &'static [&'static str],
    attempts: u64,
}

fn expected(what: &str) -> Expected {
    let (plugin, reason, attempts): (_, &'static [&'static str], _) = match what {
        "exit" => (
            "misbehave",
            &["its process exited with status 3 before answering"],
            2,
        ),
        "hang" | "flood" => ("misbehave", &["time limit of 3000 ms"], 2),
        "garbage" => (
            "misbehave",
            &[
                "answered with a line that is not a protocol message",
                "`this is not JSON`",
            ],
            2,
        ),
        "wrong-id" => ("misbehave", &["answered request ", " with id "], 2),
        "huge" => (
            "misbehave",
            &["answered with a line longer than 4194304 bytes (max_response_bytes)"],
            2,
        ),
        "undeclared" => (
            "misbehave",
            &["rejected patch: writes undeclared field `title`"],
            1,
        ),
        "abort" => (
            "probe",
            &["its process was killed by signal 6 (SIGABRT) before answering"],
            2,
        ),
        other => panic!("no expectation for {other}"),
    };
    Expected {
        plugin,
        reason,
        attempts,
    }
}

#[test]
fn misbehaving_plugin_processes_fail_only_their_documents_and_leave_nothing_behind() {
    let total: usize = std::env::var("DOCNORM_TEST_MISBEHAVING")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(MISBEHAVING);
    let mut spool = spool_with(|dir| {
        format!(
            "watch:\n  settle_ms: 200\n  reconcile_interval_ms: 5000\n\
             run:\n  concurrency: 4\n  plugin_time_limit_ms: 3000\n  max_attempts: 2\n  shutdown_grace_ms: 20000\n\
             chain: [misbehave, probe, frontmatter, html, text, enrich]\n\
             custom:\n{}{}",
            misbehave(dir, "    max_response_bytes: 4194304\n"),
            isolated_probe(dir, "    options: {abort_on: docnorm-test-abort}\n")
        )
    });
    let dir = spool.dir.path().to_owned();
    let mut daemon = spool.start();
    let pid = pid_of(&daemon);

    // Warm up: every worker thread has run a document.
    for n in 0..8 {
        spool.drop_doc(&format!("warm-{n:03}.md"), &asking(n, "none"));
    }
    assert!(
        wait_until(SOON, || spool.count("done") == 8),
        "{}",
        daemon.log()
    );
    let before = census(pid);

    // The slow kinds (a time limit, or 4 MiB of pipe per attempt) are fewer.
    let slow = ["hang", "flood", "huge"];
    let fast = ["exit", "garbage", "wrong-id", "undeclared", "abort"];
    let slow_each = 6.min(total / 8);
    let mut kinds: Vec<&str> = slow
        .iter()
        .flat_map(|k| [*k; 6][..slow_each].to_vec())
        .collect();
    let fast_total = total - kinds.len();
    kinds.extend((0..fast_total).map(|i| fast[i % fast.len()]));
    let mut good = Vec::new();
    for (n, what) in kinds.iter().enumerate() {
        spool.drop_doc(&format!("{what}-{n:04}.md"), &asking(1000 + n, what));
        if n % 4 == 0 {
            let name = format!("good-{n:04}.md");
            spool.drop_doc(&name, &asking(1000 + n, "chatty"));
            good.push(name);
        }
    }
    let all_done = wait_until(Duration::from_secs(600), || {
        spool.failed().len() == kinds.len() && spool.count("done") == 8 + good.len()
    });
    assert!(
        all_done,
        "{} failed, {} done\n{}",
        spool.failed().len(),
        spool.count("done"),
        daemon.log()
    );

    // Each failure names the plugin and what it did, after the attempts it deserved.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for name in spool.failed() {
        let what = name.rsplit_once('-').unwrap().0.to_owned();
        let report = spool.error_report(&name);
        let want = expected(&what);
        assert_eq!(report["plugin"], want.plugin, "{name}: {report}");
        let reason = report["reason"].as_str().unwrap();
        for piece in want.reason {
            assert!(reason.contains(piece), "{name}: `{piece}` not in {reason}");
        }
        assert_eq!(report["attempts"], want.attempts, "{name}: {report}");
        *seen.entry(what).or_default() += 1;
    }
    assert_eq!(seen.len(), 8, "{seen:?}");

    // The others went on, through the plugin, whose stderr reached the log in their span.
    let records = spool.records();
    assert_eq!(records.len(), 8 + good.len());
    assert!(records.iter().all(|r| r["extra"]["misbehave"].is_u64()));
    let log = daemon.log();
    let chatty = log
        .lines()
        .find(|l| l.contains("chatty line 2 about") && l.contains("\"plugin\":\"misbehave\""))
        .unwrap_or_else(|| panic!("no stderr line of the plugin in the log:\n{log}"));
    assert!(
        chatty.contains("\"name\":\"document\""),
        "not in the document's span: {chatty}"
    );
    assert!(log.contains("lines to stderr for one document; the rest were not logged"));

    // Nothing left behind: every plugin process is an idle one of the two pools, a live child
    // of the daemon; threads and open files are back to what they were.
    let stable = wait_until(Duration::from_secs(30), || census(pid) == before);
    assert!(stable, "before {before:?}, after {:?}", census(pid));
    let running = plugin_processes(&dir);
    assert!(running.len() <= 8, "{running:?}");
    for process in &running {
        assert_eq!(
            process.parent, pid,
            "an orphaned plugin process: {process:?}"
        );
        assert_ne!(process.state, 'Z', "a zombie: {process:?}");
    }
    assert!(children(pid).iter().all(|c| c.state != 'Z'));

    // Still at work.
    spool.drop_doc("last.md", &asking(99_999, "none"));
    assert!(wait_until(SOON, || spool.count("done") == 9 + good.len()));
    assert!(daemon.child.try_wait().unwrap().is_none());

    // SIGTERM stops every plugin process.
    daemon.signal("TERM");
    assert!(daemon.wait_exit().success(), "{}", daemon.log());
    let gone = wait_until(SOON, || plugin_processes(&dir).is_empty());
    assert!(gone, "{:?}", plugin_processes(&dir));
}

#[test]
fn a_hung_plugin_is_killed_at_the_time_limit_and_the_next_document_runs_on_a_fresh_process() {
    let mut spool = spool_with(|dir| {
        format!(
            "watch:\n  settle_ms: 100\n\
             run:\n  concurrency: 1\n  plugin_time_limit_ms: 1500\n  max_attempts: 1\n\
             chain: [misbehave, frontmatter, html, text, enrich]\n\
             custom:\n{}",
            misbehave(dir, "    processes: 1\n")
        )
    });
    let daemon = spool.start();
    let pid_in = |name: &str| {
        let records = spool.records();
        let record = records
            .iter()
            .find(|r| r["source"]["name"] == name)
            .unwrap_or_else(|| panic!("no record of {name}"));
        record["extra"]["misbehave"].as_u64().unwrap()
    };

    spool.drop_doc("first.md", &asking(1, "none"));
    assert!(
        wait_until(SOON, || spool.count("done") == 1),
        "{}",
        daemon.log()
    );
    let first = pid_in("first.md");

    let dropped = Instant::now();
    spool.drop_doc("hang.md", &asking(2, "hang"));
    assert!(wait_until(SOON, || spool.count("inbox") == 0));
    spool.drop_doc("next.md", &asking(3, "none"));
    assert!(
        wait_until(SOON, || spool.failed().len() == 1),
        "{}",
        daemon.log()
    );
    let failed = Instant::now();
    let report = spool.error_report("hang.md");
    assert_eq!(report["plugin"], "misbehave");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("time limit of 1500 ms"),
        "{report}"
    );
    let took = failed - dropped;
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(4),
        "failed after {took:?}"
    );

    assert!(
        wait_until(SOON, || spool.count("done") == 2),
        "{}",
        daemon.log()
    );
    let next_took = failed.elapsed();
    assert!(
        next_took < Duration::from_secs(1),
        "the next document took {next_took:?} after the time-out"
    );
    let next = pid_in("next.md");
    assert_ne!(next, first, "the next document ran on the hung process");
    assert!(
        !Path::new(&format!("/proc/{first}")).exists(),
        "the hung process {first} still exists"
    );
}

#[test]
fn sighup_replaces_the_processes_of_a_changed_plugin_and_keeps_the_others() {
    let config = |dir: &Path, tag: &str| {
        format!(
            "watch:\n  settle_ms: 100\nrun:\n  concurrency: 1\n\
             chain: [misbehave, frontmatter, html, text, enrich]\n\
             custom:\n{}",
            misbehave(
                dir,
                &format!("    processes: 1\n    options: {{tag: {tag}}}\n")
            )
        )
    };
    let mut spool = spool_with(|dir| config(dir, "one"));
    let daemon = spool.start();
    let mut n = 0;
    let mut process_now = |spool: &Spool| {
        n += 1;
        let name = format!("doc-{n}.md");
        spool.drop_doc(&name, &asking(n, "none"));
        assert!(
            wait_until(SOON, || spool.count("done") == n),
            "{}",
            daemon.log()
        );
        let records = spool.records();
        let record = records
            .iter()
            .find(|r| r["source"]["name"] == name)
            .unwrap();
        record["extra"]["misbehave"].as_u64().unwrap()
    };
    let first = process_now(&spool);
    let reloads = |count: usize| daemon.log().matches("config reloaded").count() == count;

    daemon.signal("HUP");
    assert!(wait_until(SOON, || reloads(1)), "{}", daemon.log());
    assert_eq!(
        process_now(&spool),
        first,
        "an unchanged plugin keeps its process"
    );

    std::fs::write(spool.path("docnorm.yaml"), config(spool.dir.path(), "two")).unwrap();
    daemon.signal("HUP");
    assert!(wait_until(SOON, || reloads(2)), "{}", daemon.log());
    let second = process_now(&spool);
    assert_ne!(second, first, "a changed plugin gets new processes");
    assert!(
        wait_until(SOON, || !Path::new(&format!("/proc/{first}")).exists()),
        "the old process {first} was not stopped"
    );
}

#[test]
fn a_plugin_that_cannot_start_is_refused_by_check_and_run_with_the_reason() {
    let python = plugins_support::python();
    let cases = [
        (
            "import time; time.sleep(60)",
            "did not complete its handshake within 1000 ms",
        ),
        (
            "import sys; sys.stderr.write('missing module tagger_rules\\n'); sys.exit(1)",
            "its process exited with status 1 before answering (its last line on stderr: `missing module tagger_rules`)",
        ),
        (
            r#"import json, sys; sys.stdin.readline(); print(json.dumps({"type": "manifest", "protocol": "docnorm.plugin-protocol/2", "name": "x", "version": "1", "reads": [], "writes": []}), flush=True); sys.stdin.read()"#,
            "speaks docnorm.plugin-protocol/2, this docnorm speaks docnorm.plugin-protocol/1",
        ),
    ];
    for (script, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "run:\n  plugin_time_limit_ms: 1000\nchain: [broken, frontmatter]\ncustom:\n  - name: broken\n    command: [{}, -c, {}]\n",
            python.display(),
            serde_json::to_string(script).unwrap()
        );
        std::fs::write(dir.path().join("docnorm.yaml"), config).unwrap();
        for command in ["check", "run"] {
            let output = util::docnorm()
                .args([command, "--config", "docnorm.yaml"])
                .current_dir(dir.path())
                .timeout(Duration::from_secs(30))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(78), "{command}: {stderr}");
            assert!(
                stderr.contains("plugin broken: cannot start") && stderr.contains(reason),
                "{command}: `{reason}` not in {stderr}"
            );
        }
    }
}

#[test]
fn check_reports_process_and_isolated_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "chain: [misbehave, probe, frontmatter]\ncustom:\n{}{}",
        misbehave(dir.path(), ""),
        isolated_probe(dir.path(), "    processes: 2\n")
    );
    std::fs::write(dir.path().join("docnorm.yaml"), config).unwrap();
    let output = util::docnorm()
        .args(["check", "--config", "docnorm.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("custom plugin misbehave: command `")
            && stdout.contains("declares misbehave 1.0.0 (docnorm.plugin-protocol/1, up to "),
        "{stdout}"
    );
    assert!(
        stdout.contains(" (isolated in docnorm plugin-host) declares probe 0.1.0 (docnorm.plugin-protocol/1, up to 2 processes), reads [body], writes [body, extra]"),
        "{stdout}"
    );
    assert!(
        plugin_processes(dir.path()).is_empty(),
        "check left plugin processes behind"
    );
}
