//! Reading questions: `ask ID PROBE [after MOMENT]`, and the `prompt`, `choice`,
//! `hint` and `why` lines that follow it and belong to it.

use super::cursor::Cursor;
use super::{call, net, proc_ref, process_item, values};
use crate::ast::{Goal, QueueName, Stmt};
use crate::error::ParseError;
use crate::question::{Answer, Choice, Hint, Probe, Question};

const PROBES: &str =
    "HOST: call, blocks HOST: call, state, sendq, recvq, demux, deadlock or echo_limit";

/// Words that start a line belonging to the `ask` above it.
pub const FOLLOW_UPS: [&str; 4] = ["prompt", "choice", "hint", "why"];

/// Everything after the keyword `ask`.
pub fn ask(c: &mut Cursor) -> Result<Question, ParseError> {
    c.skip_ws();
    let id = c
        .ident()
        .ok_or_else(|| c.expected("a name for the question (like recv_size)"))?;
    let probe = probe(c)?;
    let mut after = Vec::new();
    c.skip_ws();
    let col = c.col();
    if c.eat_keyword("after") {
        if probe.is_call() {
            return Err(c.error_at(
                col,
                "a question about a call asks about that call's own moment; it takes no \"after\""
                    .into(),
            ));
        }
        after = moment(c)?;
    }
    if !c.at_end() {
        return Err(c.expected("\"after\" and what happens, or the end of the line"));
    }
    Ok(Question {
        id,
        probe,
        after,
        prompt: None,
        choices: Vec::new(),
        hints: Vec::new(),
        why: None,
    })
}

fn probe(c: &mut Cursor) -> Result<Probe, ParseError> {
    c.skip_ws();
    let col = c.col();
    let mark = c.mark();
    let Some(word) = c.ident() else {
        return Err(c.expected(&format!("what to ask about ({PROBES})")));
    };
    if matches!(c.peek(), Some(':' | '/')) {
        c.reset(mark);
        let (proc, call) = proc_call(c)?;
        return Ok(Probe::Returns { proc, call });
    }
    Ok(match word.as_str() {
        "blocks" => {
            let (proc, call) = proc_call(c)?;
            Probe::Blocks { proc, call }
        }
        "state" => Probe::State {
            proc: proc_ref(c)?,
            fd: values::fd(c)?,
        },
        "sendq" | "recvq" => Probe::Queue {
            queue: if word == "sendq" {
                QueueName::SendQ
            } else {
                QueueName::RecvQ
            },
            proc: proc_ref(c)?,
            fd: values::fd(c)?,
        },
        "demux" => Probe::Demux {
            proc: proc_ref(c)?,
            packet: values::packet(c)?,
        },
        "deadlock" => Probe::Deadlock,
        "echo_limit" => Probe::EchoLimit {
            chunk: values::size(c)?,
        },
        other => {
            return Err(c.error_at(
                col,
                format!("cannot ask about \"{other}\"; ask about one of: {PROBES}"),
            ))
        }
    })
}

fn proc_call(c: &mut Cursor) -> Result<(crate::ast::ProcRef, crate::ast::CallStmt), ParseError> {
    let proc = proc_ref(c)?;
    c.expect(':', "':' after the process")?;
    let call = call::call_stmt(c)?;
    Ok((proc, call))
}

/// `net: cmd; cmd` or `HOST: call; call`: what happens before the probe is read.
fn moment(c: &mut Cursor) -> Result<Vec<Stmt>, ParseError> {
    c.skip_ws();
    let mark = c.mark();
    let head = c.ident();
    let is_net = head.as_deref() == Some("net") && c.peek() == Some(':');
    c.reset(mark);
    let mut out = Vec::new();
    if is_net {
        c.ident();
        c.eat(':');
        loop {
            out.push(Stmt::Net(net::command(c)?));
            if !c.eat(';') {
                break;
            }
        }
        return Ok(out);
    }
    if head.is_none() {
        return Err(c.expected("what happens: net: ... or HOST: call"));
    }
    let proc = proc_ref(c)?;
    c.expect(
        ':',
        "':' after the process (after HOST: call, or after net: ...)",
    )?;
    loop {
        out.push(process_item(c, &proc)?);
        if !c.eat(';') {
            break;
        }
    }
    Ok(out)
}

/// The first word of a line, if it is one that belongs to an `ask` (and the line is
/// not a call of a host that happens to have that name).
pub fn follow_up_word(text: &str) -> Option<&'static str> {
    let t = text.trim_start();
    FOLLOW_UPS.into_iter().find(|w| {
        t.strip_prefix(w).is_some_and(|rest| {
            rest.is_empty()
                || (rest.starts_with(char::is_whitespace) && !rest.trim_start().starts_with(':'))
        })
    })
}

/// Adds a `prompt`, `choice`, `hint` or `why` line to its question.
pub fn follow_up(q: &mut Question, text: &str, line: u32) -> Result<(), ParseError> {
    let mut c = Cursor::new(text, line);
    c.skip_ws();
    let word = c.ident().unwrap_or_default();
    match word.as_str() {
        "prompt" => q.prompt = Some(nonempty(&mut c, "the question's wording after prompt")?),
        "why" => q.why = Some(nonempty(&mut c, "the explanation after why")?),
        "choice" => {
            let value = value(&mut c, q)?;
            if q.choices.iter().any(|ch| ch.value == value) {
                return Err(c.expected("a choice that is not already listed"));
            }
            let text = c.rest();
            q.choices.push(Choice { value, text });
        }
        "hint" => {
            let value = value(&mut c, q)?;
            let text = nonempty(&mut c, "the hint's text after its answer")?;
            q.hints.push(Hint { value, text });
        }
        other => {
            return Err(c.error_at(
                1,
                format!("\"{other}\" is not a line that belongs to a question"),
            ))
        }
    }
    Ok(())
}

/// Adds a `prompt` or `hint` line to a goal (its hints carry no answer).
pub fn goal_follow_up(g: &mut Goal, text: &str, line: u32) -> Result<(), ParseError> {
    let mut c = Cursor::new(text, line);
    c.skip_ws();
    let col = c.col();
    match c.ident().unwrap_or_default().as_str() {
        "prompt" => g.prompt = Some(nonempty(&mut c, "the goal's wording after prompt")?),
        "hint" => g
            .hints
            .push(nonempty(&mut c, "the hint's text after hint")?),
        other => {
            return Err(c.error_at(
                col,
                format!("a goal takes prompt and hint lines, not \"{other}\""),
            ))
        }
    }
    Ok(())
}

fn nonempty(c: &mut Cursor, what: &str) -> Result<String, ParseError> {
    if c.at_end() {
        return Err(c.expected(what));
    }
    Ok(c.rest())
}

/// An answer in the form the question calls for, as the learner would type it.
fn value(c: &mut Cursor, q: &Question) -> Result<Answer, ParseError> {
    let kind = q.probe.answer_kind();
    c.skip_ws();
    let col = c.col();
    let w = c.word();
    // `hint 1000: text` reads as well as `hint 1000 text`.
    let w = w.strip_suffix(':').unwrap_or(&w);
    if w.is_empty() {
        return Err(c.expected(&format!("an answer ({})", kind.help())));
    }
    kind.read(w).map_err(|m| c.error_at(col, m))
}
