//! The bodies of sockscope's fuzz targets, as plain functions.
//!
//! Each `fuzz_targets/*.rs` binary is one line that hands libFuzzer's input to a
//! function here, and `tests/corpus.rs` feeds the seed corpus and deterministic
//! mutants through the very same functions on stable Rust. So the targets are
//! compiled and exercised by every `cargo xtask test`, and cannot rot unnoticed
//! while nobody runs the fuzzer. A function panics when its property fails; that
//! panic is what libFuzzer (or the stable test) reports as a crash.

mod engine_calls;
mod parse;
mod run_scenario;

pub use engine_calls::engine_calls;
pub use parse::parse;
pub use run_scenario::run_scenario;

/// A target's body: panics when its property fails on the input.
pub type Target = fn(&[u8]);

/// Every target by name: the name is its binary in `fuzz_targets/` and its seed
/// directory in `corpus/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("parse", parse),
    ("engine_calls", engine_calls),
    ("run_scenario", run_scenario),
];
