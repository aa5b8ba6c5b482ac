//! The state store: what the daemon knows about every file it claimed, in `SQLite` (WAL).
//!
//! Beside the spool folders, which hold the truth about where a file is, the store keeps
//! what the folders cannot: how many times processing a file was started (counted before
//! each start, so a file that crashes or hangs the daemon is given up after a set number of
//! attempts instead of looping), its state, its content hash and record id, and the last
//! error. Once the plugins have got through every document of a file (state `processed`), the
//! store holds the ids of the records about to be written: a start after a crash while they
//! were written is not counted, and when they are all in the output folder the file is only
//! moved on (a crash there is not the file's doing, and giving the file up then would leave it
//! with both a record and a `failed/` entry). `synchronous=NORMAL` in WAL mode survives the
//! process being killed at any point; after a power loss the last few counts may be lost,
//! which costs at most a retry.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, params};

/// The open state store; shared by the run loop and its workers.
pub struct StateStore {
    conn: Mutex<Connection>,
}

/// A file's attempt count and its last error, read when an attempt starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// How many times processing was started, this time included.
    pub attempts: u32,
    /// The plugin of the last error, if any.
    pub plugin: Option<String>,
    /// The last error, if any.
    pub error: Option<String>,
    /// The ids of the records an earlier start was writing when the plugins had got through
    /// every document of the file (empty when none did).
    pub records: Vec<String>,
}

/// What identifies one version of a file: a kept file whose stamp changed is new content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Its inode number.
    pub inode: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, in nanoseconds since 1970.
    pub mtime_ns: i64,
}

impl Stamp {
    /// The stamp of the file at `path` (not following a symlink).
    pub fn of(path: &Path) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        Some(Self {
            inode: meta.ino(),
            size: meta.size(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        })
    }
}

