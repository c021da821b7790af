//! Taking in announcements from a fund: all or nothing, and each announced once (a rule of the
//! system: the fund's own reference is its key, N. 3105).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Backend;
use super::Store;
use super::audit::{NewAuditEvent, insert_audit};
use super::codec::{self, PersonNumbers, StoredParticulars};
use super::error::StoreError;
use super::history::{self, ChangeNote, StateChange};
use super::idempotency::KeyClaim;
use super::persons::person_ids;
use super::revocations::{self, Revocation};
use super::sql::{Arg, Row, Sql, SqlBuilder, Tx, time_field};
use crate::digest::sha256_hex;
use crate::domain::{Announcement, AnnouncementState, AvsNumber, Environment, Particulars};

/// The stored id of a submitted announcement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub id: i64,
    /// `false` when the same announcement was stored before and nothing new was stored.
    pub created: bool,
    /// For a revocation of an RCI (99): the RCI it revokes, as far as the gateway knows it.
    pub revokes: Option<RevokedRci>,
}

/// The RCI a revocation (99) revokes: the one of the same person and fund, in the same
/// environment, with the closing month the revocation names (annex 9 row 4; N. 2720).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevokedRci {
    /// The stored RCI with that id.
    Known(i64),
    /// The gateway holds no such RCI (it may have been announced before the gateway, or by
    /// other means): the ZAS decides.
    Unknown,
}

/// The form the idempotency hash is computed over: AVS-free, with person ids in place of AVS
/// numbers (a hash of a 13-digit number with a check digit could be reversed by trying them all).
#[derive(Serialize)]
struct Canonical<'a> {
    form: u32,
    fund: String,
    reference: &'a str,
    key: u8,
    person_id: Option<i64>,
    beneficiary_person_id: Option<i64>,
    spouse_person_id: Option<i64>,
    particulars: &'a StoredParticulars,
}

impl Store {
    /// [`Store::submit_in`] production.
    pub async fn submit(
        &self,
        announcements: &[Announcement],
        note: &ChangeNote,
    ) -> Result<Vec<Submitted>, StoreError> {
        self.submit_in(Environment::Prod, announcements, note).await
    }

    /// Stores announcements for `environment` as `queued`, all or none, in one transaction.
    ///
    /// Announced once (system rule; the fund's own reference, N. 3105), in its environment. An
    /// announcement whose fund and reference are stored already in the environment is not stored
    /// again: with the same content its stored id is returned (`created: false`); with other
    /// content the whole submission fails with [`StoreError::Conflict`] naming the stored
    /// announcement. (A reference never holds an AVS number: [`crate::domain::Reference`] refuses
    /// one.)
    ///
    /// The statements are set-based: persons, announcements, history and audit rows each take
    /// one or two statements, however many announcements there are.
    pub async fn submit_in(
        &self,
        environment: Environment,
        announcements: &[Announcement],
        note: &ChangeNote,
    ) -> Result<Vec<Submitted>, StoreError> {
        self.submit_audited(environment, announcements, note, None, |_| None)
            .await
    }

    /// [`Store::submit`], and the audit event `audit` makes of the result appended in the same
    /// transaction (annex 2.5; one commit for both). No event when the submission fails.
    ///
    /// With a `key`, the submission first claims its Idempotency-Key in the same transaction:
    /// of parallel submissions with one key exactly one stores; the others fail with
    /// [`StoreError::KeyClaimed`] and what the key was first used for.
    ///
    /// On SQLite, submissions made at the same time share one transaction and one commit
    /// ([`super::group_commit`]), each in a savepoint of its own: each is stored or not, and
    /// answered, exactly as if it had been alone, once the shared commit succeeded.
    pub async fn submit_audited(
        &self,
        environment: Environment,
        announcements: &[Announcement],
        note: &ChangeNote,
        key: Option<&KeyClaim>,
        audit: impl Fn(&[Submitted]) -> Option<NewAuditEvent> + Send + Sync + 'static,
    ) -> Result<Vec<Submitted>, StoreError> {
        let submission = Submission::new(environment, announcements, note, key, Box::new(audit));
        match self {
            Store::Sqlite(pool) => super::group_commit::submit(pool, submission).await,
            // PostgreSQL runs concurrent transactions side by side, and its WAL flush already
            // serves every commit waiting for it: each submission keeps its own transaction.
            Store::Postgres(_) => {
                let mut tx = self.begin_write().await?;
                let submitted = submission.store(&mut tx).await?;
                tx.commit().await?;
                Ok(submitted)
            }
        }
    }
}

