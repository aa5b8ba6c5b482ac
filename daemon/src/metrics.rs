//! The daemon's metrics, in the Prometheus text format (version 0.0.4).
//!
//! Counters and histograms are kept in memory by the jobs and the run loop (atomics and short
//! locks, nothing on a hot path that the plugins do not already pay for) and rendered on
//! demand. The unit runs without a network, so they are offered two ways, both opt-in under
//! `metrics` in the config: a file for `node_exporter`'s textfile collector, written atomically
//! at an interval, and an HTTP listener on a loopback address or a Unix socket. `docnorm
//! status` reads either, or the state store when the daemon is stopped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use docnorm_plugin_api::Record;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::locks::lock;

/// Where the metrics go, under `metrics` in the config; nothing is exposed by default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A file rewritten atomically every `interval_ms`, for `node_exporter`'s textfile
    /// collector (its name must end in `.prom` for the collector to read it).
    pub textfile: Option<PathBuf>,
    /// An HTTP listener serving the metrics at any path: `127.0.0.1:9464` (a loopback
    /// address) or `unix:/run/docnorm/metrics.sock`.
    pub listen: Option<String>,
    /// How often the textfile is rewritten, in milliseconds.
    pub interval_ms: u64,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            textfile: None,
            listen: None,
            interval_ms: 15_000,
        }
    }
}

impl MetricsConfig {
    /// How often the textfile is rewritten (at least every 100 ms).
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms).max(Duration::from_millis(100))
    }
}

/// The upper bounds of the plugin time buckets, in seconds.
const SECONDS_BUCKETS: &[f64] = &[0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0];

/// The upper bounds of the record size buckets, in bytes.
const BYTES_BUCKETS: &[f64] = &[1e3, 4e3, 16e3, 64e3, 256e3, 1e6, 4e6];

/// A histogram with fixed buckets.
#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, value: f64) {
        if let Some(bucket) = self.bounds.iter().position(|bound| value <= *bound) {
            self.counts[bucket] += 1;
        }
        self.sum += value;
        self.count += 1;
    }

    /// Writes the histogram's lines, `labels` being `key="value",` pairs (or empty).
    fn render(&self, name: &str, labels: &str, out: &mut String) {
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count;
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {}", self.count);
        let labels = match labels.trim_end_matches(',') {
            "" => String::new(),
            pairs => format!("{{{pairs}}}"),
        };
        let _ = writeln!(out, "{name}_sum{labels} {}", self.sum);
        let _ = writeln!(out, "{name}_count{labels} {}", self.count);
    }
}

/// What the daemon counts.
#[derive(Debug)]
pub struct Metrics {
    processed: AtomicU64,
    records: AtomicU64,
    time_outs: AtomicU64,
    write_errors: AtomicU64,
    rescans: AtomicU64,
    queued: AtomicU64,
    in_flight: AtomicU64,
    /// Files given up, by plugin (or stage).
    failed: Mutex<BTreeMap<String, u64>>,
    /// Time per plugin call, by plugin.
    plugin_seconds: Mutex<BTreeMap<String, Histogram>>,
    record_bytes: Mutex<Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            processed: AtomicU64::new(0),
            records: AtomicU64::new(0),
            time_outs: AtomicU64::new(0),
            write_errors: AtomicU64::new(0),
            rescans: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            failed: Mutex::default(),
            plugin_seconds: Mutex::default(),
            record_bytes: Mutex::new(Histogram::new(BYTES_BUCKETS)),
        }
    }
}

impl Metrics {
    /// A file whose records (of `bytes` each) were written.
    pub fn processed(&self, records: &[Record], bytes: &[u64]) {
        self.processed.fetch_add(1, Ordering::Relaxed);
        self.records
            .fetch_add(records.len() as u64, Ordering::Relaxed);
        let mut seconds = lock(&self.plugin_seconds);
        for run in records.iter().flat_map(|r| &r.provenance.plugins) {
            #[allow(clippy::cast_precision_loss)] // Microseconds fit a double's mantissa.
            let value = run.micros as f64 / 1e6;
            seconds
                .entry(run.name.clone())
                .or_insert_with(|| Histogram::new(SECONDS_BUCKETS))
                .observe(value);
        }
        drop(seconds);
        let mut sizes = lock(&self.record_bytes);
        for size in bytes {
            #[allow(clippy::cast_precision_loss)] // Record sizes fit a double's mantissa.
            sizes.observe(*size as f64);
        }
    }

