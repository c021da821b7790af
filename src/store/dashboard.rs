//! What the operator dashboard reads: the pending announcements with the day they were
//! announced, those that need the fund's action, the acknowledgement entries that matched no
//! announcement and the failed transmissions, each limited to the viewer's funds (N. 2102;
//! security baseline, draft art. 7). Nothing read here holds an AVS number.

use chrono::{DateTime, NaiveDate, Utc};

use super::Store;
use super::announcements::{AnnouncementSummary, MAX_PAGE, decode_summary, environment_of};
use super::error::StoreError;
use super::sql::{Row, SqlBuilder, args};
use crate::domain::{AnnouncementState, Environment, FundNumber, KeyCode, Reference};

/// The columns [`decode_summary`] reads, from `announcements a`.
const SUMMARY_COLUMNS: &str = "SELECT a.id, a.environment, a.fund, a.reference, a.key_code, a.state, \
     a.state_since, a.submitted_at, a.transmission_id";

/// An announcement waiting for the ZAS, with the day it was announced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingItem {
    pub summary: AnnouncementSummary,
    /// When it became `announced` (the 7 working days of N. 3401 run from that day).
    pub announced_at: DateTime<Utc>,
}

/// An announcement that needs the fund's action (refused, or the ZAS asks to investigate), with
/// the cause of its last change of state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItem {
    pub summary: AnnouncementSummary,
    /// The cause recorded with the change into its state (names the acknowledgement and the
    /// processing code).
    pub cause: String,
}

/// An acknowledgement entry that matched no announcement of a transmission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmatchedItem {
    pub entry_id: i64,
    pub acknowledgement_message_id: String,
    pub acknowledgement_date: NaiveDate,
    pub received_at: DateTime<Utc>,
    pub fund: FundNumber,
    pub reference: Reference,
    pub key: KeyCode,
    pub processing_code: i64,
    /// Why an entry whose fund and reference matched was not applied: it names another
    /// transmission than the announcement's. `None`: nothing matched.
    pub mismatch: Option<String>,
}

/// A transmission given up after its attempts, with how many of the viewer's announcements it
/// carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedItem {
    pub id: i64,
    pub message_id: String,
    pub environment: Environment,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub failure: Option<String>,
    /// Its announcements of the funds asked about.
    pub announcements: i64,
}

/// A list of at most [`MAX_PAGE`] items; `more` when there were more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limited<T> {
    pub items: Vec<T>,
    pub more: bool,
}

impl<T> Limited<T> {
    pub(super) fn empty() -> Self {
        Limited {
            items: Vec::new(),
            more: false,
        }
    }

    /// Cuts items read with `LIMIT MAX_PAGE + 1`.
    pub(super) fn cut(mut items: Vec<T>) -> Self {
        let more = items.len() > MAX_PAGE as usize;
        items.truncate(MAX_PAGE as usize);
        Limited { items, more }
    }
}

/// Whose and which environment's rows a list shows.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// Only these funds (none: nothing).
    pub funds: &'a [FundNumber],
    /// Only this ZAS environment (`None`: both).
    pub environment: Option<Environment>,
}

