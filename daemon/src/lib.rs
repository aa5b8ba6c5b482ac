//! docnorm turns every document dropped into a folder into one normalized JSON record.
//!
//! A document flows through the stages below, each in its own module:
//!
//! 1. [`read`]: the file is read within size limits, gzip is decompressed (bounded), the text
//!    is decoded (BOM, UTF-16, legacy 8-bit) and its line ends folded; [`sniff`] decides its
//!    format from its content first and its name second; [`split`] cuts JSON Lines and
//!    JSON lists into one document per object.
//! 2. [`pipeline`]: the chain of plugins built from the [`config`] turns it into a record.
//! 3. [`write`]: the record is written atomically, named by its content id.
//!
//! The subcommands of the `docnorm` binary live in [`command`].
//!
//! ```no_run
//! use docnorm::{config::Config, pipeline::Pipeline};
//!
//! let pipeline = Pipeline::new(&Config::default())?;
//! for record in pipeline.process(std::path::Path::new("inbox/article.txt")) {
//!     println!("{}", record?.title.unwrap_or_default());
//! }
//! # Ok::<(), anyhow::Error>(())
//! ```

pub mod backlog;
pub mod claim;
pub mod command;
pub mod config;
pub mod custom;
pub mod duplicates;
pub mod finish;
pub mod job;
pub mod kept;
pub mod life;
pub mod limits;
mod locks;
pub mod logging;
pub mod metrics;
pub mod native;
pub mod nats;
pub mod pipeline;
pub mod pool;
pub mod process_plugin;
pub mod queue;
pub mod read;
pub mod serve;
pub mod sniff;
pub mod split;
pub mod spool;
pub mod state;
pub mod systemd;
pub mod watch;
pub mod write;
