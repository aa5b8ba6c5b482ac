//! `cargo xtask`: project automation that outgrows a one-line cargo command.
//!
//! `cargo xtask bench` measures docnorm's quality and speed with one command and writes the
//! figures to `BENCHMARKS.md`:
//!
//! - quality: the real release binary over every corpus of `shared/bench` (HTML pages and
//!   their plain-text copies), body scored with the benchmark's token-shingle metric beside
//!   the peers' figures (`xtask/peers.csv`) and metadata against the pages' declared
//!   metadata where a corpus has it; the seed expectations;
//! - speed: the criterion benches of `daemon/benches/pipeline.rs` pinned to one core, and
//!   an end-to-end run over generated files beside a durable-copy baseline;
//! - crash safety (full runs only): the daemon killed 200 times while 10,000 files arrive.
//!
//! `cargo xtask deb` builds the Debian package with cargo-deb; `cargo xtask deb-test` (as
//! root) installs, upgrades, removes and purges it, checking each step.
//! `cargo xtask fuzz` runs the fuzz targets of `fuzz/` for a while (see [`fuzz`]).
//!
//! The xtask never links the daemon crate: it builds and runs the binary like a user would.

mod bench;
mod crash;
mod deb;
mod deb_test;
mod e2e;
mod flags;
mod fuzz;
mod machine;
mod meta;
mod peers;
mod quality;
mod report;
mod rng;
mod scale;
mod score;
mod seeds;
mod speed;

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = flags::parse(&args).and_then(|task| match task {
        flags::Task::Help => {
            report::print_help(&mut std::io::stdout().lock())?;
            Ok(())
        }
        flags::Task::Bench(flags) => bench::run(&flags),
        flags::Task::Deb(flags) => {
            deb::build(&flags).map(|package| println!("{}", package.display()))
        }
        flags::Task::DebTest(flags) => deb_test::run_all(flags.no_build),
        flags::Task::Fuzz(flags) => fuzz::run(&flags),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "xtask failed");
            ExitCode::FAILURE
        }
    }
}
