//! Taking in the ZAS's acknowledgements (N. 3201–3203): every entry is kept, matched to its
//! announcement by fund and reference, and moves the announcement on as the lifecycle allows;
//! the feed's cursor advances in the same transaction, so an acknowledgement is taken in once.
//!
//! Security baseline (draft art. 3): the acknowledgement's XML holds AVS numbers and is not kept,
//! only its SHA-256; an entry refers to persons by id and keeps its details as AVS-free JSON
//! (`ack_codec.rs`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use super::Backend;
use super::Store;
use super::ack_codec::{self, StoredDetails};
use super::error::StoreError;
use super::history::{self, ChangeNote, StateChange, state_of};
use super::operator_tasks;
use super::persons::{numbers_of, parse_stored, person_ids};
use super::redact::redact;
use super::reminders::date_text;
use super::sql::{Arg, Row, Sql, SqlBuilder, Tx, args};
use super::transmissions::lock_announcements;
use crate::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, AnnouncementState, AvsNumber,
    Environment, FundNumber, KeyCode, KeyGroup, MessageId, Processing, Reference,
};

/// The most characters of a reader's error kept for an unreadable acknowledgement.
const MAX_ERROR_CHARS: usize = 2000;

/// What [`Store::take_in_acknowledgement`] did. The counts are of this call: all zero when the
/// acknowledgement had been taken in before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AckIntake {
    /// `false` when an acknowledgement with the same message id was taken in before.
    pub new: bool,
    /// Entries stored.
    pub entries: usize,
    /// Entries matched to an announcement of a transmission.
    pub matched: usize,
    /// Entries that matched no announcement, or whose transmission did not match (kept for
    /// operators).
    pub unmatched: usize,
    /// Of `unmatched`: entries whose fund and reference matched an announcement, but which
    /// name another transmission than the one that carried it (not applied).
    pub mismatched: usize,
    /// Matched entries that changed their announcement's state, or (a repeated "still being
    /// processed", N. 3202) were recorded in its history.
    pub applied: usize,
    /// Operator tasks made for matched entries whose observations need a person (N. 3302,
    /// 2211).
    pub tasks: usize,
}

/// A stored entry of an acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: i64,
    pub acknowledgement_message_id: String,
    /// From this date run the 15 working days of N. 3401 when the entry says "still being
    /// processed".
    pub acknowledgement_date: NaiveDate,
    /// The announcement it was matched to; `None` when it matched none, or when the
    /// transmission it names is not the announcement's (then `mismatch` says so).
    pub announcement_id: Option<i64>,
    /// Why an entry whose fund and reference matched an announcement was not applied: it
    /// names another transmission than the one that carried the announcement.
    pub mismatch: Option<String>,
    /// The entry as the ZAS sent it, AVS numbers restored from `persons` (free text masked).
    pub entry: AcknowledgementEntry,
}

const SELECT_ENTRY: &str = "SELECT e.id, e.announcement_id, e.fund, e.reference, e.key_code, \
     e.person_id, e.message_id, e.processing_code, e.details, e.mismatch, \
     k.message_id AS acknowledgement_message_id, k.acknowledgement_date \
     FROM acknowledgement_entries e JOIN acknowledgements k ON k.id = e.acknowledgement_id";

impl Store {
    /// The position of feed cursor `name`: the sequence of the last acknowledgement taken in
    /// (0 when never set).
    pub async fn feed_cursor(&self, name: &str) -> Result<i64, StoreError> {
        let rows = self
            .fetch_all(
                "SELECT position FROM feed_cursors WHERE name = $1",
                args![name],
            )
            .await?;
        match rows.first() {
            Some(row) => Ok(row.int("position")?),
            None => Ok(0),
        }
    }

