//! The audit log (annex 2.5: important activities and events are logged): append-only, and no
//! AVS number ever goes into it. Each event records the funds it concerns, so that a review
//! shows each person the events of their own funds only (art. 7); an event of no fund is a
//! system event.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::FundNumber;

use super::error::StoreError;
use super::redact::{redact, redact_json};
use super::sql::{Row, SqlBuilder, Tx, args, time_field};
use super::{Backend, Store};

/// The most events one query returns.
pub const MAX_AUDIT_PAGE: u32 = 1000;

/// How an audited action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Success,
    /// The action was attempted and failed.
    Failure,
    /// The actor was not allowed to do it.
    Denied,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
            AuditOutcome::Denied => "denied",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            AuditOutcome::Success,
            AuditOutcome::Failure,
            AuditOutcome::Denied,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// An event to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    /// Who acted: `token:<prefix>`, `operator:<name>`, `engine:<job>`.
    pub actor: String,
    /// What was done, e.g. `announcement.submit`, `token.revoke`.
    pub action: String,
    /// On what, e.g. `announcement:42`.
    pub target: Option<String>,
    pub outcome: AuditOutcome,
    /// The client's address, for actions that came over the network.
    pub remote_addr: Option<String>,
    /// More about the event, as JSON.
    pub details: Value,
    /// The funds the event concerns; none: a system event.
    pub funds: Vec<FundNumber>,
}

/// A recorded event.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: AuditOutcome,
    pub remote_addr: Option<String>,
    pub details: Value,
    /// The funds the event concerns; none: a system event.
    pub funds: Vec<FundNumber>,
}

/// Whose events a query reads.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum AuditScope {
    /// Every event (the operator on the command line).
    #[default]
    All,
    /// The events that concern at least one of `funds` (art. 7), and with `system` the events of
    /// no fund as well.
    Funds {
        funds: Vec<FundNumber>,
        system: bool,
    },
}

/// Which events to read: all filters must match; newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub outcome: Option<AuditOutcome>,
    /// Events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Events before this time.
    pub until: Option<DateTime<Utc>>,
    /// Events with a smaller id (the last id of the previous page).
    pub before_id: Option<i64>,
    /// At most this many, between 1 and [`MAX_AUDIT_PAGE`].
    pub limit: u32,
    pub scope: AuditScope,
}

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            scope: AuditScope::All,
            actor: None,
            action: None,
            target: None,
            outcome: None,
            since: None,
            until: None,
            before_id: None,
            limit: 100,
        }
    }
}

impl Store {
    /// Appends an event and returns its id. Anything that looks like an AVS number, in any
    /// field or anywhere in the details, is masked first (security baseline, draft art. 3).
    pub async fn append_audit(&self, event: &NewAuditEvent) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = insert_audit(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// When the audit log was last reviewed (annex 2.5: the events are analysed periodically):
    /// the latest successful `audit.review` or `audit.export` (the review page, its CSV or
    /// `arcgw audit`); when it never was, its first event; `None` while it is empty.
    pub async fn audit_last_reviewed(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = self
            .fetch_one(
                "SELECT COALESCE((SELECT MAX(at) FROM audit_events \
                 WHERE action IN ('audit.review', 'audit.export') AND outcome = 'success'), \
                 (SELECT MIN(at) FROM audit_events)) AS at",
                args![],
            )
            .await?;
        Ok(row.opt_time("at")?)
    }

    /// Reads events matching `query`, newest first.
    pub async fn query_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut sql = SqlBuilder::new(
            "SELECT id, at, actor, action, target, outcome, remote_addr, details, funds \
             FROM audit_events WHERE 1 = 1",
        );
        if let AuditScope::Funds { funds, system } = &query.scope {
            sql.push(" AND (1 = 0");
            for fund in funds {
                sql.push(" OR funds LIKE ").push_arg(format!("% {fund} %"));
            }
            if *system {
                sql.push(" OR funds IS NULL");
            }
            sql.push(")");
        }
        if let Some(actor) = &query.actor {
            sql.push(" AND actor = ").push_arg(actor.as_str());
        }
        if let Some(action) = &query.action {
            sql.push(" AND action = ").push_arg(action.as_str());
        }
        if let Some(target) = &query.target {
            sql.push(" AND target = ").push_arg(target.as_str());
        }
        if let Some(outcome) = query.outcome {
            sql.push(" AND outcome = ").push_arg(outcome.as_str());
        }
        if let Some(since) = query.since {
            sql.push(" AND at >= ").push_arg(since);
        }
        if let Some(until) = query.until {
            sql.push(" AND at < ").push_arg(until);
        }
        if let Some(before) = query.before_id {
            sql.push(" AND id < ").push_arg(before);
        }
        sql.push(" ORDER BY id DESC LIMIT ")
            .push_arg(i64::from(query.limit.clamp(1, MAX_AUDIT_PAGE)));
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args)
            .await?
            .iter()
            .map(decode)
            .collect()
    }
}

