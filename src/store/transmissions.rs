//! Transmissions to the ZAS (N. 3102, 3103): what each DT XML message carries, every attempt to
//! send it, and the announcements it makes `announced` once it reached the ZAS.
//!
//! Security baseline (draft art. 3): the XML sent holds AVS numbers, so it is not stored. A
//! transmission keeps its header fields and its announcements keep its id: the XML is written again
//! from them, byte for byte (its SHA-256 is kept to check), to resend it under the same message id
//! or to print it (N. 3403).
//!
//! Sending is leased, not locked for the time of the send: [`Store::lease_due_transmission`]
//! moves the next attempt of the transmission it takes a lease ahead, so that no other instance
//! takes it meanwhile; an instance that dies while sending lets the lease run out.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use super::announcements::{MAX_PAGE, SELECT_FULL, decode, environment_of};
use super::error::StoreError;
use super::history::{self, ChangeNote, StateChange, state_of};
use super::redact::redact;
use super::sql::{Arg, Row, Sql, SqlBuilder, Tx, args};
use super::{Backend, Store};
use crate::domain::{
    Announcement, AnnouncementState, Environment, MessageHeader, MessageId, ParticipantId,
};

/// A transmission to store: its header, the ZAS environment it goes to (ABN, acceptance, or
/// PROD), its announcements and the SHA-256 (hex) of the XML written from them.
#[derive(Clone, Debug)]
pub struct NewTransmission<'a> {
    pub header: &'a MessageHeader,
    /// The ZAS environment the transmission goes to; its announcements are all of it.
    pub environment: Environment,
    /// The announcements it carries, all `sending`; written in id order.
    pub announcement_ids: &'a [i64],
    pub xml_sha256: &'a str,
}

/// Where a transmission stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransmissionState {
    /// Not yet accepted by the ZAS: an attempt is due at `next_attempt_at`.
    Pending,
    /// Accepted by the ZAS (receipt 100, or 201 for a repeat of the same message id).
    Sent,
    /// Given up after an attempt; an operator may resume it.
    Failed,
}

impl TransmissionState {
    pub fn as_str(&self) -> &'static str {
        match self {
            TransmissionState::Pending => "pending",
            TransmissionState::Sent => "sent",
            TransmissionState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            TransmissionState::Pending,
            TransmissionState::Sent,
            TransmissionState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl fmt::Display for TransmissionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored transmission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransmissionRecord {
    pub id: i64,
    /// The header it is written with (a transmission refers to no other message).
    pub header: MessageHeader,
    pub environment: Environment,
    pub state: TransmissionState,
    pub created_at: DateTime<Utc>,
    /// When the ZAS accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// How many attempts were recorded.
    pub attempts: i64,
    /// When the next attempt is due (`pending` only); while leased, the end of the lease.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why it was given up (`failed` only).
    pub failure: Option<String>,
    pub xml_sha256: String,
    pub announcement_count: i64,
    /// sedex: when it was last handed over to the sedex client without a receipt since.
    pub handed_over_at: Option<DateTime<Utc>>,
    /// sedex: when it was flagged for having no receipt in time.
    pub receipt_overdue_at: Option<DateTime<Utc>>,
}

/// What an attempt to send came to, after the receipt (sedex style codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Receipt 100: the ZAS has it.
    Transmitted,
    /// Receipt 201: the ZAS had this message id already (a resend after a lost receipt).
    Duplicate,
    /// Refused by the ZAS's side (2xx/3xx other than 201).
    Refused,
    /// Transport or adapter error (4xx, 5xx, no answer).
    Error,
    /// sedex: handed over to the sedex client (its files in the outbox); the receipt comes later.
    HandedOver,
    /// sedex receipt 601: sent, not yet received by the ZAS.
    Waiting,
    /// sedex receipt 701: the message expires soon, the ZAS has not fetched it.
    Warning,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Transmitted => "transmitted",
            AttemptOutcome::Duplicate => "duplicate",
            AttemptOutcome::Refused => "refused",
            AttemptOutcome::Error => "error",
            AttemptOutcome::HandedOver => "handed_over",
            AttemptOutcome::Waiting => "waiting",
            AttemptOutcome::Warning => "warning",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            AttemptOutcome::Transmitted,
            AttemptOutcome::Duplicate,
            AttemptOutcome::Refused,
            AttemptOutcome::Error,
            AttemptOutcome::HandedOver,
            AttemptOutcome::Waiting,
            AttemptOutcome::Warning,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

impl fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One attempt to send, as the sender saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub outcome: AttemptOutcome,
    pub receipt_code: Option<i64>,
    /// What happened, in words; masked where it looks like an AVS number.
    pub detail: String,
}

/// What follows an attempt, as the sender decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// The ZAS has the transmission: it is `sent`, its announcements `announced`.
    Sent,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// sedex: handed over (or a receipt says it is on its way): stays `pending`, its receipt
    /// awaited until this time, when it is flagged and handed over again (same message id).
    AwaitReceipt(DateTime<Utc>),
    /// Give up, for this reason (masked where it looks like an AVS number).
    Failed(String),
}

