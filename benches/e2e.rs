//! The end-to-end benchmark: announcements from submission to `done` through the ZAS simulator.
//!
//! Everything runs in this process on one tokio runtime with two workers, as `arcgw demo` wires
//! it: the ZAS simulator (every announcement dealt with at once, `done`) over mutual TLS on
//! loopback, a fresh SQLite file (and a fresh PostgreSQL schema when `ARCGW_TEST_PG_URL` is
//! set, dropped at the end), the HTTP API on loopback and the engine with short intervals.
//! Four clients post N key-61 announcements, 1000 per request, while the engine runs; the
//! counts of the states before `done` are read every 100 ms until none is left.
//!
//! Measured per run: submission time (first request sent to last answer), drain time (last
//! answer to the last announcement `done`), end-to-end throughput N / (submit + drain), and the
//! peak resident memory of the whole process (VmHWM: gateway, simulator, clients and the
//! prepared request bodies).
//!
//! Run with `cargo bench --bench e2e`. Environment:
//! - `ARCGW_BENCH_N`: announcements per run (default 100 000, whole requests of 1000);
//! - `ARCGW_BENCH_BATCHES`: the engine's batch sizes to run, comma-separated (default
//!   `1000,5000`);
//! - `ARCGW_BENCH_DATABASES`: `sqlite`, `postgres` or both (default `sqlite,postgres`;
//!   PostgreSQL only with `ARCGW_TEST_PG_URL`);
//! - `ARCGW_BENCH_TRANSPORTS`: `https`, `sedex` or both (default `https`): over sedex the
//!   simulator plays the sedex client and the ZAS on an interface directory in a temporary
//!   folder (payload ZIP + envelope per transmission, receipts, inbox messages);
//! - `ARCGW_BENCH_FLOOR`: fail (exit 1) when a run is slower than this many announcements
//!   per second end to end (CI runs 20 000 on both back ends with a floor of 1 500/s);
//! - `ARCGW_BENCH_PHASES=1`: also time the engine's steps one after the other on an
//!   already-submitted queue (claim and store, XML write, lease, send, record, fetch, XML read,
//!   take in), to see where the time goes; `only`: just that;
//! - `RUST_LOG`: log as `arcgw serve` does, on standard error (`RUST_LOG=sqlx::query=debug`
//!   gives every statement with its time).
//!
//! The table is printed and written to `target/bench-e2e.md`.

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{BenchSchema, load_average};

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::{Clock, SystemClock};
use arcgw::config::HttpConfig;
use arcgw::digest::sha256_hex;
use arcgw::domain::avs_number::check_digit;
use arcgw::domain::{AnnouncementState, FundNumber, ParticipantId};
use arcgw::dtxml::{ReadLimits, read_acknowledgement};
use arcgw::engine::{Engine, Environment, TransportKind, ZasConfig};
use arcgw::pki::{DEFAULT_SERVER_NAMES, TEST_CLIENT_ID, TestPki, install_crypto_provider};
use arcgw::sim::{
    Outcome, Scenarios, SimConfig, SimHandle, TRANSMITTED, on_one_interface_directory,
};
use arcgw::store::{Attempt, AttemptOutcome, ChangeNote, NextStep, Store, StoredAnnouncement};
use arcgw::transport::TransportConfig;
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The environment variable naming the PostgreSQL server (as for the tests).
const PG_URL: &str = "ARCGW_TEST_PG_URL";
const N_VAR: &str = "ARCGW_BENCH_N";
const BATCHES_VAR: &str = "ARCGW_BENCH_BATCHES";
const PHASES_VAR: &str = "ARCGW_BENCH_PHASES";
const DATABASES_VAR: &str = "ARCGW_BENCH_DATABASES";
const FLOOR_VAR: &str = "ARCGW_BENCH_FLOOR";
const TRANSPORTS_VAR: &str = "ARCGW_BENCH_TRANSPORTS";
const DEFAULT_N: usize = 100_000;
const DEFAULT_BATCHES: [u32; 2] = [1000, 5000];
/// Announcements per request, and clients posting at once.
const PER_REQUEST: usize = 1000;
const CLIENTS: usize = 4;
/// The engine's send and poll intervals.
const ENGINE_TICK_MS: u64 = 20;
/// How often the store's counts are read while draining.
const POLL: Duration = Duration::from_millis(100);
/// A run fails when no announcement becomes `done` for this long.
const STALL: Duration = Duration::from_secs(120);
/// How often progress is printed while draining.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);
/// The longest a client waits for one answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(300);
const FUND: &str = "066.000";
/// Acknowledgements fetched per request, as the engine does.
const FEED_PAGE: u32 = 100;

fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run_all());
}

async fn run_all() {
    install_crypto_provider();
    let n = announcements_per_run();
    let batches = batch_sizes();
    let phases = std::env::var(PHASES_VAR).unwrap_or_default();
    let (concurrent, phases) = (phases != "only", phases == "1" || phases == "only");
    let postgres = std::env::var(PG_URL).ok();
    let databases = databases(postgres.as_deref());
    let mut runs = Vec::new();
    let mut phase_runs = Vec::new();
    let transports = transports();
    for database in &databases {
        for &batch in &batches {
            let label = database.label();
            for &transport in &transports {
                if concurrent {
                    let run = |store| measure(store, label, n, batch, transport);
                    let mut measured = on_fresh_store(database, run).await;
                    // A run below the floor is measured once more: a burst of load from
                    // elsewhere on the machine does not fail CI, a regression fails both.
                    if floor().is_some_and(|floor| measured.per_second() < floor) {
                        println!(
                            "  below the floor at {:.0}/s (load {:.2}): measured once more",
                            measured.per_second(),
                            load_average().unwrap_or(f64::NAN)
                        );
                        let again = on_fresh_store(database, run).await;
                        if again.per_second() > measured.per_second() {
                            measured = again;
                        }
                    }
                    runs.push(measured);
                }
            }
            if phases {
                let run = |store| phases_of(store, label, n, batch);
                phase_runs.push(on_fresh_store(database, run).await);
            }
        }
    }
    let on_postgres = databases.iter().any(|d| matches!(d, Database::Postgres(_)));
    let report = render(&runs, &phase_runs, on_postgres);
    println!("\n{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-e2e.md");
    std::fs::write(&path, &report).expect("write target/bench-e2e.md");
    println!("(also written to {})", path.display());
    check_floor(&runs);
}

/// `ARCGW_BENCH_TRANSPORTS`: the transports to run over (default HTTPS).
fn transports() -> Vec<TransportKind> {
    let text = std::env::var(TRANSPORTS_VAR).unwrap_or_else(|_| "https".into());
    text.split(',')
        .map(|t| match t.trim() {
            "https" => TransportKind::Https,
            "sedex" => TransportKind::Sedex,
            other => panic!("{TRANSPORTS_VAR} lists https or sedex, not {other:?}"),
        })
        .collect()
}

fn transport_label(transport: TransportKind) -> &'static str {
    match transport {
        TransportKind::Https => "HTTPS",
        TransportKind::Sedex => "sedex",
    }
}

/// SQLite, and PostgreSQL when its URL is given; `ARCGW_BENCH_DATABASES` may name just one.
fn databases(postgres: Option<&str>) -> Vec<Database> {
    let chosen = std::env::var(DATABASES_VAR).unwrap_or_else(|_| "sqlite,postgres".into());
    let chosen: Vec<&str> = chosen.split(',').map(str::trim).collect();
    let mut databases = Vec::new();
    if chosen.contains(&"sqlite") {
        databases.push(Database::Sqlite);
    }
    if chosen.contains(&"postgres") {
        match postgres {
            Some(url) => databases.push(Database::Postgres(url.to_string())),
            None => println!("PostgreSQL skipped: {PG_URL} is not set"),
        }
    }
    assert!(
        !databases.is_empty(),
        "{DATABASES_VAR}: sqlite, postgres or both"
    );
    databases
}

fn announcements_per_run() -> usize {
    let n = match std::env::var(N_VAR) {
        Ok(text) => text
            .trim()
            .parse()
            .expect("ARCGW_BENCH_N is a whole number"),
        Err(_) => DEFAULT_N,
    };
    assert!(n >= PER_REQUEST, "ARCGW_BENCH_N is at least {PER_REQUEST}");
    n / PER_REQUEST * PER_REQUEST
}

