//! The deadlines of N. 3401 in the database: the pending announcements the deadline scan reads,
//! and the reminders it raises when a deadline has passed.
//!
//! - A pending announcement is `announced` (no acknowledgement has mentioned it: 7 working days)
//!   or `in_progress` (an acknowledgement said "still being processed": 15 working days from
//!   the first such acknowledgement's date; a repeat does not restart them, N. 3202). They are
//!   read a page at a time by id (keyset), never all at once.
//! - A reminder says that the fund must write to the ZAS about an announcement (N. 3401, 3402):
//!   its rule, the deadline's last working day and when it was raised. There is exactly one per
//!   announcement and rule, ever: the database's unique constraint keeps it so, whatever
//!   instances and restarts do (`INSERT … ON CONFLICT DO NOTHING`).
//! - A reminder is resolved once the announcement has left the state its rule watches
//!   (`announced` for "not mentioned", `in_progress` for "still being processed"): an
//!   acknowledgement mentioned it, dealt with it, refused it or invited the fund to investigate.
//!   This is read from the announcement's history when reminders are listed, not stored, so it
//!   cannot drift from the state, and acknowledgements need not know about reminders. A new
//!   "still being processed" (`in_progress` again) leaves it open; once resolved it stays so.
//!   A change is counted from the time the announcement entered the watched state (kept with
//!   the reminder), not from the raising: a reminder raised while an acknowledgement moves the
//!   announcement on is resolved all the same.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::Backend;
use super::Store;
use super::announcements::{MAX_PAGE, Page};
use super::error::StoreError;
use super::history::state_of;
use super::sql::{Arg, Row, Sql, SqlBuilder, args};
use crate::deadlines::{DeadlineRule, OverdueStarts};
use crate::domain::{AnnouncementState, FundNumber, KeyCode, Reference};

/// The most pending announcements one page of the deadline scan reads.
pub const PENDING_PAGE: u32 = 10_000;

/// A pending announcement with what its deadline is computed from; no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingAnnouncement {
    pub id: i64,
    pub fund: FundNumber,
    /// `announced` or `in_progress`.
    pub state: AnnouncementState,
    /// When it entered its state.
    pub state_since: DateTime<Utc>,
    /// For `in_progress`: the date of the first acknowledgement that said "still being
    /// processed" (processing code 2) since it became `in_progress` (N. 3401; a repeat does
    /// not restart the count, N. 3202).
    pub in_progress_date: Option<NaiveDate>,
}

impl PendingAnnouncement {
    /// The day its deadline counts from (N. 3401), not counted itself: for `in_progress` the
    /// date of the acknowledgement that said "still being processed", otherwise the Swiss date
    /// it entered its state (the day it was announced).
    pub fn deadline_start(&self) -> NaiveDate {
        match (self.state, self.in_progress_date) {
            (AnnouncementState::InProgress, Some(date)) => date,
            _ => swiss_date(self.state_since),
        }
    }
}

/// A reminder with the announcement it is about; no personal data (the letter reads the
/// particulars itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub id: i64,
    pub announcement_id: i64,
    pub fund: FundNumber,
    pub reference: Reference,
    pub key: KeyCode,
    /// When the announcement became `announced`: the letter refers to its date (N. 3301).
    pub announced_at: DateTime<Utc>,
    pub rule: DeadlineRule,
    /// The last working day of the deadline that passed.
    pub due: NaiveDate,
    pub raised_at: DateTime<Utc>,
    /// When the announcement left the state the rule watches; `None` while the reminder is open.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Reminder {
    /// Whether the fund still has to write to the ZAS about it.
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }

    /// The Swiss date it was announced.
    pub fn announced_on(&self) -> NaiveDate {
        swiss_date(self.announced_at)
    }
}

/// Which reminders to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReminderStatus {
    /// Only those not resolved.
    Open,
    All,
}

/// Which reminders to list: all filters must match; ordered by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderFilter {
    pub status: ReminderStatus,
    /// Only announcements of these funds (`None`: every fund; an empty list matches nothing).
    pub funds: Option<Vec<FundNumber>>,
    /// Only ids after this one: the `next_after` of the previous page.
    pub after_id: Option<i64>,
    /// At most this many, between 1 and [`MAX_PAGE`].
    pub limit: u32,
}

impl Default for ReminderFilter {
    fn default() -> Self {
        ReminderFilter {
            status: ReminderStatus::Open,
            funds: None,
            after_id: None,
            limit: 100,
        }
    }
}