/// A recorded attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    /// 1 for the first attempt.
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    pub receipt_code: Option<i64>,
    pub detail: String,
}

const SELECT_TRANSMISSION: &str = "SELECT id, message_id, environment, state, created_at, \
     sent_at, message_date, sender_id, recipient_id, test_delivery, xml_sha256, \
     announcement_count, attempts, next_attempt_at, failure, handed_over_at, \
     receipt_overdue_at FROM transmissions";

/// PostgreSQL: a transmission another instance is leasing is skipped, not waited for.
const LEASE_POSTGRES: &str = "WITH picked AS (SELECT id FROM transmissions \
     WHERE state = 'pending' AND next_attempt_at <= $1 AND environment = $3 \
     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
     UPDATE transmissions t SET next_attempt_at = $2 FROM picked \
     WHERE t.id = picked.id RETURNING t.id";

/// SQLite: the transaction began with `BEGIN IMMEDIATE`, so it is the only writer.
const LEASE_SQLITE: &str = "UPDATE transmissions SET next_attempt_at = $2 \
     WHERE id = (SELECT id FROM transmissions WHERE state = 'pending' \
     AND next_attempt_at <= $1 AND environment = $3 ORDER BY id LIMIT 1) RETURNING id";

impl Store {
    /// Sends announcements still `sending` back to `queued`, with a history entry each, in one
    /// transaction: a new order held back until its revocation is sent (N. 3102), or a
    /// transmission that was not built after all. Those no longer `sending`, or already carried
    /// by a transmission (which is written again from them, N. 3403), are left as they are;
    /// [`StoreError::NotFound`] for an unknown id, and then none is changed.
    pub async fn release_to_queue(&self, ids: &[i64], note: &ChangeNote) -> Result<(), StoreError> {
        let ids: BTreeSet<i64> = ids.iter().copied().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let claimed = lock_announcements(&mut tx, &ids)
            .await?
            .into_iter()
            .filter(|(_, state, transmission_id)| {
                *state == AnnouncementState::Sending && transmission_id.is_none()
            })
            .map(|(id, _, _)| id);
        let changes = StateChange::each(
            claimed,
            AnnouncementState::Sending,
            AnnouncementState::Queued,
            note,
        );
        history::set_states(&mut tx, &changes, note.at, &note.actor).await?;
        tx.commit().await
    }

