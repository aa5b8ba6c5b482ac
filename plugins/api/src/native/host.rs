//! The host side of the ABI: checks a library's table, reads its manifest, makes an instance
//! and calls it as a [`Plugin`].
//!
//! The daemon finds the table in a library it loaded; [`crate::testing`] takes it straight from
//! [`export::table`](super::export::table). Both go through the code here, so a plugin tested
//! with the test helper behaves as it does when loaded.
// Calling the table's functions is calling foreign code; each `unsafe` block states what the
// contract of `open` guarantees.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::sync::Mutex;

use serde_json::{Map, Value};

use super::NativeManifest;
use super::abi::{ABI_MAJOR, ABI_MINOR, Buffer, DocumentV1, Header, PluginV1, Slice, status};
use crate::document::Document;
use crate::error::PluginError;
use crate::plugin::{Manifest, Outcome, Plugin};

/// Why a native plugin could not be opened or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NativeError {
    /// The entry point returned a null table.
    #[error("the entry point returned no table")]
    NullTable,
    /// The library was built for another major version of the ABI.
    #[error(
        "built for plugin ABI {major}.{minor}, this docnorm speaks ABI {ABI_MAJOR}.{ABI_MINOR}: rebuild the plugin against a matching docnorm-plugin-api"
    )]
    Abi {
        /// The library's ABI major version.
        major: u32,
        /// The library's ABI minor version.
        minor: u32,
    },
    /// The table is smaller than version 1.0 of it.
    #[error("function table is {size} bytes, smaller than the {expected} of ABI 1.0")]
    TableTooSmall {
        /// The size the table declares.
        size: usize,
        /// The size of the version 1.0 table.
        expected: usize,
    },
    /// A function of the table is null.
    #[error("function table has no `{0}` function")]
    MissingFunction(&'static str),
    /// The manifest could not be read or is inconsistent.
    #[error("bad manifest: {0}")]
    Manifest(String),
    /// `init` refused the options.
    #[error("init failed: {0}")]
    Init(String),
}

/// The function pointers of a checked table.
#[derive(Debug, Clone, Copy)]
struct Table {
    init: unsafe extern "C" fn(Slice, *mut *mut c_void, *mut Buffer) -> i32,
    process: unsafe extern "C" fn(*const c_void, *const DocumentV1, Slice, *mut Buffer) -> i32,
    free: unsafe extern "C" fn(Buffer),
    drop: unsafe extern "C" fn(*mut c_void),
}

impl Table {
    /// Calls `f` with an empty out-buffer and returns its status with the buffer's bytes,
    /// handing the buffer back to the plugin.
    fn call(self, f: impl FnOnce(*mut Buffer) -> i32) -> (i32, Vec<u8>) {
        let mut out = Buffer::EMPTY;
        let code = f(&raw mut out);
        (code, self.take(out))
    }

    /// Copies a plugin-allocated buffer and frees it.
    fn take(self, buffer: Buffer) -> Vec<u8> {
        if buffer.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: a non-null buffer from the plugin holds `len` initialised bytes until freed.
        let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec();
        // SAFETY: the buffer came from this plugin and is handed back exactly once.
        unsafe { (self.free)(buffer) };
        bytes
    }
}

/// A library's table whose version was accepted and whose manifest was read, before `init`.
#[derive(Debug)]
pub struct OpenTable {
    table: Table,
    manifest: NativeManifest,
    minor: u32,
}

