//! The work stage: one claimed file from claim to finish on a worker thread, each plugin
//! call within a time limit.
//!
//! A [`Pool`] keeps a fixed set of OS threads working, and [`Pool::run`]
//! hands each one a whole job (claim, pipeline, finish), so a document costs one hand-off
//! between the run loop and a worker instead of one per step, and no thread is started per
//! document (starting one cost a stack, its page faults and a dozen system calls each time).
//! A fixed set of threads also keeps memory flat: each thread that allocates gets its own
//! malloc arena. A gate lets at most `run.concurrency` jobs process at once (reading the
//! file and running the plugins, where the memory and the CPU go): a job enters it with
//! [`Worker::enter`] once its file is claimed, and leaves when it starts finishing. The pool
//! has twice as many threads, so while some jobs wait on the disk (renames, fsyncs, the state
//! store when claiming and finishing) others keep the cores busy. The
//! limit applies to each plugin call (one plugin on one document), so a JSON Lines file of
//! many objects gets it for each object, not once for all; claiming and finishing (file
//! moves, fsyncs, the state store) are not plugin calls and are not limited. Plugins run in
//! the daemon's process, so a plugin that hangs cannot be stopped: when a call exceeds the
//! time limit the run loop marks the file abandoned, takes back what the job parked with
//! [`Worker::process`] to count the attempt, starts a thread to take the stuck one's place
//! (a replacement that cannot be started is tried again at the next job, and logged) and
//! goes on. The stuck thread is left behind (it keeps running, and holding what it
//! holds, until the plugin returns, if ever; it then sees the mark, touches nothing and
//! ends). Abandoning and finishing are decided under one lock,
//! so a file is either finished by its thread or handled by the run loop, never both. The
//! process-isolated plugins planned in the spec will make the limit a hard kill. Each plugin
//! is wrapped so the abandoned document can name the plugin it was in.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use docnorm_plugin_api::{Document, Manifest, Outcome, Plugin, PluginError, Record};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::locks::{lock, wait};
use crate::pipeline::{DocError, Pipeline};

/// Where a job is, written by its thread and read by the run loop on the time limit.
type Slot = Arc<Mutex<Current>>;

/// The job's phase, the plugin running, and since when (the start of processing before the
/// first plugin).
struct Current {
    phase: Phase,
    plugin: Option<String>,
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
    /// Claiming: no plugin runs yet, no limit.
    Claiming,
    /// In the pipeline: each plugin call within the limit.
    Processing,
    /// Writing what came of it: no limit, and no longer abandonable.
    Finishing,
    /// The run loop gave up waiting; the thread must leave the file alone.
    Abandoned,
}

thread_local! {
    static CURRENT: RefCell<Option<Slot>> = const { RefCell::new(None) };
}

/// What came of processing one document.
#[derive(Debug)]
pub enum Worked {
    /// The pipeline's results: one for most files, one per object for JSON Lines and JSON
    /// lists; each a record or the error that failed that document.
    Done(Vec<Result<Record, DocError>>),
    /// The pipeline itself panicked (a bug in the daemon, not in a plugin).
    Crashed(String),
}

/// How a job run by [`Pool::run`] ended.
#[derive(Debug)]
pub enum Ran<T, P> {
    /// The job returned.
    Finished(T),
    /// A plugin call exceeded the time limit: the plugin, if one had started, and what the
    /// job parked when it started processing.
    TimedOut(Option<String>, P),
    /// The job panicked outside the pipeline.
    Crashed(String),
}

/// What a job's thread holds: the slot the run loop watches, what it parks there, and the
/// gate to the pipeline.
pub struct Worker<P> {
    slot: Slot,
    parked: Arc<Mutex<Option<P>>>,
    gate: Arc<Gate>,
}

