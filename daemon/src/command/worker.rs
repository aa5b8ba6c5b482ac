//! `docnorm worker`: a scale-out worker. Takes files from NATS `JetStream` (the config's
//! `queue.nats` section), runs the chain over each and publishes the records, until SIGTERM
//! or SIGINT; see docs/scale-out.md.

use std::io::Write;
use std::path::PathBuf;

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::pipeline::Pipeline;

/// The exit codes of `docnorm worker`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   stopped by SIGTERM or SIGINT after finishing the messages in flight
  1   cannot connect to NATS or set up its streams
  2   usage error
  78  bad config or plugin, or no `queue.nats` section (EX_CONFIG)";

/// Arguments of `docnorm worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML) with a `queue.nats` section.
    #[arg(long, short)]
    pub config: PathBuf,
}

/// Runs the worker until it is told to stop.
pub fn run(args: &Args, _out: &mut dyn Write) -> u8 {
    let built = Config::load(&args.config)
        .map_err(anyhow::Error::from)
        .and_then(|config| {
            crate::nats::required(&config.queue, "worker")?;
            let pipeline = Pipeline::new(&config)?;
            Ok((config, pipeline))
        });
    let (config, pipeline) = match built {
        Ok(built) => built,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    super::run::until_signal("docnorm-worker", |shutdown| {
        crate::nats::worker::run(config, pipeline, shutdown)
    })
}
