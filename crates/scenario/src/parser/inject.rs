//! Reading `net: inject`: a segment of the author's making,
//! `TCP from ADDR:PORT to ADDR:PORT FLAGS [seq=N|+N|-N] [ack=…] [win=N] [len=N]`
//! (`UDP from … to … [len=N]`).

use super::cursor::Cursor;
use super::values;
use crate::error::ParseError;
use sockscope_engine::segment::Flags;
use sockscope_engine::{Injection, Proto, SeqRef};

const FLAGS: &str = "flags such as RST, SYN, ACK, FIN or RST+ACK";
const FIELDS: &str = "seq=, ack=, win= or len=";

/// Everything after the word `inject`.
pub fn injection(c: &mut Cursor) -> Result<Injection, ParseError> {
    let packet = values::packet(c)?;
    let flags = if packet.proto == Proto::Tcp {
        flags(c)?
    } else {
        Flags::default()
    };
    let mut inj = Injection::new(packet.proto, packet.from, packet.to, flags);
    while !(c.at_end() || c.peek() == Some(';')) {
        field(c, &mut inj)?;
    }
    Ok(inj)
}

/// `RST`, `SYN+ACK`, `FIN+ACK`: names joined by `+`.
fn flags(c: &mut Cursor) -> Result<Flags, ParseError> {
    let mut flags = Flags::default();
    loop {
        let col = c.col();
        let Some(name) = c.ident() else {
            return Err(c.expected(FLAGS));
        };
        let on = match name.to_ascii_uppercase().as_str() {
            "SYN" => &mut flags.syn,
            "ACK" => &mut flags.ack,
            "FIN" => &mut flags.fin,
            "RST" => &mut flags.rst,
            _ => {
                return Err(c.error_at(col, format!("\"{name}\" is not a TCP flag; write {FLAGS}")))
            }
        };
        *on = true;
        if !c.eat_str("+") {
            return Ok(flags);
        }
    }
}

/// One `key=value`.
fn field(c: &mut Cursor, inj: &mut Injection) -> Result<(), ParseError> {
    let col = c.col();
    let Some(key) = c.ident() else {
        return Err(c.expected(FIELDS));
    };
    c.expect('=', &format!("\"=\" after {key}"))?;
    match key.as_str() {
        "seq" if inj.proto == Proto::Tcp => inj.seq = Some(seq_ref(c)?),
        "ack" if inj.proto == Proto::Tcp => inj.ack = Some(seq_ref(c)?),
        "win" if inj.proto == Proto::Tcp => inj.window = values::size(c)?,
        "len" => inj.len = values::size(c)?,
        _ => {
            let what = match inj.proto {
                Proto::Tcp => FIELDS,
                Proto::Udp => "len= (a datagram has no seq, ack or window)",
            };
            return Err(c.error_at(col, format!("unknown field \"{key}\"; write {what}")));
        }
    }
    Ok(())
}

/// `5000` (absolute), `+0`, `+100`, `-1` (relative to what the receiver expects).
fn seq_ref(c: &mut Cursor) -> Result<SeqRef, ParseError> {
    let col = c.col();
    let w = c.word();
    let bad = |c: &mut Cursor| {
        c.error_at(
            col,
            format!("expected a sequence number (5000) or one relative to what the receiver expects (+0, +100, -1), found \"{w}\""),
        )
    };
    if w.starts_with(['+', '-']) {
        return w.parse::<i64>().map(SeqRef::Relative).map_err(|_| bad(c));
    }
    w.parse::<u64>().map(SeqRef::Absolute).map_err(|_| bad(c))
}
