//! The fund API over real HTTP: the app is started on a random port of the loopback interface,
//! on SQLite and (with `ARCGW_TEST_PG_URL`) on PostgreSQL.

use std::sync::Arc;

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::config::HttpConfig;
use arcgw::domain::{Environment, FieldSet, FundNumber, KeyCode};
use arcgw::store::{AuditOutcome, AuditQuery, Store};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support;
use crate::support::db::TestDb;

struct App {
    base: String,
    state: AppState,
    token: String,
    other_token: String,
    store: Store,
    client: reqwest::Client,
}

fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T11:00:00Z")
        .unwrap()
        .to_utc()
}

async fn start(db: &TestDb, http: HttpConfig) -> App {
    let store = db.store.clone();
    let token = support::web::token(&store, "fund system", &["066.000", "066.001"], noon()).await;
    let other = support::web::token(&store, "another fund", &["067.000"], noon()).await;
    let state = AppState::new(
        store.clone(),
        Arc::new(ManualClock::new(noon())),
        ZasCalendar::geneva(),
        http,
    );
    App {
        base: support::web::serve(router(state.clone())).await,
        state,
        token,
        other_token: other,
        store,
        client: reqwest::Client::new(),
    }
}

async fn app(db: &TestDb) -> App {
    start(db, HttpConfig::default()).await
}

fn examples() -> Value {
    serde_json::from_str(include_str!("../../config/examples/announcements.json")).unwrap()
}

impl App {
    async fn post(
        &self,
        path: &str,
        token: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.base);
        let response = support::web::post_with_token(&self.client, url, token, body).await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        support::web::get_with_token(&self.client, format!("{}{path}", self.base), token).await
    }

    /// A submission of `body` with the Idempotency-Key `key`, to send.
    fn keyed(&self, key: &str, body: String) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/v1/announcements", self.base))
            .bearer_auth(&self.token)
            .header("idempotency-key", key)
            .body(body)
    }

    async fn submit(&self, body: &Value) -> (StatusCode, Value) {
        self.post("/api/v1/announcements", &self.token, body.to_string())
            .await
    }

    async fn audit(&self, action: &str) -> Vec<arcgw::store::AuditEvent> {
        let query = AuditQuery {
            action: Some(action.into()),
            limit: 1000,
            ..AuditQuery::default()
        };
        self.store.query_audit(&query).await.unwrap()
    }
}

async fn submit_and_read_back(db: TestDb) {
    let app = app(&db).await;
    let (status, body) = app.submit(&examples()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let ids: Vec<i64> = serde_json::from_value(body["ids"].clone()).unwrap();
    assert_eq!((ids.len(), body["created"].as_u64()), (12, Some(12)));
    // Three of the validation, and the 99 whose RCI the gateway does not know (N. 2720).
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 4, "{body}");
    assert!(
        warnings
            .iter()
            .any(|w| w["index"] == 11 && w["rule"] == "N. 2720"),
        "{body}"
    );
    // Each reads back as it was sent (the long name as shortened, N. 3108).
    for (i, id) in ids.iter().enumerate() {
        let (status, view) = app
            .get(&format!("/api/v1/announcements/{id}"), &app.token)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(view["state"], "queued");
        assert_eq!(view["history"][0]["state"], "queued");
        assert!(
            view["history"][0]["actor"]
                .as_str()
                .unwrap()
                .starts_with("token:")
        );
        assert_eq!(
            view["next_deadline"],
            Value::Null,
            "no deadline before it is announced"
        );
        let mut sent = examples()["announcements"][i].clone();
        if i == 2 {
            sent["person"]["given_names"] = json!("Anna Maria T. L.");
        }
        assert_eq!(view["announcement"], sent, "#{i}");
    }
    // Every read that returned an AVS number is audited.
    assert_eq!(app.audit("announcement.read").await.len(), 12);
    assert_eq!(
        app.audit("announcement.submit").await[0].outcome,
        AuditOutcome::Success
    );
}

