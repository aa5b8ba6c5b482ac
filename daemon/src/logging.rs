//! Logging setup: `tracing` to stderr as human text or JSON lines.
//!
//! Colour is used only when stderr is a terminal. The filter comes from `DOCNORM_LOG` (same
//! syntax as `RUST_LOG`), else the level the command asks for.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::os::unix::ffi::OsStrExt;

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}

/// Installs the global subscriber; `default_level` applies when `DOCNORM_LOG` is unset.
pub fn init(format: LogFormat, default_level: &str) {
    let filter =
        EnvFilter::try_from_env("DOCNORM_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests calling `run` twice in one process) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
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
    fn control_characters_are_escaped() {
        assert_eq!(
            Escaped("a\u{1b}[31mred\nb").to_string(),
            "a\\u{1b}[31mred\\nb"
        );
        assert_eq!(Escaped("Grüße").to_string(), "Grüße");
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
