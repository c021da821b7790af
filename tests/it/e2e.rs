//! End to end over both transports: funds submit through the HTTP API, the engine builds
//! transmissions and hands them to the in-process ZAS simulator — over HTTPS (real mutual TLS on
//! loopback) or over sedex (files in a temporary interface directory, on which the simulator
//! plays the fund's sedex client and the ZAS) — takes in the receipts and acknowledgements, and
//! every announcement reaches the state its scenario means; every fault ends with nothing lost
//! and nothing processed twice.
//!
//! Time is a [`ManualClock`]: a round runs each job once — build, send, (over sedex) one round of
//! the simulator's sedex front end, the acknowledgement feed, the receipts, the inbox — and then
//! the day ends; no test sleeps or waits for a background loop.
//!
//! Each test runs on SQLite and PostgreSQL (with `ARCGW_TEST_PG_URL`) and on its transports:
//! modules `sqlite_https`, `sqlite_sedex`, `postgres_https`, `postgres_sedex`. The scenarios run
//! over both; a failing transport is HTTP 500 over HTTPS and receipt 401 over sedex. The faults
//! of one transport run only on it: a cut connection and a slow answer over HTTPS; receipt 601,
//! a refusing receipt (310), no receipt, and the faulty inbox messages over sedex.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::{Clock, ManualClock};
use arcgw::config::HttpConfig;
use arcgw::domain::acknowledgement::{Observation, RefusalCode};
use arcgw::domain::{AnnouncementState, Domicile, DomicileInstruction, FundNumber};
use arcgw::engine::{Engine, TransportKind, ZasConfig};
use arcgw::pki::{DEFAULT_SERVER_NAMES, TEST_CLIENT_ID, TestPki, install_crypto_provider};
use arcgw::sim::{
    InboxFault, Outcome, ReceiptFault, Rule, Scenarios, SedexSimConfig, SimConfig, SimHandle,
};
use arcgw::store::{AttemptOutcome, AttemptRecord, ListFilter, Scope, TransmissionState};
use arcgw::transport::{SedexConfig, TransportConfig};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::support;
use crate::support::db::{TestDb, avs_digits};
use crate::support::engine::zas_config;

use AnnouncementState::*;
use TransportKind::{Https, Sedex};

/// An announcement of `key` with reference `reference` for person number `n`.
fn announcement(reference: &str, key: u8, n: u64) -> Value {
    let mut a = json!({"fund": "066.000", "reference": reference, "key": key});
    match key {
        11 | 13 | 15 | 19 | 21 | 25 | 31 | 35 | 41 => {
            a["person"] = json!({"surname": "Muster", "given_names": "Anna", "sex": 2, "birth_date": "1980-05-17", "country": 100});
            if key != 11 {
                a["avs_number"] = json!(avs_digits(n));
            }
        }
        71 | 75 | 79 | 81 | 85 => {
            a["avs_number"] = json!(avs_digits(n));
            a["rci"] = json!({"beneficiary": "insured", "closing": "2026-12", "order_date": "2026-11-20", "domicile": {"code": 2}});
        }
        // Annex 9 rows 4 and 9: the closing month of the RCI revoked; the spouse's number.
        99 => {
            a["avs_number"] = json!(avs_digits(n));
            a["rci"] = json!({"closing": "2026-12"});
        }
        96 => {
            a["avs_number"] = json!(avs_digits(n));
            a["splitting"] = json!({"spouse_avs_number": avs_digits(n + 500)});
        }
        95 => {
            a["avs_number"] = json!(avs_digits(n));
            a["splitting"] =
                json!({"spouse_avs_number": avs_digits(n + 500), "years": [{"year": 2001}]});
        }
        _ => a["avs_number"] = json!(avs_digits(n)),
    }
    a
}

/// Over sedex, how long arcgw waits for a receipt: longer than a round's day, so that a receipt
/// of the next round (601, then 100) is in time, and a missing one is overdue two rounds after
/// the hand-over.
const RECEIPT_TIMEOUT_SECS: u64 = 36 * 3600;

struct Gateway {
    engine: Engine,
    clock: Arc<ManualClock>,
    sim: SimHandle,
    transport: TransportKind,
    base: String,
    token: String,
    db: TestDb,
    /// Over sedex: the fund's interface directory (the simulator is its sedex client).
    interface_dir: Option<tempfile::TempDir>,
    _pki_dir: tempfile::TempDir,
}

fn monday() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
        .unwrap()
        .to_utc()
}

