//! The plugin side of the ABI: the `extern "C"` functions that [`export_plugin!`] puts into a
//! library's table, generic over the author's [`NativePlugin`].
//!
//! Each function turns the C arguments back into Rust values, calls the safe trait, and turns
//! the answer into a status code and a buffer allocated here and freed by [`free`]. A panic is
//! caught in every one of them and reported as [`status::PANIC`].
//!
//! [`export_plugin!`]: crate::export_plugin
// The ABI is raw pointers from the host; each `unsafe` block states what the host guarantees.
#![allow(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use serde_json::{Map, Value};

use super::abi::{ABI_MAJOR, ABI_MINOR, Buffer, DocumentV1, Header, PluginV1, Slice, status};
use super::{NativeError, NativeManifest, NativePlugin, OpenTable};
use crate::document::Document;
use crate::error::PluginError;
use crate::error::panic_message;
use crate::format::Format;
use crate::plugin::Outcome;
use crate::record::Source;

/// Exports a [`NativePlugin`](super::NativePlugin) from a `cdylib`: generates the `docnorm_plugin_v1` entry point,
/// its static function table, the manifest, the panic guards and `free`.
///
/// ```ignore
/// docnorm_plugin_api::export_plugin!(MyPlugin);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        /// The docnorm plugin ABI v1 entry point.
        // `no_mangle` is the one unsafe attribute of the ABI: the symbol is what the host looks up.
        #[allow(unsafe_code)]
        #[unsafe(no_mangle)]
        pub extern "C" fn docnorm_plugin_v1() -> *const $crate::native::abi::PluginV1 {
            static TABLE: $crate::native::abi::PluginV1 =
                $crate::native::export::table::<$plugin>();
            &raw const TABLE
        }
    };
}

/// The table of plugin type `T`, for a `static` in the library.
pub const fn table<T: NativePlugin>() -> PluginV1 {
    PluginV1 {
        header: Header {
            size: size_of::<PluginV1>(),
            abi_major: ABI_MAJOR,
            abi_minor: ABI_MINOR,
        },
        manifest: Some(manifest::<T>),
        init: Some(init::<T>),
        process: Some(process::<T>),
        free: Some(free),
        drop: Some(drop_instance::<T>),
    }
}

/// Opens plugin type `T` through its table without loading a library, for [`crate::testing`].
pub(crate) fn open_in_process<T: NativePlugin>() -> Result<OpenTable, NativeError> {
    let table: &'static PluginV1 = Box::leak(Box::new(table::<T>()));
    // SAFETY: the table was just built by `table::<T>` and leaked, so it is valid for the rest
    // of the program and its functions follow the ABI by construction.
    unsafe { super::open(table) }
}

/// A status code and the bytes to hand back with it.
type Reply = (i32, Vec<u8>);

fn failure(code: i32, message: impl Into<String>) -> Reply {
    (code, message.into().into_bytes())
}

