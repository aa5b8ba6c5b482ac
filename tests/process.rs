//! End-to-end tests of `docnorm process`: the real binary over real files.

mod util;
