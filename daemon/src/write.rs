//! The write stage: a record lands in a folder atomically, named by its content id.
//!
//! The bytes go to a temporary file in the target folder, which is flushed to disk, renamed
//! into place and the folder flushed too; a reader never sees a half-written record, and
//! writing the same record twice leaves the same single file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use docnorm_plugin_api::Record;

/// Writes `bytes` to `dir/name` atomically and durably.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    let target = dir.join(name);
    let mut temp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(target)
}

/// Writes `record` as pretty JSON to `dir/<id>.json` and returns the path.
pub fn write_record(dir: &Path, record: &Record) -> io::Result<PathBuf> {
    let mut bytes = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(dir, &format!("{}.json", record.id), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_twice_leaves_one_complete_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(dir.path(), "a.json", b"{}").unwrap();
        write_atomic(dir.path(), "a.json", b"{}").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.json"]);
        assert_eq!(std::fs::read(dir.path().join("a.json")).unwrap(), b"{}");
    }
}