    /// A file given up, failed by `plugin` (or a stage).
    pub fn failed(&self, plugin: &str) {
        *lock(&self.failed).entry(plugin.to_owned()).or_default() += 1;
    }

    /// A plugin call passed the time limit.
    pub fn timed_out(&self) {
        self.time_outs.fetch_add(1, Ordering::Relaxed);
    }

    /// A record or a move could not be written.
    pub fn write_error(&self) {
        self.write_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The inbox was scanned again because events were lost.
    pub fn rescanned(&self) {
        self.rescans.fetch_add(1, Ordering::Relaxed);
    }

    /// The files waiting and the files in flight, as the run loop sees them now.
    pub fn set_backlog(&self, queued: usize, in_flight: usize) {
        self.queued.store(queued as u64, Ordering::Relaxed);
        self.in_flight.store(in_flight as u64, Ordering::Relaxed);
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: &AtomicU64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        };
        let gauge = |out: &mut String, name: &str, help: &str, value: &AtomicU64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        };
        counter(
            &mut out,
            "docnorm_files_processed_total",
            "Files whose records were written.",
            &self.processed,
        );
        counter(
            &mut out,
            "docnorm_records_total",
            "Records written.",
            &self.records,
        );
        let _ = writeln!(
            out,
            "# HELP docnorm_files_failed_total Files moved to failed/, by the plugin or stage that failed them.\n\
             # TYPE docnorm_files_failed_total counter"
        );
        for (plugin, count) in lock(&self.failed).iter() {
            let plugin = label(plugin);
            let _ = writeln!(
                out,
                "docnorm_files_failed_total{{plugin=\"{plugin}\"}} {count}"
            );
        }
        counter(
            &mut out,
            "docnorm_plugin_time_outs_total",
            "Plugin calls past run.plugin_time_limit_ms, each counted as an attempt.",
            &self.time_outs,
        );
        counter(
            &mut out,
            "docnorm_write_errors_total",
            "Records or moves that could not be written and wait to be tried again.",
            &self.write_errors,
        );
        counter(
            &mut out,
            "docnorm_watcher_rescans_total",
            "Scans of the inbox after lost events or a full queue.",
            &self.rescans,
        );
        gauge(
            &mut out,
            "docnorm_queued_files",
            "Files waiting for a job.",
            &self.queued,
        );
        gauge(
            &mut out,
            "docnorm_in_flight_files",
            "Files claimed and not finished.",
            &self.in_flight,
        );
        let _ = writeln!(
            out,
            "# HELP docnorm_plugin_seconds Time of one plugin call, by plugin.\n\
             # TYPE docnorm_plugin_seconds histogram"
        );
        for (plugin, histogram) in lock(&self.plugin_seconds).iter() {
            let labels = format!("plugin=\"{}\",", label(plugin));
            histogram.render("docnorm_plugin_seconds", &labels, &mut out);
        }
        let _ = writeln!(
            out,
            "# HELP docnorm_record_bytes Size of one written record.\n\
             # TYPE docnorm_record_bytes histogram"
        );
        lock(&self.record_bytes).render("docnorm_record_bytes", "", &mut out);
        out
    }
}

/// Where the HTTP listener listens.
#[derive(Debug)]
pub enum Listen {
    /// A TCP address on the loopback interface.
    Tcp(std::net::SocketAddr),
    /// A Unix socket at this path.
    Unix(PathBuf),
}

impl Listen {
    /// Reads `metrics.listen`: `unix:PATH` or a loopback `IP:PORT`; others are refused, since
    /// the metrics name files and plugins and the unit runs without a network.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        let address: std::net::SocketAddr = text.parse().map_err(|_| {
            format!("metrics.listen: expected `IP:PORT` or `unix:PATH`, found `{text}`")
        })?;
        if !address.ip().is_loopback() {
            return Err(format!(
                "metrics.listen: {address} is not a loopback address; use 127.0.0.1, ::1 or unix:PATH"
            ));
        }
        Ok(Self::Tcp(address))
    }
}

