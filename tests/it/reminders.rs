//! The deadline scan and its reminders (N. 3401), on both back ends (see `support::db`): real
//! announcements driven through the store into `announced` and `in_progress`, engines scanning
//! on a manual clock, restarts and two instances at once.

use std::sync::Arc;

use arcgw::calendar::ZasCalendar;
use arcgw::clock::{Clock, ManualClock};
use arcgw::deadlines::{DeadlineRule, OverdueStarts};
use arcgw::domain::{Announcement, AnnouncementState, FundNumber};
use arcgw::engine::Engine;
use arcgw::engine::deadlines::{DeadlineScan, ScanOutcome};
use arcgw::store::{Reminder, ReminderFilter, ReminderStatus, Store};
use chrono::{DateTime, Datelike, Utc};

use crate::support;
use crate::support::db::TestDb;
use crate::support::flow::*;

use AnnouncementState::*;
use DeadlineRule::*;

async fn state(store: &Store, id: i64) -> AnnouncementState {
    store.announcement(id).await.unwrap().announcement.state
}

async fn reminders(store: &Store, status: ReminderStatus) -> Vec<Reminder> {
    let mut all = Vec::new();
    let mut after_id = None;
    loop {
        let page = store
            .list_reminders(&ReminderFilter {
                status,
                funds: None,
                after_id,
                limit: 1000,
            })
            .await
            .unwrap();
        all.extend(page.items);
        match page.next_after {
            Some(id) => after_id = Some(id),
            None => return all,
        }
    }
}

async fn open(store: &Store) -> Vec<Reminder> {
    reminders(store, ReminderStatus::Open).await
}

async fn every(store: &Store) -> Vec<Reminder> {
    reminders(store, ReminderStatus::All).await
}

// ---------------------------------------------------------------------------------------------
// The engine

fn engine(store: Store, clock: Arc<ManualClock>) -> Engine {
    support::engine::engine_without_zas(store, clock)
}

/// A scan that read `n` announcements whose deadline had passed and raised their reminders.
fn raised(n: usize) -> ScanOutcome {
    ScanOutcome {
        scanned: n,
        raised: n,
    }
}

async fn scan(engine: &Engine) -> ScanOutcome {
    engine.scan_deadlines().await.unwrap()
}

// ---------------------------------------------------------------------------------------------
// Tests

/// Announced on Tuesday 22 December 2026 at 00:30 in Geneva (still the 21st in UTC), never
/// acknowledged: the 7 ZAS working days are 23, 24, 28, 29, 30 December, 4 and 5
/// January (Christmas, the weekends, Restoration and New Year skipped). No reminder on the 5th;
/// one on the 6th, from midnight in Geneva, however often the scan runs.
async fn not_mentioned_for_seven_working_days(db: TestDb) {
    let store = &db.store;
    let announced_at = geneva(2026, 12, 22, 0, 30);
    let [id] = announce(store, &[account("A-1", 1)], "msg-1", announced_at)
        .await
        .try_into()
        .unwrap();
    let clock = Arc::new(ManualClock::new(geneva(2026, 12, 23, 8, 0)));
    let engine = engine(store.clone(), clock.clone());
    assert_eq!(scan(&engine).await, raised(0));

    clock.set(geneva(2027, 1, 5, 23, 59));
    assert_eq!(scan(&engine).await, raised(0));
    assert!(every(store).await.is_empty(), "not on the last working day");

    clock.set(geneva(2027, 1, 6, 0, 0));
    assert_eq!(scan(&engine).await, raised(1));
    let raised_at = clock.now();
    for _ in 0..3 {
        clock.advance(chrono::TimeDelta::hours(5));
        assert_eq!(scan(&engine).await, raised(0));
    }
    let list = open(store).await;
    assert_eq!(list.len(), 1);
    let r = &list[0];
    assert_eq!(r.announcement_id, id);
    assert_eq!(r.fund.to_string(), FUND);
    assert_eq!(r.reference.as_str(), "A-1");
    assert_eq!(r.key.code(), 61);
    assert_eq!(r.rule, NotMentioned);
    assert_eq!(r.due, day(2027, 1, 5));
    assert_eq!(r.raised_at, raised_at);
    assert_eq!(r.resolved_at, None);
    assert!(r.is_open());
    assert_eq!(r.announced_at, announced_at);
    assert_eq!(r.announced_on(), day(2026, 12, 22));
    assert_eq!(store.reminder(r.id).await.unwrap(), *r);

    // The unique constraint decides, whoever asks; a rule whose state the announcement is not
    // in raises nothing.
    for rule in [NotMentioned, StillProcessing] {
        let raised = store
            .raise_reminder(id, rule, day(2027, 1, 5), clock.now())
            .await
            .unwrap();
        assert!(!raised, "{rule:?}");
    }
    // Reminded: the scan no longer reads it.
    let overdue = OverdueStarts::on(clock.today(), &ZasCalendar::geneva()).unwrap();
    let pending = store
        .pending_announcements(None, 10, &overdue)
        .await
        .unwrap();
    assert!(pending.items.is_empty());
    assert_eq!(every(store).await, list);
    assert_eq!(state(store, id).await, Announced);
}

