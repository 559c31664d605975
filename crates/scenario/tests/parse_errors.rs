//! Malformed scenarios: every message names line and column and what was expected.

use sockscope_scenario::parse;

/// The message for `src`, which must not parse.
fn error(src: &str) -> String {
    match parse(src) {
        Ok(s) => panic!("{src:?} parsed: {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_bad_port_is_reported_at_the_port() {
    assert_eq!(
        error("host A 10.0.0.1\n\nB: bind(l, *:x)"),
        "3:14: expected a port number after ':', found \"x\""
    );
    assert_eq!(
        error("A: bind(l, *:70000)"),
        "1:14: port 70000 is out of range (0 to 65535)"
    );
    assert_eq!(
        error("A: connect(c, 10.0.0.1)"),
        "1:23: expected ':' and a port number after \"10.0.0.1\""
    );
}

#[test]
fn bare_ipv6_with_a_port_asks_for_brackets() {
    assert_eq!(
        error("A: connect(c, 2001:db8::1:80)"),
        "1:15: an IPv6 address with a port is written in brackets, like [2001:db8::1]:80"
    );
}

#[test]
fn destinations_must_be_specific() {
    assert_eq!(
        error("A: connect(c, *:80)"),
        "1:15: a destination needs a specific address, not \"*\" (in \"*:80\")"
    );
}

#[test]
fn options_after_a_host_are_refused_with_the_reason() {
    assert_eq!(
        error("option mss 1000\nhost A 10.0.0.1\noption seed 2"),
        "3:1: options must come before the first host (line 2): the world is built from them when hosts appear"
    );
}

#[test]
fn unknown_words_list_what_is_known() {
    let e = error("A: frob(c)");
    assert!(
        e.starts_with("1:4: unknown call \"frob\"; the calls are socket, bind"),
        "{e}"
    );
    let e = error("option speed 3");
    assert!(
        e.starts_with("1:8: unknown option \"speed\"; the options are seed, mss"),
        "{e}"
    );
    let e = error("net: fly 3");
    assert!(e.starts_with("1:6: unknown network command \"fly\""), "{e}");
    let e = error("expect state A c == OPEN");
    assert!(e.starts_with("1:21: unknown TCP state \"OPEN\""), "{e}");
    let e = error("expect A: connect(c, 10.0.0.1:1) == ENOPE");
    assert!(e.starts_with("1:37: unknown errno \"ENOPE\""), "{e}");
    let e = error("frobnicate everything");
    assert!(
        e.starts_with("1:1: unknown statement \"frobnicate\""),
        "{e}"
    );
}

#[test]
fn missing_pieces_say_what_was_expected_and_found() {
    assert_eq!(
        error("A: send(c 100)"),
        "1:11: expected ',' and the next argument, found \"100\""
    );
    assert_eq!(
        error("A: send(c, 100"),
        "1:15: expected ')' to end the arguments of send, found the end of the line"
    );
    assert_eq!(
        error("A: listen(l, 5) listen(l, 6)"),
        "1:17: expected ';' or the end of the line, found \"listen\""
    );
    assert_eq!(
        error("expect sendq A c 100"),
        "1:18: expected \"==\" and the expected value, found \"100\""
    );
    assert_eq!(
        error("net: deliver"),
        "1:13: expected a number of segments, found the end of the line"
    );
    assert_eq!(
        error("A:"),
        "1:3: expected a statement, found the end of the line"
    );
    assert_eq!(
        error("A: send(c, 1); "),
        "1:16: expected a statement, found the end of the line"
    );
}

#[test]
fn values_out_of_their_range_are_refused() {
    assert_eq!(
        error("option loss 150%"),
        "1:13: a probability lies between 0% and 100%, found \"150%\""
    );
    assert_eq!(
        error("option delay 50"),
        "1:14: expected a duration with a unit (us, ms, s or min), like 50ms, found \"50\""
    );
    assert_eq!(error("option mss 0"), "1:12: mss must be at least 1");
    assert_eq!(
        error("A: send(99999999999, 1)"),
        "1:9: descriptor number \"99999999999\" is out of range"
    );
    assert_eq!(
        error("A: send(c, 10X)"),
        "1:12: unknown size unit \"X\" in \"10X\": use K, KiB, M, MiB, G or GiB"
    );
}

#[test]
fn only_descriptor_returning_calls_may_be_assigned() {
    assert_eq!(
        error("A: n = recv(s, 10)"),
        "1:4: only socket(), accept() and dup() return a descriptor to keep in a variable"
    );
}

#[test]
fn keywords_cannot_name_hosts() {
    assert_eq!(
        error("host net 10.0.0.1"),
        "1:6: \"net\" starts statements and cannot name a host; pick another name"
    );
    assert_eq!(
        error("host A 10.0.0.300"),
        "1:8: \"10.0.0.300\" is not an IP address (like 10.0.0.1 or 2001:db8::1)"
    );
}

#[test]
fn nothing_is_returned_when_any_line_is_malformed() {
    // A good first line does not survive a bad later one.
    assert!(parse("host A 10.0.0.1\nA: c = socket(TCP)\nA: send(c,").is_err());
}

#[test]
fn lines_count_from_one_even_with_windows_line_ends() {
    assert_eq!(
        error("host A 10.0.0.1\r\nA: bind(l, *:x)\r\n"),
        "2:14: expected a port number after ':', found \"x\""
    );
}

#[test]
fn a_section_needs_a_title() {
    assert_eq!(
        error("section"),
        "1:8: expected a title after section, found the end of the line"
    );
}

#[test]
fn ss_needs_a_host_and_cannot_name_one() {
    assert_eq!(
        error("ss"),
        "1:3: expected a host name after ss, found the end of the line"
    );
    assert_eq!(
        error("host ss 10.0.0.1"),
        "1:6: \"ss\" starts statements and cannot name a host; pick another name"
    );
}

#[test]
fn a_behaviour_other_than_textbook_or_linux_is_refused_with_the_choices() {
    assert_eq!(
        error("option behaviour bsd"),
        "1:18: unknown behaviour \"bsd\"; it is textbook or linux"
    );
    assert!(
        error("option behaviour 3").starts_with("1:18: expected a behaviour (textbook or linux)")
    );
}
