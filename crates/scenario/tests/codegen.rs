//! The program generator, call by call, in C and in Python: what each call becomes,
//! where each statement's lines sit, which process runs in which program.

use sockscope_scenario::codegen::{generate, Generated, Lang, Options, Program};
use sockscope_scenario::parse;

/// Two hosts, then `lines` (statement 2 is the first of them).
fn scenario(lines: &str) -> String {
    format!("host A 10.0.0.1\nhost B 10.0.0.2\n{lines}")
}

fn generated(text: &str, lang: Lang, opts: &Options) -> Generated {
    let s = parse(text).unwrap_or_else(|e| panic!("{e}"));
    generate(&s.statements, lang, opts)
}

fn program<'a>(g: &'a Generated, file: &str) -> &'a Program {
    g.programs
        .iter()
        .find(|p| p.file_name == file)
        .unwrap_or_else(|| panic!("no {file} among {:?}", names(g)))
}

fn names(g: &Generated) -> Vec<&str> {
    g.programs.iter().map(|p| p.file_name.as_str()).collect()
}

/// The lines statement `stmt` left in `file`, without their indentation.
fn lines_of(g: &Generated, file: &str, stmt: usize) -> Vec<String> {
    let p = program(g, file);
    p.lines_of(stmt)
        .map(|i| p.lines[i].text.trim().to_string())
        .collect()
}

/// The lines of A's last statement when A's calls are `calls`.
fn last(calls: &str, lang: Lang) -> Vec<String> {
    let text = scenario(calls);
    let n = parse(&text).unwrap().statements.len();
    let file = format!("A.{}", lang.extension());
    lines_of(&generated(&text, lang, &Options::default()), &file, n - 1)
}

fn c(calls: &str) -> Vec<String> {
    last(calls, Lang::C)
}

fn py(calls: &str) -> Vec<String> {
    last(calls, Lang::Python)
}

// ----- C, call by call -----

#[test]
fn c_socket_tcp_udp_and_ipv6() {
    assert_eq!(
        c("A: c = socket(TCP)"),
        [
            "// A: c = socket(TCP)",
            "c = socket(AF_INET, SOCK_STREAM, 0);",
            "if (c == -1)",
            "failed(\"A: c = socket(TCP)\");",
            "else",
            "printf(\"A: c = socket(TCP) = %d\\n\", c);",
        ]
    );
    assert!(c("A: u = socket(UDP)").contains(&"u = socket(AF_INET, SOCK_DGRAM, 0);".into()));
    assert!(
        c("A: v = socket(TCP, AF_INET6)").contains(&"v = socket(AF_INET6, SOCK_STREAM, 0);".into())
    );
}

#[test]
fn c_bind_fills_a_sockaddr_with_htons_and_inet_pton() {
    assert_eq!(
        c("A: l = socket(TCP)\nA: bind(l, 10.0.0.1:80)"),
        [
            "// A: bind(l, 10.0.0.1:80)",
            "memset(&addr, 0, sizeof addr);",
            "addr.sin_family = AF_INET;",
            "addr.sin_port = htons(80);",
            "inet_pton(AF_INET, \"10.0.0.1\", &addr.sin_addr);",
            "r = bind(l, (struct sockaddr *)&addr, sizeof addr);",
            "if (r == -1)",
            "failed(\"A: bind(l, 10.0.0.1:80)\");",
            "else",
            "printf(\"A: bind(l, 10.0.0.1:80) = %d\\n\", r);",
        ]
    );
    let any = c("A: l = socket(TCP)\nA: bind(l, *:*)");
    assert!(any.contains(&"addr.sin_addr.s_addr = htonl(INADDR_ANY);".into()));
    assert!(any.contains(&"addr.sin_port = htons(0);".into()));
}

