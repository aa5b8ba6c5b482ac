//! The subcommands of the `docnorm` binary: one module each, with one `Args` struct and one
//! `run` function, dispatched from [`Command`].

pub mod check;
pub mod completions;
pub mod explain;
pub mod man;
pub mod plugin_host;
pub mod plugins;
pub mod process;
pub mod run;
pub mod schema;
pub mod sink;
pub mod status;
pub mod worker;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::logging::{self, LogFormat};

/// Exit code for a bad configuration (`EX_CONFIG` from sysexits.h).
pub const EX_CONFIG: u8 = 78;

/// What `docnorm --help` says after the options: the exit codes and the environment.
const AFTER_HELP: &str = "\
Exit codes (each command's --help has its own):
  0   success
  1   a failure the command reports (process: some documents failed)
  2   usage error
  78  bad config or plugin (EX_CONFIG)

Environment:
  DOCNORM_LOG  log filter, e.g. `debug` or `docnorm=debug,warn` (tracing's EnvFilter syntax)
  RUST_LOG     the same, read when DOCNORM_LOG is not set";

/// docnorm turns every document dropped into a folder into one normalized JSON record.
#[derive(Debug, Parser)]
#[command(name = "docnorm", version, about, after_help = AFTER_HELP)]
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
    /// Run the pipeline once over files, folders or standard input and print one JSON record
    /// per line.
    #[command(after_help = process::EXIT_CODES)]
    Process(process::Args),
    /// Show what the text plugin makes of a page copy, line by line.
    #[command(after_help = explain::EXIT_CODES)]
    Explain(explain::Args),
    /// Validate the config and load every plugin, reporting what was found.
    #[command(after_help = check::EXIT_CODES)]
    Check(check::Args),
    /// List the plugins of the chain with their versions, reads and writes.
    #[command(after_help = plugins::EXIT_CODES)]
    Plugins(plugins::Args),
    /// Print the JSON Schema of the record (or of the config).
    #[command(after_help = schema::EXIT_CODES)]
    Schema(schema::Args),
    /// Watch the inbox and process files as they arrive, until SIGTERM or SIGINT.
    #[command(after_help = run::EXIT_CODES)]
    Run(run::Args),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
    #[command(after_help = completions::EXIT_CODES)]
    Completions(completions::Args),
    /// Write the manual pages into a folder (for packaging).
    #[command(hide = true)]
    Man(man::Args),
    /// Show what the daemon has done: from its metrics, or its state store when stopped.
    #[command(after_help = status::EXIT_CODES)]
    Status(status::Args),
    /// Run a native plugin library speaking the process protocol on stdin and stdout (what a
    /// custom plugin with `isolate: true` runs in).
    #[command(hide = true)]
    PluginHost(plugin_host::Args),
    /// Scale-out: process files from NATS `JetStream` and publish their records.
    #[command(after_help = worker::EXIT_CODES)]
    Worker(worker::Args),
    /// Scale-out: write the records (and failures) from NATS `JetStream` into folders.
    #[command(after_help = sink::EXIT_CODES)]
    Sink(sink::Args),
}

/// Runs the command line and returns the process's exit code.
pub fn main(cli: Cli) -> ExitCode {
    // Until this returns, an exit docnorm did not ask for (a plugin calling `exit`) fails.
    let _exit_guard = crate::native::ExitGuard::hold();
    let level = match cli.command {
        Command::Process(_) | Command::Explain(_) | Command::Status(_) | Command::PluginHost(_) => {
            "warn"
        }
        _ => "info",
    };
    logging::init(cli.log_format, level);
    let mut stdout = std::io::stdout().lock();
    let code = match cli.command {
        Command::Process(args) => process::run(&args, &mut stdout, &mut std::io::stderr()),
        Command::Explain(args) => explain::run(&args, &mut stdout),
        Command::Check(args) => check::run(&args, &mut stdout),
        Command::Plugins(args) => plugins::run(&args, &mut stdout),
        Command::Schema(args) => schema::run(&args, &mut stdout),
        Command::Run(args) => run::run(&args, &mut stdout),
        Command::Completions(args) => completions::run(&args, &mut stdout),
        Command::Man(args) => man::run(&args, &mut stdout),
        Command::Status(args) => status::run(&args, &mut stdout),
        Command::PluginHost(args) => plugin_host::run(&args, &mut stdout),
        Command::Worker(args) => worker::run(&args, &mut stdout),
        Command::Sink(args) => sink::run(&args, &mut stdout),
    };
    let _ = stdout.flush();
    ExitCode::from(code)
}

/// Logs a fatal error (its whole chain, each cause once, on as many lines as it has) and
/// returns `code`.
pub fn fatal(err: &anyhow::Error, code: u8) -> u8 {
    tracing::error!(target: "docnorm", "{}", logging::Report(err));
    code
}
