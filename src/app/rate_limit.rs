//! Requests per minute: a token bucket per key (an API token's id, a client's address),
//! refilled continuously.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept before the full ones are forgotten (a flood from many addresses).
const MOST_BUCKETS: usize = 10_000;

/// One bucket per key; each holds up to `per_minute` requests.
pub struct RateLimiter<K = i64> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the key's bucket; `Err(wait)` when it is empty.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.level(key, now, 1.0)
    }

    /// Whether the key's bucket holds a request, without taking it; `Err(wait)` when empty.
    pub fn peek(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.level(key, now, 0.0)
    }

    /// Refills the key's bucket up to `now`, and takes `take` from it when it holds one.
    fn level(&self, key: &K, now: Instant, take: f64) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MOST_BUCKETS && !buckets.contains_key(key) {
            // A full bucket is one never seen: forgetting it changes nothing.
            buckets.retain(|_, (level, last)| {
                *level + now.saturating_duration_since(*last).as_secs_f64() * per_second < capacity
            });
        }
        let (level, last) = buckets.entry(key.clone()).or_insert((capacity, now));
        *level = (*level + now.saturating_duration_since(*last).as_secs_f64() * per_second)
            .min(capacity);
        *last = now;
        if *level >= 1.0 {
            *level -= take;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *level) / per_second))
        }
    }
}

/// The key of a client's address for the limits per address: the address itself for IPv4,
/// its /64 network for IPv6 (one subscriber's allocation, whose addresses are free to change).
pub fn client_key(address: Option<IpAddr>) -> String {
    match address {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_string(),
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
            assert!(limiter.peek(&1, t0).is_ok(), "a peek takes nothing");
            assert!(limiter.check(&1, t0).is_ok());
        }
        let wait = limiter.check(&1, t0).unwrap_err();
        assert!(wait.as_secs() <= 20 && wait.as_secs() >= 19, "{wait:?}");
        assert!(limiter.peek(&1, t0).is_err());
        assert!(
            limiter.check(&2, t0).is_ok(),
            "another token has its own bucket"
        );
        assert!(
            limiter.check(&1, t0 + Duration::from_secs(20)).is_ok(),
            "refilled"
        );
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(Some(a)), client_key(Some(b)));
        assert_eq!(client_key(Some("10.0.0.1".parse().unwrap())), "10.0.0.1");
    }
}
