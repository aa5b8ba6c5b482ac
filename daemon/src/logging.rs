//! Logging setup: `tracing` to stderr as human text or JSON lines.
//!
//! Colour is used only when stderr is a terminal. The filter comes from `DOCNORM_LOG`, else
//! `RUST_LOG` (same syntax; `DOCNORM_LOG` wins when both are set), else the level the command
//! asks for. While a progress bar is shown (`docnorm process` on a terminal), log lines are
//! written above it instead of through it. Libraries that log through the `log` crate reach
//! the same subscriber through [`LibraryLog`], which lowers the HTML parser's remarks about
//! the markup it reads ("foster parenting not implemented") to the debug level: they describe
//! the page, not a problem of the daemon.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::os::unix::ffi::OsStrExt;
use std::sync::Mutex;

use clap::ValueEnum;
use indicatif::ProgressBar;
use tracing_subscriber::EnvFilter;

use crate::locks::lock;

/// The environment variables holding a log filter, the first set one wins.
pub const FILTER_VARIABLES: [&str; 2] = ["DOCNORM_LOG", "RUST_LOG"];

/// The progress bar drawn on stderr, if any.
static PROGRESS: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}

/// Installs the global subscriber; `default_level` applies when neither `DOCNORM_LOG` nor
/// `RUST_LOG` is set.
pub fn init(format: LogFormat, default_level: &str) {
    let filter = FILTER_VARIABLES
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        })
        .and_then(|value| EnvFilter::try_new(value).ok())
        .unwrap_or_else(|| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Stderr);
    // A second init (tests calling `run` twice in one process) keeps the first subscriber.
    let installed = match format {
        LogFormat::Text => tracing::subscriber::set_global_default(
            builder.with_ansi(std::io::stderr().is_terminal()).finish(),
        ),
        LogFormat::Json => tracing::subscriber::set_global_default(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    };
    if installed.is_ok() && log::set_boxed_logger(Box::new(LibraryLog::default())).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

/// The crates whose `log` records describe the markup being parsed, not the daemon: their
/// warnings are lowered to the debug level.
const PARSER_CRATES: &[&str] = &[
    "html5ever",
    "markup5ever",
    "selectors",
    "cssparser",
    "dom_query",
    "dom_smoothie",
];

/// Forwards the `log` records of libraries to `tracing`, as `tracing_log::LogTracer` does,
/// with the parser's warnings lowered to debug.
#[derive(Default)]
struct LibraryLog {
    tracer: tracing_log::LogTracer,
}

impl LibraryLog {
    /// The level a record from `target` at `level` is logged at.
    fn level(target: &str, level: log::Level) -> log::Level {
        let parser = PARSER_CRATES.iter().any(|name| {
            target
                .strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
        });
        if parser && level < log::Level::Debug {
            log::Level::Debug
        } else {
            level
        }
    }
}

impl log::Log for LibraryLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let level = Self::level(metadata.target(), metadata.level());
        log::Log::enabled(
            &self.tracer,
            &log::Metadata::builder()
                .level(level)
                .target(metadata.target())
                .build(),
        )
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = Self::level(record.target(), record.level());
        if level == record.level() {
            return log::Log::log(&self.tracer, record);
        }
        log::Log::log(
            &self.tracer,
            &log::Record::builder()
                .args(*record.args())
                .level(level)
                .target(record.target())
                .module_path(record.module_path())
                .file(record.file())
                .line(record.line())
                .build(),
        );
    }

    fn flush(&self) {}
}

/// Shows log lines above `bar` while it is drawn; `None` when it is finished.
pub fn set_progress(bar: Option<ProgressBar>) {
    *lock(&PROGRESS) = bar;
}

/// Standard error, cleared of the progress bar for the time of each log line.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = lock(&PROGRESS).clone();
        let write = || std::io::stderr().lock().write_all(buf);
        match bar {
            Some(bar) => bar.suspend(write)?,
            None => write()?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// A string made safe for a terminal: control characters (escape sequences among them) are
/// shown escaped, so an untrusted title or file name cannot rewrite the screen.
pub struct Escaped<'a>(pub &'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// An error with its causes, each said once: `outer: cause: root cause`, leaving out a
/// message that another one of the chain already holds (an error that prints its source and
/// also returns it from `source()`, a context that repeats what the cause says). Control
/// characters are escaped, except the line breaks of a multi-line message such as a config
/// error's snippet.
pub struct Report<'a>(pub &'a anyhow::Error);

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<String> = self.0.chain().map(ToString::to_string).collect();
        let said_elsewhere = |i: usize| {
            messages.iter().enumerate().any(|(j, other)| {
                j != i && other.contains(&messages[i]) && (other.len() > messages[i].len() || j < i)
            })
        };
        let kept: Vec<&str> = (0..messages.len())
            .filter(|&i| !said_elsewhere(i))
            .map(|i| messages[i].as_str())
            .collect();
        for (i, line) in kept.join(": ").split('\n').enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}", Escaped(line))?;
        }
        Ok(())
    }
}

/// A file name or path as text, for logs, records and `.error.json`: unchanged when it is
/// UTF-8, else each byte that is not part of valid UTF-8 written as `\xNN` (two lowercase hex
/// digits, as Python's `backslashreplace` does), so the text still tells which bytes the name
/// holds. The file itself keeps its bytes.
pub fn os_text(name: &OsStr) -> Cow<'_, str> {
    let bytes = name.as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            // Writing to a String cannot fail.
            let _ = write!(text, "\\x{byte:02x}");
        }
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parsers_warnings_are_lowered_to_debug_and_other_crates_keep_theirs() {
        use log::Level::{Debug, Error, Trace, Warn};
        assert_eq!(LibraryLog::level("html5ever::tree_builder", Warn), Debug);
        assert_eq!(LibraryLog::level("html5ever", Error), Debug);
        assert_eq!(LibraryLog::level("dom_smoothie::readability", Warn), Debug);
        assert_eq!(LibraryLog::level("html5ever::tree_builder", Trace), Trace);
        assert_eq!(LibraryLog::level("html5everywhere", Warn), Warn);
        assert_eq!(LibraryLog::level("notify::inotify", Warn), Warn);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            Escaped("a\u{1b}[31mred\nb").to_string(),
            "a\\u{1b}[31mred\\nb"
        );
        assert_eq!(Escaped("Grüße").to_string(), "Grüße");
    }

    #[test]
    fn a_report_says_each_cause_once_and_keeps_line_breaks() {
        let root = anyhow::anyhow!("init failed: no mood");
        let err = root
            .context("a.so: plugin x: init failed: no mood")
            .context("plugin x")
            .context("snippet\n  | line\u{1b}");
        assert_eq!(
            Report(&err).to_string(),
            "snippet\n  | line\\u{1b}: a.so: plugin x: init failed: no mood"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_hex_escapes() {
        let name = OsStr::from_bytes(b"caf\xe9 \xff\xfe-\xc3\xa9.txt");
        assert_eq!(os_text(name), "caf\\xe9 \\xff\\xfe-é.txt");
        assert!(matches!(
            os_text(OsStr::new("été.txt")),
            Cow::Borrowed("été.txt")
        ));
    }
}
