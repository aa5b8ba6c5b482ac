//! One plugin process: started in a process group of its own, spoken to over its stdin and
//! stdout with every exchange under a deadline, its stderr forwarded to the log; killed (with
//! its whole group) and reaped when dropped, so nothing outlives it.
//!
//! An exchange is one poll loop over the three pipes, all non-blocking: the request is written
//! as the plugin reads it, its answer is read as it comes, and its stderr is drained meanwhile
//! (a plugin blocked writing to a full stderr pipe would otherwise never answer). Nothing
//! waits past the deadline, and no answer is buffered past its size limit.

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use docnorm_plugin_api::protocol::Answer;
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};

use super::stderr::StderrLog;

/// How much is read from a pipe at a time.
const CHUNK: usize = 64 * 1024;

/// How many chunks of stderr are read at a time before the deadline is looked at again: a
/// plugin flooding stderr must not keep the host reading.
const STDERR_CHUNKS: usize = 4;

/// How long a process whose stdout closed is given to exit, so its exit status (and its last
/// words on stderr) can be reported.
const EXIT_WAIT: Duration = Duration::from_millis(200);

/// What went wrong with a plugin process. Every one of these ends the process.
#[derive(Debug)]
pub enum Broken {
    /// The process could not be started: the program, the folder it was to run in, why.
    Spawn(String, Option<std::path::PathBuf>, io::Error),
    /// No complete answer before the deadline.
    TimedOut(Duration),
    /// The process closed its stdout (and exited, usually) before answering.
    Ended(Ending),
    /// The answer line grew past the limit.
    TooLong(usize),
    /// The answer line is not a protocol message.
    NotProtocol(String, String),
    /// A well-formed answer that is not the one asked for.
    Unexpected(String),
    /// A pipe failed.
    Io(io::Error),
}

/// How a process ended, as far as the host saw it.
#[derive(Debug)]
pub struct Ending {
    /// `exited with status 3`, `was killed by signal 6 (SIGABRT)`, or `closed its stdout`.
    pub how: String,
    /// The last line it wrote to stderr, if any.
    pub last_words: Option<String>,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spawn(program, None, err) => write!(f, "cannot run `{program}`: {err}"),
            Self::Spawn(program, Some(dir), err) => {
                write!(f, "cannot run `{program}` in {}: {err}", dir.display())
            }
            Self::TimedOut(limit) => write!(
                f,
                "did not answer within the time limit of {} ms (run.plugin_time_limit_ms); its process was killed",
                limit.as_millis()
            ),
            Self::Ended(Ending { how, last_words }) => {
                write!(f, "its process {how} before answering")?;
                match last_words {
                    Some(line) => write!(f, " (its last line on stderr: `{line}`)"),
                    None => Ok(()),
                }
            }
            Self::TooLong(max) => write!(
                f,
                "answered with a line longer than {max} bytes (max_response_bytes); its process was killed"
            ),
            Self::NotProtocol(err, start) => write!(
                f,
                "answered with a line that is not a protocol message ({err}): `{start}`; its process was killed"
            ),
            Self::Unexpected(what) => write!(f, "{what}; its process was killed"),
            Self::Io(err) => write!(f, "cannot talk to its process: {err}; it was killed"),
        }
    }
}

/// A running plugin process.
pub struct Child {
    process: std::process::Child,
    pid: Pid,
    /// `None` once closed (at stop) or broken (the process stopped reading).
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// `None` once the process closed it.
    stderr: Option<ChildStderr>,
    /// Bytes read from stdout and not yet taken as an answer.
    pending: Vec<u8>,
    chunk: Box<[u8]>,
    log: StderrLog,
    next_id: u64,
    reaped: bool,
}

