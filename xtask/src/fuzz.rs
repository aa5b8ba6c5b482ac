//! `cargo xtask fuzz`: runs each fuzz target of `fuzz/` for a while.
//!
//! The targets (`fuzz/src/lib.rs`) are built and run by `cargo fuzz` on stable Rust: with
//! `--sanitizer none` it needs no nightly flag, only libFuzzer's coverage instrumentation
//! (`-Cpasses=sancov-module`, a stable codegen option). `fuzz/` is a workspace of its own with
//! its own target folder, so its build flags never touch the main build. Each target starts
//! from `fuzz/seeds/<target>` and the test fixtures, and keeps what it finds in
//! `fuzz/corpus/<target>` for the next run; a crash stops it, its input in
//! `fuzz/artifacts/<target>/`.

use std::process::Command;

use anyhow::{Context, bail};
use tracing::info;

use crate::flags::FuzzFlags;
use crate::workspace::{cargo, root};

/// The fuzz targets, one per parser.
pub const TARGETS: [&str; 4] = ["read", "frontmatter", "html", "text"];

/// The cargo-fuzz release installed when none is found.
const CARGO_FUZZ: &str = "0.13.2";

/// How long one input may take before it counts as a hang, in seconds: a bound far above
/// anything a parser linear in its input needs for `--max-len` bytes.
const INPUT_TIMEOUT_SECONDS: u32 = 20;

/// Runs the targets as `flags` say.
pub fn run(flags: &FuzzFlags) -> anyhow::Result<()> {
    let targets: Vec<&str> = if flags.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        flags.targets.iter().map(String::as_str).collect()
    };
    if let Some(unknown) = targets.iter().find(|t| !TARGETS.contains(t)) {
        bail!(
            "unknown fuzz target `{unknown}`; the targets are {}",
            TARGETS.join(", ")
        );
    }
    install_cargo_fuzz()?;
    info!("building the fuzz targets");
    check(
        fuzz().args(["build", "--sanitizer", "none"]),
        "cargo fuzz build",
    )?;
    for target in targets {
        let corpus = root().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("{}: cannot create the corpus folder", corpus.display()))?;
        info!(target, seconds = flags.seconds, "fuzzing");
        let mut command = fuzz();
        command
            .args(["run", "--sanitizer", "none", target])
            .arg(&corpus)
            .args(seeds(target))
            .arg("--")
            .arg(format!("-max_total_time={}", flags.seconds))
            .arg(format!("-max_len={}", flags.max_len))
            .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
            .arg("-print_final_stats=1");
        check(&mut command, &format!("fuzz target {target}")).with_context(|| {
            format!(
                "fuzz target {target} found a crash or a hang: the input is in fuzz/artifacts/{target}/; make it a regression test in the crate that owns the parser"
            )
        })?;
    }
    Ok(())
}

/// The seed folders of `target`, relative to the workspace root.
fn seeds(target: &str) -> Vec<String> {
    let mut seeds = vec![format!("fuzz/seeds/{target}")];
    match target {
        "read" | "frontmatter" => seeds.push("tests/fixtures".to_owned()),
        "text" => seeds.push("plugins/enrich/tests/fixtures".to_owned()),
        _ => {}
    }
    seeds
}

/// `cargo fuzz`, building into `fuzz/target` whatever `CARGO_TARGET_DIR` says.
fn fuzz() -> Command {
    let mut command = cargo();
    command
        .arg("fuzz")
        .env("CARGO_TARGET_DIR", root().join("fuzz/target"));
    command
}

/// Installs cargo-fuzz unless `cargo fuzz` already runs.
fn install_cargo_fuzz() -> anyhow::Result<()> {
    let found = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if found {
        return Ok(());
    }
    info!(version = CARGO_FUZZ, "installing cargo-fuzz");
    check(
        cargo().args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ]),
        "cargo install cargo-fuzz",
    )
}

fn check(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_its_seeds_and_source() {
        for target in TARGETS {
            for dir in seeds(target) {
                let dir = root().join(dir);
                assert!(dir.is_dir(), "{}", dir.display());
                assert!(
                    std::fs::read_dir(&dir).unwrap().next().is_some(),
                    "{}",
                    dir.display()
                );
            }
            let source = root().join(format!("fuzz/fuzz_targets/{target}.rs"));
            assert!(source.is_file(), "{}", source.display());
        }
    }
}