thread_local! {
    /// Set while an export runs: its panics are reported to the host, not printed.
    static IN_EXPORT: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic inside an export happened.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into its message and location. The panic is not printed: the
/// host logs it as the document's error, in its own log format.
fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_EXPORT.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                PANIC_AT.with(|slot| *slot.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
    let outer = IN_EXPORT.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_EXPORT.with(|flag| flag.set(outer));
    result.map_err(|panic| {
        let message = panic_message(panic.as_ref());
        match PANIC_AT.with(|slot| slot.borrow_mut().take()) {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// Runs `f` with panics caught and stores its bytes in `out`.
fn guarded(out: *mut Buffer, f: impl FnOnce() -> Reply) -> i32 {
    let (code, bytes) = catch(f).unwrap_or_else(|message| failure(status::PANIC, message));
    if out.is_null() {
        return code;
    }
    let buffer = if bytes.is_empty() {
        Buffer::EMPTY
    } else {
        let len = bytes.len();
        let ptr = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>();
        Buffer { ptr, len }
    };
    // SAFETY: the host passes a valid, writable `Buffer` out-parameter (checked non-null above).
    unsafe { out.write(buffer) };
    code
}

/// The bytes of a slice the host lent for this call.
///
/// # Safety
/// `slice` must point to `len` readable bytes (or be null with `len` 0) for the call.
unsafe fn bytes<'a>(slice: Slice) -> &'a [u8] {
    if slice.ptr.is_null() || slice.len == 0 {
        return &[];
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr` for the call's duration.
    unsafe { std::slice::from_raw_parts(slice.ptr, slice.len) }
}

unsafe extern "C" fn manifest<T: NativePlugin>(out: *mut Buffer) -> i32 {
    guarded(out, || {
        match serde_json::to_vec(&NativeManifest::of::<T>()) {
            Ok(json) => (status::OK, json),
            Err(e) => failure(status::ERROR, format!("cannot encode manifest: {e}")),
        }
    })
}

unsafe extern "C" fn init<T: NativePlugin>(
    options: Slice,
    instance: *mut *mut c_void,
    error: *mut Buffer,
) -> i32 {
    guarded(error, || {
        if instance.is_null() {
            return failure(status::ERROR, "null instance out-parameter");
        }
        // SAFETY: the host lends the options JSON for the duration of this call.
        let json = unsafe { bytes(options) };
        let options = if json.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(json) {
                Ok(value) => value,
                Err(e) => return failure(status::ERROR, format!("options are not JSON: {e}")),
            }
        };
        let plugin = match T::new(options) {
            Ok(plugin) => plugin,
            Err(message) => return failure(status::ERROR, message),
        };
        if plugin.manifest() != &T::declare() {
            return failure(
                status::ERROR,
                "the instance's manifest() differs from declare()",
            );
        }
        let handle = Box::into_raw(Box::new(plugin)).cast::<c_void>();
        // SAFETY: `instance` is a valid out-parameter (checked non-null above).
        unsafe { instance.write(handle) };
        (status::OK, Vec::new())
    })
}

unsafe extern "C" fn process<T: NativePlugin>(
    instance: *const c_void,
    document: *const DocumentV1,
    fields: Slice,
    out: *mut Buffer,
) -> i32 {
    guarded(out, || {
        if instance.is_null() || document.is_null() {
            return failure(status::ERROR, "null instance or document");
        }
        // SAFETY: `instance` came from `init::<T>` (a `Box<T>`) and is not yet dropped; the
        // host only shares it, so a shared reference is sound.
        let plugin = unsafe { &*instance.cast::<T>() };
        // SAFETY: the host lends the document and the slices it points to for this call.
        let (doc, fields) = unsafe { (*document, bytes(fields)) };
        // SAFETY: as above, every slice of `doc` is lent for this call.
        let parts = unsafe { DocumentParts::read(&doc) };
        let parts = match parts {
            Ok(parts) => parts,
            Err(message) => return failure(status::ERROR, message),
        };
        let fields: Map<String, Value> = match serde_json::from_slice(fields) {
            Ok(fields) => fields,
            Err(e) => return failure(status::ERROR, format!("fields are not a JSON object: {e}")),
        };
        let document = Document {
            path: parts.path,
            bytes: parts.bytes,
            text: parts.text,
            format: parts.format,
            source: &parts.source,
        };
        match plugin.process(&document, &fields) {
            Ok(Outcome::Decline) => (status::DECLINE, Vec::new()),
            Ok(Outcome::Patch(patch)) => match serde_json::to_vec(&patch) {
                Ok(json) => (status::OK, json),
                Err(e) => failure(status::ERROR, format!("cannot encode patch: {e}")),
            },
            Err(PluginError::Invalid(message)) => failure(status::INVALID, message),
            Err(PluginError::Limit(message)) => failure(status::LIMIT, message),
            Err(PluginError::Other(message) | PluginError::Crashed(message)) => {
                failure(status::ERROR, message)
            }
        }
    })
}

/// A [`DocumentV1`] turned back into Rust values.
struct DocumentParts<'a> {
    path: &'a str,
    bytes: &'a [u8],
    text: Option<&'a str>,
    format: Format,
    source: Source,
}

impl DocumentParts<'_> {
    /// # Safety
    /// Every slice of `doc` must be lent for the returned value's lifetime.
    unsafe fn read(doc: &DocumentV1) -> Result<Self, String> {
        if doc.size < size_of::<DocumentV1>() {
            return Err(format!("document struct too small ({} bytes)", doc.size));
        }
        // SAFETY: the caller guarantees the slices are lent for as long as the result lives.
        let (path, content, format, source) = unsafe {
            (
                bytes(doc.path),
                bytes(doc.bytes),
                bytes(doc.format),
                bytes(doc.source),
            )
        };
        let path = std::str::from_utf8(path).map_err(|e| format!("path is not UTF-8: {e}"))?;
        let text = if doc.is_text == 0 {
            None
        } else {
            Some(std::str::from_utf8(content).map_err(|e| format!("text is not UTF-8: {e}"))?)
        };
        let format = std::str::from_utf8(format).map_err(|e| e.to_string())?;
        let format: Format = serde_json::from_value(Value::String(format.to_owned()))
            .map_err(|e| format!("unknown format: {e}"))?;
        let source = decode_source(source)?;
        Ok(Self {
            path,
            bytes: content,
            text,
            format,
            source,
        })
    }
}

/// The record's `source` from its JSON (see [`Source::lenient`]).
fn decode_source(json: &[u8]) -> Result<Source, String> {
    let value = serde_json::from_slice(json).map_err(|e| format!("source is not valid: {e}"))?;
    Source::lenient(value)
}

unsafe extern "C" fn free(buffer: Buffer) {
    if buffer.ptr.is_null() {
        return;
    }
    let _ = catch(|| {
        let slice = std::ptr::slice_from_raw_parts_mut(buffer.ptr, buffer.len);
        // SAFETY: non-null buffers are only made by `guarded`, from a `Box<[u8]>` of exactly
        // `len` bytes, and the host hands each back once.
        drop(unsafe { Box::from_raw(slice) });
    });
}

unsafe extern "C" fn drop_instance<T: NativePlugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    let _ = catch(|| {
        // SAFETY: `instance` came from `init::<T>` (a `Box<T>`) and the host drops it once,
        // after its last `process` call.
        drop(unsafe { Box::from_raw(instance.cast::<T>()) });
    });
}
