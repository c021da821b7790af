//! Reading announcements: one with its history, or lists filtered by fund and state.

use chrono::{DateTime, Utc};

use super::codec::{self, PersonNumbers, StoredParticulars};
use super::error::StoreError;
use super::history::{HistoryEntry, read_history, state_of};
use super::persons::parse_stored;
use super::sql::{Arg, Row, Sql, SqlBuilder, Tx};
use super::{Backend, Store};
use crate::domain::{Announcement, AnnouncementState, Environment, FundNumber, KeyCode, Reference};

/// The most items one page of a list holds.
pub const MAX_PAGE: u32 = 1000;

/// An announcement as stored, with where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnnouncement {
    pub id: i64,
    /// The ZAS environment it is announced in.
    pub environment: Environment,
    pub announcement: Announcement,
    pub state: AnnouncementState,
    /// When it entered its current state.
    pub state_since: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    /// The transmission that carries it, once there is one.
    pub transmission_id: Option<i64>,
    /// For a revocation of an RCI (99): the stored RCI it revokes, when the gateway knows it
    /// (annex 9 row 4; N. 2720).
    pub revokes_id: Option<i64>,
}

/// An announcement with its history, oldest entry first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnouncementDetail {
    pub announcement: StoredAnnouncement,
    pub history: Vec<HistoryEntry>,
}

/// What a list shows of an announcement: no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnouncementSummary {
    pub id: i64,
    pub environment: Environment,
    pub fund: FundNumber,
    pub reference: Reference,
    pub key: KeyCode,
    pub state: AnnouncementState,
    pub state_since: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    pub transmission_id: Option<i64>,
}

/// Which announcements to list: all filters must match; ordered by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListFilter {
    /// Only these funds (`None`: every fund; an empty list matches nothing).
    pub funds: Option<Vec<FundNumber>>,
    /// Only this ZAS environment (`None`: both).
    pub environment: Option<Environment>,
    pub state: Option<AnnouncementState>,
    /// Only ids after this one: the `next_after` of the previous page.
    pub after_id: Option<i64>,
    /// At most this many, between 1 and [`MAX_PAGE`].
    pub limit: u32,
}

impl Default for ListFilter {
    fn default() -> Self {
        ListFilter {
            funds: None,
            environment: None,
            state: None,
            after_id: None,
            limit: 100,
        }
    }
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor for the next page (its `after_id`); `None` on the last page.
    pub next_after: Option<i64>,
}

/// The columns [`decode`] reads, with the persons' numbers: each looked up by its id for each
/// announcement (on PostgreSQL a join of a batch of 1 000 with `persons` was planned as three
/// hash joins reading every person, 59 ms against 2 ms for 100 000 persons).
pub(crate) const SELECT_FULL: &str = "SELECT a.id, a.environment, a.fund, a.reference, a.key_code, \
     a.particulars, a.state, a.state_since, a.submitted_at, a.transmission_id, \
     a.person_id, a.beneficiary_person_id, a.spouse_person_id, a.purged_at, a.revokes_id, \
     (SELECT p.avs_number FROM persons p WHERE p.id = a.person_id) AS insured_avs, \
     (SELECT b.avs_number FROM persons b WHERE b.id = a.beneficiary_person_id) \
     AS beneficiary_avs, \
     (SELECT s.avs_number FROM persons s WHERE s.id = a.spouse_person_id) AS spouse_avs \
     FROM announcements a";

impl Store {
    /// Announcement `id` with its history, read in one snapshot.
    pub async fn announcement(&self, id: i64) -> Result<AnnouncementDetail, StoreError> {
        let mut tx = self.begin_read().await?;
        let announcement = fetch_full(&mut tx, &[id])
            .await?
            .pop()
            .ok_or(StoreError::NotFound {
                what: "announcement",
                id,
            })?;
        let history = read_history(&mut tx, id).await?;
        tx.commit().await?;
        Ok(AnnouncementDetail {
            announcement,
            history,
        })
    }

    /// Lists announcements by fund and state, a page at a time (ordered by id).
    pub async fn list_announcements(
        &self,
        filter: &ListFilter,
    ) -> Result<Page<AnnouncementSummary>, StoreError> {
        let limit = filter.limit.clamp(1, MAX_PAGE);
        let mut sql = SqlBuilder::new(
            "SELECT id, environment, fund, reference, key_code, state, state_since, \
             submitted_at, transmission_id FROM announcements WHERE 1 = 1",
        );
        if let Some(funds) = &filter.funds {
            if funds.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    next_after: None,
                });
            }
            sql.push(" AND fund IN (")
                .push_list(funds.iter().map(ToString::to_string))
                .push(")");
        }
        if let Some(environment) = filter.environment {
            sql.push(" AND environment = ")
                .push_arg(environment.as_str());
        }
        if let Some(state) = filter.state {
            sql.push(" AND state = ").push_arg(state.as_str());
        }
        if let Some(after) = filter.after_id {
            sql.push(" AND id > ").push_arg(after);
        }
        sql.push(" ORDER BY id LIMIT ")
            .push_arg(i64::from(limit) + 1);
        let (sql, args) = sql.finish();
        let rows = self.fetch_all(sql, args).await?;
        let mut items = rows
            .iter()
            .map(decode_summary)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|a| a.id)
        } else {
            None
        };
        Ok(Page { items, next_after })
    }
}

