//! Operator tasks: the cases of an acknowledgement that need a person (N. 3302, N. 2211).
//!
//! - N. 3302: the acknowledgement says that the fund already keeps a CI for the AVS number
//!   given; the fund compares the ARC data it sent with that CI and, if it is not the same CI,
//!   requests the opening again with correct data.
//! - N. 2211: for an opening of a CI with key 21, 25, 41, 43, 46, 61 or 63 the ZAS warns that an
//!   RCI or a splitting already took place for the insured person; what to do follows from the
//!   ZAS's instructions (N. 1.322 of the DT).
//!
//! The ZAS's codes for these observations are not public: the two codes here are arcgw's own
//! (docs/directives.md, schemas/README.md), to be replaced by the ZAS's once known.

use std::fmt;

use super::acknowledgement::AcknowledgementEntry;

/// arcgw's own observation code (not the ZAS's): "the fund already keeps a CI for this AVS
/// number" (N. 3302).
pub const OBSERVATION_ACCOUNT_ALREADY_KEPT: u16 = 3302;
/// arcgw's own observation code (not the ZAS's): "an RCI or a splitting already took place for
/// this person" (N. 2211).
pub const OBSERVATION_RCI_OR_SPLITTING_DONE: u16 = 2211;

/// What an operator is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskKind {
    /// N. 3302.
    AccountAlreadyKept,
    /// N. 2211.
    RciOrSplittingDone,
}

impl TaskKind {
    pub const ALL: [TaskKind; 2] = [TaskKind::AccountAlreadyKept, TaskKind::RciOrSplittingDone];

    /// The task an observation asks for, when it asks for one.
    pub fn for_observation(code: u16) -> Option<TaskKind> {
        match code {
            OBSERVATION_ACCOUNT_ALREADY_KEPT => Some(TaskKind::AccountAlreadyKept),
            OBSERVATION_RCI_OR_SPLITTING_DONE => Some(TaskKind::RciOrSplittingDone),
            _ => None,
        }
    }

    /// The tasks an acknowledgement entry asks for, each once, in the order of [`TaskKind`].
    pub fn of_entry(entry: &AcknowledgementEntry) -> Vec<TaskKind> {
        let mut kinds: Vec<TaskKind> = entry
            .observations
            .iter()
            .filter_map(|o| TaskKind::for_observation(o.code))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::AccountAlreadyKept => "n3302_account_already_kept",
            TaskKind::RciOrSplittingDone => "n2211_rci_or_splitting_done",
        }
    }

    pub fn parse(text: &str) -> Option<TaskKind> {
        TaskKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The observation code that asks for it (arcgw's own).
    pub fn observation_code(self) -> u16 {
        match self {
            TaskKind::AccountAlreadyKept => OBSERVATION_ACCOUNT_ALREADY_KEPT,
            TaskKind::RciOrSplittingDone => OBSERVATION_RCI_OR_SPLITTING_DONE,
        }
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            TaskKind::AccountAlreadyKept => "N. 3302: the fund already keeps a CI for this number",
            TaskKind::RciOrSplittingDone => "N. 2211: an RCI or a splitting already took place",
        }
    }

    /// What the rule asks the operator to do, in a clerk's words.
    pub fn what_to_do(self) -> &'static str {
        match self {
            TaskKind::AccountAlreadyKept => {
                "The ZAS says our fund already keeps a CI for this AVS number (N. 3302). \
                 Compare the data of this announcement with that CI. If it is the same CI, \
                 nothing more is needed; if it is not, request the opening of the CI again \
                 with the correct data."
            }
            TaskKind::RciOrSplittingDone => {
                "The ZAS warns that an RCI or a splitting already took place for this person \
                 (N. 2211). Check the CI just opened against that RCI or splitting and take \
                 the measures the ZAS's instructions prescribe (N. 1.322 of the DT)."
            }
        }
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a task is still to be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    Open,
    Closed,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<TaskState> {
        match text {
            "open" => Some(TaskState::Open),
            "closed" => Some(TaskState::Closed),
            _ => None,
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most characters of a closing note.
pub const MAX_NOTE_CHARS: usize = 1000;

/// The note an operator closes a task with: what was found and done. Not blank, at most
/// [`MAX_NOTE_CHARS`] characters, no control characters but line breaks and tabs. Whatever
/// looks like an AVS number is masked (security baseline, draft art. 3: the AVS number is
/// stored in the `persons` table only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskNote(String);

/// Why a note is refused; names the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TaskNoteError {
    #[error("note: required (say what was compared and done)")]
    Blank,
    #[error("note: at most {MAX_NOTE_CHARS} characters, not {0}")]
    TooLong(usize),
    #[error("note: control character U+{0:04X} not allowed")]
    Control(u32),
}

impl TaskNote {
    pub fn new(text: &str) -> Result<TaskNote, TaskNoteError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TaskNoteError::Blank);
        }
        let chars = text.chars().count();
        if chars > MAX_NOTE_CHARS {
            return Err(TaskNoteError::TooLong(chars));
        }
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(TaskNoteError::Control(u32::from(c)));
        }
        Ok(TaskNote(super::avs_mask::mask(text).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_come_from_their_codes() {
        for kind in TaskKind::ALL {
            assert_eq!(TaskKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                TaskKind::for_observation(kind.observation_code()),
                Some(kind)
            );
        }
        assert_eq!(TaskKind::for_observation(112), None);
        assert_eq!(TaskKind::parse("other"), None);
    }

    #[test]
    fn a_note_is_required_bounded_and_masked() {
        assert_eq!(TaskNote::new("  \n "), Err(TaskNoteError::Blank));
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            TaskNote::new(&long),
            Err(TaskNoteError::TooLong(MAX_NOTE_CHARS + 1))
        );
        assert_eq!(TaskNote::new("a\u{7}b"), Err(TaskNoteError::Control(7)));
        let note = TaskNote::new(" same CI as 756.1234.5678.97\nnothing to do ").unwrap();
        assert_eq!(note.as_str(), "same CI as 756.****.****.**\nnothing to do");
    }
}
