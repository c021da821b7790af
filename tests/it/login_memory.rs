//! A flood of logins must not exhaust the memory: each attempt hashes with argon2 (19 MiB), so
//! the hashes run a few at a time (unbounded, on blocking threads, they once took the process to
//! 3 GiB after 200 attempts and past 6 GiB after 400, before any login succeeded).
//!
//! The real `arcgw serve` binary as a child process; 1 000 login attempts at once over loopback
//! (unknown users and wrong passwords of a real account); its resident memory read from
//! `/proc/<pid>/status` before (VmRSS, idle) and after (VmHWM, the peak). The per-address login
//! limit is lifted (`ARCGW_HTTP_LOGINS_PER_MINUTE`) so that every attempt reaches the password
//! check: the limit under test is the one on concurrent hashes, not the one per address.

use std::time::Duration;

use arcgw::domain::Role;
use arcgw::store::Backend;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, RETRY_AFTER};

use crate::support;
use crate::support::db::TestDb;
use crate::support::proc::{Server, command};
use crate::support::web::{FORM, create_account, csrf_of, set_cookie};

/// The attempts sent at once.
const ATTEMPTS: usize = 1_000;
/// The bound: the peak stays below the idle process plus this.
const ABOVE_IDLE_KIB: u64 = 256 * 1024;
/// The longest a client waits for one answer: a hash waits at most 10 s for its turn
/// (`LONGEST_WAIT`), connections beyond the cap of 512 wait for a place first.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(90);

/// A field of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `GET /login`: the anti-CSRF cookie and field every attempt sends (a browser's pair).
async fn login_form(client: &reqwest::Client, base: &str) -> (String, String) {
    let response = client.get(format!("{base}/login")).send().await.unwrap();
    let (cookie, _) = set_cookie(&response, "arcgw_login_csrf").expect("login CSRF cookie");
    let field = csrf_of(&response.text().await.unwrap()).expect("login CSRF field");
    (cookie, field)
}

/// One `POST /login`: its status and whether it carried `Retry-After`.
async fn attempt(
    client: reqwest::Client,
    base: String,
    csrf: (String, String),
    login: String,
) -> Result<(StatusCode, bool), reqwest::Error> {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("login", &login)
        .append_pair("password", "Wrong-pass-2026")
        .append_pair("csrf", &csrf.1)
        .finish();
    let response = client
        .post(format!("{base}/login"))
        .header(COOKIE, format!("arcgw_login_csrf={}", csrf.0))
        .header(CONTENT_TYPE, FORM)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let retry_after = response.headers().contains_key(RETRY_AFTER);
    response.bytes().await?;
    Ok((status, retry_after))
}

async fn thousand_parallel_logins(db: TestDb) {
    create_account(&db.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(&db.url(), dir.path());
    cmd.env("ARCGW_HTTP_LOGINS_PER_MINUTE", "1000000");
    let server = Server::start(cmd);
    let pid = server.child.id();
    let client = reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    // Idle: started, and one attempt made (the dummy hash of unknown users is made once).
    let csrf = login_form(&client, &server.base).await;
    let warm = attempt(
        client.clone(),
        server.base.clone(),
        csrf.clone(),
        "nobody".into(),
    );
    assert_eq!(warm.await.unwrap().0, StatusCode::UNAUTHORIZED);
    let idle = status_kib(pid, "VmRSS:");

    let attempts: Vec<_> = (0..ATTEMPTS)
        .map(|i| {
            // Half for unknown users, half for the real account with wrong passwords.
            let login = if i.is_multiple_of(2) {
                format!("nobody{i}")
            } else {
                "mrossi".to_string()
            };
            tokio::spawn(attempt(
                client.clone(),
                server.base.clone(),
                csrf.clone(),
                login,
            ))
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    let mut unanswered = Vec::new();
    for attempt in attempts {
        let (status, retry_after) = match attempt.await.unwrap() {
            Ok(answer) => answer,
            Err(e) => {
                unanswered.push(e.to_string());
                continue;
            }
        };
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                assert!(retry_after, "{status} without Retry-After")
            }
            other => panic!("a login attempt answered {other}"),
        }
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
    }
    let peak = status_kib(pid, "VmHWM:");
    eprintln!(
        "{ATTEMPTS} attempts: {statuses:?}, {} unanswered; idle {} MiB, peak {} MiB",
        unanswered.len(),
        idle / 1024,
        peak / 1024
    );
    assert!(
        unanswered.is_empty(),
        "{} attempts got no answer, the first: {}",
        unanswered.len(),
        unanswered[0]
    );
    assert_eq!(statuses.values().sum::<usize>(), ATTEMPTS);
    assert!(
        statuses.get(&401).copied().unwrap_or(0) > 0,
        "some attempts were checked: {statuses:?}"
    );
    assert!(
        peak < idle + ABOVE_IDLE_KIB,
        "peak {} MiB, more than 256 MiB above idle ({} MiB)",
        peak / 1024,
        idle / 1024
    );
    // Still serving.
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(server.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_thousand_parallel_logins_stay_within_256_mib_above_idle() {
    support::db::run(Backend::Sqlite, thousand_parallel_logins).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_thousand_parallel_logins_stay_within_256_mib_above_idle() {
    support::db::run(Backend::Postgres, thousand_parallel_logins).await;
}
