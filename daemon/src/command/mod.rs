//! The subcommands of the `docnorm` binary: one module each, with one `Args` struct and one
//! `run` function, dispatched from [`Command`].

pub mod check;
pub mod explain;
pub mod plugins;
pub mod process;
pub mod run;
pub mod schema;
pub mod sink;
pub mod worker;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::logging::{self, LogFormat};

/// Exit code for a bad configuration (`EX_CONFIG` from sysexits.h).
pub const EX_CONFIG: u8 = 78;

/// docnorm turns every document dropped into a folder into one normalized JSON record.
#[derive(Debug, Parser)]
#[command(name = "docnorm", version, about)]
pub struct Cli {
    /// How log lines on stderr are written.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the pipeline once over files and print one JSON record per line.
    Process(process::Args),
    /// Show what the text plugin makes of a page copy, line by line.
    Explain(explain::Args),
    /// Validate the config and load every plugin, reporting what was found.
    Check(check::Args),
    /// List the plugins of the chain with their versions, reads and writes.
    Plugins(plugins::Args),
    /// Print the JSON Schema of the record (or of the config).
    Schema(schema::Args),
    /// Watch the inbox and process files as they arrive, until SIGTERM or SIGINT.
    Run(run::Args),
    /// Scale-out: process files from NATS `JetStream` and publish their records.
    Worker(worker::Args),
    /// Scale-out: write the records (and failures) from NATS `JetStream` into folders.
    Sink(sink::Args),
}

/// Runs the command line and returns the process's exit code.
pub fn main(cli: Cli) -> ExitCode {
    let level = match cli.command {
        Command::Process(_) | Command::Explain(_) => "warn",
        _ => "info",
    };
    logging::init(cli.log_format, level);
    let mut stdout = std::io::stdout().lock();
    let code = match cli.command {
        Command::Process(args) => process::run(&args, &mut stdout),
        Command::Explain(args) => explain::run(&args, &mut stdout),
        Command::Check(args) => check::run(&args, &mut stdout),
        Command::Plugins(args) => plugins::run(&args, &mut stdout),
        Command::Schema(args) => schema::run(&args, &mut stdout),
        Command::Run(args) => run::run(&args, &mut stdout),
        Command::Worker(args) => worker::run(&args, &mut stdout),
        Command::Sink(args) => sink::run(&args, &mut stdout),
    };
    let _ = stdout.flush();
    ExitCode::from(code)
}

/// Logs a fatal error (its whole chain, once) and returns `code`.
pub fn fatal(err: &anyhow::Error, code: u8) -> u8 {
    tracing::error!(error = format!("{err:#}"), "fatal");
    code
}
