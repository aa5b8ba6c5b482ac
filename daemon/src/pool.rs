//! A fixed pool of worker threads for jobs with time-limited sections.
//!
//! The daemon hands each claimed file to the pool as one job (see [`job`](crate::job)), so a
//! file costs one hand-off between the run loop and a thread instead of one per step, and no
//! thread is started per file (a fixed set of threads also keeps memory flat: each thread that
//! allocates gets its own malloc arena). This module knows nothing about files, configs or
//! plugins: a job is a closure, and what it parks is opaque.
//!
//! - **The gate.** At most `at_once` jobs are inside their watched section at a time; a job
//!   enters with [`Worker::enter`] and leaves when the section returns. The pool has more
//!   threads than that, so while some jobs wait on the disk outside the gate, others keep the
//!   cores busy.
//! - **The limit.** Inside [`Worker::watched`], each lap started with [`Timer::restart`] (for
//!   the daemon: each plugin call) must end within the pool's limit. When one does not,
//!   [`Pool::run`] stops waiting and returns [`Ran::TimedOut`] with what the job parked, so
//!   the caller can handle the job's work itself; the job's thread is marked abandoned and a
//!   new thread takes its place (a replacement that cannot be started is tried again at the
//!   next job). The abandoned thread cannot be stopped: it keeps running until its section
//!   returns, then sees the mark, touches nothing and ends. Abandoning and returning are
//!   decided under one lock, so a job's work is either finished by its thread or handed back,
//!   never both.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::locks::{lock, wait};

/// Where a job is, written by its thread and read by [`Pool::run`] at the limit.
type Slot = Arc<Mutex<Current>>;

/// The job's phase, the label of its current lap, and since when.
struct Current {
    phase: Phase,
    label: Option<String>,
    since: Instant,
    /// Whether the job holds a place in the gate.
    in_gate: bool,
}

impl Current {
    /// Gives the job's place in the gate back, if it still holds one.
    fn leave(&mut self, gate: &Gate) {
        if std::mem::take(&mut self.in_gate) {
            gate.leave();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the watched section: no limit.
    Before,
    /// In the watched section: each lap within the limit.
    Watched,
    /// After the watched section: no limit, and no longer abandonable.
    After,
    /// [`Pool::run`] stopped waiting; the thread must leave the job's work alone.
    Abandoned,
}

/// How a job run by [`Pool::run`] ended.
#[derive(Debug)]
pub enum Ran<T, P> {
    /// The job returned.
    Finished(T),
    /// A lap exceeded the limit: its label, if one was given, and what the job parked.
    TimedOut(Option<String>, P),
    /// The job panicked outside its watched section.
    Crashed(String),
}

/// What a job's thread holds: its slot, what it parks there, and the gate.
pub struct Worker<P> {
    slot: Slot,
    parked: Arc<Mutex<Option<P>>>,
    gate: Arc<Gate>,
    laps: Arc<AtomicU64>,
}

/// Restarts the limit inside a watched section.
pub struct Timer<'a> {
    slot: &'a Mutex<Current>,
    laps: &'a AtomicU64,
}

impl Timer<'_> {
    /// Starts a new lap named `label`: it gets the whole limit from now.
    pub fn restart(&self, label: &str) {
        self.laps.fetch_add(1, Ordering::Relaxed);
        let mut current = lock(self.slot);
        current.label = Some(label.to_owned());
        current.since = Instant::now();
    }
}

impl<P> Worker<P> {
    /// Waits for a place in the gate; the job gives it back when its watched section returns
    /// (or when the job ends, if it never runs one), [`Pool::run`] when it abandons the job.
    pub fn enter(&self) {
        debug_assert!(!lock(&self.slot).in_gate, "a job entered the gate twice");
        self.gate.enter();
        lock(&self.slot).in_gate = true;
    }

    /// Runs `work` as the watched section: the limit counts from now and from each
    /// [`Timer::restart`]. `parked` is what the caller of [`Pool::run`] gets back if the
    /// section times out. Returns what `work` returned (a panic becomes its message) and
    /// `parked`, or `None` when the job was abandoned (the job must then leave its work
    /// alone).
    pub fn watched<R>(
        &self,
        parked: P,
        work: impl FnOnce(&Timer<'_>) -> R,
    ) -> Option<(Result<R, String>, P)> {
        *lock(&self.parked) = Some(parked);
        {
            let mut current = lock(&self.slot);
            if current.phase == Phase::Abandoned {
                return None;
            }
            current.phase = Phase::Watched;
            current.label = None;
            current.since = Instant::now();
        }
        let timer = Timer {
            slot: &self.slot,
            laps: &self.laps,
        };
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(&timer)));
        {
            let mut current = lock(&self.slot);
            if current.phase == Phase::Abandoned {
                return None;
            }
            current.phase = Phase::After;
            current.leave(&self.gate);
        }
        let parked = lock(&self.parked).take()?;
        Some((result.map_err(|panic| panic_message(&*panic)), parked))
    }
}