impl Child {
    /// Starts `command` (program and arguments) in `dir`, in a new process group, with its three
    /// standard streams piped; `plugin` names it in the log.
    pub fn spawn(plugin: &str, command: &[String], dir: Option<&Path>) -> Result<Self, Broken> {
        let (program, args) = command.split_first().ok_or_else(|| {
            Broken::Spawn(
                String::new(),
                None,
                io::Error::new(io::ErrorKind::InvalidInput, "empty command"),
            )
        })?;
        let mut builder = Command::new(program);
        builder
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(dir) = dir {
            builder.current_dir(dir);
        }
        let spawn_error = |err| Broken::Spawn(program.clone(), dir.map(Path::to_owned), err);
        let mut process = builder.spawn().map_err(spawn_error)?;
        let pid = Pid::from_child(&process);
        let (Some(stdin), Some(stdout), Some(stderr)) = (
            process.stdin.take(),
            process.stdout.take(),
            process.stderr.take(),
        ) else {
            unreachable!("all three streams were asked to be piped");
        };
        let child = Self {
            process,
            pid,
            stdin: Some(stdin),
            stdout,
            stderr: Some(stderr),
            pending: Vec::new(),
            chunk: vec![0; CHUNK].into_boxed_slice(),
            log: StderrLog::new(plugin),
            next_id: 1,
            reaped: false,
        };
        // From here on, dropping `child` kills and reaps the process.
        for fd in [
            child.stdin.as_ref().map(AsFd::as_fd),
            Some(child.stdout.as_fd()),
            child.stderr.as_ref().map(AsFd::as_fd),
        ]
        .into_iter()
        .flatten()
        {
            rustix::io::ioctl_fionbio(fd, true).map_err(|e| Broken::Io(e.into()))?;
        }
        Ok(child)
    }

    /// The process id, which is also its process group's id.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The id for the next request.
    pub fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Writes `request` (one line, with its `\n`) and reads one answer line before `deadline`,
    /// at most `max_bytes` long; then parses it.
    pub fn exchange(
        &mut self,
        request: &[u8],
        deadline: Instant,
        max_bytes: usize,
        limit: Duration,
    ) -> Result<Answer, Broken> {
        let result = self.answer_line(request, deadline, max_bytes, limit);
        // What it wrote to stderr while answering belongs with this document.
        self.drain_stderr();
        self.log.end_exchange();
        let line = result?;
        serde_json::from_slice(&line).map_err(|err| {
            let shown = String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned();
            Broken::NotProtocol(err.to_string(), crate::logging::Escaped(&shown).to_string())
        })
    }

    /// Whether it wrote more than its answer: such a process is replaced after this document.
    pub fn wrote_more(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether an idle process is fit for the next request: still running, and with nothing
    /// written to stdout since its last answer (which would be taken as the next one). What it
    /// wrote to stderr meanwhile is logged now.
    pub fn fit(&mut self) -> bool {
        self.drain_stderr();
        self.log.end_exchange();
        if self.has_exited() {
            return false;
        }
        matches!(self.read_stdout(0), Ok(true)) && self.pending.is_empty()
    }

    fn answer_line(
        &mut self,
        request: &[u8],
        deadline: Instant,
        max_bytes: usize,
        limit: Duration,
    ) -> Result<Vec<u8>, Broken> {
        let mut written = 0;
        let mut scanned = 0;
        loop {
            if let Some(at) = self.pending[scanned..].iter().position(|b| *b == b'\n') {
                if written < request.len() {
                    return Err(Broken::Unexpected(
                        "answered before reading the whole request".to_owned(),
                    ));
                }
                let rest = self.pending.split_off(scanned + at + 1);
                let mut line = std::mem::replace(&mut self.pending, rest);
                line.pop();
                return Ok(line);
            }
            scanned = self.pending.len();
            if self.pending.len() > max_bytes {
                return Err(Broken::TooLong(max_bytes));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Broken::TimedOut(limit));
            }
            let ready = self.wait(deadline - now, written < request.len())?;
            if ready.stdin {
                written += self.write_some(&request[written..])?;
            }
            if ready.stderr {
                self.drain_stderr();
            }
            if ready.stdout && !self.read_stdout(max_bytes)? {
                return Err(Broken::Ended(self.ending(deadline)));
            }
        }
    }

