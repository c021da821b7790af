//! Once per tick, whatever the number of instances: the first instance to record a job's tick
//! runs the job for it; the others skip that tick. The primary key on (job, tick) decides.

use chrono::{DateTime, Utc};

use super::Store;
use super::error::StoreError;
use super::sql::args;

/// How many past ticks of a job are kept (a history of who ran what); older ones are removed.
const TICKS_KEPT: i64 = 1000;

impl Store {
    /// Takes tick `tick` of `job` for `instance`: `true` when this call recorded it first (run
    /// the job), `false` when an instance took it already (skip it).
    pub async fn take_tick(
        &self,
        job: &str,
        tick: i64,
        instance: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let taken = tx
            .fetch_optional(
                "INSERT INTO job_ticks (job, tick, instance, taken_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (job, tick) DO NOTHING RETURNING tick",
                args![job, tick, instance, at],
            )
            .await?
            .is_some();
        if taken {
            tx.execute(
                "DELETE FROM job_ticks WHERE job = $1 AND tick < $2",
                args![job, tick - TICKS_KEPT],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(taken)
    }
}
