//! The errno values calls fail with, named as the C API names them.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum Errno {
    EADDRINUSE,
    EADDRNOTAVAIL,
    EAFNOSUPPORT,
    EAGAIN,
    EALREADY,
    EBADF,
    ECONNREFUSED,
    ECONNRESET,
    EDESTADDRREQ,
    EINPROGRESS,
    EINVAL,
    EISCONN,
    EMSGSIZE,
    ENETUNREACH,
    ENOPROTOOPT,
    ENOTCONN,
    EOPNOTSUPP,
    EPIPE,
    ETIMEDOUT,
}

impl Errno {
    pub const ALL: [Errno; 19] = [
        Errno::EADDRINUSE,
        Errno::EADDRNOTAVAIL,
        Errno::EAFNOSUPPORT,
        Errno::EAGAIN,
        Errno::EALREADY,
        Errno::EBADF,
        Errno::ECONNREFUSED,
        Errno::ECONNRESET,
        Errno::EDESTADDRREQ,
        Errno::EINPROGRESS,
        Errno::EINVAL,
        Errno::EISCONN,
        Errno::EMSGSIZE,
        Errno::ENETUNREACH,
        Errno::ENOPROTOOPT,
        Errno::ENOTCONN,
        Errno::EOPNOTSUPP,
        Errno::EPIPE,
        Errno::ETIMEDOUT,
    ];

    /// One line a learner can read next to the errno name.
    pub fn explain(self) -> &'static str {
        match self {
            Errno::EADDRINUSE => "another socket structure already holds this local address and port",
            Errno::EADDRNOTAVAIL => "this host has no interface with that address",
            Errno::EAFNOSUPPORT => "the address belongs to the other address family (IPv4 vs IPv6)",
            Errno::EAGAIN => "the call would have to wait, and the socket is non-blocking",
            Errno::EALREADY => "a connection attempt is already under way on this socket",
            Errno::EBADF => "this number is not an open descriptor of the process",
            Errno::ECONNREFUSED => "nobody listens on that port: for TCP the peer answered with a reset (RST), for a connected UDP socket with an ICMP port-unreachable message",
            Errno::ECONNRESET => "the peer aborted the connection with a reset (RST)",
            Errno::EDESTADDRREQ => "the socket has no destination: connect it or use sendto",
            Errno::EINPROGRESS => "the handshake has started; the non-blocking connect finishes later",
            Errno::EINVAL => "an argument is invalid (a buffer size of 0, say, which Linux would round up instead) or the call does not fit the socket's current state",
            Errno::EISCONN => "the socket is already connected",
            Errno::EMSGSIZE => "the datagram is larger than the socket can send in one piece",
            Errno::ENETUNREACH => "no route to that address: an IPv6 socket with IPV6_V6ONLY cannot reach an IPv4(-mapped) address",
            Errno::ENOPROTOOPT => "this socket has no such option (IPV6_V6ONLY exists only for IPv6 sockets)",
            Errno::ENOTCONN => "the socket is not connected",
            Errno::EOPNOTSUPP => "this operation does not exist for this kind of socket",
            Errno::EPIPE => "this socket can no longer send: it was shut down for writing or the connection is gone; the signal SIGPIPE comes with it and ends the process unless the program ignores it or sends with MSG_NOSIGNAL",
            Errno::ETIMEDOUT => "the peer did not answer in time, even after retransmissions",
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::Errno;

    #[test]
    fn explanations_name_icmp_sigpipe_and_bad_arguments() {
        assert!(Errno::ECONNREFUSED.explain().contains("ICMP"));
        assert!(Errno::ECONNREFUSED.explain().contains("RST"));
        assert!(Errno::EPIPE.explain().contains("SIGPIPE"));
        assert!(Errno::EPIPE.explain().contains("MSG_NOSIGNAL"));
        assert!(Errno::EINVAL
            .explain()
            .starts_with("an argument is invalid"));
    }
}
