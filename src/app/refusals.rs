//! Refused unauthenticated requests, counted per client address, action and minute, and
//! written to the audit log as ONE event per address, action and minute with their count (a
//! row per refusal let a flood write 1 486 rows a second). An event is written once its minute
//! is over: by the next refusal, by the service's periodic flush, and at shutdown.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::json;

use crate::store::{AuditOutcome, NewAuditEvent};

/// Addresses counted apart in one minute; beyond, refusals are counted under `others`.
const MOST_ADDRESSES: usize = 10_000;

/// The refusals of one address, action and minute.
#[derive(Default)]
struct Tally {
    count: u64,
    reasons: BTreeMap<String, u64>,
}

/// (minute, address, action) → tally.
type Key = (DateTime<Utc>, String, &'static str);

/// The refusals not written yet.
#[derive(Default)]
pub struct Refusals {
    tallies: Mutex<BTreeMap<Key, Tally>>,
}

impl Refusals {
    /// Counts a refusal of `action` from `address` at `at`, for `reason`.
    pub fn count(&self, at: DateTime<Utc>, address: &str, action: &'static str, reason: &str) {
        let minute = minute_of(at);
        let mut tallies = self.tallies.lock().unwrap_or_else(|p| p.into_inner());
        let mut key = (minute, address.to_string(), action);
        if tallies.len() >= MOST_ADDRESSES && !tallies.contains_key(&key) {
            key.1 = "others".to_string();
        }
        let tally = tallies.entry(key).or_default();
        tally.count += 1;
        *tally.reasons.entry(reason.to_string()).or_default() += 1;
    }

    /// The events of the minutes before `now`'s (of every minute with `all`), taken out.
    pub fn take(&self, now: DateTime<Utc>, all: bool) -> Vec<NewAuditEvent> {
        let current = minute_of(now);
        let mut tallies = self.tallies.lock().unwrap_or_else(|p| p.into_inner());
        let keep = if all {
            BTreeMap::new()
        } else {
            tallies.split_off(&(current, String::new(), ""))
        };
        let done = std::mem::replace(&mut *tallies, keep);
        done.into_iter()
            .map(|((minute, address, action), tally)| NewAuditEvent {
                at: minute,
                actor: "anonymous".to_string(),
                action: action.to_string(),
                target: None,
                outcome: AuditOutcome::Denied,
                remote_addr: Some(address),
                details: json!({
                    "count": tally.count,
                    "minute": minute,
                    "reasons": tally.reasons,
                }),
                // Nobody was recognised: a system event (shown to those who review them).
                funds: Vec::new(),
            })
            .collect()
    }
}

fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_per_address_action_and_minute() {
        let refusals = Refusals::default();
        let t0 = DateTime::parse_from_rfc3339("2026-11-23T11:00:10Z")
            .unwrap()
            .to_utc();
        for _ in 0..1000 {
            refusals.count(t0, "192.0.2.1", "api.authenticate", "no bearer token");
        }
        refusals.count(t0, "192.0.2.1", "api.authenticate", "UnknownToken");
        refusals.count(t0, "192.0.2.2", "api.authenticate", "no bearer token");
        let later = t0 + TimeDelta::minutes(1);
        refusals.count(later, "192.0.2.1", "api.authenticate", "no bearer token");
        assert!(
            refusals.take(t0, false).is_empty(),
            "the minute is not over"
        );
        let events = refusals.take(later, false);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].details["count"], 1001);
        assert_eq!(events[0].details["reasons"]["UnknownToken"], 1);
        assert_eq!(events[0].remote_addr.as_deref(), Some("192.0.2.1"));
        assert_eq!(events[0].at.to_rfc3339(), "2026-11-23T11:00:00+00:00");
        let rest = refusals.take(later, true);
        assert_eq!(rest.len(), 1);
        assert!(refusals.take(later, true).is_empty());
    }
}
