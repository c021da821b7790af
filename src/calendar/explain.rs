//! Explaining a working-day count: which days counted and which were skipped, and why.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::closure::Closure;
use super::error::CalendarError;
use super::zas_calendar::ZasCalendar;

/// How [`ZasCalendar::add_working_days`] reached its result: every day after `start` up to
/// `result`, either counted or skipped with its reason. `Display` gives one readable paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation<'a> {
    /// The day the count runs from (never counted itself).
    pub start: NaiveDate,
    /// The number of working days added.
    pub n: u32,
    /// The `n`-th working day after `start`.
    pub result: NaiveDate,
    /// The working days counted, in order; `n` of them, the last being `result`.
    pub counted: Vec<NaiveDate>,
    /// The days passed over, in order, with why the ZAS is closed.
    pub skipped: Vec<SkippedDay<'a>>,
}

/// A day passed over while counting, with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SkippedDay<'a> {
    pub date: NaiveDate,
    /// Serialized inline: `{"date": "2026-12-25", "kind": "holiday", "rule": "christmas", ...}`.
    #[serde(flatten)]
    pub closure: Closure<'a>,
}

impl ZasCalendar {
    /// [`add_working_days`](Self::add_working_days) with the reasoning: the counted and the
    /// skipped days between `start` (excluded) and the result (included). Same errors.
    /// Allocates (one list entry per day walked); meant for people, not for bulk scans.
    pub fn explain_add(&self, start: NaiveDate, n: u32) -> Result<Explanation<'_>, CalendarError> {
        let result = self.add_working_days(start, n)?;
        let mut counted = Vec::with_capacity(n as usize);
        let mut skipped = Vec::new();
        for date in start.iter_days().skip(1).take_while(|day| *day <= result) {
            match self.closure(date) {
                None => counted.push(date),
                Some(closure) => skipped.push(SkippedDay { date, closure }),
            }
        }
        Ok(Explanation {
            start,
            n,
            result,
            counted,
            skipped,
        })
    }
}

impl fmt::Display for Explanation<'_> {
    /// E.g. "7 ZAS working days after Tue 22.12.2026 is Tue 05.01.2027: counted 23.12, 24.12,
    /// 28.12, 29.12, 30.12, 04.01, 05.01; skipped 25.12 (Christmas), 26.12–27.12 (weekend),
    /// 31.12 (Restoration of the Republic), 01.01 (New Year), 02.01–03.01 (weekend)."
    /// Days are written without the year when the whole span is shorter than a year.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.n == 1 { "day" } else { "days" };
        write!(
            f,
            "{} ZAS working {unit} after {} is ",
            self.n,
            LongDate(self.start)
        )?;
        if self.n == 0 {
            return f.write_str("the start day itself.");
        }
        write!(f, "{}", LongDate(self.result))?;
        let with_year = (self.result - self.start).num_days() >= 365;
        let day = |date| ShortDate { date, with_year };

        f.write_str(": counted ")?;
        for (index, date) in self.counted.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", day(*date))?;
        }

        f.write_str("; skipped ")?;
        if self.skipped.is_empty() {
            f.write_str("nothing")?;
        }
        for (index, (first, last, label)) in skipped_runs(&self.skipped).enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            if first == last {
                write!(f, "{} ({label})", day(first))?;
            } else {
                write!(f, "{}–{} ({label})", day(first), day(last))?;
            }
        }
        f.write_str(".")
    }
}

/// The skipped days grouped into runs of consecutive days with the same label (such as a
/// weekend): `(first, last, label)`.
fn skipped_runs<'s>(
    skipped: &'s [SkippedDay<'_>],
) -> impl Iterator<Item = (NaiveDate, NaiveDate, &'s str)> {
    let mut rest = skipped;
    std::iter::from_fn(move || {
        let (head, tail) = rest.split_first()?;
        let label = head.closure.label();
        let mut last = head.date;
        let mut taken = 1;
        for next in tail {
            if next.closure.label() != label || next.date.pred_opt() != Some(last) {
                break;
            }
            last = next.date;
            taken += 1;
        }
        rest = &rest[taken..];
        Some((head.date, last, label))
    })
}

