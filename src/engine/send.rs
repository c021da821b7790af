//! Sending transmissions: a due transmission is leased (so that no other instance sends it at
//! the same time), its XML written again and checked against the stored SHA-256, and sent with
//! the same message id as every time before. Each attempt is recorded with its receipt; failures
//! are retried with capped exponential backoff and jitter, and after `max_attempts` the
//! transmission is `failed`, for an operator to resume.
//!
//! A transport that hands the transmission over and answers later (sedex) leaves it `pending`
//! with its receipt awaited until the receipt timeout; the receipts job ([`super::receipts`])
//! applies the receipt. When none came in time, the next lease finds it still handed over: it
//! is flagged, an alert logged, and handed over again under the same message id.

use std::time::Duration;

use chrono::TimeDelta;

use super::reproduce::transmission_xml;
use super::{Engine, EngineError};
use crate::failpoint;
use crate::store::{Attempt, AttemptOutcome, ChangeNote, NextStep, TransmissionRecord};
use crate::transport::backoff::{delay, random_share};
use crate::transport::{Delivery, Receipt, Sending};

impl Engine {
    /// Sends every transmission that is due; returns how many were tried.
    pub async fn send_due(&self) -> Result<usize, EngineError> {
        // Long enough for one attempt; after a crash the transmission is due again once it ends.
        let lease = TimeDelta::from_std(self.transport.attempt_time()).unwrap_or(TimeDelta::MAX);
        let mut tried = 0;
        while let Some(record) = self
            .store
            .lease_due_transmission(self.config.environment, self.clock.now(), lease)
            .await?
        {
            self.send_one(record).await?;
            tried += 1;
        }
        Ok(tried)
    }

    async fn send_one(&self, leased: TransmissionRecord) -> Result<(), EngineError> {
        let note = |cause: String| ChangeNote::new(self.clock.now(), "engine:sender", cause);
        let (record, xml) = match transmission_xml(&self.store, leased.id).await {
            Ok(found) => found,
            Err(e @ EngineError::ContentChanged { .. }) => {
                let attempt = Attempt {
                    outcome: AttemptOutcome::Error,
                    receipt_code: None,
                    detail: "the XML written again differs from the stored one".into(),
                };
                let next = NextStep::Failed("content changed since it was stored; not sent".into());
                self.store
                    .record_attempt(leased.id, &attempt, &next, &note(String::new()))
                    .await?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let message_id = record.header.message_id.clone();
        if let Some(handed_over) = record.handed_over_at {
            self.receipt_overdue(&record, handed_over).await?;
        }
        let result = self.transport.send(&message_id, &xml).await;
        if result.is_ok() {
            // The ZAS has it; a crash here must lead to a resend under the same message id.
            failpoint::hit(failpoint::AFTER_SEND);
        }
        let attempt_number = u32::try_from(record.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let (attempt, next) = match result {
            Ok(Sending::Answered(receipt)) => self.after_receipt(&receipt, attempt_number),
            Ok(Sending::HandedOver { receipt_within }) => (
                Attempt {
                    outcome: AttemptOutcome::HandedOver,
                    receipt_code: None,
                    detail: "handed over to the sedex client; receipt awaited".into(),
                },
                NextStep::AwaitReceipt(
                    self.clock.now()
                        + TimeDelta::from_std(receipt_within).unwrap_or(TimeDelta::MAX),
                ),
            ),
            Err(e) => {
                let detail = e.to_string();
                let next = self.after_failure(attempt_number, detail.clone());
                (
                    Attempt {
                        outcome: AttemptOutcome::Error,
                        receipt_code: None,
                        detail,
                    },
                    next,
                )
            }
        };
        let cause = format!("transmission {message_id}: {}", attempt.detail);
        let updated = self
            .store
            .record_attempt(record.id, &attempt, &next, &note(cause))
            .await?;
        match &next {
            NextStep::Sent => {
                tracing::info!(transmission = record.id, %message_id, "transmission delivered")
            }
            NextStep::AwaitReceipt(at) => {
                tracing::info!(transmission = record.id, %message_id, receipt_due = %at, "transmission handed over; receipt awaited")
            }
            NextStep::RetryAt(at) => {
                tracing::warn!(transmission = record.id, %message_id, attempts = updated.attempts, retry_at = %at, detail = %attempt.detail, "transmission not delivered; will retry")
            }
            NextStep::Failed(cause) => {
                tracing::error!(transmission = record.id, %message_id, %cause, "transmission failed; an operator can resume it")
            }
        }
        Ok(())
    }

    /// What a receipt means for attempt number `attempt_number`: the attempt to record and
    /// what follows (the table of sedex status codes; HTTPS answers with the same codes).
    pub(crate) fn after_receipt(
        &self,
        receipt: &Receipt,
        attempt_number: u32,
    ) -> (Attempt, NextStep) {
        let code = Some(i64::from(receipt.status));
        let detail = format!("receipt {} {}", receipt.status, receipt.description);
        let attempt = |outcome| Attempt {
            outcome,
            receipt_code: code,
            detail: detail.clone(),
        };
        match receipt.delivery() {
            Delivery::Transmitted => (attempt(AttemptOutcome::Transmitted), NextStep::Sent),
            Delivery::Duplicate => (attempt(AttemptOutcome::Duplicate), NextStep::Sent),
            Delivery::Refused => (
                attempt(AttemptOutcome::Refused),
                NextStep::Failed(format!("refused by the ZAS: {detail}")),
            ),
            Delivery::Retry => (
                attempt(AttemptOutcome::Error),
                self.after_failure(attempt_number, detail.clone()),
            ),
        }
    }

    /// After a failed attempt number `attempt_number`: again after the capped backoff, or
    /// `failed` at the end of a run of `max_attempts`. Each run of attempts has `max_attempts`:
    /// the first run from creation, each further one from an operator's resumption (which only
    /// a failed transmission gets, so failing runs end at multiples of `max_attempts`).
    pub(crate) fn after_failure(&self, attempt_number: u32, cause: String) -> NextStep {
        if attempt_number.is_multiple_of(self.config.max_attempts.max(1)) {
            NextStep::Failed(format!("{cause} (after {attempt_number} sendings)"))
        } else {
            let wait = delay(
                attempt_number,
                Duration::from_millis(self.config.backoff_initial_ms),
                Duration::from_secs(self.config.backoff_max_secs),
                random_share(),
            );
            NextStep::RetryAt(
                self.clock.now() + TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX),
            )
        }
    }

    /// A transmission handed over at `handed_over` came up again without a receipt since: it
    /// is flagged (once) and its alert written to the outbox (log, webhook, e-mail), counted by
    /// `arcgw_sedex_receipts_overdue`; the caller hands it over again.
    async fn receipt_overdue(
        &self,
        record: &TransmissionRecord,
        handed_over: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), EngineError> {
        let now = self.clock.now();
        let detail = format!(
            "message {}: handed over to the sedex client at {handed_over}, no receipt since",
            record.header.message_id
        );
        if self
            .store
            .flag_receipt_overdue(record.id, now, &detail)
            .await?
        {
            tracing::error!(
                alert = "sedex_receipt_overdue",
                transmission = record.id,
                message_id = %record.header.message_id,
                handed_over = %handed_over,
                "no receipt from the sedex client since the hand-over; handed over again under the same message id"
            );
        }
        Ok(())
    }
}
