//! A test-only library posing as a plugin built for a future major version of the plugin ABI.
//!
//! Its table says ABI 2.0 and every function in it aborts the process, so a host that calls
//! anything beyond reading the table's header dies instead of refusing it cleanly.
// Hand-writing an ABI table takes `no_mangle` and `unsafe extern` signatures.
#![allow(unsafe_code)]

use std::ffi::c_void;

use docnorm_plugin_api::native::abi::{Buffer, DocumentV1, Header, PluginV1, Slice};

static TABLE: PluginV1 = PluginV1 {
    header: Header {
        size: size_of::<PluginV1>(),
        abi_major: 2,
        abi_minor: 0,
    },
    manifest: Some(manifest),
    init: Some(init),
    process: Some(process),
    free: Some(free),
    drop: Some(drop_instance),
};

/// The v1 entry point, returning a table that declares ABI 2.
#[unsafe(no_mangle)]
pub extern "C" fn docnorm_plugin_v1() -> *const PluginV1 {
    &raw const TABLE
}

unsafe extern "C" fn manifest(_: *mut Buffer) -> i32 {
    std::process::abort()
}

unsafe extern "C" fn init(_: Slice, _: *mut *mut c_void, _: *mut Buffer) -> i32 {
    std::process::abort()
}

unsafe extern "C" fn process(
    _: *const c_void,
    _: *const DocumentV1,
    _: Slice,
    _: *mut Buffer,
) -> i32 {
    std::process::abort()
}

unsafe extern "C" fn free(_: Buffer) {
    std::process::abort()
}

unsafe extern "C" fn drop_instance(_: *mut c_void) {
    std::process::abort()
}
