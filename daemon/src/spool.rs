//! The spool: the folders a document passes through on disk while the daemon runs.
//!
//! A file arrives in the inbox, is claimed by a rename into the work folder, and leaves it
//! for `done/` (or is deleted) once its record is in the output folder, or for `failed/`
//! beside an `.error.json`. Every move is a rename, so the inbox, the work folder, `done/`
//! and `failed/` must be on one filesystem and one mount (a bind mount, as systemd's
//! `ReadWritePaths` makes, counts as another); that is tried once at start. The output,
//! `done/` and `failed/` folders the daemon creates are opened to its group (read and
//! search), whatever the umask, so the service's group can read records and error reports.

use std::fs::{File, Permissions, TryLockError};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::write::{FolderSync, Readers};

/// Where the daemon finds and puts files, under `spool` in the config. Relative paths are
/// taken from the folder the daemon starts in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SpoolConfig {
    /// The folder producers drop documents into.
    pub inbox: PathBuf,
    /// The folder producers write a document into before renaming it into the inbox (as
    /// Maildir's `tmp/`); on the inbox's filesystem, never watched.
    pub tmp: PathBuf,
    /// The folder records are written to, one `<id>.json` each.
    pub output: PathBuf,
    /// Where an input goes once its record is written (when `on_success` is `move`).
    pub done: PathBuf,
    /// Where an input that failed goes, beside its `<name>.error.json`.
    pub failed: PathBuf,
    /// The work folder, holding files while they are processed.
    pub work_dir: PathBuf,
    /// The folder of the state store (`state.sqlite`).
    pub state_dir: PathBuf,
    /// What happens to an input whose record was written.
    pub on_success: OnSuccess,
}

impl Default for SpoolConfig {
    fn default() -> Self {
        Self {
            inbox: "inbox".into(),
            tmp: "tmp".into(),
            output: "out".into(),
            done: "done".into(),
            failed: "failed".into(),
            work_dir: ".docnorm/work".into(),
            state_dir: ".docnorm".into(),
            on_success: OnSuccess::Move,
        }
    }
}

/// What happens to an input whose record was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnSuccess {
    /// Move it to the `done` folder.
    #[default]
    Move,
    /// Delete it.
    Delete,
    /// Leave it in the inbox: the daemon claims a hard link to it instead of the file, and
    /// the state store remembers its inode, size and modification time, so it is processed
    /// again only when it changes. A failed input still gets its copy in `failed/`.
    Keep,
}

/// The spool's folders, created and resolved to absolute paths.
#[derive(Debug)]
pub struct Spool {
    /// The inbox.
    pub inbox: PathBuf,
    /// The producers' folder, from which they rename documents into the inbox.
    pub tmp: PathBuf,
    /// The output folder for records, with the flushes its writers share.
    pub output: FolderSync,
    /// The folder for finished inputs.
    pub done: PathBuf,
    /// The folder for failed inputs and their `.error.json`, with the flushes its writers
    /// share.
    pub failed: FolderSync,
    /// The work folder holding claimed inputs.
    pub work: PathBuf,
    /// The state store's database file.
    pub database: PathBuf,
    /// What happens to an input whose record was written.
    pub on_success: OnSuccess,
    /// An exclusive lock on `<state_dir>/lock`, held while the daemon runs: two daemons on
    /// one spool would claim each other's files.
    _lock: File,
}

impl Spool {
    /// Creates every folder and checks that a file can be renamed from the inbox through
    /// the work folder to `done/` and `failed/`.
    pub fn open(config: &SpoolConfig) -> anyhow::Result<Self> {
        let spool = Self {
            inbox: create(&config.inbox)?,
            tmp: create(&config.tmp)?,
            output: FolderSync::new(&create_shared(&config.output)?, Readers::Group),
            done: create_shared(&config.done)?,
            failed: FolderSync::new(&create_shared(&config.failed)?, Readers::Group),
            work: create(&config.work_dir)?,
            database: create(&config.state_dir)?.join("state.sqlite"),
            on_success: config.on_success,
            _lock: lock(&config.state_dir.join("lock"))?,
        };
        spool.try_renames()?;
        Ok(spool)
    }

    /// Moves a probe file along the path every input takes, from the producers' `tmp/`; a
    /// hidden name, so the watcher ignores it.
    fn try_renames(&self) -> anyhow::Result<()> {
        let name = format!(".docnorm-probe-{}", std::process::id());
        let first = self.tmp.join(&name);
        std::fs::write(&first, b"")
            .with_context(|| format!("{}: cannot write in the tmp folder", self.tmp.display()))?;
        let mut at = first;
        for dir in [&self.inbox, &self.work, &self.done, self.failed.path()] {
            let next = dir.join(&name);
            if let Err(err) = std::fs::rename(&at, &next) {
                let _ = std::fs::remove_file(&at);
                bail!(
                    "{}: cannot move files here from {} ({err}); the tmp, inbox, work, done and failed folders must be on one filesystem and mount",
                    dir.display(),
                    at.parent().unwrap_or(&at).display()
                );
            }
            at = next;
        }
        std::fs::remove_file(&at)
            .with_context(|| format!("{}: cannot remove the probe file", at.display()))
    }

