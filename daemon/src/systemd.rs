//! systemd glue: readiness, status, watchdog and stopping notifications (`Type=notify`).
//!
//! Beside the run loop, which calls it. Every call is a no-op when the daemon was not
//! started with a `NOTIFY_SOCKET`. The watchdog is fed from the run loop itself, and only
//! while the pipeline makes progress or has nothing to do, so systemd restarts a daemon
//! whose loop or workers are stuck.

use std::time::{Duration, Instant};

use sd_notify::NotifyState;
use tracing::debug;

/// Talks to the service manager.
#[derive(Debug)]
pub struct Systemd {
    enabled: bool,
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
    last_status: String,
}

impl Systemd {
    /// Reads `NOTIFY_SOCKET` and `WATCHDOG_USEC` from the environment.
    pub fn from_env() -> Self {
        Self {
            enabled: std::env::var_os("NOTIFY_SOCKET").is_some(),
            watchdog: sd_notify::watchdog_enabled(),
            last_ping: None,
            last_status: String::new(),
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

    /// A new status line, sent only when it changed.
    pub fn status(&mut self, status: &str) {
        if status != self.last_status {
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

    fn send(&self, states: &[NotifyState<'_>]) {
        if !self.enabled {
            return;
        }
        if let Err(err) = sd_notify::notify(states) {
            debug!(error = %err, "cannot notify systemd");
        }
    }
}
