//! The `docnorm` binary: parses the command line and hands it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    docnorm::command::main(docnorm::command::Cli::parse())
}
