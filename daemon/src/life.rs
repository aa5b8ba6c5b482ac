//! The life of one claimed file, as decisions: pure functions from what is known about the file
//! to what happens to it next, unit-tested without a file system.
//!
//! ```text
//!            claim ──refused──────────────────────────────────────────────┐
//!              │                                                          │
//!          start stored ([`on_start`])                                    │
//!     ┌────────┼──────────────────────────┐                               │
//!     │        │                          │                               ▼
//! records all  │ attempts left       attempts used up ──────────────► give up: failed/
//! written      ▼                                                          ▲
//! before ─► pipeline, each plugin call within the limit                   │
//!  │           │          │ time limit ([`on_time_out`]) ─ last attempt ──┤
//!  │           │          └─ attempts left: retry                         │
//!  │           ▼ results ([`on_results`])                                 │
//!  │     all documents worked            some failed: their records, ─────┘
//!  │           │                         then give up (a plugin process
//!  │           │                         that crashed: retry while
//!  │           │                         attempts are left)
//!  │           ▼
//!  │     processed (state store), records written, done (state store)
//!  └──────────►▼
//!        moved on: done/ (or deleted, or kept)
//! ```
//!
//! What counts as an attempt against a file: a time-out in one of its plugin calls, or the
//! daemon dying while the file was alone in the pipeline. When the daemon dies with several
//! files in flight, none is blamed: at the next start each runs alone, one after the other
//! ([`Begin::Alone`](crate::state::Begin)), so an innocent file finishes and only the file that
//! kills the daemon again collects attempts. A file whose plugins got through every document is
//! `processed` in the state store before its records are written: a crash from then on is not
//! its doing, it is never counted nor given up, and when all its records are found written it
//! is only moved on ([`Start::WrittenBefore`]). A file's final state is stored before it
//! moves, so a crash in between only finishes the move. [`job`](crate::job) carries the
//! decisions out.

use std::num::NonZeroU32;
use std::time::Duration;

use docnorm_plugin_api::Record;

use crate::pipeline::{Cause, DocError};
use crate::state::{Attempt, FileState};

/// A file given up: what goes into its `.error.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiveUp {
    /// The plugin (or stage) that failed, if one did.
    pub plugin: Option<String>,
    /// What went wrong.
    pub reason: String,
    /// How many times processing was started.
    pub attempts: u32,
}

/// What to do once a claimed file's attempt is counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// An earlier start wrote all the file's records and was stopped before moving it on:
    /// move it on, process nothing.
    WrittenBefore,
    /// It has used up its attempts (crashes or hangs of the daemon, time-outs).
    GiveUp(GiveUp),
    /// Run the pipeline; this is start number `attempts`.
    Process {
        /// How many times processing was started, this time included.
        attempts: u32,
    },
}

/// Decides what to do with a file whose start was just stored; `all_written` says whether
/// the records an earlier start got to (`attempt.records`) are all in the output folder.
pub fn on_start(attempt: &Attempt, all_written: bool, max_attempts: NonZeroU32) -> Start {
    let before = attempt.starts.saturating_sub(1);
    match attempt.state {
        FileState::Done => Start::WrittenBefore,
        FileState::Processed if all_written => Start::WrittenBefore,
        FileState::Failed => Start::GiveUp(GiveUp {
            plugin: attempt.plugin.clone(),
            reason: attempt.error.clone().unwrap_or_default(),
            attempts: before,
        }),
        FileState::Processing if attempt.attempts >= max_attempts.get() => {
            let max = max_attempts.get();
            let last = attempt.error.clone().unwrap_or_else(|| {
                format!(
                    "processing never finished: the daemon died {} times while processing it alone",
                    attempt.attempts
                )
            });
            Start::GiveUp(GiveUp {
                plugin: attempt.plugin.clone(),
                reason: format!("gave up after {max} attempts: {last}"),
                attempts: before,
            })
        }
        FileState::Processing | FileState::Processed => Start::Process {
            attempts: attempt.starts,
        },
    }
}

