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
use crate::app::{AppState, router};
use crate::calendar::ZasCalendar;
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::config::HttpConfig;
use crate::domain::acknowledgement::{Observation, RefusalCode};
use crate::domain::avs_number::check_digit;
use crate::domain::{
    AnnouncementState, Domicile, DomicileInstruction, FundNumber, Holder, Login, ParticipantId,
    Password, Role,
};
use crate::engine::{Engine, Environment, TransportKind, ZasConfig};
use crate::letters::{LettersConfig, mandate};
use crate::pki::{DEFAULT_SERVER_NAMES, TEST_CLIENT_ID, TestPki, install_crypto_provider};
use crate::sim::{
    InboxFault, Outcome, ReceiptFault, Rule, Scenarios, SimConfig, on_one_interface_directory,
};
use crate::store::{NewAccount, Store, TransmissionState};
use crate::transport::{SedexConfig, TransportConfig};

/// `n` and the noun in its number: "1 transmission", "2 transmissions".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

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
    expected: Reached,
    says: &'static str,
}

/// Where an announcement ends: its state and, while its transmission has not reached the ZAS,
/// what became of the transmission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reached {
    state: AnnouncementState,
    transmission: Option<Stuck>,
}

/// A transmission that did not reach the ZAS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stuck {
    /// Refused (a sedex receipt 2xx/3xx): failed, for an operator to resume.
    Failed,
    /// No receipt in time: flagged (and handed over again under the same message id).
    ReceiptOverdue,
}

impl Reached {
    const fn state(state: AnnouncementState) -> Reached {
        Reached {
            state,
            transmission: None,
        }
    }

    const fn stuck(state: AnnouncementState, transmission: Stuck) -> Reached {
        Reached {
            state,
            transmission: Some(transmission),
        }
    }

    /// Reads where announcement `id` stands.
    async fn of(store: &Store, id: i64) -> Result<Reached, DemoError> {
        let stored = store.announcement(id).await?.announcement;
        let transmission = match stored.transmission_id {
            Some(t) if stored.state == AnnouncementState::Sending => {
                let (record, _) = store.transmission(t).await?;
                if record.state == TransmissionState::Failed {
                    Some(Stuck::Failed)
                } else if record.receipt_overdue_at.is_some() {
                    Some(Stuck::ReceiptOverdue)
                } else {
                    None
                }
            }
            _ => None,
        };
        Ok(Reached {
            state: stored.state,
            transmission,
        })
    }

    fn label(&self) -> String {
        match self.transmission {
            None => self.state.as_str().to_string(),
            Some(Stuck::Failed) => format!("{}, failed", self.state.as_str()),
            Some(Stuck::ReceiptOverdue) => format!("{}, overdue", self.state.as_str()),
        }
    }
}

/// The outcomes of the demo: those of the ZAS on either transport, then the faults of the one
/// it runs over.
fn cases(transport: TransportKind) -> Vec<Case> {
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
            expected: Reached::state(InProgress),
            says: "still being processed",
        },
        Case {
            prefix: "DEMO-LATE-",
            outcome: Outcome::InProgressThenDone {
                after_working_days: 3,
            },
            expected: Reached::state(Done),
            says: "in progress, done 3 working days later",
        },
        Case {
            prefix: "DEMO-REFU-",
            outcome: refused,
            expected: Reached::state(Rejected),
            says: "refused, code 3",
        },
        Case {
            prefix: "DEMO-NEVR-",
            outcome: Outcome::Never,
            expected: Reached::state(Announced),
            says: "never acknowledged",
        },
        Case {
            prefix: "DEMO-INVE-",
            outcome: Outcome::Investigate {
                instructions: "send a copy of the identity card".into(),
            },
            expected: Reached::state(Investigate),
            says: "invited to investigate",
        },
        Case {
            prefix: "DEMO-MALF-",
            outcome: Outcome::MalformedAck,
            expected: Reached::state(Done),
            says: "fault: malformed acknowledgement",
        },
        Case {
            prefix: "DEMO-DUPL-",
            outcome: Outcome::DuplicateAck,
            expected: Reached::state(Done),
            says: "fault: acknowledgement twice",
        },
        Case {
            prefix: CLOSING_ORDER_PREFIX,
            outcome: Outcome::ClosingOrder {
                domicile: DomicileInstruction::new(Domicile::InSwitzerland {
                    from: date(1990, 1, 1),
                    to: date(2026, 12, 31),
                })
                .expect("a period in order"),
                ordering_fund: Some(FundNumber::parse("001.000").expect("a fund")),
            },
            expected: Reached::state(Done),
            says: "done, then a closing order (N. 2707)",
        },
    ]
    .into_iter()
    .chain(transport_faults(transport))
    .collect()
}

