//! `docnorm sink`: a scale-out sink. Writes the records published by the workers into
//! `spool.output` (one `<id>.json` each) and the failures into `spool.failed`, until SIGTERM or
//! SIGINT; see docs/scale-out.md. Exit code 0 after a clean shutdown, 78 when the config is
//! bad (or has no `queue.nats` section), 1 when it cannot connect.

use std::io::Write;
use std::path::PathBuf;

use super::{EX_CONFIG, fatal};
use crate::config::Config;

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
