//! The directives as types: AVS numbers, fund numbers, key codes, state codes, announcements and
//! acknowledgements, and the other messages of the ZAS. Knows no I/O; every type here can only hold a valid value.

pub mod account;
pub mod acknowledgement;
pub mod announcement;
pub mod avs_mask;
pub mod avs_number;
pub mod ci_complement;
pub mod closing_order;
pub mod collection;
pub mod environment;
pub mod fund_number;
pub mod key_code;
pub mod lifecycle;
pub mod lockout;
pub mod message;
pub mod name;
pub mod operator_task;
pub mod password;
pub mod permission;
pub mod person;
pub mod reference;
pub mod role;
pub mod splitting;
pub mod splitting_notice;
pub mod state_code;
pub mod transmission;

pub use account::{AccountFieldError, Holder, Login};
pub use acknowledgement::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, CertificatePrint, Observation,
    Processing, RefusalCode,
};
pub use announcement::{Announcement, Particulars};
pub use avs_number::{AvsNumber, AvsNumberError};
pub use ci_complement::{CiChange, CiComplement};
pub use closing_order::{
    ClosingOrder, ClosingOrderError, ClosingOrderState, DomicileInstruction, RciKey,
    UnknownOrderState,
};
pub use collection::{Beneficiary, ClosingMonth, CollectionOrder, Domicile};
pub use environment::{Environment, UnknownEnvironment};
pub use fund_number::{FundNumber, FundNumberError};
pub use key_code::{FieldSet, KeyCode, KeyCodeError, KeyGroup};
pub use lifecycle::{AnnouncementState, UnknownState};
pub use message::{MessageHeader, MessageId, ParticipantId};
pub use name::{NO_GIVEN_NAME, NameError, NamePart, PersonName};
pub use operator_task::{MAX_NOTE_CHARS, TaskKind, TaskNote, TaskNoteError, TaskState};
pub use password::{Password, PasswordError};
pub use permission::{Action, Principal};
pub use person::{BirthDate, Person, Sex};
pub use reference::Reference;
pub use role::{Role, UnknownRole};
pub use splitting::{SpecialKey, SplitYear, SplittingOrder};
pub use splitting_notice::{SplittingNotice, SplittingNoticeError, Spouses};
pub use state_code::StateCode;
pub use transmission::Transmission;
