//! `cargo xtask bench`: builds the release binary, runs every selected part, prints the
//! table and writes the JSON report and `BENCHMARKS.md`.
//!
//! A part that cannot run (a bench that does not compile, a missing dataset) is reported
//! as an error in the table; the other parts still run, and the command then fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use tracing::{info, warn};

use crate::flags::{BenchFlags, Write};
use crate::quality::{self, Copy, CorpusReport, Dataset};
use crate::report::Report;
use crate::{crash, e2e, machine, report, scale, seeds, speed};

/// The workspace root (the xtask lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The shared folder beside the checkout: seeds, checker, benchmark data.
pub fn shared() -> PathBuf {
    root().join("../shared")
}

/// cargo's target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// The `cargo` that runs us.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs the benchmark as `flags` say.
pub fn run(flags: &BenchFlags) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut report = Report {
        command: command_line(),
        date: machine::now(),
        commit: machine::commit(&root()),
        machine: machine::machine(),
        quick: flags.quick,
        ..Report::default()
    };
    let data_dir = shared().join("bench/article-extraction");
    if flags.baseline_only {
        for dir in quality::corpora(&shared().join("bench"), &flags.corpora)? {
            let data = Dataset::load(&dir)?;
            report.corpora.push(CorpusReport {
                name: data.name.clone(),
                pages: data.ids.len(),
                copies: Vec::new(),
                baseline: Some(quality::text_baseline(&data, flags.worst)?),
            });
        }
        return finish(&report, flags, started);
    }
    if flags.parts.quality || flags.parts.end_to_end || flags.parts.scale_out {
        let docnorm = build_docnorm(flags.no_build)?;
        if flags.parts.quality {
            measure_quality(&mut report, &docnorm, flags);
        }
        if flags.parts.end_to_end {
            let files = flags
                .files
                .unwrap_or(if flags.quick { 2_000 } else { 20_000 });
            report.end_to_end = record(
                &mut report.errors,
                "end to end",
                e2e::measure(&docnorm, &data_dir, files),
            );
            if !flags.quick && flags.parts.crash {
                report.crash = record(&mut report.errors, "crash benchmark", crash::measure());
            }
        }
        if flags.parts.scale_out {
            let files = flags
                .files
                .unwrap_or(if flags.quick { 1_000 } else { 5_000 });
            report.scale_out = record(
                &mut report.errors,
                "scale-out",
                scale::measure(&docnorm, &data_dir, files),
            )
            .flatten();
        }
    }
    if flags.parts.plugins
        && let Some(plugins) = record(
            &mut report.errors,
            "plugin benches",
            speed::measure(flags.quick),
        )
    {
        report.plugins = plugins;
    }
    finish(&report, flags, started)
}

fn measure_quality(report: &mut Report, docnorm: &Path, flags: &BenchFlags) {
    match quality::corpora(&shared().join("bench"), &flags.corpora) {
        Ok(dirs) => {
            for dir in dirs {
                if let Some(corpus) = record(
                    &mut report.errors,
                    "quality",
                    measure_corpus(docnorm, &dir, flags.worst),
                ) {
                    report.corpora.push(corpus);
                }
            }
        }
        Err(err) => report.errors.push(format!("quality: {err:#}")),
    }
    info!("checking seeds");
    report.seeds = record(
        &mut report.errors,
        "seeds",
        seeds::check(docnorm, &shared()),
    );
}

/// docnorm on both copies of one corpus's pages, and the text copies taken whole.
fn measure_corpus(docnorm: &Path, dir: &Path, worst: usize) -> anyhow::Result<CorpusReport> {
    let data = Dataset::load(dir)?;
    let mut copies = Vec::new();
    for copy in [Copy::Html, Copy::Text] {
        info!(
            corpus = data.name,
            copy = copy.label(),
            pages = data.ids.len(),
            "scoring docnorm"
        );
        copies.push(quality::measure(docnorm, &data, copy, worst)?);
    }
    Ok(CorpusReport {
        name: data.name.clone(),
        pages: data.ids.len(),
        copies,
        baseline: Some(quality::text_baseline(&data, worst)?),
    })
}

fn finish(report: &Report, flags: &BenchFlags, started: Instant) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    report::render(report, &mut stdout)?;
    if let Some(path) = &flags.json {
        let json = serde_json::to_vec_pretty(report)?;
        std::fs::write(path, json).with_context(|| format!("{}: cannot write", path.display()))?;
        info!(path = %path.display(), "wrote JSON report");
    }
    if flags.write == Write::Auto && flags.is_full_run() {
        let path = root().join("BENCHMARKS.md");
        let mut text = Vec::new();
        report::render_markdown_file(report, &mut text)?;
        std::fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))?;
        info!(path = %path.display(), "updated");
    }
    info!(seconds = started.elapsed().as_secs(), "done");
    if !report.errors.is_empty() {
        bail!(
            "{} part(s) could not run: {}",
            report.errors.len(),
            report.errors.join("; ")
        );
    }
    Ok(())
}

/// Builds `docnorm` in release mode and returns the binary's path.
fn build_docnorm(no_build: bool) -> anyhow::Result<PathBuf> {
    let bin = target_dir().join("release/docnorm");
    if no_build {
        if !bin.exists() {
            bail!("{}: no binary built yet (drop --no-build)", bin.display());
        }
        return Ok(bin);
    }
    info!("building docnorm (release)");
    let status = cargo()
        .args([
            "build",
            "--release",
            "--package",
            "docnorm",
            "--bin",
            "docnorm",
        ])
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p docnorm failed ({status})");
    }
    if !bin.exists() {
        bail!("{}: built binary not found", bin.display());
    }
    Ok(bin)
}

/// Keeps a part's result, or notes its error so the other parts still run.
fn record<T>(errors: &mut Vec<String>, part: &str, result: anyhow::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            warn!(part, error = format!("{err:#}"), "part failed");
            errors.push(format!("{part}: {err:#}"));
            None
        }
    }
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("cargo xtask {}", args.join(" "))
}