fn batch_sizes() -> Vec<u32> {
    let Ok(text) = std::env::var(BATCHES_VAR) else {
        return DEFAULT_BATCHES.to_vec();
    };
    let sizes: Vec<u32> = text
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("ARCGW_BENCH_BATCHES lists whole numbers")
        })
        .collect();
    assert!(
        !sizes.is_empty() && sizes.iter().all(|&s| s > 0),
        "ARCGW_BENCH_BATCHES lists sizes above 0"
    );
    sizes
}

// ---------------------------------------------------------------------------------------------
// The databases

#[derive(Clone)]
enum Database {
    Sqlite,
    Postgres(String),
}

impl Database {
    fn label(&self) -> &'static str {
        match self {
            Database::Sqlite => "SQLite",
            Database::Postgres(_) => "PostgreSQL",
        }
    }
}

/// Runs `run` on a freshly migrated store of `database`, then removes the database (the
/// PostgreSQL schema also when the run fails).
async fn on_fresh_store<F, Fut, T>(database: &Database, run: F) -> T
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    match database {
        Database::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let options = SqliteConnectOptions::new().filename(dir.path().join("arcgw.sqlite"));
            let store = Store::connect_sqlite(options)
                .await
                .expect("open the SQLite file");
            store.migrate().await.expect("migrate SQLite");
            let outcome = run(store.clone()).await;
            store.close().await;
            outcome
        }
        Database::Postgres(url) => {
            let (schema, store) = BenchSchema::create(url).await;
            let outcome = tokio::spawn(run(store.clone())).await;
            store.close().await;
            schema.drop_all().await;
            match outcome {
                Ok(outcome) => outcome,
                Err(failure) => std::panic::resume_unwind(failure.into_panic()),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The gateway: simulator, engine, API

/// Everything of one run; the API server stops when dropped, the simulator too.
struct Rig {
    store: Store,
    engine: Engine,
    sim: SimHandle,
    url: String,
    token: String,
    api: JoinHandle<()>,
    _pki: tempfile::TempDir,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.api.abort();
    }
}

async fn start(store: Store, batch: u32, transport: TransportKind) -> Rig {
    let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).expect("test certificates");
    let pki_dir = tempfile::tempdir().expect("a temporary directory");
    let paths = pki
        .write_to(pki_dir.path())
        .expect("write the certificates");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut sim_config = SimConfig::from_pki(&pki);
    sim_config.scenarios = Scenarios::new(Vec::new(), Outcome::Done).expect("the scenarios");
    let interface_dir = pki_dir.path().join("sedex");
    let sedex = (transport == TransportKind::Sedex).then(|| {
        let (sim_sedex, fund_sedex) =
            on_one_interface_directory(&interface_dir, Duration::from_millis(ENGINE_TICK_MS))
                .expect("the sedex folders");
        sim_config.sedex = Some(sim_sedex);
        fund_sedex
    });
    let sim = arcgw::sim::start(sim_config, clock.clone())
        .await
        .expect("start the ZAS simulator");
    let zas = ZasConfig {
        environment: Environment::Prod,
        sender_id: ParticipantId::new(TEST_CLIENT_ID).expect("a participant id"),
        recipient_id: ParticipantId::new("T6-ZAS-1").expect("a participant id"),
        batch_size: batch,
        max_attempts: 8,
        backoff_initial_ms: 50,
        backoff_max_secs: 1,
        send_interval_ms: ENGINE_TICK_MS,
        poll_interval_ms: ENGINE_TICK_MS,
        deadline_scan_interval_secs: 300,
        transport,
        sedex,
        tls: Some(TransportConfig {
            endpoint: sim.url(),
            ca_cert: paths.ca_cert.clone(),
            client_cert: paths.client_cert.clone(),
            client_key: paths.client_key.clone(),
            connect_timeout_secs: 2,
            request_timeout_secs: 60,
        }),
    };
    let (transport, _) =
        arcgw::serve::connect_transport(&zas, clock.now()).expect("the transport to the ZAS");
    let engine = Engine {
        store: store.clone(),
        transport,
        clock: clock.clone(),
        config: Arc::new(zas),
        calendar: Arc::new(ZasCalendar::geneva()),
    };
    let fund = FundNumber::parse(FUND).expect("a fund number");
    let token = store
        .create_token("e2e benchmark", &[fund], clock.now())
        .await
        .expect("create a token");
    let (url, api) = serve_api(store.clone(), clock).await;
    Rig {
        store,
        engine,
        sim,
        url,
        token: token.secret.expose().to_string(),
        api,
        _pki: pki_dir,
    }
}

