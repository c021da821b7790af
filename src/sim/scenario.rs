//! What the simulated ZAS does with each announcement: an [`Outcome`] chosen by the first
//! [`Rule`] that matches (reference prefix and/or key code), else the default.
//!
//! Some outcomes are faults of the whole transmission (`http_500`, `reset`, `slow`,
//! `malformed_ack`, `duplicate_ack`): they apply when any announcement of the transmission
//! matches such a rule, and the announcement itself is then dealt with as `done`. The sedex
//! faults ([`ReceiptFault`], [`InboxFault`]) are faults of the sedex front end: over HTTPS they
//! change nothing; `http_500`, `reset` and `slow` change nothing over sedex.

use std::time::Duration;

pub use super::follow_ups::Notice;
use crate::domain::acknowledgement::{MAX_OBSERVATIONS, MAX_WRONG_FIELDS};
use crate::domain::operator_task::{
    OBSERVATION_ACCOUNT_ALREADY_KEPT, OBSERVATION_RCI_OR_SPLITTING_DONE,
};
use crate::domain::{
    Announcement, DomicileInstruction, FundNumber, KeyCode, Observation, RefusalCode, Transmission,
};

/// The instructions of an `investigate` outcome when the configuration gives none.
pub const DEFAULT_INVESTIGATION: &str = "Please check the personal data against the civil register and write to the ZAS, Ufficio di controllo degli ARC (N. 3402).";

/// A fault of the simulated sedex client's receipts (the sedex front end only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptFault {
    /// `receipt_401`: the first `times` hand-overs of the message id get receipt 401 (OSCI hub
    /// not reachable) and are not delivered; the next one gets 100 and is delivered.
    Unreachable { times: u32 },
    /// `receipt_601`: receipt 601 (sent, not yet received) at once; receipt 100 and delivery to
    /// the ZAS on the front end's next round.
    SentThenReceived,
    /// `receipt_204`, `receipt_310`, `receipt_330`: receipt `status` (message expired, not
    /// allowed to send, message size exceeds limit) to every hand-over; never delivered.
    Refused { status: u16 },
    /// `no_receipt`: taken from the outbox, then neither a receipt nor a delivery.
    Never,
}

/// The receipts a [`ReceiptFault::Refused`] can give.
pub const REFUSED_RECEIPTS: [u16; 3] = [
    super::receipt::EXPIRED,
    super::receipt::UNKNOWN_SENDER,
    super::receipt::TOO_LARGE,
];

/// A faulty message the sedex front end writes into the fund's inbox before the
/// acknowledgement itself (which follows, correct, under its own message id); the sedex front
/// end only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxFault {
    /// `inbox_foreign_sender`: the envelope's senderId is another participant than the ZAS.
    ForeignSender,
    /// `inbox_unknown_type`: the envelope's messageType is not the acknowledgement's.
    UnknownType,
    /// `inbox_without_envelope`: a payload whose envelope never comes.
    WithoutEnvelope,
    /// `inbox_malformed_envelope`: an envelope that is not well-formed XML.
    MalformedEnvelope,
}

impl InboxFault {
    pub fn name(self) -> &'static str {
        match self {
            InboxFault::ForeignSender => "inbox_foreign_sender",
            InboxFault::UnknownType => "inbox_unknown_type",
            InboxFault::WithoutEnvelope => "inbox_without_envelope",
            InboxFault::MalformedEnvelope => "inbox_malformed_envelope",
        }
    }
}

impl ReceiptFault {
    pub fn name(self) -> &'static str {
        match self {
            ReceiptFault::Unreachable { .. } => "receipt_401",
            ReceiptFault::SentThenReceived => "receipt_601",
            ReceiptFault::Refused { status: 204 } => "receipt_204",
            ReceiptFault::Refused { status: 310 } => "receipt_310",
            ReceiptFault::Refused { status: 330 } => "receipt_330",
            ReceiptFault::Refused { .. } => "receipt_refused",
            ReceiptFault::Never => "no_receipt",
        }
    }
}

