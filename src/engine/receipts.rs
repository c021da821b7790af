//! Taking in receipts that come after their sending (sedex): each is matched by message id to a
//! transmission of this environment and applied as sedex's table says — 100 delivered, 201 an
//! earlier sending was taken (delivered), 200–399 refused (`failed` with the code and the
//! client's statusInfo, for an operator), 400–599 tried again after the capped backoff, 601
//! sent and not yet received (the receipt timeout runs on), 701 a warning (an alert, written to
//! the outbox with the receipt).
//! The store takes each receipt in once; only then is its file put away, so a crash in between
//! makes the next round read it again, which changes nothing.

use super::{Engine, EngineError};
use crate::sedex::ReceiptStatus;
use crate::sedex::receipt::meaning;
use crate::store::{
    Attempt, AttemptOutcome, ChangeNote, NewReceipt, NextStep, ReceiptIntake, TransmissionAlert,
};
use crate::transport::{LateReceipt, ReceiptRead, Settled};

/// Receipts read per round.
const PAGE: usize = 200;

impl Engine {
    /// Reads the transport's receipts until none is left; returns how many were taken in.
    pub async fn take_in_receipts(&self) -> Result<usize, EngineError> {
        let mut taken = 0;
        loop {
            let reads = self.transport.receipts(PAGE).await?;
            if reads.is_empty() {
                return Ok(taken);
            }
            for read in reads {
                match read {
                    ReceiptRead::Read(late) => {
                        self.take_in_receipt(&late).await?;
                        self.transport
                            .settle_receipt(&late.key, &Settled::TakenIn)
                            .await?;
                        taken += 1;
                    }
                    ReceiptRead::Unreadable { key, reason } => {
                        tracing::warn!(file = %key, %reason, "receipt not readable; moved to rejected");
                        self.transport
                            .settle_receipt(&key, &Settled::Rejected(reason))
                            .await?;
                    }
                }
            }
        }
    }

    async fn take_in_receipt(&self, late: &LateReceipt) -> Result<(), EngineError> {
        let code = late.receipt.status;
        let status = ReceiptStatus::of(code);
        let note = ChangeNote::new(
            self.clock.now(),
            "engine:receipts",
            format!(
                "transmission {}: sedex receipt {code} ({})",
                late.message_id,
                meaning(code)
            ),
        );
        let new = NewReceipt {
            environment: self.config.environment,
            message_id: &late.message_id,
            status_code: code,
            status_info: &late.receipt.description,
            event_date: late.event_date,
            file_name: &late.key,
            alert: (status == ReceiptStatus::ExpiresSoon).then_some(TransmissionAlert::ExpiresSoon),
        };
        let intake = self
            .store
            .take_in_receipt(&new, &note, |current, hand_overs| {
                let waiting = |outcome| {
                    (
                        Attempt {
                            outcome,
                            receipt_code: Some(i64::from(code)),
                            detail: format!("receipt {code} {}", late.receipt.description),
                        },
                        // The receipt timeout of the hand-over runs on.
                        NextStep::AwaitReceipt(current.next_attempt_at.unwrap_or(note.at)),
                    )
                };
                match status {
                    ReceiptStatus::SentAwaitingDelivery => Some(waiting(AttemptOutcome::Waiting)),
                    ReceiptStatus::ExpiresSoon => Some(waiting(AttemptOutcome::Warning)),
                    ReceiptStatus::Unknown => None,
                    // `max_attempts` counts sendings: over sedex, the hand-overs (a receipt is
                    // not a sending of its own).
                    _ => Some(self.after_receipt(&late.receipt, hand_overs.max(1))),
                }
            })
            .await?;
        let message_id = &late.message_id;
        match &intake {
            ReceiptIntake::Repeat => {
                tracing::debug!(%message_id, code, "receipt taken in before; nothing changed")
            }
            ReceiptIntake::Unmatched => {
                tracing::warn!(%message_id, code, file = %late.key, "receipt matches no transmission of this environment; kept (arcgw receipts unmatched)")
            }
            ReceiptIntake::Recorded(t) | ReceiptIntake::Applied(t) => match status {
                ReceiptStatus::ExpiresSoon => tracing::error!(
                    alert = "sedex_message_expires_soon",
                    transmission = t.id,
                    %message_id,
                    info = %late.receipt.description,
                    "sedex receipt 701: the message expires soon, the ZAS has not fetched it"
                ),
                ReceiptStatus::Refused => {
                    tracing::error!(transmission = t.id, %message_id, code, info = %late.receipt.description, "sedex refused the transmission ({}); failed, for an operator", meaning(code))
                }
                ReceiptStatus::Unknown => {
                    tracing::warn!(transmission = t.id, %message_id, code, "sedex receipt with a code not in the table; recorded, transmission left as it is")
                }
                _ => {
                    tracing::info!(transmission = t.id, %message_id, code, state = %t.state, "sedex receipt taken in")
                }
            },
        }
        Ok(())
    }
}
