//! `arcgw demo`: the whole path on one machine. The ZAS simulator and the gateway run on
//! loopback with certificates made for the run, over mutual TLS, on an embedded SQLite file; a
//! fund submits announcements of every key group and of every simulator outcome through the
//! HTTP API; the demo waits until each has reached the state its outcome means and prints them.
//! Time runs fast: the shared clock moves a day every few hundred milliseconds, so "done after
//! three working days" happens in a second or two.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::accounts::{Accounts, Manager};
use crate::api::{AppState, router};
use crate::calendar::ZasCalendar;
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::config::HttpConfig;
use crate::domain::acknowledgement::{Observation, RefusalCode};
use crate::domain::avs_number::check_digit;
use crate::domain::{AnnouncementState, FundNumber, Holder, Login, ParticipantId, Password, Role};
use crate::engine::{Engine, Environment, ZasConfig};
use crate::pki::{DEFAULT_SERVER_NAMES, TEST_CLIENT_ID, TestPki, install_crypto_provider};
use crate::sim::{Outcome, Rule, Scenarios, SimConfig};
use crate::store::{NewAccount, Store};
use crate::transport::{HttpsTransport, TransportConfig};

/// How long the demo waits, in real time, for every announcement to reach its state.
const PATIENCE: Duration = Duration::from_secs(90);

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0}")]
    Setup(String),
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
}

fn setup<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> DemoError + '_ {
    move |e| DemoError::Setup(format!("{what}: {e}"))
}

/// One simulator outcome of the demo: its reference prefix and the state it ends in.
struct Case {
    prefix: &'static str,
    outcome: Outcome,
    expected: AnnouncementState,
    says: &'static str,
}

fn cases() -> Vec<Case> {
    use AnnouncementState::*;
    let refused = Outcome::Refused {
        code: RefusalCode::new(3).expect("3 is a refusal code"),
        observations: vec![Observation {
            code: 112,
            text: Some("no CI found for this number".into()),
        }],
        wrong_fields: vec![7],
    };
    vec![
        Case {
            prefix: "DEMO-PROG-",
            outcome: Outcome::InProgress,
            expected: InProgress,
            says: "still being processed",
        },
        Case {
            prefix: "DEMO-LATE-",
            outcome: Outcome::InProgressThenDone {
                after_working_days: 3,
            },
            expected: Done,
            says: "in progress, done 3 working days later",
        },
        Case {
            prefix: "DEMO-REFU-",
            outcome: refused,
            expected: Rejected,
            says: "refused, code 3",
        },
        Case {
            prefix: "DEMO-NEVR-",
            outcome: Outcome::Never,
            expected: Announced,
            says: "never acknowledged",
        },
        Case {
            prefix: "DEMO-INVE-",
            outcome: Outcome::Investigate {
                instructions: "send a copy of the identity card".into(),
            },
            expected: Investigate,
            says: "invited to investigate",
        },
        Case {
            prefix: "DEMO-H500-",
            outcome: Outcome::Http500 { times: 2 },
            expected: Done,
            says: "fault: HTTP 500 twice",
        },
        Case {
            prefix: "DEMO-RSET-",
            outcome: Outcome::Reset,
            expected: Done,
            says: "fault: connection cut",
        },
        Case {
            prefix: "DEMO-MALF-",
            outcome: Outcome::MalformedAck,
            expected: Done,
            says: "fault: malformed acknowledgement",
        },
        Case {
            prefix: "DEMO-DUPL-",
            outcome: Outcome::DuplicateAck,
            expected: Done,
            says: "fault: acknowledgement twice",
        },
    ]
}

fn avs(n: u64) -> String {
    let first: Vec<u8> = format!("756{n:09}").bytes().map(|b| b - b'0').collect();
    format!("756{n:09}{}", check_digit(&first))
}

