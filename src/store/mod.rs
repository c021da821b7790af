//! Durable storage of announcements, their history, API tokens and the audit log, on SQLite (one
//! instance, the default) or PostgreSQL (several instances sharing one database), behind one
//! interface: [`Store`].
//!
//! Rules kept here:
//! - Security baseline (draft art. 3): the AVS number is stored in one place, the `persons` table;
//!   announcements refer to persons by id and keep their other particulars as AVS-free JSON
//!   (`codec.rs`).
//! - Announced once (a rule of the system; the fund's own reference, N. 3105): (environment, fund,
//!   reference) is unique; a resubmission with the same content returns the stored id, with other
//!   content it is a [`StoreError::Conflict`].
//! - Every change of state is checked against the lifecycle
//!   ([`crate::domain::lifecycle::transition_allowed`]) and written to the history in the same
//!   transaction as the current state.
//! - Work is claimed atomically: `FOR UPDATE SKIP LOCKED` on PostgreSQL, one writer
//!   (`BEGIN IMMEDIATE`) on SQLite, so no announcement is taken twice.
//! - Annex 2.5: the audit log is append-only and never holds an AVS number.
//!
//! The store reads no clock: every time is passed in by the caller.

mod accounts;
mod ack_codec;
mod acknowledgements;
mod alerts;
mod announcements;
mod attempts;
mod audit;
pub mod backup;
mod ci_complements;
mod claim;
mod closing_orders;
mod codec;
#[cfg(test)]
mod codec_minor_version_0;
mod connect;
mod dashboard;
mod deadline_metrics;
mod deadline_watch;
mod error;
mod funds;
mod group_commit;
mod history;
mod idempotency;
mod job_ticks;
mod letters;
mod metrics;
mod migrate;
mod operator_tasks;
mod password_hash;
mod persons;
mod plans;
mod purge;
mod readiness;
mod receipts;
mod redact;
mod reminders;
mod revocations;
mod sessions;
mod splitting_notices;
mod sql;
mod submit;
mod submit_group;
mod tokens;
mod transmissions;
mod zas_messages;

use sqlx::{PgPool, SqlitePool};

pub use accounts::{
    Account, AccountSearch, AccountSort, LoginDenial, MAX_ACCOUNT_PAGE, NewAccount, SignIn,
    UnknownSort,
};
pub use acknowledgements::{AckIntake, StoredEntry};
pub use alerts::{
    AlertOutcome, AlertSubject, ClaimedDelivery, DELIVERY_STATUSES, DeliveryCount,
    TransmissionAlert,
};
pub use announcements::{
    AnnouncementDetail, AnnouncementSummary, ListFilter, MAX_PAGE, Page, StoredAnnouncement,
};
pub use attempts::PasswordCheck;
pub use audit::{AuditEvent, AuditOutcome, AuditQuery, AuditScope, MAX_AUDIT_PAGE, NewAuditEvent};
pub use ci_complements::StoredCiComplement;
pub use claim::{Built, Made};
pub use closing_orders::{RaisedOrderReminder, SettleReport, Settlement, StoredClosingOrder};
pub use dashboard::{ActionItem, FailedItem, Limited, PendingItem, Scope, UnmatchedItem};
pub use deadline_metrics::OverdueCount;
pub use error::StoreError;
pub use history::{ChangeNote, HistoryEntry, Transition};
pub use idempotency::{IdempotentRequest, KeyClaim};
pub use letters::{LetterEntry, ReminderQuery, geneva_day};
pub use operator_tasks::{Closing, OperatorTask, TaskClose};
pub use plans::StatementPlan;
pub use purge::{PurgeReport, PurgeRules, PurgedAnnouncement, RetentionTooShort, RetentionYears};
pub use readiness::Readiness;
pub use receipts::{NewReceipt, ReceiptIntake, UnmatchedReceipt};
pub(crate) use reminders::rule_text;
pub use reminders::{
    DueReminder, PENDING_PAGE, PendingAnnouncement, Reminder, ReminderFilter, ReminderStatus,
};
pub use sessions::{ActiveSession, NewSession, SessionPolicy, SessionSecret};
pub use splitting_notices::StoredSplittingNotice;
pub use submit::{RevokedRci, Submitted};
pub use tokens::{ApiToken, Authentication, Denial, NewToken, TokenSecret};
pub use transmissions::{
    Attempt, AttemptOutcome, AttemptRecord, NewTransmission, NextStep, TransmissionRecord,
    TransmissionState,
};
pub(crate) use zas_messages::FundFeed;
pub use zas_messages::{Arrival, MessageIntake, Received};

/// The gateway's database: a pool on SQLite or on PostgreSQL. Cloning shares the pool.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a [`Store`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Store {
    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection of the pool, waiting for those in use.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
    }
}
