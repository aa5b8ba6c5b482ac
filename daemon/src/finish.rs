//! The finish stage: a processed file leaves the work folder.
//!
//! The last stage of the daemon. On success the record (one per document of a file that
//! holds several) is written atomically under its
//! content id (see [`write`](crate::write)) before the input moves to `done/` (or is
//! deleted); on failure an `.error.json` is written atomically before the input moves to
//! `failed/`. Where the input goes is decided once ([`destination`]), so the records'
//! `source.moved_to` and the `.error.json`'s `moved_to` name the place it is moved to. Each step can be interrupted by a crash: the input then still sits in the work
//! folder, is processed again at the next start and the same files are written again under
//! the same names, so nothing is lost and nothing appears twice.

use std::path::{Path, PathBuf};

use docnorm_plugin_api::Record;
use serde::Serialize;

use crate::claim::Claimed;
use crate::logging::os_text;
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

/// Where a processed input goes: its path in `done/`, or `None` when it is deleted or kept
/// (`spool.on_success`).
pub fn destination(spool: &Spool, claimed: &Claimed) -> Option<PathBuf> {
    (spool.on_success == OnSuccess::Move).then(|| free_name(&spool.done, claimed))
}

/// Where a failed input goes in `failed/`.
pub fn failed_destination(spool: &Spool, claimed: &Claimed) -> PathBuf {
    free_name(spool.failed.path(), claimed)
}

/// Writes the records (one per document of the file), each with `source.moved_to` set to
/// `moved_to` (the input's [`destination`], or its [`failed_destination`] when some of its
/// documents failed); returns their paths.
pub fn write_records(
    spool: &Spool,
    records: &[Record],
    moved_to: Option<&Path>,
) -> std::io::Result<Vec<PathBuf>> {
    let Some(moved_to) = moved_to else {
        return records
            .iter()
            .map(|record| write_record(&spool.output, record))
            .collect();
    };
    let moved_to = os_text(moved_to.as_os_str()).into_owned();
    // One copy at a time: a file of many documents is not held twice.
    records
        .iter()
        .map(|record| {
            let mut record = record.clone();
            record.source.moved_to = Some(moved_to.clone());
            write_record(&spool.output, &record)
        })
        .collect()
}

/// Moves the input out of the work folder once its records are written: to `to`, its
/// [`destination`] in `done/`, or deleted when that is `None` (under `keep` the inbox still
/// has the file; only the claimed link goes).
pub fn move_on(claimed: &Claimed, to: Option<&Path>) -> std::io::Result<()> {
    match to {
        Some(target) => std::fs::rename(&claimed.work, target),
        None => std::fs::remove_file(&claimed.work),
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
    let target = failed_destination(spool, claimed);
    let mut report = target.file_name().unwrap_or_default().to_owned();
    report.push(".error.json");
    let error_report = ErrorReport {
        failure,
        moved_to: os_text(target.as_os_str()).into_owned(),
    };
    let mut bytes = serde_json::to_vec_pretty(&error_report).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(&spool.failed, &report, &bytes)?;
    std::fs::rename(&claimed.work, &target)?;
    Ok(target)
}

/// `dir/<inbox name>` when no file has that name yet, else `dir/<work name>` (unique), byte
/// for byte. An `.error.json` left without its input by a crash does not make the name
/// taken: it is ours, and is written again.
fn free_name(dir: &Path, claimed: &Claimed) -> PathBuf {
    let name = |path: &Path| dir.join(path.file_name().unwrap_or_default());
    let plain = name(&claimed.inbox_path);
    if std::fs::symlink_metadata(&plain).is_err() {
        return plain;
    }
    name(&claimed.work)
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