#[test]
fn c_an_ipv6_socket_binds_and_connects_with_sockaddr_in6() {
    let any = c("A: l = socket(TCP, AF_INET6)\nA: bind(l, *:22)");
    assert!(any.contains(&"addr6.sin6_family = AF_INET6;".into()));
    assert!(any.contains(&"addr6.sin6_addr = in6addr_any;".into()));
    assert!(any.contains(&"r = bind(l, (struct sockaddr *)&addr6, sizeof addr6);".into()));
    let to = c("A: c = socket(TCP, AF_INET6)\nA: connect(c, [2001:db8::1]:22)");
    assert!(to.contains(&"inet_pton(AF_INET6, \"2001:db8::1\", &addr6.sin6_addr);".into()));
    // An accepted or duplicated descriptor has its listener's family.
    let accepted =
        c("A: l = socket(TCP, AF_INET6)\nA: s = accept(l)\nA: d = dup(s)\nA: bind(d, *:1)");
    assert!(accepted.contains(&"addr6.sin6_addr = in6addr_any;".into()));
}

#[test]
fn c_listen_connect_accept() {
    assert!(c("A: l = socket(TCP)\nA: listen(l, 5)").contains(&"r = listen(l, 5);".into()));
    let connect = c("A: c = socket(TCP)\nA: connect(c, 10.0.0.2:22)");
    assert!(connect.contains(&"inet_pton(AF_INET, \"10.0.0.2\", &addr.sin_addr);".into()));
    assert!(connect.contains(&"r = connect(c, (struct sockaddr *)&addr, sizeof addr);".into()));
    let accept = c("A: l = socket(TCP)\nA: s = accept(l)");
    assert!(accept.contains(&"s = accept(l, NULL, NULL);".into()));
    assert!(accept.contains(&"printf(\"A: s = accept(l) = %d\\n\", s);".into()));
}

#[test]
fn c_send_and_recv_use_one_buffer_as_large_as_the_largest() {
    let text = scenario("A: c = socket(TCP)\nA: send(c, 1000)\nA: recv(c, 4K)");
    let g = generated(&text, Lang::C, &Options::default());
    assert_eq!(
        lines_of(&g, "A.c", 3),
        [
            "// A: send(c, 1000)",
            "n = send(c, buf, 1000, 0);",
            "if (n == -1)",
            "failed(\"A: send(c, 1000)\");",
            "else",
            "printf(\"A: send(c, 1000) = %zd\\n\", n);",
        ]
    );
    assert!(lines_of(&g, "A.c", 4).contains(&"n = recv(c, buf, 4096, 0);".into()));
    let text = program(&g, "A.c").text();
    assert!(text.contains("static char buf[4096];"));
    assert!(text.contains("signal(SIGPIPE, SIG_IGN);"));
}

#[test]
fn c_sendto_and_recvfrom() {
    let to = c("A: u = socket(UDP)\nA: sendto(u, 100, 10.0.0.2:53)");
    assert!(
        to.contains(&"n = sendto(u, buf, 100, 0, (struct sockaddr *)&addr, sizeof addr);".into())
    );
    let from = c("A: u = socket(UDP)\nA: recvfrom(u, 300)");
    assert!(from.contains(&"from_len = sizeof from;".into()));
    assert!(
        from.contains(&"n = recvfrom(u, buf, 300, 0, (struct sockaddr *)&from, &from_len);".into())
    );
}

#[test]
fn c_shutdown_close_dup_fcntl() {
    assert!(c("A: c = socket(TCP)\nA: shutdown(c, SHUT_WR)")
        .contains(&"r = shutdown(c, SHUT_WR);".into()));
    assert!(c("A: c = socket(TCP)\nA: close(c)").contains(&"r = close(c);".into()));
    assert!(c("A: c = socket(TCP)\nA: d = dup(c)").contains(&"d = dup(c);".into()));
    assert!(c("A: c = socket(TCP)\nA: fcntl(c, O_NONBLOCK)")
        .contains(&"r = fcntl(c, F_SETFL, O_NONBLOCK);".into()));
    assert!(c("A: c = socket(TCP)\nA: fcntl(c, F_SETFL, 0)")
        .contains(&"r = fcntl(c, F_SETFL, 0);".into()));
    // A descriptor written as a number stays a number.
    assert!(c("A: close(3)").contains(&"r = close(3);".into()));
}

