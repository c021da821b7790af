//! Operator tasks: the cases of an acknowledgement that need a person,
//! N. 3302 and N. 2211 ([`TaskKind`]). A task is made in the transaction that takes its
//! acknowledgement in ([`create_tasks`]), linked to the announcement its entry matched, once per
//! announcement, kind and acknowledgement; it stays open until an operator of the
//! announcement's fund closes it with a note, audited in the same transaction.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Store;
use super::announcements::environment_of;
use super::audit::{NewAuditEvent, insert_audit};
use super::dashboard::{Limited, Scope};
use super::error::StoreError;
use super::history::state_of;
use super::sql::{Row, SqlBuilder, Tx};
use crate::domain::{
    AcknowledgementEntry, AnnouncementState, Environment, FundNumber, KeyCode, Reference, TaskKind,
    TaskNote, TaskState,
};

/// A task, with what the lists show of its announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorTask {
    pub id: i64,
    pub kind: TaskKind,
    pub state: TaskState,
    pub created_at: DateTime<Utc>,
    /// The acknowledgement whose entry asked for it.
    pub acknowledgement_message_id: String,
    pub announcement_id: i64,
    pub environment: Environment,
    pub fund: FundNumber,
    pub reference: Reference,
    pub key: KeyCode,
    pub announcement_state: AnnouncementState,
    /// Who closed it, when, and with which note (all three, or none while open).
    pub closed: Option<Closing>,
}

/// How a task was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closing {
    /// `user:<login>`.
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// What [`Store::close_operator_task`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskClose {
    /// Closed now (and audited).
    Closed,
    /// Closed before; nothing changed.
    AlreadyClosed(Closing),
}

const SELECT_TASK: &str = "SELECT t.id, t.kind, t.state, t.created_at, t.closed_by, t.closed_at, \
     t.note, k.message_id AS acknowledgement_message_id, a.id AS announcement_id, \
     a.environment, a.fund, a.reference, a.key_code, a.state AS announcement_state \
     FROM operator_tasks t JOIN announcements a ON a.id = t.announcement_id \
     JOIN acknowledgements k ON k.id = t.acknowledgement_id";

