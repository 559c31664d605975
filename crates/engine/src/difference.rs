//! A moment that would have gone differently in the other mode, and the one sentence
//! that says how. The engine records one (`Event::OtherMode`) at the decision point,
//! with its own numbers; the transcript and the page only print the sentence.

use crate::behaviour::Behaviour;
use crate::errno::Errno;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Difference {
    /// close() with `unread` bytes still in RecvQ.
    CloseWithUnread { unread: u64 },
    /// `bytes` arrived at a structure whose program has closed it.
    DataAfterClose { bytes: u64 },
    /// An RST reached a connection in CLOSE_WAIT.
    ResetInCloseWait,
    /// setsockopt(SO_SNDBUF / SO_RCVBUF, `requested`).
    Buffer {
        receive: bool,
        requested: u64,
        textbook: u64,
        linux: u64,
    },
    /// bind() is refused in one mode and allowed in the other.
    Bind { refused_on_linux: bool },
    /// SO_LINGER ran out before the FIN was acknowledged.
    LingerExpired,
    /// send() on a TCP socket that is not connected.
    SendUnconnected,
    /// connect() on a listening socket.
    ConnectOnListener,
    /// accept() on a non-blocking listener.
    AcceptFromNonblocking,
    /// shutdown(SHUT_RD) with `queued` bytes in RecvQ.
    ShutRead { queued: u64 },
    /// Every ephemeral port is taken; `textbook` and `linux` are the errnos.
    NoEphemeralPort { textbook: Errno, linux: Errno },
    /// recv() freed room in a RecvQ whose advertised window was 0: the textbook
    /// re-opens it at once, Linux waits until `threshold` bytes are free.
    WindowReopens { free: u64, threshold: u64 },
    /// connect() again after a non-blocking connect() completed.
    ConnectCompleted,
    /// bind() of an IPv4 address on an IPv6 socket.
    BindOtherFamily,
    /// An RST inside the window, `off` bytes past RCV.NXT (not exact).
    RstNotExact { off: u64 },
    /// `bytes` arrived `gap` bytes beyond RCV.NXT and were kept (Linux mode only: the
    /// textbook's discard is in the trace already, so its transcripts stay as they were).
    OutOfOrderKept { bytes: u64, gap: u64 },
    /// A SYN at a listener with `waiting` connections in its accept queue: dropped in
    /// one mode, taken in the other.
    AcceptQueue { backlog: u32, waiting: u64 },
    /// connect() (or sendto()) of an IPv4 address on an IPv6 socket; `linux` is
    /// Linux's errno, `None` where Linux sends to the IPv4-mapped address.
    Ipv4OnIpv6 { connect: bool, linux: Option<Errno> },
}

impl Difference {
    /// What the mode that is not `now` would do here, as one sentence.
    pub fn sentence(&self, now: Behaviour) -> String {
        match now.other() {
            Behaviour::Linux => format!("On Linux, {}.", self.on_linux()),
            Behaviour::Textbook => format!("In the textbook model, {}.", self.in_textbook()),
        }
    }

