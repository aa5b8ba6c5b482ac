//! The xtask's command line, parsed by hand to keep its dependency tree small.

use std::path::PathBuf;

use anyhow::{Context, bail};

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Print usage.
    Help,
    /// `bench`: measure quality and speed.
    Bench(BenchFlags),
    /// `deb`: build the Debian package.
    Deb(DebFlags),
    /// `deb-test`: install, upgrade, remove and purge the package, checking each step.
    DebTest(DebFlags),
    /// `fuzz`: run the fuzz targets for a while.
    Fuzz(FuzzFlags),
}

/// The flags of `cargo xtask deb` and `deb-test`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DebFlags {
    /// The package's version instead of the crate's (`--deb-version`).
    pub version: Option<String>,
    /// Use the `target/release/docnorm` already built.
    pub no_build: bool,
}

/// The flags of `cargo xtask fuzz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzFlags {
    /// How long each target runs, in seconds.
    pub seconds: usize,
    /// The targets to run, in order (default: all of them).
    pub targets: Vec<String>,
    /// The largest input the fuzzer makes, in bytes.
    pub max_len: usize,
}

/// The flags of `cargo xtask bench`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchFlags {
    /// Fewer criterion samples and a smaller end-to-end run (whole run < 5 minutes).
    pub quick: bool,
    /// Which parts to run.
    pub parts: Parts,
    /// Only the text-copy baseline row (checks the scorer against the published figure).
    pub baseline_only: bool,
    /// Also write the report as JSON to this file.
    pub json: Option<PathBuf>,
    /// List this many worst pages per measure.
    pub worst: usize,
    /// Files generated for the end-to-end run (default 20,000, the backlog issue 8 sizes
    /// memory for; 2,000 with `--quick`).
    pub files: Option<usize>,
    /// Whether to update `BENCHMARKS.md` (full runs of every part only, unless told).
    pub write: Write,
    /// Use the `target/release/docnorm` already built instead of building it.
    pub no_build: bool,
    /// Only these corpora of `shared/bench` for the quality part (`--corpus`, repeatable;
    /// empty: all of them).
    pub corpora: Vec<String>,
}

/// The parts of the benchmark to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Independent switches, one per part: an enum of their combinations would read worse.
#[allow(clippy::struct_excessive_bools)]
pub struct Parts {
    /// Body and metadata quality over the benchmark pages, and the seed checks.
    pub quality: bool,
    /// The criterion benches.
    pub plugins: bool,
    /// The end-to-end run and the durable-copy baseline.
    pub end_to_end: bool,
    /// The daemon's crash benchmark (with the end-to-end run, never with `--quick`).
    pub crash: bool,
    /// Scale-out through NATS `JetStream` against the embedded daemon.
    pub scale_out: bool,
}

/// Whether to update `BENCHMARKS.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Only after a full run of every part.
    Auto,
    /// Never.
    Never,
}

/// Usage text.
pub const USAGE: &str = "\
usage: cargo xtask bench [FLAGS]
       cargo xtask fuzz [--seconds N] [--target NAME]... [--max-len BYTES]
       cargo xtask deb [--deb-version VERSION] [--no-build]
       cargo xtask deb-test [--no-build]

Measures docnorm's quality (every corpus of shared/bench, seeds) and speed (criterion
benches per plugin, end-to-end run beside a durable-copy baseline; in full runs also the
daemon's crash benchmark), prints a table and, after a full run, rewrites BENCHMARKS.md.

flags:
  --quick           fewer samples, a smaller end-to-end run, no crash benchmark (< 5 min)
  --quality-only    only body/metadata quality and the seed checks (fast F1 loop)
  --speed-only      only the criterion benches and the end-to-end run
  --e2e-only        only the end-to-end run and the durable-copy baseline (no crash
                    benchmark)
  --scale-out-only  only the embedded daemon against edge + 1, 2, 4 workers + sink over
                    NATS JetStream (needs nats-server on PATH)
  --baseline-text   only score the plain-text copies taken whole (scorer check)
  --json FILE       also write the report as JSON to FILE
  --corpus NAME     score only this corpus of shared/bench (repeatable; default all)
  --worst N         list the N worst pages per corpus and measure (default 0)
  --files N         files generated for the end-to-end run (default 20000, quick 2000)
                    and the scale-out runs (default 5000, quick 1000)
  --no-write        do not update BENCHMARKS.md
  --no-build        use the target/release/docnorm already built (never for BENCHMARKS.md)
  -h, --help        this text

