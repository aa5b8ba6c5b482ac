//! Scale-out speed: the same generated files through the embedded `docnorm run` and through
//! NATS `JetStream` (one edge, 1, 2 and 4 worker processes, one sink), then the latency from
//! drop to record at a paced 200 files/s through both.
//!
//! Needs `nats-server` on `PATH` (Debian: `apt-get install nats-server`); without it the part
//! is skipped with a note. Each run starts its own server on a free loopback port with a
//! fresh store under `target/`. A run starts its processes, waits until each says it is
//! ready, links the files into a staging folder and renames them into the inbox at once, and
//! ends when every input has a record (or a failure report) in the output folders. On a
//! machine with few cores more workers cannot be faster: the figure that matters is the
//! 1-worker run against the embedded daemon, the per-document cost of the broker.

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use serde::Serialize;
use tracing::{info, warn};

use crate::corpus::{Sources, generate};
use crate::daemon_run::{Latency, PACED_RATE, latencies, summarize_latency};
use crate::probe::{Throughput, count_files, throughput};
use crate::quality::read_records;

/// Worker processes measured.
const WORKERS: [usize; 3] = [1, 2, 4];

/// What the scale-out part measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScaleOut {
    /// Files in each burst.
    pub files: usize,
    /// The embedded daemon over the burst.
    pub embedded: Throughput,
    /// Through the broker, per number of worker processes.
    pub workers: Vec<(usize, Throughput)>,
    /// Paced latency of the embedded daemon.
    pub embedded_paced: Latency,
    /// Paced latency through the broker with one worker.
    pub scaled_paced: Latency,
    /// Files dropped in each paced phase.
    pub paced_files: usize,
    /// The server's version line.
    pub server: String,
}

/// Runs the part; `None` when there is no `nats-server` to run it with.
pub fn measure(docnorm: &Path, data: &Path, files: usize) -> anyhow::Result<Option<ScaleOut>> {
    let Some(server) = nats_server() else {
        warn!(
            "nats-server is not on PATH (Debian: apt-get install nats-server); skipping scale-out"
        );
        return Ok(None);
    };
    let target = crate::workspace::target_dir();
    std::fs::create_dir_all(&target)?;
    let work = tempfile::Builder::new()
        .prefix("xtask-scale-")
        .tempdir_in(&target)
        .context("cannot create a work folder under target/")?;
    let paced = (files / 5).clamp(100, 1_000);
    info!(files, paced, "generating files for scale-out");
    let corpus = work.path().join("corpus");
    let names = generate(&Sources::load(data)?, &corpus, files + paced)?;
    let (burst, paced_names) = names.split_at(files);
    let version = Command::new(&server).arg("--version").output()?;

    info!("scale-out: the embedded daemon");
    let embedded = Run::new(docnorm, &corpus, &work.path().join("embedded"), None)?;
    let (embedded_burst, expected) = embedded.burst(burst, None)?;
    let embedded_paced = embedded.paced(paced_names, expected + paced_names.len())?;
    drop(embedded);
    let mut workers = Vec::new();
    let mut scaled_paced = Latency::default();
    for count in WORKERS {
        info!(workers = count, "scale-out: through NATS");
        let dir = work.path().join(format!("workers-{count}"));
        let run = Run::new(docnorm, &corpus, &dir, Some((&server, count)))?;
        let (burst_throughput, _) = run.burst(burst, Some(expected))?;
        if count == 1 {
            scaled_paced = run.paced(paced_names, expected + paced_names.len())?;
        }
        workers.push((count, burst_throughput));
    }
    Ok(Some(ScaleOut {
        files,
        embedded: embedded_burst,
        workers,
        embedded_paced,
        scaled_paced,
        paced_files: paced_names.len(),
        server: String::from_utf8_lossy(&version.stdout).trim().to_owned(),
    }))
}

/// Writes the scale-out table.
pub fn render(scale: &ScaleOut, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "\n## Scale-out through NATS JetStream ({} generated files, {})\n",
        scale.files, scale.server
    )?;
    writeln!(out, "| run | records | seconds | files/s | × embedded |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    let embedded = scale.embedded.docs_per_second;
    let row = |out: &mut dyn Write, name: &str, t: &Throughput| {
        writeln!(
            out,
            "| {name} | {} | {:.2} | {:.0} | {:.3} |",
            t.outputs,
            t.seconds,
            t.docs_per_second,
            t.docs_per_second / embedded
        )
    };
    row(out, "docnorm run (embedded)", &scale.embedded)?;
    for (count, t) in &scale.workers {
        row(out, &format!("edge + {count} worker process(es) + sink"), t)?;
    }
    writeln!(
        out,
        "\n| drop → record at {PACED_RATE} files/s | records | p50 | p99 | max |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for (name, l) in [
        ("embedded", &scale.embedded_paced),
        ("edge + 1 worker + sink", &scale.scaled_paced),
    ] {
        writeln!(
            out,
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.0} ms |",
            l.records, l.p50_ms, l.p99_ms, l.max_ms
        )?;
    }
    writeln!(
        out,
        "\nEvery process runs on this one machine, the server too; each worker has the \
         default `run.concurrency` (one per CPU plus two). {} paced files after each burst.",
        scale.paced_files
    )
}

/// The `nats-server` binary on `PATH`.
fn nats_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file())
}

/// The processes of one run, killed when it is dropped.
struct Run {
    dir: PathBuf,
    corpus: PathBuf,
    children: Vec<Child>,
}

