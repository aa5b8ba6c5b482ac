//! `docnorm man` (hidden): writes the manual pages, generated from the command line's own
//! definition, into a folder: `docnorm.1` and one `docnorm-<command>.1` per command. The
//! Debian package ships them (`cargo xtask deb` runs this).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::CommandFactory;

use super::{Cli, fatal};

/// Arguments of `docnorm man`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write the pages into (created if missing).
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Writes the pages and prints their paths.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let written = std::fs::create_dir_all(&args.output)
        .and_then(|()| clap_mangen::generate_to(Cli::command(), &args.output))
        .with_context(|| format!("{}: cannot write the manual pages", args.output.display()));
    if let Err(err) = written {
        return fatal(&err, 1);
    }
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&args.output)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    pages.retain(|p| p.extension().is_some_and(|e| e == "1"));
    pages.sort();
    let listed = pages
        .iter()
        .try_for_each(|page| writeln!(out, "{}", page.display()));
    u8::from(listed.is_err())
}
