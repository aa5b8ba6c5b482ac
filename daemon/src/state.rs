//! The state store: what the daemon knows about every file it claimed, in `SQLite` (WAL).
//!
//! Beside the spool folders, which hold the truth about where a file is, the store keeps
//! what the folders cannot: how many times processing a file was started, the attempts counted
//! against it (a time-out, or the daemon dying while the file was processed alone: see
//! [`Begin`]), its state, its content hash and record id, and the last error. Each start is
//! stored before any plugin sees the file. Once the plugins have got through every document of
//! a file (state `processed`), the store holds the ids of the records about to be written: a
//! crash from then on is never counted against the file, and it never leaves that state but
//! for `done`. A file's final state (`done`, `failed`) is stored before it leaves the work
//! folder, so a crash in between only moves it on at the next start. `synchronous=NORMAL` in
//! WAL mode survives the process being killed at any point; after a power loss the last few
//! counts may be lost, which costs at most a retry.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, params};

/// How long the row of a finished file is kept: it only serves a file whose final state was
/// stored but which a crash kept from leaving the work folder (a restart moves it on).
pub const FINISHED_RETENTION: Duration = Duration::from_secs(600);

/// The open state store; shared by the run loop and its workers.
pub struct StateStore {
    conn: Mutex<Connection>,
}

/// How a start of processing a file came about, which decides whether it counts against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// A file just claimed from the inbox, or tried again after a time-out (the time-out was
    /// counted when it happened).
    Fresh,
    /// A file found in the work folder at start, run alone in the pipeline: if the daemon
    /// dies again while it runs, it was the likely cause, and the start after that counts an
    /// attempt against it.
    Alone,
}

/// The state a stored file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// Processing was started; the plugins have not got through it yet.
    Processing,
    /// The plugins got through every document; its records are being written.
    Processed,
    /// Its records were written; it is moving on.
    Done,
    /// It was given up; it is moving to `failed/`.
    Failed,
}

impl FileState {
    fn parse(text: &str) -> Self {
        match text {
            "processed" => Self::Processed,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => Self::Processing,
        }
    }
}

