//! The alert outbox: an alert is written in the transaction of what it tells (a reminder of
//! N. 3401, see `reminders.rs`), so that a restart loses none. The delivery job makes one
//! delivery per configured channel from it, claims the due ones with a lease (moving `due_at`
//! past the attempt's time limit: after a crash the delivery is due again once the lease ends),
//! records every attempt, and retries with backoff until delivered or `failed`.
//!
//! An alert tells of a reminder (`deadline_passed`) or of a transmission over sedex (its receipt
//! overdue, or receipt 701: the message expires soon), written in the transaction that flags the
//! transmission or takes the receipt in (`receipts.rs`).
//!
//! Delivery is at least once; the alert's `alert_id` (a UUID) is the same on every attempt and
//! channel, so that a receiver de-duplicates on it. No AVS number is stored here: an alert refers
//! to its reminder or transmission, and its detail and error texts are masked.

use chrono::{DateTime, Utc};

use super::Store;
use super::error::StoreError;
use super::redact::redact;
use super::sql::{SqlBuilder, Tx, args};

/// The outcome of one delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlertOutcome {
    Delivered,
    /// Failed; tried again at `retry_at`, or `failed` for good when `None`.
    Error {
        detail: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// A delivery claimed for one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: i64,
    /// The alert's stable id, the receiver's key for de-duplication.
    pub alert_id: String,
    pub channel: String,
    /// The number of this attempt, from 1.
    pub attempt: u32,
    /// What the alert tells of.
    pub subject: AlertSubject,
}

/// What an alert tells of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlertSubject {
    /// A deadline of N. 3401 passed: the reminder raised (`deadline_passed`).
    Reminder(i64),
    /// The ten days of N. 2713 of a closing order passed (`closing_order_overdue`).
    ClosingOrder(i64),
    /// Something the fund's operators must look at on a transmission over sedex.
    Transmission {
        kind: TransmissionAlert,
        transmission_id: i64,
        /// What the alert tells beyond its subject (masked).
        detail: String,
        /// When it was raised.
        raised_at: DateTime<Utc>,
    },
}

/// The alerts of a transmission over sedex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransmissionAlert {
    /// No receipt from the sedex client within the receipt timeout after the hand-over.
    ReceiptOverdue,
    /// Receipt 701: the message expires soon, the recipient has not fetched it.
    ExpiresSoon,
}

impl TransmissionAlert {
    /// The alert's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransmissionAlert::ReceiptOverdue => "sedex_receipt_overdue",
            TransmissionAlert::ExpiresSoon => "sedex_message_expires_soon",
        }
    }

    fn parse(kind: &str) -> Option<Self> {
        [
            TransmissionAlert::ReceiptOverdue,
            TransmissionAlert::ExpiresSoon,
        ]
        .into_iter()
        .find(|k| k.as_str() == kind)
    }
}

/// The deliveries of one channel in one status, for the metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryCount {
    pub channel: String,
    pub status: String,
    pub count: i64,
}

/// The deliveries' statuses.
pub const DELIVERY_STATUSES: [&str; 3] = ["pending", "delivered", "failed"];

/// PostgreSQL: deliveries another instance is claiming are skipped, not waited for.
const CLAIM_POSTGRES: &str = "WITH picked AS (SELECT d.id FROM alert_deliveries d \
     WHERE d.status = 'pending' AND d.due_at <= $1 AND d.channel = ANY(string_to_array($3, ',')) \
     ORDER BY d.id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     UPDATE alert_deliveries d SET due_at = $2, attempts = d.attempts + 1 FROM picked \
     WHERE d.id = picked.id RETURNING d.id";

/// SQLite: the transaction began with `BEGIN IMMEDIATE`, so it is the only writer.
const CLAIM_SQLITE: &str = "UPDATE alert_deliveries SET due_at = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT d.id FROM alert_deliveries d WHERE d.status = 'pending' \
     AND d.due_at <= $1 AND instr(',' || $3 || ',', ',' || d.channel || ',') > 0 \
     ORDER BY d.id LIMIT $4) RETURNING id";