/// The HTTP API on a loopback port, without rate limit.
async fn serve_api(store: Store, clock: Arc<dyn Clock>) -> (String, JoinHandle<()>) {
    let http = HttpConfig {
        rate_limit_per_minute: u32::MAX,
        request_timeout_secs: CLIENT_TIMEOUT.as_secs(),
        ..HttpConfig::default()
    };
    let state = AppState::new(store, clock, ZasCalendar::geneva(), http);
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("the bound address");
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the API serves");
    });
    (format!("http://{address}/api/v1/announcements"), task)
}

// ---------------------------------------------------------------------------------------------
// One run, the engine running while the clients post

struct Measured {
    database: &'static str,
    transport: &'static str,
    n: usize,
    batch: u32,
    submit: Duration,
    drain: Duration,
    /// VmHWM over the run, in KiB.
    peak_kib: Option<u64>,
    /// This process's CPU time (user + system, every thread) over the run.
    cpu: Option<Duration>,
    /// The one-minute load average when the run started.
    load: Option<f64>,
    transmissions: usize,
}

impl Measured {
    fn total(&self) -> Duration {
        self.submit + self.drain
    }

    fn per_second(&self) -> f64 {
        self.n as f64 / self.total().as_secs_f64()
    }
}

async fn measure(
    store: Store,
    database: &'static str,
    n: usize,
    batch: u32,
    transport: TransportKind,
) -> Measured {
    let over = transport_label(transport);
    println!(
        "{database} over {over}: {n} announcements, engine batch {batch}, {CLIENTS} clients …"
    );
    let rig = start(store, batch, transport).await;
    let bodies = request_bodies(n);
    let (stop, stopped) = watch::channel(false);
    let engine = tokio::spawn(rig.engine.clone().run(stopped));
    let load = load_average();
    reset_peak_memory();
    let cpu_before = cpu_time();
    let started = Instant::now();
    submit_all(&rig, bodies).await;
    let submit = started.elapsed();
    println!("  submitted in {:.1} s", submit.as_secs_f64());
    wait_until_done(&rig.store, n, started).await;
    let total = started.elapsed();
    let peak_kib = peak_memory_kib();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    assert_all_done(&rig.store, n).await;
    let _ = stop.send(true);
    engine.await.expect("the engine stops");
    let measured = Measured {
        database,
        transport: over,
        n,
        batch,
        submit,
        drain: total - submit,
        peak_kib,
        cpu,
        load,
        transmissions: rig.sim.transmissions_processed(),
    };
    println!(
        "  all done after {:.1} s: {:.0} announcements/s end to end, {} transmissions",
        total.as_secs_f64(),
        measured.per_second(),
        measured.transmissions
    );
    measured
}

/// Posts every body with [`CLIENTS`] clients at once; returns when all are answered.
async fn submit_all(rig: &Rig, bodies: Vec<Vec<u8>>) {
    let mut shares: Vec<Vec<Vec<u8>>> = vec![Vec::new(); CLIENTS];
    for (i, body) in bodies.into_iter().enumerate() {
        shares[i % CLIENTS].push(body);
    }
    let clients: Vec<_> = shares
        .into_iter()
        .map(|share| tokio::spawn(client(rig.url.clone(), rig.token.clone(), share)))
        .collect();
    for client in clients {
        client.await.expect("a client finished");
    }
}

