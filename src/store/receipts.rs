//! sedex receipts (SEDEX.md, eCH-0090): each receipt of the sedex client is taken in once, in the same
//! transaction as what it does to its transmission; one that matches no transmission of its
//! environment is kept for operators. And the flag of a transmission whose receipt is overdue.

use chrono::{DateTime, Utc};

use super::Store;
use super::alerts::{TransmissionAlert, record_for_transmission};
use super::error::StoreError;
use super::history::ChangeNote;
use super::redact::redact;
use super::sql::{SqlBuilder, Tx, args};
use super::transmissions::{Attempt, NextStep, TransmissionRecord, lock_record, record_attempt_in};
use crate::domain::Environment;

/// A receipt as read from the sedex client's `receipts/` folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReceipt<'a> {
    pub environment: Environment,
    /// The message the receipt is about.
    pub message_id: &'a str,
    pub status_code: u16,
    pub status_info: &'a str,
    pub event_date: DateTime<Utc>,
    /// The receipt's file name, for operators.
    pub file_name: &'a str,
    /// The alert it raises when it is taken in for a transmission (the first time only).
    pub alert: Option<TransmissionAlert>,
}

/// What taking in a receipt did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiptIntake {
    /// Recorded and applied to its transmission (as it stands now).
    Applied(TransmissionRecord),
    /// Recorded; its transmission is left as it is.
    Recorded(TransmissionRecord),
    /// The same receipt was taken in before: nothing changed.
    Repeat,
    /// No transmission of its environment has this message id: kept for operators.
    Unmatched,
}

/// A stored receipt that matched no transmission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmatchedReceipt {
    pub id: i64,
    pub environment: String,
    pub message_id: String,
    pub status_code: i64,
    pub status_info: String,
    pub event_date: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub file_name: String,
}

impl Store {
    /// Takes in one receipt: stored once (a repeat of the same message id, code and event date
    /// changes nothing), matched by message id to a transmission of its environment, and what
    /// `decide` makes of that transmission (held for writing) and the number of its hand-overs
    /// recorded as an attempt in the same transaction; `decide` answering `None` records the
    /// receipt only.
    pub async fn take_in_receipt<F>(
        &self,
        receipt: &NewReceipt<'_>,
        note: &ChangeNote,
        decide: F,
    ) -> Result<ReceiptIntake, StoreError>
    where
        F: FnOnce(&TransmissionRecord, u32) -> Option<(Attempt, NextStep)>,
    {
        let mut tx = self.begin_write().await?;
        let transmission =
            transmission_of(&mut tx, receipt.environment, receipt.message_id).await?;
        let inserted = tx
            .fetch_optional(
                "INSERT INTO sedex_receipts (environment, message_id, status_code, event_date, \
                 status_info, received_at, file_name, transmission_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (environment, message_id, status_code, event_date) DO NOTHING \
                 RETURNING id",
                args![
                    receipt.environment.as_str(),
                    receipt.message_id,
                    i64::from(receipt.status_code),
                    receipt.event_date,
                    redact(receipt.status_info).into_owned(),
                    note.at,
                    receipt.file_name,
                    transmission.as_ref().map(|t| t.id)
                ],
            )
            .await?;
        if inserted.is_none() {
            tx.commit().await?;
            return Ok(ReceiptIntake::Repeat);
        }
        let Some(current) = transmission else {
            tx.commit().await?;
            return Ok(ReceiptIntake::Unmatched);
        };
        let handed_over = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM transmission_attempts \
                 WHERE transmission_id = $1 AND outcome = 'handed_over'",
                args![current.id],
            )
            .await?
            .int("n")?;
        let intake = match decide(&current, u32::try_from(handed_over).unwrap_or(u32::MAX)) {
            Some((attempt, next)) => ReceiptIntake::Applied(
                record_attempt_in(&mut tx, &current, &attempt, &next, note).await?,
            ),
            None => ReceiptIntake::Recorded(current),
        };
        if let Some(kind) = receipt.alert {
            let detail = format!(
                "receipt {} of message {}: {}",
                receipt.status_code, receipt.message_id, receipt.status_info
            );
            let transmission = match &intake {
                ReceiptIntake::Applied(t) | ReceiptIntake::Recorded(t) => t.id,
                ReceiptIntake::Repeat | ReceiptIntake::Unmatched => unreachable!("returned above"),
            };
            record_for_transmission(&mut tx, kind, transmission, &detail, note.at).await?;
        }
        tx.commit().await?;
        Ok(intake)
    }

    /// The receipts that matched no transmission, newest first, at most `limit`.
    pub async fn unmatched_receipts(
        &self,
        limit: u32,
    ) -> Result<Vec<UnmatchedReceipt>, StoreError> {
        let mut sql = SqlBuilder::new(
            "SELECT id, environment, message_id, status_code, status_info, event_date, \
             received_at, file_name FROM sedex_receipts WHERE transmission_id IS NULL \
             ORDER BY id DESC LIMIT ",
        );
        sql.push_arg(i64::from(limit.clamp(1, super::MAX_PAGE)));
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args)
            .await?
            .iter()
            .map(|row| {
                Ok(UnmatchedReceipt {
                    id: row.int("id")?,
                    environment: row.text("environment")?,
                    message_id: row.text("message_id")?,
                    status_code: row.int("status_code")?,
                    status_info: row.text("status_info")?,
                    event_date: row.time("event_date")?,
                    received_at: row.time("received_at")?,
                    file_name: row.text("file_name")?,
                })
            })
            .collect()
    }

    /// How many transmissions are flagged for an overdue receipt and still have none (for
    /// the metric `arcgw_sedex_receipts_overdue`).
    pub async fn receipts_overdue(&self) -> Result<i64, StoreError> {
        let row = self
            .fetch_one(
                "SELECT COUNT(*) AS n FROM transmissions WHERE receipt_overdue_at IS NOT NULL \
                 AND handed_over_at IS NOT NULL",
                args![],
            )
            .await?;
        Ok(row.int("n")?)
    }

    /// Flags transmission `id` for having no receipt since its hand-over: `receipt_overdue_at`
    /// is set at `at` (once until a receipt comes), and its alert written in the same
    /// transaction, saying `detail`. Returns `true` when this call flagged it.
    pub async fn flag_receipt_overdue(
        &self,
        id: i64,
        at: DateTime<Utc>,
        detail: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let flagged = tx
            .execute(
                "UPDATE transmissions SET receipt_overdue_at = $1 WHERE id = $2 \
                 AND handed_over_at IS NOT NULL AND receipt_overdue_at IS NULL",
                args![at, id],
            )
            .await?
            == 1;
        if flagged {
            record_for_transmission(&mut tx, TransmissionAlert::ReceiptOverdue, id, detail, at)
                .await?;
        }
        tx.commit().await?;
        Ok(flagged)
    }
}

/// The transmission of `environment` with message id `message_id`, held for writing.
async fn transmission_of(
    tx: &mut Tx,
    environment: Environment,
    message_id: &str,
) -> Result<Option<TransmissionRecord>, StoreError> {
    let Some(row) = tx
        .fetch_optional(
            "SELECT id FROM transmissions WHERE message_id = $1 AND environment = $2",
            args![message_id, environment.as_str()],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(lock_record(tx, row.int("id")?).await?))
}
