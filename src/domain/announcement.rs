//! An ARC announcement whose particulars match its key (N. 3101–3119, annex 9).

use chrono::NaiveDate;

use super::avs_number::AvsNumber;
use super::collection::{ClosingMonth, CollectionOrder, Domicile};
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
    /// Keys 33, 43, 61, 63, 65, 67 and 92, 93, 97, 98 (annex 9 rows 5, 7a–c): the AVS number
    /// only.
    Account { avs_number: AvsNumber },
    /// Keys 71, 75, 79, 81, 85 (and the old-law keys 73, 83, 77, 91): the RCI block k–n.
    Collection {
        avs_number: AvsNumber,
        order: CollectionOrder,
    },
    /// Key 94: the domicile n only (annex 9 row 6; N. 2522 refers to N. 2712).
    Domicile {
        avs_number: AvsNumber,
        domicile: Domicile,
    },
    /// Key 95 (and 96 as stored before the annex 9 correction): the splitting block o.
    Splitting {
        avs_number: AvsNumber,
        order: SplittingOrder,
    },
    /// Key 96: the spouse's AVS number only (annex 9 row 9).
    SplittingRevocation {
        avs_number: AvsNumber,
        spouse: AvsNumber,
    },
    /// Key 99: the closing date l of the RCI it revokes (annex 9 row 4; N. 2720).
    CollectionRevocation {
        avs_number: AvsNumber,
        closing: ClosingMonth,
    },
    /// Keys 92–94, 97–99 as stored or sent before the annex 9 correction: an order date m. Read back, written
    /// again byte for byte, never made anew by validation.
    Order {
        avs_number: AvsNumber,
        order_date: NaiveDate,
    },
}

impl Particulars {
    pub fn field_set(&self) -> FieldSet {
        match self {
            Particulars::Certificate { .. } => FieldSet::Certificate,
            Particulars::Account { .. } => FieldSet::Account,
            Particulars::Collection { .. } => FieldSet::Collection,
            Particulars::Domicile { .. } => FieldSet::Domicile,
            Particulars::Splitting { .. } => FieldSet::Splitting,
            Particulars::SplittingRevocation { .. } => FieldSet::SplittingRevocation,
            Particulars::CollectionRevocation { .. } => FieldSet::CollectionRevocation,
            Particulars::Order { .. } => FieldSet::Order,
        }
    }

    pub fn avs_number(&self) -> Option<AvsNumber> {
        match self {
            Particulars::Certificate { avs_number, .. } => *avs_number,
            Particulars::Account { avs_number }
            | Particulars::Collection { avs_number, .. }
            | Particulars::Domicile { avs_number, .. }
            | Particulars::Splitting { avs_number, .. }
            | Particulars::SplittingRevocation { avs_number, .. }
            | Particulars::CollectionRevocation { avs_number, .. }
            | Particulars::Order { avs_number, .. } => Some(*avs_number),
        }
    }
}

/// A complete ARC announcement; only made by [`Announcement::new`], which checks that the
/// particulars are those the key needs (or, read back, those it needed before the annex 9 correction).
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
        let found = particulars.field_set();
        if key.fields() != found && key.fields_before() != Some(found) {
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
