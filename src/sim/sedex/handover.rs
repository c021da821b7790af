//! The sedex client's side of the fund's outbox: complete pairs are taken (the envelope is the
//! sign that the payload before it is complete: the fund writes it last), moved to
//! `processed/`, answered with a receipt in `receipts/`, and delivered to the simulated ZAS —
//! unless a receipt fault says otherwise.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::super::receipt::{
    HUB_UNREACHABLE, INVALID_ENVELOPE, NO_PAYLOAD, ReceiptResponse, SENT, TOO_LARGE,
};
use super::super::scenario::ReceiptFault;
use super::super::zas::Shared;
use super::config::SedexSimConfig;
use super::{Round, RoundReport};
use crate::domain::{ParticipantId, Transmission};
use crate::sedex::folders::{self, FileKind, MessageFile};
use crate::sedex::{Envelope, MessageClass, PayloadFormat, SedexMessageId, SedexReceipt};

/// The most pairs taken from the outbox in one round.
pub(crate) const MAX_PAIRS_PER_ROUND: usize = 1000;

/// What the receipt of a message says about it, copied from its envelope (or, for an envelope
/// that cannot be read, from what the fund's transmissions say: the configured type, class 0,
/// the fund as sender, the ZAS as recipient).
#[derive(Debug, Clone)]
struct About {
    message_id: SedexMessageId,
    message_type: u32,
    message_class: MessageClass,
    sender_id: ParticipantId,
    recipient_id: ParticipantId,
}

/// A message that got receipt 601: delivered, with receipt 100, on the next round.
#[derive(Debug)]
struct Sent {
    transmission: Transmission,
    about: About,
}

/// What the hand-over remembers between rounds.
#[derive(Debug, Default)]
pub(super) struct Handover {
    sent: Vec<Sent>,
}

/// What became of one message taken from the outbox.
enum Verdict {
    /// A receipt and nothing else.
    Receipt(u16, String),
    /// Delivered to the ZAS: its receipt follows from the intake.
    Deliver(Transmission),
    /// Receipt 601 now, delivery on the next round.
    SentFirst(Transmission),
    /// No receipt (`no_receipt`).
    Silent,
}

impl Handover {
    pub fn round(&mut self, round: &Round<'_>, report: &mut RoundReport) {
        let Round {
            shared,
            config,
            zas_id,
            now,
        } = *round;
        for Sent {
            transmission,
            about,
        } in std::mem::take(&mut self.sent)
        {
            let receipt = deliver(shared, &transmission);
            write_receipt(config, &about, receipt, now, report);
        }
        let pairs = match complete_pairs(config) {
            Ok(pairs) => pairs,
            Err(e) => {
                tracing::error!(error = %e, "sedex: the fund's outbox cannot be listed");
                return;
            }
        };
        for (id, files) in pairs.into_iter().take(MAX_PAIRS_PER_ROUND) {
            let (about, verdict) = judge(shared, config, zas_id, &id, &files);
            // Taken: the files move on before the receipt is written and the ZAS has it.
            if let Err(e) =
                folders::move_files(&config.folders.outbox, &config.folders.processed, &files)
            {
                tracing::error!(message_id = %id, error = %e, "sedex: pair not moved to processed, tried again next round");
                continue;
            }
            report.taken += 1;
            let receipt = match verdict {
                Verdict::Receipt(code, info) => Some((code, info)),
                Verdict::Deliver(t) => Some(deliver(shared, &t)),
                Verdict::SentFirst(t) => {
                    self.sent.push(Sent {
                        transmission: t,
                        about: about.clone(),
                    });
                    Some((
                        SENT,
                        "message successfully sent, not yet received by the recipient (simulated)"
                            .into(),
                    ))
                }
                Verdict::Silent => {
                    tracing::warn!(message_id = %id, "sedex: no receipt (no_receipt)");
                    None
                }
            };
            if let Some(receipt) = receipt {
                write_receipt(config, &about, receipt, now, report);
            }
        }
    }
}

/// Hands `t` to the ZAS: the receipt of the intake (100, 201, 500).
fn deliver(shared: &Shared, t: &Transmission) -> (u16, String) {
    let faults = shared.scenarios.faults_for(t);
    let intake = shared.take_in(t, &faults);
    receipt_of(shared.receipt(t, &intake))
}

