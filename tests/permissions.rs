//! Issue 22, the permission model: the daemon runs as an unprivileged service user, under a
//! `0022` and under a `0077` umask (systemd's `UMask=0077`), and a second user in the
//! service's group can read the records, list `failed/` and read each `.error.json`; a user
//! outside the group cannot (the spool folder is `0750`), and under `0077` the files give
//! others nothing and the state store stays private.
//!
//! Needs root: it creates a group and three users (removed at the end) and runs the daemon
//! and the readers as those users with `setpriv` (util-linux). Run as another user it fails,
//! saying so; skip it there with `cargo test -- --skip permissions`.
// A failed setup step (user creation, file copy) should fail the test where it happened.
#![allow(clippy::unwrap_used)]

mod util;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The group and users of one test run, removed when dropped.
struct Accounts {
    group: String,
    /// Runs the daemon; its primary group is `group`.
    service: String,
    /// In `group`: a consumer or producer.
    member: String,
    /// Not in `group`.
    outsider: String,
}

impl Accounts {
    fn create() -> Self {
        let root = Command::new("id").arg("-u").output().unwrap();
        assert!(
            String::from_utf8_lossy(&root.stdout).trim() == "0",
            "this test needs root: it creates a group and users (groupadd, useradd) and runs \
             docnorm as them (setpriv); run it as root, or skip it with `-- --skip permissions`"
        );
        let tag = std::process::id();
        let accounts = Self {
            group: format!("dn22g{tag}"),
            service: format!("dn22s{tag}"),
            member: format!("dn22m{tag}"),
            outsider: format!("dn22o{tag}"),
        };
        run(Command::new("groupadd").args(["--system", &accounts.group]));
        let add = |name: &str, extra: &[&str]| {
            run(Command::new("useradd")
                .args([
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                ])
                .args(extra)
                .arg(name));
        };
        add(&accounts.service, &["--gid", &accounts.group]);
        add(
            &accounts.member,
            &["--user-group", "--groups", &accounts.group],
        );
        add(&accounts.outsider, &["--user-group"]);
        accounts
    }

    /// Runs `args` as `user`, with that user's primary and supplementary groups.
    fn as_user(user: &str, args: &[&str]) -> Command {
        let primary = Command::new("id").args(["-g", user]).output().unwrap();
        let primary = String::from_utf8(primary.stdout).unwrap();
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid",
                user,
                "--regid",
                primary.trim(),
                "--init-groups",
                "--",
            ])
            .args(args);
        command
    }
}

impl Drop for Accounts {
    fn drop(&mut self) {
        for user in [&self.service, &self.member, &self.outsider] {
            let _ = Command::new("userdel").arg(user).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn chown(path: &Path, owner: &str) {
    run(Command::new("chown").arg(owner).arg(path));
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether `user` can read the file at `path` (`cat`) or list the folder (`ls`).
fn can_read(user: &str, path: &Path) -> bool {
    let tool = if path.is_dir() { "ls" } else { "cat" };
    let output: Output = Accounts::as_user(user, &[tool, path.to_str().unwrap()])
        .output()
        .unwrap();
    output.status.success()
}

fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The daemon, run as the service user in `spool` under `umask`; stopped with SIGTERM.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn start(accounts: &Accounts, spool: &Path, umask: &str, log: PathBuf) -> Self {
        let script = format!(
            "umask {umask} && exec {} run",
            env!("CARGO_BIN_EXE_docnorm")
        );
        let child = Accounts::as_user(&accounts.service, &["sh", "-c", &script])
            .current_dir(spool)
            .env("DOCNORM_LOG", "info")
            .env_remove("NOTIFY_SOCKET")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let daemon = Self { child, log };
        assert!(
            wait_until(|| daemon.log().contains("watching the inbox")),
            "the daemon did not start: {}",
            daemon.log()
        );
        daemon
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Runs the daemon under `umask` over a spool laid out as the README's install makes it,
/// drops one good and one empty file as the member would, and checks who can read what.
fn check_under_umask(accounts: &Accounts, umask: &str) {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let spool = dir.path().join("spool");
    let inbox = spool.join("inbox");
    let stage = spool.join("tmp");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::create_dir_all(&stage).unwrap();
    let service = format!("{}:{}", accounts.service, accounts.group);
    for (path, mode) in [(&spool, 0o750), (&inbox, 0o2770), (&stage, 0o2770)] {
        chown(path, &service);
        chmod(path, mode);
    }
    let daemon = Daemon::start(accounts, &spool, umask, dir.path().join("log.txt"));

    // A producer in the group writes into tmp/ and renames into the inbox.
    let producer = format!("{}:{}", accounts.member, accounts.group);
    for (name, text) in [
        (
            "article.md",
            std::fs::read(util::fixture("article.md")).unwrap(),
        ),
        ("empty.txt", Vec::new()),
    ] {
        let staged = stage.join(name);
        std::fs::write(&staged, text).unwrap();
        chown(&staged, &producer);
        chmod(&staged, 0o640);
        std::fs::rename(&staged, inbox.join(name)).unwrap();
    }
    let out = spool.join("out");
    let failed = spool.join("failed");
    let finished =
        wait_until(|| files(&out, ".json").len() == 1 && files(&failed, ".error.json").len() == 1);
    assert!(finished, "umask {umask}: {}", daemon.log());
    let record = &files(&out, ".json")[0];
    let report = failed.join("empty.txt.error.json");

    // The member reads records, lists failed/ and reads why a file failed.
    for path in [&out, record, &failed, &report, &failed.join("empty.txt")] {
        assert!(
            can_read(&accounts.member, path),
            "umask {umask}: the group member cannot read {}",
            path.display()
        );
    }
    let mode = |path: &Path| std::fs::metadata(path).unwrap().mode() & 0o7777;
    let group_of = |path: &Path| std::fs::metadata(path).unwrap().gid();
    let group_id = group_of(&spool);
    for path in [record, &report] {
        assert_eq!(group_of(path), group_id, "{}", path.display());
    }
    // The spool folder (0750, as installed) keeps users outside the group out.
    assert!(
        !can_read(&accounts.outsider, record),
        "umask {umask}: a user outside the group reads a record"
    );
    let state_store = spool.join(".docnorm/state.sqlite");
    if umask == "0077" {
        // Group read is added; nothing for others, and the state store stays private.
        assert_eq!(mode(record), 0o640, "record");
        assert_eq!(mode(&report), 0o640, "error report");
        assert_eq!(mode(&out), 0o750, "out/");
        assert_eq!(mode(&failed), 0o750, "failed/");
        assert!(
            !can_read(&accounts.member, &state_store),
            "umask 0077: the state store is private"
        );
    } else {
        assert_eq!(mode(record), 0o644, "record");
        assert_eq!(mode(&report), 0o644, "error report");
        assert_eq!(mode(&out), 0o755, "out/");
    }
}

#[test]
fn permissions_the_service_group_reads_records_and_failures_under_0022_and_0077_umasks() {
    let accounts = Accounts::create();
    check_under_umask(&accounts, "0022");
    check_under_umask(&accounts, "0077");
}
