//! Readers for the values that appear as arguments: addresses, ports, descriptors,
//! sizes, durations, probabilities, errno names, states and protocols.

use super::cursor::Cursor;
use crate::ast::{FdRef, Outcome, Packet};
use crate::error::ParseError;
use crate::units;
use sockscope_engine::{Endpoint, EndpointError, Errno, Proto, TcpState};
use std::net::{IpAddr, SocketAddr};

/// A word and the column where it starts.
fn word_at(c: &mut Cursor) -> (String, u32) {
    c.skip_ws();
    let col = c.col();
    (c.word(), col)
}

/// Reads a word with `read`, turning its message into an error at the word.
fn read_word<T>(
    c: &mut Cursor,
    what: &str,
    read: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ParseError> {
    let (w, col) = word_at(c);
    if w.is_empty() {
        return Err(c.expected(what));
    }
    read(&w).map_err(|m| c.error_at(col, m))
}

pub fn size(c: &mut Cursor) -> Result<u64, ParseError> {
    read_word(c, "a size in bytes (like 1000 or 64K)", units::parse_size)
}

pub fn duration(c: &mut Cursor) -> Result<u64, ParseError> {
    read_word(c, "a duration (like 50ms or 1s)", units::parse_duration)
}

pub fn fraction(c: &mut Cursor) -> Result<f64, ParseError> {
    read_word(c, "a probability (like 5% or 0.05)", units::parse_fraction)
}

/// A plain non-negative number that fits `T`.
pub fn number<T: std::str::FromStr>(c: &mut Cursor, what: &str) -> Result<T, ParseError> {
    read_word(c, what, |w| {
        if !w.chars().all(|ch| ch.is_ascii_digit()) {
            return Err(format!("expected {what}, found \"{w}\""));
        }
        w.parse::<T>()
            .map_err(|_| format!("{what} \"{w}\" is out of range"))
    })
}

/// A descriptor argument: a variable name or a number such as `3` (or `-1`).
pub fn fd(c: &mut Cursor) -> Result<FdRef, ParseError> {
    let what = "a descriptor (a variable name or a number)";
    read_word(c, what, |w| {
        let numeric = w
            .strip_prefix('-')
            .unwrap_or(w)
            .chars()
            .all(|ch| ch.is_ascii_digit());
        if numeric {
            return w
                .parse::<i32>()
                .map(FdRef::Num)
                .map_err(|_| format!("descriptor number \"{w}\" is out of range"));
        }
        let is_name = w.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_')
            && w.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        if is_name {
            Ok(FdRef::Var(w.to_string()))
        } else {
            Err(format!("expected {what}, found \"{w}\""))
        }
    })
}

/// `ADDR:PORT` where `ADDR` may be `*` and `PORT` may be `*`: what bind() takes.
/// `0.0.0.0:22` and `[::]:22` are kept as written and bind the wildcard, as in C.
/// The rules are the engine's (`FromStr for Endpoint`), shared with the app's forms.
pub fn endpoint(c: &mut Cursor) -> Result<Endpoint, ParseError> {
    let (w, col) = word_at(c);
    if w.is_empty() {
        return Err(c.expected("an address and port (like *:80 or 10.0.0.1:80)"));
    }
    w.parse()
        .map_err(|e: EndpointError| c.error_at(col + e.at, e.to_string()))
}

/// `ADDR:PORT` with both filled in: where connect() and sendto() go.
pub fn socket_addr(c: &mut Cursor) -> Result<SocketAddr, ParseError> {
    let (w, col) = word_at(c);
    if w.is_empty() {
        return Err(c.expected("an address and port (like 10.0.0.1:80 or [2001:db8::1]:80)"));
    }
    Endpoint::parse_destination(&w).map_err(|e| c.error_at(col + e.at, e.to_string()))
}

/// An address of a host declaration: IPv4 or IPv6, no port, no brackets needed.
pub fn ip(c: &mut Cursor) -> Result<IpAddr, ParseError> {
    read_word(c, "an IP address", |w| {
        let bare = w.trim_start_matches('[').trim_end_matches(']');
        let ip = bare
            .parse::<IpAddr>()
            .map_err(|_| format!("\"{w}\" is not an IP address (like 10.0.0.1 or 2001:db8::1)"))?;
        if ip.is_unspecified() {
            return Err(format!(
                "\"{w}\" is the wildcard address, which a host cannot have; give it one like 10.0.0.1 or 2001:db8::1"
            ));
        }
        Ok(ip)
    })
}

/// `TCP` or `UDP` (also `SOCK_STREAM` / `SOCK_DGRAM`), any case.
pub fn proto_word(w: &str) -> Option<Proto> {
    match w.to_ascii_uppercase().as_str() {
        "TCP" | "SOCK_STREAM" => Some(Proto::Tcp),
        "UDP" | "SOCK_DGRAM" => Some(Proto::Udp),
        _ => None,
    }
}

pub fn proto(c: &mut Cursor) -> Result<Proto, ParseError> {
    read_word(c, "TCP or UDP", |w| {
        proto_word(w).ok_or_else(|| format!("expected TCP or UDP, found \"{w}\""))
    })
}

pub fn state_word(w: &str) -> Option<TcpState> {
    TcpState::ALL.into_iter().find(|s| s.to_string() == w)
}

/// A netstat state name such as `ESTABLISHED`.
pub fn state(c: &mut Cursor) -> Result<TcpState, ParseError> {
    read_word(c, "a TCP state (like ESTABLISHED)", |w| {
        state_word(w).ok_or_else(|| {
            let names: Vec<String> = TcpState::ALL.iter().map(|s| s.to_string()).collect();
            format!(
                "unknown TCP state \"{w}\"; the states are {}",
                names.join(", ")
            )
        })
    })
}

pub fn errno_word(w: &str) -> Option<Errno> {
    Errno::ALL.into_iter().find(|e| e.to_string() == w)
}

/// What a call came to: a number, an errno name, or `blocks`.
pub fn outcome(c: &mut Cursor) -> Result<Outcome, ParseError> {
    read_word(
        c,
        "a result (a number, an errno name like ECONNREFUSED, or blocks)",
        |w| {
            if w == "blocks" {
                return Ok(Outcome::Blocks);
            }
            if let Some(e) = errno_word(w) {
                return Ok(Outcome::Errno(e));
            }
            if w.starts_with('E') && w.chars().all(|ch| ch.is_ascii_uppercase()) {
                let names: Vec<String> = Errno::ALL.iter().map(|e| e.to_string()).collect();
                return Err(format!(
                    "unknown errno \"{w}\"; known: {}",
                    names.join(", ")
                ));
            }
            w.parse::<i64>().map(Outcome::Int).map_err(|_| {
            format!("expected a result (a number, an errno name like ECONNREFUSED, or blocks), found \"{w}\"")
        })
        },
    )
}

/// `[TCP|UDP] from ADDR:PORT to ADDR:PORT`.
pub fn packet(c: &mut Cursor) -> Result<Packet, ParseError> {
    let mark = c.mark();
    let proto = match c.ident().as_deref().and_then(proto_word) {
        Some(p) => p,
        None => {
            c.reset(mark);
            Proto::Tcp
        }
    };
    if !c.eat_keyword("from") {
        return Err(c.expected("\"from\" and the packet's source address"));
    }
    let from = socket_addr(c)?;
    if !c.eat_keyword("to") {
        return Err(c.expected("\"to\" and the packet's destination address"));
    }
    let to = socket_addr(c)?;
    Ok(Packet { proto, from, to })
}