impl<P> Worker<P> {
    /// Waits for a place in the pipeline; the job gives it back when its pipeline returns
    /// (or when the job ends, if it never runs one), the run loop when it abandons the job.
    pub fn enter(&self) {
        debug_assert!(
            !lock(&self.slot).in_gate,
            "a job entered the pipeline twice"
        );
        self.gate.enter();
        lock(&self.slot).in_gate = true;
    }

    /// Runs `pipeline` over `path` (named `shown`) with each plugin call watched; `parked`
    /// is what the run loop needs to handle the file if it times out. Returns the results
    /// and `parked` back, or `None` when the run loop abandoned the file (the caller must then
    /// leave it alone).
    pub fn process(
        &self,
        pipeline: &Pipeline,
        path: &Path,
        shown: &Path,
        parked: P,
    ) -> Option<(Worked, P)> {
        let (result, parked) = self.watched(parked, || pipeline.process_as(path, shown))?;
        let worked = match result {
            Ok(results) => Worked::Done(results),
            Err(message) => Worked::Crashed(message),
        };
        Some((worked, parked))
    }

    /// Runs `work` as the watched part of the job (see [`Worker::process`]); a panic in it
    /// becomes its message.
    fn watched<R>(&self, parked: P, work: impl FnOnce() -> R) -> Option<(Result<R, String>, P)> {
        *lock(&self.parked) = Some(parked);
        {
            let mut current = lock(&self.slot);
            if current.phase == Phase::Abandoned {
                return None;
            }
            current.phase = Phase::Processing;
            current.plugin = None;
            current.since = Instant::now();
        }
        CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(&self.slot)));
        let result = std::panic::catch_unwind(AssertUnwindSafe(work));
        CURRENT.with(|current| current.borrow_mut().take());
        {
            let mut current = lock(&self.slot);
            if current.phase == Phase::Abandoned {
                return None;
            }
            current.phase = Phase::Finishing;
            current.leave(&self.gate);
        }
        let parked = lock(&self.parked).take()?;
        Some((result.map_err(|panic| panic_message(&*panic)), parked))
    }
}

/// A job handed to a pool thread; it returns whether its file was abandoned, in which case
/// another thread has already taken this one's place and this one ends.
type Task = Box<dyn FnOnce() -> bool + Send>;

/// The worker threads, waiting for tasks.
pub struct Pool {
    name: String,
    shared: Arc<Tasks>,
    gate: Arc<Gate>,
    /// How many threads it keeps working.
    threads: usize,
    /// Replacements for stuck threads that could not be started yet.
    missing: AtomicUsize,
}

/// The tasks not yet taken, and whether the pool is closing.
#[derive(Default)]
struct Tasks {
    queue: Mutex<(VecDeque<Task>, bool)>,
    ready: Condvar,
}

impl Pool {
    /// Starts twice `at_once` worker threads named `name`, at most `at_once` of them in the
    /// pipeline at a time (see [`Worker::enter`]).
    pub fn new(name: &str, at_once: usize) -> std::io::Result<Self> {
        let at_once = at_once.max(1);
        let pool = Self {
            name: name.to_owned(),
            shared: Arc::default(),
            gate: Arc::new(Gate {
                free: Mutex::new(at_once),
                opened: Condvar::new(),
            }),
            threads: 2 * at_once,
            missing: AtomicUsize::new(0),
        };
        for _ in 0..pool.threads {
            pool.add_thread()?;
        }
        Ok(pool)
    }