    /// Sends back to the queue every announcement `sending` since before `claimed_before` and
    /// carried by no transmission: claimed, but the process stopped before its transmission was
    /// stored. Chosen and changed in one transaction (PostgreSQL `FOR UPDATE SKIP LOCKED`,
    /// SQLite's single writer), so an announcement another instance has just claimed and is
    /// putting into a transmission is not taken from it. Returns their ids.
    pub async fn release_orphans(
        &self,
        claimed_before: DateTime<Utc>,
        note: &ChangeNote,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let pick: &'static str = match tx {
            Tx::Sqlite(..) => {
                "SELECT id FROM announcements WHERE state = 'sending' \
                 AND transmission_id IS NULL AND state_since < $1 ORDER BY id"
            }
            Tx::Postgres(_) => {
                "SELECT id FROM announcements WHERE state = 'sending' \
                 AND transmission_id IS NULL AND state_since < $1 ORDER BY id \
                 FOR UPDATE SKIP LOCKED"
            }
        };
        let ids = tx
            .fetch_all(pick, args![claimed_before])
            .await?
            .iter()
            .map(|row| row.int("id"))
            .collect::<Result<Vec<_>, _>>()?;
        let changes = StateChange::each(
            ids.iter().copied(),
            AnnouncementState::Sending,
            AnnouncementState::Queued,
            note,
        );
        history::set_states(&mut tx, &changes, note.at, &note.actor).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Stores a transmission, `pending` with its first attempt due at `at`, and makes it the
    /// transmission of its announcements, in one transaction. Every announcement must be
    /// `sending` ([`StoreError::InvalidTransition`] names the state found) and in no other
    /// transmission ([`StoreError::InTransmission`]); there must be at least one
    /// ([`StoreError::EmptyTransmission`]). Returns the transmission's id.
    pub async fn create_transmission(
        &self,
        t: &NewTransmission<'_>,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let ids: BTreeSet<i64> = t.announcement_ids.iter().copied().collect();
        if ids.is_empty() {
            return Err(StoreError::EmptyTransmission);
        }
        let mut tx = self.begin_write().await?;
        for (id, state, transmission_id) in lock_announcements(&mut tx, &ids).await? {
            if let Some(transmission_id) = transmission_id {
                return Err(StoreError::InTransmission {
                    announcement_id: id,
                    transmission_id,
                });
            }
            if state != AnnouncementState::Sending {
                return Err(StoreError::InvalidTransition {
                    id,
                    from: state,
                    to: AnnouncementState::Announced,
                });
            }
        }
        let id = insert_transmission(&mut tx, t, ids.len(), at).await?;
        let (sql, args) = assign_statement(tx.backend(), id, t.environment, &ids);
        // They are held for writing and were checked above: any left out is of another
        // environment (nothing sent to ABN counts for PROD, nor the other way round).
        if tx.execute(sql, args).await? != ids.len() as u64 {
            return Err(StoreError::OtherEnvironment {
                environment: t.environment,
            });
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Takes the oldest `pending` transmission to `environment` whose next attempt is due at
    /// `now` and leases it for `lease`: its next attempt moves to `now + lease` in the same
    /// transaction, so no other instance takes it meanwhile (PostgreSQL `FOR UPDATE SKIP
    /// LOCKED`, SQLite's single writer). `None` when none is due.
    pub async fn lease_due_transmission(
        &self,
        environment: Environment,
        now: DateTime<Utc>,
        lease: TimeDelta,
    ) -> Result<Option<TransmissionRecord>, StoreError> {
        let mut tx = self.begin_write().await?;
        let lease_sql = match tx {
            Tx::Sqlite(..) => LEASE_SQLITE,
            Tx::Postgres(_) => LEASE_POSTGRES,
        };
        let Some(row) = tx
            .fetch_optional(lease_sql, args![now, now + lease, environment.as_str()])
            .await?
        else {
            return Ok(None);
        };
        let id = row.int("id")?;
        let record = read_record(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(record))
    }

    /// The transmission and its announcements in id order, the order they are written in: to
    /// write its XML again (N. 3403).
    pub async fn transmission_content(
        &self,
        id: i64,
    ) -> Result<(TransmissionRecord, Vec<Announcement>), StoreError> {
        let mut tx = self.begin_read().await?;
        let record = read_record(&mut tx, id).await?;
        let mut sql = SqlBuilder::new(SELECT_FULL);
        sql.push(" WHERE a.transmission_id = ")
            .push_arg(id)
            .push(" ORDER BY a.id");
        let (sql, args) = sql.finish();
        let announcements = tx
            .fetch_all(sql, args)
            .await?
            .iter()
            .map(|row| decode(row).map(|stored| stored.announcement))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        if count(announcements.len()) != record.announcement_count {
            return Err(StoreError::corrupt("announcements of the transmission", id));
        }
        Ok((record, announcements))
    }

    /// Records one attempt to send transmission `id` and what follows, in one transaction: the
    /// attempt (numbered after the attempts before it), the transmission's state, next attempt,
    /// failure and time sent; with [`NextStep::Sent`] every announcement of it still `sending`
    /// becomes `announced` (history from `note`). Announcements further already (an
    /// acknowledgement came before the receipt was recorded) are left as they are.
    ///
    /// A transmission already `sent` stays sent: a late attempt (another instance whose lease
    /// ran out) is recorded and changes nothing else.
    pub async fn record_attempt(
        &self,
        id: i64,
        attempt: &Attempt,
        next: &NextStep,
        note: &ChangeNote,
    ) -> Result<TransmissionRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = lock_record(&mut tx, id).await?;
        let record = record_attempt_in(&mut tx, &current, attempt, next, note).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// An operator resumes a `failed` transmission: it is `pending` again, due at `at`, its
    /// failure cleared and its attempts kept. [`StoreError::WrongTransmissionState`] when it is
    /// not failed.
    pub async fn retry_transmission(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<TransmissionRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = lock_record(&mut tx, id).await?;
        if current.state != TransmissionState::Failed {
            // Undone now, not when the connection is next used: until then PostgreSQL would
            // keep the row locked, and the transmitter's lease (`SKIP LOCKED`) pass it over.
            tx.rollback().await?;
            return Err(StoreError::WrongTransmissionState {
                id,
                found: current.state,
                expected: TransmissionState::Failed,
            });
        }
        tx.execute(
            "UPDATE transmissions SET state = $1, next_attempt_at = $2, failure = NULL \
             WHERE id = $3",
            args![TransmissionState::Pending.as_str(), at, id],
        )
        .await?;
        let record = read_record(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Transmission `id` with its attempts, first attempt first.
    pub async fn transmission(
        &self,
        id: i64,
    ) -> Result<(TransmissionRecord, Vec<AttemptRecord>), StoreError> {
        let mut tx = self.begin_read().await?;
        let record = read_record(&mut tx, id).await?;
        let attempts = tx
            .fetch_all(
                "SELECT id, attempt, at, outcome, receipt_code, detail FROM transmission_attempts \
                 WHERE transmission_id = $1 ORDER BY attempt, id",
                args![id],
            )
            .await?
            .iter()
            .map(decode_attempt)
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok((record, attempts))
    }

    /// Transmissions, newest first, all or those in `state`; at most `limit` (1 to
    /// [`MAX_PAGE`]).
    pub async fn list_transmissions(
        &self,
        state: Option<TransmissionState>,
        limit: u32,
    ) -> Result<Vec<TransmissionRecord>, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_TRANSMISSION);
        if let Some(state) = &state {
            sql.push(" WHERE state = ").push_arg(state.as_str());
        }
        sql.push(" ORDER BY id DESC LIMIT ")
            .push_arg(i64::from(limit.clamp(1, MAX_PAGE)));
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args)
            .await?
            .iter()
            .map(decode_record)
            .collect()
    }
}

/// Stores transmission `t` of `announcements` announcements, `pending` with its first attempt
/// due at `at`; its id. Its announcements are not touched.
pub(super) async fn insert_transmission(
    tx: &mut Tx,
    t: &NewTransmission<'_>,
    announcements: usize,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let h = t.header;
    if h.reference_message_id.is_some() {
        // There is no column for it: the XML could not be written again identically.
        return Err(StoreError::Encode {
            what: "header of a transmission with a reference message id",
        });
    }
    let row = tx
        .fetch_one(
            "INSERT INTO transmissions (message_id, environment, state, created_at, \
             message_date, sender_id, recipient_id, test_delivery, xml_sha256, \
             announcement_count, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11) RETURNING id",
            args![
                h.message_id.as_str(),
                t.environment.as_str(),
                TransmissionState::Pending.as_str(),
                at,
                h.message_date,
                h.sender_id.as_str(),
                h.recipient_id.as_str(),
                i64::from(h.test_delivery),
                t.xml_sha256,
                count(announcements),
                at
            ],
        )
        .await?;
    Ok(row.int("id")?)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Locks the announcements with these ids (PostgreSQL `FOR UPDATE`, in id order so that two
/// transactions cannot deadlock; SQLite's single writer) and returns their state and
/// transmission, in id order. [`StoreError::NotFound`] for an unknown id.
pub(crate) async fn lock_announcements(
    tx: &mut Tx,
    ids: &BTreeSet<i64>,
) -> Result<Vec<(i64, AnnouncementState, Option<i64>)>, StoreError> {
    let (sql, args) = lock_statement(tx.backend(), ids);
    let rows = tx.fetch_all(sql, args).await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in &rows {
        let id = row.int("id")?;
        found.push((
            id,
            state_of(row, "state", id)?,
            row.opt_int("transmission_id")?,
        ));
    }
    let found_ids: BTreeSet<i64> = found.iter().map(|(id, _, _)| *id).collect();
    if let Some(missing) = ids.difference(&found_ids).next() {
        return Err(StoreError::NotFound {
            what: "announcement",
            id: *missing,
        });
    }
    Ok(found)
}

/// The statement of [`lock_announcements`].
pub(super) fn lock_statement(backend: Backend, ids: &BTreeSet<i64>) -> (Sql, Vec<Arg>) {
    let mut sql = SqlBuilder::new("SELECT id, state, transmission_id FROM announcements WHERE ");
    sql.push_id_rows(backend, "id", ids.iter().copied())
        .push(" ORDER BY id");
    if backend == Backend::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.finish()
}

/// Makes transmission `id` the transmission of the announcements `ids` of `environment` that
/// are `sending` and in no transmission yet.
pub(super) fn assign_statement(
    backend: Backend,
    id: i64,
    environment: Environment,
    ids: &BTreeSet<i64>,
) -> (Sql, Vec<Arg>) {
    let mut sql = SqlBuilder::new("UPDATE announcements SET transmission_id = ");
    sql.push_arg(id)
        .push(" WHERE ")
        .push_id_in(backend, "id", ids.iter().copied())
        .push(" AND state = 'sending' AND transmission_id IS NULL AND environment = ")
        .push_arg(environment.as_str());
    sql.finish()
}

/// The announcements of transmission `id` still `sending`, held for writing.
pub(super) fn announce_statement(backend: Backend, id: i64) -> (&'static str, Vec<Arg>) {
    let lock = match backend {
        Backend::Sqlite => {
            "SELECT id FROM announcements WHERE transmission_id = $1 AND state = 'sending' \
             ORDER BY id"
        }
        Backend::Postgres => {
            "SELECT id FROM announcements WHERE transmission_id = $1 AND state = 'sending' \
             ORDER BY id FOR UPDATE"
        }
    };
    (lock, args![id])
}

/// Every announcement of transmission `id` still `sending` becomes `announced`.
async fn announce(tx: &mut Tx, id: i64, note: &ChangeNote) -> Result<(), StoreError> {
    let (lock, args) = announce_statement(tx.backend(), id);
    let ids = tx
        .fetch_all(lock, args)
        .await?
        .iter()
        .map(|row| row.int("id"))
        .collect::<Result<Vec<_>, _>>()?;
    let changes = StateChange::each(
        ids,
        AnnouncementState::Sending,
        AnnouncementState::Announced,
        note,
    );
    history::set_states(tx, &changes, note.at, &note.actor).await
}

/// [`Store::record_attempt`] in a transaction that holds `current` for writing. A hand-over
/// sets `handed_over_at`; a receipt that ends the wait (any but 601 and 701) clears it and the
/// overdue flag.
pub(super) async fn record_attempt_in(
    tx: &mut Tx,
    current: &TransmissionRecord,
    attempt: &Attempt,
    next: &NextStep,
    note: &ChangeNote,
) -> Result<TransmissionRecord, StoreError> {
    let id = current.id;
    let number = current.attempts + 1;
    tx.execute(
        "INSERT INTO transmission_attempts (transmission_id, attempt, at, outcome, \
         receipt_code, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            id,
            number,
            note.at,
            attempt.outcome.as_str(),
            attempt.receipt_code,
            redact(&attempt.detail).into_owned()
        ],
    )
    .await?;
    let already_sent = current.state == TransmissionState::Sent;
    let (state, next_attempt_at, failure) = match next {
        _ if already_sent => (TransmissionState::Sent, None, None),
        NextStep::Sent => (TransmissionState::Sent, None, None),
        NextStep::RetryAt(at) | NextStep::AwaitReceipt(at) => {
            (TransmissionState::Pending, Some(*at), None)
        }
        NextStep::Failed(reason) => (
            TransmissionState::Failed,
            None,
            Some(redact(reason).into_owned()),
        ),
    };
    let sent_at = match state {
        TransmissionState::Sent => Some(current.sent_at.unwrap_or(note.at)),
        _ => None,
    };
    let (handed_over_at, receipt_overdue_at) = match attempt.outcome {
        _ if already_sent => (current.handed_over_at, current.receipt_overdue_at),
        AttemptOutcome::HandedOver => (Some(note.at), current.receipt_overdue_at),
        // 601, 701: on its way; the receipt of its delivery is still awaited.
        AttemptOutcome::Waiting | AttemptOutcome::Warning => {
            (current.handed_over_at, current.receipt_overdue_at)
        }
        _ if attempt.receipt_code.is_some() => (None, None),
        _ => (current.handed_over_at, current.receipt_overdue_at),
    };
    tx.execute(
        "UPDATE transmissions SET attempts = $1, state = $2, next_attempt_at = $3, \
         failure = $4, sent_at = $5, handed_over_at = $6, receipt_overdue_at = $7 WHERE id = $8",
        args![
            number,
            state.as_str(),
            next_attempt_at,
            failure,
            sent_at,
            handed_over_at,
            receipt_overdue_at,
            id
        ],
    )
    .await?;
    if state == TransmissionState::Sent {
        announce(tx, id, note).await?;
    }
    read_record(tx, id).await
}

/// Reads transmission `id` and holds it for writing (PostgreSQL `FOR UPDATE`).
pub(super) async fn lock_record(tx: &mut Tx, id: i64) -> Result<TransmissionRecord, StoreError> {
    let mut sql = SqlBuilder::new(SELECT_TRANSMISSION);
    sql.push(" WHERE id = ").push_arg(id);
    if matches!(tx, Tx::Postgres(_)) {
        sql.push(" FOR UPDATE");
    }
    let (sql, args) = sql.finish();
    let row = tx
        .fetch_optional(sql, args)
        .await?
        .ok_or(StoreError::NotFound {
            what: "transmission",
            id,
        })?;
    decode_record(&row)
}

async fn read_record(tx: &mut Tx, id: i64) -> Result<TransmissionRecord, StoreError> {
    let mut sql = SqlBuilder::new(SELECT_TRANSMISSION);
    sql.push(" WHERE id = ").push_arg(id);
    let (sql, args) = sql.finish();
    let row = tx
        .fetch_optional(sql, args)
        .await?
        .ok_or(StoreError::NotFound {
            what: "transmission",
            id,
        })?;
    decode_record(&row)
}

fn decode_record(row: &Row) -> Result<TransmissionRecord, StoreError> {
    let id = row.int("id")?;
    let corrupt = |what| StoreError::corrupt(what, id);
    let participant =
        |column: &str, what| ParticipantId::new(&row.text(column)?).map_err(|_| corrupt(what));
    Ok(TransmissionRecord {
        id,
        header: MessageHeader {
            sender_id: participant("sender_id", "sender id of the transmission")?,
            recipient_id: participant("recipient_id", "recipient id of the transmission")?,
            message_id: MessageId::new(&row.text("message_id")?)
                .map_err(|_| corrupt("message id of the transmission"))?,
            reference_message_id: None,
            message_date: row
                .opt_time("message_date")?
                .ok_or_else(|| corrupt("message date of the transmission"))?,
            test_delivery: match row.int("test_delivery")? {
                0 => false,
                1 => true,
                _ => return Err(corrupt("test delivery flag of the transmission")),
            },
        },
        environment: environment_of(row, id)?,
        state: TransmissionState::parse(&row.text("state")?)
            .ok_or_else(|| corrupt("state of the transmission"))?,
        created_at: row.time("created_at")?,
        sent_at: row.opt_time("sent_at")?,
        attempts: row.int("attempts")?,
        next_attempt_at: row.opt_time("next_attempt_at")?,
        failure: row.opt_text("failure")?,
        xml_sha256: row.text("xml_sha256")?,
        announcement_count: row.int("announcement_count")?,
        handed_over_at: row.opt_time("handed_over_at")?,
        receipt_overdue_at: row.opt_time("receipt_overdue_at")?,
    })
}

fn decode_attempt(row: &Row) -> Result<AttemptRecord, StoreError> {
    let id = row.int("id")?;
    Ok(AttemptRecord {
        attempt: row.int("attempt")?,
        at: row.time("at")?,
        outcome: AttemptOutcome::parse(&row.text("outcome")?)
            .ok_or_else(|| StoreError::corrupt("outcome of a transmission attempt", id))?,
        receipt_code: row.opt_int("receipt_code")?,
        detail: row.text("detail")?,
    })
}
