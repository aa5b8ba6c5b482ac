//! The files of the work folder waiting for a job, and in which order they get one.
//!
//! Three kinds wait there, beside the inbox's [`queue`](crate::queue): *suspects*, found at
//! start (in flight when the daemon last stopped or died), each run alone in the pipeline, one
//! after the other, before anything else, so only a file that kills the daemon again is blamed
//! (see [`life`](crate::life)); *retries* after a time-out; and *stalled* files whose records or
//! move could not be written (a full disk, an output folder gone), tried again after a wait
//! that doubles with each write error up to a minute and starts over after a success.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Duration;

use tokio::time::Instant;

use crate::job::{Ended, Job};

/// The first and the longest wait before a stalled file is tried again.
const MIN_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The waiting work-folder files.
#[derive(Debug)]
pub struct Backlog {
    suspects: VecDeque<PathBuf>,
    /// Whether a suspect's job is running.
    suspect_running: bool,
    retries: VecDeque<PathBuf>,
    stalled: VecDeque<(Instant, PathBuf)>,
    /// How long the next stalled file waits.
    backoff: Duration,
}

/// What may start next.
#[derive(Debug)]
pub enum Next {
    /// This job.
    Job(Job),
    /// Nothing for now: a suspect runs, or waits for the other jobs to end.
    Wait,
    /// Nothing from the backlog: the inbox's files may start.
    Inbox,
}

impl Backlog {
    /// A backlog of `suspects`.
    pub fn new(suspects: Vec<PathBuf>) -> Self {
        Self {
            suspects: suspects.into(),
            suspect_running: false,
            retries: VecDeque::new(),
            stalled: VecDeque::new(),
            backoff: MIN_BACKOFF,
        }
    }

    /// A backlog of the files left in the `work` folder, the suspects.
    pub fn resume(work: &std::path::Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let leftovers = crate::claim::leftovers(work)
            .with_context(|| format!("{}: cannot list the work folder", work.display()))?;
        if !leftovers.is_empty() {
            tracing::info!(
                files = leftovers.len(),
                "resuming files claimed before the last stop, one at a time"
            );
        }
        Ok(Self::new(leftovers))
    }

    /// What may start now, with `running` jobs running.
    pub fn next(&mut self, running: usize, now: Instant) -> Next {
        if self.suspect_running {
            return Next::Wait;
        }
        if !self.suspects.is_empty() {
            if running > 0 {
                return Next::Wait;
            }
            let Some(path) = self.suspects.pop_front() else {
                return Next::Wait;
            };
            self.suspect_running = true;
            return Next::Job(Job::Resume(path));
        }
        if self.stalled.front().is_some_and(|(due, _)| *due <= now)
            && let Some((_, path)) = self.stalled.pop_front()
        {
            return Next::Job(Job::Retry(path));
        }
        match self.retries.pop_front() {
            Some(path) => Next::Job(Job::Retry(path)),
            None => Next::Inbox,
        }
    }

    /// Takes note of how a job ended (`suspect`: it ran a suspect); returns the wait before a
    /// stalled file is tried again.
    pub fn ended(&mut self, suspect: bool, ended: Ended, now: Instant) -> Option<Duration> {
        if suspect {
            self.suspect_running = false;
        }
        match ended {
            Ended::Processed | Ended::Failed => self.backoff = MIN_BACKOFF,
            Ended::Retry(path) => self.retries.push_back(path),
            Ended::Stalled(path) => {
                let wait = self.backoff;
                self.stalled.push_back((now + wait, path));
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                return Some(wait);
            }
            Ended::Nothing => {}
        }
        None
    }

    /// When the first stalled file is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.stalled.front().map(|(due, _)| *due)
    }

    /// How many suspects and retries wait.
    pub fn waiting(&self) -> usize {
        self.suspects.len() + self.retries.len()
    }

    /// How many stalled files wait.
    pub fn stalled(&self) -> usize {
        self.stalled.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(name: &str) -> PathBuf {
        PathBuf::from(name)
    }

    #[test]
    fn suspects_run_alone_one_after_the_other_before_anything_else() {
        let now = Instant::now();
        let mut backlog = Backlog::new(vec![path("a"), path("b")]);
        backlog.ended(false, Ended::Retry(path("r")), now);
        // Another job still runs: the first suspect waits for it.
        assert!(matches!(backlog.next(1, now), Next::Wait));
        assert!(matches!(backlog.next(0, now), Next::Job(Job::Resume(p)) if p == path("a")));
        assert!(matches!(backlog.next(1, now), Next::Wait));
        backlog.ended(true, Ended::Processed, now);
        assert!(matches!(backlog.next(0, now), Next::Job(Job::Resume(p)) if p == path("b")));
        backlog.ended(true, Ended::Failed, now);
        assert!(matches!(backlog.next(0, now), Next::Job(Job::Retry(p)) if p == path("r")));
        assert!(matches!(backlog.next(0, now), Next::Inbox));
    }

    #[test]
    fn stalled_files_wait_longer_after_each_write_error_and_start_over_after_a_success() {
        let now = Instant::now();
        let mut backlog = Backlog::new(Vec::new());
        let waits: Vec<Duration> = (0..8)
            .filter_map(|_| backlog.ended(false, Ended::Stalled(path("s")), now))
            .collect();
        let seconds: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
        assert_eq!(seconds, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backlog.next_due(), Some(now + Duration::from_secs(1)));
        assert!(matches!(backlog.next(0, now), Next::Inbox), "not due yet");
        let later = now + Duration::from_secs(1);
        assert!(matches!(backlog.next(0, later), Next::Job(Job::Retry(_))));
        backlog.ended(false, Ended::Processed, later);
        let wait = backlog.ended(false, Ended::Stalled(path("t")), later);
        assert_eq!(wait, Some(Duration::from_secs(1)));
    }
}