    fn add_thread(&self) -> std::io::Result<()> {
        let tasks = Arc::clone(&self.shared);
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

    /// Starts the replacements for stuck threads that are still missing; without them the
    /// pool would shrink for good and, once every thread is stuck, take no job at all.
    fn replace_missing(&self) {
        while self.missing.load(Ordering::SeqCst) > 0 {
            if let Err(err) = self.add_thread() {
                tracing::error!(error = %err, "cannot start a worker thread to replace a stuck one; trying again at the next document");
                return;
            }
            self.missing.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Runs `job` on a pool thread and waits for it while no plugin call it makes through
    /// [`Worker::process`] takes longer than `limit`. Jobs wait for a free thread when all
    /// are busy.
    pub async fn run<T, P, F>(&self, limit: Duration, job: F) -> Ran<T, P>
    where
        T: Send + 'static,
        P: Send + 'static,
        F: FnOnce(&Worker<P>) -> T + Send + 'static,
    {
        let slot: Slot = Arc::new(Mutex::new(Current {
            phase: Phase::Claiming,
            plugin: None,
            since: Instant::now(),
            in_gate: false,
        }));
        let parked = Arc::new(Mutex::new(None));
        let worker = Worker {
            slot: Arc::clone(&slot),
            parked: Arc::clone(&parked),
            gate: Arc::clone(&self.gate),
        };
        self.replace_missing();
        let (tx, mut rx) = oneshot::channel();
        self.shared.push(Box::new(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| job(&worker)));
            let abandoned = {
                // A job that entered but ran no pipeline still holds its place.
                let mut current = lock(&worker.slot);
                current.leave(&worker.gate);
                current.phase == Phase::Abandoned
            };
            // The run loop may have stopped waiting; then nobody needs the result.
            let _ = tx.send(result.map_err(|panic| panic_message(&*panic)));
            abandoned
        }));
        loop {
            let (phase, since) = {
                let current = lock(&slot);
                (current.phase, current.since)
            };
            let received = match phase {
                Phase::Processing => tokio::time::timeout_at((since + limit).into(), &mut rx).await,
                Phase::Finishing | Phase::Abandoned => Ok((&mut rx).await),
                // Processing may start at any moment: look again after one limit.
                Phase::Claiming => tokio::time::timeout(limit, &mut rx).await,
            };
            match received {
                Ok(Ok(Ok(value))) => return Ran::Finished(value),
                Ok(Ok(Err(message))) => return Ran::Crashed(message),
                Ok(Err(_)) => {
                    return Ran::Crashed("the worker thread ended without a result".into());
                }
                Err(_) => {
                    let mut current = lock(&slot);
                    // Another plugin call started meanwhile: it gets its own limit.
                    if current.phase != Phase::Processing || current.since > since {
                        continue;
                    }
                    current.phase = Phase::Abandoned;
                    // The stuck thread no longer counts as in the pipeline.
                    current.leave(&self.gate);
                    let plugin = current.plugin.clone();
                    drop(current);
                    // The stuck thread ends when (if ever) its plugin returns.
                    self.missing.fetch_add(1, Ordering::SeqCst);
                    self.replace_missing();
                    if let Some(parked) = lock(&parked).take() {
                        return Ran::TimedOut(plugin, parked);
                    }
                    return Ran::Crashed("processing timed out with nothing to report".into());
                }
            }
        }
    }
}

impl Drop for Pool {
    /// Lets the idle threads end; busy ones end after their task.
    fn drop(&mut self) {
        lock(&self.shared.queue).1 = true;
        self.shared.ready.notify_all();
    }
}

/// A counting semaphore: how many more jobs may enter the pipeline.
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

/// Builds the pipeline with every plugin wrapped to report itself.
pub fn build(config: &Config) -> anyhow::Result<Pipeline> {
    Pipeline::new_wrapped(config, &|plugin| Box::new(Tracked(plugin)))
}

/// Plugin calls started since the daemon started, for the watchdog's view of progress.
static CALLS_STARTED: AtomicU64 = AtomicU64::new(0);

/// How many plugin calls have started in this process.
pub fn calls_started() -> u64 {
    CALLS_STARTED.load(Ordering::Relaxed)
}

/// A plugin that notes its name and the time in the current file's slot before it runs.
struct Tracked(Box<dyn Plugin>);

impl Plugin for Tracked {
    fn manifest(&self) -> &Manifest {
        self.0.manifest()
    }