/// The announcement whose person's CI the simulated ZAS then orders closed (N. 2707).
const CLOSING_ORDER_PREFIX: &str = "DEMO-CLOS-";

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// The faults of one transport. Over sedex a refused or missing receipt leaves the
/// announcement `sending`: its transmission is failed (an operator resumes it) or flagged.
fn transport_faults(transport: TransportKind) -> Vec<Case> {
    use AnnouncementState::*;
    let case = |prefix, outcome, expected: AnnouncementState, says| Case {
        prefix,
        outcome,
        expected: Reached::state(expected),
        says,
    };
    let stuck = |prefix, outcome, transmission, says| Case {
        prefix,
        outcome,
        expected: Reached::stuck(Sending, transmission),
        says,
    };
    match transport {
        TransportKind::Https => vec![
            case(
                "DEMO-H500-",
                Outcome::Http500 { times: 2 },
                Done,
                "fault: HTTP 500 twice",
            ),
            case("DEMO-RSET-", Outcome::Reset, Done, "fault: connection cut"),
        ],
        TransportKind::Sedex => vec![
            case(
                "DEMO-R401-",
                Outcome::Receipt(ReceiptFault::Unreachable { times: 1 }),
                Done,
                "receipt 401, then 100 on resend",
            ),
            case(
                "DEMO-R601-",
                Outcome::Receipt(ReceiptFault::SentThenReceived),
                Done,
                "receipt 601, then 100",
            ),
            stuck(
                "DEMO-R310-",
                Outcome::Receipt(ReceiptFault::Refused { status: 310 }),
                Stuck::Failed,
                "receipt 310 not allowed: failed",
            ),
            stuck(
                "DEMO-R330-",
                Outcome::Receipt(ReceiptFault::Refused { status: 330 }),
                Stuck::Failed,
                "receipt 330 too large: failed",
            ),
            stuck(
                "DEMO-R204-",
                Outcome::Receipt(ReceiptFault::Refused { status: 204 }),
                Stuck::Failed,
                "receipt 204 expired: failed",
            ),
            stuck(
                "DEMO-NORC-",
                Outcome::Receipt(ReceiptFault::Never),
                Stuck::ReceiptOverdue,
                "no receipt: flagged overdue",
            ),
            case(
                "DEMO-FRGN-",
                Outcome::Inbox(InboxFault::ForeignSender),
                Done,
                "inbox: foreign sender first",
            ),
            case(
                "DEMO-UTYP-",
                Outcome::Inbox(InboxFault::UnknownType),
                Done,
                "inbox: unknown message type first",
            ),
            case(
                "DEMO-NOEN-",
                Outcome::Inbox(InboxFault::WithoutEnvelope),
                Done,
                "inbox: payload without envelope first",
            ),
            case(
                "DEMO-BENV-",
                Outcome::Inbox(InboxFault::MalformedEnvelope),
                Done,
                "inbox: malformed envelope first",
            ),
        ],
    }
}

fn avs(n: u64) -> String {
    let first: Vec<u8> = format!("756{n:09}").bytes().map(|b| b - b'0').collect();
    format!("756{n:09}{}", check_digit(&first))
}

/// The shipped examples (every key group, dealt with at once) and one announcement per case.
fn announcements(transport: TransportKind) -> Vec<(Value, &'static str, Reached)> {
    let examples: Value =
        serde_json::from_str(include_str!("../config/examples/announcements.json"))
            .expect("the shipped examples are JSON");
    let mut out: Vec<(Value, &'static str, Reached)> = examples["announcements"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| {
            let done = Reached::state(AnnouncementState::Done);
            (a.clone(), "dealt with at once", done)
        })
        .collect();
    for (i, case) in cases(transport).iter().enumerate() {
        let a = json!({"fund": "066.000", "reference": format!("{}1", case.prefix), "key": 63, "avs_number": avs(900 + i as u64)});
        out.push((a, case.says, case.expected));
    }
    out
}

