//! The sedex message id as it appears in file names (`envl_<id>.xml`, `data_<id>.<ext>`) and in
//! the eCH-0090 `messageId`.

use std::fmt;

use crate::domain::MessageId;

/// The longest message id arcgw accepts (a UUID has 36 characters).
pub const MAX_LEN: usize = 100;

/// A message id that is safe as part of a file name: 1 to 100 ASCII letters, digits, `-`, `_`
/// and `.`, not starting with `.` (so never `.`, `..` or a hidden name, never a `/`). File names
/// in the interface directory are built only from this type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SedexMessageId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a sedex message id has 1 to {MAX_LEN} letters, digits, '-', '_' and '.', and does not start with '.', not {0:?}"
)]
pub struct SedexMessageIdError(pub String);

impl SedexMessageId {
    pub fn new(text: &str) -> Result<Self, SedexMessageIdError> {
        let ok = (1..=MAX_LEN).contains(&text.len())
            && !text.starts_with('.')
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(SedexMessageId(text.to_string()))
        } else {
            let clipped: String = text.chars().take(MAX_LEN + 1).collect();
            Err(SedexMessageIdError(clipped))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The transmission's message id, when this id is one (arcgw's own ids are).
    pub fn to_message_id(&self) -> Option<MessageId> {
        MessageId::new(&self.0).ok()
    }
}

/// A transmission's message id (1 to 36 letters, digits and `-`) is always a sedex message id:
/// the files of a transmission carry its id on every resend.
impl From<&MessageId> for SedexMessageId {
    fn from(id: &MessageId) -> Self {
        SedexMessageId(id.as_str().to_string())
    }
}

impl From<MessageId> for SedexMessageId {
    fn from(id: MessageId) -> Self {
        SedexMessageId::from(&id)
    }
}

impl fmt::Display for SedexMessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_file_safe_ids() {
        for ok in [
            "0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70",
            "a",
            "msg_1.2",
            "A-b_c.d",
            &"x".repeat(MAX_LEN),
        ] {
            assert_eq!(SedexMessageId::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_anything_that_could_leave_the_folder_or_hide() {
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "../etc",
            "a/b",
            "a\\b",
            "a b",
            "a\0b",
            "é",
            "a:b",
            &"x".repeat(MAX_LEN + 1),
        ] {
            assert!(SedexMessageId::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_transmission_id_converts_and_back() {
        let id = MessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").unwrap();
        let sedex = SedexMessageId::from(&id);
        assert_eq!(sedex.as_str(), id.as_str());
        assert_eq!(sedex.to_message_id(), Some(id));
        assert_eq!(SedexMessageId::new("a_b").unwrap().to_message_id(), None);
    }
}