/// A job handed to a pool thread; it returns whether its job was abandoned, in which case
/// another thread has already taken this one's place and this one ends.
type Task = Box<dyn FnOnce() -> bool + Send>;

/// The worker threads, waiting for tasks.
pub struct Pool {
    name: String,
    tasks: Arc<Tasks>,
    gate: Arc<Gate>,
    limit: Duration,
    /// How many threads it keeps working.
    threads: usize,
    /// Replacements for stuck threads that could not be started yet.
    missing: AtomicUsize,
    /// Laps started by all jobs so far.
    laps: Arc<AtomicU64>,
}

/// The tasks not yet taken, and whether the pool is closing.
#[derive(Default)]
struct Tasks {
    queue: Mutex<(VecDeque<Task>, bool)>,
    ready: Condvar,
}

impl Pool {
    /// Starts `threads` worker threads named `name`, at most `at_once` of their jobs in the
    /// gate at a time, each lap of a watched section within `limit`.
    pub fn new(
        name: &str,
        at_once: NonZeroUsize,
        threads: NonZeroUsize,
        limit: Duration,
    ) -> std::io::Result<Self> {
        let pool = Self {
            name: name.to_owned(),
            tasks: Arc::default(),
            gate: Arc::new(Gate {
                free: Mutex::new(at_once.get()),
                opened: Condvar::new(),
            }),
            limit,
            threads: threads.get(),
            missing: AtomicUsize::new(0),
            laps: Arc::default(),
        };
        for _ in 0..pool.threads {
            pool.add_thread()?;
        }
        Ok(pool)
    }

    fn add_thread(&self) -> std::io::Result<()> {
        let tasks = Arc::clone(&self.tasks);
        std::thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || {
                while let Some(task) = tasks.next() {
                    if task() {
                        return;
                    }
                }
            })
            .map(drop)
    }

    /// How many threads it keeps working: as many jobs as it runs without one waiting for a
    /// thread.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// How many laps all jobs have started so far (a measure of progress).
    pub fn laps(&self) -> u64 {
        self.laps.load(Ordering::Relaxed)
    }

    /// Starts the replacements for stuck threads that are still missing; without them the
    /// pool would shrink for good and, once every thread is stuck, take no job at all.
    fn replace_missing(&self) {
        while self.missing.load(Ordering::SeqCst) > 0 {
            if let Err(err) = self.add_thread() {
                tracing::error!(error = %err, "cannot start a worker thread to replace a stuck one; trying again at the next job");
                return;
            }
            self.missing.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Runs `job` on a pool thread and waits for it while no lap of its watched section
    /// takes longer than the limit. Jobs wait for a free thread when all are busy.
    pub async fn run<T, P, F>(&self, job: F) -> Ran<T, P>
    where
        T: Send + 'static,
        P: Send + 'static,
        F: FnOnce(&Worker<P>) -> T + Send + 'static,
    {
        let slot: Slot = Arc::new(Mutex::new(Current {
            phase: Phase::Before,
            label: None,
            since: Instant::now(),
            in_gate: false,
        }));
        let parked = Arc::new(Mutex::new(None));
        let worker = Worker {
            slot: Arc::clone(&slot),
            parked: Arc::clone(&parked),
            gate: Arc::clone(&self.gate),
            laps: Arc::clone(&self.laps),
        };
        self.replace_missing();
        let (tx, mut rx) = oneshot::channel();
        self.tasks.push(Box::new(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| job(&worker)));
            let abandoned = {
                // A job that entered but ran no watched section still holds its place.
                let mut current = lock(&worker.slot);
                current.leave(&worker.gate);
                current.phase == Phase::Abandoned
            };
            // `run` may have stopped waiting; then nobody needs the result.
            let _ = tx.send(result.map_err(|panic| panic_message(&*panic)));
            abandoned
        }));
        let limit = self.limit;
        loop {
            let (phase, since) = {
                let current = lock(&slot);
                (current.phase, current.since)
            };
            let received = match phase {
                Phase::Watched => tokio::time::timeout_at((since + limit).into(), &mut rx).await,
                Phase::After | Phase::Abandoned => Ok((&mut rx).await),
                // The watched section may start at any moment: look again after one limit.
                Phase::Before => tokio::time::timeout(limit, &mut rx).await,
            };
            match received {
                Ok(Ok(Ok(value))) => return Ran::Finished(value),
                Ok(Ok(Err(message))) => return Ran::Crashed(message),
                Ok(Err(_)) => {
                    return Ran::Crashed("the worker thread ended without a result".into());
                }
                Err(_) => {
                    let mut current = lock(&slot);
                    // Another lap started meanwhile: it gets its own limit.
                    if current.phase != Phase::Watched || current.since > since {
                        continue;
                    }
                    current.phase = Phase::Abandoned;
                    // The stuck thread no longer counts as in the gate.
                    current.leave(&self.gate);
                    let label = current.label.clone();
                    drop(current);
                    // The stuck thread ends when (if ever) its section returns.
                    self.missing.fetch_add(1, Ordering::SeqCst);
                    self.replace_missing();
                    if let Some(parked) = lock(&parked).take() {
                        return Ran::TimedOut(label, parked);
                    }
                    return Ran::Crashed("the job timed out with nothing to report".into());
                }
            }
        }
    }
}

