//! Crash safety: the daemon's crash benchmark, 10,000 files dropped while `docnorm run` is
//! killed with SIGKILL 200 times and restarted, then every input checked for exactly one
//! record or one `failed/` entry.
//!
//! The benchmark lives with the daemon's end-to-end tests (`tests/run.rs`, ignored by
//! default); this runs it and reads back the figures it prints.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use tracing::info;

use crate::workspace::cargo;

/// The figures of one crash benchmark run.
#[derive(Debug, Clone, Serialize)]
pub struct Crash {
    /// Counts by name: `records`, `failed`, `lost`, `duplicated`, `interrupted`, …
    pub figures: BTreeMap<String, u64>,
    /// Wall time of the whole run, build included.
    pub seconds: f64,
}

/// Runs the crash benchmark test and collects its figures.
pub fn measure() -> anyhow::Result<Crash> {
    info!("running the crash benchmark (10,000 files, 200 kills)");
    let started = Instant::now();
    let output = cargo()
        .args(["test", "--package", "docnorm", "--test", "run", "--"])
        .args(["--ignored", "--exact", "crash_benchmark", "--nocapture"])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo test")?;
    if !output.status.success() {
        bail!("the crash benchmark failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("crash benchmark: "))
        .context("the crash benchmark printed no figures")?;
    Ok(Crash {
        figures: parse(line),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Reads `{"records": 10000, "lost": 0}` (a `BTreeMap`'s debug form).
fn parse(line: &str) -> BTreeMap<String, u64> {
    line.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once(':')?;
            Some((
                key.trim().trim_matches('"').to_owned(),
                value.trim().parse().ok()?,
            ))
        })
        .collect()
}

/// Writes the crash-safety section.
pub fn render(crash: &Crash, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\n## Crash safety (10,000 files, 200 SIGKILLs and restarts)\n"
    )?;
    writeln!(out, "| figure | count |\n|---|---|")?;
    for (name, count) in &crash.figures {
        writeln!(out, "| {name} | {count} |")?;
    }
    writeln!(
        out,
        "\nOne run of `cargo test -p docnorm --test run -- --ignored crash_benchmark` (debug \
         build), {:.0} s. `lost` and `duplicated` count inputs with no record and failure, or \
         with more than one; `interrupted` counts documents a kill cut short before the \
         plugins got through them (their attempts count more than one start).",
        crash.seconds
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_figures_are_read_back() {
        let figures =
            parse(r#"{"duplicated": 0, "interrupted": 968, "lost": 0, "records": 10000}"#);
        assert_eq!(figures["interrupted"], 968);
        assert_eq!(figures["records"], 10_000);
        assert_eq!(figures.len(), 4);
    }
}