/// The gateway over `transport` to a simulated ZAS that deals with each announcement as the first
/// of `rules` matching it says (else `done`); a transmission is `failed` after `max_attempts`; an
/// HTTPS request times out after `request_timeout_secs`.
async fn gateway(
    db: TestDb,
    transport: TransportKind,
    rules: Vec<Rule>,
    max_attempts: u32,
    request_timeout_secs: u64,
) -> Gateway {
    install_crypto_provider();
    let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).unwrap();
    let pki_dir = tempfile::tempdir().unwrap();
    let paths = pki.write_to(pki_dir.path()).unwrap();
    let clock = Arc::new(ManualClock::new(monday()));
    let mut sim_config = SimConfig::from_pki(&pki);
    sim_config.scenarios = Scenarios::new(rules, Outcome::Done).unwrap();
    let interface_dir = (transport == Sedex).then(|| tempfile::tempdir().unwrap());
    let sedex = match &interface_dir {
        Some(dir) => {
            sim_config.sedex = Some(SedexSimConfig::below(dir.path()));
            let fund = SedexConfig {
                // The lone file of an inbox fault is refused at once: the simulator's round,
                // which wrote it, is over before the inbox is read.
                inbox_grace_secs: 0,
                receipt_timeout_secs: RECEIPT_TIMEOUT_SECS,
                ..SedexConfig::in_interface_directory(dir.path().to_path_buf())
            };
            fund.create_missing_folders().unwrap();
            Some(fund)
        }
        None => None,
    };
    // The sedex front end runs in `round`, not on a thread of its own.
    let sim = arcgw::sim::start_stepped(sim_config, clock.clone())
        .await
        .unwrap();
    let tls = (transport == Https).then(|| TransportConfig {
        endpoint: sim.url(),
        ca_cert: paths.ca_cert.clone(),
        client_cert: paths.client_cert.clone(),
        client_key: paths.client_key.clone(),
        connect_timeout_secs: 2,
        request_timeout_secs,
    });
    let zas = ZasConfig {
        transport,
        sedex,
        ..zas_config(TEST_CLIENT_ID, max_attempts, tls)
    };
    // As `serve` connects: every sedex folder checked.
    let (connection, _) = arcgw::serve::connect_transport(&zas, monday()).unwrap();
    let engine = Engine {
        store: db.store.clone(),
        transport: connection,
        clock: clock.clone(),
        config: Arc::new(zas),
        calendar: Arc::new(ZasCalendar::geneva()),
    };
    let token = support::web::token(&db.store, "e2e", &["066.000"], monday()).await;
    let state = AppState::new(
        db.store.clone(),
        clock.clone(),
        ZasCalendar::geneva(),
        HttpConfig::default(),
    );
    let base = support::web::serve(router(state)).await;
    Gateway {
        engine,
        clock,
        sim,
        transport,
        base,
        token,
        db,
        interface_dir,
        _pki_dir: pki_dir,
    }
}

/// The ZAS's end of the transport fails the first `times` sendings of a message: HTTP 500 over
/// HTTPS, receipt 401 (OSCI hub not reachable) over sedex.
fn failing(transport: TransportKind, times: u32) -> Outcome {
    match transport {
        Https => Outcome::Http500 { times },
        Sedex => Outcome::Receipt(ReceiptFault::Unreachable { times }),
    }
}

impl Gateway {
    async fn submit(&self, announcements: Vec<Value>) -> Vec<i64> {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/announcements", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "announcements": announcements }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 202);
        let body: Value = response.json().await.unwrap();
        serde_json::from_value(body["ids"].clone()).unwrap()
    }

