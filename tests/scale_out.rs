//! End-to-end tests of scale-out over NATS `JetStream` (issue 23): the real `docnorm` binary as
//! an edge (`docnorm run` with `queue.nats`), workers and a sink, around a real
//! `nats-server -js` started on a free port with a temporary store.
//!
//! The server binary is looked up on `PATH` (Debian: `apt-get install nats-server`). Without
//! it these tests say on stderr that they were skipped and pass, unless
//! `DOCNORM_REQUIRE_NATS` is set (as `.ci/run` does), which makes a missing server a failure.
// A failed setup step (temporary folder, process start) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod plugins_support;
mod util;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Variants of the seeds dropped, besides the poison document.
const DOCUMENTS: usize = 2000;

/// How long the whole run may take before the test gives up.
const DEADLINE: Duration = Duration::from_secs(600);

/// The marker that makes the `probe` plugin sleep: the poison document never finishes.
const SLEEP_MARKER: &str = "docnorm-test-sleep-ms:";

#[test]
fn issue_23_every_document_gives_one_record_through_a_worker_kill_and_a_server_restart() {
    let Some(binary) = nats_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&binary, dir.path());
    std::fs::write(dir.path().join("docnorm.yaml"), config(server.port)).unwrap();
    for sub in ["inbox", "stage"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    let started = Instant::now();
    let mut sink = Role::start(dir.path(), "sink", "sink", "writing records from NATS");
    let mut workers: Vec<Role> = (0..3)
        .map(|n| {
            let log = format!("worker-{n}");
            Role::start(dir.path(), "worker", &log, "taking files from NATS")
        })
        .collect();
    let edge = Role::start(dir.path(), "run", "edge", "watching the inbox");

    let expected = drop_documents(dir.path());
    let out = dir.path().join("out");
    wait_for(|| count(&out) >= DOCUMENTS / 4, "a quarter of the records");
    let before_kill = count(&out);
    workers[0].kill();
    workers[0] = Role::start(dir.path(), "worker", "worker-0b", "taking files from NATS");
    wait_for(|| count(&out) >= DOCUMENTS / 2, "half of the records");
    let before_restart = count(&out);
    server.restart();
    let failed = dir.path().join("failed");
    wait_for(
        || count(&out) >= DOCUMENTS && reports(&failed).len() == 1,
        "every record and the poison document's report",
    );
    let elapsed = started.elapsed();
    assert!(
        before_kill < DOCUMENTS && before_restart < DOCUMENTS,
        "the kill ({before_kill} records before it) and the restart ({before_restart}) came mid-stream"
    );

    // Exactly one record per document: each input name once, none missing, none extra.
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for record in records(&out) {
        *by_name
            .entry(record["source"]["name"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let twice: Vec<_> = by_name.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "documents with two records: {twice:?}");
    let names: Vec<&String> = by_name.keys().collect();
    let wanted: Vec<&String> = expected.iter().collect();
    assert_eq!(names, wanted, "records are not one per document");

    // The server dropped every second copy: the records stream holds one message per record,
    // plus the one failure, and the work queue is empty.
    let (records_held, files_held) = stream_counts(server.port);
    assert_eq!(records_held, DOCUMENTS as u64 + 1, "records stream");
    assert_eq!(files_held, 0, "files left in the work queue");

    // The poison document was given up after run.max_attempts deliveries, with the report
    // the embedded daemon writes, and its bytes kept beside it.
    let report_names = reports(&failed);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(failed.join(&report_names[0])).unwrap())
            .unwrap();
    assert_eq!(report["plugin"], "probe", "{report}");
    assert_eq!(report["attempts"], 3, "{report}");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("run.plugin_time_limit_ms"),
        "{report}"
    );
    assert!(report["path"].as_str().unwrap().ends_with("poison.md"));
    let kept = report_names[0].trim_end_matches(".error.json");
    assert_eq!(
        std::fs::read_to_string(failed.join(kept)).unwrap(),
        poison()
    );

    // The edge moved every input on: nothing left in the inbox or its work folder.
    assert_eq!(count(&dir.path().join("done")), DOCUMENTS + 1);
    assert_eq!(count(&dir.path().join("inbox")), 0);
    assert_eq!(count(&dir.path().join(".docnorm/work")), 0);
    drop(edge);
    for worker in &mut workers {
        worker.kill();
    }
    sink.kill();
    say(&format!(
        "scale_out: {} documents through 1 edge, 3 workers and 1 sink in {:.1} s",
        DOCUMENTS + 1,
        elapsed.as_secs_f64()
    ));
}

