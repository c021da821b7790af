//! Capped exponential backoff with jitter, for resending a transmission.

use std::time::Duration;

/// The wait before attempt `attempt + 1`, after `attempt` failed ones (from 1): `initial`
/// doubled for each failure, capped at `max`, then a random share between half and all of it
/// (so that many instances do not retry in step). `random` is a number in `0.0..1.0`.
pub fn delay(attempt: u32, initial: Duration, max: Duration, random: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(32);
    let full = initial.saturating_mul(1u32 << doublings.min(31)).min(max);
    full.mul_f64(0.5 + 0.5 * random.clamp(0.0, 1.0))
}

/// A random number in `0.0..1.0` from the operating system (through a v4 UUID).
pub fn random_share() -> f64 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    f64::from(u16::from_le_bytes([bytes[0], bytes[1]])) / 65536.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_caps_and_jitters() {
        let (initial, max) = (Duration::from_millis(500), Duration::from_secs(60));
        assert_eq!(delay(1, initial, max, 1.0), Duration::from_millis(500));
        assert_eq!(delay(2, initial, max, 1.0), Duration::from_secs(1));
        assert_eq!(delay(4, initial, max, 1.0), Duration::from_secs(4));
        assert_eq!(delay(40, initial, max, 1.0), max, "capped");
        assert_eq!(
            delay(2, initial, max, 0.0),
            Duration::from_millis(500),
            "half at the least"
        );
        let r = random_share();
        assert!((0.0..1.0).contains(&r));
    }
}
