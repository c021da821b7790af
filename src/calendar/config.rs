//! The calendar's configuration: which holiday rules apply and which extra days the ZAS is closed.
//!
//! Read from the `[calendar]` table of the daemon's configuration, e.g.
//!
//! ```toml
//! [calendar]
//! holidays = ["new_year", "good_friday", "easter_monday", "ascension", "whit_monday",
//!             "national_day", "jeune_genevois", "christmas", "restoration"]
//! [[calendar.closing_days]]
//! date = "2026-12-24"
//! reason = "ZAS closed"
//! ```
//!
//! Both keys may be left out: `holidays` then means all Geneva rules, `closing_days` none.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::holidays::HolidayRule;
use super::zas_calendar::ZasCalendar;

/// Which holiday rules apply and which extra closing days the ZAS has. Also a builder:
/// `CalendarConfig::geneva().without_holiday(..).with_closing_day(..).build()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// The holiday rules that apply, by configuration name (default: all Geneva rules).
    #[serde(default = "all_rules")]
    pub holidays: Vec<HolidayRule>,
    /// Extra days on which the ZAS is closed (default: none).
    #[serde(default)]
    pub closing_days: Vec<ClosingDay>,
}

/// A day the ZAS is closed beyond the public holidays, with the reason shown in explanations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosingDay {
    /// The closed day (`YYYY-MM-DD`).
    pub date: NaiveDate,
    /// Why the ZAS is closed, e.g. "ZAS closed" or "Bridge day".
    pub reason: String,
}

fn all_rules() -> Vec<HolidayRule> {
    HolidayRule::ALL.to_vec()
}

impl Default for CalendarConfig {
    /// The Geneva calendar: all holiday rules, no closing days.
    fn default() -> Self {
        CalendarConfig::geneva()
    }
}

impl CalendarConfig {
    /// The Geneva calendar: all holiday rules, no closing days.
    pub fn geneva() -> Self {
        CalendarConfig {
            holidays: all_rules(),
            closing_days: Vec::new(),
        }
    }

    /// The same configuration without the holiday `rule`.
    #[must_use]
    pub fn without_holiday(mut self, rule: HolidayRule) -> Self {
        self.holidays.retain(|listed| *listed != rule);
        self
    }

    /// The same configuration with exactly the holiday rules `rules`.
    #[must_use]
    pub fn with_holidays(mut self, rules: impl IntoIterator<Item = HolidayRule>) -> Self {
        self.holidays = rules.into_iter().collect();
        self
    }

    /// The same configuration with one more closing day.
    #[must_use]
    pub fn with_closing_day(mut self, date: NaiveDate, reason: impl Into<String>) -> Self {
        self.closing_days.push(ClosingDay {
            date,
            reason: reason.into(),
        });
        self
    }

    /// Builds the calendar; refuses a rule listed twice, a closing day listed twice and a
    /// closing day outside the calendar's range.
    pub fn build(&self) -> Result<ZasCalendar, CalendarError> {
        ZasCalendar::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_means_geneva() {
        let config: CalendarConfig = serde_json::from_str("{}").expect("valid config");
        assert_eq!(config, CalendarConfig::geneva());
    }

    #[test]
    fn reads_holidays_and_closing_days() {
        let config: CalendarConfig = serde_json::from_str(
            r#"{"holidays": ["new_year", "christmas"],
                "closing_days": [{"date": "2026-12-24", "reason": "ZAS closed"}]}"#,
        )
        .expect("valid config");
        assert_eq!(
            config.holidays,
            vec![HolidayRule::NewYear, HolidayRule::Christmas]
        );
        assert_eq!(config.closing_days[0].reason, "ZAS closed");
        assert_eq!(config.closing_days[0].date.to_string(), "2026-12-24");
    }

    #[test]
    fn unknown_holiday_is_named() {
        let error = serde_json::from_str::<CalendarConfig>(r#"{"holidays": ["easter"]}"#)
            .expect_err("unknown rule");
        assert!(
            error.to_string().contains("unknown holiday rule `easter`"),
            "{error}"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<CalendarConfig>(r#"{"holiday": []}"#).is_err());
        assert!(
            serde_json::from_str::<CalendarConfig>(
                r#"{"closing_days": [{"date": "2026-12-24", "reason": "x", "note": "y"}]}"#
            )
            .is_err()
        );
    }

    #[test]
    fn bad_closing_date_is_refused() {
        assert!(
            serde_json::from_str::<CalendarConfig>(
                r#"{"closing_days": [{"date": "2026-02-30", "reason": "x"}]}"#
            )
            .is_err()
        );
    }

    #[test]
    fn builder() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 24).expect("date");
        let config = CalendarConfig::geneva()
            .without_holiday(HolidayRule::Restoration)
            .with_closing_day(day, "ZAS closed");
        assert_eq!(config.holidays.len(), HolidayRule::COUNT - 1);
        assert!(!config.holidays.contains(&HolidayRule::Restoration));
        assert_eq!(config.closing_days.len(), 1);
    }

    #[test]
    fn serializes_back_to_names() {
        let json = serde_json::to_value(
            CalendarConfig::geneva()
                .with_holidays([HolidayRule::NewYear, HolidayRule::JeuneGenevois]),
        )
        .expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"holidays": ["new_year", "jeune_genevois"], "closing_days": []})
        );
    }
}
