//! The claim stage: a ready inbox file is taken by renaming it into the work folder.
//!
//! Between the [`queue`](crate::queue) and processing. The rename is atomic, so a file is
//! claimed whole and only once, and a producer still holding the old name cannot change what
//! is processed. The work name is `<claim id>-<inbox name>`: the claim id (16 hex digits,
//! increasing) makes it unique, so a second file with the same name never overwrites one
//! being processed, and the inbox name can be recovered from it after a crash. Names are
//! kept byte for byte, UTF-8 or not. A claimed symlink is refused (and later moved to
//! `failed/`) instead of being followed; a folder in the inbox is left where it is.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::logging::os_text;

/// A file in the work folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Its path in the work folder.
    pub work: PathBuf,
    /// Its name in the work folder as text (see [`os_text`]), the key in the state store.
    pub claim: String,
    /// Its name in the inbox as text (see [`os_text`]), for the state store.
    pub name: String,
    /// Where it was in the inbox; `done/` and `failed/` take its name, byte for byte.
    pub inbox_path: PathBuf,
}

impl Claimed {
    /// The file at `work`, claimed from `inbox_path`.
    fn new(work: PathBuf, inbox_path: PathBuf) -> Self {
        let text = |path: &Path| os_text(path.file_name().unwrap_or_default()).into_owned();
        Self {
            claim: text(&work),
            name: text(&inbox_path),
            work,
            inbox_path,
        }
    }
}

/// What came of claiming a path.
#[derive(Debug)]
pub enum Claim {
    /// The file is in the work folder, ready to process.
    Taken(Claimed),
    /// The file is in the work folder but must not be processed; the reason says why.
    Refused(Claimed, String),
    /// The file was no longer in the inbox, or is a folder, which stays there: subfolders
    /// of the inbox are not the daemon's.
    Gone,
}

/// Hands out increasing claim ids.
#[derive(Debug, Default)]
pub struct ClaimIds {
    last: Mutex<u64>,
}

impl ClaimIds {
    fn next(&self) -> String {
        let now = jiff::Timestamp::now().as_nanosecond();
        let now = u64::try_from(now).unwrap_or(0);
        let mut last = crate::locks::lock(&self.last);
        *last = now.max(*last + 1);
        format!("{:016x}", *last)
    }
}

/// The longest inbox name kept whole in a work name (file names are limited to 255 bytes).
const MAX_NAME_IN_WORK: usize = 200;

/// How a file is taken into the work folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimBy {
    /// Renamed: the inbox no longer has it.
    Rename,
    /// Hard-linked: the inbox keeps it (`on_success: keep`).
    Link,
}

/// Claims `path` from `inbox` into `work`.
pub fn claim(
    inbox: &Path,
    work: &Path,
    path: &Path,
    ids: &ClaimIds,
    by: ClaimBy,
) -> std::io::Result<Claim> {
    let Some(name) = path.file_name() else {
        return Ok(Claim::Gone);
    };
    // A folder renamed into the inbox is announced like a file. Between this look and the
    // rename below a producer could swap the file for a folder; the folder would then be
    // refused like any other entry that is not a regular file.
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => return Ok(Claim::Gone),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Claim::Gone),
        Err(err) => return Err(err),
    }
    let target = loop {
        let mut claim = OsString::from(format!("{}-", ids.next()));
        claim.push(shorten(name));
        let target = work.join(&claim);
        // Only this daemon writes to its work folder, so checking first is enough to never
        // rename over a file in it.
        if !target.exists() {
            break target;
        }
    };
    let taken = match by {
        ClaimBy::Rename => std::fs::rename(path, &target),
        // `link` does not follow a symlink: the link itself is claimed, and refused below.
        ClaimBy::Link => std::fs::hard_link(path, &target),
    };
    match taken {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Claim::Gone),
        Err(err) => return Err(err),
    }
    let claimed = Claimed::new(target, path.to_owned());
    Ok(match refusal(inbox, &claimed)? {
        Some(reason) => Claim::Refused(claimed, reason),
        None => Claim::Taken(claimed),
    })
}

/// A file found in the work folder at start: claimed before a crash or a shutdown.
pub fn reclaim(inbox: &Path, work_path: &Path) -> std::io::Result<Claim> {
    let Some(claim) = work_path.file_name() else {
        return Ok(Claim::Gone);
    };
    let claim = claim.as_bytes();
    let name = claim
        .iter()
        .position(|b| *b == b'-')
        .map_or(claim, |dash| &claim[dash + 1..]);
    let claimed = Claimed::new(work_path.to_owned(), inbox.join(OsStr::from_bytes(name)));
    Ok(match refusal(inbox, &claimed)? {
        Some(reason) => Claim::Refused(claimed, reason),
        None => Claim::Taken(claimed),
    })
}