/// One client: posts its bodies one after the other; each must be accepted whole.
async fn client(url: String, token: String, bodies: Vec<Vec<u8>>) {
    let http = reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .build()
        .expect("an HTTP client");
    for body in bodies {
        let response = http
            .post(&url)
            .bearer_auth(&token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("the API answers");
        let status = response.status();
        let answer: Value = response.json().await.expect("a JSON answer");
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
        assert_eq!(answer["created"], PER_REQUEST, "every announcement is new");
    }
}

/// Reads the counts of the states before `done` every [`POLL`] until none is left of the `n`
/// announcements submitted; fails when the counts do not change for [`STALL`]. The poll reads
/// only those states' ranges of the state index: counting every announcement (the whole index)
/// took about 8 ms at 50 000 on a core the gateway needs, ten times a second.
async fn wait_until_done(store: &Store, n: usize, started: Instant) {
    let before_done: Vec<AnnouncementState> = AnnouncementState::ALL
        .into_iter()
        .filter(|s| *s != AnnouncementState::Done)
        .collect();
    let mut last_counts = BTreeMap::new();
    let mut last_change = Instant::now();
    let mut last_print = Instant::now();
    loop {
        let mut counts = store.counts_in(&before_done).await.expect("the counts");
        let not_done: i64 = counts.values().sum();
        if not_done == 0 {
            return;
        }
        counts.insert(AnnouncementState::Done, n as i64 - not_done);
        if counts != last_counts {
            last_counts = counts.clone();
            last_change = Instant::now();
        }
        assert!(
            last_change.elapsed() < STALL,
            "no progress for {} s: {}",
            STALL.as_secs(),
            describe(&counts)
        );
        if last_print.elapsed() >= PROGRESS_EVERY {
            last_print = Instant::now();
            println!(
                "  {:>6.1} s: {}",
                started.elapsed().as_secs_f64(),
                describe(&counts)
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Fails unless all `n` announcements, and no others, are `done`.
async fn assert_all_done(store: &Store, n: usize) {
    let counts = store.counts_by_state().await.expect("the counts");
    let total: i64 = counts.values().sum();
    assert!(
        counts[&AnnouncementState::Done] == n as i64 && total == n as i64,
        "{}",
        describe(&counts)
    );
}

fn describe(counts: &BTreeMap<AnnouncementState, i64>) -> String {
    counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(state, n)| format!("{} {n}", state.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Phases: the engine's work step by step, on a queue submitted beforehand

/// The timed steps, in the order they happen. They mirror `Engine::build_and_send`
/// (src/engine/build.rs: each transmission sent first with the XML it was built with),
/// `Engine::send_due` (src/engine/send.rs) and `Engine::take_in_acknowledgements`
/// (src/engine/intake.rs), one after the other, so that each is timed alone; keep them in step
/// with those.
#[derive(Clone, Copy)]
enum Span {
    Claim,
    WriteXml,
    Lease,
    Send,
    RecordAttempt,
    FetchFeed,
    ReadAck,
    TakeIn,
}

impl Span {
    const ALL: [Span; 8] = [
        Span::Claim,
        Span::WriteXml,
        Span::Lease,
        Span::Send,
        Span::RecordAttempt,
        Span::FetchFeed,
        Span::ReadAck,
        Span::TakeIn,
    ];

    fn label(self) -> &'static str {
        match self {
            Span::Claim => "build: `Store::claim_into_transmission` but the XML",
            Span::WriteXml => {
                "build: `write_transmission` + SHA-256 (SQLite: before the claim's transaction; PostgreSQL: in it)"
            }
            Span::Lease => "send: `Store::lease_due_transmission`",
            Span::Send => "send: `HttpsTransport::send` (TLS + simulator)",
            Span::RecordAttempt => "send: `Store::record_attempt` (→ announced)",
            Span::FetchFeed => "take in: `feed_cursor` + `HttpsTransport::fetch`",
            Span::ReadAck => "take in: `read_acknowledgement`",
            Span::TakeIn => "take in: `Store::take_in_acknowledgement` (→ done)",
        }
    }
}

/// Time spent in each [`Span`].
#[derive(Default)]
struct Spans([Duration; Span::ALL.len()]);

impl Spans {
    async fn time<T>(&mut self, span: Span, work: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = work.await;
        self.0[span as usize] += started.elapsed();
        out
    }

    fn time_sync<T>(&mut self, span: Span, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = work();
        self.0[span as usize] += started.elapsed();
        out
    }

    fn total(&self) -> Duration {
        self.0.iter().sum()
    }
}

struct Phases {
    database: &'static str,
    n: usize,
    batch: u32,
    spans: Spans,
}

async fn phases_of(store: Store, database: &'static str, n: usize, batch: u32) -> Phases {
    println!("{database} phases: {n} announcements, engine batch {batch} …");
    let rig = start(store, batch, TransportKind::Https).await;
    submit_all(&rig, request_bodies(n)).await;
    let mut spans = Spans::default();
    let built = build_step_by_step(&rig.engine, &mut spans).await;
    let transmissions = built.len();
    let sent = send_step_by_step(&rig.engine, &mut spans, built).await;
    let taken = take_in_step_by_step(&rig.engine, &mut spans).await;
    assert_eq!(sent, transmissions, "every transmission sent");
    assert_eq!(taken, transmissions, "one acknowledgement each");
    assert_all_done(&rig.store, n).await;
    println!("  {:.1} s in all", spans.total().as_secs_f64());
    Phases {
        database,
        n,
        batch,
        spans,
    }
}

/// As `Engine::build_all`: claims, writes and stores transmissions until the queue is empty;
/// the XML of each by its id, as `Engine::build_and_send` hands it to the sender.
async fn build_step_by_step(engine: &Engine, spans: &mut Spans) -> BTreeMap<i64, String> {
    let store = &engine.store;
    let mut built = BTreeMap::new();
    loop {
        let note = ChangeNote::new(
            engine.clock.now(),
            "engine:builder",
            "taken into a transmission",
        );
        let mut writing = Duration::ZERO;
        let write = |claimed: Vec<StoredAnnouncement>| {
            let started = Instant::now();
            let made = engine.write_transmission_of(claimed);
            writing = started.elapsed();
            made
        };
        let claim = store.claim_into_transmission(
            engine.config.environment,
            engine.config.batch_size,
            &note,
            write,
        );
        let stored = spans.time(Span::Claim, claim).await.expect("claim");
        spans.0[Span::Claim as usize] -= writing;
        spans.0[Span::WriteXml as usize] += writing;
        let Some(stored) = stored else {
            return built;
        };
        built.insert(stored.id, stored.made.made);
    }
}

/// As `Engine::send_due` when every sending succeeds, each transmission sent with the XML it
/// was built with (`built`).
async fn send_step_by_step(
    engine: &Engine,
    spans: &mut Spans,
    mut built: BTreeMap<i64, String>,
) -> usize {
    let store = &engine.store;
    let mut sent = 0;
    loop {
        let lease = store.lease_due_transmission(
            engine.config.environment,
            engine.clock.now(),
            TimeDelta::seconds(60),
        );
        let Some(record) = spans.time(Span::Lease, lease).await.expect("lease") else {
            return sent;
        };
        let message_id = record.header.message_id.clone();
        let xml = built.remove(&record.id).expect("built by this run");
        let send = engine.transport.send(&message_id, &xml);
        let receipt = match spans.time(Span::Send, send).await.expect("send") {
            arcgw::transport::Sending::Answered(receipt) => receipt,
            other => panic!("the HTTPS transport answers with a receipt, not {other:?}"),
        };
        assert_eq!(receipt.status, TRANSMITTED, "{}", receipt.description);
        let attempt = Attempt {
            outcome: AttemptOutcome::Transmitted,
            receipt_code: Some(i64::from(receipt.status)),
            detail: format!("receipt {} {}", receipt.status, receipt.description),
        };
        let note = ChangeNote::new(engine.clock.now(), "engine:sender", "transmitted");
        let record_attempt = store.record_attempt(record.id, &attempt, &NextStep::Sent, &note);
        spans
            .time(Span::RecordAttempt, record_attempt)
            .await
            .expect("record");
        sent += 1;
    }
}

/// As `Engine::take_in_acknowledgements` when every acknowledgement is readable.
async fn take_in_step_by_step(engine: &Engine, spans: &mut Spans) -> usize {
    let store = &engine.store;
    let environment = engine.config.environment;
    let cursor = format!("acknowledgements:{environment}");
    let limits = ReadLimits::default();
    let mut taken = 0;
    loop {
        let fetch = async {
            let after = store.feed_cursor(&cursor).await.expect("the cursor");
            let feed = engine
                .transport
                .fetch(after, FEED_PAGE)
                .await
                .expect("the feed");
            (after, feed)
        };
        let (after, feed) = spans.time(Span::FetchFeed, fetch).await;
        let items: Vec<_> = feed
            .acknowledgements
            .into_iter()
            .filter(|i| i.sequence > after)
            .collect();
        if items.is_empty() {
            return taken;
        }
        for item in items {
            let sha = sha256_hex(item.xml.as_bytes());
            let read = || read_acknowledgement(item.xml.as_bytes(), &limits).expect("readable");
            let ack = spans.time_sync(Span::ReadAck, read);
            let note = ChangeNote::new(engine.clock.now(), "engine:acknowledgements", "taken in");
            let take_in = store.take_in_acknowledgement(
                environment,
                &cursor,
                item.sequence,
                &ack,
                &sha,
                &note,
            );
            spans.time(Span::TakeIn, take_in).await.expect("take in");
            taken += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The announcements

/// `n` key-61 announcements with distinct references and distinct valid AVS numbers, as JSON
/// request bodies of [`PER_REQUEST`] each.
fn request_bodies(n: usize) -> Vec<Vec<u8>> {
    (0..n / PER_REQUEST)
        .map(|request| {
            let batch: Vec<Value> = (0..PER_REQUEST)
                .map(|i| announcement(request * PER_REQUEST + i + 1))
                .collect();
            json!({ "announcements": batch }).to_string().into_bytes()
        })
        .collect()
}

fn announcement(serial: usize) -> Value {
    json!({
        "fund": FUND,
        "reference": format!("E2E-{serial:09}"),
        "key": 61,
        "avs_number": avs_number(100_000_000 + serial as u64),
    })
}

/// The valid AVS number 756 + the nine digits of `serial` + the check digit (annex 8).
fn avs_number(serial: u64) -> String {
    let twelve = format!("756{serial:09}");
    assert_eq!(twelve.len(), 12, "serial has at most nine digits");
    let digits: Vec<u8> = twelve.bytes().map(|b| b - b'0').collect();
    format!("{twelve}{}", check_digit(&digits))
}

// ---------------------------------------------------------------------------------------------
// Memory

/// Resets the process's peak resident memory (VmHWM) to its current size (Linux ≥ 4.0).
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// VmHWM, the process's peak resident memory, in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's CPU time so far, user and system, from `/proc/self/stat` (in clock ticks of
/// 1/100 s, Linux's `USER_HZ`).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) start with the state (3rd).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

// ---------------------------------------------------------------------------------------------
// The report

/// The end-to-end runs and the verdict on the goal.
fn render_runs(md: &mut String, runs: &[Measured]) {
    md.push_str(
        "| backend | transport | N | batch | submit s | drain s | total s | ann/s | peak RSS MB | \
         CPU s | load | transmissions |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for run in runs {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {} | {} | {} | {} |",
            run.database,
            run.transport,
            run.n,
            run.batch,
            run.submit.as_secs_f64(),
            run.drain.as_secs_f64(),
            run.total().as_secs_f64(),
            run.per_second(),
            run.peak_kib
                .map_or("?".into(), |k| format!("{:.0}", k as f64 / 1024.0)),
            run.cpu
                .map_or("?".into(), |c| format!("{:.1}", c.as_secs_f64())),
            run.load.map_or("?".into(), |l| format!("{l:.1}")),
            run.transmissions,
        );
    }
    for (database, transport) in [
        ("SQLite", "HTTPS"),
        ("PostgreSQL", "HTTPS"),
        ("SQLite", "sedex"),
    ] {
        let of_database: Vec<&Measured> = runs
            .iter()
            .filter(|r| r.database == database && r.transport == transport)
            .collect();
        let Some(slowest) = of_database
            .iter()
            .map(|r| r.per_second())
            .min_by(f64::total_cmp)
        else {
            continue;
        };
        let goal = goal_of(database, transport);
        let _ = writeln!(
            md,
            "\nGoal on {database} over {transport} ≥ {goal:.0} announcements/s end to end: **{}** \
             (slowest run {slowest:.0}/s, {:.0} % of the goal).",
            if slowest >= goal { "met" } else { "not met" },
            slowest / goal * 100.0
        );
    }
}

/// The end-to-end goal of each back end and transport on the 2-core machine (sedex: SQLite
/// only).
fn goal_of(database: &str, transport: &str) -> f64 {
    match (database, transport) {
        ("SQLite", "HTTPS") => 10_000.0,
        _ => 5_000.0,
    }
}

/// `ARCGW_BENCH_FLOOR`, when set.
fn floor() -> Option<f64> {
    std::env::var(FLOOR_VAR).ok().map(|text| {
        text.trim()
            .parse()
            .expect("ARCGW_BENCH_FLOOR is a number of announcements per second")
    })
}

/// `ARCGW_BENCH_FLOOR`: the throughput below which the run fails (CI's guard against a
/// regression; far below the goals, so a busy machine does not make it flake).
fn check_floor(runs: &[Measured]) {
    let Some(floor) = floor() else {
        return;
    };
    let mut below = 0;
    for run in runs {
        let met = run.per_second() >= floor;
        println!(
            "floor {floor:.0}/s: {} N={} batch {}: {:.0}/s — {}",
            run.database,
            run.n,
            run.batch,
            run.per_second(),
            if met { "met" } else { "NOT MET" }
        );
        below += usize::from(!met);
    }
    if below > 0 {
        eprintln!("{below} run(s) below the floor of {floor:.0} announcements/s end to end");
        std::process::exit(1);
    }
}

/// Seconds and microseconds per announcement of each step, one column per run.
fn render_phases(md: &mut String, phases: &[Phases]) {
    md.push_str(
        "\nWhere the time goes: the engine's steps one after the other on a queue submitted \
         beforehand (seconds, and µs per announcement):\n\n| step |",
    );
    for p in phases {
        let _ = write!(md, " {} N={} batch {} |", p.database, p.n, p.batch);
    }
    md.push_str("\n|---|");
    md.push_str(&"--:|".repeat(phases.len()));
    md.push('\n');
    let cell = |d: Duration, n: usize| {
        format!(
            "{:.2} s ({:.0} µs)",
            d.as_secs_f64(),
            d.as_secs_f64() * 1e6 / n as f64
        )
    };
    for span in Span::ALL {
        let _ = write!(md, "| {} |", span.label());
        for p in phases {
            let _ = write!(md, " {} |", cell(p.spans.0[span as usize], p.n));
        }
        md.push('\n');
    }
    md.push_str("| **sum** |");
    for p in phases {
        let per_second = p.n as f64 / p.spans.total().as_secs_f64();
        let _ = write!(
            md,
            " **{}**, {per_second:.0}/s |",
            cell(p.spans.total(), p.n)
        );
    }
    md.push('\n');
}

fn render(runs: &[Measured], phases: &[Phases], on_postgres: bool) -> String {
    let mut md = String::new();
    if !runs.is_empty() {
        render_runs(&mut md, runs);
    }
    if !phases.is_empty() {
        render_phases(&mut md, phases);
    }
    if !on_postgres {
        let _ = writeln!(
            md,
            "\nPostgreSQL: not run ({PG_URL} not set, or left out by {DATABASES_VAR})."
        );
    }
    let _ = writeln!(
        md,
        "\nsubmit: first request to last answer ({CLIENTS} clients, {PER_REQUEST} per request, \
         the engine running meanwhile); drain: last answer to the last announcement `done`; \
         total = submit + drain. Engine intervals {ENGINE_TICK_MS} ms. Peak RSS is the whole \
         process's VmHWM, reset before each run's submission: gateway, the in-process ZAS \
         simulator (which keeps every acknowledgement it issued), the clients and the prepared \
         request bodies. CPU s: this process's CPU time over the run (every thread; not \
         PostgreSQL's server processes). load: the machine's one-minute load average when the \
         run started (2 cores: above 2, other work competed for them)."
    );
    md
}
