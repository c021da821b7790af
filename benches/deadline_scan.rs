//! The deadline-scan benchmark: one scan of N. 3401 over 1 000 000 pending
//! announcements, on SQLite and PostgreSQL — time and peak memory.
//!
//! The database is filled by SQL in a few statements (not through the API: that is the intake
//! benchmark's subject) with a realistic mix on Monday 1 March 2027: 90 % `announced`, 10 %
//! `in_progress` (an acknowledgement of the last ten days said "still being processed"); 1 % of
//! the announced ones were announced 15 to 20 days ago and 0.1 % of those in progress were
//! acknowledged 25 to 29 days ago, so their deadlines have passed — the others' have not.
//!
//! Two scans are timed, each with the peak resident memory it added (VmHWM reset before it
//! through /proc/self/clear_refs):
//! - the first scan, which raises the reminders of the passed deadlines;
//! - the next scan, a few minutes later (the steady state of `serve`, which scans every
//!   `zas.deadline_scan_interval_secs`): nothing new is due.
//!
//! Run with `cargo bench --bench deadline_scan`. Environment: `ARCGW_BENCH_PENDING` (default
//! 1 000 000), `ARCGW_BENCH_DATABASES` (`sqlite`, `postgres`, both by default; PostgreSQL only
//! with `ARCGW_TEST_PG_URL`). The table is printed and written to
//! `target/bench-deadline-scan.md`.

#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};
use support::BenchSchema;

use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::engine::deadlines::{DeadlineScan, ScanOutcome};
use arcgw::store::{PENDING_PAGE, Store};
use chrono::{TimeZone, Utc};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};

const PG_URL: &str = "ARCGW_TEST_PG_URL";
const PENDING_VAR: &str = "ARCGW_BENCH_PENDING";
const DATABASES_VAR: &str = "ARCGW_BENCH_DATABASES";
const DEFAULT_PENDING: u64 = 1_000_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run_all());
}

async fn run_all() {
    let pending = match std::env::var(PENDING_VAR) {
        Ok(text) => text
            .trim()
            .parse()
            .expect("ARCGW_BENCH_PENDING is a number"),
        Err(_) => DEFAULT_PENDING,
    };
    let chosen = std::env::var(DATABASES_VAR).unwrap_or_else(|_| "sqlite,postgres".into());
    let mut rows = Vec::new();
    if chosen.contains("sqlite") {
        rows.extend(on_sqlite(pending).await);
    }
    if chosen.contains("postgres") {
        match std::env::var(PG_URL) {
            Ok(url) => rows.extend(on_postgres(&url, pending).await),
            Err(_) => println!("PostgreSQL skipped: {PG_URL} is not set"),
        }
    }
    let report = render(pending, &rows);
    println!("\n{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-deadline-scan.md");
    std::fs::write(&path, &report).expect("write target/bench-deadline-scan.md");
    println!("(also written to {})", path.display());
}

/// One timed scan.
struct Measured {
    database: &'static str,
    scan: &'static str,
    outcome: ScanOutcome,
    time: Duration,
    /// Peak resident memory during the scan, in KiB, and the resident memory before it.
    peak_kib: Option<u64>,
    before_kib: Option<u64>,
}

async fn on_sqlite(pending: u64) -> Vec<Measured> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("arcgw.sqlite");
    let store = Store::connect_sqlite(SqliteConnectOptions::new().filename(&file))
        .await
        .expect("open the SQLite file");
    store.migrate().await.expect("migrate SQLite");
    let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&file))
        .await
        .expect("a second connection");
    let started = Instant::now();
    for sql in fill_sqlite(pending) {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .expect("fill SQLite");
    }
    conn.close().await.expect("close");
    println!("SQLite filled in {:.1?}", started.elapsed());
    let measured = scans(&store, "SQLite").await;
    store.close().await;
    measured
}

async fn on_postgres(url: &str, pending: u64) -> Vec<Measured> {
    let (schema, store) = BenchSchema::create(url).await;
    let mut conn = PgConnection::connect_with(&schema.options)
        .await
        .expect("connect");
    let started = Instant::now();
    for sql in fill_postgres(pending) {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .expect("fill PostgreSQL");
    }
    conn.close().await.expect("close");
    println!("PostgreSQL filled in {:.1?}", started.elapsed());
    let measured = scans(&store, "PostgreSQL").await;
    store.close().await;
    schema.drop_all().await;
    measured
}

/// The first scan on Monday 1 March 2027 at 06:00 in Geneva, and the next five minutes later.
async fn scans(store: &Store, database: &'static str) -> Vec<Measured> {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2027, 3, 1, 5, 0, 0).unwrap());
    let calendar = ZasCalendar::geneva();
    let scan = DeadlineScan {
        store,
        clock: &clock,
        calendar: &calendar,
    };
    let mut measured = Vec::new();
    for name in ["first (raises)", "next (steady)"] {
        let before_kib = resident_kib("VmRSS");
        reset_peak();
        let started = Instant::now();
        let outcome = scan.run(PENDING_PAGE).await.expect("scan");
        let time = started.elapsed();
        measured.push(Measured {
            database,
            scan: name,
            outcome,
            time,
            peak_kib: resident_kib("VmHWM"),
            before_kib,
        });
        clock.advance(chrono::TimeDelta::minutes(5));
    }
    measured
}

/// Monday 1 March 2027, 11:00 UTC: the time the ages below count back from.
const NOW_SQLITE: &str = "2027-03-01 11:00:00";
const NOW_POSTGRES: &str = "2027-03-01 11:00:00+00";

