//! Process plugins: a custom plugin run as a pool of child processes speaking
//! [`docnorm.plugin-protocol/1`](docnorm_plugin_api::protocol), supervised so that no plugin can
//! crash, hang or bloat the daemon.
//!
//! [`ProcessPlugin`] is an ordinary [`Plugin`] in the chain, so the chain checks its patches as
//! for any other plugin. Behind it:
//!
//! - **The pool.** Up to [`ProcessSpec::processes`] processes, started as documents need them
//!   (the first one at load, for its manifest); a document takes an idle one or starts one,
//!   and waits for one only when all are busy.
//! - **Each call** runs under the plugin time limit ([`ProcessSpec::time_limit`], the config's
//!   `run.plugin_time_limit_ms`), so the thread calling it is always freed: a process that does
//!   not answer in time, exits, writes something that is not the answer (not JSON, another
//!   request's id, more than [`ProcessSpec::max_response_bytes`]) is killed with its process
//!   group and reaped, and the document fails with [`PluginError::Crashed`] naming what it did.
//!   The next document gets a fresh process.
//! - **Starting** backs off while a plugin keeps failing to start (100 ms doubling to 10 s), so
//!   a broken plugin does not fork in a loop; a call that cannot wait for the next try fails
//!   at once with the last reason.
//! - **Stopping** ([`ProcessPlugin::stop`], also on drop): idle processes get their stdin
//!   closed and a moment to exit, busy ones are killed; then every one is reaped.

mod child;
mod stderr;

use std::borrow::Cow;
use std::num::NonZeroUsize;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use docnorm_plugin_api::protocol::{self, Answer, ErrorKind, Hello, Request, RequestDocument};
use docnorm_plugin_api::{Document, Field, Manifest, Outcome, Plugin, PluginError};
use rustix::process::{Signal, kill_process_group};
use serde_json::{Map, Value};

use crate::locks::{lock, wait_timeout};
use child::{Broken, Child};

/// How long stopped processes get to exit after their stdin is closed, before they are killed.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// The first delay before starting a process again after one failed to start.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// The longest delay between two starts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How to run a process plugin: its config entry, checked, with the daemon's time limit.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessSpec {
    /// The plugin's name in the config.
    pub name: String,
    /// The program and its arguments.
    pub command: Vec<String>,
    /// The folder it runs in (the config file's), or the daemon's own when `None`.
    pub dir: Option<PathBuf>,
    /// Its `options`, sent in the hello.
    pub options: Value,
    /// How many processes may run at once.
    pub processes: NonZeroUsize,
    /// How long the handshake and each document may take.
    pub time_limit: Duration,
    /// The longest answer line taken, in bytes.
    pub max_response_bytes: NonZeroUsize,
}

impl ProcessSpec {
    /// The command as the user would type it, for messages.
    pub fn shown_command(&self) -> String {
        self.command.join(" ")
    }
}

/// What the plugin says about itself in its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The protocol version it speaks.
    pub protocol: String,
    /// Its own name.
    pub name: String,
    /// The chain's view: the config's name, the plugin's version, reads and writes.
    pub manifest: Manifest,
}

/// Why a process plugin could not start. Callers exit with `EX_CONFIG` (78).
#[derive(Debug, thiserror::Error)]
#[error("plugin {plugin}: cannot start `{command}`: {reason}")]
pub struct StartError {
    /// The plugin's name in the config.
    pub plugin: String,
    /// The command, as configured.
    pub command: String,
    /// What went wrong, including the plugin's last line on stderr when it said something.
    pub reason: String,
}

/// A supervised pool of processes running one plugin.
pub struct ProcessPlugin {
    spec: ProcessSpec,
    declared: Declared,
    state: Mutex<State>,
    /// Signalled when a process becomes idle or a place in the pool frees up.
    freed: Condvar,
}

/// The pool's processes and its start history.
struct State {
    idle: Vec<Child>,
    /// The process groups of the processes in use, killed by [`ProcessPlugin::stop`].
    busy: Vec<rustix::process::Pid>,
    /// Idle, busy and starting processes.
    live: usize,
    closed: bool,
    backoff: Backoff,
}

/// Failed starts in a row, and when the next start may happen.
#[derive(Default)]
struct Backoff {
    failures: u32,
    next_start: Option<Instant>,
    last_error: String,
}

impl Backoff {
    fn failed(&mut self, error: String) {
        let delay = FIRST_BACKOFF
            .saturating_mul(1 << self.failures.min(10))
            .min(MAX_BACKOFF);
        self.failures += 1;
        self.next_start = Some(Instant::now() + delay);
        self.last_error = error;
    }

    fn started(&mut self) {
        *self = Self::default();
    }
}

