//! Native plugins: a versioned C ABI between docnorm and a plugin compiled as a `cdylib`, the
//! SDK that exports a [`Plugin`](crate::Plugin) through it, and the host side that calls it.
//!
//! A plugin library exports one symbol per ABI major version, [`abi::ENTRY_POINT`]
//! (`docnorm_plugin_v1`), returning a pointer to a static [`abi::PluginV1`] table. The host
//! reads the table's [`abi::Header`] first and refuses another major version before calling
//! any function of the table; then it asks for the [`NativeManifest`], then calls `init` with
//! the plugin's options, then `process` once per document. Memory is freed by whoever
//! allocated it, every export catches panics, and a loaded library is never unloaded.
//!
//! Plugin authors implement [`NativePlugin`] and call [`export_plugin!`](crate::export_plugin);
//! [`crate::testing`] runs such a plugin through the same table without building a library.

pub mod abi;
#[doc(hidden)]
pub mod export;
mod host;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::field::Field;
use crate::plugin::{Manifest, Plugin};

pub use host::{NativeError, NativeInstance, OpenTable, open};

/// What a native plugin declares about itself, read by the host before any instance exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NativeManifest {
    /// The plugin's own name.
    pub name: String,
    /// The plugin's version, recorded in `provenance.plugins`.
    pub version: String,
    /// The ABI major version the plugin was built for.
    pub abi: u32,
    /// Top-level record fields the plugin is given.
    pub reads: Vec<Field>,
    /// Record fields the plugin may write; the host rejects a patch touching anything else.
    pub writes: Vec<Field>,
    /// Whether the host may call `process` from several threads at once. When false the host
    /// calls it under a lock, one document at a time.
    pub thread_safe: bool,
}

impl NativeManifest {
    /// The manifest of plugin type `T`.
    pub fn of<T: NativePlugin>() -> Self {
        let Manifest {
            name,
            version,
            reads,
            writes,
        } = T::declare();
        Self {
            name,
            version,
            abi: abi::ABI_MAJOR,
            reads,
            writes,
            thread_safe: T::THREAD_SAFE,
        }
    }

    /// The chain's view of this manifest, under the name the config gave the plugin.
    pub fn to_manifest(&self, name: &str) -> Manifest {
        Manifest {
            name: name.to_owned(),
            version: self.version.clone(),
            reads: self.reads.clone(),
            writes: self.writes.clone(),
        }
    }
}

/// A [`Plugin`] that can be exported from a library with [`export_plugin!`](crate::export_plugin).
///
/// The host learns the manifest from [`NativePlugin::declare`] before it makes an instance,
/// then makes one with [`NativePlugin::new`] from the plugin's `options` in the config.
pub trait NativePlugin: Plugin + Sized + 'static {
    /// Whether [`Plugin::process`] may run on several threads at once (the default). Set it to
    /// `false` when the plugin wraps something that is not reentrant; the host then calls it
    /// under a lock.
    const THREAD_SAFE: bool = true;

    /// The plugin's name, version, reads and writes, known before any instance exists.
    /// [`Plugin::manifest`] of every instance must return the same.
    fn declare() -> Manifest;

    /// Makes the plugin from its `options` in the config (`null` when the config gives none).
    /// The error is shown to the user after the plugin's name.
    fn new(options: Value) -> Result<Self, String>;
}
