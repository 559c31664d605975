//! Virtual time: the world's clock counts microseconds; link serialization and the
//! experiment's CPU clocks count nanoseconds, so that per-byte costs never round away.
//! Conversions go through these helpers so that no `* 1000` is written by hand.

use crate::arith::mul_sat;

/// Virtual time in microseconds since the world began.
pub type Micros = u64;

/// Virtual time, or a duration, in nanoseconds (finer than the clock).
pub type Nanos = u64;

pub const MS: Micros = 1_000;
pub const SEC: Micros = 1_000_000;

/// Nanoseconds in one microsecond of the clock.
pub const NS_PER_US: Nanos = 1_000;

/// Nanoseconds in one second (link rates are in bytes per second).
pub const NS_PER_SEC: Nanos = 1_000_000_000;

/// `us` in nanoseconds, saturating instead of overflowing.
#[inline]
pub fn us_to_ns(us: Micros) -> Nanos {
    mul_sat(us, NS_PER_US)
}

/// The first clock tick at or after `ns`: what happens at `ns` is seen on the clock then.
#[inline]
pub fn ns_to_us_ceil(ns: Nanos) -> Micros {
    ns.div_ceil(NS_PER_US)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanoseconds_round_up_to_the_clock_and_saturate() {
        assert_eq!(us_to_ns(3), 3_000);
        assert_eq!(us_to_ns(u64::MAX), u64::MAX);
        assert_eq!(ns_to_us_ceil(3_000), 3);
        assert_eq!(ns_to_us_ceil(3_001), 4);
        assert_eq!(ns_to_us_ceil(0), 0);
    }
}
