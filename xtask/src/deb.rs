//! `cargo xtask deb`: the Debian package, built with cargo-deb.
//!
//! cargo-deb packages files that must exist first: this builds the release binary, asks it
//! for its manual pages (`docnorm man`, gzipped as Debian wants them) and its bash, zsh and
//! fish completions (`docnorm completions`), all generated from the command line's own
//! definition, into `target/release/deb/`, then runs `cargo deb` with the table in
//! `daemon/Cargo.toml` (binary, unit, example config, maintainer scripts in
//! `config/debian/`). Prints the package's path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use flate2::{Compression, write::GzEncoder};
use tracing::info;

use crate::flags::DebFlags;
use crate::workspace::{cargo, target_dir};

/// Builds the package and returns its path.
pub fn build(flags: &DebFlags) -> anyhow::Result<PathBuf> {
    let has_cargo_deb = cargo()
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_cargo_deb {
        bail!("cargo-deb is not installed: run `cargo install cargo-deb` (from crates.io)");
    }
    if !flags.no_build {
        info!("building the release binary");
        run(cargo().args(["build", "--release", "-p", "docnorm"]))?;
    }
    let release = target_dir().join("release");
    let docnorm = release.join("docnorm");
    let assets = release.join("deb");
    generate_man_pages(&docnorm, &assets.join("man"))?;
    generate_completions(&docnorm, &assets.join("completions"))?;
    let mut command = cargo();
    // Stripped: the release profile keeps line tables for the benchmarks' profiles.
    command.args(["deb", "-p", "docnorm", "--no-build", "--strip"]);
    if let Some(version) = &flags.version {
        command.args(["--deb-version", version]);
    }
    let output = command.output().context("cannot run cargo deb")?;
    if !output.status.success() {
        bail!(
            "cargo deb failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let printed = String::from_utf8_lossy(&output.stdout);
    let package = printed
        .lines()
        .rev()
        .map(|line| PathBuf::from(line.trim()))
        .find(|path| path.extension().is_some_and(|e| e == "deb"))
        .with_context(|| format!("cargo deb printed no package path: {printed}"))?;
    Ok(package)
}

/// `docnorm.1` and one page per command, each gzipped (`gzip -9n`: no name, no time, so the
/// package is reproducible).
fn generate_man_pages(docnorm: &Path, dir: &Path) -> anyhow::Result<()> {
    let pages = tempfile::tempdir()?;
    run(Command::new(docnorm)
        .args(["man", "--output"])
        .arg(pages.path()))?;
    recreate(dir)?;
    for entry in std::fs::read_dir(pages.path())? {
        let page = entry?.path();
        let name = page
            .file_name()
            .context("a page has a name")?
            .to_string_lossy()
            .into_owned();
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        gzip.write_all(&std::fs::read(&page)?)?;
        std::fs::write(dir.join(format!("{name}.gz")), gzip.finish()?)?;
    }
    Ok(())
}

/// The completion scripts under the names the package installs them as.
fn generate_completions(docnorm: &Path, dir: &Path) -> anyhow::Result<()> {
    recreate(dir)?;
    for (shell, file) in [
        ("bash", "docnorm.bash"),
        ("zsh", "_docnorm"),
        ("fish", "docnorm.fish"),
    ] {
        let output = Command::new(docnorm)
            .args(["completions", shell])
            .output()
            .with_context(|| format!("cannot run {}", docnorm.display()))?;
        if !output.status.success() {
            bail!("docnorm completions {shell} failed");
        }
        std::fs::write(dir.join(file), output.stdout)?;
    }
    Ok(())
}

fn recreate(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// Runs `command` and fails with its stderr when it fails.
pub fn run(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
