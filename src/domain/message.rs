//! Identifiers and header of an XML message exchanged with the ZAS (eCH-0058 header, sedex ids).

use chrono::{DateTime, Utc};
use std::fmt;

/// A message id: 1 to 36 letters, digits and `-` (sedex, eCH-0090). A transmission keeps its
/// message id on every resend, so that the ZAS recognises a repeat.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

/// A sedex participant id such as `T7-066000-1` or `1-066000-1` (`T?[1-9]-[0-9A-Z]+-[0-9]+`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParticipantId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageIdError {
    #[error("a message id has 1 to 36 letters, digits and '-', not {0:?}")]
    MessageId(String),
    #[error("a participant id looks like T7-066000-1 (T?[1-9]-[0-9A-Z]+-[0-9]+), not {0:?}")]
    ParticipantId(String),
}

impl MessageId {
    pub fn new(text: &str) -> Result<Self, MessageIdError> {
        let ok = (1..=36).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(MessageId(text.to_string()))
        } else {
            Err(MessageIdError::MessageId(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ParticipantId {
    pub fn new(text: &str) -> Result<Self, MessageIdError> {
        let bad = || MessageIdError::ParticipantId(text.to_string());
        let rest = text.strip_prefix('T').unwrap_or(text);
        let mut parts = rest.split('-');
        let (Some(domain), Some(id), Some(number), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let ok = domain.len() == 1
            && matches!(domain.as_bytes()[0], b'1'..=b'9')
            && !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(ParticipantId(text.to_string()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `T…` ids belong to the sedex test domain.
    pub fn is_test(&self) -> bool {
        self.0.starts_with('T')
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The header of a message (after eCH-0058).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHeader {
    pub sender_id: ParticipantId,
    pub recipient_id: ParticipantId,
    pub message_id: MessageId,
    /// For an acknowledgement: the transmission it answers, when it answers exactly one.
    pub reference_message_id: Option<MessageId>,
    /// Set on the writer's side to whole seconds; the XML carries no finer time.
    pub message_date: DateTime<Utc>,
    /// `true` for messages of the acceptance environment or tests (eCH-0058 `testDeliveryFlag`).
    pub test_delivery: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids() {
        assert!(MessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").is_ok());
        assert!(MessageId::new("").is_err());
        assert!(MessageId::new(&"a".repeat(37)).is_err());
        assert!(MessageId::new("a_b").is_err());
    }

    #[test]
    fn participant_ids() {
        for ok in ["T7-066000-1", "1-066000-1", "6-ZAS-1", "T3-1A2B-77"] {
            assert!(ParticipantId::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "T0-066000-1",
            "7-066000",
            "7-06a000-1",
            "7--1",
            "X7-1-1",
            "7-1-1-1",
            "77-1-1",
        ] {
            assert!(ParticipantId::new(bad).is_err(), "{bad}");
        }
        assert!(ParticipantId::new("T7-066000-1").unwrap().is_test());
    }
}
