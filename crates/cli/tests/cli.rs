//! The `sockscope` binary, run as a user would run it.

mod common;
use common::*;

use std::path::Path;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn run_prints_the_golden_output_of_the_byte_stream_example() {
    let o = sockscope(&["run", &example("byte_stream.scn")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let golden =
        std::fs::read_to_string(scenario_dir().join("tests/golden/byte_stream.out")).unwrap();
    assert_eq!(stdout(&o), golden);
    // The numbers MODEL.md asks for, in the printed netstat and call results.
    let out = stdout(&o);
    assert!(out.contains(
        "tcp        0   6500 10.21.44.33:32768       192.0.2.8:22            ESTABLISHED"
    ));
    assert!(out.contains(
        "tcp     1500      0 192.0.2.8:22            10.21.44.33:32768       ESTABLISHED"
    ));
    assert!(out.contains("B: recv(s, 2000) = 1500\n"));
    assert!(out.contains("B: recv(s, 4000) = 4000\n"));
}

#[test]
fn check_passes_on_every_example() {
    check_passes_on_every_file_in("examples", 8);
}

#[test]
fn check_passes_on_every_tour() {
    check_passes_on_every_file_in("tours", 12);
}

/// Runs `sockscope check` over every `.scn` file of `scenario/DIR` at once.
fn check_passes_on_every_file_in(dir: &str, at_least: usize) {
    let mut files: Vec<String> = std::fs::read_dir(scenario_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scn"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= at_least, "{dir}: {files:?}");
    let args: Vec<&str> = std::iter::once("check")
        .chain(files.iter().map(String::as_str))
        .collect();
    let o = sockscope(&args);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    for f in &files {
        assert!(
            out.contains(&format!("{f}: ok (")),
            "{f} not reported ok:\n{out}"
        );
    }
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");
}

#[test]
fn check_on_a_failing_file_exits_nonzero_with_a_diff() {
    let file = fixture("failing.scn");
    let o = sockscope(&["check", &file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let diff = format!(
        "{file}:12: expect B: recv(s, 2000) == 2000\n--- expected\n+++ got\n-2000\n+1500\n"
    );
    assert!(out.contains(&diff), "{out}");
    assert!(
        out.contains(&format!(
            "{file}: FAILED (expectations: 1 passed, 1 failed)"
        )),
        "{out}"
    );
    assert!(out.trim_end().ends_with("1 passed, 1 failed"), "{out}");
}

#[test]
fn a_malformed_file_reports_line_and_column_and_exits_2() {
    let file = fixture("malformed.scn");
    for cmd in ["run", "check"] {
        let o = sockscope(&[cmd, &file]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(
            stderr(&o).contains(&format!(
                "{file}:3:14: expected a port number after ':', found \"x\""
            )),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    // Nothing ran: not even the valid first line was executed.
    assert_eq!(stdout(&sockscope(&["run", &file])), "");
}

#[test]
fn a_statement_that_cannot_run_is_reported_with_its_line_and_exits_1() {
    let file = fixture("run_error.scn");
    let o = sockscope(&["run", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("host A 10.0.0.1\n"));
    assert!(
        stderr(&o).contains(&format!("{file}:2:4: A has no variable c")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_json_prints_one_trace_entry_per_line() {
    let o = sockscope(&["run", "--json", &example("refused.scn")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let entries: Vec<sockscope_engine::TraceEntry> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(entries.len() > 10);
    assert!(entries
        .windows(2)
        .all(|w| w[0].n < w[1].n && w[0].time <= w[1].time));
    assert!(entries.iter().any(|e| matches!(
        &e.event,
        sockscope_engine::Event::CallReturned {
            ret: Err(sockscope_engine::Errno::ECONNREFUSED),
            ..
        }
    )));
}

#[test]
fn help_describes_the_commands_and_bad_arguments_point_to_it() {
    let o = sockscope(&["--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    assert!(help.contains("sockscope run [--json] [--pcap OUT] FILE"));
    assert!(help.contains("sockscope check FILE..."));
    let o = sockscope(&["launch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown command launch"));
    assert!(stderr(&o).contains("sockscope --help"));
    let o = sockscope(&["run", "/nonexistent/file.scn"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("/nonexistent/file.scn: cannot read"));
}

#[test]
fn run_prints_each_question_and_the_engines_answer() {
    let o = sockscope(&["run", &fixture("questions.scn")]);
    let out = stdout(&o);
    assert!(
        out.contains("ask refused: What will `A: connect(c, 10.0.0.2:81)` return?\n"),
        "{out}"
    );
    assert!(
        out.contains("answer refused: ECONNREFUSED — Nothing listens on port 81"),
        "{out}"
    );
    assert!(out.contains("  choices: ESTABLISHED | CLOSED\n"), "{out}");
}

#[test]
fn check_fails_a_question_without_a_right_choice() {
    let file = fixture("questions.scn");
    let o = sockscope(&["check", &file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains(&format!("{file}:8: ask st\n")), "{out}");
    assert!(
        out.contains("+the engine's answer is LISTEN, which is not among the choices"),
        "{out}"
    );
    assert!(
        out.contains("questions: 2 of 2 answered by the engine"),
        "{out}"
    );
}

#[test]
fn run_with_pcap_writes_a_capture_and_says_how_many_frames() {
    let out_file =
        std::env::temp_dir().join(format!("sockscope-cli-{}.pcapng", std::process::id()));
    let out = sockscope(&[
        "run",
        "--pcap",
        out_file.to_str().unwrap(),
        &example("byte_stream.scn"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&out_file).unwrap();
    std::fs::remove_file(&out_file).ok();
    // A pcapng file opens with a section header block.
    assert_eq!(&bytes[0..4], &[0x0a, 0x0d, 0x0d, 0x0a]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(" frames (0 dropped on the way)"));
}

#[test]
fn replay_reads_a_real_capture_and_refuses_what_is_not_one() {
    let fixtures = scenario_dir().join("../cli/tests/fixtures");
    let capture = fixtures.join("tcp-ipv4.pcap");
    let out = sockscope(&["replay", capture.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SYN seq=0 win="), "{text}");
    assert!(text.contains("TIME_WAIT"), "{text}");
    assert!(text.contains("Recv-Q is at most"), "{text}");
    let not_one = fixtures.join("malformed.scn");
    let out = sockscope(&["replay", not_one.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a capture file"));
}

#[test]
fn run_prints_ss_beside_netstat() {
    let o = sockscope(&["run", &example("ss.scn")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let golden = std::fs::read_to_string(scenario_dir().join("tests/golden/ss.out")).unwrap();
    assert_eq!(stdout(&o), golden);
    let out = stdout(&o);
    assert!(out.contains(
        "\nss S\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
         LISTEN 2      5            0.0.0.0:80        0.0.0.0:*\n"
    ));
    assert!(out.contains("\nSYN-RECV 0      0           10.0.0.2:80       10.0.0.1:32770\n"));
}
