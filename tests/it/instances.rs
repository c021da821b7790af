//! The real `arcgw serve` processes against the ZAS simulator over mutual TLS:
//! - two instances on one database share the work and never both take the same announcement
//!   (PostgreSQL with `ARCGW_TEST_PG_URL`; on SQLite the two take turns as single writers);
//! - a gateway killed between "the ZAS has the transmission" and "the gateway recorded it"
//!   resends it after restart under the same message id, the simulator recognises the duplicate,
//!   and every announcement is processed once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arcgw::clock::SystemClock;
use arcgw::domain::AnnouncementState;
use arcgw::pki::{DEFAULT_SERVER_NAMES, TestPki, install_crypto_provider};
use arcgw::sim::{SimConfig, SimHandle};
use arcgw::store::ListFilter;
use serde_json::{Value, json};

use crate::support;
use crate::support::db::{TestDb, avs_digits};
use crate::support::proc::{Server, command, create_token, create_token_in, submit};

/// Starts a simulator of the ZAS's `environment` with its own certificates (in `dir/ENV`) and
/// returns it with the gateway's `[[zas]]` section for it.
async fn simulator(dir: &Path, environment: &str, sender_id: &str) -> (SimHandle, String) {
    install_crypto_provider();
    let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).unwrap();
    let paths = pki.write_to(&dir.join(environment)).unwrap();
    let sim = arcgw::sim::start(SimConfig::from_pki(&pki), Arc::new(SystemClock))
        .await
        .unwrap();
    let section = format!(
        r#"[[zas]]
environment = "{environment}"
sender_id = "{sender_id}"
recipient_id = "T6-ZAS-1"
batch_size = 25
send_interval_ms = 100
poll_interval_ms = 100
backoff_initial_ms = 50
backoff_max_secs = 1

[zas.tls]
endpoint = "{}"
ca_cert = "{}"
client_cert = "{}"
client_key = "{}"
connect_timeout_secs = 1
request_timeout_secs = 2
"#,
        sim.url(),
        paths.ca_cert.display(),
        paths.client_cert.display(),
        paths.client_key.display()
    );
    (sim, section)
}

/// Writes the gateway's configuration of these `[[zas]]` sections; returns its path.
fn write_config(dir: &Path, sections: &[&str]) -> String {
    let path = dir.join("arcgw.toml");
    std::fs::write(&path, sections.concat()).unwrap();
    path.to_str().unwrap().to_string()
}

/// Starts the simulator (PROD) and writes the gateway's configuration for it.
async fn simulator_and_config(dir: &Path) -> (SimHandle, String) {
    let (sim, section) = simulator(dir, "prod", "T7-000000-1").await;
    (sim, write_config(dir, &[&section]))
}

fn accounts(range: std::ops::Range<u64>) -> Vec<Value> {
    range.map(|i| json!({"fund": "066.000", "reference": format!("I-{i}"), "key": 61, "avs_number": avs_digits(i + 1)})).collect()
}

