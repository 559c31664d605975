//! Reading `expect` statements: what a scenario promises about the world.

use super::call;
use super::cursor::Cursor;
use super::proc_ref;
use super::values;
use crate::ast::{Expect, Goal, QueueName};
use crate::error::ParseError;

const FORMS: &str = "HOST: call == VALUE, state, sendq, recvq, netstat, deadlock, no deadlock, blocked, not blocked, returned, demux or transition";

/// Everything after the keyword `expect`.
pub fn expect(c: &mut Cursor) -> Result<Expect, ParseError> {
    c.skip_ws();
    let col = c.col();
    let mark = c.mark();
    let Some(word) = c.ident() else {
        return Err(c.expected(&format!("what to expect ({FORMS})")));
    };
    // `expect A: ...` or `expect A/p: ...`: a call, whatever the host is called.
    if matches!(c.peek(), Some(':') | Some('/')) {
        c.reset(mark);
        return call_expectation(c);
    }
    match word.as_str() {
        "state" => state(c),
        "sendq" => queue(c, QueueName::SendQ),
        "recvq" => queue(c, QueueName::RecvQ),
        "netstat" => netstat(c),
        "deadlock" => Ok(Expect::Deadlock(true)),
        "no" if c.eat_keyword("deadlock") => Ok(Expect::Deadlock(false)),
        "no" => Err(c.expected("\"deadlock\" after \"expect no\"")),
        "blocked" => blocked(c, true),
        "not" if c.eat_keyword("blocked") => blocked(c, false),
        "not" => Err(c.expected("\"blocked\" after \"expect not\"")),
        "returned" => returned(c),
        "demux" => demux(c),
        "transition" => transition(c),
        other => Err(c.error_at(
            col,
            format!("cannot expect \"{other}\"; write one of: {FORMS}"),
        )),
    }
}

/// `A: call == VALUE`.
fn call_expectation(c: &mut Cursor) -> Result<Expect, ParseError> {
    let proc = proc_ref(c)?;
    c.expect(':', "':' after the process")?;
    let call = call::call_stmt(c)?;
    equals(c)?;
    let want = values::outcome(c)?;
    Ok(Expect::Call { proc, call, want })
}

/// `state A c == ESTABLISHED`.
fn state(c: &mut Cursor) -> Result<Expect, ParseError> {
    let proc = proc_ref(c)?;
    let fd = values::fd(c)?;
    equals(c)?;
    let want = values::state(c)?;
    Ok(Expect::State { proc, fd, want })
}

/// `sendq A c == 6500` (or `recvq`).
fn queue(c: &mut Cursor, queue: QueueName) -> Result<Expect, ParseError> {
    let proc = proc_ref(c)?;
    let fd = values::fd(c)?;
    equals(c)?;
    let want = values::size(c)?;
    Ok(Expect::Queue {
        queue,
        proc,
        fd,
        want,
    })
}

/// `netstat B [STATE] == N`.
fn netstat(c: &mut Cursor) -> Result<Expect, ParseError> {
    let host = c
        .ident()
        .ok_or_else(|| c.expected("a host name after netstat"))?;
    let state = if c.peek() == Some('=') {
        None
    } else {
        Some(values::state(c)?)
    };
    equals(c)?;
    let want = values::number(c, "a number of rows")?;
    Ok(Expect::Netstat { host, state, want })
}

/// `blocked A` / `not blocked A`.
fn blocked(c: &mut Cursor, want: bool) -> Result<Expect, ParseError> {
    Ok(Expect::Blocked {
        proc: proc_ref(c)?,
        want,
    })
}

/// `returned A == VALUE`.
fn returned(c: &mut Cursor) -> Result<Expect, ParseError> {
    let proc = proc_ref(c)?;
    equals(c)?;
    let want = values::outcome(c)?;
    Ok(Expect::Returned { proc, want })
}

/// `demux HOST[/PROC] [TCP|UDP] from .. to .. == VAR|none`.
fn demux(c: &mut Cursor) -> Result<Expect, ParseError> {
    let proc = proc_ref(c)?;
    let packet = values::packet(c)?;
    equals(c)?;
    let mark = c.mark();
    let want = if c.eat_keyword("none") {
        None
    } else {
        c.reset(mark);
        Some(values::fd(c)?)
    };
    Ok(Expect::Demux { proc, packet, want })
}

/// `transition SYN_SENT -> SYN_RCVD`.
fn transition(c: &mut Cursor) -> Result<Expect, ParseError> {
    let from = values::state(c)?;
    if !c.eat_str("->") {
        return Err(c.expected("\"->\" and the state it moved to"));
    }
    let to = values::state(c)?;
    Ok(Expect::Transition { from, to })
}

fn equals(c: &mut Cursor) -> Result<(), ParseError> {
    if c.eat_str("==") {
        Ok(())
    } else {
        Err(c.expected("\"==\" and the expected value"))
    }
}

/// Everything after the keyword `goal`: conditions joined by `and`, each written as
/// after `expect`, except calls (a goal only looks; the learner makes the calls).
pub fn goal(c: &mut Cursor) -> Result<Goal, ParseError> {
    let mut conditions = Vec::new();
    loop {
        c.skip_ws();
        let col = c.col();
        let e = expect(c)?;
        if matches!(e, Expect::Call { .. }) {
            return Err(c.error_at(
                col,
                "a goal only looks at the world; the learner makes the calls (write a state, queue, netstat, deadlock, blocked, returned, demux or transition condition)".into(),
            ));
        }
        conditions.push(e);
        if !c.eat_keyword("and") {
            break;
        }
    }
    if !c.at_end() {
        return Err(c.expected("\"and\" and another condition, or the end of the line"));
    }
    Ok(Goal {
        conditions,
        prompt: None,
        hints: Vec::new(),
    })
}