/// P-1, announced on Monday 22 March 2027 and "still being processed" by an acknowledgement
/// dated Thursday 25 March, taken in at `taken_in`: its id.
async fn still_processing_since_25_march(store: &Store, taken_in: DateTime<Utc>) -> i64 {
    let [id] = announce(
        store,
        &[account("P-1", 1)],
        "msg-1",
        geneva(2027, 3, 22, 10, 0),
    )
    .await
    .try_into()
    .unwrap();
    take_in(
        store,
        1,
        &ack("ack-1", day(2027, 3, 25), "P-1", 2),
        taken_in,
    )
    .await;
    id
}

/// "Still being processed" in an acknowledgement dated Thursday 25 March 2027, taken in on
/// Tuesday 30 March: the 15 working days run from the acknowledgement's date, past Good Friday
/// (26.3) and Easter Monday (29.3), to Monday 19 April. The reminder comes on the 20th.
async fn still_processing_for_fifteen_working_days(db: TestDb) {
    let store = &db.store;
    let id = still_processing_since_25_march(store, geneva(2027, 3, 30, 7, 0)).await;
    assert_eq!(state(store, id).await, InProgress);
    let clock = Arc::new(ManualClock::new(geneva(2027, 4, 2, 12, 0)));
    let engine = engine(store.clone(), clock.clone());
    assert_eq!(scan(&engine).await, raised(0));
    clock.set(geneva(2027, 4, 19, 23, 59));
    assert_eq!(scan(&engine).await, raised(0));
    assert!(every(store).await.is_empty(), "not on the last working day");

    clock.set(geneva(2027, 4, 20, 7, 0));
    assert_eq!(scan(&engine).await, raised(1));
    assert_eq!(scan(&engine).await, raised(0));
    let list = open(store).await;
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].announcement_id, list[0].rule, list[0].due),
        (id, StillProcessing, day(2027, 4, 19))
    );
    assert_eq!(list[0].announced_on(), day(2027, 3, 22));
}

/// N. 3401, 3202: the 15 working days run from the first "still being processed" (25 March
/// 2027, due 19 April); the ZAS repeating it every week "with a new comment" restarts nothing.
/// The reminder comes on the 20th, and its letter cites the first date; every repeat stays in
/// the history.
async fn a_repeated_still_processing_does_not_restart_the_count(db: TestDb) {
    let store = &db.store;
    let id = still_processing_since_25_march(store, geneva(2027, 3, 25, 18, 0)).await;
    for (sequence, date) in [
        (2, day(2027, 4, 1)),
        (3, day(2027, 4, 8)),
        (4, day(2027, 4, 15)),
    ] {
        take_in(
            store,
            sequence,
            &ack(&format!("ack-{sequence}"), date, "P-1", 2),
            geneva(2027, 4, date.day(), 18, 0),
        )
        .await;
    }
    assert_eq!(state(store, id).await, InProgress);
    let history = store.history(id).await.unwrap();
    let repeats = history
        .iter()
        .filter(|h| h.previous == Some(InProgress) && h.state == InProgress)
        .count();
    assert_eq!(repeats, 3, "every repeat is kept in the history");
    let clock = Arc::new(ManualClock::new(geneva(2027, 4, 19, 23, 59)));
    let engine = engine(store.clone(), clock.clone());
    assert_eq!(scan(&engine).await, raised(0));
    clock.set(geneva(2027, 4, 20, 7, 0));
    assert_eq!(scan(&engine).await, raised(1));
    let list = open(store).await;
    assert_eq!(
        (list[0].announcement_id, list[0].rule, list[0].due),
        (id, StillProcessing, day(2027, 4, 19))
    );
    let letter = store
        .letter_entries(FundNumber::parse(FUND).unwrap(), day(2027, 4, 20))
        .await
        .unwrap();
    assert_eq!(letter.len(), 1);
    assert_eq!(letter[0].pending_since, day(2027, 3, 25));
}

