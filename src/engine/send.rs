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

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::{Notify, Semaphore, SemaphorePermit};

use super::reproduce::transmission_xml;
use super::{Engine, EngineError};
use crate::failpoint;
use crate::store::{Attempt, AttemptOutcome, ChangeNote, NextStep, TransmissionRecord};
use crate::transport::backoff::{delay, random_share};
use crate::transport::{Delivery, Receipt, Sending};

/// A transmission as its builder wrote it: its id, the SHA-256 stored with it and its XML.
pub(crate) struct Written {
    pub id: i64,
    pub xml_sha256: String,
    pub xml: String,
}

/// The hand-over from the builder to the sender of `Engine::build_and_send`: the
/// transmissions this process built last, for their first sending — the XML as it was written
/// when the transmission was stored, instead of reading the announcements back and writing it
/// again. It holds the few last ones only, and holds the builder back ([`JustBuilt::room`])
/// while that many wait to be sent: a builder far ahead of the sender only took SQLite's one
/// writer from the sender and the acknowledgements' take-in, and left the sender to write each
/// transmission's XML again from the store. The sender waits for the next one kept
/// ([`JustBuilt::stored`]) until the builder has finished ([`JustBuilt::finish`]).
pub(crate) struct JustBuilt {
    kept: Mutex<VecDeque<Written>>,
    /// One permit per transmission the builder may store before the sender takes one.
    room: Semaphore,
    /// Woken when one is kept, and when the builder finishes.
    stored: Notify,
    finished: AtomicBool,
}

impl Default for JustBuilt {
    fn default() -> Self {
        JustBuilt {
            kept: Mutex::default(),
            room: Semaphore::new(Self::KEPT),
            stored: Notify::new(),
            finished: AtomicBool::new(false),
        }
    }
}

impl JustBuilt {
    /// At most this many are kept, and built ahead of the sender.
    const KEPT: usize = 4;

