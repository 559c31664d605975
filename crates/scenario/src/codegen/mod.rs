//! The programs a scenario's calls amount to: for each process, a C program written the
//! way a sockets course writes it, or a Python program with the `socket` module.
//!
//! ```
//! use sockscope_scenario::codegen::{generate, Lang, Options};
//! let scenario = sockscope_scenario::parse(
//!     "host A 10.0.0.1
//!      host B 10.0.0.2
//!      B: l = socket(TCP); bind(l, *:80); listen(l, 5)
//!      A: c = socket(TCP); connect(c, 10.0.0.2:80)
//!      net: run",
//! )?;
//! let out = generate(&scenario.statements, Lang::C, &Options::default());
//! let a = &out.programs[1];
//! assert_eq!(a.file_name, "A.c");
//! assert!(a.text().contains("inet_pton(AF_INET, \"10.0.0.2\", &addr.sin_addr);"));
//! // Every line knows the statement it came from: the connect is statement 6.
//! assert!(a.lines.iter().any(|l| l.stmt == Some(6) && l.text.contains("r = connect(c,")));
//! # Ok::<(), sockscope_scenario::ParseError>(())
//! ```
//!
//! Every process gets one program, except that a process made by `fork` runs in its
//! parent's program (as it does in C: the child is a copy of the parent). Statements
//! with no program form (other processes' calls, `net:` lines, `expect`, `ask`, `say`
//! ...) stay where they sit, as comments, so that each program reads in the
//! scenario's order. Each call prints its result on a line of its own, spelled as the
//! runner spells it (`A: connect(c, 10.0.0.2:80) = 0`, `... = -1 ECONNREFUSED (...)`),
//! so a run on a real machine can be compared with the simulation line by line.
//! README.md beside this file says what cannot run as-is and what the generator does
//! about it (the `&` of a call, `net: deliver`, the order between programs).
//!
//! The generator takes a slice of statements, so the app can show the program of the
//! statements run so far. It does no I/O and runs in the browser as well.

mod c;
mod names;
mod out;
mod plan;
mod python;

use crate::ast::{ProcRef, Statement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The language of the generated programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    C,
    Python,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::C, Lang::Python];

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Lang::C => "c",
            Lang::Python => "py",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::C => "c",
            Lang::Python => "python",
        })
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "c" => Ok(Lang::C),
            "python" | "py" => Ok(Lang::Python),
            _ => Err(format!(
                "unknown language \"{s}\": the programs are written in c or python"
            )),
        }
    }
}

/// How to write the programs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The scenario's file name, for the programs' first comment.
    pub source: Option<String>,
    /// Addresses to write instead of the scenario's (see [`Options::loopback`]).
    pub addrs: BTreeMap<IpAddr, IpAddr>,
    /// Ports to write instead of the scenario's (a run on a shared machine takes free
    /// ones). Port 0, "any port", is never changed.
    pub ports: BTreeMap<u16, u16>,
    /// Conducted programs wait for their turn before each call (README.md, "Running
    /// the programs"), prefix each result line with the call's number (`@3 `), and wait
    /// for the end of the whole run before they exit.
    pub conducted: bool,
}

impl Options {
    /// Maps every IPv4 address of the statements, in order of appearance, to
    /// 127.0.0.1, 127.0.0.2, ... and every IPv6 address to ::1, so that the programs run
    /// side by side on one machine (Linux answers on all of 127.0.0.0/8).
    pub fn loopback(statements: &[Statement]) -> Options {
        let mut addrs = BTreeMap::new();
        let mut next: u32 = 1;
        for ip in plan::addresses(statements) {
            addrs.entry(ip).or_insert_with(|| match ip {
                IpAddr::V4(_) => {
                    let host = next.min(254);
                    next += 1;
                    IpAddr::V4(Ipv4Addr::from(0x7f00_0000 | host))
                }
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
        }
        Options {
            addrs,
            ..Options::default()
        }
    }

    fn addr(&self, ip: IpAddr) -> IpAddr {
        self.addrs.get(&ip).copied().unwrap_or(ip)
    }

    fn port(&self, port: u16) -> u16 {
        match port {
            0 => 0,
            p => self.ports.get(&p).copied().unwrap_or(p),
        }
    }
}

/// One line of a program and the statement (index into the slice given to
/// [`generate`]) it came from; `None` for the program's own scaffolding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub stmt: Option<usize>,
}

/// The program of one process, with those forked from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// The process the program starts as: a host's default process, or `HOST/PROC`
    /// made by its first call.
    pub proc: ProcRef,
    /// Every process that runs this program: `proc` first, then those forked from it.
    pub procs: Vec<ProcRef>,
    /// `B.c`, `A-worker.py`.
    pub file_name: String,
    pub lines: Vec<Line>,
}

impl Program {
    /// The whole program, one line after another, ending in a newline.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }

    /// The lines that came from statement `stmt`, by index into [`Program::lines`].
    pub fn lines_of(&self, stmt: usize) -> impl Iterator<Item = usize> + '_ {
        self.lines
            .iter()
            .enumerate()
            .filter(move |(_, l)| l.stmt == Some(stmt))
            .map(|(i, _)| i)
    }
}

/// A call (or fork) in some program, numbered in the scenario's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSite {
    /// 0, 1, 2 ... over all programs: what a conducted program waits for.
    pub seq: usize,
    pub stmt: usize,
    /// The process that makes it, as the scenario wrote it.
    pub proc: ProcRef,
    /// What the program prints before the result: `A: c = socket(TCP)`.
    pub label: String,
    /// `fork(child)`, which the engine does not count as a call.
    pub fork: bool,
    /// The index into `Generated::programs` of the program that makes it.
    pub program: usize,
}

/// The programs of a scenario and, in order, every call they make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub programs: Vec<Program>,
    pub calls: Vec<CallSite>,
}

/// The program of every process of `statements`, in order of their first call.
pub fn generate(statements: &[Statement], lang: Lang, opts: &Options) -> Generated {
    let plan = plan::plan(statements);
    let programs = plan
        .programs
        .iter()
        .map(|p| {
            let lines = match lang {
                Lang::C => c::render(p, opts, plan.calls.len()),
                Lang::Python => python::render(p, opts, plan.calls.len()),
            };
            Program {
                proc: p.procs[0].clone(),
                procs: p.procs.clone(),
                file_name: format!("{}.{}", file_stem(&p.procs[0]), lang.extension()),
                lines,
            }
        })
        .collect();
    Generated {
        programs,
        calls: plan.calls,
    }
}

/// Every port the programs will write (0, "any port", left out), in order, once each:
/// what a run on a shared machine maps to free ones.
pub fn ports(statements: &[Statement]) -> Vec<u16> {
    let mut seen = Vec::new();
    for p in plan::ports(statements) {
        if p != 0 && !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen
}

/// `B`, `A-worker`.
fn file_stem(p: &ProcRef) -> String {
    match &p.proc {
        Some(name) => format!("{}-{name}", p.host),
        None => p.host.clone(),
    }
}
