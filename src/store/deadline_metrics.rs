//! Figures of the deadlines of N. 3401 for the operators' metrics: the announcements overdue
//! (an open reminder) by rule and fund, and since when the oldest pending announcement waits.

use chrono::{DateTime, Utc};

use super::Store;
use super::error::StoreError;
use super::reminders::{LEFT_WATCHED_STATE, rule_of};
use super::sql::{SqlBuilder, args};
use crate::deadlines::DeadlineRule;
use crate::domain::{AnnouncementState, FundNumber};

/// The announcements of one fund overdue under one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverdueCount {
    pub rule: DeadlineRule,
    pub fund: FundNumber,
    pub count: i64,
}

impl Store {
    /// The open reminders (the fund must write to the ZAS, N. 3402) by rule and fund; only the
    /// pairs that occur, ordered by rule and fund.
    pub async fn overdue_counts(&self) -> Result<Vec<OverdueCount>, StoreError> {
        let mut sql = SqlBuilder::new(
            "SELECT r.rule, a.fund, COUNT(*) AS n FROM reminders r \
             JOIN announcements a ON a.id = r.announcement_id WHERE NOT EXISTS (SELECT 1",
        );
        sql.push(LEFT_WATCHED_STATE)
            .push(") GROUP BY r.rule, a.fund ORDER BY r.rule, a.fund");
        let (sql, args) = sql.finish();
        self.fetch_all(sql, args)
            .await?
            .iter()
            .map(|row| {
                let count = row.int("n")?;
                Ok(OverdueCount {
                    rule: rule_of(&row.text("rule")?).ok_or(StoreError::Corrupt {
                        what: "reminder rule",
                        id: None,
                    })?,
                    fund: FundNumber::parse(&row.text("fund")?).map_err(|_| {
                        StoreError::Corrupt {
                            what: "fund number",
                            id: None,
                        }
                    })?,
                    count,
                })
            })
            .collect()
    }

    /// Since when the oldest PROD announcement in `state` (`announced` or `in_progress`:
    /// pending an acknowledgement) has been in it; `None` when none is. (ABN's test data have
    /// no deadline.)
    pub async fn oldest_in_state(
        &self,
        state: AnnouncementState,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = self
            .fetch_one(
                "SELECT MIN(state_since) AS oldest FROM announcements \
                 WHERE state = $1 AND environment = 'prod'",
                args![state.as_str()],
            )
            .await?;
        Ok(row.opt_time("oldest")?)
    }
}
