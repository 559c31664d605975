//! Numbers that differ per learner: `param NAME LO..HI [step S]` draws a value from a
//! range, fixed by a seed, and `$NAME` anywhere later in the text stands for it. The
//! drawing happens on the text before it is parsed, so every question and goal is
//! still answered and checked by the engine with the numbers the learner sees.

use crate::error::ParseError;

/// The seed a scenario is read with when nobody chose one.
pub const DEFAULT_SEED: u64 = 1;

/// The scenario text with its parameters drawn for `seed`: each `param` line becomes a
/// comment that says the value (so line numbers stay), each `$NAME` the value.
pub fn instantiate(src: &str, seed: u64) -> Result<String, ParseError> {
    let mut values: Vec<(String, u64)> = Vec::new();
    let mut out = String::with_capacity(src.len());
    for (i, text) in src.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = text.trim_start();
        let indent = (text.len() - trimmed.len()) as u32;
        if let Some(rest) = trimmed.strip_prefix("param ") {
            let (name, value) = param(rest, seed, line, indent + 7)?;
            if values.iter().any(|(n, _)| *n == name) {
                return Err(err(
                    line,
                    indent + 1,
                    format!("the parameter {name} is drawn twice"),
                ));
            }
            out.push_str(&format!("# param {name} = {value}"));
            values.push((name, value));
        } else {
            out.push_str(&substitute(text, &values, line)?);
        }
        out.push('\n');
    }
    Ok(out)
}

fn err(line: u32, col: u32, message: String) -> ParseError {
    ParseError { line, col, message }
}

/// `NAME LO..HI [step S]`, drawn.
fn param(rest: &str, seed: u64, line: u32, col: u32) -> Result<(String, u64), ParseError> {
    let usage = "write param NAME LO..HI, or param NAME LO..HI step S";
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (name, range, step) = match words.as_slice() {
        [n, r] => (*n, *r, "1"),
        [n, r, "step", s] => (*n, *r, *s),
        _ => return Err(err(line, col, format!("expected a parameter: {usage}"))),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(err(
            line,
            col,
            format!("\"{name}\" cannot name a parameter: {usage}"),
        ));
    }
    let number = |w: &str| w.parse::<u64>().ok();
    let bounds = range
        .split_once("..")
        .and_then(|(a, b)| Some((number(a)?, number(b)?)));
    let (Some((lo, hi)), Some(step)) = (bounds, number(step)) else {
        return Err(err(
            line,
            col,
            format!("the range of {name} is not LO..HI with whole numbers: {usage}"),
        ));
    };
    if lo > hi || step == 0 {
        return Err(err(
            line,
            col,
            format!(
                "the range of {name} is empty (LO must not exceed HI, and a step is at least 1)"
            ),
        ));
    }
    let choices = (hi - lo) / step + 1;
    Ok((name.to_string(), lo + draw(seed, name) % choices * step))
}

/// A well-mixed number from the seed and the parameter's name (SplitMix64's finaliser
/// over an FNV-1a hash of the name): the same for the same pair on every platform.
fn draw(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = (seed ^ h).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Replaces each `$NAME` by its value; an unknown one is an error at its column.
fn substitute(text: &str, values: &[(String, u64)], line: u32) -> Result<String, ParseError> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        let name: String = chars[start..end].iter().collect();
        if name.is_empty() {
            out.push('$');
            i = start;
            continue;
        }
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => out.push_str(&v.to_string()),
            None => {
                return Err(err(
                    line,
                    i as u32 + 1,
                    format!("unknown parameter ${name}: a param line must draw it first"),
                ))
            }
        }
        i = end;
    }
    Ok(out)
}
