//! Fuzz target `html`: see `docnorm_fuzz::html`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docnorm_fuzz::html(data));