/// A file's counts, state and last error, read when processing starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// How many attempts were counted against the file (time-outs, and deaths of the daemon
    /// while it ran alone), this start included.
    pub attempts: u32,
    /// How many times processing was started, this time included.
    pub starts: u32,
    /// Where an earlier start got to.
    pub state: FileState,
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
    attempts    INTEGER NOT NULL,   -- counted against the file: time-outs, deaths while alone
    starts      INTEGER NOT NULL DEFAULT 0,
    alone       INTEGER NOT NULL DEFAULT 0, -- the last start ran alone in the pipeline
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
CREATE TABLE IF NOT EXISTS totals (
    state       TEXT PRIMARY KEY,   -- done | failed: files whose rows were pruned
    files       INTEGER NOT NULL
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
        add_missing_columns(&conn)
            .with_context(|| format!("{}: cannot update the state tables", path.display()))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// Stores one more start of processing the claimed file `claim` (inbox name `name`), and
    /// returns the file's counts, state, last error and the ids of the records of a start that
    /// got through the plugins; committed before the caller goes on. An attempt is counted
    /// when the last start ran [`Begin::Alone`] and was cut short in the plugins: the daemon
    /// died while that file was alone in the pipeline. A state past `processing` is kept.
    pub fn begin_attempt(
        &self,
        claim: &str,
        name: &str,
        begin: Begin,
    ) -> rusqlite::Result<Attempt> {
        self.lock()
            .prepare_cached(
                "INSERT INTO files (claim, name, state, attempts, starts, alone, updated_ms)
             VALUES (?1, ?2, 'processing', 0, 1, ?3, ?4)
             ON CONFLICT (claim) DO UPDATE
               SET attempts = attempts + (state = 'processing' AND alone = 1),
                   starts = starts + 1, alone = ?3, updated_ms = ?4
             RETURNING attempts, starts, state, plugin, error, record",
            )?
            .query_row(
                params![claim, name, begin == Begin::Alone, now_ms()],
                |row| {
                    Ok(Attempt {
                        attempts: row.get(0)?,
                        starts: row.get(1)?,
                        state: FileState::parse(&row.get::<_, String>(2)?),
                        plugin: row.get(3)?,
                        error: row.get(4)?,
                        records: row
                            .get::<_, Option<String>>(5)?
                            .map(|ids| ids.lines().map(str::to_owned).collect())
                            .unwrap_or_default(),
                    })
                },
            )
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

    /// Counts an attempt against the file (a time-out, a crashed plugin process), and
    /// remembers why, for the report once the file is given up; returns the attempts counted
    /// so far.
    pub fn count_attempt(
        &self,
        claim: &str,
        plugin: Option<&str>,
        error: &str,
    ) -> rusqlite::Result<u32> {
        self.lock()
            .prepare_cached(
                "UPDATE files SET attempts = attempts + 1, plugin = ?2, error = ?3,
                   updated_ms = ?4 WHERE claim = ?1 RETURNING attempts",
            )?
            .query_row(params![claim, plugin, error, now_ms()], |row| row.get(0))
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

    /// How many files are done and failed, pruned ones included.
    pub fn counts(&self) -> rusqlite::Result<Counts> {
        self.lock().query_row(
            "SELECT COALESCE(SUM(state = 'done'), 0)
                    + (SELECT COALESCE(SUM(files), 0) FROM totals WHERE state = 'done'),
                    COALESCE(SUM(state = 'failed'), 0)
                    + (SELECT COALESCE(SUM(files), 0) FROM totals WHERE state = 'failed')
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

    /// Forgets what no guarantee needs any more, so the store stays bounded: the rows of files
    /// finished more than [`FINISHED_RETENTION`] ago and the fingerprints of all but the
    /// `window` most recent records. Logged when it fails: the store then only grows.
    pub fn prune(&self, window: usize) {
        let retention = i64::try_from(FINISHED_RETENTION.as_millis()).unwrap_or(i64::MAX);
        if let Err(err) = self.prune_before(now_ms() - retention, window) {
            tracing::warn!(error = %err, "cannot prune the state store");
        }
    }

    /// Prunes the rows of files finished before `finished_before_ms` (their counts go to the
    /// totals) and the fingerprints beyond `window`.
    fn prune_before(&self, finished_before_ms: i64, window: usize) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO totals (state, files)
               SELECT state, COUNT(*) FROM files
               WHERE state IN ('done', 'failed') AND updated_ms < ?1 GROUP BY state
             ON CONFLICT (state) DO UPDATE SET files = files + excluded.files",
            params![finished_before_ms],
        )?;
        tx.execute(
            "DELETE FROM files WHERE state IN ('done', 'failed') AND updated_ms < ?1",
            params![finished_before_ms],
        )?;
        tx.execute(
            "DELETE FROM simhashes
             WHERE rowid <= (SELECT MAX(rowid) FROM simhashes) - ?1",
            params![i64::try_from(window).unwrap_or(i64::MAX)],
        )?;
        tx.commit()
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

/// Adds the columns that stores made by earlier versions lack.
fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    let mut columns = Vec::new();
    conn.pragma(None, "table_info", "files", |row| {
        columns.push(row.get::<_, String>(1)?);
        Ok(())
    })?;
    for (column, definition) in [
        ("starts", "INTEGER NOT NULL DEFAULT 0"),
        ("alone", "INTEGER NOT NULL DEFAULT 0"),
    ] {
        if !columns.iter().any(|c| c == column) {
            conn.execute_batch(&format!(
                "ALTER TABLE files ADD COLUMN {column} {definition}"
            ))?;
        }
    }
    Ok(())
}

fn insert_simhashes(conn: &Connection, fingerprints: &[(String, u64)]) -> rusqlite::Result<()> {
    let mut insert =
        conn.prepare_cached("INSERT OR IGNORE INTO simhashes (id, simhash) VALUES (?1, ?2)")?;
    for (id, simhash) in fingerprints {
        insert.execute(params![id, simhash.cast_signed()])?;
    }
    Ok(())
}

/// Milliseconds since 1970, as the store's `updated_ms` holds them.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_outs_count_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = StateStore::open(&path).unwrap();
        let first = store.begin_attempt("c1", "a.txt", Begin::Fresh).unwrap();
        assert_eq!((first.attempts, first.starts), (0, 1));
        assert_eq!(
            store.count_attempt("c1", Some("html"), "too slow").unwrap(),
            1
        );
        drop(store);
        let store = StateStore::open(&path).unwrap();
        let attempt = store.begin_attempt("c1", "a.txt", Begin::Fresh).unwrap();
        assert_eq!((attempt.attempts, attempt.starts), (1, 2));
        assert_eq!(attempt.plugin.as_deref(), Some("html"));
        assert_eq!(attempt.error.as_deref(), Some("too slow"));
    }

    #[test]
    fn only_a_death_while_alone_counts() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        let begin = |how| store.begin_attempt("c1", "a.txt", how).unwrap().attempts;
        // In flight with others when the daemon died: not counted.
        assert_eq!(begin(Begin::Fresh), 0);
        // Resumed alone: the death before it was not alone.
        assert_eq!(begin(Begin::Alone), 0);
        // Died while alone: counted at each following start.
        assert_eq!(begin(Begin::Alone), 1);
        assert_eq!(begin(Begin::Alone), 2);
    }

    #[test]
    fn a_start_after_the_plugins_got_through_is_never_counted_nor_reset() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        store.begin_attempt("c1", "a.txt", Begin::Alone).unwrap();
        assert_eq!(
            store
                .begin_attempt("c1", "a.txt", Begin::Alone)
                .unwrap()
                .attempts,
            1
        );
        store.processed("c1", &["id1", "id2"]).unwrap();
        // Killed while writing the records, then again and again: never counted, still
        // processed, and the record ids are known.
        for _ in 0..3 {
            let attempt = store.begin_attempt("c1", "a.txt", Begin::Alone).unwrap();
            assert_eq!(attempt.attempts, 1);
            assert_eq!(attempt.state, FileState::Processed);
            assert_eq!(attempt.records, ["id1", "id2"]);
        }
        store.done("c1", "id1", "hash", &[]).unwrap();
        let attempt = store.begin_attempt("c1", "a.txt", Begin::Alone).unwrap();
        assert_eq!(attempt.state, FileState::Done);
        assert_eq!(store.counts().unwrap(), Counts { done: 1, failed: 0 });
    }

    #[test]
    fn pruning_keeps_the_counts_and_the_window_and_forgets_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        for n in 0..50 {
            let claim = format!("c{n}");
            store.begin_attempt(&claim, "a", Begin::Fresh).unwrap();
            let simhash = [(format!("id{n}"), n)];
            if n % 10 == 0 {
                store.failed(&claim, None, "bad").unwrap();
            } else {
                store
                    .done(&claim, &format!("id{n}"), "h", &simhash)
                    .unwrap();
            }
        }
        store.begin_attempt("in-flight", "b", Begin::Fresh).unwrap();
        store.prune_before(now_ms() + 1, 5).unwrap();
        assert_eq!(
            store.counts().unwrap(),
            Counts {
                done: 45,
                failed: 5
            }
        );
        let ids: Vec<String> = store
            .simhashes(100)
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, ["id45", "id46", "id47", "id48", "id49"]);
        let rows: i64 = store
            .lock()
            .query_row("SELECT COUNT(*) FROM files", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1, "only the file in flight keeps its row");
        // Pruning again adds nothing twice.
        store.prune_before(now_ms() + 1, 5).unwrap();
        assert_eq!(
            store.counts().unwrap(),
            Counts {
                done: 45,
                failed: 5
            }
        );
    }

    #[test]
    fn a_store_of_an_earlier_version_gets_the_new_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE files (claim TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL,
             attempts INTEGER NOT NULL, sha256 TEXT, record TEXT, plugin TEXT, error TEXT,
             updated_ms INTEGER NOT NULL) WITHOUT ROWID;
             INSERT INTO files VALUES ('c1', 'a.txt', 'processing', 2, NULL, NULL, NULL, NULL, 0);",
        )
        .unwrap();
        drop(conn);
        let store = StateStore::open(&path).unwrap();
        let attempt = store.begin_attempt("c1", "a.txt", Begin::Fresh).unwrap();
        assert_eq!((attempt.attempts, attempt.starts), (2, 1));
    }

    #[test]
    fn counts_follow_the_states() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("s.sqlite")).unwrap();
        for claim in ["a", "b", "c"] {
            store.begin_attempt(claim, claim, Begin::Fresh).unwrap();
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
