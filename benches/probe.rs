//! The hostile-request probe: the real `arcgw serve` binary (release, default
//! configuration) as a child process on a loopback port, on a fresh SQLite file and on a fresh
//! PostgreSQL schema (when `ARCGW_TEST_PG_URL` is set), sent the hostile requests the issue's
//! black-box probe found its defects with, category by category.
//!
//! Each request (or connection) is judged *handled* when the answer is the documented one (the
//! status and, where the issue asks for it, the error's field or the refusal's reason), no 5xx,
//! an answer of at most [`ANSWER_BOUND`], and nothing stored that must not be (read in the
//! database afterwards); otherwise it is a *defect*, printed with what was seen. The server's
//! peak memory (VmHWM of `/proc/<pid>/status`, reset before each category) must stay within
//! [`MEMORY_BOUND`] of its resident memory before it; a category beyond it counts one defect
//! more. The process exits 1 when there is any defect.
//!
//! A benchmark target rather than a test: it is a measurement of the release binary that prints
//! figures for the README (tried / handled / defects), takes a minute or two per database and
//! is run on purpose (`cargo bench --bench probe`, `scripts/bench.sh probe`); the properties
//! themselves have their tests (the modules `limits`, `api`, `sessions`, `accounts`,
//! `validate_rules` and `login_memory` of `tests/it/`). The table is also written to
//! `target/bench-probe.md`.
//!
//! The gateway reads XML only from the ZAS (transmissions' receipts, the acknowledgement feed),
//! never from its own clients: over HTTP the probe checks that XML bodies are refused unread;
//! the XML readers' hostile input (DTDs, entities, depth, size) is tested in
//! `tests/it/dtxml_hostile.rs` and `tests/it/sim.rs`.

#[path = "support/backends.rs"]
mod backends;
#[path = "support/it.rs"]
mod it;
#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

use arcgw::domain::Role;
use arcgw::store::{Backend, Store};
use backends::on_each_backend;
use it::db::{TestDb, avs, columns, occurrences};
use it::proc::{Server, command, create_token};
use it::web::{FORM, PASSWORD, create_account, csrf_of, set_cookie};
use reqwest::header::{CONTENT_TYPE, COOKIE};
use serde_json::{Value, json};
use support::{machine, profile, publish, status_kib};

/// The largest answer a request may get (a capped validation report is about 200 KB).
const ANSWER_BOUND: usize = 2 * 1024 * 1024;
/// The server's peak memory during a category at most this above its resident memory before.
const MEMORY_BOUND: u64 = 256 * 1024;
/// The longest a client waits for an answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// The server's default header-read timeout, and what a slow or idle connection is given
/// beyond it before it counts as held open.
const HEADER_READ: Duration = Duration::from_secs(10);
const GRACE: Duration = Duration::from_secs(5);
/// The server's default request timeout (a body that stops coming).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Slow and idle connections held at once (each kind): well below the cap of 512.
const SLOW_CONNECTIONS: usize = 40;
const FUND: &str = "066.000";

/// What one request got.
struct Answer {
    /// 0: no answer (connection error or timeout).
    status: u16,
    /// Up to [`ANSWER_BOUND`] + 1 bytes of the body.
    body: Vec<u8>,
    retry_after: bool,
    elapsed: Duration,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(300)]).into_owned()
    }

    /// No 5xx, an answer, of bounded size.
    fn sound(&self) -> bool {
        self.status != 0 && self.status < 500 && self.body.len() <= ANSWER_BOUND
    }

    fn is(&self, statuses: &[u16]) -> bool {
        self.sound() && statuses.contains(&self.status)
    }

    /// The validation report names `field` among its errors.
    fn names_field(&self, field: &str) -> bool {
        self.json()["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
    }
}

/// Sends `request` and reads at most [`ANSWER_BOUND`] + 1 bytes of the answer.
async fn send(request: reqwest::RequestBuilder) -> Answer {
    let started = Instant::now();
    let mut response = match request.send().await {
        Ok(response) => response,
        // No answer: the error, for the report.
        Err(e) => {
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                why.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            return Answer {
                status: 0,
                body: why.into_bytes(),
                retry_after: false,
                elapsed: started.elapsed(),
            };
        }
    };
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let mut body = Vec::new();
    while body.len() <= ANSWER_BOUND {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(_) => {
                return Answer {
                    status: 0,
                    body,
                    retry_after,
                    elapsed: started.elapsed(),
                };
            }
        }
    }
    Answer {
        status,
        body,
        retry_after,
        elapsed: started.elapsed(),
    }
}

/// The figures of one category.
#[derive(Default)]
struct Tally {
    tried: usize,
    handled: usize,
    defects: Vec<String>,
    /// The server's peak memory above its resident memory before the category, in KiB.
    peak_above_kib: u64,
}

