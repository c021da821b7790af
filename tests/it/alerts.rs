//! Alerts of passed deadlines, on both back ends (see `support::db`), on a manual clock: the
//! outbox written with the reminder, delivered to a real webhook receiver (axum on a loopback
//! port) and a real SMTP listener (`support::smtp`), with retries, restarts, two delivery jobs
//! on one database, and the `/metrics` families the Prometheus rules use.

use std::sync::Arc;

use arcgw::alerts::webhook::{SignatureError, verify};
use arcgw::alerts::{AlertJob, AlertsConfig, Secret};
use arcgw::clock::{Clock, ManualClock};
use arcgw::config::HttpConfig;
use arcgw::deadlines::DeadlineRule;
use arcgw::domain::{
    Announcement, AvsNumber, Environment, FundNumber, KeyCode, MessageHeader, MessageId,
    ParticipantId, Particulars, Reference,
};
use arcgw::store::{
    AlertOutcome, Attempt, AttemptOutcome, ChangeNote, NewTransmission, NextStep, Store,
};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};

use crate::support;
use crate::support::db::{TestDb, avs};
use crate::support::smtp::SmtpServer;
use crate::support::webhook::{Hook, Receiver, SECRET};

fn at(y: i32, m: u32, d: u32, hh: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Zurich
        .with_ymd_and_hms(y, m, d, hh, 0, 0)
        .unwrap()
        .to_utc()
}

// ---------------------------------------------------------------------------------------------
// Test data and steps

fn note(at: DateTime<Utc>) -> ChangeNote {
    ChangeNote::new(at, "test:alerts", "alerts test")
}

/// An opening of a CI (key 61) of fund 066.000 for `number`, announced (transmitted, receipt
/// 100) at `at`; returns its id.
async fn announced(store: &Store, reference: &str, number: &AvsNumber, at: DateTime<Utc>) -> i64 {
    let announcement = Announcement::new(
        FundNumber::parse("066.000").unwrap(),
        Reference::new(reference).unwrap(),
        KeyCode::new(61).unwrap(),
        Particulars::Account {
            avs_number: *number,
        },
    )
    .unwrap();
    let id = store.submit(&[announcement], &note(at)).await.unwrap()[0].id;
    assert_eq!(store.claim_queued(1, &note(at)).await.unwrap()[0].id, id);
    let header = MessageHeader {
        sender_id: ParticipantId::new("T7-066000-1").unwrap(),
        recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        message_id: MessageId::new(&format!("msg-{reference}")).unwrap(),
        reference_message_id: None,
        message_date: at,
        test_delivery: true,
    };
    let transmission = store
        .create_transmission(
            &NewTransmission {
                header: &header,
                environment: Environment::Prod,
                announcement_ids: &[id],
                xml_sha256: &"0".repeat(64),
            },
            at,
        )
        .await
        .unwrap();
    let sent = Attempt {
        outcome: AttemptOutcome::Transmitted,
        receipt_code: Some(100),
        detail: "receipt 100".to_string(),
    };
    store
        .record_attempt(transmission, &sent, &NextStep::Sent, &note(at))
        .await
        .unwrap();
    id
}

/// Announced on Monday 4 January 2027, not mentioned: the 7 working days end on Wednesday 13
/// January; the reminder is raised on the 14th.
const DUE: (i32, u32, u32) = (2027, 1, 13);

fn due() -> NaiveDate {
    NaiveDate::from_ymd_opt(DUE.0, DUE.1, DUE.2).unwrap()
}

/// Announces `reference` and raises its reminder on the 14th at 07:00; returns the clock.
async fn raised(store: &Store, reference: &str, number: &AvsNumber) -> Arc<ManualClock> {
    let id = announced(store, reference, number, at(2027, 1, 4, 10)).await;
    let clock = Arc::new(ManualClock::new(at(2027, 1, 14, 7)));
    assert!(
        store
            .raise_reminder(id, DeadlineRule::NotMentioned, due(), clock.now())
            .await
            .unwrap()
    );
    clock
}

