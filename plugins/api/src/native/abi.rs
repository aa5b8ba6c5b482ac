//! The native plugin ABI, version 1: the C-compatible types that cross between the docnorm
//! host and a plugin library.
//!
//! Only C types cross: byte pointers with lengths, integer status codes and sizes. Every struct
//! is `#[repr(C)]` and starts with its own size, so a minor version can grow it at the end and
//! both sides can tell how much of it the other one knows.

use std::ffi::{CStr, c_void};

/// The major version of the ABI this crate speaks. A library built for another major version
/// is refused before any of its functions is called.
pub const ABI_MAJOR: u32 = 1;

/// The minor version of the ABI this crate speaks. Minor versions only add fields at the end of
/// the structs, so a host accepts a library of any minor version of its major version.
pub const ABI_MINOR: u32 = 0;

/// The name of the one symbol a version-1 plugin library exports.
pub const ENTRY_POINT: &CStr = c"docnorm_plugin_v1";

/// The type of [`ENTRY_POINT`]: returns a pointer to a table that lives as long as the library.
pub type EntryPoint = unsafe extern "C" fn() -> *const PluginV1;

/// Integer status codes returned by the table's functions.
pub mod status {
    /// Success: `init` made an instance, `manifest` wrote the manifest, `process` wrote a patch.
    pub const OK: i32 = 0;
    /// `process` only: the document is not the plugin's kind; nothing was written.
    pub const DECLINE: i32 = 1;
    /// Failure; the output buffer holds a UTF-8 message.
    pub const ERROR: i32 = 2;
    /// The document is of the plugin's kind but broken; the buffer holds a UTF-8 message.
    pub const INVALID: i32 = 3;
    /// The document exceeds a limit the plugin enforces; the buffer holds a UTF-8 message.
    pub const LIMIT: i32 = 4;
    /// The plugin panicked and caught it; the buffer holds the panic message.
    pub const PANIC: i32 = 5;
}

/// The first fields of every table of every major version: read alone, before anything else.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `size_of` the whole table as the library was built; a later minor version is larger.
    pub size: usize,
    /// The ABI major version the library was built for.
    pub abi_major: u32,
    /// The ABI minor version the library was built for.
    pub abi_minor: u32,
}

/// Bytes lent by the caller for the duration of one call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Slice {
    /// The first byte; may be null when `len` is 0.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl Slice {
    /// Lends `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }
}

/// Bytes allocated by the plugin and handed to the host, which gives them back through the
/// table's `free` once it has read them.
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    /// The first byte, or null for an empty buffer.
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl Buffer {
    /// An empty buffer, for the host to pass as an out-parameter.
    pub const EMPTY: Self = Self {
        ptr: std::ptr::null_mut(),
        len: 0,
    };
}

/// One document, lent to `process` for the duration of the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DocumentV1 {
    /// `size_of::<DocumentV1>()` as the host was built; a later minor version is larger.
    pub size: usize,
    /// The path the document was read from, UTF-8.
    pub path: Slice,
    /// The content: decoded UTF-8 text when `is_text` is 1, raw bytes otherwise.
    pub bytes: Slice,
    /// 1 when `bytes` is decoded UTF-8 text, 0 otherwise.
    pub is_text: u32,
    /// What the content was sniffed as (`text`, `html`, `binary`, ...), UTF-8.
    pub format: Slice,
    /// The record's `source` object as JSON.
    pub source: Slice,
}

/// The function table a version-1 library's [`ENTRY_POINT`] returns.
///
/// Every function pointer is optional only so that the host can refuse a null one instead of
/// calling it; the SDK fills them all.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PluginV1 {
    /// Size and version, read before anything else.
    pub header: Header,
    /// Writes the manifest as a JSON object into `out`. The host calls it before `init`.
    pub manifest: Option<unsafe extern "C" fn(out: *mut Buffer) -> i32>,
    /// Makes an instance from the plugin's options (JSON) and stores its handle in `instance`;
    /// on failure writes a message into `error`.
    pub init: Option<
        unsafe extern "C" fn(options: Slice, instance: *mut *mut c_void, error: *mut Buffer) -> i32,
    >,
    /// Processes one document. `fields` is a JSON object holding the declared reads. On
    /// [`status::OK`] `out` holds a JSON merge patch; on [`status::DECLINE`] nothing; otherwise
    /// a message.
    pub process: Option<
        unsafe extern "C" fn(
            instance: *const c_void,
            document: *const DocumentV1,
            fields: Slice,
            out: *mut Buffer,
        ) -> i32,
    >,
    /// Frees a buffer the plugin allocated.
    pub free: Option<unsafe extern "C" fn(buffer: Buffer)>,
    /// Drops an instance made by `init`.
    pub drop: Option<unsafe extern "C" fn(instance: *mut c_void)>,
}