/// The files in the work folder, oldest claim first.
pub fn leftovers(work: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(work)?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Why a claimed file must not be read: it is a symlink (or not a regular file at all).
fn refusal(inbox: &Path, claimed: &Claimed) -> std::io::Result<Option<String>> {
    let meta = std::fs::symlink_metadata(&claimed.work)?;
    if meta.is_file() {
        return Ok(None);
    }
    if !meta.is_symlink() {
        return Ok(Some("not a regular file".to_owned()));
    }
    let target = std::fs::read_link(&claimed.work)?;
    // A relative link was relative to the inbox, where the producer made it.
    let resolved = std::fs::canonicalize(inbox.join(&target));
    Ok(Some(match resolved {
        Ok(resolved) if resolved.starts_with(inbox) => {
            "symlink to another file in the inbox; that file is processed on its own".to_owned()
        }
        Ok(_) => "symlink pointing outside the inbox; refused".to_owned(),
        Err(_) => "dangling symlink".to_owned(),
    }))
}

/// The name cut to [`MAX_NAME_IN_WORK`] bytes, not inside a UTF-8 character.
fn shorten(name: &OsStr) -> &OsStr {
    let bytes = name.as_bytes();
    if bytes.len() <= MAX_NAME_IN_WORK {
        return name;
    }
    let mut end = MAX_NAME_IN_WORK;
    // A UTF-8 character is at most 4 bytes: back off over at most 3 continuation bytes.
    while end > MAX_NAME_IN_WORK - 3 && bytes[end] & 0xc0 == 0x80 {
        end -= 1;
    }
    OsStr::from_bytes(&bytes[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary folder holding an inbox and a work folder.
    fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (inbox, work) = (dir.path().join("in"), dir.path().join("work"));
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        (dir, inbox, work)
    }

    #[test]
    fn a_claim_moves_the_file_and_keeps_its_name() {
        let (_dir, inbox, work) = folders();
        let path = inbox.join("a-b.txt");
        std::fs::write(&path, "x").unwrap();
        let ids = ClaimIds::default();
        let Claim::Taken(claimed) = claim(&inbox, &work, &path, &ids, ClaimBy::Rename).unwrap()
        else {
            panic!("not taken");
        };
        assert!(!path.exists() && claimed.work.exists());
        assert_eq!(claimed.name, "a-b.txt");
        let Claim::Taken(again) = reclaim(&inbox, &claimed.work).unwrap() else {
            panic!("not taken");
        };
        assert_eq!(again, claimed);
        assert!(matches!(
            claim(&inbox, &work, &path, &ids, ClaimBy::Rename).unwrap(),
            Claim::Gone
        ));
    }

    #[test]
    fn a_symlink_out_of_the_inbox_is_refused() {
        let (dir, inbox, work) = folders();
        let secret = dir.path().join("secret.txt");
        std::fs::write(&secret, "x").unwrap();
        let link = inbox.join("link.txt");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let inbox = std::fs::canonicalize(&inbox).unwrap();
        let outcome = claim(
            &inbox,
            &work,
            &inbox.join("link.txt"),
            &ClaimIds::default(),
            ClaimBy::Link,
        );
        let Claim::Refused(_, reason) = outcome.unwrap() else {
            panic!("not refused");
        };
        assert!(reason.contains("outside the inbox"), "{reason}");
    }

    #[test]
    fn a_name_that_is_not_utf8_is_kept_byte_for_byte() {
        let (_dir, inbox, work) = folders();
        let path = inbox.join(OsStr::from_bytes(b"caf\xe9.txt"));
        std::fs::write(&path, "x").unwrap();
        let ids = ClaimIds::default();
        let Claim::Taken(claimed) = claim(&inbox, &work, &path, &ids, ClaimBy::Rename).unwrap()
        else {
            panic!("not taken");
        };
        assert!(
            claimed
                .work
                .as_os_str()
                .as_bytes()
                .ends_with(b"-caf\xe9.txt")
        );
        assert_eq!(claimed.name, "caf\\xe9.txt");
        let Claim::Taken(again) = reclaim(&inbox, &claimed.work).unwrap() else {
            panic!("not taken");
        };
        assert_eq!(again.inbox_path, path);
    }

    #[test]
    fn a_folder_in_the_inbox_is_left_there() {
        let (_dir, inbox, work) = folders();
        std::fs::create_dir(inbox.join("sub")).unwrap();
        let ids = ClaimIds::default();
        let outcome = claim(&inbox, &work, &inbox.join("sub"), &ids, ClaimBy::Rename).unwrap();
        assert!(matches!(outcome, Claim::Gone));
        assert!(inbox.join("sub").is_dir());
        assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0);
    }

    #[test]
    fn long_names_are_cut_between_characters() {
        let name = "é".repeat(150);
        let cut = shorten(OsStr::new(&name));
        assert_eq!(cut.len(), MAX_NAME_IN_WORK);
        assert!(cut.to_str().is_some());
        let odd = format!("a{name}");
        assert_eq!(shorten(OsStr::new(&odd)).len(), MAX_NAME_IN_WORK - 1);
    }

    #[test]
    fn claim_ids_increase() {
        let ids = ClaimIds::default();
        let (a, b) = (ids.next(), ids.next());
        assert!(a < b && a.len() == 16, "{a} {b}");
    }
}
