//! `docnorm completions`: the shell completion script, generated from the command line's own
//! definition, on stdout (the Debian package installs bash, zsh and fish ones).

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The exit codes of `docnorm completions`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   the script could not be written
  2   usage error";

/// Arguments of `docnorm completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `args.shell`.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "docnorm", &mut script);
    u8::from(out.write_all(&script).is_err())
}