#[test]
fn a_worker_or_sink_without_a_queue_section_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("docnorm.yaml");
    std::fs::write(&config, "run:\n  max_attempts: 2\n").unwrap();
    for role in ["worker", "sink"] {
        let output = util::docnorm()
            .args([role, "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(78), "{role}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("needs a queue.nats section"), "{stderr}");
    }
}

#[test]
fn check_describes_the_queue_and_never_shows_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("password");
    std::fs::write(&secret, "hunter2-very-secret\n").unwrap();
    let config = dir.path().join("docnorm.yaml");
    std::fs::write(
        &config,
        format!(
            "queue:\n  nats:\n    servers: [nats://127.0.0.1:1]\n    user: docnorm\n    password: {{file: {}}}\n",
            secret.display()
        ),
    )
    .unwrap();
    let output = util::docnorm()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains(
            "queue.nats: nats://127.0.0.1:1 as docnorm (user docnorm, password from file"
        ),
        "{stdout}"
    );
    let all = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!all.contains("hunter2"), "{all}");

    // An ack-wait shorter than the plugin time limit is refused at load.
    std::fs::write(
        &config,
        "run:\n  plugin_time_limit_ms: 5000\nqueue:\n  nats:\n    ack_wait_ms: 5000\n",
    )
    .unwrap();
    let output = util::docnorm()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&output.stderr).contains("must exceed"));
}

/// The `nats-server` binary on `PATH`; `None` (after saying so) when it is missing and not
/// required.
fn nats_server() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("nats-server"))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("DOCNORM_REQUIRE_NATS").is_none(),
            "nats-server is not on PATH and DOCNORM_REQUIRE_NATS is set"
        );
        say("scale_out: SKIPPED, nats-server is not on PATH (Debian: apt-get install nats-server)");
    }
    found
}

/// Writes a line straight to stderr, past the test harness's capture (which takes only
/// `print!` and `eprint!`), so `cargo test` shows it.
fn say(line: &str) {
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

/// The config all roles share: the edge's spool, the sink's folders, the chain with the
/// sleeping `probe` first, short time limits so the kill and the poison resolve quickly, and
/// a small inline limit so the seeds above it travel through the object store.
fn config(port: u16) -> String {
    let library =
        plugins_support::install(&plugins_support::build("docnorm-test-probe"), &probe_dir());
    format!(
        "watch:\n  settle_ms: 200\n\
         run:\n  concurrency: 2\n  plugin_time_limit_ms: 3000\n  max_attempts: 3\n  shutdown_grace_ms: 5000\n\
         custom:\n  - name: probe\n    path: {}\n    options: {{sleep_marker: \"{SLEEP_MARKER}\"}}\n\
         chain: [probe, frontmatter, html, text, enrich]\n\
         queue:\n  nats:\n    servers: [\"nats://127.0.0.1:{port}\"]\n    ack_wait_ms: 6000\n    inline_max_bytes: 4500\n",
        library.display()
    )
}

/// A folder that outlives the test's processes, for the installed probe plugin.
fn probe_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .to_owned()
}

/// The document that hangs the `probe` plugin on every delivery.
fn poison() -> String {
    format!("---\ntitle: Poison\n---\n\n{SLEEP_MARKER} 60000\n\nNever finishes.\n")
}

