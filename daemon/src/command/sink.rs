//! `docnorm sink`: a scale-out sink. Writes the records published by the workers into
//! `spool.output` (one `<id>.json` each) and the failures into `spool.failed`, until SIGTERM or
//! SIGINT; see docs/scale-out.md.

use std::io::Write;
use std::path::PathBuf;

use super::{EX_CONFIG, fatal};
use crate::config::Config;

/// The exit codes of `docnorm sink`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   stopped by SIGTERM or SIGINT after finishing the messages in flight
  1   cannot connect to NATS or set up its streams
  2   usage error
  78  bad config or plugin, or no `queue.nats` section (EX_CONFIG)";

/// Arguments of `docnorm sink`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML) with a `queue.nats` section.
    #[arg(long, short)]
    pub config: PathBuf,
}

/// Runs the sink until it is told to stop.
pub fn run(args: &Args, _out: &mut dyn Write) -> u8 {
    let config = match Config::load(&args.config)
        .map_err(anyhow::Error::from)
        .and_then(|config| {
            crate::nats::required(&config.queue, "sink")?;
            Ok(config)
        }) {
        Ok(config) => config,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    super::run::until_signal("docnorm-sink", |shutdown| {
        crate::nats::sink::run(config, shutdown)
    })
}