    /// Removes, on a thread of its own, the temporary files an interrupted atomic write left
    /// in the output and failed folders (their final names were never written, so nothing
    /// refers to them). Reading a folder of many records takes a while (about 60 ms for
    /// 20,000), which start-up should not wait for; a temporary file of this run is younger
    /// than `LEFTOVER_AGE` and stays.
    pub fn remove_leftovers(&self) {
        const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(60);
        let dirs = [self.output.path().to_owned(), self.failed.path().to_owned()];
        let Some(before) = std::time::SystemTime::now().checked_sub(LEFTOVER_AGE) else {
            return;
        };
        let sweep = move || {
            for dir in &dirs {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let old = entry
                        .metadata()
                        .and_then(|meta| meta.modified())
                        .is_ok_and(|modified| modified < before);
                    if old && entry.file_name().to_string_lossy().starts_with(".tmp-") {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        };
        if let Err(err) = std::thread::Builder::new()
            .name("docnorm-leftovers".into())
            .spawn(sweep)
        {
            tracing::warn!(error = %err, "cannot start the thread removing leftover temporary files");
        }
    }
}

fn lock(path: &Path) -> anyhow::Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("{}: cannot open the lock file", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => bail!(
            "{}: another docnorm run is using this spool",
            path.display()
        ),
        Err(TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("{}: cannot lock", path.display()))
        }
    }
}

/// [`create`] for a folder the service's group reads (`out`, `done`, `failed`): one that did
/// not exist gets group read and search permission whatever the umask; one that did is left
/// as its owner made it.
pub(crate) fn create_shared(dir: &Path) -> anyhow::Result<PathBuf> {
    const GROUP_READ_SEARCH: u32 = 0o050;
    let existed = dir.exists();
    let path = create(dir)?;
    if !existed {
        let mode = std::fs::metadata(&path)
            .with_context(|| format!("{}: cannot read folder", path.display()))?
            .permissions()
            .mode();
        std::fs::set_permissions(&path, Permissions::from_mode(mode | GROUP_READ_SEARCH))
            .with_context(|| format!("{}: cannot open the folder to its group", path.display()))?;
    }
    Ok(path)
}

fn create(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create folder", dir.display()))?;
    std::fs::canonicalize(dir).with_context(|| format!("{}: cannot resolve folder", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default layout under `dir`.
    fn layout_in(dir: &Path) -> SpoolConfig {
        SpoolConfig {
            inbox: dir.join("inbox"),
            tmp: dir.join("tmp"),
            output: dir.join("out"),
            done: dir.join("done"),
            failed: dir.join("failed"),
            work_dir: dir.join(".docnorm/work"),
            state_dir: dir.join(".docnorm"),
            on_success: OnSuccess::Move,
        }
    }

    #[test]
    fn the_defaults_make_every_folder_under_the_current_one() {
        let dir = tempfile::tempdir().unwrap();
        let config = layout_in(dir.path());
        let spool = Spool::open(&config).unwrap();
        assert!(spool.work.ends_with(".docnorm/work") && spool.work.is_dir());
        assert!(spool.inbox.is_dir() && spool.tmp.is_dir() && spool.output.path().is_dir());
        assert!(spool.done.is_dir() && spool.failed.path().is_dir());
        let second = Spool::open(&config).unwrap_err();
        assert!(
            format!("{second:#}").contains("another docnorm run"),
            "{second:#}"
        );
        drop(spool);
        Spool::open(&config).unwrap();
    }

    #[test]
    fn leftover_temporary_files_go_and_fresh_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let config = layout_in(dir.path());
        let spool = Spool::open(&config).unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let old = [spool.output.path(), spool.failed.path()].map(|dir| dir.join(".tmp-old"));
        for path in &old {
            File::create(path).unwrap().set_modified(hour_ago).unwrap();
        }
        let fresh = spool.output.path().join(".tmp-fresh");
        let record = spool.output.path().join("a.json");
        File::create(&fresh).unwrap();
        File::create(&record)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        spool.remove_leftovers();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while old.iter().any(|path| path.exists()) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(old.iter().all(|path| !path.exists()));
        assert!(fresh.exists() && record.exists());
    }
}
