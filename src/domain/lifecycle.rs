//! The life of an announcement in the gateway, from submission to the ZAS's last word
//! (ARCHITECTURE.md "State of one announcement"; N. 3201–3203, 3401).
//!
//! ```text
//! queued ──▶ sending ──▶ announced ──▶ in_progress ⟲ ──▶ done | rejected
//!   │           │            │  ▲            │ ▲
//!   ▼           ▼            ▼  └──── investigate ──▶ done | rejected
//! withdrawn   queued (abandoned send)
//! ```
//! `done`, `rejected` and `withdrawn` are final. Whether a change is allowed is decided here, by
//! a pure function; the store refuses every other change.

use std::fmt;
use std::str::FromStr;

/// Where an announcement stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementState {
    /// Accepted from the fund and waiting for a transmission.
    Queued,
    /// Taken into a transmission that is being sent to the ZAS.
    Sending,
    /// The transmission reached the ZAS; no acknowledgement has mentioned it yet (N. 3401: due
    /// within 7 working days).
    Announced,
    /// The last acknowledgement said "still being processed" (processing code 2, N. 3202).
    InProgress,
    /// The ZAS asks the fund to investigate further (N. 3202, 3401).
    Investigate,
    /// Dealt with by the central register (processing code 0, N. 3203).
    Done,
    /// Refused by the central register (processing codes 1, 3, 4, 6, 7).
    Rejected,
    /// Taken back by the fund before it was sent.
    Withdrawn,
}

/// A text that names no announcement state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an announcement state")]
pub struct UnknownState(pub String);

impl AnnouncementState {
    /// Every state, in the order of the life of an announcement.
    pub const ALL: [AnnouncementState; 8] = [
        AnnouncementState::Queued,
        AnnouncementState::Sending,
        AnnouncementState::Announced,
        AnnouncementState::InProgress,
        AnnouncementState::Investigate,
        AnnouncementState::Done,
        AnnouncementState::Rejected,
        AnnouncementState::Withdrawn,
    ];

    /// The snake_case text form, as stored and as shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AnnouncementState::Queued => "queued",
            AnnouncementState::Sending => "sending",
            AnnouncementState::Announced => "announced",
            AnnouncementState::InProgress => "in_progress",
            AnnouncementState::Investigate => "investigate",
            AnnouncementState::Done => "done",
            AnnouncementState::Rejected => "rejected",
            AnnouncementState::Withdrawn => "withdrawn",
        }
    }

    /// No change leads out of a final state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AnnouncementState::Done | AnnouncementState::Rejected | AnnouncementState::Withdrawn
        )
    }

    /// Whether an announcement in this state may change to `to`; see [`transition_allowed`].
    pub fn can_become(self, to: AnnouncementState) -> bool {
        transition_allowed(self, to)
    }

    /// The states from which an announcement may change to `to`.
    pub fn predecessors(to: AnnouncementState) -> impl Iterator<Item = AnnouncementState> {
        Self::ALL
            .into_iter()
            .filter(move |from| transition_allowed(*from, to))
    }
}

/// The allowed changes of state, and only those:
/// - `queued` → `sending` (taken into a transmission) or `withdrawn` (taken back by the fund);
/// - `sending` → `announced` (the ZAS has it) or `queued` (the send was abandoned);
/// - `announced` → `in_progress`, `investigate`, `done` or `rejected` (the first acknowledgement);
/// - `in_progress` → `in_progress` (a later "still being processed", N. 3202), `investigate`,
///   `done` or `rejected`;
/// - `investigate` → `in_progress`, `done` or `rejected`;
/// - `done`, `rejected` and `withdrawn` are final.
pub fn transition_allowed(from: AnnouncementState, to: AnnouncementState) -> bool {
    use AnnouncementState::*;
    match from {
        Queued => matches!(to, Sending | Withdrawn),
        Sending => matches!(to, Announced | Queued),
        Announced => matches!(to, InProgress | Investigate | Done | Rejected),
        InProgress => matches!(to, InProgress | Investigate | Done | Rejected),
        Investigate => matches!(to, InProgress | Done | Rejected),
        Done | Rejected | Withdrawn => false,
    }
}

impl fmt::Display for AnnouncementState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AnnouncementState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::AnnouncementState::*;
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for state in AnnouncementState::ALL {
            assert_eq!(state.as_str().parse::<AnnouncementState>(), Ok(state));
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{}\"", state.as_str())
            );
        }
        assert_eq!(InProgress.as_str(), "in_progress");
        assert!("InProgress".parse::<AnnouncementState>().is_err());
    }

    #[test]
    fn the_allowed_changes() {
        let allowed: Vec<(AnnouncementState, AnnouncementState)> = AnnouncementState::ALL
            .into_iter()
            .flat_map(|a| AnnouncementState::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| transition_allowed(*a, *b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Queued, Sending),
                (Queued, Withdrawn),
                (Sending, Queued),
                (Sending, Announced),
                (Announced, InProgress),
                (Announced, Investigate),
                (Announced, Done),
                (Announced, Rejected),
                (InProgress, InProgress),
                (InProgress, Investigate),
                (InProgress, Done),
                (InProgress, Rejected),
                (Investigate, InProgress),
                (Investigate, Done),
                (Investigate, Rejected),
            ]
        );
    }

    #[test]
    fn final_states_lead_nowhere() {
        for from in AnnouncementState::ALL {
            let leads_somewhere = AnnouncementState::ALL.iter().any(|to| from.can_become(*to));
            assert_eq!(from.is_final(), !leads_somewhere, "{from}");
        }
    }

    #[test]
    fn predecessors() {
        let of = |to| AnnouncementState::predecessors(to).collect::<Vec<_>>();
        assert_eq!(of(Withdrawn), [Queued]);
        assert_eq!(of(Queued), [Sending]);
        assert_eq!(of(Done), [Announced, InProgress, Investigate]);
    }
}
