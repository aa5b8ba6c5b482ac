//! Speed per stage: the criterion benches of `daemon/benches/pipeline.rs`, pinned to one
//! core, read back from criterion's estimates.
//!
//! The bench binary is built with `cargo bench --no-run` (on every core), then run directly
//! under `taskset -c 0` when `taskset` exists, with `CRITERION_HOME` pointing at a fresh
//! folder so no earlier run's results can be mistaken for this one's. Each bench declares
//! `Throughput::Elements(documents)`; documents per second is that count over criterion's
//! typical time per iteration (the regression slope, else the mean).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tracing::info;

use crate::quality::read_json;
use crate::workspace::{cargo, root};

/// Documents per second of one bench (one stage over one input set).
#[derive(Debug, Clone, Serialize)]
pub struct PluginSpeed {
    /// The stage: `read`, a plugin's name, or `chain`.
    pub stage: String,
    /// The input set: `seeds`, `text`, `html`, `frontmatter`.
    pub input: String,
    /// Documents per second on one core.
    pub docs_per_second: f64,
}

/// The criterion benches of the `docnorm` package that report per-stage speed: every stage
/// over every input set, and the cost of a custom plugin call over the seeds for each way a
/// custom plugin runs (native, isolated, a Python process; `process_host` counts the host's
/// own CPU time of a process call).
const BENCHES: &[&str] = &["pipeline", "native"];

/// Builds and runs the benches and collects their throughput, in the benches' order.
pub fn measure(quick: bool) -> anyhow::Result<Vec<PluginSpeed>> {
    let home = tempfile::tempdir().context("cannot create a temporary folder")?;
    let settings: &[&str] = if quick {
        &[
            "--sample-size",
            "10",
            "--warm-up-time",
            "0.5",
            "--measurement-time",
            "1",
        ]
    } else {
        &[
            "--sample-size",
            "20",
            "--warm-up-time",
            "2",
            "--measurement-time",
            "5",
        ]
    };
    for bench in BENCHES {
        let exe = build_bench(bench)?;
        let mut cmd = if has_taskset() {
            let mut cmd = Command::new("taskset");
            cmd.args(["-c", "0"]).arg(&exe);
            cmd
        } else {
            Command::new(&exe)
        };
        cmd.arg("--bench")
            .arg("--noplot")
            .args(settings)
            .env("CRITERION_HOME", home.path())
            .current_dir(root().join("daemon"))
            .stdout(Stdio::null());
        info!(quick, bench, "running criterion benches on one core");
        let status = cmd.status().context("cannot run the bench binary")?;
        if !status.success() {
            bail!("{}: bench run failed ({status})", exe.display());
        }
    }
    let mut speeds = collect(home.path())?;
    if speeds.is_empty() {
        bail!("criterion wrote no estimates");
    }
    speeds.sort_by_key(|s| (stage_order(&s.stage), input_order(&s.input)));
    Ok(speeds)
}

/// Builds the bench `name` of the `docnorm` package and returns its executable.
fn build_bench(name: &str) -> anyhow::Result<PathBuf> {
    info!("building criterion benches");
    let output = cargo()
        .args([
            "bench",
            "--package",
            "docnorm",
            "--bench",
            name,
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo bench")?;
    if !output.status.success() {
        bail!(
            "cargo bench --no-run -p docnorm --bench {name} failed ({})",
            output.status
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Artifact>(line).ok())
        .filter(|a| a.reason == "compiler-artifact" && a.target.name == name)
        .find_map(|a| a.executable)
        .with_context(|| format!("cargo bench built no `{name}` executable"))
}

#[derive(Deserialize)]
struct Artifact {
    reason: String,
    #[serde(default)]
    target: ArtifactTarget,
    executable: Option<PathBuf>,
}

#[derive(Default, Deserialize)]
struct ArtifactTarget {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct BenchmarkJson {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
    throughput: Option<ThroughputJson>,
}

#[derive(Deserialize)]
enum ThroughputJson {
    Elements(u64),
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct EstimatesJson {
    mean: EstimateJson,
    slope: Option<EstimateJson>,
}

#[derive(Deserialize)]
struct EstimateJson {
    point_estimate: f64,
}

/// Reads every `<group>/<bench>/new/{benchmark,estimates}.json` under criterion's home.
fn collect(home: &Path) -> anyhow::Result<Vec<PluginSpeed>> {
    let mut found = Vec::new();
    walk(home, &mut found)?;
    let mut speeds = Vec::new();
    for dir in found {
        let bench: BenchmarkJson = read_json(&dir.join("benchmark.json"))?;
        let estimates: EstimatesJson = read_json(&dir.join("estimates.json"))?;
        let Some(ThroughputJson::Elements(docs)) = bench.throughput else {
            continue;
        };
        let nanos = estimates
            .slope
            .map_or(estimates.mean.point_estimate, |s| s.point_estimate);
        if nanos <= 0.0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let docs_per_second = docs as f64 * 1e9 / nanos;
        speeds.push(PluginSpeed {
            stage: bench.group_id,
            input: bench.value_str.or(bench.function_id).unwrap_or_default(),
            docs_per_second,
        });
    }
    Ok(speeds)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") && path.join("benchmark.json").exists() {
            found.push(path);
        } else {
            walk(&path, found)?;
        }
    }
    Ok(())
}

fn has_taskset() -> bool {
    Command::new("taskset")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn stage_order(stage: &str) -> usize {
    [
        "read",
        "frontmatter",
        "html",
        "text",
        "enrich",
        "chain",
        "native_noop",
        "isolated_noop",
        "process_host",
        "python_tagger",
    ]
    .iter()
    .position(|s| *s == stage)
    .unwrap_or(usize::MAX)
}

fn input_order(input: &str) -> usize {
    ["seeds", "text", "html", "frontmatter"]
        .iter()
        .position(|s| *s == input)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_estimates_become_documents_per_second() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("text/seeds/new");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("benchmark.json"),
            r#"{"group_id":"text","function_id":null,"value_str":"seeds",
                "throughput":{"Elements":5},"full_id":"text/seeds"}"#,
        )
        .unwrap();
        // 5 documents in 2.5 ms per iteration: 2,000 documents per second.
        std::fs::write(
            dir.join("estimates.json"),
            r#"{"mean":{"point_estimate":2600000.0},"slope":{"point_estimate":2500000.0}}"#,
        )
        .unwrap();
        let speeds = collect(home.path()).unwrap();
        assert_eq!(speeds.len(), 1);
        assert_eq!(
            (speeds[0].stage.as_str(), speeds[0].input.as_str()),
            ("text", "seeds")
        );
        assert!((speeds[0].docs_per_second - 2000.0).abs() < 1e-6);
    }
}