    /// Takes in one acknowledgement read from the feed of `environment` at `sequence` and
    /// advances cursor `cursor` to `sequence`, in one transaction.
    ///
    /// An acknowledgement whose message id was taken in before changes nothing else
    /// (`new: false`). Otherwise it is stored with every entry; an entry is matched by fund and
    /// reference among the announcements of a transmission, and kept unmatched when none
    /// matches. A matched entry moves its announcement as the lifecycle allows (N. 3201–3203):
    /// processing code 0 → `done`; 2 with an invitation to investigate → `investigate`; 2 →
    /// `in_progress`; 1, 3, 4, 6, 7 → `rejected`. A repeated 2 of an announcement already
    /// `in_progress` is recorded in the history with its acknowledgement but leaves the state
    /// and its `state_since` as they are: the 15 working days of N. 3401 run on from the first
    /// (N. 3202, see [`split_repeats`]). An announcement still `sending` (the
    /// ZAS answered before its receipt was recorded) first becomes `announced`. An announcement
    /// already final is left as it is.
    ///
    /// `note` gives the time and the actor of the changes; their causes name the
    /// acknowledgement's message id and the processing code.
    pub async fn take_in_acknowledgement(
        &self,
        environment: Environment,
        cursor: &str,
        sequence: i64,
        ack: &Acknowledgement,
        xml_sha256: &str,
        note: &ChangeNote,
    ) -> Result<AckIntake, StoreError> {
        self.take_in(environment, Some((cursor, sequence)), ack, xml_sha256, note)
            .await
    }

    /// [`Store::take_in_acknowledgement`] of an acknowledgement that came as a message of its
    /// own (sedex inbox), not from a feed: no cursor moves, no sequence is stored. Stored once
    /// by its message id; taken in again, it changes nothing (`new: false`).
    pub async fn take_in_acknowledgement_message(
        &self,
        environment: Environment,
        ack: &Acknowledgement,
        xml_sha256: &str,
        note: &ChangeNote,
    ) -> Result<AckIntake, StoreError> {
        self.take_in(environment, None, ack, xml_sha256, note).await
    }

    async fn take_in(
        &self,
        environment: Environment,
        feed: Option<(&str, i64)>,
        ack: &Acknowledgement,
        xml_sha256: &str,
        note: &ChangeNote,
    ) -> Result<AckIntake, StoreError> {
        let message_id = ack.header.message_id.as_str();
        let sequence = feed.map(|(_, sequence)| sequence);
        let mut tx = self.begin_write().await?;
        // A concurrent intake of the same message waits here for the first to finish.
        let inserted = tx
            .fetch_optional(
                "INSERT INTO acknowledgements (message_id, received_at, environment, sequence, \
                 acknowledgement_date, reference_message_id, entry_count, xml_sha256) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (message_id) DO NOTHING RETURNING id",
                args![
                    message_id,
                    note.at,
                    environment.as_str(),
                    sequence,
                    date_text(ack.acknowledgement_date),
                    ack.header
                        .reference_message_id
                        .as_ref()
                        .map(|id| id.as_str()),
                    i64::try_from(ack.entries.len()).unwrap_or(i64::MAX),
                    xml_sha256
                ],
            )
            .await?;
        let Some(row) = inserted else {
            if let Some((cursor, sequence)) = feed {
                advance(&mut tx, cursor, sequence).await?;
            }
            tx.commit().await?;
            return Ok(AckIntake::default());
        };
        let acknowledgement_id = row.int("id")?;
        let numbers: BTreeSet<AvsNumber> =
            ack.entries.iter().flat_map(ack_codec::numbers).collect();
        let persons = person_ids(&mut tx, &numbers, note.at).await?;
        let (mut matches, found) = match_entries(&mut tx, environment, &ack.entries).await?;
        let mismatches =
            cross_check_transmissions(&mut tx, &ack.entries, &mut matches, &found).await?;
        let matched_ids: BTreeSet<i64> = matches.iter().flatten().copied().collect();
        let mut states: BTreeMap<i64, AnnouncementState> = match tx.backend() {
            // The match read their states: SQLite's one writer is this transaction.
            Backend::Sqlite => matched_ids
                .iter()
                .filter_map(|id| Some((*id, found.get(id)?.state)))
                .collect(),
            // Held in id order before any is changed, and read again once held.
            Backend::Postgres if !matched_ids.is_empty() => {
                lock_announcements(&mut tx, &matched_ids)
                    .await?
                    .into_iter()
                    .map(|(id, state, _)| (id, state))
                    .collect()
            }
            Backend::Postgres => BTreeMap::new(),
        };
        store_entries(
            &mut tx,
            acknowledgement_id,
            &ack.entries,
            &matches,
            &persons,
        )
        .await?;
        record_mismatches(&mut tx, acknowledgement_id, &mismatches).await?;
        // N. 3302, 2211: the cases that need a person become operator tasks.
        let tasks = operator_tasks::create_tasks(
            &mut tx,
            acknowledgement_id,
            &ack.entries,
            &matches,
            note.at,
        )
        .await?;
        record_assigned_numbers(&mut tx, &ack.entries, &matches, &persons).await?;
        let mut intake = AckIntake {
            new: true,
            entries: ack.entries.len(),
            mismatched: mismatches.len(),
            tasks: usize::try_from(tasks).unwrap_or(usize::MAX),
            ..AckIntake::default()
        };
        // The entries apply in their order: a later one sees the state an earlier one left.
        let mut changes = Vec::new();
        for (entry, matched) in ack.entries.iter().zip(&matches) {
            match matched {
                None => intake.unmatched += 1,
                Some(id) => {
                    intake.matched += 1;
                    let state = states.get_mut(id).ok_or(StoreError::NotFound {
                        what: "announcement",
                        id: *id,
                    })?;
                    if apply(*id, state, entry, message_id, &mut changes) {
                        intake.applied += 1;
                    }
                }
            }
        }
        let (mut changes, repeats) = split_repeats(changes);
        start_processing_deadlines(&mut changes, ack.acknowledgement_date);
        history::set_states(&mut tx, &changes, note.at, &note.actor).await?;
        let fund_of = |id| found.get(&id).map(|f| f.fund.as_str());
        history::append_all(&mut tx, &repeats, fund_of, note.at, &note.actor).await?;
        if let Some((cursor, sequence)) = feed {
            advance(&mut tx, cursor, sequence).await?;
        }
        tx.commit().await?;
        Ok(intake)
    }