/// One database's probe.
struct Probe {
    base: String,
    token: String,
    store: Store,
    pid: u32,
    fund: reqwest::Client,
    tallies: Vec<(&'static str, Tally)>,
    serial: u64,
}

fn client_from(address: IpAddr) -> reqwest::Client {
    support::client_from(address, CLIENT_TIMEOUT)
}

impl Probe {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Starts a category: resets the server's peak memory.
    fn begin(&mut self, category: &'static str) -> u64 {
        println!("  {category} …");
        self.tallies.push((category, Tally::default()));
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5");
        status_kib(self.pid, "VmRSS:").unwrap_or(0)
    }

    /// Ends the current category: its peak memory against the bound.
    fn end(&mut self, resident_before: u64) {
        let peak = status_kib(self.pid, "VmHWM:").unwrap_or(0);
        let above = peak.saturating_sub(resident_before);
        let tally = &mut self.tallies.last_mut().expect("a category").1;
        tally.peak_above_kib = above;
        if above > MEMORY_BOUND {
            tally.defects.push(format!(
                "the server's peak memory rose {} MiB (bound {} MiB)",
                above / 1024,
                MEMORY_BOUND / 1024
            ));
        }
    }

    fn judge(&mut self, handled: bool, what: impl FnOnce() -> String) {
        let tally = &mut self.tallies.last_mut().expect("a category").1;
        tally.tried += 1;
        if handled {
            tally.handled += 1;
        } else {
            tally.defects.push(what());
        }
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// A valid key-61 announcement with a fresh AVS number.
    fn key_61(&mut self, reference: &str) -> Value {
        let serial = self.next_serial();
        json!({"fund": FUND, "reference": reference, "key": 61,
               "avs_number": avs(serial).to_string()})
    }

    /// A valid key-11 announcement (a new person, no AVS number) with these names.
    fn key_11(reference: &str, surname: &str, given_names: &str) -> Value {
        json!({"fund": FUND, "reference": reference, "key": 11,
               "person": {"surname": surname, "given_names": given_names, "sex": 2,
                          "birth_date": "1980-03-14", "country": 100}})
    }

    fn post(&self, body: impl Into<reqwest::Body>) -> reqwest::RequestBuilder {
        self.fund
            .post(self.url("/api/v1/announcements"))
            .bearer_auth(&self.token)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
    }

    async fn post_json(&self, body: &Value) -> Answer {
        send(self.post(body.to_string())).await
    }

    /// Announcements stored with `reference`.
    async fn stored(&self, reference: &str) -> i64 {
        occurrences(&self.store, "announcements", "reference", reference).await
    }

    /// Values anywhere in the database that contain `needle`.
    async fn anywhere(&self, needle: &str) -> i64 {
        let mut found = 0;
        for (table, column) in columns(&self.store).await {
            found += occurrences(&self.store, &table, &column, needle).await;
        }
        found
    }

    async fn rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.store {
            Store::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .expect("count"),
            Store::Postgres(pool) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .expect("count"),
        }
    }
}

#[tokio::main]
async fn main() {
    let before = machine();
    let results = on_each_backend(probe).await;
    let (report, defects) = render(&before, &results);
    publish("probe", &report);
    if defects > 0 {
        std::process::exit(1);
    }
}

async fn probe(db: TestDb, backend: Backend) -> Vec<(&'static str, Tally)> {
    println!("{backend:?}:");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let token = create_token(&db.url(), dir.path(), &[FUND]);
    let server = Server::start(command(&db.url(), dir.path()));
    let mut p = Probe {
        base: server.base.clone(),
        token,
        store: db.store.clone(),
        pid: server.child.id(),
        fund: client_from(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        tallies: Vec::new(),
        serial: 0,
    };
    huge_and_nested(&mut p).await;
    million_empty_objects(&mut p).await;
    quadratic_n_3102(&mut p).await;
    slow_and_idle(&mut p).await;
    unauthenticated_flood(&mut p).await;
    parallel_login_guesses(&mut p).await;
    idempotency_races(&mut p).await;
    avs_in_references(&mut p).await;
    avs_in_idempotency_keys(&mut p).await;
    field_paths(&mut p).await;
    hostile_names(&mut p).await;
    trivial_passwords(&mut p).await;
    malformed_json(&mut p).await;
    wrong_types(&mut p).await;
    xml(&mut p).await;
    assert_eq!(server.stop(), Some(0), "a clean stop on SIGTERM");
    p.tallies
}

// ---------------------------------------------------------------------------------------------
// Memory

async fn huge_and_nested(p: &mut Probe) {
    let before = p.begin("huge and deeply nested bodies");
    let seventeen_mib = format!(
        "{{\"announcements\": [{}]}}",
        vec![r#"{"fund": "066.000", "reference": "HUGE", "key": 61}"#; 350_000].join(",")
    );
    let depth = 100_000;
    let bodies: Vec<(&str, String)> = vec![
        ("17 MiB of announcements", seventeen_mib),
        (
            "arrays nested 100 000 deep",
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "objects nested 100 000 deep",
            format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)),
        ),
        (
            "a person nested 10 000 deep",
            format!(
                r#"{{"fund": "066.000", "reference": "NEST", "key": 11, "person": {}1{}}}"#,
                r#"{"surname":"#.repeat(10_000),
                "}".repeat(10_000)
            ),
        ),
        (
            "a surname of 15 MiB",
            Probe::key_11("LONG-NAME", &"a".repeat(15 << 20), "Anna").to_string(),
        ),
        (
            "an unknown field holding 2 million numbers",
            format!(
                r#"{{"fund": "066.000", "reference": "EXTRA", "key": 61, "extra": [{}]}}"#,
                vec!["1"; 2_000_000].join(",")
            ),
        ),
    ];
    for (what, body) in bodies {
        let answer = send(p.post(body)).await;
        p.judge(answer.is(&[400, 413, 422]), || {
            format!("{what}: {} {}", answer.status, answer.text())
        });
    }
    for reference in ["HUGE", "NEST", "LONG-NAME", "EXTRA"] {
        let stored = p.stored(reference).await;
        p.judge(stored == 0, || {
            format!("{reference}: {stored} stored from a refused body")
        });
    }
    p.end(before);
}

async fn million_empty_objects(p: &mut Probe) {
    let before = p.begin("1M `{}` arrays");
    let million = vec!["{}"; 1_000_000].join(",");
    let most = vec!["{}"; 5_500_000].join(",");
    for (what, body) in [
        (
            "1 million {} in announcements",
            format!(r#"{{"announcements": [{million}]}}"#),
        ),
        ("1 million {} as the body", format!("[{million}]")),
        (
            "5.5 million {} (16 MiB)",
            format!(r#"{{"announcements": [{most}]}}"#),
        ),
    ] {
        let answer = send(p.post(body)).await;
        let report = answer.json();
        // The report lists its first errors and counts the rest (bounded answers).
        let capped = report["errors"].as_array().is_some_and(|e| e.len() <= 1000)
            && report["errors_omitted"].as_u64().is_some_and(|n| n > 0);
        p.judge(
            answer.is(&[400, 413]) || (answer.is(&[422]) && capped),
            || {
                format!(
                    "{what}: {} with {} bytes {}",
                    answer.status,
                    answer.body.len(),
                    answer.text()
                )
            },
        );
    }
    p.end(before);
}

async fn quadratic_n_3102(p: &mut Probe) {
    let before = p.begin("quadratic N. 3102");
    for orders in [1_500, 3_000] {
        let person = avs(900_000 + orders).to_string();
        let mut announcements = Vec::new();
        for i in 0..orders {
            announcements.push(
                json!({"fund": FUND, "reference": format!("Q{orders}-99-{i}"),
                "key": 99, "avs_number": person, "rci": {"closing": "2026-12"}}),
            );
            announcements.push(
                json!({"fund": FUND, "reference": format!("Q{orders}-81-{i}"),
                "key": 81, "avs_number": person,
                "rci": {"beneficiary": "insured", "closing": "2026-12", "order_date": "2026-11-20",
                        "domicile": {"code": 1, "from": "1985-01-01", "to": "2026-12-31"}}}),
            );
        }
        let body = json!({ "announcements": announcements }).to_string();
        let request = p.post(body);
        let submission = tokio::spawn(send(request));
        // The service answers others meanwhile.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let health = send(p.fund.get(p.url("/healthz"))).await;
            p.judge(
                health.is(&[200]) && health.elapsed < Duration::from_secs(1),
                || {
                    format!(
                        "/healthz during {orders}+{orders} orders: {} in {:?}",
                        health.status, health.elapsed
                    )
                },
            );
        }
        let answer = submission.await.expect("the submission");
        let n_3102 = ["warnings", "errors"]
            .iter()
            .filter_map(|list| answer.json()[list].as_array().cloned())
            .flatten()
            .filter(|f| f["rule"].as_str().is_some_and(|r| r.contains("3102")))
            .count();
        p.judge(
            answer.is(&[202, 422]) && n_3102 <= 1 && answer.elapsed < Duration::from_secs(20),
            || {
                format!(
                    "{orders} + {orders} orders of one person: {} in {:?}, {} bytes, {n_3102} \
                     N. 3102 findings",
                    answer.status,
                    answer.elapsed,
                    answer.body.len()
                )
            },
        );
    }
    p.end(before);
}

// ---------------------------------------------------------------------------------------------
// Connections

/// How a held connection ended: closed by the server (and after how long, with what), or
/// still open at `within`.
fn hold(address: &str, first: &[u8], drip: Option<&'static [u8]>, within: Duration) -> String {
    let started = Instant::now();
    let Ok(mut stream) = TcpStream::connect(address) else {
        return "no connection".into();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(1000)));
    if stream.write_all(first).is_err() {
        return format!("closed after {} s", started.elapsed().as_secs());
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < within {
        if let Some(line) = drip
            && stream.write_all(line).is_err()
        {
            break;
        }
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    if started.elapsed() >= within {
        return "open".into();
    }
    let status = String::from_utf8_lossy(&answer[..answer.len().min(12)]).into_owned();
    format!("closed after {} s, {status:?}", started.elapsed().as_secs())
}

async fn slow_and_idle(p: &mut Probe) {
    let before = p.begin("slow and idle connections");
    let address = p.base.trim_start_matches("http://").to_string();
    // With the fund's token: the body is read only once the request is authenticated.
    let stalled = format!(
        "POST /api/v1/announcements HTTP/1.1\r\nHost: arcgw\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"announc",
        p.token
    );
    let mut held = Vec::new();
    for i in 0..SLOW_CONNECTIONS * 3 {
        let address = address.clone();
        let stalled = stalled.clone();
        held.push(tokio::task::spawn_blocking(move || match i % 3 {
            // One header line a second.
            0 => (
                "one header line a second",
                hold(
                    &address,
                    b"GET /healthz HTTP/1.1\r\n",
                    Some(b"X-Slow: 1\r\n"),
                    HEADER_READ + GRACE,
                ),
            ),
            // Connected, nothing sent.
            1 => ("idle", hold(&address, b"", None, HEADER_READ + GRACE)),
            // Headers whole, the body stops after 10 of 1 000 bytes.
            _ => (
                "a body that stops",
                hold(&address, stalled.as_bytes(), None, REQUEST_TIMEOUT + GRACE),
            ),
        }));
    }
    // The service answers others meanwhile.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let health = send(p.fund.get(p.url("/healthz"))).await;
        p.judge(
            health.is(&[200]) && health.elapsed < Duration::from_secs(1),
            || {
                format!(
                    "/healthz beside {} slow connections: {} in {:?}",
                    SLOW_CONNECTIONS * 3,
                    health.status,
                    health.elapsed
                )
            },
        );
    }
    let mut ends = std::collections::BTreeMap::new();
    for connection in held {
        let (what, end) = connection.await.expect("a held connection");
        p.judge(end.starts_with("closed"), || format!("{what}: {end}"));
        *ends.entry(format!("{what}: {end}")).or_insert(0) += 1;
    }
    for (end, n) in ends {
        println!("    {n} × {end}");
    }
    p.end(before);
}

async fn unauthenticated_flood(p: &mut Probe) {
    let before = p.begin("unauthenticated floods");
    let flood = client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 2, 1)));
    let audit_before = p.rows("audit_events").await;
    let mut answers = Vec::new();
    for i in 0..300u32 {
        let url = p.url("/api/v1/announcements");
        let request = match i % 3 {
            0 => flood.get(&url).bearer_auth("arcgw_0000000000000000_00"),
            1 => flood.post(&url).body("{}"),
            _ => flood.get(&url).bearer_auth(format!("arcgw_{i:016}_{i:02}")),
        };
        answers.push(tokio::spawn(send(request)));
        if i.is_multiple_of(30) {
            // The fund, from its own address, is served throughout.
            let list = send(
                p.fund
                    .get(p.url("/api/v1/announcements"))
                    .bearer_auth(&p.token),
            )
            .await;
            p.judge(list.is(&[200]), || {
                format!("the fund during the flood: {}", list.status)
            });
        }
    }
    let mut flood_answers = Vec::new();
    for answer in answers {
        flood_answers.push(answer.await.expect("an answer"));
    }
    // One audit event per address and minute, not one per request (a flood writes no flood of rows).
    let written = p.rows("audit_events").await - audit_before;
    for answer in flood_answers {
        let limited_with_wait = answer.status != 429 || answer.retry_after;
        p.judge(
            answer.is(&[401, 429]) && limited_with_wait && written < 30,
            || {
                format!(
                    "{} (Retry-After: {}), {written} audit rows written for 300 requests",
                    answer.status, answer.retry_after
                )
            },
        );
    }
    p.end(before);
}

