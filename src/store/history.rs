//! Changes of state and their history: every change is a row in `announcement_history`,
//! written in the same transaction as the announcement's current state.

use chrono::{DateTime, Utc};

use super::Store;
use super::error::StoreError;
use super::redact::redact;
use super::sql::{Row, Tx, args};
use crate::domain::AnnouncementState;

/// Who changes the state, when and why; recorded in the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeNote {
    pub at: DateTime<Utc>,
    /// The person, token or job acting, e.g. `token:1f2e…` or `engine:transmitter`.
    pub actor: String,
    /// Why, e.g. `withdrawn by the fund` or `acknowledgement 0f8e…`. Whatever looks like an
    /// AVS number is masked before it is stored.
    pub cause: String,
}

impl ChangeNote {
    pub fn new(at: DateTime<Utc>, actor: impl Into<String>, cause: impl Into<String>) -> Self {
        ChangeNote {
            at,
            actor: actor.into(),
            cause: cause.into(),
        }
    }
}

/// One row of an announcement's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub state: AnnouncementState,
    /// `None` for the first entry (submission, `queued`).
    pub previous: Option<AnnouncementState>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub cause: String,
}

/// A change of state that was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub id: i64,
    pub from: AnnouncementState,
    pub to: AnnouncementState,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Changes the state of announcement `id` to `to` if the lifecycle allows it from the state
    /// it is in, and records the change in its history, in one transaction. The row is locked
    /// (PostgreSQL `FOR UPDATE`, SQLite's single writer) between reading and changing it, so a
    /// concurrent change cannot slip in between.
    pub async fn change_state(
        &self,
        id: i64,
        to: AnnouncementState,
        note: &ChangeNote,
    ) -> Result<Transition, StoreError> {
        let mut tx = self.begin_write().await?;
        let lock: &'static str = match tx {
            Tx::Sqlite(_) => "SELECT state FROM announcements WHERE id = $1",
            Tx::Postgres(_) => "SELECT state FROM announcements WHERE id = $1 FOR UPDATE",
        };
        let row = tx
            .fetch_optional(lock, args![id])
            .await?
            .ok_or(StoreError::NotFound {
                what: "announcement",
                id,
            })?;
        let from = state_of(&row, "state", id)?;
        if !from.can_become(to) {
            return Err(StoreError::InvalidTransition { id, from, to });
        }
        set_state(&mut tx, id, from, to, note).await?;
        tx.commit().await?;
        Ok(Transition {
            id,
            from,
            to,
            at: super::sql::stored(note.at),
        })
    }

    /// The fund takes back an announcement not yet sent: `queued` → `withdrawn`. Refused with
    /// [`StoreError::InvalidTransition`] once it is `sending` or later.
    pub async fn withdraw(&self, id: i64, note: &ChangeNote) -> Result<Transition, StoreError> {
        self.change_state(id, AnnouncementState::Withdrawn, note)
            .await
    }

    /// The history of announcement `id`, oldest first (empty for an unknown id).
    pub async fn history(&self, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut tx = self.begin_read().await?;
        let history = read_history(&mut tx, id).await?;
        tx.commit().await?;
        Ok(history)
    }
}

/// Sets the current state, guarded by the state expected, and appends the history row. The
/// caller has checked the lifecycle and holds the row (or the database) for writing.
pub(crate) async fn set_state(
    tx: &mut Tx,
    id: i64,
    from: AnnouncementState,
    to: AnnouncementState,
    note: &ChangeNote,
) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            "UPDATE announcements SET state = $1, state_since = $2 WHERE id = $3 AND state = $4",
            args![to.as_str(), note.at, id, from.as_str()],
        )
        .await?;
    if changed != 1 {
        // Only possible if the caller did not hold the row for writing.
        return Err(StoreError::InvalidTransition { id, from, to });
    }
    append(tx, id, Some(from), to, note).await
}

/// Appends one row to the history.
pub(crate) async fn append(
    tx: &mut Tx,
    id: i64,
    previous: Option<AnnouncementState>,
    state: AnnouncementState,
    note: &ChangeNote,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, actor) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            id,
            state.as_str(),
            previous.map(AnnouncementState::as_str),
            note.at,
            redact(&note.cause).into_owned(),
            redact(&note.actor).into_owned()
        ],
    )
    .await?;
    // Annex 2.5: every change of state is also an event of the audit log, in the same
    // transaction.
    let details = serde_json::json!({
        "from": previous.map(AnnouncementState::as_str),
        "to": state.as_str(),
        "cause": redact(&note.cause),
    });
    tx.execute(
        "INSERT INTO audit_events (at, actor, action, target, outcome, remote_addr, details) \
         VALUES ($1, $2, 'announcement.state', $3, 'success', NULL, $4)",
        args![
            note.at,
            redact(&note.actor).into_owned(),
            format!("announcement:{id}"),
            details.to_string()
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn read_history(tx: &mut Tx, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT id, state, previous_state, at, cause, actor FROM announcement_history \
             WHERE announcement_id = $1 ORDER BY id",
            args![id],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let row_id = row.int("id")?;
            Ok(HistoryEntry {
                state: state_of(row, "state", row_id)?,
                previous: match row.opt_text("previous_state")? {
                    None => None,
                    Some(text) => Some(
                        text.parse()
                            .map_err(|_| StoreError::corrupt("history state", row_id))?,
                    ),
                },
                at: row.time("at")?,
                actor: row.text("actor")?,
                cause: row.text("cause")?,
            })
        })
        .collect()
}

/// Reads a state column.
pub(crate) fn state_of(row: &Row, column: &str, id: i64) -> Result<AnnouncementState, StoreError> {
    row.text(column)?
        .parse()
        .map_err(|_| StoreError::corrupt("announcement state", id))
}
