//! The cargo-fuzz targets of `fuzz/` (see fuzz/README.md), in two sizes: the `fuzz`
//! suite of `cargo xtask test` (the stable corpus test, then every target under
//! libFuzzer for a few seconds), and `cargo xtask fuzz --minutes N` (every target
//! for N minutes). Either way a crash is a failure that names its input file.

use crate::cmd::{self, cargo, describe, Res};
use crate::test;
use crate::tools;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const FUZZ_DIR: &str = "fuzz";
/// libFuzzer's time per target in the test suite: some 10^5 runs each, enough to
/// catch a target that no longer holds up, short enough for every run of the suite.
const SUITE_SECONDS: u64 = 15;
/// `--long` runs this many times longer, and feeds this many mutants per target to
/// the stable test (its default is 2,000).
const LONG_FACTOR: u64 = 4;
const LONG_MUTANTS: &str = "20000";
/// One input running this long is a hang, reported (and saved) like a crash.
const INPUT_TIMEOUT_S: u64 = 10;
/// What `cargo xtask fuzz` grows from the seeds: kept between runs, so that a later
/// run starts where the last one stopped, and outside `fuzz/corpus/`, which stays the
/// small committed seed set.
const GROWN_CORPUS: &str = "target/fuzz/corpus";
/// The test suite's scratch corpus, emptied first: each suite run starts from the
/// seeds alone, so its cost does not creep up as a kept corpus grows.
const SUITE_CORPUS: &str = "target/fuzz/suite-corpus";
/// libFuzzer's full output per target (the console shows it without progress lines).
const LOGS: &str = "target/fuzz/logs";

/// The `fuzz` suite of `cargo xtask test`; both halves always run.
pub fn suite(long: bool) -> Res<String> {
    let stable = stable_test(long);
    let seconds = if long {
        LONG_FACTOR * SUITE_SECONDS
    } else {
        SUITE_SECONDS
    };
    let _ = std::fs::remove_dir_all(SUITE_CORPUS);
    let fuzzed = fuzz_every_target(seconds, SUITE_CORPUS).and_then(|outcomes| {
        let runs: Vec<String> = outcomes.iter().map(Outcome::runs_brief).collect();
        let failures: Vec<String> = outcomes.iter().filter_map(Outcome::failure).collect();
        match failures.is_empty() {
            true => Ok(format!("libFuzzer {seconds} s each: {}", runs.join(", "))),
            false => Err(failures.join("\n")),
        }
    });
    match (stable, fuzzed) {
        (Ok(stable), Ok(fuzzed)) => Ok(format!("{stable}; {fuzzed}")),
        (Err(stable), Err(fuzzed)) => Err(format!("{stable}\n{fuzzed}")),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
    }
}

/// `cargo xtask fuzz --minutes N`; prints one line per target, false if any crashed.
pub fn run(minutes: u64) -> Res<bool> {
    tools::ensure_for_fuzz()?;
    let outcomes = fuzz_every_target(minutes * 60, GROWN_CORPUS)?;
    println!("\n==> fuzz: {minutes} min per target");
    for outcome in &outcomes {
        println!("{}", outcome.line());
    }
    Ok(outcomes.iter().all(|o| o.failure().is_none()))
}

/// The seed corpus and deterministic mutants through the targets' functions on
/// stable Rust, without libFuzzer (see fuzz/tests/corpus.rs).
fn stable_test(long: bool) -> Res<String> {
    let mut test = cargo();
    test.args([
        "test",
        "--manifest-path",
        "fuzz/Cargo.toml",
        "--no-default-features",
    ])
    .args(["--", "--nocapture"]);
    if long {
        test.env("SOCKSCOPE_FUZZ_MUTANTS", LONG_MUTANTS);
    }
    let out = cmd::run_tee(&mut test)?;
    let fed = inputs_fed(&out.stdout);
    let counts = test::counted(out)?;
    if fed.is_empty() {
        return Err("the stable fuzz test fed no inputs".to_owned());
    }
    let total: u64 = fed.iter().map(|(_, n)| n).sum();
    let each: Vec<String> = fed.iter().map(|(t, n)| format!("{t} {n}")).collect();
    Ok(format!(
        "{counts}, {total} inputs fed ({})",
        each.join(", ")
    ))
}

