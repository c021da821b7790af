//! Announcements, transmissions, acknowledgements and reminders are never deleted (migration
//! 0024), so the rows that refer to them cannot lose them; on PostgreSQL their foreign keys
//! are dropped on that ground. Both back ends (see `support::db`).

use std::sync::Arc;

use arcgw::clock::ManualClock;

use crate::support;
use crate::support::db::{TestDb, count, execute};
use crate::support::flow::*;

/// Each reference a row written for an announcement makes (table, what it refers to): a count
/// of the rows whose reference finds nothing, and a count of the rows that refer at all.
const REFERENCES: [(&str, &str, &str); 7] = [
    (
        "history → announcement",
        "SELECT COUNT(*) FROM announcement_history h WHERE NOT EXISTS \
         (SELECT 1 FROM announcements a WHERE a.id = h.announcement_id)",
        "SELECT COUNT(*) FROM announcement_history",
    ),
    (
        "announcement → transmission",
        "SELECT COUNT(*) FROM announcements a WHERE a.transmission_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM transmissions t WHERE t.id = a.transmission_id)",
        "SELECT COUNT(*) FROM announcements WHERE transmission_id IS NOT NULL",
    ),
    (
        "running deadline → announcement",
        "SELECT COUNT(*) FROM deadline_watch w WHERE NOT EXISTS \
         (SELECT 1 FROM announcements a WHERE a.id = w.announcement_id)",
        "SELECT COUNT(*) FROM deadline_watch",
    ),
    (
        "acknowledgement entry → announcement",
        "SELECT COUNT(*) FROM acknowledgement_entries e WHERE e.announcement_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM announcements a WHERE a.id = e.announcement_id)",
        "SELECT COUNT(*) FROM acknowledgement_entries WHERE announcement_id IS NOT NULL",
    ),
    (
        "acknowledgement entry → acknowledgement",
        "SELECT COUNT(*) FROM acknowledgement_entries e WHERE NOT EXISTS \
         (SELECT 1 FROM acknowledgements k WHERE k.id = e.acknowledgement_id)",
        "SELECT COUNT(*) FROM acknowledgement_entries",
    ),
    (
        "reminder → announcement",
        "SELECT COUNT(*) FROM reminders r WHERE NOT EXISTS \
         (SELECT 1 FROM announcements a WHERE a.id = r.announcement_id)",
        "SELECT COUNT(*) FROM reminders",
    ),
    (
        "alert → reminder",
        "SELECT COUNT(*) FROM alerts l WHERE l.reminder_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM reminders r WHERE r.id = l.reminder_id)",
        "SELECT COUNT(*) FROM alerts WHERE reminder_id IS NOT NULL",
    ),
];

/// Three announcements through the whole flow: transmitted, reminded (7 working days passed),
/// then one still being processed (a running deadline again), one done, one left announced.
/// Every row written for them on the way finds what it refers to.
async fn every_row_written_for_an_announcement_finds_what_it_refers_to(db: TestDb) {
    let store = &db.store;
    let batch = [account("K-1", 1), account("K-2", 2), account("K-3", 3)];
    announce(store, &batch, "msg-1", geneva(2026, 12, 22, 10, 0)).await;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let engine = support::engine::engine_without_zas(store.clone(), clock);
    assert_eq!(engine.scan_deadlines().await.unwrap().raised, 3);
    let at = geneva(2027, 1, 8, 9, 0);
    take_in(store, 1, &ack("ack-1", day(2027, 1, 7), "K-1", 2), at).await;
    take_in(store, 2, &ack("ack-2", day(2027, 1, 7), "K-2", 0), at).await;

    for (reference, orphans, referring) in REFERENCES {
        assert!(count(store, referring).await > 0, "{reference}: rows written");
        assert_eq!(count(store, orphans).await, 0, "{reference}");
    }
}

/// Deleting (or, on PostgreSQL, truncating) announcements, transmissions, acknowledgements or
/// reminders is refused by the database, and every row stays.
async fn kept_rows_are_never_deleted(db: TestDb) {
    let store = &db.store;
    announce(
        store,
        &[account("K-1", 1)],
        "msg-1",
        geneva(2026, 12, 22, 10, 0),
    )
    .await;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let engine = support::engine::engine_without_zas(store.clone(), clock);
    assert_eq!(engine.scan_deadlines().await.unwrap().raised, 1);
    let at = geneva(2027, 1, 8, 9, 0);
    take_in(store, 1, &ack("ack-1", day(2027, 1, 7), "K-1", 0), at).await;

    let kept: [(&str, &str, &str); 4] = [
        (
            "DELETE FROM announcements",
            "TRUNCATE announcements CASCADE",
            "SELECT COUNT(*) FROM announcements",
        ),
        (
            "DELETE FROM transmissions",
            "TRUNCATE transmissions CASCADE",
            "SELECT COUNT(*) FROM transmissions",
        ),
        (
            "DELETE FROM acknowledgements",
            "TRUNCATE acknowledgements CASCADE",
            "SELECT COUNT(*) FROM acknowledgements",
        ),
        (
            "DELETE FROM reminders",
            "TRUNCATE reminders CASCADE",
            "SELECT COUNT(*) FROM reminders",
        ),
    ];
    let postgres = store.backend() == arcgw::store::Backend::Postgres;
    for (delete, truncate, rows) in kept {
        let refused = execute(store, delete).await.unwrap_err().to_string();
        assert!(refused.contains("never deleted"), "{delete}: {refused}");
        if postgres {
            let refused = execute(store, truncate).await.unwrap_err().to_string();
            assert!(refused.contains("never deleted"), "{truncate}: {refused}");
        }
        assert_eq!(count(store, rows).await, 1, "{rows}");
    }
}

support::db::on_both_backends!(
    every_row_written_for_an_announcement_finds_what_it_refers_to,
    kept_rows_are_never_deleted,
);
