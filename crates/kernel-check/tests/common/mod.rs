//! What the comparisons share: running a scenario on the engine (in either mode) and
//! on Linux, and recording facts.
#![allow(dead_code)]

use sockscope_engine::{Behaviour, Errno};
use sockscope_kernel_check::{assert_agree, Kernel, Model, Sock, Stack, Transcript};
use std::net::SocketAddr;

pub type Scenario = fn(&mut dyn Stack, &mut Transcript);

/// Runs a scenario on the engine in `mode`, then on Linux guided by the engine's
/// transcript (Linux's network runs on its own time: a state is polled for, within a
/// deadline), and asserts that the two agree.
pub fn agreeing_in(mode: Behaviour, scenario: Scenario) -> (Transcript, Transcript) {
    let mut model = Model::with(mode);
    let mut e = Transcript::new("engine");
    scenario(&mut model, &mut e);
    let mut kernel = Kernel::isolated();
    let mut k = Transcript::following("Linux", &e);
    scenario(&mut kernel, &mut k);
    assert_agree(&e, &k);
    println!("{mode} mode agrees with Linux");
    (e, k)
}

/// A course fact: the engine agrees with Linux in both modes. Returns the textbook
/// mode's transcripts.
pub fn agreeing(scenario: Scenario) -> (Transcript, Transcript) {
    agreeing_in(Behaviour::Linux, scenario);
    agreeing_in(Behaviour::Textbook, scenario)
}

/// Runs a scenario where textbook mode is known to differ: Linux is not guided by the
/// engine (it would wait for states it never reaches); both transcripts are printed.
/// Linux mode must agree with Linux all the same.
pub fn differing(scenario: Scenario) -> (Transcript, Transcript) {
    agreeing_in(Behaviour::Linux, scenario);
    let mut model = Model::with(Behaviour::Textbook);
    let mut e = Transcript::new("engine");
    scenario(&mut model, &mut e);
    let mut kernel = Kernel::isolated();
    let mut k = Transcript::new("Linux");
    scenario(&mut kernel, &mut k);
    println!("{}", sockscope_kernel_check::facts::table(&e, &k).0);
    (e, k)
}

/// A setup step that must succeed in every world.
pub fn must<T>(world: &str, what: &str, r: Result<T, Errno>) -> T {
    r.unwrap_or_else(|e| panic!("{world}: {what} failed with {e}"))
}

pub fn state(
    k: &mut dyn Stack,
    t: &mut Transcript,
    label: &str,
    local: SocketAddr,
    peer: Option<SocketAddr>,
) {
    let fact = k.state(local, peer, t.hint(label));
    t.record(label, fact);
}

pub fn row_recv_q(
    k: &mut dyn Stack,
    t: &mut Transcript,
    label: &str,
    local: SocketAddr,
    peer: SocketAddr,
) {
    let fact = k.row_recv_q(local, peer, t.hint(label));
    t.record(label, fact);
}

/// A new TCP socket of `addr`'s family.
fn socket_for(k: &mut dyn Stack, addr: SocketAddr) -> Sock {
    if addr.is_ipv6() {
        k.socket6()
    } else {
        k.socket()
    }
}

/// A listener bound to `at` (port 0: a free one), with SO_REUSEADDR first if `reuse`;
/// IPv6 if `at` is. Returns it and the address it got.
pub fn listener_at(k: &mut dyn Stack, at: SocketAddr, reuse: bool) -> (Sock, SocketAddr) {
    let l = socket_for(k, at);
    if reuse {
        must(k.world(), "SO_REUSEADDR", k.set_reuseaddr(l, true));
    }
    must(k.world(), &format!("bind({at})"), k.bind(l, at));
    must(k.world(), "listen()", k.listen(l, 5));
    let addr = k.local_addr(l);
    (l, addr)
}

/// A connection, accepted, with the network settled.
pub struct Pair {
    pub l: Sock,
    pub c: Sock,
    pub s: Sock,
    pub server: SocketAddr,
    pub client: SocketAddr,
}

/// Connects a new socket (of the listener's family) to `l`, listening at `server`,
/// accepts it and lets the network settle.
pub fn connected(k: &mut dyn Stack, l: Sock, server: SocketAddr) -> Pair {
    let c = socket_for(k, server);
    must(k.world(), "connect()", k.connect(c, server));
    let client = k.local_addr(c);
    let s = must(k.world(), "accept()", k.accept(l));
    k.settle();
    Pair {
        l,
        c,
        s,
        server,
        client,
    }
}
