//! The exercises: each sets a goal that is not met at the start, is met by a learner's
//! solution, and is not met by the tempting wrong one.

use sockscope_scenario::{parse, run, tours, Report, Stmt};

fn exercise(name: &str) -> &'static str {
    tours::find(&format!("exercise-{name}"))
        .unwrap_or_else(|| panic!("no exercise {name}"))
        .text
}

/// The exercise followed by the learner's lines.
fn attempt(name: &str, lines: &str) -> Report {
    let r = run(&parse(&format!("{}{lines}", exercise(name))).unwrap());
    assert!(r.error.is_none(), "{name}: {:?}\n{}", r.error, r.text());
    r
}

fn reached(r: &Report) -> Option<u32> {
    r.goal
        .as_ref()
        .expect("the exercise sets a goal")
        .reached_after
}

#[test]
fn every_exercise_has_a_goal_with_words_and_hints_that_is_not_met_at_the_start() {
    assert_eq!(tours::EXERCISES.len(), 6);
    for e in tours::EXERCISES {
        let s = e.parse().unwrap();
        let goals: Vec<_> = s
            .statements
            .iter()
            .filter_map(|st| match &st.kind {
                Stmt::Goal(g) => Some(g),
                _ => None,
            })
            .collect();
        assert_eq!(goals.len(), 1, "{}", e.name);
        assert!(goals[0].prompt.is_some(), "{}", e.name);
        assert!(goals[0].hints.len() >= 2, "{}", e.name);
        let r = run(&s);
        assert!(r.ok(), "{}: {}", e.name, r.text());
        assert_eq!(
            reached(&r),
            None,
            "{}: met before the learner did anything",
            e.name
        );
    }
}

#[test]
fn a_simultaneous_open_needs_both_connects_before_the_network_moves() {
    let both = attempt(
        "simultaneous-open",
        "A: connect(a, 10.0.0.2:7000) &\nB: connect(b, 10.0.0.1:7000) &\nnet: run\n",
    );
    assert_eq!(reached(&both), Some(2));
    let one_after_the_other = attempt(
        "simultaneous-open",
        "A: connect(a, 10.0.0.2:7000)\nB: connect(b, 10.0.0.1:7000)\nnet: run\n",
    );
    assert_eq!(reached(&one_after_the_other), None);
}

#[test]
fn the_echo_client_deadlocks_with_a_long_message_and_not_with_a_short_one() {
    let rounds = "S: recv(s, 500)\nS: send(s, 500) &\nnet: run\n".repeat(3);
    let long = attempt(
        "echo-deadlock",
        &format!("C: send(c, 3000) &\nnet: run\n{rounds}"),
    );
    assert!(reached(&long).is_some(), "{}", long.text());
    let short = attempt(
        "echo-deadlock",
        "C: send(c, 400) &\nnet: run\nS: recv(s, 500)\nS: send(s, 400) &\nnet: run\nC: recv(c, 500)\n",
    );
    assert_eq!(reached(&short), None);
}

#[test]
fn a_restarted_server_needs_so_reuseaddr_while_time_wait_holds_the_port() {
    let plain = attempt("restart-server", "server: bind(n, *:80); listen(n, 5)\n");
    assert_eq!(reached(&plain), None, "{}", plain.text());
    let reuse = attempt(
        "restart-server",
        "server: setsockopt(n, SO_REUSEADDR, 1); bind(n, *:80); listen(n, 5)\n",
    );
    assert_eq!(reached(&reuse), Some(3));
}

/// The value the default seed drew for a parameter of an exercise.
fn drawn(name: &str, param: &str) -> u64 {
    let text = sockscope_scenario::params::instantiate(exercise(name), 1).unwrap();
    let key = format!("# param {param} = ");
    let line = text.lines().find(|l| l.starts_with(&key)).unwrap();
    line[key.len()..].parse().unwrap()
}

#[test]
fn a_big_send_returns_once_the_receiver_has_read_enough() {
    let (buf, size) = (drawn("big-send", "buf"), drawn("big-send", "size"));
    assert!(
        size > 2 * buf,
        "the message must not fit: {size} vs 2 × {buf}"
    );
    let reads = format!("B: recv(s, {buf})\nnet: run\n").repeat((size / buf + 1) as usize);
    let r = attempt(
        "big-send",
        &format!("A: send(c, {size}) &\nnet: run\n{reads}"),
    );
    assert!(reached(&r).is_some(), "{}", r.text());
    let unread = attempt("big-send", &format!("A: send(c, {size}) &\nnet: run\n"));
    assert_eq!(reached(&unread), None);
}

#[test]
fn time_wait_lands_on_the_side_that_closes_first() {
    let client_first = attempt(
        "client-time-wait",
        "client: close(c)\nnet: run\nserver: close(s)\nnet: run 1s\n",
    );
    assert_eq!(reached(&client_first), Some(2));
    let server_first = attempt(
        "client-time-wait",
        "server: close(s)\nnet: run\nclient: close(c)\nnet: run 1s\n",
    );
    assert_eq!(reached(&server_first), None);
}

#[test]
fn only_a_forged_rst_inside_the_window_breaks_one_side_of_the_connection() {
    let exact = attempt(
        "forge-rst",
        "net: inject TCP from 10.0.0.1:32768 to 10.0.0.2:9 RST seq=+0; run\n",
    );
    assert_eq!(reached(&exact), Some(0), "an injection is not a call");
    let far = attempt(
        "forge-rst",
        "net: inject TCP from 10.0.0.1:32768 to 10.0.0.2:9 RST seq=+100000; run\n",
    );
    assert_eq!(reached(&far), None, "outside the window it is ignored");
    let abort = attempt(
        "forge-rst",
        "A: setsockopt(c, SO_LINGER, 0)\nA: close(c)\nnet: run\n",
    );
    assert_eq!(reached(&abort), None, "a real RST tells A too");
}

#[test]
fn a_goal_is_read_as_written_and_refuses_calls() {
    let s = parse("goal state A c == ESTABLISHED and deadlock and transition SYN_SENT -> SYN_RCVD\nprompt Do it.\nhint Try.").unwrap();
    assert_eq!(
        s.to_string().trim_end(),
        "goal state A c == ESTABLISHED and deadlock and transition SYN_SENT -> SYN_RCVD\nprompt Do it.\nhint Try."
    );
    let e = parse("goal A: close(c) == 0").unwrap_err().to_string();
    assert!(e.starts_with("1:6: a goal only looks at the world"), "{e}");
    let e = parse("goal deadlock or no deadlock")
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"and\" and another condition"), "{e}");
    let e = parse("goal deadlock\nchoice 1").unwrap_err().to_string();
    assert_eq!(e, "2:1: a goal takes prompt and hint lines, not \"choice\"");
}