/// What the simulated ZAS does with an announcement, or with its transmission for the faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Dealt with (code 0) in the acknowledgement issued right after the transmission, with
    /// its results (N. 3203).
    Done,
    /// Still being processed (code 2), and never anything more (15-working-day reminder).
    InProgress,
    /// Code 2 now; code 0 with the results once the simulator's today is on or after
    /// `add_working_days(received day, after_working_days)`.
    InProgressThenDone { after_working_days: u32 },
    /// Code 2 now, and code 2 again (a "new comment", N. 3202) every `every_working_days` ZAS
    /// working days, never done: the 15 working days of N. 3401 still run from the first.
    InProgressRepeated { every_working_days: u32 },
    /// Refused by the central register with a code 1, 3, 4, 6 or 7, up to three observations and
    /// up to three wrong fields.
    Refused {
        code: RefusalCode,
        observations: Vec<Observation>,
        wrong_fields: Vec<u8>,
    },
    /// No acknowledgement ever mentions it (7-working-day reminder).
    Never,
    /// Code 2 with an invitation to investigate and its instructions (N. 3202, 3401).
    Investigate { instructions: String },
    /// Fault: the first `times` POSTs of the message id answer receipt 500 without recording.
    Http500 { times: u32 },
    /// Fault: the first POST is recorded and processed, then the connection is cut unanswered.
    Reset,
    /// Fault: the answer is delayed by `delay` (for the first `times` POSTs of the message id,
    /// or every one when `None`); recorded before the delay only if `record_before_delay`.
    Slow {
        delay: Duration,
        record_before_delay: bool,
        times: Option<u32>,
    },
    /// Fault: the acknowledgement is first issued truncated, then correctly under the next
    /// sequence.
    MalformedAck,
    /// Fault: the same acknowledgement (same message id, same bytes) is issued twice; over
    /// sedex, the same inbox message (same envelope messageId) comes twice.
    DuplicateAck,
    /// sedex fault of the receipts.
    Receipt(ReceiptFault),
    /// sedex fault of the inbox.
    Inbox(InboxFault),
    /// Dealt with, with the observation "the fund already keeps a CI for this number"
    /// (N. 3302; arcgw's own code, [`OBSERVATION_ACCOUNT_ALREADY_KEPT`]).
    AccountAlreadyKept,
    /// Dealt with, with the warning "an RCI or a splitting already took place" (N. 2211;
    /// arcgw's own code, [`OBSERVATION_RCI_OR_SPLITTING_DONE`]).
    RciAlreadyDone,
    /// Dealt with (code 0); then the ZAS sends the announcing fund a CI complement or a
    /// splitting notice about the announcement's person ([`Notice`]; N. 2105, 2602). Over HTTPS
    /// in the feed, over sedex as a message of its own type.
    Notice(Notice),
    /// Dealt with (code 0); then the ZAS sends the announcing fund, which keeps a CI of the
    /// person, a closing-and-transmission order for that person (N. 2707), as if
    /// `ordering_fund` (the fund itself when not given, N. 2709) had ordered an RCI, with this
    /// domicile instruction (N. 2712). Over HTTPS in the feed, over sedex as a message of its
    /// own type. An announcement without an AVS number gets no order.
    ClosingOrder {
        domicile: DomicileInstruction,
        ordering_fund: Option<FundNumber>,
    },
}