/// Migration 0014 on a database written before it, where a repeated "still being processed"
/// had moved `state_since` (and so restarted the count): it is put back to when the
/// announcement entered `in_progress`; one without repeats keeps its own.
async fn migration_0014_puts_the_start_back_to_the_first(db: TestDb) {
    let store = db.empty_store().await;
    let before = [
        "INSERT INTO transmissions (id, message_id, environment, state, created_at) \
         VALUES (1, 'm-1', 'prod', 'sent', '2026-11-23T08:00:00Z')",
        "INSERT INTO announcements (id, environment, fund, reference, key_code, particulars, \
         content_hash, state, state_since, submitted_at, transmission_id) VALUES \
         (20, 'prod', '066.000', 'R-1', 61, '{}', 'h1', 'in_progress', '2026-11-27T09:00:00Z', \
         '2026-11-23T08:00:00Z', 1), \
         (21, 'prod', '066.000', 'R-2', 61, '{}', 'h2', 'in_progress', '2026-11-26T09:00:00Z', \
         '2026-11-23T08:00:00Z', 1)",
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) VALUES \
         (20, 'announced', 'sending', '2026-11-23T08:00:00Z', 'sent', 'test'), \
         (20, 'in_progress', 'announced', '2026-11-25T09:00:00Z', 'ack-1', 'test'), \
         (20, 'in_progress', 'in_progress', '2026-11-27T09:00:00Z', 'ack-2', 'test'), \
         (21, 'in_progress', 'announced', '2026-11-26T09:00:00Z', 'ack-3', 'test')",
    ];
    support::db::migrated_to(&store, 11, &before).await;
    store.migrate().await.unwrap();
    let entered = |id: &str| {
        format!(
            "SELECT COUNT(*) FROM announcements a WHERE a.id = {id} AND a.state_since = \
             (SELECT h.at FROM announcement_history h WHERE h.announcement_id = {id} \
             AND h.previous_state = 'announced')"
        )
    };
    for id in ["20", "21"] {
        let sql: &'static str = entered(id).leak();
        assert_eq!(
            support::db::count(&store, sql).await,
            1,
            "announcement {id}"
        );
    }
    store.close().await;
}

/// Migration 0023 on a database written before it: the running deadlines move from
/// `announcements.deadline_start` to `deadline_watch` with their state, first day, fund and
/// time; a reminded one, an ABN one and a closed one get no row. The scan then reminds from
/// the moved rows.
async fn migration_0023_moves_the_running_deadlines(db: TestDb) {
    let store = db.empty_store().await;
    let before = [
        "INSERT INTO announcements (id, environment, fund, reference, key_code, particulars, \
         content_hash, state, state_since, submitted_at, deadline_start) VALUES \
         (30, 'prod', '066.000', 'R-30', 61, '{}', 'h30', 'announced', '2026-11-23T08:00:00Z', \
         '2026-11-23T07:00:00Z', '2026-11-23'), \
         (31, 'prod', '066.001', 'R-31', 61, '{}', 'h31', 'in_progress', \
         '2026-11-25T09:00:00Z', '2026-11-23T07:00:00Z', '2026-11-24'), \
         (32, 'prod', '066.000', 'R-32', 61, '{}', 'h32', 'announced', '2026-11-02T08:00:00Z', \
         '2026-11-02T07:00:00Z', NULL), \
         (33, 'abn', '066.000', 'R-33', 61, '{}', 'h33', 'announced', '2026-11-02T08:00:00Z', \
         '2026-11-02T07:00:00Z', NULL), \
         (34, 'prod', '066.000', 'R-34', 61, '{}', 'h34', 'done', '2026-11-25T09:00:00Z', \
         '2026-11-23T07:00:00Z', NULL)",
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) VALUES \
         (30, 'announced', 'sending', '2026-11-23T08:00:00Z', 'sent', 'test'), \
         (31, 'announced', 'sending', '2026-11-23T08:00:00Z', 'sent', 'test'), \
         (31, 'in_progress', 'announced', '2026-11-25T09:00:00Z', 'ack-1', 'test'), \
         (32, 'announced', 'sending', '2026-11-02T08:00:00Z', 'sent', 'test'), \
         (33, 'announced', 'sending', '2026-11-02T08:00:00Z', 'sent', 'test')",
        "INSERT INTO reminders (announcement_id, rule, raised_at, due_date, state_since) \
         VALUES (32, 'not_mentioned', '2026-11-12T06:00:00Z', '2026-11-11', \
         '2026-11-02T08:00:00Z')",
    ];
    support::db::migrated_to(&store, 22, &before).await;
    store.migrate().await.unwrap();
    assert_eq!(
        support::db::texts(
            &store,
            "SELECT CAST(announcement_id AS TEXT) || ' ' || state || ' ' || deadline_start \
             || ' ' || fund FROM deadline_watch ORDER BY announcement_id"
        )
        .await,
        [
            "30 announced 2026-11-23 066.000",
            "31 in_progress 2026-11-24 066.001"
        ]
    );
    assert_eq!(
        support::db::count(
            &store,
            "SELECT COUNT(*) FROM deadline_watch w JOIN announcements a \
             ON a.id = w.announcement_id AND a.state_since = w.state_since"
        )
        .await,
        2
    );
    // 7 working days from Monday 23 November end on Wednesday 2 December.
    let clock = Arc::new(ManualClock::new(geneva(2026, 12, 3, 8, 0)));
    let engine = engine(store.clone(), clock);
    assert_eq!(scan(&engine).await, raised(1));
    let open = open(&store).await;
    assert_eq!(
        open.iter()
            .map(|r| (r.announcement_id, r.rule))
            .collect::<Vec<_>>(),
        [(32, NotMentioned), (30, NotMentioned)]
    );
    assert_eq!(scan(&engine).await, raised(0));
    store.close().await;
}

