//! Questions: every kind parses, the engine gives its answer at the moment it is
//! asked, a wrong question fails the run, and learners' answers are read leniently
//! where names are concerned and exactly where numbers are.

use sockscope_engine::{Errno, TcpState};
use sockscope_scenario::{parse, run, Answer, AnswerKind, Outcome, Probe, Question, Report, Stmt};

/// B listens on 22; A connects and has 8000 bytes in SendQ, nothing sent yet.
const SETUP: &str = "\
option mss 1500
option sndbuf 10000
option rcvbuf 10000
host A 10.21.44.33
host B 192.0.2.8
B: l = socket(TCP); bind(l, *:22); listen(l, 5)
A: c = socket(TCP); connect(c, 192.0.2.8:22)
B: s = accept(l)
A: send(c, 1000); send(c, 2000); send(c, 5000)
";

fn scenario(questions: &str) -> String {
    format!("{SETUP}{questions}")
}

fn report(questions: &str) -> Report {
    run(&parse(&scenario(questions)).unwrap())
}

fn questions(src: &str) -> Vec<Question> {
    parse(src)
        .unwrap()
        .statements
        .into_iter()
        .filter_map(|s| match s.kind {
            Stmt::Ask(q) => Some(*q),
            _ => None,
        })
        .collect()
}

/// The engine's answer to each question, in order.
fn answers(questions: &str) -> Vec<Option<Answer>> {
    let r = report(questions);
    assert!(r.error.is_none(), "{:?}", r.error);
    r.questions.into_iter().map(|q| q.answer).collect()
}

fn parse_error(src: &str) -> String {
    parse(src).map(|_| ()).unwrap_err().to_string()
}

#[test]
fn every_kind_of_question_parses_with_its_lines() {
    let q = questions(
        "ask r B: recv(s, 2000)
prompt How many bytes?
hint 1000: the first send's size
why recv takes what is there
ask b blocks A: send(c, 10)
ask st state A c after net: deliver 1; run
choice ESTABLISHED connected
choice SYN_SENT
ask sq sendq A c after A: send(c, 5)
ask rq recvq B s
ask d demux B UDP from 10.0.0.1:5 to 192.0.2.8:22
ask dl deadlock after net: run 5s
ask limit echo_limit 1K",
    );
    assert_eq!(q.len(), 8);
    assert!(matches!(q[0].probe, Probe::Returns { .. }));
    assert_eq!(q[0].prompt.as_deref(), Some("How many bytes?"));
    assert_eq!(q[0].hints[0].value, Answer::Outcome(Outcome::Int(1000)));
    assert_eq!(q[0].hints[0].text, "the first send's size");
    assert_eq!(q[0].why.as_deref(), Some("recv takes what is there"));
    assert!(matches!(q[1].probe, Probe::Blocks { .. }));
    assert!(matches!(q[2].probe, Probe::State { .. }));
    assert_eq!(q[2].after.len(), 2);
    assert_eq!(q[2].choices.len(), 2);
    assert_eq!(q[2].choices[1].text, "");
    assert!(matches!(&q[3].after[0], Stmt::Call { .. }));
    assert!(matches!(q[4].probe, Probe::Queue { .. }));
    assert!(matches!(q[5].probe, Probe::Demux { .. }));
    assert!(matches!(q[6].probe, Probe::Deadlock));
    assert_eq!(q[7].probe, Probe::EchoLimit { chunk: 1024 });
    assert_eq!(q[7].probe.answer_kind(), AnswerKind::Bytes);
}

#[test]
fn a_question_prints_as_it_is_read() {
    let src = "ask st state A c after net: deliver 1; run
prompt What now?
choice ESTABLISHED connected
choice SYN_SENT
hint SYN_SENT the SYN+ACK has arrived
why The handshake is over.
ask r A: recv(c, 10)";
    let s = parse(src).unwrap();
    assert_eq!(s.to_string().trim_end(), src);
    assert_eq!(parse(&s.to_string()).unwrap().statements.len(), 2);
}

