//! The config's `custom` list: plugins the user adds to the chain, and how each is started.
//!
//! A custom plugin is one of three kinds, chosen by its config entry ([`CustomKind`]):
//!
//! - `path:` a native library loaded into the daemon ([`native`](crate::native)): the fastest,
//!   for trusted code;
//! - `path:` with `isolate: true`: the same library run inside child `docnorm plugin-host`
//!   processes, supervised like a command;
//! - `command:` a program in any language speaking `docnorm.plugin-protocol/1`, run as a pool of
//!   supervised child processes ([`process_plugin`](crate::process_plugin)).
//!
//! The entry is checked once, while the config is read ([`CustomPluginConfig`] → [`CustomPlugin`]).

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use docnorm_plugin_api::Field;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::limits::RunLimits;
use crate::native::{Loaded, NativeLibrary};
use crate::process_plugin::{ProcessPlugin, ProcessSpec};

/// The program an isolated native plugin runs in: this very executable (through `/proc`, so
/// an upgrade replacing the file on disk does not change it), as `docnorm plugin-host`.
const THIS_EXECUTABLE: &str = "/proc/self/exe";

/// One custom plugin in the config's `custom` list, as written: exactly one of `path` and
/// `command`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomPluginConfig {
    /// The plugin's name in `chain`, in provenance and in errors.
    pub name: String,
    /// A native library (a `cdylib`): absolute, or relative to the config file's folder; it
    /// must hold a `/` (write `./libfoo.so` for a file beside the config) because library
    /// paths are never searched.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// A program and its arguments, run as the plugin's processes, speaking
    /// `docnorm.plugin-protocol/1` (see docs/plugins.md), e.g. `[python3, tagger.py]`. The
    /// program is looked up in `PATH` unless it holds a `/`; it runs in the config file's
    /// folder, so relative paths are relative to it.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// For a native library: run it inside child `docnorm plugin-host` processes instead of
    /// inside the daemon, so that a crash, a hang or a leak costs a document rather than the
    /// daemon; each document then makes a round trip through a pipe.
    #[serde(default)]
    pub isolate: bool,
    /// How many processes of a `command` or isolated plugin may run at once; by default as
    /// many as documents may be in the pipeline (`run.concurrency`).
    #[serde(default)]
    pub processes: Option<NonZeroUsize>,
    /// The longest answer line a plugin process may write, in bytes; a longer one fails the
    /// document and the process is replaced.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: NonZeroUsize,
    /// The plugin's own options, handed to it as JSON.
    #[serde(default)]
    pub options: Value,
}

fn default_max_response_bytes() -> NonZeroUsize {
    NonZeroUsize::new(64 << 20).expect("not zero")
}

/// One custom plugin, checked: what the daemon starts.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(try_from = "CustomPluginConfig")]
#[schemars(with = "CustomPluginConfig")]
pub struct CustomPlugin {
    /// The plugin's name in `chain`, in provenance and in errors.
    pub name: String,
    /// What runs it.
    pub kind: CustomKind,
    /// How many processes may run at once (process kinds only), `None` for the default.
    pub processes: Option<NonZeroUsize>,
    /// The longest answer line taken from a process, in bytes.
    pub max_response_bytes: NonZeroUsize,
    /// The plugin's own options.
    pub options: Value,
}

/// How a custom plugin runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomKind {
    /// A library loaded into the daemon.
    Native {
        /// The library file.
        path: PathBuf,
    },
    /// A library loaded into child `docnorm plugin-host` processes.
    Isolated {
        /// The library file.
        path: PathBuf,
    },
    /// A program run as child processes.
    Process {
        /// The program and its arguments.
        command: Vec<String>,
        /// The folder it runs in: the config file's, once known.
        dir: Option<PathBuf>,
    },
}

impl TryFrom<CustomPluginConfig> for CustomPlugin {
    type Error = String;