/// A date as "Tue 22.12.2026".
struct LongDate(NaiveDate);

impl fmt::Display for LongDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.0;
        write!(
            f,
            "{} {:02}.{:02}.{}",
            date.weekday(),
            date.day(),
            date.month(),
            date.year()
        )
    }
}

/// A date as "22.12", or "22.12.2026" when the year is needed.
struct ShortDate {
    date: NaiveDate,
    with_year: bool,
}

impl fmt::Display for ShortDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}.{:02}", self.date.day(), self.date.month())?;
        if self.with_year {
            write!(f, ".{}", self.date.year())?;
        }
        Ok(())
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
    fn christmas_example_text() {
        let calendar = ZasCalendar::geneva();
        let explanation = calendar
            .explain_add(date("2026-12-22"), 7)
            .expect("in range");
        assert_eq!(
            explanation.to_string(),
            "7 ZAS working days after Tue 22.12.2026 is Tue 05.01.2027: counted 23.12, 24.12, \
             28.12, 29.12, 30.12, 04.01, 05.01; skipped 25.12 (Christmas), 26.12–27.12 \
             (weekend), 31.12 (Restoration of the Republic), 01.01 (New Year), 02.01–03.01 \
             (weekend)."
        );
        assert_eq!(explanation.counted.len(), 7);
        assert_eq!(explanation.skipped.len(), 7);
    }

    #[test]
    fn closing_days_are_named() {
        let calendar = CalendarConfig::geneva()
            .with_closing_day(date("2026-12-24"), "ZAS closed")
            .build()
            .expect("valid");
        let text = calendar
            .explain_add(date("2026-12-22"), 2)
            .expect("in range")
            .to_string();
        assert_eq!(
            text,
            "2 ZAS working days after Tue 22.12.2026 is Mon 28.12.2026: counted 23.12, 28.12; \
             skipped 24.12 (ZAS closed), 25.12 (Christmas), 26.12–27.12 (weekend)."
        );
    }

    #[test]
    fn small_counts() {
        let calendar = ZasCalendar::geneva();
        assert_eq!(
            calendar
                .explain_add(date("2026-12-22"), 0)
                .expect("in range")
                .to_string(),
            "0 ZAS working days after Tue 22.12.2026 is the start day itself."
        );
        assert_eq!(
            calendar
                .explain_add(date("2026-12-22"), 1)
                .expect("in range")
                .to_string(),
            "1 ZAS working day after Tue 22.12.2026 is Wed 23.12.2026: counted 23.12; \
             skipped nothing."
        );
    }

    #[test]
    fn long_spans_carry_the_year() {
        let calendar = ZasCalendar::geneva();
        let text = calendar
            .explain_add(date("2026-01-05"), 300)
            .expect("in range")
            .to_string();
        assert!(text.contains("counted 06.01.2026, "), "{text}");
    }

    #[test]
    fn errors_pass_through() {
        let calendar = ZasCalendar::geneva();
        assert_eq!(
            calendar.explain_add(date("2026-01-05"), u32::MAX),
            Err(CalendarError::TooManyWorkingDays { n: u32::MAX })
        );
    }

    #[test]
    fn serializes() {
        let calendar = ZasCalendar::geneva();
        let explanation = calendar
            .explain_add(date("2026-12-23"), 2)
            .expect("in range");
        assert_eq!(
            serde_json::to_value(&explanation).expect("serializable"),
            serde_json::json!({
                "start": "2026-12-23",
                "n": 2,
                "result": "2026-12-28",
                "counted": ["2026-12-24", "2026-12-28"],
                "skipped": [
                    {"date": "2026-12-25", "kind": "holiday", "rule": "christmas",
                     "name": "Christmas", "french_name": "Noël"},
                    {"date": "2026-12-26", "kind": "weekend", "day": "Saturday"},
                    {"date": "2026-12-27", "kind": "weekend", "day": "Sunday"},
                ],
            })
        );
    }
}