#[test]
fn the_engine_answers_each_kind_at_its_moment() {
    let got = answers(
        "ask first recvq B s after net: deliver 1
net: deliver 1
ask sq sendq A c
ask r B: recv(s, 2000)
ask st state A c
ask b blocks B: recv(s, 100000)
ask nb blocks A: send(c, 10)
ask who demux B TCP from 10.21.44.33:40000 to 192.0.2.8:22
ask nobody demux B TCP from 10.21.44.33:40000 to 192.0.2.8:23
ask dl deadlock",
    );
    let want = [
        Answer::Bytes(1500),
        Answer::Bytes(6500),
        Answer::Outcome(Outcome::Int(1500)),
        Answer::State(TcpState::Established),
        Answer::Yes(true),
        Answer::Yes(false),
        Answer::Structure(vec!["l".into()]),
        Answer::Structure(vec![]),
        Answer::Yes(false),
    ];
    assert_eq!(got, want.map(Some).to_vec());
}

#[test]
fn a_call_question_reports_an_errno() {
    let got = answers("ask e A: bind(c, *:22)");
    assert_eq!(
        got,
        vec![Some(Answer::Outcome(Outcome::Errno(Errno::EINVAL)))]
    );
}

#[test]
fn asking_makes_the_moment_happen_and_prints_question_then_answer() {
    let r = report(
        "ask first recvq B s after net: deliver 1
why One segment of up to 1500 bytes.",
    );
    let text = r.text();
    let asked = text
        .find("ask first: How many bytes will B's s hold in its RecvQ after `net: deliver 1`?")
        .expect("the question is printed");
    let moved = text
        .find("net: deliver 1: 1 segment")
        .expect("the moment ran");
    let answered = text
        .find("answer first: 1500 — One segment of up to 1500 bytes.")
        .expect("the answer is printed");
    assert!(asked < moved && moved < answered, "{text}");
    assert!(r.ok());
}

#[test]
fn a_question_none_of_whose_choices_is_right_fails_the_run() {
    let r = report(
        "ask st state A c
choice SYN_SENT
choice CLOSED",
    );
    assert!(!r.ok());
    assert_eq!(r.failures.len(), 1);
    assert_eq!(r.failures[0].statement, "ask st");
    assert!(
        r.failures[0].got.contains("ESTABLISHED"),
        "{:?}",
        r.failures
    );
}

#[test]
fn a_hint_written_for_the_right_answer_fails_the_run() {
    let r = report(
        "net: run
ask q recvq B s
hint 8000 that is everything",
    );
    assert!(!r.ok());
    assert!(
        r.failures[0].got.contains("hint for 8000"),
        "{:?}",
        r.failures
    );
}

#[test]
fn a_question_the_engine_cannot_answer_fails_the_run() {
    let r = report("A: close(c)\nask st state A c");
    assert!(!r.ok());
    assert_eq!(r.questions[0].answer, None);
    assert!(r.failures[0].got.contains("not an open descriptor"));
}

#[test]
fn learners_answers_are_read_in_the_form_the_question_calls_for() {
    let k = AnswerKind::Outcome;
    assert_eq!(k.read(" 1500 "), Ok(Answer::Outcome(Outcome::Int(1500))));
    assert_eq!(k.read("1,500"), Ok(Answer::Outcome(Outcome::Int(1500))));
    assert_eq!(k.read("-1"), Ok(Answer::Outcome(Outcome::Int(-1))));
    assert_eq!(
        k.read("econnrefused"),
        Ok(Answer::Outcome(Outcome::Errno(Errno::ECONNREFUSED)))
    );
    assert_eq!(k.read("Blocks"), Ok(Answer::Outcome(Outcome::Blocks)));
    assert!(k.read("EFOO").unwrap_err().contains("not an errno"));
    assert!(k.read("lots").unwrap_err().contains("not an answer here"));
    assert!(k.read("").unwrap_err().contains("Type an answer"));
    assert_eq!(
        AnswerKind::State.read("time-wait"),
        Ok(Answer::State(TcpState::TimeWait))
    );
    assert_eq!(
        AnswerKind::State.read("estab"),
        Ok(Answer::State(TcpState::Established))
    );
    assert!(AnswerKind::State
        .read("OPEN")
        .unwrap_err()
        .contains("ESTABLISHED"));
    assert_eq!(AnswerKind::YesNo.read("NO"), Ok(Answer::Yes(false)));
    assert!(AnswerKind::YesNo.read("maybe").is_err());
    assert_eq!(AnswerKind::Bytes.read("6500"), Ok(Answer::Bytes(6500)));
    assert!(AnswerKind::Bytes.read("6.5K").is_err());
    assert_eq!(
        AnswerKind::Structure.read("None"),
        Ok(Answer::Structure(vec![]))
    );
}