async fn resubmission_is_idempotent_and_conflicts_are_named(db: TestDb) {
    let app = app(&db).await;
    let (_, first) = app.submit(&examples()).await;
    let (status, again) = app.submit(&examples()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again["ids"], first["ids"]);
    assert_eq!(again["created"], 0);
    let mut changed = examples();
    changed["announcements"][4]["key"] = json!(63);
    let (status, body) = app.submit(&changed).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "conflict");
    assert_eq!(body["index"], 4);
    assert_eq!(body["existing_id"], first["ids"][4]);
    let (_, list) = app.get("/api/v1/announcements?limit=100", &app.token).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        12,
        "nothing more was stored"
    );
}

async fn idempotency_key_replays_and_refuses_reuse(db: TestDb) {
    let app = app(&db).await;
    let post = |key: &str, body: String| app.keyed(key, body).send();
    let first: Value = post("k-1", examples().to_string())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["created"], 12);
    let replay = post("k-1", examples().to_string()).await.unwrap();
    assert_eq!(replay.status(), StatusCode::ACCEPTED);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(
        (replay["ids"].clone(), replay["created"].clone()),
        (first["ids"].clone(), json!(0))
    );
    let mut other = examples();
    other["announcements"][0]["reference"] = json!("K-2026-000999");
    let reused = post("k-1", other.to_string()).await.unwrap();
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = reused.json().await.unwrap();
    assert_eq!(body["error"], "idempotency_key_reused");
    let (_, list) = app.get("/api/v1/announcements?limit=100", &app.token).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        12,
        "nothing of the refused request was stored"
    );
    // Keys are per token, and must be visible ASCII.
    let bad = post("key with spaces", examples().to_string())
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// One announcement of the examples, with `reference`.
fn one_announcement(reference: &str) -> Value {
    let mut one = examples()["announcements"][0].clone();
    one["reference"] = json!(reference);
    one
}

