//! Backup and restore (annex 2.6) and the purge of persons' data (annex 2.7), on both back ends
//! (PostgreSQL when `ARCGW_TEST_PG_URL` is set). The database is filled through the store's own
//! operations: announcements in every kind of state, a transmission with its attempt, an
//! acknowledgement with results, reminders and audit events.

use std::path::Path;

use arcgw::deadlines::DeadlineRule;
use arcgw::domain::{
    Acknowledgement, AcknowledgementResult, Announcement, AnnouncementState, AvsNumber, BirthDate,
    CertificatePrint, Environment, FundNumber, KeyCode, MessageHeader, MessageId, Observation,
    ParticipantId, Particulars, Person, PersonName, Reference, Sex, SplitYear, SplittingOrder,
    StateCode,
};
use arcgw::store::{
    AuditOutcome, AuditQuery, ChangeNote, ListFilter, NewAuditEvent, NewTransmission, PurgeRules,
    RetentionYears, Store, StoreError,
};
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::Row as _;

use crate::support;
use crate::support::db::{PG_URL, TestDb, avs, columns, occurrences};
use crate::support::flow::{day, entry};
use crate::support::proc::{Server, command};

use AnnouncementState::*;

fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-08-03T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + TimeDelta::minutes(minutes)
}

fn note(minutes: i64, cause: &str) -> ChangeNote {
    ChangeNote::new(t(minutes), "test:ops", cause)
}

fn fund() -> FundNumber {
    FundNumber::parse("066.000").unwrap()
}

fn account(reference: &str, number: AvsNumber) -> Announcement {
    Announcement::new(
        fund(),
        Reference::new(reference).unwrap(),
        KeyCode::new(61).unwrap(),
        Particulars::Account { avs_number: number },
    )
    .unwrap()
}

fn person() -> Person {
    Person {
        name: PersonName::fit("Brunner", "Anton Hugo").unwrap().0,
        sex: Sex::Male,
        birth_date: BirthDate::Day(day(1963, 4, 12)),
        country: StateCode::new(100).unwrap(),
    }
}

fn certificate(reference: &str) -> Announcement {
    Announcement::new(
        fund(),
        Reference::new(reference).unwrap(),
        KeyCode::new(11).unwrap(),
        Particulars::Certificate {
            avs_number: None,
            person: person(),
        },
    )
    .unwrap()
}

fn header(message_id: &str, sender: &str, recipient: &str) -> MessageHeader {
    MessageHeader {
        sender_id: ParticipantId::new(sender).unwrap(),
        recipient_id: ParticipantId::new(recipient).unwrap(),
        message_id: MessageId::new(message_id).unwrap(),
        reference_message_id: None,
        message_date: t(0),
        test_delivery: true,
    }
}

const SHA: &str = "5e9c0f3aa1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbcc";

/// The ids of what [`fill`] made.
struct Filled {
    done: i64,
    rejected: i64,
    certificate: i64,
    withdrawn: i64,
    in_progress: i64,
    announced: i64,
    queued_sharing: i64,
    queued: i64,
}

