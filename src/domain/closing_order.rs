//! The ZAS's closing-and-transmission order (N. 2707–2713): when a fund orders an RCI, the ZAS
//! tells every fund that keeps a CI of the person to close it and send it to the ordering fund.
//! The order carries the key determining the RCI and the data of the DT (N. 2708), and the
//! domicile instruction with its mandate (N. 2712); the mandated fund transmits within ten days
//! (N. 2713).

use std::fmt;

use chrono::{Days, NaiveDate};

use super::avs_number::AvsNumber;
use super::collection::{ClosingMonth, Domicile};
use super::fund_number::FundNumber;
use super::key_code::{KeyCode, KeyGroup};
use super::message::MessageHeader;

/// N. 2713: "entro dieci giorni". Calendar days: where the directives mean working days they say
/// so ("giorni lavorativi", N. 3401); see docs/directives.md.
pub const TRANSMISSION_DAYS: u64 = 10;

/// A closing order refused by its constructors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClosingOrderError {
    #[error(
        "key code {0} does not determine an RCI: a closing order carries 71, 75, 79, 81, 85 or an old RCI key 73, 77, 83, 91 (N. 2708)"
    )]
    NotAnRciKey(u8),
    #[error(
        "the domicile period runs from {from} to {to}: it cannot end before it starts (N. 2712)"
    )]
    PeriodReversed { from: NaiveDate, to: NaiveDate },
}

/// The key determining the RCI (N. 2708): a key of group 3 (annex 1), the old RCI keys included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RciKey(KeyCode);

impl RciKey {
    pub fn new(key: KeyCode) -> Result<Self, ClosingOrderError> {
        if key.group() == KeyGroup::AccountCollection {
            Ok(RciKey(key))
        } else {
            Err(ClosingOrderError::NotAnRciKey(key.code()))
        }
    }

    pub fn key(self) -> KeyCode {
        self.0
    }

    pub fn code(self) -> u8 {
        self.0.code()
    }
}

/// The domicile instruction of N. 2712: a [`Domicile`] whose period, for code 1, does not end
/// before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DomicileInstruction(Domicile);

impl DomicileInstruction {
    pub fn new(domicile: Domicile) -> Result<Self, ClosingOrderError> {
        match domicile {
            Domicile::InSwitzerland { from, to } if to < from => {
                Err(ClosingOrderError::PeriodReversed { from, to })
            }
            _ => Ok(DomicileInstruction(domicile)),
        }
    }

    pub fn domicile(self) -> Domicile {
        self.0
    }

    pub fn code(self) -> u8 {
        self.0.code()
    }
}

/// A closing-and-transmission order, as the ZAS sends it to one fund keeping a CI of the person.
#[derive(Clone, PartialEq, Eq)]
pub struct ClosingOrder {
    /// The message id identifies the order: a repeated message is the same order.
    pub header: MessageHeader,
    /// The mandated fund: it keeps a CI of the person and must close and transmit it (N. 2707).
    pub fund: FundNumber,
    /// The fund that ordered the RCI; may be the mandated fund itself (N. 2709).
    pub ordering_fund: FundNumber,
    pub avs_number: AvsNumber,
    /// N. 2708.
    pub key: RciKey,
    /// l. The closing date of the RCI: entries up to it are closed (N. 2710, 3116).
    pub closing: ClosingMonth,
    /// m. The day the ordering fund gave the order (N. 3117).
    pub order_date: NaiveDate,
    /// n. N. 2712.
    pub domicile: DomicileInstruction,
}

impl fmt::Debug for ClosingOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClosingOrder")
            .field("message_id", &self.header.message_id)
            .field("fund", &self.fund)
            .field("ordering_fund", &self.ordering_fund)
            .field("key", &self.key.code())
            .field("closing", &self.closing)
            .field("order_date", &self.order_date)
            .field("domicile", &self.domicile.code())
            .finish_non_exhaustive()
    }
}