impl ProcessPlugin {
    /// Starts the first process and reads the plugin's manifest from its handshake; the
    /// manifest is the config's name with the plugin's version, reads and writes.
    pub fn start(spec: ProcessSpec) -> Result<Self, StartError> {
        let fail = |reason: String| StartError {
            plugin: spec.name.clone(),
            command: spec.shown_command(),
            reason,
        };
        let deadline = Instant::now() + spec.time_limit;
        let (child, declared) = handshake(&spec, deadline).map_err(fail)?;
        Ok(Self {
            declared,
            state: Mutex::new(State {
                idle: vec![child],
                busy: Vec::new(),
                live: 1,
                closed: false,
                backoff: Backoff::default(),
            }),
            freed: Condvar::new(),
            spec,
        })
    }

    /// How it is run.
    pub fn spec(&self) -> &ProcessSpec {
        &self.spec
    }

    /// What the plugin declared in its handshake.
    pub fn declared(&self) -> &Declared {
        &self.declared
    }

    /// Stops every process: idle ones get their stdin closed and [`STOP_GRACE`] to exit, busy
    /// ones are killed (their documents fail); all are reaped. No process starts afterwards.
    pub fn stop(&self) {
        let mut idle = {
            let mut state = lock(&self.state);
            state.closed = true;
            for pid in &state.busy {
                // The call using it sees its stdout close and reaps it.
                let _ = kill_process_group(*pid, Signal::KILL);
            }
            state.live -= state.idle.len();
            std::mem::take(&mut state.idle)
        };
        self.freed.notify_all();
        for child in &mut idle {
            child.close_input();
        }
        let until = Instant::now() + STOP_GRACE;
        for child in &idle {
            child.wait_exit(until);
        }
        // Dropping kills what is left of each group and reaps it.
        drop(idle);
    }

    /// Runs one document through a process: an idle one, or a new one.
    fn call(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let deadline = Instant::now() + self.spec.time_limit;
        let mut child = self.checkout(deadline).map_err(PluginError::Crashed)?;
        let id = child.next_id();
        let request = Request {
            kind: protocol::RequestType::Process,
            id,
            document: RequestDocument::of(doc),
            fields: Cow::Borrowed(fields),
        };
        let mut line = serde_json::to_vec(&request)
            .map_err(|e| PluginError::Other(format!("cannot encode the request: {e}")))?;
        line.push(b'\n');
        let spec = &self.spec;
        let answer = child
            .exchange(
                &line,
                deadline,
                spec.max_response_bytes.get(),
                spec.time_limit,
            )
            .and_then(|answer| outcome(answer, id));
        match answer {
            Ok(outcome) => {
                self.checkin(child);
                outcome
            }
            Err(broken) => {
                self.discard(child);
                Err(PluginError::Crashed(broken.to_string()))
            }
        }
    }

    /// An idle process, or a new one while the pool has room; waits for one until `deadline`.
    fn checkout(&self, deadline: Instant) -> Result<Child, String> {
        let mut state = lock(&self.state);
        loop {
            if state.closed {
                return Err("the plugin is stopping".to_owned());
            }
            while let Some(mut child) = state.idle.pop() {
                if !child.fit() {
                    // It died while idle (killed by someone, out of memory), or wrote output
                    // nobody asked for: replace it.
                    state.live -= 1;
                    tracing::warn!(plugin = %self.spec.name, "an idle plugin process had exited or written to stdout unasked; starting another");
                    continue;
                }
                state.busy.push(child.pid());
                return Ok(child);
            }
            if state.live < self.spec.processes.get() {
                state.live += 1;
                let wait = state.backoff.next_start.map_or(Duration::ZERO, |at| {
                    at.saturating_duration_since(Instant::now())
                });
                if Instant::now() + wait > deadline {
                    state.live -= 1;
                    return Err(format!(
                        "cannot start its process: {} (starting again in {} ms)",
                        state.backoff.last_error,
                        wait.as_millis()
                    ));
                }
                drop(state);
                return self.start_another(wait, deadline);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!(
                    "all its {} processes stayed busy for the whole time limit",
                    self.spec.processes
                ));
            }
            state = wait_timeout(&self.freed, state, deadline - now);
        }
    }

    /// Starts a process for a call (its place in the pool is taken), after `wait`.
    fn start_another(&self, wait: Duration, deadline: Instant) -> Result<Child, String> {
        std::thread::sleep(wait);
        let started = handshake(&self.spec, deadline).and_then(|(child, declared)| {
            if declared == self.declared {
                Ok(child)
            } else {
                Err("its new process declared another manifest than the first".to_owned())
            }
        });
        let mut state = lock(&self.state);
        match started {
            Ok(child) if !state.closed => {
                state.backoff.started();
                state.busy.push(child.pid());
                Ok(child)
            }
            Ok(_) => {
                state.live -= 1;
                Err("the plugin is stopping".to_owned())
            }
            Err(reason) => {
                state.live -= 1;
                state.backoff.failed(reason.clone());
                drop(state);
                self.freed.notify_one();
                Err(format!("cannot start its process: {reason}"))
            }
        }
    }

    /// Puts a process back after a call it answered.
    fn checkin(&self, child: Child) {
        let mut state = lock(&self.state);
        state.busy.retain(|pid| *pid != child.pid());
        let keep = !state.closed && !child.wrote_more();
        if keep {
            state.idle.push(child);
        } else {
            state.live -= 1;
        }
        drop(state);
        self.freed.notify_one();
        // A process that is not kept is killed and reaped here, outside the lock.
    }

    /// Ends a process that failed a call and frees its place.
    fn discard(&self, child: Child) {
        {
            let mut state = lock(&self.state);
            state.busy.retain(|pid| *pid != child.pid());
            state.live -= 1;
        }
        self.freed.notify_one();
        drop(child);
    }
}

