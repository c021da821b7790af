//! Locking an account after repeated failed logins, with a delay that grows (annex 2.3: passwords must not be guessable by trying).

use chrono::TimeDelta;

/// Failed logins in a row that are let through without a delay.
pub const FREE_ATTEMPTS: u32 = 5;
/// The first delay; each further failure doubles it.
pub const FIRST_DELAY_SECS: i64 = 30;
/// The longest delay.
pub const LONGEST_DELAY_SECS: i64 = 3600;

/// How long logins are refused after the `failures`-th failed login in a row: nothing for the
/// first [`FREE_ATTEMPTS`], then 30 s, 1 min, 2 min, … up to an hour.
pub fn delay_after(failures: u32) -> Option<TimeDelta> {
    let beyond = failures.checked_sub(FREE_ATTEMPTS)?;
    let secs = FIRST_DELAY_SECS
        .checked_shl(beyond)
        .filter(|s| *s > 0 && *s <= LONGEST_DELAY_SECS)
        .unwrap_or(LONGEST_DELAY_SECS);
    Some(TimeDelta::seconds(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_and_is_capped() {
        for f in 0..FREE_ATTEMPTS {
            assert_eq!(delay_after(f), None);
        }
        let secs: Vec<i64> = (FREE_ATTEMPTS..FREE_ATTEMPTS + 9)
            .map(|f| delay_after(f).unwrap().num_seconds())
            .collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(delay_after(u32::MAX).unwrap().num_seconds(), 3600);
    }
}
