//! The sedex client's side of the fund's inbox: every acknowledgement the simulated ZAS has
//! issued (and those come due by its clock) is written as payload then envelope, each
//! atomically; an inbox fault writes its faulty message first.

use super::super::acknowledgements::{DocumentKind, Issued, truncated};
use super::super::scenario::InboxFault;
use super::config::SedexSimConfig;
use super::{Round, RoundReport};
use crate::sedex::folders::{self, FolderError, MessageFile};
use crate::sedex::{Envelope, MessageClass, SedexMessageId};

/// The most acknowledgements written into the inbox in one round.
pub(crate) const MAX_MESSAGES_PER_ROUND: usize = 1000;

/// How far the inbox is written.
#[derive(Debug, Default)]
pub(super) struct InboxWriter {
    /// The last sequence written.
    written: u64,
    /// The sequence whose faulty message is written and whose good one is not yet.
    fault_written: Option<u64>,
}

/// Why an inbox message was not written (tried again on the next round).
#[derive(Debug, thiserror::Error)]
enum InboxError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("the payload cannot be packed: {0}")]
    Payload(String),
}

/// One inbox message to write.
struct Message<'a> {
    id: SedexMessageId,
    envelope: Option<Vec<u8>>,
    xml: &'a str,
}

impl InboxWriter {
    pub fn round(&mut self, round: &Round<'_>, report: &mut RoundReport) {
        let config = round.config;
        for issued in round
            .shared
            .issued_after(self.written, MAX_MESSAGES_PER_ROUND)
        {
            if let Some(fault) = issued.document.inbox_fault
                && self.fault_written != Some(issued.sequence)
            {
                let faulty = faulty(fault, &issued, round);
                match write(config, &faulty) {
                    Ok(()) => {
                        tracing::warn!(message_id = %faulty.id, fault = fault.name(), "sedex: faulty inbox message written");
                        report.inbox_messages += 1;
                        self.fault_written = Some(issued.sequence);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "sedex: inbox message not written, tried again next round");
                        return;
                    }
                }
            }
            let id = issued
                .document
                .message_id
                .as_ref()
                .map_or_else(fresh_id, SedexMessageId::from);
            // The same message id twice (`duplicate_ack`): the second waits until the fund has
            // taken the first, and the messages after it wait too (they keep their order).
            if in_inbox(config, &id) {
                tracing::debug!(message_id = %id, "sedex: inbox message waits for its namesake to be taken");
                return;
            }
            let envelope = envelope(&issued, id.clone(), round);
            let message = Message {
                id,
                envelope: Some(envelope.to_xml().into_bytes()),
                xml: &issued.document.xml,
            };
            if let Err(e) = write(config, &message) {
                tracing::error!(message_id = %message.id, error = %e, "sedex: inbox message not written, tried again next round");
                return;
            }
            tracing::info!(message_id = %message.id, answers = %issued.document.answers, "sedex: acknowledgement written into the inbox");
            report.inbox_messages += 1;
            self.written = issued.sequence;
            self.fault_written = None;
        }
    }
}

/// The envelope of an acknowledgement: a response (class 1) from the ZAS to the fund, naming
/// the transmission it answers; of a closing-and-transmission order, a CI complement or a
/// splitting notice: a message of its own type (class 0), naming the transmission that brought
/// it about in the simulation.
fn envelope(issued: &Issued, id: SedexMessageId, round: &Round<'_>) -> Envelope {
    let (message_type, message_class) = match issued.document.kind {
        DocumentKind::Acknowledgement => {
            (round.config.acknowledgement_type, MessageClass::Response)
        }
        DocumentKind::ClosingOrder => (round.config.closing_order_type, MessageClass::Message),
        DocumentKind::CiComplement => (round.config.ci_complement_type, MessageClass::Message),
        DocumentKind::SplittingNotice => {
            (round.config.splitting_notice_type, MessageClass::Message)
        }
    };
    Envelope {
        message_id: id,
        message_type,
        message_class,
        reference_message_id: Some(SedexMessageId::from(&issued.document.answers)),
        sender_id: round.zas_id.clone(),
        recipient_ids: vec![round.config.fund_id.clone()],
        event_date: round.now,
        message_date: round.now,
    }
}

/// The faulty message written before the acknowledgement, under a message id of its own.
fn faulty<'a>(fault: InboxFault, issued: &'a Issued, round: &Round<'_>) -> Message<'a> {
    let config = round.config;
    let id = fresh_id();
    let mut envelope = envelope(issued, id.clone(), round);
    let bytes = match fault {
        InboxFault::ForeignSender => {
            envelope.sender_id = config.foreign_sender_id.clone();
            Some(envelope.to_xml())
        }
        InboxFault::UnknownType => {
            envelope.message_type = config.unknown_type;
            Some(envelope.to_xml())
        }
        InboxFault::WithoutEnvelope => None,
        InboxFault::MalformedEnvelope => Some(truncated(&envelope.to_xml())),
    };
    Message {
        id,
        envelope: bytes.map(String::into_bytes),
        xml: &issued.document.xml,
    }
}

/// A message id of the simulator's own (a faulty message, a truncated acknowledgement).
fn fresh_id() -> SedexMessageId {
    SedexMessageId::new(&uuid::Uuid::new_v4().to_string())
        .unwrap_or_else(|_| unreachable!("a UUID is a sedex message id"))
}

/// Whether a file of message `id` is still in the inbox.
fn in_inbox(config: &SedexSimConfig, id: &SedexMessageId) -> bool {
    let inbox = &config.folders.inbox;
    folders::exists(inbox, &MessageFile::envelope(id))
        || folders::exists(inbox, &payload_file(config, id))
}

fn payload_file(config: &SedexSimConfig, id: &SedexMessageId) -> MessageFile {
    let extension = config.inbox_payload.extension();
    MessageFile::payload(id, extension)
        .unwrap_or_else(|| unreachable!("{extension} is a payload extension"))
}

/// Writes the payload, then the envelope (if any), each atomically.
fn write(config: &SedexSimConfig, message: &Message<'_>) -> Result<(), InboxError> {
    let bytes = config
        .inbox_payload
        .pack(message.xml.as_bytes())
        .map_err(|e| InboxError::Payload(e.to_string()))?;
    folders::write_atomically(
        &config.folders.inbox,
        &payload_file(config, &message.id),
        &bytes,
    )?;
    if let Some(envelope) = &message.envelope {
        folders::write_atomically(
            &config.folders.inbox,
            &MessageFile::envelope(&message.id),
            envelope,
        )?;
    }
    Ok(())
}
