//! Purge of persons' data (security baseline, draft annex 2.7: media hold no AVS number once it is
//! no longer needed, and none can be reconstructed).
//!
//! An announcement closed (done, rejected, withdrawn: [`AnnouncementState::is_final`]) longer
//! than the retention period keeps its heading (fund, reference, key), state, history and
//! transmission, and loses every person's data: its person references, its particulars (names,
//! birth dates; replaced by `{}`), and in the acknowledgement entries about it the person
//! reference, the result and the free texts. Entries that matched no announcement lose the same
//! once their acknowledgement is older than the retention period. A person row whose number no
//! remaining row refers to is deleted — on SQLite with `secure_delete` on, then `VACUUM` and a
//! truncating WAL checkpoint, so that the bytes leave the file and its log. On PostgreSQL the
//! rows are deleted and the tables vacuumed; the server's own files, WAL archive and backups
//! need the operator's disposal procedure (docs/operations.md "Purge").
//!
//! The purge never removes what the directives still need (ARCHITECTURE.md
//! "Decisions"): the splitting orders (95, 96) and the confirmations that came with them are
//! kept until late entries are no longer possible (N. 2606), which the gateway cannot know, so
//! the purge keeps them; a transmitted announcement keeps its data at least [`RetentionYears`]
//! after it closed, so that the fund can produce it on paper on request (N. 3403).
//!
//! The audit records the purge with counts, never a number.

use std::collections::BTreeSet;

use chrono::{DateTime, Months, TimeDelta, Utc};

use super::Store;
use super::ack_codec::StoredDetails;
use super::announcements::{AnnouncementSummary, decode_summary};
use super::audit::{AuditOutcome, NewAuditEvent, insert_audit};
use super::error::StoreError;
use super::history::{HistoryEntry, read_history};
use super::sql::{SqlBuilder, Tx, args};
use crate::domain::AnnouncementState;

/// What one purge did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PurgeReport {
    /// Announcements whose persons' data were removed.
    pub announcements: u64,
    /// Acknowledgement entries whose persons' data were removed.
    pub entries: u64,
    /// Person rows (AVS numbers) deleted.
    pub persons: u64,
    /// Closed longer than the purge's period but kept: splitting orders (95, 96) with their
    /// confirmations, until late entries are no longer possible (N. 2606).
    pub kept_splitting: u64,
    /// Closed longer than the purge's period but kept: transmitted announcements within the
    /// minimum retention, to be produced on paper on request (N. 3403).
    pub kept_for_print: u64,
}

/// The minimum retention of a transmitted announcement's data after it closed, in years
/// (`[purge] min_retention_years`, default 10): at least 1, since the fund must be able to
/// produce on paper, on request, the data it announced (N. 3403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionYears(u32);

/// A minimum retention below one year.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "min_retention_years is {0}: it must be at least 1 year, since a fund must be able to \
     produce on paper, on request, the data it announced (N. 3403)"
)]
pub struct RetentionTooShort(pub u32);

impl RetentionYears {
    pub const DEFAULT: RetentionYears = RetentionYears(10);

    pub fn new(years: u32) -> Result<Self, RetentionTooShort> {
        if years < 1 {
            return Err(RetentionTooShort(years));
        }
        Ok(RetentionYears(years))
    }

    pub fn years(self) -> u32 {
        self.0
    }

    /// The last time an announcement may have closed to be past the retention on `now`.
    fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_months(Months::new(self.0.saturating_mul(12)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

impl Default for RetentionYears {
    fn default() -> Self {
        RetentionYears::DEFAULT
    }
}

/// What a purge may remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurgeRules {
    /// Announcements done, rejected or withdrawn for longer than this lose their persons'
    /// data, unless the directives still need them.
    pub older_than: TimeDelta,
    /// N. 3403: how long a transmitted announcement keeps its data at least.
    pub min_retention: RetentionYears,
}

/// Why the purge keeps a closed announcement of key code `key`; `None`: it may go. (The code
/// as stored: whatever codes later count as valid, a splitting order is 95 or 96.)
fn kept_because(
    key: i64,
    transmitted: bool,
    closed: DateTime<Utc>,
    print_cutoff: DateTime<Utc>,
) -> Option<Kept> {
    // N. 2606: the data of a splitting order are kept until late entries (employer audits,
    // final tax assessments, write-offs of contributions) are no longer possible.
    if matches!(key, 95 | 96) {
        return Some(Kept::Splitting);
    }
    // N. 3403: what was announced to the ZAS can be produced on paper.
    (transmitted && closed >= print_cutoff).then_some(Kept::ForPrint)
}

enum Kept {
    Splitting,
    ForPrint,
}

/// A purged announcement as it remains: heading, state and history, no person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurgedAnnouncement {
    pub summary: AnnouncementSummary,
    pub purged_at: DateTime<Utc>,
    pub history: Vec<HistoryEntry>,
}

/// The states after which an announcement needs no person any more.
fn final_states() -> Vec<&'static str> {
    AnnouncementState::ALL
        .into_iter()
        .filter(|s| s.is_final())
        .map(AnnouncementState::as_str)
        .collect()
}

