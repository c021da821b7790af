//! The RCI block k–n: collection of the individual accounts for a benefit (N. 3115–3118, 2701).

use chrono::{Datelike, Months, NaiveDate};
use std::fmt;

use super::avs_number::AvsNumber;
use super::key_code::KeyCode;

/// k. Who receives the benefit (N. 3115).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Beneficiary {
    /// Code 1: the insured person of the RCI.
    Insured,
    /// Code 0, completed with the beneficiary's AVS number for the fund's own use.
    Other(AvsNumber),
}

/// l. The closing date of the CI: a month and a year (N. 3116).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClosingMonth {
    year: i32,
    month: u32,
}

impl ClosingMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1948..=9999).contains(&year))
            .then_some(ClosingMonth { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// `MM.YY`, the two-digit form of the directives.
    pub fn register_form(self) -> String {
        format!("{:02}.{:02}", self.month, self.year.rem_euclid(100))
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("month and year checked")
    }

    /// The month before, `None` before January 1948.
    pub fn previous(self) -> Option<Self> {
        match self.month {
            1 => ClosingMonth::new(self.year - 1, 12),
            m => ClosingMonth::new(self.year, m - 1),
        }
    }
}

/// N. 2701: "a RCI cannot be made more than 6 months in advance" — in advance of the insured
/// event. `true` when the event's month lies more than six months after the month of the order
/// date.
pub fn ordered_too_early(event: ClosingMonth, order_date: NaiveDate) -> bool {
    is_too_far_ahead(event, order_date)
}

/// N. 3116: the closing months the key allows for an insured event in `event`: for a pension,
/// December of the year before the event (income counted to 31 December) or the month before
/// the event (later income counted too); for a refund or transfer of contributions (79), the
/// month of departure, which is the event as given.
pub fn closing_months_for(key: KeyCode, event: ClosingMonth) -> Vec<ClosingMonth> {
    if key.code() == 79 {
        return vec![event];
    }
    let december_before = ClosingMonth::new(event.year - 1, 12);
    let month_before = event.previous();
    let mut months: Vec<ClosingMonth> = [december_before, month_before]
        .into_iter()
        .flatten()
        .collect();
    months.dedup();
    months
}

impl fmt::Display for ClosingMonth {
    /// ISO: `2026-12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Without the insured event, the proxy of N. 2701: the closing month may lie at most six months
/// after the month of the order date.
pub fn is_too_far_ahead(closing: ClosingMonth, order_date: NaiveDate) -> bool {
    let order_month = order_date.with_day(1).expect("day 1 exists");
    let limit = order_month
        .checked_add_months(Months::new(6))
        .unwrap_or(NaiveDate::MAX);
    closing.first_day() > limit
}

/// n. Domicile in Switzerland: an information code and, for code 1, the period (N. 3118, 2712).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domicile {
    /// Code 1: domiciled in Switzerland from … to …
    InSwitzerland { from: NaiveDate, to: NaiveDate },
    /// Code 2: not domiciled in Switzerland.
    NotInSwitzerland,
    /// Code 3: conventions with Germany, Finland and Norway.
    Convention,
}

impl Domicile {
    pub fn code(self) -> u8 {
        match self {
            Domicile::InSwitzerland { .. } => 1,
            Domicile::NotInSwitzerland => 2,
            Domicile::Convention => 3,
        }
    }
}

/// The RCI block k–n, required for the keys 71, 75, 79, 81, 85 (annex 9).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CollectionOrder {
    pub beneficiary: Beneficiary,
    pub closing: ClosingMonth,
    /// m. The day the fund gave the order (N. 3117).
    pub order_date: NaiveDate,
    pub domicile: Domicile,
}

impl fmt::Debug for CollectionOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionOrder")
            .field("closing", &self.closing)
            .field("order_date", &self.order_date)
            .field("domicile", &self.domicile.code())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn six_months_ahead() {
        let order = day(2026, 11, 23);
        assert!(!is_too_far_ahead(
            ClosingMonth::new(2026, 12).unwrap(),
            order
        ));
        assert!(!is_too_far_ahead(
            ClosingMonth::new(2027, 5).unwrap(),
            order
        ));
        assert!(is_too_far_ahead(ClosingMonth::new(2027, 6).unwrap(), order));
        assert!(!is_too_far_ahead(
            ClosingMonth::new(1990, 1).unwrap(),
            order
        ));
    }

    #[test]
    fn ordered_at_most_six_months_before_the_event() {
        let order = day(2026, 11, 23);
        assert!(!ordered_too_early(
            ClosingMonth::new(2027, 5).unwrap(),
            order
        ));
        assert!(ordered_too_early(
            ClosingMonth::new(2027, 6).unwrap(),
            order
        ));
    }

    #[test]
    fn closing_months_of_n_3116() {
        let m = |y, mo| ClosingMonth::new(y, mo).unwrap();
        let k = |c| KeyCode::new(c).unwrap();
        assert_eq!(
            closing_months_for(k(81), m(2027, 3)),
            [m(2026, 12), m(2027, 2)]
        );
        assert_eq!(closing_months_for(k(75), m(2027, 1)), [m(2026, 12)]);
        assert_eq!(closing_months_for(k(79), m(2026, 9)), [m(2026, 9)]);
    }

    #[test]
    fn closing_month_forms() {
        let c = ClosingMonth::new(2026, 3).unwrap();
        assert_eq!(c.register_form(), "03.26");
        assert_eq!(c.to_string(), "2026-03");
        assert!(ClosingMonth::new(2026, 13).is_none());
        assert!(ClosingMonth::new(2026, 0).is_none());
    }
}