/// Files by state, for the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Files whose record was written.
    pub done: u64,
    /// Files moved to `failed/`.
    pub failed: u64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS files (
    claim       TEXT PRIMARY KEY,   -- the file's name in the work folder
    name        TEXT NOT NULL,      -- its name in the inbox
    state       TEXT NOT NULL,      -- processing | processed | done | failed
    attempts    INTEGER NOT NULL,
    sha256      TEXT,
    record      TEXT,               -- processed: the record ids, one per line; done: the first
    plugin      TEXT,
    error       TEXT,
    updated_ms  INTEGER NOT NULL
) WITHOUT ROWID;
-- Stores made by earlier versions had an index on the state that nothing read, and every
-- change of state rewrote a page of it.
DROP INDEX IF EXISTS files_state;
CREATE TABLE IF NOT EXISTS kept (
    path        TEXT PRIMARY KEY,   -- an inbox file left in place (on_success: keep)
    inode       INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS simhashes (
    id          TEXT PRIMARY KEY,   -- a record id
    simhash     INTEGER NOT NULL
);
";

impl StateStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open(path)
            .with_context(|| format!("{}: cannot open the state store", path.display()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)
            .with_context(|| format!("{}: cannot create the state tables", path.display()))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// Counts one more start of processing the claimed file `claim` (inbox name `name`),
    /// unless the last one got through the plugins, and returns the count with the last error
    /// and the ids of the records written by a start that got through; committed before the
    /// caller goes on.
    pub fn begin_attempt(&self, claim: &str, name: &str) -> rusqlite::Result<Attempt> {
        self.lock()
            .prepare_cached(
                "INSERT INTO files (claim, name, state, attempts, updated_ms)
             VALUES (?1, ?2, 'processing', 1, ?3)
             ON CONFLICT (claim) DO UPDATE
               SET attempts = attempts + (state <> 'processed'), state = 'processing',
                   updated_ms = ?3
             RETURNING attempts, plugin, error, record",
            )?
            .query_row(params![claim, name, now_ms()], |row| {
                Ok(Attempt {
                    attempts: row.get(0)?,
                    plugin: row.get(1)?,
                    error: row.get(2)?,
                    records: row
                        .get::<_, Option<String>>(3)?
                        .map(|ids| ids.lines().map(str::to_owned).collect())
                        .unwrap_or_default(),
                })
            })
    }

    /// The plugins got through every document of the file, whose records (`ids`) are about
    /// to be written: the next start is not counted as an attempt.
    pub fn processed(&self, claim: &str, ids: &[&str]) -> rusqlite::Result<()> {
        self.execute(
            "UPDATE files SET state = 'processed', record = ?2, updated_ms = ?3 WHERE claim = ?1",
            params![claim, ids.join("\n"), now_ms()],
        )?;
        Ok(())
    }

    /// Remembers why the last attempt failed, for the report once the file is given up.
    pub fn note_error(
        &self,
        claim: &str,
        plugin: Option<&str>,
        error: &str,
    ) -> rusqlite::Result<()> {
        self.execute(
            "UPDATE files SET plugin = ?2, error = ?3, updated_ms = ?4 WHERE claim = ?1",
            params![claim, plugin, error, now_ms()],
        )?;
        Ok(())
    }

    /// The file's record was written; `fingerprints` are the simhashes of its records, kept
    /// for near-duplicate checks after a restart (one transaction for both).
    pub fn done(
        &self,
        claim: &str,
        record: &str,
        sha256: &str,
        fingerprints: &[(String, u64)],
    ) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.prepare_cached(
            "UPDATE files SET state = 'done', record = ?2, sha256 = ?3, plugin = NULL,
               error = NULL, updated_ms = ?4 WHERE claim = ?1",
        )?
        .execute(params![claim, record, sha256, now_ms()])?;
        insert_simhashes(&tx, fingerprints)?;
        tx.commit()
    }

    /// The file was moved to `failed/`.
    pub fn failed(&self, claim: &str, plugin: Option<&str>, error: &str) -> rusqlite::Result<()> {
        self.execute(
            "UPDATE files SET state = 'failed', plugin = ?2, error = ?3, updated_ms = ?4
             WHERE claim = ?1",
            params![claim, plugin, error, now_ms()],
        )?;
        Ok(())
    }

    /// How many files are done and failed.
    pub fn counts(&self) -> rusqlite::Result<Counts> {
        self.lock().query_row(
            "SELECT COALESCE(SUM(state = 'done'), 0), COALESCE(SUM(state = 'failed'), 0)
             FROM files",
            [],
            |row| {
                Ok(Counts {
                    done: row.get::<_, i64>(0)?.unsigned_abs(),
                    failed: row.get::<_, i64>(1)?.unsigned_abs(),
                })
            },
        )
    }

    /// Remembers that the inbox file at `path`, as `stamp` says it was, is finished.
    pub fn keep(&self, path: &str, stamp: Stamp) -> rusqlite::Result<()> {
        self.execute(
            "INSERT INTO kept (path, inode, size, mtime_ns) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (path) DO UPDATE
               SET inode = ?2, size = ?3, mtime_ns = ?4",
            params![
                path,
                stamp.inode.cast_signed(),
                stamp.size.cast_signed(),
                stamp.mtime_ns
            ],
        )?;
        Ok(())
    }

    /// Forgets a kept inbox file (it left the inbox).
    pub fn unkeep(&self, path: &str) -> rusqlite::Result<()> {
        self.execute("DELETE FROM kept WHERE path = ?1", params![path])?;
        Ok(())
    }

    /// Every kept inbox file with its stamp.
    pub fn kept(&self) -> rusqlite::Result<Vec<(String, Stamp)>> {
        let conn = self.lock();
        let mut statement = conn.prepare("SELECT path, inode, size, mtime_ns FROM kept")?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get(0)?,
                Stamp {
                    inode: row.get::<_, i64>(1)?.cast_unsigned(),
                    size: row.get::<_, i64>(2)?.cast_unsigned(),
                    mtime_ns: row.get(3)?,
                },
            ))
        })?;
        rows.collect()
    }

    /// The `limit` most recently remembered record simhashes, oldest first.
    pub fn simhashes(&self, limit: usize) -> rusqlite::Result<Vec<(String, u64)>> {
        let conn = self.lock();
        let mut statement =
            conn.prepare("SELECT id, simhash FROM simhashes ORDER BY rowid DESC LIMIT ?1")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map([limit], |row| {
            // SQLite integers are signed; the bits are the simhash.
            Ok((row.get(0)?, row.get::<_, i64>(1)?.cast_unsigned()))
        })?;
        let mut hashes = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        hashes.reverse();
        Ok(hashes)
    }

    /// Remembers the simhashes of records written for a file that failed as a whole (the
    /// records of a file that worked go with [`StateStore::done`]).
    pub fn add_simhashes(&self, fingerprints: &[(String, u64)]) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        insert_simhashes(&tx, fingerprints)?;
        tx.commit()
    }

    /// Runs one statement, parsed once per connection (the statements of each document are
    /// the same few, and parsing them again cost more than running them).
    fn execute(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.lock().prepare_cached(sql)?.execute(params)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        crate::locks::lock(&self.conn)
    }
}