impl Store {
    /// Purges the persons' data of the announcements closed before `now - rules.older_than`
    /// that the directives no longer need (N. 2606, 3403: see the module), as `actor`; records
    /// an audit event "purge" with the counts, those kept included.
    pub async fn purge(
        &self,
        rules: &PurgeRules,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<PurgeReport, StoreError> {
        let retention = rules.older_than;
        let cutoff = now - retention;
        let print_cutoff = rules.min_retention.cutoff(now);
        let mut tx = self.begin_write().await?;
        if let Tx::Sqlite(..) = tx {
            // Deleted content is overwritten with zeros, not only unlinked.
            tx.execute("PRAGMA secure_delete = ON", args![]).await?;
        }
        let mut sql = SqlBuilder::new(
            "SELECT id, key_code, transmission_id, state_since, person_id, \
             beneficiary_person_id, spouse_person_id, assigned_person_id FROM announcements \
             WHERE purged_at IS NULL AND state_since < ",
        );
        sql.push_arg(cutoff)
            .push(" AND state IN (")
            .push_list(final_states())
            .push(") ORDER BY id");
        let (sql, sql_args) = sql.finish();
        let rows = tx.fetch_all(sql, sql_args).await?;
        let mut report = PurgeReport::default();
        let mut persons = BTreeSet::new();
        let mut purged_ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = row.int("id")?;
            let key = row.int("key_code")?;
            let transmitted = row.opt_int("transmission_id")?.is_some();
            match kept_because(key, transmitted, row.time("state_since")?, print_cutoff) {
                Some(Kept::Splitting) => {
                    report.kept_splitting += 1;
                    continue;
                }
                Some(Kept::ForPrint) => {
                    report.kept_for_print += 1;
                    continue;
                }
                None => purged_ids.push(id),
            }
            for column in [
                "person_id",
                "beneficiary_person_id",
                "spouse_person_id",
                "assigned_person_id",
            ] {
                persons.extend(row.opt_int(column)?);
            }
            report.announcements += tx
                .execute(
                    "UPDATE announcements SET person_id = NULL, beneficiary_person_id = NULL, \
                     spouse_person_id = NULL, assigned_person_id = NULL, particulars = '{}', \
                     purged_at = $1 WHERE id = $2",
                    args![now, id],
                )
                .await?;
        }
        report.entries = purge_entries(&mut tx, &purged_ids, cutoff, &mut persons).await?;
        report.persons = delete_unreferenced(&mut tx, persons).await?;
        let details = serde_json::json!({
            "older_than_days": retention.num_days(),
            "closed_before": cutoff,
            "announcements": report.announcements,
            "entries": report.entries,
            "persons": report.persons,
            "min_retention_years": rules.min_retention.years(),
            "kept_splitting": report.kept_splitting,
            "kept_for_print": report.kept_for_print,
        });
        insert_audit(
            &mut tx,
            &NewAuditEvent {
                at: now,
                actor: actor.to_string(),
                action: "purge".into(),
                target: Some("database".into()),
                outcome: AuditOutcome::Success,
                remote_addr: None,
                details,
                // A system event: it concerns every fund's data, none in particular.
                funds: Vec::new(),
            },
        )
        .await?;
        tx.commit().await?;
        self.compact_after_purge().await?;
        Ok(report)
    }

