//! The queue of acknowledgements the simulated ZAS hands out: every issued message under an
//! increasing sequence (from 1), and the entries scheduled for a later day
//! (`in_progress_then_done`, `in_progress_repeated`).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::scenario::{InboxFault, Outcome};
use crate::calendar::ZasCalendar;
use crate::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, FundNumber, KeyCode,
    MessageHeader, MessageId, ParticipantId, Processing, Reference,
};
use crate::dtxml::{DtXmlError, write_acknowledgement};

/// One acknowledgement message as `GET /v1/acknowledgements` hands it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedAcknowledgement {
    pub sequence: u64,
    /// The DT XML document (or, for the `malformed_ack` fault, a truncated one).
    pub xml: String,
}

/// How an acknowledgement goes into the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Issue {
    /// Once, as written.
    Once,
    /// First truncated, then correctly under the next sequence (`malformed_ack`).
    MalformedFirst,
    /// The same bytes twice under two sequences (`duplicate_ack`).
    Twice,
}

/// Whom an acknowledgement goes to and what it answers.
#[derive(Debug, Clone)]
pub(crate) struct Addressee {
    /// The fund's participant id: the transmission's sender.
    pub recipient: ParticipantId,
    /// The transmission the entries answer.
    pub transmission: MessageId,
    /// Mirrors the transmission's `testDeliveryFlag`.
    pub test_delivery: bool,
}

/// What an issued document is: the feed and the inbox carry every kind of the ZAS's messages;
/// over sedex each is a message type of its own.
pub(crate) use crate::dtxml::ZasKind as DocumentKind;

/// One acknowledgement (or other message of the ZAS) document as written, before it is issued.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub kind: DocumentKind,
    /// The DT XML document (or, for the `malformed_ack` fault, a truncated one).
    pub xml: Arc<str>,
    /// The document's messageId; `None` for a truncated document.
    pub message_id: Option<MessageId>,
    /// The transmission it answers.
    pub answers: MessageId,
    /// The sedex front end delivers a faulty inbox message before this one.
    pub inbox_fault: Option<InboxFault>,
}

/// A document issued under its sequence.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub sequence: u64,
    pub document: Document,
}

impl Issued {
    /// As `GET /v1/acknowledgements` hands it out.
    pub fn to_feed(&self) -> IssuedAcknowledgement {
        IssuedAcknowledgement {
            sequence: self.sequence,
            xml: self.document.xml.to_string(),
        }
    }
}

/// An entry to issue on or after `due`.
#[derive(Debug, Clone)]
pub(crate) struct Scheduled {
    pub due: NaiveDate,
    pub to: Addressee,
    pub entry: AcknowledgementEntry,
    /// Issued again this many ZAS working days after each issue (`in_progress_repeated`).
    pub repeat_every: Option<u32>,
}

/// The issued messages and the scheduled entries.
#[derive(Debug)]
pub(crate) struct AckQueue {
    participant_id: ParticipantId,
    issued: Vec<Issued>,
    next_sequence: u64,
    scheduled: Vec<Scheduled>,
}

impl AckQueue {
    pub fn new(participant_id: ParticipantId) -> Self {
        AckQueue {
            participant_id,
            issued: Vec::new(),
            next_sequence: 1,
            scheduled: Vec::new(),
        }
    }

    /// Writes the acknowledgement of `entries` for `to`, as the documents to push (one, or two
    /// for the faults). Fails only when the DT XML writer refuses a value.
    pub fn write(
        &self,
        entries: Vec<AcknowledgementEntry>,
        to: &Addressee,
        now: DateTime<Utc>,
        today: NaiveDate,
        issue: Issue,
    ) -> Result<Vec<Document>, DtXmlError> {
        let message_id = MessageId::new(&uuid::Uuid::new_v4().to_string()).map_err(|e| {
            DtXmlError::Serialise {
                message: e.to_string(),
            }
        })?;
        let acknowledgement = Acknowledgement {
            header: MessageHeader {
                sender_id: self.participant_id.clone(),
                recipient_id: to.recipient.clone(),
                message_id: message_id.clone(),
                reference_message_id: Some(to.transmission.clone()),
                message_date: now.trunc_subsecs(0),
                test_delivery: to.test_delivery,
            },
            acknowledgement_date: today,
            entries,
        };
        let xml: Arc<str> = write_acknowledgement(&acknowledgement)?.into();
        let document = |xml: Arc<str>, message_id: Option<MessageId>| Document {
            kind: DocumentKind::Acknowledgement,
            xml,
            message_id,
            answers: to.transmission.clone(),
            inbox_fault: None,
        };
        let whole = document(xml.clone(), Some(message_id));
        Ok(match issue {
            Issue::Once => vec![whole],
            Issue::Twice => vec![whole.clone(), whole],
            Issue::MalformedFirst => vec![document(truncated(&xml).into(), None), whole],
        })
    }

    /// Issues written documents under the next sequences.
    pub fn push(&mut self, documents: Vec<Document>) {
        for document in documents {
            self.issued.push(Issued {
                sequence: self.next_sequence,
                document,
            });
            self.next_sequence += 1;
        }
    }

    pub fn schedule(&mut self, entries: impl IntoIterator<Item = Scheduled>) {
        self.scheduled.extend(entries);
    }

