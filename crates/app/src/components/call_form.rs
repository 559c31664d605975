//! A small form for every socket call of one process. It builds a `Call` and hands it
//! to the engine; what the call does is decided there. Addresses are read by the
//! engine's one `address:port` parser, the same the console and scenario files use.

use crate::state::{Action, Dispatch};
use sockscope_engine::{
    BadEndpoint, Call, Endpoint, EndpointError, Family, Fd, OptName, Pid, Proto, Shutdown, SockOpt,
    CALL_NAMES,
};
use std::net::SocketAddr;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CallFormProps {
    pub pid: Pid,
    pub fds: Vec<Fd>,
    /// Why the process cannot call now (it is blocked), if so.
    pub disabled_reason: Option<String>,
    pub dispatch: Dispatch,
}

fn needs_fd(kind: &str) -> bool {
    kind != "socket"
}

fn number(text: &str, what: &str) -> Result<u64, String> {
    let t = text.trim();
    t.parse()
        .map_err(|_| format!("{what} must be a whole number, not “{t}”"))
}

/// The form's wording of a malformed address: a port that is not a number is said in
/// the form's own words; everything else as the parser says it, after the text when
/// the message does not quote it already.
fn address_problem(text: &str, e: EndpointError) -> String {
    use BadEndpoint::*;
    match e.kind {
        NotPort { port } | PortOutOfRange { port } => {
            format!("“{port}” is not a port number (0 to 65535)")
        }
        kind @ (UnclosedBracket { .. }
        | NoPort { .. }
        | WildcardAddress { .. }
        | WildcardPort { .. }
        | UnspecifiedDestination { .. }) => kind.to_string(),
        kind => format!("“{text}”: {kind}"),
    }
}

/// `*:80`, `0.0.0.0:80`, `10.0.0.2:80` or `[2001:db8::1]:22`: what bind() takes.
fn endpoint(text: &str) -> Result<Endpoint, String> {
    let t = text.trim();
    t.parse().map_err(|e| address_problem(t, e))
}

/// Both fields given: where connect() and sendto() go.
fn destination(text: &str) -> Result<SocketAddr, String> {
    let t = text.trim();
    Endpoint::parse_destination(t).map_err(|e| address_problem(t, e))
}

/// The option picked in the form's select.
fn opt_name(a: &str) -> OptName {
    match a {
        "SO_SNDBUF" => OptName::SndBuf,
        "SO_RCVBUF" => OptName::RcvBuf,
        "SO_LINGER" => OptName::Linger,
        "IPV6_V6ONLY" => OptName::V6Only,
        _ => OptName::ReuseAddr,
    }
}

/// The option picked and the value typed, as setsockopt() takes them.
fn sockopt(a: &str, b: &str) -> Result<SockOpt, String> {
    Ok(match opt_name(a) {
        OptName::SndBuf => SockOpt::SndBuf(number(b, "The size")?),
        OptName::RcvBuf => SockOpt::RcvBuf(number(b, "The size")?),
        OptName::Linger if b.trim() == "off" => SockOpt::Linger(None),
        OptName::Linger => SockOpt::Linger(Some(number(b, "The linger time")? as u32)),
        OptName::ReuseAddr => SockOpt::ReuseAddr(b.trim() != "0"),
        OptName::V6Only => SockOpt::V6Only(b.trim() != "0"),
    })
}

/// Builds the call from the form's fields, or says which field is wrong.
fn build(kind: &str, fd: Fd, a: &str, b: &str) -> Result<Call, String> {
    Ok(match kind {
        "socket" => Call::Socket {
            proto: if a == "UDP" { Proto::Udp } else { Proto::Tcp },
            family: if b == "AF_INET6" {
                Family::V6
            } else {
                Family::V4
            },
        },
        "bind" => Call::Bind {
            fd,
            addr: endpoint(a)?,
        },
        "listen" => Call::Listen {
            fd,
            backlog: number(a, "The backlog")? as u32,
        },
        "connect" => Call::Connect {
            fd,
            addr: destination(a)?,
        },
        "accept" => Call::Accept { fd },
        "send" => Call::Send {
            fd,
            len: number(a, "The length")?,
        },
        "recv" => Call::Recv {
            fd,
            len: number(a, "The buffer size")?,
        },
        "sendto" => Call::SendTo {
            fd,
            len: number(a, "The length")?,
            to: destination(b)?,
        },
        "recvfrom" => Call::RecvFrom {
            fd,
            len: number(a, "The buffer size")?,
        },
        "shutdown" => Call::Shutdown {
            fd,
            how: match a {
                "SHUT_RD" => Shutdown::Read,
                "SHUT_RDWR" => Shutdown::Both,
                _ => Shutdown::Write,
            },
        },
        "close" => Call::Close { fd },
        "setsockopt" => Call::SetSockOpt {
            fd,
            opt: sockopt(a, b)?,
        },
        "getsockopt" => Call::GetSockOpt {
            fd,
            name: opt_name(a),
        },
        "dup" => Call::Dup { fd },
        "fcntl" => Call::SetNonBlocking { fd, on: a != "0" },
        // A call in CALL_NAMES that this form has not learnt yet.
        other => {
            return Err(format!(
                "This form cannot make {other}() yet; use the console."
            ))
        }
    })
}