/// Checks the table at `table` and reads the plugin's manifest.
///
/// Only the table's [`Header`] is read before the major version is checked, so a library of
/// another major version has none of its functions called. The manifest comes next, before any
/// other function of the plugin.
///
/// # Safety
/// `table` must be null or point to a table, starting with a [`Header`], that stays valid for
/// the rest of the program (the library is never unloaded); when its header says ABI 1.x, the
/// table and its functions must follow [`PluginV1`].
pub unsafe fn open(table: *const PluginV1) -> Result<OpenTable, NativeError> {
    if table.is_null() {
        return Err(NativeError::NullTable);
    }
    // SAFETY: every major version's table starts with a `Header` (contract of `open`).
    let header = unsafe { table.cast::<Header>().read() };
    if header.abi_major != ABI_MAJOR {
        return Err(NativeError::Abi {
            major: header.abi_major,
            minor: header.abi_minor,
        });
    }
    let expected = size_of::<PluginV1>();
    if header.size < expected {
        return Err(NativeError::TableTooSmall {
            size: header.size,
            expected,
        });
    }
    // SAFETY: an ABI 1.x table is at least a `PluginV1` (size checked above); later minor
    // versions only add fields after it.
    let raw = unsafe { table.read() };
    let manifest_fn = raw
        .manifest
        .ok_or(NativeError::MissingFunction("manifest"))?;
    let table = Table {
        init: raw.init.ok_or(NativeError::MissingFunction("init"))?,
        process: raw.process.ok_or(NativeError::MissingFunction("process"))?,
        free: raw.free.ok_or(NativeError::MissingFunction("free"))?,
        drop: raw.drop.ok_or(NativeError::MissingFunction("drop"))?,
    };
    // SAFETY: `manifest` follows the ABI: it writes a buffer into the out-parameter.
    let (code, json) = table.call(|out| unsafe { manifest_fn(out) });
    if code != status::OK {
        return Err(NativeError::Manifest(message(code, &json)));
    }
    let manifest: NativeManifest =
        serde_json::from_slice(&json).map_err(|e| NativeError::Manifest(e.to_string()))?;
    if manifest.abi != ABI_MAJOR {
        return Err(NativeError::Manifest(format!(
            "declares ABI {} in a version {} table",
            manifest.abi, header.abi_major
        )));
    }
    if manifest.name.is_empty() {
        return Err(NativeError::Manifest("empty plugin name".to_owned()));
    }
    Ok(OpenTable {
        table,
        manifest,
        minor: header.abi_minor,
    })
}

impl OpenTable {
    /// What the plugin declares.
    pub fn manifest(&self) -> &NativeManifest {
        &self.manifest
    }

    /// The ABI minor version the library was built for.
    pub fn abi_minor(&self) -> u32 {
        self.minor
    }

    /// Makes an instance from the plugin's `options`; `name` is the plugin's name in the chain
    /// (its config name), used in provenance and errors.
    pub fn init(self, name: &str, options: &Value) -> Result<NativeInstance, NativeError> {
        let json = serde_json::to_vec(options).map_err(|e| NativeError::Init(e.to_string()))?;
        let mut instance: *mut c_void = std::ptr::null_mut();
        let init = self.table.init;
        // SAFETY: `init` follows the ABI; the options are lent for the call and `instance`
        // is a valid out-parameter.
        let (code, error) = self
            .table
            .call(|out| unsafe { init(Slice::of(&json), &raw mut instance, out) });
        if code != status::OK {
            return Err(NativeError::Init(message(code, &error)));
        }
        if instance.is_null() {
            return Err(NativeError::Init("init returned no instance".to_owned()));
        }
        let lock = (!self.manifest.thread_safe).then(|| Mutex::new(()));
        Ok(NativeInstance {
            chain_manifest: self.manifest.to_manifest(name),
            table: self.table,
            manifest: self.manifest,
            minor: self.minor,
            instance: Handle(instance),
            lock,
        })
    }
}

/// The plugin's opaque instance handle.
#[derive(Debug)]
struct Handle(*mut c_void);

// SAFETY: the handle is only passed back to the plugin's own functions. The SDK's instances
// are `Send + Sync` (the `Plugin` trait requires it); a plugin declaring `thread_safe: false`
// is only called under `NativeInstance::lock`, one thread at a time.
unsafe impl Send for Handle {}
// SAFETY: as above.
unsafe impl Sync for Handle {}

/// A running native plugin, called through its table like any other [`Plugin`].
#[derive(Debug)]
pub struct NativeInstance {
    table: Table,
    manifest: NativeManifest,
    chain_manifest: Manifest,
    minor: u32,
    instance: Handle,
    /// Held around every `process` call of a plugin that is not thread-safe.
    lock: Option<Mutex<()>>,
}