async fn parallel_posts_with_one_key_store_one_body(db: TestDb) {
    // One Idempotency-Key, one body: 50 simultaneous POSTs with one key and 50 bodies once stored 2
    // to 50 of them. The key is claimed in the submission's transaction: exactly one body wins.
    let app = app(&db).await;
    let post = |key: &str, body: String| app.keyed(key, body).send();
    let answers = futures_join_all((0..50).map(|i| {
        let body = one_announcement(&format!("K-PAR-{i}")).to_string();
        post("one-key", body)
    }))
    .await;
    let mut accepted = Vec::new();
    for answer in answers {
        let answer = answer.unwrap();
        let status = answer.status();
        let body: Value = answer.json().await.unwrap();
        match status {
            StatusCode::ACCEPTED => accepted.push(body),
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(body["error"], "idempotency_key_reused", "{body}");
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(accepted.len(), 1, "one body wins");
    let (_, list) = app.get("/api/v1/announcements?limit=100", &app.token).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "one body stored"
    );
    assert_eq!(list["items"][0]["id"], accepted[0]["ids"][0]);

    // The same body 50 times with a new key: one stores, every answer is the winner's.
    let body = one_announcement("K-SAME").to_string();
    let answers = futures_join_all((0..50).map(|_| post("same-body", body.clone()))).await;
    let mut ids = std::collections::BTreeSet::new();
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), StatusCode::ACCEPTED);
        let body: Value = answer.json().await.unwrap();
        ids.insert(body["ids"].to_string());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    let (_, list) = app.get("/api/v1/announcements?limit=100", &app.token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

/// 50 single submissions at once (on SQLite they share transactions, group commit): each is
/// answered as if it had been alone, and exactly the valid new ones are stored.
async fn simultaneous_single_submissions_are_answered_each_on_its_own(db: TestDb) {
    let app = app(&db).await;
    let person = |reference: String, surname: &str| {
        let mut one = one_announcement(&reference);
        one["person"]["surname"] = json!(surname);
        one
    };
    // Stored before: ten that the simultaneous ones repeat, ten they contradict, and ten
    // Idempotency-Keys they use again for other bodies.
    let before: Vec<Value> = (0..50)
        .filter(|i| i % 5 == 1 || i % 5 == 2)
        .map(|i| person(format!("K-PRE-{i}"), "Keller"))
        .collect();
    let (status, stored) = app.submit(&json!(before)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{stored}");
    let stored_ids: Vec<i64> = serde_json::from_value(stored["ids"].clone()).unwrap();
    let stored_id = |i: usize| stored_ids[(i / 5) * 2 + usize::from(i % 5 == 2)];
    for i in (0..50).filter(|i| i % 5 == 3) {
        let body = person(format!("K-KEYED-{i}"), "Keller").to_string();
        let answer = app.keyed(&format!("key-{i}"), body).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::ACCEPTED);
    }
    let answers = futures_join_all((0..50).map(|i| {
        let (key, body) = match i % 5 {
            // Invalid: no such sex.
            0 => {
                let mut invalid = person(format!("K-NEW-{i}"), "Keller");
                invalid["person"]["sex"] = json!(7);
                (None, invalid)
            }
            1 => (None, person(format!("K-PRE-{i}"), "Other")),
            2 => (None, person(format!("K-PRE-{i}"), "Keller")),
            3 => (
                Some(format!("key-{i}")),
                person(format!("K-OTHER-{i}"), "Keller"),
            ),
            _ => (
                Some(format!("new-key-{i}")),
                person(format!("K-NEW-{i}"), "Keller"),
            ),
        };
        let request = app
            .client
            .post(format!("{}/api/v1/announcements", app.base))
            .bearer_auth(&app.token)
            .body(body.to_string());
        let request = match key {
            Some(key) => request.header("idempotency-key", key),
            None => request,
        };
        async move {
            let answer = request.send().await.unwrap();
            let status = answer.status();
            (i, status, answer.json::<Value>().await.unwrap())
        }
    }))
    .await;
    for (i, status, body) in answers {
        match i % 5 {
            0 => assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "#{i}: {body}"),
            1 => {
                assert_eq!(status, StatusCode::CONFLICT, "#{i}: {body}");
                assert_eq!(body["existing_id"], stored_id(i), "#{i}: {body}");
            }
            2 => {
                assert_eq!(status, StatusCode::ACCEPTED, "#{i}: {body}");
                assert_eq!(
                    (body["ids"][0].as_i64(), body["created"].as_u64()),
                    (Some(stored_id(i)), Some(0))
                );
            }
            3 => {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "#{i}: {body}");
                assert_eq!(body["error"], "idempotency_key_reused", "#{i}: {body}");
            }
            _ => {
                assert_eq!(status, StatusCode::ACCEPTED, "#{i}: {body}");
                assert_eq!(body["created"], 1, "#{i}: {body}");
            }
        }
    }
    let mut expected: Vec<String> = (0..50)
        .map(|i| match i % 5 {
            1 | 2 => format!("K-PRE-{i}"),
            3 => format!("K-KEYED-{i}"),
            4 => format!("K-NEW-{i}"),
            _ => String::new(),
        })
        .filter(|r| !r.is_empty())
        .collect();
    expected.sort();
    let mut stored = support::db::texts(&app.store, "SELECT reference FROM announcements").await;
    stored.sort();
    assert_eq!(stored, expected);
    // Annex 2.5: each submission audited once, as before.
    let submits = app.audit("announcement.submit").await;
    let outcomes = |outcome| submits.iter().filter(|e| e.outcome == outcome).count();
    assert_eq!(outcomes(AuditOutcome::Success), 1 + 10 + 10 + 10);
    assert_eq!(outcomes(AuditOutcome::Failure), 10 + 10 + 10);
}