impl Outcome {
    /// The configuration name of the outcome.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::InProgress => "in_progress",
            Outcome::InProgressThenDone { .. } => "in_progress_then_done",
            Outcome::InProgressRepeated { .. } => "in_progress_repeated",
            Outcome::Refused { .. } => "refused",
            Outcome::Never => "never",
            Outcome::Investigate { .. } => "investigate",
            Outcome::Http500 { .. } => "http_500",
            Outcome::Reset => "reset",
            Outcome::Slow { .. } => "slow",
            Outcome::MalformedAck => "malformed_ack",
            Outcome::DuplicateAck => "duplicate_ack",
            Outcome::Receipt(fault) => fault.name(),
            Outcome::Inbox(fault) => fault.name(),
            Outcome::AccountAlreadyKept => "account_already_kept",
            Outcome::RciAlreadyDone => "rci_already_done",
            Outcome::Notice(notice) => notice.name(),
            Outcome::ClosingOrder { .. } => "closing_order",
        }
    }

    /// The observation a dealt-with entry carries with this outcome (N. 3302, 2211).
    pub fn observation(&self) -> Option<Observation> {
        let (code, text) = match self {
            Outcome::AccountAlreadyKept => (
                OBSERVATION_ACCOUNT_ALREADY_KEPT,
                "the fund already keeps a CI for this AVS number",
            ),
            Outcome::RciAlreadyDone => (
                OBSERVATION_RCI_OR_SPLITTING_DONE,
                "an RCI or a splitting already took place for this person",
            ),
            _ => return None,
        };
        Some(Observation {
            code,
            text: Some(text.to_string()),
        })
    }

    /// Whether this is a fault of the transmission; its announcement is then dealt with as
    /// [`Outcome::Done`].
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            Outcome::Http500 { .. }
                | Outcome::Reset
                | Outcome::Slow { .. }
                | Outcome::MalformedAck
                | Outcome::DuplicateAck
                | Outcome::Receipt(_)
                | Outcome::Inbox(_)
        )
    }

    /// The outcome for the announcement itself: a fault, and a closing order, a complement or a
    /// notice that follows, count as done.
    pub fn for_announcement(&self) -> &Outcome {
        if let Outcome::Notice(_) = self {
            return &Outcome::Done;
        }
        if self.is_fault() || matches!(self, Outcome::ClosingOrder { .. }) {
            &Outcome::Done
        } else {
            self
        }
    }
}

/// Which announcements a rule applies to: all its conditions must hold; at least one is given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matcher {
    /// The fund's reference starts with this text.
    pub reference_prefix: Option<String>,
    /// The announcement has this key code.
    pub key: Option<KeyCode>,
}

impl Matcher {
    pub fn matches(&self, a: &Announcement) -> bool {
        self.reference_prefix
            .as_deref()
            .is_none_or(|p| a.reference().as_str().starts_with(p))
            && self.key.is_none_or(|k| a.key() == k)
    }
}

/// A rule: announcements it matches get its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub matcher: Matcher,
    pub outcome: Outcome,
}

impl Rule {
    /// Announcements whose reference starts with `prefix`.
    pub fn reference_prefix(prefix: &str, outcome: Outcome) -> Rule {
        Rule {
            matcher: Matcher {
                reference_prefix: Some(prefix.to_string()),
                key: None,
            },
            outcome,
        }
    }

    /// Announcements with key `key`.
    pub fn key(key: KeyCode, outcome: Outcome) -> Rule {
        Rule {
            matcher: Matcher {
                reference_prefix: None,
                key: Some(key),
            },
            outcome,
        }
    }
}

/// A rule or the default that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct ScenarioError {
    /// `rules[2]` or `default`.
    pub at: String,
    pub problem: String,
}

/// The rules and the default, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenarios {
    rules: Vec<Rule>,
    default: Outcome,
}

impl Default for Scenarios {
    /// Every announcement is dealt with (`done`).
    fn default() -> Self {
        Scenarios {
            rules: Vec::new(),
            default: Outcome::Done,
        }
    }
}

/// The faults that apply to one transmission (merged over its announcements' rules).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Faults {
    /// Answer 500 to the first this many POSTs (0: none).
    pub http_500_times: u32,
    pub reset: bool,
    /// The longest delay asked for, whether to record before it, and for how many POSTs.
    pub slow: Option<(Duration, bool, Option<u32>)>,
    pub malformed_ack: bool,
    pub duplicate_ack: bool,
    /// The first receipt fault of the announcements' rules.
    pub receipt: Option<ReceiptFault>,
    /// The first inbox fault of the announcements' rules.
    pub inbox: Option<InboxFault>,
}