#[test]
fn a_structure_is_right_by_any_of_its_names() {
    let right = Answer::Structure(vec!["s".into(), "d".into()]);
    assert!(right.accepts(&Answer::Structure(vec!["d".into()])));
    assert!(!right.accepts(&Answer::Structure(vec!["l".into()])));
    assert!(!right.accepts(&Answer::Structure(vec![])));
    assert!(Answer::Structure(vec![]).accepts(&Answer::Structure(vec![])));
}

#[test]
fn malformed_questions_are_parse_errors_with_line_and_column() {
    assert_eq!(
        parse_error("host A 10.0.0.1\nask"),
        "2:4: expected a name for the question (like recv_size), found the end of the line"
    );
    assert_eq!(
        parse_error("ask q size A c"),
        "1:7: cannot ask about \"size\"; ask about one of: HOST: call, blocks HOST: call, state, sendq, recvq, demux, deadlock or echo_limit"
    );
    assert_eq!(
        parse_error("ask q A: recv(c, 5) after net: run"),
        "1:21: a question about a call asks about that call's own moment; it takes no \"after\""
    );
    assert_eq!(
        parse_error("ask q recvq A c\nhint lots: no"),
        "2:6: “lots” is not an answer here: type a number of bytes such as 1500."
    );
    assert_eq!(
        parse_error("ask q state A c\nchoice OPEN"),
        "2:8: “OPEN” is not a TCP state; the states are CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK."
    );
    assert_eq!(
        parse_error("netstat A\n  why because"),
        "2:3: \"why\" belongs to a question or a goal: write it on the lines right after an ask or a goal"
    );
    assert_eq!(
        parse_error("ask q deadlock\nask q deadlock"),
        "2:1: the question name \"q\" is already used on line 1; each question needs its own"
    );
    assert_eq!(
        parse_error("ask q deadlock\nwhy"),
        "2:4: expected the explanation after why, found the end of the line"
    );
}

#[test]
fn the_words_of_questions_cannot_name_a_host() {
    for w in ["ask", "prompt", "choice", "hint", "why"] {
        let e = parse_error(&format!("host {w} 10.0.0.1"));
        assert!(e.contains("cannot name a host"), "{w}: {e}");
    }
}

/// The echo limit with `buf`-byte queues and a server echoing 500 at a time.
fn echo_limit(buf: u64) -> u64 {
    let src = format!("option sndbuf {buf}\noption rcvbuf {buf}\nask limit echo_limit 500\n");
    let r = run(&parse(&src).unwrap());
    assert!(r.error.is_none(), "{:?}", r.error);
    match r.questions[0].answer {
        Some(Answer::Bytes(n)) => n,
        ref other => panic!("expected a number of bytes, got {other:?}"),
    }
}

#[test]
fn the_echo_limit_is_the_first_size_the_engine_finds_deadlocking() {
    use sockscope_engine::experiment::echo::{deadlocks, EchoSpec};
    use sockscope_engine::WorldConfig;
    let n = echo_limit(500);
    let spec = EchoSpec {
        config: WorldConfig {
            sndbuf: 500,
            rcvbuf: 500,
            ..WorldConfig::default()
        },
        chunk: 500,
    };
    assert_eq!(deadlocks(&spec, n), Ok(true), "{n} bytes should deadlock");
    assert_eq!(
        deadlocks(&spec, n - 1),
        Ok(false),
        "{} bytes should not",
        n - 1
    );
}

#[test]
fn the_echo_limit_follows_the_scenarios_buffer_sizes() {
    assert!(echo_limit(800) > echo_limit(500));
}
