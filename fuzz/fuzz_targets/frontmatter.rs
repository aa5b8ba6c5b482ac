//! Fuzz target `frontmatter`: see `docnorm_fuzz::frontmatter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docnorm_fuzz::frontmatter(data));