/// A claim refused (a symlink, say): given up at once with the claim's reason.
pub fn on_refused(reason: &str, attempts: u32) -> GiveUp {
    GiveUp {
        plugin: Some("claim".to_owned()),
        reason: reason.to_owned(),
        attempts,
    }
}

/// What came of running the pipeline over a file.
#[derive(Debug)]
pub enum Finish {
    /// Every document gave a record: mark the file processed, write them, move it on.
    Processed(Vec<Record>),
    /// Some documents failed: write the records of those that worked (dropped again after a
    /// fix, the file rewrites them under the same names), then give the file up.
    Failed(Vec<Record>, GiveUp),
    /// A plugin's process crashed on a document (see [`Cause::Crash`]) and attempts are left:
    /// count one, and process the file again, like after a time-out.
    Retry {
        /// The plugin whose process crashed.
        plugin: Option<String>,
        /// What its process did.
        reason: String,
    },
}

/// Decides how a file ends from the pipeline's results (one per document), at start number
/// `attempts`, with `counted` attempts counted against it so far (of `max_attempts`).
pub fn on_results(
    results: Vec<Result<Record, DocError>>,
    attempts: u32,
    counted: u32,
    max_attempts: NonZeroU32,
) -> Finish {
    let parts = results.len();
    let (records, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let records: Vec<Record> = records.into_iter().filter_map(Result::ok).collect();
    let errors: Vec<DocError> = errors.into_iter().filter_map(Result::err).collect();
    let Some(first) = errors.first() else {
        return Finish::Processed(records);
    };
    let crash = errors.iter().find(|e| e.cause == Cause::Crash);
    // A crashed plugin process counts an attempt, as a time-out does.
    if let Some(crash) = crash.filter(|_| counted + 1 < max_attempts.get()) {
        return Finish::Retry {
            plugin: crash.plugin.clone(),
            reason: crash.message.clone(),
        };
    }
    let reason = if parts == 1 {
        first.message.clone()
    } else {
        partial_failure(parts, &errors)
    };
    let give_up = GiveUp {
        plugin: first.plugin.clone(),
        reason,
        attempts,
    };
    Finish::Failed(records, give_up)
}

/// The pipeline itself panicked (a bug in the daemon, not in a plugin): the file is given up.
pub fn on_crash(message: String, attempts: u32) -> GiveUp {
    GiveUp {
        plugin: None,
        reason: message,
        attempts,
    }
}

/// What to do when a plugin call passed the time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeOut {
    /// Attempts are left: process the file again.
    Retry {
        /// Why this attempt failed.
        reason: String,
    },
    /// It was the last attempt.
    GiveUp(GiveUp),
}

/// Why a plugin call past `limit` failed its attempt.
pub fn time_out_reason(limit: Duration) -> String {
    format!(
        "processing exceeded the time limit of {} ms (run.plugin_time_limit_ms)",
        limit.as_millis()
    )
}

/// Decides what follows a plugin call (of `plugin`, if one had started) past its limit, at start
/// number `attempts`, once the time-out made `counted` attempts against the file.
pub fn on_time_out(
    plugin: Option<String>,
    attempts: u32,
    counted: u32,
    reason: String,
    max_attempts: NonZeroU32,
) -> TimeOut {
    if counted >= max_attempts.get() {
        return TimeOut::GiveUp(GiveUp {
            plugin,
            reason,
            attempts,
        });
    }
    TimeOut::Retry { reason }
}

