//! Environments: the ZAS's acceptance environment (ABN) and production (PROD) kept
//! apart in the store, on both back ends (see `support::db`). Nothing sent to ABN counts as
//! announced for PROD: the same fund and reference may be in both; each environment's sender
//! claims and leases only its own; an acknowledgement of one never touches the other; only PROD
//! announcements have deadlines (N. 3401) and reminders.
//! The real processes with two simulators: `tests/it/instances.rs`
//! (`each_environment_goes_to_its_own_zas`).

use std::sync::Arc;

use arcgw::clock::ManualClock;
use arcgw::domain::{AnnouncementState, Environment};
use arcgw::store::{Backend, ListFilter, NewTransmission, StoreError};
use chrono::TimeDelta;

use crate::support;
use crate::support::db::TestDb;
use crate::support::flow::*;

use Environment::{Abn, Prod};

async fn environment_of(store: &arcgw::store::Store, id: i64) -> Environment {
    store
        .announcement(id)
        .await
        .unwrap()
        .announcement
        .environment
}

async fn state(store: &arcgw::store::Store, id: i64) -> AnnouncementState {
    store.announcement(id).await.unwrap().announcement.state
}

/// Announced once (the system's rule on the fund's own reference, N. 3105) holds per environment:
/// tested in ABN, then announced in PROD, under one reference.
async fn one_reference_in_both_environments(db: TestDb) {
    let store = &db.store;
    let at = geneva(2026, 11, 2, 9, 0);
    let a = [account("E-1", 1)];
    let abn = store.submit_in(Abn, &a, &note(at, "s")).await.unwrap()[0];
    let prod = store.submit_in(Prod, &a, &note(at, "s")).await.unwrap()[0];
    assert!(abn.created && prod.created);
    assert_ne!(abn.id, prod.id);
    assert_eq!(environment_of(store, abn.id).await, Abn);
    assert_eq!(environment_of(store, prod.id).await, Prod);
    // A repeat in an environment is that environment's announcement.
    let again = store.submit_in(Prod, &a, &note(at, "s")).await.unwrap()[0];
    assert_eq!((again.id, again.created), (prod.id, false));
    let again = store.submit_in(Abn, &a, &note(at, "s")).await.unwrap()[0];
    assert_eq!((again.id, again.created), (abn.id, false));
    // Other content under the reference conflicts with the announcement of its environment.
    let other = [account("E-1", 2)];
    match store.submit_in(Abn, &other, &note(at, "s")).await {
        Err(StoreError::Conflict { existing_id, .. }) => assert_eq!(existing_id, abn.id),
        other => panic!("a conflict, not {other:?}"),
    }
    // Lists filter by environment.
    let listed = |environment| ListFilter {
        environment: Some(environment),
        ..ListFilter::default()
    };
    let abn_list = store.list_announcements(&listed(Abn)).await.unwrap().items;
    assert_eq!(abn_list.iter().map(|a| a.id).collect::<Vec<_>>(), [abn.id]);
    assert_eq!(abn_list[0].environment, Abn);
}

/// Each environment's sender claims only its own queue, and a transmission carries only
/// announcements of its environment.
async fn claims_and_transmissions_stay_in_their_environment(db: TestDb) {
    let store = &db.store;
    let at = geneva(2026, 11, 2, 9, 0);
    let prod = store
        .submit_in(
            Prod,
            &[account("P-1", 1), account("P-2", 2)],
            &note(at, "s"),
        )
        .await
        .unwrap();
    let abn = store
        .submit_in(Abn, &[account("A-1", 3)], &note(at, "s"))
        .await
        .unwrap();
    let claimed = store
        .claim_queued_in(Abn, 10, &note(at, "c"))
        .await
        .unwrap();
    assert_eq!(
        claimed
            .iter()
            .map(|c| (c.id, c.environment))
            .collect::<Vec<_>>(),
        [(abn[0].id, Abn)]
    );
    // A PROD announcement cannot go into an ABN transmission.
    let prod_claimed = store
        .claim_queued_in(Prod, 1, &note(at, "c"))
        .await
        .unwrap();
    assert_eq!(prod_claimed[0].id, prod[0].id);
    let header = header("env-mix", "T7-066000-1", "T6-ZAS-1", at);
    let mixed = store
        .create_transmission(
            &NewTransmission {
                header: &header,
                environment: Abn,
                announcement_ids: &[abn[0].id, prod[0].id],
                xml_sha256: SHA,
            },
            at,
        )
        .await;
    assert!(
        matches!(
            mixed,
            Err(StoreError::OtherEnvironment { environment: Abn })
        ),
        "{mixed:?}"
    );
    assert_eq!(
        support::db::count(store, "SELECT COUNT(*) FROM transmissions").await,
        0,
        "nothing stored of the refused transmission"
    );
    let abn_transmission = store
        .create_transmission(
            &NewTransmission {
                header: &header,
                environment: Abn,
                announcement_ids: &[abn[0].id],
                xml_sha256: SHA,
            },
            at,
        )
        .await
        .unwrap();
    // The PROD sender does not lease the ABN transmission; the ABN sender does.
    let later = at + TimeDelta::minutes(1);
    let lease = TimeDelta::seconds(30);
    assert!(
        store
            .lease_due_transmission(Prod, later, lease)
            .await
            .unwrap()
            .is_none()
    );
    let leased = store
        .lease_due_transmission(Abn, later, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (leased.id, leased.environment.as_str()),
        (abn_transmission, "abn")
    );
    // The second PROD announcement is still queued for the PROD sender.
    assert_eq!(state(store, prod[1].id).await, AnnouncementState::Queued);
}