    /// What Linux would do, as the rest of a sentence.
    fn on_linux(&self) -> String {
        match *self {
            Difference::CloseWithUnread { unread } => format!(
                "close() with {unread} unread bytes would send an RST here, and the peer's next recv() would fail with ECONNRESET"
            ),
            Difference::DataAfterClose { bytes } => format!(
                "these {bytes} bytes would reach a socket nobody can read and be answered by an RST"
            ),
            Difference::ResetInCloseWait => {
                "this RST would leave EPIPE, not ECONNRESET, for the next call".into()
            }
            Difference::Buffer {
                receive,
                requested,
                linux,
                ..
            } => {
                let (name, queue) = if receive {
                    ("SO_RCVBUF", linux / 2)
                } else {
                    ("SO_SNDBUF", linux)
                };
                format!(
                    "getsockopt({name}) would report {linux} bytes after asking for {requested}, and the queue would hold {queue}"
                )
            }
            Difference::Bind { refused_on_linux } => bind(refused_on_linux),
            Difference::LingerExpired => {
                "close() would return 0 when the linger time runs out".into()
            }
            Difference::SendUnconnected => "this send() would fail with EPIPE".into(),
            Difference::ConnectOnListener => {
                "connect() on a listener would fail with EISCONN".into()
            }
            Difference::AcceptFromNonblocking => {
                "the accepted socket would be blocking: O_NONBLOCK is not inherited".into()
            }
            Difference::ShutRead { queued } => format!(
                "the {queued} bytes in RecvQ would stay readable, and later bytes would be queued too"
            ),
            Difference::NoEphemeralPort { linux, .. } => {
                format!("running out of ephemeral ports would fail with {linux}")
            }
            Difference::WindowReopens { free, threshold } => format!(
                "the window would stay 0 until {threshold} bytes are free (now {free}): receiver silly-window avoidance"
            ),
            Difference::ConnectCompleted => {
                "this connect() would return 0, reporting once that the connection is made".into()
            }
            Difference::BindOtherFamily => {
                "this bind() would fail with EINVAL: a sockaddr_in is too short for an IPv6 socket".into()
            }
            Difference::Ipv4OnIpv6 { connect, linux } => match linux {
                Some(e) => format!("this {}() would fail with {e}", call_name(connect)),
                None => format!(
                    "this {}() would reach the IPv4 address: an IPv6 UDP socket takes it as ::ffff:a.b.c.d",
                    call_name(connect)
                ),
            },
            Difference::AcceptQueue { backlog, waiting } => format!(
                "this SYN would be answered: with listen(fd, {backlog}) the accept queue has room for {} ({waiting} waiting now)",
                Behaviour::Linux.accept_queue_holds(backlog)
            ),
            Difference::RstNotExact { off } => format!(
                "this RST, {off} bytes past the sequence number expected, would not reset the connection: Linux answers with a challenge ACK (RFC 5961)"
            ),
            Difference::OutOfOrderKept { bytes, gap } => format!(
                "these {bytes} bytes, {gap} bytes beyond the next one expected, would be kept until the gap fills"
            ),
        }
    }

    /// What the textbook model would do, as the rest of a sentence.
    fn in_textbook(&self) -> String {
        match *self {
            Difference::CloseWithUnread { unread } => format!(
                "close() would throw the {unread} unread bytes away and send a FIN; the peer would read end of stream"
            ),
            Difference::DataAfterClose { bytes } => format!(
                "these {bytes} bytes would meet a window of 0 and wait in the sender's SendQ"
            ),
            Difference::ResetInCloseWait => {
                "this RST would leave ECONNRESET, not EPIPE, for the next call".into()
            }
            Difference::Buffer {
                receive, textbook, ..
            } => {
                let name = if receive { "SO_RCVBUF" } else { "SO_SNDBUF" };
                format!("{name} would be exactly the {textbook} bytes asked for")
            }
            Difference::Bind { refused_on_linux } => bind(!refused_on_linux),
            Difference::LingerExpired => {
                "close() would fail with ETIMEDOUT when the linger time runs out".into()
            }
            Difference::SendUnconnected => "this send() would fail with ENOTCONN".into(),
            Difference::ConnectOnListener => {
                "connect() on a listener would fail with EINVAL".into()
            }
            Difference::AcceptFromNonblocking => {
                "the accepted socket would be non-blocking like its listener".into()
            }
            Difference::ShutRead { queued } => format!(
                "the {queued} bytes in RecvQ and any later ones would be thrown away"
            ),
            Difference::NoEphemeralPort { textbook, .. } => {
                format!("running out of ephemeral ports would fail with {textbook}")
            }
            Difference::WindowReopens { free, .. } => {
                format!("the window would open at once, to {free} bytes")
            }
            Difference::ConnectCompleted => {
                "this connect() would fail with EISCONN: the connection is already made".into()
            }
            Difference::BindOtherFamily => {
                "this bind() would fail with EAFNOSUPPORT: the address is of the other family".into()
            }
            Difference::Ipv4OnIpv6 { connect, .. } => format!(
                "this {}() would fail with EAFNOSUPPORT: the address is of the other family",
                call_name(connect)
            ),
            Difference::AcceptQueue { backlog, waiting } => format!(
                "this SYN would be dropped: with listen(fd, {backlog}) the accept queue has room for {} ({waiting} waiting now)",
                Behaviour::Textbook.accept_queue_holds(backlog)
            ),
            Difference::RstNotExact { off } => format!(
                "this RST, {off} bytes past the sequence number expected but inside the window, would reset the connection (RFC 793)"
            ),
            Difference::OutOfOrderKept { bytes, gap } => format!(
                "these {bytes} bytes, {gap} bytes beyond the next one expected, would be discarded, and go-back-N would send them again after the gap"
            ),
        }
    }
}

fn call_name(connect: bool) -> &'static str {
    if connect {
        "connect"
    } else {
        "sendto"
    }
}

fn bind(refused: bool) -> String {
    if refused {
        "this bind() would fail with EADDRINUSE".into()
    } else {
        "this bind() would succeed".into()
    }
}
