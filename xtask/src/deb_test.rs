//! `cargo xtask deb-test`: the Debian package's maintainer scripts, on this machine.
//!
//! Needs root and dpkg, and a machine where no `docnorm` package is installed. Builds the
//! package twice (two versions), then installs, upgrades, removes and purges it with dpkg,
//! checking after each step what a user would look at: the binary, the `docnorm` user and
//! group, the spool folders and the config with their owners and modes, the unit (and
//! `systemd-analyze verify` on it), the manual page and completions, the conffile kept across
//! an upgrade, what a purge leaves. While installed, the daemon is run as the unit would run
//! it (the `docnorm` user, its working directory, `UMask=0077`) and a file dropped the
//! documented way must give a record the group can read. Without a running systemd the unit
//! is not started by the package (`deb-systemd-invoke` skips it): that part is not tested.
//! What the test created (the spool's test files, the user if it did not exist) is removed at
//! the end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::deb::{self, run};
use crate::flags::DebFlags;

const SPOOL: &str = "/var/spool/docnorm";
const CONFIG: &str = "/etc/docnorm/docnorm.yaml";
const UNIT: &str = "/usr/lib/systemd/system/docnorm.service";

/// Runs the install, upgrade, remove and purge steps and their checks.
pub fn run_all(no_build: bool) -> anyhow::Result<()> {
    if run(Command::new("id").arg("-u"))?.trim() != "0" {
        bail!("deb-test needs root: it installs and removes a package with dpkg");
    }
    if Command::new("dpkg")
        .args(["-s", "docnorm"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        bail!("a docnorm package is installed already; deb-test installs and purges its own");
    }
    let user_existed = user_exists();
    let built = deb::build(&DebFlags {
        version: Some("0.0.1-1".to_owned()),
        no_build,
    })?;
    // cargo-deb replaces an older version of the package in its folder: keep a copy.
    let kept = tempfile::tempdir()?;
    let first = kept
        .path()
        .join(built.file_name().context("a package file name")?);
    std::fs::copy(&built, &first)?;
    let second = deb::build(&DebFlags {
        version: Some("0.0.1-2".to_owned()),
        no_build: true,
    })?;
    let mut checks = Checks::default();
    let result = steps(&mut checks, &first, &second);
    let _ = Command::new("dpkg").args(["-P", "docnorm"]).output();
    clean_up(user_existed);
    checks.print();
    result?;
    if checks.failed > 0 {
        bail!("{} of {} checks failed", checks.failed, checks.total);
    }
    Ok(())
}

fn steps(checks: &mut Checks, first: &Path, second: &Path) -> anyhow::Result<()> {
    println!("install {}", first.display());
    dpkg(&["-i"], first)?;
    after_install(checks, "install");
    smoke_run(checks)?;

    // An administrator's edit of the config must survive the upgrade.
    let edited = format!("{}# edited by deb-test\n", std::fs::read_to_string(CONFIG)?);
    std::fs::write(CONFIG, &edited)?;
    run(Command::new("chmod").args(["0440", CONFIG]))?;
    println!("upgrade to {}", second.display());
    dpkg(&["-i"], second)?;
    after_install(checks, "upgrade");
    checks.check(
        "upgrade: version 0.0.1-2 is installed",
        query_version().as_deref() == Some("0.0.1-2"),
    );
    checks.check(
        "upgrade: the edited config is kept",
        std::fs::read_to_string(CONFIG).is_ok_and(|text| text == edited),
    );
    checks.check(
        "upgrade: the config's mode chosen by the administrator (0440) is kept",
        mode(CONFIG).as_deref() == Some("440 root:docnorm"),
    );

    println!("remove");
    run(Command::new("dpkg").args(["-r", "docnorm"]))?;
    checks.check(
        "remove: /usr/bin/docnorm is gone",
        !Path::new("/usr/bin/docnorm").exists(),
    );
    checks.check("remove: the unit is gone", !Path::new(UNIT).exists());
    checks.check(
        "remove: the config (a conffile) stays",
        Path::new(CONFIG).exists(),
    );
    checks.check(
        "remove: the spool and its records stay",
        !records().is_empty(),
    );
    checks.check("remove: the docnorm user stays", user_exists());

    println!("purge");
    run(Command::new("dpkg").args(["-P", "docnorm"]))?;
    checks.check(
        "purge: /etc/docnorm is gone",
        !Path::new("/etc/docnorm").exists(),
    );
    checks.check(
        "purge: the state store is gone",
        !Path::new(SPOOL).join(".docnorm").exists() && !Path::new("/var/lib/docnorm").exists(),
    );
    checks.check(
        "purge: the empty spool folders are gone",
        ["tmp", "inbox", "failed"]
            .iter()
            .all(|f| !Path::new(SPOOL).join(f).exists()),
    );
    checks.check(
        "purge: records (the administrator's data) stay, with their owner",
        !records().is_empty() && user_exists(),
    );
    Ok(())
}

/// What every install or upgrade must leave.
fn after_install(checks: &mut Checks, step: &str) {
    let version = Command::new("/usr/bin/docnorm").arg("--version").output();
    checks.check(
        &format!("{step}: /usr/bin/docnorm runs"),
        version.is_ok_and(|o| o.status.success()),
    );
    checks.check(
        &format!("{step}: system user and group docnorm"),
        user_exists()
            && run(Command::new("id").args(["-u", "docnorm"]))
                .ok()
                .and_then(|uid| uid.trim().parse::<u32>().ok())
                .is_some_and(|uid| uid < 1000),
    );
    for (path, expected) in [
        (SPOOL.to_owned(), "750 docnorm:docnorm"),
        (format!("{SPOOL}/tmp"), "2770 docnorm:docnorm"),
        (format!("{SPOOL}/inbox"), "2770 docnorm:docnorm"),
        (format!("{SPOOL}/out"), "750 docnorm:docnorm"),
        (format!("{SPOOL}/done"), "750 docnorm:docnorm"),
        (format!("{SPOOL}/failed"), "750 docnorm:docnorm"),
        ("/etc/docnorm".to_owned(), "750 root:docnorm"),
    ] {
        let found = mode(&path).unwrap_or_else(|| "missing".to_owned());
        let what = if found == expected {
            format!("{step}: {path} is {expected}")
        } else {
            format!("{step}: {path} is {expected}, found {found}")
        };
        checks.check(&what, found == expected);
    }
    if step == "install" {
        checks.check(
            "install: the config is 640 root:docnorm",
            mode(CONFIG).as_deref() == Some("640 root:docnorm"),
        );
    }
    let verify = Command::new("systemd-analyze")
        .args(["verify", UNIT])
        .output();
    checks.check(
        &format!("{step}: systemd-analyze verify {UNIT}"),
        verify.is_ok_and(|o| o.status.success() && o.stderr.is_empty()),
    );
    checks.check(
        &format!("{step}: the unit is enabled (multi-user.target.wants)"),
        Path::new("/etc/systemd/system/multi-user.target.wants/docnorm.service").exists(),
    );
    for file in [
        "/usr/share/man/man1/docnorm.1.gz",
        "/usr/share/man/man1/docnorm-process.1.gz",
        "/usr/share/bash-completion/completions/docnorm",
        "/usr/share/zsh/vendor-completions/_docnorm",
        "/usr/share/fish/vendor_completions.d/docnorm.fish",
    ] {
        checks.check(&format!("{step}: {file}"), Path::new(file).is_file());
    }
    let checked = as_docnorm(&["docnorm", "check", "--config", CONFIG]).output();
    checks.check(
        &format!("{step}: the docnorm user reads the config (docnorm check)"),
        checked.is_ok_and(|o| o.status.success()),
    );
}

/// Runs the daemon as the unit does, drops a file the README's way and checks its record.
fn smoke_run(checks: &mut Checks) -> anyhow::Result<()> {
    let log = tempfile::NamedTempFile::new()?;
    let mut daemon = as_docnorm(&[
        "sh",
        "-c",
        &format!("umask 0077 && exec docnorm --log-format json run --config {CONFIG}"),
    ])
    .current_dir(SPOOL)
    .env("DOCNORM_LOG", "info")
    .stdout(Stdio::null())
    .stderr(log.reopen()?)
    .spawn()
    .context("cannot start the daemon as the docnorm user")?;
    let log_text = || std::fs::read_to_string(log.path()).unwrap_or_default();
    let started = wait_until(|| log_text().contains("watching the inbox"));
    if started {
        // As the README says: write into tmp/, then rename into inbox/.
        let staged = Path::new(SPOOL).join("tmp/hello.txt");
        std::fs::write(&staged, "A first document, dropped the documented way.\n")?;
        run(Command::new("chgrp").arg("docnorm").arg(&staged))?;
        std::fs::rename(&staged, Path::new(SPOOL).join("inbox/hello.txt"))?;
    }
    let recorded = started && wait_until(|| !records().is_empty());
    stop(&mut daemon);
    checks.check(
        "install: the daemon, run as the unit runs it, turns a dropped file into a record",
        recorded,
    );
    let record = records().into_iter().next();
    checks.check(
        "install: the record is 640 docnorm:docnorm (the group reads it)",
        record.and_then(|r| mode(&r.to_string_lossy())).as_deref() == Some("640 docnorm:docnorm"),
    );
    if !recorded {
        println!("daemon log:\n{}", log_text());
    }
    Ok(())
}

fn stop(daemon: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
}

fn records() -> Vec<PathBuf> {
    std::fs::read_dir(Path::new(SPOOL).join("out"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default()
}

fn as_docnorm(args: &[&str]) -> Command {
    let mut command = Command::new("setpriv");
    command
        .args([
            "--reuid",
            "docnorm",
            "--regid",
            "docnorm",
            "--init-groups",
            "--",
        ])
        .args(args);
    command
}

fn dpkg(flags: &[&str], package: &Path) -> anyhow::Result<()> {
    run(Command::new("dpkg").args(flags).arg(package)).map(drop)
}

fn query_version() -> Option<String> {
    run(Command::new("dpkg-query").args(["-W", "-f", "${Version}", "docnorm"]))
        .ok()
        .map(|v| v.trim().to_owned())
}

/// `stat`'s mode and owner of `path`, e.g. `2770 docnorm:docnorm`.
fn mode(path: &str) -> Option<String> {
    run(Command::new("stat").args(["-c", "%a %U:%G", path]))
        .ok()
        .map(|s| s.trim().to_owned())
}

fn user_exists() -> bool {
    Command::new("getent")
        .args(["passwd", "docnorm"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Removes what the test left: the spool's test files, and the user when it made it.
fn clean_up(user_existed: bool) {
    let _ = std::fs::remove_dir_all(SPOOL);
    if !user_existed {
        let _ = Command::new("deluser")
            .args(["--system", "docnorm"])
            .output();
        let _ = Command::new("delgroup")
            .args(["--system", "docnorm"])
            .output();
    }
}

/// The checks made so far.
#[derive(Default)]
struct Checks {
    lines: Vec<String>,
    total: usize,
    failed: usize,
}

impl Checks {
    fn check(&mut self, what: &str, passed: bool) {
        self.total += 1;
        if !passed {
            self.failed += 1;
        }
        self.lines
            .push(format!("{}  {what}", if passed { "ok  " } else { "FAIL" }));
    }

    fn print(&self) {
        for line in &self.lines {
            println!("{line}");
        }
        println!(
            "{} checks, {} failed; not tested here: starting, reloading and stopping the unit under systemd (not running on this machine)",
            self.total, self.failed
        );
    }
}