/// An acknowledgement read from ABN's feed matches the ABN announcement of that fund and
/// reference and leaves the PROD one as it was, and the other way round.
async fn an_acknowledgement_touches_only_its_environment(db: TestDb) {
    let store = &db.store;
    let at = geneva(2026, 11, 2, 9, 0);
    let batch = [account("R-1", 1)];
    let abn = announce_in(store, Abn, &batch, "msg-abn", at).await[0];
    let prod = announce_in(store, Prod, &batch, "msg-prod", at).await[0];
    let done = ack("ack-abn", day(2026, 11, 3), "R-1", 0);
    let intake = take_in_from(store, Abn, 1, &done, at).await;
    assert_eq!((intake.matched, intake.applied), (1, 1));
    assert_eq!(state(store, abn).await, AnnouncementState::Done);
    assert_eq!(state(store, prod).await, AnnouncementState::Announced);
    assert!(store.entries_of(prod).await.unwrap().is_empty());
    let processing = ack("ack-prod", day(2026, 11, 4), "R-1", 2);
    let intake = take_in_from(store, Prod, 1, &processing, at).await;
    assert_eq!((intake.matched, intake.applied), (1, 1));
    assert_eq!(state(store, prod).await, AnnouncementState::InProgress);
    assert_eq!(state(store, abn).await, AnnouncementState::Done);
}

/// Only PROD announcements have deadlines: an ABN announcement never acknowledged raises no
/// reminder, however long it waits; the PROD one beside it does (N. 3401).
async fn only_prod_announcements_are_watched_for_deadlines(db: TestDb) {
    let store = &db.store;
    let at = geneva(2026, 11, 2, 9, 0);
    let abn = announce_in(store, Abn, &[account("W-1", 1)], "msg-abn", at).await[0];
    let prod = announce_in(store, Prod, &[account("W-2", 2)], "msg-prod", at).await[0];
    let clock = Arc::new(ManualClock::new(geneva(2026, 12, 15, 9, 0)));
    let engine = support::engine::engine_without_zas(store.clone(), clock);
    let outcome = engine.scan_deadlines().await.unwrap();
    assert_eq!((outcome.scanned, outcome.raised), (1, 1));
    let raised = open_reminders(store).await;
    assert_eq!(
        raised.iter().map(|r| r.announcement_id).collect::<Vec<_>>(),
        [prod]
    );
    assert!(raised.iter().all(|r| r.announcement_id != abn));
    // The age metric of pending announcements counts PROD only.
    let oldest = store
        .oldest_in_state(AnnouncementState::Announced)
        .await
        .unwrap();
    assert_eq!(
        oldest,
        Some(
            store
                .announcement(prod)
                .await
                .unwrap()
                .announcement
                .state_since
        )
    );
}

async fn open_reminders(store: &arcgw::store::Store) -> Vec<arcgw::store::Reminder> {
    store
        .list_reminders(&arcgw::store::ReminderFilter {
            status: arcgw::store::ReminderStatus::Open,
            funds: None,
            after_id: None,
            limit: 100,
        })
        .await
        .unwrap()
        .items
}