/// Where a closing order stands: open until the fund's system reports the CI transmitted
/// (`done`), or until it is cancelled; `done` and `cancelled` are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingOrderState {
    Open,
    Done,
    Cancelled,
}

/// A state name that is none of `open`, `done`, `cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a closing order is open, done or cancelled, not {0:?}")]
pub struct UnknownOrderState(pub String);

impl ClosingOrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosingOrderState::Open => "open",
            ClosingOrderState::Done => "done",
            ClosingOrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownOrderState> {
        match text {
            "open" => Ok(ClosingOrderState::Open),
            "done" => Ok(ClosingOrderState::Done),
            "cancelled" => Ok(ClosingOrderState::Cancelled),
            other => Err(UnknownOrderState(other.to_string())),
        }
    }
}

/// N. 2713: the mandated fund transmits the CI data within ten calendar days of receiving the
/// order. The day of receipt is day 0; a due date on a weekend or holiday is not moved (the
/// directives do not move it, and a reminder must never come later than the rule). The due date
/// is the last day to transmit: the order is overdue from the day after
/// ([`transmission_overdue`]), as the N. 3401 deadlines are.
pub fn transmission_due(received_on: NaiveDate) -> NaiveDate {
    received_on
        .checked_add_days(Days::new(TRANSMISSION_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether an order received on `received_on` and still open is overdue on `today`: the ten days
/// of N. 2713 have ended.
pub fn transmission_overdue(received_on: NaiveDate, today: NaiveDate) -> bool {
    today > transmission_due(received_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ten_calendar_days_across_a_month_end() {
        assert_eq!(transmission_due(day(2027, 1, 25)), day(2027, 2, 4));
        assert_eq!(transmission_due(day(2028, 2, 25)), day(2028, 3, 6));
        // 1 August (a Sunday in 2027) and weekends count like any day.
        assert_eq!(transmission_due(day(2027, 7, 26)), day(2027, 8, 5));
    }

    #[test]
    fn overdue_from_the_day_after_the_due_date() {
        let received = day(2027, 1, 25);
        assert!(!transmission_overdue(received, day(2027, 2, 4)));
        assert!(transmission_overdue(received, day(2027, 2, 5)));
    }

    #[test]
    fn states_read_back() {
        for s in [
            ClosingOrderState::Open,
            ClosingOrderState::Done,
            ClosingOrderState::Cancelled,
        ] {
            assert_eq!(ClosingOrderState::parse(s.as_str()), Ok(s));
        }
        assert!(ClosingOrderState::parse("closed").is_err());
    }

    #[test]
    fn only_rci_keys_determine_an_rci() {
        for code in [71, 75, 79, 81, 85] {
            assert!(RciKey::new(KeyCode::new(code).unwrap()).is_ok(), "{code}");
        }
        for code in [73, 77, 83, 91] {
            assert!(
                RciKey::new(KeyCode::old_law(code).unwrap()).is_ok(),
                "{code}"
            );
        }
        for code in [11, 65, 92, 95, 99] {
            assert_eq!(
                RciKey::new(KeyCode::new(code).unwrap()),
                Err(ClosingOrderError::NotAnRciKey(code as u8))
            );
        }
    }

    #[test]
    fn a_domicile_period_cannot_end_before_it_starts() {
        let period = |from, to| Domicile::InSwitzerland { from, to };
        assert!(DomicileInstruction::new(period(day(1980, 1, 1), day(1980, 1, 1))).is_ok());
        assert_eq!(
            DomicileInstruction::new(period(day(1990, 1, 1), day(1980, 1, 1))),
            Err(ClosingOrderError::PeriodReversed {
                from: day(1990, 1, 1),
                to: day(1980, 1, 1)
            })
        );
        let convention = DomicileInstruction::new(Domicile::Convention).unwrap();
        assert_eq!(convention.code(), 3);
    }
}
