//! libFuzzer's entry for `sockscope_fuzz::run_scenario` (what it checks is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sockscope_fuzz::run_scenario(data));