/// A reminder is resolved when the announcement leaves the state its rule watches: "not
/// mentioned" by the first acknowledgement, "still being processed" when it is dealt with (a
/// new "still being processed" leaves it open). No new reminder after that.
async fn later_acknowledgements_resolve(db: TestDb) {
    let store = &db.store;
    let [id] = announce(
        store,
        &[account("R-1", 1)],
        "msg-1",
        geneva(2026, 12, 22, 10, 0),
    )
    .await
    .try_into()
    .unwrap();
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let engine = engine(store.clone(), clock.clone());
    assert_eq!(scan(&engine).await.raised, 1);
    assert_eq!(open(store).await.len(), 1);

    // Mentioned at last: still being processed, dated 7 January, taken in on the 8th.
    let mentioned = geneva(2027, 1, 8, 9, 15);
    take_in(
        store,
        1,
        &ack("ack-1", day(2027, 1, 7), "R-1", 2),
        mentioned,
    )
    .await;
    assert!(open(store).await.is_empty());
    let all = every(store).await;
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].rule, all[0].resolved_at),
        (NotMentioned, Some(mentioned))
    );
    assert!(!all[0].is_open());

    // 15 working days from 7 January end on 28 January.
    clock.set(geneva(2027, 1, 28, 18, 0));
    assert_eq!(scan(&engine).await.raised, 0);
    clock.set(geneva(2027, 1, 29, 8, 0));
    assert_eq!(scan(&engine).await.raised, 1);
    let list = open(store).await;
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].rule, list[0].due),
        (StillProcessing, day(2027, 1, 28))
    );

    // Still being processed again: the reminder stays open, none is added.
    take_in(
        store,
        2,
        &ack("ack-2", day(2027, 2, 1), "R-1", 2),
        geneva(2027, 2, 1, 9, 0),
    )
    .await;
    assert_eq!(open(store).await.len(), 1);

    // Dealt with: resolved, and nothing more is raised however late.
    let done = geneva(2027, 2, 3, 11, 0);
    take_in(store, 3, &ack("ack-3", day(2027, 2, 2), "R-1", 0), done).await;
    assert_eq!(state(store, id).await, Done);
    assert!(open(store).await.is_empty());
    clock.set(geneva(2027, 6, 1, 8, 0));
    assert_eq!(scan(&engine).await, raised(0));
    let all = every(store).await;
    assert_eq!(
        all.iter()
            .map(|r| (r.rule, r.resolved_at))
            .collect::<Vec<_>>(),
        [
            (NotMentioned, Some(mentioned)),
            (StillProcessing, Some(done))
        ]
    );
}

