//! The built-in guided tours: each one parses, runs to the end with every expectation
//! met, carries its title, summary and narration, and prints the figures its
//! narration quotes but no `expect` can state (virtual times).

use sockscope_scenario::tours::{self, Tour, ALL};
use sockscope_scenario::{run, LineKind, Report, Stmt};
use std::collections::BTreeSet;
use std::path::Path;

fn run_tour(tour: &Tour) -> Report {
    let scenario = tour
        .parse()
        .unwrap_or_else(|e| panic!("tours/{}.scn:{e}", tour.name));
    run(&scenario)
}

fn tour(name: &str) -> &'static Tour {
    tours::find(name).unwrap_or_else(|| panic!("no tour {name}"))
}

#[test]
fn every_tour_runs_without_error_and_meets_all_its_expectations() {
    for t in ALL {
        let report = run_tour(t);
        assert!(
            report.error.is_none(),
            "tours/{}.scn:{}",
            t.name,
            report.error.unwrap()
        );
        assert!(
            report.failures.is_empty(),
            "tours/{}.scn: {:#?}\n{}",
            t.name,
            report.failures,
            report.text()
        );
        assert!(report.passed >= 5, "tours/{}.scn checks too little", t.name);
    }
}

#[test]
fn every_tour_has_a_title_a_summary_and_narration() {
    for t in ALL {
        let mut lines = t.text.lines();
        assert_eq!(
            lines.next(),
            Some(format!("# title: {}", t.title).as_str()),
            "tours/{}.scn: first line",
            t.name
        );
        assert_eq!(
            lines.next(),
            Some(format!("# summary: {}", t.summary).as_str()),
            "tours/{}.scn: second line",
            t.name
        );
        assert_eq!(tours::header(t.text, "title"), Some(t.title));
        assert_eq!(tours::header(t.text, "summary"), Some(t.summary));
        assert!(!t.title.is_empty() && t.title.len() <= 60, "{}", t.name);
        assert!(
            t.summary.ends_with('.') && t.summary.len() <= 200,
            "{}: the summary is one sentence",
            t.name
        );
        let statements = t.parse().unwrap().statements;
        let says = statements
            .iter()
            .filter(|s| matches!(s.kind, Stmt::Say(_)))
            .count();
        assert!(says >= 5, "tours/{}.scn has {says} say lines", t.name);
        assert!(
            statements.iter().any(|s| matches!(s.kind, Stmt::Expect(_))),
            "{}",
            t.name
        );
    }
}