/// Awaits every future, all at once.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

async fn the_idempotency_key_is_stored_as_its_hash(db: TestDb) {
    // No AVS number stored as sent: a key holding one landed in the database as it was sent.
    let app = app(&db).await;
    let key = support::db::avs(424_242).to_string();
    let response = app
        .keyed(&key, one_announcement("K-HASHED").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    for (table, column) in support::db::columns(&app.store).await {
        let found = support::db::occurrences(&app.store, &table, &column, &key).await;
        assert_eq!(found, 0, "the key is stored in {table}.{column}");
    }
    let hash = arcgw::digest::sha256_hex(key.as_bytes());
    let hashed =
        support::db::occurrences(&app.store, "idempotency_keys", "key_sha256", &hash).await;
    assert_eq!(hashed, 1);
    // Nor anywhere in the SQLite file and its journal.
    if let Some(path) = db.url().strip_prefix("sqlite://") {
        for file in [path.to_string(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
                "the key is in {file}"
            );
        }
    }
}

async fn invalid_input_stores_nothing(db: TestDb) {
    let app = app(&db).await;
    let mut input = examples();
    input["announcements"][7]["avs_number"] = json!("756.6281.9482.10");
    let (status, report) = app.submit(&input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["index"], 7);
    assert_eq!(report["errors"][0]["field"], "avs_number");
    assert_eq!(report["errors"][0]["rule"], "N. 1202");
    let (_, list) = app.get("/api/v1/announcements", &app.token).await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "all or nothing"
    );

    for (body, expected) in [
        (b"{\"fund\": ".to_vec(), "not JSON"),
        (vec![b'[', 0xff, b']'], "not UTF-8"),
        (b"42".to_vec(), "holds no announcements"),
    ] {
        let (status, error) = app.post("/api/v1/announcements", &app.token, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["error"], "unreadable");
        assert!(
            error["message"].as_str().unwrap().contains(expected),
            "{error}"
        );
    }
    let (_, metrics) = (
        0,
        app.client
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        metrics.contains("arcgw_rejections_total{rule=\"N. 1202\"} 1"),
        "{metrics}"
    );
}

async fn a_report_of_a_huge_invalid_body_stays_small(db: TestDb) {
    // A report stays small: a million `{}` once answered one of 308 MB. Now the first 1 000 errors
    // and the count of the others. (Each `{}` lacks fund, reference and key: three errors.)
    let app = app(&db).await;
    let items = 500_000;
    let body = format!("[{}{{}}]", "{},".repeat(items - 1));
    let response = app
        .client
        .post(format!("{}/api/v1/announcements", app.base))
        .bearer_auth(&app.token)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text().await.unwrap();
    assert!(text.len() < 300_000, "an answer of {} bytes", text.len());
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["errors"].as_array().unwrap().len(), 1000);
    assert_eq!(report["errors_omitted"], 3 * items - 1000);
    let audit = app.audit("announcement.submit").await;
    assert_eq!(
        audit[0].details["errors"],
        3 * items,
        "the audit counts them all"
    );
}

