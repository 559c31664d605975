//! Saturating multiplication that stays cheap in wasm.
//!
//! `u64::saturating_mul` and `checked_mul` detect overflow with a 128-bit multiply,
//! which wasm32 lacks: each becomes a call to `__multi3`, and the engine multiplies on
//! every segment (µs to ns, bytes to serialization time). Comparing against
//! `u64::MAX / b` gives the same answers; for a constant `b` the division folds away,
//! and small operands (the usual case) skip it altogether.

/// `a * b`, or `None` if it overflows: `u64::checked_mul`.
#[inline]
pub(crate) fn mul_checked(a: u64, b: u64) -> Option<u64> {
    if (a | b) >> 32 == 0 || b == 0 || a <= u64::MAX / b {
        Some(a.wrapping_mul(b))
    } else {
        None
    }
}

/// `a * b`, or `u64::MAX` if it overflows: `u64::saturating_mul`.
#[inline]
pub(crate) fn mul_sat(a: u64, b: u64) -> u64 {
    mul_checked(a, b).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_std() {
        let edge = [0, 1, 2, 3, 1000, 1 << 31, (1 << 32) - 1, 1 << 32, 1 << 33];
        let big = [u64::MAX / 1000, u64::MAX / 1000 + 1, u64::MAX / 2, u64::MAX];
        for &a in edge.iter().chain(&big) {
            for &b in edge.iter().chain(&big) {
                assert_eq!(mul_checked(a, b), a.checked_mul(b), "{a} * {b}");
                assert_eq!(mul_sat(a, b), a.saturating_mul(b), "{a} * {b}");
            }
        }
    }
}
