//! `docnorm plugin-host` (hidden): runs one native plugin library in this process, speaking
//! `docnorm.plugin-protocol/1` on stdin and stdout. The daemon starts it for a custom plugin
//! with `isolate: true`, so the library's crashes and hangs end this process, not the daemon.
//!
//! The library is checked and loaded exactly as the daemon would load it, once the hello
//! has given the plugin's name and options; a refusal is answered in the handshake. Anything
//! the library prints to stdout goes to stderr instead, which the daemon logs, so it cannot
//! corrupt the protocol.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use docnorm_plugin_api::{Plugin, protocol};

use super::fatal;
use crate::native::NativeLibrary;

/// Arguments of `docnorm plugin-host`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The native plugin library to run.
    #[arg(long)]
    pub library: PathBuf,
}

/// Serves the protocol until stdin ends; exit code 1 when stdin or stdout fails.
pub fn run(args: &Args, _out: &mut dyn Write) -> u8 {
    let output = match protocol_output() {
        Ok(output) => output,
        Err(err) => return fatal(&err.context("cannot set up stdout"), 1),
    };
    let served = protocol::serve(std::io::stdin().lock(), output, |name, options| {
        let library = NativeLibrary {
            name: name.to_owned(),
            path: args.library.clone(),
            options,
        };
        match library.load() {
            Ok(loaded) => Ok(Box::new(loaded.plugin) as Box<dyn Plugin>),
            Err(err) => Err(err.to_string()),
        }
    });
    match served {
        Ok(()) => 0,
        Err(err) => fatal(&anyhow::Error::from(err).context("plugin-host"), 1),
    }
}

/// The protocol's own handle on stdout; file descriptor 1 itself then points to stderr, so
/// that what the library prints cannot mix with the protocol's lines.
fn protocol_output() -> anyhow::Result<BufWriter<File>> {
    let protocol = rustix::io::dup(std::io::stdout())?;
    rustix::stdio::dup2_stdout(std::io::stderr())?;
    Ok(BufWriter::new(File::from(protocol)))
}
