//! The intake benchmark: announcements accepted per second through the real HTTP API.
//!
//! The gateway is started in this process on a loopback port, on a fresh SQLite file (and on a
//! fresh PostgreSQL schema when `ARCGW_TEST_PG_URL` is set); concurrent reqwest clients post
//! announcements to `POST /api/v1/announcements`, one per request and 1000 per request. For each
//! run it prints the throughput, the request latency (p50, p99) and the peak resident memory.
//!
//! The practical limit on SQLite is the same rows (person, announcement, history) inserted
//! through prepared statements of the same SQLite library in one transaction, WAL and
//! synchronous FULL, on the same schema; every SQLite figure is reported as a share of it, and
//! each goal as met or not met.
//!
//! Run with `cargo bench --bench intake` or `scripts/bench.sh`. `ARCGW_BENCH_SCALE` (default 1)
//! scales every size, e.g. 0.05 for a quick check. The table is also written to
//! `target/bench-intake.md`.

#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::BenchSchema;

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::config::HttpConfig;
use arcgw::domain::FundNumber;
use arcgw::domain::avs_number::check_digit;
use arcgw::store::Store;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use tokio::task::JoinHandle;

/// The environment variable naming the PostgreSQL server (as for the tests).
const PG_URL: &str = "ARCGW_TEST_PG_URL";
/// Scales every size of [`SCENARIOS`] (a positive number; default 1).
const SCALE: &str = "ARCGW_BENCH_SCALE";
const FUNDS: [&str; 2] = ["066.000", "066.001"];
/// The shipped examples: one announcement of every key group, valid on [`noon`].
const EXAMPLES: &str = include_str!("../config/examples/announcements.json");
/// The longest a client waits for one answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

/// Which announcements a run sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mix {
    /// Key 61: just fund, reference, key and AVS number.
    Key61,
    /// The twelve shipped examples in turn (every key group: personal data, RCI, splitting),
    /// each with a fresh reference and fresh AVS numbers.
    Examples,
}

impl Mix {
    fn label(self) -> &'static str {
        match self {
            Mix::Key61 => "key 61",
            Mix::Examples => "mix of 12 keys",
        }
    }
}

/// One measured run: `total` announcements, `batch` per request, `clients` posting at once.
#[derive(Clone, Copy)]
struct Scenario {
    batch: usize,
    clients: usize,
    mix: Mix,
    /// How many announcements are sent (on SQLite in [`SCENARIOS`]).
    total: usize,
    /// How many on PostgreSQL (in [`SCENARIOS`]): fewer, it takes a round trip per statement.
    postgres_total: usize,
}

/// The runs, on every database. Sized so that each takes well under a minute on two busy cores:
/// on SQLite a one-announcement request costs two commits, each with its fsync. The batched
/// key-61 run is made with one client and with four, to show what waiting for the write lock
/// costs.
const SCENARIOS: [Scenario; 4] = [
    Scenario {
        batch: 1,
        total: 5_000,
        postgres_total: 5_000,
        clients: 8,
        mix: Mix::Key61,
    },
    Scenario {
        batch: 1000,
        total: 100_000,
        postgres_total: 30_000,
        clients: 1,
        mix: Mix::Key61,
    },
    Scenario {
        batch: 1000,
        total: 100_000,
        postgres_total: 30_000,
        clients: 4,
        mix: Mix::Key61,
    },
    Scenario {
        batch: 1000,
        total: 60_000,
        postgres_total: 20_000,
        clients: 4,
        mix: Mix::Examples,
    },
];

/// The database a run is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    fn label(self) -> &'static str {
        match self {
            Database::Sqlite => "SQLite",
            Database::Postgres => "PostgreSQL",
        }
    }
}

/// What one run measured.
struct Measured {
    database: Database,
    scenario: Scenario,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    /// VmHWM after the run, in KiB.
    peak_kib: Option<u64>,
    /// The machine's load average over the last minute, after the run.
    load: Option<f64>,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.scenario.total as f64 / self.elapsed.as_secs_f64()
    }
}

/// The same rows inserted through prepared statements in one transaction.
struct Limit {
    rows: usize,
    with_history: bool,
    elapsed: Duration,
}

impl Limit {
    fn per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64()
    }
}

