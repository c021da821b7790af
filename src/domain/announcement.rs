//! An ARC announcement whose particulars match its key (N. 3101–3119, annex 9).

use chrono::NaiveDate;

use super::avs_number::AvsNumber;
use super::collection::CollectionOrder;
use super::fund_number::FundNumber;
use super::key_code::{FieldSet, KeyCode};
use super::person::Person;
use super::reference::Reference;
use super::splitting::SplittingOrder;

/// What an announcement carries besides fund, reference and key, shaped by the key (annex 9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Particulars {
    /// Keys 11, 13, 15, 19, 21, 25, 31, 35, 41: personal data d–g; the AVS number when known.
    Certificate {
        avs_number: Option<AvsNumber>,
        person: Person,
    },
    /// Keys 33, 43, 61, 63, 65, 67: the AVS number only.
    Account { avs_number: AvsNumber },
    /// Keys 71, 75, 79, 81, 85: the RCI block k–n.
    Collection {
        avs_number: AvsNumber,
        order: CollectionOrder,
    },
    /// Keys 92, 93, 94, 97, 98, 99: the order date m.
    Order {
        avs_number: AvsNumber,
        order_date: NaiveDate,
    },
    /// Keys 95, 96: the splitting block o.
    Splitting {
        avs_number: AvsNumber,
        order: SplittingOrder,
    },
}

impl Particulars {
    pub fn field_set(&self) -> FieldSet {
        match self {
            Particulars::Certificate { .. } => FieldSet::Certificate,
            Particulars::Account { .. } => FieldSet::Account,
            Particulars::Collection { .. } => FieldSet::Collection,
            Particulars::Order { .. } => FieldSet::Order,
            Particulars::Splitting { .. } => FieldSet::Splitting,
        }
    }

    pub fn avs_number(&self) -> Option<AvsNumber> {
        match self {
            Particulars::Certificate { avs_number, .. } => *avs_number,
            Particulars::Account { avs_number }
            | Particulars::Collection { avs_number, .. }
            | Particulars::Order { avs_number, .. }
            | Particulars::Splitting { avs_number, .. } => Some(*avs_number),
        }
    }
}

/// A complete ARC announcement; only made by [`Announcement::new`], which checks that the
/// particulars are those the key needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    fund: FundNumber,
    reference: Reference,
    key: KeyCode,
    particulars: Particulars,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key {key} needs {expected:?} particulars, not {found:?} (annex 9)")]
pub struct ParticularsMismatch {
    pub key: KeyCode,
    pub expected: FieldSet,
    pub found: FieldSet,
}

impl Announcement {
    pub fn new(
        fund: FundNumber,
        reference: Reference,
        key: KeyCode,
        particulars: Particulars,
    ) -> Result<Self, ParticularsMismatch> {
        if key.fields() != particulars.field_set() {
            return Err(ParticularsMismatch {
                key,
                expected: key.fields(),
                found: particulars.field_set(),
            });
        }
        Ok(Announcement {
            fund,
            reference,
            key,
            particulars,
        })
    }

    pub fn fund(&self) -> FundNumber {
        self.fund
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    pub fn key(&self) -> KeyCode {
        self.key
    }

    pub fn particulars(&self) -> &Particulars {
        &self.particulars
    }

    /// The insured person's AVS number; `None` only for a certificate key without one.
    pub fn avs_number(&self) -> Option<AvsNumber> {
        self.particulars.avs_number()
    }
}
