//! Reading network commands: the items of a `net:` line.

use super::cursor::Cursor;
use super::values;
use crate::ast::{Link, NetCmd};
use crate::error::ParseError;

const COMMANDS: &str =
    "deliver N, step [N], run [DURATION], drop next A -> B, loss A -> B P, delay A -> B D, reorder A -> B P D, duplicate A -> B P, inject TCP from ADDR to ADDR FLAGS, crash H, restart H";

/// One network command.
pub fn command(c: &mut Cursor) -> Result<NetCmd, ParseError> {
    c.skip_ws();
    let col = c.col();
    let Some(word) = c.ident() else {
        return Err(c.expected(&format!("a network command ({COMMANDS})")));
    };
    Ok(match word.as_str() {
        "deliver" => NetCmd::Deliver(values::number(c, "a number of segments")?),
        "step" => NetCmd::Step(if ends(c) {
            1
        } else {
            values::number(c, "a number of events")?
        }),
        "run" => NetCmd::Run(if ends(c) {
            None
        } else {
            Some(values::duration(c)?)
        }),
        "drop" => {
            if !c.eat_keyword("next") {
                return Err(c.expected("\"next\" after drop"));
            }
            NetCmd::DropNext(link(c)?)
        }
        "loss" => {
            let l = link(c)?;
            NetCmd::Loss(l, values::fraction(c)?)
        }
        "delay" => {
            let l = link(c)?;
            NetCmd::Delay(l, values::duration(c)?)
        }
        "reorder" => {
            let l = link(c)?;
            let p = values::fraction(c)?;
            NetCmd::Reorder(l, p, values::duration(c)?)
        }
        "duplicate" => {
            let l = link(c)?;
            NetCmd::Duplicate(l, values::fraction(c)?)
        }
        "inject" => NetCmd::Inject(Box::new(super::inject::injection(c)?)),
        "crash" => NetCmd::Crash(host(c)?),
        "restart" => NetCmd::Restart(host(c)?),
        other => {
            return Err(c.error_at(
                col,
                format!("unknown network command \"{other}\"; the commands are {COMMANDS}"),
            ))
        }
    })
}

/// The command has no more arguments.
fn ends(c: &mut Cursor) -> bool {
    c.at_end() || c.peek() == Some(';')
}

fn host(c: &mut Cursor) -> Result<String, ParseError> {
    c.ident().ok_or_else(|| c.expected("a host name"))
}

/// `A -> B` or `A <-> B`.
fn link(c: &mut Cursor) -> Result<Link, ParseError> {
    let from = host(c)?;
    let both = if c.eat_str("<->") {
        true
    } else if c.eat_str("->") {
        false
    } else {
        return Err(c.expected("\"->\" (one direction) or \"<->\" (both)"));
    };
    let to = host(c)?;
    Ok(Link { from, to, both })
}
