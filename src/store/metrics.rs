//! Figures for the operators' metrics: announcements by state, and how long the oldest queued
//! one has waited.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::Store;
use super::error::StoreError;
use super::history::state_of;
use super::sql::{SqlBuilder, args};
use crate::domain::AnnouncementState;

impl Store {
    /// The number of announcements in each state; every state is present, zero included.
    /// It counts every announcement (the whole state index); [`Store::counts_in`] reads only
    /// the states asked for.
    pub async fn counts_by_state(&self) -> Result<BTreeMap<AnnouncementState, i64>, StoreError> {
        self.counts_in(&AnnouncementState::ALL).await
    }

    /// The number of announcements in each of `states` (each present, zero included), read
    /// from those states' ranges of the state index only: as cheap as they are few, however
    /// many announcements are in the other states (the end-to-end benchmark polls the states
    /// before `done` this way while everything else is done).
    pub async fn counts_in(
        &self,
        states: &[AnnouncementState],
    ) -> Result<BTreeMap<AnnouncementState, i64>, StoreError> {
        let mut counts: BTreeMap<AnnouncementState, i64> = states.iter().map(|s| (*s, 0)).collect();
        if counts.is_empty() {
            return Ok(counts);
        }
        let mut sql = SqlBuilder::new("SELECT state, COUNT(*) AS n FROM announcements");
        if counts.len() < AnnouncementState::ALL.len() {
            sql.push(" WHERE state IN (")
                .push_list(counts.keys().map(|s| s.as_str()))
                .push(")");
        }
        sql.push(" GROUP BY state");
        let (sql, args) = sql.finish();
        for row in self.fetch_all(sql, args).await? {
            counts.insert(state_of(&row, "state", 0)?, row.int("n")?);
        }
        Ok(counts)
    }

    /// How long the oldest queued announcement has waited since it was submitted, at `now`;
    /// `None` when nothing is queued.
    pub async fn oldest_queued_age(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<TimeDelta>, StoreError> {
        let row = self
            .fetch_one(
                "SELECT MIN(submitted_at) AS oldest FROM announcements WHERE state = 'queued'",
                args![],
            )
            .await?;
        Ok(row.opt_time("oldest")?.map(|oldest| now - oldest))
    }
}
