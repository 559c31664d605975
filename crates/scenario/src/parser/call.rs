//! Reading socket calls: `[var =] name(args) [&]`, spelled as the engine's `Call`
//! prints them, with variables allowed wherever a descriptor goes.

use super::cursor::Cursor;
use super::values;
use crate::ast::{CallExpr, CallStmt, FdRef};
use crate::error::ParseError;
use sockscope_engine::{Call, Family, OptName, Shutdown, SockOpt};

/// The calls the language knows: the engine's, by their C names.
pub use sockscope_engine::CALL_NAMES;

/// What a process-line item turned out to be.
pub enum Item {
    Call(CallStmt),
    Fork(String),
}

/// One item of a process line: `fork(NAME)` or a call statement.
pub fn item(c: &mut Cursor) -> Result<Item, ParseError> {
    let mark = c.mark();
    if c.eat_keyword("fork") && c.peek() == Some('(') {
        c.expect('(', "'('")?;
        let child = c
            .ident()
            .ok_or_else(|| c.expected("the new process's name inside fork(...)"))?;
        c.expect(')', "')' after the process name")?;
        return Ok(Item::Fork(child));
    }
    c.reset(mark);
    call_stmt(c).map(Item::Call)
}

/// `[var =] name(args) [&]`.
pub fn call_stmt(c: &mut Cursor) -> Result<CallStmt, ParseError> {
    c.skip_ws();
    let start = c.col();
    let mark = c.mark();
    let var = match c.ident() {
        Some(v) if c.peek() == Some('=') && c.peek_second() != Some('=') => {
            c.eat('=');
            Some(v)
        }
        _ => {
            c.reset(mark);
            None
        }
    };
    let call = call_expr(c)?;
    if var.is_some() && !call.returns_descriptor() {
        return Err(c.error_at(
            start,
            "only socket(), accept() and dup() return a descriptor to keep in a variable"
                .to_string(),
        ));
    }
    let background = c.eat('&');
    Ok(CallStmt {
        var,
        call,
        background,
    })
}

/// `name(args)`.
pub fn call_expr(c: &mut Cursor) -> Result<CallExpr, ParseError> {
    c.skip_ws();
    let col = c.col();
    let name = c
        .ident()
        .ok_or_else(|| c.expected(&format!("a call ({})", CALL_NAMES.join(", "))))?;
    c.expect('(', &format!("'(' after {name}"))?;
    if !CALL_NAMES.contains(&name.as_str()) {
        return Err(unknown(c, col, &name));
    }
    let call = args(c, col, &name)?;
    c.expect(')', &format!("')' to end the arguments of {name}"))?;
    Ok(call)
}

fn unknown(c: &Cursor, col: u32, name: &str) -> ParseError {
    let names = CALL_NAMES.join(", ");
    c.error_at(
        col,
        format!("unknown call \"{name}\"; the calls are {names}"),
    )
}

/// The arguments of call `name`, up to its `)`.
fn args(c: &mut Cursor, col: u32, name: &str) -> Result<CallExpr, ParseError> {
    if name == "socket" {
        return socket_args(c);
    }
    let fd = values::fd(c)?;
    match name {
        "accept" => return Ok(Call::Accept { fd }),
        "close" => return Ok(Call::Close { fd }),
        "dup" => return Ok(Call::Dup { fd }),
        _ => c.expect(',', "',' and the next argument")?,
    }
    Ok(match name {
        "bind" => Call::Bind {
            fd,
            addr: values::endpoint(c)?,
        },
        "listen" => Call::Listen {
            fd,
            backlog: values::number(c, "a backlog (a number)")?,
        },
        "connect" => Call::Connect {
            fd,
            addr: values::socket_addr(c)?,
        },
        "send" => Call::Send {
            fd,
            len: values::size(c)?,
        },
        "recv" => Call::Recv {
            fd,
            len: values::size(c)?,
        },
        "recvfrom" => Call::RecvFrom {
            fd,
            len: values::size(c)?,
        },
        "sendto" => {
            let len = values::size(c)?;
            c.expect(',', "',' and the destination address")?;
            let to = values::socket_addr(c)?;
            Call::SendTo { fd, len, to }
        }
        "shutdown" => Call::Shutdown {
            fd,
            how: shutdown_how(c)?,
        },
        "setsockopt" => Call::SetSockOpt {
            fd,
            opt: sockopt(c)?,
        },
        "getsockopt" => Call::GetSockOpt {
            fd,
            name: opt_name(c)?,
        },
        "fcntl" => fcntl_args(c, fd)?,
        _ => return Err(unknown(c, col, name)),
    })
}

