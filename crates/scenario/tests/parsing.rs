//! What the parser builds from well-formed text.

use sockscope_engine::{Endpoint, Errno, Family, OptName, Proto, Shutdown, SockOpt, TcpState};
use sockscope_scenario::*;

fn kinds(src: &str) -> Vec<Stmt> {
    parse(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .statements
        .into_iter()
        .map(|s| s.kind)
        .collect()
}

fn one(src: &str) -> Stmt {
    let mut k = kinds(src);
    assert_eq!(k.len(), 1, "{src}: {k:?}");
    k.remove(0)
}

fn call_of(src: &str) -> CallStmt {
    match one(src) {
        Stmt::Call { call, .. } => call,
        other => panic!("{src}: not a call: {other:?}"),
    }
}

fn var(v: &str) -> FdRef {
    FdRef::Var(v.to_string())
}

#[test]
fn comments_and_blank_lines_produce_nothing() {
    assert!(kinds("\n   \n# just a comment\n\t# another\n").is_empty());
}

#[test]
fn statements_keep_their_line_and_column() {
    let s = parse("# header\n\nB: l = socket(TCP); bind(l, *:22)\n")
        .unwrap()
        .statements;
    assert_eq!(
        s.iter().map(|s| (s.line, s.col)).collect::<Vec<_>>(),
        vec![(3, 4), (3, 21)]
    );
}

#[test]
fn a_process_line_holds_several_calls_of_that_process() {
    let k = kinds("B: l = socket(TCP); bind(l, *:22); listen(l, 5)");
    let procs: Vec<_> = k
        .iter()
        .map(|s| match s {
            Stmt::Call { proc, .. } => proc.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(procs, vec![ProcRef::host("B"); 3]);
    assert_eq!(
        k[1],
        Stmt::Call {
            proc: ProcRef::host("B"),
            call: CallStmt {
                var: None,
                call: CallExpr::Bind {
                    fd: var("l"),
                    addr: Endpoint::new(None, Some(22)),
                },
                background: false,
            },
        }
    );
}

#[test]
fn named_processes_and_fork() {
    let k = kinds("S/worker: close(3); fork(helper)");
    let worker = ProcRef {
        host: "S".into(),
        proc: Some("worker".into()),
    };
    assert_eq!(
        k,
        vec![
            Stmt::Call {
                proc: worker.clone(),
                call: CallStmt {
                    var: None,
                    call: CallExpr::Close { fd: FdRef::Num(3) },
                    background: false
                }
            },
            Stmt::Fork {
                proc: worker,
                child: "helper".into()
            }
        ]
    );
}

#[test]
fn assignments_ampersand_and_descriptor_numbers() {
    let c = call_of("A: s2 = accept(l) &");
    assert_eq!(c.var.as_deref(), Some("s2"));
    assert!(c.background);
    assert_eq!(c.call, CallExpr::Accept { fd: var("l") });
    assert_eq!(
        call_of("A: send(-1, 5)").call,
        CallExpr::Send {
            fd: FdRef::Num(-1),
            len: 5
        }
    );
}

#[test]
fn every_call_form_is_read() {
    let cases: Vec<(&str, CallExpr)> = vec![
        (
            "socket(UDP, AF_INET6)",
            CallExpr::Socket {
                proto: Proto::Udp,
                family: Family::V6,
            },
        ),
        (
            "socket(sock_stream, AF_INET)",
            CallExpr::Socket {
                proto: Proto::Tcp,
                family: Family::V4,
            },
        ),
        (
            "bind(s, [::1]:80)",
            CallExpr::Bind {
                fd: var("s"),
                addr: Endpoint::new(Some("::1".parse().unwrap()), Some(80)),
            },
        ),
        (
            "bind(s, 10.0.0.1:*)",
            CallExpr::Bind {
                fd: var("s"),
                addr: Endpoint::new(Some("10.0.0.1".parse().unwrap()), None),
            },
        ),
        (
            "connect(s, [2001:db8::1]:22)",
            CallExpr::Connect {
                fd: var("s"),
                addr: "[2001:db8::1]:22".parse().unwrap(),
            },
        ),
        (
            "sendto(s, 64K, 10.0.0.2:53)",
            CallExpr::SendTo {
                fd: var("s"),
                len: 65_536,
                to: "10.0.0.2:53".parse().unwrap(),
            },
        ),
        (
            "recvfrom(s, 1M)",
            CallExpr::RecvFrom {
                fd: var("s"),
                len: 1 << 20,
            },
        ),
        (
            "shutdown(s, SHUT_WR)",
            CallExpr::Shutdown {
                fd: var("s"),
                how: Shutdown::Write,
            },
        ),
        (
            "setsockopt(s, SO_LINGER, off)",
            CallExpr::SetSockOpt {
                fd: var("s"),
                opt: SockOpt::Linger(None),
            },
        ),
        (
            "setsockopt(s, SO_RCVBUF, 64KiB)",
            CallExpr::SetSockOpt {
                fd: var("s"),
                opt: SockOpt::RcvBuf(65_536),
            },
        ),
        (
            "setsockopt(s, SO_REUSEADDR, on)",
            CallExpr::SetSockOpt {
                fd: var("s"),
                opt: SockOpt::ReuseAddr(true),
            },
        ),
        (
            "getsockopt(s, SO_SNDBUF)",
            CallExpr::GetSockOpt {
                fd: var("s"),
                name: OptName::SndBuf,
            },
        ),
        (
            "fcntl(s, O_NONBLOCK)",
            CallExpr::SetNonBlocking {
                fd: var("s"),
                on: true,
            },
        ),
        (
            "fcntl(s, F_SETFL, 0)",
            CallExpr::SetNonBlocking {
                fd: var("s"),
                on: false,
            },
        ),
        ("dup(s)", CallExpr::Dup { fd: var("s") }),
    ];
    for (text, want) in cases {
        assert_eq!(call_of(&format!("A: {text}")).call, want, "{text}");
    }
}

#[test]
fn options_hosts_and_network_commands() {
    let k = kinds(
        "option delay 20ms; option loss 5%\nhost H 10.0.0.1 2001:db8::1\nnet: deliver 2; step; run; run 1.5s\nnet: loss A <-> B 0.25; delay A -> B 1s; drop next B -> A; crash B; restart B\nnet: reorder A -> B 30% 20ms; duplicate B <-> A 0.1",
    );
    let link = |from: &str, to: &str, both| Link {
        from: from.into(),
        to: to.into(),
        both,
    };
    assert_eq!(
        k,
        vec![
            Stmt::Option(Setting::Delay(20_000)),
            Stmt::Option(Setting::Loss(0.05)),
            Stmt::Host {
                name: "H".into(),
                addrs: vec!["10.0.0.1".parse().unwrap(), "2001:db8::1".parse().unwrap()]
            },
            Stmt::Net(NetCmd::Deliver(2)),
            Stmt::Net(NetCmd::Step(1)),
            Stmt::Net(NetCmd::Run(None)),
            Stmt::Net(NetCmd::Run(Some(1_500_000))),
            Stmt::Net(NetCmd::Loss(link("A", "B", true), 0.25)),
            Stmt::Net(NetCmd::Delay(link("A", "B", false), 1_000_000)),
            Stmt::Net(NetCmd::DropNext(link("B", "A", false))),
            Stmt::Net(NetCmd::Crash("B".into())),
            Stmt::Net(NetCmd::Restart("B".into())),
            Stmt::Net(NetCmd::Reorder(link("A", "B", false), 0.3, 20_000)),
            Stmt::Net(NetCmd::Duplicate(link("B", "A", true), 0.1)),
        ]
    );
}

#[test]
fn reorder_without_its_delay_says_what_is_missing() {
    let e = sockscope_scenario::parse("net: reorder A -> B 30%").unwrap_err();
    assert!(e.to_string().contains("duration"), "{e}");
}

#[test]
fn every_expectation_form_is_read() {
    let a = ProcRef::host("A");
    let k = kinds(
        "expect A: recv(s, 2000) == 1500
expect A: connect(c, 10.0.0.2:80) & == blocks
expect A: bind(l, *:80) == EADDRINUSE
expect state A c == TIME_WAIT
expect recvq A c == 1K
expect netstat B == 2; expect netstat B LISTEN == 1
expect deadlock; expect no deadlock
expect blocked A; expect not blocked A
expect returned A == -1
expect demux S UDP from 10.0.0.1:5 to 10.0.0.2:53 == u
expect demux S from 10.0.0.1:5 to 10.0.0.2:54 == none",
    );
    let e: Vec<Expect> = k
        .into_iter()
        .map(|s| match s {
            Stmt::Expect(e) => e,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(matches!(
        &e[0],
        Expect::Call {
            want: Outcome::Int(1500),
            ..
        }
    ));
    assert!(matches!(&e[1], Expect::Call { want: Outcome::Blocks, call, .. } if call.background));
    assert!(matches!(
        &e[2],
        Expect::Call {
            want: Outcome::Errno(Errno::EADDRINUSE),
            ..
        }
    ));
    assert_eq!(
        e[3],
        Expect::State {
            proc: a.clone(),
            fd: var("c"),
            want: TcpState::TimeWait
        }
    );
    assert_eq!(
        e[4],
        Expect::Queue {
            queue: QueueName::RecvQ,
            proc: a.clone(),
            fd: var("c"),
            want: 1024
        }
    );
    assert_eq!(
        (&e[5], &e[6]),
        (
            &Expect::Netstat {
                host: "B".into(),
                state: None,
                want: 2
            },
            &Expect::Netstat {
                host: "B".into(),
                state: Some(TcpState::Listen),
                want: 1
            }
        )
    );
    assert_eq!(
        (&e[7], &e[8]),
        (&Expect::Deadlock(true), &Expect::Deadlock(false))
    );
    assert_eq!(
        (&e[9], &e[10]),
        (
            &Expect::Blocked {
                proc: a.clone(),
                want: true
            },
            &Expect::Blocked {
                proc: a.clone(),
                want: false
            }
        )
    );
    assert_eq!(
        e[11],
        Expect::Returned {
            proc: a,
            want: Outcome::Int(-1)
        }
    );
    assert!(
        matches!(&e[12], Expect::Demux { packet, want: Some(_), .. } if packet.proto == Proto::Udp)
    );
    assert!(
        matches!(&e[13], Expect::Demux { packet, want: None, .. } if packet.proto == Proto::Tcp)
    );
}

#[test]
fn say_keeps_the_rest_of_the_line_verbatim() {
    assert_eq!(
        kinds("netstat A; say Look: 500 bytes; not more # really"),
        vec![
            Stmt::Netstat { host: "A".into() },
            Stmt::Say("Look: 500 bytes; not more # really".into())
        ]
    );
}

#[test]
fn section_keeps_its_title_and_ends_the_line() {
    assert_eq!(
        kinds("netstat A; section Closing: who goes first; really"),
        vec![
            Stmt::Netstat { host: "A".into() },
            Stmt::Section("Closing: who goes first; really".into())
        ]
    );
}

#[test]
fn a_host_called_state_still_works_in_call_expectations() {
    let k = kinds("expect state: close(3) == 0");
    assert!(matches!(&k[0], Stmt::Expect(Expect::Call { proc, .. }) if proc.host == "state"));
}

#[test]
fn parse_line_reads_one_console_line() {
    let s = parse_line("A: send(c, 10); send(c, 20)").unwrap();
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|s| s.line == 1));
    assert_eq!(parse_line_at("netstat A", 7).unwrap()[0].line, 7);
    // A console line may be an option even after hosts: only the runner knows.
    assert!(parse_line("option mss 100").is_ok());
}

#[test]
fn an_injection_reads_flags_and_relative_or_absolute_numbers() {
    use sockscope_engine::{Injection, Proto, SeqRef};
    let k = kinds("net: inject TCP from 10.0.0.1:32768 to 10.0.0.2:80 RST+ACK seq=+10 ack=5000 win=0 len=3\nnet: inject UDP from [::1]:9 to [::1]:53 len=40");
    let Stmt::Net(NetCmd::Inject(tcp)) = &k[0] else {
        panic!("{k:?}")
    };
    assert!(tcp.flags.rst && tcp.flags.ack && !tcp.flags.syn);
    assert_eq!(
        (tcp.seq, tcp.ack),
        (Some(SeqRef::Relative(10)), Some(SeqRef::Absolute(5000)))
    );
    assert_eq!(tcp.len, 3);
    let Stmt::Net(NetCmd::Inject(udp)) = &k[1] else {
        panic!("{k:?}")
    };
    assert_eq!(
        **udp,
        Injection {
            len: 40,
            ..Injection::new(
                Proto::Udp,
                "[::1]:9".parse().unwrap(),
                "[::1]:53".parse().unwrap(),
                Default::default()
            )
        }
    );
}

#[test]
fn an_injection_with_a_bad_flag_or_field_says_what_it_takes() {
    let e =
        sockscope_scenario::parse("net: inject TCP from 10.0.0.1:1 to 10.0.0.2:2 PSH").unwrap_err();
    assert!(e.to_string().contains("not a TCP flag"), "{e}");
    let e = sockscope_scenario::parse("net: inject UDP from 10.0.0.1:1 to 10.0.0.2:2 seq=5")
        .unwrap_err();
    assert!(e.to_string().contains("a datagram has no seq"), "{e}");
    let e = sockscope_scenario::parse("net: inject TCP from 10.0.0.1:1 to 10.0.0.2:2 RST seq=x")
        .unwrap_err();
    assert!(e.to_string().contains("expected a sequence number"), "{e}");
}

#[test]
fn ss_names_a_host_like_netstat() {
    assert_eq!(
        kinds("ss A; netstat A"),
        vec![
            Stmt::Ss { host: "A".into() },
            Stmt::Netstat { host: "A".into() }
        ]
    );
}

#[test]
fn option_behaviour_reads_textbook_and_linux_and_prints_back() {
    assert_eq!(
        kinds("option behaviour linux; option behaviour textbook"),
        vec![
            Stmt::Option(Setting::Behaviour(sockscope_engine::Behaviour::Linux)),
            Stmt::Option(Setting::Behaviour(sockscope_engine::Behaviour::Textbook)),
        ]
    );
    let s = sockscope_scenario::parse("option behaviour linux").unwrap();
    assert_eq!(s.statements[0].to_string(), "option behaviour linux");
}