/// `GET /login`: the anti-CSRF cookie and field of the form.
async fn login_form(client: &reqwest::Client, base: &str) -> (String, String) {
    let form = send(client.get(format!("{base}/login"))).await;
    let page = String::from_utf8_lossy(&form.body).into_owned();
    let field = csrf_of(&page).expect("the login form's CSRF field");
    // The cookie carries the same value as the field.
    (field.clone(), field)
}

fn login_request(
    client: &reqwest::Client,
    base: &str,
    csrf: &(String, String),
    login: &str,
    password: &str,
) -> reqwest::RequestBuilder {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("login", login)
        .append_pair("password", password)
        .append_pair("csrf", &csrf.1)
        .finish();
    client
        .post(format!("{base}/login"))
        .header(COOKIE, format!("arcgw_login_csrf={}", csrf.0))
        .header(CONTENT_TYPE, FORM)
        .body(body)
}

async fn parallel_login_guesses(p: &mut Probe) {
    let before = p.begin("parallel login guesses");
    create_account(&p.store, "target", Role::Clerk, &[FUND]).await;
    let clients: Vec<_> = (1..=25)
        .map(|i| client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 3, i))))
        .collect();
    let csrf = login_form(&clients[0], &p.base).await;
    // 100 wrong guesses at once, from 25 addresses (under the limit per address).
    let guesses: Vec<_> = (0..100)
        .map(|i| {
            let request = login_request(
                &clients[i % clients.len()],
                &p.base,
                &csrf,
                "target",
                &format!("Wrong-guess-{i}"),
            );
            tokio::spawn(send(request))
        })
        .collect();
    for guess in guesses {
        let answer = guess.await.expect("an answer");
        p.judge(answer.is(&[401, 429, 503]), || {
            format!("a wrong guess: {} {}", answer.status, answer.text())
        });
    }
    // Then the right password: the account is locked as after 100 serial guesses.
    let right = send(login_request(&p.fund, &p.base, &csrf, "target", PASSWORD)).await;
    p.judge(right.is(&[401, 429]), || {
        format!(
            "the right password after 100 parallel wrong guesses: {}",
            right.status
        )
    });
    p.end(before);
}

