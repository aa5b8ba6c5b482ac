//! Custom native plugins: the file checks done before a library is loaded, and loading it.
//!
//! A native plugin is a `cdylib` named in the config's `custom` list by its path (see
//! [`custom`](crate::custom)). Before the library is opened
//! the file and every folder above it must pass [`check_permissions`]; the path is never
//! searched for (it must hold a `/`). The library is opened once and never unloaded; its table
//! is checked and called through [`docnorm_plugin_api::native`], so an instance here is an
//! ordinary [`Plugin`](docnorm_plugin_api::Plugin) in the chain.
// Opening a library and calling its entry point is foreign code; see each SAFETY comment.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use docnorm_plugin_api::native::abi::{ABI_MAJOR, ENTRY_POINT, EntryPoint};
use docnorm_plugin_api::native::{NativeError, NativeInstance, OpenTable};
use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
/// A native library to load: a custom plugin's name, library file and options.
#[derive(Debug, Clone)]
pub struct NativeLibrary {
    /// The plugin's name in `chain`, in provenance and in errors.
    pub name: String,
    /// The library file, absolute (or relative to the daemon's folder); never searched for.
    pub path: PathBuf,
    /// The plugin's own options, handed to it as JSON.
    pub options: serde_json::Value,
}

/// Why a custom plugin could not be loaded. Callers exit with `EX_CONFIG` (78).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file or a folder above it is unsafe to load from.
    #[error("{path}: refusing to load plugin {plugin}: {reason}")]
    Unsafe {
        /// The library file.
        path: String,
        /// The plugin's name in the config.
        plugin: String,
        /// What is wrong, naming the offending file or folder.
        reason: String,
    },
    /// The library could not be opened or is not a docnorm plugin.
    #[error("{path}: plugin {plugin}: {reason}")]
    Library {
        /// The library file.
        path: String,
        /// The plugin's name in the config.
        plugin: String,
        /// What went wrong.
        reason: String,
    },
    /// The library's table, manifest or `init` was refused.
    #[error("{path}: plugin {plugin}: {source}")]
    Plugin {
        /// The library file.
        path: String,
        /// The plugin's name in the config.
        plugin: String,
        /// What the ABI layer reported.
        source: NativeError,
    },
}

/// A custom plugin loaded and started.
#[derive(Debug)]
pub struct Loaded {
    /// The library file, as opened (absolute, symlinks resolved).
    pub path: PathBuf,
    /// The running plugin.
    pub plugin: NativeInstance,
}

impl NativeLibrary {
    /// Checks the file, opens the library, checks its ABI version, reads its manifest and
    /// makes an instance from `options`.
    pub fn load(&self) -> Result<Loaded, LoadError> {
        let (path, table) = self.open()?;
        let plugin = table
            .init(&self.name, &self.options)
            .map_err(|source| self.plugin_error(&path, source))?;
        Ok(Loaded { path, plugin })
    }

    /// Everything [`NativeLibrary::load`] does but `init`: the checked table and manifest.
    pub fn open(&self) -> Result<(PathBuf, OpenTable), LoadError> {
        let shown = self.path.display().to_string();
        let unsafe_file = |reason: String| LoadError::Unsafe {
            path: shown.clone(),
            plugin: self.name.clone(),
            reason,
        };
        let absolute = std::path::absolute(&self.path).map_err(|e| unsafe_file(e.to_string()))?;
        let real = absolute
            .canonicalize()
            .map_err(|e| unsafe_file(format!("cannot resolve path: {e}")))?;
        check_permissions(&absolute).map_err(unsafe_file)?;
        check_permissions(&real).map_err(unsafe_file)?;
        let library = open_library(&real).map_err(|reason| self.library_error(&real, reason))?;
        let entry = entry_point(library).map_err(|reason| self.library_error(&real, reason))?;
        let table = open_table(entry).map_err(|source| self.plugin_error(&real, source))?;
        Ok((real, table))
    }

    fn plugin_error(&self, path: &Path, source: NativeError) -> LoadError {
        LoadError::Plugin {
            path: path.display().to_string(),
            plugin: self.name.clone(),
            source,
        }
    }

    fn library_error(&self, path: &Path, reason: String) -> LoadError {
        LoadError::Library {
            path: path.display().to_string(),
            plugin: self.name.clone(),
            reason,
        }
    }
}

/// Held by `main` while a command runs: an exit of the process meanwhile was not asked for by
/// docnorm (a plugin called `exit`), and ends it with a failure status (see [`guard_exit`]).
/// Code using the library without it (benchmarks, tests) exits as it pleases.
#[derive(Debug)]
pub struct ExitGuard(());

