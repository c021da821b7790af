//! Taking in announcements from a fund: all or nothing, and each announced once (N. 2104).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Store;
use super::codec::{self, StoredParticulars};
use super::error::StoreError;
use super::history::{self, ChangeNote};
use super::persons::person_id;
use super::sql::{Tx, args};
use crate::digest::sha256_hex;
use crate::domain::{Announcement, AnnouncementState, AvsNumber};

/// The stored id of a submitted announcement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub id: i64,
    /// `false` when the same announcement was stored before and nothing new was stored.
    pub created: bool,
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
    /// Stores announcements as `queued`, all or none, in one transaction.
    ///
    /// N. 2104: each announcement is announced once. An announcement whose fund and reference
    /// are stored already is not stored again: with the same content its stored id is returned
    /// (`created: false`); with other content the whole submission fails with
    /// [`StoreError::Conflict`] naming the stored announcement.
    /// (A reference never holds an AVS number: [`crate::domain::Reference`] refuses one.)
    pub async fn submit(
        &self,
        announcements: &[Announcement],
        note: &ChangeNote,
    ) -> Result<Vec<Submitted>, StoreError> {
        let encoded: Vec<_> = announcements
            .iter()
            .map(|a| codec::encode(a.particulars()))
            .collect();
        let mut tx = self.begin_write().await?;
        // Persons first, in the order of their numbers: concurrent submissions naming the same
        // persons then lock them in the same order and cannot deadlock.
        let numbers: BTreeSet<AvsNumber> = encoded
            .iter()
            .flat_map(|(_, n)| [n.insured, n.beneficiary, n.spouse])
            .flatten()
            .collect();
        let mut persons = BTreeMap::new();
        for number in numbers {
            persons.insert(number, person_id(&mut tx, number, note.at).await?);
        }
        let person = |number: Option<AvsNumber>| number.and_then(|n| persons.get(&n).copied());
        let mut submitted = Vec::with_capacity(announcements.len());
        for (index, (announcement, (stored, numbers))) in
            announcements.iter().zip(&encoded).enumerate()
        {
            let refs = PersonRefs {
                insured: person(numbers.insured),
                beneficiary: person(numbers.beneficiary),
                spouse: person(numbers.spouse),
            };
            submitted.push(submit_one(&mut tx, index, announcement, stored, refs, note).await?);
        }
        tx.commit().await?;
        Ok(submitted)
    }
}

/// The person ids an announcement refers to.
#[derive(Clone, Copy)]
struct PersonRefs {
    insured: Option<i64>,
    beneficiary: Option<i64>,
    spouse: Option<i64>,
}

async fn submit_one(
    tx: &mut Tx,
    index: usize,
    announcement: &Announcement,
    stored: &StoredParticulars,
    persons: PersonRefs,
    note: &ChangeNote,
) -> Result<Submitted, StoreError> {
    let PersonRefs {
        insured: person_id,
        beneficiary: beneficiary_person_id,
        spouse: spouse_person_id,
    } = persons;
    let fund = announcement.fund().to_string();
    let reference = announcement.reference().as_str();
    let canonical = Canonical {
        form: 1,
        fund: fund.clone(),
        reference,
        key: announcement.key().code(),
        person_id,
        beneficiary_person_id,
        spouse_person_id,
        particulars: stored,
    };
    let hash = sha256_hex(
        &serde_json::to_vec(&canonical).map_err(|_| StoreError::Encode {
            what: "announcement to submit",
        })?,
    );
    let json = stored.to_json().map_err(|_| StoreError::Encode {
        what: "announcement to submit",
    })?;
    let queued = AnnouncementState::Queued.as_str();
    let inserted = tx
        .fetch_optional(
            "INSERT INTO announcements (fund, reference, key_code, person_id, \
             beneficiary_person_id, spouse_person_id, particulars, content_hash, state, \
             state_since, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (fund, reference) DO NOTHING RETURNING id",
            args![
                fund.as_str(),
                reference,
                i64::from(announcement.key().code()),
                person_id,
                beneficiary_person_id,
                spouse_person_id,
                json,
                hash.as_str(),
                queued,
                note.at,
                note.at
            ],
        )
        .await?;
    if let Some(row) = inserted {
        let id = row.int("id")?;
        history::append(tx, id, None, AnnouncementState::Queued, note).await?;
        return Ok(Submitted { id, created: true });
    }
    // N. 2104: stored before: the same announcement, or a conflict.
    let existing = tx
        .fetch_one(
            "SELECT id, content_hash FROM announcements WHERE fund = $1 AND reference = $2",
            args![fund.as_str(), reference],
        )
        .await?;
    let existing_id = existing.int("id")?;
    if existing.text("content_hash")? == hash {
        Ok(Submitted {
            id: existing_id,
            created: false,
        })
    } else {
        Err(StoreError::Conflict { index, existing_id })
    }
}