async fn idempotency_races(p: &mut Probe) {
    let before = p.begin("Idempotency-Key races");
    for round in 0..3 {
        let key = format!("probe-race-{round}-{}", uuid::Uuid::new_v4().simple());
        let bodies: Vec<Value> = (0..50)
            .map(|i| p.key_61(&format!("IDEM-{round}-{i:02}")))
            .collect();
        let racers: Vec<_> = bodies
            .iter()
            .map(|body| {
                let request = p.post(body.to_string()).header("Idempotency-Key", &key);
                tokio::spawn(send(request))
            })
            .collect();
        let mut answers = Vec::new();
        for racer in racers {
            answers.push(racer.await.expect("an answer"));
        }
        let mut stored = Vec::new();
        for i in 0..50 {
            if p.stored(&format!("IDEM-{round}-{i:02}")).await > 0 {
                stored.push(i);
            }
        }
        let winners: Vec<usize> = (0..50).filter(|i| answers[*i].status == 202).collect();
        let one_stored = stored.len() == 1 && winners == stored;
        for answer in &answers {
            let documented = answer.is(&[202])
                || (answer.is(&[422]) && answer.json()["error"] == "idempotency_key_reused")
                || (answer.is(&[409, 429, 503]) && answer.json()["error"] != Value::Null);
            p.judge(documented && one_stored, || {
                format!(
                    "round {round}: {} {}; 202 for {winners:?}, stored {stored:?}",
                    answer.status,
                    answer.text()
                )
            });
        }
        // The winner replays its own request: its answer again, nothing new.
        if let Some(&winner) = winners.first() {
            let replay = send(
                p.post(bodies[winner].to_string())
                    .header("Idempotency-Key", &key),
            )
            .await;
            let again = p.stored(&format!("IDEM-{round}-{winner:02}")).await;
            p.judge(replay.is(&[200, 202]) && again == 1, || {
                format!("the winner's replay: {} {}", replay.status, replay.text())
            });
        }
    }
    p.end(before);
}