    fn process(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        CALLS_STARTED.fetch_add(1, Ordering::Relaxed);
        CURRENT.with(|current| {
            if let Some(slot) = current.borrow().as_ref() {
                let mut current = lock(slot);
                current.plugin = Some(self.0.manifest().name.clone());
                current.since = Instant::now();
            }
        });
        self.0.process(doc, fields)
    }
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

    /// Runs one job on a pool of one thread.
    fn run<T, P, F>(limit: Duration, job: F) -> Ran<T, P>
    where
        T: Send + 'static,
        P: Send + 'static,
        F: FnOnce(&Worker<P>) -> T + Send + 'static,
    {
        let pool = Pool::new("test", 1).unwrap();
        runtime().block_on(pool.run(limit, job))
    }

    #[test]
    fn a_job_within_the_limit_finishes_on_its_thread() {
        let ran = run(LIMIT, |worker: &Worker<&str>| {
            let (result, parked) = worker.watched("file", || 1 + 1).unwrap();
            (result.unwrap(), parked)
        });
        assert!(matches!(ran, Ran::Finished((2, "file"))), "{ran:?}");
    }

    #[test]
    fn a_job_past_the_limit_is_handed_to_the_run_loop_and_its_thread_leaves_it_alone() {
        let finished_anyway = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&finished_anyway);
        let ran = run(LIMIT, move |worker: &Worker<&str>| {
            let outcome = worker.watched("file", || std::thread::sleep(LIMIT * 3));
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
        let pool = Pool::new("test", 1).unwrap();
        let stuck_returned = Arc::new(AtomicBool::new(false));
        let busy_returned = Arc::new(AtomicBool::new(false));
        let (flag, busy_flag) = (Arc::clone(&stuck_returned), Arc::clone(&busy_returned));
        let busy = pool.run(LIMIT, move |_: &Worker<()>| {
            std::thread::sleep(LIMIT * 10);
            busy_flag.store(true, Ordering::SeqCst);
        });
        let stuck_then_next = async {
            let stuck = pool
                .run(LIMIT, move |worker: &Worker<()>| {
                    worker.enter();
                    worker.watched((), || std::thread::sleep(LIMIT * 20));
                    flag.store(true, Ordering::SeqCst);
                })
                .await;
            let next = pool
                .run(LIMIT, |worker: &Worker<()>| {
                    worker.enter();
                    worker.watched((), || 7).map(|(result, ())| result.unwrap())
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
        let limit = Duration::from_secs(60);
        let pool = Pool::new("test", 1).unwrap();
        let in_pipeline = Arc::new(AtomicUsize::new(0));
        let overlapped = Arc::new(AtomicBool::new(false));
        let first_finished = Arc::new(AtomicBool::new(false));
        let job = |first: bool| {
            let (in_pipeline, overlapped) = (Arc::clone(&in_pipeline), Arc::clone(&overlapped));
            let first_finished = Arc::clone(&first_finished);
            move |worker: &Worker<()>| {
                worker.enter();
                worker.watched((), || {
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
        let (first, second) = runtime().block_on(async {
            tokio::join!(pool.run(limit, job(true)), pool.run(limit, job(false)))
        });
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
        let pool = Pool::new("test", 1).unwrap();
        let runtime = runtime();
        for n in 0..3 {
            let job = move |worker: &Worker<()>| {
                worker.enter();
                n
            };
            let ran = runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), pool.run(LIMIT, job)).await
            });
            assert!(matches!(ran, Ok(Ran::Finished(m)) if m == n), "{ran:?}");
        }
    }

    #[test]
    fn slow_claiming_and_finishing_are_not_limited() {
        let ran = run(LIMIT, |worker: &Worker<()>| {
            std::thread::sleep(LIMIT * 2);
            let outcome = worker.watched((), || ());
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
            let (inner, ()) = worker.watched((), || panic!("inside")).unwrap();
            assert!(inner.unwrap_err().contains("inside"));
            panic!("outside");
        });
        assert!(
            matches!(&ran, Ran::Crashed(m) if m.contains("outside")),
            "{ran:?}"
        );
    }
}
