//! The deadline-scan benchmark: one scan of N. 3401 over 1 000 000 pending
//! announcements, on SQLite and PostgreSQL — time and peak memory.
//!
//! The database is filled by SQL in a few statements (not through the API: that is the intake
//! benchmark's subject) with a realistic mix on Monday 1 March 2027: 90 % `announced`, 10 %
//! `in_progress` (an acknowledgement of the last ten days said "still being processed");
//! 11 000 deadlines have passed — 10 000 announced 15 to 20 days ago, 1 000 in progress since
//! an acknowledgement 25 to 29 days ago — the others' have not. Two layouts of the same mix:
//! - **in order**: the ids in the order the gateway numbers announcements (by submission), so
//!   the oldest — those whose deadlines have passed — have the lowest ids and lie together,
//!   and the running deadlines are written in the order their states began, as the gateway
//!   writes them;
//! - **scattered**: every hundredth announcement's deadline has passed, whatever its id (the
//!   layout of the benchmark's first versions): each lies on a page of its own, the worst
//!   case for the pages a scan reads and the raising of its reminders writes.
//!
//! Three scans are timed, each with the peak resident memory it added (VmHWM reset before it
//! through /proc/self/clear_refs):
//! - the first scan, which raises the reminders of the passed deadlines;
//! - the second and third, five and ten minutes later (`serve` scans every
//!   `zas.deadline_scan_interval_secs`): nothing new is due — the steady state. On PostgreSQL
//!   the second is the first to read past the rows of the deadlines the first scan ended
//!   (deleted row versions, until a vacuum), which costs most in the scattered layout.
//!
//! Goals (issue 11): the first scan ≤ 0.5 s, each later one ≤ 50 ms; the benchmark prints
//! each as met or not met.
//!
//! Run with `cargo bench --bench deadline_scan`. Environment: `ARCGW_BENCH_PENDING` (default
//! 1 000 000), `ARCGW_BENCH_DATABASES` (`sqlite`, `postgres`, both by default; PostgreSQL only
//! with `ARCGW_TEST_PG_URL`), `ARCGW_BENCH_LAYOUTS` (`in-order`, `scattered`, both by
//! default). The table is printed and written to `target/bench-deadline-scan.md`.

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
const LAYOUTS_VAR: &str = "ARCGW_BENCH_LAYOUTS";
const DEFAULT_PENDING: u64 = 1_000_000;

/// Issue 11's goals: the first scan, and each scan after it.
const FIRST_GOAL: Duration = Duration::from_millis(500);
const STEADY_GOAL: Duration = Duration::from_millis(50);

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
    let layouts = std::env::var(LAYOUTS_VAR).unwrap_or_else(|_| "in-order,scattered".into());
    let mut rows = Vec::new();
    for layout in [Layout::InOrder, Layout::Scattered] {
        if !layouts.contains(layout.name()) {
            continue;
        }
        if chosen.contains("sqlite") {
            rows.extend(on_sqlite(pending, layout).await);
        }
        if chosen.contains("postgres") {
            match std::env::var(PG_URL) {
                Ok(url) => rows.extend(on_postgres(&url, pending, layout).await),
                Err(_) => println!("PostgreSQL skipped: {PG_URL} is not set"),
            }
        }
    }
    let report = render(pending, &rows);
    println!("\n{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-deadline-scan.md");
    std::fs::write(&path, &report).expect("write target/bench-deadline-scan.md");
    println!("(also written to {})", path.display());
}

/// Where the announcements whose deadlines have passed lie (the module's comment).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    InOrder,
    Scattered,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::InOrder => "in-order",
            Layout::Scattered => "scattered",
        }
    }

    /// Minutes since announcement `i` entered its state (an SQL expression of `i`): in
    /// order, the first `pending / 90` (10 000 of them announced) 15 to 20 days ago, oldest
    /// first, the rest within the last 7 days, oldest first; scattered, every hundredth 15 to
    /// 20 days ago and the rest within the last 7 days, in no order.
    fn age_minutes(self, pending: u64) -> String {
        let old = (pending / 90).max(1);
        match self {
            Layout::InOrder => format!(
                "CASE WHEN i <= {old} THEN 21600 + ({old} - i) * 7200 / {old} \
                 ELSE ({pending} - i) * 10080 / {pending} END"
            ),
            Layout::Scattered => {
                "CASE WHEN i % 100 = 1 THEN 21600 + (i * 7919) % 7200 ELSE (i * 7919) % 10080 END"
                    .to_string()
            }
        }
    }

    /// Days since the acknowledgement that said "still being processed" (an SQL expression of
    /// `i`, for those in progress): 0.1 % of all 25 to 29 days — in order the first
    /// `pending / 100`, scattered every thousandth — the rest 0 to 9.
    fn ack_days_ago(self, pending: u64) -> String {
        let old = match self {
            Layout::InOrder => format!("i <= {}", (pending / 100).max(1)),
            Layout::Scattered => "i % 1000 = 0".to_string(),
        };
        format!("CASE WHEN {old} THEN 25 + i % 5 ELSE i % 10 END")
    }

    /// The order the running deadlines are written in: in order, that of the changes of state
    /// that started them, as the gateway writes them; scattered, by id.
    fn watch_order(self) -> &'static str {
        match self {
            Layout::InOrder => "state_since, id",
            Layout::Scattered => "id",
        }
    }
}