impl NativeInstance {
    /// What the plugin declares about itself.
    pub fn declared(&self) -> &NativeManifest {
        &self.manifest
    }

    /// The ABI minor version the library was built for.
    pub fn abi_minor(&self) -> u32 {
        self.minor
    }

    fn call_process(&self, doc: &Document<'_>, fields: &[u8]) -> (i32, Vec<u8>) {
        let source = serde_json::to_vec(doc.source).unwrap_or_default();
        let format = doc.format.as_str();
        let document = DocumentV1 {
            size: size_of::<DocumentV1>(),
            path: Slice::of(doc.path.as_bytes()),
            bytes: Slice::of(doc.text.map_or(doc.bytes, str::as_bytes)),
            is_text: u32::from(doc.text.is_some()),
            format: Slice::of(format.as_bytes()),
            source: Slice::of(&source),
        };
        let process = self.table.process;
        let instance = self.instance.0.cast_const();
        // SAFETY: `process` follows the ABI; the instance is alive (dropped only in `Drop`),
        // the document and fields are lent for the call, and `out` is a valid out-parameter.
        let call = |out| unsafe { process(instance, &raw const document, Slice::of(fields), out) };
        match &self.lock {
            Some(lock) => {
                let _serial = lock
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                self.table.call(call)
            }
            None => self.table.call(call),
        }
    }
}

impl Plugin for NativeInstance {
    fn manifest(&self) -> &Manifest {
        &self.chain_manifest
    }

    fn process(
        &self,
        doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let fields = serde_json::to_vec(fields).map_err(|e| PluginError::Other(e.to_string()))?;
        let (code, bytes) = self.call_process(doc, &fields);
        match code {
            status::OK => match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(patch)) => Ok(Outcome::Patch(patch)),
                Ok(_) => Err(PluginError::Other("patch is not a JSON object".to_owned())),
                Err(e) => Err(PluginError::Other(format!("patch is not JSON: {e}"))),
            },
            status::DECLINE => Ok(Outcome::Decline),
            status::INVALID => Err(PluginError::Invalid(text(&bytes))),
            status::LIMIT => Err(PluginError::Limit(text(&bytes))),
            code => Err(PluginError::Other(message(code, &bytes))),
        }
    }
}

