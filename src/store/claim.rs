//! Claiming queued announcements for a transmission, so that no announcement is taken twice
//! however many instances claim at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::announcements::{SELECT_FULL, StoredAnnouncement, decode, fetch_full};
use super::error::StoreError;
use super::history::{self, ChangeNote, StateChange};
use super::sql::{Arg, Sql, SqlBuilder, Tx, args};
use super::transmissions::{NewTransmission, insert_transmission};
use super::{Backend, Store};
use crate::domain::{AnnouncementState, Environment, MessageHeader};

/// N. 3102: a revocation (99, 96) and a new order for the same person may not travel in one
/// transmission, and the revocation goes first. A new order (RCI keys 71, 75, 79, 81, 85; a
/// splitting order 95) is therefore not claimed while a revocation of the same kind for the
/// same person is still queued or being sent: it waits, queued (and still withdrawable), for a
/// later transmission. (Within one environment: an ABN revocation holds back no PROD order.)
/// `r.key_code IN (96, 99)` and the state make the index `announcements_pending_revocations`
/// (migration 0016) answer the check: one look-up per queued announcement.
macro_rules! not_held_back {
    () => {
        "NOT EXISTS (SELECT 1 FROM announcements r WHERE r.person_id = a.person_id \
         AND r.environment = a.environment AND r.key_code IN (96, 99) \
         AND r.state IN ('queued', 'sending') AND r.id <> a.id \
         AND ((a.key_code IN (71, 75, 79, 81, 85) AND r.key_code = 99) \
           OR (a.key_code = 95 AND r.key_code = 96)))"
    };
}

/// PostgreSQL: rows another instance is claiming are skipped, not waited for.
/// The rows are picked once, in a CTE (a `LIMIT` subquery under `IN` may be evaluated again),
/// and updated by id (`= ANY` of their array: a join with the CTE became, with statistics of
/// a younger database, a hash join reading every announcement).
const CLAIM_POSTGRES: &str = concat!(
    "WITH picked AS (SELECT a.id FROM announcements a \
     WHERE a.state = 'queued' AND a.environment = $3 AND ",
    not_held_back!(),
    " ORDER BY a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED) \
     UPDATE announcements a SET state = 'sending', state_since = $1 \
     WHERE a.id = ANY(ARRAY(SELECT id FROM picked)) AND a.state = 'queued' RETURNING a.id"
);

/// SQLite: the transaction began with `BEGIN IMMEDIATE`, so it is the only writer.
const CLAIM_SQLITE: &str = concat!(
    "UPDATE announcements SET state = 'sending', state_since = $1 \
     WHERE state = 'queued' AND id IN (SELECT a.id FROM announcements a \
     WHERE a.state = 'queued' AND a.environment = $3 AND ",
    not_held_back!(),
    " ORDER BY a.id LIMIT $2) RETURNING id"
);

/// The oldest queued announcements of `environment` that may go (`not_held_back!`), up to
/// `limit`, read whole and held for writing: SQLite's single writer; PostgreSQL `FOR UPDATE`,
/// skipping rows another instance holds.
pub(super) fn pick_statement(
    backend: Backend,
    environment: Environment,
    limit: u32,
) -> (Sql, Vec<Arg>) {
    let mut sql = SqlBuilder::new(SELECT_FULL);
    sql.push(" WHERE a.state = 'queued' AND a.environment = ")
        .push_arg(environment.as_str())
        .push(concat!(" AND ", not_held_back!(), " ORDER BY a.id LIMIT "))
        .push_arg(i64::from(limit));
    if backend == Backend::Postgres {
        sql.push(" FOR UPDATE OF a SKIP LOCKED");
    }
    sql.finish()
}

/// The picked announcements `ids`, still queued, become `sending` in transmission
/// `transmission_id` at `at`: one change of each row. When they were picked `Outside` the
/// transaction, each must also still not be held back (N. 3102, `not_held_back!`): a
/// revocation stored since holds its person's new order back as it would have at the pick.
pub(super) fn take_statement(
    backend: Backend,
    transmission_id: i64,
    ids: &[i64],
    at: DateTime<Utc>,
    picked: Picked,
) -> (Sql, Vec<Arg>) {
    let mut sql =
        SqlBuilder::new("UPDATE announcements AS a SET state = 'sending', state_since = ");
    sql.push_arg(at)
        .push(", transmission_id = ")
        .push_arg(transmission_id)
        .push(" WHERE ")
        .push_id_in(backend, "a.id", ids.iter().copied())
        .push(" AND a.state = 'queued' AND a.transmission_id IS NULL");
    if picked == Picked::Outside {
        sql.push(concat!(" AND ", not_held_back!()));
    }
    sql.finish()
}