fn config(webhook_url: &str, smtp: &SmtpServer, max_attempts: u32) -> AlertsConfig {
    support::webhook::alerts_config(webhook_url, smtp.address.port(), max_attempts)
}

fn job(store: &Store, clock: &Arc<ManualClock>, config: AlertsConfig) -> AlertJob {
    AlertJob::new(store.clone(), clock.clone(), config).unwrap()
}

/// A job with the log and a webhook whose receiver refuses everything (no e-mail).
async fn refused_webhook_job(
    store: &Store,
    clock: &Arc<ManualClock>,
    max_attempts: u32,
) -> (Receiver, AlertJob) {
    let (receiver, url) = Receiver::start(u32::MAX).await;
    let mut config = support::webhook::alerts_config(&url, 25, max_attempts);
    config.email = None;
    (receiver, job(store, clock, config))
}

/// The statuses of the deliveries, as `channel:status` sorted, from the store's counts.
async fn statuses(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for c in store.alert_delivery_counts().await.unwrap() {
        for _ in 0..c.count {
            out.push(format!("{}:{}", c.channel, c.status));
        }
    }
    out
}

fn json(hook: &Hook) -> serde_json::Value {
    serde_json::from_slice(&hook.body).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Tests

/// A raised reminder reaches the webhook, signed, and the mailbox, each once; the texts carry
/// fund, reference, key, rule, dates and link, never the AVS number.
async fn a_reminder_reaches_the_webhook_and_the_mailbox_once(db: TestDb) {
    let store = &db.store;
    let number = avs(4711);
    let clock = raised(store, "ALERT-1", &number).await;
    let (receiver, url) = Receiver::start(0).await;
    let smtp = SmtpServer::start().await;
    let job = job(store, &clock, config(&url, &smtp, 5));

    let outcome = job.deliver_due().await.unwrap();
    assert_eq!(outcome.delivered, 3, "log, webhook and e-mail: {outcome:?}");
    for _ in 0..3 {
        clock.advance(TimeDelta::hours(1));
        assert_eq!(job.deliver_due().await.unwrap().delivered, 0);
    }

    let hooks = receiver.accepted();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    let hook = &hooks[0];
    let body = json(hook);
    assert_eq!(body["alert_id"], hook.alert_id_header.as_str());
    assert_eq!(body["kind"], "deadline_passed");
    assert_eq!(body["fund"], "066.000");
    assert_eq!(body["reference"], "ALERT-1");
    assert_eq!(body["key"], 61);
    assert_eq!(body["rule"], "not_mentioned");
    assert_eq!(body["announced_on"], "2027-01-04");
    assert_eq!(body["due"], "2027-01-13");
    let announcement_id = body["announcement_id"].as_i64().unwrap();
    assert_eq!(
        body["announcement_url"],
        format!("https://arcgw.fund.example/announcements/{announcement_id}")
    );
    // The signature verifies with the secret, at the clock's time, and with nothing else.
    let now = at(2027, 1, 14, 7);
    let secret = Secret::new(SECRET);
    assert_eq!(
        verify(&secret, &hook.signature, &hook.body, now, 300),
        Ok(())
    );
    assert_eq!(
        verify(
            &Secret::new("a-wrong-secret-of-the-test"),
            &hook.signature,
            &hook.body,
            now,
            300
        ),
        Err(SignatureError::Mismatch)
    );
    let mut tampered = hook.body.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(
        verify(&secret, &hook.signature, &tampered, now, 300),
        Err(SignatureError::Mismatch)
    );

    let mails = smtp.received();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    // Header lines may be folded (RFC 5322, 2.2.3).
    let data = mail.data.replace("\r\n ", " ");
    assert_eq!(mail.from, "<arcgw@fund.example>");
    assert_eq!(mail.to, vec!["<operators@fund.example>".to_string()]);
    for expected in [
        "Subject: [arcgw] Deadline passed: fund 066.000 reference ALERT-1 (due 2027-01-13)",
        &format!("Message-ID: <{}@arcgw>", hook.alert_id_header),
        "Content-Type: text/plain",
        "Date: Thu, 14 Jan 2027 06:00:00 +0000",
        "Fund:         066.000",
        "Reference:    ALERT-1",
        "Key:          61",
        "Announced on: 2027-01-04",
        "Due on:       2027-01-13",
        "Rule:         not mentioned by the ZAS within 7 working days (N. 3401)",
        &format!("https://arcgw.fund.example/announcements/{announcement_id}"),
    ] {
        assert!(data.contains(expected), "{expected}\n{data}");
    }

    // Security baseline (draft art. 3): no AVS number, in any form, in what left the gateway.
    let body_text = String::from_utf8(hook.body.clone()).unwrap();
    for text in [&body_text, &mail.data, &hook.signature] {
        assert!(!text.contains(&number.digits()), "{text}");
        assert!(!text.contains(&number.to_string()), "{text}");
        assert!(
            !arcgw::domain::avs_mask::contains_avs_number(text),
            "{text}"
        );
    }
    assert_eq!(
        statuses(store).await,
        ["email:delivered", "log:delivered", "webhook:delivered"]
    );
    // The same reminder again: no reminder, so no alert.
    assert!(
        !store
            .raise_reminder(
                announcement_id,
                DeadlineRule::NotMentioned,
                due(),
                clock.now()
            )
            .await
            .unwrap()
    );
    assert_eq!(job.deliver_due().await.unwrap().delivered, 0);
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(smtp.received().len(), 1);
}

/// A receiver answering 500 twice gets the alert on the third attempt, after the backoff, with
/// the same alert id each time; it accepts it once.
async fn a_receiver_failing_twice_gets_the_alert_once(db: TestDb) {
    let store = &db.store;
    let clock = raised(store, "ALERT-2", &avs(4712)).await;
    let (receiver, url) = Receiver::start(2).await;
    let smtp = SmtpServer::start().await;
    let mut config = config(&url, &smtp, 5);
    config.log = false;
    config.email = None;
    let job = job(store, &clock, config);

    let first = job.deliver_due().await.unwrap();
    assert_eq!((first.delivered, first.retrying), (0, 1));
    assert_eq!(
        job.deliver_due().await.unwrap().retrying,
        0,
        "not again before the backoff"
    );
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(job.deliver_due().await.unwrap().retrying, 1);
    clock.advance(TimeDelta::seconds(2));
    assert_eq!(job.deliver_due().await.unwrap().delivered, 1);
    clock.advance(TimeDelta::hours(1));
    assert_eq!(job.deliver_due().await.unwrap().delivered, 0);

    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.alert_id_header == requests[0].alert_id_header)
    );
    assert_eq!(receiver.accepted().len(), 1);
    assert_eq!(statuses(store).await, ["webhook:delivered"]);
}

