//! The span of dates the ZAS calendar is defined for, and the cap on working-day counts.

use chrono::{Datelike, NaiveDate};

/// The first year of the calendar: Easter (and with it Good Friday, Easter Monday, Ascension and
/// Whit Monday) is computed with the Gregorian computus, which is defined from 1583 on.
pub const FIRST_YEAR: i32 = 1583;

/// The last year of the calendar (the end of the Gregorian computus, and of four-digit years).
pub const LAST_YEAR: i32 = 9999;

/// The first day of the calendar, 1 January [`FIRST_YEAR`].
pub const FIRST_DATE: NaiveDate = ymd(FIRST_YEAR, 1, 1);

/// The last day of the calendar, 31 December [`LAST_YEAR`].
pub const LAST_DATE: NaiveDate = ymd(LAST_YEAR, 12, 31);

/// The most working days [`ZasCalendar::add_working_days`](super::ZasCalendar::add_working_days)
/// accepts: about 40 years, far beyond any deadline of the directives. Larger counts are refused
/// with [`CalendarError::TooManyWorkingDays`](super::CalendarError::TooManyWorkingDays) instead of
/// walking for a long time.
pub const MAX_WORKING_DAYS: u32 = 10_000;

/// Whether `date` lies in [`FIRST_DATE`]`..=`[`LAST_DATE`].
pub fn in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// A date known at compile time to exist (a bad one fails the build, never a run).
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("constant date does not exist"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_bounds() {
        assert_eq!(FIRST_DATE.to_string(), "1583-01-01");
        assert_eq!(LAST_DATE.to_string(), "9999-12-31");
        assert!(in_range(FIRST_DATE));
        assert!(in_range(LAST_DATE));
        assert!(!in_range(FIRST_DATE.pred_opt().expect("1582-12-31 exists")));
        assert!(!in_range(LAST_DATE.succ_opt().expect("10000-01-01 exists")));
        assert!(!in_range(NaiveDate::MIN));
        assert!(!in_range(NaiveDate::MAX));
    }
}
