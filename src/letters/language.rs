//! The languages a fund writes to the ZAS in, and how each writes a date.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A language of a letter: Italian, German or French (configurable per fund).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    It,
    De,
    Fr,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: it, de or fr")]
pub struct UnknownLanguage(pub String);

impl Language {
    pub const ALL: [Language; 3] = [Language::It, Language::De, Language::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Language::It => "it",
            Language::De => "de",
            Language::Fr => "fr",
        }
    }

    /// `date` as a letter in this language writes it: `3 novembre 2026`, `3. November 2026`,
    /// `1er novembre 2026`.
    pub fn long_date(self, date: NaiveDate) -> String {
        let month = self.month_names()[date.month0() as usize];
        let (day, year) = (date.day(), date.year());
        match self {
            Language::It => format!("{day} {month} {year}"),
            Language::De => format!("{day}. {month} {year}"),
            Language::Fr if day == 1 => format!("1er {month} {year}"),
            Language::Fr => format!("{day} {month} {year}"),
        }
    }

    fn month_names(self) -> [&'static str; 12] {
        match self {
            Language::It => [
                "gennaio",
                "febbraio",
                "marzo",
                "aprile",
                "maggio",
                "giugno",
                "luglio",
                "agosto",
                "settembre",
                "ottobre",
                "novembre",
                "dicembre",
            ],
            Language::De => [
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ],
            Language::Fr => [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.code() == s.trim())
            .ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(Language::It.long_date(d), "1 marzo 2026");
        assert_eq!(Language::De.long_date(d), "1. März 2026");
        assert_eq!(Language::Fr.long_date(d), "1er mars 2026");
        let d = NaiveDate::from_ymd_opt(2026, 8, 24).unwrap();
        assert_eq!(Language::Fr.long_date(d), "24 août 2026");
    }

    #[test]
    fn codes_round_trip_and_others_are_refused() {
        for l in Language::ALL {
            assert_eq!(l.code().parse::<Language>(), Ok(l));
        }
        assert_eq!(
            "en".parse::<Language>().unwrap_err().to_string(),
            "unknown language \"en\": it, de or fr"
        );
    }
}