/// The shipped examples (every key group, dealt with at once) and one announcement per case.
fn announcements() -> Vec<(Value, &'static str, AnnouncementState)> {
    let examples: Value =
        serde_json::from_str(include_str!("../config/examples/announcements.json"))
            .expect("the shipped examples are JSON");
    let mut out: Vec<(Value, &'static str, AnnouncementState)> = examples["announcements"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| (a.clone(), "dealt with at once", AnnouncementState::Done))
        .collect();
    for (i, case) in cases().iter().enumerate() {
        let a = json!({"fund": "066.000", "reference": format!("{}1", case.prefix), "key": 63, "avs_number": avs(900 + i as u64)});
        out.push((a, case.says, case.expected));
    }
    out
}

/// Runs the demo; `Ok(true)` when every announcement reached its expected state.
pub async fn run(data_dir: &Path, listen: SocketAddr, serve: bool) -> Result<bool, DemoError> {
    install_crypto_provider();
    std::fs::create_dir_all(data_dir).map_err(setup("data directory"))?;
    let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).map_err(setup("certificates"))?;
    let paths = pki
        .write_to(&data_dir.join("pki"))
        .map_err(setup("certificates"))?;
    let clock = Arc::new(ManualClock::new(SystemClock.now()));

    let mut sim_config = SimConfig::from_pki(&pki);
    let rules = cases()
        .into_iter()
        .map(|c| Rule::reference_prefix(c.prefix, c.outcome))
        .collect();
    sim_config.scenarios = Scenarios::new(rules, Outcome::Done).map_err(setup("scenarios"))?;
    let sim = crate::sim::start(sim_config, clock.clone())
        .await
        .map_err(setup("ZAS simulator"))?;
    println!(
        "ZAS simulator   {} (mutual TLS, certificates in {})",
        sim.url(),
        paths.ca_cert.parent().unwrap_or(data_dir).display()
    );

    let database = data_dir.join("arcgw.db");
    let store = Store::connect(&format!("sqlite://{}", database.display())).await?;
    store.migrate().await?;
    let zas = ZasConfig {
        environment: Environment::Abn,
        sender_id: ParticipantId::new(TEST_CLIENT_ID).map_err(setup("sender id"))?,
        recipient_id: ParticipantId::new("T6-ZAS-1").map_err(setup("recipient id"))?,
        // One announcement per transmission, so that each fault meets one of them.
        batch_size: 1,
        max_attempts: 8,
        backoff_initial_ms: 50,
        backoff_max_secs: 1,
        send_interval_ms: 100,
        poll_interval_ms: 100,
        deadline_scan_interval_secs: 300,
        transport: crate::engine::TransportKind::Https,
        sedex: None,
        tls: Some(TransportConfig {
            endpoint: sim.url(),
            ca_cert: paths.ca_cert.clone(),
            client_cert: paths.client_cert.clone(),
            client_key: paths.client_key.clone(),
            connect_timeout_secs: 2,
            request_timeout_secs: 5,
        }),
    };
    let transport = HttpsTransport::new(zas.tls.as_ref().expect("an HTTPS configuration"))
        .map_err(setup("transport"))?;
    let engine = Engine {
        store: store.clone(),
        transport: Arc::new(transport),
        clock: clock.clone(),
        config: Arc::new(zas),
        calendar: Arc::new(ZasCalendar::geneva()),
    };
    let zas = engine.config.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let jobs = tokio::spawn(engine.run(stopped));

    let state = AppState::new(
        store.clone(),
        clock.clone(),
        ZasCalendar::geneva(),
        HttpConfig::default(),
    )
    .with_zas([zas]);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(setup("listen"))?;
    let base = format!("http://{}", listener.local_addr().map_err(setup("listen"))?);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    println!("gateway         {base} (SQLite {})", database.display());

    let funds = [
        FundNumber::parse("066.000").expect("a fund"),
        FundNumber::parse("066.001").expect("a fund"),
    ];
    // The simulator plays the ZAS's acceptance environment: the fund's token is an ABN one.
    let token = store
        .create_token_in(Environment::Abn, "demo", &funds, clock.now())
        .await?;
    let submitted = announcements();
    let body =
        json!({ "announcements": submitted.iter().map(|(a, _, _)| a.clone()).collect::<Vec<_>>() });
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/announcements"))
        .bearer_auth(token.secret.expose())
        .json(&body)
        .send()
        .await
        .map_err(setup("submitting"))?;
    let answer: Value = response.json().await.map_err(setup("submitting"))?;
    let ids: Vec<i64> = serde_json::from_value(answer["ids"].clone())
        .map_err(|_| DemoError::Setup(format!("submission refused: {answer}")))?;
    println!(
        "submitted       {} announcements through POST /api/v1/announcements\n",
        ids.len()
    );

    let expected: BTreeMap<i64, AnnouncementState> = ids
        .iter()
        .copied()
        .zip(submitted.iter().map(|(_, _, s)| *s))
        .collect();
    let started = Instant::now();
    let states = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        clock.advance(TimeDelta::days(1));
        let mut states = BTreeMap::new();
        for id in &ids {
            states.insert(*id, store.announcement(*id).await?.announcement.state);
        }
        if states == expected || started.elapsed() > PATIENCE {
            break states;
        }
    };

    println!(
        "{:<16} {:>3}  {:<20} {:<40} {:<12} {:<12}",
        "reference", "key", "key group", "ZAS simulator", "expected", "reached"
    );
    for ((a, says, want), id) in submitted.iter().zip(&ids) {
        let key = a["key"].as_i64().unwrap_or_default();
        let group = crate::domain::KeyCode::new(key)
            .map(|k| k.group().label())
            .unwrap_or_default();
        let got = states[id];
        let mark = if got == *want { "ok" } else { "MISSED" };
        println!(
            "{:<16} {:>3}  {:<20} {:<40} {:<12} {:<12} {mark}",
            a["reference"].as_str().unwrap_or(""),
            key,
            group,
            says,
            want.as_str(),
            got.as_str()
        );
    }
    let all = states == expected;
    println!(
        "\n{} of {} announcements reached their expected state; {} transmissions, {} acknowledgements, {} duplicate sendings recognised.",
        states.iter().filter(|(id, s)| expected[*id] == **s).count(),
        ids.len(),
        sim.transmissions_processed(),
        sim.acknowledgements_issued().len(),
        sim.duplicates().len()
    );

    if serve {
        let password = demo_account(&store, &funds, clock.now()).await?;
        println!(
            "\nserving until Ctrl-C: try GET {base}/api/v1/announcements/{} with the token\n{}",
            ids[0],
            token.secret.expose()
        );
        println!(
            "or sign in to the dashboard at {base}/login as `demo` with the temporary password\n{}\n(to be changed at the first login)",
            password.expose()
        );
        let _ = tokio::signal::ctrl_c().await;
    }
    let _ = stop.send(true);
    let _ = jobs.await;
    server.abort();
    store.close().await;
    Ok(all)
}

