//! Native tests of the session: replay and export.

use super::session::{Input, Session};
use sockscope_scenario::{parse, NetCmd};

fn netstat(s: &Session) -> Vec<String> {
    let w = s.world();
    w.hosts()
        .iter()
        .flat_map(|h| w.netstat(h.id))
        .map(|r| r.to_string())
        .collect()
}

#[test]
fn step_back_replays_to_the_state_before_the_last_input() {
    let mut s = Session::default_world();
    s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80) &")
        .unwrap();
    let before = netstat(&s);
    s.net(NetCmd::Step(1)).unwrap();
    assert_ne!(
        netstat(&s),
        before,
        "the SYN arrived and created a SYN_RCVD structure"
    );
    assert!(s.step_back());
    assert_eq!(netstat(&s), before);
}

#[test]
fn an_exported_session_loads_back_to_the_same_world() {
    let mut s = Session::default_world();
    s.line("client: c = socket(TCP); connect(c, 10.0.0.2:80)")
        .unwrap();
    s.line("server: a = accept(l)").unwrap();
    s.call(
        sockscope_engine::Pid(0),
        &sockscope_engine::Call::Send {
            fd: sockscope_engine::Fd(3),
            len: 1000,
        },
    )
    .unwrap();
    s.net(NetCmd::Deliver(1)).unwrap();
    let script = s.script();
    let again = Session::finished(&parse(&script).expect("the export parses"));
    assert_eq!(netstat(&again), netstat(&s), "{script}");
}

#[test]
fn a_refused_line_changes_nothing() {
    let mut s = Session::default_world();
    let before = (netstat(&s), s.history.len());
    assert!(s.line("client: send(nope, 10)").is_err());
    assert!(s.line("client: connect(").is_err());
    assert!(s.apply(Input::ScenarioStep).is_err());
    assert_eq!((netstat(&s), s.history.len()), before);
}
