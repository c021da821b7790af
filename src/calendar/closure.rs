//! Why a day is not a ZAS working day.

use std::fmt;

use chrono::Weekday;
use serde::ser::SerializeMap;

use super::holidays::HolidayRule;
use super::range::{FIRST_YEAR, LAST_YEAR};

/// The reason a day is not a working day of the ZAS. When several apply, the most specific
/// one is given: a holiday before a closing day before the weekend (so Christmas on a Saturday
/// is reported as Christmas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closure<'a> {
    /// Saturday or Sunday.
    Weekend(Weekday),
    /// A public holiday of the configured rules.
    Holiday(HolidayRule),
    /// An extra closing day from the configuration, with its reason.
    ClosingDay(&'a str),
    /// A day outside the years the calendar covers ([`FIRST_YEAR`]–[`LAST_YEAR`]); never a
    /// working day.
    OutsideCalendar,
}

impl Closure<'_> {
    /// A short label for explanations: "weekend", the holiday's English name, the closing
    /// day's reason, or "outside the calendar".
    pub fn label(&self) -> &str {
        match self {
            Closure::Weekend(_) => "weekend",
            Closure::Holiday(rule) => rule.name(),
            Closure::ClosingDay(reason) if reason.trim().is_empty() => "ZAS closing day",
            Closure::ClosingDay(reason) => reason,
            Closure::OutsideCalendar => "outside the calendar",
        }
    }

    /// The machine name of the kind: `weekend`, `holiday`, `closing_day` or `outside_calendar`.
    pub fn kind(&self) -> &'static str {
        match self {
            Closure::Weekend(_) => "weekend",
            Closure::Holiday(_) => "holiday",
            Closure::ClosingDay(_) => "closing_day",
            Closure::OutsideCalendar => "outside_calendar",
        }
    }
}

impl fmt::Display for Closure<'_> {
    /// A full sentence fragment, e.g. "public holiday: Christmas (Noël)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Closure::Weekend(day) => write!(f, "weekend ({})", weekday_name(*day)),
            Closure::Holiday(rule) => {
                write!(
                    f,
                    "public holiday: {} ({})",
                    rule.name(),
                    rule.french_name()
                )
            }
            Closure::ClosingDay(_) => write!(f, "ZAS closing day: {}", self.label()),
            Closure::OutsideCalendar => write!(
                f,
                "outside the ZAS calendar, which covers the years {FIRST_YEAR} to {LAST_YEAR}"
            ),
        }
    }
}

impl serde::Serialize for Closure<'_> {
    /// As a map with `kind` and the details: `{"kind": "weekend", "day": "Saturday"}`,
    /// `{"kind": "holiday", "rule": "christmas", "name": "Christmas", "french_name": "Noël"}`,
    /// `{"kind": "closing_day", "reason": "ZAS closed"}` or `{"kind": "outside_calendar"}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        match self {
            Closure::Weekend(day) => map.serialize_entry("day", weekday_name(*day))?,
            Closure::Holiday(rule) => {
                map.serialize_entry("rule", rule.key())?;
                map.serialize_entry("name", rule.name())?;
                map.serialize_entry("french_name", rule.french_name())?;
            }
            Closure::ClosingDay(reason) => map.serialize_entry("reason", reason)?,
            Closure::OutsideCalendar => {}
        }
        map.end()
    }
}

/// The English name of a weekday.
pub(crate) fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(Closure::Weekend(Weekday::Sat).label(), "weekend");
        assert_eq!(
            Closure::Holiday(HolidayRule::Christmas).label(),
            "Christmas"
        );
        assert_eq!(Closure::ClosingDay("Bridge day").label(), "Bridge day");
        assert_eq!(Closure::ClosingDay(" ").label(), "ZAS closing day");
    }

    #[test]
    fn display() {
        assert_eq!(
            Closure::Weekend(Weekday::Sun).to_string(),
            "weekend (Sunday)"
        );
        assert_eq!(
            Closure::Holiday(HolidayRule::JeuneGenevois).to_string(),
            "public holiday: Geneva Fast (Jeûne genevois)"
        );
        assert_eq!(
            Closure::ClosingDay("ZAS closed").to_string(),
            "ZAS closing day: ZAS closed"
        );
    }

    #[test]
    fn serializes_as_tagged_map() {
        let json = |closure: Closure<'_>| serde_json::to_value(closure).expect("serializable");
        assert_eq!(
            json(Closure::Weekend(Weekday::Sat)),
            serde_json::json!({"kind": "weekend", "day": "Saturday"})
        );
        assert_eq!(
            json(Closure::Holiday(HolidayRule::Restoration)),
            serde_json::json!({"kind": "holiday", "rule": "restoration",
                "name": "Restoration of the Republic",
                "french_name": "Restauration de la République"})
        );
        assert_eq!(
            json(Closure::ClosingDay("ZAS closed")),
            serde_json::json!({"kind": "closing_day", "reason": "ZAS closed"})
        );
        assert_eq!(
            json(Closure::OutsideCalendar),
            serde_json::json!({"kind": "outside_calendar"})
        );
    }
}