#[tokio::main]
async fn main() {
    let scale = scale();
    let peak_resets = reset_peak_memory();
    let mut runs = Vec::new();
    let sqlite_scenarios = sized(scale, Database::Sqlite);
    for scenario in &sqlite_scenarios {
        runs.push(on_sqlite(*scenario).await);
    }
    let postgres = std::env::var(PG_URL).ok();
    match &postgres {
        Some(url) => {
            for scenario in sized(scale, Database::Postgres) {
                runs.push(on_postgres(url, scenario).await);
            }
        }
        None => println!("PostgreSQL skipped: {PG_URL} is not set"),
    }
    let limit_rows = sqlite_scenarios
        .iter()
        .filter(|s| s.batch > 1 && s.mix == Mix::Key61)
        .map(|s| s.total)
        .max()
        .unwrap_or(0);
    let limits = prepared_limits(limit_rows).await;
    let report = render(&runs, &limits, peak_resets, postgres.is_some());
    println!("\n{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-intake.md");
    std::fs::write(&path, &report).expect("write target/bench-intake.md");
    println!("(also written to {})", path.display());
}

fn scale() -> f64 {
    let Ok(text) = std::env::var(SCALE) else {
        return 1.0;
    };
    let scale: f64 = text.parse().expect("ARCGW_BENCH_SCALE is a number");
    assert!(
        scale > 0.0 && scale <= 10.0,
        "ARCGW_BENCH_SCALE is in (0, 10]"
    );
    scale
}