/// Starts the HTTP listener of `config.listen`, if any, serving `render()`; it stops when the
/// returned guard is dropped. A `listen` that is not loopback or a Unix socket is refused.
pub fn listen(
    config: &MetricsConfig,
    render: impl Fn() -> String + Send + Sync + 'static,
) -> anyhow::Result<Option<Listening>> {
    let Some(listen) = &config.listen else {
        return Ok(None);
    };
    let listener = match Listen::parse(listen).map_err(anyhow::Error::msg)? {
        Listen::Tcp(address) => {
            let listener = std::net::TcpListener::bind(address).map_err(|err| {
                anyhow::anyhow!("metrics.listen: cannot listen on {address}: {err}")
            })?;
            listener.set_nonblocking(true)?;
            Listener::Tcp(tokio::net::TcpListener::from_std(listener)?)
        }
        Listen::Unix(path) => {
            let _ = std::fs::remove_file(&path);
            let listener = std::os::unix::net::UnixListener::bind(&path).map_err(|err| {
                anyhow::anyhow!("metrics.listen: cannot listen on {}: {err}", path.display())
            })?;
            listener.set_nonblocking(true)?;
            Listener::Unix(tokio::net::UnixListener::from_std(listener)?)
        }
    };
    let task = tokio::spawn(async move {
        if let Err(err) = serve_http(listener, render).await {
            tracing::error!(error = %err, "the metrics listener stopped");
        }
    });
    Ok(Some(Listening(task)))
}

/// A bound listener.
enum Listener {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

/// The running metrics listener; dropping it stops it.
pub struct Listening(tokio::task::JoinHandle<()>);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The metrics textfile, when the config names one, and when it is next due.
#[derive(Debug)]
pub struct Textfile {
    path: Option<PathBuf>,
    interval: Duration,
    next: std::time::Instant,
}

impl Textfile {
    /// The textfile `config` names (none: nothing is ever written), due at once.
    pub fn new(config: &MetricsConfig) -> Self {
        Self {
            path: config.textfile.clone(),
            interval: config.interval(),
            next: std::time::Instant::now(),
        }
    }

    /// Rewrites the file with `metrics` when it is due. A few kilobytes: written on the
    /// caller's thread (the run loop's), which starts no thread for it.
    pub fn write_when_due(&mut self, metrics: &Metrics) {
        let now = std::time::Instant::now();
        if let Some(path) = self.path.as_deref().filter(|_| now >= self.next) {
            self.next = now + self.interval;
            write_textfile(path, &metrics.render());
        }
    }
}

/// Replaces the metrics textfile atomically (a temporary file renamed over it), so the
/// collector never reads half of it.
fn write_textfile(path: &std::path::Path, text: &str) {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let written = std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(err) = written {
        tracing::warn!(path = %path.display(), error = %err, "cannot write the metrics file");
    }
}

/// Serves `render()` to every HTTP request on `listener` until the task is dropped. Requests
/// are read up to a bound and answered whatever their path.
async fn serve_http(
    listener: Listener,
    render: impl Fn() -> String + Send + Sync + 'static,
) -> std::io::Result<()> {
    use tokio::io::{AsyncRead, AsyncWrite};
    async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, body: String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        let read_head = async {
            while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(5), read_head)
            .await
            .is_err()
        {
            return;
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(body.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
    loop {
        match &listener {
            Listener::Tcp(listener) => {
                let (stream, _) = listener.accept().await?;
                tokio::spawn(answer(stream, render()));
            }
            Listener::Unix(listener) => {
                let (stream, _) = listener.accept().await?;
                tokio::spawn(answer(stream, render()));
            }
        }
    }
}

/// A label value with `\`, `"` and line breaks escaped, as the text format asks.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use docnorm_plugin_api::{PluginRun, Source};

    #[test]
    fn counts_and_histograms_render_in_the_text_format() {
        let metrics = Metrics::default();
        let mut record = Record::new(Source::default());
        record.provenance.plugins.push(PluginRun {
            name: "text".to_owned(),
            version: "1".to_owned(),
            micros: 700,
        });
        metrics.processed(&[record], &[2_000]);
        metrics.failed("html");
        metrics.failed("a \"quoted\" plugin");
        metrics.set_backlog(3, 2);
        let text = metrics.render();
        assert!(text.contains("docnorm_files_processed_total 1\n"), "{text}");
        assert!(text.contains("docnorm_files_failed_total{plugin=\"html\"} 1\n"));
        assert!(
            text.contains("{plugin=\"a \\\"quoted\\\" plugin\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("docnorm_queued_files 3\n"));
        assert!(
            text.contains("docnorm_plugin_seconds_bucket{plugin=\"text\",le=\"0.001\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("docnorm_plugin_seconds_count{plugin=\"text\"} 1\n"));
        assert!(
            text.contains("docnorm_record_bytes_bucket{le=\"1000\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("docnorm_record_bytes_bucket{le=\"4000\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("docnorm_record_bytes_count 1\n"), "{text}");
    }
}