    /// Waits until fewer than [`Self::KEPT`] built transmissions wait to be sent; the permit
    /// goes with the next one kept ([`Self::keep`]), or back when none is. `None` once the
    /// sender has stopped ([`Self::close`]): nothing is held back then.
    pub(crate) async fn room(&self) -> Option<SemaphorePermit<'_>> {
        self.room.acquire().await.ok()
    }

    /// Keeps `written` for its first sending, with the permit its builder waited for, and
    /// wakes the sender.
    pub(crate) fn keep(&self, written: Written, room: Option<SemaphorePermit<'_>>) {
        if let Some(permit) = room {
            permit.forget();
        }
        {
            let mut kept = self.lock();
            if kept.len() == Self::KEPT {
                kept.pop_front();
                self.room.add_permits(1);
            }
            kept.push_back(written);
        }
        self.stored.notify_one();
    }

    /// Waits until one more is kept or the builder finishes (at once if that happened since
    /// the last wait).
    pub(crate) async fn stored(&self) {
        self.stored.notified().await;
    }

    /// The builder has finished: the sender's next round is its last.
    pub(crate) fn finish(&self) {
        self.finished.store(true, Ordering::Release);
        self.stored.notify_one();
    }

    /// Whether the builder has finished; read before a round, so that what was built until
    /// then is sent by it.
    pub(crate) fn finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// The XML of transmission `id` if it was kept and was written with the SHA-256 stored
    /// with it, `xml_sha256`; no longer kept after.
    fn take(&self, id: i64, xml_sha256: &str) -> Option<String> {
        let mut kept = self.lock();
        let at = kept.iter().position(|w| w.id == id)?;
        let written = kept.remove(at)?;
        self.room.add_permits(1);
        (written.xml_sha256 == xml_sha256).then_some(written.xml)
    }

    /// Forgets those still kept when nothing more was due for this sender (another instance
    /// leased them, or they were stored after its last look): they are sent from the store,
    /// and the builder may go on.
    pub(crate) fn release_unsent(&self) {
        let mut kept = self.lock();
        self.room.add_permits(kept.len());
        kept.clear();
    }

    /// The sender stopped (done or failed): the builder no longer waits for it.
    pub(crate) fn close(&self) {
        self.room.close();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Written>> {
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Engine {
    /// Sends every transmission that is due; returns how many were tried.
    pub async fn send_due(&self) -> Result<usize, EngineError> {
        self.send_due_with(&JustBuilt::default()).await
    }

    /// [`Engine::send_due`], sending those `just_built` holds with the XML they were built with.
    pub(crate) async fn send_due_with(&self, just_built: &JustBuilt) -> Result<usize, EngineError> {
        // Long enough for one attempt; after a crash the transmission is due again once it ends.
        let lease = TimeDelta::from_std(self.transport.attempt_time()).unwrap_or(TimeDelta::MAX);
        let mut tried = 0;
        while let Some(record) = self
            .store
            .lease_due_transmission(self.config.environment, self.clock.now(), lease)
            .await?
        {
            let xml = just_built.take(record.id, &record.xml_sha256);
            self.send_one(record, xml).await?;
            tried += 1;
        }
        Ok(tried)
    }

    /// Sends `leased` with `written`, the XML it was built with, or else with its XML written
    /// again from the store and checked against the SHA-256 stored with it.
    async fn send_one(
        &self,
        leased: TransmissionRecord,
        written: Option<String>,
    ) -> Result<(), EngineError> {
        let note = |cause: String| ChangeNote::new(self.clock.now(), "engine:sender", cause);
        let id = leased.id;
        let found = match written {
            Some(xml) => Ok((leased, xml)),
            None => transmission_xml(&self.store, id).await,
        };
        let (record, xml) = match found {
            Ok(found) => found,
            Err(e @ EngineError::ContentChanged { .. }) => {
                let attempt = Attempt {
                    outcome: AttemptOutcome::Error,
                    receipt_code: None,
                    detail: "the XML written again differs from the stored one".into(),
                };
                let next = NextStep::Failed("content changed since it was stored; not sent".into());
                self.store
                    .record_attempt(id, &attempt, &next, &note(String::new()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn written(id: i64) -> Written {
        Written {
            id,
            xml_sha256: format!("sha-{id}"),
            xml: format!("<xml id=\"{id}\"/>"),
        }
    }

    #[test]
    fn just_built_gives_each_xml_once_and_only_with_its_stored_sha() {
        let kept = JustBuilt::default();
        kept.keep(written(1), None);
        kept.keep(written(2), None);
        assert_eq!(kept.take(1, "sha-1").as_deref(), Some("<xml id=\"1\"/>"));
        assert_eq!(kept.take(1, "sha-1"), None, "given once");
        // Stored with another SHA-256 than it was written with: not sent as kept.
        assert_eq!(kept.take(2, "sha-other"), None);
        assert_eq!(kept.take(2, "sha-2"), None, "no longer kept");
        assert_eq!(kept.take(3, "sha-3"), None, "never kept");
    }

    #[test]
    fn just_built_keeps_the_last_few_only() {
        let kept = JustBuilt::default();
        for id in 1..=6 {
            kept.keep(written(id), None);
        }
        assert_eq!(kept.lock().len(), JustBuilt::KEPT);
        assert_eq!(kept.take(2, "sha-2"), None, "the oldest went");
        assert!(kept.take(6, "sha-6").is_some());
        assert!(kept.take(3, "sha-3").is_some());
    }

    /// Whether the builder would get room at once (a zero timeout polls the wait once).
    async fn room_now(kept: &JustBuilt) -> Option<Option<SemaphorePermit<'_>>> {
        tokio::time::timeout(Duration::ZERO, kept.room()).await.ok()
    }

    #[tokio::test]
    async fn the_builder_waits_while_as_many_as_are_kept_wait_to_be_sent() {
        let kept = JustBuilt::default();
        for id in 0..JustBuilt::KEPT as i64 {
            let room = room_now(&kept).await.expect("room").expect("a permit");
            kept.keep(written(id), Some(room));
        }
        assert!(room_now(&kept).await.is_none(), "full: the builder waits");
        // The sender takes one: room for one more.
        assert!(kept.take(0, "sha-0").is_some());
        let room = room_now(&kept).await.expect("room after a take");
        kept.keep(written(9), room);
        assert!(room_now(&kept).await.is_none());
        // Nothing more was due for this sender: those kept are released.
        kept.release_unsent();
        assert_eq!(kept.lock().len(), 0);
        for _ in 0..JustBuilt::KEPT {
            room_now(&kept)
                .await
                .expect("room")
                .expect("a permit")
                .forget();
        }
        assert!(room_now(&kept).await.is_none());
        // The sender stopped: nothing holds the builder back.
        kept.close();
        assert!(matches!(room_now(&kept).await, Some(None)));
    }

    /// Whether the sender's wait for the next one ends at once.
    async fn woken_now(kept: &JustBuilt) -> bool {
        tokio::time::timeout(Duration::ZERO, kept.stored())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn the_sender_is_woken_by_each_one_kept_and_by_the_finish() {
        let kept = JustBuilt::default();
        assert!(!woken_now(&kept).await, "nothing kept yet");
        kept.keep(written(1), None);
        assert!(woken_now(&kept).await, "one kept");
        assert!(!woken_now(&kept).await, "woken once");
        assert!(!kept.finished());
        kept.finish();
        assert!(kept.finished());
        assert!(woken_now(&kept).await, "the builder finished");
    }
}