/// Reads the announcements with these ids, ordered by id.
pub(crate) async fn fetch_full(
    tx: &mut Tx,
    ids: &[i64],
) -> Result<Vec<StoredAnnouncement>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, args) = full_statement(tx.backend(), ids);
    tx.fetch_all(sql, args).await?.iter().map(decode).collect()
}

/// The statement of [`fetch_full`].
pub(super) fn full_statement(backend: Backend, ids: &[i64]) -> (Sql, Vec<Arg>) {
    let mut sql = SqlBuilder::new(SELECT_FULL);
    sql.push(" WHERE ")
        .push_id_rows(backend, "a.id", ids.iter().copied())
        .push(" ORDER BY a.id");
    sql.finish()
}

struct Heading {
    id: i64,
    environment: Environment,
    fund: FundNumber,
    reference: Reference,
    key: KeyCode,
    state: AnnouncementState,
    state_since: DateTime<Utc>,
    submitted_at: DateTime<Utc>,
    transmission_id: Option<i64>,
}

fn decode_heading(row: &Row) -> Result<Heading, StoreError> {
    let id = row.int("id")?;
    Ok(Heading {
        id,
        environment: environment_of(row, id)?,
        fund: FundNumber::parse(&row.text("fund")?)
            .map_err(|_| StoreError::corrupt("fund number", id))?,
        reference: Reference::stored(&row.text("reference")?)
            .map_err(|_| StoreError::corrupt("reference", id))?,
        key: KeyCode::from_register(row.int("key_code")?)
            .map_err(|_| StoreError::corrupt("key code", id))?,
        state: state_of(row, "state", id)?,
        state_since: row.time("state_since")?,
        submitted_at: row.time("submitted_at")?,
        transmission_id: row.opt_int("transmission_id")?,
    })
}

/// The ZAS environment in column `environment` of the row of `id` (an announcement, a token, a
/// transmission).
pub(crate) fn environment_of(row: &Row, id: i64) -> Result<Environment, StoreError> {
    row.text("environment")?
        .parse()
        .map_err(|_| StoreError::corrupt("ZAS environment", id))
}

pub(crate) fn decode_summary(row: &Row) -> Result<AnnouncementSummary, StoreError> {
    let h = decode_heading(row)?;
    Ok(AnnouncementSummary {
        id: h.id,
        environment: h.environment,
        fund: h.fund,
        reference: h.reference,
        key: h.key,
        state: h.state,
        state_since: h.state_since,
        submitted_at: h.submitted_at,
        transmission_id: h.transmission_id,
    })
}

/// Rebuilds a stored announcement from a row of [`SELECT_FULL`].
pub(crate) fn decode(row: &Row) -> Result<StoredAnnouncement, StoreError> {
    let h = decode_heading(row)?;
    let id = h.id;
    if let Some(at) = row.opt_time("purged_at")? {
        // Annex 2.7: its persons' data are gone; `Store::purged_announcement` shows the rest.
        return Err(StoreError::Purged { id, at });
    }
    let numbers = PersonNumbers {
        insured: parse_stored(row.opt_text("insured_avs")?, row.opt_int("person_id")?)?,
        beneficiary: parse_stored(
            row.opt_text("beneficiary_avs")?,
            row.opt_int("beneficiary_person_id")?,
        )?,
        spouse: parse_stored(
            row.opt_text("spouse_avs")?,
            row.opt_int("spouse_person_id")?,
        )?,
    };
    let stored = StoredParticulars::from_json(&row.text("particulars")?)
        .map_err(|e| StoreError::corrupt(e.what(), id))?;
    let particulars =
        codec::decode(stored, numbers).map_err(|e| StoreError::corrupt(e.what(), id))?;
    let announcement = Announcement::new(h.fund, h.reference, h.key, particulars)
        .map_err(|_| StoreError::corrupt("particulars for the key", id))?;
    Ok(StoredAnnouncement {
        id,
        environment: h.environment,
        announcement,
        state: h.state,
        state_since: h.state_since,
        submitted_at: h.submitted_at,
        transmission_id: h.transmission_id,
        revokes_id: row.opt_int("revokes_id")?,
    })
}
