//! The test data of the store's tests: announcements of every field set of fund 066.000 (or
//! another), made on 23 November 2026.

use arcgw::domain::{
    Announcement, AvsNumber, Beneficiary, BirthDate, ClosingMonth, CollectionOrder, Domicile,
    KeyCode, Particulars, Person, PersonName, Reference, Sex, SpecialKey, SplitYear,
    SplittingOrder, StateCode,
};
use arcgw::store::ChangeNote;
use chrono::{DateTime, TimeDelta, Utc};

use crate::support::db::avs;
use crate::support::flow::{day, fund};

/// 23 November 2026, 10:00 UTC, plus `minutes`.
pub fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + TimeDelta::minutes(minutes)
}

pub fn note(minutes: i64, cause: &str) -> ChangeNote {
    ChangeNote::new(t(minutes), "test:runner", cause)
}

pub fn announcement(
    fund_text: &str,
    reference: &str,
    key: i64,
    particulars: Particulars,
) -> Announcement {
    Announcement::new(
        fund(fund_text),
        Reference::new(reference).unwrap(),
        KeyCode::new(key).unwrap(),
        particulars,
    )
    .unwrap()
}

/// An opening of a CI (key 61) of `fund`.
pub fn account(fund: &str, reference: &str, number: AvsNumber) -> Announcement {
    announcement(
        fund,
        reference,
        61,
        Particulars::Account { avs_number: number },
    )
}

pub fn person() -> Person {
    Person {
        name: PersonName::fit("Brunner", "Anton Hugo").unwrap().0,
        sex: Sex::Male,
        birth_date: BirthDate::Day(day(1963, 4, 12)),
        country: StateCode::new(100).unwrap(),
    }
}

pub fn certificate(reference: &str, number: Option<AvsNumber>) -> Announcement {
    announcement(
        "066.000",
        reference,
        11,
        Particulars::Certificate {
            avs_number: number,
            person: person(),
        },
    )
}

pub fn collection(
    reference: &str,
    number: AvsNumber,
    beneficiary: Option<AvsNumber>,
) -> Announcement {
    let order = CollectionOrder {
        beneficiary: beneficiary.map_or(Beneficiary::Insured, Beneficiary::Other),
        closing: ClosingMonth::new(2026, 12).unwrap(),
        order_date: day(2026, 11, 23),
        domicile: Domicile::InSwitzerland {
            from: day(1985, 1, 1),
            to: day(2026, 12, 31),
        },
    };
    announcement(
        "066.000",
        reference,
        81,
        Particulars::Collection {
            avs_number: number,
            order,
        },
    )
}

/// An order of key 92–99 (99 revokes an RCI).
pub fn order(reference: &str, key: i64, number: AvsNumber) -> Announcement {
    announcement(
        "066.000",
        reference,
        key,
        Particulars::Order {
            avs_number: number,
            order_date: day(2026, 11, 20),
        },
    )
}

/// A splitting order (95) or its revocation (96).
pub fn splitting(reference: &str, key: i64, number: AvsNumber, spouse: AvsNumber) -> Announcement {
    let years = vec![
        SplitYear {
            year: 1996,
            special: None,
        },
        SplitYear {
            year: 1997,
            special: Some(SpecialKey::InvalidityAverage),
        },
    ];
    announcement(
        "066.000",
        reference,
        key,
        Particulars::Splitting {
            avs_number: number,
            order: SplittingOrder::new(spouse, years).unwrap(),
        },
    )
}

/// One announcement of every field set, with five distinct AVS numbers.
pub fn one_of_each() -> Vec<Announcement> {
    vec![
        certificate("C-1", Some(avs(1))),
        account("066.000", "A-1", avs(2)),
        collection("R-1", avs(3), Some(avs(4))),
        order("O-1", 97, avs(3)),
        splitting("S-1", 95, avs(5), avs(2)),
    ]
}