/// A receiver that never answers: after `max_attempts` the delivery is `failed`, counted for
/// the operators, and not tried again.
async fn a_delivery_fails_for_good_after_its_attempts(db: TestDb) {
    let store = &db.store;
    let clock = raised(store, "ALERT-3", &avs(4713)).await;
    let (receiver, job) = refused_webhook_job(store, &clock, 3).await;
    let mut failed = 0;
    for _ in 0..6 {
        failed += job.deliver_due().await.unwrap().failed;
        clock.advance(TimeDelta::seconds(61));
    }
    assert_eq!(failed, 1);
    assert_eq!(receiver.requests().len(), 3);
    assert_eq!(statuses(store).await, ["log:delivered", "webhook:failed"]);
}

/// A restart between raising and delivering: a first job claimed the deliveries and died
/// before sending; the job of the restarted gateway, on a new pool, delivers them once the
/// lease has ended, once.
async fn a_restart_between_raise_and_delivery_delivers_once(db: TestDb) {
    let clock = raised(&db.store, "ALERT-4", &avs(4714)).await;
    let (receiver, url) = Receiver::start(0).await;
    let smtp = SmtpServer::start().await;
    let claimed = db
        .store
        .claim_alert_deliveries(
            &["webhook", "email"],
            clock.now(),
            clock.now() + TimeDelta::seconds(10),
            10,
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    db.store.close().await;

    let store = db.another_store().await;
    let job = job(&store, &clock, config(&url, &smtp, 5));
    let outcome = job.deliver_due().await.unwrap();
    assert_eq!(outcome.delivered, 1, "only the log: the others are leased");
    clock.advance(TimeDelta::seconds(11));
    assert_eq!(job.deliver_due().await.unwrap().delivered, 2);
    clock.advance(TimeDelta::hours(1));
    assert_eq!(job.deliver_due().await.unwrap().delivered, 0);
    assert_eq!(receiver.accepted().len(), 1);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        json(&receiver.accepted()[0])["alert_id"],
        claimed[0].alert_id
    );
    store.close().await;
}

