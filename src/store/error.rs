//! What can go wrong in the store. No variant carries an AVS number or other personal data:
//! errors end up in logs and in API answers.

use std::sync::Arc;

use super::transmissions::TransmissionState;
use crate::domain::{AnnouncementState, Environment};

/// An error of the store, with the context the caller needs to answer it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no supported back end (only its scheme is kept: a URL can hold a
    /// password).
    #[error("the database URL must start with sqlite: or postgres:, not {scheme:?}")]
    UnsupportedUrl { scheme: String },

    /// The SQLite file could not be created (with mode 0600) where the URL names it.
    #[error("cannot create the database file {path}: {source}")]
    CreateFile {
        path: String,
        source: std::io::Error,
    },

    /// Announced once (a rule of the system; the fund's own reference, N. 3105). The
    /// announcement at `index` of a submission has the fund and reference of the stored
    /// announcement `existing_id`, with other content.
    #[error(
        "announcement {index} of the submission has the fund and reference of announcement \
         {existing_id} but other content (each announcement is announced once: the fund's \
         reference is its own key, N. 3105, a rule of the system)"
    )]
    Conflict { index: usize, existing_id: i64 },

    /// Nothing of that kind has this id.
    #[error("there is no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },

    /// The change of state is not one the lifecycle allows (see
    /// [`crate::domain::lifecycle::transition_allowed`]); `from` is the state found.
    #[error("announcement {id} is {from} and cannot become {to}")]
    InvalidTransition {
        id: i64,
        from: AnnouncementState,
        to: AnnouncementState,
    },

    /// N. 3103: a transmission carries at least one announcement.
    #[error("a transmission carries at least one announcement")]
    EmptyTransmission,

    /// The announcement is carried by a transmission already and cannot be put in another one
    /// (its transmission is written again from it, N. 3403).
    #[error("announcement {announcement_id} is carried by transmission {transmission_id} already")]
    InTransmission {
        announcement_id: i64,
        transmission_id: i64,
    },

    /// An announcement of another ZAS environment was to go in a transmission to `environment`.
    #[error(
        "announcements of another environment cannot travel in a transmission to {environment}"
    )]
    OtherEnvironment { environment: Environment },

    /// The transmission is not in the state the change needs; `found` is the state found.
    #[error("transmission {id} is {found}, not {expected}")]
    WrongTransmissionState {
        id: i64,
        found: TransmissionState,
        expected: TransmissionState,
    },

    /// An API token must be bound to at least one fund number.
    #[error("an API token must be bound to at least one fund number")]
    TokenWithoutFund,

    /// An account must be bound to at least one fund number (N. 2102; security baseline, draft
    /// art. 7).
    #[error("an account must be bound to at least one fund number")]
    AccountWithoutFund,

    /// Each user id belongs to one person.
    #[error("the login {login} is taken")]
    LoginTaken { login: String },

    /// A removed account's user id is never given to somebody else: the audit log names people
    /// by it.
    #[error(
        "the login {login} belonged to an account that was removed: a user id is never reused \
         (the audit log names people by it); choose another"
    )]
    LoginRemoved { login: String },

    /// A password could not be hashed (not expected to happen).
    #[error("a password could not be hashed")]
    Hashing,
    /// The submission's Idempotency-Key was claimed before, by the request `first`; nothing
    /// of this submission was stored.
    #[error("the Idempotency-Key was used before")]
    KeyClaimed {
        first: super::idempotency::IdempotentRequest,
    },
    /// Every turn to hash a password was taken for longer than the wait allowed: try again in
    /// a few seconds.
    #[error("too many password checks at once: try again in a few seconds")]
    Busy,
    /// SQLite: this process's writers were queued for longer than `waited_secs` seconds.
    #[error("the database was busy writing for {waited_secs} s: try again later")]
    WriterBusy { waited_secs: u64 },
    /// SQLite: the transaction this submission shared with others made at the same time
    /// (group commit) failed as a whole, with the error given: none of them was stored.
    #[error("the transaction shared with other submissions failed, nothing was stored: {0}")]
    SharedTransaction(Arc<StoreError>),
    /// SQLite: the task storing this submission with others stopped before it answered (it
    /// panicked): the transaction was not committed.
    #[error("the submission was not stored: the transaction storing it stopped")]
    Unanswered,
    /// Annex 2.7: the persons' data of announcement `id` were purged at `at`; its heading,
    /// state and history remain (`Store::purged_announcement`).
    #[error(
        "announcement {id} was purged on {at}: its persons' data are no longer kept (annex 2.7); \
         its state and history remain"
    )]
    Purged {
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    },

    /// A stored value does not make a valid domain value (the database was changed outside the
    /// gateway, or a migration is missing).
    #[error("the stored {what} is not valid (row {id:?})")]
    Corrupt { what: &'static str, id: Option<i64> },

    /// A value could not be put into its stored form (not expected to happen).
    #[error("the {what} could not be encoded for storage")]
    Encode { what: &'static str },

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub(crate) fn corrupt(what: &'static str, id: i64) -> Self {
        StoreError::Corrupt { what, id: Some(id) }
    }
}
