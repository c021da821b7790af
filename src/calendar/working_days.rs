//! Counting on the ZAS calendar: adding working days to a date, deciding whether a deadline has
//! passed, and counting the working days between two dates.

use chrono::{Datelike, NaiveDate};

use super::error::CalendarError;
use super::holidays::YearHolidays;
use super::range::{FIRST_DATE, LAST_DATE, MAX_WORKING_DAYS, in_range};
use super::zas_calendar::ZasCalendar;

impl ZasCalendar {
    /// The `n`-th working day after `start`: the day on which a deadline of `n` working days
    /// running from `start` ends.
    ///
    /// `start` itself never counts, whether or not it is a working day; the first candidate is
    /// the day after. `n = 0` gives `start`. Example: from Tuesday 22.12.2026, 7 working days
    /// end on Tuesday 05.01.2027 (23, 24, 28, 29, 30 December, 4 and 5 January; skipped are
    /// Christmas, two weekends, the Restoration of the Republic and New Year). The result is
    /// always a working day for `n ≥ 1`.
    ///
    /// Errors: `n` above [`MAX_WORKING_DAYS`] ([`CalendarError::TooManyWorkingDays`]), `start`
    /// outside the calendar ([`CalendarError::DateOutOfRange`]), a result after
    /// [`LAST_DATE`] ([`CalendarError::ResultOutOfRange`]). Never panics, never allocates.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n > MAX_WORKING_DAYS {
            return Err(CalendarError::TooManyWorkingDays { n });
        }
        if !in_range(start) {
            return Err(CalendarError::DateOutOfRange { date: start });
        }
        let last = LAST_DATE.num_days_from_ce();
        let mut walker = Walker::new(self);
        let mut day = start.num_days_from_ce();
        let mut remaining = n;
        while remaining > 0 {
            day += 1;
            if day > last {
                return Err(CalendarError::ResultOutOfRange { start, n });
            }
            if walker.is_working(day) {
                remaining -= 1;
            }
        }
        NaiveDate::from_num_days_from_ce_opt(day)
            .ok_or(CalendarError::ResultOutOfRange { start, n })
    }

    /// Whether a deadline of `n` working days running from `start` has passed on `today`.
    ///
    /// Convention: the deadline has passed when the `n`-th working day after `start` (see
    /// [`add_working_days`](Self::add_working_days)) has ended, so this is
    /// `today > add_working_days(start, n)`: on the `n`-th working day itself the deadline is
    /// still running, and a reminder is due from the start of the following day (whether or not
    /// that day is a working day). Used for the 7 and 15 working days of N. 3401.
    pub fn deadline_passed(
        &self,
        start: NaiveDate,
        n: u32,
        today: NaiveDate,
    ) -> Result<bool, CalendarError> {
        Ok(today > self.add_working_days(start, n)?)
    }

    /// The number of working days `d` with `from < d <= to`; when `to` is before `from`, minus
    /// the number of working days `d` with `to < d <= from`; zero when they are equal.
    ///
    /// So `working_days_between(a, b) == -working_days_between(b, a)`, counts add up
    /// (`between(a, b) + between(b, c) == between(a, c)`), and
    /// `working_days_between(start, add_working_days(start, n)?) == n`. Days outside the
    /// calendar count as closed. Never panics, never allocates; any pair of dates is accepted.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to >= from {
            self.count_after_up_to(from, to)
        } else {
            -self.count_after_up_to(to, from)
        }
    }

    /// The number of working days `d` with `after < d <= up_to` (`after <= up_to`).
    fn count_after_up_to(&self, after: NaiveDate, up_to: NaiveDate) -> i64 {
        // Only days inside the calendar can be working days: clamp to it.
        let low = after
            .num_days_from_ce()
            .saturating_add(1)
            .max(FIRST_DATE.num_days_from_ce());
        let high = up_to.num_days_from_ce().min(LAST_DATE.num_days_from_ce());
        let mut walker = Walker::new(self);
        let mut count = 0;
        for day in low..=high {
            if walker.is_working(day) {
                count += 1;
            }
        }
        count
    }
}

/// Walks days in order: the bit map where it covers them, the rules elsewhere, computing each
/// year's holidays once.
struct Walker<'a> {
    calendar: &'a ZasCalendar,
    year: Option<(i32, YearHolidays)>,
}

impl<'a> Walker<'a> {
    fn new(calendar: &'a ZasCalendar) -> Self {
        Walker {
            calendar,
            year: None,
        }
    }

