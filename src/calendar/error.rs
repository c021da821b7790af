//! What can go wrong when building the ZAS calendar or counting on it.

use chrono::NaiveDate;

use super::holidays::{HolidayRule, known_rule_keys};
use super::range::{FIRST_DATE, LAST_DATE, MAX_WORKING_DAYS};

/// An error of the ZAS calendar: bad configuration, bad date text, or a count that leaves the
/// calendar's range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A holiday name in the configuration that is none of the known rules.
    #[error("unknown holiday rule `{name}` (known rules: {})", known_rule_keys())]
    UnknownHoliday { name: String },

    /// The same holiday rule listed twice in the configuration.
    #[error("holiday rule `{}` is listed twice", rule.key())]
    DuplicateHoliday { rule: HolidayRule },

    /// The same date listed twice as an extra closing day.
    #[error("closing day {date} is listed twice")]
    DuplicateClosingDay { date: NaiveDate },

    /// A date outside the range the calendar is defined for.
    #[error("{date} is outside the ZAS calendar, which covers {FIRST_DATE} to {LAST_DATE}")]
    DateOutOfRange { date: NaiveDate },

    /// Counting `n` working days from `start` would pass the last date of the calendar.
    #[error(
        "{n} working days after {start} would fall after {LAST_DATE}, the end of the ZAS calendar"
    )]
    ResultOutOfRange { start: NaiveDate, n: u32 },

    /// More working days than the documented maximum were asked for.
    #[error("{n} working days is more than the maximum of {MAX_WORKING_DAYS}")]
    TooManyWorkingDays { n: u32 },

    /// Text that does not have the shape `YYYY-MM-DD`.
    #[error("`{input}` is not an ISO date: expected YYYY-MM-DD, e.g. 2026-12-22")]
    NotIsoDate { input: String },

    /// Text shaped like `YYYY-MM-DD` that names no day of the calendar, e.g. `2026-02-30`.
    #[error("`{input}` is not a calendar date: {problem}")]
    NotACalendarDate { input: String, problem: DateProblem },
}

/// Why a `YYYY-MM-DD` text names no calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateProblem {
    /// The month is not 1 to 12.
    #[error("there is no month {month}")]
    NoSuchMonth { month: u32 },

    /// The day is 0 or beyond the length of the month.
    #[error("{} {year} has {days_in_month} days, there is no day {day}", month_name(*month))]
    NoSuchDay {
        year: i32,
        month: u32,
        day: u32,
        days_in_month: u32,
    },
}

/// The English name of a month 1–12 (for messages).
pub(crate) fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    month
        .checked_sub(1)
        .and_then(|index| NAMES.get(index as usize))
        .copied()
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_holiday_message_names_value_and_known_rules() {
        let error = CalendarError::UnknownHoliday {
            name: "boxing_day".into(),
        };
        let text = error.to_string();
        assert!(text.contains("`boxing_day`"), "{text}");
        assert!(text.contains("jeune_genevois"), "{text}");
    }

    #[test]
    fn no_such_day_message() {
        let problem = DateProblem::NoSuchDay {
            year: 2026,
            month: 2,
            day: 30,
            days_in_month: 28,
        };
        assert_eq!(
            problem.to_string(),
            "February 2026 has 28 days, there is no day 30"
        );
    }

    #[test]
    fn month_names_are_bounded() {
        assert_eq!(month_name(1), "January");
        assert_eq!(month_name(12), "December");
        assert_eq!(month_name(0), "?");
        assert_eq!(month_name(13), "?");
    }
}
