//! The parser: text to `Scenario`, one line at a time.
//!
//! A line is one of three shapes, told apart by how it starts:
//! - `net: cmd; cmd` — network commands;
//! - `HOST: item; item` or `HOST/PROC: ...` — calls (and `fork`) of one process;
//! - anything else — `;`-separated statements: option, host, netstat, ss, explain,
//!   expect, say and section (which take the rest of the line as their text).

mod ask;
mod call;
mod cursor;
mod expect;
mod inject;
mod net;
mod option;
mod values;

use crate::ast::{ProcRef, Scenario, Statement, Stmt};
use crate::error::ParseError;
use cursor::Cursor;

pub use call::CALL_NAMES;

/// Words that start statements and so cannot name a host.
pub const KEYWORDS: [&str; 15] = [
    "option", "host", "net", "netstat", "ss", "explain", "expect", "say", "section", "ask",
    "prompt", "choice", "hint", "why", "goal",
];

/// Parses a whole scenario. Nothing of it is returned if any line is malformed.
pub fn parse(src: &str) -> Result<Scenario, ParseError> {
    parse_seeded(src, crate::params::DEFAULT_SEED)
}

/// Parses a scenario whose `param` lines are drawn with `seed` (see `params`).
pub fn parse_seeded(src: &str, seed: u64) -> Result<Scenario, ParseError> {
    // A text without parameters is read as written: a `$` in it is just a `$`.
    if src.lines().any(|l| l.trim_start().starts_with("param ")) {
        return parse_text(&crate::params::instantiate(src, seed)?);
    }
    parse_text(src)
}

fn parse_text(src: &str) -> Result<Scenario, ParseError> {
    let mut statements: Vec<Statement> = Vec::new();
    let mut first_host: Option<u32> = None;
    for (i, text) in src.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if let Some(word) = ask::follow_up_word(text) {
            match statements.last_mut().map(|s| &mut s.kind) {
                Some(Stmt::Ask(q)) => ask::follow_up(q, text, line)?,
                Some(Stmt::Goal(g)) => ask::goal_follow_up(g, text, line)?,
                _ => return Err(misplaced_follow_up(text, line, word)),
            }
            continue;
        }
        for s in parse_line_at(text, line)? {
            if let Stmt::Ask(q) = &s.kind {
                let earlier = statements.iter().find_map(|e| match &e.kind {
                    Stmt::Ask(o) if o.id == q.id => Some(e.line),
                    _ => None,
                });
                if let Some(earlier) = earlier {
                    return Err(ParseError {
                        line: s.line,
                        col: s.col,
                        message: format!(
                            "the question name \"{}\" is already used on line {earlier}; each question needs its own",
                            q.id
                        ),
                    });
                }
            }
            match (&s.kind, first_host) {
                (Stmt::Host { .. }, None) => first_host = Some(s.line),
                (Stmt::Option(_), Some(host_line)) => {
                    return Err(ParseError {
                        line: s.line,
                        col: s.col,
                        message: format!(
                            "options must come before the first host (line {host_line}): the world is built from them when hosts appear"
                        ),
                    })
                }
                _ => {}
            }
            statements.push(s);
        }
    }
    Ok(Scenario { statements })
}

/// Parses one line typed at a console (counted as line 1).
pub fn parse_line(text: &str) -> Result<Vec<Statement>, ParseError> {
    if let Some(word) = ask::follow_up_word(text) {
        return Err(misplaced_follow_up(text, 1, word));
    }
    parse_line_at(text, 1)
}

fn misplaced_follow_up(text: &str, line: u32, word: &str) -> ParseError {
    let col = text.chars().take_while(|c| c.is_whitespace()).count() as u32 + 1;
    ParseError {
        line,
        col,
        message: format!(
            "\"{word}\" belongs to a question or a goal: write it on the lines right after an ask or a goal"
        ),
    }
}

/// Parses one line that sits at `line` of some source.
pub fn parse_line_at(text: &str, line: u32) -> Result<Vec<Statement>, ParseError> {
    let mut c = Cursor::new(text, line);
    let mut out = Vec::new();
    if c.at_end() {
        return Ok(out);
    }
    let mark = c.mark();
    let head = c.ident();
    let next = c.peek();
    c.reset(mark);
    match (head.as_deref(), next) {
        (Some("net"), Some(':')) => {
            c.ident();
            c.eat(':');
            each_item(&mut c, &mut out, |c| net::command(c).map(Stmt::Net))?;
        }
        (Some(h), Some(':' | '/')) if !KEYWORDS.contains(&h) => {
            let proc = proc_ref(&mut c)?;
            c.expect(':', "':' after the process name")?;
            each_item(&mut c, &mut out, |c| process_item(c, &proc))?;
        }
        _ => each_item(&mut c, &mut out, statement)?,
    }
    Ok(out)
}

