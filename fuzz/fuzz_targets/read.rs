//! Fuzz target `read`: see `docnorm_fuzz::read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docnorm_fuzz::read(data));
