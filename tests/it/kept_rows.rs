//! Announcements, transmissions, acknowledgements and reminders are never deleted (migration
//! 0024), so the rows that refer to them cannot lose them; on PostgreSQL their foreign keys
//! are dropped on that ground. Both back ends (see `support::db`).

use std::sync::Arc;

use arcgw::clock::ManualClock;
use arcgw::store::{Backend, Store};

use crate::support;
use crate::support::db::{TestDb, count, execute};
use crate::support::flow::*;

/// Each reference of a row written for an announcement: (table, column, the table it refers
/// to by `id`). A NULL refers to nothing.
const REFERENCES: [(&str, &str, &str); 7] = [
    ("announcement_history", "announcement_id", "announcements"),
    ("announcements", "transmission_id", "transmissions"),
    ("deadline_watch", "announcement_id", "announcements"),
    (
        "acknowledgement_entries",
        "announcement_id",
        "announcements",
    ),
    (
        "acknowledgement_entries",
        "acknowledgement_id",
        "acknowledgements",
    ),
    ("reminders", "announcement_id", "announcements"),
    ("alerts", "reminder_id", "reminders"),
];

/// Announcements `references` (accounts) through the whole flow: transmitted on 22 December,
/// reminded on 6 January (7 working days passed), then the acknowledgement of each in turn:
/// the first still being processed (a running deadline again), the second done.
async fn through_the_flow(store: &Store, references: &[&str]) {
    let batch: Vec<_> = (1..).zip(references).map(|(n, r)| account(r, n)).collect();
    announce(store, &batch, "msg-1", geneva(2026, 12, 22, 10, 0)).await;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let engine = support::engine::engine_without_zas(store.clone(), clock);
    let raised = engine.scan_deadlines().await.unwrap().raised;
    assert_eq!(raised, references.len());
    let at = geneva(2027, 1, 8, 9, 0);
    for ((sequence, reference), code) in (1..).zip(references).zip([2, 0]) {
        let message = format!("ack-{sequence}");
        let ack = ack(&message, day(2027, 1, 7), reference, code);
        take_in(store, sequence, &ack, at).await;
    }
}

/// Three announcements through the whole flow (one left announced): every row written for
/// them on the way finds what it refers to.
async fn every_row_written_for_an_announcement_finds_what_it_refers_to(db: TestDb) {
    let store = &db.store;
    through_the_flow(store, &["K-1", "K-2", "K-3"]).await;
    for (table, column, refers_to) in REFERENCES {
        let referring = format!("SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL");
        let orphans = format!(
            "SELECT COUNT(*) FROM {table} c WHERE c.{column} IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM {refers_to} p WHERE p.id = c.{column})"
        );
        assert!(count(store, &referring).await > 0, "{table}.{column}: rows");
        assert_eq!(count(store, &orphans).await, 0, "{table}.{column}");
    }
}

/// Deleting (or, on PostgreSQL, truncating) announcements, their history, transmissions,
/// acknowledgements or reminders is refused by the database, and every row stays; changing a
/// row of the history is refused too (the audit log records a step's changes in one event:
/// each change is the history's row).
async fn kept_rows_are_never_deleted(db: TestDb) {
    let store = &db.store;
    through_the_flow(store, &["K-1", "K-2"]).await;
    let kept = [
        ("announcements", 2),
        ("announcement_history", 8),
        ("transmissions", 1),
        ("acknowledgements", 2),
        ("reminders", 2),
    ];
    for (table, rows) in kept {
        let mut refused = vec![format!("DELETE FROM {table}")];
        if table == "announcement_history" {
            refused.push(format!("UPDATE {table} SET cause = 'changed'"));
        }
        if store.backend() == Backend::Postgres {
            refused.push(format!("TRUNCATE {table} CASCADE"));
        }
        for sql in refused {
            let error = execute(store, &sql).await.unwrap_err().to_string();
            assert!(error.contains("never deleted"), "{sql}: {error}");
        }
        let left = count(store, &format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(left, rows, "{table}");
    }
}

support::db::on_both_backends!(
    every_row_written_for_an_announcement_finds_what_it_refers_to,
    kept_rows_are_never_deleted,
);
