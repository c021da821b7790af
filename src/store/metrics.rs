//! Figures for the operators' metrics: announcements by state, and how long the oldest queued
//! one has waited.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::Store;
use super::error::StoreError;
use super::history::state_of;
use super::sql::args;
use crate::domain::AnnouncementState;

impl Store {
    /// The number of announcements in each state; every state is present, zero included.
    pub async fn counts_by_state(&self) -> Result<BTreeMap<AnnouncementState, i64>, StoreError> {
        let mut counts: BTreeMap<AnnouncementState, i64> =
            AnnouncementState::ALL.into_iter().map(|s| (s, 0)).collect();
        let rows = self
            .fetch_all(
                "SELECT state, COUNT(*) AS n FROM announcements GROUP BY state",
                args![],
            )
            .await?;
        for row in rows {
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