/// Writes the seeds' variants and the poison document in `stage/` and renames each into the
/// inbox; returns the names expected to give a record.
fn drop_documents(dir: &Path) -> Vec<String> {
    let seeds: Vec<String> = util::seeds()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut names = Vec::with_capacity(DOCUMENTS);
    let drop = |name: &str, text: &str| {
        let staged = dir.join("stage").join(name);
        std::fs::write(&staged, text).unwrap();
        std::fs::rename(&staged, dir.join("inbox").join(name)).unwrap();
    };
    for i in 0..DOCUMENTS {
        let name = format!("doc-{i:04}.txt");
        drop(&name, &variant(&seeds[i % seeds.len()], i));
        names.push(name);
        if i == DOCUMENTS / 10 {
            drop("poison.md", &poison());
        }
    }
    names.sort();
    names
}

/// A seed with a changed title (or, under front matter, an extra field), so every variant
/// has its own record id.
fn variant(seed: &str, i: usize) -> String {
    if let Some(rest) = seed.strip_prefix("---\n") {
        return format!("---\nvariant: {i}\n{rest}");
    }
    let (title, rest) = seed.split_once('\n').unwrap_or((seed, ""));
    format!("{title} (variant {i})\n{rest}")
}

fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

fn records(dir: &Path) -> Vec<Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap())
        .collect()
}

fn reports(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).map_or(Vec::new(), |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".error.json"))
            .collect()
    })
}

fn wait_for(mut done: impl FnMut() -> bool, what: &str) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Messages held by the records stream and by the files stream, asked of the server.
fn stream_counts(port: u16) -> (u64, u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(format!("127.0.0.1:{port}"))
            .await
            .unwrap();
        let js = async_nats::jetstream::new(client);
        let mut held = Vec::new();
        for name in ["DOCNORM_RECORDS", "DOCNORM_FILES"] {
            let mut stream = js.get_stream(name).await.unwrap();
            held.push(stream.info().await.unwrap().state.messages);
        }
        (held[0], held[1])
    })
}

/// A `nats-server -js` on a free port of the loopback, its store in a temporary folder.
struct Server {
    binary: PathBuf,
    store: PathBuf,
    port: u16,
    child: Child,
}

impl Server {
    fn start(binary: &Path, dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let store = dir.join("nats");
        let child = Self::spawn(binary, &store, port);
        Self {
            binary: binary.to_owned(),
            store,
            port,
            child,
        }
    }

    fn spawn(binary: &Path, store: &Path, port: u16) -> Child {
        let child = Command::new(binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(
            || TcpStream::connect(("127.0.0.1", port)).is_ok(),
            "nats-server to listen",
        );
        child
    }

    /// Stops the server (SIGTERM: a clean shutdown) and starts it again on the same store.
    fn restart(&mut self) {
        terminate(&mut self.child);
        self.child = Self::spawn(&self.binary, &self.store, self.port);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    if child.wait_timeout().is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A running docnorm process; killed (SIGKILL) when dropped.
struct Role {
    child: Child,
}

impl Role {
    /// Starts `docnorm <command>` in `dir`, its log in `<log>.log`, and waits for `ready` in
    /// the log.
    fn start(dir: &Path, command: &str, log: &str, ready: &str) -> Self {
        let log = dir.join(format!("{log}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_docnorm"))
            .args(["--log-format", "json", command, "--config", "docnorm.yaml"])
            .current_dir(dir)
            .env_remove("NOTIFY_SOCKET")
            .env("DOCNORM_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        wait_for(
            || std::fs::read_to_string(&log).is_ok_and(|text| text.contains(ready)),
            ready,
        );
        Self { child }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waiting for a child with a bound: `Child` has no timeout of its own.
trait WaitTimeout {
    fn wait_timeout(&mut self) -> Option<std::process::ExitStatus>;
}

impl WaitTimeout for Child {
    fn wait_timeout(&mut self) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}
