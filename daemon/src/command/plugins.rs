//! `docnorm plugins`: the chain's plugins with their versions, reads and writes.

use std::io::Write;
use std::path::PathBuf;

use docnorm_plugin_api::Field;

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::pipeline::Pipeline;

/// The exit codes of `docnorm plugins`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   the list could not be written
  2   usage error
  78  bad config or plugin (EX_CONFIG)";

/// Arguments of `docnorm plugins`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML); the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
}

/// Prints one line per plugin: name, version, reads, writes.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let pipeline = match Config::load_or_default(args.config.as_deref())
        .map_err(anyhow::Error::from)
        .and_then(|config| Pipeline::new(&config))
    {
        Ok(pipeline) => pipeline,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    let rows: Vec<[String; 4]> = pipeline
        .plugins()
        .map(|p| {
            let m = p.manifest();
            [
                m.name.clone(),
                m.version.clone(),
                Field::join(&m.reads, ","),
                Field::join(&m.writes, ","),
            ]
        })
        .collect();
    let header = ["PLUGIN", "VERSION", "READS", "WRITES"].map(str::to_owned);
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let result = std::iter::once(&header).chain(&rows).try_for_each(|r| {
        writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        )
    });
    u8::from(result.is_err())
}
