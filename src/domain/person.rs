//! Personal data d–g of an announcement (N. 3107–3113).

use chrono::{Datelike, NaiveDate};
use std::fmt;

use super::name::PersonName;
use super::state_code::StateCode;

/// N. 3111: `1` male, `2` female.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Male = 1,
    Female = 2,
}

impl Sex {
    pub fn new(code: i64) -> Option<Sex> {
        match code {
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// N. 3112: a full birth date, or only the year when the day is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BirthDate {
    Day(NaiveDate),
    /// Only the year is known: the register writes day and month as `00`.
    Year(i32),
}

impl BirthDate {
    pub fn year(self) -> i32 {
        match self {
            BirthDate::Day(d) => d.year(),
            BirthDate::Year(y) => y,
        }
    }

    /// Not after `today`, and not before 1870 (nobody born earlier is alive or entitled).
    pub fn is_plausible(self, today: NaiveDate) -> bool {
        let not_future = match self {
            BirthDate::Day(d) => d <= today,
            BirthDate::Year(y) => y <= today.year(),
        };
        not_future && self.year() >= 1870
    }

    /// `dd.mm.yy` as in the fixed records: `04.09.84`, or `00.00.84` for a year only (N. 3112).
    pub fn register_form(self) -> String {
        match self {
            BirthDate::Day(d) => d.format("%d.%m.%y").to_string(),
            BirthDate::Year(y) => format!("00.00.{:02}", y.rem_euclid(100)),
        }
    }
}

impl fmt::Display for BirthDate {
    /// ISO: `1963-04-12` or `1963`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BirthDate::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            BirthDate::Year(y) => write!(f, "{y:04}"),
        }
    }
}

/// The personal data an announcement carries for the certificate keys (annex 9).
#[derive(Clone, PartialEq, Eq)]
pub struct Person {
    pub name: PersonName,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub country: StateCode,
}

impl fmt::Debug for Person {
    /// Personal data stays out of debug output (it ends up in logs).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Person(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_form_of_birth_dates() {
        let d = NaiveDate::from_ymd_opt(1984, 9, 4).unwrap();
        assert_eq!(BirthDate::Day(d).register_form(), "04.09.84");
        assert_eq!(BirthDate::Year(1984).register_form(), "00.00.84");
        assert_eq!(BirthDate::Year(1984).to_string(), "1984");
    }

    #[test]
    fn plausibility() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(BirthDate::Year(2026).is_plausible(today));
        assert!(!BirthDate::Year(2027).is_plausible(today));
        assert!(!BirthDate::Day(today.succ_opt().unwrap()).is_plausible(today));
        assert!(!BirthDate::Year(1869).is_plausible(today));
    }
}
