//! The deadlines of pending announcements (N. 3401), counted in ZAS working days:
//! - announced and not yet mentioned in an acknowledgement: due 7 working days after it was
//!   announced;
//! - an acknowledgement said "still being processed": due 15 working days after the date of
//!   the first acknowledgement that said so, unless it is dealt with or the fund is invited to
//!   investigate. A later acknowledgement that says it again, "with a new comment" (N. 3202),
//!   is neither way out and does not restart the count.
//!
//! A deadline is computed from where the announcement stands, never stored as a guess. It has
//! passed once its last working day has ended. Pure: the caller gives the dates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, ZasCalendar};
use crate::domain::{AnnouncementState, Environment};

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
    /// date of the first acknowledgement that said "still being processed".
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

/// Why no deadline of N. 3401 runs for an announcement of `environment` in `state`; `None` when
/// one runs (PROD, `announced` or `in_progress`). Said where the deadline would be shown.
pub fn why_no_deadline(environment: Environment, state: AnnouncementState) -> Option<String> {
    if environment == Environment::Abn {
        return Some(
            "No deadline: ABN is the ZAS's acceptance environment (test data); the deadlines of \
             N. 3401 run only for announcements to PROD, and no reminder, letter or metric \
             follows an ABN announcement"
                .to_string(),
        );
    }
    let why = match state {
        _ if DeadlineRule::for_state(state).is_some() => return None,
        AnnouncementState::Queued | AnnouncementState::Sending => {
            "not announced to the ZAS yet: the 7 working days of N. 3401 start when it is"
        }
        AnnouncementState::Investigate => {
            "the ZAS invited the fund to investigate further (N. 3202, 3401): the fund acts next"
        }
        _ => "the announcement is final: nothing is pending (N. 3401)",
    };
    Some(format!("No deadline in state {state}: {why}"))
}

/// The latest deadline starts that have passed on a day, per rule: an announcement whose
/// deadline started on or before its rule's date is overdue, one that started later is not (a
/// later start never ends earlier). The deadline scan reads only the announcements on or before
/// these dates (N. 3401), so that a scan over a million pending announcements reads the few
/// whose deadlines may have passed, not all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverdueStarts {
    /// Announced on or before this day and never mentioned: the 7 working days have passed.
    pub not_mentioned: NaiveDate,
    /// "Still being processed" by an acknowledgement of this day or before: the 15 working
    /// days have passed.
    pub still_processing: NaiveDate,
}

impl OverdueStarts {
    /// The starts of the deadlines that have passed on `today`.
    pub fn on(today: NaiveDate, calendar: &ZasCalendar) -> Result<Self, CalendarError> {
        Ok(OverdueStarts {
            not_mentioned: latest_overdue_start(DeadlineRule::NotMentioned, today, calendar)?,
            still_processing: latest_overdue_start(DeadlineRule::StillProcessing, today, calendar)?,
        })
    }
}

/// The last day a deadline of `rule` may have started on to have passed on `today`: walks
/// back from yesterday until the deadline's last working day is before today (bounded by the
/// calendar's first date).
fn latest_overdue_start(
    rule: DeadlineRule,
    today: NaiveDate,
    calendar: &ZasCalendar,
) -> Result<NaiveDate, CalendarError> {
    let mut start = today;
    loop {
        start = start
            .pred_opt()
            .ok_or(CalendarError::DateOutOfRange { date: start })?;
        if calendar.add_working_days(start, rule.working_days())? < today {
            return Ok(start);
        }
    }
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

    #[test]
    fn abn_announcements_have_no_deadline_and_say_why() {
        for state in AnnouncementState::ALL {
            let why = why_no_deadline(Environment::Abn, state).unwrap();
            assert!(why.contains("ABN") && why.contains("PROD"), "{why}");
            let pending = DeadlineRule::for_state(state).is_some();
            assert_eq!(why_no_deadline(Environment::Prod, state).is_none(), pending);
        }
    }

    #[test]
    fn overdue_starts_split_passed_from_running_deadlines() {
        let calendar = ZasCalendar::geneva();
        let mut today = day(2026, 1, 1);
        while today < day(2029, 1, 1) {
            let starts = OverdueStarts::on(today, &calendar).unwrap();
            for (rule, last) in [
                (DeadlineRule::NotMentioned, starts.not_mentioned),
                (DeadlineRule::StillProcessing, starts.still_processing),
            ] {
                for back in 0..60 {
                    let start = today - chrono::Days::new(back);
                    let due = calendar
                        .add_working_days(start, rule.working_days())
                        .unwrap();
                    assert_eq!(due < today, start <= last, "{rule:?} {start} on {today}");
                }
            }
            today = today.succ_opt().unwrap();
        }
    }

    #[test]
    fn overdue_starts_over_new_year_and_easter() {
        let calendar = ZasCalendar::geneva();
        // Announced on 22 December 2026: due 5 January, passed on the 6th.
        assert_eq!(
            OverdueStarts::on(day(2027, 1, 6), &calendar)
                .unwrap()
                .not_mentioned,
            day(2026, 12, 22)
        );
        assert!(
            OverdueStarts::on(day(2027, 1, 5), &calendar)
                .unwrap()
                .not_mentioned
                < day(2026, 12, 22)
        );
        // "Still being processed" on 25 March 2027: due 19 April, passed on the 20th; so are
        // those of Good Friday to Easter Monday (26 to 29 March), whose count starts on the
        // same Tuesday.
        let starts = OverdueStarts::on(day(2027, 4, 20), &calendar).unwrap();
        assert_eq!(starts.still_processing, day(2027, 3, 29));
        let starts = OverdueStarts::on(day(2027, 4, 19), &calendar).unwrap();
        assert!(starts.still_processing < day(2027, 3, 25));
    }
}
