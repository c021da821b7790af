//! Changes of state and their history: every change is a row in `announcement_history`,
//! written in the same transaction as the announcement's current state.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
#[cfg(test)]
use serde_json::Value;
use serde_json::json;

use super::audit::{self, AuditOutcome, NewAuditEvent};
use super::deadline_watch::{self, Followed};
use super::error::StoreError;
use super::redact::redact;
use super::sql::{Arg, Row, Sql, SqlBuilder, Tx, args, time_field};
use super::{Backend, Store};
use crate::domain::{AnnouncementState, FundNumber};

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
            Tx::Sqlite(..) => "SELECT state FROM announcements WHERE id = $1",
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

/// One change of state to record: announcement `id` from `from` (`None` on submission) to `to`,
/// because of `cause`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StateChange {
    pub id: i64,
    pub from: Option<AnnouncementState>,
    pub to: AnnouncementState,
    pub cause: String,
    /// N. 3401: the first day of the deadline the change starts, other than the one of an
    /// announced PROD announcement (its Swiss day, see [`set_states`]): for `in_progress`, the
    /// date of the acknowledgement that says "still being processed". `None`: no deadline.
    pub deadline_start: Option<NaiveDate>,
}

impl StateChange {
    pub(crate) fn new(
        id: i64,
        from: Option<AnnouncementState>,
        to: AnnouncementState,
        cause: impl Into<String>,
    ) -> Self {
        StateChange {
            id,
            from,
            to,
            cause: cause.into(),
            deadline_start: None,
        }
    }

    /// The same change, for `note`'s cause, of each of the announcements `ids`.
    pub(crate) fn each(
        ids: impl IntoIterator<Item = i64>,
        from: AnnouncementState,
        to: AnnouncementState,
        note: &ChangeNote,
    ) -> Vec<StateChange> {
        ids.into_iter()
            .map(|id| StateChange::new(id, Some(from), to, note.cause.as_str()))
            .collect()
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
    let change = StateChange::new(id, Some(from), to, note.cause.as_str());
    set_states(tx, &[change], note.at, &note.actor).await
}

/// Makes every change of `changes` (each checked against the lifecycle by the caller, who holds
/// the rows or the database for writing) and appends their history rows, each announcement's in
/// the order given: one statement for the states per pair of states (state expected, state it
/// ends in), a few for history and audit, however many announcements there are. Changes of one announcement follow
/// each other (`sending` → `announced` → `done`): its state goes from the first one's `from` to
/// the last one's `to`.
pub(crate) async fn set_states(
    tx: &mut Tx,
    changes: &[StateChange],
    at: DateTime<Utc>,
    actor: &str,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    // Per announcement: the state expected and the state it ends in.
    let ends = ends(changes, at);
    // Per announcement changed: its environment and fund.
    let mut changed: BTreeMap<i64, (String, String)> = BTreeMap::new();
    for (sql, args) in set_states_statements(tx.backend(), &ends, at) {
        for row in tx.fetch_all(sql, args).await? {
            let found = (row.text("environment")?, row.text("fund")?);
            changed.insert(row.int("id")?, found);
        }
    }
    if let Some((&id, &End { from, to, .. })) =
        ends.iter().find(|(id, _)| !changed.contains_key(id))
    {
        // Only possible if the caller did not hold the row for writing.
        return Err(match from {
            Some(from) => StoreError::InvalidTransition { id, from, to },
            None => StoreError::NotFound {
                what: "announcement",
                id,
            },
        });
    }
    deadline_watch::follow(tx, &followed(&ends, &changed), at).await?;
    let fund_of = |id| changed.get(&id).map(|(_, fund)| fund.as_str());
    append_all(tx, changes, fund_of, at, actor).await
}

/// What the running deadlines need of each announcement of `ends`, whose environment and
/// fund `changed` gives (every one of them: [`set_states`] checked).
pub(super) fn followed<'a>(
    ends: &BTreeMap<i64, End>,
    changed: &'a BTreeMap<i64, (String, String)>,
) -> Vec<Followed<'a>> {
    ends.iter()
        .filter_map(|(&id, end)| {
            let (environment, fund) = changed.get(&id)?;
            Some(Followed {
                id,
                from: end.from,
                to: end.to,
                deadline_start: end.deadline_start,
                environment,
                fund,
            })
        })
        .collect()
}