fuzz runs each fuzz target of fuzz/ (read, frontmatter, html, text) with cargo fuzz on
stable Rust (installing cargo-fuzz if missing), seeded from fuzz/seeds and the test
fixtures, its corpus kept in fuzz/corpus; it fails when a target finds a crash (the input
is then in fuzz/artifacts/<target>/).

  --seconds N       how long each target runs (default 45)
  --target NAME     run only this target (repeatable)
  --max-len BYTES   the largest input made (default 4096)

deb builds the Debian package (target/debian/*.deb) with cargo-deb (`cargo install
cargo-deb`): the binary, the systemd unit, the example config as /etc/docnorm/docnorm.yaml,
the maintainer scripts of config/debian/ (docnorm user, spool folders), manual pages and
bash, zsh and fish completions generated from the CLI. deb-test (as root, on a machine
without the package) installs, upgrades, removes and purges it with dpkg and checks each
step.

  --deb-version V    the package's version instead of the crate's
  --no-build         use the target/release/docnorm already built
";

/// Parses the arguments after `cargo xtask`.
pub fn parse(args: &[String]) -> anyhow::Result<Task> {
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => Ok(Task::Help),
        Some("bench") => parse_bench(args),
        Some("fuzz") => parse_fuzz(args),
        Some("deb") => parse_deb(args).map(Task::Deb),
        Some("deb-test") => parse_deb(args).map(Task::DebTest),
        Some(other) => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}

fn parse_fuzz(mut args: std::slice::Iter<'_, String>) -> anyhow::Result<Task> {
    let mut flags = FuzzFlags {
        seconds: 45,
        targets: Vec::new(),
        max_len: 4096,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| value(&mut args, name);
        match arg.as_str() {
            "--seconds" => flags.seconds = number(&value("--seconds")?, "--seconds")?,
            "--target" => flags.targets.push(value("--target")?),
            "--max-len" => flags.max_len = number(&value("--max-len")?, "--max-len")?,
            "-h" | "--help" => return Ok(Task::Help),
            other => bail!("unknown flag `{other}`\n\n{USAGE}"),
        }
    }
    Ok(Task::Fuzz(flags))
}

fn parse_bench(mut args: std::slice::Iter<'_, String>) -> anyhow::Result<Task> {
    let mut flags = BenchFlags {
        quick: false,
        parts: Parts {
            quality: true,
            plugins: true,
            end_to_end: true,
            crash: true,
            scale_out: true,
        },
        baseline_only: false,
        json: None,
        worst: 0,
        files: None,
        write: Write::Auto,
        no_build: false,
        corpora: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| value(&mut args, name);
        match arg.as_str() {
            "--quick" => flags.quick = true,
            "--quality-only" => {
                flags.parts.plugins = false;
                flags.parts.end_to_end = false;
                flags.parts.scale_out = false;
            }
            "--speed-only" => flags.parts.quality = false,
            "--e2e-only" => {
                flags.parts.quality = false;
                flags.parts.plugins = false;
                flags.parts.crash = false;
                flags.parts.scale_out = false;
            }
            "--scale-out-only" => {
                flags.parts.quality = false;
                flags.parts.plugins = false;
                flags.parts.end_to_end = false;
                flags.parts.crash = false;
            }
            "--baseline-text" => flags.baseline_only = true,
            "--json" => flags.json = Some(PathBuf::from(value("--json")?)),
            "--worst" => flags.worst = number(&value("--worst")?, "--worst")?,
            "--files" => flags.files = Some(number(&value("--files")?, "--files")?),
            "--no-write" => flags.write = Write::Never,
            "--no-build" => flags.no_build = true,
            "--corpus" => flags.corpora.push(value("--corpus")?),
            "-h" | "--help" => return Ok(Task::Help),
            other => bail!("unknown flag `{other}`\n\n{USAGE}"),
        }
    }
    if !flags.baseline_only
        && !flags.parts.quality
        && !flags.parts.plugins
        && !flags.parts.end_to_end
        && !flags.parts.scale_out
    {
        bail!("--quality-only and --speed-only leave nothing to run");
    }
    Ok(Task::Bench(flags))
}

impl BenchFlags {
    /// Whether this run measures everything in full, so its figures may go to BENCHMARKS.md.
    pub fn is_full_run(&self) -> bool {
        !self.quick
            && self.parts.quality
            && self.parts.plugins
            && self.parts.end_to_end
            && self.parts.crash
            && self.parts.scale_out
            && !self.baseline_only
            && self.files.is_none()
            && !self.no_build
            && self.corpora.is_empty()
    }
}

fn parse_deb(mut args: std::slice::Iter<'_, String>) -> anyhow::Result<DebFlags> {
    let mut flags = DebFlags::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--deb-version" => flags.version = Some(value(&mut args, "--deb-version")?),
            "--no-build" => flags.no_build = true,
            other => bail!("unknown flag `{other}`\n\n{USAGE}"),
        }
    }
    Ok(flags)
}

/// The value after flag `name`.
fn value(args: &mut std::slice::Iter<'_, String>, name: &str) -> anyhow::Result<String> {
    args.next()
        .cloned()
        .with_context(|| format!("{name} needs a value"))
}

fn number(s: &str, name: &str) -> anyhow::Result<usize> {
    s.parse()
        .with_context(|| format!("{name} takes a whole number, not `{s}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(args: &[&str]) -> BenchFlags {
        let args: Vec<String> = std::iter::once("bench")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        match parse(&args).unwrap() {
            Task::Bench(flags) => flags,
            other => panic!("expected bench, got {other:?}"),
        }
    }

    #[test]
    fn deb_takes_a_version_and_no_build() {
        let args: Vec<String> = ["deb", "--deb-version", "1.0-1", "--no-build"]
            .map(String::from)
            .to_vec();
        let expected = DebFlags {
            version: Some("1.0-1".to_owned()),
            no_build: true,
        };
        assert_eq!(parse(&args).unwrap(), Task::Deb(expected));
        assert!(parse(&["deb-test".to_owned(), "--quick".to_owned()]).is_err());
    }

    #[test]
    fn plain_bench_runs_everything_and_may_write_benchmarks_md() {
        let flags = bench(&[]);
        assert!(flags.is_full_run());
        assert_eq!(flags.worst, 0);
    }

    #[test]
    fn flags_select_parts_and_values() {
        let flags = bench(&[
            "--quick",
            "--quality-only",
            "--worst",
            "5",
            "--json",
            "r.json",
        ]);
        assert!(flags.quick && flags.parts.quality && !flags.parts.plugins);
        assert!(!flags.parts.end_to_end && !flags.is_full_run());
        assert_eq!(flags.worst, 5);
        assert_eq!(flags.json, Some(PathBuf::from("r.json")));
        assert!(!bench(&["--files", "100"]).is_full_run());
        let one = bench(&["--corpus", "dragnet", "--corpus", "cleaneval"]);
        assert_eq!(one.corpora, ["dragnet", "cleaneval"]);
        assert!(!one.is_full_run());
        let e2e = bench(&["--e2e-only"]).parts;
        assert!(e2e.end_to_end && !e2e.quality && !e2e.plugins && !e2e.crash);
        let scale = bench(&["--scale-out-only"]).parts;
        assert!(scale.scale_out && !scale.end_to_end && !scale.quality && !scale.crash);
    }

    #[test]
    fn fuzz_runs_every_target_unless_told() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let Task::Fuzz(flags) = parse(&args(&["fuzz"])).unwrap() else {
            panic!("expected fuzz");
        };
        assert_eq!((flags.seconds, flags.max_len), (45, 4096));
        assert!(flags.targets.is_empty());
        let Task::Fuzz(flags) =
            parse(&args(&["fuzz", "--seconds", "600", "--target", "html"])).unwrap()
        else {
            panic!("expected fuzz");
        };
        assert_eq!(
            (flags.seconds, flags.targets),
            (600, vec!["html".to_owned()])
        );
        assert!(parse(&args(&["fuzz", "--quick"])).is_err());
    }

    #[test]
    fn bad_flags_are_refused_with_a_reason() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(parse(&args(&["bench", "--worst", "many"])).is_err());
        assert!(parse(&args(&["bench", "--frobnicate"])).is_err());
        assert!(parse(&args(&["bench", "--quality-only", "--speed-only"])).is_err());
        assert_eq!(parse(&args(&[])).unwrap(), Task::Help);
    }
}