/// What the first and second free fields mean for a call, with a default value.
fn fields(kind: &str) -> (Field, Field) {
    match kind {
        "socket" => (
            Some(("type", vec!["TCP", "UDP"], "TCP")),
            Some(("family", vec!["AF_INET", "AF_INET6"], "AF_INET")),
        ),
        "bind" => (Some(("address:port", vec![], "*:80")), None),
        "listen" => (Some(("backlog", vec![], "5")), None),
        "connect" => (Some(("address:port", vec![], "10.0.0.2:80")), None),
        "send" => (Some(("bytes", vec![], "1000")), None),
        "recv" | "recvfrom" => (Some(("buffer", vec![], "2000")), None),
        "sendto" => (
            Some(("bytes", vec![], "100")),
            Some(("to", vec![], "10.0.0.2:53")),
        ),
        "shutdown" => (
            Some(("how", vec!["SHUT_WR", "SHUT_RD", "SHUT_RDWR"], "SHUT_WR")),
            None,
        ),
        "setsockopt" => (
            Some(("option", OPTIONS.to_vec(), "SO_RCVBUF")),
            Some(("value", vec![], "500")),
        ),
        "getsockopt" => (Some(("option", OPTIONS.to_vec(), "SO_RCVBUF")), None),
        "fcntl" => (Some(("O_NONBLOCK", vec!["1", "0"], "1")), None),
        _ => (None, None),
    }
}

/// The options the setsockopt and getsockopt forms offer, by their C names.
const OPTIONS: [&str; 5] = [
    "SO_SNDBUF",
    "SO_RCVBUF",
    "SO_LINGER",
    "SO_REUSEADDR",
    "IPV6_V6ONLY",
];

type Field = Option<(&'static str, Vec<&'static str>, &'static str)>;

/// One labelled input (free text) or select (fixed choices).
fn field(f: &Field, node: &NodeRef, id: String) -> Html {
    let Some((label, options, default)) = f else {
        return html! {};
    };
    if options.is_empty() {
        html! {
            <label for={id.clone()}>{ *label }
                <input id={id} ref={node.clone()} type="text" size="14" data-default={*default} />
            </label>
        }
    } else {
        html! {
            <label for={id.clone()}>{ *label }
                <select id={id} ref={node.clone()}>
                    { for options.iter().map(|o| html! { <option value={*o} selected={o == default}>{ *o }</option> }) }
                </select>
            </label>
        }
    }
}

/// Puts a field's default in when the call changes; what the learner types stays
/// across every later render.
#[hook]
fn use_defaults(kind: &str, fields: [(&NodeRef, &Field); 2]) {
    let defaults: Vec<(NodeRef, Option<&'static str>)> = fields
        .iter()
        .map(|(node, f)| ((*node).clone(), f.as_ref().map(|f| f.2)))
        .collect();
    use_effect_with(kind.to_string(), move |_| {
        for (node, default) in defaults {
            if let (Some(input), Some(d)) = (node.cast::<web_sys::HtmlInputElement>(), default) {
                input.set_value(d);
            }
        }
    });
}

/// Reads the form when it is sent: the call, or a notice saying what is missing or wrong.
fn on_submit(
    ctx: Dispatch,
    kind: UseStateHandle<String>,
    pid: Pid,
    [fd_ref, a_ref, b_ref]: [NodeRef; 3],
) -> Callback<SubmitEvent> {
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let fd = crate::view::field_value(&fd_ref).and_then(|v| v.parse::<i32>().ok());
        if needs_fd(&kind) && fd.is_none() {
            ctx.dispatch(Action::Notice(
                "This process has no descriptor yet: call socket() first.".into(),
            ));
            return;
        }
        let (a, b) = (
            crate::view::field_value(&a_ref).unwrap_or_default(),
            crate::view::field_value(&b_ref).unwrap_or_default(),
        );
        match build(&kind, Fd(fd.unwrap_or(-1)), &a, &b) {
            Ok(call) => ctx.dispatch(Action::Call { pid, call }),
            Err(msg) => ctx.dispatch(Action::Notice(msg)),
        }
    })
}

/// A select whose choice is read as `T` into `into` (the call, the descriptor).
fn on_select<T: 'static>(
    into: impl Fn(String) -> T + 'static,
    state: UseStateHandle<T>,
) -> Callback<Event> {
    Callback::from(move |e: Event| {
        state.set(into(
            e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value(),
        ))
    })
}

