//! The write stage: a record lands in a folder atomically, named by its content id.
//!
//! The bytes go to a temporary file in the target folder, which is flushed to disk, renamed
//! into place and the folder flushed too; a reader never sees a half-written record, and
//! writing the same record twice leaves the same single file. Threads writing into one
//! folder at about the same time share its flushes ([`FolderSync`]): a flush that starts
//! after a rename makes that rename durable, whoever asked for it.
//!
//! Who may read a written file is the folder's [`Readers`]: what the umask leaves (as
//! `0644` minus the umask: never writable by others), plus the owner's group for the
//! daemon's folders, whatever the umask, so that the service's group can read records and
//! error reports under systemd's `UMask=0077`.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use docnorm_plugin_api::Record;

use crate::locks::{lock, wait};

/// A folder written to atomically, whose flushes the threads writing into it share (group
/// commit).
#[derive(Debug)]
pub struct FolderSync {
    dir: PathBuf,
    readers: Readers,
    state: Mutex<Flushes>,
    finished: Condvar,
}

/// Who may read the files written into a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Whom the umask allows (`0644` minus the umask): `docnorm process --output`.
    Umask,
    /// Also the file owner's group, whatever the umask: the daemon's records and error
    /// reports, for the consumers and producers in the service's group.
    Group,
}

/// Read permission for the group.
const GROUP_READ: u32 = 0o040;

/// Renames are numbered as their writers ask for a flush; a flush covers every number
/// handed out before it started.
#[derive(Debug, Default)]
struct Flushes {
    asked: u64,
    covered: u64,
    running: bool,
}

impl FolderSync {
    /// The folder at `dir` (which must exist), whose files `readers` may read.
    pub fn new(dir: &Path, readers: Readers) -> Self {
        Self {
            dir: dir.to_owned(),
            readers,
            state: Mutex::default(),
            finished: Condvar::new(),
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Returns once a flush of the folder that started after this call has finished,
    /// running one unless another thread's flush started late enough to cover this call.
    pub fn sync(&self) -> io::Result<()> {
        let mut state = self.lock();
        state.asked += 1;
        let ticket = state.asked;
        loop {
            if state.covered >= ticket {
                return Ok(());
            }
            if !state.running {
                state.running = true;
                let upto = state.asked;
                drop(state);
                let flushed = std::fs::File::open(&self.dir).and_then(|folder| folder.sync_all());
                state = self.lock();
                state.running = false;
                if flushed.is_ok() {
                    state.covered = state.covered.max(upto);
                }
                // On an error the waiting threads try a flush of their own.
                self.finished.notify_all();
                return flushed;
            }
            state = wait(&self.finished, state);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Flushes> {
        lock(&self.state)
    }
}

/// Writes `bytes` to `name` in `folder` atomically and durably.
pub fn write_atomic(
    folder: &FolderSync,
    name: impl AsRef<OsStr>,
    bytes: &[u8],
) -> io::Result<PathBuf> {
    let target = folder.dir.join(name.as_ref());
    let mut temp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(&folder.dir)?;
    if folder.readers == Readers::Group {
        let file = temp.as_file();
        let mode = file.metadata()?.permissions().mode();
        if mode & GROUP_READ == 0 {
            // Not through the umask: fchmod sets the mode as given.
            file.set_permissions(std::fs::Permissions::from_mode(mode | GROUP_READ))?;
        }
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    folder.sync()?;
    Ok(target)
}

/// Writes `record` as pretty JSON to `<id>.json` in `folder` and returns the path.
pub fn write_record(folder: &FolderSync, record: &Record) -> io::Result<PathBuf> {
    let mut bytes = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(folder, record_name(&record.id), &bytes)
}

/// The file name of the record with content id `id`.
pub fn record_name(id: &str) -> String {
    format!("{id}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_twice_leaves_one_complete_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = FolderSync::new(dir.path(), Readers::Umask);
        write_atomic(&folder, "a.json", b"{}").unwrap();
        write_atomic(&folder, "a.json", b"{}").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.json"]);
        assert_eq!(std::fs::read(dir.path().join("a.json")).unwrap(), b"{}");
    }

    #[test]
    fn threads_writing_at_once_each_get_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = FolderSync::new(dir.path(), Readers::Umask);
        std::thread::scope(|scope| {
            for t in 0..4 {
                let folder = &folder;
                scope.spawn(move || {
                    for i in 0..25 {
                        let name = format!("{t}-{i}.json");
                        write_atomic(folder, &name, name.as_bytes()).unwrap();
                    }
                });
            }
        });
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 100);
        assert_eq!(
            std::fs::read(dir.path().join("3-24.json")).unwrap(),
            b"3-24.json"
        );
        let state = folder.lock();
        assert_eq!(
            (state.asked, state.covered, state.running),
            (100, 100, false)
        );
    }

    #[test]
    fn a_folder_that_cannot_be_flushed_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            FolderSync::new(&dir.path().join("gone"), Readers::Umask)
                .sync()
                .is_err()
        );
    }
}