/// One item of a process line: a call or a fork of `proc`.
fn process_item(c: &mut Cursor, proc: &ProcRef) -> Result<Stmt, ParseError> {
    Ok(match call::item(c)? {
        call::Item::Call(call) => Stmt::Call {
            proc: proc.clone(),
            call,
        },
        call::Item::Fork(child) => Stmt::Fork {
            proc: proc.clone(),
            child,
        },
    })
}

/// Reads `;`-separated items to the end of the line.
fn each_item(
    c: &mut Cursor,
    out: &mut Vec<Statement>,
    mut item: impl FnMut(&mut Cursor) -> Result<Stmt, ParseError>,
) -> Result<(), ParseError> {
    loop {
        if c.at_end() {
            return Err(c.expected("a statement"));
        }
        c.skip_ws();
        let col = c.col();
        let kind = item(c)?;
        let said = matches!(kind, Stmt::Say(_) | Stmt::Section(_));
        out.push(Statement {
            line: c.line(),
            col,
            kind,
        });
        if said || c.at_end() {
            return Ok(());
        }
        c.expect(';', "';' or the end of the line")?;
    }
}

/// A statement of a general line.
fn statement(c: &mut Cursor) -> Result<Stmt, ParseError> {
    c.skip_ws();
    let col = c.col();
    let Some(word) = c.ident() else {
        return Err(c.expected(
            "a statement (option, host, HOST: call, net:, netstat, ss, explain, expect, ask, goal, say or section)",
        ));
    };
    match word.as_str() {
        "option" => option::setting(c).map(Stmt::Option),
        "host" => host(c),
        "netstat" => Ok(Stmt::Netstat {
            host: c
                .ident()
                .ok_or_else(|| c.expected("a host name after netstat"))?,
        }),
        "ss" => Ok(Stmt::Ss {
            host: c
                .ident()
                .ok_or_else(|| c.expected("a host name after ss"))?,
        }),
        "explain" => {
            let host = c
                .ident()
                .ok_or_else(|| c.expected("a host name after explain"))?;
            Ok(Stmt::Explain {
                host,
                packet: values::packet(c)?,
            })
        }
        "expect" => expect::expect(c).map(Stmt::Expect),
        "ask" => ask::ask(c).map(|q| Stmt::Ask(Box::new(q))),
        "goal" => expect::goal(c).map(|g| Stmt::Goal(Box::new(g))),
        "say" => Ok(Stmt::Say(c.rest())),
        "section" => {
            let title = c.rest();
            if title.is_empty() {
                return Err(c.expected("a title after section"));
            }
            Ok(Stmt::Section(title))
        }
        "net" => Err(c.expected("':' after net")),
        other => Err(c.error_at(
            col,
            format!(
                "unknown statement \"{other}\"; a line starts with option, host, HOST:, HOST/PROC:, net:, netstat, ss, explain, expect, ask, goal, say or section"
            ),
        )),
    }
}

/// `host NAME ADDR [ADDR ...]`.
fn host(c: &mut Cursor) -> Result<Stmt, ParseError> {
    c.skip_ws();
    let col = c.col();
    let name = c.ident().ok_or_else(|| c.expected("a host name"))?;
    if KEYWORDS.contains(&name.as_str()) {
        return Err(c.error_at(
            col,
            format!("\"{name}\" starts statements and cannot name a host; pick another name"),
        ));
    }
    let mut addrs = vec![values::ip(c)?];
    while !c.at_end() && c.peek() != Some(';') {
        addrs.push(values::ip(c)?);
    }
    Ok(Stmt::Host { name, addrs })
}

/// `HOST` or `HOST/PROC`.
fn proc_ref(c: &mut Cursor) -> Result<ProcRef, ParseError> {
    let host = c.ident().ok_or_else(|| c.expected("a host name"))?;
    let proc = if c.eat('/') {
        Some(
            c.ident()
                .ok_or_else(|| c.expected("a process name after '/'"))?,
        )
    } else {
        None
    };
    Ok(ProcRef { host, proc })
}
