//! Reading `address:port` text: the one set of rules that the scenario language, the
//! app's forms and the tests share.
//!
//! The rules: `ADDR:PORT`, where `ADDR` is an IPv4 address, an IPv6 address in
//! brackets (`[2001:db8::1]:80`, as in URLs, since the port's colon is otherwise
//! ambiguous), or `*` for any address; and `PORT` is 0 to 65535 or `*` for any port.
//! Nothing else is accepted, blanks included: an unbracketed IPv6 address is refused
//! with a message that shows the bracketed spelling. `0.0.0.0` and `[::]` are read as
//! written; bind() takes them as the wildcard (INADDR_ANY, in6addr_any), as in C, and
//! a destination refuses them.

use crate::addr::Endpoint;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// Why a text is not an `address:port`, and where in it the fault is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError {
    /// Where the fault starts, in characters from the start of the text, so that a
    /// parser can point at the column.
    pub at: u32,
    pub kind: BadEndpoint,
}

/// The kinds of malformed `address:port`. `Display` is the message for people; each
/// variant keeps the pieces of text it quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadEndpoint {
    /// Nothing at all.
    Empty,
    /// `[2001:db8::1` without its `]`.
    UnclosedBracket {
        text: String,
    },
    /// What is inside the brackets is not an IPv6 address.
    NotIpv6 {
        ip: String,
    },
    /// `[::1]` or `[::1]80`: the brackets are not followed by `:PORT`.
    NoPortAfterBrackets {
        ip: String,
    },
    /// No `:` at all.
    NoPort {
        text: String,
    },
    /// `:80`: nothing before the colon.
    NoAddress {
        port: String,
    },
    /// `2001:db8::1:80`: the address needs brackets.
    UnbracketedIpv6 {
        ip: String,
        port: String,
    },
    /// Before the colon is neither an IP address nor `*`.
    NotIp {
        ip: String,
    },
    /// After the colon is not a number (or is nothing).
    NotPort {
        port: String,
    },
    PortOutOfRange {
        port: String,
    },
    /// A destination (connect, sendto, a packet) with `*` for its address.
    WildcardAddress {
        text: String,
    },
    /// A destination with `*` for its port.
    WildcardPort {
        text: String,
    },
    /// A destination with `0.0.0.0` or `[::]`, the wildcard written as C writes it.
    UnspecifiedDestination {
        text: String,
    },
}

impl fmt::Display for BadEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BadEndpoint::*;
        match self {
            Empty => f.write_str("expected an address and port (like *:80 or 10.0.0.1:80)"),
            UnclosedBracket { text } => {
                write!(f, "missing ']' after the IPv6 address in \"{text}\"")
            }
            NotIpv6 { ip } => write!(f, "\"{ip}\" is not an IPv6 address"),
            NoPortAfterBrackets { ip } => {
                write!(f, "expected ':' and a port number after \"[{ip}]\"")
            }
            NoPort { text } => write!(f, "expected ':' and a port number after \"{text}\""),
            NoAddress { port } => write!(
                f,
                "the address before ':' is missing; write * for any address, like *:{port}"
            ),
            UnbracketedIpv6 { ip, port } => write!(
                f,
                "an IPv6 address with a port is written in brackets, like [{ip}]:{port}"
            ),
            NotIp { ip } => write!(f, "\"{ip}\" is not an IP address (like 10.0.0.1 or *)"),
            NotPort { port } if port.is_empty() => {
                f.write_str("expected a port number after ':', found nothing")
            }
            NotPort { port } => write!(f, "expected a port number after ':', found \"{port}\""),
            PortOutOfRange { port } => write!(f, "port {port} is out of range (0 to 65535)"),
            WildcardAddress { text } => write!(
                f,
                "a destination needs a specific address, not \"*\" (in \"{text}\")"
            ),
            WildcardPort { text } => write!(
                f,
                "a destination needs a specific port, not \"*\" (in \"{text}\")"
            ),
            UnspecifiedDestination { text } => write!(
                f,
                "a destination needs a specific address; 0.0.0.0 and [::] are the wildcard, which only bind() takes (in \"{text}\")"
            ),
        }
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for EndpointError {}

fn fail<T>(at: u32, kind: BadEndpoint) -> Result<T, EndpointError> {
    Err(EndpointError { at, kind })
}

fn chars(s: &str) -> u32 {
    s.chars().count() as u32
}