#[test]
fn every_tour_is_divided_into_three_to_seven_sections_from_its_start() {
    for t in ALL {
        let statements = t.parse().unwrap().statements;
        let titles: Vec<&str> = statements
            .iter()
            .filter_map(|s| match &s.kind {
                Stmt::Section(title) => Some(title.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            (3..=7).contains(&titles.len()),
            "tours/{}.scn has {} sections",
            t.name,
            titles.len()
        );
        assert!(titles.iter().all(|t| !t.trim().is_empty()), "{}", t.name);
        let distinct: BTreeSet<&str> = titles.iter().copied().collect();
        assert_eq!(distinct.len(), titles.len(), "{}: a title twice", t.name);
        // Only the world's set-up (options, hosts) may come before the first section.
        let first = statements
            .iter()
            .find(|s| !matches!(s.kind, Stmt::Option { .. } | Stmt::Host { .. }))
            .unwrap();
        assert!(
            matches!(first.kind, Stmt::Section(_)),
            "tours/{}.scn:{}: the first part has no section line",
            t.name,
            first.line
        );
        // No section is empty: each has narration of its own.
        let mut says_in_section = Vec::new();
        for s in &statements {
            match s.kind {
                Stmt::Section(_) => says_in_section.push(0),
                Stmt::Say(_) => {
                    if let Some(n) = says_in_section.last_mut() {
                        *n += 1;
                    }
                }
                _ => {}
            }
        }
        assert!(says_in_section.iter().all(|&n| n > 0), "{}", t.name);
    }
}

#[test]
fn tour_names_are_unique_url_safe_and_match_the_files() {
    let mut names = BTreeSet::new();
    for t in ALL {
        assert!(
            !t.name.is_empty()
                && t.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !t.name.starts_with('-')
                && !t.name.ends_with('-'),
            "{:?} is not URL-safe",
            t.name
        );
        assert!(names.insert(t.name), "{} twice", t.name);
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tours")
            .join(format!("{}.scn", t.name));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            t.text,
            "{}",
            file.display()
        );
    }
    // No tour file is missing from the table.
    let files: BTreeSet<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tours"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "scn"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
    let listed: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
    assert_eq!(files, listed);
    assert_eq!(ALL.len(), 12);
}

#[test]
fn find_looks_tours_up_by_name() {
    assert_eq!(tours::find("demux").unwrap().name, "demux");
    assert_eq!(
        tours::find("byte-stream").unwrap().title,
        "TCP is a byte stream"
    );
    assert!(tours::find("Demux").is_none());
    assert!(tours::find("").is_none());
}

#[test]
fn header_reads_comment_lines_only() {
    let text = "# title:  Spaced  \n#summary: s\nsay # title: not this\n";
    assert_eq!(tours::header(text, "title"), Some("Spaced"));
    assert_eq!(tours::header(text, "summary"), Some("s"));
    assert_eq!(tours::header(text, "author"), None);
}

/// The virtual times of the wire lines whose text contains `needle`.
fn wire_times(r: &Report, needle: &str) -> Vec<String> {
    r.lines
        .iter()
        .filter(|l| l.kind == LineKind::Wire && l.text.contains(needle))
        .filter_map(|l| l.text.split_whitespace().next())
        .map(|t| t.trim_start_matches("t=").to_string())
        .collect()
}

fn has_line(r: &Report, line: &str) -> bool {
    r.lines.iter().any(|l| l.text == line)
}

#[test]
fn byte_stream_shows_the_worked_example_in_netstat() {
    let r = run_tour(tour("byte-stream"));
    let text = r.text();
    assert!(text.contains(
        "tcp        0   6500 10.21.44.33:32768       192.0.2.8:22            ESTABLISHED"
    ));
    assert!(text.contains(
        "tcp     1500      0 192.0.2.8:22            10.21.44.33:32768       ESTABLISHED"
    ));
    assert!(has_line(&r, "B: recv(s, 2000) = 1500"));
    assert!(has_line(&r, "B: recv(s, 4000) = 4000"));
}

#[test]
fn throughput_prints_the_times_its_narration_quotes() {
    let r = run_tour(tour("throughput"));
    // Both sends start at t=300ms (the second handshake ends then).
    assert!(has_line(
        &r,
        "R2: s = accept(l) returned 4 (peer 10.0.0.3:32768) at t=300ms"
    ));
    assert!(has_line(&r, "S2: send(c, 49152) returned 49152 at t=700ms"));
    assert!(has_line(&r, "S1: send(c, 49152) returned 49152 at t=2.7s"));
    // The checkpoints: 50 ms, 500 ms more, then 1.85 s and 50 ms more.
    assert!(r
        .lines
        .iter()
        .any(|l| l.text.starts_with("net: run 50ms:") && l.text.ends_with("now t=350ms")));
    assert!(r
        .lines
        .iter()
        .any(|l| l.text.starts_with("net: run 500ms:") && l.text.ends_with("now t=850ms")));
    assert!(r
        .lines
        .iter()
        .any(|l| l.text.starts_with("net: run 50ms:") && l.text.ends_with("now t=2.75s")));
}

#[test]
fn connect_errors_shows_the_doubling_syn_timeouts() {
    let r = run_tour(tour("connect-errors"));
    assert_eq!(
        wire_times(&r, "SYN (retransmission), lost on the way"),
        ["1.3s", "3.3s", "7.3s", "15.3s", "31.3s", "63.3s"]
    );
    assert!(has_line(
        &r,
        "client: connect(c3, 10.0.0.2:80) returned -1 ETIMEDOUT \
         (the peer did not answer in time, even after retransmissions) at t=127.25s"
    ));
    // The refused SYN, then the data that reaches the restarted server.
    assert_eq!(wire_times(&r, "RST"), ["250ms", "128.5s"]);
}

#[test]
fn server_side_retries_the_syn_ack_five_times_before_giving_up() {
    let r = run_tour(tour("server-side"));
    assert_eq!(wire_times(&r, "SYN+ACK (retransmission), dropped").len(), 5);
    // The SYN that met the full backlog got no answer and came again 1 s later.
    assert_eq!(
        wire_times(&r, "client:32772 -> server:8080  SYN"),
        ["63.65s", "64.65s"]
    );
    assert!(!r
        .lines
        .iter()
        .any(|l| l.kind == LineKind::Wire && l.text.contains("server:8080 -> client:32772  RST")));
}

#[test]
fn closing_lingers_for_l_linger_seconds() {
    let r = run_tour(tour("closing"));
    // The lingering close() is issued when the last handshake ends, at t=847.75s.
    assert!(has_line(
        &r,
        "B: s2 = accept(l) returned 4 (peer 10.0.0.1:32775) at t=847.75s"
    ));
    assert!(r
        .lines
        .iter()
        .any(|l| l.text.starts_with("A: close(c2) returned -1 ETIMEDOUT")
            && l.text.ends_with("at t=850.75s")));
}

/// Every question of every tour, with the answer the engine gives when its moment
/// comes. The narration after each question states that answer, so this pins it.
const ANSWERS: &[(&str, &str, &str)] = &[
    ("byte-stream", "first_segment", "1500"),
    ("byte-stream", "recv_size", "1500"),
    ("byte-stream", "framing", "30"),
    ("closing", "end_of_stream", "0"),
    ("closing", "half_close_ends", "TIME_WAIT"),
    ("closing", "window_zero", "300"),
    ("closing", "linger_runs_out", "ETIMEDOUT"),
    ("connect-errors", "refused", "ECONNREFUSED"),
    ("connect-errors", "one_syn_lost", "0"),
    ("connect-errors", "reset_found", "ECONNRESET"),
    ("deadlock", "both_send", "yes"),
    ("deadlock", "both_recv", "yes"),
    ("deadlock", "third_echo", "yes"),
    ("deadlock", "limit_2500", "no"),
    ("demux", "exact_bind", "EADDRINUSE"),
    ("demux", "syn_goes_to", "l1"),
    ("demux", "other_address", "l0"),
    ("demux", "own_connection", "s2"),
    ("finite-buffers", "bigger_than_sendq", "1500"),
    ("finite-buffers", "window_closed", "500"),
    ("finite-buffers", "too_big", "yes"),
    ("finite-buffers", "refill", "1000"),
    ("server-side", "bound_only", "ECONNREFUSED"),
    ("server-side", "client_after_synack", "ESTABLISHED"),
    ("server-side", "accept_again", "yes"),
    ("server-side", "full_backlog", "SYN_SENT"),
    ("simultaneous-open", "who_gets_syn", "x"),
    ("simultaneous-open", "syn_meets_syn", "SYN_RCVD"),
    ("simultaneous-open", "synacks_cross", "ESTABLISHED"),
    ("socket-structure", "first_fd", "3"),
    ("socket-structure", "close_one_fd", "ESTABLISHED"),
    ("socket-structure", "closed_fd", "EBADF"),
    ("socket-structure", "after_shutdown", "FIN_WAIT_2"),
    ("throughput", "small_sendq", "2048"),
    ("throughput", "first_trip", "1460"),
    ("throughput", "big_buffer_done", "49152"),
    ("time-wait", "new_fd", "3"),
    ("time-wait", "rebind", "EADDRINUSE"),
    ("time-wait", "reuse_bind", "0"),
    ("time-wait", "after_quiet", "EADDRINUSE"),
    ("udp", "one_datagram", "100"),
    ("udp", "after_truncation", "300"),
    ("udp", "full_recvq", "400"),
    ("udp", "icmp_reported", "ECONNREFUSED"),
];

#[test]
fn every_tour_asks_two_to_four_questions_that_the_engine_answers_as_the_narration_says() {
    use sockscope_scenario::Probe;
    let mut kinds = BTreeSet::new();
    let mut total = 0;
    for t in ALL {
        let questions: Vec<_> = t
            .parse()
            .unwrap()
            .statements
            .into_iter()
            .filter_map(|s| match s.kind {
                Stmt::Ask(q) => Some(q),
                _ => None,
            })
            .collect();
        assert!(
            (2..=4).contains(&questions.len()),
            "tours/{}.scn asks {} questions",
            t.name,
            questions.len()
        );
        let ids: BTreeSet<&str> = questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids.len(),
            questions.len(),
            "{}: a question id twice",
            t.name
        );
        for q in &questions {
            assert!(
                q.prompt.is_some() && q.why.is_some(),
                "{}: {} needs a prompt and a why",
                t.name,
                q.id
            );
            assert!(
                !q.hints.is_empty() || !q.choices.is_empty(),
                "{}: {} has neither hints nor choices",
                t.name,
                q.id
            );
            kinds.insert(match &q.probe {
                Probe::Returns { .. } => "returns",
                Probe::Blocks { .. } => "blocks",
                Probe::State { .. } => "state",
                Probe::Queue { .. } => "queue",
                Probe::Demux { .. } => "demux",
                Probe::Deadlock => "deadlock",
                Probe::EchoLimit { .. } => "echo_limit",
            });
            if !q.choices.is_empty() {
                kinds.insert("choice");
            }
        }
        total += questions.len();
        let report = run_tour(t);
        let got: Vec<(&str, String)> = report
            .questions
            .iter()
            .map(|a| {
                let answer = a.answer.as_ref().map(|a| a.to_string());
                (a.id.as_str(), answer.unwrap_or_else(|| "no answer".into()))
            })
            .collect();
        let want: Vec<(&str, String)> = ANSWERS
            .iter()
            .filter(|(tour, _, _)| *tour == t.name)
            .map(|(_, id, answer)| (*id, answer.to_string()))
            .collect();
        assert_eq!(got, want, "tours/{}.scn", t.name);
    }
    assert!(total >= 30, "{total} questions in all");
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["blocks", "choice", "deadlock", "demux", "queue", "returns", "state"]
    );
}
