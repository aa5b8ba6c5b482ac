//! The `provenance.removed` entries of a plugin that removes whole lines, bounded.
//!
//! One entry per removed line made a page of a million short lines into a record of a million
//! entries (and the JSON values behind them took hundreds of bytes per line). So consecutive
//! lines removed for the same reason become one entry with their line range, and a plugin
//! lists at most [`RemovedLines::MAX_ENTRIES`] entries and [`RemovedLines::MAX_TEXT_BYTES`]
//! bytes of removed text per document: what does not fit is counted in a warning instead.

use serde_json::{Map, Value};

/// Builds the `provenance.removed` entries of one document, line by line in document order.
///
/// ```
/// use docnorm_plugin_api::RemovedLines;
///
/// let mut removed = RemovedLines::default();
/// removed.remove(1, "Home", "outside the article");
/// removed.remove(3, "News", "outside the article"); // line 2 was blank
/// removed.keep(); // line 4 stays in the body
/// removed.remove(5, "Share this", "page chrome");
/// let (entries, warning) = removed.finish();
/// assert_eq!(entries.len(), 2);
/// assert_eq!(entries[0]["text"], "Home\nNews");
/// assert_eq!(entries[0]["lines"]["last"], 3);
/// assert!(warning.is_none());
/// ```
#[derive(Debug, Default)]
pub struct RemovedLines {
    entries: Vec<Entry>,
    /// Bytes of removed text listed so far.
    text_bytes: usize,
    /// Whether the next removal may extend the last entry (no kept line since).
    open: bool,
    /// Once something did not fit, everything after it is only counted.
    omitted: Option<Omitted>,
}

#[derive(Debug)]
struct Entry {
    text: String,
    reason: String,
    first: u64,
    last: u64,
}

#[derive(Debug)]
struct Omitted {
    lines: u64,
    from: u64,
}

impl RemovedLines {
    /// The most entries listed per document.
    pub const MAX_ENTRIES: usize = 4096;
    /// The most bytes of removed text listed per document (line breaks joining a run count).
    pub const MAX_TEXT_BYTES: usize = 256 * 1024;

    /// Notes that line `line` (numbered from 1), reading `text`, was removed for `reason`.
    pub fn remove(&mut self, line: u64, text: &str, reason: &str) {
        if let Some(omitted) = &mut self.omitted {
            omitted.lines += 1;
            return;
        }
        let room = Self::MAX_TEXT_BYTES - self.text_bytes;
        match self.entries.last_mut() {
            Some(last) if self.open && last.reason == reason => {
                if text.len() + 1 > room {
                    self.omit(line);
                    return;
                }
                last.text.push('\n');
                last.text.push_str(text);
                last.last = line;
                self.text_bytes += text.len() + 1;
            }
            _ => {
                if text.len() > room || self.entries.len() == Self::MAX_ENTRIES {
                    self.omit(line);
                    return;
                }
                self.entries.push(Entry {
                    text: text.to_owned(),
                    reason: reason.to_owned(),
                    first: line,
                    last: line,
                });
                self.text_bytes += text.len();
                self.open = true;
            }
        }
    }

    /// Notes a line that was not removed (blank lines need not be noted): the next removal
    /// starts a new entry.
    pub fn keep(&mut self) {
        self.open = false;
    }

    /// The entries for the patch's `provenance.removed` (the chain adds `plugin`), and the
    /// warning that counts the removed lines left out, if any were.
    pub fn finish(self) -> (Vec<Value>, Option<String>) {
        let warning = self.omitted.map(|o| {
            format!(
                "{} more removed lines, from line {} on, are not listed in provenance.removed \
                 (at most {} entries and {} bytes of removed text are listed)",
                o.lines,
                o.from,
                Self::MAX_ENTRIES,
                Self::MAX_TEXT_BYTES
            )
        });
        let entries = self.entries.into_iter().map(Entry::into_value).collect();
        (entries, warning)
    }

    fn omit(&mut self, line: u64) {
        self.omitted = Some(Omitted {
            lines: 1,
            from: line,
        });
    }
}

impl Entry {
    fn into_value(self) -> Value {
        let mut lines = Map::new();
        lines.insert("first".into(), self.first.into());
        lines.insert("last".into(), self.last.into());
        let mut entry = Map::new();
        entry.insert("text".into(), Value::String(self.text));
        entry.insert("reason".into(), Value::String(self.reason));
        entry.insert("lines".into(), Value::Object(lines));
        Value::Object(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_one_reason_merge_and_other_lines_break_them() {
        let mut removed = RemovedLines::default();
        removed.remove(1, "a", "chrome");
        removed.remove(2, "b", "chrome");
        removed.remove(3, "c", "promotion");
        removed.keep();
        removed.remove(5, "d", "promotion");
        let (entries, warning) = removed.finish();
        let shown: Vec<(&str, u64, u64)> = entries
            .iter()
            .map(|e| {
                (
                    e["text"].as_str().unwrap(),
                    e["lines"]["first"].as_u64().unwrap(),
                    e["lines"]["last"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(shown, [("a\nb", 1, 2), ("c", 3, 3), ("d", 5, 5)]);
        assert!(warning.is_none());
    }

    #[test]
    fn entries_beyond_the_caps_are_counted_in_a_warning() {
        let mut removed = RemovedLines::default();
        let reasons = ["one", "two"];
        let lines = 3 * RemovedLines::MAX_ENTRIES as u64;
        for line in 1..=lines {
            removed.remove(line, "x", reasons[usize::from(line % 2 == 0)]);
        }
        let (entries, warning) = removed.finish();
        assert_eq!(entries.len(), RemovedLines::MAX_ENTRIES);
        let warning = warning.unwrap();
        assert!(
            warning.starts_with("8192 more removed lines, from line 4097 on"),
            "{warning}"
        );

        let mut removed = RemovedLines::default();
        let long = "y".repeat(1000);
        for line in 1..=1000 {
            removed.remove(line, &long, "same");
        }
        let (entries, warning) = removed.finish();
        assert_eq!(entries.len(), 1);
        let text = entries[0]["text"].as_str().unwrap();
        assert!(text.len() <= RemovedLines::MAX_TEXT_BYTES, "{}", text.len());
        assert_eq!(entries[0]["lines"]["last"], 261);
        assert!(
            warning
                .unwrap()
                .starts_with("739 more removed lines, from line 262")
        );
    }
}