/// The `fuzz inputs fed: <target> <n>` lines the stable test prints.
fn inputs_fed(stdout: &str) -> Vec<(String, u64)> {
    let fed = stdout.lines().filter_map(|line| {
        let rest = line.trim().strip_prefix("fuzz inputs fed: ")?;
        let (target, n) = rest.split_once(' ')?;
        Some((target.to_owned(), n.trim().parse().ok()?))
    });
    fed.collect()
}

/// Builds the libFuzzer binaries (nightly), then runs each in turn for `seconds`,
/// growing its corpus in `<corpus>/<target>`.
fn fuzz_every_target(seconds: u64, corpus: &str) -> Res<Vec<Outcome>> {
    cmd::run(&mut nightly_fuzz("build")).map_err(|e| {
        format!("{e} (cargo fuzz needs the nightly toolchain and cargo-fuzz; the tools step installs both)")
    })?;
    targets()?
        .iter()
        .map(|target| fuzz_one(target, seconds, &Path::new(corpus).join(target)))
        .collect()
}

/// `cargo +nightly fuzz <subcommand>` through rustup's proxy, which cargo-fuzz's own
/// `cargo` calls then also resolve to nightly. Build and run must pass the same flags,
/// or each would rebuild everything. No sanitizer: the engine and the scenario crate
/// have no `unsafe` code for AddressSanitizer to watch, and it would cut the runs per
/// second to a third or less. cargo-fuzz's default debug assertions stay on, so an
/// integer overflow is a crash.
fn nightly_fuzz(subcommand: &str) -> Command {
    let mut fuzz = Command::new("cargo");
    fuzz.args(["+nightly", "fuzz", subcommand, "--sanitizer", "none"]);
    fuzz
}

/// The targets are the binaries in `fuzz/fuzz_targets/`, sorted.
fn targets() -> Res<Vec<String>> {
    let dir = Path::new(FUZZ_DIR).join("fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            Some(name.strip_suffix(".rs")?.to_owned())
        })
        .collect();
    names.sort();
    match names.is_empty() {
        true => Err(format!("no fuzz targets in {}", dir.display())),
        false => Ok(names),
    }
}

/// What one libFuzzer run came to.
struct Outcome {
    target: String,
    seconds: u64,
    /// From `Done N runs`, or the last progress line when it stopped early.
    runs: Option<u64>,
    ok: bool,
    /// The input libFuzzer saved when it found a crash, hang or leak.
    artifact: Option<String>,
    log: PathBuf,
}

impl Outcome {
    fn runs_brief(&self) -> String {
        match self.runs {
            Some(runs) => format!("{} {runs} runs", self.target),
            None => format!("{} ? runs", self.target),
        }
    }

    fn failure(&self) -> Option<String> {
        if self.ok {
            return None;
        }
        // No progress line yet: it failed on the starting corpus (the seeds included).
        let when = self.runs.map_or("on its starting corpus".to_owned(), |r| {
            format!("after {r} runs")
        });
        let target = &self.target;
        Some(match &self.artifact {
            Some(file) => format!(
                "{target}: CRASH {when}; input {file} (replay: cargo +nightly fuzz run -s none \
                 {target} {file}; minimise: cargo +nightly fuzz tmin -s none {target} {file})"
            ),
            None => format!(
                "{target}: libFuzzer failed {when} without saving an input; see {}",
                self.log.display()
            ),
        })
    }

    fn line(&self) -> String {
        self.failure().unwrap_or_else(|| {
            format!(
                "{}: {} runs in {} s, no crash",
                self.target,
                self.runs.map_or("?".to_owned(), |r| r.to_string()),
                self.seconds
            )
        })
    }
}

fn fuzz_one(target: &str, seconds: u64, grown: &Path) -> Res<Outcome> {
    std::fs::create_dir_all(grown)
        .and_then(|()| std::fs::create_dir_all(LOGS))
        .map_err(|e| format!("cannot create {}: {e}", grown.display()))?;
    let seeds = Path::new(FUZZ_DIR).join("corpus").join(target);
    let mut fuzz = nightly_fuzz("run");
    // The first corpus directory receives what libFuzzer finds; the seeds are read only.
    fuzz.arg(target)
        .arg(grown)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_S}"));
    let log = PathBuf::from(LOGS).join(format!("{target}.log"));
    let (ok, stderr) = run_logged(&mut fuzz, &log)?;
    Ok(Outcome {
        target: target.to_owned(),
        seconds,
        runs: runs(&stderr),
        ok,
        artifact: artifact(&stderr),
        log,
    })
}