/// Where the changes of one announcement take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct End {
    /// The state expected before the first change.
    from: Option<AnnouncementState>,
    /// The state after the last change.
    to: AnnouncementState,
    /// The first day of the deadline it then runs under (PROD only; N. 3401).
    deadline_start: Option<NaiveDate>,
}

/// Per announcement of `changes`, made at `at`, where its changes take it. N. 3401: announced,
/// a PROD announcement's 7 working days start on its Swiss day; in progress, the 15 working
/// days on the date the change names; any other state ends the deadline that ran.
pub(super) fn ends(changes: &[StateChange], at: DateTime<Utc>) -> BTreeMap<i64, End> {
    let mut ends: BTreeMap<i64, End> = BTreeMap::new();
    for change in changes {
        let deadline_start = match change.to {
            AnnouncementState::Announced => Some(super::reminders::swiss_date(at)),
            _ => change.deadline_start,
        };
        ends.entry(change.id)
            .and_modify(|end| {
                end.to = change.to;
                end.deadline_start = deadline_start;
            })
            .or_insert(End {
                from: change.from,
                to: change.to,
                deadline_start,
            });
    }
    ends
}

/// The statements of [`set_states`]: each announcement of `ends` from its expected state to
/// the state it ends in, at `at`, one statement per pair of states (one or two for a batch:
/// sent, dealt with), the announcements found by id; each returns the id, environment and fund
/// of every announcement it changed (what the running deadlines, `deadline_watch.rs`, and the
/// audit events need). An announcement expected in no state (`None`) is changed by none. The
/// ids drive the primary key, and the new state is a plain value: SQLite carries out an
/// `UPDATE … FROM` of bound rows by first writing the join into a temporary table.
pub(super) fn set_states_statements(
    backend: Backend,
    ends: &BTreeMap<i64, End>,
    at: DateTime<Utc>,
) -> Vec<(Sql, Vec<Arg>)> {
    let mut pairs: BTreeMap<(AnnouncementState, AnnouncementState), Vec<i64>> = BTreeMap::new();
    for (&id, end) in ends {
        if let Some(from) = end.from {
            pairs.entry((from, end.to)).or_default().push(id);
        }
    }
    pairs
        .into_iter()
        .map(|((from, to), ids)| {
            let mut sql = SqlBuilder::new("UPDATE announcements SET state = ");
            sql.push_arg(to.as_str())
                .push(", state_since = ")
                .push_arg(at)
                .push(" WHERE ")
                .push_id_in(backend, "id", ids)
                .push(" AND state = ")
                .push_arg(from.as_str())
                .push(" RETURNING id, environment, fund");
            sql.finish()
        })
        .collect()
}

/// A change of state as the history and the audit log record it: made at `at` by `actor`, to
/// an announcement of `fund` (whose people see the step's audit event, art. 7).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Noted<'a> {
    pub change: &'a StateChange,
    pub fund: &'a str,
    pub at: DateTime<Utc>,
    pub actor: &'a str,
}

impl<'a> Noted<'a> {
    /// `change`, made at `at` by `actor`, to an announcement of the fund `fund_of` gives for
    /// it; an announcement of no fund known is corrupt.
    pub(crate) fn of(
        change: &'a StateChange,
        fund_of: impl FnOnce(i64) -> Option<&'a str>,
        at: DateTime<Utc>,
        actor: &'a str,
    ) -> Result<Self, StoreError> {
        let fund = fund_of(change.id).ok_or(StoreError::corrupt(
            "fund of an announcement changed",
            change.id,
        ))?;
        Ok(Noted {
            change,
            fund,
            at,
            actor,
        })
    }
}

