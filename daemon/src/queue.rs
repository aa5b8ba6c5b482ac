//! The queue: inbox files between being noticed and being claimed.
//!
//! Between the [`watch`](crate::watch) stage and the claim. Every path is known once,
//! whether a scan or an event found it (that is the de-duplication of "watch first, then
//! scan"). A file said complete by the watcher is ready at once; any other waits until its
//! size and modification time have stayed unchanged for the settle time. The queue holds at
//! most `limit` paths: past that it drops what it is offered and remembers to rescan once
//! there is room, so a flood of files costs bounded memory (they wait in the inbox).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Paths waiting to be claimed.
#[derive(Debug)]
pub struct Queue {
    pending: HashMap<PathBuf, Pending>,
    ready: VecDeque<PathBuf>,
    queued: HashSet<PathBuf>,
    in_flight: HashSet<PathBuf>,
    /// In-flight paths that something new appeared at while they were being processed.
    recheck: HashSet<PathBuf>,
    limit: usize,
    settle: Duration,
    overflowed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    size: u64,
    modified: Option<SystemTime>,
    stable_since: Instant,
}

impl Queue {
    /// An empty queue holding at most `limit` paths, settling files for `settle`.
    pub fn new(limit: std::num::NonZeroUsize, settle: Duration) -> Self {
        Self {
            pending: HashMap::new(),
            ready: VecDeque::new(),
            queued: HashSet::new(),
            in_flight: HashSet::new(),
            recheck: HashSet::new(),
            limit: limit.get(),
            settle,
            overflowed: false,
        }
    }

    /// How many paths are pending, ready or in flight.
    pub fn len(&self) -> usize {
        self.pending.len() + self.ready.len() + self.in_flight.len()
    }

    /// Whether nothing is pending, ready or in flight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many paths wait to be claimed (pending or ready).
    pub fn waiting(&self) -> usize {
        self.pending.len() + self.ready.len()
    }

    /// Whether paths were dropped for lack of room and there is room again, so the inbox
    /// should be scanned; clears the flag.
    pub fn take_overflow(&mut self) -> bool {
        if self.overflowed && self.len() <= self.limit / 2 {
            self.overflowed = false;
            return true;
        }
        false
    }

    /// A file the watcher says is complete: ready at once.
    pub fn complete(&mut self, path: PathBuf) {
        if self.noted_in_flight(&path) || self.queued.contains(&path) {
            return;
        }
        if self.pending.remove(&path).is_none() && !self.has_room() {
            return;
        }
        self.queued.insert(path.clone());
        self.ready.push_back(path);
    }

    /// A file that was created or written to: it settles from now.
    pub fn changed(&mut self, path: PathBuf, now: Instant) {
        if self.noted_in_flight(&path) || self.queued.contains(&path) {
            return;
        }
        if let Some(pending) = self.pending.get_mut(&path) {
            pending.stable_since = now;
        } else if self.has_room()
            && let Some(pending) = observe(&path, now)
        {
            self.pending.insert(path, pending);
        }
    }

    /// Takes the paths a scan found, but those `skip` says, until the queue is full: the rest
    /// waits in the inbox, and the queue asks for a rescan once it has room again (without
    /// that, it would wait for the reconcile scan).
    pub fn fill(
        &mut self,
        paths: impl IntoIterator<Item = PathBuf>,
        skip: impl Fn(&Path) -> bool,
        now: Instant,
    ) {
        for path in paths {
            if skip(&path) {
                continue;
            }
            if self.is_full() {
                break;
            }
            self.found(path, now);
        }
    }

    /// A file found by a scan: it counts as settled since its last modification.
    pub fn found(&mut self, path: PathBuf, now: Instant) {
        if self.noted_in_flight(&path)
            || self.queued.contains(&path)
            || self.pending.contains_key(&path)
            || !self.has_room()
        {
            return;
        }
        if let Some(pending) = observe(&path, now) {
            self.pending.insert(path, pending);
        }
    }

    /// A file that left the inbox before it was claimed.
    pub fn gone(&mut self, path: &Path) {
        self.pending.remove(path);
    }

    /// Moves pending files that have settled to the ready list; `now` is the current time.
    pub fn settle(&mut self, now: Instant) {
        let mut settled = Vec::new();
        let settle = self.settle;
        self.pending.retain(|path, pending| {
            if now.duration_since(pending.stable_since) < settle {
                return true;
            }
            match observe(path, now) {
                None => false,
                Some(seen) if seen.size == pending.size && seen.modified == pending.modified => {
                    settled.push(path.clone());
                    false
                }
                Some(seen) => {
                    *pending = Pending {
                        stable_since: now,
                        ..seen
                    };
                    true
                }
            }
        });
        for path in settled {
            self.queued.insert(path.clone());
            self.ready.push_back(path);
        }
    }