/// Where the announcements a transmission takes were picked: in the transaction that takes
/// them, held for writing since (`Held`), or by a read before it (`Outside`), to be checked
/// again as they are taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Picked {
    Held,
    Outside,
}

/// A transmission as the builder made it of the announcements it was given: its header, the
/// SHA-256 (hex) of its XML, and whatever else the builder keeps of it (`made`, the XML).
pub struct Made<T> {
    pub header: MessageHeader,
    pub xml_sha256: String,
    pub made: T,
}

/// A transmission stored by [`Store::claim_into_transmission`].
pub struct Built<T> {
    /// The transmission's id.
    pub id: i64,
    /// How many announcements it carries.
    pub announcements: usize,
    /// What the builder made of it.
    pub made: Made<T>,
}

/// The claim of up to `limit` queued announcements of `environment`, at `at`.
pub(super) fn claim_statement(
    backend: Backend,
    environment: Environment,
    limit: u32,
    at: DateTime<Utc>,
) -> (&'static str, Vec<Arg>) {
    let claim = match backend {
        Backend::Sqlite => CLAIM_SQLITE,
        Backend::Postgres => CLAIM_POSTGRES,
    };
    (claim, args![at, i64::from(limit), environment.as_str()])
}

impl Store {
    /// [`Store::claim_queued_in`] production.
    pub async fn claim_queued(
        &self,
        limit: u32,
        note: &ChangeNote,
    ) -> Result<Vec<StoredAnnouncement>, StoreError> {
        self.claim_queued_in(Environment::Prod, limit, note).await
    }

    /// Moves up to `limit` queued announcements of `environment`, oldest first, to `sending`
    /// and returns them, with a history entry each, in one transaction. Two claimers never get
    /// the same announcement; an environment's sender never gets another's. New orders held
    /// back by N. 3102 (see `not_held_back!`) are not taken.
    pub async fn claim_queued_in(
        &self,
        environment: Environment,
        limit: u32,
        note: &ChangeNote,
    ) -> Result<Vec<StoredAnnouncement>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let (claim, args) = claim_statement(tx.backend(), environment, limit, note.at);
        let mut ids = tx
            .fetch_all(claim, args)
            .await?
            .iter()
            .map(|row| row.int("id"))
            .collect::<Result<Vec<i64>, _>>()?;
        ids.sort_unstable();
        let claimed = fetch_full(&mut tx, &ids).await?;
        record_claimed(&mut tx, &funds_of(&claimed), note).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Claims up to `limit` queued announcements of `environment`, oldest first, hands them to
    /// `make` (which writes the transmission's XML) and stores the transmission it made,
    /// `pending` with its first attempt due at `note.at`, its announcements `sending` in it
    /// with a history entry each, all in one transaction: each announcement changes once,
    /// claimed and assigned together ([`Store::claim_queued_in`] then
    /// [`Store::create_transmission`] do the same in two transactions, changing each twice).
    /// `None` when no queued announcement may go. When `make` fails, nothing changed.
    /// Claimers never get the same announcement (N. 3102 as in [`Store::claim_queued_in`]).
    /// On SQLite they are first picked, and `make` writes the XML, before the write lock is
    /// taken; when one of them changed meanwhile, nothing of that is stored and they are
    /// picked again under the lock, so `make` may be called twice (each time a new header).
    pub async fn claim_into_transmission<T, E>(
        &self,
        environment: Environment,
        limit: u32,
        note: &ChangeNote,
        mut make: impl FnMut(Vec<StoredAnnouncement>) -> Result<Made<T>, E>,
    ) -> Result<Option<Built<T>>, E>
    where
        E: From<StoreError>,
    {
        if limit == 0 {
            return Ok(None);
        }
        if let Store::Sqlite(_) = self {
            match self
                .claim_picked(Picked::Outside, environment, limit, note, &mut make)
                .await?
            {
                Taken::Stored(built) => return Ok(built),
                Taken::Changed => tracing::debug!(
                    "queued announcements changed while their transmission was written; \
                     picking them again held"
                ),
            }
        }
        match self
            .claim_picked(Picked::Held, environment, limit, note, &mut make)
            .await?
        {
            Taken::Stored(built) => Ok(built),
            // They were held for writing since they were read.
            Taken::Changed => Err(StoreError::Corrupt {
                what: "announcement claimed into a transmission",
                id: None,
            }
            .into()),
        }
    }

