//! `docnorm process`: the pipeline once over files, folders or standard input.
//!
//! Records go to stdout as JSON Lines (or one `<id>.json` file each into `--output`): one per
//! file, one per object for JSON Lines and JSON lists. A folder is walked recursively in name
//! order, skipping the names the daemon's inbox ignores (`.hidden`, `*.tmp`, `*.part`, …) and
//! not following symlinked folders; `-` reads one document from standard input. Each failing
//! document is logged on stderr naming the file and the plugin, and the others go on.
//! A record whose body nearly duplicates an earlier file's lists that record's id in
//! `duplicates` (see [`duplicates`](crate::duplicates)).
//!
//! On a terminal a progress bar counts the files on stderr; at the end one summary line says
//! how many documents, records and failures there were and how long it took (`--quiet`
//! leaves it out). Exit codes in [`EXIT_CODES`].

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use docnorm_plugin_api::Record;
use indicatif::{ProgressBar, ProgressStyle};
use tracing::{error, warn};

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::duplicates::NearDuplicates;
use crate::logging::{self, Escaped};
use crate::pipeline::{Cause, DocError, Pipeline};
use crate::watch::is_temporary;
use crate::write::{FolderSync, Readers, write_record};

/// The exit codes of `docnorm process`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   every document gave a record
  1   some documents failed (each logged on stderr; the others give records), or a write failed
  2   usage error
  78  bad config or plugin (EX_CONFIG)";

/// The name that stands for standard input among the inputs.
const STDIN: &str = "-";

/// Arguments of `docnorm process`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML); the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Write one `<id>.json` per record into this folder instead of printing JSON Lines.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print no summary line at the end.
    #[arg(long, short)]
    pub quiet: bool,
    /// Files and folders to process (folders recursively, skipping temporary names such as
    /// `.hidden`, `*.tmp` and `*.part`); `-` reads one document from standard input.
    #[arg(required = true, value_name = "FILE|FOLDER|-")]
    pub inputs: Vec<PathBuf>,
}

/// Runs `docnorm process`, writing records to `out` and the summary line to `summary`.
pub fn run(args: &Args, out: &mut dyn Write, summary: &mut dyn Write) -> u8 {
    let started = Instant::now();
    let (config, pipeline, mut duplicates) = match build(args.config.as_deref()) {
        Ok(built) => built,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    if let Some(dir) = &args.output
        && let Err(err) = std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create output folder", dir.display()))
    {
        return fatal(&err, 1);
    }
    let mut counts = Counts::default();
    let inputs = inputs(&args.inputs, &mut counts);
    let output = args
        .output
        .as_deref()
        .map(|dir| FolderSync::new(dir, Readers::Umask));
    let progress = Progress::start(inputs.len());
    for input in &inputs {
        let results = match input {
            Input::File(path) => pipeline.process(path),
            Input::Stdin => match read_stdin(config.read.max_bytes) {
                Ok(raw) => pipeline.process_bytes(raw, Path::new(STDIN), None, &mut |_| {}),
                Err(err) => vec![Err(DocError {
                    path: STDIN.to_owned(),
                    plugin: Some(crate::pipeline::READ_STAGE.to_owned()),
                    message: err.to_string(),
                    cause: Cause::Document,
                })],
            },
        };
        for result in results {
            counts.documents += 1;
            let written = match result {
                Ok(mut record) => {
                    duplicates.mark(&mut record);
                    emit(&record, output.as_ref(), out)
                }
                Err(err) => {
                    counts.failed += 1;
                    error!(
                        plugin = err.plugin.as_deref().unwrap_or("chain"),
                        "{}",
                        Escaped(&err.to_string())
                    );
                    continue;
                }
            };
            if let Err(err) = written {
                progress.finish();
                if is_broken_pipe(&err) {
                    // The reader has seen enough (`docnorm process … | head`): stop quietly.
                    return u8::from(counts.failed > 0);
                }
                return fatal(
                    &err.context(format!("{}: cannot write record", input.name().display())),
                    1,
                );
            }
            counts.records += 1;
        }
        counts.files += 1;
        progress.advance(&counts);
    }
    progress.finish();
    if !args.quiet {
        let _ = writeln!(summary, "{}", counts.summary(started.elapsed()));
    }
    u8::from(counts.failed > 0)
}

/// The config, the pipeline it builds and the near-duplicate index of this run.
fn build(path: Option<&Path>) -> anyhow::Result<(Config, Pipeline, NearDuplicates)> {
    let config = Config::load_or_default(path)?;
    // Near-duplicates depend on the records before, so the host marks them, not a plugin:
    // one index across all the files of this run.
    let duplicates = NearDuplicates::new(&config.duplicates);
    let pipeline = Pipeline::new(&config)?;
    Ok((config, pipeline, duplicates))
}

/// One document source named on the command line, folders expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    /// A file (or a path that turns out not to be one: its read fails, named).
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    fn name(&self) -> &Path {
        match self {
            Self::File(path) => path,
            Self::Stdin => Path::new(STDIN),
        }
    }
}

