//! Taking in the ZAS's messages: acknowledgements and closing-and-transmission orders. The
//! ZAS's feed is read from where it was last read; each item is read with the DT XML reader
//! (its root element's namespace says which kind it is, [`read_zas_message`]) and handed to
//! the store: an acknowledgement's entries are matched to announcements and move them to their
//! states (N. 3201–3203); a closing order becomes a work item with its due date (N. 2707,
//! 2713). One that cannot be read is kept for operators; reading the same message twice
//! changes nothing.
//!
//! Over sedex they come as messages of their own ([`Transport::inbound`]), one message type
//! per kind: each is stored once by its message id in one transaction, and only then are its
//! files put away; one that is refused (by the transport's checks of its envelope, or by the
//! DT XML reader) is kept aside with the reason. Neither stops the job.
//!
//! [`Transport::inbound`]: crate::transport::Transport::inbound

use super::{Engine, EngineError};
use crate::digest::sha256_hex;
use crate::domain::ClosingOrder;
use crate::dtxml::{
    ReadLimits, ZasMessage, read_acknowledgement, read_closing_order, read_zas_message,
};
use crate::failpoint;
use crate::store::ChangeNote;
use crate::transport::{InboundKind, Settled};

/// Acknowledgements fetched per request.
const PAGE: u32 = 100;

impl Engine {
    /// The time and actor of what an acknowledgement changes.
    fn acknowledgement_note(&self, ack: &crate::domain::Acknowledgement) -> ChangeNote {
        ChangeNote::new(
            self.clock.now(),
            "engine:acknowledgements",
            format!("acknowledgement {}", ack.header.message_id),
        )
    }

    fn cursor_name(&self) -> String {
        format!("acknowledgements:{}", self.config.environment.as_str())
    }

    /// Takes in a closing order read from the feed (`feed`: cursor and sequence) or the inbox.
    async fn take_in_order(
        &self,
        feed: Option<(&str, i64)>,
        order: &ClosingOrder,
        sha: &str,
    ) -> Result<(), EngineError> {
        let intake = self
            .store
            .take_in_closing_order(self.config.environment, feed, order, sha, self.clock.now())
            .await?;
        tracing::info!(closing_order_id = intake.id, message_id = %order.header.message_id, fund = %order.fund, new = intake.new, "closing-and-transmission order taken in (N. 2707)");
        Ok(())
    }

    /// Reads the feed to its end; returns how many messages (acknowledgements and closing
    /// orders) were taken in.
    pub async fn take_in_acknowledgements(&self) -> Result<usize, EngineError> {
        let cursor = self.cursor_name();
        let environment = self.config.environment;
        let limits = ReadLimits::default();
        let mut taken = 0;
        loop {
            let after = self.store.feed_cursor(&cursor).await?;
            let feed = self.transport.fetch(after, PAGE).await?;
            let items: Vec<_> = feed
                .acknowledgements
                .into_iter()
                .filter(|i| i.sequence > after)
                .collect();
            if items.is_empty() {
                return Ok(taken);
            }
            for item in items {
                let sha = sha256_hex(item.xml.as_bytes());
                match read_zas_message(item.xml.as_bytes(), &limits) {
                    Ok(ZasMessage::ClosingOrder(order)) => {
                        self.take_in_order(Some((&cursor, item.sequence)), &order, &sha)
                            .await?;
                        taken += 1;
                    }
                    Ok(ZasMessage::Acknowledgement(ack)) => {
                        let note = self.acknowledgement_note(&ack);
                        let intake = self
                            .store
                            .take_in_acknowledgement(
                                environment,
                                &cursor,
                                item.sequence,
                                &ack,
                                &sha,
                                &note,
                            )
                            .await?;
                        tracing::info!(sequence = item.sequence, message_id = %ack.header.message_id, new = intake.new, entries = intake.entries, matched = intake.matched, unmatched = intake.unmatched, mismatched = intake.mismatched, tasks = intake.tasks, "acknowledgement taken in");
                        taken += 1;
                    }
                    Err(e) => {
                        tracing::warn!(sequence = item.sequence, error = %e, "message of the feed not readable; kept for operators");
                        self.store
                            .record_unreadable_acknowledgement(
                                environment,
                                &cursor,
                                item.sequence,
                                &e.to_string(),
                                &sha,
                                self.clock.now(),
                            )
                            .await?;
                    }
                }
            }
        }
    }
}