/// One timed scan.
struct Measured {
    database: &'static str,
    layout: Layout,
    scan: &'static str,
    goal: Duration,
    outcome: ScanOutcome,
    time: Duration,
    /// Peak resident memory during the scan, in KiB, and the resident memory before it.
    peak_kib: Option<u64>,
    before_kib: Option<u64>,
}

async fn on_sqlite(pending: u64, layout: Layout) -> Vec<Measured> {
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
    for sql in fill_sqlite(pending, layout) {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .expect("fill SQLite");
    }
    conn.close().await.expect("close");
    println!(
        "SQLite ({}) filled in {:.1?}",
        layout.name(),
        started.elapsed()
    );
    let measured = scans(&store, "SQLite", layout).await;
    store.close().await;
    measured
}

async fn on_postgres(url: &str, pending: u64, layout: Layout) -> Vec<Measured> {
    let (schema, store) = BenchSchema::create(url).await;
    let mut conn = PgConnection::connect_with(&schema.options)
        .await
        .expect("connect");
    let started = Instant::now();
    for sql in fill_postgres(pending, layout) {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .expect("fill PostgreSQL");
    }
    conn.close().await.expect("close");
    println!(
        "PostgreSQL ({}) filled in {:.1?}",
        layout.name(),
        started.elapsed()
    );
    let measured = scans(&store, "PostgreSQL", layout).await;
    store.close().await;
    schema.drop_all().await;
    measured
}

/// The first scan on Monday 1 March 2027 at 06:00 in Geneva, and the next two five and ten
/// minutes later.
async fn scans(store: &Store, database: &'static str, layout: Layout) -> Vec<Measured> {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2027, 3, 1, 5, 0, 0).unwrap());
    let calendar = ZasCalendar::geneva();
    let scan = DeadlineScan {
        store,
        clock: &clock,
        calendar: &calendar,
    };
    let mut measured = Vec::new();
    for (name, goal) in [
        ("first (raises)", FIRST_GOAL),
        ("second (nothing due)", STEADY_GOAL),
        ("third (nothing due)", STEADY_GOAL),
    ] {
        let before_kib = resident_kib("VmRSS");
        reset_peak();
        let started = Instant::now();
        let outcome = scan.run(PENDING_PAGE).await.expect("scan");
        let time = started.elapsed();
        measured.push(Measured {
            database,
            layout,
            scan: name,
            goal,
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
fn fill_sqlite(pending: u64, layout: Layout) -> Vec<String> {
    let age = layout.age_minutes(pending);
    let ack_days_ago = layout.ack_days_ago(pending);
    let order = layout.watch_order();
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
             strftime('%Y-%m-%dT%H:%M:%S+00:00', '{NOW_SQLITE}', '-' || ({age}) || ' minutes'), \
             '{NOW_SQLITE}' FROM s"
        ),
        format!(
            "INSERT INTO acknowledgement_entries (acknowledgement_id, position, announcement_id, \
             fund, reference, key_code, processing_code, details) \
             SELECT ({ack_days_ago}) + 1, i, i, '001.000', 'B-' || i, 61, 2, '{{}}' \
             FROM (SELECT id AS i FROM announcements WHERE state = 'in_progress')"
        ),
        // Each running deadline, as the gateway keeps it (migration 0023).
        format!(
            "INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, \
             state_since) SELECT id, state, CASE state WHEN 'announced' THEN date(state_since) \
             ELSE {FIRST_ACK_DATE} END, fund, state_since FROM announcements ORDER BY {order}"
        ),
        "ANALYZE".to_string(),
    ]
}

/// The same for PostgreSQL.
fn fill_postgres(pending: u64, layout: Layout) -> Vec<String> {
    let age = layout.age_minutes(pending);
    let ack_days_ago = layout.ack_days_ago(pending);
    let order = layout.watch_order();
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
             timestamptz '{NOW_POSTGRES}' - make_interval(mins => ({age})::int), \
             timestamptz '{NOW_POSTGRES}' FROM generate_series(1::bigint, {pending}) AS i"
        ),
        format!(
            "INSERT INTO acknowledgement_entries (acknowledgement_id, position, announcement_id, \
             fund, reference, key_code, processing_code, details) \
             SELECT ({ack_days_ago}) + 1, i, i, '001.000', 'B-' || i, 61, 2, '{{}}' \
             FROM (SELECT id AS i FROM announcements WHERE state = 'in_progress') AS p"
        ),
        format!(
            "INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, \
             state_since) SELECT id, state, CASE state WHEN 'announced' \
             THEN to_char(state_since AT TIME ZONE 'Europe/Zurich', 'YYYY-MM-DD') \
             ELSE {FIRST_ACK_DATE} END, fund, state_since FROM announcements ORDER BY {order}"
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
        "| database | layout | scan | read | reminders raised | time | goal | peak memory added |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---|---:|");
    for m in rows {
        let added = match (m.peak_kib, m.before_kib) {
            (Some(peak), Some(before)) => {
                format!("{:.1} MiB", peak.saturating_sub(before) as f64 / 1024.0)
            }
            _ => "?".to_string(),
        };
        let met = if m.time <= m.goal {
            "met"
        } else {
            "**not met**"
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.3} s | ≤ {} ms: {met} | {} |",
            m.database,
            m.layout.name(),
            m.scan,
            m.outcome.scanned,
            m.outcome.raised,
            m.time.as_secs_f64(),
            m.goal.as_millis(),
            added
        );
    }
    out
}