async fn a_body_over_the_limit_is_refused(db: TestDb) {
    let http = HttpConfig {
        max_body_bytes: 4096,
        ..HttpConfig::default()
    };
    let app = start(&db, http).await;
    let (status, _) = app
        .post("/api/v1/announcements", &app.token, vec![b' '; 5000])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn tokens_act_only_for_their_funds(db: TestDb) {
    let app = app(&db).await;
    // No token, a wrong one: 401, audited.
    let response = app
        .client
        .get(format!("{}/api/v1/announcements", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get("/api/v1/announcements", "arcgw_0000000000000000_00")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Counted per address and minute, written once the minute is over (here: at once).
    app.state.write_refusals(true).await.unwrap();
    let denied = app.audit("api.authenticate").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].details["count"], 2);
    assert!(denied.iter().all(
        |e| e.outcome == AuditOutcome::Denied && e.remote_addr.as_deref() == Some("127.0.0.1")
    ));

    // Announcing for another fund: 403, nothing stored.
    let (status, body) = app
        .post(
            "/api/v1/announcements",
            &app.other_token,
            examples().to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("066.000"));
    // Reading, listing, withdrawing another fund's announcement: 403, audited.
    let (_, accepted) = app.submit(&examples()).await;
    let id = accepted["ids"][0].as_i64().unwrap();
    let (status, _) = app
        .get(&format!("/api/v1/announcements/{id}"), &app.other_token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get("/api/v1/announcements?fund=066.000", &app.other_token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &format!("/api/v1/announcements/{id}/withdraw"),
            &app.other_token,
            "",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = app.get("/api/v1/announcements", &app.other_token).await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "the other fund sees none of them"
    );
    let reads = app.audit("announcement.read").await;
    assert_eq!(reads[0].outcome, AuditOutcome::Denied);
    assert_eq!(
        app.audit("announcement.withdraw").await[0].outcome,
        AuditOutcome::Denied
    );
}

/// A token is of one ZAS environment (USNTools grants ABN and PROD separately). An ABN
/// token's announcements are ABN announcements; it reads, lists, withdraws and prints only
/// those, and no PROD reminders; a PROD token nothing of ABN. Refusals are audited.
/// An ABN announcement has no deadline (N. 3401 watches PROD only: no reminder, letter or
/// metric ever follows it), and the API says why; the PROD one beside it has its 7 days.
async fn an_abn_announcement_shows_no_deadline_and_why(db: TestDb) {
    let app = app(&db).await;
    let abn_token = app
        .store
        .create_token_in(
            Environment::Abn,
            "fund system, acceptance",
            &[FundNumber::parse("066.000").unwrap()],
            noon(),
        )
        .await
        .unwrap();
    let at = support::flow::geneva(2026, 12, 22, 10, 0);
    let abn = support::flow::announce_in(
        &app.store,
        Environment::Abn,
        &[support::flow::account("D-1", 1)],
        "msg-abn",
        at,
    )
    .await[0];
    let prod = support::flow::announce(
        &app.store,
        &[support::flow::account("D-2", 2)],
        "msg-prod",
        at,
    )
    .await[0];
    let (status, view) = app
        .get(
            &format!("/api/v1/announcements/{abn}"),
            abn_token.secret.expose(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        (&view["environment"], &view["state"]),
        (&json!("abn"), &json!("announced"))
    );
    assert_eq!(view["next_deadline"], Value::Null, "{view}");
    let why = view["next_deadline_explanation"].as_str().unwrap();
    assert!(why.contains("ABN") && why.contains("N. 3401"), "{why}");
    let (_, view) = app
        .get(&format!("/api/v1/announcements/{prod}"), &app.token)
        .await;
    assert_eq!(view["next_deadline"]["due"], "2027-01-05");
    assert_eq!(view["next_deadline_explanation"], Value::Null);
}

async fn tokens_act_only_in_their_environment(db: TestDb) {
    let app = app(&db).await;
    let abn = app
        .store
        .create_token_in(
            Environment::Abn,
            "fund system, acceptance",
            &[
                FundNumber::parse("066.000").unwrap(),
                FundNumber::parse("066.001").unwrap(),
            ],
            noon(),
        )
        .await
        .unwrap();
    let abn = abn.secret.expose();
    // The same announcements through both: two of each, one per environment.
    let (status, prod_ids) = app.submit(&examples()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, abn_ids) = app
        .post("/api/v1/announcements", abn, examples().to_string())
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{abn_ids}");
    assert_eq!(
        abn_ids["created"], prod_ids["created"],
        "stored anew in ABN"
    );
    let prod_id = prod_ids["ids"][0].as_i64().unwrap();
    let abn_id = abn_ids["ids"][0].as_i64().unwrap();
    assert_ne!(prod_id, abn_id);
    let (status, read) = app
        .get(&format!("/api/v1/announcements/{abn_id}"), abn)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["environment"], "abn");
    let (_, read) = app
        .get(&format!("/api/v1/announcements/{prod_id}"), &app.token)
        .await;
    assert_eq!(read["environment"], "prod");
    // Lists hold only the token's environment.
    for (token, environment, ids) in [
        (abn, "abn", &abn_ids),
        (app.token.as_str(), "prod", &prod_ids),
    ] {
        let (_, list) = app.get("/api/v1/announcements?limit=1000", token).await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), ids["ids"].as_array().unwrap().len());
        assert!(items.iter().all(|i| i["environment"] == environment));
    }
    // Across environments: 403 naming both, audited as denied.
    let (status, body) = app
        .get(&format!("/api/v1/announcements/{prod_id}"), abn)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["message"],
        "this token is for ABN (acceptance, test data): it may not read announcements in PROD (production)"
    );
    let (status, _) = app
        .get(&format!("/api/v1/announcements/{abn_id}"), &app.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &format!("/api/v1/announcements/{prod_id}/withdraw"),
            abn,
            "",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .announcement(prod_id)
            .await
            .unwrap()
            .announcement
            .state,
        arcgw::domain::AnnouncementState::Queued,
        "not withdrawn"
    );
    let (status, _) = app
        .get(&format!("/api/v1/announcements/{prod_id}/print"), abn)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app.get("/api/v1/reminders", abn).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for action in [
        "announcement.read",
        "announcement.withdraw",
        "announcement.print",
        "reminder.list",
    ] {
        let events = app.audit(action).await;
        assert!(
            events.iter().any(|e| e.outcome == AuditOutcome::Denied
                && e.details.to_string().contains("\"token_environment\"")),
            "{events:?}"
        );
    }
    // The ABN announcement is withdrawn by its own token.
    let (status, _) = app
        .post(&format!("/api/v1/announcements/{abn_id}/withdraw"), abn, "")
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn list_filters_and_pages(db: TestDb) {
    let app = app(&db).await;
    let (_, accepted) = app.submit(&examples()).await;
    let ids: Vec<i64> = serde_json::from_value(accepted["ids"].clone()).unwrap();
    let (_, page) = app.get("/api/v1/announcements?limit=5", &app.token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert_eq!(page["next_after"], ids[4]);
    assert!(
        page["items"][0].get("avs_number").is_none(),
        "lists hold no personal data"
    );
    let (_, rest) = app
        .get(
            &format!("/api/v1/announcements?after={}&limit=100", ids[4]),
            &app.token,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 7);
    assert_eq!(rest["next_after"], Value::Null);
    let (_, agency) = app
        .get("/api/v1/announcements?fund=066.001", &app.token)
        .await;
    assert_eq!(agency["items"].as_array().unwrap().len(), 1);
    let (_, queued) = app
        .get("/api/v1/announcements?state=queued", &app.token)
        .await;
    assert_eq!(queued["items"].as_array().unwrap().len(), 12);
    for bad in [
        "state=lost",
        "fund=66",
        "limit=0",
        "limit=5000",
        "colour=blue",
        "after=x",
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/announcements?{bad}"), &app.token)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"], "bad_query");
    }
}