/// The responsible person of the demo's funds, for a person to look at the dashboard: its
/// temporary password.
async fn demo_account(
    store: &Store,
    funds: &[FundNumber],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Password, DemoError> {
    let manager = Manager::Operator {
        name: "demo".into(),
    };
    let accounts = Accounts {
        store,
        manager: &manager,
        at,
        remote: None,
        // The demo's operator is shown the password (a loopback demo with made-up data).
        delivery: crate::accounts::Delivery::ShowToOperator,
    };
    let made = accounts
        .create(NewAccount {
            login: Login::parse("demo").map_err(setup("demo account"))?,
            holder: Holder::parse("Demo", "Operator", "demo@fund.example", "")
                .map_err(setup("demo account"))?,
            role: Role::Responsible,
            funds: funds.to_vec(),
        })
        .await
        .map_err(setup("demo account"))?;
    Ok(made.password)
}

/// The data directory: the one given, or a new temporary one.
pub fn data_dir(given: Option<PathBuf>) -> Result<(PathBuf, Option<TempDir>), DemoError> {
    match given {
        Some(dir) => Ok((dir, None)),
        None => {
            let dir = TempDir::new()?;
            Ok((dir.path().to_path_buf(), Some(dir)))
        }
    }
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, DemoError> {
        let path =
            std::env::temp_dir().join(format!("arcgw-demo-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).map_err(setup("temporary directory"))?;
        Ok(TempDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