impl Store {
    /// The pending announcements (`announced`, `in_progress`) in `scope`, only those in `state`
    /// when given, oldest announced first.
    pub async fn pending_by_age(
        &self,
        scope: Scope<'_>,
        state: Option<AnnouncementState>,
    ) -> Result<Limited<PendingItem>, StoreError> {
        let states = [AnnouncementState::Announced, AnnouncementState::InProgress];
        let Some(sql) = in_states(SUMMARY_COLUMNS, &states, scope, state, |sql| {
            sql.push(
                ", (SELECT MIN(h.at) FROM announcement_history h \
                 WHERE h.announcement_id = a.id AND h.state = 'announced') AS announced_at \
                 FROM announcements a",
            );
        }) else {
            return Ok(Limited::empty());
        };
        let rows = self
            .read_limited(sql, " ORDER BY announced_at, a.id")
            .await?;
        rows.iter()
            .map(|row| {
                let summary = decode_summary(row)?;
                let announced_at = row.opt_time("announced_at")?.ok_or_else(|| {
                    StoreError::corrupt("history of the announcement", summary.id)
                })?;
                Ok(PendingItem {
                    summary,
                    announced_at,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Limited::cut)
    }

    /// The announcements in `scope` that need the fund's action: refused (`rejected`) or to
    /// investigate (N. 3202), only those in `state` when given, latest change first.
    pub async fn needing_action(
        &self,
        scope: Scope<'_>,
        state: Option<AnnouncementState>,
    ) -> Result<Limited<ActionItem>, StoreError> {
        let states = [AnnouncementState::Rejected, AnnouncementState::Investigate];
        let Some(sql) = in_states(SUMMARY_COLUMNS, &states, scope, state, |sql| {
            sql.push(
                ", (SELECT h.cause FROM announcement_history h WHERE h.announcement_id = a.id \
                 ORDER BY h.id DESC LIMIT 1) AS cause FROM announcements a",
            );
        }) else {
            return Ok(Limited::empty());
        };
        let rows = self
            .read_limited(sql, " ORDER BY a.state_since DESC, a.id DESC")
            .await?;
        rows.iter()
            .map(|row| {
                Ok(ActionItem {
                    summary: decode_summary(row)?,
                    cause: row.opt_text("cause")?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Limited::cut)
    }

    /// The acknowledgement entries in `scope` (their funds, the environment's feed) that
    /// matched no announcement, newest first.
    pub async fn unmatched_of(
        &self,
        scope: Scope<'_>,
    ) -> Result<Limited<UnmatchedItem>, StoreError> {
        let funds = scope.funds;
        if funds.is_empty() {
            return Ok(Limited::empty());
        }
        let mut sql = SqlBuilder::new(
            "SELECT e.id, e.fund, e.reference, e.key_code, e.processing_code, e.mismatch, \
             k.message_id, k.acknowledgement_date, k.received_at \
             FROM acknowledgement_entries e JOIN acknowledgements k ON k.id = e.acknowledgement_id \
             WHERE e.announcement_id IS NULL AND e.fund IN (",
        );
        sql.push_list(funds.iter().map(ToString::to_string))
            .push(")");
        if let Some(environment) = scope.environment {
            sql.push(" AND k.environment = ")
                .push_arg(environment.as_str());
        }
        let rows = self.read_limited(sql, " ORDER BY e.id DESC").await?;
        rows.iter()
            .map(|row| {
                let id = row.int("id")?;
                let corrupt = |what| StoreError::corrupt(what, id);
                let date = row.text("acknowledgement_date")?;
                Ok(UnmatchedItem {
                    entry_id: id,
                    acknowledgement_message_id: row.text("message_id")?,
                    acknowledgement_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                        .map_err(|_| corrupt("acknowledgement date"))?,
                    received_at: row.time("received_at")?,
                    fund: FundNumber::parse(&row.text("fund")?)
                        .map_err(|_| corrupt("fund number"))?,
                    reference: Reference::stored(&row.text("reference")?)
                        .map_err(|_| corrupt("reference"))?,
                    key: KeyCode::from_register(row.int("key_code")?)
                        .map_err(|_| corrupt("key code"))?,
                    processing_code: row.int("processing_code")?,
                    mismatch: row.opt_text("mismatch")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Limited::cut)
    }

    /// The failed transmissions in `scope` (to its environment, carrying announcements of its
    /// funds), newest first.
    pub async fn failed_transmissions_of(
        &self,
        scope: Scope<'_>,
    ) -> Result<Limited<FailedItem>, StoreError> {
        let funds = scope.funds;
        if funds.is_empty() {
            return Ok(Limited::empty());
        }
        let fund_texts: Vec<String> = funds.iter().map(ToString::to_string).collect();
        let mut sql = SqlBuilder::new(
            "SELECT t.id, t.message_id, t.environment, t.created_at, t.attempts, t.failure, \
             (SELECT COUNT(*) FROM announcements a WHERE a.transmission_id = t.id AND a.fund IN (",
        );
        sql.push_list(fund_texts.iter().cloned())
            .push(")) AS own FROM transmissions t WHERE t.state = 'failed' AND EXISTS (SELECT 1 FROM announcements a WHERE a.transmission_id = t.id AND a.fund IN (")
            .push_list(fund_texts)
            .push("))");
        if let Some(environment) = scope.environment {
            sql.push(" AND t.environment = ")
                .push_arg(environment.as_str());
        }
        let rows = self.read_limited(sql, " ORDER BY t.id DESC").await?;
        rows.iter()
            .map(|row| {
                let id = row.int("id")?;
                Ok(FailedItem {
                    id,
                    message_id: row.text("message_id")?,
                    environment: environment_of(row, id)?,
                    created_at: row.time("created_at")?,
                    attempts: row.int("attempts")?,
                    failure: row.opt_text("failure")?,
                    announcements: row.int("own")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Limited::cut)
    }

    /// The funds of the announcements transmission `id` carries (art. 7: its XML may be shown
    /// only to a person who may see all of them).
    pub async fn transmission_funds(&self, id: i64) -> Result<Vec<FundNumber>, StoreError> {
        self.fetch_all(
            "SELECT DISTINCT fund FROM announcements WHERE transmission_id = $1 ORDER BY fund",
            args![id],
        )
        .await?
        .iter()
        .map(|row| {
            FundNumber::parse(&row.text("fund")?)
                .map_err(|_| StoreError::corrupt("fund number", id))
        })
        .collect()
    }

    pub(super) async fn read_limited(
        &self,
        mut sql: SqlBuilder,
        order: &'static str,
    ) -> Result<Vec<Row>, StoreError> {
        sql.push(order)
            .push(" LIMIT ")
            .push_arg(i64::from(MAX_PAGE) + 1);
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args).await
    }
}

/// `columns`, what `from` adds (extra columns and the `FROM`), then the conditions: one of
/// `states` (only `state` when given), in `scope`. `None` when nothing can match.
fn in_states(
    columns: &'static str,
    states: &[AnnouncementState],
    scope: Scope<'_>,
    state: Option<AnnouncementState>,
    from: impl FnOnce(&mut SqlBuilder),
) -> Option<SqlBuilder> {
    let funds = scope.funds;
    let states: Vec<&'static str> = states
        .iter()
        .filter(|s| state.is_none_or(|wanted| wanted == **s))
        .map(|s| s.as_str())
        .collect();
    if states.is_empty() || funds.is_empty() {
        return None;
    }
    let mut sql = SqlBuilder::new(columns);
    from(&mut sql);
    sql.push(" WHERE a.state IN (")
        .push_list(states)
        .push(") AND a.fund IN (")
        .push_list(funds.iter().map(ToString::to_string))
        .push(")");
    if let Some(environment) = scope.environment {
        sql.push(" AND a.environment = ")
            .push_arg(environment.as_str());
    }
    Some(sql)
}
