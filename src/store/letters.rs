//! Read-only queries for the letters to the ZAS (N. 3401, 3402): reminders found by fund,
//! rule, day raised and status; and what the letter of a fund and day lists — its pending
//! announcements with their AVS numbers (read from `persons`, the one place they are stored).
//!
//! A reminder's status (open or resolved) is read through [`Store::reminder`], so that it is
//! decided in one place (`reminders.rs`).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::Store;
use super::announcements::{MAX_PAGE, Page};
use super::error::StoreError;
use super::persons::parse_stored;
use super::reminders::{Reminder, ReminderStatus};
use super::sql::{SqlBuilder, args};
use crate::deadlines::DeadlineRule;
use crate::domain::{AvsNumber, FundNumber, KeyCode, Particulars, PersonName, Reference};

/// A pending announcement as a letter lists it. Holds an AVS number: `Debug` hides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterEntry {
    /// The reminder it comes from.
    pub reminder_id: i64,
    pub reference: Reference,
    pub key: KeyCode,
    /// The insured person's; `None` for a certificate key announced without one.
    pub avs_number: Option<AvsNumber>,
    /// The insured person's name as announced, for the keys that carry personal data
    /// (`Surname, NN` without given names, N. 3110); `None` for the others.
    pub name: Option<PersonName>,
    /// N. 3301: the letter refers to this date.
    pub announced_on: NaiveDate,
    pub rule: DeadlineRule,
    /// The day the deadline counted from: the day it was announced, or the date of the first
    /// acknowledgement that said "still being processed" (N. 3401; repeats do not restart it).
    pub pending_since: NaiveDate,
}

/// Which reminders to find: all filters must match; ordered by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderQuery {
    /// Only reminders of these funds (`None`: every fund; an empty list matches nothing).
    pub funds: Option<Vec<FundNumber>>,
    pub rule: Option<DeadlineRule>,
    /// Only those raised on this day (Geneva).
    pub raised_on: Option<NaiveDate>,
    pub status: ReminderStatus,
    /// Only ids after this one: the `next_after` of the previous page.
    pub after_id: Option<i64>,
    /// At most this many, between 1 and [`MAX_PAGE`].
    pub limit: u32,
}

/// The start and end (exclusive) of a Geneva day, in UTC.
pub fn geneva_day(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
        // Switzerland changes its clocks at 02:00 and 03:00: midnight is never skipped.
        chrono_tz::Europe::Zurich
            .from_local_datetime(&midnight)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.to_utc())
    };
    (start(day), start(day.succ_opt().unwrap_or(day)))
}

impl Store {
    /// Finds reminders by fund, rule, day raised and status, a page at a time.
    pub async fn find_reminders(
        &self,
        query: &ReminderQuery,
    ) -> Result<Page<Reminder>, StoreError> {
        let limit = query.limit.clamp(1, MAX_PAGE) as usize;
        let mut items = Vec::new();
        let mut after = query.after_id;
        loop {
            let ids = self.reminder_ids(query, after, limit + 1).await?;
            let last_batch = ids.len() <= limit;
            for id in ids {
                if items.len() == limit {
                    let next_after = items.last().map(|r: &Reminder| r.id);
                    return Ok(Page { items, next_after });
                }
                after = Some(id);
                let reminder = self.reminder(id).await?;
                let status_matches = query.status == ReminderStatus::All || reminder.is_open();
                if status_matches && query.rule.is_none_or(|rule| reminder.rule == rule) {
                    items.push(reminder);
                }
            }
            if last_batch {
                return Ok(Page {
                    items,
                    next_after: None,
                });
            }
        }
    }

    /// The ids of the reminders of `query`'s funds and day after `after`, at most `limit`.
    async fn reminder_ids(
        &self,
        query: &ReminderQuery,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<i64>, StoreError> {
        let mut sql = SqlBuilder::new(
            "SELECT r.id FROM reminders r JOIN announcements a ON a.id = r.announcement_id \
             WHERE 1 = 1",
        );
        if let Some(funds) = &query.funds {
            if funds.is_empty() {
                return Ok(Vec::new());
            }
            sql.push(" AND a.fund IN (")
                .push_list(funds.iter().map(ToString::to_string))
                .push(")");
        }
        if let Some(day) = query.raised_on {
            let (start, end) = geneva_day(day);
            sql.push(" AND r.raised_at >= ")
                .push_arg(start)
                .push(" AND r.raised_at < ")
                .push_arg(end);
        }
        if let Some(after) = after {
            sql.push(" AND r.id > ").push_arg(after);
        }
        sql.push(" ORDER BY r.id LIMIT ")
            .push_arg(i64::try_from(limit).unwrap_or(i64::MAX));
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args)
            .await?
            .iter()
            .map(|row| Ok(row.int("id")?))
            .collect()
    }

    /// What the letter of `fund` and `day` lists (N. 3401): the reminders raised that day
    /// (Geneva) for the fund's announcements that are still open, ordered by id, with the
    /// insured persons' AVS numbers. The caller audits the read.
    pub async fn letter_entries(
        &self,
        fund: FundNumber,
        day: NaiveDate,
    ) -> Result<Vec<LetterEntry>, StoreError> {
        let (start, end) = geneva_day(day);
        let rows = self
            .fetch_all(
                "SELECT r.id, a.person_id, p.avs_number FROM reminders r \
                 JOIN announcements a ON a.id = r.announcement_id \
                 LEFT JOIN persons p ON p.id = a.person_id \
                 WHERE a.fund = $1 AND r.raised_at >= $2 AND r.raised_at < $3 ORDER BY r.id",
                args![fund.to_string(), start, end],
            )
            .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let reminder = self.reminder(row.int("id")?).await?;
            if !reminder.is_open() {
                continue;
            }
            let avs_number = parse_stored(row.opt_text("avs_number")?, row.opt_int("person_id")?)?;
            let pending_since = match reminder.rule {
                DeadlineRule::NotMentioned => None,
                DeadlineRule::StillProcessing => {
                    self.first_in_progress_date(reminder.announcement_id)
                        .await?
                }
            }
            .unwrap_or_else(|| reminder.announced_on());
            let name = match self
                .announcement(reminder.announcement_id)
                .await?
                .announcement
                .announcement
                .particulars()
            {
                Particulars::Certificate { person, .. } => Some(person.name.clone()),
                _ => None,
            };
            entries.push(LetterEntry {
                name,
                reminder_id: reminder.id,
                announced_on: reminder.announced_on(),
                reference: reminder.reference,
                key: reminder.key,
                avs_number,
                rule: reminder.rule,
                pending_since,
            });
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geneva_days_in_winter_summer_and_at_the_changes() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(
            geneva_day(day(1, 15)),
            (utc("2026-01-14T23:00:00Z"), utc("2026-01-15T23:00:00Z"))
        );
        assert_eq!(
            geneva_day(day(7, 1)),
            (utc("2026-06-30T22:00:00Z"), utc("2026-07-01T22:00:00Z"))
        );
        // 29 March 2026 has 23 hours, 25 October 2026 has 25.
        let (s, e) = geneva_day(day(3, 29));
        assert_eq!((e - s).num_hours(), 23);
        let (s, e) = geneva_day(day(10, 25));
        assert_eq!((e - s).num_hours(), 25);
    }
}