/// Appends one row to the history per change, each announcement's in the order given, and
/// (annex 2.5) one event to the audit log per step and fund ([`append_statements`]), in the
/// same transaction: a few statements. `fund_of` gives the fund of each announcement changed, as the caller read or
/// stored it.
pub(crate) async fn append_all<'f>(
    tx: &mut Tx,
    changes: &'f [StateChange],
    fund_of: impl Fn(i64) -> Option<&'f str>,
    at: DateTime<Utc>,
    actor: &'f str,
) -> Result<(), StoreError> {
    let noted = changes
        .iter()
        .map(|change| Noted::of(change, &fund_of, at, actor))
        .collect::<Result<Vec<_>, StoreError>>()?;
    append_each(tx, &noted).await
}

/// [`append_all`] for changes made at different times or by different actors: each change
/// with its own.
pub(crate) async fn append_each(tx: &mut Tx, changes: &[Noted<'_>]) -> Result<(), StoreError> {
    let statements = append_statements(tx.backend(), changes)?;
    tx.execute_all(statements).await?;
    Ok(())
}

/// The statements of [`append_each`]: the history's rows, then the audit log's events (none
/// for no change). The changes made together — at one time, by one actor, from one state to
/// another, for one cause — are one step, and the audit log gets one event per step and fund
/// (its `funds`), naming the fund's announcements of the step (`details.announcements`) and,
/// when it is one, the announcement as its target: a reviewer sees what each step did, and
/// each person the events of their own funds only (art. 7), while each announcement's every
/// change stays in its history. An event per change wrote every announcement four times
/// into the log and its four indexes, the largest cost of the engine's steps on SQLite. The
/// steps are grouped here, from the funds the callers give, so the statement binds an event's
/// row, not a row per change to be grouped and looked up again in the announcements.
pub(crate) fn append_statements(
    backend: Backend,
    changes: &[Noted<'_>],
) -> Result<Vec<SqlBuilder>, StoreError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let noted: Vec<Written<'_, '_>> = changes
        .iter()
        .map(|n| {
            let actor = redact(n.actor).into_owned();
            (n, time_field(n.at), actor, redact(&n.change.cause))
        })
        .collect();
    let step_of = step_numbers(&noted);
    let rows = history_statements(backend, &noted, &step_of);
    // Annex 2.5: one audit event per step and fund. A step is the changes made at one time, by
    // one actor, from one state to another, for one cause (a transmission built, an
    // acknowledgement taken in, a request's announcements stored); its event names the
    // announcements of the fund it concerns, whose every change is their history above. The
    // events follow the steps in the order of their first change, then the funds.
    let mut grouped: BTreeMap<(usize, &str), (&Noted<'_>, Vec<i64>)> = BTreeMap::new();
    for ((n, ..), &step) in noted.iter().zip(&step_of) {
        grouped
            .entry((step, n.fund))
            .or_insert_with(|| (*n, Vec::new()))
            .1
            .push(n.change.id);
    }
    let events = grouped
        .into_values()
        .map(|(first, mut ids)| {
            ids.sort_unstable();
            let fund = FundNumber::parse(first.fund)
                .map_err(|_| StoreError::corrupt("fund of an announcement", first.change.id))?;
            let one = ids.first().filter(|_| ids.first() == ids.last());
            // Masked where it looks like an AVS number by the audit log's statement.
            Ok(NewAuditEvent {
                at: first.at,
                actor: first.actor.to_owned(),
                action: "announcement.state".into(),
                target: one.map(|id| format!("announcement:{id}")),
                outcome: AuditOutcome::Success,
                remote_addr: None,
                details: json!({
                    "announcements": ids,
                    "cause": first.change.cause,
                    "from": first.change.from.map(AnnouncementState::as_str),
                    "to": first.change.to.as_str(),
                }),
                funds: vec![fund],
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut statements = rows;
    statements.push(audit::insert_statement(backend, &events));
    Ok(statements)
}

/// A change as [`append_statements`] writes it: with its time field, actor and cause as stored
/// (masked).
type Written<'n, 'a> = (&'n Noted<'a>, String, String, Cow<'a, str>);

/// A step of at least this many changes gets a history statement of its own, its fields bound
/// once; the changes of smaller steps share one statement with their fields bound per row (a
/// group of single submissions: each its own time and caller, where a statement per step would
/// cost more than the fields).
const STEP_BOUND_ONCE: usize = 16;

/// The history's rows of `noted` (each with its time field, actor and cause as stored). A step
/// (time, actor, states, cause: [`Step`]) of [`STEP_BOUND_ONCE`] changes or more is a statement
/// that binds the step's fields once and the ids of its announcements as rows: read from a bound
/// row each, the five fields cost SQLite about as much as the row's insert (the engine's steps,
/// a request of 1 000). The other changes are rows of one statement with every field bound.
/// An announcement's changes keep their order: its n-th change goes in the n-th round of
/// statements (a round's steps in the order of their first change); how the rows of different
/// announcements interleave tells nothing (a history is read per announcement).
fn history_statements(
    backend: Backend,
    noted: &[Written<'_, '_>],
    step_of: &[usize],
) -> Vec<SqlBuilder> {
    let mut rounds: BTreeMap<i64, usize> = BTreeMap::new();
    let mut steps: BTreeMap<(usize, usize), Vec<&Written<'_, '_>>> = BTreeMap::new();
    for (entry, &step) in noted.iter().zip(step_of) {
        let seen = rounds.entry(entry.0.change.id).or_default();
        steps.entry((*seen, step)).or_default().push(entry);
        *seen += 1;
    }
    let mut statements = Vec::new();
    let mut small: Vec<HistoryRow<'_>> = Vec::new();
    let mut steps = steps.into_iter().peekable();
    while let Some(((round, _), changes)) = steps.next() {
        if changes.len() >= STEP_BOUND_ONCE {
            statements.push(step_statement(backend, &changes));
        } else {
            small.extend(changes.iter().map(|(n, at, actor, cause)| {
                (
                    n.change.id,
                    n.change.to.as_str(),
                    n.change.from.map(AnnouncementState::as_str),
                    cause.as_ref(),
                    at.as_str(),
                    actor.as_str(),
                )
            }));
        }
        let round_ends = steps.peek().is_none_or(|((next, _), _)| *next != round);
        if round_ends && !small.is_empty() {
            statements.push(rows_statement(backend, &small));
            small.clear();
        }
    }
    statements
}

/// The history rows of one step's `changes`, its fields bound once.
fn step_statement(backend: Backend, changes: &[&Written<'_, '_>]) -> SqlBuilder {
    let (n, _, actor, cause) = changes[0];
    let ids: Vec<(i64,)> = changes.iter().map(|(n, ..)| (n.change.id,)).collect();
    let mut sql = SqlBuilder::new(
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) SELECT CAST(value->>0 AS bigint), ",
    );
    sql.push_arg(n.change.to.as_str())
        .push(", ")
        .push_arg(n.change.from.map(AnnouncementState::as_str))
        .push(", ")
        .push_arg(n.at)
        .push(", ")
        .push_arg(cause.as_ref())
        .push(", ")
        .push_arg(actor.as_str())
        .push(" FROM ")
        .push_rows(backend, &ids);
    sql
}

/// History rows with every field bound per row.
fn rows_statement(backend: Backend, rows: &[HistoryRow<'_>]) -> SqlBuilder {
    let mut sql = SqlBuilder::new(
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) SELECT CAST(value->>0 AS bigint), value->>1, value->>2, ",
    );
    sql.push_row_time(backend, "value->>4")
        .push(", value->>3, value->>5 FROM ")
        .push_rows(backend, rows);
    sql
}

/// A row of the history as [`rows_statement`] binds it: announcement, state, state before,
/// cause, time, actor.
type HistoryRow<'a> = (i64, &'a str, Option<&'a str>, &'a str, &'a str, &'a str);

/// The number of each change's step (time, actor, states, cause: [`Step`]), the steps numbered
/// in the order of their first change.
fn step_numbers(noted: &[Written<'_, '_>]) -> Vec<usize> {
    let mut steps: BTreeMap<Step<'_>, usize> = BTreeMap::new();
    noted
        .iter()
        .map(|(n, at, actor, cause)| {
            let key = (
                at.as_str(),
                actor.as_str(),
                n.change.from,
                n.change.to,
                cause.as_ref(),
            );
            let next = steps.len();
            *steps.entry(key).or_insert(next)
        })
        .collect()
}

/// What makes changes one step: time, actor, state before, state after, cause.
type Step<'a> = (
    &'a str,
    &'a str,
    Option<AnnouncementState>,
    AnnouncementState,
    &'a str,
);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::Sql;

    /// The rows bound to each of `statements` (one JSON parameter each), parsed.
    fn bound_rows(statements: Vec<SqlBuilder>) -> Vec<Vec<Value>> {
        statements
            .into_iter()
            .map(|statement| {
                let (_, args): (Sql, Vec<Arg>) = statement.finish();
                let json = args
                    .iter()
                    .find_map(|arg| match arg {
                        Arg::Text(text) if text.starts_with('[') => Some(text.clone()),
                        _ => None,
                    })
                    .expect("the rows as one JSON text");
                match serde_json::from_str(&json).expect("JSON") {
                    Value::Array(rows) => rows,
                    other => panic!("an array of rows, not {other}"),
                }
            })
            .collect()
    }

    /// The history rows `statements` write (all but the last, the audit log's), in order, as
    /// (announcement, state, state before, cause, time, actor); and for each statement whether
    /// it binds one step's fields once (else every row's).
    fn history_rows(mut statements: Vec<SqlBuilder>) -> (Vec<Value>, Vec<bool>) {
        let (mut rows, mut bound_once) = (Vec::new(), Vec::new());
        statements.pop().expect("the audit log's statement");
        for statement in statements {
            let (sql, args): (Sql, Vec<Arg>) = statement.finish();
            let Sql::Built(text) = sql else {
                panic!("a built statement")
            };
            assert!(
                text.starts_with("INSERT INTO announcement_history"),
                "{text}"
            );
            let (json, fields) = args.split_last().expect("the rows");
            let Arg::Text(json) = json else {
                panic!("the rows as one JSON text, not {json:?}")
            };
            let bound: Vec<Value> = serde_json::from_str(json).expect("JSON rows");
            let field = |arg: &Arg| match arg {
                Arg::Text(text) => json!(text),
                Arg::OptText(text) => json!(text),
                Arg::Time(at) => json!(time_field(*at)),
                other => panic!("a step's field, not {other:?}"),
            };
            bound_once.push(!fields.is_empty());
            match fields {
                [] => rows.extend(bound),
                [to, from, at, cause, actor] => rows.extend(bound.iter().map(|id| {
                    json!([
                        id[0],
                        field(to),
                        field(from),
                        field(cause),
                        field(at),
                        field(actor)
                    ])
                })),
                other => panic!("a step's five fields, not {other:?}"),
            }
        }
        (rows, bound_once)
    }

    /// `change` noted at `at` by `actor` for fund 066.000.
    fn noted<'a>(change: &'a StateChange, at: DateTime<Utc>, actor: &'a str) -> Noted<'a> {
        Noted {
            change,
            fund: "066.000",
            at,
            actor,
        }
    }

    #[test]
    fn history_rows_are_bound_as_always_and_audit_events_one_per_step() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T09:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let change = StateChange::new(
            42,
            Some(AnnouncementState::Queued),
            AnnouncementState::Sending,
            "transmission \"7\" for 756.1234.5678.97",
        );
        let first = StateChange::new(43, None, AnnouncementState::Queued, "submitted");
        let rows = bound_rows(
            append_statements(
                Backend::Sqlite,
                &[
                    noted(&change, at, "engine:builder"),
                    noted(&first, at, "token:ab12"),
                ],
            )
            .unwrap(),
        );
        let [history, events] = &rows[..] else {
            panic!("two statements")
        };
        let cause = redact(&change.cause).into_owned();
        assert!(!cause.contains("756.1234.5678.97"), "masked: {cause}");
        assert_eq!(
            history,
            &vec![
                json!([
                    42,
                    "sending",
                    "queued",
                    cause,
                    time_field(at),
                    "engine:builder"
                ]),
                json!([
                    43,
                    "queued",
                    null,
                    "submitted",
                    time_field(at),
                    "token:ab12"
                ]),
            ]
        );
        // One event per step and fund, as the audit log's statement binds it: time, actor,
        // action, target, outcome, address, details, funds.
        let event = |actor: &str, id: i64, from: Option<&str>, to: &str, cause: &str| {
            let details = json!({ "announcements": [id], "cause": cause, "from": from, "to": to });
            json!([
                time_field(at),
                actor,
                "announcement.state",
                format!("announcement:{id}"),
                "success",
                null,
                details.to_string(),
                " 066.000 "
            ])
        };
        assert_eq!(
            events,
            &vec![
                event("engine:builder", 42, Some("queued"), "sending", &cause),
                event("token:ab12", 43, None, "queued", "submitted"),
            ]
        );
    }

    #[test]
    fn changes_made_together_are_one_step_per_fund() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let later = at + chrono::TimeDelta::seconds(1);
        let sending = |id| {
            StateChange::new(
                id,
                Some(AnnouncementState::Queued),
                AnnouncementState::Sending,
                "transmission 7",
            )
        };
        let (a, b, c, d, e) = (sending(1), sending(2), sending(3), sending(4), sending(6));
        let other_cause = StateChange::new(
            5,
            Some(AnnouncementState::Queued),
            AnnouncementState::Sending,
            "transmission 8",
        );
        let rows = bound_rows(
            append_statements(
                Backend::Sqlite,
                &[
                    noted(&b, at, "engine:builder"),
                    noted(&other_cause, at, "engine:builder"),
                    Noted {
                        fund: "067.000",
                        ..noted(&e, at, "engine:builder")
                    },
                    noted(&a, at, "engine:builder"),
                    noted(&c, later, "engine:builder"),
                    noted(&d, at, "engine:sender"),
                ],
            )
            .unwrap(),
        );
        let events: Vec<(Value, Option<&str>, &str)> = rows[1]
            .iter()
            .map(|row| {
                let details: Value = serde_json::from_str(row[6].as_str().unwrap()).unwrap();
                (
                    details["announcements"].clone(),
                    row[3].as_str(),
                    row[7].as_str().unwrap(),
                )
            })
            .collect();
        // 2 and 1 together (in order of id), 6 of another fund apart; 5 for another cause, 3
        // at another time, 4 by another actor apart; in the order of the steps' first change.
        assert_eq!(
            events,
            [
                (json!([1, 2]), None, " 066.000 "),
                (json!([6]), Some("announcement:6"), " 067.000 "),
                (json!([5]), Some("announcement:5"), " 066.000 "),
                (json!([3]), Some("announcement:3"), " 066.000 "),
                (json!([4]), Some("announcement:4"), " 066.000 "),
            ]
        );
        assert_eq!(rows[0].len(), 6, "a history row per change");
    }

    #[test]
    fn a_large_step_binds_its_fields_once_and_the_small_ones_share_a_statement() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let sent: Vec<StateChange> = (100..100 + STEP_BOUND_ONCE as i64)
            .map(|id| {
                StateChange::new(
                    id,
                    Some(AnnouncementState::Sending),
                    AnnouncementState::Announced,
                    "transmission 7 handed over",
                )
            })
            .collect();
        let first = StateChange::new(1, None, AnnouncementState::Queued, "submitted");
        let second = StateChange::new(2, None, AnnouncementState::Queued, "submitted");
        let mut all: Vec<Noted<'_>> = vec![noted(&first, at, "token:ab12")];
        all.extend(sent.iter().map(|c| noted(c, at, "engine:sender")));
        all.push(noted(&second, at, "token:cd34"));
        let statements = append_statements(Backend::Sqlite, &all).unwrap();
        let (rows, bound_once) = history_rows(statements);
        assert_eq!(
            bound_once,
            [true, false],
            "the step alone, the two singles together"
        );
        let ids: Vec<i64> = rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
        let mut expected: Vec<i64> = (100..100 + STEP_BOUND_ONCE as i64).collect();
        expected.extend([1, 2]);
        assert_eq!(ids, expected);
        assert_eq!(
            rows[0],
            json!([
                100,
                "announced",
                "sending",
                "transmission 7 handed over",
                time_field(at),
                "engine:sender"
            ])
        );
        assert_eq!(
            rows[STEP_BOUND_ONCE + 1],
            json!([2, "queued", null, "submitted", time_field(at), "token:cd34"])
        );
    }

    #[test]
    fn the_changes_of_one_announcement_keep_their_order_across_steps() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (queued, sending, announced) = (
            Some(AnnouncementState::Queued),
            Some(AnnouncementState::Sending),
            Some(AnnouncementState::Announced),
        );
        let change = |id, from, to| StateChange::new(id, from, to, "test");
        // A large step (1 and 3 among them), then changes of 1 and 2 in other steps: 2's
        // `announced` comes before its `done`, although 1's `done` was given before it.
        let mut changes: Vec<StateChange> = (100..100 + STEP_BOUND_ONCE as i64)
            .map(|id| change(id, queued, AnnouncementState::Sending))
            .collect();
        changes.extend([
            change(1, queued, AnnouncementState::Sending),
            change(1, sending, AnnouncementState::Announced),
            change(2, sending, AnnouncementState::Announced),
            change(1, announced, AnnouncementState::Done),
            change(3, queued, AnnouncementState::Sending),
            change(2, announced, AnnouncementState::Done),
        ]);
        let all: Vec<Noted<'_>> = changes
            .iter()
            .map(|c| noted(c, at, "engine:sender"))
            .collect();
        let statements = append_statements(Backend::Sqlite, &all).unwrap();
        let (rows, bound_once) = history_rows(statements);
        // Round 1: the large step, and 2's first change; round 2; round 3.
        assert_eq!(bound_once, [true, false, false, false]);
        for id in [1, 2, 3, 100] {
            let written: Vec<&str> = rows
                .iter()
                .filter(|r| r[0] == json!(id))
                .map(|r| r[1].as_str().unwrap())
                .collect();
            let given: Vec<&str> = changes
                .iter()
                .filter(|c| c.id == id)
                .map(|c| c.to.as_str())
                .collect();
            assert_eq!(written, given, "announcement {id}");
        }
        assert_eq!(rows.len(), changes.len());
    }

    #[test]
    fn a_change_of_an_announcement_of_no_valid_fund_is_refused() {
        let at = Utc::now();
        let change = StateChange::new(9, None, AnnouncementState::Queued, "submitted");
        let error = append_statements(
            Backend::Sqlite,
            &[Noted {
                fund: "not a fund",
                ..noted(&change, at, "token:ab12")
            }],
        )
        .unwrap_err();
        assert!(
            matches!(error, StoreError::Corrupt { id: Some(9), .. }),
            "{error:?}"
        );
    }
}