/// Makes the tasks the matched entries ask for (N. 3302, 2211): one statement for all, in the
/// acknowledgement's transaction, after its entries are stored. An entry that matched no
/// announcement makes none (it is listed with the unmatched ones). Taken in again, nothing more
/// is made (`operator_tasks_once`). Returns how many tasks were made.
pub(super) async fn create_tasks(
    tx: &mut Tx,
    acknowledgement_id: i64,
    entries: &[AcknowledgementEntry],
    matches: &[Option<i64>],
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let rows: Vec<Value> = entries
        .iter()
        .zip(matches)
        .enumerate()
        .filter(|(_, (_, matched))| matched.is_some())
        .flat_map(|(position, (entry, _))| {
            TaskKind::of_entry(entry)
                .into_iter()
                .map(move |kind| json!([position, kind.as_str()]))
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let mut sql = SqlBuilder::new(
        "INSERT INTO operator_tasks (announcement_id, kind, acknowledgement_id, entry_id, \
         created_at) SELECT e.announcement_id, r.value->>1, e.acknowledgement_id, e.id, ",
    );
    sql.push_arg(at)
        .push(" FROM ")
        .push_rows(tx.backend(), &rows)
        .push(
            " r JOIN acknowledgement_entries e ON e.position = CAST(r.value->>0 AS bigint) \
             WHERE e.acknowledgement_id = ",
        )
        .push_arg(acknowledgement_id)
        .push(
            " AND e.announcement_id IS NOT NULL \
             ON CONFLICT (announcement_id, kind, acknowledgement_id) DO NOTHING",
        );
    let (sql, args) = sql.finish();
    tx.execute(sql, args).await
}

impl Store {
    /// The open tasks in `scope`, oldest first, at most [`super::MAX_PAGE`].
    pub async fn open_operator_tasks(
        &self,
        scope: Scope<'_>,
    ) -> Result<Limited<OperatorTask>, StoreError> {
        if scope.funds.is_empty() {
            return Ok(Limited::empty());
        }
        let mut sql = SqlBuilder::new(SELECT_TASK);
        sql.push(" WHERE t.state = 'open' AND a.fund IN (")
            .push_list(scope.funds.iter().map(ToString::to_string))
            .push(")");
        if let Some(environment) = scope.environment {
            sql.push(" AND a.environment = ")
                .push_arg(environment.as_str());
        }
        sql.push(" ORDER BY t.id LIMIT ")
            .push_arg(i64::from(super::MAX_PAGE) + 1);
        let (sql, args) = sql.finish();
        let tasks = self
            .fetch_all(sql, args)
            .await?
            .iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Limited::cut(tasks))
    }

    /// Every task of announcement `id`, open and closed, oldest first.
    pub async fn operator_tasks_of(&self, id: i64) -> Result<Vec<OperatorTask>, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_TASK);
        sql.push(" WHERE t.announcement_id = ")
            .push_arg(id)
            .push(" ORDER BY t.id");
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args)
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    /// Task `id` of an announcement of one of `funds`: [`StoreError::NotFound`] when there is
    /// none, or when it is of another fund (art. 7: not said which).
    pub async fn operator_task(
        &self,
        id: i64,
        funds: &[FundNumber],
    ) -> Result<OperatorTask, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_TASK);
        sql.push(" WHERE t.id = ").push_arg(id);
        let (sql, args) = sql.finish();
        let rows = self.fetch_all(sql, args).await?;
        let task = rows.first().map(decode).transpose()?;
        task.filter(|t| funds.contains(&t.fund))
            .ok_or(StoreError::NotFound {
                what: "operator task",
                id,
            })
    }

    /// Closes task `id` of an announcement of one of `funds` with `note`, by `audit.actor` at
    /// `audit.at`, and appends `audit` in the same transaction. A task closed before stays as
    /// it was ([`TaskClose::AlreadyClosed`], nothing audited); a task of another fund, or none,
    /// is [`StoreError::NotFound`].
    pub async fn close_operator_task(
        &self,
        id: i64,
        funds: &[FundNumber],
        note: &TaskNote,
        audit: &NewAuditEvent,
    ) -> Result<TaskClose, StoreError> {
        let not_found = || StoreError::NotFound {
            what: "operator task",
            id,
        };
        if funds.is_empty() {
            return Err(not_found());
        }
        let mut tx = self.begin_write().await?;
        let mut sql = SqlBuilder::new("UPDATE operator_tasks SET state = 'closed', closed_by = ");
        sql.push_arg(audit.actor.as_str())
            .push(", closed_at = ")
            .push_arg(audit.at)
            .push(", note = ")
            .push_arg(note.as_str())
            .push(" WHERE id = ")
            .push_arg(id)
            .push(
                " AND state = 'open' AND announcement_id IN \
                 (SELECT a.id FROM announcements a WHERE a.fund IN (",
            )
            .push_list(funds.iter().map(ToString::to_string))
            .push("))");
        let (sql, args) = sql.finish();
        if tx.execute(sql, args).await? == 1 {
            insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
            return Ok(TaskClose::Closed);
        }
        tx.commit().await?;
        let task = self.operator_task(id, funds).await?;
        task.closed
            .map(TaskClose::AlreadyClosed)
            .ok_or_else(not_found)
    }
}

fn decode(row: &Row) -> Result<OperatorTask, StoreError> {
    let id = row.int("id")?;
    let corrupt = |what| StoreError::corrupt(what, id);
    let announcement_id = row.int("announcement_id")?;
    let closed = match (
        row.opt_text("closed_by")?,
        row.opt_time("closed_at")?,
        row.opt_text("note")?,
    ) {
        (Some(by), Some(at), Some(note)) => Some(Closing { by, at, note }),
        (None, None, None) => None,
        _ => return Err(corrupt("closing of the operator task")),
    };
    Ok(OperatorTask {
        id,
        kind: TaskKind::parse(&row.text("kind")?).ok_or_else(|| corrupt("task kind"))?,
        state: TaskState::parse(&row.text("state")?).ok_or_else(|| corrupt("task state"))?,
        created_at: row.time("created_at")?,
        acknowledgement_message_id: row.text("acknowledgement_message_id")?,
        announcement_id,
        environment: environment_of(row, announcement_id)?,
        fund: FundNumber::parse(&row.text("fund")?).map_err(|_| corrupt("fund number"))?,
        reference: Reference::stored(&row.text("reference")?).map_err(|_| corrupt("reference"))?,
        key: KeyCode::from_register(row.int("key_code")?).map_err(|_| corrupt("key code"))?,
        announcement_state: state_of(row, "announcement_state", id)?,
        closed,
    })
}
