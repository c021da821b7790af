//! Account management over real HTTP (pages and `/api/v1/accounts`) on SQLite and (with
//! `ARCGW_TEST_PG_URL`) PostgreSQL: roles, fund isolation, removal kept in the audit log,
//! injection attempts in search and sort fields, fund tokens refused.

use arcgw::domain::{FundNumber, Role};
use arcgw::store::{AuditOutcome, AuditQuery};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support;
use crate::support::db::{TestDb, on_both_backends};
use crate::support::flow::fund;
use crate::support::web::{Web, create_account, start, start_with};

fn new_account(login: &str, role: &str, fund: &str) -> Value {
    json!({"login": login, "surname": format!("Surname {login}"), "given_name": "Anna",
           "email": format!("{login}@cassa.example"), "role": role, "funds": [fund]})
}

/// `POST /api/v1/accounts` of `account` by `who`: the status and the answer.
async fn create(web: &Web, who: &support::web::SignedIn, account: Value) -> (StatusCode, Value) {
    json_of(web.post_json("/api/v1/accounts", who, &account).await).await
}

/// `POST path` with the JSON `body` by `who`: the status and the answer.
async fn post(
    web: &Web,
    who: &support::web::SignedIn,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    json_of(web.post_json(path, who, &body).await).await
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn logins(web: &Web, who: &support::web::SignedIn, query: &str) -> (StatusCode, Vec<String>) {
    let (status, body) = json_of(web.get(&format!("/api/v1/accounts{query}"), who).await).await;
    let found = body["accounts"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| a["login"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (status, found)
}

async fn the_lifecycle_of_an_account(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let (status, made) = create(&web, &boss, new_account("mrossi", "clerk", "066.000")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["account"]["id"].as_i64().unwrap();
    assert_eq!(made["account"]["must_change_password"], true);
    assert_eq!(made["temporary_password"].as_str().unwrap().len(), 16);
    // Search by surname, given name, e-mail, fund.
    for query in [
        "?q=surname%20mr",
        "?q=ANNA",
        "?q=mrossi@cassa",
        "?fund=066.000",
    ] {
        let (_, found) = logins(&web, &boss, query).await;
        assert!(found.contains(&"mrossi".to_string()), "{query}: {found:?}");
    }
    // Block and unblock (reversible), reset the password.
    let (s, blocked) = json_of(
        web.post_json(&format!("/api/v1/accounts/{id}/block"), &boss, &json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (s, blocked["account"]["status"].as_str()),
        (StatusCode::OK, Some("blocked"))
    );
    let (_, unblocked) = json_of(
        web.post_json(&format!("/api/v1/accounts/{id}/unblock"), &boss, &json!({}))
            .await,
    )
    .await;
    assert_eq!(unblocked["account"]["status"], "active");
    let (_, reset) = json_of(
        web.post_json(
            &format!("/api/v1/accounts/{id}/reset-password"),
            &boss,
            &json!({}),
        )
        .await,
    )
    .await;
    let temporary = reset["temporary_password"].as_str().unwrap().to_string();
    assert!(web.sign_in("mrossi", &temporary).await.is_ok());
    // The CSV export.
    let csv = web
        .get("/api/v1/accounts/export.csv?sort=login", &boss)
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("id,login,surname,given_name,email,role,funds,status\r\n"),
        "{text}"
    );
    assert!(
        text.contains(",mrossi,Surname mrossi,Anna,mrossi@cassa.example,clerk,066.000,active\r\n"),
        "{text}"
    );
    // Removal needs a confirmation, then the person is gone from every list.
    let (s, _) = json_of(
        web.post_json(&format!("/api/v1/accounts/{id}/remove"), &boss, &json!({}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = json_of(
        web.post_json(
            &format!("/api/v1/accounts/{id}/remove"),
            &boss,
            &json!({"confirm": true}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, found) = logins(&web, &boss, "").await;
    assert_eq!(found, ["boss"]);
    assert_eq!(
        web.get(&format!("/api/v1/accounts/{id}"), &boss)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(web.sign_in("mrossi", &temporary).await.is_err());
    // The audit log keeps every step.
    let events = web
        .store
        .query_audit(&AuditQuery {
            target: Some("account:mrossi".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.create",
            "account.password_shown",
            "account.block",
            "account.unblock",
            "account.reset_password",
            "account.password_shown",
            "account.remove"
        ]
    );
    // Each names the account by its id too (a user id is never reused), and concerns its fund.
    assert!(
        events
            .iter()
            .all(|e| e.details["account_id"] == id && e.funds == [fund("066.000")]),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e.actor == "user:boss" && e.outcome == AuditOutcome::Success)
    );
}

async fn the_pages_do_the_same(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Substitute, &["066.000"]).await;
    let created = web
        .post_form(
            "/accounts",
            &boss,
            &[
                ("login", "mrossi"),
                ("surname", "Rossi"),
                ("given_name", "Maria"),
                ("email", "m.rossi@cassa.example"),
                ("birth_date", ""),
                ("role", "delegate"),
                ("funds", "066.000"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    assert!(html.contains(r#"id="temporary-password""#), "{html}");
    let list = web
        .get("/accounts?q=ross&sort=email", &boss)
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(">mrossi</a>"), "{list}");
    let id = web
        .store
        .search_accounts(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.login.as_str() == "mrossi")
        .unwrap()
        .id;
    let confirm = web
        .get(&format!("/accounts/{id}/remove"), &boss)
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("definitive"));
    let removed = web
        .post_form(
            &format!("/accounts/{id}/remove"),
            &boss,
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert!(web.store.account(id).await.is_err());
    // A bad field is named.
    let bad = web
        .post_form(
            "/accounts",
            &boss,
            &[
                ("login", "x y"),
                ("surname", "R"),
                ("given_name", "M"),
                ("email", "m@c.ch"),
                ("role", "clerk"),
                ("funds", "066.000"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("login: 2 to 64 characters")
    );
}

async fn a_person_of_fund_a_sees_and_changes_nothing_of_fund_b(db: TestDb) {
    let web = start(db.store.clone()).await;
    let a = web.person("resp-a", Role::Responsible, &["066.000"]).await;
    let b_clerk = create_account(&web.store, "clerk-b", Role::Clerk, &["067.000"]).await;
    let both = create_account(&web.store, "clerk-ab", Role::Clerk, &["066.000", "067.000"]).await;
    let (_, found) = logins(&web, &a, "").await;
    assert_eq!(found, ["clerk-ab", "resp-a"], "sorted by surname");
    let (_, found) = logins(&web, &a, "?fund=067.000").await;
    assert_eq!(found, ["clerk-ab"]);
    assert_eq!(
        web.get(&format!("/api/v1/accounts/{}", b_clerk.id), &a)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for change in ["block", "reset-password", "compromised"] {
        let r = web
            .post_json(
                &format!("/api/v1/accounts/{}/{change}", b_clerk.id),
                &a,
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{change}");
        // Bound to B as well: visible, but not to be changed by A alone.
        let r = web
            .post_json(
                &format!("/api/v1/accounts/{}/{change}", both.id),
                &a,
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{change}");
    }
    let r = web
        .post_json(
            &format!("/api/v1/accounts/{}/remove", b_clerk.id),
            &a,
            &json!({"confirm": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = web
        .post_json(
            "/api/v1/accounts",
            &a,
            &new_account("new-b", "clerk", "067.000"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let untouched = web.store.account(b_clerk.id).await.unwrap();
    assert_eq!(
        (untouched.blocked_at, untouched.must_change_password),
        (None, false)
    );
    let denied = web
        .store
        .query_audit(&AuditQuery {
            outcome: Some(AuditOutcome::Denied),
            actor: Some("user:resp-a".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 8, "{denied:?}");
}

async fn roles_follow_the_permission_table(db: TestDb) {
    let web = start(db.store.clone()).await;
    let clerk = web.person("clerk", Role::Clerk, &["066.000"]).await;
    let delegate = web.person("delegate", Role::Delegate, &["066.000"]).await;
    let substitute = web.person("subst", Role::Substitute, &["066.000"]).await;
    let responsible = web.person("resp", Role::Responsible, &["066.000"]).await;
    // A clerk manages no accounts.
    assert_eq!(
        web.get("/api/v1/accounts", &clerk).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        web.get("/accounts", &clerk).await.status(),
        StatusCode::FORBIDDEN
    );
    // Each manages roles at or below their own.
    let cases = [
        (&delegate, "responsible", false),
        (&delegate, "substitute", false),
        (&delegate, "delegate", true),
        (&delegate, "clerk", true),
        (&substitute, "responsible", false),
        (&substitute, "substitute", true),
        (&responsible, "responsible", true),
        (&clerk, "clerk", false),
    ];
    for (i, (who, role, allowed)) in cases.into_iter().enumerate() {
        let r = web
            .post_json(
                "/api/v1/accounts",
                who,
                &new_account(&format!("new{i}"), role, "066.000"),
            )
            .await;
        let expected = if allowed {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.status(), expected, "case {i}: {role}");
    }
    // Nobody blocks themselves through account management.
    let me = web
        .store
        .search_accounts(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.login.as_str() == "resp")
        .unwrap();
    let r = web
        .post_json(
            &format!("/api/v1/accounts/{}/block", me.id),
            &responsible,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn fund_tokens_and_strangers_are_refused(db: TestDb) {
    let web = start(db.store.clone()).await;
    let token = web
        .store
        .create_token(
            "fund",
            &[FundNumber::parse("066.000").unwrap()],
            support::web::noon(),
        )
        .await
        .unwrap();
    let with_token = web
        .client
        .get(web.url("/api/v1/accounts"))
        .bearer_auth(token.secret.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::FORBIDDEN);
    let post = web
        .client
        .post(web.url("/api/v1/accounts"))
        .bearer_auth(token.secret.expose())
        .header("x-csrf-token", "x")
        .json(&new_account("x1", "clerk", "066.000"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::FORBIDDEN);
    let nobody = web
        .client
        .get(web.url("/api/v1/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    let page = web.client.get(web.url("/accounts")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(web.store.count_accounts().await.unwrap(), 0);
    // The OpenAPI document describes the accounts API and how it is authenticated.
    let doc: Value = web
        .client
        .get(web.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/accounts/{id}/{change}",
        "/api/v1/accounts/{id}/remove",
        "/api/v1/accounts/export.csv",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["session"]["in"],
        "cookie"
    );
}

async fn injection_attempts_in_search_and_sort_fields(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let attempts = [
        "' OR '1'='1",
        "%' OR 1=1 --",
        "'; DROP TABLE accounts; --",
        "\" OR \"\"=\"",
        "%",
        "_",
        "\\",
        "boss') UNION SELECT * FROM sessions --",
    ];
    for text in attempts {
        let query = format!(
            "?q={}",
            form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        );
        let (status, found) = logins(&web, &boss, &query).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(found.is_empty(), "{text} found {found:?}");
        let page = web.get(&format!("/accounts{query}"), &boss).await;
        assert_eq!(page.status(), StatusCode::OK, "{text}");
    }
    for sort in [
        "surname; DROP TABLE accounts",
        "login DESC",
        "1",
        "(SELECT 1)",
    ] {
        let query = format!(
            "?sort={}",
            form_urlencoded::byte_serialize(sort.as_bytes()).collect::<String>()
        );
        let (status, body) =
            json_of(web.get(&format!("/api/v1/accounts{query}"), &boss).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{sort}");
        assert!(
            body["message"].as_str().unwrap().starts_with("sort:"),
            "{body}"
        );
        assert_eq!(
            web.get(&format!("/accounts{query}"), &boss).await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    for fund in ["066.000' OR '1'='1", "%"] {
        let query = format!(
            "?fund={}",
            form_urlencoded::byte_serialize(fund.as_bytes()).collect::<String>()
        );
        let (status, body) =
            json_of(web.get(&format!("/api/v1/accounts{query}"), &boss).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fund}");
        assert!(
            body["message"].as_str().unwrap().starts_with("fund:"),
            "{body}"
        );
    }
    // A login field full of SQL is refused as a login, and nothing changed.
    let r = web
        .post_json(
            "/api/v1/accounts",
            &boss,
            &new_account("x'; DROP TABLE accounts;--", "clerk", "066.000"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = web.sign_in("' OR '1'='1", "' OR '1'='1").await;
    assert_eq!(refused.unwrap_err(), StatusCode::UNAUTHORIZED);
    let failures = web
        .store
        .query_audit(&AuditQuery {
            action: Some("session.login".into()),
            outcome: Some(AuditOutcome::Failure),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        failures[0].actor, "anonymous",
        "what was typed is not an actor"
    );
    assert_eq!(web.store.count_accounts().await.unwrap(), 2);
    let (_, found) = logins(&web, &boss, "?sort=login").await;
    assert_eq!(found, ["boss", "mrossi"]);
}

/// USNTools: the connection to the ZAS and its certificates are not for delegates (nor clerks);
/// the responsible person sees them. Both the reading and the refusals are audited.
async fn the_connection_page_is_not_for_delegates(db: TestDb) {
    let web = start(db.store.clone()).await;
    let responsible = web.person("rusn", Role::Responsible, &["066.000"]).await;
    let page = web.get("/connection", &responsible).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Connection to the ZAS"), "{html}");
    assert!(html.contains(r#"id="no-zas""#), "{html}");
    assert!(
        html.contains(r#"href="/connection""#),
        "the link is in the frame"
    );

    for (login, role) in [("dele", Role::Delegate), ("clerk", Role::Clerk)] {
        let who = web.person(login, role, &["066.000"]).await;
        let refused = web.get("/connection", &who).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{role}");
        let html = refused.text().await.unwrap();
        assert!(
            !html.contains(r#"href="/connection""#),
            "{role}: no link to it"
        );
    }
    let events = |outcome| AuditQuery {
        action: Some("zas.connection.read".into()),
        outcome: Some(outcome),
        limit: 100,
        ..AuditQuery::default()
    };
    let read = web
        .store
        .query_audit(&events(AuditOutcome::Success))
        .await
        .unwrap();
    let denied = web
        .store
        .query_audit(&events(AuditOutcome::Denied))
        .await
        .unwrap();
    assert_eq!(
        read.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
        ["user:rusn"]
    );
    assert_eq!(denied.len(), 2);
}

/// The line of a mail indented by four spaces (the user id or the password).
fn indented(data: &str) -> String {
    data.lines()
        .find_map(|l| l.strip_prefix("    "))
        .expect("the value on its own indented line")
        .trim()
        .to_string()
}

/// Annex 2.3: a password is told to no third party (USNTools: two e-mails).
/// By default, the temporary password of a new or reset account goes to its holder in two
/// e-mails, the user id in the first and the password alone in the second, through a real SMTP
/// listener on loopback; the manager's page and answer never show it. When the mail fails the
/// account is blocked and nothing is shown.
async fn temporary_passwords_go_by_two_e_mails(db: TestDb) {
    let smtp = support::smtp::SmtpServer::start().await;
    let mail =
        arcgw::accounts::PasswordMail::new(&support::smtp::email_config(smtp.address.port()))
            .unwrap();
    let web = start_with(db.store.clone(), |state| state.with_password_mail(mail)).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;

    let (status, made) = create(&web, &boss, new_account("mrossi", "clerk", "066.000")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["temporary_password_sent_to"], "mrossi@cassa.example");
    assert!(made.get("temporary_password").is_none(), "{made}");
    let mails = smtp.received();
    assert_eq!(mails.len(), 2, "two separate e-mails");
    assert!(mails.iter().all(|m| m.to == ["<mrossi@cassa.example>"]));
    assert_eq!(indented(&mails[0].data), "mrossi", "the user id first");
    let password = indented(&mails[1].data);
    assert!(!mails[0].data.contains(&password), "not in the first mail");
    let body = |data: &str| data.split_once("\r\n\r\n").unwrap().1.to_string();
    assert!(
        !body(&mails[1].data).contains("mrossi"),
        "the second holds no user id"
    );
    // The holder signs in with it and must choose a password at once.
    let signed_in = web.sign_in("mrossi", &password).await.unwrap();
    let forced = web.get("/", &signed_in).await;
    assert_eq!(forced.headers()["location"], "/password");

    // A reset through the page: the page names the address, not the password.
    let id = made["account"]["id"].as_i64().unwrap();
    let page = web
        .post_form(&format!("/accounts/{id}/reset-password"), &boss, &[])
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<span id="mailed-to">mrossi@cassa.example</span>"#),
        "{html}"
    );
    assert!(!html.contains("temporary-password"), "{html}");
    let mails = smtp.received();
    assert_eq!(mails.len(), 4);
    assert_ne!(indented(&mails[3].data), password, "a new password");

    // The SMTP server gone: nothing is shown; the account is blocked until a reset delivers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mail = arcgw::accounts::PasswordMail::new(&support::smtp::email_config(port)).unwrap();
    let web = start_with(db.store.clone(), |state| state.with_password_mail(mail)).await;
    let boss = web.sign_in("boss", support::web::PASSWORD).await.unwrap();
    let (status, made) = create(&web, &boss, new_account("lbianchi", "clerk", "066.000")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert!(made.get("temporary_password").is_none(), "{made}");
    assert!(made["undelivered"].as_str().is_some(), "{made}");
    assert_eq!(made["account"]["status"], "blocked", "{made}");
    let audit = web
        .store
        .query_audit(&AuditQuery {
            action: Some("account.password_mail".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let outcomes: Vec<AuditOutcome> = audit.iter().rev().map(|e| e.outcome).collect();
    assert_eq!(
        outcomes,
        [
            AuditOutcome::Success,
            AuditOutcome::Success,
            AuditOutcome::Failure
        ]
    );
    assert!(
        audit
            .iter()
            .all(|e| !e.details.to_string().contains(&password))
    );
}

/// Annex 2.3, a password told to no third party: without a mail server and without
/// `show_to_manager`, no temporary password can be delivered: creating an account and resetting a
/// password are refused with the reason, and nothing changes. `show_to_manager`, configured, shows
/// it with a warning in the audit.
async fn without_mail_nothing_is_shown_unless_configured(db: TestDb) {
    let web = start_with(db.store.clone(), |state| state).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let clerk = create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let (status, refused) = create(&web, &boss, new_account("lbianchi", "clerk", "066.000")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("[alerts.email]"), "{message}");
    assert!(message.contains("show_to_manager"), "{message}");
    assert!(refused.get("temporary_password").is_none());
    let (_, found) = logins(&web, &boss, "").await;
    assert_eq!(found, ["boss", "mrossi"], "nothing created");
    let (status, _) = post(
        &web,
        &boss,
        &format!("/api/v1/accounts/{}/reset-password", clerk.id),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        web.sign_in("mrossi", support::web::PASSWORD).await.is_ok(),
        "the password is unchanged"
    );

    let web = start_with(db.store.clone(), |state| {
        state.with_handover_shown_to_manager()
    })
    .await;
    let boss = web.sign_in("boss", support::web::PASSWORD).await.unwrap();
    let (status, made) = create(&web, &boss, new_account("lbianchi", "clerk", "066.000")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["temporary_password"].as_str().unwrap().len(), 16);
    let shown = web
        .store
        .query_audit(&AuditQuery {
            action: Some("account.password_shown".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0].details["warning"]
            .as_str()
            .unwrap()
            .contains("show_to_manager")
    );
}

/// Birth dates only for the holder and those the permission table lets see
/// them (responsible, substitute); a delegate reads none.
async fn birth_dates_only_for_those_who_need_them(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let delegate = web.person("deleg", Role::Delegate, &["066.000"]).await;
    create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let dates = |body: Value| -> Vec<(String, Value)> {
        body["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["login"].as_str().unwrap().to_string(),
                    a["birth_date"].clone(),
                )
            })
            .collect()
    };
    let (_, body) = json_of(web.get("/api/v1/accounts?sort=login", &boss).await).await;
    assert!(
        dates(body).iter().all(|(_, d)| d == "1980-04-02"),
        "the responsible person sees them"
    );
    let (_, body) = json_of(web.get("/api/v1/accounts?sort=login", &delegate).await).await;
    for (login, date) in dates(body) {
        if login == "deleg" {
            assert_eq!(date, "1980-04-02", "one's own");
        } else {
            assert_eq!(date, Value::Null, "{login}");
        }
    }
}

/// A removed account's user id is never given to somebody else.
async fn a_removed_login_is_not_reused(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let (_, made) = create(&web, &boss, new_account("mrossi", "clerk", "066.000")).await;
    let id = made["account"]["id"].as_i64().unwrap();
    let (status, _) = post(
        &web,
        &boss,
        &format!("/api/v1/accounts/{id}/remove"),
        json!({"confirm": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = create(&web, &boss, new_account("mrossi", "delegate", "066.000")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("belonged to an account that was removed"),
        "{refused}"
    );
    let (_, found) = logins(&web, &boss, "").await;
    assert_eq!(found, ["boss"]);
}

/// "Locked" only while the lock lasts; a locked account can be unlocked.
async fn a_lock_shows_while_it_lasts_and_can_be_ended(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let clerk = create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let status_of = |body: &Value| {
        body["account"]["status"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_string()
    };
    let lock = || async {
        for _ in 0..6 {
            web.post_login("mrossi", "Wrong-Password-1", None).await;
        }
    };
    // The status in the API, and whether the page offers "Unlock".
    let seen = |boss: support::web::SignedIn| {
        let web = &web;
        let id = clerk.id;
        async move {
            let (_, body) = json_of(web.get(&format!("/api/v1/accounts/{id}"), &boss).await).await;
            let page = web
                .get(&format!("/accounts/{id}"), &boss)
                .await
                .text()
                .await
                .unwrap();
            (status_of(&body), page.contains(r#"id="unlock""#))
        }
    };
    lock().await;
    assert_eq!(seen(boss.clone()).await, ("locked".to_string(), true));
    // The lock ends by itself: the status says so at once.
    web.clock.advance(chrono::TimeDelta::hours(2));
    let boss = web.sign_in("boss", support::web::PASSWORD).await.unwrap();
    assert_eq!(seen(boss.clone()).await, ("active".to_string(), false));
    // Locked again, and unlocked by the manager: the holder signs in at once.
    lock().await;
    assert!(web.sign_in("mrossi", support::web::PASSWORD).await.is_err());
    let (status, body) = post(
        &web,
        &boss,
        &format!("/api/v1/accounts/{}/unlock", clerk.id),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, status_of(&body)),
        (StatusCode::OK, "active".into())
    );
    assert!(web.sign_in("mrossi", support::web::PASSWORD).await.is_ok());
}

async fn audit_csv(web: &Web, who: &support::web::SignedIn) -> String {
    web.get("/exports/audit.csv", who)
        .await
        .text()
        .await
        .unwrap()
}

/// The audit review and its CSV show each person the events of their own
/// funds; system events only to those with the right (not delegates).
async fn the_audit_review_shows_ones_own_funds(db: TestDb) {
    let web = start(db.store.clone()).await;
    let a = web.person("resp-a", Role::Responsible, &["066.000"]).await;
    let b = web.person("resp-b", Role::Responsible, &["067.000"]).await;
    let delegate_a = web.person("deleg-a", Role::Delegate, &["066.000"]).await;
    create(&web, &b, new_account("clerk-b", "clerk", "067.000")).await;
    web.post_login("clerk-b", "Wrong-Password-1", None).await;
    web.post_login("nobody", "Wrong-Password-1", None).await;

    let seen_by_a = audit_csv(&web, &a).await;
    assert!(!seen_by_a.contains("clerk-b"), "{seen_by_a}");
    assert!(!seen_by_a.contains("resp-b"), "{seen_by_a}");
    assert!(!seen_by_a.contains("067.000"), "{seen_by_a}");
    assert!(seen_by_a.contains("resp-a"), "its own: {seen_by_a}");
    assert!(
        seen_by_a.contains("user:nobody"),
        "a system event: {seen_by_a}"
    );
    let page_a = web.get("/audit", &a).await.text().await.unwrap();
    assert!(!page_a.contains("clerk-b"), "{page_a}");
    let seen_by_b = audit_csv(&web, &b).await;
    assert!(seen_by_b.contains("account:clerk-b"), "{seen_by_b}");
    assert!(
        seen_by_b.contains("user:clerk-b"),
        "the failed login: {seen_by_b}"
    );
    assert!(!seen_by_b.contains("resp-a"), "{seen_by_b}");
    let seen_by_delegate = audit_csv(&web, &delegate_a).await;
    assert!(seen_by_delegate.contains("resp-a"), "{seen_by_delegate}");
    assert!(
        !seen_by_delegate.contains("user:nobody"),
        "no system events: {seen_by_delegate}"
    );
}

on_both_backends!(
    temporary_passwords_go_by_two_e_mails,
    without_mail_nothing_is_shown_unless_configured,
    birth_dates_only_for_those_who_need_them,
    a_removed_login_is_not_reused,
    a_lock_shows_while_it_lasts_and_can_be_ended,
    the_audit_review_shows_ones_own_funds,
    the_connection_page_is_not_for_delegates,
    the_lifecycle_of_an_account,
    the_pages_do_the_same,
    a_person_of_fund_a_sees_and_changes_nothing_of_fund_b,
    roles_follow_the_permission_table,
    fund_tokens_and_strangers_are_refused,
    injection_attempts_in_search_and_sort_fields,
);