impl ExitGuard {
    /// Guards exits until the returned value is dropped.
    pub fn hold() -> Self {
        COMMAND_RUNNING.store(true, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for ExitGuard {
    fn drop(&mut self) {
        COMMAND_RUNNING.store(false, Ordering::SeqCst);
    }
}

/// Whether an [`ExitGuard`] is held.
static COMMAND_RUNNING: AtomicBool = AtomicBool::new(false);

/// The exit status of a process a plugin ended (`EX_SOFTWARE` from sysexits.h).
const EX_SOFTWARE: i32 = 70;

/// Makes an exit that docnorm did not ask for a failure: a plugin calling `exit(0)` would
/// otherwise end the daemon with status 0, which a supervisor (systemd's
/// `Restart=on-failure`) takes for a clean stop and does not restart. Registered once, when
/// the first library is loaded; the hook runs inside `exit`, on the thread that called it.
fn guard_exit() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: `on_exit` is an `extern "C"` function with no arguments that lives as long
        // as the process, as `atexit` requires.
        if unsafe { libc::atexit(on_exit) } != 0 {
            tracing::warn!("cannot register the exit hook: a plugin calling exit() would end docnorm with the plugin's status");
        }
    });
}

extern "C" fn on_exit() {
    if !COMMAND_RUNNING.load(Ordering::SeqCst) {
        return;
    }
    let (start, len) = DOCUMENT
        .try_with(Cell::get)
        .unwrap_or((std::ptr::null(), 0));
    let document = if start.is_null() {
        "unknown (not called on a document's thread)"
    } else {
        // SAFETY: `DOCUMENT` points into the string of this thread's `Processing` guard, which
        // is still alive: `exit` runs the hooks without unwinding the caller's frames.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(start, len)) }
    };
    tracing::error!(
        path = %crate::logging::Escaped(document),
        status = EX_SOFTWARE,
        "a native plugin called exit(): docnorm did not ask to stop, so it exits with a failure status for its supervisor to see"
    );
    // SAFETY: `_exit` ends the process at once, without running the other exit handlers
    // again (calling `exit` from inside `exit` is undefined).
    unsafe { libc::_exit(EX_SOFTWARE) }
}

thread_local! {
    /// The document this thread is processing, for the exit hook, as a bare pointer and
    /// length: by the time `exit` runs the hooks, the thread's values with a destructor
    /// (tracing's current span among them) are gone.
    static DOCUMENT: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
}

/// Names the document the current thread processes until dropped, so that an exit a plugin
/// calls meanwhile is reported with it.
#[derive(Debug)]
pub struct Processing {
    /// The document's path as the logs show it; `DOCUMENT` points into it.
    shown: String,
}

/// Marks `shown`, a document's path as the logs show it, as processed on this thread.
pub fn processing(shown: String) -> Processing {
    DOCUMENT.set((shown.as_ptr(), shown.len()));
    Processing { shown }
}

impl Drop for Processing {
    fn drop(&mut self) {
        if DOCUMENT.get().0 == self.shown.as_ptr() {
            DOCUMENT.set((std::ptr::null(), 0));
        }
    }
}

/// Opens the library at `path` (absolute, checked) and leaks it: a plugin library is never
/// unloaded, so pointers into it stay valid for the life of the process.
fn open_library(path: &Path) -> Result<&'static Library, String> {
    guard_exit();
    // SAFETY: loading runs the library's initialisers. The file and its folders passed
    // `check_permissions`, and the path is absolute, so no other file can be picked up.
    let library = unsafe { Library::open(Some(path.as_os_str()), RTLD_NOW | RTLD_LOCAL) }
        .map_err(|e| format!("cannot load library: {}", loader_reason(&e, path)))?;
    Ok(Box::leak(Box::new(library)))
}

/// The dynamic loader's own reason (`invalid ELF header`, a missing dependency), which
/// libloading keeps as the error's source behind a bare `dlopen failed`; without the path the
/// loader puts in front, since the message names the file already.
fn loader_reason(err: &libloading::Error, path: &Path) -> String {
    let Some(reason) = std::error::Error::source(err).map(ToString::to_string) else {
        return err.to_string();
    };
    let prefix = format!("{}: ", path.display());
    reason.strip_prefix(&prefix).unwrap_or(&reason).to_owned()
}

/// The library's v1 entry point, or why it has none.
fn entry_point(library: &'static Library) -> Result<EntryPoint, String> {
    // SAFETY: `docnorm_plugin_v1` is declared by the ABI with the `EntryPoint` type; looking
    // it up runs no code.
    if let Ok(entry) = unsafe { library.get::<EntryPoint>(ENTRY_POINT) } {
        return Ok(*entry);
    }
    let other = (0..=16).filter(|v| *v != ABI_MAJOR).find(|v| {
        let name = format!("docnorm_plugin_v{v}");
        // SAFETY: only the symbol's presence is checked; it is neither called nor read.
        unsafe { library.get::<*const u8>(name.as_str()) }.is_ok()
    });
    Err(match other {
        Some(version) => format!(
            "built for plugin ABI {version} (exports docnorm_plugin_v{version}), this docnorm speaks ABI {ABI_MAJOR}: rebuild the plugin against a matching docnorm-plugin-api"
        ),
        None => "not a docnorm plugin: the library exports no docnorm_plugin_v1".to_owned(),
    })
}

