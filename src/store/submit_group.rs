//! The submissions of a group ([`super::group_commit`]) stored together: one statement per
//! table for all of them in three hand-overs to SQLite's worker thread (persons; announcements;
//! history, state events, Idempotency-Keys and submission events) instead of a savepoint and
//! ten or so statements for each, every one a hand-over and back.
//!
//! Only the plain case is stored together: submissions of one environment, no revocation
//! of an RCI (whose link to the RCI it revokes depends on what was stored before it), every
//! announcement new and every Idempotency-Key unused. Anything else — an announcement stored
//! before or twice in the group, a key used before or twice, any error — is undone (the
//! transaction is rolled back; storing together is the first thing it does) and the group is
//! stored one submission at a time, where each is answered as if alone. What is stored
//! together is what those would store: the same rows with the same times, actors and causes,
//! announcements numbered in the group's order; only the audit log holds the group's state
//! events before its submission events rather than interleaved.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::audit;
use super::error::StoreError;
use super::history::{self, ChangeNote, Noted, StateChange};
use super::idempotency::{self, KeyClaim};
use super::persons::person_ids_added;
use super::sql::Tx;
use super::submit::{
    PersonRefs, Prepared, Submission, Submitted, ids_by_key, insert_statement, person_numbers,
};
use crate::domain::{AnnouncementState, AvsNumber, Environment, Particulars};

/// What became of a group's submissions in [`store_together`].
pub(super) enum Together {
    /// Stored together: each submission's answer, in order.
    Stored(Vec<Vec<Submitted>>),
    /// Not the plain case: nothing was written.
    Apart,
    /// Storing them together failed (they are not the plain case after all, or an error):
    /// the transaction is to be rolled back before they are stored one at a time.
    Undo,
}

/// Stores `submissions` together in `tx`, a transaction in which nothing was written yet,
/// when they are the plain case.
pub(super) async fn store_together(tx: &mut Tx, submissions: &[&Submission]) -> Together {
    let Some(environment) = plain(submissions) else {
        return Together::Apart;
    };
    match insert_together(tx, environment, submissions).await {
        Ok(Some(answers)) => Together::Stored(answers),
        Ok(None) => Together::Undo,
        Err(e) => {
            // Stored one at a time, the submission that caused it fails alone.
            tracing::debug!(error = %e, "a group of submissions is stored one at a time");
            Together::Undo
        }
    }
}

/// The environment of `submissions` if they are the plain case (see the module's comment).
fn plain(submissions: &[&Submission]) -> Option<Environment> {
    let environment = submissions.first()?.environment;
    let plain = submissions.iter().all(|s| {
        s.environment == environment
            && s.announcements.iter().all(|a| {
                // N. 2720: a revocation links to the RCI it revokes, as stored before it.
                !matches!(a.particulars(), Particulars::CollectionRevocation { .. })
            })
    });
    plain.then_some(environment)
}

/// The statements of [`store_together`]; `None` when an announcement was stored before or is
/// twice in the group (the caller undoes what was written).
async fn insert_together(
    tx: &mut Tx,
    environment: Environment,
    submissions: &[&Submission],
) -> Result<Option<Vec<Vec<Submitted>>>, StoreError> {
    // A new person is created at the time of the first submission that names it.
    let mut numbers: BTreeMap<AvsNumber, DateTime<Utc>> = BTreeMap::new();
    for s in submissions {
        for number in person_numbers(&s.encoded) {
            numbers.entry(number).or_insert(s.note.at);
        }
    }
    let persons = person_ids_added(tx, &numbers).await?;
    let mut rows = Vec::new();
    for s in submissions {
        for (announcement, (stored, numbers)) in s.announcements.iter().zip(&s.encoded) {
            let refs = PersonRefs::of(numbers, &persons);
            rows.push(Prepared::new(announcement, stored, refs, s.note.at)?);
        }
    }
    let (sql, args) = insert_statement(tx.backend(), environment, &rows);
    let inserted = ids_by_key(&tx.fetch_all(sql, args).await?)?;
    // N. 3105: each announced once; one stored before (or twice here) is answered alone.
    if inserted.len() < rows.len() {
        return Ok(None);
    }
    let mut rows = rows.iter();
    let mut answers = Vec::with_capacity(submissions.len());
    for s in submissions {
        let answer = rows
            .by_ref()
            .take(s.len())
            .map(|row| {
                let key = row.key();
                let id = inserted.get(&key).copied().ok_or(StoreError::Corrupt {
                    what: "announcement inserted",
                    id: None,
                })?;
                Ok(Submitted {
                    id,
                    created: true,
                    revokes: None,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        answers.push(answer);
    }
    let changes: Vec<(StateChange, &ChangeNote)> = submissions
        .iter()
        .zip(&answers)
        .flat_map(|(s, answer)| {
            answer.iter().map(|a| {
                let change = StateChange::new(a.id, None, AnnouncementState::Queued, &s.note.cause);
                (change, &s.note)
            })
        })
        .collect();
    // The fund of each announcement inserted.
    let funds: BTreeMap<i64, &str> = inserted
        .iter()
        .map(|((fund, _), &id)| (id, fund.as_str()))
        .collect();
    let noted = changes
        .iter()
        .map(|(change, note)| {
            let fund_of = |id| funds.get(&id).copied();
            Noted::of(change, fund_of, note.at, note.actor.as_str())
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // The history and audit log of every announcement, the keys with their answers and the
    // submissions' events: one hand-over to SQLite's worker thread. A key claimed before (or
    // twice here) fails it: each is then claimed alone.
    let backend = tx.backend();
    let mut statements = history::append_statements(backend, &noted)?;
    let claims: Vec<(&KeyClaim, &[Submitted], DateTime<Utc>)> = submissions
        .iter()
        .zip(&answers)
        .filter_map(|(s, answer)| Some((s.key.as_ref()?, answer.as_slice(), s.note.at)))
        .collect();
    if !claims.is_empty() {
        statements.push(idempotency::claims_answered_statement(backend, &claims));
    }
    let events: Vec<_> = submissions
        .iter()
        .zip(&answers)
        .filter_map(|(s, answer)| (s.audit)(answer))
        .collect();
    if !events.is_empty() {
        statements.push(audit::insert_statement(backend, &events));
    }
    tx.execute_all(statements).await?;
    Ok(Some(answers))
}