// ---------------------------------------------------------------------------------------------
// AVS numbers where they must not be (art. 3)

/// The AVS number 756.1234.5678.97 written with every separator of item 8, and more.
const AVS_WRITINGS: [&str; 20] = [
    "756.1234.5678.97",
    "7561234567897",
    "756/1234/5678/97",
    "756_1234_5678_97",
    "756:1234:5678:97",
    "756,1234,5678,97",
    "756|1234|5678|97",
    "756..1234.5678.97",
    "756. 1234.5678.97",
    "(756)1234567897",
    "756 / 1234567897",
    "756-1234-5678-97",
    "756 1234 5678 97",
    "756+1234+5678+97",
    "756#1234#5678#97",
    "756'1234'5678'97",
    "756=1234=5678=97",
    "756*1234*5678*97",
    "[756]-[1234]-[5678]-[97]",
    // Not a valid check digit: still an AVS number's shape.
    "756.1234.5678.90",
];

async fn avs_in_references(p: &mut Probe) {
    let before = p.begin("AVS numbers in references");
    for (i, writing) in AVS_WRITINGS.iter().enumerate() {
        for reference in [
            writing.to_string(),
            format!("R{i}-{writing}"),
            format!("{writing}-R{i}"),
        ] {
            let body = p.key_61(&reference);
            let answer = p.post_json(&body).await;
            let stored = p.stored(&reference).await;
            let named = answer.names_field("reference");
            p.judge(answer.is(&[422]) && named && stored == 0, || {
                format!(
                    "reference {reference:?}: {} (stored {stored}) {}",
                    answer.status,
                    answer.text()
                )
            });
        }
    }
    p.end(before);
}

async fn avs_in_idempotency_keys(p: &mut Probe) {
    let before = p.begin("Idempotency-Key holding an AVS number");
    for (i, key) in [
        "756.9876.5432.10",
        "7569876543210",
        "756-9876-5432-10",
        "key 756.9876.5432.10",
        "756/9876/5432/10",
    ]
    .iter()
    .enumerate()
    {
        let body = p.key_61(&format!("IK-{i}"));
        let answer = send(p.post(body.to_string()).header("Idempotency-Key", *key)).await;
        let found = p.anywhere(key).await + p.anywhere("9876543210").await;
        p.judge(answer.is(&[202, 400]) && found == 0, || {
            format!(
                "Idempotency-Key {key:?}: {}, found {found} times in the database",
                answer.status
            )
        });
    }
    p.end(before);
}

// ---------------------------------------------------------------------------------------------
// Input that is accepted but wrong