    fn try_from(config: CustomPluginConfig) -> Result<Self, String> {
        let name = config.name;
        let kind = match (config.path, config.command) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "custom plugin {name}: give either `path` (a native library) or `command` (a program), not both"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "custom plugin {name}: give `path` (a native library) or `command` (a program)"
                ));
            }
            (Some(path), None) => {
                if !path.as_os_str().as_encoded_bytes().contains(&b'/') {
                    return Err(format!(
                        "custom plugin {name}: path `{}` holds no `/`: library paths are never searched, write `./{}` for a file beside the config",
                        path.display(),
                        path.display()
                    ));
                }
                if config.isolate {
                    CustomKind::Isolated { path }
                } else {
                    CustomKind::Native { path }
                }
            }
            (None, Some(command)) => {
                if config.isolate {
                    return Err(format!(
                        "custom plugin {name}: `isolate` is for a native library (`path`); a `command` always runs in its own processes"
                    ));
                }
                if command.first().is_none_or(String::is_empty) {
                    return Err(format!(
                        "custom plugin {name}: `command` needs a program, e.g. [python3, tagger.py]"
                    ));
                }
                CustomKind::Process { command, dir: None }
            }
        };
        if config.processes.is_some() && matches!(kind, CustomKind::Native { .. }) {
            return Err(format!(
                "custom plugin {name}: `processes` is for a `command` or an isolated library (`isolate: true`)"
            ));
        }
        Ok(Self {
            name,
            kind,
            processes: config.processes,
            max_response_bytes: config.max_response_bytes,
            options: config.options,
        })
    }
}

/// Checks the names of the `custom` list: unique, and not those of the `built_in` plugins.
pub fn check_names(custom: &[CustomPlugin], built_in: &[&str]) -> Result<(), String> {
    for (i, plugin) in custom.iter().enumerate() {
        let name = &plugin.name;
        if name.is_empty() {
            return Err(format!("custom[{i}]: empty plugin name"));
        }
        if built_in.contains(&name.as_str()) {
            return Err(format!(
                "custom plugin {name}: the name of a built-in plugin"
            ));
        }
        if custom[..i].iter().any(|p| &p.name == name) {
            return Err(format!("custom plugin {name}: named twice"));
        }
    }
    Ok(())
}

/// Where a custom plugin runs.
pub enum Runs<'a> {
    /// Loaded into the daemon from this library.
    InProcess(&'a Path),
    /// In supervised processes run so.
    Processes(ProcessSpec),
}

/// A custom plugin, started.
pub enum Started {
    /// A library loaded into the daemon.
    InProcess(Box<Loaded>),
    /// A pool of supervised processes (a command, or an isolated library).
    Processes(Arc<ProcessPlugin>),
}

impl CustomPlugin {
    /// Makes relative paths relative to `folder`, the config file's folder, where commands
    /// also run.
    pub fn resolve_against(&mut self, folder: &Path) {
        match &mut self.kind {
            CustomKind::Native { path } | CustomKind::Isolated { path } => {
                if path.is_relative() {
                    *path = folder.join(&*path);
                }
            }
            CustomKind::Process { dir, .. } => {
                let folder = if folder.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    folder
                };
                *dir = Some(std::path::absolute(folder).unwrap_or_else(|_| folder.to_owned()));
            }
        }
    }

    /// How it runs under the daemon's `run` limits.
    pub fn runs(&self, run: &RunLimits) -> Runs<'_> {
        let (command, dir) = match &self.kind {
            CustomKind::Native { path } => return Runs::InProcess(path),
            CustomKind::Isolated { path } => (plugin_host_command(path), None),
            CustomKind::Process { command, dir } => (command.clone(), dir.clone()),
        };
        Runs::Processes(ProcessSpec {
            name: self.name.clone(),
            command,
            dir,
            options: self.options.clone(),
            processes: self.processes.unwrap_or(run.pipeline),
            time_limit: run.plugin_time_limit,
            max_response_bytes: self.max_response_bytes,
        })
    }

    /// Loads the library or starts the first process (reading the manifest either way).
    pub fn start(&self, run: &RunLimits) -> anyhow::Result<Started> {
        match self.runs(run) {
            Runs::InProcess(path) => Ok(Started::InProcess(Box::new(self.library(path).load()?))),
            Runs::Processes(spec) => Ok(Started::Processes(Arc::new(ProcessPlugin::start(spec)?))),
        }
    }

    /// The library at `path` (its own) to load into the daemon.
    pub fn library(&self, path: &Path) -> NativeLibrary {
        NativeLibrary {
            name: self.name.clone(),
            path: path.to_owned(),
            options: self.options.clone(),
        }
    }

    /// One line for `docnorm check` about the started plugin.
    pub fn describe(&self, started: &Started) -> String {
        let name = &self.name;
        match started {
            Started::InProcess(loaded) => {
                let m = loaded.plugin.declared();
                format!(
                    "custom plugin {name}: {} declares {} {} (ABI {}.{}, {}), reads [{}], writes [{}]",
                    loaded.path.display(),
                    m.name,
                    m.version,
                    m.abi,
                    loaded.plugin.abi_minor(),
                    if m.thread_safe {
                        "thread-safe"
                    } else {
                        "called one document at a time"
                    },
                    Field::join(&m.reads, ", "),
                    Field::join(&m.writes, ", "),
                )
            }
            Started::Processes(plugin) => {
                let declared = plugin.declared();
                let m = &declared.manifest;
                let what = match &self.kind {
                    CustomKind::Isolated { path } => {
                        format!("{} (isolated in docnorm plugin-host)", path.display())
                    }
                    _ => format!("command `{}`", plugin.spec().shown_command()),
                };
                format!(
                    "custom plugin {name}: {what} declares {} {} ({}, up to {} processes), reads [{}], writes [{}]",
                    declared.name,
                    m.version,
                    declared.protocol,
                    plugin.spec().processes,
                    Field::join(&m.reads, ", "),
                    Field::join(&m.writes, ", "),
                )
            }
        }
    }
}