/// The stored form of a rule.
pub(crate) fn rule_text(rule: DeadlineRule) -> &'static str {
    match rule {
        DeadlineRule::NotMentioned => "not_mentioned",
        DeadlineRule::StillProcessing => "still_processing",
    }
}

/// The rule of its stored form.
pub(super) fn rule_of(text: &str) -> Option<DeadlineRule> {
    match text {
        "not_mentioned" => Some(DeadlineRule::NotMentioned),
        "still_processing" => Some(DeadlineRule::StillProcessing),
        _ => None,
    }
}

/// The state a rule watches: its reminder is resolved when the announcement leaves it.
fn watched_state(rule: DeadlineRule) -> AnnouncementState {
    match rule {
        DeadlineRule::NotMentioned => AnnouncementState::Announced,
        DeadlineRule::StillProcessing => AnnouncementState::InProgress,
    }
}

/// A deadline that has passed: the reminder to raise (N. 3401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueReminder {
    pub announcement_id: i64,
    pub rule: DeadlineRule,
    /// The deadline's last working day.
    pub due: NaiveDate,
}

/// The changes that took the announcement of reminder `r` out of the state its rule watches,
/// since it was in that state when the reminder was raised.
pub(super) const LEFT_WATCHED_STATE: &str = " FROM announcement_history h \
     WHERE h.announcement_id = r.announcement_id \
     AND h.previous_state = CASE r.rule WHEN 'not_mentioned' THEN 'announced' \
     WHEN 'still_processing' THEN 'in_progress' END \
     AND h.state <> h.previous_state AND h.at >= r.state_since";

const SELECT_REMINDER: &str = "SELECT r.id, r.announcement_id, r.rule, r.due_date, r.raised_at, \
     a.fund, a.reference, a.key_code, \
     (SELECT MIN(n.at) FROM announcement_history n WHERE n.announcement_id = r.announcement_id \
     AND n.state = 'announced') AS announced_at, \
     (SELECT MIN(h.at)";

const FROM_REMINDERS: &str =
    ") AS resolved_at FROM reminders r JOIN announcements a ON a.id = r.announcement_id";

impl Store {
    /// The pending PROD announcements (`announced`, `in_progress`; ABN holds test data, whose
    /// answers no deadline watches) with ids after `after_id` whose deadline may have passed —
    /// started on or before `overdue`'s day for the rule their state runs under — and whose
    /// reminder of that rule is not raised yet; at most `limit` (1 to [`PENDING_PAGE`]),
    /// ordered by id; `next_after` is the cursor of the next page.
    ///
    /// The condition on the start is a prefilter that may let through more than it must: the
    /// caller decides from `deadline_start`. It may never leave out one that is due.
    pub async fn pending_announcements(
        &self,
        after_id: Option<i64>,
        limit: u32,
        overdue: &OverdueStarts,
    ) -> Result<Page<PendingAnnouncement>, StoreError> {
        let limit = limit.clamp(1, PENDING_PAGE);
        let (sql, args) = pending_statement(after_id, limit, overdue);
        let rows = self.fetch_all(sql, args).await?;
        let mut items = rows
            .iter()
            .map(decode_pending)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = paged(&mut items, limit, |p| p.id);
        Ok(Page { items, next_after })
    }

    /// Raises the reminder of `rule` for announcement `announcement_id`, whose deadline ended
    /// on `due` (N. 3401). Returns `true` when it is new; `false` when there is one already
    /// (raised by any instance, at any time) or the announcement is no longer in the state the
    /// rule watches. [`Store::raise_reminders`] for one.
    pub async fn raise_reminder(
        &self,
        announcement_id: i64,
        rule: DeadlineRule,
        due: NaiveDate,
        raised_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let raised = self
            .raise_reminders(
                &[DueReminder {
                    announcement_id,
                    rule,
                    due,
                }],
                raised_at,
            )
            .await?;
        Ok(!raised.is_empty())
    }

