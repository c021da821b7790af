//! Taking in a transmission that passed the envelope checks: the duplicate check, the bound,
//! and the entries each announcement's outcome calls for — issued at once, or scheduled for a
//! later working day.

use chrono::{DateTime, NaiveDate, Utc};

use super::acknowledgements::{Addressee, Issue, Scheduled};
use super::follow_ups::follow_up;
use super::results::{assign_avs_number, entry_avs_number, needs_number, result_for};
use super::scenario::{Faults, Outcome, Scenarios};
use super::state::SimState;
use crate::calendar::ZasCalendar;
use crate::domain::{AcknowledgementEntry, Announcement, MessageId, Processing, Transmission};

/// What the intake needs besides the state.
pub(crate) struct Desk<'a> {
    pub scenarios: &'a Scenarios,
    pub calendar: &'a ZasCalendar,
    pub max_entries: usize,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// What became of a transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Intake {
    /// New message id: recorded, acknowledgements issued or scheduled.
    Accepted,
    /// Received before: not processed again.
    Duplicate,
    /// Taking it would go over the bound: refused, nothing recorded.
    Full,
    /// The entries could not be made (a date beyond the calendar, a value the writer refuses):
    /// nothing recorded.
    Failed(String),
}

/// Takes in `t`; everything is prepared first, so that a failure records nothing.
pub(crate) fn take_in(
    state: &mut SimState,
    t: &Transmission,
    desk: &Desk<'_>,
    faults: &Faults,
) -> Intake {
    let id = &t.header.message_id;
    if state.was_received(id) {
        state.record_duplicate(id);
        return Intake::Duplicate;
    }
    if state.would_exceed(t.announcements.len(), desk.max_entries) {
        return Intake::Full;
    }
    let to = Addressee {
        recipient: t.header.sender_id.clone(),
        transmission: id.clone(),
        test_delivery: t.header.test_delivery,
    };
    let mut now_entries = Vec::new();
    let mut later = Vec::new();
    for a in &t.announcements {
        let outcome = desk.scenarios.outcome_for(a).for_announcement();
        match answer(a, outcome, id, desk) {
            Ok((now, then)) => {
                now_entries.extend(now);
                later.extend(then.map(|(due, entry, repeat_every)| Scheduled {
                    due,
                    to: to.clone(),
                    entry,
                    repeat_every,
                }));
            }
            Err(e) => return Intake::Failed(e),
        }
    }
    let issue = if faults.malformed_ack {
        Issue::MalformedFirst
    } else if faults.duplicate_ack {
        Issue::Twice
    } else {
        Issue::Once
    };
    let entries = now_entries.len();
    let mut documents = if now_entries.is_empty() {
        Vec::new()
    } else {
        match state
            .queue
            .write(now_entries, &to, desk.now, desk.today, issue)
        {
            Ok(documents) => documents,
            Err(e) => return Intake::Failed(format!("cannot write the acknowledgement: {e}")),
        }
    };
    // The faulty inbox message goes before the good document (the last one).
    if let Some(good) = documents.last_mut() {
        good.inbox_fault = faults.inbox;
    }
    // After the acknowledgement, the messages of their own its announcements call for: closing
    // orders (N. 2707), CI complements (N. 2105), splitting notices (N. 2602).
    for a in &t.announcements {
        let outcome = desk.scenarios.outcome_for(a);
        let zas = state.queue.participant_id();
        match follow_up(outcome, a, zas, &to, (desk.now, desk.today)) {
            Ok(Some(document)) => documents.push(document),
            Ok(None) => {}
            Err(e) => {
                return Intake::Failed(format!("cannot write the {}: {e}", outcome.name()));
            }
        }
    }
    state.record(id, t.announcements.len());
    state.queue.push(documents);
    let scheduled = later.len();
    state.queue.schedule(later);
    tracing::info!(
        message_id = %id,
        announcements = t.announcements.len(),
        entries,
        scheduled,
        "transmission accepted"
    );
    Intake::Accepted
}

/// The entry issued now, and the entry scheduled for a later day with its repetition.
type Answer = (
    Option<AcknowledgementEntry>,
    Option<(NaiveDate, AcknowledgementEntry, Option<u32>)>,
);

/// The entry issued now and the entry scheduled for later, for one announcement.
fn answer(
    a: &Announcement,
    outcome: &Outcome,
    transmission: &MessageId,
    desk: &Desk<'_>,
) -> Result<Answer, String> {
    let entry = |processing| AcknowledgementEntry {
        fund: a.fund(),
        reference: a.reference().clone(),
        key: a.key(),
        avs_number: a.avs_number(),
        message_id: Some(transmission.clone()),
        processing,
        observations: Vec::new(),
        wrong_fields: Vec::new(),
        investigation: None,
        result: None,
    };
    let done = |today| {
        let assigned = needs_number(a).then(assign_avs_number);
        let avs_number = entry_avs_number(a, assigned);
        AcknowledgementEntry {
            avs_number,
            result: result_for(a, avs_number, today),
            ..entry(Processing::Done)
        }
    };
    Ok(match outcome {
        Outcome::InProgress => (Some(entry(Processing::InProgress)), None),
        Outcome::InProgressThenDone { after_working_days } => {
            let due = desk
                .calendar
                .add_working_days(desk.today, *after_working_days)
                .map_err(|e| e.to_string())?;
            // The certificate's issue date is set again to the day the entry is issued.
            (
                Some(entry(Processing::InProgress)),
                Some((due, done(due), None)),
            )
        }
        Outcome::InProgressRepeated { every_working_days } => {
            let due = desk
                .calendar
                .add_working_days(desk.today, *every_working_days)
                .map_err(|e| e.to_string())?;
            let again = entry(Processing::InProgress);
            (
                Some(again.clone()),
                Some((due, again, Some(*every_working_days))),
            )
        }
        Outcome::Refused {
            code,
            observations,
            wrong_fields,
        } => (
            Some(AcknowledgementEntry {
                observations: observations.clone(),
                wrong_fields: wrong_fields.clone(),
                ..entry(Processing::Refused(*code))
            }),
            None,
        ),
        Outcome::Never => (None, None),
        Outcome::Investigate { instructions } => (
            Some(AcknowledgementEntry {
                investigation: Some(instructions.clone()),
                ..entry(Processing::InProgress)
            }),
            None,
        ),
        // N. 3302, 2211: dealt with, with the observation.
        Outcome::AccountAlreadyKept | Outcome::RciAlreadyDone => (
            Some(AcknowledgementEntry {
                observations: outcome.observation().into_iter().collect(),
                ..done(desk.today)
            }),
            None,
        ),
        // Done, and the faults (dealt with as done).
        _ => (Some(done(desk.today)), None),
    })
}
