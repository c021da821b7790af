//! The deadline scan (N. 3401): every pending announcement is read, a page at a time, its
//! deadline is computed on the ZAS calendar from where it stands, and when that deadline has
//! passed a reminder is raised — once per announcement and rule, whatever instances and
//! restarts do (the store's unique constraint decides). The fund then writes to the ZAS
//! (N. 3402); the reminder is resolved when an acknowledgement moves the announcement on.
//!
//! The same job watches the closing-and-transmission orders (N. 2713): an open PROD order whose
//! ten calendar days have ended gets its reminder, once ([`Engine::scan_closing_orders`]).

use chrono::NaiveDate;

use super::{Engine, EngineError};
use crate::calendar::{CalendarError, ZasCalendar};
use crate::clock::Clock;
use crate::deadlines::{DeadlineRule, OverdueStarts};
use crate::domain::{AnnouncementState, FundNumber};
use crate::store::{DueReminder, PENDING_PAGE, RaisedOrderReminder, Store};

/// The most reminders raised in one transaction: the SQLite writer lock is held that long.
const RAISE_CHUNK: usize = 1000;

/// What one scan did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanOutcome {
    /// Pending announcements read: those whose deadline may have passed and whose reminder is
    /// not raised yet (the store leaves out the others).
    pub scanned: usize,
    /// Reminders raised by this scan (not those raised before, here or by another instance).
    pub raised: usize,
}

impl Engine {
    /// Scans every pending announcement and raises the reminders of the deadlines that have
    /// passed today (Geneva date of the engine's clock).
    pub async fn scan_deadlines(&self) -> Result<ScanOutcome, EngineError> {
        self.scan_deadlines_by_pages_of(PENDING_PAGE).await
    }

    /// [`Engine::scan_deadlines`], reading `page` pending announcements at a time.
    pub async fn scan_deadlines_by_pages_of(&self, page: u32) -> Result<ScanOutcome, EngineError> {
        DeadlineScan {
            store: &self.store,
            clock: self.clock.as_ref(),
            calendar: &self.calendar,
        }
        .run(page)
        .await
    }
}

/// The job name of the deadline scan in the store's ticks.
const SCAN_JOB: &str = "deadline_scan";

impl Engine {
    /// Runs the deadline scan for the current tick (`zas.deadline_scan_interval_secs` of the
    /// clock's time) when no instance has yet: `None` when another instance took this tick.
    pub async fn scan_deadlines_this_tick(&self) -> Result<Option<ScanOutcome>, EngineError> {
        let interval =
            i64::try_from(self.config.deadline_scan_interval_secs.max(1)).unwrap_or(i64::MAX);
        let now = self.clock.now();
        let tick = now.timestamp().div_euclid(interval);
        if !self
            .store
            .take_tick(SCAN_JOB, tick, super::instance_id(), now)
            .await?
        {
            return Ok(None);
        }
        let outcome = self.scan_deadlines().await?;
        self.scan_closing_orders().await?;
        Ok(Some(outcome))
    }

    /// N. 2713: raises the reminder of every open PROD closing order whose ten calendar days
    /// ended before today (the Geneva date of the engine's clock), exactly once per order
    /// whatever scans and instances run; returns those this scan raised.
    pub async fn scan_closing_orders(&self) -> Result<Vec<RaisedOrderReminder>, EngineError> {
        let raised = self
            .store
            .raise_closing_order_reminders(self.clock.today(), self.clock.now())
            .await?;
        for r in &raised {
            tracing::warn!(closing_order_id = r.closing_order_id, fund = %r.fund, due = %r.due_on, "N. 2713 deadline passed: the CI of the closing order is not reported transmitted");
        }
        Ok(raised)
    }
}

/// One deadline scan: what it reads, when, and on which calendar. It needs no ZAS.
pub struct DeadlineScan<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub calendar: &'a ZasCalendar,
}