impl Drop for Run {
    fn drop(&mut self) {
        // docnorm processes first, the server (started first) last.
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Run {
    /// Starts the embedded daemon in `dir`, or (given a server and a worker count) a server,
    /// a sink, the workers and an edge.
    fn new(
        docnorm: &Path,
        corpus: &Path,
        dir: &Path,
        scaled: Option<(&Path, usize)>,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir.join("stage"))?;
        std::fs::create_dir_all(dir.join("inbox"))?;
        let mut run = Self {
            dir: dir.to_owned(),
            corpus: corpus.to_owned(),
            children: Vec::new(),
        };
        let config = dir.join("docnorm.yaml");
        match scaled {
            None => std::fs::write(&config, "")?,
            Some((server, workers)) => {
                let port = free_port()?;
                run.children.push(
                    Command::new(server)
                        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
                        .arg(dir.join("nats"))
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .spawn()
                        .context("cannot start nats-server")?,
                );
                let deadline = Instant::now() + Duration::from_secs(30);
                while TcpStream::connect(("127.0.0.1", port)).is_err() {
                    if Instant::now() > deadline {
                        bail!("nats-server did not listen within 30 s");
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                std::fs::write(
                    &config,
                    format!("queue:\n  nats:\n    servers: [\"nats://127.0.0.1:{port}\"]\n"),
                )?;
                run.start(docnorm, "sink", "sink", "writing records from NATS")?;
                for n in 0..workers {
                    run.start(
                        docnorm,
                        "worker",
                        &format!("worker-{n}"),
                        "taking files from NATS",
                    )?;
                }
            }
        }
        run.start(docnorm, "run", "edge", "watching the inbox")?;
        Ok(run)
    }

    /// Starts `docnorm <command>` in the run's folder and waits for `ready` in its log.
    fn start(
        &mut self,
        docnorm: &Path,
        command: &str,
        log: &str,
        ready: &str,
    ) -> anyhow::Result<()> {
        let log = self.dir.join(format!("{log}.log"));
        let child = Command::new(docnorm)
            .args([command, "--config", "docnorm.yaml"])
            .current_dir(&self.dir)
            .env_remove("NOTIFY_SOCKET")
            .env_remove("DOCNORM_LOG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("cannot start docnorm {command}"))?;
        self.children.push(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !std::fs::read_to_string(&log).is_ok_and(|text| text.contains(ready)) {
            if Instant::now() > deadline {
                bail!(
                    "docnorm {command} was not ready within 60 s; see {}",
                    log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Drops `names` at once; returns the throughput and how many outputs (records and
    /// failure reports) they gave. Waits for `expected` outputs when given (the embedded
    /// run's count), else until every input has left the edge and the outputs stop growing.
    fn burst(
        &self,
        names: &[String],
        expected: Option<usize>,
    ) -> anyhow::Result<(Throughput, usize)> {
        let started = Instant::now();
        for name in names {
            self.drop_file(name)?;
        }
        let outputs = if let Some(expected) = expected {
            self.wait_outputs(expected, started)?
        } else {
            self.wait_inputs(names.len(), started)?;
            self.outputs()?
        };
        let seconds = started.elapsed().as_secs_f64();
        Ok((throughput(names.len(), seconds, outputs, None), outputs))
    }

    /// Drops `names` at the paced rate and returns their latency from drop to record.
    fn paced(&self, names: &[String], expected: usize) -> anyhow::Result<Latency> {
        let mut drops: HashMap<String, SystemTime> = HashMap::new();
        let interval = Duration::from_secs(1) / PACED_RATE;
        let started = Instant::now();
        for (i, name) in names.iter().enumerate() {
            let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            self.drop_file(name)?;
            drops.insert(name.clone(), SystemTime::now());
        }
        self.wait_outputs(expected, started)?;
        let out = self.dir.join("out");
        Ok(summarize_latency(&latencies(
            &out,
            &read_records(&out)?,
            &drops,
        )?))
    }

    /// Links a corpus file into the staging folder and renames it into the inbox, as a
    /// producer should; the corpus keeps its copy for the next run.
    fn drop_file(&self, name: &str) -> anyhow::Result<()> {
        let staged = self.dir.join("stage").join(name);
        std::fs::hard_link(self.corpus.join(name), &staged)
            .with_context(|| format!("cannot link {name}"))?;
        std::fs::rename(&staged, self.dir.join("inbox").join(name))?;
        Ok(())
    }

    fn outputs(&self) -> anyhow::Result<usize> {
        Ok(count_files(&self.dir.join("out"), ".json")?
            + count_files(&self.dir.join("failed"), ".error.json")?)
    }

    fn wait_outputs(&self, expected: usize, started: Instant) -> anyhow::Result<usize> {
        let timeout = Duration::from_secs(300);
        loop {
            let outputs = self.outputs()?;
            if outputs >= expected {
                return Ok(outputs);
            }
            if started.elapsed() > timeout {
                bail!(
                    "only {outputs} of {expected} outputs within {} s; see the logs in {}",
                    timeout.as_secs(),
                    self.dir.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `count` inputs left the inbox for `done/` or `failed/`.
    fn wait_inputs(&self, count: usize, started: Instant) -> anyhow::Result<()> {
        while count_files(&self.dir.join("done"), "")?
            + count_files(&self.dir.join("failed"), ".error.json")?
            < count
        {
            if started.elapsed() > Duration::from_secs(300) {
                bail!("the inputs did not all finish within 300 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
