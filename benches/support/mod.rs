//! What the benchmarks share: a fresh PostgreSQL schema of their own for a run, migrated, and
//! dropped at the end.
#![allow(dead_code)]

use std::str::FromStr;

use arcgw::store::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A schema made for one run on the server of `ARCGW_TEST_PG_URL`.
pub struct BenchSchema {
    url: String,
    name: String,
    /// Connections into the schema (its `search_path`).
    pub options: PgConnectOptions,
}

impl BenchSchema {
    /// Creates the schema and returns it with a migrated store in it.
    pub async fn create(url: &str) -> (BenchSchema, Store) {
        let name = format!("arcgw_bench_{}", uuid::Uuid::new_v4().simple());
        // The name is made of a fixed start and hexadecimal digits only.
        execute(url, format!("CREATE SCHEMA {name}")).await;
        let options = PgConnectOptions::from_str(url)
            .expect("ARCGW_TEST_PG_URL is a PostgreSQL URL")
            .options([("search_path", name.as_str())]);
        let store = Store::connect_postgres(options.clone())
            .await
            .expect("connect to PostgreSQL");
        store.migrate().await.expect("migrate PostgreSQL");
        let schema = BenchSchema {
            url: url.to_string(),
            name,
            options,
        };
        (schema, store)
    }

    /// Drops the schema and all in it.
    pub async fn drop_all(self) {
        execute(
            &self.url,
            format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        )
        .await;
    }
}

async fn execute(url: &str, sql: String) {
    let mut conn = PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("create or drop the benchmark schema");
    let _ = conn.close().await;
}

/// The machine's one-minute load average (other work on the machine slows a run down).
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// A field of `/proc/<pid>/status` (`VmRSS:`, `VmHWM:`), in KiB.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The checkout's commit, short, with `+changes` when the working tree differs from it.
pub fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "?".into();
    };
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !changes.is_empty() => format!("{head}+changes"),
        _ => head,
    }
}

/// How the benchmark (and the binary it runs) was built.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release"
    }
}

/// One line on where a run was made: date, cores, processor, load, commit.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let load = load_average().map_or("?".into(), |l| format!("{l:.2}"));
    format!(
        "{} UTC, {cores} CPUs ({cpu}), load {load}, commit `{}`",
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        commit()
    )
}

/// The value below which `q` of the sorted `values` lie (nearest rank).
pub fn percentile(sorted: &[std::time::Duration], q: f64) -> std::time::Duration {
    if sorted.is_empty() {
        return std::time::Duration::ZERO;
    }
    let rank = (sorted.len() as f64 * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Prints a benchmark's Markdown report and writes it to `target/bench-<name>.md`.
pub fn publish(name: &str, report: &str) {
    println!("\n{report}");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-{name}.md"));
    std::fs::write(&path, report).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    println!("(also written to {})", path.display());
}

/// An HTTP client speaking from `address` (any of 127.0.0.0/8 on loopback), waiting at most
/// `timeout` for an answer, following no redirect.
pub fn client_from(address: std::net::IpAddr, timeout: std::time::Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}