    /// Polls the pipes for up to `timeout`: stdout and stderr for reading, stdin for writing
    /// when `writing`.
    fn wait(&self, timeout: Duration, writing: bool) -> Result<Ready, Broken> {
        let timeout = Timespec::try_from(timeout).ok();
        let input = PollFlags::IN;
        let mut fds = vec![PollFd::new(&self.stdout, input)];
        if let Some(stderr) = &self.stderr {
            fds.push(PollFd::new(stderr, input));
        }
        let stdin = self.stdin.as_ref().filter(|_| writing);
        if let Some(stdin) = stdin {
            fds.push(PollFd::new(stdin, PollFlags::OUT));
        }
        match poll(&mut fds, timeout.as_ref()) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(Ready::default()),
            Err(err) => return Err(Broken::Io(err.into())),
        }
        let fired = |fd: &PollFd<'_>| !fd.revents().is_empty();
        Ok(Ready {
            stdout: fired(&fds[0]),
            stderr: self.stderr.is_some() && fired(&fds[1]),
            stdin: stdin.is_some() && fds.last().is_some_and(fired),
        })
    }

    /// Writes what the pipe takes of `bytes`. A process that stopped reading is not an error
    /// here: its stdout tells what happened.
    fn write_some(&mut self, bytes: &[u8]) -> Result<usize, Broken> {
        let Some(stdin) = &mut self.stdin else {
            return Ok(0);
        };
        match stdin.write(bytes) {
            Ok(n) => Ok(n),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.stdin = None;
                Ok(0)
            }
            Err(err) => Err(Broken::Io(err)),
        }
    }

    /// Reads what stdout holds into `pending`, up to a little past `max_bytes`; returns false
    /// at the end of stdout (once what came before it has been taken).
    fn read_stdout(&mut self, max_bytes: usize) -> Result<bool, Broken> {
        let mut total = 0;
        while self.pending.len() <= max_bytes {
            match self.stdout.read(&mut self.chunk) {
                Ok(0) if total == 0 => return Ok(false),
                Ok(0) => break,
                Ok(n) => {
                    self.pending.extend_from_slice(&self.chunk[..n]);
                    total += n;
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(Broken::Io(err)),
            }
        }
        Ok(true)
    }

    /// Forwards what stderr holds (up to a few chunks) to the log, as far as the log takes it.
    fn drain_stderr(&mut self) {
        let Some(stderr) = &mut self.stderr else {
            return;
        };
        for _ in 0..STDERR_CHUNKS {
            match stderr.read(&mut self.chunk) {
                Ok(0) => {
                    self.log.feed_end();
                    self.stderr = None;
                    return;
                }
                Ok(n) => self.log.feed(&self.chunk[..n]),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                // Would block, or broken: either way nothing more to read now.
                Err(_) => return,
            }
        }
    }

    /// How the process ended, once its stdout closed: its exit status if it exits within a
    /// moment (and before `deadline`), with its last line on stderr.
    fn ending(&mut self, deadline: Instant) -> Ending {
        let until = deadline.min(Instant::now() + EXIT_WAIT);
        let how = self
            .exit_status(until)
            .unwrap_or_else(|| "closed its stdout".to_owned());
        self.drain_stderr();
        self.log.end_exchange();
        Ending {
            how,
            last_words: self.log.last_line().map(ToOwned::to_owned),
        }
    }

    /// The exit status, described, once the process exits before `until`; the process is not
    /// reaped, so its group can still be killed.
    fn exit_status(&self, until: Instant) -> Option<String> {
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        loop {
            if let Ok(Some(status)) = waitid(WaitId::Pid(self.pid), options) {
                if let Some(code) = status.exit_status() {
                    return Some(format!("exited with status {code}"));
                }
                if let Some(signal) = status.terminating_signal() {
                    return Some(format!(
                        "was killed by signal {signal}{}",
                        signal_name(signal)
                    ));
                }
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Whether the process has exited (without reaping it).
    pub fn has_exited(&self) -> bool {
        self.exit_status(Instant::now()).is_some()
    }

    /// Closes its stdin: a plugin exits when its input ends.
    pub fn close_input(&mut self) {
        self.stdin = None;
    }

    /// Waits until the process exits or `until` passes.
    pub fn wait_exit(&self, until: Instant) {
        self.exit_status(until);
    }
}

impl Drop for Child {
    /// Kills the process group (the plugin and whatever it started that stayed in its group)
    /// and reaps the process.
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        // ESRCH: the whole group is gone already, which is fine.
        let _ = kill_process_group(self.pid, Signal::KILL);
        let _ = self.process.wait();
        self.reaped = true;
    }
}

/// Which pipes poll found ready.
#[derive(Default)]
struct Ready {
    stdout: bool,
    stderr: bool,
    stdin: bool,
}

/// The name of a signal that kills plugins, for messages: ` (SIGABRT)`.
fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        13 => " (SIGPIPE)",
        15 => " (SIGTERM)",
        _ => "",
    }
}
