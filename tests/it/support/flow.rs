//! Announcements driven through the store as the engine would drive them: submitted, claimed,
//! transmitted, acknowledged, on a chosen day and in a chosen ZAS environment. Shared by the
//! deadline and environment tests.

use arcgw::domain::{
    Acknowledgement, AcknowledgementEntry, Announcement, AvsNumber, BirthDate, Environment,
    FundNumber, KeyCode, MessageHeader, MessageId, ParticipantId, Particulars, Person, PersonName,
    Processing, Reference, Sex, StateCode,
};
use arcgw::store::{Attempt, AttemptOutcome, ChangeNote, NewTransmission, NextStep, Store};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::support::db::avs;

pub const FUND: &str = "066.000";
pub const SHA: &str = "5e9c0f3aa1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbcc";

pub fn fund(text: &str) -> FundNumber {
    FundNumber::parse(text).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `hh:mm` on that day in Geneva.
pub fn geneva(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Zurich
        .with_ymd_and_hms(y, m, d, hh, mm, 0)
        .unwrap()
        .to_utc()
}

pub fn note(at: DateTime<Utc>, cause: &str) -> ChangeNote {
    ChangeNote::new(at, "test:runner", cause)
}

/// An opening of a CI (key 61) of fund 066.000.
pub fn account(reference: &str, number: u64) -> Announcement {
    Announcement::new(
        FundNumber::parse(FUND).unwrap(),
        Reference::new(reference).unwrap(),
        KeyCode::new(61).unwrap(),
        Particulars::Account {
            avs_number: avs(number),
        },
    )
    .unwrap()
}

/// An issue of a certificate (key 11) of fund 066.000, sent without an AVS number, for Muster,
/// a person without given names (`NN`, N. 3110).
pub fn certificate_without_given_names(reference: &str) -> Announcement {
    Announcement::new(
        FundNumber::parse(FUND).unwrap(),
        Reference::new(reference).unwrap(),
        KeyCode::new(11).unwrap(),
        Particulars::Certificate {
            avs_number: None,
            person: Person {
                name: PersonName::fit("Muster", "").unwrap().0,
                sex: Sex::Female,
                birth_date: BirthDate::Year(1980),
                country: StateCode::new(100).unwrap(),
            },
        },
    )
    .unwrap()
}

pub fn header(message_id: &str, sender: &str, recipient: &str, at: DateTime<Utc>) -> MessageHeader {
    MessageHeader {
        sender_id: ParticipantId::new(sender).unwrap(),
        recipient_id: ParticipantId::new(recipient).unwrap(),
        message_id: MessageId::new(message_id).unwrap(),
        reference_message_id: None,
        message_date: at,
        test_delivery: true,
    }
}

/// An acknowledgement of `date` saying `code` (0 dealt with, 2 still being processed) of
/// the announcement `reference` of key 61 of fund 066.000.
pub fn ack(message_id: &str, date: NaiveDate, reference: &str, code: u8) -> Acknowledgement {
    ack_about(message_id, date, &account(reference, 1), code)
}

/// An acknowledgement of `date` saying `code` about announcement `a` (its fund, reference and
/// key).
pub fn ack_about(message_id: &str, date: NaiveDate, a: &Announcement, code: u8) -> Acknowledgement {
    Acknowledgement {
        header: header(
            message_id,
            "T6-ZAS-1",
            "T7-066000-1",
            geneva(2026, 12, 1, 9, 0),
        ),
        acknowledgement_date: date,
        entries: vec![AcknowledgementEntry {
            fund: a.fund(),
            ..entry(a.reference().as_str(), a.key().code().into(), None, code)
        }],
    }
}

/// An entry of fund 066.000 about `reference` of `key` saying `code`, with `number` when the
/// ZAS sends one, and nothing else.
pub fn entry(
    reference: &str,
    key: i64,
    number: Option<AvsNumber>,
    code: u8,
) -> AcknowledgementEntry {
    AcknowledgementEntry {
        fund: FundNumber::parse(FUND).unwrap(),
        reference: Reference::new(reference).unwrap(),
        key: KeyCode::new(key).unwrap(),
        avs_number: number,
        message_id: None,
        processing: Processing::from_code(code).unwrap(),
        observations: Vec::new(),
        wrong_fields: Vec::new(),
        investigation: None,
        result: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Steps through the store

/// Submits, claims and transmits these announcements in PROD at `at`: they are `announced`
/// since `at`.
pub async fn announce(
    store: &Store,
    batch: &[Announcement],
    message_id: &str,
    at: DateTime<Utc>,
) -> Vec<i64> {
    announce_in(store, Environment::Prod, batch, message_id, at).await
}

/// Submits and claims these announcements in `environment` at `at` (there must be no other
/// queued ones there): they are `sending`, in no transmission yet.
pub async fn submit_and_claim_in(
    store: &Store,
    environment: Environment,
    batch: &[Announcement],
    at: DateTime<Utc>,
) -> Vec<i64> {
    let ids: Vec<i64> = store
        .submit_in(environment, batch, &note(at, "submitted"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let claimed: Vec<i64> = store
        .claim_queued_in(environment, batch.len() as u32, &note(at, "claimed"))
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(claimed, ids);
    ids
}

/// [`announce`] in `environment`.
pub async fn announce_in(
    store: &Store,
    environment: Environment,
    batch: &[Announcement],
    message_id: &str,
    at: DateTime<Utc>,
) -> Vec<i64> {
    let ids = submit_and_claim_in(store, environment, batch, at).await;
    let transmission = store
        .create_transmission(
            &NewTransmission {
                header: &header(message_id, "T7-066000-1", "T6-ZAS-1", at),
                environment,
                announcement_ids: &ids,
                xml_sha256: SHA,
            },
            at,
        )
        .await
        .unwrap();
    record_sent(store, transmission, at).await;
    ids
}

/// Records that the ZAS took transmission `id` at `at` (receipt 100): its announcements are
/// `announced` since `at`.
pub async fn record_sent(store: &Store, id: i64, at: DateTime<Utc>) {
    store
        .record_attempt(
            id,
            &Attempt {
                outcome: AttemptOutcome::Transmitted,
                receipt_code: Some(100),
                detail: "receipt 100".to_string(),
            },
            &NextStep::Sent,
            &note(at, "transmission sent"),
        )
        .await
        .unwrap();
}

/// Takes in `a` as the PROD feed's acknowledgement number `sequence`, at `at`; it applies
/// to one announcement.
pub async fn take_in(store: &Store, sequence: i64, a: &Acknowledgement, at: DateTime<Utc>) {
    let intake = take_in_from(store, Environment::Prod, sequence, a, at).await;
    assert_eq!((intake.new, intake.applied), (true, 1));
}

/// Takes in `a` as the acknowledgement number `sequence` of `environment`'s feed, at `at`.
pub async fn take_in_from(
    store: &Store,
    environment: Environment,
    sequence: i64,
    a: &Acknowledgement,
    at: DateTime<Utc>,
) -> arcgw::store::AckIntake {
    store
        .take_in_acknowledgement(
            environment,
            &format!("acknowledgements:{environment}"),
            sequence,
            a,
            SHA,
            &note(at, "acknowledgement feed"),
        )
        .await
        .unwrap()
}