/// `socket(TCP|UDP[, AF_INET|AF_INET6])`.
fn socket_args(c: &mut Cursor) -> Result<CallExpr, ParseError> {
    let proto = values::proto(c)?;
    let family = if c.eat(',') {
        let col = c.col();
        match c.word().as_str() {
            "AF_INET" => Family::V4,
            "AF_INET6" => Family::V6,
            "" => return Err(c.expected("AF_INET or AF_INET6")),
            w => {
                return Err(c.error_at(col, format!("expected AF_INET or AF_INET6, found \"{w}\"")))
            }
        }
    } else {
        Family::V4
    };
    Ok(Call::Socket { proto, family })
}

fn shutdown_how(c: &mut Cursor) -> Result<Shutdown, ParseError> {
    c.skip_ws();
    let col = c.col();
    match c.word().as_str() {
        "SHUT_RD" => Ok(Shutdown::Read),
        "SHUT_WR" => Ok(Shutdown::Write),
        "SHUT_RDWR" => Ok(Shutdown::Both),
        "" => Err(c.expected("SHUT_RD, SHUT_WR or SHUT_RDWR")),
        w => Err(c.error_at(
            col,
            format!("expected SHUT_RD, SHUT_WR or SHUT_RDWR, found \"{w}\""),
        )),
    }
}

fn opt_name(c: &mut Cursor) -> Result<OptName, ParseError> {
    c.skip_ws();
    let col = c.col();
    match c.word().as_str() {
        "SO_SNDBUF" => Ok(OptName::SndBuf),
        "SO_RCVBUF" => Ok(OptName::RcvBuf),
        "SO_LINGER" => Ok(OptName::Linger),
        "SO_REUSEADDR" => Ok(OptName::ReuseAddr),
        "IPV6_V6ONLY" => Ok(OptName::V6Only),
        "" => Err(c.expected("an option name (SO_SNDBUF, SO_RCVBUF, SO_LINGER, SO_REUSEADDR, IPV6_V6ONLY)")),
        w => Err(c.error_at(
            col,
            format!("unknown socket option \"{w}\"; use SO_SNDBUF, SO_RCVBUF, SO_LINGER, SO_REUSEADDR or IPV6_V6ONLY"),
        )),
    }
}

/// The option's name and value, as setsockopt() takes them.
fn sockopt(c: &mut Cursor) -> Result<SockOpt, ParseError> {
    let name = opt_name(c)?;
    c.expect(',', &format!("',' and the value of {name}"))?;
    Ok(match name {
        OptName::SndBuf => SockOpt::SndBuf(values::size(c)?),
        OptName::RcvBuf => SockOpt::RcvBuf(values::size(c)?),
        OptName::Linger => {
            let mark = c.mark();
            if c.eat_keyword("off") {
                SockOpt::Linger(None)
            } else {
                c.reset(mark);
                SockOpt::Linger(Some(values::number(c, "a linger time in seconds or off")?))
            }
        }
        OptName::ReuseAddr => SockOpt::ReuseAddr(on_off(c)?),
        OptName::V6Only => SockOpt::V6Only(on_off(c)?),
    })
}

/// A flag option's value: `1`/`on` or `0`/`off`.
fn on_off(c: &mut Cursor) -> Result<bool, ParseError> {
    c.skip_ws();
    let col = c.col();
    match c.word().as_str() {
        "1" | "on" => Ok(true),
        "0" | "off" => Ok(false),
        "" => Err(c.expected("0 or 1")),
        w => Err(c.error_at(col, format!("expected 0 or 1, found \"{w}\""))),
    }
}

/// `fcntl(fd, F_SETFL, O_NONBLOCK|0)` or the short `fcntl(fd, O_NONBLOCK)`.
fn fcntl_args(c: &mut Cursor, fd: FdRef) -> Result<CallExpr, ParseError> {
    let mark = c.mark();
    if !c.eat_keyword("F_SETFL") {
        c.reset(mark);
    } else {
        c.expect(',', "',' and the flags (O_NONBLOCK or 0)")?;
    }
    c.skip_ws();
    let col = c.col();
    let on = match c.word().as_str() {
        "O_NONBLOCK" => true,
        "0" => false,
        "" => return Err(c.expected("O_NONBLOCK or 0")),
        w => {
            return Err(c.error_at(
                col,
                format!("expected O_NONBLOCK or 0 (fcntl here only sets F_SETFL), found \"{w}\""),
            ))
        }
    };
    Ok(Call::SetNonBlocking { fd, on })
}