impl Faults {
    /// Whether the POST attempts of the message id must be counted.
    pub fn counts_attempts(&self) -> bool {
        self.http_500_times > 0 || matches!(self.slow, Some((_, _, Some(_))))
    }
}

impl Scenarios {
    /// Checks every outcome: a rule has a condition, a prefix is not empty, at most three
    /// observations and wrong fields, texts the DT XML can carry, working days within the
    /// calendar's limit, `times` at least 1.
    pub fn new(rules: Vec<Rule>, default: Outcome) -> Result<Scenarios, ScenarioError> {
        for (i, rule) in rules.iter().enumerate() {
            let at = || format!("rules[{i}]");
            let problem = |problem: &str| ScenarioError {
                at: at(),
                problem: problem.to_string(),
            };
            if rule.matcher.reference_prefix.is_none() && rule.matcher.key.is_none() {
                return Err(problem(
                    "a rule needs reference_prefix or key (the default is set with `default`)",
                ));
            }
            if rule.matcher.reference_prefix.as_deref() == Some("") {
                return Err(problem("reference_prefix is empty"));
            }
            check_outcome(&rule.outcome).map_err(|p| problem(&p))?;
        }
        check_outcome(&default).map_err(|problem| ScenarioError {
            at: "default".into(),
            problem,
        })?;
        Ok(Scenarios { rules, default })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn default_outcome(&self) -> &Outcome {
        &self.default
    }

    /// The outcome of the first rule matching the announcement, else the default.
    pub fn outcome_for(&self, a: &Announcement) -> &Outcome {
        self.rules
            .iter()
            .find(|r| r.matcher.matches(a))
            .map_or(&self.default, |r| &r.outcome)
    }

    /// The faults of a transmission: those of its announcements' outcomes, merged.
    pub(crate) fn faults_for(&self, t: &Transmission) -> Faults {
        let mut faults = Faults::default();
        for a in &t.announcements {
            match self.outcome_for(a) {
                Outcome::Http500 { times } => {
                    faults.http_500_times = faults.http_500_times.max(*times);
                }
                Outcome::Reset => faults.reset = true,
                Outcome::Slow {
                    delay,
                    record_before_delay,
                    times,
                } => {
                    let longer = faults.slow.is_none_or(|(d, _, _)| *delay > d);
                    if longer {
                        faults.slow = Some((*delay, *record_before_delay, *times));
                    }
                }
                Outcome::MalformedAck => faults.malformed_ack = true,
                Outcome::DuplicateAck => faults.duplicate_ack = true,
                Outcome::Receipt(fault) => {
                    faults.receipt.get_or_insert(*fault);
                }
                Outcome::Inbox(fault) => {
                    faults.inbox.get_or_insert(*fault);
                }
                _ => {}
            }
        }
        faults
    }
}

fn check_outcome(outcome: &Outcome) -> Result<(), String> {
    match outcome {
        Outcome::InProgressThenDone { after_working_days }
            if *after_working_days > crate::calendar::MAX_WORKING_DAYS =>
        {
            return Err(format!(
                "after_working_days is at most {}",
                crate::calendar::MAX_WORKING_DAYS
            ));
        }
        Outcome::InProgressRepeated { every_working_days }
            if !(1..=crate::calendar::MAX_WORKING_DAYS).contains(every_working_days) =>
        {
            return Err(format!(
                "every_working_days is between 1 and {}",
                crate::calendar::MAX_WORKING_DAYS
            ));
        }
        Outcome::Refused {
            observations,
            wrong_fields,
            ..
        } => {
            if observations.len() > MAX_OBSERVATIONS {
                return Err(format!("at most {MAX_OBSERVATIONS} observations"));
            }
            if wrong_fields.len() > MAX_WRONG_FIELDS {
                return Err(format!("at most {MAX_WRONG_FIELDS} wrong_fields"));
            }
        }
        Outcome::Investigate { instructions } if instructions.trim().is_empty() => {
            return Err("the instructions of `investigate` are empty".into());
        }
        Outcome::Http500 { times: 0 }
        | Outcome::Slow { times: Some(0), .. }
        | Outcome::Receipt(ReceiptFault::Unreachable { times: 0 }) => {
            return Err("times is at least 1".into());
        }
        Outcome::Receipt(ReceiptFault::Refused { status })
            if !REFUSED_RECEIPTS.contains(status) =>
        {
            return Err(format!(
                "a refused receipt is one of {REFUSED_RECEIPTS:?}, not {status}"
            ));
        }
        _ => {}
    }
    super::acknowledgements::check_writable(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_need_a_condition_and_valid_outcomes() {
        let rule = Rule {
            matcher: Matcher::default(),
            outcome: Outcome::Done,
        };
        let err = Scenarios::new(vec![rule], Outcome::Done).unwrap_err();
        assert_eq!(err.at, "rules[0]");
        let refused = Outcome::Refused {
            code: RefusalCode::new(3).unwrap(),
            observations: vec![
                Observation {
                    code: 1,
                    text: None
                };
                4
            ],
            wrong_fields: vec![],
        };
        let err = Scenarios::new(vec![], refused).unwrap_err();
        assert_eq!(err.to_string(), "default: at most 3 observations");
        let bad_text = Outcome::Investigate {
            instructions: "bell \u{7}".into(),
        };
        let err = Scenarios::new(vec![Rule::reference_prefix("X", bad_text)], Outcome::Done);
        assert!(err.is_err());
        assert!(Scenarios::new(vec![], Outcome::Http500 { times: 0 }).is_err());
        let never_repeated = Outcome::InProgressRepeated {
            every_working_days: 0,
        };
        let err = Scenarios::new(vec![], never_repeated).unwrap_err();
        assert!(err.problem.contains("every_working_days"), "{err}");
        let err = Scenarios::new(
            vec![],
            Outcome::Receipt(ReceiptFault::Refused { status: 100 }),
        )
        .unwrap_err();
        assert!(err.problem.contains("not 100"), "{err}");
        assert!(
            Scenarios::new(
                vec![],
                Outcome::Receipt(ReceiptFault::Unreachable { times: 0 })
            )
            .is_err()
        );
    }

    #[test]
    fn the_operator_task_outcomes_carry_arcgw_s_own_codes() {
        use crate::domain::TaskKind;
        for (outcome, kind) in [
            (Outcome::AccountAlreadyKept, TaskKind::AccountAlreadyKept),
            (Outcome::RciAlreadyDone, TaskKind::RciOrSplittingDone),
        ] {
            let observation = outcome.observation().unwrap();
            assert_eq!(TaskKind::for_observation(observation.code), Some(kind));
            assert!(!outcome.is_fault());
            assert!(Scenarios::new(vec![], outcome).is_ok());
        }
        assert_eq!(Outcome::Done.observation(), None);
    }

    #[test]
    fn the_first_sedex_faults_of_a_transmission_apply() {
        let rules = vec![
            Rule::reference_prefix("R-", Outcome::Receipt(ReceiptFault::Never)),
            Rule::reference_prefix("S-", Outcome::Receipt(ReceiptFault::SentThenReceived)),
            Rule::reference_prefix("I-", Outcome::Inbox(InboxFault::UnknownType)),
        ];
        let scenarios = Scenarios::new(rules, Outcome::Done).unwrap();
        assert_eq!(
            Outcome::Inbox(InboxFault::UnknownType).for_announcement(),
            &Outcome::Done
        );
        assert_eq!(
            Outcome::Receipt(ReceiptFault::Refused { status: 330 }).name(),
            "receipt_330"
        );
        assert!(scenarios.rules().iter().all(|r| r.outcome.is_fault()));
    }
}
