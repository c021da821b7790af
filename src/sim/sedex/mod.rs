//! The sedex front end of the simulator: it plays the fund's sedex client *and* the ZAS on the
//! fund's interface directory (SEDEX.md). Each round it
//! 1. delivers the messages that got receipt 601 in the round before (receipt 100 now);
//! 2. takes every complete pair (`envl_<id>.xml` and its `data_<id>.*`) from the fund's
//!    `outbox/`, moves it to `processed/`, writes its receipt into `receipts/` and hands the
//!    payload's DT XML to the same intake as `POST /v1/transmissions` ([`Shared`]);
//! 3. writes the acknowledgements issued since (and those come due by the simulator's clock)
//!    into the fund's `inbox/` as payload + envelope (messageClass 1, referenceMessageId the
//!    transmission's message id, sender the ZAS, recipient the fund).
//!
//! The receipt faults ([`ReceiptFault`](super::ReceiptFault)) and inbox faults
//! ([`InboxFault`](super::InboxFault)) are chosen by the same scenarios as every outcome.
//! Temporary names are never read; files are written through [`crate::sedex::Folders`]
//! (temporary name, fsync, rename).

mod config;
mod handover;
mod inbox;

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};

pub(crate) use config::SedexFile;
pub use config::{
    DEFAULT_ACKNOWLEDGEMENT_TYPE, DEFAULT_FOREIGN_SENDER_ID, DEFAULT_FUND_ID,
    DEFAULT_POLL_INTERVAL, DEFAULT_TRANSMISSION_TYPE, DEFAULT_UNKNOWN_TYPE, SedexSimConfig,
    on_one_interface_directory,
};

use chrono::{DateTime, Utc};

use super::zas::Shared;
use crate::domain::ParticipantId;

/// What one round did (for logs and tests).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundReport {
    /// Pairs taken from the outbox.
    pub taken: usize,
    /// Receipts written.
    pub receipts: usize,
    /// Messages written into the inbox (faulty ones included).
    pub inbox_messages: usize,
}

/// What a round's parts work with: the ZAS, the settings, the ZAS's participant id, the time
/// of the round.
pub(super) struct Round<'a> {
    pub shared: &'a Shared,
    pub config: &'a SedexSimConfig,
    pub zas_id: &'a ParticipantId,
    pub now: DateTime<Utc>,
}

/// The sedex front end: its settings and what it remembers between rounds.
pub(crate) struct SedexDesk {
    shared: Arc<Shared>,
    config: SedexSimConfig,
    /// The ZAS's participant id: recipient of the transmissions, sender of the acknowledgements.
    zas_id: ParticipantId,
    handover: handover::Handover,
    inbox: inbox::InboxWriter,
}

impl SedexDesk {
    pub fn new(shared: Arc<Shared>, config: SedexSimConfig, zas_id: ParticipantId) -> Self {
        SedexDesk {
            shared,
            config,
            zas_id,
            handover: handover::Handover::default(),
            inbox: inbox::InboxWriter::default(),
        }
    }

    /// One round (see the module's description). A folder that cannot be read or written is
    /// logged and tried again on the next round.
    pub fn round(&mut self) -> RoundReport {
        let mut report = RoundReport::default();
        let round = Round {
            shared: &self.shared,
            config: &self.config,
            zas_id: &self.zas_id,
            now: self.shared.clock.now(),
        };
        self.handover.round(&round, &mut report);
        self.inbox.round(&round, &mut report);
        report
    }

    /// Rounds every `poll_interval` until `stop` receives or its sender is dropped.
    pub fn run(mut self, stop: Receiver<()>) {
        tracing::info!(outbox = %self.config.folders.outbox.display(), inbox = %self.config.folders.inbox.display(), "ZAS simulator: sedex front end running");
        loop {
            let report = self.round();
            if report != RoundReport::default() {
                tracing::debug!(?report, "sedex round");
            }
            match stop.recv_timeout(self.config.poll_interval) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        tracing::info!("ZAS simulator: sedex front end stopped");
    }
}

#[cfg(test)]
mod tests;
