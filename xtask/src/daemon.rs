//! `docnorm run` as the benchmarks start and stop it: embedded defaults in a folder, ready
//! when it sends `READY=1` on a `NOTIFY_SOCKET` we hold, stopped with SIGTERM.

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tracing::warn;

/// The daemon, killed if the measurement stops early.
pub struct Daemon {
    child: Child,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Daemon {
    /// Starts `docnorm run` with embedded defaults in `dir` and waits for `READY=1`; also
    /// returns how long that took from the start of the process.
    pub fn start(docnorm: &Path, dir: &Path) -> anyhow::Result<(Self, Duration)> {
        std::fs::create_dir_all(dir)?;
        let socket_path = dir.join("notify.sock");
        // A previous start in the same folder left its socket file behind.
        let _ = std::fs::remove_file(&socket_path);
        let socket = UnixDatagram::bind(&socket_path)
            .with_context(|| format!("{}: cannot bind", socket_path.display()))?;
        socket.set_read_timeout(Some(Duration::from_millis(200)))?;
        let log = std::fs::File::create(dir.join("daemon.log"))?;
        let started = Instant::now();
        let child = Command::new(docnorm)
            .arg("run")
            .current_dir(dir)
            .env("NOTIFY_SOCKET", &socket_path)
            // As shipped: the default log level, a line per file.
            .env_remove("DOCNORM_LOG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {} run", docnorm.display()))?;
        let mut daemon = Self { child };
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut buf = [0u8; 4096];
        loop {
            if let Some(status) = daemon.child.try_wait()? {
                bail!(
                    "docnorm run exited at startup ({status}); see {}",
                    dir.join("daemon.log").display()
                );
            }
            if Instant::now() > deadline {
                bail!("docnorm run sent no READY=1 within 60 s");
            }
            if let Ok(n) = socket.recv(&mut buf)
                && String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .any(|l| l == "READY=1")
            {
                return Ok((daemon, started.elapsed()));
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Asks the daemon to stop (SIGTERM) and waits up to 60 s.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        warn!("docnorm run did not stop within 60 s of SIGTERM; killing it");
        Ok(())
    }
}