/// `*:99`, `10.1.2.3:99`, `[::1]:80`, `10.1.2.3:*`: what bind() takes.
impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(text: &str) -> Result<Endpoint, EndpointError> {
        if text.is_empty() {
            return fail(0, BadEndpoint::Empty);
        }
        if let Some(inner) = text.strip_prefix('[') {
            return bracketed(text, inner);
        }
        let Some((ip, port)) = text.rsplit_once(':') else {
            let kind = BadEndpoint::NoPort { text: text.into() };
            return fail(chars(text), kind);
        };
        let ip = match ip {
            "" => return fail(0, BadEndpoint::NoAddress { port: port.into() }),
            "*" => None,
            ip if ip.contains(':') => {
                let (ip, port) = (ip.into(), port.into());
                return fail(0, BadEndpoint::UnbracketedIpv6 { ip, port });
            }
            ip => Some(ip.parse::<IpAddr>().map_err(|_| EndpointError {
                at: 0,
                kind: BadEndpoint::NotIp { ip: ip.into() },
            })?),
        };
        Ok(Endpoint::new(ip, port_of(port, chars(text) - chars(port))?))
    }
}

/// `[V6]:PORT`; `inner` is the text after the `[`.
fn bracketed(text: &str, inner: &str) -> Result<Endpoint, EndpointError> {
    let Some((v6, after)) = inner.split_once(']') else {
        return fail(0, BadEndpoint::UnclosedBracket { text: text.into() });
    };
    let Ok(ip) = v6.parse::<Ipv6Addr>() else {
        return fail(1, BadEndpoint::NotIpv6 { ip: v6.into() });
    };
    let at = chars(v6) + 2;
    let Some(port) = after.strip_prefix(':') else {
        return fail(at, BadEndpoint::NoPortAfterBrackets { ip: v6.into() });
    };
    Ok(Endpoint::new(Some(IpAddr::V6(ip)), port_of(port, at + 1)?))
}

/// A port number or `*`; `at` is where it starts in the whole text.
fn port_of(port: &str, at: u32) -> Result<Option<u16>, EndpointError> {
    if port == "*" {
        return Ok(None);
    }
    if port.is_empty() || !port.chars().all(|ch| ch.is_ascii_digit()) {
        return fail(at, BadEndpoint::NotPort { port: port.into() });
    }
    match port.parse::<u16>() {
        Ok(p) => Ok(Some(p)),
        Err(_) => fail(at, BadEndpoint::PortOutOfRange { port: port.into() }),
    }
}

