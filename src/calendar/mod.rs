//! The ZAS calendar: working days in Geneva, for the deadlines of the ARC exchange.
//!
//! Deadlines run in working days of the ZAS (N. 3401: 7 and 15 working days). A working day is
//! Monday to Friday, except the public holidays of the canton of Geneva and the extra closing
//! days of the configuration. Knows no I/O and reads no clock: dates are passed in.
//!
//! - [`ZasCalendar`]: the calendar — [`is_working_day`](ZasCalendar::is_working_day),
//!   [`closure`](ZasCalendar::closure), [`add_working_days`](ZasCalendar::add_working_days),
//!   [`deadline_passed`](ZasCalendar::deadline_passed),
//!   [`working_days_between`](ZasCalendar::working_days_between),
//!   [`explain_add`](ZasCalendar::explain_add), [`holidays_in`](ZasCalendar::holidays_in).
//! - [`CalendarConfig`]: the `[calendar]` configuration (holiday rules, closing days).
//! - [`HolidayRule`]: the Geneva holiday rules, by name.
//! - [`parse_iso_date`]: strict `YYYY-MM-DD` for the command line.
//!
//! Conventions: counting from a date never counts that date; the `n`-th working day after it is
//! the last day of an `n`-working-day deadline, which has passed from the following day on.

mod closure;
mod config;
mod day_cache;
mod error;
mod explain;
mod holidays;
mod parse;
mod range;
mod working_days;
mod zas_calendar;

pub use closure::Closure;
pub use config::{CalendarConfig, ClosingDay};
pub use error::{CalendarError, DateProblem};
pub use explain::{Explanation, SkippedDay};
pub use holidays::{HolidayRule, easter_sunday};
pub use parse::parse_iso_date;
pub use range::{FIRST_DATE, FIRST_YEAR, LAST_DATE, LAST_YEAR, MAX_WORKING_DAYS};
pub use zas_calendar::ZasCalendar;
