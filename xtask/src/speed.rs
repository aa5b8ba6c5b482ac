//! Speed per plugin: the criterion benches of `daemon/benches/pipeline.rs`, pinned to one
//! core, read back from criterion's estimates.

use serde::Serialize;

/// Documents per second of one bench (one stage over one input set).
#[derive(Debug, Clone, Serialize)]
pub struct PluginSpeed {
    /// The stage: `read`, a plugin's name, or `chain`.
    pub stage: String,
    /// The input set: `seeds`, `html`, `frontmatter`.
    pub input: String,
    /// Documents per second on one core.
    pub docs_per_second: f64,
}

/// Runs the benches and collects their throughput.
pub fn measure(_quick: bool) -> anyhow::Result<Vec<PluginSpeed>> {
    anyhow::bail!("the criterion benches are not wired in yet")
}