impl Endpoint {
    /// Reads an `address:port` with both filled in: where connect() and sendto() go.
    pub fn parse_destination(text: &str) -> Result<SocketAddr, EndpointError> {
        let e: Endpoint = text.parse()?;
        match (e.ip, e.port) {
            (Some(ip), _) if ip.is_unspecified() => {
                let text = text.into();
                fail(0, BadEndpoint::UnspecifiedDestination { text })
            }
            (Some(ip), Some(port)) => Ok(SocketAddr::new(ip, port)),
            (None, _) => fail(0, BadEndpoint::WildcardAddress { text: text.into() }),
            (_, None) => fail(0, BadEndpoint::WildcardPort { text: text.into() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn err(text: &str) -> (u32, String) {
        let e = text.parse::<Endpoint>().unwrap_err();
        (e.at, e.to_string())
    }

    #[test]
    fn ipv4_with_a_port_or_wildcards() {
        let ip = Some(IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3)));
        assert_eq!("10.1.2.3:99".parse(), Ok(Endpoint::new(ip, Some(99))));
        assert_eq!("10.1.2.3:*".parse(), Ok(Endpoint::new(ip, None)));
        assert_eq!("*:80".parse(), Ok(Endpoint::new(None, Some(80))));
        assert_eq!("*:*".parse(), Ok(Endpoint::ANY));
        // Port 0 is kept as written; bind() takes it as "any port", as in C.
        assert_eq!("*:0".parse(), Ok(Endpoint::new(None, Some(0))));
    }

    #[test]
    fn bracketed_ipv6() {
        let ip = Some("2001:db8::1".parse().unwrap());
        assert_eq!("[2001:db8::1]:22".parse(), Ok(Endpoint::new(ip, Some(22))));
        assert_eq!(
            "[::]:*".parse(),
            Ok(Endpoint::new(Some("::".parse().unwrap()), None))
        );
    }

    #[test]
    fn display_reads_back() {
        for text in ["*:99", "10.1.2.3:99", "[::1]:80", "10.1.2.3:*", "*:*"] {
            let e: Endpoint = text.parse().unwrap();
            assert_eq!(e.to_string(), text);
        }
    }

    #[test]
    fn unbracketed_ipv6_is_refused_with_the_bracketed_spelling() {
        assert_eq!(
            err("2001:db8::1:80"),
            (
                0,
                "an IPv6 address with a port is written in brackets, like [2001:db8::1]:80".into()
            )
        );
    }

    #[test]
    fn errors_say_what_is_wrong_and_where() {
        let at = |text: &str| err(text).0;
        assert_eq!(
            err(""),
            (
                0,
                "expected an address and port (like *:80 or 10.0.0.1:80)".into()
            )
        );
        assert_eq!(
            err("10.0.0.1"),
            (
                8,
                "expected ':' and a port number after \"10.0.0.1\"".into()
            )
        );
        assert_eq!(
            err("10.0.0.1:x"),
            (9, "expected a port number after ':', found \"x\"".into())
        );
        assert_eq!(
            err("10.0.0.1:"),
            (9, "expected a port number after ':', found nothing".into())
        );
        assert_eq!(
            err("*:70000"),
            (2, "port 70000 is out of range (0 to 65535)".into())
        );
        assert_eq!(
            err("10.0.0.300:80"),
            (
                0,
                "\"10.0.0.300\" is not an IP address (like 10.0.0.1 or *)".into()
            )
        );
        assert_eq!(
            err(":80"),
            (
                0,
                "the address before ':' is missing; write * for any address, like *:80".into()
            )
        );
        assert_eq!(
            err("[::1"),
            (0, "missing ']' after the IPv6 address in \"[::1\"".into())
        );
        assert_eq!(
            err("[1.2.3.4]:80"),
            (1, "\"1.2.3.4\" is not an IPv6 address".into())
        );
        assert_eq!(
            err("[::1]80"),
            (5, "expected ':' and a port number after \"[::1]\"".into())
        );
        assert_eq!(at("[::1]:x"), 6);
        assert_eq!(at(" *:80"), 0, "blanks are not trimmed");
    }

    #[test]
    fn the_wildcard_as_c_writes_it_is_read_as_written() {
        let v4 = Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert_eq!("0.0.0.0:22".parse(), Ok(Endpoint::new(v4, Some(22))));
        let v6 = Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        assert_eq!("[::]:22".parse(), Ok(Endpoint::new(v6, Some(22))));
        for text in ["0.0.0.0:22", "[::]:22", "0.0.0.0:*"] {
            assert_eq!(text.parse::<Endpoint>().unwrap().to_string(), text);
        }
        // netstat's spelling of the IPv6 wildcard is shown the bracketed one.
        assert_eq!(
            err(":::22"),
            (
                0,
                "an IPv6 address with a port is written in brackets, like [::]:22".into()
            )
        );
        assert_eq!(
            err("[::]"),
            (4, "expected ':' and a port number after \"[::]\"".into())
        );
        assert_eq!(
            err("0.0.0.0"),
            (7, "expected ':' and a port number after \"0.0.0.0\"".into())
        );
    }

    #[test]
    fn a_destination_refuses_the_wildcard_as_c_writes_it() {
        for text in ["0.0.0.0:80", "[::]:80"] {
            let e = Endpoint::parse_destination(text).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("a destination needs a specific address; 0.0.0.0 and [::] are the wildcard, which only bind() takes (in \"{text}\")")
            );
        }
    }

    #[test]
    fn a_destination_needs_both_fields() {
        assert_eq!(
            Endpoint::parse_destination("10.0.0.2:80"),
            Ok("10.0.0.2:80".parse().unwrap())
        );
        assert_eq!(
            Endpoint::parse_destination("[::1]:80"),
            Ok("[::1]:80".parse().unwrap())
        );
        let msg = |t| Endpoint::parse_destination(t).unwrap_err().to_string();
        assert_eq!(
            msg("*:80"),
            "a destination needs a specific address, not \"*\" (in \"*:80\")"
        );
        assert_eq!(
            msg("10.0.0.2:*"),
            "a destination needs a specific port, not \"*\" (in \"10.0.0.2:*\")"
        );
        assert_eq!(
            msg("10.0.0.2"),
            "expected ':' and a port number after \"10.0.0.2\""
        );
    }
}
