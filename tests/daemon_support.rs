//! The real daemon over a temporary spool, for the end-to-end tests of `docnorm run`: start
//! it, drop documents the way producers should, wait for what it does and read what it left.
//!
//! Every wait polls for its condition with a generous deadline; no test sleeps a fixed time
//! to let the daemon work.
#![allow(dead_code)]
// A failed setup step (temporary folder, file copy) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A generous deadline for anything the daemon should do in well under a second.
pub const SOON: Duration = Duration::from_secs(30);

/// A temporary spool with a config file in it.
pub struct Spool {
    pub dir: tempfile::TempDir,
    pub starts: usize,
}

impl Spool {
    pub fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("docnorm.yaml"), config).unwrap();
        for sub in ["inbox", "stage"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Self { dir, starts: 0 }
    }

    pub fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// Starts the daemon in the spool's folder, its log in `log-<n>.txt`.
    pub fn start(&mut self) -> Daemon {
        self.start_with(&[])
    }

    pub fn start_with(&mut self, env: &[(&str, &str)]) -> Daemon {
        self.starts += 1;
        let log = self.path(&format!("log-{}.txt", self.starts));
        let mut command = Command::new(env!("CARGO_BIN_EXE_docnorm"));
        command
            .args(["--log-format", "json", "run", "--config", "docnorm.yaml"])
            .current_dir(self.dir.path())
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env("DOCNORM_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().unwrap();
        let daemon = Daemon { child, log };
        daemon.wait_log("watching the inbox");
        daemon
    }

    /// Writes a document in `stage/` and renames it into the inbox, as producers should.
    pub fn drop_doc(&self, name: &str, text: &str) {
        let staged = self.path("stage").join(name);
        std::fs::write(&staged, text).unwrap();
        std::fs::rename(&staged, self.path("inbox").join(name)).unwrap();
    }

    pub fn records(&self) -> Vec<Value> {
        names(&self.path("out"))
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.path("out").join(name)).unwrap();
                serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("record {name} does not parse: {e}"))
            })
            .collect()
    }

    pub fn count(&self, sub: &str) -> usize {
        names(&self.path(sub)).len()
    }

    /// The failed inputs (not their `.error.json`).
    pub fn failed(&self) -> Vec<String> {
        names(&self.path("failed"))
            .into_iter()
            .filter(|n| !n.ends_with(".error.json"))
            .collect()
    }

    pub fn error_report(&self, name: &str) -> Value {
        let path = self.path("failed").join(format!("{name}.error.json"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }
}

/// A running daemon; killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn wait_log(&self, needle: &str) {
        let found = wait_until(SOON, || self.log().contains(needle));
        assert!(found, "no `{needle}` in the log:\n{}", self.log());
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + SOON;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the daemon did not exit:\n{}", self.log());
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `done` every 20 ms until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// File names in a folder, without hidden ones (temporary files of atomic writes).
pub fn names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// A small Markdown document with front matter; `n` makes its body unique.
pub fn doc(n: usize) -> String {
    format!(
        "---\ntitle: Report number {n}\nauthor: Test Writer\n---\n\nThis is the body of report {n}. \
         It has a few sentences so that it reads like a document.\n\nA second paragraph closes report {n}.\n"
    )
}
