//! Where time comes from. The service reads the system clock; tests and the simulator drive a
//! manual one, so that "7 working days later" is a test that runs in milliseconds.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use chrono::{SubsecRound, TimeDelta};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Today in Geneva: the directives' dates and the ZAS's working days are Swiss dates.
    fn today(&self) -> NaiveDate {
        self.now()
            .with_timezone(&chrono_tz::Europe::Zurich)
            .date_naive()
    }
}

/// The system clock, to the microsecond (both databases keep microseconds).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stands still until moved.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = at;
    }

    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-12-22T22:30:00Z")
            .unwrap()
            .to_utc();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        assert_eq!(
            clock.today().to_string(),
            "2026-12-22",
            "23:30 in Geneva in winter"
        );
        clock.advance(TimeDelta::hours(1));
        assert_eq!(clock.today().to_string(), "2026-12-23");
        clock.set(
            DateTime::parse_from_rfc3339("2027-06-30T22:30:00Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(
            clock.today().to_string(),
            "2027-07-01",
            "00:30 in Geneva in summer"
        );
    }
}