    /// Keeps an acknowledgement the reader refused, for operators (its error masked where it
    /// looks like an AVS number, and the SHA-256 of its bytes), and advances cursor `cursor` to
    /// `sequence`, in one transaction. A second record of the same environment and sequence
    /// changes nothing but the cursor.
    pub async fn record_unreadable_acknowledgement(
        &self,
        environment: Environment,
        cursor: &str,
        sequence: i64,
        error: &str,
        xml_sha256: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let error: String = redact(error).chars().take(MAX_ERROR_CHARS).collect();
        let mut tx = self.begin_write().await?;
        tx.execute(
            "INSERT INTO unreadable_acknowledgements (environment, sequence, received_at, error, \
             xml_sha256) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (environment, sequence) DO NOTHING",
            args![environment.as_str(), sequence, at, error, xml_sha256],
        )
        .await?;
        advance(&mut tx, cursor, sequence).await?;
        tx.commit().await
    }

    /// The acknowledgement entries of announcement `announcement_id`, oldest first.
    pub async fn entries_of(&self, announcement_id: i64) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_ENTRY);
        sql.push(" WHERE e.announcement_id = ")
            .push_arg(announcement_id)
            .push(" ORDER BY e.id");
        self.read_entries(sql).await
    }

    /// The entries that matched no announcement, newest first; at most `limit` (1 to
    /// [`super::MAX_PAGE`]).
    pub async fn unmatched_entries(&self, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_ENTRY);
        sql.push(" WHERE e.announcement_id IS NULL ORDER BY e.id DESC LIMIT ")
            .push_arg(i64::from(limit.clamp(1, super::MAX_PAGE)));
        self.read_entries(sql).await
    }

    /// The date of the first acknowledgement that said "still being processed" (processing
    /// code 2) of announcement `announcement_id` since it became `in_progress`: the 15 working
    /// days of N. 3401 run from it, whatever later acknowledgements repeat (N. 3202). `None`
    /// when it is not `in_progress` (or no entry says so).
    pub async fn first_in_progress_date(
        &self,
        announcement_id: i64,
    ) -> Result<Option<NaiveDate>, StoreError> {
        let rows = self
            .fetch_all(
                "SELECT e.id, k.acknowledgement_date FROM acknowledgement_entries e \
                 JOIN acknowledgements k ON k.id = e.acknowledgement_id \
                 JOIN announcements a ON a.id = e.announcement_id \
                 WHERE e.announcement_id = $1 AND e.processing_code = $2 \
                 AND a.state = 'in_progress' AND k.received_at >= a.state_since \
                 ORDER BY e.id LIMIT 1",
                args![announcement_id, i64::from(Processing::InProgress.code())],
            )
            .await?;
        match rows.first() {
            None => Ok(None),
            Some(row) => Ok(Some(parse_date(row, row.int("id")?)?)),
        }
    }

    /// The AVS number the ZAS assigned to announcement `announcement_id`, sent without one
    /// (N. 1102, 1203); `None` when it had one or none was assigned yet.
    pub async fn assigned_avs_number(
        &self,
        announcement_id: i64,
    ) -> Result<Option<AvsNumber>, StoreError> {
        let rows = self
            .fetch_all(
                "SELECT p.id, p.avs_number FROM announcements a \
                 JOIN persons p ON p.id = a.assigned_person_id WHERE a.id = $1",
                args![announcement_id],
            )
            .await?;
        match rows.first() {
            None => Ok(None),
            Some(row) => parse_stored(Some(row.text("avs_number")?), Some(row.int("id")?)),
        }
    }

    async fn read_entries(&self, sql: SqlBuilder) -> Result<Vec<StoredEntry>, StoreError> {
        let (sql, args) = sql.finish();
        let mut tx = self.begin_read().await?;
        let rows = tx.fetch_all(sql, args).await?;
        let mut parsed = Vec::with_capacity(rows.len());
        let mut person_ids = BTreeSet::new();
        for row in &rows {
            let id = row.int("id")?;
            let details = StoredDetails::from_json(&row.text("details")?)
                .map_err(|e| StoreError::corrupt(e.what(), id))?;
            person_ids.extend(details.person_ids());
            person_ids.extend(row.opt_int("person_id")?);
            parsed.push((row, details));
        }
        let numbers = numbers_of(&mut tx, person_ids).await?;
        tx.commit().await?;
        parsed
            .into_iter()
            .map(|(row, details)| decode_entry(row, details, &numbers))
            .collect()
    }
}