/// Waits (at most 60 s) until `count` announcements of the database are `done`.
async fn wait_all_done(db: &TestDb, count: usize) -> BTreeMap<i64, i64> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let filter = ListFilter {
            state: Some(AnnouncementState::Done),
            limit: 1000,
            ..ListFilter::default()
        };
        let page = db.store.list_announcements(&filter).await.unwrap();
        if page.items.len() == count {
            return page
                .items
                .iter()
                .map(|a| (a.id, a.transmission_id.expect("sent in a transmission")))
                .collect();
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {count} done",
            page.items.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn two_instances_share_the_work(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (sim, config) = simulator_and_config(dir.path()).await;
    let url = db.url();
    let token = create_token(&url, dir.path(), &["066.000"]);
    let one = Server::start_with(command(&url, dir.path()), &["--config", &config]);
    let two = Server::start_with(command(&url, dir.path()), &["--config", &config]);
    // Submissions through both instances, while both build and send.
    let mut ids = submit(&one.base, &token, accounts(0..150)).await;
    ids.extend(submit(&two.base, &token, accounts(150..300)).await);
    let done = wait_all_done(&db, 300).await;
    assert_eq!(done.len(), 300);
    // Each announcement in one transmission; each transmission processed once by the ZAS.
    let transmissions: BTreeSet<i64> = done.values().copied().collect();
    let received = sim.received_message_ids();
    assert_eq!(
        received.iter().collect::<BTreeSet<_>>().len(),
        received.len(),
        "no message id twice"
    );
    assert_eq!(sim.transmissions_processed(), transmissions.len());
    assert!(
        sim.duplicates().is_empty(),
        "no transmission was sent by both instances"
    );
    assert_eq!(one.stop(), Some(0));
    assert_eq!(two.stop(), Some(0));
}

async fn killed_after_sending_resends_with_the_same_message_id(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (sim, config) = simulator_and_config(dir.path()).await;
    let url = db.url();
    let token = create_token(&url, dir.path(), &["066.000"]);
    let mut crashing = command(&url, dir.path());
    crashing.env("ARCGW_FAILPOINT", arcgw::failpoint::AFTER_SEND);
    let mut server = Server::start_with(crashing, &["--config", &config]);
    submit(&server.base, &token, accounts(0..10)).await;
    // The process aborts right after the ZAS has taken the transmission.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the failpoint was not reached");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sim.transmissions_processed(), 1, "the ZAS has it");
    let first = sim.received_message_ids();
    // Restarted without the failpoint: it resends under the same message id.
    let restarted = Server::start_with(command(&url, dir.path()), &["--config", &config]);
    let done = wait_all_done(&db, 10).await;
    let transmissions: BTreeSet<i64> = done.values().copied().collect();
    assert_eq!(transmissions.len(), 1);
    // The acknowledgement may arrive first; the resend follows once the dead process's lease
    // on the transmission has run out (connect + request timeout + 5 s).
    let transmission = *transmissions.first().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (record, attempts) = db.store.transmission(transmission).await.unwrap();
        if record.state == arcgw::store::TransmissionState::Sent {
            assert_eq!(attempts.last().unwrap().receipt_code, Some(201));
            break;
        }
        assert!(Instant::now() < deadline, "the transmission was not resent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        sim.duplicates(),
        first,
        "the resend was recognised as the same message"
    );
    assert_eq!(sim.transmissions_processed(), 1, "processed once");
    assert_eq!(restarted.stop(), Some(0));
    server.child.wait().ok();
}

/// ABN and PROD configured side by side, each with its own endpoint and certificates
/// (each simulator trusts only its own client CA). The same fund and reference go to both
/// through each environment's token; each reaches `done` through its own ZAS only.
async fn each_environment_goes_to_its_own_zas(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (prod, prod_section) = simulator(dir.path(), "prod", "7-000000-1").await;
    let (abn, abn_section) = simulator(dir.path(), "abn", "T7-000000-1").await;
    let config = write_config(dir.path(), &[&prod_section, &abn_section]);
    let url = db.url();
    let prod_token = create_token(&url, dir.path(), &["066.000"]);
    let abn_token = create_token_in(&url, dir.path(), "abn", &["066.000"]);
    let server = Server::start_with(command(&url, dir.path()), &["--config", &config]);
    let prod_ids = submit(&server.base, &prod_token, accounts(0..3)).await;
    let abn_ids = submit(&server.base, &abn_token, accounts(0..3)).await;
    assert!(
        prod_ids.iter().all(|id| !abn_ids.contains(id)),
        "same references, other announcements"
    );
    let done = wait_all_done(&db, 6).await;
    let mut message_ids = BTreeMap::new();
    for (ids, environment) in [(&prod_ids, "prod"), (&abn_ids, "abn")] {
        for id in ids {
            let stored = db.store.announcement(*id).await.unwrap().announcement;
            assert_eq!(stored.environment.as_str(), environment);
            let (record, _) = db.store.transmission(done[id]).await.unwrap();
            assert_eq!(
                record.environment.as_str(),
                environment,
                "announcement {id}"
            );
            assert_eq!(record.header.test_delivery, environment == "abn");
            message_ids
                .entry(environment)
                .or_insert_with(BTreeSet::new)
                .insert(record.header.message_id.to_string());
        }
    }
    for (sim, environment) in [(&prod, "prod"), (&abn, "abn")] {
        let received: BTreeSet<String> = sim
            .received_message_ids()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(received, message_ids[environment], "{environment}");
    }
    // Each token reads only its own environment's announcements.
    let client = reqwest::Client::new();
    let read = |token: &str, id: i64| {
        client
            .get(format!("{}/api/v1/announcements/{id}", server.base))
            .bearer_auth(token.to_string())
            .send()
    };
    assert_eq!(read(&prod_token, prod_ids[0]).await.unwrap().status(), 200);
    let refused = read(&prod_token, abn_ids[0]).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("this token is for PROD (production): it may not read announcements in ABN")
    );
    assert_eq!(server.stop(), Some(0));
}

support::db::on_both_backends!(
    each_environment_goes_to_its_own_zas,
    two_instances_share_the_work,
    killed_after_sending_resends_with_the_same_message_id
);