/// Fills the store through its own operations. Numbers: 1 (done, and queued again: shared),
/// 2 (rejected), 4 (certificate result), 6 (withdrawn) belong to closed announcements only
/// except 1; 3 (in progress), 5 (announced), 7 (queued) to open ones.
async fn fill(store: &Store) -> Filled {
    let batch = [
        account("A-DONE", avs(1)),
        account("A-REJ", avs(2)),
        certificate("C-1"),
        account("A-PROG", avs(3)),
        account("A-ANN", avs(5)),
    ];
    let ids: Vec<i64> = store
        .submit(&batch, &note(0, "submitted"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let claimed = store.claim_queued(10, &note(1, "claimed")).await.unwrap();
    assert_eq!(claimed.len(), 5);
    let transmission = store
        .create_transmission(
            &NewTransmission {
                header: &header("msg-ops-1", "T7-066000-1", "T6-ZAS-1"),
                environment: Environment::Prod,
                announcement_ids: &ids,
                xml_sha256: SHA,
            },
            t(2),
        )
        .await
        .unwrap();
    support::flow::record_sent(store, transmission, t(3)).await;
    let mut done = entry("A-DONE", 61, Some(avs(1)), 0);
    done.result = Some(AcknowledgementResult::AccountOpening {
        avs_number: avs(1),
        fund: FundNumber::parse("066.001").unwrap(),
    });
    let mut rejected = entry("A-REJ", 61, Some(avs(2)), 1);
    rejected.observations = vec![Observation {
        code: 14,
        text: Some("number unknown".into()),
    }];
    rejected.wrong_fields = vec![2];
    let mut cert = entry("C-1", 11, Some(avs(4)), 0);
    cert.result = Some(AcknowledgementResult::Certificate(CertificatePrint {
        avs_number: avs(4),
        name: person().name,
        sex: Sex::Male,
        birth_date: BirthDate::Day(day(1963, 4, 12)),
        country: StateCode::new(100).unwrap(),
        issue_date: day(2026, 8, 10),
    }));
    let mut progress = entry("A-PROG", 61, Some(avs(3)), 2);
    progress.observations = vec![Observation {
        code: 2,
        text: Some("still checking".into()),
    }];
    let ack = Acknowledgement {
        header: header("ack-ops-1", "T6-ZAS-1", "T7-066000-1"),
        acknowledgement_date: day(2026, 8, 5),
        entries: vec![done, rejected, cert, progress],
    };
    store
        .take_in_acknowledgement(
            Environment::Prod,
            "acknowledgements:prod",
            1,
            &ack,
            SHA,
            &note(10, "acknowledgement feed"),
        )
        .await
        .unwrap();
    let withdrawn = store
        .submit(&[account("W-1", avs(6))], &note(20, "submitted"))
        .await
        .unwrap()[0]
        .id;
    store
        .withdraw(withdrawn, &note(21, "withdrawn by the fund"))
        .await
        .unwrap();
    let queued = store
        .submit(
            &[account("Q-SHARE", avs(1)), account("Q-2", avs(7))],
            &note(30, "submitted"),
        )
        .await
        .unwrap();
    assert!(
        store
            .raise_reminder(
                ids[3],
                DeadlineRule::StillProcessing,
                day(2026, 8, 26),
                t(40)
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .raise_reminder(ids[4], DeadlineRule::NotMentioned, day(2026, 8, 12), t(40))
            .await
            .unwrap()
    );
    for (i, action) in ["announcement.read", "token.create"].iter().enumerate() {
        store
            .append_audit(&NewAuditEvent {
                at: t(50 + i as i64),
                actor: "operator:test@cli".into(),
                action: (*action).into(),
                target: Some(format!("announcement:{}", ids[0])),
                outcome: arcgw::store::AuditOutcome::Success,
                remote_addr: Some("127.0.0.1".into()),
                details: serde_json::json!({ "n": i }),
                funds: Vec::new(),
            })
            .await
            .unwrap();
    }
    let filled = Filled {
        done: ids[0],
        rejected: ids[1],
        certificate: ids[2],
        withdrawn,
        in_progress: ids[3],
        announced: ids[4],
        queued_sharing: queued[0].id,
        queued: queued[1].id,
    };
    for (id, state) in [
        (filled.done, Done),
        (filled.rejected, Rejected),
        (filled.certificate, Done),
        (filled.withdrawn, Withdrawn),
        (filled.in_progress, InProgress),
        (filled.announced, Announced),
        (filled.queued_sharing, Queued),
        (filled.queued, Queued),
    ] {
        assert_eq!(
            store.announcement(id).await.unwrap().announcement.state,
            state
        );
    }
    filled
}

/// Every row of every table, as text, ordered: the whole content of the database.
async fn content(store: &Store) -> Vec<(String, Vec<Vec<Option<String>>>)> {
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for (table, column) in columns(store).await {
        match tables.last_mut() {
            Some((name, cols)) if *name == table => cols.push(column),
            _ => tables.push((table, vec![column])),
        }
    }
    let mut all = Vec::new();
    for (table, cols) in tables {
        // Names come from the database's own catalogue.
        // Every value as text; SQLite's `quote` also writes blobs (migration checksums).
        let select: Vec<String> = cols
            .iter()
            .map(|c| match store {
                Store::Sqlite(_) => format!("quote(\"{c}\")"),
                Store::Postgres(_) => format!("CAST(\"{c}\" AS TEXT)"),
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM \"{table}\" ORDER BY {}",
            select.join(", "),
            (1..=cols.len())
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let read = |row: &dyn Fn(usize) -> Option<String>| (0..cols.len()).map(row).collect();
        let rows: Vec<Vec<Option<String>>> = match store {
            Store::Sqlite(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| read(&|i| r.get(i)))
                .collect(),
            Store::Postgres(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| read(&|i| r.get(i)))
                .collect(),
        };
        all.push((table, rows));
    }
    all
}

/// A new, empty database for a restore, its URL, and what removes it afterwards.
struct Target {
    url: String,
    drop_database: Option<(String, String)>,
}

async fn empty_target(db: &TestDb, dir: &Path) -> Target {
    match db.backend() {
        arcgw::store::Backend::Sqlite => Target {
            url: format!("sqlite://{}", dir.join("restored.sqlite").display()),
            drop_database: None,
        },
        arcgw::store::Backend::Postgres => {
            // The backup holds the test's schema: restored into a database of its own.
            let base = std::env::var(PG_URL).unwrap();
            let name = format!("arcgw_restore_{}", uuid::Uuid::new_v4().simple());
            let admin = Store::connect(&base).await.unwrap();
            if let Store::Postgres(pool) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            admin.close().await;
            let source = db.url();
            let (_, options) = source.split_once('?').unwrap();
            let (server, _) = base
                .split_once('?')
                .unwrap_or((&base, ""))
                .0
                .rsplit_once('/')
                .unwrap();
            Target {
                url: format!("{server}/{name}?{options}"),
                drop_database: Some((base, name)),
            }
        }
    }
}

impl Target {
    async fn remove(self) {
        if let Some((base, name)) = self.drop_database {
            let admin = Store::connect(&base).await.unwrap();
            if let Store::Postgres(pool) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(pool)
                .await
                .unwrap();
            }
            admin.close().await;
        }
    }
}

/// The audit events of `action`, newest first.
async fn events_of(store: &Store, action: &str) -> Vec<arcgw::store::AuditEvent> {
    store
        .query_audit(&AuditQuery {
            action: Some(action.into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

fn arcgw(url: &str, dir: &Path, args: &[&str]) -> std::process::Output {
    command(url, dir).args(args).output().expect("arcgw runs")
}

async fn a_backup_restores_to_an_identical_service(db: TestDb) {
    let store = &db.store;
    let filled = fill(store).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("arcgw.backup");
    let backup_text = backup.to_str().unwrap();

    let out = arcgw(&db.url(), dir.path(), &["backup", backup_text]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Never over an existing file.
    let again = arcgw(&db.url(), dir.path(), &["backup", backup_text]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // Never into a database that holds tables (here: the source itself).
    let refused = arcgw(&db.url(), dir.path(), &["restore", backup_text]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let target = empty_target(&db, dir.path()).await;
    let out = arcgw(&target.url, dir.path(), &["restore", backup_text]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let restored = Store::connect(&target.url).await.unwrap();
    // Every row of every table, the audit events of the backup and the restore aside.
    let strip_ops_audit = |mut content: Vec<(String, Vec<Vec<Option<String>>>)>| {
        for (table, rows) in &mut content {
            if table == "audit_events" {
                // Columns in name order: `action` first.
                rows.retain(|r| {
                    let action = r[0].as_deref().unwrap_or_default().trim_matches('\'');
                    action != "backup" && action != "restore"
                });
            }
        }
        content
    };
    let before = strip_ops_audit(content(store).await);
    let after = strip_ops_audit(content(&restored).await);
    assert_eq!(before, after);
    assert!(
        before
            .iter()
            .any(|(t, rows)| t == "announcement_history" && rows.len() >= 20)
    );

    // Through the store: every announcement with its history, every audit event.
    let ids = [
        filled.done,
        filled.rejected,
        filled.certificate,
        filled.withdrawn,
        filled.in_progress,
        filled.announced,
        filled.queued_sharing,
        filled.queued,
    ];
    for id in ids {
        assert_eq!(
            store.announcement(id).await.unwrap(),
            restored.announcement(id).await.unwrap()
        );
        assert_eq!(
            store.entries_of(id).await.unwrap(),
            restored.entries_of(id).await.unwrap()
        );
    }
    let audit = |s: &Store| {
        let s = s.clone();
        async move {
            let mut events = s.query_audit(&AuditQuery::default()).await.unwrap();
            events.retain(|e| e.action != "backup" && e.action != "restore");
            events
        }
    };
    assert_eq!(audit(store).await, audit(&restored).await);
    assert_eq!(events_of(&restored, "restore").await.len(), 1);
    restored.close().await;

    // The restored service starts and answers.
    let server = Server::start(command(&target.url, dir.path()));
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    server.stop();
    target.remove().await;
}

/// Whether `bytes` hold the number, as 13 digits or in the dotted form.
fn holds(bytes: &[u8], number: AvsNumber) -> bool {
    let digits = number.digits().to_string();
    let dotted = format!(
        "{}.{}.{}.{}",
        &digits[0..3],
        &digits[3..7],
        &digits[7..11],
        &digits[11..13]
    );
    [digits, dotted]
        .iter()
        .any(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
}

/// The bytes of the SQLite file and its write-ahead log.
fn sqlite_bytes(url: &str) -> Vec<u8> {
    let path = url.strip_prefix("sqlite://").unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    bytes
}

async fn anywhere_in_a_table(store: &Store, number: AvsNumber) -> bool {
    for (table, column) in columns(store).await {
        if occurrences(store, &table, &column, &number.digits()).await > 0 {
            return true;
        }
    }
    false
}

/// Purge closed announcements older than `days`, keeping transmitted ones `years`.
fn rules(days: i64, years: u32) -> PurgeRules {
    PurgeRules {
        older_than: TimeDelta::days(days),
        min_retention: RetentionYears::new(years).unwrap(),
    }
}

async fn a_purge_leaves_no_number_of_closed_announcements(db: TestDb) {
    let store = &db.store;
    let filled = fill(store).await;
    let gone = [avs(2), avs(4), avs(6)];
    let kept = [avs(1), avs(3), avs(5), avs(7)];
    let sqlite = db.backend() == arcgw::store::Backend::Sqlite;
    if sqlite {
        let bytes = sqlite_bytes(&db.url());
        assert!(
            gone.iter().all(|n| holds(&bytes, *n)),
            "the scan finds them before"
        );
    }

    // Within the retention nothing is purged.
    let now = t(0) + TimeDelta::days(400);
    let none = store
        .purge(&rules(500, 1), now, "operator:test@cli")
        .await
        .unwrap();
    assert_eq!(none.announcements, 0);

    let report = store
        .purge(&rules(30, 1), now, "operator:test@cli")
        .await
        .unwrap();
    assert_eq!(report.announcements, 4);
    assert_eq!(report.entries, 3);
    assert_eq!(report.persons, 3);

    for number in gone {
        assert!(!anywhere_in_a_table(store, number).await);
    }
    if sqlite {
        let bytes = sqlite_bytes(&db.url());
        for number in gone {
            assert!(
                !holds(&bytes, number),
                "a purged number is left in the file"
            );
        }
        assert!(holds(&bytes, avs(3)));
    }
    // Open announcements keep theirs.
    for number in kept {
        assert!(anywhere_in_a_table(store, number).await);
    }
    let sharing = store.announcement(filled.queued_sharing).await.unwrap();
    assert_eq!(
        sharing.announcement.announcement,
        account("Q-SHARE", avs(1))
    );
    for id in [filled.in_progress, filled.announced, filled.queued] {
        store.announcement(id).await.unwrap();
    }
    let progress = store.entries_of(filled.in_progress).await.unwrap();
    assert_eq!(progress[0].entry.avs_number, Some(avs(3)));
    assert!(progress[0].entry.observations[0].text.is_some());

    // The purged ones keep their state and history, without the person.
    for (id, state) in [
        (filled.done, Done),
        (filled.rejected, Rejected),
        (filled.certificate, Done),
        (filled.withdrawn, Withdrawn),
    ] {
        let err = store.announcement(id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Purged { id: i, .. } if i == id),
            "{err}"
        );
        let purged = store.purged_announcement(id).await.unwrap();
        assert_eq!(purged.summary.state, state);
        assert_eq!(purged.purged_at, now);
        assert_eq!(purged.history.last().unwrap().state, state);
        assert!(purged.history.len() >= 2);
        for entry in store.entries_of(id).await.unwrap() {
            assert_eq!(entry.entry.avs_number, None);
            assert_eq!(entry.entry.result, None);
            assert!(entry.entry.observations.iter().all(|o| o.text.is_none()));
        }
    }
    let rejected = store.entries_of(filled.rejected).await.unwrap();
    assert_eq!(rejected[0].entry.observations[0].code, 14);
    assert_eq!(rejected[0].entry.wrong_fields, vec![2]);
    let listed = store
        .list_announcements(&ListFilter {
            state: Some(Done),
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);

    // The audit says a purge happened, with counts and no number.
    let events = events_of(store, "purge").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].details["announcements"], 4);
    assert_eq!(events[0].details["persons"], 3);
    assert_eq!(events[0].details["older_than_days"], 30);
    assert!(!events[0].details.to_string().contains("756"));

    // Purging again finds nothing more.
    let again = store
        .purge(&rules(30, 1), now, "operator:test@cli")
        .await
        .unwrap();
    assert_eq!(
        (again.announcements, again.entries, again.persons),
        (0, 0, 0)
    );
}

/// A splitting order (95) dealt with, and its confirmation.
async fn a_confirmed_splitting_order(store: &Store) -> i64 {
    let years = vec![SplitYear {
        year: 2001,
        special: None,
    }];
    let order = Announcement::new(
        fund(),
        Reference::new("S-95").unwrap(),
        KeyCode::new(95).unwrap(),
        Particulars::Splitting {
            avs_number: avs(8),
            order: SplittingOrder::new(avs(9), years).unwrap(),
        },
    )
    .unwrap();
    let id = support::flow::announce(store, &[order], "msg-ops-95", t(100)).await[0];
    let mut confirmed = entry("S-95", 95, Some(avs(8)), 0);
    confirmed.result = Some(AcknowledgementResult::SplittingConfirmation {
        avs_number: avs(8),
        spouse_avs_number: avs(9),
        account_funds: vec![fund()],
    });
    let ack = Acknowledgement {
        header: header("ack-ops-95", "T6-ZAS-1", "T7-066000-1"),
        acknowledgement_date: day(2026, 8, 6),
        entries: vec![confirmed],
    };
    support::flow::take_in(store, 95, &ack, t(110)).await;
    id
}

/// A purge on `now` of what closed more than 30 days before, keeping 10 years: how many
/// announcements it purged, kept for print (N. 3403) and kept as splitting orders (N. 2606).
async fn purged_and_kept(store: &Store, now: DateTime<Utc>) -> (u64, u64, u64) {
    let report = store
        .purge(&rules(30, 10), now, "operator:test@cli")
        .await
        .unwrap();
    (
        report.announcements,
        report.kept_for_print,
        report.kept_splitting,
    )
}

/// The purge keeps what the directives still need: a transmitted announcement for the minimum
/// retention (N. 3403: produced on paper on request), a splitting order and its confirmation
/// until late entries are no longer possible (N. 2606), whatever `--older-than` says; the
/// report and the audit say what was kept and why.
async fn the_purge_keeps_what_the_directives_still_need(db: TestDb) {
    let store = &db.store;
    // Announced before `fill`, which claims every queued announcement.
    let splitting = a_confirmed_splitting_order(store).await;
    let filled = fill(store).await;
    // Closed 100 days ago, purge after 30 days, keep 10 years: only the withdrawn one (never
    // sent) goes.
    let now = t(0) + TimeDelta::days(100);
    assert_eq!(purged_and_kept(store, now).await, (1, 3, 1));
    store.purged_announcement(filled.withdrawn).await.unwrap();
    for id in [filled.done, filled.rejected, filled.certificate, splitting] {
        store.announcement(id).await.unwrap();
    }
    // Eleven years on: the retention has passed; the splitting order stays, with its
    // confirmation and both spouses' numbers.
    let later = t(0) + TimeDelta::days(11 * 366);
    assert_eq!(purged_and_kept(store, later).await, (3, 0, 1));
    let kept = store.announcement(splitting).await.unwrap();
    assert_eq!(kept.announcement.state, Done);
    let entries = store.entries_of(splitting).await.unwrap();
    assert!(matches!(
        entries[0].entry.result,
        Some(AcknowledgementResult::SplittingConfirmation { .. })
    ));
    for number in [avs(8), avs(9)] {
        assert!(anywhere_in_a_table(store, number).await);
    }
    let events = events_of(store, "purge").await;
    let last = &events[0].details;
    assert_eq!(
        (&last["kept_splitting"], &last["min_retention_years"]),
        (&serde_json::json!(1), &serde_json::json!(10))
    );
}

async fn the_purge_command_reports_counts(db: TestDb) {
    fill(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    // Closed in August 2026: with a retention of a day, purged today.
    let out = arcgw(&db.url(), dir.path(), &["purge", "--older-than", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only the withdrawn one goes: the others were announced to the ZAS and stay for the
    // default minimum retention of 10 years (N. 3403).
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "purge: 1 announcements, 0 acknowledgement entries, 1 persons removed\n\
         kept: 3 transmitted announcements closed less than 10 years ago ([purge] \
         min_retention_years), to be produced on paper on request (N. 3403)"
    );
    let zero = arcgw(&db.url(), dir.path(), &["purge", "--older-than", "0"]);
    assert!(!zero.status.success());
}

/// Annex 2.5: each start records the configuration it runs with; a change is a
/// `config.changed` event naming the settings that differ, and no secret is ever written.
async fn configuration_changes_are_audited(db: TestDb) {
    let store = &db.store;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("arcgw.toml");
    let load = |rate: u32, database_password: &str| {
        std::fs::write(
            &file,
            format!("listen = \"127.0.0.1:9000\"\n[http]\nrate_limit_per_minute = {rate}\n"),
        )
        .unwrap();
        let url = format!("postgres://arcgw:{database_password}@db.example/arcgw");
        arcgw::config::Config::load(Some(&file), vec![("ARCGW_DATABASE_URL".into(), url)])
            .unwrap()
            .settings
    };
    let at = |minute: i64| {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20_000) + TimeDelta::minutes(minute)
    };
    let record = async |settings: arcgw::config::Settings, minute| {
        arcgw::serve::record_configuration(store, &settings, at(minute)).await
    };
    assert!(
        record(load(600, "hunter2"), 1).await.unwrap().is_empty(),
        "the first"
    );
    assert!(
        record(load(600, "hunter2"), 2).await.unwrap().is_empty(),
        "unchanged"
    );
    assert_eq!(
        record(load(60, "hunter2"), 3).await.unwrap(),
        ["http.rate_limit_per_minute"]
    );
    assert_eq!(
        record(load(60, "other"), 4).await.unwrap(),
        ["env:ARCGW_DATABASE_URL"],
        "a secret's change is seen"
    );
    let events = store
        .query_audit(&AuditQuery {
            since: Some(at(0)),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let seen: Vec<(&str, &serde_json::Value)> = events
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), &e.details["changed"]))
        .collect();
    assert_eq!(
        seen,
        [
            ("config.loaded", &serde_json::json!([])),
            ("config.loaded", &serde_json::json!([])),
            (
                "config.changed",
                &serde_json::json!(["http.rate_limit_per_minute"])
            ),
            (
                "config.changed",
                &serde_json::json!(["env:ARCGW_DATABASE_URL"])
            ),
        ]
    );
    assert_eq!(events.last().unwrap().details["first"], true);
    assert_eq!(
        events[0].details["settings"]["http.rate_limit_per_minute"],
        "60"
    );
    for e in &events {
        let text = e.details.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("other@"),
            "{text}"
        );
    }
}

/// Annex 2.5: the logged events are analysed periodically. The store tells when the log was
/// last reviewed (a successful review or export), or when it began; the metric and the rule
/// `ArcgwAuditLogNotReviewed` are built on it.
async fn the_last_review_of_the_audit_log_is_known(db: TestDb) {
    let store = &db.store;
    assert_eq!(store.audit_last_reviewed().await.unwrap(), None, "empty");
    let event = |action: &str, outcome, minute| NewAuditEvent {
        at: t(minute),
        actor: "user:boss".into(),
        action: action.into(),
        target: None,
        outcome,
        remote_addr: None,
        details: serde_json::json!({}),
        funds: Vec::new(),
    };
    store
        .append_audit(&event("session.login", AuditOutcome::Success, 1))
        .await
        .unwrap();
    store
        .append_audit(&event("token.create", AuditOutcome::Success, 2))
        .await
        .unwrap();
    assert_eq!(
        store.audit_last_reviewed().await.unwrap(),
        Some(t(1)),
        "never: since the first"
    );
    store
        .append_audit(&event("audit.review", AuditOutcome::Success, 3))
        .await
        .unwrap();
    store
        .append_audit(&event("audit.review", AuditOutcome::Denied, 4))
        .await
        .unwrap();
    assert_eq!(store.audit_last_reviewed().await.unwrap(), Some(t(3)));
    store
        .append_audit(&event("audit.export", AuditOutcome::Success, 5))
        .await
        .unwrap();
    assert_eq!(store.audit_last_reviewed().await.unwrap(), Some(t(5)));
}

support::db::on_both_backends!(
    the_last_review_of_the_audit_log_is_known,
    configuration_changes_are_audited,
    a_backup_restores_to_an_identical_service,
    a_purge_leaves_no_number_of_closed_announcements,
    the_purge_keeps_what_the_directives_still_need,
    the_purge_command_reports_counts,
);
