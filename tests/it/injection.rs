//! Injection attempts through every filter and sort field of the fund API and the
//! dashboard, on both back ends (see `support::db`). Each hostile value is refused with a 400
//! naming its field, or taken literally as text (the audit review's actor and action, the
//! account search) and then matches nothing; never a 500, never a row of another fund, never
//! a change to the data, never the value echoed unescaped into a page.
//! (The accounts' search, sort and fund fields: `tests/it/accounts.rs`,
//! `injection_attempts_in_search_and_sort_fields`.)

use arcgw::domain::Role;

use crate::support;
use crate::support::db::{TestDb, count};
use crate::support::flow::{account, announce, geneva};
use crate::support::web::{SignedIn, Web, start};

/// Values that would change a query's meaning if they were pasted into SQL, a LIKE pattern or
/// HTML.
const HOSTILE: &[&str] = &[
    "' OR '1'='1",
    "1 OR 1=1",
    "066.000' OR fund <> '",
    "%' OR 1=1 --",
    "'; DELETE FROM announcements; --",
    "'; DROP TABLE audit_events; --",
    "1; UPDATE announcements SET state = 'done'",
    "done' UNION SELECT avs_number FROM persons --",
    "\" OR \"\"=\"",
    "%",
    "_",
    "*",
    "\\",
    "$1",
    "?",
    "(SELECT 1)",
    "<script>alert(1)</script>",
    "\u{0}",
];

/// Every filter of the fund API, as a path with `{}` where the value goes.
const API_FILTERS: &[&str] = &[
    "/api/v1/announcements?state={}",
    "/api/v1/announcements?fund={}",
    "/api/v1/announcements?after={}",
    "/api/v1/announcements?limit={}",
    "/api/v1/reminders?fund={}",
    "/api/v1/reminders?rule={}",
    "/api/v1/reminders?status={}",
    "/api/v1/reminders?raised_on={}",
    "/api/v1/reminders?after={}",
    "/api/v1/reminders?limit={}",
    "/api/v1/announcements/{}",
    "/api/v1/announcements/1/print?format={}",
    "/api/v1/announcements/1/print?language={}",
    "/api/v1/reminders/1/letter?format={}",
];

/// Every filter of the dashboard whose value must be of a kind (a fund, a state, a date…).
const PAGE_FILTERS: &[&str] = &[
    "/?fund={}",
    "/?state={}",
    "/exports/pending.csv?fund={}",
    "/exports/overdue.csv?state={}",
    "/audit?outcome={}",
    "/audit?from={}",
    "/audit?to={}",
    "/audit?before={}",
    "/exports/audit.csv?outcome={}",
    "/announcements/{}",
    "/tasks?fund={}",
    "/exports/tasks.csv?environment={}",
];

/// The dashboard's free-text filters: taken literally, compared for equality.
const PAGE_TEXT_FILTERS: &[&str] = &[
    "/audit?actor={}",
    "/audit?action={}",
    "/exports/audit.csv?actor={}",
    "/accounts?q={}",
    "/api/v1/accounts?q={}",
    "/accounts.csv?q={}",
];

fn with(path: &str, value: &str) -> String {
    path.replace(
        "{}",
        &form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>(),
    )
}

/// What must not change: every table but the audit log, which only grows.
async fn snapshot(web: &Web) -> Vec<i64> {
    let store = &web.store;
    vec![
        count(store, "SELECT COUNT(*) FROM announcements").await,
        count(
            store,
            "SELECT COUNT(*) FROM announcements WHERE state = 'announced'",
        )
        .await,
        count(store, "SELECT COUNT(*) FROM persons").await,
        count(store, "SELECT COUNT(*) FROM accounts").await,
        count(store, "SELECT COUNT(*) FROM api_tokens").await,
        count(store, "SELECT COUNT(*) FROM transmissions").await,
        count(store, "SELECT MIN(id) FROM audit_events").await,
    ]
}

