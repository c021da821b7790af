//! The simulated ZAS that both front ends (the HTTPS routes and the sedex folders) hand their
//! transmissions to: the settings, the clock and the state, reading a transmission against its
//! envelope's message id, taking it in, and issuing what has come due. What the ZAS decides is
//! decided here, once, whichever way a transmission came.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::acknowledgements::Issued;
use super::config::SimConfig;
use super::intake::{Desk, Intake, take_in};
use super::receipt::ReceiptResponse;
use super::scenario::{Faults, Scenarios};
use super::state::SimState;
use crate::calendar::{CalendarError, ZasCalendar};
use crate::clock::Clock;
use crate::domain::{ParticipantId, Transmission};
use crate::dtxml::{ReadLimits, read_transmission};

/// What the front ends share: the settings, the clock, the state.
pub(crate) struct Shared {
    pub clock: Arc<dyn Clock>,
    pub calendar: ZasCalendar,
    pub scenarios: Scenarios,
    pub senders: Option<Vec<ParticipantId>>,
    pub max_body_bytes: usize,
    pub max_entries: usize,
    pub state: Mutex<SimState>,
}

impl Shared {
    /// The ZAS of `config` (its TLS and front end settings are not used here), on `clock`.
    pub fn new(config: &SimConfig, clock: Arc<dyn Clock>) -> Result<Shared, CalendarError> {
        Ok(Shared {
            clock,
            calendar: config.calendar.build()?,
            scenarios: config.scenarios.clone(),
            senders: config.senders.clone(),
            max_body_bytes: config.max_body_bytes,
            max_entries: config.max_entries,
            state: Mutex::new(SimState::new(config.participant_id.clone())),
        })
    }

    /// The state; a panic elsewhere does not make it unusable (every change is made whole).
    pub fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the DT XML `bytes` sent under `message_id` (the `X-Message-Id` header or the
    /// sedex envelope's `messageId`): receipt 200 when the XML is refused or its header's
    /// messageId differs, 310 when its sender is not one of `senders`.
    pub fn read(&self, bytes: &[u8], message_id: &str) -> Result<Transmission, ReceiptResponse> {
        let limits = ReadLimits {
            max_bytes: self.max_body_bytes,
            ..ReadLimits::default()
        };
        let t = read_transmission(bytes, &limits).map_err(|e| {
            tracing::warn!(message_id, error = %e, "transmission refused: unreadable");
            ReceiptResponse::invalid_envelope(message_id, format!("invalid envelope: {e}"))
        })?;
        let id = &t.header.message_id;
        if id.as_str() != message_id {
            tracing::warn!(message_id, xml_message_id = %id, "transmission refused: message ids differ");
            return Err(ReceiptResponse::invalid_envelope(
                message_id,
                format!(
                    "invalid envelope: the envelope says {message_id}, the XML header's messageId is {id}"
                ),
            ));
        }
        if let Some(senders) = &self.senders
            && !senders.contains(&t.header.sender_id)
        {
            tracing::warn!(message_id = %id, sender = %t.header.sender_id, "transmission refused: unknown sender");
            return Err(ReceiptResponse::unknown_sender(
                id.as_str(),
                t.header.sender_id.as_str(),
            ));
        }
        Ok(t)
    }

    /// Takes in `t` (see [`take_in`]).
    pub fn take_in(&self, t: &Transmission, faults: &Faults) -> Intake {
        let desk = Desk {
            scenarios: &self.scenarios,
            calendar: &self.calendar,
            max_entries: self.max_entries,
            now: self.clock.now(),
            today: self.clock.today(),
        };
        take_in(&mut self.lock(), t, &desk, faults)
    }

    /// The receipt of a transmission read and taken in (or not).
    pub fn receipt(&self, t: &Transmission, intake: &Intake) -> ReceiptResponse {
        let id = t.header.message_id.as_str();
        match intake {
            Intake::Accepted => ReceiptResponse::transmitted(id, t.announcements.len()),
            Intake::Duplicate => {
                tracing::info!(message_id = id, "duplicate message id, not processed again");
                ReceiptResponse::duplicate(id)
            }
            Intake::Full => {
                tracing::warn!(message_id = id, "transmission refused: simulator full");
                ReceiptResponse::full(id, self.max_entries)
            }
            Intake::Failed(why) => {
                tracing::error!(message_id = id, error = %why, "transmission not taken in");
                ReceiptResponse::adapter_error(id, format!("adapter error: {why}"))
            }
        }
    }

    /// Issues the scheduled entries come due by the clock, then hands out every message
    /// issued after sequence `after`, oldest first, at most `limit`.
    pub fn issued_after(&self, after: u64, limit: usize) -> Vec<Issued> {
        let (now, today) = (self.clock.now(), self.clock.today());
        let mut state = self.lock();
        state.queue.release_due(now, today, &self.calendar);
        state.queue.after(after, limit)
    }
}
