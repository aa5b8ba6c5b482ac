//! systemd glue: readiness, status, watchdog and stopping notifications (`Type=notify`).
//!
//! Beside the run loop, which calls it. Every call is a no-op when the daemon was not
//! started with a `NOTIFY_SOCKET`. The watchdog is fed from the run loop itself, and only
//! while the pipeline makes progress or has nothing to do, so systemd restarts a daemon
//! whose loop or workers are stuck.
//!
//! Messages go out on a non-blocking socket, so a service manager that does not read its
//! socket never stops the run loop: what cannot be sent is kept and sent with the next
//! message, coalesced (the newest `STATUS=` replaces an older one that was never sent).

use std::io::ErrorKind;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::{Duration, Instant};

use sd_notify::NotifyState;
use tracing::debug;

/// Talks to the service manager.
#[derive(Debug)]
pub struct Systemd {
    socket: Option<(UnixDatagram, SocketAddr)>,
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
    last_status: String,
    /// Lines not sent yet because the socket was full.
    unsent: Vec<String>,
}

impl Systemd {
    /// Reads `NOTIFY_SOCKET` and `WATCHDOG_USEC` from the environment.
    pub fn from_env() -> Self {
        let socket = std::env::var_os("NOTIFY_SOCKET").and_then(|path| {
            connect(&path)
                .inspect_err(|err| debug!(error = %err, "cannot open the notify socket"))
                .ok()
        });
        Self {
            socket,
            watchdog: sd_notify::watchdog_enabled(),
            last_ping: None,
            last_status: String::new(),
            unsent: Vec::new(),
        }
    }

    /// How often the run loop should consider feeding the watchdog, if it is on.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog.map(|timeout| timeout / 3)
    }

    /// Startup is finished.
    pub fn ready(&mut self, status: &str) {
        self.send(&[NotifyState::Ready, NotifyState::Status(status)]);
        status.clone_into(&mut self.last_status);
    }

    /// A new status line, sent only when it changed (or when an earlier message is unsent).
    pub fn status(&mut self, status: &str) {
        if status != self.last_status || !self.unsent.is_empty() {
            self.send(&[NotifyState::Status(status)]);
            status.clone_into(&mut self.last_status);
        }
    }

    /// Feeds the watchdog when `healthy` and its interval has passed.
    pub fn watchdog(&mut self, healthy: bool, now: Instant) {
        let Some(interval) = self.watchdog_interval() else {
            return;
        };
        let due = self
            .last_ping
            .is_none_or(|last| now.duration_since(last) >= interval);
        if healthy && due {
            self.send(&[NotifyState::Watchdog]);
            self.last_ping = Some(now);
        }
    }

    /// The config is being reloaded.
    pub fn reloading(&mut self) {
        match NotifyState::monotonic_usec_now() {
            Ok(now) => self.send(&[NotifyState::Reloading, now]),
            Err(_) => self.send(&[NotifyState::Reloading]),
        }
    }

    /// The daemon is shutting down.
    pub fn stopping(&mut self) {
        self.send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
    }

    fn send(&mut self, states: &[NotifyState<'_>]) {
        let Some((socket, address)) = &self.socket else {
            return;
        };
        for state in states {
            let line = state.to_string();
            if line.starts_with("STATUS=") {
                self.unsent.retain(|unsent| !unsent.starts_with("STATUS="));
            }
            if !self.unsent.contains(&line) {
                self.unsent.push(line);
            }
        }
        let mut message = self.unsent.join("\n");
        message.push('\n');
        match socket.send_to_addr(message.as_bytes(), address) {
            Ok(_) => self.unsent.clear(),
            Err(err) if err.kind() == ErrorKind::WouldBlock => {
                debug!("the notify socket is full; the message waits for the next one");
            }
            Err(err) => {
                debug!(error = %err, "cannot notify systemd");
                self.unsent.clear();
            }
        }
    }
}

/// A non-blocking socket to the service manager's `NOTIFY_SOCKET` (a path, or an abstract
/// name written with a leading `@`).
fn connect(path: &std::ffi::OsStr) -> std::io::Result<(UnixDatagram, SocketAddr)> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_bytes();
    let address = match bytes.strip_prefix(b"@") {
        Some(name) => SocketAddr::from_abstract_name(name)?,
        None => SocketAddr::from_pathname(path)?,
    };
    let socket = UnixDatagram::unbound()?;
    socket.set_nonblocking(true)?;
    Ok((socket, address))
}