fn insert_simhashes(conn: &Connection, fingerprints: &[(String, u64)]) -> rusqlite::Result<()> {
    let mut insert =
        conn.prepare_cached("INSERT OR IGNORE INTO simhashes (id, simhash) VALUES (?1, ?2)")?;
    for (id, simhash) in fingerprints {
        insert.execute(params![id, simhash.cast_signed()])?;
    }
    Ok(())
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = StateStore::open(&path).unwrap();
        assert_eq!(store.begin_attempt("c1", "a.txt").unwrap().attempts, 1);
        store.note_error("c1", Some("html"), "too slow").unwrap();
        drop(store);
        let store = StateStore::open(&path).unwrap();
        let attempt = store.begin_attempt("c1", "a.txt").unwrap();
        assert_eq!(attempt.attempts, 2);
        assert_eq!(attempt.plugin.as_deref(), Some("html"));
        assert_eq!(attempt.error.as_deref(), Some("too slow"));
    }

    #[test]
    fn a_start_after_the_plugins_got_through_is_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        assert_eq!(store.begin_attempt("c1", "a.txt").unwrap().attempts, 1);
        assert_eq!(store.begin_attempt("c1", "a.txt").unwrap().attempts, 2);
        store.processed("c1", &["id1", "id2"]).unwrap();
        // Killed while writing the records: not counted, and their ids are known.
        let attempt = store.begin_attempt("c1", "a.txt").unwrap();
        assert_eq!(attempt.attempts, 2);
        assert_eq!(attempt.records, ["id1", "id2"]);
        // Killed again, this time in the plugins: counted.
        assert_eq!(store.begin_attempt("c1", "a.txt").unwrap().attempts, 3);
        store.done("c1", "id1", "hash", &[]).unwrap();
        assert_eq!(store.counts().unwrap(), Counts { done: 1, failed: 0 });
    }

    #[test]
    fn counts_follow_the_states() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        for claim in ["a", "b", "c"] {
            store.begin_attempt(claim, claim).unwrap();
        }
        store
            .done("a", "id", "hash", &[("id".to_owned(), u64::MAX)])
            .unwrap();
        store.failed("b", None, "bad").unwrap();
        assert_eq!(store.counts().unwrap(), Counts { done: 1, failed: 1 });
        let stamp = Stamp {
            inode: 1,
            size: 2,
            mtime_ns: 3,
        };
        store.keep("inbox/a", stamp).unwrap();
        assert_eq!(store.kept().unwrap(), [("inbox/a".to_owned(), stamp)]);
        store.unkeep("inbox/a").unwrap();
        assert_eq!(store.kept().unwrap(), []);
        store.add_simhashes(&[("id2".to_owned(), 7)]).unwrap();
        assert_eq!(store.simhashes(1).unwrap(), [("id2".to_owned(), 7)]);
        assert_eq!(store.simhashes(5).unwrap()[0], ("id".to_owned(), u64::MAX));
    }
}
