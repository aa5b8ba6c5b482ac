//! `docnorm process`: the pipeline once over files given on the command line.
//!
//! Records go to stdout as JSON Lines (or one `<id>.json` file each into `--output`): one per
//! file, one per object for JSON Lines and JSON lists. Each failing document is logged on
//! stderr naming the file and the plugin, and the others go on.
//! A record whose body nearly duplicates an earlier file's lists that record's id in
//! `duplicates` (see [`duplicates`](crate::duplicates)).
//! Exit code 0 when every document succeeded, 1 when some failed, 78 when the config is bad.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use tracing::error;

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::duplicates::NearDuplicates;
use crate::logging::Escaped;
use crate::pipeline::Pipeline;
use crate::write::{FolderSync, write_record};

/// Arguments of `docnorm process`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML); the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Write one `<id>.json` per record into this folder instead of printing JSON Lines.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The documents to process.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs `docnorm process`, writing records to `out`.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let (pipeline, mut duplicates) = match Config::load_or_default(args.config.as_deref())
        .map_err(anyhow::Error::from)
        .and_then(|config| {
            // Near-duplicates depend on the records before, so the host marks them, not a
            // plugin: one index across all the files of this run.
            let duplicates = NearDuplicates::new(&config.duplicates);
            Ok((Pipeline::new(&config)?, duplicates))
        }) {
        Ok(built) => built,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    if let Some(dir) = &args.output
        && let Err(err) = std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create output folder", dir.display()))
    {
        return fatal(&err, 1);
    }
    let mut failed = 0usize;
    let output = args.output.as_deref().map(FolderSync::new);
    for path in &args.files {
        for result in pipeline.process(path) {
            let written = match result {
                Ok(mut record) => {
                    duplicates.mark(&mut record);
                    emit(&record, output.as_ref(), out)
                }
                Err(err) => {
                    error!(
                        plugin = err.plugin.as_deref().unwrap_or("chain"),
                        "{}",
                        Escaped(&err.to_string())
                    );
                    failed += 1;
                    continue;
                }
            };
            if let Err(err) = written {
                return fatal(
                    &err.context(format!("{}: cannot write record", path.display())),
                    1,
                );
            }
        }
    }
    u8::from(failed > 0)
}

fn emit(
    record: &docnorm_plugin_api::Record,
    folder: Option<&FolderSync>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if let Some(folder) = folder {
        write_record(folder, record)?;
    } else {
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
