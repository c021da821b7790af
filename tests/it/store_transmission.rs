//! Transmissions and acknowledgements in the store, on both back ends: every test runs on
//! SQLite, and on PostgreSQL when `ARCGW_TEST_PG_URL` is set (see `support::db`).

use std::collections::{BTreeMap, BTreeSet};

use arcgw::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, Announcement, AnnouncementState,
    AvsNumber, CertificatePrint, Environment, MessageHeader, MessageId, Observation, ParticipantId,
    Transmission,
};
use arcgw::store::{
    Attempt, AttemptOutcome, Backend, Made, NewTransmission, NextStep, Store, StoreError,
    StoredAnnouncement, TransmissionState,
};
use chrono::{NaiveDate, TimeDelta};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::support;
use crate::support::db::{TestDb, avs, columns, count, occurrences};
use crate::support::flow::{day, entry, fund};
use crate::support::store_data::{
    account, certificate, collection, note, one_of_each, order, person, splitting, t,
};

use AnnouncementState::*;

/// One text value read with direct SQL.
async fn text(store: &Store, sql: &'static str) -> String {
    match store {
        Store::Sqlite(pool) => sqlx::query(sql).fetch_one(pool).await.unwrap().get(0),
        Store::Postgres(pool) => sqlx::query(sql).fetch_one(pool).await.unwrap().get(0),
    }
}

// ---------------------------------------------------------------------------------------------
// Test data (and `support::store_data`)

const LEASE: TimeDelta = TimeDelta::minutes(10);
const SHA: &str = "5e9c0f3aa1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbcc";

fn header(message_id: &str) -> MessageHeader {
    MessageHeader {
        sender_id: ParticipantId::new("T7-066000-1").unwrap(),
        recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        message_id: MessageId::new(message_id).unwrap(),
        reference_message_id: None,
        message_date: t(0),
        test_delivery: true,
    }
}