fn receipt_of(r: ReceiptResponse) -> (u16, String) {
    (r.receipt.status, r.receipt.description)
}

/// The messages of the outbox whose envelope is there, with all their files (an envelope
/// without payload too: it gets receipt 202), in the order of their ids. A payload without
/// envelope is not taken: the fund has not finished the message.
fn complete_pairs(
    config: &SedexSimConfig,
) -> Result<BTreeMap<SedexMessageId, Vec<MessageFile>>, folders::FolderError> {
    let mut messages: BTreeMap<SedexMessageId, Vec<MessageFile>> = BTreeMap::new();
    for file in folders::list(&config.folders.outbox)? {
        messages.entry(file.id.clone()).or_default().push(file);
    }
    messages.retain(|_, files| files.iter().any(|f| f.kind == FileKind::Envelope));
    Ok(messages)
}

/// Reads the envelope and the payload and decides the receipt.
fn judge(
    shared: &Shared,
    config: &SedexSimConfig,
    zas_id: &ParticipantId,
    id: &SedexMessageId,
    files: &[MessageFile],
) -> (About, Verdict) {
    let mut about = About {
        message_id: id.clone(),
        message_type: config.transmission_type,
        message_class: MessageClass::Message,
        sender_id: config.fund_id.clone(),
        recipient_id: zas_id.clone(),
    };
    let refuse = |code: u16, info: String| {
        tracing::warn!(message_id = %id, code, info, "sedex: message refused");
        Verdict::Receipt(code, info)
    };
    let envelope = folders::read_bounded(
        &config.folders.outbox,
        &MessageFile::envelope(id),
        crate::sedex::MAX_DOCUMENT_BYTES as u64,
    )
    .map_err(|e| e.to_string())
    .and_then(|bytes| Envelope::read(&bytes).map_err(|e| e.to_string()));
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(e) => {
            return (
                about,
                refuse(INVALID_ENVELOPE, format!("invalid envelope: {e}")),
            );
        }
    };
    about.message_type = envelope.message_type;
    about.message_class = envelope.message_class;
    about.sender_id = envelope.sender_id.clone();
    if envelope.message_id != *id {
        let info = format!(
            "invalid envelope: the file is named for {id}, its messageId is {}",
            envelope.message_id
        );
        return (about, refuse(INVALID_ENVELOPE, info));
    }
    // sedex 300, 301, 303, 304: the routing the client checks.
    if envelope.sender_id != config.fund_id {
        let info = format!("unknown sender id {}", envelope.sender_id);
        return (about, refuse(300, info));
    }
    if !envelope.recipient_ids.contains(zas_id) {
        let info = format!("unknown recipient id: the ZAS is {zas_id}");
        return (about, refuse(301, info));
    }
    if envelope.message_type != config.transmission_type {
        let info = format!(
            "invalid message type {}: the transmission's is {}",
            envelope.message_type, config.transmission_type
        );
        return (about, refuse(303, info));
    }
    if envelope.message_class != MessageClass::Message {
        let info = format!(
            "invalid message class {}: a transmission is a message (0)",
            envelope.message_class.code()
        );
        return (about, refuse(304, info));
    }
    let Some(data) = files
        .iter()
        .find(|f| matches!(f.kind, FileKind::Payload { .. }))
    else {
        return (about, refuse(NO_PAYLOAD, "no payload found".into()));
    };
    let xml = match read_payload(config, data, shared.max_body_bytes) {
        Ok(xml) => xml,
        Err(PayloadProblem::TooLarge(limit)) => {
            let info = format!("message size exceeds limit: more than {limit} bytes");
            return (about, refuse(TOO_LARGE, info));
        }
        Err(PayloadProblem::Unreadable(e)) => {
            return (
                about,
                refuse(INVALID_ENVELOPE, format!("invalid payload: {e}")),
            );
        }
    };
    let t = match shared.read(&xml, id.as_str()) {
        Ok(t) => t,
        Err(r) => {
            let (code, info) = receipt_of(r);
            return (about, Verdict::Receipt(code, info));
        }
    };
    let verdict = match shared.scenarios.faults_for(&t).receipt {
        None => Verdict::Deliver(t),
        Some(ReceiptFault::Unreachable { times }) => {
            let message_id = &t.header.message_id;
            match shared.lock().count_attempt(message_id, shared.max_entries) {
                Some(n) if n <= times => {
                    let info =
                        format!("OSCI hub not reachable (simulated, sending {n} of {times})");
                    refuse(HUB_UNREACHABLE, info)
                }
                Some(_) => Verdict::Deliver(t),
                None => receipt_of(ReceiptResponse::full(
                    message_id.as_str(),
                    shared.max_entries,
                ))
                .into(),
            }
        }
        Some(ReceiptFault::SentThenReceived) => Verdict::SentFirst(t),
        Some(ReceiptFault::Refused { status }) => refuse(
            status,
            format!("{} (simulated)", crate::sedex::receipt::meaning(status)),
        ),
        Some(ReceiptFault::Never) => Verdict::Silent,
    };
    (about, verdict)
}