#[test]
fn c_setsockopt_for_each_option() {
    let reuse = c("A: l = socket(TCP)\nA: setsockopt(l, SO_REUSEADDR, 1)");
    assert!(reuse.contains(&"opt = 1;".into()));
    assert!(
        reuse.contains(&"r = setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &opt, sizeof opt);".into())
    );
    let buf = c("A: l = socket(TCP)\nA: setsockopt(l, SO_RCVBUF, 2K)");
    assert!(buf.contains(&"opt = 2048;".into()));
    assert!(buf.contains(&"r = setsockopt(l, SOL_SOCKET, SO_RCVBUF, &opt, sizeof opt);".into()));
    let snd = c("A: l = socket(TCP)\nA: setsockopt(l, SO_SNDBUF, 500)");
    assert!(snd.contains(&"r = setsockopt(l, SOL_SOCKET, SO_SNDBUF, &opt, sizeof opt);".into()));
    let linger = c("A: l = socket(TCP)\nA: setsockopt(l, SO_LINGER, 5)");
    assert!(linger.contains(&"lg.l_onoff = 1;".into()));
    assert!(linger.contains(&"lg.l_linger = 5;".into()));
    assert!(linger.contains(&"r = setsockopt(l, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);".into()));
    let off = c("A: l = socket(TCP)\nA: setsockopt(l, SO_LINGER, off)");
    assert!(off.contains(&"lg.l_onoff = 0;".into()));
}

#[test]
fn c_getsockopt_prints_the_value_as_the_runner_does() {
    let buf = c("A: l = socket(TCP)\nA: getsockopt(l, SO_SNDBUF)");
    assert!(buf.contains(&"len = sizeof opt;".into()));
    assert!(buf.contains(&"r = getsockopt(l, SOL_SOCKET, SO_SNDBUF, &opt, &len);".into()));
    assert!(buf.contains(
        &"printf(\"A: getsockopt(l, SO_SNDBUF) = %d (SO_SNDBUF, %d)\\n\", r, opt);".into()
    ));
    let linger = c("A: l = socket(TCP)\nA: getsockopt(l, SO_LINGER)");
    assert!(linger.contains(&"else if (lg.l_onoff)".into()));
    assert!(linger
        .contains(&"printf(\"A: getsockopt(l, SO_LINGER) = %d (SO_LINGER, off)\\n\", r);".into()));
}

#[test]
fn c_fork_puts_the_child_in_the_parents_program() {
    let text = scenario("A: c = socket(TCP)\nA: fork(worker)\nA/worker: close(c)\nA: close(c)");
    let g = generated(&text, Lang::C, &Options::default());
    assert_eq!(names(&g), ["A.c"]);
    assert_eq!(g.programs[0].procs.len(), 2);
    assert_eq!(
        lines_of(&g, "A.c", 3),
        [
            "// A: fork(worker)",
            "worker_pid = fork();",
            "if (worker_pid == -1)",
            "failed(\"A: fork(worker)\");",
            "else if (worker_pid == 0)",
            "me = PROC_A_WORKER;",
            "else",
            "printf(\"A: fork(worker) = %d\\n\", (int)worker_pid);",
        ]
    );
    assert_eq!(lines_of(&g, "A.c", 4)[1], "if (me == PROC_A_WORKER) {");
    assert_eq!(lines_of(&g, "A.c", 5)[1], "if (me == PROC_A) {");
    // Before the fork only the first process exists: no guard.
    assert_eq!(
        lines_of(&g, "A.c", 2)[1],
        "c = socket(AF_INET, SOCK_STREAM, 0);"
    );
    assert!(g.programs[0]
        .text()
        .contains("enum { PROC_A, PROC_A_WORKER };"));
}

// ----- Python, call by call -----

