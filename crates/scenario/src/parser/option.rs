//! Reading `option KEY VALUE`: the knobs of `WorldConfig` a scenario may turn.

use super::cursor::Cursor;
use super::values;
use crate::ast::Setting;
use crate::error::ParseError;
use sockscope_engine::Behaviour;

pub const KEYS: &str = "seed, mss, initial_cwnd, delay, loss, sndbuf, rcvbuf, time_wait, initial_rto, min_rto, max_rto, syn_retries, synack_retries, data_retries, ephemeral_first, ephemeral_last, behaviour";

/// Everything after the keyword `option`.
pub fn setting(c: &mut Cursor) -> Result<Setting, ParseError> {
    c.skip_ws();
    let col = c.col();
    let Some(key) = c.ident() else {
        return Err(c.expected(&format!("an option name ({KEYS})")));
    };
    let value_col = {
        c.skip_ws();
        c.col()
    };
    let positive = |c: &mut Cursor, n: u64, what: &str| {
        if n == 0 {
            Err(c.error_at(value_col, format!("{what} must be at least 1")))
        } else {
            Ok(n)
        }
    };
    Ok(match key.as_str() {
        "seed" => Setting::Seed(values::number(c, "a seed (a number)")?),
        "mss" => {
            let n = values::size(c)?;
            Setting::Mss(positive(c, n, "mss")?)
        }
        "initial_cwnd" => {
            let n = values::number(c, "a number of segments")?;
            Setting::InitialCwnd(positive(c, n, "initial_cwnd")?)
        }
        "delay" => Setting::Delay(values::duration(c)?),
        "loss" => Setting::Loss(values::fraction(c)?),
        "sndbuf" => {
            let n = values::size(c)?;
            Setting::SndBuf(positive(c, n, "sndbuf")?)
        }
        "rcvbuf" => {
            let n = values::size(c)?;
            Setting::RcvBuf(positive(c, n, "rcvbuf")?)
        }
        "time_wait" => Setting::TimeWait(values::duration(c)?),
        "initial_rto" => Setting::InitialRto(values::duration(c)?),
        "min_rto" => Setting::MinRto(values::duration(c)?),
        "max_rto" => Setting::MaxRto(values::duration(c)?),
        "syn_retries" => Setting::SynRetries(values::number(c, "a number of retries")?),
        "synack_retries" => Setting::SynackRetries(values::number(c, "a number of retries")?),
        "data_retries" => Setting::DataRetries(values::number(c, "a number of retries")?),
        "ephemeral_first" => Setting::EphemeralFirst(values::number(c, "a port number")?),
        "ephemeral_last" => Setting::EphemeralLast(values::number(c, "a port number")?),
        "behaviour" => Setting::Behaviour(behaviour(c, value_col)?),
        other => {
            return Err(c.error_at(
                col,
                format!("unknown option \"{other}\"; the options are {KEYS}"),
            ))
        }
    })
}

/// `textbook` or `linux`.
fn behaviour(c: &mut Cursor, col: u32) -> Result<Behaviour, ParseError> {
    let Some(word) = c.ident() else {
        return Err(c.expected("a behaviour (textbook or linux)"));
    };
    word.parse().map_err(|e: String| c.error_at(col, e))
}