/// What the alert of delivery `id` (a row with `kind`, `reminder_id`, `transmission_id` and
/// `detail`) tells of.
fn subject_of(row: &super::sql::Row, id: i64) -> Result<AlertSubject, StoreError> {
    let kind = row.text("kind")?;
    match kind.as_str() {
        "deadline_passed" => return Ok(AlertSubject::Reminder(row.int("reminder_id")?)),
        "closing_order_overdue" => {
            return Ok(AlertSubject::ClosingOrder(row.int("closing_order_id")?));
        }
        _ => {}
    }
    match TransmissionAlert::parse(&kind) {
        Some(kind) => Ok(AlertSubject::Transmission {
            kind,
            transmission_id: row.int("transmission_id")?,
            detail: row.text("detail")?,
            raised_at: row.time("created_at")?,
        }),
        None => Err(StoreError::corrupt("alert kind", id)),
    }
}

/// The delivery is still on the attempt being recorded: pending, not claimed again since.
macro_rules! still_claimed {
    () => {
        " WHERE id = $1 AND status = 'pending' AND attempts = $2"
    };
}

/// What a batch of alerts tells of, each alert one row of its kind: the reminders of N. 3401
/// just raised, or the closing orders whose reminder of N. 2713 was just raised.
#[derive(Clone, Copy)]
pub(super) enum RaisedReminders {
    Deadlines,
    ClosingOrders,
}

impl RaisedReminders {
    /// The alerts' kind and the column that refers to each one's subject.
    fn kind_and_column(self) -> (&'static str, &'static str) {
        match self {
            RaisedReminders::Deadlines => ("deadline_passed", "reminder_id"),
            RaisedReminders::ClosingOrders => ("closing_order_overdue", "closing_order_id"),
        }
    }
}

/// Writes the alerts of `ids` (reminders, or closing orders, as `of` says) in the transaction
/// that raised their reminders: one statement.
pub(super) async fn record_for_reminders(
    tx: &mut Tx,
    of: RaisedReminders,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<(String, i64)> = ids
        .iter()
        .map(|&id| (uuid::Uuid::new_v4().to_string(), id))
        .collect();
    let (kind, column) = of.kind_and_column();
    let mut sql = SqlBuilder::new("INSERT INTO alerts (alert_id, kind, ");
    // `kind` and `column` are this module's constants, never input.
    sql.push(column)
        .push(", created_at) SELECT value->>0, '")
        .push(kind)
        .push("', CAST(value->>1 AS bigint), ")
        .push_arg(at)
        .push(" FROM ")
        .push_rows(tx.backend(), &rows);
    let (sql, args) = sql.finish();
    tx.execute(sql, args).await?;
    Ok(())
}

/// Writes an alert `kind` of transmission `transmission_id` in the transaction of what it
/// tells (the flag of an overdue receipt, the receipt taken in).
pub(super) async fn record_for_transmission(
    tx: &mut Tx,
    kind: TransmissionAlert,
    transmission_id: i64,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO alerts (alert_id, kind, transmission_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        args![
            uuid::Uuid::new_v4().to_string(),
            kind.as_str(),
            transmission_id,
            redact(detail).into_owned(),
            at
        ],
    )
    .await?;
    Ok(())
}

