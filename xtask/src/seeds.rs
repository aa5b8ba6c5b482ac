//! Seeds: the real `docnorm` binary over `shared/seeds/*.txt`, checked by the project's
//! `check_expected.py` against `seeds/expected/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde::Serialize;

/// The outcome of the seed checks.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// The checker's lines about failed checks.
    pub failures: Vec<String>,
}

/// Runs `docnorm process` over the seeds and pipes the records into the checker.
pub fn check(docnorm: &Path, shared: &Path) -> anyhow::Result<SeedReport> {
    let seeds = seed_files(&shared.join("seeds"))?;
    let records = Command::new(docnorm)
        .arg("process")
        .args(&seeds)
        .stderr(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", docnorm.display()))?;
    let checker = shared.join("tools/check_expected.py");
    let mut child = Command::new("python3")
        .arg(&checker)
        .arg(shared.join("seeds/expected"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run python3 {}", checker.display()))?;
    child
        .stdin
        .take()
        .context("checker stdin")?
        .write_all(&records.stdout)?;
    let output = child.wait_with_output()?;
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// The seed documents, sorted.
pub fn seed_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list seeds", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    Ok(seeds)
}

/// Reads the checker's output: failure lines, then `N passed, M failed`.
fn parse(out: &str) -> anyhow::Result<SeedReport> {
    let mut failures = Vec::new();
    for line in out.lines() {
        let counts: Vec<Option<usize>> = line
            .split(',')
            .map(|part| part.split_whitespace().next().and_then(|n| n.parse().ok()))
            .collect();
        if let (true, [Some(passed), Some(failed)]) = (
            line.contains(" passed, ") && line.ends_with(" failed"),
            &counts[..],
        ) {
            return Ok(SeedReport {
                passed: *passed,
                failed: *failed,
                failures,
            });
        }
        failures.push(line.to_owned());
    }
    bail!("check_expected.py printed no 'N passed, M failed' line")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_closing_counts_and_the_failure_lines() {
        let report = parse("000.txt: title: got None\n12 passed, 1 failed\n").unwrap();
        assert_eq!((report.passed, report.failed), (12, 1));
        assert_eq!(report.failures, ["000.txt: title: got None"]);
        assert!(parse("Traceback\n").is_err());
    }
}