enum PayloadProblem {
    /// More than this many bytes of XML.
    TooLarge(usize),
    Unreadable(String),
}

/// The XML of a payload file (bare or zipped), at most `limit` bytes of it.
fn read_payload(
    config: &SedexSimConfig,
    data: &MessageFile,
    limit: usize,
) -> Result<Vec<u8>, PayloadProblem> {
    let FileKind::Payload { extension } = &data.kind else {
        return Err(PayloadProblem::Unreadable("not a payload file".into()));
    };
    let format = PayloadFormat::from_extension(extension).ok_or_else(|| {
        PayloadProblem::Unreadable(format!("data_*.{extension}: neither .xml nor .zip"))
    })?;
    // A ZIP of a small document can be larger than the document: the file may exceed the
    // limit by the archive's overhead.
    let file_limit = u64::try_from(limit)
        .unwrap_or(u64::MAX)
        .saturating_add(ZIP_OVERHEAD);
    let bytes =
        folders::read_bounded(&config.folders.outbox, data, file_limit).map_err(|e| match e {
            folders::FolderError::TooLarge { .. } => PayloadProblem::TooLarge(limit),
            e => PayloadProblem::Unreadable(e.to_string()),
        })?;
    format.unpack(&bytes, limit).map_err(|e| match e {
        crate::sedex::PayloadError::TooLarge { limit } => PayloadProblem::TooLarge(limit),
        e => PayloadProblem::Unreadable(e.to_string()),
    })
}

/// What a ZIP of one file adds at most to its content (headers, central directory, a name).
const ZIP_OVERHEAD: u64 = 64 * 1024;

impl From<(u16, String)> for Verdict {
    fn from((code, info): (u16, String)) -> Self {
        Verdict::Receipt(code, info)
    }
}

/// Writes the receipt of `about` into `receipts/`; a failure is logged (the fund's receipt
/// timeout then sees it missing, as with a real client that lost one).
fn write_receipt(
    config: &SedexSimConfig,
    about: &About,
    (status_code, status_info): (u16, String),
    now: DateTime<Utc>,
    report: &mut RoundReport,
) {
    let receipt = SedexReceipt {
        event_date: now,
        status_code,
        status_info,
        message_id: about.message_id.clone(),
        message_type: about.message_type,
        message_class: about.message_class,
        sender_id: about.sender_id.clone(),
        recipient_id: about.recipient_id.clone(),
    };
    let written = folders::write_named_atomically(
        &config.folders.receipts,
        &receipt_name(&config.folders.receipts, &about.message_id),
        receipt.to_xml().as_bytes(),
    );
    match written {
        Ok(_) => {
            report.receipts += 1;
            tracing::info!(message_id = %about.message_id, status_code, "sedex: receipt written");
        }
        Err(e) => {
            tracing::error!(message_id = %about.message_id, status_code, error = %e, "sedex: receipt not written");
        }
    }
}

/// The receipt's file name, as the sedex client gives it: `receipt_<id>.xml`; when a receipt of
/// the same message is still there (601, then 100), `receipt_<id>_<32 hex digits>.xml`, so that
/// nothing is overwritten. A reader matches a receipt by the messageId inside, not its name.
fn receipt_name(receipts: &std::path::Path, id: &SedexMessageId) -> String {
    let name = format!("receipt_{id}.xml");
    if std::fs::symlink_metadata(receipts.join(&name)).is_err() {
        return name;
    }
    format!("receipt_{id}_{}.xml", uuid::Uuid::new_v4().simple())
}