    /// A purged announcement's heading, state and history; [`StoreError::NotFound`] when there
    /// is no purged announcement `id`.
    pub async fn purged_announcement(&self, id: i64) -> Result<PurgedAnnouncement, StoreError> {
        let mut tx = self.begin_read().await?;
        let row = tx
            .fetch_optional(
                "SELECT id, environment, fund, reference, key_code, state, state_since, \
                 submitted_at, transmission_id, purged_at FROM announcements \
                 WHERE id = $1 AND purged_at IS NOT NULL",
                args![id],
            )
            .await?
            .ok_or(StoreError::NotFound {
                what: "purged announcement",
                id,
            })?;
        let summary = decode_summary(&row)?;
        let purged_at = row.time("purged_at")?;
        let history = read_history(&mut tx, id).await?;
        tx.commit().await?;
        Ok(PurgedAnnouncement {
            summary,
            purged_at,
            history,
        })
    }

    /// Makes the deleted bytes leave the database files.
    async fn compact_after_purge(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query("PRAGMA secure_delete = ON")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("VACUUM").execute(&mut *conn).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut *conn)
                    .await?;
            }
            Store::Postgres(pool) => {
                sqlx::query("VACUUM persons, announcements, acknowledgement_entries")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Removes the persons' data of the entries about the purged announcements and of unmatched
/// entries received before `cutoff`; adds the persons they referred to to `persons`.
async fn purge_entries(
    tx: &mut Tx,
    purged_ids: &[i64],
    cutoff: DateTime<Utc>,
    persons: &mut BTreeSet<i64>,
) -> Result<u64, StoreError> {
    let mut sql = SqlBuilder::new(
        "SELECT e.id, e.person_id, e.details FROM acknowledgement_entries e \
         JOIN acknowledgements k ON k.id = e.acknowledgement_id \
         WHERE (e.announcement_id IS NULL AND k.received_at < ",
    );
    sql.push_arg(cutoff).push(")");
    if !purged_ids.is_empty() {
        sql.push(" OR e.announcement_id IN (")
            .push_list(purged_ids.iter().copied())
            .push(")");
    }
    let (sql, sql_args) = sql.finish();
    let mut purged = 0;
    for row in tx.fetch_all(sql, sql_args).await? {
        let id = row.int("id")?;
        let details = StoredDetails::from_json(&row.text("details")?)
            .map_err(|e| StoreError::corrupt(e.what(), id))?;
        let person = row.opt_int("person_id")?;
        if person.is_none() && details == details.clone().without_persons() {
            continue;
        }
        persons.extend(person);
        persons.extend(details.person_ids());
        let kept = details
            .without_persons()
            .to_json()
            .map_err(|_| StoreError::Encode {
                what: "purged acknowledgement details",
            })?;
        purged += tx
            .execute(
                "UPDATE acknowledgement_entries SET person_id = NULL, details = $1 WHERE id = $2",
                args![kept, id],
            )
            .await?;
    }
    Ok(purged)
}

/// Deletes those of `candidates` that no announcement and no acknowledgement entry refers to
/// any more (by column or in an entry's result).
async fn delete_unreferenced(tx: &mut Tx, candidates: BTreeSet<i64>) -> Result<u64, StoreError> {
    if candidates.is_empty() {
        return Ok(0);
    }
    let mut still_needed = BTreeSet::new();
    for row in tx
        .fetch_all(
            "SELECT id, details FROM acknowledgement_entries WHERE details LIKE '%person_id%'",
            args![],
        )
        .await?
    {
        let id = row.int("id")?;
        let details = StoredDetails::from_json(&row.text("details")?)
            .map_err(|e| StoreError::corrupt(e.what(), id))?;
        still_needed.extend(details.person_ids());
    }
    let mut deleted = 0;
    for person in candidates.difference(&still_needed) {
        deleted += tx
            .execute(
                "DELETE FROM persons WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM announcements a WHERE a.person_id = $1 \
                 OR a.beneficiary_person_id = $1 OR a.spouse_person_id = $1 \
                 OR a.assigned_person_id = $1) \
                 AND NOT EXISTS (SELECT 1 FROM acknowledgement_entries e WHERE e.person_id = $1) \
                 AND NOT EXISTS (SELECT 1 FROM closing_orders c WHERE c.person_id = $1) \
                 AND NOT EXISTS (SELECT 1 FROM ci_complements k WHERE k.person_id = $1) \
                 AND NOT EXISTS (SELECT 1 FROM splitting_notices s \
                 WHERE s.person_id = $1 OR s.spouse_person_id = $1)",
                args![*person],
            )
            .await?;
    }
    Ok(deleted)
}