/// An attempt whose lease ran out while another claim began is recorded but changes nothing:
/// only the newer attempt decides.
async fn a_late_answer_after_the_lease_changes_nothing(db: TestDb) {
    let store = &db.store;
    let clock = raised(store, "ALERT-9", &avs(4719)).await;
    let now = clock.now();
    let lease = TimeDelta::seconds(10);
    let first = store
        .claim_alert_deliveries(&["webhook"], now, now + lease, 10)
        .await
        .unwrap();
    assert_eq!((first.len(), first[0].attempt), (1, 1));
    assert!(
        store
            .claim_alert_deliveries(&["webhook"], now + lease / 2, now + lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    let later = now + lease + TimeDelta::seconds(1);
    let second = store
        .claim_alert_deliveries(&["webhook"], later, later + lease, 10)
        .await
        .unwrap();
    assert_eq!((second[0].id, second[0].attempt), (first[0].id, 2));
    assert!(
        !store
            .record_alert_attempt(first[0].id, 1, later, &AlertOutcome::Delivered)
            .await
            .unwrap()
    );
    assert_eq!(statuses(store).await, ["webhook:pending"]);
    assert!(
        store
            .record_alert_attempt(first[0].id, 2, later, &AlertOutcome::Delivered)
            .await
            .unwrap()
    );
    assert_eq!(statuses(store).await, ["webhook:delivered"]);
}

/// Two delivery jobs on one database at once (two instances): each alert is delivered once
/// per channel.
async fn two_delivery_jobs_deliver_once(db: TestDb) {
    let store = &db.store;
    let clock = raised(store, "ALERT-5", &avs(4715)).await;
    let number = avs(4716);
    let id = announced(store, "ALERT-6", &number, at(2027, 1, 4, 11)).await;
    assert!(
        store
            .raise_reminder(id, DeadlineRule::NotMentioned, due(), clock.now())
            .await
            .unwrap()
    );
    let (receiver, url) = Receiver::start(0).await;
    let smtp = SmtpServer::start().await;
    let other = db.another_store().await;
    let a = job(store, &clock, config(&url, &smtp, 5));
    let b = job(&other, &clock, config(&url, &smtp, 5));
    let (x, y) = tokio::join!(a.deliver_due(), b.deliver_due());
    assert_eq!(x.unwrap().delivered + y.unwrap().delivered, 6);
    let (x, y) = tokio::join!(a.deliver_due(), b.deliver_due());
    assert_eq!(x.unwrap().delivered + y.unwrap().delivered, 0);
    let mut ids: Vec<String> = receiver
        .requests()
        .iter()
        .map(|h| h.alert_id_header.clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((receiver.requests().len(), ids.len()), (2, 2));
    assert_eq!(smtp.received().len(), 2);
    other.close().await;
}

/// The daemon delivers an alert raised while no gateway ran (restart), with the webhook secret
/// from `ARCGW_ALERTS_WEBHOOK_SECRET` instead of the file's, and stops cleanly.
async fn the_daemon_delivers_the_outbox_with_the_secret_from_the_environment(db: TestDb) {
    raised(&db.store, "ALERT-10", &avs(4720)).await;
    let (receiver, url) = Receiver::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("arcgw.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts]\ndashboard_url = \"https://arcgw.fund.example\"\n\
             delivery_interval_ms = 100\n\
             [alerts.webhook]\nurl = \"{url}\"\nsecret = \"the-secret-in-the-file\"\n"
        ),
    )
    .unwrap();
    let mut cmd = support::proc::command(&db.url(), dir.path());
    cmd.env(
        "ARCGW_ALERTS_WEBHOOK_SECRET",
        "the-secret-of-the-environment",
    );
    let server = support::proc::Server::start_with(cmd, &["--config", config.to_str().unwrap()]);
    for _ in 0..400 {
        if !receiver.accepted().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(server.stop(), Some(0));
    let hooks = receiver.accepted();
    assert_eq!(hooks.len(), 1, "delivered once");
    let hook = &hooks[0];
    assert_eq!(json(hook)["reference"], "ALERT-10");
    let now = Utc::now();
    let from_env = Secret::new("the-secret-of-the-environment");
    assert_eq!(
        verify(&from_env, &hook.signature, &hook.body, now, 300),
        Ok(())
    );
    let from_file = Secret::new("the-secret-in-the-file");
    assert_eq!(
        verify(&from_file, &hook.signature, &hook.body, now, 300),
        Err(SignatureError::Mismatch)
    );
}

/// `/metrics` exports every metric the rules of `deploy/prometheus/alerts.yml` use, and the
/// deadline and outbox figures are right.
async fn metrics_export_what_the_alert_rules_use(db: TestDb) {
    use tower::ServiceExt;
    let store = &db.store;
    let clock = raised(store, "ALERT-7", &avs(4717)).await;
    let (_receiver, job) = refused_webhook_job(store, &clock, 1).await;
    job.deliver_due().await.unwrap();

    let state = arcgw::app::AppState::new(
        store.clone(),
        clock.clone(),
        arcgw::calendar::ZasCalendar::geneva(),
        HttpConfig::default(),
    )
    .with_certificate_expiry(Environment::Prod, clock.now() + TimeDelta::days(90));
    let response = arcgw::app::router(state)
        .oneshot(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let metrics = String::from_utf8(bytes.to_vec()).unwrap();

    let rules = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/alerts.yml"),
    )
    .unwrap();
    let mut used: Vec<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("arcgw_") && word.len() > "arcgw_".len())
        .collect();
    used.sort_unstable();
    used.dedup();
    assert!(used.len() >= 5, "{used:?}");
    for name in used {
        assert!(
            metrics.contains(&format!("# TYPE {name} ")),
            "{name} is used by a rule but not exported:\n{metrics}"
        );
    }
    let pending_age = (clock.now() - at(2027, 1, 4, 10)).num_seconds();
    for expected in [
        "arcgw_overdue_announcements{rule=\"not_mentioned\",fund=\"066.000\"} 1".to_string(),
        format!("arcgw_oldest_pending_age_seconds{{state=\"announced\"}} {pending_age}"),
        "arcgw_oldest_pending_age_seconds{state=\"in_progress\"} 0".to_string(),
        "arcgw_alert_deliveries{channel=\"log\",status=\"delivered\"} 1".to_string(),
        "arcgw_alert_deliveries{channel=\"webhook\",status=\"failed\"} 1".to_string(),
        "arcgw_alert_deliveries{channel=\"webhook\",status=\"pending\"} 0".to_string(),
        "arcgw_oldest_undelivered_alert_age_seconds 0".to_string(),
    ] {
        assert!(metrics.contains(&expected), "{expected}\n{metrics}");
    }
}

/// An alert waiting in the outbox shows in the age of the oldest undelivered one.
async fn an_undelivered_alert_ages(db: TestDb) {
    let store = &db.store;
    let clock = raised(store, "ALERT-8", &avs(4718)).await;
    let raised_at = clock.now();
    assert_eq!(
        store.oldest_pending_alert().await.unwrap(),
        Some(raised_at),
        "before any delivery was made"
    );
    let (_receiver, job) = refused_webhook_job(store, &clock, 5).await;
    job.deliver_due().await.unwrap();
    assert_eq!(store.oldest_pending_alert().await.unwrap(), Some(raised_at));
    assert_eq!(statuses(store).await, ["log:delivered", "webhook:pending"]);
}

/// Migration 0020 (alerts of more kinds; on SQLite the table is built again) on a database
/// written before it, holding an alert of N. 3401 with a delivery and an attempt: all kept,
/// still tied together, the new checks enforced, and the alert delivered afterwards.
async fn migration_0020_keeps_the_alerts_and_their_deliveries(db: TestDb) {
    let store = db.empty_store().await;
    let before = [
        "INSERT INTO announcements (id, environment, fund, reference, key_code, particulars, \
         content_hash, state, state_since, submitted_at) VALUES (20, 'prod', '066.000', 'R-1', \
         61, '{}', 'h1', 'announced', '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z')",
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) VALUES (20, 'announced', 'sending', '2026-11-23T08:00:00Z', 'sent', 'test')",
        "INSERT INTO reminders (id, announcement_id, rule, raised_at, due_date, state_since) \
         VALUES (7, 20, 'not_mentioned', '2026-12-03T06:00:00Z', '2026-12-02', \
         '2026-11-23T08:00:00Z')",
        "INSERT INTO alerts (id, alert_id, kind, reminder_id, created_at) VALUES \
         (3, 'alert-of-before', 'deadline_passed', 7, '2026-12-03T06:00:00Z')",
        "INSERT INTO alert_deliveries (id, alert_id, channel, status, attempts, due_at, \
         created_at) VALUES (1, 3, 'webhook', 'pending', 1, '2026-12-03T06:00:00Z', \
         '2026-12-03T06:00:00Z')",
        "INSERT INTO alert_attempts (delivery_id, attempt, at, outcome, detail) VALUES \
         (1, 1, '2026-12-03T06:00:01Z', 'error', 'connection refused')",
    ];
    support::db::migrated_to(&store, 19, &before).await;
    store.migrate().await.unwrap();
    let count = |sql| support::db::count(&store, sql);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM alerts WHERE id = 3 AND alert_id = 'alert-of-before' \
             AND kind = 'deadline_passed' AND reminder_id = 7 AND transmission_id IS NULL \
             AND closing_order_id IS NULL AND detail = ''"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id \
             JOIN alert_attempts t ON t.delivery_id = d.id WHERE a.id = 3"
        )
        .await,
        1
    );
    // The foreign keys and the new checks hold.
    for refused in [
        "INSERT INTO alert_deliveries (alert_id, channel, status, due_at, created_at) VALUES \
         (99, 'log', 'pending', '2026-12-03T06:00:00Z', '2026-12-03T06:00:00Z')",
        "INSERT INTO alerts (alert_id, kind, created_at) VALUES ('a-2', \
         'sedex_receipt_overdue', '2026-12-03T06:00:00Z')",
        "INSERT INTO alerts (alert_id, kind, reminder_id, created_at) VALUES ('a-3', \
         'closing_order_overdue', 7, '2026-12-03T06:00:00Z')",
    ] {
        assert!(
            support::db::execute(&store, refused).await.is_err(),
            "{refused}"
        );
    }
    // Delivered as before: the claim reads the rebuilt table.
    let (receiver, url) = Receiver::start(0).await;
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 3, 7, 0, 0).unwrap(),
    ));
    let mut config = support::webhook::alerts_config(&url, smtp.address.port(), 5);
    config.log = false;
    config.email = None;
    let job = AlertJob::new(store.clone(), clock, config).unwrap();
    assert_eq!(job.deliver_due().await.unwrap().delivered, 1);
    let hooks = receiver.accepted();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].alert_id_header, "alert-of-before");
    store.close().await;
}

support::db::on_both_backends!(
    migration_0020_keeps_the_alerts_and_their_deliveries,
    a_reminder_reaches_the_webhook_and_the_mailbox_once,
    a_receiver_failing_twice_gets_the_alert_once,
    a_delivery_fails_for_good_after_its_attempts,
    a_restart_between_raise_and_delivery_delivers_once,
    two_delivery_jobs_deliver_once,
    a_late_answer_after_the_lease_changes_nothing,
    metrics_export_what_the_alert_rules_use,
    the_daemon_delivers_the_outbox_with_the_secret_from_the_environment,
    an_undelivered_alert_ages,
);