/// Calls the entry point and checks the table it returns.
fn open_table(entry: EntryPoint) -> Result<OpenTable, NativeError> {
    // SAFETY: the entry point of a v1 library takes no arguments and returns a pointer to its
    // static table; the SDK's is a one-line function.
    let table = unsafe { entry() };
    // SAFETY: the library is never unloaded, so the table stays valid; `open` reads only its
    // header before checking the ABI version.
    unsafe { docnorm_plugin_api::native::open(table) }
}

/// Refuses `path` unless it is a regular file that cannot be changed or replaced by anyone
/// but root and the user docnorm runs as, which is the rule sudo applies to its plugins.
///
/// The rule, for the file and each folder above it up to `/`: owned by root or by the
/// daemon's effective user, and no write permission for group or others, except for a folder
/// with the sticky bit set (like `/tmp`), where others can add entries but cannot rename or
/// replace the entry below it, itself owned by root or the daemon's user. ACLs are not
/// consulted.
pub fn check_permissions(path: &Path) -> Result<(), String> {
    // SAFETY: `geteuid` takes no arguments, cannot fail and touches no memory of ours.
    let me = unsafe { libc::geteuid() };
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    check_entry(path, Entry::File, meta.uid(), meta.mode(), me)?;
    for folder in path
        .ancestors()
        .skip(1)
        .filter(|p| !p.as_os_str().is_empty())
    {
        let meta = std::fs::metadata(folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        check_entry(folder, Entry::Folder, meta.uid(), meta.mode(), me)?;
    }
    Ok(())
}

/// The library file itself, or a folder above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    File,
    Folder,
}

/// Whether one entry on the path to a library, owned by `uid` with permission bits `mode`,
/// is safe to load from for a daemon running as `me`.
fn check_entry(path: &Path, entry: Entry, uid: u32, mode: u32, me: u32) -> Result<(), String> {
    const GROUP_OR_OTHER_WRITE: u32 = 0o022;
    const STICKY: u32 = 0o1000;
    let what = match entry {
        Entry::File => "file",
        Entry::Folder => "folder",
    };
    if uid != 0 && uid != me {
        return Err(format!(
            "{what} {} is owned by {}; a plugin library and every folder above it must be owned by root or by the user docnorm runs as, {}: run chown root on it, or install the library where only root can write",
            path.display(),
            user(uid),
            user(me)
        ));
    }
    if mode & GROUP_OR_OTHER_WRITE == 0 || (entry == Entry::Folder && mode & STICKY != 0) {
        return Ok(());
    }
    Err(format!(
        "{what} {} is writable by group or others (mode {:o}); run chmod go-w on it",
        path.display(),
        mode & 0o7777
    ))
}

/// `name (uid N)`, the name from `/etc/passwd` when it lists the uid, else `uid N`.
fn user(uid: u32) -> String {
    let name = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)?.parse() == Ok(uid)).then(|| name.to_owned())
            })
        });
    match name {
        Some(name) => format!("{} (uid {uid})", crate::logging::Escaped(&name)),
        None => format!("uid {uid}"),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn group_writable_files_and_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("libx.so");
        std::fs::write(&file, b"").unwrap();
        let chmod = |p: &Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        chmod(&file, 0o644);
        check_permissions(&file).unwrap();
        chmod(&file, 0o664);
        let err = check_permissions(&file).unwrap_err();
        assert!(
            err.contains("is writable by group or others (mode 664)"),
            "{err}"
        );
        chmod(&file, 0o644);
        chmod(dir.path(), 0o777);
        let err = check_permissions(&file).unwrap_err();
        assert!(
            err.starts_with(&format!("folder {} ", dir.path().display())),
            "{err}"
        );
        chmod(dir.path(), 0o700);
    }

    #[test]
    fn only_root_or_the_daemons_user_may_own_the_library_and_its_folders() {
        let path = Path::new("/opt/plugins");
        let me = 1000;
        for (entry, uid, mode) in [
            (Entry::File, 0, 0o755),
            (Entry::File, me, 0o700),
            (Entry::Folder, 0, 0o755),
            (Entry::Folder, me, 0o755),
            // A sticky folder (like /tmp): others cannot replace the entry below it.
            (Entry::Folder, 0, 0o1777),
            (Entry::Folder, me, 0o1777),
        ] {
            check_entry(path, entry, uid, mode, me).unwrap();
        }
        for entry in [Entry::File, Entry::Folder] {
            let err = check_entry(path, entry, 65534, 0o755, me).unwrap_err();
            assert!(err.contains("/opt/plugins is owned by "), "{err}");
            assert!(err.contains("(uid 65534); a plugin library"), "{err}");
            assert!(
                err.contains("must be owned by root or by the user docnorm runs as, "),
                "{err}"
            );
            // The sticky bit does not make another user's entry safe.
            check_entry(path, entry, 65534, 0o1755, me).unwrap_err();
        }
        // A sticky file means nothing.
        check_entry(path, Entry::File, 0, 0o1777, me).unwrap_err();
    }
}
