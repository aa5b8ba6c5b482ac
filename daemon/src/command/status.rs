//! `docnorm status`: what the daemon has done, for a person.
//!
//! It asks the running daemon through its metrics (`metrics.listen`, else the
//! `metrics.textfile` it rewrites), and when neither answers reads the counts from the state
//! store, which works while the daemon is stopped. Exit code 0 with a report, 1 when nothing
//! could be read, 78 on a bad config.

use std::io::{Read, Write};
use std::path::PathBuf;

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::metrics::Listen;

/// The exit codes of `docnorm status`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   a report was printed
  1   neither the daemon's metrics nor its state store could be read
  2   usage error
  78  bad config (EX_CONFIG)";

/// Arguments of `docnorm status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML) of the daemon; the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
}

/// Prints the daemon's status to `out`.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let config = match Config::load_or_default(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => return fatal(&err.into(), EX_CONFIG),
    };
    let written = match from_metrics(&config) {
        Some((source, text)) => report(&source, &text, out),
        None => match from_store(&config) {
            Ok(line) => writeln!(out, "{line}"),
            Err(err) => return fatal(&err, 1),
        },
    };
    u8::from(written.is_err())
}

/// The metrics text and where it came from, when the daemon exposes it.
fn from_metrics(config: &Config) -> Option<(String, String)> {
    if let Some(listen) = &config.metrics.listen
        && let Ok(listen) = Listen::parse(listen)
        && let Some(text) = scrape(&listen)
    {
        return Some((format!("the running daemon ({})", describe(&listen)), text));
    }
    let path = config.metrics.textfile.as_ref()?;
    let text = std::fs::read_to_string(path).ok()?;
    Some((
        format!("{} (rewritten by the daemon)", path.display()),
        text,
    ))
}

fn describe(listen: &Listen) -> String {
    match listen {
        Listen::Tcp(address) => address.to_string(),
        Listen::Unix(path) => format!("unix:{}", path.display()),
    }
}

/// One HTTP GET of the metrics; `None` when nothing answers.
fn scrape(listen: &Listen) -> Option<String> {
    let request = b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    let mut response = String::new();
    match listen {
        Listen::Tcp(address) => {
            let mut stream = std::net::TcpStream::connect(address).ok()?;
            stream.write_all(request).ok()?;
            stream.read_to_string(&mut response).ok()?;
        }
        Listen::Unix(path) => {
            let mut stream = std::os::unix::net::UnixStream::connect(path).ok()?;
            stream.write_all(request).ok()?;
            stream.read_to_string(&mut response).ok()?;
        }
    }
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

/// The sample values of `name`, with their labels.
fn samples<'a>(text: &'a str, name: &str) -> Vec<(&'a str, &'a str)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let labels = series.strip_prefix(name)?;
            (labels.is_empty() || labels.starts_with('{')).then_some((labels, value))
        })
        .collect()
}

fn report(source: &str, text: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let value = |name: &str| {
        samples(text, name)
            .first()
            .map_or("0", |(_, value)| *value)
            .to_owned()
    };
    writeln!(out, "from {source}:")?;
    writeln!(
        out,
        "  {} files processed ({} records), {} queued, {} in flight",
        value("docnorm_files_processed_total"),
        value("docnorm_records_total"),
        value("docnorm_queued_files"),
        value("docnorm_in_flight_files"),
    )?;
    for (labels, count) in samples(text, "docnorm_files_failed_total") {
        writeln!(out, "  {count} failed {labels}")?;
    }
    writeln!(
        out,
        "  {} plugin time-outs, {} write errors, {} inbox rescans",
        value("docnorm_plugin_time_outs_total"),
        value("docnorm_write_errors_total"),
        value("docnorm_watcher_rescans_total"),
    )
}

/// The counts the state store keeps, read without the daemon.
fn from_store(config: &Config) -> anyhow::Result<String> {
    let path = config.spool.state_dir.join("state.sqlite");
    if !path.exists() {
        anyhow::bail!(
            "{}: no state store (has the daemon ever run with this config?), and no metrics \
             configured to ask the running daemon",
            path.display()
        );
    }
    let store = crate::state::StateStore::open(&path)?;
    let counts = store.counts()?;
    Ok(format!(
        "from the state store {} (the daemon's metrics did not answer): {} files processed, {} failed",
        path.display(),
        counts.done,
        counts.failed
    ))
}
