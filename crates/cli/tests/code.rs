//! `sockscope code`, and that the programs it writes are real programs: for every tour,
//! exercise and example, every C program compiles and links with
//! `gcc -Wall -Wextra -Werror`, and every Python program passes
//! `python3 -W error -m py_compile`. A missing compiler fails these tests.

mod common;
use common::*;

use sockscope_scenario::codegen::{generate, Lang, Options, Program};
use sockscope_scenario::{parse, tours, Scenario};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "sockscope-code-test-{}-{name}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn code_prints_each_program_under_a_header_line() {
    let o = sockscope(&["code", &example("byte_stream.scn")]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.starts_with("==> B.c <==\n// The calls of process B in byte_stream.scn"));
    assert!(out.contains("\n\n==> A.c <==\n"));
    assert!(out.contains("    n = recv(s, buf, 2000, 0);\n"));
    let py = stdout(&sockscope(&[
        "code",
        "--lang",
        "python",
        &example("byte_stream.scn"),
    ]));
    assert!(py.starts_with("==> B.py <==\n#!/usr/bin/env python3\n"));
    assert!(py.contains("    n = c.send(bytes(1000))\n"));
}

#[test]
fn code_with_out_writes_one_file_per_process() {
    let dir = Scratch::new("out");
    let out = dir.0.join("programs");
    let out = out.to_str().unwrap();
    let o = sockscope(&[
        "code",
        "--lang",
        "python",
        "--loopback",
        "--out",
        out,
        &example("fork_and_dup.scn"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["C.py", "S.py"]);
    let s = std::fs::read_to_string(Path::new(out).join("S.py")).unwrap();
    assert!(s.contains("l.bind((\"\", 80))"));
    // --loopback: S's address is written as a loopback one; the label keeps it.
    let c = std::fs::read_to_string(Path::new(out).join("C.py")).unwrap();
    assert!(c.contains("c.connect((\"127.0.0.2\", 80))"));
    assert!(c.contains("failed(\"C: connect(c, 10.0.0.2:80)\", e)"));
    assert!(stdout(&o).contains("S.py ("));
}

#[test]
fn code_refuses_bad_arguments_and_says_why() {
    let o = sockscope(&["code", "--lang", "rust", &example("udp.scn")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("c or python"));
    let o = sockscope(&["code", "missing.scn"]);
    assert_eq!(o.status.code(), Some(2));
    let help = stdout(&sockscope(&["--help"]));
    assert!(help.contains("sockscope code [--lang c|python] [--loopback] [--out DIR] FILE"));
}

/// Every tour, exercise and example, by name.
fn every_scenario() -> Vec<(String, Scenario)> {
    let mut all: Vec<(String, Scenario)> = tours::ALL
        .iter()
        .chain(tours::EXERCISES)
        .map(|t| (t.name.to_string(), t.parse().unwrap()))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scn"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        all.push((name, parse(&text).unwrap()));
    }
    assert!(
        all.len() >= 12 + 5 + 12,
        "the tours, exercises and examples"
    );
    all
}

/// The programs of every scenario in `lang`, plain and conducted, each set written
/// into a directory of its own.
fn write_all(lang: Lang, root: &Path) -> Vec<(PathBuf, Vec<Program>)> {
    let mut sets = Vec::new();
    for (name, scenario) in every_scenario() {
        for conducted in [false, true] {
            let opts = Options {
                source: Some(format!("{name}.scn")),
                conducted,
                ..Options::loopback(&scenario.statements)
            };
            let programs = generate(&scenario.statements, lang, &opts).programs;
            assert!(!programs.is_empty(), "{name}: no program");
            let dir = root.join(format!(
                "{name}-{}",
                if conducted { "conducted" } else { "plain" }
            ));
            std::fs::create_dir_all(&dir).unwrap();
            for p in &programs {
                std::fs::write(dir.join(&p.file_name), p.text()).unwrap();
            }
            sets.push((dir, programs));
        }
    }
    sets
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run ({e}); gcc and python3 come from Debian"));
    assert!(
        out.status.success(),
        "{what}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_generated_c_program_compiles_and_links_without_a_warning() {
    let root = Scratch::new("gcc");
    let mut count = 0;
    for (dir, programs) in write_all(Lang::C, &root.0) {
        let sources: Vec<&str> = programs.iter().map(|p| p.file_name.as_str()).collect();
        run(
            Command::new("gcc")
                .args(["-Wall", "-Wextra", "-Werror", "-c"])
                .args(&sources)
                .current_dir(&dir),
            &format!("gcc -Wall -Wextra -Werror in {}", dir.display()),
        );
        for p in &programs {
            let stem = p.file_name.trim_end_matches(".c");
            run(
                Command::new("gcc")
                    .args(["-o", stem, &format!("{stem}.o")])
                    .current_dir(&dir),
                &format!("linking {stem} in {}", dir.display()),
            );
            count += 1;
        }
    }
    println!("{count} C programs compiled and linked");
    assert!(count >= 100, "{count}");
}

#[test]
fn every_generated_python_program_compiles() {
    let root = Scratch::new("python");
    let mut files = Vec::new();
    for (dir, programs) in write_all(Lang::Python, &root.0) {
        files.extend(programs.iter().map(|p| dir.join(&p.file_name)));
    }
    run(
        Command::new("python3")
            .args(["-W", "error", "-m", "py_compile"])
            .args(&files),
        "python3 -m py_compile",
    );
    println!("{} Python programs compiled", files.len());
    assert!(files.len() >= 100, "{}", files.len());
}
