//! Where things are: the workspace root, the shared data beside it, cargo's target folder,
//! and the `cargo` that runs the xtask. Every task uses these; they use nothing of ours.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the xtask lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The shared folder beside the checkout: seeds, checker, benchmark data.
pub fn shared() -> PathBuf {
    root().join("../shared")
}

/// cargo's target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// The `cargo` that runs us.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}
