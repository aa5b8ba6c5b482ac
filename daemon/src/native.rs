//! Custom native plugins: the `custom` section of the config, the file checks done before a
//! library is loaded, and loading it.
//!
//! A custom plugin is a `cdylib` named in the config by its path. Before the library is opened
//! the file and every folder above it must pass [`check_permissions`]; the path is never
//! searched for (it must hold a `/`). The library is opened once and never unloaded; its table
//! is checked and called through [`docnorm_plugin_api::native`], so an instance here is an
//! ordinary [`Plugin`](docnorm_plugin_api::Plugin) in the chain.
// Opening a library and calling its entry point is foreign code; see each SAFETY comment.
#![allow(unsafe_code)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use docnorm_plugin_api::native::abi::{ABI_MAJOR, ENTRY_POINT, EntryPoint};
use docnorm_plugin_api::native::{NativeError, NativeInstance, OpenTable};
use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
use schemars::JsonSchema;
use serde::Deserialize;

/// One custom plugin in the config's `custom` list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomPluginConfig {
    /// The plugin's name in `chain`, in provenance and in errors.
    pub name: String,
    /// The library file: absolute, or relative to the config file's folder; it must hold a
    /// `/` (write `./libfoo.so` for a file beside the config) because library paths are never
    /// searched.
    pub path: PathBuf,
    /// The plugin's own options, handed to it as JSON.
    #[serde(default)]
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

/// Checks the names and paths of the `custom` list: unique names that are not built-in ones,
/// and paths holding a `/`.
pub fn check_config(custom: &[CustomPluginConfig]) -> Result<(), String> {
    for (i, plugin) in custom.iter().enumerate() {
        let name = &plugin.name;
        if name.is_empty() {
            return Err(format!("custom[{i}]: empty plugin name"));
        }
        if crate::config::BUILT_IN.contains(&name.as_str()) {
            return Err(format!(
                "custom plugin {name}: the name of a built-in plugin"
            ));
        }
        if custom[..i].iter().any(|p| &p.name == name) {
            return Err(format!("custom plugin {name}: named twice"));
        }
        if !plugin.path.as_os_str().as_encoded_bytes().contains(&b'/') {
            return Err(format!(
                "custom plugin {name}: path `{}` holds no `/`: library paths are never searched, write `./{}` for a file beside the config",
                plugin.path.display(),
                plugin.path.display()
            ));
        }
    }
    Ok(())
}

impl CustomPluginConfig {
    /// Makes a relative `path` relative to `folder`, the config file's folder.
    pub fn resolve_against(&mut self, folder: &Path) {
        if self.path.is_relative() {
            self.path = folder.join(&self.path);
        }
    }

    /// Checks the file, opens the library, checks its ABI version, reads its manifest and
    /// makes an instance from `options`.
    pub fn load(&self) -> Result<Loaded, LoadError> {
        let (path, table) = self.open()?;
        let plugin = table
            .init(&self.name, &self.options)
            .map_err(|source| self.plugin_error(&path, source))?;
        Ok(Loaded { path, plugin })
    }

    /// Everything [`CustomPluginConfig::load`] does but `init`: the checked table and manifest.
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

/// Opens the library at `path` (absolute, checked) and leaks it: a plugin library is never
/// unloaded, so pointers into it stay valid for the life of the process.
fn open_library(path: &Path) -> Result<&'static Library, String> {
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

/// Refuses `path` unless it is a regular file that only its owner (or root) can write, in
/// folders that only their owners (or root) can write.
///
/// The rule, for the file and each folder above it up to `/`: no write permission for group or
/// others, except for a folder owned by root with the sticky bit set (like `/tmp`), where
/// others can add entries but cannot replace anyone else's. ACLs are not consulted.
pub fn check_permissions(path: &Path) -> Result<(), String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    check_mode(path, &meta, false)?;
    for folder in path
        .ancestors()
        .skip(1)
        .filter(|p| !p.as_os_str().is_empty())
    {
        let meta = std::fs::metadata(folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        check_mode(folder, &meta, true)?;
    }
    Ok(())
}

fn check_mode(path: &Path, meta: &std::fs::Metadata, folder: bool) -> Result<(), String> {
    const GROUP_OR_OTHER_WRITE: u32 = 0o022;
    const STICKY: u32 = 0o1000;
    let mode = meta.permissions().mode();
    if mode & GROUP_OR_OTHER_WRITE == 0 {
        return Ok(());
    }
    if folder && meta.uid() == 0 && mode & STICKY != 0 {
        return Ok(());
    }
    let what = if folder { "folder" } else { "file" };
    Err(format!(
        "{what} {} is writable by group or others (mode {:o}); run chmod go-w on it",
        path.display(),
        mode & 0o7777
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(name: &str, path: &str) -> CustomPluginConfig {
        CustomPluginConfig {
            name: name.to_owned(),
            path: PathBuf::from(path),
            options: serde_json::Value::Null,
        }
    }

    #[test]
    fn a_bare_library_name_is_refused_because_paths_are_never_searched() {
        let err = check_config(&[plugin("tagger", "libtagger.so")]).unwrap_err();
        assert!(err.contains("never searched"), "{err}");
        check_config(&[plugin("tagger", "./libtagger.so")]).unwrap();
    }

    #[test]
    fn names_must_be_unique_and_not_built_in() {
        let err = check_config(&[plugin("text", "./a.so")]).unwrap_err();
        assert!(err.contains("built-in"), "{err}");
        let err = check_config(&[plugin("a", "./a.so"), plugin("a", "./b.so")]).unwrap_err();
        assert!(err.contains("named twice"), "{err}");
    }

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
    fn relative_paths_are_relative_to_the_config_folder() {
        let mut p = plugin("a", "plugins/liba.so");
        p.resolve_against(Path::new("/etc/docnorm"));
        assert_eq!(p.path, Path::new("/etc/docnorm/plugins/liba.so"));
    }
}