    /// `GET /api/v1/announcements/{id}` with the fund's token.
    async fn view(&self, id: i64) -> Value {
        reqwest::Client::new()
            .get(format!("{}/api/v1/announcements/{id}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// One round of the jobs, then a day later. Transport failures are recorded by the engine;
    /// the feed may fail while the simulator misbehaves: the next round reads it again. Over
    /// sedex the simulator's round comes between the hand-over and the intake: its sedex client
    /// takes the outbox and writes the receipts, its ZAS the acknowledgements into the inbox.
    /// The feed is HTTPS's, the receipts and the inbox sedex's: each is empty over the other.
    async fn round(&self) {
        self.engine.build_all().await.unwrap();
        self.engine.send_due().await.unwrap();
        self.sim.sedex_round().await;
        let _ = self.engine.take_in_acknowledgements().await;
        self.engine.take_in_receipts().await.unwrap();
        self.engine.take_in_inbound().await.unwrap();
        self.clock.advance(TimeDelta::days(1));
    }

    /// Runs rounds until every id is in its expected state (at most `rounds`).
    async fn drive_until(&self, expected: &BTreeMap<i64, AnnouncementState>, rounds: usize) {
        for _ in 0..rounds {
            self.round().await;
            if self.states(expected.keys()).await == *expected {
                return;
            }
        }
        assert_eq!(
            self.states(expected.keys()).await,
            *expected,
            "states after {rounds} rounds"
        );
    }

    /// Runs rounds until every id is `done`.
    async fn drive_until_done(&self, ids: &[i64]) {
        self.drive_until(&ids.iter().map(|id| (*id, Done)).collect(), 10)
            .await;
    }

    async fn states<'a>(
        &self,
        ids: impl Iterator<Item = &'a i64>,
    ) -> BTreeMap<i64, AnnouncementState> {
        let mut out = BTreeMap::new();
        for id in ids {
            out.insert(
                *id,
                self.db
                    .store
                    .announcement(*id)
                    .await
                    .unwrap()
                    .announcement
                    .state,
            );
        }
        out
    }

    /// The transmission announcement `id` is in.
    async fn transmission_of(&self, id: i64) -> i64 {
        self.db
            .store
            .announcement(id)
            .await
            .unwrap()
            .announcement
            .transmission_id
            .expect("in a transmission")
    }

    /// Every announcement is in exactly one transmission, and the simulator processed each
    /// transmission once.
    async fn assert_sent_once(&self, ids: &[i64]) {
        let mut transmissions = std::collections::BTreeSet::new();
        for id in ids {
            transmissions.insert(self.transmission_of(*id).await);
        }
        let received = self.sim.received_message_ids();
        let distinct: std::collections::BTreeSet<_> = received.iter().collect();
        assert_eq!(
            received.len(),
            distinct.len(),
            "no message id processed twice"
        );
        assert_eq!(self.sim.transmissions_processed(), transmissions.len());
    }

    /// How many times a transmission with these attempts was sent: over HTTPS every attempt;
    /// over sedex every hand-over (a receipt is recorded as an attempt of its own).
    fn sendings(&self, attempts: &[AttemptRecord]) -> usize {
        match self.transport {
            Https => attempts.len(),
            Sedex => attempts
                .iter()
                .filter(|a| a.outcome == AttemptOutcome::HandedOver)
                .count(),
        }
    }

    /// A folder of the sedex interface directory (`processed`, `arcgw/rejected`, …).
    fn folder(&self, name: &str) -> std::path::PathBuf {
        self.interface_dir
            .as_ref()
            .expect("over sedex")
            .path()
            .join(name)
    }

    /// The file names in a folder of the sedex interface directory.
    fn names(&self, folder: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.folder(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// How many envelopes of transmission `t` the sedex client took from the outbox (moved to
    /// `processed/`; a repeat under a suffixed name).
    async fn envelopes_taken(&self, t: i64) -> usize {
        let (record, _) = self.db.store.transmission(t).await.unwrap();
        let envelope = format!("envl_{}.xml", record.header.message_id);
        self.names("processed")
            .iter()
            .filter(|n| n.starts_with(&envelope))
            .count()
    }

    /// The inbox messages kept in `arcgw/rejected`: message id → the reasons beside its files.
    fn reasons_kept_aside(&self) -> BTreeMap<String, String> {
        let mut kept = BTreeMap::<String, String>::new();
        for name in self.names("arcgw/rejected") {
            let Some(file) = name.strip_suffix(".reason.txt") else {
                continue;
            };
            let id = file
                .trim_start_matches("envl_")
                .trim_start_matches("data_")
                .split('.')
                .next()
                .unwrap()
                .to_string();
            let reason = std::fs::read_to_string(self.folder("arcgw/rejected").join(&name));
            kept.entry(id).or_default().push_str(&reason.unwrap());
        }
        kept
    }

    /// The (outcome, receipt code) of every attempt of transmission `t`.
    async fn outcomes(&self, t: i64) -> Vec<(AttemptOutcome, Option<i64>)> {
        let (_, attempts) = self.db.store.transmission(t).await.unwrap();
        attempts
            .into_iter()
            .map(|a| (a.outcome, a.receipt_code))
            .collect()
    }
}

async fn every_outcome_reaches_its_state(db: TestDb, transport: TransportKind) {
    let refused = Outcome::Refused {
        code: RefusalCode::new(3).unwrap(),
        observations: vec![Observation {
            code: 112,
            text: Some("no RCI to revoke".into()),
        }],
        wrong_fields: vec![7],
    };
    let rules = vec![
        Rule::reference_prefix("PROG-", Outcome::InProgress),
        Rule::reference_prefix(
            "LATE-",
            Outcome::InProgressThenDone {
                after_working_days: 3,
            },
        ),
        Rule::reference_prefix("REFU-", refused),
        Rule::reference_prefix("NEVR-", Outcome::Never),
        Rule::reference_prefix(
            "INVE-",
            Outcome::Investigate {
                instructions: "send a copy of the ID".into(),
            },
        ),
    ];
    let g = gateway(db, transport, rules, 5, 5).await;
    // Every key group, dealt with at once; then the other outcomes.
    let mut submitted = Vec::new();
    let mut expected_state = Vec::new();
    for (i, key) in [11u8, 21, 25, 61, 67, 81, 79, 95, 97, 99]
        .into_iter()
        .enumerate()
    {
        submitted.push(announcement(&format!("DONE-{key}"), key, i as u64 + 1));
        expected_state.push(Done);
    }
    for (prefix, state) in [
        ("PROG-", InProgress),
        ("LATE-", Done),
        ("REFU-", Rejected),
        ("NEVR-", Announced),
        ("INVE-", Investigate),
    ] {
        submitted.push(announcement(
            &format!("{prefix}61"),
            61,
            100 + submitted.len() as u64,
        ));
        expected_state.push(state);
    }
    let ids = g.submit(submitted).await;
    let expected: BTreeMap<i64, AnnouncementState> =
        ids.iter().copied().zip(expected_state).collect();
    g.drive_until(&expected, 10).await;
    g.assert_sent_once(&ids).await;

    // The results are kept: the AVS number the ZAS assigned to the key-11 person.
    let entries = g.db.store.entries_of(ids[0]).await.unwrap();
    let certificate = entries
        .last()
        .unwrap()
        .entry
        .result
        .clone()
        .expect("certificate print data");
    assert!(matches!(
        certificate,
        arcgw::domain::AcknowledgementResult::Certificate(_)
    ));
    // The refusal with its observations and wrong fields.
    let refused_id = ids[12];
    let entry = &g.db.store.entries_of(refused_id).await.unwrap()[0].entry;
    assert_eq!(entry.observations[0].code, 112);
    assert_eq!(entry.wrong_fields, vec![7]);
    // "Still being processed", then done after three working days: two entries.
    assert_eq!(g.db.store.entries_of(ids[11]).await.unwrap().len(), 2);
    // The API shows the transmission, the acknowledgements and the deadline of N. 3401.
    let view = |id: i64| g.view(id);
    let in_progress = view(ids[10]).await;
    assert_eq!(in_progress["transmission"]["state"], "sent");
    assert_eq!(in_progress["acknowledgements"][0]["processing_code"], 2);
    assert_eq!(in_progress["next_deadline"]["rule"], "still_processing");
    assert_eq!(
        in_progress["next_deadline"]["start"], in_progress["acknowledgements"][0]["date"],
        "15 days from the acknowledgement's date"
    );
    let never = view(ids[13]).await;
    assert_eq!(never["next_deadline"]["rule"], "not_mentioned");
    assert_eq!(never["next_deadline"]["working_days"], 7);
    let certificate = view(ids[0]).await;
    assert_eq!(
        certificate["acknowledgements"][0]["result"]["kind"],
        "certificate"
    );
    assert_eq!(certificate["next_deadline"], Value::Null);
    // N. 1102, 1203: the number the ZAS assigned to the key-11 person, sent without one.
    assert!(
        certificate["assigned_avs_number"].is_string(),
        "{certificate}"
    );
    assert_eq!(
        certificate["assigned_avs_number"],
        certificate["acknowledgements"][0]["result"]["avs_number"]
    );
    assert!(certificate["announcement"].get("avs_number").is_none());
    // Reading the feed again changes nothing.
    let before = g.states(ids.iter()).await;
    g.round().await;
    assert_eq!(g.states(ids.iter()).await, before);
    assert_eq!(g.db.store.unmatched_entries(10).await.unwrap().len(), 0);
}

/// The simulator's "never acknowledged" and "in progress" scenarios: the deadline scan and the
/// alert job run every day; the operator gets each alert once by webhook and once by e-mail,
/// on the day after the deadline's last working day (N. 3401), and nothing more.
/// A closing-and-transmission order the simulated ZAS sends after an announcement's
/// acknowledgement (N. 2707) reaches the fund's system (`GET /api/v1/orders`) and the operators
/// (the open orders of the dashboard), is reminded and alerted exactly once when its ten days
/// (N. 2713) have passed, and leaves the open and overdue lists once the fund's system reports
/// the CI sent.
async fn a_closing_order_is_offered_reminded_once_and_settled(
    db: TestDb,
    transport: TransportKind,
) {
    let rules = vec![Rule::reference_prefix(
        "CLOSE-",
        Outcome::ClosingOrder {
            domicile: DomicileInstruction::new(Domicile::NotInSwitzerland).unwrap(),
            ordering_fund: Some(FundNumber::parse("001.000").unwrap()),
        },
    )];
    let g = gateway(db, transport, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("CLOSE-1", 61, 1)]).await;
    g.drive_until_done(&ids).await;
    let client = reqwest::Client::new();
    let read_orders = || async {
        let body: Value = client
            .get(format!("{}/api/v1/orders", g.base))
            .bearer_auth(&g.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["items"].as_array().unwrap().clone()
    };
    // The order follows the acknowledgement (a round later at most).
    let mut orders = read_orders().await;
    for _ in 0..3 {
        if !orders.is_empty() {
            break;
        }
        g.round().await;
        orders = read_orders().await;
    }
    assert_eq!(orders.len(), 1, "the order reached the fund's system");
    let order = &orders[0];
    assert_eq!(order["fund"], "066.000");
    assert_eq!(order["ordering_fund"], "001.000");
    assert_eq!(order["avs_number"], support::db::avs(1).to_string());
    assert_eq!(order["state"], "open");
    assert_eq!(order["domicile"]["code"], 2);
    let id = order["id"].as_i64().unwrap();
    let due =
        chrono::NaiveDate::parse_from_str(order["due_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let fund = [FundNumber::parse("066.000").unwrap()];
    let open = || async {
        let scope = Scope {
            funds: &fund,
            environment: None,
        };
        g.db.store
            .open_closing_orders_of(scope)
            .await
            .unwrap()
            .items
            .len()
    };
    assert_eq!(open().await, 1, "the operators see it");

    // Nothing up to its last day; from the day after, one reminder and one alert, whatever
    // the scans.
    while g.clock.today() <= due {
        assert!(g.engine.scan_closing_orders().await.unwrap().is_empty());
        g.clock.advance(TimeDelta::hours(12));
    }
    assert_eq!(g.engine.scan_closing_orders().await.unwrap().len(), 1);
    for _ in 0..3 {
        g.clock.advance(TimeDelta::hours(5));
        assert!(g.engine.scan_closing_orders().await.unwrap().is_empty());
    }
    assert_eq!(g.db.store.overdue_closing_orders().await.unwrap(), 1);
    assert_eq!(
        support::db::count(
            &g.db.store,
            "SELECT COUNT(*) FROM alerts WHERE kind = 'closing_order_overdue'"
        )
        .await,
        1
    );

    // The fund's system reports the CI sent: neither open nor overdue any more.
    let response = client
        .post(format!("{}/api/v1/orders/{id}/done", g.base))
        .bearer_auth(&g.token)
        .json(&json!({"sent_on": g.clock.today().to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(g.db.store.overdue_closing_orders().await.unwrap(), 0);
    assert_eq!(open().await, 0);
    assert_eq!(read_orders().await[0]["state"], "done");
}

async fn overdue_announcements_are_alerted_once_on_the_right_day(
    db: TestDb,
    transport: TransportKind,
) {
    let rules = vec![
        Rule::reference_prefix("PROG-", Outcome::InProgress),
        Rule::reference_prefix("NEVR-", Outcome::Never),
    ];
    let g = gateway(db, transport, rules, 5, 5).await;
    let (receiver, url) = support::webhook::Receiver::start(0).await;
    let smtp = support::smtp::SmtpServer::start().await;
    let alerts = arcgw::alerts::AlertJob::new(
        g.db.store.clone(),
        g.clock.clone(),
        support::webhook::alerts_config(&url, smtp.address.port(), 5),
    )
    .unwrap();
    let ids = g
        .submit(vec![
            announcement("NEVR-61", 61, 1),
            announcement("PROG-61", 61, 2),
        ])
        .await;
    // (reference, due, the day the webhook came, the day the e-mail came)
    let mut arrivals: Vec<(String, String, chrono::NaiveDate, usize)> = Vec::new();
    for _ in 0..30 {
        g.round().await;
        g.engine.scan_deadlines().await.unwrap();
        alerts.deliver_due().await.unwrap();
        for hook in receiver.accepted().iter().skip(arrivals.len()) {
            let body: Value = serde_json::from_slice(&hook.body).unwrap();
            arrivals.push((
                body["reference"].as_str().unwrap().to_string(),
                body["due"].as_str().unwrap().to_string(),
                g.clock.today(),
                smtp.received().len(),
            ));
        }
    }
    assert_eq!(
        g.states(ids.iter()).await.into_values().collect::<Vec<_>>(),
        [Announced, InProgress]
    );
    assert_eq!(arrivals.len(), 2, "{arrivals:?}");
    assert_eq!(receiver.requests().len(), 2, "each webhook once");
    assert_eq!(smtp.received().len(), 2, "each e-mail once");
    // Announced Monday 23 November 2026: 7 working days end on Wednesday 2 December.
    let never = arrivals.iter().find(|a| a.0 == "NEVR-61").unwrap();
    assert_eq!(never.1, "2026-12-02");
    assert_eq!(never.2.to_string(), "2026-12-03");
    let in_progress = arrivals.iter().find(|a| a.0 == "PROG-61").unwrap();
    let due: chrono::NaiveDate = in_progress.1.parse().unwrap();
    assert_eq!(in_progress.2, due.succ_opt().unwrap());
    // 15 working days from the acknowledgement that said "still being processed".
    let calendar = ZasCalendar::geneva();
    let entries = g.db.store.entries_of(ids[1]).await.unwrap();
    assert!(
        entries.iter().any(|e| calendar
            .add_working_days(e.acknowledgement_date, 15)
            .unwrap()
            == due),
        "{entries:?}"
    );
    // The e-mail of each came in the same step as its webhook.
    assert!(arrivals.iter().all(|a| a.3 >= 1));
    for mail in smtp.received() {
        assert!(!arcgw::domain::avs_mask::contains_avs_number(&mail.data));
    }
}

/// N. 3401, 3202 end to end: the simulated ZAS says "still being processed" on Monday 23
/// November 2026 and again every 5 working days, never done. The 15 working days run from the
/// first: due Monday 14 December, the reminder on Tuesday 15 December, the 16th working day,
/// although the ZAS said it again on 30 November and on 7 and 14 December.
async fn a_repeated_still_processing_is_reminded_on_the_16th_working_day(
    db: TestDb,
    transport: TransportKind,
) {
    let rules = vec![Rule::reference_prefix(
        "REPT-",
        Outcome::InProgressRepeated {
            every_working_days: 5,
        },
    )];
    let g = gateway(db, transport, rules, 5, 5).await;
    let [id] = g.submit(vec![announcement("REPT-61", 61, 1)]).await[..] else {
        panic!("one id")
    };
    let mut reminded_on = Vec::new();
    for _ in 0..25 {
        g.round().await;
        if g.engine.scan_deadlines().await.unwrap().raised > 0 {
            reminded_on.push(g.clock.today());
        }
    }
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let calendar = ZasCalendar::geneva();
    let sixteenth = calendar.add_working_days(first, 16).unwrap();
    assert_eq!(sixteenth.to_string(), "2026-12-15");
    assert_eq!(reminded_on, [sixteenth]);
    assert_eq!(g.states([id].iter()).await[&id], InProgress);
    let entries = g.db.store.entries_of(id).await.unwrap();
    let dates: Vec<String> = entries
        .iter()
        .map(|e| e.acknowledgement_date.to_string())
        .collect();
    assert_eq!(
        dates[..4],
        ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14"]
    );
    let reminders =
        g.db.store
            .list_reminders(&arcgw::store::ReminderFilter::default())
            .await
            .unwrap()
            .items;
    assert_eq!(reminders[0].due.to_string(), "2026-12-14");
    // The API counts from the first, and every repeat is in the history.
    let view = g.view(id).await;
    assert_eq!(view["next_deadline"]["start"], "2026-11-23");
    assert_eq!(view["next_deadline"]["due"], "2026-12-14");
    let repeats = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["previous"] == "in_progress" && h["state"] == "in_progress")
        .count();
    assert_eq!(repeats, entries.len() - 1, "every repeat is in the history");
}

async fn a_revocation_goes_before_its_new_order(db: TestDb, transport: TransportKind) {
    let g = gateway(db, transport, vec![], 5, 5).await;
    // Same person (number 7): the revocation 99 and a new RCI 81, submitted together.
    let ids = g
        .submit(vec![
            announcement("REV-99", 99, 7),
            announcement("NEW-81", 81, 7),
        ])
        .await;
    let expected: BTreeMap<i64, AnnouncementState> = ids.iter().map(|id| (*id, Done)).collect();
    g.drive_until(&expected, 10).await;
    let revocation =
        g.db.store
            .announcement(ids[0])
            .await
            .unwrap()
            .announcement
            .transmission_id
            .unwrap();
    let order =
        g.db.store
            .announcement(ids[1])
            .await
            .unwrap()
            .announcement
            .transmission_id
            .unwrap();
    assert!(
        revocation < order,
        "N. 3102: separate transmissions, the revocation first"
    );
}

/// The transport fails twice (HTTP 500; receipt 401): the third sending, under the same
/// message id, is accepted, and the ZAS processes the transmission once.
async fn http_500_or_receipt_401_twice_then_accepted(db: TestDb, transport: TransportKind) {
    let rules = vec![Rule::reference_prefix("FAIL-", failing(transport, 2))];
    let g = gateway(db, transport, rules, 5, 5).await;
    let ids = g
        .submit(vec![
            announcement("FAIL-1", 61, 1),
            announcement("FAIL-2", 63, 2),
        ])
        .await;
    g.drive_until_done(&ids).await;
    g.assert_sent_once(&ids).await;
    let t = g.transmission_of(ids[0]).await;
    let (record, _) = g.db.store.transmission(t).await.unwrap();
    assert_eq!(record.state, TransmissionState::Sent);
    let codes: Vec<Option<i64>> = g.outcomes(t).await.into_iter().map(|o| o.1).collect();
    match transport {
        Https => assert_eq!(codes, [Some(500), Some(500), Some(100)]),
        // Each hand-over is an attempt, its receipt another.
        Sedex => {
            assert_eq!(codes, [None, Some(401), None, Some(401), None, Some(100)]);
            assert_eq!(
                g.envelopes_taken(t).await,
                3,
                "the same message id each time"
            );
        }
    }
}

async fn a_cut_connection_is_resent_and_recognised_as_duplicate(db: TestDb) {
    let rules = vec![Rule::reference_prefix("RSET-", Outcome::Reset)];
    let g = gateway(db, Https, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("RSET-1", 61, 1)]).await;
    g.drive_until_done(&ids).await;
    // The acknowledgement may come before the resend; the resend follows in the next round.
    g.round().await;
    g.assert_sent_once(&ids).await;
    assert_eq!(
        g.sim.duplicates().len(),
        1,
        "the resend under the same message id was a duplicate"
    );
    let (_, attempts) =
        g.db.store
            .transmission(g.transmission_of(ids[0]).await)
            .await
            .unwrap();
    assert_eq!(attempts.last().unwrap().receipt_code, Some(201));
}

async fn a_slow_answer_times_out_and_is_retried(db: TestDb) {
    let slow = Outcome::Slow {
        delay: Duration::from_millis(2500),
        record_before_delay: false,
        times: Some(1),
    };
    let g = gateway(db, Https, vec![Rule::reference_prefix("SLOW-", slow)], 5, 1).await;
    let ids = g.submit(vec![announcement("SLOW-1", 61, 1)]).await;
    g.drive_until_done(&ids).await;
    g.assert_sent_once(&ids).await;
    let (_, attempts) =
        g.db.store
            .transmission(g.transmission_of(ids[0]).await)
            .await
            .unwrap();
    assert_eq!(attempts.len(), 2);
    assert!(
        attempts[0].detail.contains("in time"),
        "{}",
        attempts[0].detail
    );
}

/// The ZAS first sends the acknowledgement truncated (over sedex: an inbox message of its own
/// whose payload is not DT XML): it is kept aside, the good one that follows is applied.
async fn a_malformed_acknowledgement_is_kept_and_the_good_one_applied(
    db: TestDb,
    transport: TransportKind,
) {
    let rules = vec![Rule::reference_prefix("MALF-", Outcome::MalformedAck)];
    let g = gateway(db, transport, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("MALF-1", 61, 1)]).await;
    g.drive_until_done(&ids).await;
    assert_eq!(g.db.store.entries_of(ids[0]).await.unwrap().len(), 1);
    if transport == Sedex {
        let reasons = g.reasons_kept_aside();
        assert_eq!(reasons.len(), 1, "one message kept aside: {reasons:?}");
        let reason = reasons.values().next().unwrap();
        assert!(reason.contains("payload"), "{reason}");
    }
}

async fn a_duplicate_acknowledgement_changes_nothing(db: TestDb, transport: TransportKind) {
    let rules = vec![Rule::reference_prefix("DUPL-", Outcome::DuplicateAck)];
    let g = gateway(db, transport, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("DUPL-1", 61, 1)]).await;
    g.drive_until_done(&ids).await;
    // The repeat comes after the first was taken in (over sedex: in a later round).
    g.round().await;
    assert_eq!(
        g.db.store.entries_of(ids[0]).await.unwrap().len(),
        1,
        "taken in once"
    );
    assert_eq!(
        g.db.store
            .history(ids[0])
            .await
            .unwrap()
            .iter()
            .filter(|h| h.state == Done)
            .count(),
        1
    );
    if transport == Sedex {
        let taken = g.names("arcgw/processed");
        assert_eq!(taken.len(), 4, "both deliveries put away: {taken:?}");
    }
}

/// The transport fails more often than `max_attempts` (3) allows: the transmission is `failed`
/// after three sendings; an operator resumes it, and two more sendings (the same message id)
/// deliver it.
async fn a_failed_transmission_is_resumed_by_an_operator(db: TestDb, transport: TransportKind) {
    let rules = vec![Rule::reference_prefix("FAIL-", failing(transport, 4))];
    let g = gateway(db, transport, rules, 3, 5).await;
    let ids = g.submit(vec![announcement("FAIL-1", 61, 1)]).await;
    for _ in 0..6 {
        g.round().await;
    }
    let t = g.transmission_of(ids[0]).await;
    let (record, attempts) = g.db.store.transmission(t).await.unwrap();
    assert_eq!(
        (record.state, g.sendings(&attempts)),
        (TransmissionState::Failed, 3)
    );
    let failure = record.failure.unwrap();
    assert!(
        failure.contains(&format!("after {} sendings", g.sendings(&attempts))),
        "{failure}"
    );
    assert_eq!(g.states(ids.iter()).await[&ids[0]], Sending);
    g.db.store
        .retry_transmission(t, g.clock.now())
        .await
        .unwrap();
    g.drive_until_done(&ids).await;
    g.assert_sent_once(&ids).await;
    let (record, attempts) = g.db.store.transmission(t).await.unwrap();
    assert_eq!(
        (record.state, g.sendings(&attempts)),
        (TransmissionState::Sent, 5),
        "resumed: two more sendings"
    );
}

async fn a_large_queue_is_split_into_transmissions(db: TestDb, transport: TransportKind) {
    let mut g = gateway(db, transport, vec![], 5, 5).await;
    Arc::get_mut(&mut g.engine.config).unwrap().batch_size = 40;
    let ids = g
        .submit(
            (0..100)
                .map(|i| announcement(&format!("BULK-{i}"), 61, i + 1))
                .collect(),
        )
        .await;
    g.drive_until_done(&ids).await;
    g.assert_sent_once(&ids).await;
    assert_eq!(g.sim.transmissions_processed(), 3);
    let mut filter = ListFilter {
        state: Some(Done),
        limit: 1000,
        ..ListFilter::default()
    };
    filter.funds = None;
    assert_eq!(
        g.db.store
            .list_announcements(&filter)
            .await
            .unwrap()
            .items
            .len(),
        100
    );
}

/// One sender's round sends every due transmission and records each attempt before it ends:
/// a failing one among them too, in its own transmission, and the last one sent.
async fn one_round_records_every_transmission_it_sent(db: TestDb, transport: TransportKind) {
    let rules = vec![Rule::reference_prefix("FAIL-", failing(transport, 1))];
    let mut g = gateway(db, transport, rules, 5, 5).await;
    Arc::get_mut(&mut g.engine.config).unwrap().batch_size = 2;
    let ids = g
        .submit(vec![
            announcement("ROUND-1", 61, 1),
            announcement("ROUND-2", 61, 2),
            announcement("FAIL-3", 61, 3),
            announcement("ROUND-4", 61, 4),
            announcement("ROUND-5", 61, 5),
        ])
        .await;
    g.engine.build_all().await.unwrap();
    assert_eq!(
        g.engine.send_due().await.unwrap(),
        3,
        "three transmissions due"
    );
    let mut transmissions: Vec<i64> = Vec::new();
    for &id in &ids {
        let t = g.transmission_of(id).await;
        if !transmissions.contains(&t) {
            transmissions.push(t);
        }
    }
    assert_eq!(transmissions.len(), 3);
    let failing = g.transmission_of(ids[2]).await;
    for t in transmissions {
        let (record, _) = g.db.store.transmission(t).await.unwrap();
        let outcomes = g.outcomes(t).await;
        let (outcome, state) = match transport {
            Https if t == failing => (
                (AttemptOutcome::Error, Some(500)),
                TransmissionState::Pending,
            ),
            Https => (
                (AttemptOutcome::Transmitted, Some(100)),
                TransmissionState::Sent,
            ),
            // Each hand-over is an attempt; the receipt comes later.
            Sedex => (
                (AttemptOutcome::HandedOver, None),
                TransmissionState::Pending,
            ),
        };
        assert_eq!(
            outcomes,
            [outcome],
            "transmission {t}: one attempt recorded"
        );
        assert_eq!(record.state, state, "transmission {t}");
    }
    g.drive_until_done(&ids).await;
    g.assert_sent_once(&ids).await;
}

/// Receipt 601 (sent, not yet received), then 100 in the sedex client's next round: delivered
/// once, within the receipt timeout, never handed over again.
async fn receipt_601_then_100_delivers_once(db: TestDb) {
    let rules = vec![Rule::reference_prefix(
        "R601-",
        Outcome::Receipt(ReceiptFault::SentThenReceived),
    )];
    let g = gateway(db, Sedex, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("R601-1", 61, 1)]).await;
    g.drive_until_done(&ids).await;
    g.assert_sent_once(&ids).await;
    let t = g.transmission_of(ids[0]).await;
    assert_eq!(
        g.outcomes(t).await,
        [
            (AttemptOutcome::HandedOver, None),
            (AttemptOutcome::Waiting, Some(601)),
            (AttemptOutcome::Transmitted, Some(100)),
        ]
    );
    let (record, _) = g.db.store.transmission(t).await.unwrap();
    assert_eq!(record.receipt_overdue_at, None);
    assert_eq!(g.envelopes_taken(t).await, 1);
}

/// Receipt 310 (not allowed to send): the transmission is `failed` with the code and the
/// client's statusInfo, its announcement still `sending`; an operator's resume hands the same
/// message over again (the client refuses it again: the simulated authorisation stays).
async fn a_refusing_receipt_fails_the_transmission_and_a_resume_hands_it_over_again(db: TestDb) {
    let rules = vec![Rule::reference_prefix(
        "R310-",
        Outcome::Receipt(ReceiptFault::Refused { status: 310 }),
    )];
    let g = gateway(db, Sedex, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("R310-1", 61, 1)]).await;
    g.round().await;
    g.round().await;
    let t = g.transmission_of(ids[0]).await;
    let refused = [
        (AttemptOutcome::HandedOver, None),
        (AttemptOutcome::Refused, Some(310)),
    ];
    assert_eq!(g.outcomes(t).await, refused);
    let (record, _) = g.db.store.transmission(t).await.unwrap();
    assert_eq!(record.state, TransmissionState::Failed);
    let failure = record.failure.unwrap();
    assert!(
        failure.contains("receipt 310") && failure.contains("not allowed to send (simulated)"),
        "{failure}"
    );
    assert_eq!(g.states(ids.iter()).await[&ids[0]], Sending);

    g.db.store
        .retry_transmission(t, g.clock.now())
        .await
        .unwrap();
    g.round().await;
    assert_eq!(g.outcomes(t).await, [refused, refused].concat());
    assert_eq!(g.envelopes_taken(t).await, 2, "the same message id again");
    assert_eq!(
        support::db::count(&g.db.store, "SELECT COUNT(*) FROM transmissions").await,
        1,
        "no new transmission, no new message id"
    );
    assert_eq!(g.sim.transmissions_processed(), 0, "never delivered");
}

/// No receipt ever: two rounds (a day each) after the hand-over the receipt timeout (36 hours)
/// has passed; the next sending flags the transmission, counts it, and hands it over again under
/// the same message id.
async fn no_receipt_within_the_timeout_flags_the_transmission(db: TestDb) {
    let rules = vec![Rule::reference_prefix(
        "NORC-",
        Outcome::Receipt(ReceiptFault::Never),
    )];
    let g = gateway(db, Sedex, rules, 5, 5).await;
    let ids = g.submit(vec![announcement("NORC-1", 61, 1)]).await;
    g.round().await;
    g.round().await;
    let t = g.transmission_of(ids[0]).await;
    let (record, _) = g.db.store.transmission(t).await.unwrap();
    assert_eq!(
        (record.receipt_overdue_at, g.envelopes_taken(t).await),
        (None, 1),
        "within the timeout"
    );
    g.round().await;
    let (record, _) = g.db.store.transmission(t).await.unwrap();
    assert!(record.receipt_overdue_at.is_some());
    assert_eq!(record.state, TransmissionState::Pending);
    assert_eq!(g.db.store.receipts_overdue().await.unwrap(), 1);
    assert_eq!(g.envelopes_taken(t).await, 2, "handed over again, same id");
    assert_eq!(
        g.outcomes(t).await,
        [
            (AttemptOutcome::HandedOver, None),
            (AttemptOutcome::HandedOver, None)
        ]
    );
    assert_eq!(g.states(ids.iter()).await[&ids[0]], Sending);
    assert_eq!(g.sim.transmissions_processed(), 0);
}

/// Before each acknowledgement the ZAS's side writes a faulty inbox message (foreign sender,
/// unknown message type, payload without envelope, malformed envelope): each is kept in
/// `arcgw/rejected` with its reason, and the acknowledgement after it is applied.
async fn faulty_inbox_messages_are_kept_aside_and_the_acknowledgements_applied(db: TestDb) {
    let faults = [
        ("FRGN-", InboxFault::ForeignSender, "not the ZAS"),
        ("UTYP-", InboxFault::UnknownType, "message type"),
        ("NOEN-", InboxFault::WithoutEnvelope, "without envelope"),
        ("BENV-", InboxFault::MalformedEnvelope, "envelope"),
    ];
    let rules = faults
        .iter()
        .map(|(prefix, fault, _)| Rule::reference_prefix(prefix, Outcome::Inbox(*fault)))
        .collect();
    let mut g = gateway(db, Sedex, rules, 5, 5).await;
    // One transmission per announcement: a transmission gets the first fault of its own.
    Arc::get_mut(&mut g.engine.config).unwrap().batch_size = 1;
    let ids = g
        .submit(
            faults
                .iter()
                .zip(1..)
                .map(|((prefix, _, _), n)| announcement(&format!("{prefix}1"), 61, n))
                .collect(),
        )
        .await;
    g.drive_until_done(&ids).await;
    for id in &ids {
        assert_eq!(g.db.store.entries_of(*id).await.unwrap().len(), 1);
    }
    let reasons = g.reasons_kept_aside();
    assert_eq!(reasons.len(), faults.len(), "{reasons:?}");
    for (_, _, reason) in faults {
        assert!(
            reasons.values().any(|r| r.contains(reason)),
            "{reason}: {reasons:?}"
        );
    }
    assert!(g.names("inbox").is_empty());
}

/// A transmission whose sendings all fail is `failed` after `max_attempts` (4) sendings.
async fn a_transmission_is_failed_after_max_attempts_sendings(
    db: TestDb,
    transport: TransportKind,
) {
    let rules = vec![Rule::reference_prefix("FAIL-", failing(transport, 10))];
    let g = gateway(db, transport, rules, 4, 5).await;
    let ids = g.submit(vec![announcement("FAIL-1", 61, 1)]).await;
    for _ in 0..6 {
        g.round().await;
    }
    let (record, attempts) =
        g.db.store
            .transmission(g.transmission_of(ids[0]).await)
            .await
            .unwrap();
    assert_eq!(
        (record.state, g.sendings(&attempts)),
        (TransmissionState::Failed, 4)
    );
}

/// Defines each test of `both` on SQLite and PostgreSQL over HTTPS and over sedex (an
/// `async fn(TestDb, TransportKind)`), and each of `https` and `sedex` (an `async fn(TestDb)`)
/// over its transport only: modules `sqlite_https`, `sqlite_sedex`, `postgres_https`,
/// `postgres_sedex`.
macro_rules! on_both_backends_and_transports {
    (
        both: [$($both:ident),* $(,)?],
        https: [$($https:ident),* $(,)?],
        sedex: [$($sedex:ident),* $(,)?] $(,)?
    ) => {
        on_both_backends_and_transports!(@module sqlite_https, Sqlite, Https, [$($both),*], [$($https),*]);
        on_both_backends_and_transports!(@module sqlite_sedex, Sqlite, Sedex, [$($both),*], [$($sedex),*]);
        on_both_backends_and_transports!(@module postgres_https, Postgres, Https, [$($both),*], [$($https),*]);
        on_both_backends_and_transports!(@module postgres_sedex, Postgres, Sedex, [$($both),*], [$($sedex),*]);
    };
    (@module $module:ident, $backend:ident, $transport:ident, [$($both:ident),*], [$($only:ident),*]) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $both() {
                    crate::support::db::run(arcgw::store::Backend::$backend, |db| {
                        super::$both(db, arcgw::engine::TransportKind::$transport)
                    })
                    .await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $only() {
                    crate::support::db::run(arcgw::store::Backend::$backend, super::$only).await;
                }
            )*
        }
    };
}

on_both_backends_and_transports! {
    both: [
        every_outcome_reaches_its_state,
        a_revocation_goes_before_its_new_order,
        http_500_or_receipt_401_twice_then_accepted,
        a_malformed_acknowledgement_is_kept_and_the_good_one_applied,
        a_duplicate_acknowledgement_changes_nothing,
        a_failed_transmission_is_resumed_by_an_operator,
        a_large_queue_is_split_into_transmissions,
        one_round_records_every_transmission_it_sent,
        overdue_announcements_are_alerted_once_on_the_right_day,
        a_repeated_still_processing_is_reminded_on_the_16th_working_day,
        a_transmission_is_failed_after_max_attempts_sendings,
        a_closing_order_is_offered_reminded_once_and_settled,
    ],
    https: [
        a_cut_connection_is_resent_and_recognised_as_duplicate,
        a_slow_answer_times_out_and_is_retried,
    ],
    sedex: [
        receipt_601_then_100_delivers_once,
        a_refusing_receipt_fails_the_transmission_and_a_resume_hands_it_over_again,
        no_receipt_within_the_timeout_flags_the_transmission,
        faulty_inbox_messages_are_kept_aside_and_the_acknowledgements_applied,
    ],
}