/// Runs the demo over `transport`; `Ok(true)` when every announcement reached its expected
/// state.
pub async fn run(
    data_dir: &Path,
    listen: SocketAddr,
    serve: bool,
    transport: TransportKind,
) -> Result<bool, DemoError> {
    install_crypto_provider();
    std::fs::create_dir_all(data_dir).map_err(setup("data directory"))?;
    let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).map_err(setup("certificates"))?;
    let paths = pki
        .write_to(&data_dir.join("pki"))
        .map_err(setup("certificates"))?;
    let clock = Arc::new(ManualClock::new(SystemClock.now()));

    let mut sim_config = SimConfig::from_pki(&pki);
    let rules = cases(transport)
        .into_iter()
        .map(|c| Rule::reference_prefix(c.prefix, c.outcome))
        .collect();
    sim_config.scenarios = Scenarios::new(rules, Outcome::Done).map_err(setup("scenarios"))?;
    // Over sedex the simulator plays the fund's sedex client and the ZAS on one interface
    // directory; arcgw's own folders (done, processed, rejected) are below it.
    let interface_dir = data_dir.join("sedex");
    let sedex = match transport {
        TransportKind::Sedex => {
            let (sim_sedex, fund_sedex) =
                on_one_interface_directory(&interface_dir, Duration::from_millis(50))
                    .map_err(setup("sedex folders"))?;
            sim_config.sedex = Some(sim_sedex);
            Some(SedexConfig {
                // The faults' lone files are put away at once, and a missing receipt is
                // flagged within the demo's patience.
                inbox_grace_secs: 1,
                receipt_timeout_secs: 5,
                ..fund_sedex
            })
        }
        TransportKind::Https => None,
    };
    let sim = crate::sim::start(sim_config, clock.clone())
        .await
        .map_err(setup("ZAS simulator"))?;
    match transport {
        TransportKind::Sedex => println!(
            "ZAS simulator   sedex client and ZAS on the interface directory {}",
            interface_dir.display()
        ),
        TransportKind::Https => println!(
            "ZAS simulator   {} (mutual TLS, certificates in {})",
            sim.url(),
            paths.ca_cert.parent().unwrap_or(data_dir).display()
        ),
    }

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
        transport,
        sedex,
        tls: (transport == TransportKind::Https).then(|| TransportConfig {
            endpoint: sim.url(),
            ca_cert: paths.ca_cert.clone(),
            client_cert: paths.client_cert.clone(),
            client_key: paths.client_key.clone(),
            connect_timeout_secs: 2,
            request_timeout_secs: 5,
        }),
    };
    // As `serve` does; over HTTPS with the client certificate's expiry for the metric
    // `arcgw_client_certificate_expiry_seconds` and the connection page (over sedex the
    // certificate is the sedex client's).
    let (connection, certificate_expires) =
        crate::serve::connect_transport(&zas, clock.now()).map_err(setup("transport"))?;
    let engine = Engine {
        store: store.clone(),
        transport: connection,
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
    let state = match certificate_expires {
        Some(at) => state.with_certificate_expiry(Environment::Abn, at),
        None => state,
    };
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
    let submitted = announcements(transport);
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

    let expected: BTreeMap<i64, Reached> = ids
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
            states.insert(*id, Reached::of(&store, *id).await?);
        }
        // The closing order follows its announcement's acknowledgement.
        let ordered = !closing_orders(&store, &funds).await?.is_empty();
        if (states == expected && ordered) || started.elapsed() > PATIENCE {
            break states;
        }
    };

    println!(
        "{:<16} {:>3}  {:<20} {:<40} {:<20} {:<20}",
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
            "{:<16} {:>3}  {:<20} {:<40} {:<20} {:<20} {mark}",
            a["reference"].as_str().unwrap_or(""),
            key,
            group,
            says,
            want.label(),
            got.label()
        );
    }
    let all = states == expected;
    println!(
        "\n{} of {} reached their expected state; {}, {}, {} recognised.",
        states.iter().filter(|(id, s)| expected[*id] == **s).count(),
        counted(ids.len(), "announcement", "announcements"),
        counted(
            sim.transmissions_processed(),
            "transmission",
            "transmissions"
        ),
        counted(
            sim.acknowledgements_issued().len(),
            "acknowledgement",
            "acknowledgements"
        ),
        counted(
            sim.duplicates().len(),
            "duplicate sending",
            "duplicate sendings"
        ),
    );

    for order in closing_orders(&store, &funds).await? {
        println!(
            "closing order   {}: fund {} transmits the CI (RCI key {}) to fund {} by {}\n\
             {:16}received {}; N. 2713: ten calendar days; domicile code {} (N. 2712): {}",
            order.id,
            order.fund,
            order.key.code(),
            order.ordering_fund,
            order.due_on,
            "",
            order
                .received_at
                .with_timezone(&chrono_tz::Europe::Zurich)
                .date_naive(),
            order.domicile.code(),
            mandate(
                order.domicile,
                LettersConfig::default().language_of(order.fund)
            )
        );
    }

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

/// The closing orders the simulated ZAS sent the demo's funds (ABN: the demo's environment).
async fn closing_orders(
    store: &Store,
    funds: &[FundNumber],
) -> Result<Vec<crate::store::StoredClosingOrder>, DemoError> {
    Ok(store
        .fund_feed::<crate::store::StoredClosingOrder>(Environment::Abn, funds, None, 100)
        .await?
        .items)
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
