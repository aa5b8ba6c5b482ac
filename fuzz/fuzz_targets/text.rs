//! Fuzz target `text`: see `docnorm_fuzz::text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docnorm_fuzz::text(data));