/// A restart in the middle — a new pool on the same database, a new engine — changes
/// nothing: the reminders are in the database, not in the engine.
async fn a_restart_changes_nothing(db: TestDb) {
    let store = &db.store;
    announce(
        store,
        &[account("S-1", 1), account("S-2", 2)],
        "msg-1",
        geneva(2026, 12, 22, 10, 0),
    )
    .await;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 5, 12, 0)));
    let first = engine(store.clone(), clock.clone());
    assert_eq!(scan(&first).await, raised(0));
    drop(first);

    let restarted = db.another_store().await;
    let second = engine(restarted.clone(), clock.clone());
    clock.set(geneva(2027, 1, 6, 8, 0));
    assert_eq!(scan(&second).await, raised(2));
    let before = every(store).await;
    drop(second);
    restarted.close().await;

    let again = db.another_store().await;
    let third = engine(again.clone(), clock.clone());
    clock.set(geneva(2027, 1, 7, 8, 0));
    assert_eq!(scan(&third).await, raised(0));
    assert_eq!(every(&again).await, before);
    assert_eq!(before.len(), 2);
    again.close().await;
}

/// Two instances on two pools scanning at the same time raise each reminder once.
async fn two_engines_at_once_raise_once(db: TestDb) {
    let store = &db.store;
    let batch: Vec<Announcement> = (1..=20).map(|n| account(&format!("T-{n}"), n)).collect();
    announce(store, &batch, "msg-1", geneva(2026, 12, 22, 10, 0)).await;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let a = engine(store.clone(), clock.clone());
    let other = db.another_store().await;
    let b = engine(other.clone(), clock.clone());
    let mut raised = 0;
    for _ in 0..3 {
        let (x, y) = (a.clone(), b.clone());
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { x.scan_deadlines_by_pages_of(7).await.unwrap() }),
            tokio::spawn(async move { y.scan_deadlines_by_pages_of(7).await.unwrap() }),
        );
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert!(ra.scanned <= 20 && rb.scanned <= 20);
        raised += ra.raised + rb.raised;
    }
    assert_eq!(raised, 20);
    let all = every(store).await;
    assert_eq!(all.len(), 20);
    let mut ids: Vec<i64> = all.iter().map(|r| r.announcement_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    other.close().await;
}