    /// Issues every scheduled entry due on or before `today`: one acknowledgement per
    /// transmission, in the order the entries were scheduled; an entry that repeats is
    /// scheduled again `repeat_every` working days of `calendar` after today. Returns how many
    /// messages were issued. An entry the writer refuses (cannot happen for checked scenarios)
    /// is dropped with an error log.
    pub fn release_due(
        &mut self,
        now: DateTime<Utc>,
        today: NaiveDate,
        calendar: &ZasCalendar,
    ) -> usize {
        if !self.scheduled.iter().any(|s| s.due <= today) {
            return 0;
        }
        let (due, later): (Vec<Scheduled>, Vec<Scheduled>) = std::mem::take(&mut self.scheduled)
            .into_iter()
            .partition(|s| s.due <= today);
        self.scheduled = later;
        for s in &due {
            let Some(every) = s.repeat_every else {
                continue;
            };
            match calendar.add_working_days(today, every) {
                Ok(next) => self.scheduled.push(Scheduled {
                    due: next,
                    ..s.clone()
                }),
                Err(e) => {
                    tracing::error!(transmission = %s.to.transmission, error = %e, "repeated entry not scheduled again");
                }
            }
        }
        // Grouped by transmission, in order of first appearance.
        let mut order: Vec<MessageId> = Vec::new();
        let mut groups: BTreeMap<MessageId, (Addressee, Vec<AcknowledgementEntry>)> =
            BTreeMap::new();
        for mut s in due {
            // The certificate is issued on the day the entry is.
            if let Some(AcknowledgementResult::Certificate(print)) = &mut s.entry.result {
                print.issue_date = today;
            }
            let group = groups.entry(s.to.transmission.clone()).or_insert_with(|| {
                order.push(s.to.transmission.clone());
                (s.to.clone(), Vec::new())
            });
            group.1.push(s.entry);
        }
        let mut issued = 0;
        for id in order {
            let Some((to, entries)) = groups.remove(&id) else {
                continue;
            };
            let count = entries.len();
            match self.write(entries, &to, now, today, Issue::Once) {
                Ok(documents) => {
                    issued += documents.len();
                    self.push(documents);
                    tracing::info!(transmission = %id, entries = count, "later acknowledgement issued");
                }
                Err(e) => {
                    tracing::error!(transmission = %id, entries = count, error = %e, "acknowledgement not writable, entries dropped");
                }
            }
        }
        issued
    }

    /// Every message with a sequence above `after`, oldest first, at most `limit`.
    pub fn after(&self, after: u64, limit: usize) -> Vec<Issued> {
        let start = self.issued.partition_point(|i| i.sequence <= after);
        self.issued[start..].iter().take(limit).cloned().collect()
    }

    /// The ZAS's participant id: the sender of what it issues.
    pub fn participant_id(&self) -> &ParticipantId {
        &self.participant_id
    }

    pub fn scheduled_count(&self) -> usize {
        self.scheduled.len()
    }
}

/// The first half of a document (cut at a character boundary): not well-formed XML.
pub(crate) fn truncated(xml: &str) -> String {
    let mut cut = xml.len() / 2;
    while !xml.is_char_boundary(cut) {
        cut -= 1;
    }
    xml[..cut].to_string()
}

/// Whether the DT XML writer can carry the texts and numbers of an outcome (observations,
/// wrong fields, instructions): writes a sample acknowledgement with such an entry.
pub(crate) fn check_writable(outcome: &Outcome) -> Result<(), String> {
    let (processing, observations, wrong_fields, investigation) = match outcome {
        Outcome::Refused {
            code,
            observations,
            wrong_fields,
        } => (
            Processing::Refused(*code),
            observations.clone(),
            wrong_fields.clone(),
            None,
        ),
        Outcome::Investigate { instructions } => (
            Processing::InProgress,
            Vec::new(),
            Vec::new(),
            Some(instructions.clone()),
        ),
        _ => return Ok(()),
    };
    let sample = || -> Result<AcknowledgementEntry, String> {
        Ok(AcknowledgementEntry {
            fund: FundNumber::new(1, 0).map_err(|e| e.to_string())?,
            reference: Reference::new("CHECK").map_err(|e| e.to_string())?,
            key: KeyCode::new(11).map_err(|e| e.to_string())?,
            avs_number: None,
            message_id: None,
            processing,
            observations,
            wrong_fields,
            investigation,
            result: None,
        })
    };
    let participant = ParticipantId::new("T6-ZAS-1").map_err(|e| e.to_string())?;
    let to = Addressee {
        recipient: participant.clone(),
        transmission: MessageId::new("check").map_err(|e| e.to_string())?,
        test_delivery: true,
    };
    let now = Utc::now();
    AckQueue::new(participant)
        .write(vec![sample()?], &to, now, now.date_naive(), Issue::Once)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_cuts_at_a_character_boundary() {
        assert_eq!(truncated("abcd"), "ab");
        assert_eq!(truncated("aé"), "a");
    }

    #[test]
    fn pages_start_after_the_sequence_given() {
        let mut q = AckQueue::new(ParticipantId::new("T6-ZAS-1").unwrap());
        let document = |xml: &str| Document {
            kind: DocumentKind::Acknowledgement,
            xml: xml.into(),
            message_id: None,
            answers: MessageId::new("t-1").unwrap(),
            inbox_fault: None,
        };
        q.push(vec![document("a"), document("b"), document("c")]);
        let page = q.after(1, 1);
        assert_eq!(page.len(), 1);
        let feed = page[0].to_feed();
        assert_eq!((feed.sequence, feed.xml.as_str()), (2, "b"));
        assert!(q.after(3, 100).is_empty());
        assert_eq!(q.after(0, 100).len(), 3);
    }
}
