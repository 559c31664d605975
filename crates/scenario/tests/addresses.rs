//! Addresses as C writes them in the language: `0.0.0.0` and `[::]` read, print back
//! and bind the wildcard; the generated programs write INADDR_ANY and in6addr_any;
//! IPV6_V6ONLY is an option name; bad spellings are refused with a clear message.

use sockscope_engine::{Call, Endpoint, OptName, SockOpt};
use sockscope_scenario::codegen::{generate, Lang, Options};
use sockscope_scenario::*;
use std::net::IpAddr;

fn call_of(line: &str) -> CallExpr {
    match &parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))[0].kind {
        Stmt::Call { call, .. } => call.call.clone(),
        other => panic!("{line}: not a call: {other:?}"),
    }
}

fn error(src: &str) -> String {
    match parse(src) {
        Ok(s) => panic!("{src:?} parsed: {s:?}"),
        Err(e) => e.to_string(),
    }
}

fn bound(line: &str) -> Endpoint {
    match call_of(line) {
        Call::Bind { addr, .. } => addr,
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn both_wildcard_spellings_are_read_as_written_and_print_back() {
    let v4: IpAddr = "0.0.0.0".parse().unwrap();
    let v6: IpAddr = "::".parse().unwrap();
    assert_eq!(
        bound("A: bind(s, 0.0.0.0:22)"),
        Endpoint::new(Some(v4), Some(22))
    );
    assert_eq!(
        bound("A: bind(s, [::]:22)"),
        Endpoint::new(Some(v6), Some(22))
    );
    for line in [
        "A: bind(s, 0.0.0.0:22)",
        "A: bind(s, [::]:22)",
        "A: bind(s, 0.0.0.0:*)",
    ] {
        let printed = parse(line).unwrap().to_string();
        assert_eq!(printed.trim(), line);
        assert_eq!(parse(&printed).unwrap(), parse(line).unwrap());
    }
}

#[test]
fn the_wildcard_spelled_wrong_or_used_as_a_destination_is_refused() {
    assert_eq!(
        error("A: bind(s, :::22)"),
        "1:12: an IPv6 address with a port is written in brackets, like [::]:22"
    );
    assert_eq!(
        error("A: bind(s, 0.0.0.0)"),
        "1:19: expected ':' and a port number after \"0.0.0.0\""
    );
    assert_eq!(
        error("A: connect(c, 0.0.0.0:80)"),
        "1:15: a destination needs a specific address; 0.0.0.0 and [::] are the wildcard, which only bind() takes (in \"0.0.0.0:80\")"
    );
    assert_eq!(
        error("A: sendto(u, 10, [::]:53)"),
        "1:18: a destination needs a specific address; 0.0.0.0 and [::] are the wildcard, which only bind() takes (in \"[::]:53\")"
    );
    assert_eq!(
        error("host A 0.0.0.0"),
        "1:8: \"0.0.0.0\" is the wildcard address, which a host cannot have; give it one like 10.0.0.1 or 2001:db8::1"
    );
}

#[test]
fn ipv6_v6only_is_an_option_name() {
    assert_eq!(
        call_of("A: setsockopt(s, IPV6_V6ONLY, 1)"),
        Call::SetSockOpt {
            fd: FdRef::Var("s".into()),
            opt: SockOpt::V6Only(true)
        }
    );
    assert_eq!(
        call_of("A: getsockopt(s, IPV6_V6ONLY)"),
        Call::GetSockOpt {
            fd: FdRef::Var("s".into()),
            name: OptName::V6Only
        }
    );
    let line = "A: setsockopt(s, IPV6_V6ONLY, 0)";
    assert_eq!(parse(line).unwrap().to_string().trim(), line);
    assert_eq!(
        error("A: setsockopt(s, IPV6_ONLY, 1)"),
        "1:18: unknown socket option \"IPV6_ONLY\"; use SO_SNDBUF, SO_RCVBUF, SO_LINGER, SO_REUSEADDR or IPV6_V6ONLY"
    );
}

#[test]
fn the_runner_binds_the_wildcard_and_shows_dual_stack_rows_mapped() {
    let text = "host S 10.0.0.1 2001:db8::1\nhost C 10.0.0.2\n\
        S: l = socket(TCP, AF_INET6); bind(l, [::]:80); listen(l, 5)\n\
        S: m = socket(TCP); bind(m, 0.0.0.0:81); listen(m, 5)\n\
        C: c = socket(TCP); connect(c, 10.0.0.1:80)\n\
        S: s = accept(l)\n\
        netstat S\n";
    let report = run(&parse(text).unwrap());
    assert!(report.error.is_none(), "{}", report.text());
    let out = report.text();
    assert!(
        out.contains("S: s = accept(l) returned 5 (peer [::ffff:10.0.0.2]:32768)"),
        "{out}"
    );
    for row in [
        "tcp6       0      0 :::80                   :::*                    LISTEN",
        "tcp        0      0 0.0.0.0:81              0.0.0.0:*               LISTEN",
        "tcp6       0      0 ::ffff:10.0.0.1:80      ::ffff:10.0.0.2:32768   ESTABLISHED",
    ] {
        assert!(out.contains(row), "{row}\n{out}");
    }
}

/// The lines `generate` wrote for A's program.
fn program(text: &str, lang: Lang, opts: &Options) -> Vec<String> {
    let s = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let g = generate(&s.statements, lang, opts);
    let file = format!("A.{}", lang.extension());
    let p = g.programs.iter().find(|p| p.file_name == file).unwrap();
    p.lines.iter().map(|l| l.text.trim().to_string()).collect()
}

const WILDCARDS: &str = "host A 10.0.0.1 2001:db8::1\n\
    A: l = socket(TCP); bind(l, 0.0.0.0:22)\n\
    A: m = socket(TCP, AF_INET6); setsockopt(m, IPV6_V6ONLY, 1); bind(m, [::]:22)\n\
    A: getsockopt(m, IPV6_V6ONLY)\n";

#[test]
fn c_writes_inaddr_any_in6addr_any_and_ipv6_v6only_at_its_level() {
    // On loopback too: the wildcard is never turned into 127.0.0.x or ::1.
    let s = parse(WILDCARDS).unwrap();
    for opts in [Options::default(), Options::loopback(&s.statements)] {
        let lines = program(WILDCARDS, Lang::C, &opts);
        for want in [
            "addr.sin_addr.s_addr = htonl(INADDR_ANY);",
            "addr6.sin6_addr = in6addr_any;",
            "r = setsockopt(m, IPPROTO_IPV6, IPV6_V6ONLY, &opt, sizeof opt);",
            "r = getsockopt(m, IPPROTO_IPV6, IPV6_V6ONLY, &opt, &len);",
        ] {
            assert!(lines.contains(&want.to_string()), "{want}\n{lines:#?}");
        }
        assert!(!lines.iter().any(|l| l.contains("inet_pton")), "{lines:#?}");
    }
}

#[test]
fn python_writes_the_wildcard_as_written_and_ipv6_v6only_at_its_level() {
    let s = parse(WILDCARDS).unwrap();
    let lines = program(WILDCARDS, Lang::Python, &Options::loopback(&s.statements));
    for want in [
        "l.bind((\"0.0.0.0\", 22))",
        "m.bind((\"::\", 22))",
        "m.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)",
    ] {
        assert!(lines.iter().any(|l| l.contains(want)), "{want}\n{lines:#?}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("m.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY")),
        "{lines:#?}"
    );
}
