//! Reading a date given by a person, e.g. on the command line (`arcgw workdays add DATE N`).

use chrono::NaiveDate;

use super::error::{CalendarError, DateProblem};

/// Reads an ISO date `YYYY-MM-DD` (four-digit year, two-digit month and day; surrounding
/// spaces ignored). Refuses other shapes ([`CalendarError::NotIsoDate`]) and days that do not
/// exist, such as `2026-02-30` or `2027-02-29` ([`CalendarError::NotACalendarDate`], saying
/// which rule is broken).
pub fn parse_iso_date(text: &str) -> Result<NaiveDate, CalendarError> {
    let input = text.trim();
    let not_iso = || CalendarError::NotIsoDate {
        input: text.to_owned(),
    };
    let (year, month, day) = split_iso(input).ok_or_else(not_iso)?;
    let problem = if (1..=12).contains(&month) {
        let days_in_month = days_in_month(year, month).ok_or_else(not_iso)?;
        if (1..=days_in_month).contains(&day) {
            None
        } else {
            Some(DateProblem::NoSuchDay {
                year,
                month,
                day,
                days_in_month,
            })
        }
    } else {
        Some(DateProblem::NoSuchMonth { month })
    };
    if let Some(problem) = problem {
        return Err(CalendarError::NotACalendarDate {
            input: text.to_owned(),
            problem,
        });
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(not_iso)
}

/// The numbers of `YYYY-MM-DD`, if the text has exactly that shape.
fn split_iso(text: &str) -> Option<(i32, u32, u32)> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    Some((
        text.get(0..4)?.parse().ok()?,
        text.get(5..7)?.parse().ok()?,
        text.get(8..10)?.parse().ok()?,
    ))
}

/// The number of days of `month` (1–12) in `year`.
fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    let last = NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()?;
    Some(chrono::Datelike::day(&last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iso_dates() {
        assert_eq!(
            parse_iso_date("2026-12-22"),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 22).expect("date"))
        );
        assert_eq!(
            parse_iso_date(" 2028-02-29\n"),
            Ok(NaiveDate::from_ymd_opt(2028, 2, 29).expect("date"))
        );
    }

    #[test]
    fn refuses_days_that_do_not_exist() {
        let error = parse_iso_date("2026-02-30").expect_err("no 30 February");
        assert_eq!(
            error,
            CalendarError::NotACalendarDate {
                input: "2026-02-30".into(),
                problem: DateProblem::NoSuchDay {
                    year: 2026,
                    month: 2,
                    day: 30,
                    days_in_month: 28
                }
            }
        );
        assert_eq!(
            error.to_string(),
            "`2026-02-30` is not a calendar date: February 2026 has 28 days, there is no day 30"
        );
        assert!(parse_iso_date("2027-02-29").is_err());
        assert!(parse_iso_date("2026-04-31").is_err());
        assert!(parse_iso_date("2026-01-00").is_err());
        assert_eq!(
            parse_iso_date("2026-13-01")
                .expect_err("no month 13")
                .to_string(),
            "`2026-13-01` is not a calendar date: there is no month 13"
        );
    }

    #[test]
    fn refuses_other_shapes() {
        for text in [
            "",
            "22.12.2026",
            "2026-1-05",
            "2026/01/05",
            "+2026-01-05",
            "2026-01-05T00:00",
            "２０２６-01-05",
            "20260105",
            "2026-0a-05",
        ] {
            assert_eq!(
                parse_iso_date(text),
                Err(CalendarError::NotIsoDate { input: text.into() }),
                "{text:?}"
            );
        }
        assert_eq!(
            parse_iso_date("22.12.2026")
                .expect_err("not ISO")
                .to_string(),
            "`22.12.2026` is not an ISO date: expected YYYY-MM-DD, e.g. 2026-12-22"
        );
    }
}
