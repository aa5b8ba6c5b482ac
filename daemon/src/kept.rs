//! Under `spool.on_success: keep`, the finished files left in the inbox: the daemon claims a
//! hard link and remembers each finished file's [`Stamp`] (inode, size, modification time), so
//! only a new version of it is processed again. Remembered in memory and in the state store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing::warn;

use crate::claim::Claimed;
use crate::locks::lock;
use crate::state::{Stamp, StateStore};

/// The kept files, as they were when finished; empty and inert unless the spool keeps files.
pub struct Kept {
    enabled: bool,
    files: Mutex<HashMap<PathBuf, Stamp>>,
}

impl Kept {
    /// The kept files the state store remembers, when `enabled`.
    pub fn load(enabled: bool, store: &StateStore) -> rusqlite::Result<Self> {
        let files = if enabled {
            store
                .kept()?
                .into_iter()
                .map(|(path, stamp)| (PathBuf::from(path), stamp))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Self {
            enabled,
            files: Mutex::new(files),
        })
    }

    /// Whether `path` is a kept file that has not changed since it was finished.
    pub fn holds(&self, path: &Path) -> bool {
        self.enabled
            && lock(&self.files)
                .get(path)
                .is_some_and(|stamp| Stamp::of(path).as_ref() == Some(stamp))
    }

    /// The claimed file's stamp, taken before it is finished (under `keep` only).
    pub fn stamp(&self, claimed: &Claimed) -> Option<Stamp> {
        self.enabled.then(|| Stamp::of(&claimed.work)).flatten()
    }

    /// Remembers a finished file left in the inbox, as `stamp` says it was.
    pub fn keep(&self, store: &StateStore, claimed: &Claimed, stamp: Option<Stamp>) {
        let Some(stamp) = stamp else {
            return;
        };
        if let Err(err) = store.keep(&claimed.inbox_path.to_string_lossy(), stamp) {
            warn!(error = %err, "cannot remember the kept file in the state store");
        }
        lock(&self.files).insert(claimed.inbox_path.clone(), stamp);
    }

    /// Forgets a kept file that left the inbox.
    pub fn forget(&self, store: &StateStore, path: &Path) {
        if !self.enabled {
            return;
        }
        let removed = lock(&self.files).remove(path);
        if removed.is_some()
            && let Err(err) = store.unkeep(&path.to_string_lossy())
        {
            warn!(error = %err, "cannot forget the kept file in the state store");
        }
    }
}
