//! `docnorm check`: validates the config and loads every plugin, reporting what it found.
//!
//! Every custom plugin is loaded as the daemon would load it (file checks, ABI version,
//! manifest, `init` with its options), or its first process started and its handshake
//! completed (protocol version, manifest), whether or not the chain names it; then the chain
//! is built. Exit code 0 when all is well, 78 (`EX_CONFIG`) on a bad config or plugin.

use std::io::Write;
use std::path::PathBuf;

use tracing::warn;

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::pipeline::Pipeline;

/// The exit codes of `docnorm check`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   the config is valid and every plugin loaded
  1   the report could not be written
  2   usage error
  78  bad config or plugin (EX_CONFIG); the message names the file, the key and the problem";

/// Arguments of `docnorm check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML); the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
}

/// Checks the config and its plugins and prints what it found.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    match check(args, out) {
        Ok(Ok(())) => 0,
        Ok(Err(_)) => 1,
        Err(err) => fatal(&err, EX_CONFIG),
    }
}

/// The outer result is a bad config or plugin; the inner one a failure to write the report.
fn check(args: &Args, out: &mut dyn Write) -> anyhow::Result<std::io::Result<()>> {
    let config = Config::load_or_default(args.config.as_deref())?;
    let mut lines = Vec::new();
    match &args.config {
        Some(path) => lines.push(format!("config {}: valid", path.display())),
        None => lines.push("no config given: checking the embedded defaults".to_owned()),
    }
    for custom in &config.custom {
        let started = custom.start(&config.run)?;
        lines.push(custom.describe(&started));
        if !config.chain.contains(&custom.name) {
            warn!(plugin = %custom.name, "custom plugin is not in the chain");
            lines.push(format!(
                "custom plugin {}: not in the chain, never called",
                custom.name
            ));
        }
    }
    if let Some(nats) = &config.queue.nats {
        lines.push(crate::nats::describe(nats)?);
    }
    let pipeline = Pipeline::new(&config)?;
    let chain: Vec<&str> = pipeline
        .plugins()
        .map(|p| p.manifest().name.as_str())
        .collect();
    lines.push(format!("chain: {}", chain.join(" -> ")));
    lines.push("ok".to_owned());
    Ok(lines.iter().try_for_each(|line| writeln!(out, "{line}")))
}