    /// When the next pending file may settle.
    pub fn next_settle(&self) -> Option<Instant> {
        self.pending
            .values()
            .map(|pending| pending.stable_since + self.settle)
            .min()
    }

    /// The next ready path, which is in flight from now on.
    pub fn take(&mut self) -> Option<PathBuf> {
        let path = self.ready.pop_front()?;
        self.queued.remove(&path);
        self.in_flight.insert(path.clone());
        Some(path)
    }

    /// The path is no longer in flight. Returns whether something arrived at the same path
    /// meanwhile, which the caller then offers again.
    pub fn finished(&mut self, path: &Path) -> bool {
        self.in_flight.remove(path);
        self.recheck.remove(path)
    }

    /// Whether the queue is full; if so, a rescan is asked for once there is room again
    /// (the caller stops offering paths and leaves the rest in the inbox).
    pub fn is_full(&mut self) -> bool {
        !self.has_room()
    }

    fn has_room(&mut self) -> bool {
        if self.len() < self.limit {
            return true;
        }
        self.overflowed = true;
        false
    }

    fn noted_in_flight(&mut self, path: &Path) -> bool {
        if self.in_flight.contains(path) {
            self.recheck.insert(path.to_owned());
            return true;
        }
        false
    }
}

/// The file's size and modification time; `stable_since` is set back by the time since its
/// last modification, so a file untouched for longer than the settle time is ready at the
/// next check.
fn observe(path: &Path, now: Instant) -> Option<Pending> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !(meta.is_file() || meta.is_symlink()) {
        return None;
    }
    let modified = meta.modified().ok();
    let age = modified
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or_default();
    Some(Pending {
        size: meta.len(),
        modified,
        stable_since: now.checked_sub(age).unwrap_or(now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroUsize;

    const SETTLE: Duration = Duration::from_millis(500);

    fn file(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "text").unwrap();
        path
    }

    #[test]
    fn a_complete_file_is_ready_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "a.txt");
        let mut queue = Queue::new(NonZeroUsize::new(10).unwrap(), SETTLE);
        let now = Instant::now();
        queue.changed(path.clone(), now);
        queue.complete(path.clone());
        queue.complete(path.clone());
        queue.found(path.clone(), now);
        assert_eq!(queue.take(), Some(path.clone()));
        assert_eq!(queue.take(), None);
        queue.complete(path.clone());
        assert_eq!(queue.take(), None, "in flight");
        assert!(queue.finished(&path), "a new file arrived at the same path");
    }

    #[test]
    fn a_changed_file_waits_for_the_settle_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "a.txt");
        let mut queue = Queue::new(NonZeroUsize::new(10).unwrap(), SETTLE);
        let now = Instant::now();
        queue.changed(path.clone(), now);
        queue.settle(now + SETTLE / 2);
        assert_eq!(queue.take(), None);
        queue.settle(now + SETTLE);
        assert_eq!(queue.take(), Some(path));
    }

    #[test]
    fn a_file_that_keeps_growing_does_not_settle() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "a.txt");
        let mut queue = Queue::new(NonZeroUsize::new(10).unwrap(), SETTLE);
        let now = Instant::now();
        queue.changed(path.clone(), now);
        std::fs::write(&path, "longer text").unwrap();
        queue.settle(now + SETTLE);
        assert_eq!(queue.take(), None);
        queue.settle(now + SETTLE * 2);
        assert_eq!(queue.take(), Some(path));
    }

    #[test]
    fn a_full_queue_drops_paths_and_asks_for_a_rescan() {
        let dir = tempfile::tempdir().unwrap();
        let mut queue = Queue::new(NonZeroUsize::new(2).unwrap(), SETTLE);
        for name in ["a", "b", "c"] {
            queue.complete(file(dir.path(), name));
        }
        assert_eq!(queue.len(), 2);
        assert!(!queue.take_overflow(), "no room yet");
        let a = queue.take().unwrap();
        queue.finished(&a);
        assert!(queue.take_overflow());
        assert!(!queue.take_overflow());
    }

    #[test]
    fn a_scan_stopped_by_a_full_queue_asks_for_a_rescan() {
        let dir = tempfile::tempdir().unwrap();
        let mut queue = Queue::new(NonZeroUsize::new(2).unwrap(), SETTLE);
        let now = Instant::now();
        for name in ["a", "b"] {
            assert!(!queue.is_full());
            queue.found(file(dir.path(), name), now);
        }
        // A third file is waiting in the inbox: the scan stops here.
        assert!(queue.is_full());
        queue.settle(now + SETTLE);
        let a = queue.take().unwrap();
        queue.finished(&a);
        assert!(
            queue.take_overflow(),
            "the rest of the inbox must be scanned"
        );
    }
}