/// The scenarios with the totals of `database`, scaled: whole batches, at least one request per
/// client.
fn sized(scale: f64, database: Database) -> Vec<Scenario> {
    SCENARIOS
        .iter()
        .map(|s| {
            let total = match database {
                Database::Sqlite => s.total,
                Database::Postgres => s.postgres_total,
            };
            let requests = ((total / s.batch) as f64 * scale).round() as usize;
            Scenario {
                total: requests.max(s.clients) * s.batch,
                ..*s
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The databases

async fn on_sqlite(scenario: Scenario) -> Measured {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = sqlite_store(&dir.path().join("arcgw.sqlite")).await;
    let measured = measure(Database::Sqlite, store.clone(), scenario).await;
    store.close().await;
    measured
}

async fn sqlite_store(path: &Path) -> Store {
    let store = Store::connect_sqlite(SqliteConnectOptions::new().filename(path))
        .await
        .expect("open the SQLite file");
    store.migrate().await.expect("migrate SQLite");
    store
}

/// Runs on a schema of its own, dropped at the end (also when the run fails).
async fn on_postgres(url: &str, scenario: Scenario) -> Measured {
    let (schema, store) = BenchSchema::create(url).await;
    let run = tokio::spawn(measure(Database::Postgres, store.clone(), scenario)).await;
    store.close().await;
    schema.drop_all().await;
    match run {
        Ok(measured) => measured,
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    }
}

// ---------------------------------------------------------------------------------------------
// One run through the HTTP API

/// The gateway on a loopback port; stopped when dropped.
struct Gateway {
    url: String,
    token: String,
    task: JoinHandle<()>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The date the shipped examples are valid on (as in the API tests).
fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T11:00:00Z")
        .expect("a fixed time")
        .to_utc()
}

async fn start(store: Store) -> Gateway {
    let funds: Vec<FundNumber> = FUNDS
        .iter()
        .map(|f| FundNumber::parse(f).expect("a fund number"))
        .collect();
    let token = store
        .create_token("intake benchmark", &funds, noon())
        .await
        .expect("create a token");
    let http = HttpConfig {
        rate_limit_per_minute: u32::MAX,
        ..HttpConfig::default()
    };
    let state = AppState::new(
        store,
        Arc::new(ManualClock::new(noon())),
        ZasCalendar::geneva(),
        http,
    );
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("the bound address");
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("the gateway serves");
    });
    Gateway {
        url: format!("http://{address}/api/v1/announcements"),
        token: token.secret.expose().to_string(),
        task,
    }
}

/// Starts the gateway on `store`, posts every request of `scenario` and measures.
async fn measure(database: Database, store: Store, scenario: Scenario) -> Measured {
    println!(
        "{}: {} announcements, {} per request, clients: {}, {} …",
        database.label(),
        scenario.total,
        scenario.batch,
        scenario.clients,
        scenario.mix.label()
    );
    let gateway = start(store).await;
    let shares = request_bodies(scenario);
    reset_peak_memory();
    let started = Instant::now();
    let clients: Vec<_> = shares
        .into_iter()
        .map(|bodies| {
            tokio::spawn(client(
                gateway.url.clone(),
                gateway.token.clone(),
                bodies,
                scenario.batch,
            ))
        })
        .collect();
    let mut latencies = Vec::with_capacity(scenario.total / scenario.batch);
    for client in clients {
        latencies.extend(client.await.expect("a client finished"));
    }
    let elapsed = started.elapsed();
    let peak_kib = peak_memory_kib();
    let load = load_average();
    drop(gateway);
    latencies.sort_unstable();
    let measured = Measured {
        database,
        scenario,
        elapsed,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        peak_kib,
        load,
    };
    println!(
        "  {:.1} s, {:.0} announcements/s",
        elapsed.as_secs_f64(),
        measured.per_second()
    );
    measured
}

/// The part of the 202 answer a client checks.
#[derive(Deserialize)]
struct Accepted {
    created: usize,
}

/// One client: posts its bodies one after the other and returns each request's latency.
async fn client(url: String, token: String, bodies: Vec<Vec<u8>>, batch: usize) -> Vec<Duration> {
    let http = reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .build()
        .expect("an HTTP client");
    let mut latencies = Vec::with_capacity(bodies.len());
    for body in bodies {
        let started = Instant::now();
        let response = http
            .post(&url)
            .bearer_auth(&token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("the gateway answers");
        let status = response.status();
        let answer = response.bytes().await.expect("the whole answer");
        latencies.push(started.elapsed());
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "{}",
            String::from_utf8_lossy(&answer)
        );
        let accepted: Accepted = serde_json::from_slice(&answer).expect("a 202 answer");
        assert_eq!(accepted.created, batch, "every announcement is new");
    }
    latencies
}

/// The value below which `q` of the sorted `values` lie (nearest rank).
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() as f64 * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

// ---------------------------------------------------------------------------------------------
// The announcements

/// The request bodies of a run, dealt round-robin to its clients.
fn request_bodies(scenario: Scenario) -> Vec<Vec<Vec<u8>>> {
    let mut generator = Generator::new(scenario.mix);
    let requests = scenario.total / scenario.batch;
    let mut shares = vec![Vec::with_capacity(requests / scenario.clients + 1); scenario.clients];
    for request in 0..requests {
        let batch: Vec<Value> = (0..scenario.batch)
            .map(|_| generator.announcement())
            .collect();
        let body = match <[Value; 1]>::try_from(batch) {
            Ok([one]) => one,
            Err(many) => json!({ "announcements": many }),
        };
        shares[request % scenario.clients].push(body.to_string().into_bytes());
    }
    shares
}

/// Makes announcements with distinct references and distinct, valid AVS numbers.
struct Generator {
    mix: Mix,
    templates: Vec<Value>,
    count: usize,
    serial: u64,
}

impl Generator {
    fn new(mix: Mix) -> Self {
        let examples: Value = serde_json::from_str(EXAMPLES).expect("the shipped examples");
        let templates = examples["announcements"]
            .as_array()
            .expect("a list of examples")
            .clone();
        Generator {
            mix,
            templates,
            count: 0,
            serial: 0,
        }
    }

    fn announcement(&mut self) -> Value {
        self.count += 1;
        let reference = format!("BENCH-{:09}", self.count);
        match self.mix {
            Mix::Key61 => {
                let avs = self.avs_number();
                json!({"fund": FUNDS[0], "reference": reference, "key": 61, "avs_number": avs})
            }
            Mix::Examples => {
                let template = &self.templates[self.count % self.templates.len()];
                let mut announcement = template.clone();
                announcement["reference"] = reference.into();
                self.renumber(&mut announcement);
                announcement
            }
        }
    }

    /// Gives every AVS number of the announcement (insured, beneficiary, spouse) a fresh one.
    fn renumber(&mut self, announcement: &mut Value) {
        for pointer in [
            "/avs_number",
            "/rci/beneficiary",
            "/splitting/spouse_avs_number",
        ] {
            if let Some(slot) = announcement.pointer_mut(pointer)
                && *slot != "insured"
            {
                *slot = self.avs_number().into();
            }
        }
    }

    /// The next AVS number, printed with dots.
    fn avs_number(&mut self) -> String {
        self.serial += 1;
        avs_number(100_000_000 + self.serial)
    }
}

/// The valid AVS number 756 + the nine digits of `serial` + the check digit (annex 8).
fn avs_number(serial: u64) -> String {
    let twelve = format!("756{serial:09}");
    assert_eq!(twelve.len(), 12, "serial has at most nine digits");
    let digits: Vec<u8> = twelve.bytes().map(|b| b - b'0').collect();
    let check = check_digit(&digits);
    format!(
        "{}.{}.{}.{}{check}",
        &twelve[..3],
        &twelve[3..7],
        &twelve[7..11],
        &twelve[11..]
    )
}

// ---------------------------------------------------------------------------------------------
// The practical limit: prepared statements on the same SQLite library

/// How often the prepared insert is timed; the fastest counts (the machine is shared).
const LIMIT_ATTEMPTS: usize = 3;

async fn prepared_limits(rows: usize) -> Vec<Limit> {
    if rows == 0 {
        return Vec::new();
    }
    let mut limits = Vec::new();
    for with_history in [false, true] {
        limits.push(prepared_limit(rows, with_history).await);
    }
    limits
}

/// Inserts `rows` persons and key-61 announcements (and their first history entries when
/// `with_history`) into a freshly migrated file, in one transaction, with the gateway's
/// settings (WAL, synchronous FULL, foreign keys), through prepared statements of the SQLite
/// library the gateway links (bound, stepped and reset per row: no SQL parsed per row, no
/// async layer); best of [`LIMIT_ATTEMPTS`].
async fn prepared_limit(rows: usize, with_history: bool) -> Limit {
    println!(
        "SQLite, prepared statements: {rows} announcements in one transaction, history: \
         {with_history}, best of {LIMIT_ATTEMPTS} …"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut best = Duration::MAX;
    for attempt in 0..LIMIT_ATTEMPTS {
        let database = dir.path().join(format!("limit-{attempt}.sqlite"));
        sqlite_store(&database).await.close().await;
        let (elapsed, stored) = tokio::task::spawn_blocking(move || {
            let db = prepared::Database::open(&database);
            let started = Instant::now();
            insert_prepared(&db, rows, with_history);
            let elapsed = started.elapsed();
            (elapsed, db.count("SELECT count(*) FROM announcements"))
        })
        .await
        .expect("the prepared insert");
        assert_eq!(stored, rows as i64, "every row inserted");
        best = best.min(elapsed);
    }
    let limit = Limit {
        rows,
        with_history,
        elapsed: best,
    };
    println!(
        "  {:.2} s, {:.0} announcements/s",
        best.as_secs_f64(),
        limit.per_second()
    );
    limit
}

fn insert_prepared(db: &prepared::Database, rows: usize, with_history: bool) {
    let at = noon().to_rfc3339();
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "BEGIN IMMEDIATE",
    ] {
        db.exec(pragma);
    }
    let person = db.prepare("INSERT INTO persons (avs_number, created_at) VALUES (?1, ?2)");
    let announcement = db.prepare(
        "INSERT INTO announcements (environment, fund, reference, key_code, person_id, \
         particulars, content_hash, state, state_since, submitted_at) \
         VALUES ('prod', ?1, ?2, 61, ?3, '{\"kind\":\"account\"}', ?4, 'queued', ?5, ?5)",
    );
    let history = db.prepare(
        "INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) VALUES (?1, 'queued', NULL, ?2, 'submitted by the fund', \
         'token:0123456789abcdef')",
    );
    for id in 1..=rows {
        let avs: String = avs_number(100_000_000 + id as u64).replace('.', "");
        let reference = format!("LIMIT-{id:09}");
        let hash = arcgw::digest::sha256_hex(reference.as_bytes());
        person.text(1, &avs).text(2, &at).run();
        let person_id = db.last_insert_rowid();
        announcement
            .text(1, FUNDS[0])
            .text(2, &reference)
            .int(3, person_id)
            .text(4, &hash)
            .text(5, &at)
            .run();
        if with_history {
            let announcement_id = db.last_insert_rowid();
            history.int(1, announcement_id).text(2, &at).run();
        }
    }
    drop((person, announcement, history));
    db.exec("COMMIT");
}

/// The few calls of SQLite's C interface the limit needs (the library sqlx links).
mod prepared {
    use std::ffi::{CString, c_int};
    use std::path::Path;
    use std::ptr;

    use libsqlite3_sys as ffi;

    pub struct Database(*mut ffi::sqlite3);

    pub struct Statement<'a> {
        db: &'a Database,
        raw: *mut ffi::sqlite3_stmt,
    }

    fn check(db: *mut ffi::sqlite3, rc: c_int, what: &str) {
        if rc != ffi::SQLITE_OK {
            // SAFETY: `db` is an open connection; the message is copied at once.
            let message = unsafe { std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(db)) };
            panic!("{what}: {}", message.to_string_lossy());
        }
    }

    impl Database {
        pub fn open(path: &Path) -> Database {
            let name = CString::new(path.to_str().expect("a UTF-8 path")).expect("no NUL");
            let mut db = ptr::null_mut();
            // SAFETY: a valid C string and an out pointer; the handle is closed on drop.
            let rc = unsafe {
                ffi::sqlite3_open_v2(
                    name.as_ptr(),
                    &mut db,
                    ffi::SQLITE_OPEN_READWRITE,
                    ptr::null(),
                )
            };
            check(db, rc, "open");
            Database(db)
        }

        pub fn exec(&self, sql: &str) {
            let sql = CString::new(sql).expect("no NUL");
            // SAFETY: an open connection and a valid C string; no callback.
            let rc = unsafe {
                ffi::sqlite3_exec(self.0, sql.as_ptr(), None, ptr::null_mut(), ptr::null_mut())
            };
            check(self.0, rc, "exec");
        }

        pub fn prepare(&self, sql: &str) -> Statement<'_> {
            let sql = CString::new(sql).expect("no NUL");
            let mut raw = ptr::null_mut();
            // SAFETY: an open connection, a valid C string, an out pointer; finalized on drop.
            let rc = unsafe {
                ffi::sqlite3_prepare_v2(self.0, sql.as_ptr(), -1, &mut raw, ptr::null_mut())
            };
            check(self.0, rc, "prepare");
            Statement { db: self, raw }
        }

        pub fn last_insert_rowid(&self) -> i64 {
            // SAFETY: an open connection.
            unsafe { ffi::sqlite3_last_insert_rowid(self.0) }
        }

        pub fn count(&self, sql: &str) -> i64 {
            let statement = self.prepare(sql);
            // SAFETY: a prepared statement of one integer column.
            unsafe {
                assert_eq!(ffi::sqlite3_step(statement.raw), ffi::SQLITE_ROW);
                ffi::sqlite3_column_int64(statement.raw, 0)
            }
        }
    }

    impl Drop for Database {
        fn drop(&mut self) {
            // SAFETY: every statement borrows the database, so all are finalized before.
            unsafe { ffi::sqlite3_close(self.0) };
        }
    }

    impl Statement<'_> {
        pub fn text(&self, index: c_int, value: &str) -> &Self {
            let len = c_int::try_from(value.len()).expect("a short text");
            // SAFETY: SQLite copies the bytes (SQLITE_TRANSIENT) before returning.
            let rc = unsafe {
                ffi::sqlite3_bind_text(
                    self.raw,
                    index,
                    value.as_ptr().cast(),
                    len,
                    ffi::SQLITE_TRANSIENT(),
                )
            };
            check(self.db.0, rc, "bind text");
            self
        }

        pub fn int(&self, index: c_int, value: i64) -> &Self {
            // SAFETY: a prepared statement and a parameter index.
            let rc = unsafe { ffi::sqlite3_bind_int64(self.raw, index, value) };
            check(self.db.0, rc, "bind integer");
            self
        }

        /// Steps the statement to its end and resets it for the next row.
        pub fn run(&self) {
            // SAFETY: a prepared statement with every parameter bound.
            let rc = unsafe { ffi::sqlite3_step(self.raw) };
            assert_eq!(rc, ffi::SQLITE_DONE, "insert");
            // SAFETY: as above.
            unsafe { ffi::sqlite3_reset(self.raw) };
        }
    }

    impl Drop for Statement<'_> {
        fn drop(&mut self) {
            // SAFETY: the statement is not used after this.
            unsafe { ffi::sqlite3_finalize(self.raw) };
        }
    }
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