impl DeadlineScan<'_> {
    /// Scans every pending announcement, `page` at a time, and raises the reminders of the
    /// deadlines that have passed today (the Geneva date of the clock).
    pub async fn run(&self, page: u32) -> Result<ScanOutcome, EngineError> {
        self.run_in(page, RAISE_CHUNK).await
    }

    /// [`DeadlineScan::run`], raising at most `chunk` reminders in one transaction (at least
    /// one), two transactions at a time.
    pub async fn run_in(&self, page: u32, chunk: usize) -> Result<ScanOutcome, EngineError> {
        let chunk = chunk.max(1);
        let today = self.clock.today();
        let overdue = OverdueStarts::on(today, self.calendar)?;
        let mut outcome = ScanOutcome::default();
        let mut after = None;
        loop {
            let pending = self
                .store
                .pending_announcements(after, page, &overdue)
                .await?;
            let mut due_now = Vec::new();
            for announcement in &pending.items {
                outcome.scanned += 1;
                let start = announcement.deadline_start();
                let (rule, due) = match due_date(announcement.state, start, self.calendar) {
                    Ok(Some(deadline)) => deadline,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(announcement_id = announcement.id, %start, error = %e, "deadline not computable; announcement skipped");
                        continue;
                    }
                };
                // N. 3401: from the day after the last working day the fund must write.
                if today > due {
                    due_now.push((
                        DueReminder {
                            announcement_id: announcement.id,
                            rule,
                            due,
                        },
                        announcement.fund,
                    ));
                }
            }
            // Two transactions at a time, each of at most `chunk` reminders: on PostgreSQL
            // each runs on a connection and server process of its own, side by side on the
            // cores; on SQLite the second waits for the one writer while the first holds it.
            for pair in due_now.chunks(2 * chunk) {
                let (first, second) = pair.split_at(pair.len().min(chunk));
                let (a, b) = tokio::try_join!(self.raise(first), self.raise(second))?;
                outcome.raised += a + b;
            }
            match pending.next_after {
                Some(id) => after = Some(id),
                None => break,
            }
        }
        Ok(outcome)
    }

    /// Raises the reminders of `due` in one transaction (nothing when it is empty) and logs
    /// each that is new; how many.
    async fn raise(&self, due: &[(DueReminder, FundNumber)]) -> Result<usize, EngineError> {
        let reminders: Vec<DueReminder> = due.iter().map(|(r, _)| *r).collect();
        let raised = self
            .store
            .raise_reminders(&reminders, self.clock.now())
            .await?;
        // `raised` is a part of `due`, in its order.
        let mut new = raised.iter().peekable();
        for (reminder, fund) in due {
            if new.next_if_eq(&reminder).is_some() {
                tracing::warn!(announcement_id = reminder.announcement_id, %fund, rule = ?reminder.rule, due = %reminder.due, "N. 3401 deadline passed: reminder raised, the fund must write to the ZAS");
            }
        }
        Ok(raised.len())
    }
}

/// The rule and the last working day of the deadline of an announcement in `state` since
/// `start`: the `due` of [`crate::deadlines::next_deadline`], without writing its
/// explanation, so that a scan of many announcements allocates nothing per announcement.
fn due_date(
    state: AnnouncementState,
    start: NaiveDate,
    calendar: &ZasCalendar,
) -> Result<Option<(DeadlineRule, NaiveDate)>, CalendarError> {
    let Some(rule) = DeadlineRule::for_state(state) else {
        return Ok(None);
    };
    Ok(Some((
        rule,
        calendar.add_working_days(start, rule.working_days())?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlines::next_deadline;

    #[test]
    fn the_due_date_is_that_of_next_deadline() {
        let calendar = ZasCalendar::geneva();
        let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2029, 1, 1).unwrap();
        while day < end {
            for state in AnnouncementState::ALL {
                let expected = next_deadline(state, day, &calendar)
                    .unwrap()
                    .map(|d| (d.rule, d.due));
                assert_eq!(due_date(state, day, &calendar).unwrap(), expected, "{day}");
            }
            day = day.succ_opt().unwrap();
        }
    }
}
