//! The deadlines of pending announcements (N. 3401), counted in ZAS working days:
//! - announced and not yet mentioned in an acknowledgement: due 7 working days after it was
//!   announced;
//! - an acknowledgement said "still being processed": due 15 working days after that
//!   acknowledgement's date, unless it is dealt with or the fund is invited to investigate.
//!
//! A deadline is computed from where the announcement stands, never stored as a guess. It has
//! passed once its last working day has ended. Pure: the caller gives the dates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, ZasCalendar};
use crate::domain::AnnouncementState;

/// Which of the two rules of N. 3401 a deadline comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRule {
    /// N. 3401, first indent: no acknowledgement has mentioned the announcement.
    NotMentioned,
    /// N. 3401, second indent: "still being processed" for 15 working days.
    StillProcessing,
}

impl DeadlineRule {
    /// The rule's name, as in JSON: `not_mentioned`, `still_processing`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineRule::NotMentioned => "not_mentioned",
            DeadlineRule::StillProcessing => "still_processing",
        }
    }

    pub fn working_days(self) -> u32 {
        match self {
            DeadlineRule::NotMentioned => 7,
            DeadlineRule::StillProcessing => 15,
        }
    }

    /// The rule for an announcement in `state`, if one runs.
    pub fn for_state(state: AnnouncementState) -> Option<Self> {
        match state {
            AnnouncementState::Announced => Some(DeadlineRule::NotMentioned),
            AnnouncementState::InProgress => Some(DeadlineRule::StillProcessing),
            _ => None,
        }
    }
}

/// The next deadline of a pending announcement, with how it was computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub rule: DeadlineRule,
    /// The day the count runs from (not counted itself): the day it was announced, or the
    /// date of the acknowledgement that said "still being processed".
    pub start: NaiveDate,
    pub working_days: u32,
    /// The last working day of the deadline; from the next day on the fund must write to the
    /// ZAS (N. 3401, 3402).
    pub due: NaiveDate,
    /// The days counted and skipped, in words.
    pub explanation: String,
}

impl Deadline {
    /// Whether the deadline has passed on `today`.
    pub fn has_passed(&self, today: NaiveDate) -> bool {
        today > self.due
    }
}

/// The deadline of an announcement in `state` since `start` (the Swiss date it entered that
/// state, or for `in_progress` the acknowledgement's date); `None` when no deadline runs.
pub fn next_deadline(
    state: AnnouncementState,
    start: NaiveDate,
    calendar: &ZasCalendar,
) -> Result<Option<Deadline>, CalendarError> {
    let Some(rule) = DeadlineRule::for_state(state) else {
        return Ok(None);
    };
    let explanation = calendar.explain_add(start, rule.working_days())?;
    Ok(Some(Deadline {
        rule,
        start,
        working_days: rule.working_days(),
        due: explanation.result,
        explanation: explanation.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn seven_days_after_announcement_over_new_year() {
        let calendar = ZasCalendar::geneva();
        let d = next_deadline(AnnouncementState::Announced, day(2026, 12, 22), &calendar)
            .unwrap()
            .unwrap();
        assert_eq!(
            (d.rule, d.due),
            (DeadlineRule::NotMentioned, day(2027, 1, 5))
        );
        assert!(!d.has_passed(day(2027, 1, 5)));
        assert!(d.has_passed(day(2027, 1, 6)));
        assert!(d.explanation.contains("Christmas"), "{}", d.explanation);
    }

    #[test]
    fn fifteen_days_over_easter() {
        let d = next_deadline(
            AnnouncementState::InProgress,
            day(2027, 3, 25),
            &ZasCalendar::geneva(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (d.rule, d.due),
            (DeadlineRule::StillProcessing, day(2027, 4, 19))
        );
    }

    #[test]
    fn no_deadline_outside_the_pending_states() {
        for state in AnnouncementState::ALL {
            let d = next_deadline(state, day(2027, 3, 25), &ZasCalendar::geneva()).unwrap();
            let pending = matches!(
                state,
                AnnouncementState::Announced | AnnouncementState::InProgress
            );
            assert_eq!(d.is_some(), pending, "{state:?}");
        }
    }
}