/// What the match read of a matched announcement: its fund, its state, and the transmission
/// that carried it.
struct Found {
    fund: String,
    state: AnnouncementState,
    transmission_id: i64,
}

/// For each entry, the announcement of `environment` in a transmission with its fund and
/// reference (announced once, a rule of the system on the fund's own reference, N. 3105: at
/// most one per environment), and what was read of each announcement matched: one statement
/// for all. An acknowledgement of ABN never touches a PROD announcement, nor the other way
/// round.
async fn match_entries(
    tx: &mut Tx,
    environment: Environment,
    entries: &[AcknowledgementEntry],
) -> Result<(Vec<Option<i64>>, BTreeMap<i64, Found>), StoreError> {
    if entries.is_empty() {
        return Ok((Vec::new(), BTreeMap::new()));
    }
    let keys: Vec<(String, &str)> = entries
        .iter()
        .map(|e| (e.fund.to_string(), e.reference.as_str()))
        .collect();
    let (sql, args) = match_statement(tx.backend(), environment, &keys);
    let mut ids = BTreeMap::new();
    let mut found = BTreeMap::new();
    for row in tx.fetch_all(sql, args).await? {
        let id = row.int("id")?;
        let fund = row.text("fund")?;
        ids.insert((fund.clone(), row.text("reference")?), id);
        let state = state_of(&row, "state", id)?;
        let transmission_id = row.int("transmission_id")?;
        found.insert(
            id,
            Found {
                fund,
                state,
                transmission_id,
            },
        );
    }
    let matches = keys
        .into_iter()
        .map(|(fund, reference)| ids.get(&(fund, reference.to_string())).copied())
        .collect();
    Ok((matches, found))
}

/// The statement of [`match_entries`]: the announcements of `environment` sent with these
/// funds and references, with their state and transmission. The keys are read once, as the
/// outer loop (`CROSS JOIN` keeps SQLite from scanning the announcements and parsing the keys
/// again for each of them).
pub(super) fn match_statement(
    backend: Backend,
    environment: Environment,
    keys: &[(String, &str)],
) -> (Sql, Vec<Arg>) {
    let mut sql =
        SqlBuilder::new("SELECT a.id, a.fund, a.reference, a.state, a.transmission_id FROM ");
    sql.push_rows(backend, keys)
        .push(" r CROSS JOIN announcements a WHERE a.environment = ")
        .push_arg(environment.as_str())
        .push(
            " AND a.fund = r.value->>0 AND a.reference = r.value->>1 \
             AND a.transmission_id IS NOT NULL",
        );
    sql.finish()
}