async fn field_paths(p: &mut Probe) {
    let before = p.begin("wrong field paths");
    let person = |field: &str, value: Value| {
        let mut a = Probe::key_11("FP", "Keller", "Lea");
        a["person"][field] = value;
        a
    };
    let rci = |pointer: &str, value: Value| {
        let mut a = json!({"fund": FUND, "reference": "FP", "key": 81,
            "avs_number": avs(800_001).to_string(),
            "rci": {"beneficiary": "insured", "closing": "2026-12", "order_date": "2026-11-20",
                    "domicile": {"code": 1, "from": "1985-01-01", "to": "2026-12-31"}}});
        *a.pointer_mut(pointer).expect("a field of the RCI") = value;
        a
    };
    let cases: Vec<(Value, &str)> = vec![
        (person("given_names", json!("Anton9")), "person.given_names"),
        (person("given_names", json!("An<ton")), "person.given_names"),
        (person("surname", json!("Kel9ler")), "person.surname"),
        (person("surname", json!("")), "person.surname"),
        (
            person("birth_date", json!("1980-13-01")),
            "person.birth_date",
        ),
        (
            person("birth_date", json!("2999-01-01")),
            "person.birth_date",
        ),
        (person("sex", json!(3)), "person.sex"),
        (person("country", json!(99_999)), "person.country"),
        (
            json!({"fund": FUND, "reference": "FP", "key": 61, "avs_number": "756.1234.5678.90"}),
            "avs_number",
        ),
        (
            json!({"fund": "66.000", "reference": "FP", "key": 61,
                   "avs_number": avs(800_002).to_string()}),
            "fund",
        ),
        (
            json!({"fund": FUND, "reference": "FP", "key": 12,
                   "avs_number": avs(800_003).to_string()}),
            "key",
        ),
        (
            json!({"fund": FUND, "reference": "", "key": 61,
                   "avs_number": avs(800_004).to_string()}),
            "reference",
        ),
        (rci("/rci/closing", json!("2026-13")), "rci.closing"),
        (rci("/rci/domicile/code", json!(99)), "rci.domicile.code"),
        (
            rci("/rci/order_date", json!("2026-02-30")),
            "rci.order_date",
        ),
    ];
    for (announcement, field) in cases {
        let answer = p.post_json(&announcement).await;
        p.judge(answer.is(&[422]) && answer.names_field(field), || {
            format!("{field}: {} {}", answer.status, answer.text())
        });
    }
    let stored = p.stored("FP").await;
    p.judge(stored == 0, || {
        format!("{stored} invalid announcements stored")
    });
    p.end(before);
}

async fn hostile_names(p: &mut Probe) {
    let before = p.begin("hostile names");
    let refused = [
        "...",
        "'''",
        "\u{3164}",
        "\u{FF2D}\u{FC}ller",
        "Ho\u{FB00}mann",
        "\u{216B}",
        "\u{041C}\u{0430}\u{0440}\u{0438}\u{044F}",
        "M\u{0435}ier",
        "M\u{FC}l\u{200D}ler",
        "\u{202E}rell\u{FC}M",
        "\u{0301}",
        "M\u{FC}ller\u{1F600}",
        "M\u{FC}ller\u{0000}",
        "M\u{FC}ller\u{0007}",
        "<script>alert(1)</script>",
        "Robert'); DROP TABLE persons;--",
        "M\u{FC}ller\u{00A0}",
        "\u{00AD}Keller",
        "K\u{E9}ller\u{FEFF}",
        "--",
    ];
    for (i, name) in refused.iter().enumerate() {
        for field in ["surname", "given_names"] {
            let reference = format!("HN-{field}-{i}");
            let announcement = if field == "surname" {
                Probe::key_11(&reference, name, "Anna")
            } else {
                Probe::key_11(&reference, "Keller", name)
            };
            let answer = p.post_json(&announcement).await;
            let stored = p.stored(&reference).await;
            p.judge(
                answer.is(&[422]) && answer.names_field(&format!("person.{field}")) && stored == 0,
                || {
                    format!(
                        "{field} {name:?}: {} (stored {stored}) {}",
                        answer.status,
                        answer.text()
                    )
                },
            );
        }
    }
    // Real names, the decomposed (NFD) form included: accepted.
    for (i, name) in [
        "Mu\u{0308}ller",
        "M\u{FC}ller",
        "d'Alembert",
        "von Wattenwyl-Steiger",
        "\u{C7}elik",
    ]
    .iter()
    .enumerate()
    {
        let reference = format!("HN-real-{i}");
        let answer = p.post_json(&Probe::key_11(&reference, name, "Anna")).await;
        p.judge(answer.is(&[202]), || {
            format!("surname {name:?}: {} {}", answer.status, answer.text())
        });
    }
    p.end(before);
}