#[component]
pub fn CallForm(props: &CallFormProps) -> Html {
    let kind = use_state(|| "socket".to_string());
    // The descriptor the learner picked stays picked, even when a call adds another.
    let picked = use_state(|| None::<i32>);
    let (fd_ref, a_ref, b_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    let (fa, fb) = fields(&kind);
    use_defaults(&kind, [(&a_ref, &fa), (&b_ref, &fb)]);
    let on_kind = on_select(|v| v, kind.clone());
    let on_fd = on_select(|v| v.parse().ok(), picked.clone());
    let refs = [fd_ref.clone(), a_ref.clone(), b_ref.clone()];
    let submit = on_submit(props.dispatch.clone(), kind.clone(), props.pid, refs);
    let pid = props.pid.0;
    let disabled = props.disabled_reason.is_some();
    let chosen = picked
        .filter(|p| props.fds.iter().any(|f| f.0 == *p))
        .or(props.fds.last().map(|f| f.0));
    html! {
        <form class="call-form" onsubmit={submit} aria-label={format!("Calls of process {pid}")}>
            <label>{ "call" }
                <select onchange={on_kind} data-testid={format!("call-kind-{pid}")}>
                    { for CALL_NAMES.iter().map(|k| html! { <option value={*k} selected={**k == *kind}>{ *k }</option> }) }
                </select>
            </label>
            if needs_fd(&kind) {
                <label>{ "fd" }
                    <select ref={fd_ref} onchange={on_fd} data-testid={format!("call-fd-{pid}")}>
                        if props.fds.is_empty() { <option value="">{ "none yet" }</option> }
                        { for props.fds.iter().map(|f| html! { <option value={f.0.to_string()} selected={Some(f.0) == chosen}>{ f.0 }</option> }) }
                    </select>
                </label>
            }
            { field(&fa, &a_ref, format!("f1-{pid}-{}", *kind)) }
            { field(&fb, &b_ref, format!("f2-{pid}-{}", *kind)) }
            <button type="submit" class="primary" disabled={disabled} data-testid={format!("call-go-{pid}")}
                title={props.disabled_reason.clone().unwrap_or_else(|| "Make this call".into())}>{ "Call" }</button>
            if let Some(r) = &props.disabled_reason { <p class="disabled-reason">{ r }</p> }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_name_builds_a_call_of_that_name() {
        for kind in CALL_NAMES {
            let (a, b) = fields(kind);
            let value = |f: Field| f.map_or("", |f| f.2);
            let call = build(kind, Fd(3), value(a), value(b)).unwrap();
            assert_eq!(call.name(), kind);
        }
    }

    #[test]
    fn addresses_follow_the_consoles_rules() {
        let bind = |a: &str| build("bind", Fd(3), a, "");
        assert_eq!(
            bind(" [::1]:80 ").map(|c| c.to_string()),
            Ok("bind(3, [::1]:80)".into())
        );
        assert_eq!(
            bind("::1:80"),
            Err(
                "“::1:80”: an IPv6 address with a port is written in brackets, like [::1]:80"
                    .into()
            )
        );
        assert_eq!(
            build("connect", Fd(3), "10.0.0.2:http", ""),
            Err("“http” is not a port number (0 to 65535)".into())
        );
        assert_eq!(
            build("sendto", Fd(3), "100", "*:53"),
            Err("a destination needs a specific address, not \"*\" (in \"*:53\")".into())
        );
    }

    #[test]
    fn the_wildcard_can_be_written_as_c_writes_it() {
        let bind = |a: &str| build("bind", Fd(3), a, "").map(|c| c.to_string());
        assert_eq!(bind("0.0.0.0:22"), Ok("bind(3, 0.0.0.0:22)".into()));
        assert_eq!(bind("[::]:22"), Ok("bind(3, [::]:22)".into()));
        assert_eq!(
            bind("0.0.0.0"),
            Err("expected ':' and a port number after \"0.0.0.0\"".into())
        );
    }

    #[test]
    fn ipv6_v6only_is_an_option_of_both_forms() {
        let (a, _) = fields("setsockopt");
        assert!(a.is_some_and(|f| f.1.contains(&"IPV6_V6ONLY")));
        assert_eq!(
            build("setsockopt", Fd(3), "IPV6_V6ONLY", "1").map(|c| c.to_string()),
            Ok("setsockopt(3, IPV6_V6ONLY, 1)".into())
        );
        assert_eq!(
            build("getsockopt", Fd(3), "IPV6_V6ONLY", "").map(|c| c.to_string()),
            Ok("getsockopt(3, IPV6_V6ONLY)".into())
        );
    }
}
