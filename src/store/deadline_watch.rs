//! The running deadlines of N. 3401: the table `deadline_watch` (migration 0023), one row per
//! pending PROD announcement whose deadline runs and has not been reminded — its state, the
//! first day of the deadline, and what the deadline scan shows of it (fund, since when).
//!
//! The rows follow the announcements' state changes in the transaction that makes them
//! ([`follow`], called by `history::set_states`, the one place a state changes out of or into a
//! pending state): a change that starts a deadline writes the row, one that ends it deletes it.
//! The raising of a reminder deletes it too (`reminders.rs`). The scan reads only this narrow
//! table: ending a deadline does not rewrite the announcement's wide row and its indexes.

use chrono::{DateTime, NaiveDate, Utc};

use super::Backend;
use super::error::StoreError;
use super::reminders::date_text;
use super::sql::{Arg, Sql, SqlBuilder, Tx};
use crate::domain::{AnnouncementState, Environment};

/// Where the changes of one announcement took it, as `history::set_states` made them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Followed<'a> {
    pub id: i64,
    /// The state before the changes (`None`: just submitted).
    pub from: Option<AnnouncementState>,
    pub to: AnnouncementState,
    /// The first day of the deadline `to` runs under, if one does.
    pub deadline_start: Option<NaiveDate>,
    pub environment: &'a str,
    pub fund: &'a str,
}

fn is_pending(state: AnnouncementState) -> bool {
    matches!(
        state,
        AnnouncementState::Announced | AnnouncementState::InProgress
    )
}

/// A row to write: announcement, state, first day, fund.
type Watch = (i64, AnnouncementState, NaiveDate, String);

/// What `changes` do to the running deadlines: the rows to write (a PROD announcement that
/// enters a pending state with a deadline: N. 3401) and the announcements whose row goes (one
/// that leaves a pending state, or stays in it without a deadline).
fn plan(changes: &[Followed<'_>]) -> (Vec<Watch>, Vec<i64>) {
    let mut watch = Vec::new();
    let mut unwatch = Vec::new();
    for c in changes {
        match c.deadline_start {
            Some(start) if is_pending(c.to) && c.environment == Environment::Prod.as_str() => {
                watch.push((c.id, c.to, start, c.fund.to_string()));
            }
            _ if c.from.is_some_and(is_pending) => unwatch.push(c.id),
            _ => {}
        }
    }
    (watch, unwatch)
}

/// The statements that write and delete the rows of `deadline_watch` that `changes`, made at
/// `at`, call for: at most two, none when no deadline starts or ends.
pub(super) fn follow_statements(
    backend: Backend,
    changes: &[Followed<'_>],
    at: DateTime<Utc>,
) -> Vec<(Sql, Vec<Arg>)> {
    let (watch, unwatch) = plan(changes);
    let mut statements = Vec::new();
    if !watch.is_empty() {
        statements.push(watch_statement(backend, &watch, at));
    }
    if !unwatch.is_empty() {
        statements.push(unwatch_statement(backend, None, unwatch));
    }
    statements
}

/// Runs [`follow_statements`] in `tx`.
pub(super) async fn follow(
    tx: &mut Tx,
    changes: &[Followed<'_>],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (sql, args) in follow_statements(tx.backend(), changes, at) {
        tx.execute(sql, args).await?;
    }
    Ok(())
}

/// The statement that writes the rows of `watch` (replacing an announcement's row, if any),
/// all in their state since `at`.
fn watch_statement(backend: Backend, watch: &[Watch], at: DateTime<Utc>) -> (Sql, Vec<Arg>) {
    let rows: Vec<(i64, &str, String, &str)> = watch
        .iter()
        .map(|(id, state, start, fund)| (*id, state.as_str(), date_text(*start), fund.as_str()))
        .collect();
    let mut sql = SqlBuilder::new(
        "INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, state_since) \
         SELECT CAST(value->>0 AS bigint), value->>1, value->>2, value->>3, ",
    );
    // `WHERE true`: SQLite reads `ON` after a bare `FROM table` as a join's.
    sql.push_arg(at)
        .push(" FROM ")
        .push_rows(backend, &rows)
        .push(
            " WHERE true ON CONFLICT (announcement_id) DO UPDATE SET state = excluded.state, \
             deadline_start = excluded.deadline_start, fund = excluded.fund, \
             state_since = excluded.state_since",
        );
    sql.finish()
}

/// The statement that deletes the rows of the announcements `ids` — with `state`, only those
/// still in it. Each row is found by its id: on SQLite the set drives a `CROSS JOIN` (its
/// planner, without statistics, would otherwise read the index on the state whole); on
/// PostgreSQL `= ANY` of the set.
pub(super) fn unwatch_statement(
    backend: Backend,
    state: Option<AnnouncementState>,
    ids: impl IntoIterator<Item = i64>,
) -> (Sql, Vec<Arg>) {
    let mut sql = SqlBuilder::new("DELETE FROM deadline_watch WHERE ");
    match (state, backend) {
        (None, _) => {
            sql.push_id_rows(backend, "announcement_id", ids);
        }
        (Some(state), Backend::Postgres) => {
            sql.push_id_in(backend, "announcement_id", ids)
                .push(" AND state = ")
                .push_arg(state.as_str());
        }
        (Some(state), Backend::Sqlite) => {
            let rows: Vec<(i64,)> = ids.into_iter().map(|id| (id,)).collect();
            sql.push("announcement_id IN (SELECT w.announcement_id FROM ")
                .push_rows(backend, &rows)
                .push(
                    " r CROSS JOIN deadline_watch w \
                     WHERE w.announcement_id = CAST(r.value->>0 AS bigint) AND w.state = ",
                )
                .push_arg(state.as_str())
                .push(")");
        }
    }
    sql.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change<'a>(
        from: Option<AnnouncementState>,
        to: AnnouncementState,
        start: Option<NaiveDate>,
        environment: &'a str,
    ) -> Followed<'a> {
        Followed {
            id: 7,
            from,
            to,
            deadline_start: start,
            environment,
            fund: "066.000",
        }
    }

    #[test]
    fn a_deadline_starts_in_prod_only_and_ends_when_the_state_is_left() {
        use AnnouncementState::*;
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let watched = (vec![(7, Announced, day, "066.000".to_string())], vec![]);
        assert_eq!(
            plan(&[change(Some(Sending), Announced, Some(day), "prod")]),
            watched
        );
        assert_eq!(
            plan(&[change(Some(Sending), Announced, Some(day), "abn")]),
            (vec![], vec![])
        );
        assert_eq!(
            plan(&[change(Some(Announced), Done, None, "prod")]),
            (vec![], vec![7])
        );
        assert_eq!(
            plan(&[change(Some(InProgress), InProgress, None, "prod")]),
            (vec![], vec![7]),
            "in progress without a date: no deadline runs"
        );
        assert_eq!(
            plan(&[change(Some(Queued), Sending, None, "prod")]),
            (vec![], vec![])
        );
        assert_eq!(
            plan(&[change(None, Queued, None, "prod")]),
            (vec![], vec![])
        );
    }
}
