//! proptest strategies for calls and statements, shared by the property tests.
#![allow(dead_code)]

use proptest::prelude::*;
use sockscope_engine::{Call, Endpoint, Family, Fd, OptName, Proto, Shutdown, SockOpt};
use sockscope_scenario::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// How many cases a property runs: its own `normal` count, or `PROPTEST_CASES` when
/// that asks for more (`cargo xtask test --long` sets it to 10,000). A count given to
/// `ProptestConfig::with_cases` would otherwise override the variable.
pub fn cases(normal: u32) -> u32 {
    let asked = std::env::var("PROPTEST_CASES").ok();
    asked
        .and_then(|n| n.parse::<u32>().ok())
        .map_or(normal, |n| n.max(normal))
}

pub fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        any::<[u16; 8]>().prop_map(|s| IpAddr::V6(Ipv6Addr::from(s))),
    ]
}

/// An address a host can have and a destination can name: not the wildcard
/// (0.0.0.0, ::), which only bind() takes.
pub fn specific_ip() -> impl Strategy<Value = IpAddr> {
    ip().prop_filter("the wildcard is no destination", |ip| !ip.is_unspecified())
}

pub fn sockaddr() -> impl Strategy<Value = SocketAddr> {
    (specific_ip(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::new(ip, port))
}

pub fn endpoint() -> impl Strategy<Value = Endpoint> {
    (
        proptest::option::of(ip()),
        proptest::option::of(any::<u16>()),
    )
        .prop_map(|(ip, port)| Endpoint::new(ip, port))
}

fn proto() -> impl Strategy<Value = Proto> {
    prop_oneof![Just(Proto::Tcp), Just(Proto::Udp)]
}

fn sockopt() -> impl Strategy<Value = SockOpt> {
    prop_oneof![
        any::<u64>().prop_map(SockOpt::SndBuf),
        any::<u64>().prop_map(SockOpt::RcvBuf),
        proptest::option::of(any::<u32>()).prop_map(SockOpt::Linger),
        any::<bool>().prop_map(SockOpt::ReuseAddr),
        any::<bool>().prop_map(SockOpt::V6Only),
    ]
}

fn optname() -> impl Strategy<Value = OptName> {
    prop_oneof![
        Just(OptName::SndBuf),
        Just(OptName::RcvBuf),
        Just(OptName::Linger),
        Just(OptName::ReuseAddr),
        Just(OptName::V6Only),
    ]
}

fn shutdown() -> impl Strategy<Value = Shutdown> {
    prop_oneof![
        Just(Shutdown::Read),
        Just(Shutdown::Write),
        Just(Shutdown::Both)
    ]
}

/// Any engine call at all.
pub fn call() -> impl Strategy<Value = Call> {
    let fd = any::<i32>().prop_map(Fd);
    prop_oneof![
        (proto(), any::<bool>()).prop_map(|(proto, v6)| Call::Socket {
            proto,
            family: if v6 { Family::V6 } else { Family::V4 }
        }),
        (fd.clone(), endpoint()).prop_map(|(fd, addr)| Call::Bind { fd, addr }),
        (fd.clone(), any::<u32>()).prop_map(|(fd, backlog)| Call::Listen { fd, backlog }),
        (fd.clone(), sockaddr()).prop_map(|(fd, addr)| Call::Connect { fd, addr }),
        fd.clone().prop_map(|fd| Call::Accept { fd }),
        (fd.clone(), any::<u64>()).prop_map(|(fd, len)| Call::Send { fd, len }),
        (fd.clone(), any::<u64>()).prop_map(|(fd, len)| Call::Recv { fd, len }),
        (fd.clone(), any::<u64>(), sockaddr()).prop_map(|(fd, len, to)| Call::SendTo {
            fd,
            len,
            to
        }),
        (fd.clone(), any::<u64>()).prop_map(|(fd, len)| Call::RecvFrom { fd, len }),
        (fd.clone(), shutdown()).prop_map(|(fd, how)| Call::Shutdown { fd, how }),
        fd.clone().prop_map(|fd| Call::Close { fd }),
        (fd.clone(), sockopt()).prop_map(|(fd, opt)| Call::SetSockOpt { fd, opt }),
        (fd.clone(), optname()).prop_map(|(fd, name)| Call::GetSockOpt { fd, name }),
        fd.clone().prop_map(|fd| Call::Dup { fd }),
        (fd, any::<bool>()).prop_map(|(fd, on)| Call::SetNonBlocking { fd, on }),
    ]
}

/// Host and process names: capitalised, so never a keyword.
pub fn name() -> impl Strategy<Value = String> {
    "[A-Z][a-z0-9_]{0,4}"
}

/// Variable names: lower case, never `none` (which `expect demux` reserves).
pub fn var() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,4}".prop_filter("reserved by expect demux", |v| v != "none")
}