impl Store {
    /// Makes the missing deliveries for `channels` (due at `now`) of every alert not yet
    /// settled (without deliveries, or with one pending: a channel added later does not get the
    /// alerts of the past delivered everywhere else), then claims
    /// up to `limit` due deliveries of those channels, oldest first, for one attempt each:
    /// each is leased until `lease_until` and its attempt counted. Two claimers never get the
    /// same delivery while its lease runs.
    pub async fn claim_alert_deliveries(
        &self,
        channels: &[&str],
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        if channels.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        for channel in channels {
            tx.execute(
                "INSERT INTO alert_deliveries (alert_id, channel, status, attempts, due_at, created_at) \
                 SELECT a.id, $1, 'pending', 0, $2, $2 FROM alerts a WHERE NOT EXISTS \
                 (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.channel = $1) \
                 AND (NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id) \
                 OR EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id \
                 AND d.status = 'pending')) \
                 ON CONFLICT (alert_id, channel) DO NOTHING",
                args![*channel, now],
            )
            .await?;
        }
        let claim = match tx {
            Tx::Sqlite(..) => CLAIM_SQLITE,
            Tx::Postgres(_) => CLAIM_POSTGRES,
        };
        let ids = tx
            .fetch_all(
                claim,
                args![now, lease_until, channels.join(","), i64::from(limit)],
            )
            .await?
            .iter()
            .map(|row| row.int("id"))
            .collect::<Result<Vec<i64>, _>>()?;
        let mut claimed = Vec::with_capacity(ids.len());
        if !ids.is_empty() {
            let mut sql = SqlBuilder::new(
                "SELECT d.id, d.channel, d.attempts, a.alert_id, a.kind, a.reminder_id, \
                 a.transmission_id, a.closing_order_id, a.detail, a.created_at \
                 FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.id IN (",
            );
            sql.push_list(ids.iter().copied()).push(") ORDER BY d.id");
            let (sql, args) = sql.finish();
            for row in tx.fetch_all(sql, args).await? {
                let id = row.int("id")?;
                claimed.push(ClaimedDelivery {
                    id,
                    alert_id: row.text("alert_id")?,
                    channel: row.text("channel")?,
                    attempt: u32::try_from(row.int("attempts")?)
                        .map_err(|_| StoreError::corrupt("alert attempts", id))?,
                    subject: subject_of(&row, id)?,
                });
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records attempt `attempt` of delivery `id` at `at` and its outcome. The delivery changes
    /// only if it is still pending on that attempt (a late answer after the lease ran out and
    /// another claim began is recorded, and changes nothing). Returns whether it changed.
    pub async fn record_alert_attempt(
        &self,
        id: i64,
        attempt: u32,
        at: DateTime<Utc>,
        outcome: &AlertOutcome,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let (outcome_text, detail) = match outcome {
            AlertOutcome::Delivered => ("delivered", String::new()),
            AlertOutcome::Error { detail, .. } => ("error", redact(detail).into_owned()),
        };
        tx.execute(
            "INSERT INTO alert_attempts (delivery_id, attempt, at, outcome, detail) \
             VALUES ($1, $2, $3, $4, $5)",
            args![id, i64::from(attempt), at, outcome_text, detail.as_str()],
        )
        .await?;
        let changed = match outcome {
            AlertOutcome::Delivered => {
                tx.execute(
                    concat!(
                        "UPDATE alert_deliveries SET status = 'delivered', delivered_at = $3, \
                         last_error = NULL",
                        still_claimed!()
                    ),
                    args![id, i64::from(attempt), at],
                )
                .await?
            }
            AlertOutcome::Error { retry_at, .. } => {
                tx.execute(
                    concat!(
                        "UPDATE alert_deliveries SET status = CASE WHEN $3 IS NULL THEN 'failed' \
                         ELSE 'pending' END, due_at = COALESCE($3, due_at), last_error = $4",
                        still_claimed!()
                    ),
                    args![id, i64::from(attempt), *retry_at, detail.as_str()],
                )
                .await?
            }
        };
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The deliveries by channel and status (only the pairs that occur).
    pub async fn alert_delivery_counts(&self) -> Result<Vec<DeliveryCount>, StoreError> {
        let rows = self
            .fetch_all(
                "SELECT channel, status, COUNT(*) AS n FROM alert_deliveries \
                 GROUP BY channel, status ORDER BY channel, status",
                args![],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(DeliveryCount {
                    channel: row.text("channel")?,
                    status: row.text("status")?,
                    count: row.int("n")?,
                })
            })
            .collect()
    }

    /// When the oldest alert not yet delivered (no delivery made yet, or one pending) was
    /// written; `None` when there is none.
    pub async fn oldest_pending_alert(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = self
            .fetch_one(
                "SELECT MIN(a.created_at) AS oldest FROM alerts a \
                 WHERE NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id) \
                 OR EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id \
                 AND d.status = 'pending')",
                args![],
            )
            .await?;
        Ok(row.opt_time("oldest")?)
    }
}