/// Appends an event within `tx` and returns its id, masked as [`Store::append_audit`] says.
pub(crate) async fn insert_audit(tx: &mut Tx, event: &NewAuditEvent) -> Result<i64, StoreError> {
    let mut sql = insert_statement(tx.backend(), std::slice::from_ref(event));
    sql.push(" RETURNING id");
    let (sql, args) = sql.finish();
    Ok(tx.fetch_one(sql, args).await?.int("id")?)
}

/// The statement that appends `events` (at least one), in the order given, masked as
/// [`Store::append_audit`] says.
pub(crate) fn insert_statement(backend: Backend, events: &[NewAuditEvent]) -> SqlBuilder {
    let rows: Vec<Value> = events
        .iter()
        .map(|event| {
            json!([
                time_field(event.at),
                redact(&event.actor),
                redact(&event.action),
                event.target.as_deref().map(redact),
                event.outcome.as_str(),
                event.remote_addr.as_deref().map(redact),
                redact_json(&event.details).to_string(),
                funds_text(&event.funds)
            ])
        })
        .collect();
    let mut sql = SqlBuilder::new(
        "INSERT INTO audit_events (at, actor, action, target, outcome, remote_addr, details, \
         funds) SELECT ",
    );
    sql.push_row_time(backend, "value->>0")
        .push(
            ", value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 \
             FROM ",
        )
        .push_rows(backend, &rows);
    sql
}

/// The `funds` column of an event: each fund number between spaces (` 066.000 067.000 `), so
/// that `LIKE '% 066.000 %'` finds one; `None` for a system event.
pub(crate) fn funds_text(funds: &[FundNumber]) -> Option<String> {
    let mut funds = funds.to_vec();
    funds.sort_unstable();
    funds.dedup();
    (!funds.is_empty()).then(|| {
        let mut text = String::from(" ");
        for fund in funds {
            text.push_str(&format!("{fund} "));
        }
        text
    })
}

fn decode(row: &Row) -> Result<AuditEvent, StoreError> {
    let id = row.int("id")?;
    Ok(AuditEvent {
        id,
        at: row.time("at")?,
        actor: row.text("actor")?,
        action: row.text("action")?,
        target: row.opt_text("target")?,
        outcome: AuditOutcome::parse(&row.text("outcome")?)
            .ok_or(StoreError::corrupt("audit outcome", id))?,
        remote_addr: row.opt_text("remote_addr")?,
        details: serde_json::from_str(&row.text("details")?)
            .map_err(|_| StoreError::corrupt("audit details", id))?,
        funds: row
            .opt_text("funds")?
            .unwrap_or_default()
            .split_whitespace()
            .map(FundNumber::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| StoreError::corrupt("audit funds", id))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funds_are_written_between_spaces() {
        let a = FundNumber::parse("067.000").unwrap();
        let b = FundNumber::parse("066.000").unwrap();
        assert_eq!(funds_text(&[a, b, a]).as_deref(), Some(" 066.000 067.000 "));
        assert_eq!(funds_text(&[]), None);
    }

    #[test]
    fn outcomes_read_back() {
        for outcome in [
            AuditOutcome::Success,
            AuditOutcome::Failure,
            AuditOutcome::Denied,
        ] {
            assert_eq!(AuditOutcome::parse(outcome.as_str()), Some(outcome));
        }
    }
}