async fn withdraw_while_queued(db: TestDb) {
    let app = app(&db).await;
    let (_, accepted) = app.submit(&examples()).await;
    let id = accepted["ids"][3].as_i64().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/announcements/{id}/withdraw"),
            &app.token,
            "",
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("withdrawn"))
    );
    let (status, body) = app
        .post(
            &format!("/api/v1/announcements/{id}/withdraw"),
            &app.token,
            "",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "not_withdrawable");
    // Once being sent, it can no longer be withdrawn.
    let claimed = app
        .store
        .claim_queued(
            1,
            &arcgw::store::ChangeNote::new(noon(), "engine:test", "claimed"),
        )
        .await
        .unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/announcements/{}/withdraw", claimed[0].id),
            &app.token,
            "",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("sending"));
    let (status, _) = app
        .post("/api/v1/announcements/999999/withdraw", &app.token, "")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_rate_limit_holds_per_token(db: TestDb) {
    let http = HttpConfig {
        rate_limit_per_minute: 3,
        ..HttpConfig::default()
    };
    let app = start(&db, http).await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/v1/announcements", &app.token).await.0,
            StatusCode::OK
        );
    }
    let response = app
        .client
        .get(format!("{}/api/v1/announcements", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        app.get("/api/v1/announcements", &app.other_token).await.0,
        StatusCode::OK,
        "another token has its own quota"
    );
    assert_eq!(app.audit("api.rate_limit").await.len(), 1);
}