fn ack(message_id: &str, date: NaiveDate, entries: Vec<AcknowledgementEntry>) -> Acknowledgement {
    Acknowledgement {
        header: MessageHeader {
            sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
            recipient_id: ParticipantId::new("T7-066000-1").unwrap(),
            message_id: MessageId::new(message_id).unwrap(),
            reference_message_id: None,
            message_date: t(0),
            test_delivery: true,
        },
        acknowledgement_date: date,
        entries,
    }
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn attempt(outcome: AttemptOutcome, receipt: Option<i64>, detail: &str) -> Attempt {
    Attempt {
        outcome,
        receipt_code: receipt,
        detail: detail.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Steps

/// Submits and claims these announcements (there must be no other queued ones).
async fn submit_and_claim(store: &Store, batch: &[Announcement], minute: i64) -> Vec<i64> {
    support::flow::submit_and_claim_in(store, Environment::Prod, batch, t(minute)).await
}

async fn create(store: &Store, message_id: &str, ids: &[i64], minute: i64) -> i64 {
    store
        .create_transmission(
            &NewTransmission {
                header: &header(message_id),
                environment: Environment::Prod,
                announcement_ids: ids,
                xml_sha256: SHA,
            },
            t(minute),
        )
        .await
        .unwrap()
}

/// Submits, claims and transmits these announcements: they are `announced`.
async fn announced(
    store: &Store,
    batch: &[Announcement],
    message_id: &str,
    minute: i64,
) -> Vec<i64> {
    let ids = submit_and_claim(store, batch, minute).await;
    let id = create(store, message_id, &ids, minute).await;
    store
        .record_attempt(
            id,
            &attempt(AttemptOutcome::Transmitted, Some(100), "receipt 100"),
            &NextStep::Sent,
            &note(minute, "transmission sent"),
        )
        .await
        .unwrap();
    ids
}

async fn state(store: &Store, id: i64) -> AnnouncementState {
    store.announcement(id).await.unwrap().announcement.state
}

async fn take_in(store: &Store, sequence: i64, a: &Acknowledgement) -> arcgw::store::AckIntake {
    store
        .take_in_acknowledgement(
            Environment::Prod,
            "acknowledgements:prod",
            sequence,
            a,
            SHA,
            &note(100 + sequence, "acknowledgement feed"),
        )
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Direct SQL, for what the store's interface does not show

// ---------------------------------------------------------------------------------------------
// Transmissions

async fn attempts_until_sent(db: TestDb) {
    let store = &db.store;
    let ids = submit_and_claim(
        store,
        &[order("O-1", 97, avs(1)), account("066.000", "A-1", avs(2))],
        0,
    )
    .await;
    let h = header("msg-1");
    let id = store
        .create_transmission(
            &NewTransmission {
                header: &h,
                environment: Environment::Prod,
                announcement_ids: &ids,
                xml_sha256: SHA,
            },
            t(2),
        )
        .await
        .unwrap();
    let (created, attempts) = store.transmission(id).await.unwrap();
    assert!(attempts.is_empty());
    assert_eq!(created.id, id);
    assert_eq!(created.header, h);
    assert_eq!(created.environment, Environment::Prod);
    assert_eq!(created.state, TransmissionState::Pending);
    assert_eq!(created.created_at, t(2));
    assert_eq!(created.next_attempt_at, Some(t(2)));
    assert_eq!(
        (
            created.attempts,
            created.sent_at,
            created.failure.as_deref()
        ),
        (0, None, None)
    );
    assert_eq!(created.xml_sha256, SHA);
    assert_eq!(created.announcement_count, 2);
    for a in &ids {
        let detail = store.announcement(*a).await.unwrap();
        assert_eq!(detail.announcement.transmission_id, Some(id));
        assert_eq!(detail.announcement.state, Sending);
    }

    // Not due before its time; leased once at a time.
    assert!(
        store
            .lease_due_transmission(Environment::Prod, t(1), LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let leased = store
        .lease_due_transmission(Environment::Prod, t(2), LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leased.id, id);
    assert_eq!(leased.next_attempt_at, Some(t(12)));
    assert!(
        store
            .lease_due_transmission(Environment::Prod, t(3), LEASE)
            .await
            .unwrap()
            .is_none()
    );

    // An error: try again later.
    let after_error = store
        .record_attempt(
            id,
            &attempt(AttemptOutcome::Error, None, "connection refused"),
            &NextStep::RetryAt(t(20)),
            &note(4, "transmission msg-1: connection refused"),
        )
        .await
        .unwrap();
    assert_eq!(after_error.state, TransmissionState::Pending);
    assert_eq!(after_error.attempts, 1);
    assert_eq!(after_error.next_attempt_at, Some(t(20)));
    assert_eq!(after_error.sent_at, None);
    for a in &ids {
        assert_eq!(state(store, *a).await, Sending);
    }
    assert!(
        store
            .lease_due_transmission(Environment::Prod, t(19), LEASE)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .lease_due_transmission(Environment::Prod, t(20), LEASE)
            .await
            .unwrap()
            .map(|r| r.id),
        Some(id)
    );

    // Transmitted: sent, and its announcements announced.
    let sent = store
        .record_attempt(
            id,
            &attempt(AttemptOutcome::Transmitted, Some(100), "receipt 100"),
            &NextStep::Sent,
            &note(21, "transmission msg-1: receipt 100"),
        )
        .await
        .unwrap();
    assert_eq!(sent.state, TransmissionState::Sent);
    assert_eq!(sent.sent_at, Some(t(21)));
    assert_eq!(sent.next_attempt_at, None);
    assert_eq!(sent.attempts, 2);
    for a in &ids {
        let history = store.history(*a).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (last.previous, last.state, last.at, last.cause.as_str()),
            (
                Some(Sending),
                Announced,
                t(21),
                "transmission msg-1: receipt 100"
            )
        );
        assert_eq!(history.len(), 3);
    }
    let (record, attempts) = store.transmission(id).await.unwrap();
    assert_eq!(record, sent);
    let seen: Vec<_> = attempts
        .iter()
        .map(|a| {
            (
                a.attempt,
                a.at,
                a.outcome,
                a.receipt_code,
                a.detail.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, t(4), AttemptOutcome::Error, None, "connection refused"),
            (
                2,
                t(21),
                AttemptOutcome::Transmitted,
                Some(100),
                "receipt 100"
            ),
        ]
    );
    assert!(
        store
            .lease_due_transmission(Environment::Prod, t(1000), LEASE)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .list_transmissions(Some(TransmissionState::Sent), 10)
            .await
            .unwrap(),
        std::slice::from_ref(&sent)
    );
    assert!(
        store
            .list_transmissions(Some(TransmissionState::Pending), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A late attempt (another instance whose lease ran out) is recorded and changes nothing.
    let late = store
        .record_attempt(
            id,
            &attempt(AttemptOutcome::Duplicate, Some(201), "receipt 201"),
            &NextStep::RetryAt(t(40)),
            &note(30, "late"),
        )
        .await
        .unwrap();
    assert_eq!(late.state, TransmissionState::Sent);
    assert_eq!(late.sent_at, Some(t(21)));
    assert_eq!(late.next_attempt_at, None);
    assert_eq!(late.attempts, 3);
    for a in &ids {
        assert_eq!(store.history(*a).await.unwrap().len(), 3);
    }

    // Unknown transmissions.
    assert!(matches!(
        store.transmission(id + 100).await,
        Err(StoreError::NotFound {
            what: "transmission",
            ..
        })
    ));
    assert!(matches!(
        store
            .record_attempt(
                id + 100,
                &attempt(AttemptOutcome::Error, None, "x"),
                &NextStep::Sent,
                &note(31, "x")
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn a_duplicate_receipt_counts_as_sent(db: TestDb) {
    let store = &db.store;
    let ids = submit_and_claim(store, &[account("066.000", "A-1", avs(1))], 0).await;
    let id = create(store, "msg-1", &ids, 1).await;
    let sent = store
        .record_attempt(
            id,
            &attempt(
                AttemptOutcome::Duplicate,
                Some(201),
                "receipt 201: duplicate message id",
            ),
            &NextStep::Sent,
            &note(2, "transmission msg-1: receipt 201"),
        )
        .await
        .unwrap();
    assert_eq!(sent.state, TransmissionState::Sent);
    assert_eq!(sent.sent_at, Some(t(2)));
    assert_eq!(state(store, ids[0]).await, Announced);
    let (_, attempts) = store.transmission(id).await.unwrap();
    assert_eq!(attempts[0].outcome, AttemptOutcome::Duplicate);
    assert_eq!(attempts[0].receipt_code, Some(201));
}

async fn failed_then_resumed_by_an_operator(db: TestDb) {
    let store = &db.store;
    let ids = submit_and_claim(store, &[account("066.000", "A-1", avs(1))], 0).await;
    let id = create(store, "msg-1", &ids, 1).await;
    store
        .record_attempt(
            id,
            &attempt(AttemptOutcome::Refused, Some(301), "receipt 301"),
            &NextStep::RetryAt(t(5)),
            &note(2, "refused"),
        )
        .await
        .unwrap();
    let failed = store
        .record_attempt(
            id,
            &attempt(
                AttemptOutcome::Error,
                Some(500),
                &format!("adapter error near {}", avs(1)),
            ),
            &NextStep::Failed(format!("gave up after 2 attempts ({})", avs(1).digits())),
            &note(5, "failed"),
        )
        .await
        .unwrap();
    assert_eq!(failed.state, TransmissionState::Failed);
    assert_eq!(
        failed.failure.as_deref(),
        Some("gave up after 2 attempts (756.****.****.**)")
    );
    assert_eq!(failed.next_attempt_at, None);
    assert_eq!(failed.attempts, 2);
    assert_eq!(state(store, ids[0]).await, Sending);
    assert!(
        store
            .lease_due_transmission(Environment::Prod, t(1000), LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let (_, attempts) = store.transmission(id).await.unwrap();
    assert_eq!(attempts[1].detail, "adapter error near 756.****.****.**");
    assert_eq!(
        store
            .list_transmissions(Some(TransmissionState::Failed), 10)
            .await
            .unwrap(),
        [failed]
    );

    let resumed = store.retry_transmission(id, t(50)).await.unwrap();
    assert_eq!(resumed.state, TransmissionState::Pending);
    assert_eq!(resumed.next_attempt_at, Some(t(50)));
    assert_eq!(resumed.failure, None);
    assert_eq!(resumed.attempts, 2, "the attempts are kept");
    assert!(matches!(
        store.retry_transmission(id, t(51)).await,
        Err(StoreError::WrongTransmissionState {
            found: TransmissionState::Pending,
            expected: TransmissionState::Failed,
            ..
        })
    ));
    assert!(
        store
            .lease_due_transmission(Environment::Prod, t(49), LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let leased = store
        .lease_due_transmission(Environment::Prod, t(50), LEASE)
        .await
        .unwrap();
    assert_eq!(leased.map(|r| r.id), Some(id));
    let sent = store
        .record_attempt(
            id,
            &attempt(AttemptOutcome::Transmitted, Some(100), "receipt 100"),
            &NextStep::Sent,
            &note(51, "sent"),
        )
        .await
        .unwrap();
    assert_eq!((sent.state, sent.attempts), (TransmissionState::Sent, 3));
    assert_eq!(state(store, ids[0]).await, Announced);
    let err = store.retry_transmission(id, t(52)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::WrongTransmissionState {
                found: TransmissionState::Sent,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("transmission {id} is sent, not failed")
    );
    assert!(matches!(
        store.retry_transmission(id + 100, t(52)).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn two_leasers_never_share(db: TestDb) {
    const TRANSMISSIONS: u64 = 24;
    let batch: Vec<Announcement> = (0..TRANSMISSIONS)
        .map(|i| account("066.000", &format!("L-{i}"), avs(1000 + i)))
        .collect();
    let ids = submit_and_claim(&db.store, &batch, 0).await;
    let mut transmissions = BTreeSet::new();
    for (i, a) in ids.iter().enumerate() {
        transmissions.insert(create(&db.store, &format!("msg-{i}"), &[*a], 1).await);
    }
    // Two instances of the gateway: two pools on the same database, three leasers each.
    let instances = [db.store.clone(), db.another_store().await];
    let mut tasks = Vec::new();
    for worker in 0..6 {
        let store = instances[worker % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(leased) = store
                .lease_due_transmission(Environment::Prod, t(2), LEASE)
                .await
                .unwrap()
            {
                assert_eq!(leased.next_attempt_at, Some(t(12)));
                mine.push(leased.id);
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "a transmission was leased twice");
    assert_eq!(distinct, transmissions, "every transmission was leased");
    // Once the leases run out, they are due again, oldest first.
    let again = db
        .store
        .lease_due_transmission(Environment::Prod, t(12), LEASE)
        .await
        .unwrap();
    assert_eq!(again.map(|r| r.id), transmissions.first().copied());
    instances[1].close().await;
}

async fn the_content_writes_the_same_xml_again(db: TestDb) {
    let store = &db.store;
    let all = one_of_each();
    let ids = submit_and_claim(store, &all, 0).await;
    let h = header("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70");
    let xml = arcgw::dtxml::write_transmission(&Transmission {
        header: h.clone(),
        announcements: all.clone(),
    })
    .unwrap();
    let sha = sha256(&xml);
    let id = store
        .create_transmission(
            &NewTransmission {
                header: &h,
                environment: Environment::Prod,
                announcement_ids: &ids,
                xml_sha256: &sha,
            },
            t(1),
        )
        .await
        .unwrap();
    let (record, announcements) = store.transmission_content(id).await.unwrap();
    assert_eq!(record.header, h);
    assert_eq!(record.environment, Environment::Prod);
    assert_eq!(announcements, all);
    let again = arcgw::dtxml::write_transmission(&Transmission {
        header: record.header.clone(),
        announcements,
    })
    .unwrap();
    assert_eq!(again, xml);
    assert_eq!(sha256(&again), record.xml_sha256);
    assert!(matches!(
        store.transmission_content(id + 100).await,
        Err(StoreError::NotFound { .. })
    ));
    // A transmission refers to no other message: that could not be written again.
    let more = submit_and_claim(store, &[account("066.000", "A-9", avs(9))], 2).await;
    let mut referring = header("msg-2");
    referring.reference_message_id = Some(MessageId::new("msg-1").unwrap());
    assert!(matches!(
        store
            .create_transmission(
                &NewTransmission {
                    header: &referring,
                    environment: Environment::Prod,
                    announcement_ids: &more,
                    xml_sha256: SHA,
                },
                t(3),
            )
            .await,
        Err(StoreError::Encode { .. })
    ));
}

async fn a_transmission_takes_sending_announcements_only(db: TestDb) {
    let store = &db.store;
    let ids: Vec<i64> = store
        .submit(
            &[
                account("066.000", "A-1", avs(1)),
                account("066.000", "A-2", avs(2)),
                account("066.000", "A-3", avs(3)),
            ],
            &note(0, "s"),
        )
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    store.claim_queued(2, &note(1, "claimed")).await.unwrap();
    let new = |ids: &[i64]| -> Vec<i64> { ids.to_vec() };
    let try_create = |announcement_ids: Vec<i64>| async move {
        store
            .create_transmission(
                &NewTransmission {
                    header: &header("msg-x"),
                    environment: Environment::Prod,
                    announcement_ids: &announcement_ids,
                    xml_sha256: SHA,
                },
                t(2),
            )
            .await
    };
    let err = try_create(new(&[ids[0], ids[2]])).await.unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidTransition { id, from: Queued, .. } if id == ids[2]),
        "{err:?}"
    );
    assert!(matches!(
        try_create(Vec::new()).await,
        Err(StoreError::EmptyTransmission)
    ));
    assert!(matches!(
        try_create(new(&[ids[0], ids[2] + 100])).await,
        Err(StoreError::NotFound {
            what: "announcement",
            ..
        })
    ));
    assert_eq!(count(store, "SELECT COUNT(*) FROM transmissions").await, 0);
    assert_eq!(
        store
            .announcement(ids[0])
            .await
            .unwrap()
            .announcement
            .transmission_id,
        None
    );
    let first = create(store, "msg-1", &[ids[0]], 3).await;
    let err = store
        .create_transmission(
            &NewTransmission {
                header: &header("msg-2"),
                environment: Environment::Prod,
                announcement_ids: &[ids[1], ids[0]],
                xml_sha256: SHA,
            },
            t(4),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InTransmission { announcement_id, transmission_id }
            if announcement_id == ids[0] && transmission_id == first),
        "{err:?}"
    );
    // The same announcement twice is carried once.
    let second = create(store, "msg-3", &[ids[1], ids[1]], 5).await;
    let (record, content) = store.transmission_content(second).await.unwrap();
    assert_eq!(record.announcement_count, 1);
    assert_eq!(content.len(), 1);
    let listed: Vec<i64> = store
        .list_transmissions(None, 10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed, [second, first], "newest first");
    assert_eq!(store.list_transmissions(None, 1).await.unwrap().len(), 1);
}

/// `n` accounts of fund 066.000 (references A-0…, AVS numbers 1…) submitted at minute 0; the
/// announcements and their ids.
async fn submitted_accounts(store: &Store, n: u64) -> (Vec<Announcement>, Vec<i64>) {
    let accounts: Vec<Announcement> = (0..n)
        .map(|i| account("066.000", &format!("A-{i}"), avs(i + 1)))
        .collect();
    let ids = store
        .submit(&accounts, &note(0, "s"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    (accounts, ids)
}

/// What a builder makes of claimed announcements in these tests: the header of `message_id`,
/// [`SHA`], and the ids it was given.
fn ids_made(
    message_id: &str,
) -> impl FnMut(Vec<StoredAnnouncement>) -> Result<Made<Vec<i64>>, StoreError> {
    let header = header(message_id);
    move |claimed| {
        Ok(Made {
            header: header.clone(),
            xml_sha256: SHA.to_string(),
            made: claimed.iter().map(|c| c.id).collect(),
        })
    }
}

async fn a_claim_into_a_transmission_changes_each_announcement_once(db: TestDb) {
    let store = &db.store;
    let (accounts, ids) = submitted_accounts(store, 5).await;
    // An ABN announcement is not claimed for PROD.
    let abn = store
        .submit_in(Environment::Abn, &accounts[..1], &note(0, "s"))
        .await
        .unwrap()[0]
        .id;
    let taken = note(1, "taken into a transmission");
    let built = store
        .claim_into_transmission(Environment::Prod, 3, &taken, ids_made("msg-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(built.made.made, ids[..3], "the oldest, in id order");
    assert_eq!(built.announcements, 3);
    let (record, content) = store.transmission_content(built.id).await.unwrap();
    assert_eq!(record.header, header("msg-1"));
    assert_eq!(record.state, TransmissionState::Pending);
    assert_eq!((record.attempts, record.next_attempt_at), (0, Some(t(1))));
    assert_eq!(record.xml_sha256, SHA);
    assert_eq!(record.announcement_count, 3);
    assert_eq!(content, accounts[..3]);
    for &id in &ids[..3] {
        let detail = store.announcement(id).await.unwrap();
        assert_eq!(detail.announcement.state, Sending);
        assert_eq!(detail.announcement.state_since, t(1));
        assert_eq!(detail.announcement.transmission_id, Some(built.id));
        let states: Vec<_> = detail
            .history
            .iter()
            .map(|h| (h.previous, h.state))
            .collect();
        assert_eq!(
            states,
            [(None, Queued), (Some(Queued), Sending)],
            "one change"
        );
        assert_eq!(detail.history[1].cause, taken.cause);
        assert_eq!(detail.history[1].actor, taken.actor);
    }

    // A builder that fails leaves everything as it was.
    let failed = store
        .claim_into_transmission(Environment::Prod, 3, &note(2, "x"), |_| {
            Err::<Made<()>, _>(StoreError::Encode { what: "test" })
        })
        .await;
    assert!(matches!(failed, Err(StoreError::Encode { what: "test" })));
    for &id in &ids[3..] {
        assert_eq!(state(store, id).await, Queued);
        assert_eq!(store.history(id).await.unwrap().len(), 1);
    }
    assert_eq!(store.list_transmissions(None, 10).await.unwrap().len(), 1);

    let rest = store
        .claim_into_transmission(Environment::Prod, 3, &note(3, "t"), ids_made("msg-2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (rest.made.made.as_slice(), rest.announcements),
        (&ids[3..], 2)
    );
    let none = store
        .claim_into_transmission(Environment::Prod, 3, &note(4, "t"), ids_made("msg-3"))
        .await
        .unwrap();
    assert!(none.is_none(), "nothing left to claim");
    assert_eq!(state(store, abn).await, Queued);
    assert!(
        store
            .claim_into_transmission(Environment::Prod, 0, &note(4, "t"), ids_made("msg-4"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn claims_into_transmissions_at_once_never_share(db: TestDb) {
    let store = &db.store;
    let (_, mut expected) = submitted_accounts(store, 12).await;
    expected.sort_unstable();
    let claim = |n: usize| async move {
        let mut taken = Vec::new();
        while let Some(built) = store
            .claim_into_transmission(
                Environment::Prod,
                2,
                &note(1, "t"),
                ids_made(&format!("msg-{n}-{}", taken.len())),
            )
            .await
            .unwrap()
        {
            taken.extend(built.made.made);
        }
        taken
    };
    let (first, second, third) = tokio::join!(claim(1), claim(2), claim(3));
    let mut all: Vec<i64> = first.into_iter().chain(second).chain(third).collect();
    all.sort_unstable();
    assert_eq!(
        all, expected,
        "each announcement in exactly one transmission"
    );
}

/// Runs `change` on `store` from inside a builder's `make`, as another writer would while the
/// builder writes the XML (SQLite: outside the write lock, see `Store::claim_into_transmission`).
fn meanwhile<T>(change: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(change))
}

/// SQLite picks a transmission's announcements and writes its XML before it takes the write
/// lock: one withdrawn in the meantime is not taken, and the transmission is made again of
/// those still queued (no transmission of the first XML is stored).
async fn one_withdrawn_while_the_transmission_is_written_is_not_taken(db: TestDb) {
    let store = &db.store;
    let (_, ids) = submitted_accounts(store, 3).await;
    let mut made = 0;
    let built = store
        .claim_into_transmission(Environment::Prod, 3, &note(1, "t"), |claimed| {
            made += 1;
            if made == 1 {
                meanwhile(store.withdraw(ids[1], &note(1, "withdrawn by the fund"))).unwrap();
            }
            ids_made(&format!("msg-{made}"))(claimed)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(made, 2, "written again once the first was refused");
    assert_eq!(built.made.made, [ids[0], ids[2]]);
    assert_eq!(built.made.header, header("msg-2"));
    let transmissions = store.list_transmissions(None, 10).await.unwrap();
    assert_eq!(transmissions.len(), 1, "nothing stored of the first XML");
    let withdrawn = store.announcement(ids[1]).await.unwrap().announcement;
    assert_eq!(
        (withdrawn.state, withdrawn.transmission_id),
        (Withdrawn, None)
    );
    for id in [ids[0], ids[2]] {
        assert_eq!(state(store, id).await, Sending);
    }
}

/// N. 3102 holds as it would under the write lock: a revocation stored while the XML of its
/// person's new order is written holds the order back; the revocation goes first.
async fn a_revocation_stored_while_the_transmission_is_written_holds_its_order_back(db: TestDb) {
    let store = &db.store;
    let order = store
        .submit(&[splitting("S-95", 95, avs(1), avs(501))], &note(0, "s"))
        .await
        .unwrap()[0]
        .id;
    let mut revocation = None;
    let built = store
        .claim_into_transmission(Environment::Prod, 5, &note(1, "t"), |claimed| {
            if revocation.is_none() {
                let stored = meanwhile(
                    store.submit(&[splitting("R-96", 96, avs(1), avs(501))], &note(1, "s")),
                );
                revocation = Some(stored.unwrap()[0].id);
            }
            ids_made("msg")(claimed)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        built.made.made,
        [revocation.unwrap()],
        "the revocation alone"
    );
    assert_eq!(state(store, order).await, Queued, "the order waits for it");
}

async fn release_to_queue_sends_back(db: TestDb) {
    let store = &db.store;
    let (_, ids) = submitted_accounts(store, 4).await;
    store.claim_queued(3, &note(1, "claimed")).await.unwrap();
    create(store, "msg-1", &[ids[2]], 2).await;
    let held = note(3, "held back until the revocation is sent (N. 3102)");
    store.release_to_queue(&[], &held).await.unwrap();
    // An unknown id: nothing changes.
    assert!(matches!(
        store.release_to_queue(&[ids[0], ids[3] + 100], &held).await,
        Err(StoreError::NotFound {
            what: "announcement",
            ..
        })
    ));
    assert_eq!(state(store, ids[0]).await, Sending);

    // ids[2] is in a transmission and ids[3] still queued: they are left as they are.
    store
        .release_to_queue(&[ids[3], ids[2], ids[1], ids[0]], &held)
        .await
        .unwrap();
    for id in [ids[0], ids[1]] {
        let detail = store.announcement(id).await.unwrap();
        assert_eq!(detail.announcement.state, Queued);
        assert_eq!(detail.announcement.state_since, t(3));
        let last = detail.history.last().unwrap();
        assert_eq!((last.previous, last.state), (Some(Sending), Queued));
        assert_eq!(last.cause, held.cause);
        assert_eq!(detail.history.len(), 3);
    }
    assert_eq!(state(store, ids[2]).await, Sending);
    assert_eq!(store.history(ids[2]).await.unwrap().len(), 2);
    assert_eq!(store.history(ids[3]).await.unwrap().len(), 1);
    let again: Vec<i64> = store
        .claim_queued(10, &note(4, "claimed"))
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(again, [ids[0], ids[1], ids[3]]);
}

async fn orphans_go_back_to_the_queue(db: TestDb) {
    let store = &db.store;
    let (_, ids) = submitted_accounts(store, 4).await;
    // Two claimed at minute 1 (one of them put in a transmission), one at minute 10.
    store.claim_queued(2, &note(1, "claimed")).await.unwrap();
    create(store, "msg-1", &[ids[1]], 1).await;
    store.claim_queued(1, &note(10, "claimed")).await.unwrap();
    let back = note(
        12,
        "returned to the queue: claimed but never put in a transmission",
    );
    let released = store.release_orphans(t(6), &back).await.unwrap();
    assert_eq!(released, [ids[0]]);
    assert_eq!(state(store, ids[0]).await, Queued);
    let last = store.history(ids[0]).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.previous, last.state, last.at),
        (Some(Sending), Queued, t(12))
    );
    assert_eq!(state(store, ids[1]).await, Sending, "in a transmission");
    assert_eq!(state(store, ids[2]).await, Sending, "claimed recently");
    assert_eq!(state(store, ids[3]).await, Queued);
    assert!(store.release_orphans(t(6), &back).await.unwrap().is_empty());
    assert_eq!(store.release_orphans(t(11), &back).await.unwrap(), [ids[2]]);
}

// ---------------------------------------------------------------------------------------------
// Acknowledgements

fn certificate_print(number: AvsNumber) -> CertificatePrint {
    let p = person();
    CertificatePrint {
        avs_number: number,
        name: p.name,
        sex: p.sex,
        birth_date: p.birth_date,
        country: p.country,
        issue_date: day(2026, 11, 30),
    }
}

async fn every_processing_code_and_result_is_applied(db: TestDb) {
    let store = &db.store;
    let ids = announced(
        store,
        &[
            certificate("C-1", None),
            account("066.000", "A-0", avs(2)),
            account("066.000", "A-2", avs(3)),
            account("066.000", "A-2I", avs(4)),
            account("066.000", "A-1", avs(5)),
            account("066.000", "A-3", avs(6)),
            account("066.000", "A-4", avs(7)),
            account("066.000", "A-6", avs(8)),
            account("066.000", "A-7", avs(9)),
            collection("R-1", avs(10), None),
            splitting("S-1", 95, avs(11), avs(12)),
        ],
        "msg-1",
        0,
    )
    .await;
    // Queued, in no transmission: an entry naming it matches nothing.
    store
        .submit(&[account("066.000", "Q-1", avs(13))], &note(1, "s"))
        .await
        .unwrap();

    let mut c = entry("C-1", 11, Some(avs(20)), 0);
    c.result = Some(AcknowledgementResult::Certificate(certificate_print(avs(
        20,
    ))));
    c.message_id = Some(MessageId::new("msg-1").unwrap());
    let mut a0 = entry("A-0", 61, Some(avs(2)), 0);
    a0.result = Some(AcknowledgementResult::AccountOpening {
        avs_number: avs(2),
        fund: fund("066.001"),
    });
    let a2 = entry("A-2", 61, Some(avs(3)), 2);
    let mut a2i = entry("A-2I", 61, Some(avs(4)), 2);
    a2i.investigation = Some("send the certificate of marriage".into());
    let mut a1 = entry("A-1", 61, Some(avs(5)), 1);
    a1.observations = vec![
        Observation {
            code: 14,
            text: Some("number unknown".into()),
        },
        Observation {
            code: 3,
            text: None,
        },
    ];
    a1.wrong_fields = vec![2, 9];
    let a3 = entry("A-3", 61, Some(avs(6)), 3);
    let a4 = entry("A-4", 61, Some(avs(7)), 4);
    let a6 = entry("A-6", 61, Some(avs(8)), 6);
    let a7 = entry("A-7", 61, Some(avs(9)), 7);
    let mut r1 = entry("R-1", 81, Some(avs(10)), 0);
    r1.result = Some(AcknowledgementResult::CollectionConfirmation {
        avs_number: avs(10),
        account_funds: vec![fund("066.000"), fund("067.002")],
        other_avs_numbers: vec![avs(21), avs(22)],
    });
    let mut s1 = entry("S-1", 95, Some(avs(11)), 0);
    s1.result = Some(AcknowledgementResult::SplittingConfirmation {
        avs_number: avs(11),
        spouse_avs_number: avs(12),
        account_funds: vec![fund("066.000")],
    });
    let q1 = entry("Q-1", 61, Some(avs(13)), 0);
    let unknown = entry("X-9", 61, Some(avs(23)), 0);
    let matched = [
        c.clone(),
        a0.clone(),
        a2.clone(),
        a2i.clone(),
        a1.clone(),
        a3.clone(),
        a4.clone(),
        a6.clone(),
        a7.clone(),
        r1.clone(),
        s1.clone(),
    ];
    let mut entries = matched.to_vec();
    entries.extend([q1.clone(), unknown.clone()]);
    let a = ack("ack-1", day(2026, 11, 25), entries);
    let intake = take_in(store, 5, &a).await;
    assert!(intake.new);
    assert_eq!(
        (
            intake.entries,
            intake.matched,
            intake.unmatched,
            intake.applied
        ),
        (13, 11, 2, 11)
    );
    let expected = [
        Done,
        Done,
        InProgress,
        Investigate,
        Rejected,
        Rejected,
        Rejected,
        Rejected,
        Rejected,
        Done,
        Done,
    ];
    for ((id, want), e) in ids.iter().zip(expected).zip(&matched) {
        let detail = store.announcement(*id).await.unwrap();
        assert_eq!(detail.announcement.state, want, "{}", e.reference);
        assert_eq!(detail.announcement.state_since, t(105));
        let last = detail.history.last().unwrap();
        assert_eq!((last.previous, last.state), (Some(Announced), want));
        assert_eq!(last.actor, "test:runner");
        let code = e.processing.code();
        assert!(
            last.cause
                .starts_with(&format!("acknowledgement ack-1: processing code {code} (")),
            "{}",
            last.cause
        );
        let stored = store.entries_of(*id).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(&stored[0].entry, e, "the entry reads back whole");
        assert_eq!(stored[0].announcement_id, Some(*id));
        assert_eq!(stored[0].acknowledgement_message_id, "ack-1");
        assert_eq!(stored[0].acknowledgement_date, day(2026, 11, 25));
    }
    let unmatched = store.unmatched_entries(10).await.unwrap();
    assert_eq!(
        unmatched.iter().map(|e| &e.entry).collect::<Vec<_>>(),
        [&unknown, &q1],
        "newest first"
    );
    assert!(unmatched.iter().all(|e| e.announcement_id.is_none()));
    assert_eq!(store.unmatched_entries(1).await.unwrap().len(), 1);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 5);
    assert_eq!(store.feed_cursor("acknowledgements:abn").await.unwrap(), 0);
    assert_eq!(
        text(store, "SELECT acknowledgement_date FROM acknowledgements").await,
        "2026-11-25"
    );
    assert_eq!(
        count(store, "SELECT entry_count FROM acknowledgements").await,
        13
    );
}

async fn an_acknowledgement_is_taken_in_once(db: TestDb) {
    let store = &db.store;
    let ids = announced(store, &[account("066.000", "A-1", avs(1))], "msg-1", 0).await;
    let a = ack(
        "ack-1",
        day(2026, 11, 25),
        vec![
            entry("A-1", 61, Some(avs(1)), 2),
            entry("X-1", 61, Some(avs(2)), 0),
        ],
    );
    assert!(take_in(store, 5, &a).await.new);
    let tables = [
        "SELECT COUNT(*) FROM acknowledgements",
        "SELECT COUNT(*) FROM acknowledgement_entries",
        "SELECT COUNT(*) FROM announcement_history",
        "SELECT COUNT(*) FROM persons",
    ];
    let mut before = Vec::new();
    for sql in tables {
        before.push(count(store, sql).await);
    }
    let again = take_in(store, 6, &a).await;
    assert_eq!(again, arcgw::store::AckIntake::default());
    assert!(!again.new);
    let mut after = Vec::new();
    for sql in tables {
        after.push(count(store, sql).await);
    }
    assert_eq!(before, after);
    assert_eq!(state(store, ids[0]).await, InProgress);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 6);
    // The cursor never goes back.
    take_in(store, 4, &a).await;
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 6);
}

async fn a_sending_announcement_goes_through_announced(db: TestDb) {
    let store = &db.store;
    let ids = submit_and_claim(
        store,
        &[
            account("066.000", "A-1", avs(1)),
            account("066.000", "A-2", avs(2)),
        ],
        0,
    )
    .await;
    let tid = create(store, "msg-1", &ids, 1).await;
    // The ZAS answers before the gateway recorded the receipt (e.g. after a crash).
    let a = ack(
        "ack-1",
        day(2026, 11, 24),
        vec![
            entry("A-1", 61, Some(avs(1)), 0),
            entry("A-2", 61, Some(avs(2)), 2),
        ],
    );
    let intake = take_in(store, 1, &a).await;
    assert_eq!((intake.matched, intake.applied), (2, 2));
    let history = store.history(ids[0]).await.unwrap();
    let steps: Vec<_> = history
        .iter()
        .map(|h| (h.previous, h.state, h.cause.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (None, Queued, "submitted"),
            (Some(Queued), Sending, "claimed"),
            (
                Some(Sending),
                Announced,
                "acknowledgement ack-1: acknowledged by the ZAS before its receipt was recorded"
            ),
            (
                Some(Announced),
                Done,
                "acknowledgement ack-1: processing code 0 (dealt with)"
            ),
        ]
    );
    assert_eq!(state(store, ids[1]).await, InProgress);
    // The receipt recorded late leaves them as they are.
    let sent = store
        .record_attempt(
            tid,
            &attempt(AttemptOutcome::Transmitted, Some(100), "receipt 100"),
            &NextStep::Sent,
            &note(10, "transmission msg-1: receipt 100"),
        )
        .await
        .unwrap();
    assert_eq!(sent.state, TransmissionState::Sent);
    assert_eq!(state(store, ids[0]).await, Done);
    assert_eq!(state(store, ids[1]).await, InProgress);
    assert_eq!(store.history(ids[0]).await.unwrap().len(), 4);
    assert_eq!(store.history(ids[1]).await.unwrap().len(), 4);
}

/// N. 3202, 3401: a later "still being processed" mentions the case again "with a new comment";
/// it is kept (entry and history) but does not restart the 15 working days, which run from the
/// first. After an invitation to investigate (a way out), a new "still being processed" starts
/// a new count.
async fn in_progress_again_then_done(db: TestDb) {
    let store = &db.store;
    let ids = announced(
        store,
        &[
            account("066.000", "A-1", avs(1)),
            account("066.000", "A-2", avs(2)),
        ],
        "msg-1",
        0,
    )
    .await;
    let id = ids[0];
    assert_eq!(store.first_in_progress_date(id).await.unwrap(), None);
    let first = ack(
        "ack-1",
        day(2026, 11, 25),
        vec![entry("A-1", 61, Some(avs(1)), 2)],
    );
    take_in(store, 1, &first).await;
    assert_eq!(state(store, id).await, InProgress);
    let since = store
        .announcement(id)
        .await
        .unwrap()
        .announcement
        .state_since;
    assert_eq!(
        store.first_in_progress_date(id).await.unwrap(),
        Some(day(2026, 11, 25))
    );
    // Still being processed again: recorded, but the count runs on from the first.
    let second = ack(
        "ack-2",
        day(2026, 12, 2),
        vec![entry("A-1", 61, Some(avs(1)), 2)],
    );
    assert_eq!(take_in(store, 2, &second).await.applied, 1);
    let detail = store.announcement(id).await.unwrap();
    assert_eq!(detail.announcement.state, InProgress);
    assert_eq!(detail.announcement.state_since, since);
    let last = detail.history.last().unwrap();
    assert_eq!((last.previous, last.state), (Some(InProgress), InProgress));
    assert!(last.cause.contains("ack-2"), "{}", last.cause);
    assert_eq!(
        store.first_in_progress_date(id).await.unwrap(),
        Some(day(2026, 11, 25))
    );
    let third = ack(
        "ack-3",
        day(2026, 12, 9),
        vec![entry("A-1", 61, Some(avs(1)), 0)],
    );
    take_in(store, 3, &third).await;
    assert_eq!(state(store, id).await, Done);
    assert_eq!(store.first_in_progress_date(id).await.unwrap(), None);
    let entries = store.entries_of(id).await.unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.acknowledgement_message_id.as_str())
            .collect::<Vec<_>>(),
        ["ack-1", "ack-2", "ack-3"]
    );
    // Invited to investigate, then still being processed: a new count from that one.
    let mut invited = entry("A-2", 61, Some(avs(2)), 2);
    invited.investigation = Some("ask the insured person".into());
    take_in(store, 4, &ack("ack-4", day(2026, 12, 10), vec![invited])).await;
    assert_eq!(state(store, ids[1]).await, Investigate);
    for (sequence, date) in [(5, day(2026, 12, 11)), (6, day(2026, 12, 14))] {
        take_in(
            store,
            sequence,
            &ack(
                &format!("ack-{sequence}"),
                date,
                vec![entry("A-2", 61, Some(avs(2)), 2)],
            ),
        )
        .await;
        assert_eq!(state(store, ids[1]).await, InProgress);
        assert_eq!(
            store.first_in_progress_date(ids[1]).await.unwrap(),
            Some(day(2026, 12, 11))
        );
    }
}

/// N. 3401: the acknowledgement that makes an announcement `in_progress` writes its running
/// deadline once, with its state (it was written with the state, then again), and ends the
/// deadline of the one it deals with.
async fn becoming_in_progress_writes_the_deadline_start_once(db: TestDb) {
    let store = &db.store;
    let ids = announced(
        store,
        &[
            account("066.000", "W-1", avs(1)),
            account("066.000", "W-2", avs(2)),
        ],
        "msg-1",
        0,
    )
    .await;
    // Every write of a running deadline, as the database sees it.
    let watch: &[&'static str] = match store.backend() {
        Backend::Sqlite => &[
            "CREATE TABLE deadline_writes (announcement_id BIGINT, deadline_start TEXT)",
            "CREATE TRIGGER deadline_inserted AFTER INSERT ON deadline_watch BEGIN \
             INSERT INTO deadline_writes VALUES (NEW.announcement_id, NEW.deadline_start); END",
            "CREATE TRIGGER deadline_updated AFTER UPDATE ON deadline_watch BEGIN \
             INSERT INTO deadline_writes VALUES (NEW.announcement_id, NEW.deadline_start); END",
            "CREATE TRIGGER deadline_deleted AFTER DELETE ON deadline_watch BEGIN \
             INSERT INTO deadline_writes VALUES (OLD.announcement_id, NULL); END",
        ],
        Backend::Postgres => &[
            "CREATE TABLE deadline_writes (announcement_id BIGINT, deadline_start TEXT)",
            "CREATE FUNCTION deadline_written() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN IF TG_OP = 'DELETE' THEN \
             INSERT INTO deadline_writes VALUES (OLD.announcement_id, NULL); \
             ELSE INSERT INTO deadline_writes VALUES (NEW.announcement_id, NEW.deadline_start); \
             END IF; RETURN NULL; END $$",
            "CREATE TRIGGER deadline_written AFTER INSERT OR UPDATE OR DELETE ON deadline_watch \
             FOR EACH ROW EXECUTE FUNCTION deadline_written()",
        ],
    };
    for sql in watch {
        support::db::execute(store, sql).await.unwrap();
    }
    take_in(
        store,
        1,
        &ack(
            "ack-1",
            day(2026, 11, 25),
            vec![
                entry("W-1", 61, Some(avs(1)), 2),
                entry("W-2", 61, Some(avs(2)), 0),
            ],
        ),
    )
    .await;
    assert_eq!(
        (state(store, ids[0]).await, state(store, ids[1]).await),
        (InProgress, Done)
    );
    let writes = support::db::texts(
        store,
        "SELECT CAST(announcement_id AS TEXT) || ':' || COALESCE(deadline_start, '-') \
         FROM deadline_writes ORDER BY announcement_id",
    )
    .await;
    assert_eq!(
        writes,
        [format!("{}:2026-11-25", ids[0]), format!("{}:-", ids[1])],
        "one write per announcement"
    );
}

/// An entry names the transmission it answers: when that is not the transmission that carried
/// the announcement its fund and reference match, the entry is kept for operators (listed with
/// the unmatched ones, with the reason) and not applied; one naming the right one is applied.
async fn an_entry_naming_another_transmission_is_kept_not_applied(db: TestDb) {
    let store = &db.store;
    let ids = announced(
        store,
        &[
            account("066.000", "X-1", avs(1)),
            account("066.000", "X-2", avs(2)),
        ],
        "msg-1",
        0,
    )
    .await;
    let mut wrong = entry("X-1", 61, Some(avs(1)), 0);
    wrong.message_id = Some(MessageId::new("msg-9").unwrap());
    let mut right = entry("X-2", 61, Some(avs(2)), 0);
    right.message_id = Some(MessageId::new("msg-1").unwrap());
    let intake = take_in(
        store,
        1,
        &ack("ack-1", day(2026, 11, 25), vec![wrong, right]),
    )
    .await;
    assert_eq!(
        (
            intake.matched,
            intake.unmatched,
            intake.mismatched,
            intake.applied
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(state(store, ids[0]).await, Announced);
    assert_eq!(state(store, ids[1]).await, Done);
    assert!(store.entries_of(ids[0]).await.unwrap().is_empty());
    let unmatched = store.unmatched_entries(10).await.unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].entry.reference.as_str(), "X-1");
    assert_eq!(unmatched[0].announcement_id, None);
    let why = unmatched[0].mismatch.as_deref().unwrap();
    assert!(why.contains("msg-9") && why.contains("msg-1"), "{why}");
    assert_eq!(store.entries_of(ids[1]).await.unwrap()[0].mismatch, None);
}

/// N. 1102, 1203: a certificate announcement sent without an AVS number gets the number the
/// ZAS assigned when it is dealt with: stored once in `persons` (the row of a number already
/// known is shared, not doubled), the announcement itself left as it was sent.
async fn the_number_the_zas_assigned_goes_to_the_persons_table(db: TestDb) {
    let store = &db.store;
    let ids = announced(
        store,
        &[
            certificate("C-1", None),
            certificate("C-2", None),
            account("066.000", "A-5", avs(5)),
        ],
        "msg-1",
        0,
    )
    .await;
    let persons_before = count(store, "SELECT COUNT(*) FROM persons").await;
    let still = entry("C-1", 11, None, 2);
    take_in(store, 1, &ack("ack-1", day(2026, 11, 24), vec![still])).await;
    assert_eq!(store.assigned_avs_number(ids[0]).await.unwrap(), None);
    let new_number = entry("C-1", 11, Some(avs(7)), 0);
    let known_number = entry("C-2", 11, Some(avs(5)), 0);
    take_in(
        store,
        2,
        &ack("ack-2", day(2026, 11, 25), vec![new_number, known_number]),
    )
    .await;
    assert_eq!(
        store.assigned_avs_number(ids[0]).await.unwrap(),
        Some(avs(7))
    );
    assert_eq!(
        store.assigned_avs_number(ids[1]).await.unwrap(),
        Some(avs(5))
    );
    assert_eq!(store.assigned_avs_number(ids[2]).await.unwrap(), None);
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM persons").await,
        persons_before + 1,
        "one new row for the new number, none for the known one"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM announcements a JOIN announcements b \
             ON b.person_id = a.assigned_person_id"
        )
        .await,
        1,
        "the known number's row is the one the other announcement refers to"
    );
    // As sent: no number in the announcement itself.
    let sent = store.announcement(ids[0]).await.unwrap().announcement;
    assert_eq!(sent.announcement, certificate("C-1", None));
}

async fn entries_for_final_announcements_change_nothing(db: TestDb) {
    let store = &db.store;
    let ids = announced(
        store,
        &[
            account("066.000", "A-1", avs(1)),
            account("066.000", "A-2", avs(2)),
            account("066.000", "A-3", avs(3)),
        ],
        "msg-1",
        0,
    )
    .await;
    let mut invited = entry("A-3", 61, Some(avs(3)), 2);
    invited.investigation = Some("check the name".into());
    take_in(
        store,
        1,
        &ack(
            "ack-1",
            day(2026, 11, 25),
            vec![
                entry("A-1", 61, Some(avs(1)), 0),
                entry("A-2", 61, Some(avs(2)), 3),
                invited.clone(),
            ],
        ),
    )
    .await;
    let mut lengths = Vec::new();
    for id in &ids {
        lengths.push(store.history(*id).await.unwrap().len());
    }
    let later = take_in(
        store,
        2,
        &ack(
            "ack-2",
            day(2026, 11, 26),
            vec![
                entry("A-1", 61, Some(avs(1)), 2),
                entry("A-2", 61, Some(avs(2)), 0),
                invited,
            ],
        ),
    )
    .await;
    assert_eq!((later.matched, later.applied), (3, 0));
    assert_eq!(state(store, ids[0]).await, Done);
    assert_eq!(state(store, ids[1]).await, Rejected);
    assert_eq!(
        state(store, ids[2]).await,
        Investigate,
        "investigate → investigate is no change of the lifecycle"
    );
    for (id, length) in ids.iter().zip(lengths) {
        assert_eq!(store.history(*id).await.unwrap().len(), length);
        assert_eq!(store.entries_of(*id).await.unwrap().len(), 2, "kept");
    }
}

async fn unreadable_acknowledgements_are_kept(db: TestDb) {
    let store = &db.store;
    let error = format!("content/entry[2]/vn: check digit of {} is wrong", avs(1));
    store
        .record_unreadable_acknowledgement(
            Environment::Abn,
            "acknowledgements:abn",
            7,
            &error,
            SHA,
            t(1),
        )
        .await
        .unwrap();
    assert_eq!(store.feed_cursor("acknowledgements:abn").await.unwrap(), 7);
    assert_eq!(
        text(store, "SELECT error FROM unreadable_acknowledgements").await,
        "content/entry[2]/vn: check digit of 756.****.****.** is wrong"
    );
    store
        .record_unreadable_acknowledgement(
            Environment::Abn,
            "acknowledgements:abn",
            7,
            "other",
            SHA,
            t(2),
        )
        .await
        .unwrap();
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM unreadable_acknowledgements").await,
        1
    );
    store
        .record_unreadable_acknowledgement(
            Environment::Prod,
            "acknowledgements:prod",
            7,
            "bad",
            SHA,
            t(3),
        )
        .await
        .unwrap();
    store
        .record_unreadable_acknowledgement(
            Environment::Abn,
            "acknowledgements:abn",
            8,
            "bad",
            SHA,
            t(4),
        )
        .await
        .unwrap();
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM unreadable_acknowledgements").await,
        3
    );
    assert_eq!(store.feed_cursor("acknowledgements:abn").await.unwrap(), 8);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 7);
}

// ---------------------------------------------------------------------------------------------
// Data protection (security baseline, draft art. 3)

async fn no_avs_number_anywhere_else(db: TestDb) {
    let store = &db.store;
    // Announcements with numbers 1–5; one sent, one failed, one acknowledged before its receipt.
    let all = one_of_each();
    let ids = submit_and_claim(store, &all, 0).await;
    let sent = create(store, "msg-1", &ids[..2], 1).await;
    store
        .record_attempt(
            sent,
            &attempt(
                AttemptOutcome::Transmitted,
                Some(100),
                &format!("receipt 100 for {}", avs(1)),
            ),
            &NextStep::Sent,
            &note(2, &format!("sent with {}", avs(1).digits())),
        )
        .await
        .unwrap();
    let failed = create(store, "msg-2", &ids[2..4], 3).await;
    store
        .record_attempt(
            failed,
            &attempt(AttemptOutcome::Error, Some(500), &avs(3).to_string()),
            &NextStep::Failed(format!("gave up on {}", avs(4).digits())),
            &note(4, "failed"),
        )
        .await
        .unwrap();
    create(store, "msg-3", &ids[4..], 5).await;
    store
        .release_to_queue(&[], &note(6, &format!("nothing for {}", avs(5))))
        .await
        .unwrap();

    // An acknowledgement naming numbers 1–5 and new ones in entries and results (7, 8) and in
    // free text (6, which is nobody's number here and so is stored nowhere).
    let mut c = entry("C-1", 11, Some(avs(1)), 0);
    c.result = Some(AcknowledgementResult::Certificate(certificate_print(avs(
        1,
    ))));
    c.observations = vec![Observation {
        code: 7,
        text: Some(format!("see {}", avs(2))),
    }];
    let mut a = entry("A-1", 61, Some(avs(2)), 2);
    a.investigation = Some(format!("compare with {}", avs(6).digits()));
    let mut s = entry("S-1", 95, Some(avs(5)), 0);
    s.result = Some(AcknowledgementResult::SplittingConfirmation {
        avs_number: avs(5),
        spouse_avs_number: avs(2),
        account_funds: vec![fund("066.000")],
    });
    let mut unknown = entry("X-1", 81, Some(avs(7)), 0);
    unknown.result = Some(AcknowledgementResult::CollectionConfirmation {
        avs_number: avs(7),
        account_funds: Vec::new(),
        other_avs_numbers: vec![avs(8), avs(3)],
    });
    let intake = store
        .take_in_acknowledgement(
            Environment::Prod,
            "acknowledgements:prod",
            1,
            &ack("ack-1", day(2026, 11, 25), vec![c, a, s, unknown]),
            SHA,
            &note(10, &format!("feed {}", avs(4))),
        )
        .await
        .unwrap();
    assert_eq!((intake.matched, intake.unmatched), (3, 1));
    store
        .record_unreadable_acknowledgement(
            Environment::Prod,
            "acknowledgements:prod",
            2,
            &format!("bad number {} and {}", avs(8).digits(), avs(5)),
            SHA,
            t(11),
        )
        .await
        .unwrap();
    // Everything reads back with the numbers restored.
    let read = store.entries_of(ids[4]).await.unwrap();
    assert_eq!(read[0].entry.avs_number, Some(avs(5)));
    assert!(matches!(
        &read[0].entry.result,
        Some(AcknowledgementResult::SplittingConfirmation { spouse_avs_number, .. })
            if *spouse_avs_number == avs(2)
    ));

    let numbers: Vec<AvsNumber> = (1..=8).map(avs).collect();
    let mut found = BTreeMap::new();
    for (table, column) in columns(store).await {
        for number in &numbers {
            for form in [number.digits(), number.to_string()] {
                let n = occurrences(store, &table, &column, &form).await;
                if n > 0 {
                    *found.entry((table.clone(), column.clone())).or_insert(0) += n;
                }
            }
        }
    }
    assert_eq!(
        found,
        BTreeMap::from([(("persons".to_string(), "avs_number".to_string()), 7)]),
        "AVS numbers only in persons.avs_number, each once"
    );
}

// ---------------------------------------------------------------------------------------------

/// The audit log has one state event per step and fund (annex 2.5; art. 7): each names the
/// announcements of one fund that one step changed (`details.announcements`), that fund (the
/// `funds` column a fund's people review the log by) and, when it is one announcement, it as
/// target; together they name every change of the history once, whichever step made it: a
/// submission stored together with others or alone, a claim into a transmission or step by
/// step, the record of a sending, the take-in of an acknowledgement, a repeated "still being
/// processed".
async fn each_state_event_names_the_fund_of_its_announcement(db: TestDb) {
    let store = &db.store;
    // Two funds, interleaved.
    let batch = [
        account("066.000", "F-1", avs(1)),
        account("066.001", "F-2", avs(2)),
        account("066.000", "F-3", avs(3)),
        account("066.001", "F-4", avs(4)),
    ];
    store.submit(&batch[..3], &note(0, "s")).await.unwrap();
    // One stored before with a new one: not stored together, each alone.
    store
        .submit(&[batch[0].clone(), batch[3].clone()], &note(0, "s"))
        .await
        .unwrap();
    let built = store
        .claim_into_transmission(Environment::Prod, 2, &note(1, "t"), ids_made("msg-1"))
        .await
        .unwrap()
        .unwrap();
    let stepwise: Vec<i64> = store
        .claim_queued_in(Environment::Prod, 10, &note(1, "claimed"))
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(stepwise.len(), 2);
    let second = create(store, "msg-2", &stepwise, 1).await;
    for tid in [built.id, second] {
        support::flow::record_sent(store, tid, t(2)).await;
    }
    let entries = |codes: [u8; 4]| -> Vec<AcknowledgementEntry> {
        batch
            .iter()
            .zip(codes)
            .zip(1..)
            .map(|((a, code), n)| AcknowledgementEntry {
                fund: a.fund(),
                ..entry(a.reference().as_str(), 61, Some(avs(n)), code)
            })
            .collect()
    };
    // In progress, then again (a repeat), then dealt with.
    for (sequence, codes) in [(1, [2, 2, 0, 2]), (2, [2, 2, 0, 0]), (3, [0, 0, 0, 0])] {
        let a = ack(
            &format!("ack-{sequence}"),
            day(2026, 11, 24),
            entries(codes),
        );
        take_in(store, sequence, &a).await;
    }
    let events = support::db::audit_events(store, "announcement.state").await;
    let mut listed = Vec::new();
    for event in &events {
        let ids: Vec<i64> = event.details["announcements"]
            .as_array()
            .unwrap_or_else(|| panic!("announcements listed: {}", event.details))
            .iter()
            .map(|id| id.as_i64().unwrap())
            .collect();
        assert!(!ids.is_empty() && ids.is_sorted(), "{}", event.details);
        for &id in &ids {
            let stored = store.announcement(id).await.unwrap().announcement;
            assert_eq!(
                event.funds,
                [stored.announcement.fund()],
                "event {}",
                event.id
            );
            listed.push((
                id,
                event.details["from"].as_str().map(str::to_owned),
                event.details["to"].as_str().unwrap().to_owned(),
            ));
        }
        let target = (ids.len() == 1).then(|| format!("announcement:{}", ids[0]));
        assert_eq!(event.target, target, "{}", event.details);
        assert!(event.details["cause"].is_string(), "{}", event.details);
    }
    let mut history = Vec::new();
    // Their ids (PostgreSQL's identity may skip some: an insert that conflicted takes one).
    for a in 1..=20 {
        for h in store.history(a).await.unwrap() {
            history.push((
                a,
                h.previous.map(|s| s.as_str().to_owned()),
                h.state.as_str().to_owned(),
            ));
        }
    }
    listed.sort();
    history.sort();
    // Queued, sending, announced and done each; in progress for three of them, and again for
    // two: each change listed once.
    assert_eq!(history.len(), 4 * 4 + 3 + 2);
    assert_eq!(listed, history);
    // Made together: far fewer events than changes, never two of one fund for one step.
    assert!(events.len() < history.len(), "{} events", events.len());
}

support::db::on_both_backends!(
    becoming_in_progress_writes_the_deadline_start_once,
    an_entry_naming_another_transmission_is_kept_not_applied,
    the_number_the_zas_assigned_goes_to_the_persons_table,
    attempts_until_sent,
    a_duplicate_receipt_counts_as_sent,
    failed_then_resumed_by_an_operator,
    two_leasers_never_share,
    the_content_writes_the_same_xml_again,
    a_transmission_takes_sending_announcements_only,
    release_to_queue_sends_back,
    a_claim_into_a_transmission_changes_each_announcement_once,
    claims_into_transmissions_at_once_never_share,
    orphans_go_back_to_the_queue,
    every_processing_code_and_result_is_applied,
    an_acknowledgement_is_taken_in_once,
    a_sending_announcement_goes_through_announced,
    in_progress_again_then_done,
    entries_for_final_announcements_change_nothing,
    unreadable_acknowledgements_are_kept,
    no_avs_number_anywhere_else,
    each_state_event_names_the_fund_of_its_announcement,
);

// Races with a builder that picks before it takes the write lock: SQLite's claim only.
support::db::on_sqlite!(
    picked_before_the_write_lock:
    one_withdrawn_while_the_transmission_is_written_is_not_taken,
    a_revocation_stored_while_the_transmission_is_written_holds_its_order_back,
);
