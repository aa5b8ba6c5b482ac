//! Helpers of the custom plugin tests: build a plugin crate as its author would, install its
//! library into a private folder, write a config naming it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The target folder these tests were built in, so building a plugin reuses compiled crates:
/// `CARGO_TARGET_DIR` when it is absolute, else three folders above the test binary
/// (`<target>/<profile>/deps/<test>`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return dir;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .expect("the test binary sits in <target>/<profile>/deps")
        .to_path_buf()
}

/// The cargo profile these tests (or benches) were built with: `debug` or `release`.
pub fn profile() -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe.ancestors().nth(2).and_then(Path::file_name);
    dir.map_or_else(|| "debug".to_owned(), |d| d.to_string_lossy().into_owned())
}

/// `cargo`: the one running these tests when known.
pub fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.env("CARGO_TARGET_DIR", target_dir());
    cargo
}

/// Builds workspace package `package` (a `cdylib`) once per test run, with the profile of
/// the running test, and returns its library.
pub fn build(package: &str) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let built = built.get_or_insert_with(HashMap::new);
    if let Some(path) = built.get(package) {
        return path.clone();
    }
    let mut command = cargo();
    command.args(["build", "--quiet", "-p", package]);
    if profile() == "release" {
        command.arg("--release");
    }
    let status = command
        .current_dir(workspace())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build -p {package} failed");
    let file = format!("lib{}.so", package.replace('-', "_"));
    let path = target_dir().join(profile()).join(file);
    assert!(path.is_file(), "{} was not built", path.display());
    built.insert(package.to_owned(), path.clone());
    path
}

/// Copies `library` into `dir/plugins/` with owner-only write permissions, as an
/// administrator installs a plugin, and returns its new path.
pub fn install(library: &Path, dir: &Path) -> PathBuf {
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::set_permissions(&plugins, std::fs::Permissions::from_mode(0o755)).unwrap();
    let installed = plugins.join(library.file_name().unwrap());
    std::fs::copy(library, &installed).unwrap();
    std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o755)).unwrap();
    installed
}

/// Sets `path`'s permission bits.
pub fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Parses JSON Lines output into records.
pub fn records(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON record per line"))
        .collect()
}

/// The Python 3 interpreter that `python3` on `PATH` runs (resolved past wrappers such as
/// pyenv's shims, so that starting a plugin costs only Python's own start). Fails the test,
/// saying what to install, when there is none: the tests of Python plugins never pass
/// silently.
pub fn python() -> PathBuf {
    let found = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output();
    match found {
        Ok(output) if output.status.success() => {
            PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
        }
        _ => panic!(
            "this test runs Python plugins and needs Python 3 as `python3` on PATH (3.8 or later, standard library only): install it, e.g. `apt-get install python3` or `dnf install python3`"
        ),
    }
}
