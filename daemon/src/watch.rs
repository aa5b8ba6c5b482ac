//! The watch stage: file events from the inbox, and full scans of it.
//!
//! The first stage of the daemon. It uses `notify` directly rather than a debouncer: on
//! Linux the inotify backend reports close-after-write (`IN_CLOSE_WRITE`) and moves into the
//! folder (`IN_MOVED_TO`), which say a file is complete at once, while a debouncer would merge
//! them into generic changes and add its delay to every document. Creates and writes only say
//! a file is being written; the [`queue`](crate::queue) then waits for a close or for the
//! settle time. Events go through a bounded channel; when it is full, or when the kernel's
//! own queue overflowed, the watcher raises a rescan flag instead of growing memory, and the
//! run loop scans the inbox again. Network filesystems give no events for changes made on
//! other machines, so there a polling watcher is used (chosen in the config, or automatically
//! when the inbox is on NFS or SMB).

use std::ffi::OsStr;
use std::num::{NonZeroU64, NonZeroUsize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio::sync::{Notify, mpsc};
use tracing::warn;

/// How the inbox is watched, under `watch` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    /// Kernel events, polling, or polling only when the inbox is on a network filesystem.
    pub mode: WatchMode,
    /// How often the polling watcher looks at the inbox (at least every 10 ms).
    pub poll_interval_ms: u64,
    /// How long a file's size and modification time must stay unchanged before it is taken
    /// when no close-after-write or rename said it was complete.
    pub settle_ms: u64,
    /// How often the whole inbox is scanned again, to catch anything events missed.
    pub reconcile_interval_ms: NonZeroU64,
    /// How many file events may wait for the run loop; past that, the inbox is rescanned.
    pub max_queued_events: NonZeroUsize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            mode: WatchMode::Auto,
            poll_interval_ms: 1000,
            settle_ms: 1000,
            reconcile_interval_ms: NonZeroU64::new(60_000).expect("not zero"),
            max_queued_events: NonZeroUsize::new(4096).expect("not zero"),
        }
    }
}

/// How the inbox is watched, under `watch` in the config, checked while the config is read
/// (see [`RunLimits`](crate::limits::RunLimits)).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(from = "WatchConfig")]
#[schemars(with = "WatchConfig")]
pub struct WatchLimits {
    /// Which watcher runs.
    pub mode: WatchMode,
    /// How often the polling watcher looks.
    pub poll_interval: Duration,
    /// How long an unannounced file must stay unchanged.
    pub settle: Duration,
    /// How often the inbox is scanned in full.
    pub reconcile_interval: Duration,
    /// How many events may wait.
    pub max_queued_events: NonZeroUsize,
}

/// The shortest polling interval.
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(10);

impl From<WatchConfig> for WatchLimits {
    fn from(config: WatchConfig) -> Self {
        Self {
            mode: config.mode,
            poll_interval: Duration::from_millis(config.poll_interval_ms).max(MIN_POLL_INTERVAL),
            settle: Duration::from_millis(config.settle_ms),
            reconcile_interval: Duration::from_millis(config.reconcile_interval_ms.get()),
            max_queued_events: config.max_queued_events,
        }
    }
}

impl Default for WatchLimits {
    fn default() -> Self {
        WatchConfig::default().into()
    }
}

/// How the inbox is watched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchMode {
    /// Kernel events, or polling when the inbox is on NFS or SMB.
    #[default]
    Auto,
    /// Kernel events (inotify on Linux).
    Events,
    /// Polling at `poll_interval_ms`.
    Poll,
}

/// What the watcher says about a file in the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The file is complete: it was closed after writing or moved into the inbox.
    Complete(PathBuf),
    /// The file was created or changed and may still be being written.
    Changed(PathBuf),
    /// The file left the inbox.
    Gone(PathBuf),
}

/// A running watcher and the channel its signals arrive on.
pub struct Watch {
    /// Signals about single files.
    pub signals: mpsc::Receiver<Signal>,
    /// Raised when the inbox must be scanned again (overflow or watcher error).
    rescan: Arc<AtomicBool>,
    /// Woken when `rescan` is raised.
    pub wake: Arc<Notify>,
    /// Which watcher runs, for the logs.
    pub kind: &'static str,
    // Kept alive for as long as the watch runs; dropping it stops the events.
    _watcher: Box<dyn Watcher + Send>,
}

impl Watch {
    /// Starts watching `inbox` (not its subfolders).
    pub fn start(inbox: &Path, config: &WatchLimits) -> anyhow::Result<Self> {
        let (tx, signals) = mpsc::channel(config.max_queued_events.get());
        let rescan = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Notify::new());
        let handler = Handler {
            inbox: inbox.to_owned(),
            tx,
            rescan: Arc::clone(&rescan),
            wake: Arc::clone(&wake),
        };
        let poll = match config.mode {
            WatchMode::Poll => true,
            WatchMode::Events => false,
            WatchMode::Auto => is_network_filesystem(inbox),
        };
        let (mut watcher, kind): (Box<dyn Watcher + Send>, _) = if poll {
            let config = notify::Config::default().with_poll_interval(config.poll_interval);
            (Box::new(notify::PollWatcher::new(handler, config)?), "poll")
        } else {
            (Box::new(notify::recommended_watcher(handler)?), "events")
        };
        watcher
            .watch(inbox, RecursiveMode::NonRecursive)
            .with_context(|| format!("{}: cannot watch the inbox", inbox.display()))?;
        Ok(Self {
            signals,
            rescan,
            wake,
            kind,
            _watcher: watcher,
        })
    }

    /// Whether a rescan was asked for since the last call; clears the request.
    pub fn take_rescan(&self) -> bool {
        self.rescan.swap(false, Ordering::AcqRel)
    }
}