/// The filling statements for SQLite: `pending` announcements (ids 1..), one acknowledgement
/// per day of the last 30, and an entry "still being processed" per announcement in progress.
fn fill_sqlite(pending: u64) -> Vec<String> {
    vec![
        format!(
            "WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 30) \
             INSERT INTO acknowledgements (id, message_id, received_at, environment, sequence, \
             acknowledgement_date, entry_count, xml_sha256) \
             SELECT n + 1, 'ack-' || n, '{NOW_SQLITE}', 'prod', n + 1, \
             date('{NOW_SQLITE}', '-' || n || ' days'), 0, '' FROM d"
        ),
        format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {pending}) \
             INSERT INTO announcements (id, fund, reference, key_code, particulars, content_hash, \
             state, state_since, submitted_at) \
             SELECT i, '001.000', 'B-' || i, 61, '{{}}', 'bench', \
             CASE WHEN {IN_PROGRESS} THEN 'in_progress' ELSE 'announced' END, \
             strftime('%Y-%m-%dT%H:%M:%S+00:00', '{NOW_SQLITE}', '-' || ({AGE_MINUTES}) || ' minutes'), \
             '{NOW_SQLITE}' FROM s"
        ),
        format!(
            "INSERT INTO acknowledgement_entries (acknowledgement_id, position, announcement_id, \
             fund, reference, key_code, processing_code, details) \
             SELECT ({ACK_DAYS_AGO}) + 1, i, i, '001.000', 'B-' || i, 61, 2, '{{}}' \
             FROM (SELECT id AS i FROM announcements WHERE state = 'in_progress')"
        ),
        // Each running deadline, as the gateway keeps it (migration 0023).
        format!(
            "INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, \
             state_since) SELECT id, state, CASE state WHEN 'announced' THEN date(state_since) \
             ELSE {FIRST_ACK_DATE} END, fund, state_since FROM announcements ORDER BY id"
        ),
        "ANALYZE".to_string(),
    ]
}

/// The same for PostgreSQL.
fn fill_postgres(pending: u64) -> Vec<String> {
    vec![
        format!(
            "INSERT INTO acknowledgements (id, message_id, received_at, environment, sequence, \
             acknowledgement_date, entry_count, xml_sha256) \
             SELECT n + 1, 'ack-' || n, '{NOW_POSTGRES}', 'prod', n + 1, \
             to_char(timestamptz '{NOW_POSTGRES}' - make_interval(days => n), 'YYYY-MM-DD'), \
             0, '' FROM generate_series(0, 30) AS n"
        ),
        format!(
            "INSERT INTO announcements (id, fund, reference, key_code, particulars, content_hash, \
             state, state_since, submitted_at) \
             SELECT i, '001.000', 'B-' || i, 61, '{{}}', 'bench', \
             CASE WHEN {IN_PROGRESS} THEN 'in_progress' ELSE 'announced' END, \
             timestamptz '{NOW_POSTGRES}' - make_interval(mins => ({AGE_MINUTES})::int), \
             timestamptz '{NOW_POSTGRES}' FROM generate_series(1::bigint, {pending}) AS i"
        ),
        format!(
            "INSERT INTO acknowledgement_entries (acknowledgement_id, position, announcement_id, \
             fund, reference, key_code, processing_code, details) \
             SELECT ({ACK_DAYS_AGO}) + 1, i, i, '001.000', 'B-' || i, 61, 2, '{{}}' \
             FROM (SELECT id AS i FROM announcements WHERE state = 'in_progress') AS p"
        ),
        format!(
            "INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, \
             state_since) SELECT id, state, CASE state WHEN 'announced' \
             THEN to_char(state_since AT TIME ZONE 'Europe/Zurich', 'YYYY-MM-DD') \
             ELSE {FIRST_ACK_DATE} END, fund, state_since FROM announcements ORDER BY id"
        ),
        "ANALYZE".to_string(),
    ]
}

/// The date of an announcement's acknowledgement "still being processed".
const FIRST_ACK_DATE: &str = "(SELECT k.acknowledgement_date FROM acknowledgement_entries e \
     JOIN acknowledgements k ON k.id = e.acknowledgement_id \
     WHERE e.announcement_id = announcements.id)";

/// Every tenth announcement is in progress.
const IN_PROGRESS: &str = "i % 10 = 0";
/// Minutes since an announcement entered its state: 1 % announced 15 to 20 days ago, the rest
/// within the last 7 days.
const AGE_MINUTES: &str =
    "CASE WHEN i % 100 = 1 THEN 21600 + (i * 7919) % 7200 ELSE (i * 7919) % 10080 END";
/// Days since the acknowledgement that said "still being processed": 0.1 % 25 to 29, the rest
/// 0 to 9.
const ACK_DAYS_AGO: &str = "CASE WHEN i % 1000 = 0 THEN 25 + i % 5 ELSE i % 10 END";

/// A line of /proc/self/status, in KiB.
fn resident_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets VmHWM to the current resident memory (Linux: "5" to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn render(pending: u64, rows: &[Measured]) -> String {
    let mut out = String::new();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let _ = writeln!(
        out,
        "Deadline scan over {pending} pending announcements (load average at the end: {})\n",
        load.split_whitespace().next().unwrap_or("?")
    );
    let _ = writeln!(
        out,
        "| database | scan | read | reminders raised | time | peak memory added |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for m in rows {
        let added = match (m.peak_kib, m.before_kib) {
            (Some(peak), Some(before)) => {
                format!("{:.1} MiB", peak.saturating_sub(before) as f64 / 1024.0)
            }
            _ => "?".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.3} s | {} |",
            m.database,
            m.scan,
            m.outcome.scanned,
            m.outcome.raised,
            m.time.as_secs_f64(),
            added
        );
    }
    out
}