async fn trivial_passwords(p: &mut Probe) {
    let before = p.begin("trivial passwords");
    create_account(&p.store, "pwholder", Role::Clerk, &[FUND]).await;
    let csrf = login_form(&p.fund, &p.base).await;
    let signed_in = login_request(&p.fund, &p.base, &csrf, "pwholder", PASSWORD)
        .send()
        .await
        .ok()
        .filter(|r| r.status() == 303)
        .and_then(|r| set_cookie(&r, "arcgw_session").map(|(value, _)| value));
    let Some(session) = signed_in else {
        p.judge(false, || "no session after signing in".into());
        p.end(before);
        return;
    };
    let cookie = format!("arcgw_session={session}");
    let page = send(p.fund.get(p.url("/password")).header(COOKIE, &cookie)).await;
    let field = csrf_of(&String::from_utf8_lossy(&page.body)).unwrap_or_default();
    let mut current = PASSWORD.to_string();
    for trivial in [
        "Password1",
        "password1",
        "Passwort1",
        "aaaaaaaa1",
        "Aaaaaaaaaa",
        "Motdepasse1",
        "Passwort123!",
        "Qwertz123",
        "Qwerty123",
        "12345678Ab",
        "pwholder1",
        "Pwholder2026",
        "Sommer2026",
        "Ciao12345",
        "Bonjour123",
        "Abcd1234",
    ] {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("current", &current)
            .append_pair("new", trivial)
            .append_pair("repeat", trivial)
            .append_pair("csrf", &field)
            .finish();
        let answer = send(
            p.fund
                .post(p.url("/password"))
                .header(COOKIE, &cookie)
                .header(CONTENT_TYPE, FORM)
                .body(body),
        )
        .await;
        let refused = answer.sound() && answer.status != 303 && answer.status < 500;
        if answer.status == 303 {
            current = trivial.to_string();
        }
        p.judge(refused, || {
            format!("new password {trivial:?}: {}", answer.status)
        });
    }
    p.end(before);
}

async fn malformed_json(p: &mut Probe) {
    let before = p.begin("malformed and non-UTF-8 JSON");
    let valid = p.key_61("MJ-BASE").to_string();
    let mut bodies: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("one brace", b"{".to_vec()),
        ("cut short", valid.as_bytes()[..valid.len() / 2].to_vec()),
        ("invalid UTF-8", b"{\"fund\": \"066.000\xff\xfe\"}".to_vec()),
        ("overlong UTF-8", b"{\"fund\": \"\xc0\xaf\"}".to_vec()),
        ("raw NUL", b"{\"fund\": \"066.000\0\"}".to_vec()),
        ("trailing comma", b"{\"fund\": \"066.000\",}".to_vec()),
        ("comment", b"/* x */ {\"fund\": \"066.000\"}".to_vec()),
        ("single quotes", b"{'fund': '066.000'}".to_vec()),
        ("NaN", b"{\"fund\": \"066.000\", \"key\": NaN}".to_vec()),
        ("1e999", b"{\"fund\": \"066.000\", \"key\": 1e999}".to_vec()),
        ("two documents", format!("{valid}{valid}").into_bytes()),
        ("garbage after", format!("{valid}xyz").into_bytes()),
        ("only whitespace", b"   \n\t  ".to_vec()),
        (
            "a lone surrogate",
            br#"{"fund": "066.000", "reference": "\ud800", "key": 61}"#.to_vec(),
        ),
        (
            "an escaped NUL",
            br#"{"fund": "066.000", "reference": "MJ\u0000", "key": 61}"#.to_vec(),
        ),
        (
            "duplicate keys",
            br#"{"fund": "066.000", "reference": "MJ-DUP", "key": 61, "key": 11}"#.to_vec(),
        ),
    ];
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in valid.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    bodies.push(("UTF-16", utf16));
    for (what, body) in bodies {
        let answer = send(p.post(body)).await;
        p.judge(answer.is(&[400, 415, 422]), || {
            format!("{what}: {} {}", answer.status, answer.text())
        });
    }
    // A right body under other content types: read as JSON all the same, as documented (the
    // README's `curl --data-binary` sends `application/x-www-form-urlencoded`); the API takes
    // a bearer token only, so no browser sends it across sites.
    let right = p.key_61("CT-BASE").to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let answer = send(
            p.fund
                .post(p.url("/api/v1/announcements"))
                .bearer_auth(&p.token)
                .header(CONTENT_TYPE, content_type)
                .body(right.clone()),
        )
        .await;
        p.judge(answer.is(&[202]), || {
            format!(
                "Content-Type {content_type}: {} {}",
                answer.status,
                answer.text()
            )
        });
    }
    let once = p.stored("CT-BASE").await;
    p.judge(once == 1, || format!("the right body stored {once} times"));
    let stored = p.stored("MJ").await;
    p.judge(stored == 0, || {
        format!("{stored} stored from malformed bodies")
    });
    p.end(before);
}

