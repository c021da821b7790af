//! The ZAS's acknowledgement of ARC announcements and the results that come with it
//! (N. 3201–3203, 2705; DOMAIN.md "How the real exchange looks").

use chrono::NaiveDate;

use super::avs_number::AvsNumber;
use super::fund_number::FundNumber;
use super::key_code::KeyCode;
use super::message::{MessageHeader, MessageId};
use super::name::PersonName;
use super::person::{BirthDate, Sex};
use super::reference::Reference;
use super::state_code::StateCode;

/// An acknowledgement message: every announcement the ZAS has dealt with since the last one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledgement {
    pub header: MessageHeader,
    /// The date of the acknowledgement, from which the 15 working days of N. 3401 run when an
    /// entry says "still being processed".
    pub acknowledgement_date: NaiveDate,
    pub entries: Vec<AcknowledgementEntry>,
}

/// The processing code of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Processing {
    /// `0`: dealt with.
    Done,
    /// `2`: still being processed; a later acknowledgement mentions it again (N. 3202).
    InProgress,
    /// `1`, `3`, `4`, `6`, `7`: refused by the central register.
    Refused(RefusalCode),
}

/// A refusal code of the central register: 1, 3, 4, 6 or 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefusalCode(u8);

impl RefusalCode {
    pub fn new(code: u8) -> Option<Self> {
        matches!(code, 1 | 3 | 4 | 6 | 7).then_some(RefusalCode(code))
    }

    pub fn code(self) -> u8 {
        self.0
    }
}

impl Processing {
    /// Reads a processing code; blank counts as `0`.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Processing::Done),
            2 => Some(Processing::InProgress),
            other => RefusalCode::new(other).map(Processing::Refused),
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Processing::Done => 0,
            Processing::InProgress => 2,
            Processing::Refused(r) => r.code(),
        }
    }
}

/// An observation of the ZAS on an entry: its code, and its text when the ZAS gives one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Observation {
    pub code: u16,
    pub text: Option<String>,
}

/// At most three observations and three wrong-field numbers per entry.
pub const MAX_OBSERVATIONS: usize = 3;
pub const MAX_WRONG_FIELDS: usize = 3;

/// One entry: the ZAS's answer to one announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcknowledgementEntry {
    /// The fund/agency and the fund's reference: what the entry is matched on.
    pub fund: FundNumber,
    pub reference: Reference,
    pub key: KeyCode,
    /// The insured person's AVS number (assigned by the ZAS when the announcement had none).
    pub avs_number: Option<AvsNumber>,
    /// The transmission that carried the announcement, when the ZAS names it.
    pub message_id: Option<MessageId>,
    pub processing: Processing,
    /// At most [`MAX_OBSERVATIONS`].
    pub observations: Vec<Observation>,
    /// Numbers of the fields found wrong, at most [`MAX_WRONG_FIELDS`].
    pub wrong_fields: Vec<u8>,
    /// The fund is invited to investigate further, with the ZAS's instructions (N. 3202, 3401).
    pub investigation: Option<String>,
    /// What comes with a dealt-with entry (N. 3203).
    pub result: Option<AcknowledgementResult>,
}

/// The results the ZAS sends with the acknowledgement (N. 3203).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcknowledgementResult {
    /// Data to print the insurance certificate.
    Certificate(CertificatePrint),
    /// Authorisation to open an individual account (N. 2202, 2706).
    AccountOpening {
        avs_number: AvsNumber,
        /// The fund authorised to open the account.
        fund: FundNumber,
    },
    /// Confirmation of an RCI: the funds asked to close and send their CI, and the other AVS
    /// numbers of the same person (N. 2705).
    CollectionConfirmation {
        avs_number: AvsNumber,
        account_funds: Vec<FundNumber>,
        other_avs_numbers: Vec<AvsNumber>,
    },
    /// Confirmation of a splitting order: the funds involved.
    SplittingConfirmation {
        avs_number: AvsNumber,
        spouse_avs_number: AvsNumber,
        account_funds: Vec<FundNumber>,
    },
}

/// Data to print an insurance certificate (annex 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificatePrint {
    pub avs_number: AvsNumber,
    pub name: PersonName,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub country: StateCode,
    pub issue_date: NaiveDate,
}