/// An entry whose fund and reference matched an announcement but that names another
/// transmission: its position in the acknowledgement and why it is not applied.
struct Mismatch {
    position: usize,
    why: String,
}

/// Cross-checks each matched entry that names the transmission it answers against the
/// transmission that carried its announcement (`found`, as the match read it): on a mismatch
/// the entry is taken out of `matches` (kept, not applied; listed for operators with the
/// unmatched ones) and returned with the reason. The message id of each transmission concerned
/// is read by its id: one or two for an acknowledgement of a transmission of a thousand.
async fn cross_check_transmissions(
    tx: &mut Tx,
    entries: &[AcknowledgementEntry],
    matches: &mut [Option<i64>],
    found: &BTreeMap<i64, Found>,
) -> Result<Vec<Mismatch>, StoreError> {
    let carriers: BTreeSet<i64> = entries
        .iter()
        .zip(matches.iter())
        .filter(|(e, _)| e.message_id.is_some())
        .filter_map(|(_, m)| Some(found.get(&(*m)?)?.transmission_id))
        .collect();
    if carriers.is_empty() {
        return Ok(Vec::new());
    }
    let mut message_ids = BTreeMap::new();
    for id in carriers {
        let (sql, args) = carrier_statement(id);
        if let Some(row) = tx.fetch_optional(sql, args).await? {
            message_ids.insert(id, row.text("message_id")?);
        }
    }
    let mut mismatches = Vec::new();
    for (position, (entry, matched)) in entries.iter().zip(matches.iter_mut()).enumerate() {
        let (Some(named), Some(id)) = (&entry.message_id, *matched) else {
            continue;
        };
        let carried = found
            .get(&id)
            .and_then(|f| message_ids.get(&f.transmission_id))
            .map_or("none", String::as_str);
        if carried != named.as_str() {
            mismatches.push(Mismatch {
                position,
                why: format!(
                    "the entry answers transmission {named}, but announcement {id} (fund {}, \
                     reference {}) went in transmission {carried}: not applied",
                    entry.fund,
                    entry.reference.as_str()
                ),
            });
            *matched = None;
        }
    }
    Ok(mismatches)
}

/// The statement of [`cross_check_transmissions`]: the message id of transmission `id`, by
/// its key (not among the plans `plans.rs` checks: it reads a row or two per acknowledgement,
/// and PostgreSQL rightly reads the hundred transmissions of the checks' database whole).
fn carrier_statement(id: i64) -> (&'static str, Vec<Arg>) {
    (
        "SELECT message_id FROM transmissions WHERE id = $1",
        args![id],
    )
}

/// N. 1102, 1203: only the ZAS assigns AVS numbers. A certificate announcement (11, 13, 19,
/// 21, …) sent without one that the ZAS has dealt with gets the number its entry carries (or
/// its certificate's): the person of that number — added by `person_ids`, or the one already
/// known, so a number is stored once — becomes the announcement's assigned person. Its own
/// person reference and particulars stay as they were sent (its XML is written again from them
/// byte for byte, N. 3403). A first assignment is kept. One statement for all.
async fn record_assigned_numbers(
    tx: &mut Tx,
    entries: &[AcknowledgementEntry],
    matches: &[Option<i64>],
    persons: &BTreeMap<AvsNumber, i64>,
) -> Result<(), StoreError> {
    let mut assigned: BTreeMap<i64, i64> = BTreeMap::new();
    for (entry, matched) in entries.iter().zip(matches) {
        let Some(id) = matched else {
            continue;
        };
        if entry.processing != Processing::Done || entry.key.group() != KeyGroup::CertificateIssue {
            continue;
        }
        let number = entry.avs_number.or(match &entry.result {
            Some(AcknowledgementResult::Certificate(print)) => Some(print.avs_number),
            _ => None,
        });
        if let Some(person) = number.and_then(|n| persons.get(&n)) {
            assigned.entry(*id).or_insert(*person);
        }
    }
    if assigned.is_empty() {
        return Ok(());
    }
    let rows: Vec<Value> = assigned
        .iter()
        .map(|(id, person)| json!([id, person]))
        .collect();
    let mut sql = SqlBuilder::new(
        "UPDATE announcements SET assigned_person_id = CAST(r.value->>1 AS bigint) FROM ",
    );
    sql.push_rows(tx.backend(), &rows).push(
        " r WHERE announcements.id = CAST(r.value->>0 AS bigint) \
         AND announcements.person_id IS NULL AND announcements.assigned_person_id IS NULL \
         AND announcements.purged_at IS NULL",
    );
    let (sql, args) = sql.finish();
    tx.execute(sql, args).await?;
    Ok(())
}