async fn wrong_types(p: &mut Probe) {
    let before = p.begin("wrong types");
    let base = p.key_61("WT");
    let mut bodies: Vec<Value> = vec![
        json!(1),
        json!("announcements"),
        json!(null),
        json!(true),
        json!([[base.clone()]]),
        json!({"announcements": {}}),
        json!({"announcements": null}),
        json!({"announcements": "x"}),
    ];
    for (field, value) in [
        ("key", json!("61")),
        ("key", json!(61.5)),
        ("key", json!(-61)),
        ("key", json!(1e3)),
        ("key", json!(null)),
        ("fund", json!(66000)),
        ("fund", json!(["066.000"])),
        ("reference", json!(123)),
        ("reference", json!(true)),
        ("reference", json!({"a": 1})),
        ("avs_number", json!(7_561_234_567_897_u64)),
        ("person", json!([])),
        ("person", json!("Keller")),
        ("rci", json!("x")),
        ("splitting", json!(1)),
    ] {
        let mut announcement = base.clone();
        announcement[field] = value;
        bodies.push(announcement);
    }
    for (field, value) in [
        ("sex", json!("1")),
        ("birth_date", json!(19_800_314)),
        ("country", json!("CH")),
        ("surname", json!(["Keller"])),
    ] {
        let mut announcement = Probe::key_11("WT", "Keller", "Lea");
        announcement["person"][field] = value;
        bodies.push(announcement);
    }
    for body in bodies {
        let answer = p.post_json(&body).await;
        let names_something = answer.status == 400
            || answer.json()["errors"]
                .as_array()
                .is_some_and(|e| !e.is_empty());
        p.judge(answer.is(&[400, 422]) && names_something, || {
            format!("{body}: {} {}", answer.status, answer.text())
        });
    }
    let stored = p.stored("WT").await;
    p.judge(stored == 0, || format!("{stored} stored with wrong types"));
    p.end(before);
}

async fn xml(p: &mut Probe) {
    let before = p.begin("hostile XML");
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]><lolz>&lol9;</lolz>",
        (1..10)
            .map(|i| format!(
                "<!ENTITY lol{i} \"{}\">",
                format!(
                    "&lol{};",
                    if i == 1 {
                        String::new()
                    } else {
                        (i - 1).to_string()
                    }
                )
                .repeat(10)
            ))
            .collect::<String>()
    );
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\
               <x>&e;</x>";
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    for (what, body) in [
        ("billion laughs", laughs),
        ("external entity", xxe.to_string()),
        ("100 000 nested elements", deep),
    ] {
        for (path, content_type) in [
            ("/api/v1/announcements", "application/xml"),
            ("/api/v1/announcements", "application/json"),
            ("/login", "text/xml"),
        ] {
            let answer = send(
                p.fund
                    .post(p.url(path))
                    .bearer_auth(&p.token)
                    .header(CONTENT_TYPE, content_type)
                    .body(body.clone()),
            )
            .await;
            let leaked = answer.text().contains("root:") || answer.text().contains("lollol");
            p.judge(answer.is(&[400, 403, 415, 422]) && !leaked, || {
                format!(
                    "{what} to {path} as {content_type}: {} {}",
                    answer.status,
                    answer.text()
                )
            });
        }
    }
    p.end(before);
}

// ---------------------------------------------------------------------------------------------
// The report

fn render(before: &str, results: &[(Backend, Vec<(&'static str, Tally)>)]) -> (String, usize) {
    let mut md = String::from("## Hostile-request probe\n\n");
    let _ = writeln!(md, "- before: {before}");
    let _ = writeln!(md, "- after: {}", machine());
    let _ = writeln!(
        md,
        "- `arcgw serve` ({}, default configuration) on loopback; handled: the documented \
         answer, no 5xx, at most {} MiB, nothing stored that must not be; the server's peak \
         memory per category at most {} MiB above its resident memory before\n",
        profile(),
        ANSWER_BOUND >> 20,
        MEMORY_BOUND / 1024
    );
    let databases: Vec<String> = results.iter().map(|(b, _)| format!("{b:?}")).collect();
    md.push_str("| category |");
    for database in &databases {
        let _ = write!(md, " {database}: tried / handled / defects | peak MiB |");
    }
    md.push_str("\n|---|");
    for _ in &databases {
        md.push_str("--:|--:|");
    }
    md.push('\n');
    let mut totals = vec![(0, 0, 0); results.len()];
    let categories: Vec<&str> = results
        .first()
        .map(|(_, t)| t.iter().map(|(c, _)| *c).collect())
        .unwrap_or_default();
    for (row, category) in categories.iter().enumerate() {
        let _ = write!(md, "| {category} |");
        for (column, (_, tallies)) in results.iter().enumerate() {
            let tally = &tallies[row].1;
            let _ = write!(
                md,
                " {} / {} / {} | {} |",
                tally.tried,
                tally.handled,
                tally.defects.len(),
                tally.peak_above_kib / 1024
            );
            totals[column].0 += tally.tried;
            totals[column].1 += tally.handled;
            totals[column].2 += tally.defects.len();
        }
        md.push('\n');
    }
    md.push_str("| **total** |");
    for (tried, handled, defects) in &totals {
        let _ = write!(md, " **{tried} / {handled} / {defects}** | |");
    }
    md.push('\n');
    let mut defects = 0;
    for (backend, tallies) in results {
        for (category, tally) in tallies {
            for defect in &tally.defects {
                defects += 1;
                let _ = writeln!(md, "\n- defect ({backend:?}, {category}): {defect}");
            }
        }
    }
    (md, defects)
}