impl Drop for Pool {
    /// Lets the idle threads end; busy ones end after their task.
    fn drop(&mut self) {
        lock(&self.tasks.queue).1 = true;
        self.tasks.ready.notify_all();
    }
}

/// A counting semaphore: how many more jobs may enter.
struct Gate {
    free: Mutex<usize>,
    opened: Condvar,
}

impl Gate {
    /// Waits for room, then takes it.
    fn enter(&self) {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = wait(&self.opened, free);
        }
        *free -= 1;
    }

    fn leave(&self) {
        *lock(&self.free) += 1;
        self.opened.notify_one();
    }
}

impl Tasks {
    fn push(&self, task: Task) {
        lock(&self.queue).0.push_back(task);
        self.ready.notify_one();
    }

    /// The next task, waiting for one; `None` once the pool is closing.
    fn next(&self) -> Option<Task> {
        let mut queue = lock(&self.queue);
        loop {
            if let Some(task) = queue.0.pop_front() {
                return Some(task);
            }
            if queue.1 {
                return None;
            }
            queue = wait(&self.ready, queue);
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("the daemon panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    const LIMIT: Duration = Duration::from_millis(100);

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A pool with one place in the gate and two threads.
    fn pool(limit: Duration) -> Pool {
        let (one, two) = (NonZeroUsize::MIN, NonZeroUsize::new(2).unwrap());
        Pool::new("test", one, two, limit).unwrap()
    }

    /// Runs one job on a fresh pool.
    fn run<T, P, F>(limit: Duration, job: F) -> Ran<T, P>
    where
        T: Send + 'static,
        P: Send + 'static,
        F: FnOnce(&Worker<P>) -> T + Send + 'static,
    {
        runtime().block_on(pool(limit).run(job))
    }

    #[test]
    fn a_job_within_the_limit_finishes_on_its_thread() {
        let ran = run(LIMIT, |worker: &Worker<&str>| {
            let (result, parked) = worker.watched("file", |_| 1 + 1).unwrap();
            (result.unwrap(), parked)
        });
        assert!(matches!(ran, Ran::Finished((2, "file"))), "{ran:?}");
    }

    #[test]
    fn a_job_past_the_limit_is_handed_to_the_run_loop_and_its_thread_leaves_it_alone() {
        let finished_anyway = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&finished_anyway);
        let ran = run(LIMIT, move |worker: &Worker<&str>| {
            let outcome = worker.watched("file", |_| std::thread::sleep(LIMIT * 3));
            flag.store(outcome.is_some(), Ordering::SeqCst);
        });
        assert!(matches!(ran, Ran::TimedOut(None, "file")), "{ran:?}");
        std::thread::sleep(LIMIT * 4);
        assert!(!finished_anyway.load(Ordering::SeqCst));
    }

    #[test]
    fn a_stuck_thread_is_replaced_so_the_next_job_still_runs() {
        // One place in the pipeline, two threads: one gets stuck, the other is kept busy
        // outside the pipeline, so the next job needs both the stuck one's place and a new
        // thread.
        let pool = pool(LIMIT);
        let stuck_returned = Arc::new(AtomicBool::new(false));
        let busy_returned = Arc::new(AtomicBool::new(false));
        let (flag, busy_flag) = (Arc::clone(&stuck_returned), Arc::clone(&busy_returned));
        let busy = pool.run(move |_: &Worker<()>| {
            std::thread::sleep(LIMIT * 10);
            busy_flag.store(true, Ordering::SeqCst);
        });
        let stuck_then_next = async {
            let stuck = pool
                .run(move |worker: &Worker<()>| {
                    worker.enter();
                    worker.watched((), |_| std::thread::sleep(LIMIT * 20));
                    flag.store(true, Ordering::SeqCst);
                })
                .await;
            let next = pool
                .run(|worker: &Worker<()>| {
                    worker.enter();
                    worker
                        .watched((), |_| 7)
                        .map(|(result, ())| result.unwrap())
                })
                .await;
            (stuck, next, busy_returned.load(Ordering::SeqCst))
        };
        let (_, (stuck, next, busy_was_done)) =
            runtime().block_on(async { tokio::join!(busy, stuck_then_next) });
        assert!(matches!(stuck, Ran::TimedOut(None, ())), "{stuck:?}");
        assert!(matches!(next, Ran::Finished(Some(7))), "{next:?}");
        assert!(
            !stuck_returned.load(Ordering::SeqCst) && !busy_was_done,
            "the next job waited for the stuck or the busy one"
        );
    }

    #[test]
    fn one_job_at_a_time_is_in_the_pipeline_while_another_finishes() {
        let pool = pool(Duration::from_secs(60));
        let in_pipeline = Arc::new(AtomicUsize::new(0));
        let overlapped = Arc::new(AtomicBool::new(false));
        let first_finished = Arc::new(AtomicBool::new(false));
        let job = |first: bool| {
            let (in_pipeline, overlapped) = (Arc::clone(&in_pipeline), Arc::clone(&overlapped));
            let first_finished = Arc::clone(&first_finished);
            move |worker: &Worker<()>| {
                worker.enter();
                worker.watched((), |_| {
                    if in_pipeline.fetch_add(1, Ordering::SeqCst) > 0 {
                        overlapped.store(true, Ordering::SeqCst);
                    }
                    std::thread::sleep(LIMIT);
                    in_pipeline.fetch_sub(1, Ordering::SeqCst);
                });
                if first {
                    // Finishing: the second job's pipeline runs meanwhile.
                    std::thread::sleep(LIMIT * 3);
                    first_finished.store(true, Ordering::SeqCst);
                    false
                } else {
                    first_finished.load(Ordering::SeqCst)
                }
            }
        };
        let (first, second) =
            runtime().block_on(async { tokio::join!(pool.run(job(true)), pool.run(job(false))) });
        assert!(matches!(first, Ran::Finished(false)), "{first:?}");
        assert!(
            matches!(second, Ran::Finished(false)),
            "the second job waited for the first to finish: {second:?}"
        );
        assert!(
            !overlapped.load(Ordering::SeqCst),
            "two jobs were in the pipeline"
        );
    }

    #[test]
    fn a_job_that_processes_nothing_gives_its_place_back() {
        let pool = pool(LIMIT);
        let runtime = runtime();
        for n in 0..3 {
            let job = move |worker: &Worker<()>| {
                worker.enter();
                n
            };
            let ran = runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), pool.run(job)).await
            });
            assert!(matches!(ran, Ok(Ran::Finished(m)) if m == n), "{ran:?}");
        }
    }

    #[test]
    fn slow_claiming_and_finishing_are_not_limited() {
        let ran = run(LIMIT, |worker: &Worker<()>| {
            std::thread::sleep(LIMIT * 2);
            let outcome = worker.watched((), |_| ());
            std::thread::sleep(LIMIT * 2);
            outcome.is_some()
        });
        assert!(matches!(ran, Ran::Finished(true)), "{ran:?}");
    }

    #[test]
    fn a_panic_is_reported_with_its_message() {
        // Printing a panic's backtrace can take longer than LIMIT.
        let limit = Duration::from_secs(60);
        let ran = run(limit, |worker: &Worker<()>| {
            let (inner, ()) = worker.watched((), |_| panic!("inside")).unwrap();
            assert!(inner.unwrap_err().contains("inside"));
            panic!("outside");
        });
        assert!(
            matches!(&ran, Ran::Crashed(m) if m.contains("outside")),
            "{ran:?}"
        );
    }
}
