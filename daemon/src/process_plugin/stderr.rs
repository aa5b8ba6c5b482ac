//! A plugin process's stderr, forwarded to the log one line at a time, in the span of the
//! document being processed (the exchange runs on the document's thread) and tagged with the
//! plugin's name.
//!
//! Bounded, so a plugin flooding stderr costs neither memory nor log volume: a line is cut at
//! [`MAX_LINE`] bytes, at most [`MAX_LINES`] lines are logged per exchange and the rest only
//! counted.

use tracing::{info, warn};

use crate::logging::Escaped;

/// The longest stderr line logged, in bytes; the rest of a longer line is dropped.
pub const MAX_LINE: usize = 2048;

/// The most stderr lines logged per exchange (one document, or the handshake).
pub const MAX_LINES: usize = 64;

/// The line being read and the counts of the current exchange.
pub struct StderrLog {
    plugin: String,
    line: Vec<u8>,
    cut: bool,
    logged: usize,
    dropped: usize,
    last: Vec<u8>,
}

impl StderrLog {
    /// A log for plugin `plugin`'s stderr.
    pub fn new(plugin: &str) -> Self {
        Self {
            plugin: plugin.to_owned(),
            line: Vec::new(),
            cut: false,
            logged: 0,
            dropped: 0,
            last: Vec::new(),
        }
    }

    /// Takes bytes read from stderr.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let end = bytes.iter().position(|b| *b == b'\n');
            let (part, rest) = match end {
                Some(at) => (&bytes[..at], &bytes[at + 1..]),
                None => (bytes, &[][..]),
            };
            let room = MAX_LINE - self.line.len();
            self.line.extend_from_slice(&part[..part.len().min(room)]);
            self.cut |= part.len() > room;
            if end.is_some() {
                self.emit();
            }
            bytes = rest;
        }
    }

    /// Stderr ended: logs a last line without its `\n`.
    pub fn feed_end(&mut self) {
        if !self.line.is_empty() {
            self.emit();
        }
    }

    /// Ends an exchange: says how many lines were dropped, and starts counting again.
    pub fn end_exchange(&mut self) {
        if self.dropped > 0 {
            warn!(
                plugin = %self.plugin,
                dropped = self.dropped,
                "the plugin wrote more than {MAX_LINES} lines to stderr for one document; the rest were not logged"
            );
        }
        self.logged = 0;
        self.dropped = 0;
    }

    /// The last complete line, if any.
    pub fn last_line(&self) -> Option<&str> {
        std::str::from_utf8(&self.last)
            .ok()
            .filter(|line| !line.is_empty())
    }

    fn emit(&mut self) {
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        let text = String::from_utf8_lossy(&self.line);
        let shown = Escaped(&text).to_string();
        self.last.clear();
        self.last.extend_from_slice(shown.as_bytes());
        if self.logged < MAX_LINES {
            let cut = if self.cut { " [cut]" } else { "" };
            info!(plugin = %self.plugin, line = %format_args!("{shown}{cut}"), "plugin stderr");
            self.logged += 1;
        } else {
            self.dropped += 1;
        }
        self.line.clear();
        self.cut = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_counted_and_the_last_one_kept() {
        let mut log = StderrLog::new("p");
        log.feed(b"first\r\nsec");
        log.feed(b"ond\n");
        assert_eq!(log.last_line(), Some("second"));
        log.feed(&vec![b'x'; MAX_LINE * 3]);
        log.feed(b"\n");
        assert_eq!(log.last_line().map(str::len), Some(MAX_LINE));
        for _ in 0..MAX_LINES * 2 {
            log.feed(b"flood\n");
        }
        assert_eq!(log.logged, MAX_LINES);
        assert_eq!(log.dropped, MAX_LINES + 3);
        log.end_exchange();
        assert_eq!((log.logged, log.dropped), (0, 0));
        log.feed(b"no newline \x1b[31m");
        log.feed_end();
        assert_eq!(log.last_line(), Some("no newline \\u{1b}[31m"));
    }
}
