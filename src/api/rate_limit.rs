//! Requests per minute and API token: a token bucket per token, refilled continuously.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One bucket per token id; each holds up to `per_minute` requests.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the token's bucket; `Err(wait)` when it is empty.
    pub fn check(&self, token: i64, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (level, last) = buckets.entry(token).or_insert((capacity, now));
        *level = (*level + now.saturating_duration_since(*last).as_secs_f64() * per_second)
            .min(capacity);
        *last = now;
        if *level >= 1.0 {
            *level -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *level) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_quota_then_waits() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(1, t0).is_ok());
        }
        let wait = limiter.check(1, t0).unwrap_err();
        assert!(wait.as_secs() <= 20 && wait.as_secs() >= 19, "{wait:?}");
        assert!(
            limiter.check(2, t0).is_ok(),
            "another token has its own bucket"
        );
        assert!(
            limiter.check(1, t0 + Duration::from_secs(20)).is_ok(),
            "refilled"
        );
    }
}