/// The command that runs the library at `path` in a child `docnorm plugin-host`.
fn plugin_host_command(path: &Path) -> Vec<String> {
    vec![
        THIS_EXECUTABLE.to_owned(),
        "plugin-host".to_owned(),
        "--library".to_owned(),
        path.to_string_lossy().into_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<CustomPlugin, String> {
        serde_saphyr::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn path_or_command_decides_the_kind() {
        let native = parse("name: a\npath: ./liba.so\n").unwrap();
        assert!(matches!(native.kind, CustomKind::Native { .. }));
        let isolated = parse("name: a\npath: ./liba.so\nisolate: true\nprocesses: 2\n").unwrap();
        assert!(matches!(isolated.kind, CustomKind::Isolated { .. }));
        let command = parse("name: a\ncommand: [python3, a.py]\n").unwrap();
        assert!(
            matches!(command.kind, CustomKind::Process { ref command, .. } if command.len() == 2)
        );
    }

    #[test]
    fn exactly_one_of_path_and_command_is_given() {
        let err = parse("name: a\npath: ./a.so\ncommand: [a]\n").unwrap_err();
        assert!(err.contains("not both"), "{err}");
        let err = parse("name: a\n").unwrap_err();
        assert!(err.contains("give `path`"), "{err}");
        let err = parse("name: a\ncommand: []\n").unwrap_err();
        assert!(err.contains("needs a program"), "{err}");
        let err = parse("name: a\ncommand: [a]\nisolate: true\n").unwrap_err();
        assert!(err.contains("`isolate` is for a native library"), "{err}");
        let err = parse("name: a\npath: ./a.so\nprocesses: 2\n").unwrap_err();
        assert!(err.contains("`processes` is for"), "{err}");
    }

    #[test]
    fn a_bare_library_name_is_refused_because_paths_are_never_searched() {
        let err = parse("name: tagger\npath: libtagger.so\n").unwrap_err();
        assert!(err.contains("never searched"), "{err}");
    }

    #[test]
    fn names_must_be_unique_and_not_built_in() {
        let a = parse("name: a\npath: ./a.so\n").unwrap();
        let text = parse("name: text\npath: ./a.so\n").unwrap();
        let err = check_names(&[text], &["text"]).unwrap_err();
        assert!(err.contains("built-in"), "{err}");
        let err = check_names(&[a.clone(), a], &["text"]).unwrap_err();
        assert!(err.contains("named twice"), "{err}");
    }

    #[test]
    fn relative_paths_are_relative_to_the_config_folder_where_commands_run() {
        let mut p = parse("name: a\npath: plugins/liba.so\nisolate: true\n").unwrap();
        p.resolve_against(Path::new("/etc/docnorm"));
        assert_eq!(
            p.kind,
            CustomKind::Isolated {
                path: PathBuf::from("/etc/docnorm/plugins/liba.so")
            }
        );
        let mut p = parse("name: a\ncommand: [python3, a.py]\n").unwrap();
        p.resolve_against(Path::new("/etc/docnorm"));
        let Runs::Processes(spec) = p.runs(&RunLimits::default()) else {
            panic!("runs in-process");
        };
        assert_eq!(spec.dir.as_deref(), Some(Path::new("/etc/docnorm")));
        assert_eq!(spec.processes, RunLimits::default().pipeline);
    }
}