    /// Whether the day with `num_days_from_ce` number `day` is a working day.
    fn is_working(&mut self, day: i32) -> bool {
        if let Some(working) = self.calendar.cached_working(day) {
            return working;
        }
        let Some(date) = NaiveDate::from_num_days_from_ce_opt(day) else {
            return false;
        };
        if !in_range(date) {
            return false;
        }
        let year = date.year();
        let holidays = match self.year {
            Some((cached, holidays)) if cached == year => holidays,
            _ => {
                let holidays = self.calendar.year_holidays(year);
                self.year = Some((year, holidays));
                holidays
            }
        };
        self.calendar.closure_with(date, &holidays).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarConfig;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn christmas_example() {
        let calendar = ZasCalendar::geneva();
        assert_eq!(
            calendar.add_working_days(date("2026-12-22"), 7),
            Ok(date("2027-01-05"))
        );
    }

    #[test]
    fn zero_returns_start_even_on_a_closed_day() {
        let calendar = ZasCalendar::geneva();
        assert_eq!(
            calendar.add_working_days(date("2026-12-25"), 0),
            Ok(date("2026-12-25"))
        );
    }

    #[test]
    fn start_never_counts() {
        let calendar = ZasCalendar::geneva();
        // From Friday 8 May 2026 (working) and from Saturday 9 May: 1 working day is Monday 11.
        assert_eq!(
            calendar.add_working_days(date("2026-05-08"), 1),
            Ok(date("2026-05-11"))
        );
        assert_eq!(
            calendar.add_working_days(date("2026-05-09"), 1),
            Ok(date("2026-05-11"))
        );
    }

    #[test]
    fn deadline_convention() {
        let calendar = ZasCalendar::geneva();
        let start = date("2026-12-22");
        let passed = |today| calendar.deadline_passed(start, 7, date(today));
        assert_eq!(passed("2027-01-04"), Ok(false));
        assert_eq!(passed("2027-01-05"), Ok(false));
        assert_eq!(passed("2027-01-06"), Ok(true));
    }

    #[test]
    fn guards() {
        let calendar = ZasCalendar::geneva();
        assert_eq!(
            calendar.add_working_days(date("2026-01-01"), 10_000_000),
            Err(CalendarError::TooManyWorkingDays { n: 10_000_000 })
        );
        assert_eq!(
            calendar.add_working_days(date("2026-01-01"), u32::MAX),
            Err(CalendarError::TooManyWorkingDays { n: u32::MAX })
        );
        assert!(
            calendar
                .add_working_days(date("2026-01-01"), MAX_WORKING_DAYS)
                .is_ok()
        );
        assert_eq!(
            calendar.add_working_days(NaiveDate::MAX, 1),
            Err(CalendarError::DateOutOfRange {
                date: NaiveDate::MAX
            })
        );
        assert_eq!(
            calendar.add_working_days(NaiveDate::MIN, 0),
            Err(CalendarError::DateOutOfRange {
                date: NaiveDate::MIN
            })
        );
        let late = date("9999-12-20");
        assert_eq!(
            calendar.add_working_days(late, 30),
            Err(CalendarError::ResultOutOfRange { start: late, n: 30 })
        );
        assert!(calendar.deadline_passed(late, 30, late).is_err());
    }

    #[test]
    fn between_conventions() {
        let calendar = ZasCalendar::geneva();
        let (a, b) = (date("2026-12-22"), date("2027-01-05"));
        assert_eq!(calendar.working_days_between(a, b), 7);
        assert_eq!(calendar.working_days_between(b, a), -7);
        assert_eq!(calendar.working_days_between(a, a), 0);
        // from < d <= to: the end counts, the start does not.
        assert_eq!(
            calendar.working_days_between(date("2026-12-22"), date("2026-12-23")),
            1
        );
        assert_eq!(
            calendar.working_days_between(date("2026-12-24"), date("2026-12-27")),
            0
        );
    }

    #[test]
    fn between_extreme_dates_does_not_panic() {
        let calendar = ZasCalendar::geneva();
        let all = calendar.working_days_between(NaiveDate::MIN, NaiveDate::MAX);
        let inside =
            calendar.working_days_between(FIRST_DATE.pred_opt().expect("exists"), LAST_DATE);
        assert_eq!(all, inside);
        assert!(all > 2_000_000);
    }

    #[test]
    fn walker_agrees_outside_the_cache() {
        let calendar = CalendarConfig::geneva()
            .with_closing_day(date("2200-01-02"), "x")
            .build()
            .expect("valid");
        let start = date("2199-12-01");
        for n in 0..40 {
            let end = calendar.add_working_days(start, n).expect("in range");
            assert_eq!(calendar.working_days_between(start, end), i64::from(n));
            if n > 0 {
                assert!(calendar.is_working_day(end), "{end}");
            }
        }
        // 1, 2 January 2200 (New Year, closing day) are skipped: 31 Dec is Restoration.
        assert_eq!(
            calendar.add_working_days(date("2199-12-30"), 1),
            Ok(date("2200-01-03"))
        );
    }
}