/// The load average over the last minute: the machine is shared with other work.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// The report

fn render(runs: &[Measured], limits: &[Limit], peak_resets: bool, postgres: bool) -> String {
    let mut md = String::new();
    md.push_str(
        "| database | per request | content | clients | announcements | time | \
         announcements/s | p50 | p99 | peak RSS | load |\n|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for run in runs {
        let s = run.scenario;
        let _ = writeln!(
            md,
            "| {} (HTTP API) | {} | {} | {} | {} | {:.1} s | {} | {} | {} | {} | {} |",
            run.database.label(),
            grouped(s.batch as f64),
            s.mix.label(),
            s.clients,
            grouped(s.total as f64),
            run.elapsed.as_secs_f64(),
            grouped(run.per_second()),
            millis(run.p50),
            millis(run.p99),
            run.peak_kib
                .map_or("?".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0)),
            run.load.map_or("?".into(), |l| format!("{l:.1}")),
        );
    }
    for limit in limits {
        let _ = writeln!(
            md,
            "| SQLite (prepared statements, one transaction{}) | all | key 61 | 1 | {} | {:.2} s | {} | – | – | – | – |",
            if limit.with_history {
                ", with history"
            } else {
                ""
            },
            grouped(limit.rows as f64),
            limit.elapsed.as_secs_f64(),
            grouped(limit.per_second()),
        );
    }
    md.push('\n');
    md.push_str(&verdict(runs, limits));
    if !postgres {
        let _ = writeln!(md, "\nPostgreSQL: not run ({PG_URL} is not set).");
    }
    let _ = writeln!(
        md,
        "\nPeak RSS is the whole process's VmHWM (gateway, clients and the prepared request \
         bodies), {}. Load is the machine's load average over the last minute after the run.",
        if peak_resets {
            "reset before each run"
        } else {
            "the peak so far (it could not be reset)"
        }
    );
    md
}