/// The scan reads the pending announcements a page at a time and only those: 25 announced,
/// pages of 10; queued, withdrawn and dealt-with announcements are not read.
async fn the_scan_pages_through_pending_announcements(db: TestDb) {
    let store = &db.store;
    let batch: Vec<Announcement> = (1..=25).map(|n| account(&format!("M-{n}"), n)).collect();
    let ids = announce(store, &batch, "msg-1", geneva(2026, 12, 22, 10, 0)).await;
    let done = announce(
        store,
        &[account("D-1", 30)],
        "msg-2",
        geneva(2026, 12, 22, 10, 0),
    )
    .await;
    take_in(
        store,
        1,
        &ack("ack-1", day(2026, 12, 23), "D-1", 0),
        geneva(2026, 12, 23, 9, 0),
    )
    .await;
    assert_eq!(state(store, done[0]).await, Done);
    let queued = geneva(2026, 12, 22, 11, 0);
    let left = store
        .submit(
            &[account("Q-1", 31), account("Q-2", 32)],
            &note(queued, "submitted"),
        )
        .await
        .unwrap();
    store
        .withdraw(left[1].id, &note(queued, "withdrawn by the fund"))
        .await
        .unwrap();

    // The store's pages, on the day all 25 are overdue.
    let overdue = OverdueStarts::on(day(2027, 1, 6), &ZasCalendar::geneva()).unwrap();
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .pending_announcements(after, 10, &overdue)
            .await
            .unwrap();
        pages.push(page.items.iter().map(|p| p.id).collect::<Vec<_>>());
        match page.next_after {
            Some(id) => after = Some(id),
            None => break,
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
    assert_eq!(pages.concat(), ids);

    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let engine = engine(store.clone(), clock.clone());
    assert_eq!(
        engine.scan_deadlines_by_pages_of(10).await.unwrap(),
        raised(25)
    );
    assert_eq!(
        engine.scan_deadlines_by_pages_of(10).await.unwrap(),
        raised(0)
    );

    // Listed a page at a time, by fund.
    let mut listed = Vec::new();
    let mut after_id = None;
    loop {
        let page = store
            .list_reminders(&ReminderFilter {
                status: ReminderStatus::Open,
                funds: Some(vec![FundNumber::parse(FUND).unwrap()]),
                after_id,
                limit: 10,
            })
            .await
            .unwrap();
        assert!(page.items.len() <= 10);
        listed.extend(page.items.iter().map(|r| r.announcement_id));
        match page.next_after {
            Some(id) => after_id = Some(id),
            None => break,
        }
    }
    assert_eq!(listed, ids);
    for funds in [vec![], vec![FundNumber::parse("001.000").unwrap()]] {
        let page = store
            .list_reminders(&ReminderFilter {
                funds: Some(funds),
                ..ReminderFilter::default()
            })
            .await
            .unwrap();
        assert!(page.items.is_empty());
    }
}

/// A scan that raises its reminders a few to a transaction, two transactions at a time,
/// raises each once with its alert and ends each deadline; the next scan reads none of them.
async fn reminders_raised_two_transactions_at_a_time_are_each_raised_once(db: TestDb) {
    let store = &db.store;
    let batch: Vec<Announcement> = (1..=25).map(|n| account(&format!("C-{n}"), n)).collect();
    let ids = announce(store, &batch, "msg-1", geneva(2026, 12, 22, 10, 0)).await;
    let clock = ManualClock::new(geneva(2027, 1, 6, 8, 0));
    let calendar = ZasCalendar::geneva();
    let scan = DeadlineScan {
        store,
        clock: &clock,
        calendar: &calendar,
    };
    // Pages of 10 and 5, three reminders to a transaction: four and two transactions.
    assert_eq!(scan.run_in(10, 3).await.unwrap(), raised(25));
    let all = every(store).await;
    let mut reminded: Vec<i64> = all.iter().map(|r| r.announcement_id).collect();
    reminded.sort_unstable();
    assert_eq!(reminded, ids);
    assert!(all.iter().all(|r| r.rule == NotMentioned && r.is_open()));
    let count = |sql| support::db::count(store, sql);
    assert_eq!(
        count("SELECT COUNT(*) FROM alerts a JOIN reminders r ON r.id = a.reminder_id").await,
        25
    );
    assert_eq!(count("SELECT COUNT(*) FROM deadline_watch").await, 0);
    assert_eq!(scan.run_in(10, 3).await.unwrap(), ScanOutcome::default());
    assert_eq!(every(store).await, all);
}

// ---------------------------------------------------------------------------------------------

/// Two instances on one database run the scan of a tick once: the first to take the tick scans,
/// the other skips it; the next tick is taken again by one of them.
async fn two_instances_scan_once_per_tick(db: TestDb) {
    let store = &db.store;
    announce(
        store,
        &[account("K-1", 1)],
        "msg-1",
        geneva(2026, 12, 22, 10, 0),
    )
    .await;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 6, 8, 0)));
    let a = engine(store.clone(), clock.clone());
    let other = db.another_store().await;
    let b = engine(other.clone(), clock.clone());
    for tick in 0..3 {
        let (x, y) = (a.clone(), b.clone());
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { x.scan_deadlines_this_tick().await.unwrap() }),
            tokio::spawn(async move { y.scan_deadlines_this_tick().await.unwrap() }),
        );
        let ran: Vec<ScanOutcome> = [ra.unwrap(), rb.unwrap()].into_iter().flatten().collect();
        assert_eq!(ran, [raised(usize::from(tick == 0))], "tick {tick}");
        // Again within the same tick: nobody runs it.
        assert_eq!(a.scan_deadlines_this_tick().await.unwrap(), None);
        clock.advance(chrono::TimeDelta::seconds(300));
    }
    assert_eq!(every(store).await.len(), 1);
    other.close().await;
}

support::db::on_both_backends!(
    two_instances_scan_once_per_tick,
    not_mentioned_for_seven_working_days,
    still_processing_for_fifteen_working_days,
    a_repeated_still_processing_does_not_restart_the_count,
    migration_0014_puts_the_start_back_to_the_first,
    migration_0023_moves_the_running_deadlines,
    later_acknowledgements_resolve,
    a_restart_changes_nothing,
    two_engines_at_once_raise_once,
    the_scan_pages_through_pending_announcements,
    reminders_raised_two_transactions_at_a_time_are_each_raised_once,
);