    /// Raises the reminders of `due` in one transaction and returns those that are new (in
    /// the order of `due`): one statement for the reminders (`INSERT … ON CONFLICT DO
    /// NOTHING`: the unique constraint on (announcement, rule) decides, and an announcement no
    /// longer in the state the rule watches gets none), one for their alerts (the outbox of
    /// `alerts.rs`: no reminder, no alert; a reminder, its alert), and one per state watched
    /// that ends the deadlines reminded (their rows of `deadline_watch`, also where another
    /// instance raised the reminder first), so that the scan does not read them again.
    pub async fn raise_reminders(
        &self,
        due: &[DueReminder],
        raised_at: DateTime<Utc>,
    ) -> Result<Vec<DueReminder>, StoreError> {
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let (sql, args) = raise_statement(tx.backend(), due, raised_at);
        let mut new: BTreeMap<i64, Vec<DeadlineRule>> = BTreeMap::new();
        let mut reminder_ids = Vec::new();
        for row in tx.fetch_all(sql, args).await? {
            let id = row.int("id")?;
            let rule =
                rule_of(&row.text("rule")?).ok_or(StoreError::corrupt("reminder rule", id))?;
            new.entry(row.int("announcement_id")?)
                .or_default()
                .push(rule);
            reminder_ids.push(id);
        }
        super::alerts::record_for_reminders(
            &mut tx,
            super::alerts::RaisedReminders::Deadlines,
            &reminder_ids,
            raised_at,
        )
        .await?;
        for (sql, args) in end_deadlines_statements(tx.backend(), due) {
            tx.execute(sql, args).await?;
        }
        tx.commit().await?;
        Ok(due
            .iter()
            .filter(|r| {
                new.get(&r.announcement_id)
                    .is_some_and(|rules| rules.contains(&r.rule))
            })
            .copied()
            .collect())
    }

    /// Lists reminders, open or all, by fund, a page at a time (ordered by id).
    pub async fn list_reminders(
        &self,
        filter: &ReminderFilter,
    ) -> Result<Page<Reminder>, StoreError> {
        let limit = filter.limit.clamp(1, MAX_PAGE);
        let mut sql = SqlBuilder::new(SELECT_REMINDER);
        sql.push(LEFT_WATCHED_STATE)
            .push(FROM_REMINDERS)
            .push(" WHERE 1 = 1");
        if let Some(funds) = &filter.funds {
            if funds.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    next_after: None,
                });
            }
            sql.push(" AND a.fund IN (")
                .push_list(funds.iter().map(ToString::to_string))
                .push(")");
        }
        if filter.status == ReminderStatus::Open {
            sql.push(" AND NOT EXISTS (SELECT 1")
                .push(LEFT_WATCHED_STATE)
                .push(")");
        }
        if let Some(after) = filter.after_id {
            sql.push(" AND r.id > ").push_arg(after);
        }
        sql.push(" ORDER BY r.id LIMIT ")
            .push_arg(i64::from(limit) + 1);
        let (sql, args) = sql.finish();
        let rows = self.fetch_all(sql, args).await?;
        let mut items = rows
            .iter()
            .map(decode_reminder)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = paged(&mut items, limit, |r| r.id);
        Ok(Page { items, next_after })
    }

    /// Reminder `id`.
    pub async fn reminder(&self, id: i64) -> Result<Reminder, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_REMINDER);
        sql.push(LEFT_WATCHED_STATE)
            .push(FROM_REMINDERS)
            .push(" WHERE r.id = ")
            .push_arg(id);
        let (sql, args) = sql.finish();
        let rows = self.fetch_all(sql, args).await?;
        match rows.first() {
            Some(row) => decode_reminder(row),
            None => Err(StoreError::NotFound {
                what: "reminder",
                id,
            }),
        }
    }
}

/// The statement of [`Store::pending_announcements`] (one more than `limit`, to know whether
/// a next page follows). Only the running deadlines that started on or before the latest start
/// that has passed are read, from the index `deadline_watch_start` of the narrow table of
/// running deadlines (`deadline_watch.rs`): a scan with nothing to raise reads nothing. The
/// candidates are picked first (`MATERIALIZED`), so the order by id cannot make a database walk
/// every running deadline instead.
pub(super) fn pending_statement(
    after_id: Option<i64>,
    limit: u32,
    overdue: &OverdueStarts,
) -> (&'static str, Vec<Arg>) {
    let sql = "WITH due AS MATERIALIZED (\
         SELECT announcement_id, fund, state, state_since, deadline_start FROM deadline_watch \
         WHERE state = 'announced' AND deadline_start <= $1 AND announcement_id > $3 \
         UNION ALL \
         SELECT announcement_id, fund, state, state_since, deadline_start FROM deadline_watch \
         WHERE state = 'in_progress' AND deadline_start <= $2 AND announcement_id > $3) \
         SELECT announcement_id AS id, fund, state, state_since, \
         CASE WHEN state = 'in_progress' THEN deadline_start END AS in_progress_date \
         FROM due ORDER BY announcement_id LIMIT $4";
    let args = args![
        date_text(overdue.not_mentioned),
        date_text(overdue.still_processing),
        after_id.unwrap_or(0),
        i64::from(limit) + 1
    ];
    (sql, args)
}