/// Every SQLite run against the prepared-statement limit (with history rows, as the intake
/// writes them), and the intake goals: batched 4 clients p99 ≤ 100 ms; one announcement per
/// request with 8 clients ≥ 3 000/s.
fn verdict(runs: &[Measured], limits: &[Limit]) -> String {
    let Some(limit) = limits
        .iter()
        .find(|l| l.with_history)
        .or_else(|| limits.first())
    else {
        return "The prepared-statement limit was not measured.\n".into();
    };
    let mut text = format!(
        "The limit (prepared statements, one transaction, persons, announcements{}): {} \
         announcements/s{}.\n\n",
        if limit.with_history {
            " and history"
        } else {
            ""
        },
        grouped(limit.per_second()),
        limits
            .iter()
            .find(|l| !l.with_history)
            .map_or(String::new(), |l| format!(
                " ({} without the history rows)",
                grouped(l.per_second())
            )),
    );
    for run in runs.iter().filter(|r| r.database == Database::Sqlite) {
        let s = run.scenario;
        let _ = write!(
            text,
            "- SQLite, {} per request, {}, {} client{}: {} announcements/s = **{:.0} %** of the \
             limit, p99 {}",
            grouped(s.batch as f64),
            s.mix.label(),
            s.clients,
            if s.clients == 1 { "" } else { "s" },
            grouped(run.per_second()),
            run.per_second() / limit.per_second() * 100.0,
            millis(run.p99),
        );
        if s.mix == Mix::Key61 && s.batch > 1 && s.clients == 4 {
            let met = run.p99 <= Duration::from_millis(100);
            let _ = write!(text, "; goal p99 ≤ 100 ms: **{}**", met_or_not(met));
        }
        if s.batch == 1 && s.clients == 8 {
            let met = run.per_second() >= 3000.0;
            let _ = write!(text, "; goal ≥ 3 000/s: **{}**", met_or_not(met));
        }
        text.push_str(".\n");
    }
    text
}

fn met_or_not(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}

fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A whole number with spaces between groups of three digits: 200 000.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