/// The audit event of a stored submission, made of what was stored (called when it is stored;
/// again if a group's attempt to store it together with others was undone).
pub(super) type AuditOf = Box<dyn Fn(&[Submitted]) -> Option<NewAuditEvent> + Send + Sync>;

/// A submission to store: announcements of one environment, all or none.
pub(super) struct Submission {
    pub(super) environment: Environment,
    pub(super) announcements: Vec<Announcement>,
    /// Their stored forms (made before the submission waits for its turn to write).
    pub(super) encoded: Vec<(StoredParticulars, PersonNumbers)>,
    pub(super) note: ChangeNote,
    pub(super) key: Option<KeyClaim>,
    pub(super) audit: AuditOf,
}

/// The AVS numbers the announcements of `encoded` name (insured persons, beneficiaries,
/// spouses), each as often as named.
pub(super) fn person_numbers(
    encoded: &[(StoredParticulars, PersonNumbers)],
) -> impl Iterator<Item = AvsNumber> + '_ {
    encoded
        .iter()
        .flat_map(|(_, n)| [n.insured, n.beneficiary, n.spouse])
        .flatten()
}

impl Submission {
    pub(super) fn new(
        environment: Environment,
        announcements: &[Announcement],
        note: &ChangeNote,
        key: Option<&KeyClaim>,
        audit: AuditOf,
    ) -> Self {
        Submission {
            environment,
            encoded: announcements
                .iter()
                .map(|a| codec::encode(a.particulars()))
                .collect(),
            announcements: announcements.to_vec(),
            note: note.clone(),
            key: key.cloned(),
            audit,
        }
    }

    /// How many announcements it holds.
    pub(super) fn len(&self) -> usize {
        self.announcements.len()
    }

