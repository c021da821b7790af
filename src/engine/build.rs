//! Building transmissions: queued announcements are claimed in batches, written as one DT XML
//! message each, and the transmission is stored with its message id before anything is sent —
//! claim and storing in one transaction, so that each announcement changes once (on SQLite the
//! announcements are picked and the XML written before that transaction, which takes them only
//! if none changed meanwhile: `Store::claim_into_transmission`).
//! N. 3102 (a revocation and a new order for the same person never in one transmission, the
//! revocation first) is kept by the claim itself, which leaves such new orders queued.

use chrono::{SubsecRound, TimeDelta};

use super::send::{JustBuilt, Written};
use super::{Engine, EngineError, Environment};
use crate::digest::sha256_hex;
use crate::domain::{MessageHeader, MessageId, Transmission};
use crate::dtxml::write_transmission;
use crate::store::{ChangeNote, Made, StoredAnnouncement};

/// Claimed announcements left without a transmission this long go back to the queue (the
/// builder claims and stores in one transaction; a claim of [`crate::store::Store::claim_queued`]
/// not followed by a transmission, or one of a version that claimed and stored apart, leaves
/// such).
const ORPHAN_AFTER: TimeDelta = TimeDelta::minutes(5);

impl Engine {
    fn new_header(&self) -> MessageHeader {
        MessageHeader {
            sender_id: self.config.sender_id.clone(),
            recipient_id: self.config.recipient_id.clone(),
            message_id: MessageId::new(&uuid::Uuid::new_v4().to_string())
                .expect("a UUID is a message id"),
            reference_message_id: None,
            // The XML carries whole seconds; the stored header must write the same bytes again.
            message_date: self.clock.now().trunc_subsecs(0),
            test_delivery: self.config.environment == Environment::Abn,
        }
    }

    /// The builder's writing step: the transmission of `claimed` under a new header, as DT XML
    /// with its SHA-256 (what [`crate::store::Store::claim_into_transmission`] stores).
    pub fn write_transmission_of(
        &self,
        claimed: Vec<StoredAnnouncement>,
    ) -> Result<Made<String>, EngineError> {
        let transmission = Transmission {
            header: self.new_header(),
            announcements: claimed.into_iter().map(|c| c.announcement).collect(),
        };
        let xml = write_transmission(&transmission)?;
        Ok(Made {
            header: transmission.header,
            xml_sha256: sha256_hex(xml.as_bytes()),
            made: xml,
        })
    }

    /// Builds transmissions until no queued announcement may go; returns how many were built.
    pub async fn build_all(&self) -> Result<usize, EngineError> {
        self.build_all_then(None).await
    }

    /// Builds and sends at the same time: each transmission is sent as soon as it is stored,
    /// while the next ones are built (a backlog of many batches no longer waits to be built
    /// whole before the first is sent). Each is sent the first time with the XML it was built
    /// with ([`JustBuilt`]), and the builder keeps at most [`JustBuilt`]'s few ahead of the
    /// sender. Returns how many were built and how many tried.
    pub async fn build_and_send(&self) -> (Result<usize, EngineError>, Result<usize, EngineError>) {
        let just_built = JustBuilt::default();
        let build = async {
            let built = self.build_all_then(Some(&just_built)).await;
            just_built.finish();
            built
        };
        let send = async {
            let sent = async {
                let mut tried = 0;
                loop {
                    // Read before sending: what was built until then is sent by this round.
                    let last = just_built.finished();
                    tried += self.send_due_with(&just_built).await?;
                    just_built.release_unsent();
                    if last {
                        return Ok(tried);
                    }
                    just_built.stored().await;
                }
            }
            .await;
            just_built.close();
            sent
        };
        tokio::join!(build, send)
    }

    /// [`Engine::build_all`], keeping each transmission in `just_built` once it is stored
    /// (when given, after waiting for room there). Each is claimed, written and stored in one
    /// transaction ([`crate::store::Store::claim_into_transmission`]).
    async fn build_all_then(&self, just_built: Option<&JustBuilt>) -> Result<usize, EngineError> {
        let mut built = 0;
        loop {
            let room = match just_built {
                Some(just_built) => just_built.room().await,
                None => None,
            };
            let note = ChangeNote::new(
                self.clock.now(),
                "engine:builder",
                "taken into a transmission",
            );
            let Some(stored) = self
                .store
                .claim_into_transmission(
                    self.config.environment,
                    self.config.batch_size,
                    &note,
                    |claimed| self.write_transmission_of(claimed),
                )
                .await?
            else {
                return Ok(built);
            };
            let Made {
                header,
                xml_sha256,
                made: xml,
            } = stored.made;
            tracing::info!(transmission = stored.id, message_id = %header.message_id, announcements = stored.announcements, "transmission built");
            built += 1;
            if let Some(just_built) = just_built {
                let written = Written {
                    id: stored.id,
                    xml_sha256,
                    xml,
                };
                just_built.keep(written, room);
            }
            if stored.announcements < self.config.batch_size as usize {
                return Ok(built);
            }
        }
    }

    /// Returns to the queue the announcements claimed but never stored in a transmission (the
    /// process stopped between the two). Run at start-up and now and then.
    pub async fn recover_orphans(&self) -> Result<usize, EngineError> {
        let note = ChangeNote::new(
            self.clock.now(),
            "engine:builder",
            "returned to the queue: claimed but never put in a transmission",
        );
        let orphans = self
            .store
            .release_orphans(self.clock.now() - ORPHAN_AFTER, &note)
            .await?;
        if !orphans.is_empty() {
            tracing::warn!(
                count = orphans.len(),
                "claimed announcements without a transmission returned to the queue"
            );
        }
        Ok(orphans.len())
    }
}