async fn bearer(web: &Web, token: &str, path: &str) -> (u16, String) {
    let response = web
        .client
        .get(web.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    read(response).await
}

async fn page(web: &Web, who: &SignedIn, path: &str) -> (u16, String) {
    read(web.get(path, who).await).await
}

/// The status and body of an answer, which carries the security headers whatever it is.
async fn read(response: reqwest::Response) -> (u16, String) {
    let headers = response.headers();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(headers.get(name).unwrap(), value, "{}", response.url());
    }
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"));
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn hostile_values_in_every_filter(db: TestDb) {
    let web = start(db.store.clone()).await;
    let store = &web.store;
    let at = geneva(2026, 11, 2, 9, 0);
    announce(store, &[account("I-1", 1), account("I-2", 2)], "msg-1", at).await;
    let token = &support::web::token(store, "fund", &["066.000"], at).await;
    let other = &support::web::token(store, "other", &["067.000"], at).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let before = snapshot(&web).await;

    for value in HOSTILE {
        for filter in API_FILTERS {
            let path = with(filter, value);
            for who in [token, other] {
                let (status, body) = bearer(&web, who, &path).await;
                assert!([400, 403, 404].contains(&status), "{path}: {status} {body}");
                assert!(!body.contains("756"), "{path}: {body}");
            }
        }
        for filter in PAGE_FILTERS {
            let path = with(filter, value);
            let (status, body) = page(&web, &boss, &path).await;
            assert!([400, 404].contains(&status), "{path}: {status}");
            assert!(!body.contains("<script>alert"), "{path}: echoed unescaped");
            if !path.contains(".csv") {
                assert!(
                    body.contains("ZAS environment"),
                    "{path}: a page in the frame"
                );
            }
        }
        for filter in PAGE_TEXT_FILTERS {
            let path = with(filter, value);
            let (status, body) = page(&web, &boss, &path).await;
            assert!(!body.contains("<script>alert"), "{path}: echoed unescaped");
            if value.chars().any(char::is_control) {
                assert_eq!(status, 400, "{path}: {body}");
                assert!(
                    body.contains("control characters are not allowed"),
                    "{path}: {body}"
                );
                continue;
            }
            assert_eq!(status, 200, "{path}: {body}");
            let matched = if path.contains(".csv") {
                body.lines().count() > 1
            } else if path.starts_with("/audit") {
                !body.contains(r#"-count">0<"#)
            } else if path.starts_with("/api/") {
                !body.contains(r#""accounts":[]"#)
            } else {
                body.contains(r#"<td><a href="/accounts/"#)
            };
            assert!(!matched, "{path}: rows matched\n{body}");
        }
    }
    assert_eq!(snapshot(&web).await, before, "nothing changed");
    // The filters still work for what they are meant for.
    let (status, body) = bearer(&web, token, "/api/v1/announcements?state=announced").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// NUL and other control characters in every text field of a submission, and in the
/// Idempotency-Key: refused with the field named (422/400), nothing stored, never a 500 — on
/// PostgreSQL too, which takes no NUL in text or JSON.
async fn control_characters_in_a_submission(db: TestDb) {
    let web = start(db.store.clone()).await;
    let at = geneva(2026, 11, 2, 9, 0);
    let token = &support::web::token(&web.store, "fund", &["066.000"], at).await;
    // An audited read first, so that the audit log has a first row to keep.
    assert_eq!(bearer(&web, token, "/api/v1/announcements").await.0, 200);
    let before = snapshot(&web).await;
    let good = serde_json::json!({
        "fund": "066.000", "reference": "N-1", "key": 61,
        "avs_number": support::db::avs(1).digits()
    });
    for (field, text) in [
        ("reference", "N\u{0}1"),
        ("reference", "N\u{7}1"),
        ("fund", "066.000\u{0}"),
        ("avs_number", "756\u{0}"),
    ] {
        let mut body = good.clone();
        body[field] = serde_json::Value::String(text.to_string());
        let response = web
            .client
            .post(web.url("/api/v1/announcements"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, text) = read(response).await;
        assert!([400, 422].contains(&status), "{field}: {status} {text}");
        assert!(text.contains(field), "{field}: {text}");
    }
    let response = web
        .client
        .post(web.url("/api/v1/announcements"))
        .bearer_auth(token)
        .header("idempotency-key", "key\tone")
        .json(&good)
        .send()
        .await
        .unwrap();
    let (status, text) = read(response).await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(snapshot(&web).await, before, "nothing stored");
}

support::db::on_both_backends!(
    hostile_values_in_every_filter,
    control_characters_in_a_submission
);