/// The reminders of `due` whose deadline still runs (the announcement is in the state their
/// rule watches), not raised before: one statement, returning those inserted.
pub(super) fn raise_statement(
    backend: Backend,
    due: &[DueReminder],
    raised_at: DateTime<Utc>,
) -> (Sql, Vec<Arg>) {
    let rows: Vec<(i64, &str, String, &str)> = due
        .iter()
        .map(|r| {
            (
                r.announcement_id,
                rule_text(r.rule),
                date_text(r.due),
                watched_state(r.rule).as_str(),
            )
        })
        .collect();
    let mut sql = SqlBuilder::new(
        "INSERT INTO reminders (announcement_id, rule, due_date, raised_at, state_since) \
         SELECT w.announcement_id, r.value->>1, r.value->>2, ",
    );
    sql.push_arg(raised_at)
        .push(", w.state_since FROM ")
        .push_rows(backend, &rows)
        .push(
            " r CROSS JOIN deadline_watch w \
             WHERE w.announcement_id = CAST(r.value->>0 AS bigint) AND w.state = r.value->>3 \
             ON CONFLICT (announcement_id, rule) DO NOTHING RETURNING id, announcement_id, rule",
        );
    sql.finish()
}

/// The deadlines of `due` end: reminded (N. 3401 asks for one reminder a deadline). One
/// statement per state watched, each for the announcements still in it.
pub(super) fn end_deadlines_statements(
    backend: Backend,
    due: &[DueReminder],
) -> Vec<(Sql, Vec<Arg>)> {
    [AnnouncementState::Announced, AnnouncementState::InProgress]
        .into_iter()
        .filter_map(|state| {
            let ids: Vec<i64> = due
                .iter()
                .filter(|r| watched_state(r.rule) == state)
                .map(|r| r.announcement_id)
                .collect();
            (!ids.is_empty())
                .then(|| super::deadline_watch::unwatch_statement(backend, Some(state), ids))
        })
        .collect()
}

/// Cuts `items` (read with `limit + 1`) to `limit` and returns the next page's cursor.
fn paged<T>(items: &mut Vec<T>, limit: u32, id: impl Fn(&T) -> i64) -> Option<i64> {
    let limit = limit as usize;
    if items.len() > limit {
        items.truncate(limit);
        items.last().map(id)
    } else {
        None
    }
}

/// The date in Geneva of a time: deadlines count Swiss dates.
pub(super) fn swiss_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Zurich).date_naive()
}

/// Dates are stored as `YYYY-MM-DD` text on both back ends.
pub(super) fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn parse_date(text: &str, what: &'static str, id: i64) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::corrupt(what, id))
}

fn decode_pending(row: &Row) -> Result<PendingAnnouncement, StoreError> {
    let id = row.int("id")?;
    Ok(PendingAnnouncement {
        id,
        fund: FundNumber::parse(&row.text("fund")?)
            .map_err(|_| StoreError::corrupt("fund number", id))?,
        state: state_of(row, "state", id)?,
        state_since: row.time("state_since")?,
        in_progress_date: match row.opt_text("in_progress_date")? {
            None => None,
            Some(text) => Some(parse_date(&text, "acknowledgement date", id)?),
        },
    })
}

fn decode_reminder(row: &Row) -> Result<Reminder, StoreError> {
    let id = row.int("id")?;
    let corrupt = |what| StoreError::corrupt(what, id);
    let rule = rule_of(&row.text("rule")?).ok_or_else(|| corrupt("reminder rule"))?;
    Ok(Reminder {
        id,
        announcement_id: row.int("announcement_id")?,
        fund: FundNumber::parse(&row.text("fund")?).map_err(|_| corrupt("fund number"))?,
        reference: Reference::stored(&row.text("reference")?).map_err(|_| corrupt("reference"))?,
        key: KeyCode::from_register(row.int("key_code")?).map_err(|_| corrupt("key code"))?,
        announced_at: row
            .opt_time("announced_at")?
            .ok_or_else(|| corrupt("history of the reminder's announcement"))?,
        rule,
        due: parse_date(&row.text("due_date")?, "reminder due date", id)?,
        raised_at: row.time("raised_at")?,
        resolved_at: row.opt_time("resolved_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_watches_the_state_it_runs_in() {
        for rule in [DeadlineRule::NotMentioned, DeadlineRule::StillProcessing] {
            assert_eq!(DeadlineRule::for_state(watched_state(rule)), Some(rule));
            assert_eq!(rule_of(rule_text(rule)), Some(rule));
            assert_eq!(
                serde_json::to_value(rule).unwrap(),
                serde_json::Value::from(rule_text(rule))
            );
        }
    }
}
