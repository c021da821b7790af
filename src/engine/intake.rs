//! Taking in the ZAS's messages: acknowledgements, closing-and-transmission orders, CI
//! complements and splitting notices. The ZAS's feed is read from where it was last read; each
//! item is read with the DT XML reader (its root element's namespace says which kind it is,
//! [`read_zas_message`]) and handed to the store: an acknowledgement's entries are matched to
//! announcements and move them to their states (N. 3201–3203); a closing order becomes a work
//! item with its due date (N. 2707, 2713); a CI complement (N. 2105) and a splitting notice
//! (N. 2602) are kept for the fund's system. One that cannot be read is kept for operators;
//! reading the same message twice changes nothing.
//!
//! Over sedex they come as messages of their own ([`Transport::inbound`]), one message type
//! per kind: each is stored once by its message id in one transaction, and only then are its
//! files put away; one that is refused (by the transport's checks of its envelope, or by the
//! DT XML reader) is kept aside with the reason. Neither stops the job.
//!
//! [`Transport::inbound`]: crate::transport::Transport::inbound

use super::reading::{Read, Reading};
use super::{Engine, EngineError};
use crate::dtxml::{ReadLimits, ZasMessage, read_zas_message};
use crate::failpoint;
use crate::store::{Arrival, ChangeNote};
use crate::transport::Settled;

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

    /// Takes in a message of the ZAS read from the feed (`feed`: cursor and sequence) or the
    /// inbox (`key`: its inbox key), each kind into its store, once by message id.
    async fn take_in_message(
        &self,
        feed: Option<(&str, i64)>,
        key: Option<&str>,
        message: &ZasMessage,
        sha: &str,
    ) -> Result<(), EngineError> {
        let environment = self.config.environment;
        let now = self.clock.now();
        let store = &self.store;
        let arrival = Arrival {
            environment,
            feed,
            xml_sha256: sha,
            received_at: now,
        };
        match message {
            ZasMessage::Acknowledgement(ack) => {
                let note = self.acknowledgement_note(ack);
                let intake = match feed {
                    Some((cursor, sequence)) => {
                        store
                            .take_in_acknowledgement(environment, cursor, sequence, ack, sha, &note)
                            .await?
                    }
                    None => {
                        store
                            .take_in_acknowledgement_message(environment, ack, sha, &note)
                            .await?
                    }
                };
                tracing::info!(sequence = feed.map(|f| f.1), key, message_id = %ack.header.message_id, new = intake.new, entries = intake.entries, matched = intake.matched, unmatched = intake.unmatched, mismatched = intake.mismatched, tasks = intake.tasks, "acknowledgement taken in");
            }
            ZasMessage::ClosingOrder(order) => {
                let intake = store
                    .take_in_closing_order(environment, feed, order, sha, now)
                    .await?;
                tracing::info!(closing_order_id = intake.id, message_id = %order.header.message_id, fund = %order.fund, new = intake.new, "closing-and-transmission order taken in (N. 2707)");
            }
            ZasMessage::CiComplement(complement) => {
                let intake = store.take_in_ci_complement(arrival, complement).await?;
                tracing::info!(ci_complement_id = intake.id, message_id = %complement.header.message_id, fund = %complement.fund, new = intake.new, "CI complement taken in (N. 2105)");
            }
            ZasMessage::SplittingNotice(notice) => {
                let intake = store.take_in_splitting_notice(arrival, notice).await?;
                tracing::info!(splitting_notice_id = intake.id, message_id = %notice.header.message_id, fund = %notice.fund, new = intake.new, "splitting notice taken in (N. 2602)");
            }
        }
        Ok(())
    }

    /// Reads the feed to its end; returns how many of the ZAS's messages were taken in.
    pub async fn take_in_acknowledgements(&self) -> Result<usize, EngineError> {
        let cursor = self.cursor_name();
        let environment = self.config.environment;
        let limits = ReadLimits::default();
        let mut taken = 0;
        loop {
            let after = self.store.feed_cursor(&cursor).await?;
            let feed = self.transport.fetch(after, PAGE).await?;
            let mut readings = feed
                .acknowledgements
                .into_iter()
                .filter(|i| i.sequence > after)
                .map(|item| {
                    let read = move |xml: &[u8]| read_zas_message(xml, &limits);
                    (item.sequence, Reading::start(item.xml.into_bytes(), read))
                });
            let mut next = readings.next();
            if next.is_none() {
                return Ok(taken);
            }
            while let Some((sequence, reading)) = next {
                let Read { sha, message } = reading.finish().await;
                // The next one is read while this one is taken in.
                next = readings.next();
                match message {
                    Ok(message) => {
                        self.take_in_message(Some((&cursor, sequence)), None, &message, &sha)
                            .await?;
                        taken += 1;
                    }
                    Err(e) => {
                        tracing::warn!(sequence, error = %e, "message of the feed not readable; kept for operators");
                        self.store
                            .record_unreadable_acknowledgement(
                                environment,
                                &cursor,
                                sequence,
                                &e,
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
    /// returns how many of the ZAS's messages were taken in.
    pub async fn take_in_inbound(&self) -> Result<usize, EngineError> {
        let limits = ReadLimits::default();
        let mut taken = 0;
        loop {
            let messages = self.transport.inbound(PAGE as usize).await?;
            if messages.is_empty() {
                return Ok(taken);
            }
            let mut readings = messages.into_iter().map(|message| {
                let reading = message.content.map(|payload| {
                    let read = move |xml: &[u8]| payload.kind.read(xml, &limits);
                    Reading::start(payload.xml, read)
                });
                (message.key, reading)
            });
            let mut next = readings.next();
            while let Some((key, reading)) = next {
                let read = match reading {
                    Ok(reading) => {
                        let Read { sha, message } = reading.finish().await;
                        message
                            .map(|m| (m, sha))
                            .map_err(|e| format!("payload: {e}"))
                    }
                    Err(refused) => Err(refused),
                };
                // The next one is read while this one is taken in.
                next = readings.next();
                let settled = match read {
                    Ok((zas_message, sha)) => {
                        self.take_in_message(None, Some(&key), &zas_message, &sha)
                            .await?;
                        // Stored; a crash here leaves the files, read again next time: a repeat.
                        failpoint::hit(failpoint::AFTER_INBOX_STORE);
                        taken += 1;
                        Settled::TakenIn
                    }
                    Err(reason) => {
                        tracing::warn!(key = %key, %reason, "inbox message refused; moved to rejected");
                        Settled::Rejected(reason)
                    }
                };
                self.transport.settle_inbound(&key, &settled).await?;
            }
        }
    }
}