    /// Stores the submission in `tx` (claims its key, stores its persons, announcements,
    /// history, links and audit event) and answers for each announcement. On an error the
    /// caller undoes what it wrote: it rolls `tx` (or the savepoint it runs in) back.
    pub(super) async fn store(self, tx: &mut Tx) -> Result<Vec<Submitted>, StoreError> {
        let Submission {
            environment,
            announcements,
            encoded,
            note,
            key,
            audit,
        } = self;
        let note = &note;
        if let Some(key) = &key {
            key.claim(tx, note.at).await?;
        }
        let numbers: BTreeSet<AvsNumber> = person_numbers(&encoded).collect();
        let persons = person_ids(tx, &numbers, note.at).await?;
        let person = |number: Option<AvsNumber>| number.and_then(|n| persons.get(&n).copied());
        let rows = announcements
            .iter()
            .zip(&encoded)
            .map(|(announcement, (stored, numbers))| {
                Prepared::new(
                    announcement,
                    stored,
                    PersonRefs::of(numbers, &persons),
                    note.at,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut submitted = insert(tx, environment, &rows, note).await?;
        // N. 2720: each revocation of an RCI refers to the RCI it revokes, when known here.
        let revocations: Vec<Revocation> = announcements
            .iter()
            .zip(&encoded)
            .zip(&submitted)
            .filter_map(|((a, (_, numbers)), s)| match a.particulars() {
                Particulars::CollectionRevocation { closing, .. } => Some(Revocation {
                    id: s.id,
                    fund: a.fund().to_string(),
                    person_id: person(numbers.insured)?,
                    closing: *closing,
                }),
                _ => None,
            })
            .collect();
        let links = revocations::link(tx, environment, &revocations).await?;
        for s in &mut submitted {
            s.revokes = links.get(&s.id).map(|rci| match rci {
                Some(id) => RevokedRci::Known(*id),
                None => RevokedRci::Unknown,
            });
        }
        if let Some(key) = &key {
            key.answer(tx, &submitted).await?;
        }
        if let Some(event) = audit(&submitted) {
            insert_audit(tx, &event).await?;
        }
        Ok(submitted)
    }
}

/// The person ids an announcement refers to.
#[derive(Clone, Copy)]
pub(super) struct PersonRefs {
    insured: Option<i64>,
    beneficiary: Option<i64>,
    spouse: Option<i64>,
}

impl PersonRefs {
    /// The ids of `numbers`, as `persons` (every number's id) gives them.
    pub(super) fn of(numbers: &PersonNumbers, persons: &BTreeMap<AvsNumber, i64>) -> Self {
        let person = |number: Option<AvsNumber>| number.and_then(|n| persons.get(&n).copied());
        PersonRefs {
            insured: person(numbers.insured),
            beneficiary: person(numbers.beneficiary),
            spouse: person(numbers.spouse),
        }
    }
}

/// An announcement ready to be stored: bound as a row of [`SqlBuilder::push_rows`], its
/// columns ([`Columns`]).
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Prepared {
    columns: Columns,
}

/// The columns of an announcement as [`insert_statement`] binds them: fund, reference, key,
/// person, beneficiary, spouse, particulars, content hash, time submitted.
type Columns = (
    String,
    String,
    u8,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
);

impl Prepared {
    /// `announcement`, submitted `at`.
    pub(super) fn new(
        announcement: &Announcement,
        stored: &StoredParticulars,
        persons: PersonRefs,
        at: DateTime<Utc>,
    ) -> Result<Prepared, StoreError> {
        let fund = announcement.fund().to_string();
        let reference = announcement.reference().as_str();
        let canonical = Canonical {
            form: 1,
            fund: fund.clone(),
            reference,
            key: announcement.key().code(),
            person_id: persons.insured,
            beneficiary_person_id: persons.beneficiary,
            spouse_person_id: persons.spouse,
            particulars: stored,
        };
        let hash = sha256_hex(&serde_json::to_vec(&canonical).map_err(encode_error)?);
        let columns = (
            fund,
            reference.to_string(),
            announcement.key().code(),
            persons.insured,
            persons.beneficiary,
            persons.spouse,
            stored.to_json().map_err(encode_error)?,
            hash,
            time_field(at),
        );
        Ok(Prepared { columns })
    }

    /// Its fund and reference, the key it is announced once by (N. 3105).
    pub(super) fn key(&self) -> (String, String) {
        (self.columns.0.clone(), self.columns.1.clone())
    }

    /// The SHA-256 of its canonical form, which tells a repeat from a conflict.
    fn hash(&self) -> &str {
        &self.columns.7
    }
}

fn encode_error<E>(_: E) -> StoreError {
    StoreError::Encode {
        what: "announcement to submit",
    }
}

/// Inserts the announcements not stored yet, with their history, and answers for each.
async fn insert(
    tx: &mut Tx,
    environment: Environment,
    rows: &[Prepared],
    note: &ChangeNote,
) -> Result<Vec<Submitted>, StoreError> {
    let backend = tx.backend();
    let (sql, args) = insert_statement(backend, environment, rows);
    let mut inserted = ids_by_key(&tx.fetch_all(sql, args).await?)?;
    // Announced once (system rule, N. 3105): the others were stored before (or earlier in this
    // submission): the same announcement, or a conflict.
    let mut stored_before = BTreeMap::new();
    if inserted.len() < rows.len() {
        let (sql, args) = stored_before_statement(backend, environment, rows);
        for row in tx.fetch_all(sql, args).await? {
            let key = (row.text("fund")?, row.text("reference")?);
            stored_before.insert(key, (row.int("id")?, row.text("content_hash")?));
        }
    }
    let mut submitted = Vec::with_capacity(rows.len());
    let mut history = Vec::new();
    // The fund of each announcement inserted.
    let mut funds = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        let key = row.key();
        // The first of the submission with its key is the one inserted.
        if let Some(id) = inserted.remove(&key) {
            history.push(StateChange::new(
                id,
                None,
                AnnouncementState::Queued,
                note.cause.as_str(),
            ));
            funds.insert(id, key.0);
            submitted.push(Submitted {
                id,
                created: true,
                revokes: None,
            });
            continue;
        }
        // Not inserted, so stored with its key.
        let (existing_id, hash) = stored_before.get(&key).ok_or(StoreError::Corrupt {
            what: "announcement stored before",
            id: None,
        })?;
        if hash != row.hash() {
            return Err(StoreError::Conflict {
                index,
                existing_id: *existing_id,
            });
        }
        submitted.push(Submitted {
            id: *existing_id,
            created: false,
            revokes: None,
        });
    }
    let fund_of = |id| funds.get(&id).map(String::as_str);
    history::append_all(tx, &history, fund_of, note.at, &note.actor).await?;
    Ok(submitted)
}

/// The statement of [`insert`]: the rows of `columns` (shaped as [`Columns`], e.g. [`Prepared`])
/// as new queued announcements of `environment`, submitted at the time each row gives, in the
/// order given, so that ids follow it; those whose fund and reference are stored already are
/// left out.
pub(super) fn insert_statement(
    backend: Backend,
    environment: Environment,
    columns: &[impl Serialize],
) -> (Sql, Vec<Arg>) {
    // (`WHERE true`: SQLite's parser needs it before `ON CONFLICT`.)
    let mut sql = SqlBuilder::new(
        "INSERT INTO announcements (environment, fund, reference, key_code, person_id, \
         beneficiary_person_id, spouse_person_id, particulars, content_hash, state, \
         state_since, submitted_at) SELECT ",
    );
    sql.push_arg(environment.as_str())
        .push(
            ", value->>0, value->>1, CAST(value->>2 AS bigint), CAST(value->>3 AS bigint), \
             CAST(value->>4 AS bigint), CAST(value->>5 AS bigint), value->>6, value->>7, ",
        )
        .push_arg(AnnouncementState::Queued.as_str())
        .push(", ")
        .push_row_time(backend, "value->>8")
        .push(", ")
        .push_row_time(backend, "value->>8")
        .push(" FROM ")
        .push_rows(backend, columns)
        .push(
            " WHERE true ON CONFLICT (environment, fund, reference) DO NOTHING \
             RETURNING id, fund, reference",
        );
    sql.finish()
}

/// The announcements of `environment` stored with the funds and references of `columns`
/// (shaped as [`Columns`], e.g. [`Prepared`]). The rows are read once, as the outer loop
/// (`CROSS JOIN` keeps SQLite from scanning the announcements and parsing the rows again for each of them).
pub(super) fn stored_before_statement(
    backend: Backend,
    environment: Environment,
    columns: &[impl Serialize],
) -> (Sql, Vec<Arg>) {
    let mut sql = SqlBuilder::new("SELECT a.id, a.fund, a.reference, a.content_hash FROM ");
    sql.push_rows(backend, columns)
        .push(" r CROSS JOIN announcements a WHERE a.environment = ")
        .push_arg(environment.as_str())
        .push(" AND a.fund = r.value->>0 AND a.reference = r.value->>1");
    sql.finish()
}

/// The ids of inserted rows by fund and reference.
pub(super) fn ids_by_key(rows: &[Row]) -> Result<BTreeMap<(String, String), i64>, StoreError> {
    rows.iter()
        .map(|row| Ok(((row.text("fund")?, row.text("reference")?), row.int("id")?)))
        .collect()
}
