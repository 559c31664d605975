//! Runs conducted programs side by side on this machine: each its own OS process (in
//! its own process group), started at once; a turn file lets each call go in the
//! scenario's order. Every wait is bounded, and the process groups are killed and the
//! directory removed when the run is dropped, however the test ends.

use sockscope_scenario::codegen::{CallSite, Lang, Program};
use sockscope_scenario::{NetCmd, Statement, Stmt};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// How long a call the engine answered soon may take on Linux.
const SOON: Duration = Duration::from_secs(3);
/// How long to watch a call the engine left blocked past its statement.
const BLOCKED: Duration = Duration::from_millis(300);
/// The longest a `net: run DURATION` is waited out (TIME_WAIT's minute is not).
const LONGEST_RUN: Duration = Duration::from_millis(300);

pub struct Run {
    dir: PathBuf,
    turn: PathBuf,
    children: Vec<Child>,
    lines: Receiver<String>,
    /// Result lines by call number: what follows `@N LABEL = `.
    pub results: BTreeMap<usize, String>,
    /// Lines that are not results (a Python traceback, a compiler's complaint).
    pub other: Vec<String>,
}

impl Drop for Run {
    fn drop(&mut self) {
        for c in &mut self.children {
            // The group holds the program and the processes it forked.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", c.id())])
                .stderr(Stdio::null())
                .status();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh directory for one run.
fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "sockscope-code-{}-{name}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes, compiles (C) and starts every program; none makes a call before its turn.
pub fn start(name: &str, lang: Lang, programs: &[Program]) -> Run {
    let dir = scratch(name);
    let turn = dir.join("turn");
    std::fs::write(&turn, "-1").unwrap();
    let (tx, lines) = channel();
    let mut run = Run {
        dir: dir.clone(),
        turn,
        children: Vec::new(),
        lines,
        results: BTreeMap::new(),
        other: Vec::new(),
    };
    for p in programs {
        let source = dir.join(&p.file_name);
        std::fs::write(&source, p.text()).unwrap();
        let mut cmd = match lang {
            Lang::C => Command::new(compile(&source)),
            Lang::Python => {
                let mut c = Command::new("python3");
                c.arg(&source);
                c
            }
        };
        let mut child = cmd
            .env("SOCKSCOPE_TURN", &run.turn)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start: {e}", p.file_name));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        run.children.push(child);
    }
    run
}

/// gcc -Wall -Wextra -Werror: the binary beside the source.
fn compile(source: &Path) -> PathBuf {
    let binary = source.with_extension("");
    let out = Command::new("gcc")
        .args(["-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&binary)
        .arg(source)
        .output()
        .expect("gcc is installed (Debian package gcc)");
    assert!(
        out.status.success(),
        "{}: {}",
        source.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    binary
}

impl Run {
    fn set_turn(&self, seq: usize) {
        let tmp = self.turn.with_extension("new");
        std::fs::write(&tmp, seq.to_string()).unwrap();
        std::fs::rename(&tmp, &self.turn).unwrap();
    }

    /// Takes in the lines that have come, until call `seq` has printed or `limit`.
    fn collect(&mut self, seq: Option<usize>, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            if seq.is_some_and(|s| self.results.contains_key(&s)) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.take(line),
                Err(_) => return,
            }
        }
    }

    fn take(&mut self, line: String) {
        let parsed = line.strip_prefix('@').and_then(|rest| {
            let (n, rest) = rest.split_once(' ')?;
            // The label may hold " = " itself (`A: c = socket(TCP)`); the result does not.
            let (_, value) = rest.rsplit_once(" = ")?;
            Some((n.parse::<usize>().ok()?, result_of(value)))
        });
        match parsed {
            Some((n, value)) => {
                self.results.insert(n, value);
            }
            None => self.other.push(line),
        }
    }

    /// Plays the scenario: each call's turn in order, the network's moments as short
    /// waits. `soon(seq)`: the engine answered that call within its statement.
    pub fn conduct(
        &mut self,
        statements: &[Statement],
        sites: &[CallSite],
        soon: impl Fn(usize) -> bool,
    ) {
        for (i, st) in statements.iter().enumerate() {
            for site in sites.iter().filter(|s| s.stmt == i) {
                self.set_turn(site.seq);
                let limit = if site.fork || soon(site.seq) {
                    SOON
                } else {
                    BLOCKED
                };
                self.collect(Some(site.seq), limit);
            }
            if let Some(pause) = pause(&st.kind) {
                std::thread::sleep(pause);
                self.collect(None, Duration::ZERO);
            }
        }
        self.set_turn(sites.len());
        self.collect(None, BLOCKED);
    }
}

/// What a result line says: `3`, `-1 EAGAIN`, `0 (SO_LINGER, 5)` → `3`, `EAGAIN`, `0`.
fn result_of(value: &str) -> String {
    let mut words = value.split_whitespace();
    match words.next() {
        Some("-1") => words.next().unwrap_or("-1").to_string(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

/// Linux's network runs on its own; a `net:` line that moves the simulated network
/// becomes a moment's wait, so that what it moved has moved on loopback too.
fn pause(st: &Stmt) -> Option<Duration> {
    match st {
        Stmt::Net(NetCmd::Run(None)) => Some(Duration::from_millis(100)),
        Stmt::Net(NetCmd::Run(Some(us))) => Some(Duration::from_micros(*us).min(LONGEST_RUN)),
        Stmt::Net(NetCmd::Deliver(_) | NetCmd::Step(_)) => Some(Duration::from_millis(50)),
        _ => None,
    }
}
