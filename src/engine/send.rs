//! Sending transmissions: a due transmission is leased (so that no other instance sends it at
//! the same time), its XML written again and checked against the stored SHA-256, and sent with
//! the same message id as every time before. Each attempt is recorded with its receipt; failures
//! are retried with capped exponential backoff and jitter, and after `max_attempts` the
//! transmission is `failed`, for an operator to resume.

use std::time::Duration;

use chrono::TimeDelta;

use super::reproduce::transmission_xml;
use super::{Engine, EngineError};
use crate::failpoint;
use crate::store::{Attempt, AttemptOutcome, ChangeNote, NextStep, TransmissionRecord};
use crate::transport::Delivery;
use crate::transport::backoff::{delay, random_share};

impl Engine {
    /// Sends every transmission that is due; returns how many were tried.
    pub async fn send_due(&self) -> Result<usize, EngineError> {
        // Long enough for one attempt; after a crash the transmission is due again once it ends.
        let tls = &self.config.tls;
        let lease =
            TimeDelta::seconds((tls.connect_timeout_secs + tls.request_timeout_secs) as i64 + 5);
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
        let result = self.transport.send(&message_id, &xml).await;
        if result.is_ok() {
            // The ZAS has it; a crash here must lead to a resend under the same message id.
            failpoint::hit(failpoint::AFTER_SEND);
        }
        let attempt_number = u32::try_from(record.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        // Each run of attempts has `max_attempts`: the first run from creation, each further
        // one from an operator's resumption (which only a failed transmission gets, so failing
        // runs end at multiples of `max_attempts`).
        let retry = |cause: String| {
            if attempt_number % self.config.max_attempts.max(1) == 0 {
                NextStep::Failed(format!("{cause} (after {attempt_number} attempts)"))
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
        };
        let (attempt, next) = match result {
            Ok(receipt) => {
                let code = Some(i64::from(receipt.status));
                let detail = format!("receipt {} {}", receipt.status, receipt.description);
                match receipt.delivery() {
                    Delivery::Transmitted => (
                        Attempt {
                            outcome: AttemptOutcome::Transmitted,
                            receipt_code: code,
                            detail,
                        },
                        NextStep::Sent,
                    ),
                    Delivery::Duplicate => (
                        Attempt {
                            outcome: AttemptOutcome::Duplicate,
                            receipt_code: code,
                            detail,
                        },
                        NextStep::Sent,
                    ),
                    Delivery::Refused => {
                        let cause = format!("refused by the ZAS: {detail}");
                        (
                            Attempt {
                                outcome: AttemptOutcome::Refused,
                                receipt_code: code,
                                detail,
                            },
                            NextStep::Failed(cause),
                        )
                    }
                    Delivery::Retry => {
                        let next = retry(detail.clone());
                        (
                            Attempt {
                                outcome: AttemptOutcome::Error,
                                receipt_code: code,
                                detail,
                            },
                            next,
                        )
                    }
                }
            }
            Err(e) => {
                let detail = e.to_string();
                let next = retry(detail.clone());
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
            NextStep::RetryAt(at) => {
                tracing::warn!(transmission = record.id, %message_id, attempts = updated.attempts, retry_at = %at, detail = %attempt.detail, "transmission not delivered; will retry")
            }
            NextStep::Failed(cause) => {
                tracing::error!(transmission = record.id, %message_id, %cause, "transmission failed; an operator can resume it")
            }
        }
        Ok(())
    }
}