/// Why a file of several documents failed: how many, and the first few errors.
fn partial_failure(parts: usize, errors: &[DocError]) -> String {
    const SHOWN: usize = 5;
    let others = if errors.len() < parts {
        " (the others have records)"
    } else {
        ""
    };
    let mut reason = vec![format!(
        "{} of {parts} documents failed{others}",
        errors.len()
    )];
    reason.extend(errors.iter().take(SHOWN).map(|err| {
        let plugin = err.plugin.as_deref().unwrap_or("chain");
        format!("{plugin}: {}", err.message)
    }));
    if errors.len() > SHOWN {
        reason.push(format!("and {} more", errors.len() - SHOWN));
    }
    reason.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use docnorm_plugin_api::Source;

    const MAX: NonZeroU32 = NonZeroU32::new(3).unwrap();

    /// A file in `processing` at its start number `starts`, with `attempts` counted against it.
    fn attempt(attempts: u32, starts: u32) -> Attempt {
        Attempt {
            attempts,
            starts,
            state: FileState::Processing,
            plugin: None,
            error: None,
            records: Vec::new(),
        }
    }

    fn record(id: &str) -> Record {
        let mut record = Record::new(Source::default());
        id.clone_into(&mut record.id);
        record
    }

    fn error(plugin: &str, message: &str) -> DocError {
        DocError {
            path: "inbox/a.jsonl".to_owned(),
            plugin: Some(plugin.to_owned()),
            message: message.to_owned(),
            cause: Cause::Document,
        }
    }

    fn crash(plugin: &str, message: &str) -> DocError {
        DocError {
            cause: Cause::Crash,
            ..error(plugin, message)
        }
    }

    #[test]
    fn a_first_start_processes() {
        assert_eq!(
            on_start(&attempt(0, 1), false, MAX),
            Start::Process { attempts: 1 }
        );
    }

    #[test]
    fn starts_that_are_not_counted_still_process() {
        // Resumed many times after deaths with other files in flight.
        assert_eq!(
            on_start(&attempt(2, 9), false, MAX),
            Start::Process { attempts: 9 }
        );
    }

    #[test]
    fn the_counted_attempts_used_up_give_up_with_the_last_error() {
        let mut counted = attempt(3, 5);
        counted.plugin = Some("html".to_owned());
        counted.error = Some("too slow".to_owned());
        assert_eq!(
            on_start(&counted, false, MAX),
            Start::GiveUp(GiveUp {
                plugin: Some("html".to_owned()),
                reason: "gave up after 3 attempts: too slow".to_owned(),
                attempts: 4,
            })
        );
    }

    #[test]
    fn a_file_that_killed_the_daemon_alone_each_time_is_given_up_saying_so() {
        let Start::GiveUp(give_up) = on_start(&attempt(3, 4), false, MAX) else {
            panic!("not given up");
        };
        assert_eq!(give_up.plugin, None);
        assert!(
            give_up
                .reason
                .contains("the daemon died 3 times while processing it alone"),
            "{}",
            give_up.reason
        );
    }

    #[test]
    fn a_processed_file_whose_records_were_all_written_only_moves_on() {
        let mut counted = attempt(3, 9);
        counted.state = FileState::Processed;
        counted.records = vec!["id1".to_owned(), "id2".to_owned()];
        assert_eq!(on_start(&counted, true, MAX), Start::WrittenBefore);
    }

    #[test]
    fn a_processed_file_is_processed_again_never_given_up() {
        let mut counted = attempt(7, 9);
        counted.state = FileState::Processed;
        counted.records = vec!["id1".to_owned()];
        assert_eq!(
            on_start(&counted, false, MAX),
            Start::Process { attempts: 9 }
        );
    }

    #[test]
    fn a_file_done_before_the_crash_only_moves_on() {
        let mut counted = attempt(0, 2);
        counted.state = FileState::Done;
        assert_eq!(on_start(&counted, false, MAX), Start::WrittenBefore);
    }

    #[test]
    fn a_file_failed_before_the_crash_finishes_failing_with_its_reason() {
        let mut counted = attempt(0, 2);
        counted.state = FileState::Failed;
        counted.plugin = Some("html".to_owned());
        counted.error = Some("too deep".to_owned());
        assert_eq!(
            on_start(&counted, false, MAX),
            Start::GiveUp(GiveUp {
                plugin: Some("html".to_owned()),
                reason: "too deep".to_owned(),
                attempts: 1,
            })
        );
    }

    #[test]
    fn a_refused_claim_is_given_up_by_the_claim_stage() {
        let give_up = on_refused("a symlink", 1);
        assert_eq!(give_up.plugin.as_deref(), Some("claim"));
        assert_eq!(give_up.reason, "a symlink");
    }

    #[test]
    fn every_document_worked() {
        let finish = on_results(vec![Ok(record("a")), Ok(record("b"))], 1, 0, MAX);
        assert!(matches!(finish, Finish::Processed(r) if r.len() == 2));
    }

    #[test]
    fn one_document_failed_with_its_plugin_and_message() {
        let finish = on_results(vec![Err(error("html", "too deep"))], 2, 0, MAX);
        let Finish::Failed(records, give_up) = finish else {
            panic!("not failed");
        };
        assert!(records.is_empty());
        assert_eq!(
            give_up,
            GiveUp {
                plugin: Some("html".to_owned()),
                reason: "too deep".to_owned(),
                attempts: 2,
            }
        );
    }

    #[test]
    fn a_partial_failure_keeps_the_records_that_worked_and_names_the_first_errors() {
        let mut results = vec![Ok(record("a"))];
        results.extend((0..7).map(|i| Err(error("frontmatter", &format!("line {i}")))));
        let Finish::Failed(records, give_up) = on_results(results, 1, 0, MAX) else {
            panic!("not failed");
        };
        assert_eq!(records.len(), 1);
        assert_eq!(give_up.plugin.as_deref(), Some("frontmatter"));
        assert!(
            give_up.reason.starts_with(
                "7 of 8 documents failed (the others have records); frontmatter: line 0"
            ),
            "{}",
            give_up.reason
        );
        assert!(give_up.reason.ends_with("and 2 more"), "{}", give_up.reason);
    }

    #[test]
    fn when_every_document_failed_none_has_a_record() {
        let results = vec![Err(error("a", "x")), Err(error("b", "y"))];
        let Finish::Failed(_, give_up) = on_results(results, 1, 0, MAX) else {
            panic!("not failed");
        };
        assert_eq!(give_up.reason, "2 of 2 documents failed; a: x; b: y");
    }

    #[test]
    fn a_crashed_plugin_process_retries_while_attempts_are_left_then_gives_up() {
        let results = || vec![Ok(record("a")), Err(crash("tagger", "its process exited"))];
        assert!(matches!(
            on_results(results(), 2, 1, MAX),
            Finish::Retry { plugin: Some(p), reason } if p == "tagger" && reason == "its process exited"
        ));
        let Finish::Failed(records, give_up) = on_results(results(), 3, 2, MAX) else {
            panic!("not failed");
        };
        assert_eq!(records.len(), 1);
        assert_eq!(give_up.attempts, 3);
        assert!(
            give_up.reason.contains("tagger: its process exited"),
            "{}",
            give_up.reason
        );
    }

    #[test]
    fn a_crash_of_the_pipeline_gives_up_without_a_plugin() {
        let give_up = on_crash("the daemon panicked: x".to_owned(), 1);
        assert_eq!(give_up.plugin, None);
    }

    #[test]
    fn a_time_out_with_attempts_left_retries() {
        let reason = time_out_reason(Duration::from_millis(250));
        assert_eq!(
            reason,
            "processing exceeded the time limit of 250 ms (run.plugin_time_limit_ms)"
        );
        assert_eq!(
            on_time_out(Some("html".to_owned()), 4, 2, reason.clone(), MAX),
            TimeOut::Retry { reason }
        );
    }

    #[test]
    fn a_time_out_using_up_the_attempts_gives_up_naming_the_plugin() {
        let reason = time_out_reason(Duration::from_secs(1));
        let TimeOut::GiveUp(give_up) = on_time_out(Some("html".to_owned()), 3, 3, reason, MAX)
        else {
            panic!("not given up");
        };
        assert_eq!(give_up.plugin.as_deref(), Some("html"));
        assert_eq!(give_up.attempts, 3);
    }
}
