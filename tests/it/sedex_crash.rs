//! The real `arcgw serve` over sedex, aborted at its crash points (`ARCGW_FAILPOINT`), then
//! restarted: after the payload and before the envelope, and after the envelope and before the
//! hand-over is recorded, the restarted gateway hands over the same message (the same message
//! id, one payload and one envelope), never a second one. SQLite always, PostgreSQL with
//! `ARCGW_TEST_PG_URL`.

use std::path::Path;
use std::time::{Duration, Instant};

use arcgw::sedex::folders;
use serde_json::{Value, json};

use crate::support;
use crate::support::db::TestDb;
use crate::support::proc::{Server, command, create_token, submit};

fn write_config(dir: &Path) -> String {
    let interface = dir.join("sedex");
    arcgw::transport::SedexConfig::in_interface_directory(interface.clone())
        .create_missing_folders()
        .unwrap();
    let config = format!(
        r#"[zas]
environment = "prod"
sender_id = "T7-000000-1"
recipient_id = "T6-ZAS-1"
transport = "sedex"
send_interval_ms = 100
poll_interval_ms = 100
[zas.sedex]
interface_directory = "{}"
poll_interval_ms = 100
hand_over_lease_secs = 2
"#,
        interface.display()
    );
    let path = dir.join("arcgw.toml");
    std::fs::write(&path, config).unwrap();
    path.to_str().unwrap().to_string()
}

/// One announcement, `K-1`.
fn k_1() -> Vec<Value> {
    let avs = support::db::avs_digits(1);
    vec![json!({"fund": "066.000", "reference": "K-1", "key": 61, "avs_number": avs})]
}

/// Aborts at `failpoint`, checks what it left with `left`, restarts and waits for a complete
/// hand-over recorded; returns the outbox's files.
async fn crash_at(db: TestDb, failpoint: &str, envelope_left: bool) {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let outbox = dir.path().join("sedex/outbox");
    let url = db.url();
    let token = create_token(&url, dir.path(), &["066.000"]);
    let mut crashing = command(&url, dir.path());
    crashing.env("ARCGW_FAILPOINT", failpoint);
    let mut server = Server::start_with(crashing, &["--config", &config]);
    submit(&server.base, &token, k_1()).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the failpoint was not reached");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = folders::list(&outbox).unwrap();
    assert_eq!(left.len(), if envelope_left { 2 } else { 1 }, "{left:?}");
    let transmissions = db.store.list_transmissions(None, 10).await.unwrap();
    assert_eq!(transmissions.len(), 1);
    let t = &transmissions[0];
    assert_eq!(t.attempts, 0, "the hand-over was not recorded");
    assert!(
        left.iter()
            .all(|f| f.id.as_str() == t.header.message_id.as_str())
    );

    // Restarted without the failpoint: once the lease has run out, the same message again.
    let restarted = Server::start_with(command(&url, dir.path()), &["--config", &config]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (record, attempts) = db.store.transmission(t.id).await.unwrap();
        if !attempts.is_empty() {
            assert!(record.handed_over_at.is_some());
            break;
        }
        assert!(Instant::now() < deadline, "not handed over again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let files = folders::list(&outbox).unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.id.as_str() == t.header.message_id.as_str())
    );
    assert_eq!(
        db.store.list_transmissions(None, 10).await.unwrap().len(),
        1
    );
    assert_eq!(restarted.stop(), Some(0));
}

async fn killed_after_the_payload(db: TestDb) {
    crash_at(db, arcgw::failpoint::AFTER_PAYLOAD, false).await;
}

async fn killed_after_the_envelope(db: TestDb) {
    crash_at(db, arcgw::failpoint::AFTER_SEND, true).await;
}

/// Aborted after an inbox message was stored and before its files moved: after the restart the
/// files are read again, nothing is stored twice, and they are put away.
async fn killed_after_the_inbox_store(db: TestDb) {
    use arcgw::domain::{Acknowledgement, MessageHeader, MessageId, ParticipantId};
    use arcgw::sedex::{Envelope, MessageClass, MessageFile, PayloadFormat, SedexMessageId};
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let inbox = dir.path().join("sedex/inbox");
    let url = db.url();
    let now = chrono::Utc::now();
    let ack = Acknowledgement {
        header: MessageHeader {
            sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
            recipient_id: ParticipantId::new("T7-000000-1").unwrap(),
            message_id: MessageId::new("ack-k-1").unwrap(),
            reference_message_id: None,
            message_date: chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap(),
            test_delivery: false,
        },
        acknowledgement_date: now.date_naive(),
        entries: vec![support::flow::entry("K-1", 61, None, 0)],
    };
    let xml = arcgw::dtxml::write_acknowledgement(&ack).unwrap();
    let id = SedexMessageId::new("in-1").unwrap();
    folders::write_atomically(
        &inbox,
        &MessageFile::payload(&id, "zip").unwrap(),
        &PayloadFormat::Zip.pack(xml.as_bytes()).unwrap(),
    )
    .unwrap();
    let envelope = Envelope {
        message_id: id.clone(),
        message_type: arcgw::transport::sedex::PLACEHOLDER_ACKNOWLEDGEMENT_TYPE,
        message_class: MessageClass::Response,
        reference_message_id: None,
        sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        recipient_ids: vec![ParticipantId::new("T7-000000-1").unwrap()],
        event_date: now,
        message_date: now,
    };
    folders::write_atomically(
        &inbox,
        &MessageFile::envelope(&id),
        envelope.to_xml().as_bytes(),
    )
    .unwrap();
    // The inbox is read at once: the process may abort before it says where it listens.
    let mut crashing = command(&url, dir.path())
        .env("ARCGW_FAILPOINT", arcgw::failpoint::AFTER_INBOX_STORE)
        .env("ARCGW_LISTEN", "127.0.0.1:0")
        .args(["serve", "--config", &config])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while crashing.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the failpoint was not reached");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(folders::list(&inbox).unwrap().len(), 2, "the files stay");
    let stored = |store| async move {
        support::db::count(store, "SELECT COUNT(*) FROM acknowledgements").await
    };
    assert_eq!(stored(&db.store).await, 1);
    let restarted = Server::start_with(command(&url, dir.path()), &["--config", &config]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !folders::list(&inbox).unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the files were not put away");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored(&db.store).await, 1, "stored once");
    let processed = folders::list(&dir.path().join("sedex/arcgw/processed")).unwrap();
    assert_eq!(processed.len(), 2);
    assert!(
        folders::list(&dir.path().join("sedex/arcgw/rejected"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(restarted.stop(), Some(0));
}

support::db::on_both_backends!(
    killed_after_the_payload,
    killed_after_the_envelope,
    killed_after_the_inbox_store
);
