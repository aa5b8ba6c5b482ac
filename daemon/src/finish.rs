//! The finish stage: a processed file leaves the work folder.
//!
//! The last stage of the daemon. On success the record (one per document of a file that
//! holds several) is written atomically under its
//! content id (see [`write`](crate::write)) before the input moves to `done/` (or is
//! deleted); on failure an `.error.json` is written atomically before the input moves to
//! `failed/`. Each step can be interrupted by a crash: the input then still sits in the work
//! folder, is processed again at the next start and the same files are written again under
//! the same names, so nothing is lost and nothing appears twice.

use std::path::{Path, PathBuf};

use docnorm_plugin_api::Record;
use serde::Serialize;

use crate::claim::Claimed;
use crate::spool::{OnSuccess, Spool};
use crate::write::{write_atomic, write_record};

/// The `.error.json` beside a failed input (with `moved_to`, see [`fail`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Where the input was dropped (in the inbox).
    pub path: String,
    /// The plugin (or daemon stage: `read`, `json`, `claim`) that failed, if one did; for a
    /// file of several documents, the plugin of the first failure.
    pub plugin: Option<String>,
    /// What went wrong.
    pub reason: String,
    /// How many times processing was started.
    pub attempts: u32,
    /// When the input was given up (RFC 3339).
    pub failed_at: String,
}

/// Writes the records (one per document of the file); returns their paths.
pub fn write_records(spool: &Spool, records: &[Record]) -> std::io::Result<Vec<PathBuf>> {
    records
        .iter()
        .map(|record| write_record(&spool.output, record))
        .collect()
}

/// Writes the records, then moves the input out of the work folder; returns the records'
/// paths. Under `on_success: move` each record's `source.moved_to` names the input's place
/// in `done/`.
pub fn succeed(
    spool: &Spool,
    claimed: &Claimed,
    records: &[Record],
) -> std::io::Result<Vec<PathBuf>> {
    match spool.on_success {
        OnSuccess::Move => {
            let target = free_name(&spool.done, claimed);
            let moved_to = target.to_string_lossy().into_owned();
            // One copy at a time: a file of many documents is not held twice.
            let written = records
                .iter()
                .map(|record| {
                    let mut record = record.clone();
                    record.source.moved_to = Some(moved_to.clone());
                    write_record(&spool.output, &record)
                })
                .collect::<std::io::Result<Vec<_>>>()?;
            std::fs::rename(&claimed.work, target)?;
            Ok(written)
        }
        // Under `keep` the inbox still has the file; only the claimed link goes.
        OnSuccess::Delete | OnSuccess::Keep => {
            let written = write_records(spool, records)?;
            std::fs::remove_file(&claimed.work)?;
            Ok(written)
        }
    }
}

/// The `.error.json`: the failure and where the input is now.
#[derive(Serialize)]
struct ErrorReport<'a> {
    #[serde(flatten)]
    failure: &'a Failure,
    /// Where the input was moved (in `failed/`).
    moved_to: String,
}

/// Writes the `.error.json`, then moves the input to `failed/`; returns the input's new
/// path.
pub fn fail(spool: &Spool, claimed: &Claimed, failure: &Failure) -> std::io::Result<PathBuf> {
    let target = free_name(spool.failed.path(), claimed);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = ErrorReport {
        failure,
        moved_to: target.to_string_lossy().into_owned(),
    };
    let mut bytes = serde_json::to_vec_pretty(&report).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(&spool.failed, &format!("{name}.error.json"), &bytes)?;
    std::fs::rename(&claimed.work, &target)?;
    Ok(target)
}

/// `dir/<inbox name>` when no file has that name yet, else `dir/<work name>` (unique). An
/// `.error.json` left without its input by a crash does not make the name taken: it is
/// ours, and is written again.
fn free_name(dir: &Path, claimed: &Claimed) -> PathBuf {
    let plain = dir.join(&claimed.name);
    if std::fs::symlink_metadata(&plain).is_err() {
        return plain;
    }
    dir.join(&claimed.claim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::SpoolConfig;

    fn spool(dir: &Path) -> Spool {
        Spool::open(&SpoolConfig {
            inbox: dir.join("inbox"),
            tmp: dir.join("tmp"),
            output: dir.join("out"),
            done: dir.join("done"),
            failed: dir.join("failed"),
            work_dir: dir.join(".docnorm/work"),
            state_dir: dir.join(".docnorm"),
            on_success: OnSuccess::Move,
        })
        .unwrap()
    }

    fn claimed(spool: &Spool, claim: &str, name: &str) -> Claimed {
        let work = spool.work.join(claim);
        std::fs::write(&work, "x").unwrap();
        Claimed {
            work,
            claim: claim.to_owned(),
            name: name.to_owned(),
            inbox_path: spool.inbox.join(name),
        }
    }

    #[test]
    fn a_failure_keeps_both_files_and_never_overwrites_an_earlier_one() {
        let dir = tempfile::tempdir().unwrap();
        let spool = spool(dir.path());
        let failure = Failure {
            path: "inbox/a.txt".into(),
            plugin: Some("read".into()),
            reason: "empty file".into(),
            attempts: 1,
            failed_at: "2026-01-01T00:00:00Z".into(),
        };
        let first = fail(&spool, &claimed(&spool, "01-a.txt", "a.txt"), &failure).unwrap();
        let second = fail(&spool, &claimed(&spool, "02-a.txt", "a.txt"), &failure).unwrap();
        assert_eq!(first, spool.failed.path().join("a.txt"));
        assert_eq!(second, spool.failed.path().join("02-a.txt"));
        let report: serde_json::Value = serde_json::from_slice(
            &std::fs::read(spool.failed.path().join("02-a.txt.error.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(report["plugin"], "read");
        assert_eq!(report["path"], "inbox/a.txt", "where it was dropped");
        assert_eq!(
            report["moved_to"],
            second.to_str().unwrap(),
            "where it is now"
        );
        assert!(spool.failed.path().join("a.txt.error.json").exists());
    }
}
