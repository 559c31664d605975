//! The fuzz targets on stable Rust: every seed of `corpus/<target>/` and a fixed number
//! of deterministic mutants of them go through the same functions the libFuzzer
//! binaries call. This is not fuzzing (there is no coverage feedback), but it compiles
//! and exercises every target on each `cargo xtask test`, so none can rot, and its
//! inputs are the same on every run, so a failure here always reproduces.
//!
//! A failing input is written to `artifacts/<target>/`, where `cargo fuzz run
//! <target> <file>` replays it.

mod mutate;

use mutate::{Mutator, Rng};
use sockscope_fuzz::{Target, TARGETS};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Mutants per target; `SOCKSCOPE_FUZZ_MUTANTS` overrides it for a deeper search.
const MUTANTS: usize = 2_000;

#[test]
fn parse_takes_its_seeds_and_mutants() {
    feed("parse");
}

#[test]
fn engine_calls_takes_its_seeds_and_mutants() {
    feed("engine_calls");
}

#[test]
fn run_scenario_takes_its_seeds_and_mutants() {
    feed("run_scenario");
}

/// A target added to `fuzz_targets/` without an entry in `TARGETS` (or the reverse)
/// would silently escape this test; so would a target without seeds.
#[test]
fn every_binary_is_a_target_with_seeds_and_a_test() {
    let mut bins: Vec<String> = std::fs::read_dir(dir("fuzz_targets"))
        .expect("fuzz_targets/ lists")
        .map(|entry| entry.expect("an entry").path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    bins.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(
        bins, names,
        "fuzz_targets/*.rs and sockscope_fuzz::TARGETS differ"
    );
    let this = std::fs::read_to_string(file!()).expect("this test's source");
    for name in &names {
        assert!(!seeds(name).is_empty(), "corpus/{name}/ has no seeds");
        assert!(
            this.contains(&format!("feed(\"{name}\")")),
            "tests/corpus.rs has no test that feeds {name}"
        );
    }
}

/// Runs every seed, then the mutants, through the named target; prints the count on a
/// line that `cargo xtask test` sums into its summary.
fn feed(name: &str) {
    let (_, target) = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a known target");
    let seeds = seeds(name);
    for (file, input) in &seeds {
        check(name, *target, &format!("seed {}", file.display()), input);
    }
    let inputs: Vec<&[u8]> = seeds.iter().map(|(_, input)| input.as_slice()).collect();
    let mut mutator = Mutator::new(&inputs, Rng::new(mutate::fnv1a(name.as_bytes())));
    let mutants = mutants();
    for i in 0..mutants {
        let input = mutator.next_input();
        check(name, *target, &format!("mutant {i}"), &input);
    }
    println!("fuzz inputs fed: {name} {}", seeds.len() + mutants);
}

/// Runs one input; on a panic, saves the input and fails with where it went.
fn check(name: &str, target: Target, origin: &str, input: &[u8]) {
    if catch_unwind(AssertUnwindSafe(|| target(input))).is_ok() {
        return;
    }
    let saved = save_artifact(name, input);
    panic!(
        "{name} failed on {origin} (the panic is printed above); the input is in {}: \
         `cargo +nightly fuzz run {name} {}` replays it",
        saved.display(),
        saved.display()
    );
}

fn save_artifact(name: &str, input: &[u8]) -> PathBuf {
    let dir = dir("artifacts").join(name);
    let path = dir.join(format!("stable-crash-{:016x}", mutate::fnv1a(input)));
    std::fs::create_dir_all(&dir).expect("artifacts/ is writable");
    std::fs::write(&path, input).expect("artifacts/ is writable");
    path
}

/// The seed files of a target, sorted by name so the mutants never change.
fn seeds(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir("corpus").join(name)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("an entry").path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let input = std::fs::read(&file).expect("a seed reads");
            (file, input)
        })
        .collect()
}

fn mutants() -> usize {
    match std::env::var("SOCKSCOPE_FUZZ_MUTANTS") {
        Ok(n) => n.parse().expect("SOCKSCOPE_FUZZ_MUTANTS is a number"),
        Err(_) => MUTANTS,
    }
}

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}