    /// [`Store::claim_into_transmission`] with the announcements `picked` as it says: in the
    /// transaction that takes them (`Held`), or by a read before it (`Outside`, SQLite: the
    /// one writer then waits neither for the pick nor for `make`, and the transaction takes
    /// them only if every one is still queued, in no transmission and not held back — N. 3102;
    /// their content does not change while they are queued). When one of them was not taken,
    /// nothing is stored ([`Taken::Changed`]).
    async fn claim_picked<T, E>(
        &self,
        picked: Picked,
        environment: Environment,
        limit: u32,
        note: &ChangeNote,
        make: &mut impl FnMut(Vec<StoredAnnouncement>) -> Result<Made<T>, E>,
    ) -> Result<Taken<T>, E>
    where
        E: From<StoreError>,
    {
        let mut held = match picked {
            Picked::Held => Some(self.begin_write().await?),
            Picked::Outside => None,
        };
        let (sql, args) = pick_statement(self.backend(), environment, limit);
        let rows = match &mut held {
            Some(tx) => tx.fetch_all(sql, args).await?,
            None => self.fetch_all(sql, args).await?,
        };
        let claimed = rows
            .iter()
            .map(decode)
            .collect::<Result<Vec<StoredAnnouncement>, _>>()?;
        if claimed.is_empty() {
            if let Some(tx) = held {
                tx.commit().await?;
            }
            return Ok(Taken::Stored(None));
        }
        let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
        let funds = funds_of(&claimed);
        // Nothing is written yet: a failure leaves the transaction to be rolled back.
        let made = make(claimed)?;
        let transmission = NewTransmission {
            header: &made.header,
            environment,
            announcement_ids: &ids,
            xml_sha256: &made.xml_sha256,
        };
        let mut tx = match held {
            Some(tx) => tx,
            None => self.begin_write().await?,
        };
        let id = insert_transmission(&mut tx, &transmission, ids.len(), note.at).await?;
        let (sql, args) = take_statement(tx.backend(), id, &ids, note.at, picked);
        if tx.execute(sql, args).await? != ids.len() as u64 {
            tx.rollback().await?;
            return Ok(Taken::Changed);
        }
        record_claimed(&mut tx, &funds, note).await?;
        tx.commit().await?;
        Ok(Taken::Stored(Some(Built {
            id,
            announcements: ids.len(),
            made,
        })))
    }
}

/// What became of a transmission made of the announcements picked for it.
enum Taken<T> {
    /// Stored, or `None`: no queued announcement may go.
    Stored(Option<Built<T>>),
    /// One of them was changed or held back since it was picked: nothing was stored.
    Changed,
}

/// The fund of each announcement of `claimed`, by id.
fn funds_of(claimed: &[StoredAnnouncement]) -> BTreeMap<i64, String> {
    claimed
        .iter()
        .map(|c| (c.id, c.announcement.fund().to_string()))
        .collect()
}

/// The history of the claimed announcements of `funds` (their funds by id): queued → sending,
/// for `note`'s cause.
async fn record_claimed(
    tx: &mut Tx,
    funds: &BTreeMap<i64, String>,
    note: &ChangeNote,
) -> Result<(), StoreError> {
    let changes = StateChange::each(
        funds.keys().copied(),
        AnnouncementState::Queued,
        AnnouncementState::Sending,
        note,
    );
    let fund_of = |id| funds.get(&id).map(String::as_str);
    history::append_all(tx, &changes, fund_of, note.at, &note.actor).await
}