/// Runs with stderr (where libFuzzer writes everything) captured into `log` and
/// echoed without the progress lines, which would flood the console.
fn run_logged(cmd: &mut Command, log: &Path) -> Res<(bool, String)> {
    println!("$ {}", describe(cmd));
    let _ = std::io::stdout().flush();
    let mut file =
        std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
    let mut stderr = String::new();
    let mut in_dictionary = false;
    if let Some(pipe) = child.stderr.take() {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = writeln!(file, "{line}");
            in_dictionary = match line.starts_with("###### ") {
                true => line.contains("Recommended dictionary"),
                false => in_dictionary,
            };
            if !in_dictionary && !is_progress(&line) && !line.starts_with("###### ") {
                eprintln!("{line}");
            }
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo fuzz: {e}"))?;
    println!("(libFuzzer's full output: {})", log.display());
    Ok((status.success(), stderr))
}

/// libFuzzer's `#1234\tNEW cov: ...` lines, except the first (INITED) and last (DONE).
fn is_progress(line: &str) -> bool {
    progress_runs(line).is_some() && !line.contains("INITED") && !line.contains("DONE")
}

/// The run count of a progress line (`#1234\t...`).
fn progress_runs(line: &str) -> Option<u64> {
    let (count, _) = line.strip_prefix('#')?.split_once('\t')?;
    count.parse().ok()
}

/// `Done 104054 runs in 11 second(s)`, or else the last progress line's count.
fn runs(stderr: &str) -> Option<u64> {
    let done = stderr.lines().find_map(|line| {
        let rest = line.strip_prefix("Done ")?;
        rest.split_whitespace().next()?.parse().ok()
    });
    done.or_else(|| stderr.lines().rev().find_map(progress_runs))
}

/// The file in `artifact_prefix='...'; Test unit written to <file>`.
fn artifact(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|line| {
        let (_, file) = line.split_once("Test unit written to ")?;
        Some(file.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRASH: &str = "#2\tINITED cov: 10 ft: 10 corp: 1/1b\n\
        #77\tNEW cov: 12 ft: 13 corp: 2/9b lim: 4 exec/s: 0 rss: 30Mb\n\
        thread '<unnamed>' panicked at src/parse.rs:15:9:\n\
        ==12== ERROR: libFuzzer: deadly signal\n\
        artifact_prefix='/r/fuzz/artifacts/parse/'; Test unit written to /r/fuzz/artifacts/parse/crash-ab12\n";

    #[test]
    fn reads_runs_and_the_crash_input() {
        assert_eq!(
            runs("#5\tpulse\nDone 104054 runs in 11 second(s)\n"),
            Some(104054)
        );
        assert_eq!(runs(CRASH), Some(77));
        assert_eq!(
            artifact(CRASH).as_deref(),
            Some("/r/fuzz/artifacts/parse/crash-ab12")
        );
        assert_eq!(artifact("Done 3 runs in 1 second(s)\n"), None);
    }

    #[test]
    fn only_the_middle_progress_lines_are_quiet() {
        assert!(is_progress("#77\tNEW cov: 12 ft: 13"));
        assert!(is_progress("#65536\tpulse  cov: 12"));
        assert!(!is_progress("#2\tINITED cov: 10"));
        assert!(!is_progress("#104054\tDONE   cov: 1"));
        assert!(!is_progress("# a comment"));
        assert!(!is_progress("Done 104054 runs in 11 second(s)"));
    }

    #[test]
    fn sums_the_stable_tests_inputs() {
        let out =
            "test a ... ok\nfuzz inputs fed: parse 2012\nfuzz inputs fed: engine_calls 2001\n";
        assert_eq!(
            inputs_fed(out),
            vec![
                ("parse".to_owned(), 2012),
                ("engine_calls".to_owned(), 2001)
            ]
        );
    }

    #[test]
    fn a_crash_names_its_input_and_fails() {
        let outcome = |ok, artifact: Option<&str>| Outcome {
            target: "parse".to_owned(),
            seconds: 15,
            runs: Some(77),
            ok,
            artifact: artifact.map(str::to_owned),
            log: PathBuf::from("target/fuzz/logs/parse.log"),
        };
        assert_eq!(
            outcome(true, None).line(),
            "parse: 77 runs in 15 s, no crash"
        );
        let crash = outcome(false, Some("fuzz/artifacts/parse/crash-ab12"));
        assert!(crash
            .failure()
            .is_some_and(|f| f.contains("fuzz/artifacts/parse/crash-ab12")));
        assert!(outcome(false, None)
            .failure()
            .is_some_and(|f| f.contains("parse.log")));
    }
}