/// Writes the reason of each mismatch to its stored entry (rare: one statement each).
async fn record_mismatches(
    tx: &mut Tx,
    acknowledgement_id: i64,
    mismatches: &[Mismatch],
) -> Result<(), StoreError> {
    for m in mismatches {
        tx.execute(
            "UPDATE acknowledgement_entries SET mismatch = $1 \
             WHERE acknowledgement_id = $2 AND position = $3",
            args![
                redact(&m.why).into_owned(),
                acknowledgement_id,
                i64::try_from(m.position).unwrap_or(i64::MAX)
            ],
        )
        .await?;
    }
    Ok(())
}

/// Stores the entries, in their order, with the announcements they matched: one statement.
async fn store_entries(
    tx: &mut Tx,
    acknowledgement_id: i64,
    entries: &[AcknowledgementEntry],
    matches: &[Option<i64>],
    persons: &BTreeMap<AvsNumber, i64>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let encode_error = |_| StoreError::Encode {
        what: "acknowledgement entry",
    };
    let rows = entries
        .iter()
        .zip(matches)
        .enumerate()
        .map(|(position, (entry, announcement_id))| {
            let details = ack_codec::encode(entry, persons)
                .map_err(encode_error)?
                .to_json()
                .map_err(encode_error)?;
            Ok((
                position,
                *announcement_id,
                entry.fund.to_string(),
                entry.reference.as_str(),
                entry.key.code(),
                entry.avs_number.and_then(|n| persons.get(&n).copied()),
                entry.message_id.as_ref().map(|id| id.as_str()),
                entry.processing.code(),
                details,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut sql = SqlBuilder::new(
        "INSERT INTO acknowledgement_entries (acknowledgement_id, position, announcement_id, \
         fund, reference, key_code, person_id, message_id, processing_code, details) SELECT ",
    );
    sql.push_arg(acknowledgement_id)
        .push(
            ", CAST(value->>0 AS bigint), CAST(value->>1 AS bigint), value->>2, value->>3, \
             CAST(value->>4 AS bigint), CAST(value->>5 AS bigint), value->>6, \
             CAST(value->>7 AS bigint), value->>8 FROM ",
        )
        .push_rows(tx.backend(), &rows);
    let (sql, args) = sql.finish();
    tx.execute(sql, args).await?;
    Ok(())
}

/// N. 3401, 3202: the 15 working days of the announcements this acknowledgement makes
/// `in_progress` (from another state: the repeats are split off before) start on its `date`
/// (PROD only: [`history::set_states`] writes it with the state, once).
fn start_processing_deadlines(changes: &mut [StateChange], date: NaiveDate) {
    for change in changes
        .iter_mut()
        .filter(|c| c.to == AnnouncementState::InProgress)
    {
        change.deadline_start = Some(date);
    }
}

/// The state an entry leads to, and the words for its history.
fn outcome(entry: &AcknowledgementEntry) -> (AnnouncementState, &'static str) {
    match entry.processing {
        Processing::Done => (AnnouncementState::Done, "dealt with"),
        Processing::InProgress if entry.investigation.is_some() => {
            (AnnouncementState::Investigate, "invitation to investigate")
        }
        Processing::InProgress => (AnnouncementState::InProgress, "still being processed"),
        Processing::Refused(_) => (AnnouncementState::Rejected, "refused"),
    }
}

/// Moves announcement `id`, in `state`, as a matched entry says, if the lifecycle allows it:
/// the changes are added to `changes` and `state` follows them. Returns whether the entry
/// changed its state.
fn apply(
    id: i64,
    state: &mut AnnouncementState,
    entry: &AcknowledgementEntry,
    message_id: &str,
    changes: &mut Vec<StateChange>,
) -> bool {
    if state.is_final() {
        return false;
    }
    let (to, words) = outcome(entry);
    if *state == AnnouncementState::Sending {
        changes.push(StateChange::new(
            id,
            Some(*state),
            AnnouncementState::Announced,
            format!(
                "acknowledgement {message_id}: acknowledged by the ZAS before its receipt was \
                 recorded"
            ),
        ));
        *state = AnnouncementState::Announced;
    }
    if !state.can_become(to) {
        return false;
    }
    let code = entry.processing.code();
    changes.push(StateChange::new(
        id,
        Some(*state),
        to,
        format!("acknowledgement {message_id}: processing code {code} ({words})"),
    ));
    *state = to;
    true
}

/// Splits `changes` into the changes of state and the repeats (N. 3202, 3401): an
/// acknowledgement that says "still being processed" again mentions the case "with a new
/// comment" — neither dealt with nor an invitation to investigate — so it does not restart the
/// 15 working days. The changes of an announcement that are all such repeats (`in_progress` →
/// `in_progress`) are only written to its history, keeping its `state_since`, from which the
/// first "still being processed" is found; the others change the state.
fn split_repeats(changes: Vec<StateChange>) -> (Vec<StateChange>, Vec<StateChange>) {
    let moved: BTreeSet<i64> = changes
        .iter()
        .filter(|c| !(c.from == Some(c.to) && c.to == AnnouncementState::InProgress))
        .map(|c| c.id)
        .collect();
    changes.into_iter().partition(|c| moved.contains(&c.id))
}

/// Moves cursor `name` forward to `sequence` (never back).
pub(super) async fn advance(tx: &mut Tx, name: &str, sequence: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO feed_cursors (name, position) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET position = excluded.position \
         WHERE feed_cursors.position < excluded.position",
        args![name, sequence],
    )
    .await?;
    Ok(())
}

/// Dates are stored as `YYYY-MM-DD` text on both back ends.
fn parse_date(row: &Row, id: i64) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(&row.text("acknowledgement_date")?, "%Y-%m-%d")
        .map_err(|_| StoreError::corrupt("acknowledgement date", id))
}

fn decode_entry(
    row: &Row,
    details: StoredDetails,
    numbers: &BTreeMap<i64, AvsNumber>,
) -> Result<StoredEntry, StoreError> {
    let id = row.int("id")?;
    let corrupt = |what| StoreError::corrupt(what, id);
    let person = row.opt_int("person_id")?;
    let avs_number = match person {
        None => None,
        Some(person) => Some(
            *numbers
                .get(&person)
                .ok_or_else(|| corrupt("person of the acknowledgement entry"))?,
        ),
    };
    let details = details.decode(numbers).map_err(|e| corrupt(e.what()))?;
    let processing = u8::try_from(row.int("processing_code")?)
        .ok()
        .and_then(Processing::from_code)
        .ok_or_else(|| corrupt("processing code"))?;
    let message_id = match row.opt_text("message_id")? {
        None => None,
        Some(text) => Some(MessageId::new(&text).map_err(|_| corrupt("message id of the entry"))?),
    };
    Ok(StoredEntry {
        id,
        acknowledgement_message_id: row.text("acknowledgement_message_id")?,
        acknowledgement_date: parse_date(row, id)?,
        announcement_id: row.opt_int("announcement_id")?,
        mismatch: row.opt_text("mismatch")?,
        entry: AcknowledgementEntry {
            fund: FundNumber::parse(&row.text("fund")?).map_err(|_| corrupt("fund number"))?,
            reference: Reference::stored(&row.text("reference")?)
                .map_err(|_| corrupt("reference"))?,
            key: KeyCode::from_register(row.int("key_code")?).map_err(|_| corrupt("key code"))?,
            avs_number,
            message_id,
            processing,
            observations: details.observations,
            wrong_fields: details.wrong_fields,
            investigation: details.investigation,
            result: details.result,
        },
    })
}