/// The count of queued announcements on the `/metrics` of `base`.
async fn queued_on_metrics(client: reqwest::Client, base: String) -> u64 {
    let response = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let queued = text
        .lines()
        .find_map(|l| l.strip_prefix("arcgw_announcements{state=\"queued\"} "))
        .unwrap_or_else(|| panic!("no queued count in {text}"));
    queued.parse().unwrap()
}

/// Scrapes of `/metrics` in parallel share renders (one at a time), yet each answer counts
/// every announcement stored before its request was sent: never a render that began before.
async fn parallel_scrapes_count_what_was_stored_before_them(db: TestDb) {
    let app = app(&db).await;
    for round in 1..=3u64 {
        let (status, _) = app
            .post(
                "/api/v1/announcements",
                &app.token,
                one_announcement(&format!("SCRAPE-{round}"))
                    .to_string()
                    .into_bytes(),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let scrapes = (0..32).map(|_| queued_on_metrics(app.client.clone(), app.base.clone()));
        let counts = futures_join_all(scrapes).await;
        assert!(
            counts.iter().all(|&n| n == round),
            "round {round}: {counts:?}"
        );
    }
}

async fn operations_endpoints(db: TestDb) {
    let app = app(&db).await;
    app.submit(&examples()).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();
    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready: Value = get("/readyz").await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({"ready": true, "database": "ready"}));
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    for expected in [
        "arcgw_announcements{state=\"queued\"} 12",
        "arcgw_oldest_queued_age_seconds",
        "arcgw_submissions_total{outcome=\"stored\"} 12",
        "arcgw_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/announcements\",status=\"202\"} 1",
    ] {
        assert!(metrics.contains(expected), "{expected}\n{metrics}");
    }
    let response = get("/api/v1/announcements").await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    let openapi: Value = get("/api/v1/openapi.json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/announcements",
        "/api/v1/announcements/{id}",
        "/api/v1/announcements/{id}/withdraw",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} in the OpenAPI document"
        );
    }
    assert!(
        openapi["components"]["schemas"]
            .get("AnnouncementView")
            .is_some()
    );
    // The blocks each key carries (annex 9): the domain's table, docs/api.md's list and the
    // OpenAPI description say the same.
    let described = openapi["paths"]["/api/v1/announcements"]["post"]["requestBody"]["description"]
        .as_str()
        .unwrap()
        .to_string();
    let readme = std::fs::read_to_string("docs/api.md").unwrap();
    for (fields, label) in [
        (FieldSet::Certificate, "person"),
        (FieldSet::Account, "AVS number only"),
        (
            FieldSet::Collection,
            "rci (beneficiary, closing, order_date, domicile; event optional)",
        ),
        (FieldSet::Domicile, "rci.domicile only"),
        (FieldSet::Splitting, "splitting (spouse_avs_number, years)"),
        (
            FieldSet::SplittingRevocation,
            "splitting.spouse_avs_number only",
        ),
        (FieldSet::CollectionRevocation, "rci.closing only"),
    ] {
        let mut keys: Vec<u8> = KeyCode::all()
            .filter(|k| k.fields() == fields)
            .map(KeyCode::code)
            .collect();
        keys.sort();
        let keys: Vec<String> = keys.iter().map(u8::to_string).collect();
        let line = format!("{label}: {}", keys.join(", "));
        assert!(described.contains(&line), "OpenAPI: {line}\n{described}");
        assert!(readme.contains(&line), "docs/api.md: {line}");
    }
    let mut old: Vec<u8> = KeyCode::old_law_keys().map(KeyCode::code).collect();
    old.sort();
    let old: Vec<String> = old.iter().map(u8::to_string).collect();
    let line = format!("with rci.old_law true: {}", old.join(", "));
    assert!(
        described.contains(&line) && readme.contains(&line),
        "{line}"
    );
}

