//! Speed end to end: generated files through the real binary beside a durable-copy
//! baseline.

use std::path::Path;

use serde::Serialize;

/// What the end-to-end run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EndToEnd {
    /// Files generated.
    pub files: usize,
}

/// Generates `files` documents and measures docnorm and the baseline on them.
pub fn measure(_docnorm: &Path, _data: &Path, _files: usize) -> anyhow::Result<EndToEnd> {
    anyhow::bail!("the end-to-end run is not wired in yet")
}

/// Writes the end-to-end table.
pub fn render(e2e: &EndToEnd, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "\n## End to end ({} files)\n", e2e.files)
}