pub fn fd_ref() -> impl Strategy<Value = FdRef> {
    prop_oneof![
        var().prop_map(FdRef::Var),
        any::<i32>().prop_map(FdRef::Num)
    ]
}

pub fn proc_ref() -> impl Strategy<Value = ProcRef> {
    (name(), proptest::option::of(name())).prop_map(|(host, proc)| ProcRef { host, proc })
}

/// A call statement with variables where descriptors go.
pub fn call_stmt() -> impl Strategy<Value = CallStmt> {
    (call(), fd_ref(), proptest::option::of(var()), any::<bool>()).prop_map(
        |(call, fd, var, background)| {
            let expr: CallExpr = call.map_fd(|_| fd);
            let assignable = expr.returns_descriptor();
            CallStmt {
                var: var.filter(|_| assignable),
                call: expr,
                background,
            }
        },
    )
}

/// A probability as people write them: whole or hundredths of a percent.
pub fn probability() -> impl Strategy<Value = f64> {
    (0u32..=10_000).prop_map(|n| n as f64 / 10_000.0)
}

fn setting() -> impl Strategy<Value = Setting> {
    prop_oneof![
        any::<u64>().prop_map(Setting::Seed),
        prop::sample::select(sockscope_engine::Behaviour::ALL.to_vec())
            .prop_map(Setting::Behaviour),
        (1..u64::MAX).prop_map(Setting::Mss),
        (1..u64::MAX).prop_map(Setting::InitialCwnd),
        any::<u64>().prop_map(Setting::Delay),
        probability().prop_map(Setting::Loss),
        (1..u64::MAX).prop_map(Setting::SndBuf),
        (1..u64::MAX).prop_map(Setting::RcvBuf),
        any::<u64>().prop_map(Setting::TimeWait),
        any::<u64>().prop_map(Setting::InitialRto),
        any::<u64>().prop_map(Setting::MinRto),
        any::<u64>().prop_map(Setting::MaxRto),
        any::<u32>().prop_map(Setting::SynRetries),
        any::<u32>().prop_map(Setting::SynackRetries),
        any::<u32>().prop_map(Setting::DataRetries),
        any::<u16>().prop_map(Setting::EphemeralFirst),
        any::<u16>().prop_map(Setting::EphemeralLast),
    ]
}

fn link() -> impl Strategy<Value = Link> {
    (name(), name(), any::<bool>()).prop_map(|(from, to, both)| Link { from, to, both })
}

fn seq_ref() -> impl Strategy<Value = Option<sockscope_engine::SeqRef>> {
    use sockscope_engine::SeqRef;
    proptest::option::of(prop_oneof![
        any::<u64>().prop_map(SeqRef::Absolute),
        any::<i64>().prop_map(SeqRef::Relative),
    ])
}

/// A forged segment as the language can write it: a TCP segment has a flag at least, a
/// UDP datagram only a length.
fn injection() -> impl Strategy<Value = sockscope_engine::Injection> {
    use sockscope_engine::segment::Flags;
    let flags = (any::<[bool; 4]>())
        .prop_filter("a flag at least", |f| f.iter().any(|&b| b))
        .prop_map(|[syn, ack, fin, rst]| Flags { syn, ack, fin, rst });
    let tcp = (
        sockaddr(),
        sockaddr(),
        flags,
        seq_ref(),
        seq_ref(),
        any::<u32>(),
        any::<u16>(),
    )
        .prop_map(
            |(from, to, flags, seq, ack, window, len)| sockscope_engine::Injection {
                seq,
                ack,
                window: window as u64,
                len: len as u64,
                ..sockscope_engine::Injection::new(Proto::Tcp, from, to, flags)
            },
        );
    let udp = (sockaddr(), sockaddr(), any::<u16>()).prop_map(|(from, to, len)| {
        sockscope_engine::Injection {
            len: len as u64,
            ..sockscope_engine::Injection::new(Proto::Udp, from, to, Flags::default())
        }
    });
    prop_oneof![tcp, udp]
}