impl Drop for NativeInstance {
    fn drop(&mut self) {
        let drop_fn = self.table.drop;
        // SAFETY: the handle came from this table's `init` and is dropped once, here; the
        // library stays loaded.
        unsafe { drop_fn(self.instance.0) };
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The message of a failed call, as the user sees it after the plugin's name.
fn message(code: i32, bytes: &[u8]) -> String {
    match code {
        status::PANIC => format!("panicked: {}", text(bytes)),
        status::ERROR | status::INVALID | status::LIMIT => text(bytes),
        other => format!("unknown status {other}: {}", text(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use crate::Field;

    use super::*;
    use crate::native::NativePlugin;
    use crate::testing::Harness;

    fn header(size: usize, abi_major: u32) -> PluginV1 {
        PluginV1 {
            header: Header {
                size,
                abi_major,
                abi_minor: 0,
            },
            manifest: None,
            init: None,
            process: None,
            free: None,
            drop: None,
        }
    }

    #[test]
    fn another_major_version_is_refused_from_the_header_alone() {
        // No function at all: reaching any of them would fail differently.
        let table = Box::leak(Box::new(header(size_of::<PluginV1>(), 2)));
        // SAFETY: the table is leaked, so valid forever; only its header is read.
        let err = unsafe { open(table) }.unwrap_err();
        assert_eq!(
            err.to_string(),
            "built for plugin ABI 2.0, this docnorm speaks ABI 1.0: rebuild the plugin against a matching docnorm-plugin-api"
        );
    }

    #[test]
    fn a_table_smaller_than_version_one_is_refused() {
        let table = Box::leak(Box::new(header(16, ABI_MAJOR)));
        // SAFETY: as above.
        let err = unsafe { open(table) }.unwrap_err();
        assert!(
            matches!(err, NativeError::TableTooSmall { size: 16, .. }),
            "{err}"
        );
    }

    /// A plugin whose behaviour is chosen by its options.
    struct Moody {
        manifest: Manifest,
        mood: String,
        active: AtomicUsize,
        most_active: AtomicUsize,
    }

    impl NativePlugin for Moody {
        const THREAD_SAFE: bool = false;

        fn declare() -> Manifest {
            Manifest::new("moody", "1.2.3", &[Field::Title], &[Field::Title])
        }

        fn new(options: Value) -> Result<Self, String> {
            let mood = options["mood"].as_str().ok_or("no mood")?.to_owned();
            Ok(Self {
                manifest: Self::declare(),
                mood,
                active: AtomicUsize::new(0),
                most_active: AtomicUsize::new(0),
            })
        }
    }

    impl Plugin for Moody {
        fn manifest(&self) -> &Manifest {
            &self.manifest
        }

        fn process(
            &self,
            _: &Document<'_>,
            fields: &Map<String, Value>,
        ) -> Result<Outcome, PluginError> {
            let now = self.active.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_active.fetch_max(now, Ordering::SeqCst);
            for _ in 0..100 {
                std::thread::yield_now();
            }
            self.active.fetch_sub(1, Ordering::SeqCst);
            match self.mood.as_str() {
                "panic" => panic!("moody panicked"),
                "invalid" => Err(PluginError::Invalid("broken input".to_owned())),
                "limit" => Err(PluginError::Limit("too big".to_owned())),
                "decline" => Ok(Outcome::Decline),
                _ => Ok(Outcome::patch(
                    json!({ "title": fields.get("title"), "seen": self.most_active.load(Ordering::SeqCst) }),
                )),
            }
        }
    }

    fn moody(mood: &str) -> Harness {
        Harness::new::<Moody>(&json!({ "mood": mood })).unwrap()
    }

    #[test]
    fn errors_and_panics_cross_the_abi_as_plugin_errors() {
        let run = |mood| moody(mood).process_text("x", json!({ "title": "T" }));
        assert_eq!(run("decline").unwrap(), Outcome::Decline);
        assert!(matches!(run("invalid"), Err(PluginError::Invalid(m)) if m == "broken input"));
        assert!(matches!(run("limit"), Err(PluginError::Limit(m)) if m == "too big"));
        let err = run("panic").unwrap_err().to_string();
        assert!(err.starts_with("panicked: moody panicked (at "), "{err}");
        assert!(err.contains("native/host.rs:"), "{err}");
    }

    #[test]
    fn the_manifest_is_known_before_init_and_init_errors_are_reported() {
        let opened = super::super::export::open_in_process::<Moody>().unwrap();
        assert_eq!(opened.manifest().version, "1.2.3");
        assert!(!opened.manifest().thread_safe);
        let err = opened.init("moody", &json!({})).unwrap_err();
        assert_eq!(err.to_string(), "init failed: no mood");
    }

    #[test]
    fn only_declared_reads_are_passed_and_the_patch_comes_back() {
        let outcome = moody("happy")
            .process_text("x", json!({ "title": "T", "body": "secret" }))
            .unwrap();
        let Outcome::Patch(patch) = outcome else {
            panic!("declined")
        };
        assert_eq!(patch["title"], "T");
    }

    #[test]
    fn a_plugin_that_is_not_thread_safe_is_called_one_document_at_a_time() {
        let plugin = moody("happy").into_plugin();
        let fields: Map<String, Value> = Map::new();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..25 {
                        plugin
                            .process(&Document::for_text("a", "x"), &fields)
                            .unwrap();
                    }
                });
            }
        });
        let outcome = plugin
            .process(&Document::for_text("a", "x"), &fields)
            .unwrap();
        assert_eq!(outcome, Outcome::patch(json!({ "title": null, "seen": 1 })));
    }
}