/// The job name of the inbox in the job ticks.
const INBOX_JOB: &str = "inbox";

impl Engine {
    /// [`Engine::take_in_inbound`] once per tick of the poll interval, whatever the number of
    /// instances on the database: two instances never read the same inbox in the same tick,
    /// so neither sees a message half moved by the other (and takes its envelope or payload
    /// for one without its partner). `None` when another instance took this tick.
    pub async fn take_in_inbound_this_tick(&self) -> Result<Option<usize>, EngineError> {
        let interval_ms = self
            .config
            .sedex
            .as_ref()
            .map_or(self.config.poll_interval_ms, |s| s.poll_interval_ms)
            .max(1);
        let now = self.clock.now();
        let tick = now
            .timestamp_millis()
            .div_euclid(i64::try_from(interval_ms).unwrap_or(i64::MAX));
        let job = format!("{INBOX_JOB}:{}", self.config.environment.as_str());
        if !self
            .store
            .take_tick(&job, tick, super::instance_id(), now)
            .await?
        {
            return Ok(None);
        }
        self.take_in_inbound().await.map(Some)
    }

    /// Takes in the messages that came in of their own (sedex inbox) until none is left;
    /// returns how many messages (acknowledgements and closing orders) were taken in.
    pub async fn take_in_inbound(&self) -> Result<usize, EngineError> {
        let limits = ReadLimits::default();
        let mut taken = 0;
        loop {
            let messages = self.transport.inbound(PAGE as usize).await?;
            if messages.is_empty() {
                return Ok(taken);
            }
            for message in messages {
                let read = message.content.and_then(|payload| {
                    let sha = sha256_hex(&payload.xml);
                    let read = match payload.kind {
                        InboundKind::Acknowledgement => read_acknowledgement(&payload.xml, &limits)
                            .map(ZasMessage::Acknowledgement),
                        InboundKind::ClosingOrder => {
                            read_closing_order(&payload.xml, &limits).map(ZasMessage::ClosingOrder)
                        }
                    };
                    read.map(|m| (m, sha)).map_err(|e| format!("payload: {e}"))
                });
                let settled = match read {
                    Ok((ZasMessage::ClosingOrder(order), sha)) => {
                        self.take_in_order(None, &order, &sha).await?;
                        // Stored; a crash here leaves the files, read again next time: a repeat.
                        failpoint::hit(failpoint::AFTER_INBOX_STORE);
                        taken += 1;
                        Settled::TakenIn
                    }
                    Ok((ZasMessage::Acknowledgement(ack), sha)) => {
                        let note = self.acknowledgement_note(&ack);
                        let intake = self
                            .store
                            .take_in_acknowledgement_message(
                                self.config.environment,
                                &ack,
                                &sha,
                                &note,
                            )
                            .await?;
                        tracing::info!(key = %message.key, message_id = %ack.header.message_id, new = intake.new, entries = intake.entries, matched = intake.matched, unmatched = intake.unmatched, "acknowledgement taken in from the inbox");
                        // Stored; a crash here leaves the files, read again next time: a repeat.
                        failpoint::hit(failpoint::AFTER_INBOX_STORE);
                        taken += 1;
                        Settled::TakenIn
                    }
                    Err(reason) => {
                        tracing::warn!(key = %message.key, %reason, "inbox message refused; moved to rejected");
                        Settled::Rejected(reason)
                    }
                };
                self.transport
                    .settle_inbound(&message.key, &settled)
                    .await?;
            }
        }
    }
}