/// Whether a file name is a temporary one, ignored until the file is renamed.
pub fn is_temporary(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || [".tmp", ".part", ".crdownload", ".swp"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// The files now in `inbox` that are not temporary, lazily (a huge inbox is never held in
/// memory at once).
pub fn scan(inbox: &Path) -> std::io::Result<impl Iterator<Item = PathBuf>> {
    Ok(std::fs::read_dir(inbox)?.filter_map(|entry| {
        let entry = entry.ok()?;
        let kind = entry.file_type().ok()?;
        let wanted = (kind.is_file() || kind.is_symlink()) && !is_temporary(&entry.file_name());
        wanted.then(|| entry.path())
    }))
}

struct Handler {
    inbox: PathBuf,
    tx: mpsc::Sender<Signal>,
    rescan: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

impl Handler {
    fn ask_rescan(&self) {
        self.rescan.store(true, Ordering::Release);
        self.wake.notify_one();
    }
}

impl notify::EventHandler for Handler {
    fn handle_event(&mut self, event: notify::Result<Event>) {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                warn!(error = %err, "watcher error; rescanning the inbox");
                self.ask_rescan();
                return;
            }
        };
        if event.need_rescan() {
            warn!("file event queue overflowed; rescanning the inbox");
            self.ask_rescan();
            return;
        }
        for path in &event.paths {
            if path.parent() != Some(self.inbox.as_path())
                || path.file_name().is_none_or(is_temporary)
            {
                continue;
            }
            let Some(signal) = classify(event.kind, path) else {
                continue;
            };
            if self.tx.try_send(signal).is_err() {
                // Full (or the loop is gone): the file is still in the inbox, and the rescan
                // will find it.
                self.ask_rescan();
            }
        }
    }
}

fn classify(kind: EventKind, path: &Path) -> Option<Signal> {
    let path = path.to_owned();
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => Some(Signal::Complete(path)),
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => {
            Some(Signal::Gone(path))
        }
        // inotify also reports a rename inside the inbox as From and To, handled above.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) | EventKind::Access(_) => None,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other => {
            Some(Signal::Changed(path))
        }
    }
}

/// Whether `path` lives on NFS or SMB, by the filesystem type of its mount in
/// `/proc/self/mountinfo` (the longest mount point that contains it).
fn is_network_filesystem(path: &Path) -> bool {
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    filesystem_type(&mountinfo, path).is_some_and(|fs| {
        matches!(
            fs,
            "nfs" | "nfs4" | "cifs" | "smb3" | "smbfs" | "ncpfs" | "afs" | "9p"
        )
    })
}

/// The filesystem type of the mount holding `path`, from mountinfo text.
fn filesystem_type<'a>(mountinfo: &'a str, path: &Path) -> Option<&'a str> {
    mountinfo
        .lines()
        .filter_map(|line| {
            // Fields: id parent major:minor root mount-point options [optional...] - type ...
            let mut fields = line.split(' ');
            let mount_point = fields.nth(4)?;
            let fs_type = line.split(" - ").nth(1)?.split(' ').next()?;
            let mount_point = mount_point.replace("\\040", " ");
            path.starts_with(&mount_point)
                .then_some((mount_point.len(), fs_type))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs_type)| fs_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_ignored() {
        for name in [".hidden", "a.tmp", "a.part", "a.crdownload", "a~", ".a.swp"] {
            assert!(is_temporary(OsStr::new(name)), "{name}");
        }
        for name in ["a.txt", "part", "a.html.gz", "tmp"] {
            assert!(!is_temporary(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn the_longest_mount_point_names_the_filesystem() {
        let mountinfo = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:40 / /srv/spool rw,relatime shared:2 - nfs4 server:/export rw
41 22 0:41 / /srv/spool\\040b rw - cifs //nas/b rw
";
        assert_eq!(
            filesystem_type(mountinfo, Path::new("/srv/spool/inbox")),
            Some("nfs4")
        );
        assert_eq!(
            filesystem_type(mountinfo, Path::new("/srv/spool b/inbox")),
            Some("cifs")
        );
        assert_eq!(
            filesystem_type(mountinfo, Path::new("/srv/spoolx")),
            Some("ext4")
        );
    }

    #[test]
    fn closes_and_moves_in_mean_complete() {
        let path = Path::new("/in/a.txt");
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let moved = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let create = EventKind::Create(notify::event::CreateKind::File);
        assert_eq!(classify(close, path), Some(Signal::Complete(path.into())));
        assert_eq!(classify(moved, path), Some(Signal::Complete(path.into())));
        assert_eq!(classify(create, path), Some(Signal::Changed(path.into())));
    }
}