fn net_cmd() -> impl Strategy<Value = NetCmd> {
    prop_oneof![
        any::<u64>().prop_map(NetCmd::Deliver),
        any::<u64>().prop_map(NetCmd::Step),
        proptest::option::of(any::<u64>()).prop_map(NetCmd::Run),
        link().prop_map(NetCmd::DropNext),
        (link(), probability()).prop_map(|(l, p)| NetCmd::Loss(l, p)),
        (link(), any::<u64>()).prop_map(|(l, d)| NetCmd::Delay(l, d)),
        (link(), probability(), any::<u64>()).prop_map(|(l, p, d)| NetCmd::Reorder(l, p, d)),
        (link(), probability()).prop_map(|(l, p)| NetCmd::Duplicate(l, p)),
        injection().prop_map(|i| NetCmd::Inject(Box::new(i))),
        name().prop_map(NetCmd::Crash),
        name().prop_map(NetCmd::Restart),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        any::<i64>().prop_map(Outcome::Int),
        proptest::sample::select(sockscope_engine::Errno::ALL.to_vec()).prop_map(Outcome::Errno),
        Just(Outcome::Blocks),
    ]
}

fn state() -> impl Strategy<Value = sockscope_engine::TcpState> {
    proptest::sample::select(sockscope_engine::TcpState::ALL.to_vec())
}

fn packet() -> impl Strategy<Value = Packet> {
    (proto(), sockaddr(), sockaddr()).prop_map(|(proto, from, to)| Packet { proto, from, to })
}

fn expectation() -> impl Strategy<Value = Expect> {
    prop_oneof![
        (proc_ref(), call_stmt(), outcome()).prop_map(|(proc, call, want)| Expect::Call {
            proc,
            call,
            want
        }),
        (proc_ref(), fd_ref(), state()).prop_map(|(proc, fd, want)| Expect::State {
            proc,
            fd,
            want
        }),
        (any::<bool>(), proc_ref(), fd_ref(), any::<u64>()).prop_map(|(s, proc, fd, want)| {
            Expect::Queue {
                queue: if s {
                    QueueName::SendQ
                } else {
                    QueueName::RecvQ
                },
                proc,
                fd,
                want,
            }
        }),
        (name(), proptest::option::of(state()), any::<u64>())
            .prop_map(|(host, state, want)| Expect::Netstat { host, state, want }),
        any::<bool>().prop_map(Expect::Deadlock),
        (proc_ref(), any::<bool>()).prop_map(|(proc, want)| Expect::Blocked { proc, want }),
        (proc_ref(), outcome()).prop_map(|(proc, want)| Expect::Returned { proc, want }),
        (proc_ref(), packet(), proptest::option::of(fd_ref()))
            .prop_map(|(proc, packet, want)| Expect::Demux { proc, packet, want }),
    ]
}

/// Any statement the language can express.
pub fn stmt() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        setting().prop_map(Stmt::Option),
        (name(), proptest::collection::vec(specific_ip(), 1..4))
            .prop_map(|(name, addrs)| Stmt::Host { name, addrs }),
        (proc_ref(), call_stmt()).prop_map(|(proc, call)| Stmt::Call { proc, call }),
        (proc_ref(), name()).prop_map(|(proc, child)| Stmt::Fork { proc, child }),
        net_cmd().prop_map(Stmt::Net),
        name().prop_map(|host| Stmt::Netstat { host }),
        name().prop_map(|host| Stmt::Ss { host }),
        (name(), packet()).prop_map(|(host, packet)| Stmt::Explain { host, packet }),
        expectation().prop_map(Stmt::Expect),
        "[a-zA-Z0-9;#:,.!?' ]{0,40}".prop_map(|t| Stmt::Say(t.trim().to_string())),
        "[a-zA-Z0-9;#:,.!?' ]{1,40}"
            .prop_filter("a title", |t| !t.trim().is_empty())
            .prop_map(|t| Stmt::Section(t.trim().to_string())),
    ]
}
