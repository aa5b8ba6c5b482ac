//! Benchmark of native plugin calls (being written).

fn main() {}