/// The inputs the arguments name, folders walked in name order. A folder that cannot be
/// read is logged and counted as failed; the rest go on.
fn inputs(args: &[PathBuf], counts: &mut Counts) -> Vec<Input> {
    let mut inputs = Vec::new();
    for arg in args {
        if arg.as_os_str() == STDIN {
            inputs.push(Input::Stdin);
        } else if arg.is_dir() {
            let mut files = Vec::new();
            walk(arg, &mut files, counts);
            inputs.extend(files.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(arg.clone()));
        }
    }
    inputs
}

/// Adds the files under `dir` to `files`, in name order, skipping temporary names and not
/// following symlinked folders (which could loop).
fn walk(dir: &Path, files: &mut Vec<PathBuf>, counts: &mut Counts) {
    let entries = std::fs::read_dir(dir).and_then(Iterator::collect::<Result<Vec<_>, _>>);
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(err) => {
            counts.failed += 1;
            error!(path = %Escaped(&dir.display().to_string()), error = %err, "cannot read folder");
            return;
        }
    };
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        if is_temporary(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        let is_linked_dir =
            !is_dir && entry.file_type().is_ok_and(|kind| kind.is_symlink()) && path.is_dir();
        if is_dir {
            walk(&path, files, counts);
        } else if is_linked_dir {
            warn!(path = %Escaped(&path.display().to_string()), "not following a symlinked folder");
        } else {
            files.push(path);
        }
    }
}

/// Standard input, up to one byte more than `max_bytes` (the read stage then refuses it as
/// too large), so a endless stream never fills the memory.
fn read_stdin(max_bytes: u64) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut raw)?;
    Ok(raw)
}

fn emit(record: &Record, folder: Option<&FolderSync>, out: &mut dyn Write) -> anyhow::Result<()> {
    if let Some(folder) = folder {
        write_record(folder, record)?;
    } else {
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Whether writing failed because the reader of stdout went away.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        io == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// What came of the run so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    files: u64,
    documents: u64,
    records: u64,
    failed: u64,
}

impl Counts {
    /// The summary line: `12 files, 14 documents: 13 records, 1 failed, in 0.41 s`.
    fn summary(&self, elapsed: Duration) -> String {
        format!(
            "{} {}, {} {}: {} {}, {} failed, in {:.2} s",
            self.files,
            plural(self.files, "file", "files"),
            self.documents,
            plural(self.documents, "document", "documents"),
            self.records,
            plural(self.records, "record", "records"),
            self.failed,
            elapsed.as_secs_f64()
        )
    }
}

fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The progress bar: drawn on stderr when it is a terminal, hidden otherwise. Log lines are
/// written above it while it is drawn.
struct Progress {
    bar: ProgressBar,
    started: Instant,
}

impl Progress {
    fn start(files: usize) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let style =
                ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} files, {msg}")
                    .map_or_else(
                        |_| ProgressStyle::default_bar(),
                        |style| style.progress_chars("=> "),
                    );
            ProgressBar::new(files as u64).with_style(style)
        } else {
            ProgressBar::hidden()
        };
        logging::set_progress(Some(bar.clone()));
        Self {
            bar,
            started: Instant::now(),
        }
    }

    fn advance(&self, counts: &Counts) {
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        #[allow(clippy::cast_precision_loss)] // A rate to show, to the unit.
        let rate = counts.documents as f64 / seconds;
        self.bar.set_message(format!(
            "{} records, {} failed, {rate:.0} documents/s",
            counts.records, counts.failed
        ));
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
        logging::set_progress(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_in_name_order_without_temporary_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.txt",
            "a/z.txt",
            "a/.hidden",
            "a/c.part",
            ".git/x",
            "a.tmp",
            "c/d/e.txt",
        ] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        std::os::unix::fs::symlink(root.join("a"), root.join("link")).unwrap();
        let mut counts = Counts::default();
        let found = inputs(&[root.to_owned(), PathBuf::from("-")], &mut counts);
        let names: Vec<String> = found
            .iter()
            .map(|input| {
                let name = input.name();
                name.strip_prefix(root)
                    .unwrap_or(name)
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a/z.txt", "b.txt", "c/d/e.txt", "-"]);
        assert_eq!(found[3], Input::Stdin);
        assert_eq!(counts, Counts::default());
    }

    #[test]
    fn the_summary_counts_documents_records_and_failures() {
        let counts = Counts {
            files: 1,
            documents: 3,
            records: 2,
            failed: 1,
        };
        assert_eq!(
            counts.summary(Duration::from_millis(1500)),
            "1 file, 3 documents: 2 records, 1 failed, in 1.50 s"
        );
    }
}
