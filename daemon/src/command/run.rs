//! `docnorm run`: the daemon. Watches the inbox and turns every file dropped into it into a
//! record until SIGTERM or SIGINT; SIGHUP reloads the config.
//!
//! With no `--config`, the embedded defaults apply in the current folder: `inbox/` in,
//! `out/` for records, `done/` and `failed/` beside them, `.docnorm/` for the work folder
//! and the state store. Exit code 0 after a clean shutdown, 78 when the config is bad, 1
//! when the daemon cannot start (a folder it cannot create, a watcher it cannot start).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use tokio::signal::unix::{SignalKind, signal};

use super::{EX_CONFIG, fatal};
use crate::config::Config;

/// The exit codes of `docnorm run`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   stopped by SIGTERM or SIGINT after finishing the documents in flight
  1   cannot start (a folder it cannot make, a spool another docnorm holds, no watcher)
  2   usage error
  78  bad config or plugin (EX_CONFIG)";

/// Arguments of `docnorm run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML); the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
}

/// Runs the daemon until it is told to stop.
pub fn run(args: &Args, _out: &mut dyn Write) -> u8 {
    let config = match Config::load_or_default(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => return fatal(&err.into(), EX_CONFIG),
    };
    let pipeline = match crate::pipeline::Pipeline::new(&config) {
        Ok(pipeline) => pipeline,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    until_signal("docnorm-run", |shutdown| {
        crate::serve::serve(config, args.config.clone(), pipeline, shutdown)
    })
}

/// Runs a long-lived command (`run`, `worker`, `sink`) on a one-thread runtime until SIGTERM
/// or SIGINT resolves the future it is given; exit code 0 after a clean stop, 1 when it
/// could not start.
pub(super) fn until_signal<Fut>(
    name: &str,
    command: impl FnOnce(std::pin::Pin<Box<dyn Future<Output = ()>>>) -> Fut,
) -> u8
where
    Fut: Future<Output = anyhow::Result<()>>,
{
    // One thread runs the loop and waits on the jobs; the documents are processed on the
    // work stage's own threads, so more runtime threads would only add wake-ups between them.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .thread_name(name)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return fatal(
                &anyhow::Error::from(err).context("cannot start the runtime"),
                1,
            );
        }
    };
    let result = runtime.block_on(async {
        let shutdown = shutdown_signal()?;
        command(Box::pin(shutdown)).await
    });
    // Workers abandoned at their time limit may still be running; do not wait for them.
    runtime.shutdown_background();
    match result {
        Ok(()) => 0,
        Err(err) => fatal(&err, 1),
    }
}

/// Resolves at the first SIGTERM or SIGINT. The handlers are installed at once, so a signal
/// during startup is not lost.
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "shutting down"),
            _ = interrupt.recv() => tracing::info!(signal = "SIGINT", "shutting down"),
        }
    })
}