/// Migration 0011 on a database written before it: an announcement takes the environment of
/// its transmission (PROD without one), every id and history row stays, and the rebuilt
/// SQLite table keeps its foreign keys and the unique reference, now per environment.
async fn a_database_of_before_is_brought_over(db: TestDb) {
    let store = db.empty_store().await;
    let before = [
        "INSERT INTO persons (id, avs_number, created_at) VALUES (1, '7561234567897', '2026-11-02T08:00:00Z')",
        "INSERT INTO transmissions (id, message_id, environment, state, created_at, sender_id, recipient_id) \
         VALUES (1, 'm-abn', 'abn', 'sent', '2026-11-02T08:00:00Z', 'T7-066000-1', 'T6-ZAS-1'), \
         (2, 'm-prod', 'prod', 'sent', '2026-11-02T08:00:00Z', '7-066000-1', '6-ZAS-1')",
        "INSERT INTO announcements (id, fund, reference, key_code, person_id, particulars, content_hash, \
         state, state_since, submitted_at, transmission_id) VALUES \
         (10, '066.000', 'B-1', 61, 1, '{}', 'h1', 'done', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z', 1), \
         (11, '066.000', 'B-2', 61, 1, '{}', 'h2', 'announced', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z', 2), \
         (12, '066.000', 'B-3', 61, 1, '{}', 'h3', 'queued', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z', NULL)",
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, actor) VALUES \
         (10, 'queued', NULL, '2026-11-02T08:00:00Z', 'submitted', 'test'), \
         (11, 'queued', NULL, '2026-11-02T08:00:00Z', 'submitted', 'test'), \
         (12, 'queued', NULL, '2026-11-02T08:00:00Z', 'submitted', 'test')",
        "INSERT INTO api_tokens (id, prefix, secret_hash, label, created_at) \
         VALUES (1, 'p1', 'h', 'old', '2026-11-02T08:00:00Z')",
        "INSERT INTO api_token_funds (token_id, fund) VALUES (1, '066.000')",
    ];
    support::db::migrated_to(&store, 10, &before).await;
    store.migrate().await.unwrap();
    let seen = support::db::texts(
        &store,
        "SELECT id || ':' || environment FROM announcements ORDER BY id",
    )
    .await;
    assert_eq!(seen, ["10:abn", "11:prod", "12:prod"]);
    assert_eq!(
        support::db::count(&store, "SELECT COUNT(*) FROM announcement_history").await,
        3
    );
    let tokens = store.list_tokens().await.unwrap();
    assert_eq!(
        tokens.iter().map(|t| t.environment).collect::<Vec<_>>(),
        [Prod],
        "a token of before is a PROD token"
    );
    // Constraints and foreign keys hold on the rebuilt table.
    let mut refused = vec![
        // Same environment, fund and reference.
        "INSERT INTO announcements (environment, fund, reference, key_code, particulars, \
         content_hash, state, state_since, submitted_at) VALUES ('abn', '066.000', 'B-1', 61, '{}', \
         'h', 'queued', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z')",
        // No such environment.
        "INSERT INTO announcements (environment, fund, reference, key_code, particulars, \
         content_hash, state, state_since, submitted_at) VALUES ('test', '066.000', 'B-9', 61, '{}', \
         'h', 'queued', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z')",
    ];
    if db.backend() == Backend::Sqlite {
        // No such announcement: the history's key to the rebuilt table (PostgreSQL holds none
        // since migration 0024, announcements being never deleted: tests/it/kept_rows.rs).
        refused.push(
            "INSERT INTO announcement_history (announcement_id, state, at, cause, actor) \
             VALUES (99, 'queued', '2026-11-02T08:00:00Z', 'x', 'test')",
        );
    }
    for sql in refused {
        assert!(support::db::execute(&store, sql).await.is_err(), "{sql}");
    }
    // The same reference in the other environment is another announcement.
    support::db::execute(
        &store,
        "INSERT INTO announcements (environment, fund, reference, key_code, particulars, \
         content_hash, state, state_since, submitted_at) VALUES ('prod', '066.000', 'B-1', 61, '{}', \
         'h', 'queued', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z')",
    )
    .await
    .unwrap();
}

support::db::on_both_backends!(
    a_database_of_before_is_brought_over,
    one_reference_in_both_environments,
    claims_and_transmissions_stay_in_their_environment,
    an_acknowledgement_touches_only_its_environment,
    only_prod_announcements_are_watched_for_deadlines
);
