//! Sizes, durations and fractions: how scenarios spell them, read and printed.
//!
//! Readers return a plain message on failure; the parser adds line and column.
//! Printers choose a spelling that reads back to exactly the same value.

use sockscope_engine::{Micros, MS, SEC};

/// A byte count: `1000`, `64K`, `64KiB`, `1M`, `1MiB` (K = 1024, as the kernel counts).
pub fn parse_size(word: &str) -> Result<u64, String> {
    let digits_end = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    let (digits, unit) = word.split_at(digits_end);
    if digits.is_empty() {
        return Err(format!(
            "expected a size in bytes (like 1000 or 64K), found \"{word}\""
        ));
    }
    let scale: u64 = match unit {
        "" => 1,
        "K" | "k" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown size unit \"{unit}\" in \"{word}\": use K, KiB, M, MiB, G or GiB"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("size \"{word}\" is too large"))
}

/// A duration with its unit: `250us`, `50ms`, `1.5s`, `2min`.
pub fn parse_duration(word: &str) -> Result<Micros, String> {
    let num_end = word
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(word.len());
    let (num, unit) = word.split_at(num_end);
    let scale: Micros = match unit {
        "us" => 1,
        "ms" => MS,
        "s" => SEC,
        "min" => 60 * SEC,
        "" => {
            return Err(format!(
                "expected a duration with a unit (us, ms, s or min), like 50ms, found \"{word}\""
            ))
        }
        _ => {
            return Err(format!(
                "unknown time unit \"{unit}\" in \"{word}\": use us, ms, s or min"
            ))
        }
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(format!(
            "expected a duration like 50ms or 1.5s, found \"{word}\""
        ));
    }
    let too_large = || format!("duration \"{word}\" is too large");
    let whole = if int.is_empty() {
        0
    } else {
        int.parse::<u64>().map_err(|_| too_large())?
    };
    let mut total = whole.checked_mul(scale).ok_or_else(too_large)?;
    // Each fractional digit is worth a tenth of the one before; it must land on whole µs.
    let mut place = scale;
    for d in frac.chars() {
        let digit = d
            .to_digit(10)
            .expect("only digits and one dot were scanned") as u64;
        if digit != 0 && place % 10 != 0 {
            return Err(format!(
                "duration \"{word}\" is finer than a microsecond, the clock's resolution"
            ));
        }
        place /= 10;
        total = total.checked_add(digit * place).ok_or_else(too_large)?;
    }
    Ok(total)
}

/// A probability: `5%` or `0.05`, between 0 and 1.
pub fn parse_fraction(word: &str) -> Result<f64, String> {
    let (num, percent) = match word.strip_suffix('%') {
        Some(n) => (n, true),
        None => (word, false),
    };
    let ok_chars = !num.is_empty() && num.chars().all(|c| c.is_ascii_digit() || c == '.');
    let value = ok_chars
        .then(|| num.parse::<f64>().ok())
        .flatten()
        .ok_or_else(|| format!("expected a probability like 5% or 0.05, found \"{word}\""))?;
    let value = if percent { value / 100.0 } else { value };
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "a probability lies between 0% and 100%, found \"{word}\""
        ))
    }
}

/// The shortest exact spelling: whole minutes are still printed in seconds (`120s`),
/// which is how the textbook quotes TIME_WAIT.
pub fn format_duration(us: Micros) -> String {
    if us == 0 {
        "0s".to_string()
    } else if us % SEC == 0 {
        format!("{}s", us / SEC)
    } else if us % MS == 0 {
        format!("{}ms", us / MS)
    } else {
        format!("{us}us")
    }
}

/// A moment of virtual time in a transcript: `0s`, `150ms`, `1.05s`, `127s`, exact
/// and as short as it can be (the runner's `t=` and the command line).
pub fn format_time(us: Micros) -> String {
    if us < SEC {
        return format_duration(us);
    }
    let secs = us / SEC;
    let frac = us % SEC;
    if frac == 0 {
        return format!("{secs}s");
    }
    let digits = format!("{frac:06}");
    format!("{secs}.{}s", digits.trim_end_matches('0'))
}

/// Virtual time on a ticking display (the page's clock, its list of events, the quiet
/// stretches it skips): `0.150 s`, `1 min 2.0 s`. Always three decimals below a minute,
/// so a running clock and a column of times keep their width, which the exact
/// `format_time` does not.
pub fn clock_time(us: Micros) -> String {
    let s = us as f64 / 1e6;
    if s >= 60.0 {
        format!("{} min {:.1} s", (s / 60.0).floor(), s % 60.0)
    } else {
        format!("{s:.3} s")
    }
}

/// A probability as a percentage (`5%`) when that reads back to exactly the same
/// value, otherwise as the plain decimal, which always does.
pub fn format_fraction(f: f64) -> String {
    let percent = format!("{}%", f * 100.0);
    if percent.len() <= 8 && parse_fraction(&percent) == Ok(f) {
        percent
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64K"), Ok(65_536));
        assert_eq!(parse_size("64KiB"), Ok(65_536));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert!(parse_size("1X").unwrap_err().contains("unknown size unit"));
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("K").is_err());
    }

    #[test]
    fn durations_need_a_unit_and_land_on_microseconds() {
        assert_eq!(parse_duration("50ms"), Ok(50 * MS));
        assert_eq!(parse_duration("1.5s"), Ok(1_500 * MS));
        assert_eq!(parse_duration("2min"), Ok(120 * SEC));
        assert_eq!(parse_duration("7us"), Ok(7));
        assert!(parse_duration("50").unwrap_err().contains("unit"));
        assert!(parse_duration("1.5us").unwrap_err().contains("microsecond"));
        assert!(parse_duration("1.2.3s").is_err());
        assert!(parse_duration(".s").is_err());
    }

    #[test]
    fn durations_print_back_to_the_same_value() {
        for us in [0, 1, 999, MS, 1_500 * MS, 60 * SEC, 123_456_789] {
            assert_eq!(parse_duration(&format_duration(us)), Ok(us), "{us}");
        }
        assert_eq!(format_time(1_050 * MS), "1.05s");
        assert_eq!(format_time(150 * MS), "150ms");
    }

    #[test]
    fn the_clock_keeps_its_width() {
        assert_eq!(clock_time(0), "0.000 s");
        assert_eq!(clock_time(150 * MS), "0.150 s");
        assert_eq!(clock_time(1_050 * MS), "1.050 s");
        assert_eq!(clock_time(62 * SEC), "1 min 2.0 s");
    }

    #[test]
    fn fractions_take_percent_or_decimal_and_stay_in_range() {
        assert_eq!(parse_fraction("5%"), Ok(0.05));
        assert_eq!(parse_fraction("0.05"), Ok(0.05));
        assert_eq!(parse_fraction("100%"), Ok(1.0));
        assert!(parse_fraction("150%").is_err());
        assert!(parse_fraction("-1").is_err());
        assert!(parse_fraction("%").is_err());
        assert_eq!(format_fraction(0.05), "5%");
        for p in [0.3, 0.05, 1.0, 0.0, 0.123456789, 1e-9] {
            assert_eq!(parse_fraction(&format_fraction(p)), Ok(p), "{p}");
        }
    }
}
