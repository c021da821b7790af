//! Crash safety of intake: the server is killed with SIGKILL while clients submit; after a
//! restart every announcement that got a 202 is stored exactly once, every submission is there
//! whole or not at all, and nothing else is stored. SQLite always, PostgreSQL with
//! `ARCGW_TEST_PG_URL`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arcgw::store::ListFilter;
use serde_json::{Value, json};

use crate::support;
use crate::support::db::{TestDb, avs_digits};
use crate::support::proc::{Server, command, create_token};

/// Submission `batch` of three announcements with references `C-<batch>-<i>`.
fn batch(number: u64) -> Value {
    let items: Vec<Value> = (0..3)
        .map(|i| json!({"fund": "066.000", "reference": format!("C-{number}-{i}"), "key": 61, "avs_number": avs_digits(number * 3 + i + 1)}))
        .collect();
    json!({ "announcements": items })
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Accepted(Vec<i64>),
    /// The connection broke: the submission may or may not be stored (whole).
    Unknown,
}

async fn submit_until_killed(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let url = db.url();
    let token = create_token(&url, dir.path(), &["066.000"]);
    let server = Server::start(command(&url, dir.path()));
    let base = server.base.clone();
    let outcomes: Arc<Mutex<BTreeMap<u64, Outcome>>> = Arc::default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // Four clients submit until their requests fail (the server is gone), at most 400 each.
    let mut clients = Vec::new();
    for c in 0..4u64 {
        let (client, base, token, outcomes) = (
            client.clone(),
            base.clone(),
            token.clone(),
            outcomes.clone(),
        );
        clients.push(tokio::spawn(async move {
            for k in 0..400u64 {
                let number = c * 1000 + k;
                let result = client
                    .post(format!("{base}/api/v1/announcements"))
                    .bearer_auth(&token)
                    .body(batch(number).to_string())
                    .send()
                    .await;
                let outcome = match result {
                    Ok(r) if r.status().as_u16() == 202 => {
                        let body: Value = r.json().await.unwrap();
                        Outcome::Accepted(serde_json::from_value(body["ids"].clone()).unwrap())
                    }
                    Ok(r) => panic!("unexpected answer {}", r.status()),
                    Err(_) => Outcome::Unknown,
                };
                let stop = outcome == Outcome::Unknown;
                outcomes.lock().unwrap().insert(number, outcome);
                if stop {
                    return;
                }
            }
        }));
    }
    // Let some submissions through (at most 30 s), then kill the server in the middle of others.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let accepted = outcomes
            .lock()
            .unwrap()
            .values()
            .filter(|o| matches!(o, Outcome::Accepted(_)))
            .count();
        if accepted >= 20 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::task::spawn_blocking(move || server.kill_hard())
        .await
        .unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let outcomes = outcomes.lock().unwrap().clone();
    let accepted = outcomes
        .values()
        .filter(|o| matches!(o, Outcome::Accepted(_)))
        .count();
    assert!(
        accepted > 0,
        "some submissions went through before the kill"
    );

    // Restart on the same database: it must come up and serve.
    let server = Server::start(command(&url, dir.path()));
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);

    // What is stored: by reference.
    let mut stored: BTreeMap<String, i64> = BTreeMap::new();
    let mut filter = ListFilter {
        limit: 1000,
        ..ListFilter::default()
    };
    loop {
        let page = db.store.list_announcements(&filter).await.unwrap();
        for a in &page.items {
            assert!(
                stored.insert(a.reference.to_string(), a.id).is_none(),
                "{} stored twice",
                a.reference
            );
        }
        match page.next_after {
            Some(after) => filter.after_id = Some(after),
            None => break,
        }
    }
    let mut expected_total = 0;
    for (number, outcome) in &outcomes {
        let ids: Vec<Option<i64>> = (0..3)
            .map(|i| stored.get(&format!("C-{number}-{i}")).copied())
            .collect();
        match outcome {
            Outcome::Accepted(got) => {
                let got: Vec<Option<i64>> = got.iter().copied().map(Some).collect();
                assert_eq!(
                    ids, got,
                    "batch {number} was answered 202: stored exactly once, with those ids"
                );
                expected_total += 3;
            }
            Outcome::Unknown => {
                let present = ids.iter().filter(|i| i.is_some()).count();
                assert!(
                    present == 0 || present == 3,
                    "batch {number} stored in part: {ids:?}"
                );
                expected_total += present;
                // The client tries again: the same ids, nothing new when it was stored.
                let again: Value = client
                    .post(format!("{}/api/v1/announcements", server.base))
                    .bearer_auth(&token)
                    .body(batch(*number).to_string())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(again["created"], if present == 3 { 0 } else { 3 });
            }
        }
    }
    assert_eq!(
        stored.len(),
        expected_total,
        "nothing but the submitted announcements is stored"
    );
    assert_eq!(server.stop(), Some(0), "a clean stop on SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_submit_until_killed() {
    support::db::run(arcgw::store::Backend::Sqlite, submit_until_killed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_submit_until_killed() {
    support::db::run(arcgw::store::Backend::Postgres, submit_until_killed).await;
}

/// A SIGTERM that comes as soon as `serve` has said where it listens stops it cleanly (exit
/// code 0), never by the signal's default action: the handlers were installed only once the
/// server's future was first polled, so an operator's (or a test's) early stop killed it.
#[test]
fn a_stop_right_after_listening_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("arcgw.db").display());
    for attempt in 0..12 {
        let server = Server::start(command(&url, dir.path()));
        assert_eq!(server.stop(), Some(0), "start {attempt}: a clean stop");
    }
}