impl Drop for ProcessPlugin {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts a process and completes the handshake before `deadline`.
fn handshake(spec: &ProcessSpec, deadline: Instant) -> Result<(Child, Declared), String> {
    let mut child =
        Child::spawn(&spec.name, &spec.command, spec.dir.as_deref()).map_err(|e| e.to_string())?;
    let mut hello = serde_json::to_vec(&Hello::new(&spec.name, &spec.options))
        .map_err(|e| format!("cannot encode the hello: {e}"))?;
    hello.push(b'\n');
    let answer = child
        .exchange(
            &hello,
            deadline,
            spec.max_response_bytes.get(),
            spec.time_limit,
        )
        .map_err(|broken| match broken {
            Broken::TimedOut(limit) => format!(
                "did not complete its handshake within {} ms (run.plugin_time_limit_ms)",
                limit.as_millis()
            ),
            other => format!("in its handshake: {other}"),
        })?;
    let declared = match answer {
        Answer::Manifest {
            protocol,
            name,
            version,
            reads,
            writes,
        } => {
            if let Some(reason) = protocol::refuse(&protocol) {
                return Err(format!("the plugin {reason}"));
            }
            let fields = |names: Vec<String>| {
                names
                    .into_iter()
                    .map(Field::try_from)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|unknown| format!("its manifest names an {unknown}"))
            };
            Declared {
                protocol,
                name,
                manifest: Manifest {
                    name: spec.name.clone(),
                    version,
                    reads: fields(reads)?,
                    writes: fields(writes)?,
                },
            }
        }
        Answer::Error { message, .. } => {
            return Err(format!("the plugin refused to start: {message}"));
        }
        other => {
            return Err(format!(
                "answered the hello with a {} instead of its manifest",
                kind_of(&other)
            ));
        }
    };
    Ok((child, declared))
}

/// The document's outcome from the answer to request `id`; an answer that does not fit breaks
/// the process.
fn outcome(answer: Answer, id: u64) -> Result<Result<Outcome, PluginError>, Broken> {
    let (answered, result) = match answer {
        Answer::Patch { id, patch } => (Some(id), Ok(Outcome::Patch(patch))),
        Answer::Decline { id } => (Some(id), Ok(Outcome::Decline)),
        Answer::Error { id, message, kind } => (
            id,
            Err(match kind {
                ErrorKind::Invalid => PluginError::Invalid(message),
                ErrorKind::Limit => PluginError::Limit(message),
                ErrorKind::Other => PluginError::Other(message),
            }),
        ),
        Answer::Manifest { .. } => {
            return Err(Broken::Unexpected(format!(
                "answered request {id} with a manifest"
            )));
        }
    };
    if answered != Some(id) {
        let got = answered.map_or_else(|| "no id".to_owned(), |got| format!("id {got}"));
        return Err(Broken::Unexpected(format!(
            "answered request {id} with {got}"
        )));
    }
    Ok(result)
}

fn kind_of(answer: &Answer) -> &'static str {
    match answer {
        Answer::Manifest { .. } => "manifest",
        Answer::Patch { .. } => "patch",
        Answer::Decline { .. } => "decline",
        Answer::Error { .. } => "error",
    }
}

/// The chain's handle on a [`ProcessPlugin`], which a reload may share with the next chain.
pub struct Shared(pub Arc<ProcessPlugin>);

impl Plugin for Shared {
    fn manifest(&self) -> &Manifest {
        &self.0.declared.manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        self.0.call(doc, fields)
    }
}

#[cfg(test)]
mod tests;
