//! `docnorm schema`: the JSON Schema of the record (or of the config, or of the process plugin
//! protocol), generated from the Rust types.

use std::io::Write;

use clap::ValueEnum;
use docnorm_plugin_api::Record;

use crate::config::Config;

/// Which schema to print.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum Which {
    /// The record every document becomes.
    #[default]
    Record,
    /// The configuration file.
    Config,
    /// One line of the process plugin protocol, `docnorm.plugin-protocol/1`.
    PluginProtocol,
}

/// The exit codes of `docnorm schema`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   the schema could not be written
  2   usage error";

/// Arguments of `docnorm schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which schema to print.
    #[arg(value_enum, default_value_t = Which::Record)]
    pub which: Which,
}

/// The JSON Schema of the record.
pub fn record_schema() -> serde_json::Value {
    schemars::schema_for!(Record).to_value()
}

/// Prints the chosen schema as pretty JSON.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let schema = match args.which {
        Which::Record => record_schema(),
        Which::Config => schemars::schema_for!(Config).to_value(),
        Which::PluginProtocol => docnorm_plugin_api::protocol::schema(),
    };
    let result = serde_json::to_writer_pretty(&mut *out, &schema)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out));
    u8::from(result.is_err())
}