#[test]
fn python_socket_and_its_failure_leave_no_socket() {
    assert_eq!(
        py("A: c = socket(TCP)"),
        [
            "# A: c = socket(TCP)",
            "try:",
            "c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "print(\"A: c = socket(TCP) =\", c.fileno())",
            "except OSError as e:",
            "c = NO_SOCKET",
            "failed(\"A: c = socket(TCP)\", e)",
        ]
    );
    assert!(py("A: u = socket(UDP, AF_INET6)")
        .contains(&"u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)".into()));
}

#[test]
fn python_bind_listen_connect_accept() {
    assert!(py("A: l = socket(TCP)\nA: bind(l, *:80)").contains(&"l.bind((\"\", 80))".into()));
    assert!(py("A: l = socket(TCP, AF_INET6)\nA: bind(l, *:80)")
        .contains(&"l.bind((\"::\", 80))".into()));
    assert!(py("A: l = socket(TCP)\nA: bind(l, 10.0.0.1:*)")
        .contains(&"l.bind((\"10.0.0.1\", 0))".into()));
    let listen = py("A: l = socket(TCP)\nA: listen(l, 5)");
    assert!(listen.contains(&"l.listen(5)".into()));
    assert!(listen.contains(&"print(\"A: listen(l, 5) = 0\")".into()));
    assert!(py("A: c = socket(TCP)\nA: connect(c, 10.0.0.2:22)")
        .contains(&"c.connect((\"10.0.0.2\", 22))".into()));
    let accept = py("A: l = socket(TCP)\nA: s = accept(l)");
    assert!(accept.contains(&"s, peer = l.accept()".into()));
    assert!(accept.contains(&"s = NO_SOCKET".into()));
}

#[test]
fn python_data_calls() {
    let send = py("A: c = socket(TCP)\nA: send(c, 1000)");
    assert!(send.contains(&"n = c.send(bytes(1000))".into()));
    assert!(send.contains(&"print(\"A: send(c, 1000) =\", n)".into()));
    let recv = py("A: c = socket(TCP)\nA: recv(c, 2000)");
    assert!(recv.contains(&"data = c.recv(2000)".into()));
    assert!(recv.contains(&"print(\"A: recv(c, 2000) =\", len(data))".into()));
    assert!(py("A: u = socket(UDP)\nA: sendto(u, 10, 10.0.0.2:53)")
        .contains(&"n = u.sendto(bytes(10), (\"10.0.0.2\", 53))".into()));
    assert!(py("A: u = socket(UDP)\nA: recvfrom(u, 300)")
        .contains(&"data, peer = u.recvfrom(300)".into()));
}

#[test]
fn python_shutdown_close_options_dup_blocking() {
    assert!(py("A: c = socket(TCP)\nA: shutdown(c, SHUT_RD)")
        .contains(&"c.shutdown(socket.SHUT_RD)".into()));
    assert!(py("A: c = socket(TCP)\nA: close(c)").contains(&"c.close()".into()));
    assert!(py("A: c = socket(TCP)\nA: setsockopt(c, SO_REUSEADDR, on)")
        .contains(&"c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)".into()));
    assert!(py("A: c = socket(TCP)\nA: setsockopt(c, SO_SNDBUF, 1K)")
        .contains(&"c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024)".into()));
    assert!(
        py("A: c = socket(TCP)\nA: setsockopt(c, SO_LINGER, 7)").contains(
            &"c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 7))".into()
        )
    );
    let get = py("A: c = socket(TCP)\nA: getsockopt(c, SO_RCVBUF)");
    assert!(get.contains(&"v = c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)".into()));
    assert!(
        get.contains(&"print(\"A: getsockopt(c, SO_RCVBUF) =\", f\"0 (SO_RCVBUF, {v})\")".into())
    );
    let linger = py("A: c = socket(TCP)\nA: getsockopt(c, SO_LINGER)");
    assert!(linger.contains(
        &"on, secs = struct.unpack(\"ii\", c.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))"
            .into()
    ));
    assert!(py("A: c = socket(TCP)\nA: d = dup(c)").contains(&"d = c.dup()".into()));
    assert!(
        py("A: c = socket(TCP)\nA: fcntl(c, O_NONBLOCK)").contains(&"c.setblocking(False)".into())
    );
    assert!(py("A: c = socket(TCP)\nA: fcntl(c, 0)").contains(&"c.setblocking(True)".into()));
    assert!(py("A: close(4)").contains(&"by_number(4).close()".into()));
}

#[test]
fn python_fork_marks_the_childs_calls() {
    let text = scenario("A: c = socket(TCP)\nA: fork(w)\nA/w: close(c)");
    let g = generated(&text, Lang::Python, &Options::default());
    let fork = lines_of(&g, "A.py", 3);
    assert!(fork.contains(&"w_pid = os.fork()".into()));
    assert!(fork.contains(&"me = PROC_A_W".into()));
    assert_eq!(lines_of(&g, "A.py", 4)[1], "if me == PROC_A_W:");
    assert!(g.programs[0].text().contains("PROC_A, PROC_A_W = range(2)"));
}

// ----- the programs as a whole -----

#[test]
fn statements_without_a_program_form_are_comments_in_every_program() {
    let text = scenario(
        "B: l = socket(TCP); bind(l, *:80); listen(l, 5)\n\
         A: c = socket(TCP); connect(c, 10.0.0.2:80)\n\
         net: deliver 1\n\
         say Hello # not a comment\n\
         expect state A c == SYN_SENT\n\
         netstat B",
    );
    for lang in Lang::ALL {
        let g = generated(&text, lang, &Options::default());
        let mark = if lang == Lang::C { "//" } else { "#" };
        for file in names(&g) {
            assert_eq!(lines_of(&g, file, 7), [format!("{mark} net: deliver 1")]);
            assert_eq!(
                lines_of(&g, file, 8),
                [format!("{mark} say Hello # not a comment")]
            );
            assert_eq!(
                lines_of(&g, file, 9),
                [format!("{mark} expect state A c == SYN_SENT")]
            );
        }
        // Another process's call is only a comment.
        let b = format!("B.{}", lang.extension());
        assert_eq!(lines_of(&g, &b, 5), [format!("{mark} A: c = socket(TCP)")]);
        // Every statement left at least one line in every program, in order.
        for p in &g.programs {
            let stmts: Vec<usize> = p.lines.iter().filter_map(|l| l.stmt).collect();
            assert!(stmts.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!(stmts.iter().copied().max(), Some(10));
            assert!((0..=10).all(|s| stmts.contains(&s)));
        }
    }
}

#[test]
fn a_call_in_an_expectation_or_a_question_is_made_and_its_answer_not_shown() {
    let text = scenario(
        "A: c = socket(TCP)\n\
         expect A: connect(c, 10.0.0.2:9) == ECONNREFUSED\n\
         ask q A: send(c, 10)\n\
         prompt What does it return?\n\
         hint 10: no connection, no bytes\n\
         why EPIPE: nothing is connected",
    );
    let g = generated(&text, Lang::C, &Options::default());
    let expect = lines_of(&g, "A.c", 3);
    assert_eq!(
        expect[0],
        "// expect A: connect(c, 10.0.0.2:9) == ECONNREFUSED"
    );
    assert!(expect.contains(&"r = connect(c, (struct sockaddr *)&addr, sizeof addr);".into()));
    let ask = lines_of(&g, "A.c", 4);
    assert_eq!(
        ask[..2],
        ["// ask q A: send(c, 10)", "// prompt What does it return?"]
    );
    assert!(ask.contains(&"n = send(c, buf, 10, 0);".into()));
    let all = program(&g, "A.c").text();
    assert!(!all.contains("no connection") && !all.contains("nothing is connected"));
}

#[test]
fn an_ampersand_call_says_what_the_program_does_instead() {
    for lang in Lang::ALL {
        let code = last("A: c = socket(TCP)\nA: connect(c, 10.0.0.2:7) &", lang);
        assert!(code[0].ends_with("A: connect(c, 10.0.0.2:7) &"));
        assert!(code
            .iter()
            .any(|l| l.contains("left running while the others act")));
    }
}

#[test]
fn each_process_has_its_own_file_named_after_it() {
    let text = scenario("B: l = socket(TCP)\nA/worker: c = socket(TCP)\nA: d = socket(TCP)");
    for (lang, files) in [
        (Lang::C, ["B.c", "A-worker.c", "A.c"]),
        (Lang::Python, ["B.py", "A-worker.py", "A.py"]),
    ] {
        assert_eq!(names(&generated(&text, lang, &Options::default())), files);
    }
}

#[test]
fn after_a_crash_the_restarted_process_continues_the_same_file() {
    let text = scenario("A: c = socket(TCP)\nnet: crash A; restart A\nA: c = socket(TCP)");
    let g = generated(&text, Lang::C, &Options::default());
    assert_eq!(names(&g), ["A.c"]);
    assert!(lines_of(&g, "A.c", 5).contains(&"c = socket(AF_INET, SOCK_STREAM, 0);".into()));
}

#[test]
fn variable_names_stay_unless_the_language_reserves_them() {
    let text = scenario(
        "A: send = socket(TCP); int = socket(TCP); EOF = socket(TCP); from = socket(TCP)\n\
         A: close(send); close(int); close(EOF); close(from)",
    );
    let c = generated(&text, Lang::C, &Options::default());
    let c_text = program(&c, "A.c").text();
    assert!(
        c_text.contains("int v_EOF = -1, from_ = -1, int_ = -1, send_ = -1;"),
        "{c_text}"
    );
    assert!(c_text.contains("r = close(send_);"));
    let py = generated(&text, Lang::Python, &Options::default());
    let py_text = program(&py, "A.py").text();
    assert!(py_text.contains("from_.close()"), "{py_text}");
    assert!(py_text.contains("send = socket.socket("), "{py_text}");
    // Labels keep the learner's spelling.
    assert!(py_text.contains("print(\"A: close(from) = 0\")"));
}

#[test]
fn loopback_and_port_maps_change_the_code_not_the_labels() {
    let text = scenario(
        "B: l = socket(TCP); bind(l, 10.0.0.2:80)\nA: c = socket(TCP); connect(c, 10.0.0.2:80)",
    );
    let s = parse(&text).unwrap();
    let mut opts = Options::loopback(&s.statements);
    assert_eq!(opts.addrs.len(), 2);
    opts.ports.insert(80, 40080);
    let g = generate(&s.statements, Lang::C, &opts);
    let connect = lines_of(&g, "A.c", 5);
    assert!(connect.contains(&"inet_pton(AF_INET, \"127.0.0.2\", &addr.sin_addr);".into()));
    assert!(connect.contains(&"addr.sin_port = htons(40080);".into()));
    assert!(connect.contains(&"failed(\"A: connect(c, 10.0.0.2:80)\");".into()));
    let header = program(&g, "A.c").text().replace("\n// ", " ");
    assert!(
        header.contains("10.0.0.2 as 127.0.0.2, port 80 as 40080"),
        "{header}"
    );
}

#[test]
fn conducted_programs_wait_for_their_turn_and_number_their_results() {
    let text = scenario("B: l = socket(TCP)\nA: c = socket(TCP)\nB: close(l)");
    let opts = Options {
        conducted: true,
        ..Options::default()
    };
    for lang in Lang::ALL {
        let g = generated(&text, lang, &opts);
        let seqs: Vec<usize> = g.calls.iter().map(|c| c.seq).collect();
        assert_eq!(seqs, [0, 1, 2]);
        assert_eq!(g.calls[1].label, "A: c = socket(TCP)");
        let b = format!("B.{}", lang.extension());
        let close = lines_of(&g, &b, 4);
        assert!(close[1].starts_with("wait_turn(2)"), "{close:?}");
        assert!(close.iter().any(|l| l.contains("\"@2 B: close(l)")));
        // At the end every program waits for the whole run: turn 3.
        assert!(program(&g, &b).text().contains("wait_turn(3)"));
    }
    let plain = generated(&text, Lang::C, &Options::default());
    assert!(!program(&plain, "B.c").text().contains("wait_turn"));
}

#[test]
fn the_slice_of_statements_run_so_far_is_enough() {
    let text = scenario("B: l = socket(TCP)\nA: c = socket(TCP)\nB: close(l)");
    let s = parse(&text).unwrap();
    let g = generate(&s.statements[..3], Lang::Python, &Options::default());
    assert_eq!(names(&g), ["B.py"]);
    assert_eq!(g.calls.len(), 1);
}