async fn readiness_reports_pending_migrations(db: TestDb) {
    let empty = db.empty_store().await;
    let state = AppState::new(
        empty,
        Arc::new(ManualClock::new(noon())),
        ZasCalendar::geneva(),
        HttpConfig::default(),
    );
    let base = support::web::serve(router(state)).await;
    let response = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["database"], "migrations_pending");
}

/// Annex 9 row 4, N. 2720: a revocation (99) names the RCI it revokes by its closing month; the
/// gateway links it to the stored RCI of that person and fund, or warns that it knows none.
async fn a_revocation_refers_to_the_rci_it_revokes(db: TestDb) {
    let app = app(&db).await;
    let (status, body) = app.submit(&examples()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // K-2026-000107: the RCI (81) of 756.1234.5678.97 from 066.000, closing 2026-12.
    let rci_id = body["ids"][6].as_i64().unwrap();
    let revocation = |reference: &str, fund: &str, closing: &str| {
        json!({"fund": fund, "reference": reference, "key": 99,
               "avs_number": "756.1234.5678.97", "rci": {"closing": closing}})
    };
    let (status, body) = app
        .submit(&json!([
            revocation("R-99-1", "066.000", "2026-12"),
            revocation("R-99-2", "066.000", "2026-11"),
            revocation("R-99-3", "066.001", "2026-12"),
        ]))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let warned: Vec<u64> = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["rule"] == "N. 2720")
        .map(|w| w["index"].as_u64().unwrap())
        .collect();
    assert_eq!(warned, [1, 2], "{body}");
    let expected = [Some(rci_id), None, None];
    for (i, want) in expected.into_iter().enumerate() {
        let id = body["ids"][i].as_i64().unwrap();
        let (status, view) = app
            .get(&format!("/api/v1/announcements/{id}"), &app.token)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(view["revokes_id"].as_i64(), want, "#{i}: {view}");
        assert_eq!(
            view["announcement"]["rci"],
            json!({"closing": if i == 1 { "2026-11" } else { "2026-12" }})
        );
    }
}

support::db::on_both_backends!(
    a_revocation_refers_to_the_rci_it_revokes,
    an_abn_announcement_shows_no_deadline_and_why,
    tokens_act_only_in_their_environment,
    submit_and_read_back,
    resubmission_is_idempotent_and_conflicts_are_named,
    idempotency_key_replays_and_refuses_reuse,
    parallel_posts_with_one_key_store_one_body,
    simultaneous_single_submissions_are_answered_each_on_its_own,
    the_idempotency_key_is_stored_as_its_hash,
    invalid_input_stores_nothing,
    a_body_over_the_limit_is_refused,
    a_report_of_a_huge_invalid_body_stays_small,
    tokens_act_only_for_their_funds,
    list_filters_and_pages,
    withdraw_while_queued,
    the_rate_limit_holds_per_token,
    operations_endpoints,
    parallel_scrapes_count_what_was_stored_before_them,
    readiness_reports_pending_migrations,
);
