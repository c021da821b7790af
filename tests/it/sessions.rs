//! Login, sessions and anti-CSRF over real HTTP, on SQLite and (with `ARCGW_TEST_PG_URL`)
//! PostgreSQL: cookie flags, session fixation, lockout with a growing delay, CSRF refusals,
//! the forced password change, expiry and logout.

use arcgw::domain::Role;
use arcgw::domain::lockout::FREE_ATTEMPTS;
use arcgw::store::{AuditOutcome, AuditQuery, LoginDenial, PasswordCheck, SignIn, Store};
use chrono::TimeDelta;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

use crate::support;
use crate::support::db::{TestDb, on_both_backends};
use crate::support::web::{FORM, PASSWORD, create_account, form, set_cookie, start, start_with};

async fn audit(store: &Store, action: &str) -> Vec<arcgw::store::AuditEvent> {
    let query = AuditQuery {
        action: Some(action.into()),
        ..AuditQuery::default()
    };
    store.query_audit(&query).await.unwrap()
}

async fn login_sets_a_strict_session_cookie(db: TestDb) {
    let web = start(db.store.clone()).await;
    create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let response = web.post_login("mrossi", PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/");
    let (session, header) = set_cookie(&response, "arcgw_session").unwrap();
    assert_eq!(session.len(), 64, "32 random bytes in hexadecimal");
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(header.split("; ").any(|f| f == flag), "{flag} in {header}");
    }
    // The database keeps only the hash of the id.
    let stored = support::db::count(&web.store, "SELECT COUNT(*) FROM sessions").await;
    assert_eq!(stored, 1);
    for (table, column) in support::db::columns(&web.store).await {
        let found = support::db::occurrences(&web.store, &table, &column, &session).await;
        assert_eq!(found, 0, "the session id is stored in {table}.{column}");
    }
    let events = audit(&web.store, "session.login").await;
    assert_eq!(events[0].outcome, AuditOutcome::Success);
    assert_eq!(events[0].actor, "user:mrossi");
}

async fn a_session_id_set_before_login_is_not_the_one_after(db: TestDb) {
    let web = start(db.store.clone()).await;
    create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    // An attacker's id, planted in the browser before the login…
    let planted = "a".repeat(64);
    let response = web
        .post_login(
            "mrossi",
            PASSWORD,
            Some(&format!("arcgw_session={planted}")),
        )
        .await;
    let (session, _) = set_cookie(&response, "arcgw_session").unwrap();
    assert_ne!(session, planted);
    // …opens nothing afterwards.
    let with_planted = web
        .client
        .get(web.url("/password"))
        .header(COOKIE, format!("arcgw_session={planted}"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_planted.status(), StatusCode::SEE_OTHER);
    assert_eq!(with_planted.headers()[LOCATION], "/login");
    // A second login from a signed-in browser ends the first session.
    let first = web.sign_in("mrossi", PASSWORD).await.unwrap();
    let again = web
        .post_login(
            "mrossi",
            PASSWORD,
            Some(&format!("arcgw_session={}", first.session)),
        )
        .await;
    let (second, _) = set_cookie(&again, "arcgw_session").unwrap();
    assert_ne!(second, first.session);
    assert_eq!(
        web.get("/password", &first).await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn repeated_failures_lock_with_a_growing_delay(db: TestDb) {
    let web = start(db.store.clone()).await;
    create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    for _ in 0..FREE_ATTEMPTS {
        assert_eq!(
            web.sign_in("mrossi", "Wrong-pass-1").await.unwrap_err(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The fifth failure locked the account for 30 s: the right password is refused meanwhile.
    let account = web
        .store
        .search_accounts(&Default::default())
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(account.failed_logins, FREE_ATTEMPTS);
    let first_lock = account.locked_until.expect("locked") - web.clock_now();
    assert_eq!(first_lock, TimeDelta::seconds(30));
    assert_eq!(
        web.sign_in("mrossi", PASSWORD).await.unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    // After the delay, another failure locks for twice as long.
    web.clock.advance(TimeDelta::seconds(31));
    web.sign_in("mrossi", "Wrong-pass-1").await.unwrap_err();
    let account = web.store.account(account.id).await.unwrap();
    assert_eq!(
        account.locked_until.unwrap() - web.clock_now(),
        TimeDelta::seconds(60)
    );
    // After that delay the right password opens a session and clears the count.
    web.clock.advance(TimeDelta::seconds(61));
    web.sign_in("mrossi", PASSWORD).await.unwrap();
    let account = web.store.account(account.id).await.unwrap();
    assert_eq!((account.failed_logins, account.locked_until), (0, None));
    let reasons: Vec<String> = audit(&web.store, "session.login")
        .await
        .iter()
        .filter(|e| e.outcome == AuditOutcome::Failure)
        .map(|e| e.details["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(reasons.contains(&"locked".to_string()), "{reasons:?}");
    assert_eq!(reasons.iter().filter(|r| *r == "wrong password").count(), 6);
}

/// Parallel guesses lock as serial ones do: the lock is read and the failure counted in one step,
/// so 100 guesses at once cannot get 99 × 401 and then, with the right password last, a session (as
/// when the lock was read before the hash was compared and written after): exactly FREE_ATTEMPTS of
/// them are compared.
async fn parallel_guesses_lock_as_serial_ones_do(db: TestDb) {
    let store = db.store.clone();
    let account = create_account(&store, "mrossi", Role::Clerk, &["066.000"]).await;
    let at = support::web::noon();
    let guesses: Vec<_> = (0..99)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .sign_in("mrossi", &format!("Wrong-pass-{i}"), at)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut compared = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            SignIn::Denied(LoginDenial::WrongPassword { .. }) => compared += 1,
            SignIn::Denied(LoginDenial::Locked { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        compared, FREE_ATTEMPTS,
        "as many compared as serial guesses"
    );
    assert!(matches!(
        store.sign_in("mrossi", PASSWORD, at).await.unwrap(),
        SignIn::Denied(LoginDenial::Locked { .. })
    ));
    let locked = store.account(account.id).await.unwrap();
    assert_eq!(locked.failed_logins, FREE_ATTEMPTS);
    assert_eq!(locked.locked_until, Some(at + TimeDelta::seconds(30)));

    // The current-password check of a password change counts towards the same lock.
    let later = at + TimeDelta::hours(2);
    assert!(matches!(
        store.sign_in("mrossi", PASSWORD, later).await.unwrap(),
        SignIn::Granted(_)
    ));
    let checks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            let id = account.id;
            tokio::spawn(async move {
                store
                    .check_password(id, &format!("Wrong-pass-{i}"), later)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut compared = 0;
    for check in checks {
        match check.await.unwrap() {
            PasswordCheck::Wrong { .. } => compared += 1,
            PasswordCheck::Locked { .. } => {}
            PasswordCheck::Right => panic!("a wrong password matched"),
        }
    }
    assert_eq!(compared, FREE_ATTEMPTS);
    assert!(matches!(
        store
            .check_password(account.id, PASSWORD, later)
            .await
            .unwrap(),
        PasswordCheck::Locked { .. }
    ));
    assert!(matches!(
        store.sign_in("mrossi", PASSWORD, later).await.unwrap(),
        SignIn::Denied(LoginDenial::Locked { .. })
    ));
}

async fn unknown_logins_and_blocked_accounts_are_refused_alike(db: TestDb) {
    let web = start(db.store.clone()).await;
    let account = create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    assert_eq!(
        web.sign_in("nobody", PASSWORD).await.unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    let me = web.sign_in("mrossi", PASSWORD).await.unwrap();
    web.store
        .set_blocked(account.id, Some(web.clock_now()))
        .await
        .unwrap();
    assert_eq!(
        web.sign_in("mrossi", PASSWORD).await.unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        web.get("/password", &me).await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn posts_without_the_session_token_are_refused(db: TestDb) {
    let web = start(db.store.clone()).await;
    let me = web.person("mrossi", Role::Responsible, &["066.000"]).await;
    let other = create_account(&web.store, "lbianchi", Role::Clerk, &["066.000"]).await;
    let path = format!("/accounts/{}/block", other.id);
    let cookie = format!("arcgw_session={}", me.session);
    // No token, a wrong token in the form, a wrong header, another session's token.
    let stranger = web.person("gverdi", Role::Responsible, &["066.000"]).await;
    let attempts = [
        form(&[]),
        form(&[("csrf", "0".repeat(64).as_str())]),
        form(&[("csrf", stranger.csrf.as_str())]),
    ];
    for body in attempts {
        let response = web
            .client
            .post(web.url(&path))
            .header(COOKIE, &cookie)
            .header("content-type", FORM)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let header = web
        .client
        .post(web.url(&path))
        .header(COOKIE, &cookie)
        .header("x-csrf-token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(header.status(), StatusCode::FORBIDDEN);
    assert!(
        web.store
            .account(other.id)
            .await
            .unwrap()
            .blocked_at
            .is_none()
    );
    assert_eq!(audit(&web.store, "web.csrf").await.len(), 4);
    // The login form too needs its token.
    let login = web
        .client
        .post(web.url("/login"))
        .header("content-type", FORM)
        .body(form(&[("login", "mrossi"), ("password", PASSWORD)]))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    // With the token, the same request goes through.
    let ok = web.post_form(&path, &me, &[]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(
        web.store
            .account(other.id)
            .await
            .unwrap()
            .blocked_at
            .is_some()
    );
}

async fn the_first_login_forces_the_password_change(db: TestDb) {
    let web = start(db.store.clone()).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let created = web
        .post_json(
            "/api/v1/accounts",
            &boss,
            &serde_json::json!({"login": "mrossi", "surname": "Rossi", "given_name": "Maria",
                "email": "maria.rossi@cassa.example", "birth_date": "1980-04-02",
                "role": "clerk", "funds": ["066.000"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: serde_json::Value = created.json().await.unwrap();
    let temporary = body["temporary_password"].as_str().unwrap().to_string();
    let login = web.post_login("mrossi", &temporary, None).await;
    assert_eq!(login.headers()[LOCATION], "/password");
    let me = web.sign_in("mrossi", &temporary).await.unwrap();
    // Every other page sends back to /password; the API refuses.
    let page = web.get("/accounts", &me).await;
    assert_eq!(page.headers()[LOCATION], "/password");
    let api = web.get("/api/v1/accounts", &me).await;
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    // Rules of annex 2.3 are named when broken.
    let change = |new: &'static str| {
        let (web, me, temporary) = (&web, &me, temporary.clone());
        async move {
            web.post_form(
                "/password",
                me,
                &[("current", &temporary), ("new", new), ("repeat", new)],
            )
            .await
        }
    };
    let weak = change("rossi2026!").await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains("must not contain the surname")
    );
    // Common passwords are refused, with the reason.
    for common in ["Password1", "Passwort1", "aaaaaaaa1"] {
        let refused = change(common).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{common}"
        );
        let page = refused.text().await.unwrap();
        assert!(page.contains("too easy to guess"), "{common}: {page}");
    }
    let short = change("Ab1!").await;
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("at least 8 characters")
    );
    let done = change("Nuovo-Segreto-7").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (session, _) = set_cookie(&done, "arcgw_session").unwrap();
    assert_ne!(session, me.session, "a new session after the change");
    assert_eq!(
        web.get("/password", &me).await.status(),
        StatusCode::SEE_OTHER
    );
    let after = web.sign_in("mrossi", "Nuovo-Segreto-7").await.unwrap();
    assert_eq!(
        web.get("/api/v1/accounts", &after).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(web.get("/password", &after).await.status(), StatusCode::OK);
    assert!(web.sign_in("mrossi", &temporary).await.is_err());
}

/// Annex 2.3 c: a password marked compromised stops working at that
/// moment, not at its holder's next login: whoever knows it cannot sign in with it and set a
/// password of their own. It is replaced by a temporary password mailed to the holder, and every
/// session ends; with no way to deliver one, the account is blocked as well.
async fn a_compromised_password_stops_working_at_once(db: TestDb) {
    let smtp = support::smtp::SmtpServer::start().await;
    let mail =
        arcgw::accounts::PasswordMail::new(&support::smtp::email_config(smtp.address.port()))
            .unwrap();
    let web = start_with(db.store.clone(), |state| state.with_password_mail(mail)).await;
    let boss = web.person("boss", Role::Responsible, &["066.000"]).await;
    let clerk = create_account(&web.store, "mrossi", Role::Clerk, &["066.000"]).await;
    let session = web.sign_in("mrossi", PASSWORD).await.unwrap();
    let marked = web
        .post_json(
            &format!("/api/v1/accounts/{}/compromised", clerk.id),
            &boss,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::OK);
    let answer: serde_json::Value = marked.json().await.unwrap();
    assert_eq!(answer["temporary_password_sent_to"], "mrossi@cassa.example");
    assert!(answer.get("temporary_password").is_none(), "{answer}");
    assert_eq!(
        web.get("/password", &session).await.status(),
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    // Whoever knows the old password is refused at once.
    let login = web.post_login("mrossi", PASSWORD, None).await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    // The holder signs in with the new one from the second mail and must change it.
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    let temporary = mails[1]
        .data
        .lines()
        .find_map(|l| l.strip_prefix("    "))
        .unwrap()
        .trim()
        .to_string();
    let login = web.post_login("mrossi", &temporary, None).await;
    assert_eq!(login.headers()[LOCATION], "/password");

    // No mail server: the old password stops working all the same, and the account is blocked.
    let web = start_with(db.store.clone(), |state| state).await;
    let boss = web.sign_in("boss", PASSWORD).await.unwrap();
    let other = create_account(&web.store, "lbianchi", Role::Clerk, &["066.000"]).await;
    let marked = web
        .post_json(
            &format!("/api/v1/accounts/{}/compromised", other.id),
            &boss,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::OK);
    let answer: serde_json::Value = marked.json().await.unwrap();
    assert_eq!(answer["account"]["status"], "blocked", "{answer}");
    assert!(answer["undelivered"].as_str().is_some(), "{answer}");
    assert!(web.sign_in("lbianchi", PASSWORD).await.is_err());
    assert_ne!(
        web.store
            .check_password(other.id, PASSWORD, chrono::Utc::now())
            .await
            .unwrap(),
        arcgw::store::PasswordCheck::Right,
        "the compromised password is gone"
    );
}

async fn sessions_expire_when_idle_and_end_at_logout(db: TestDb) {
    let web = start(db.store.clone()).await;
    let me = web.person("mrossi", Role::Clerk, &["066.000"]).await;
    web.clock.advance(TimeDelta::minutes(29));
    assert_eq!(web.get("/password", &me).await.status(), StatusCode::OK);
    web.clock.advance(TimeDelta::minutes(31));
    assert_eq!(
        web.get("/password", &me).await.status(),
        StatusCode::SEE_OTHER
    );
    // Used all the time, a session still ends 12 hours after the login.
    let me = web.sign_in("mrossi", PASSWORD).await.unwrap();
    for _ in 0..24 {
        web.clock.advance(TimeDelta::minutes(29));
        assert_eq!(web.get("/password", &me).await.status(), StatusCode::OK);
    }
    web.clock.advance(TimeDelta::minutes(29));
    assert_eq!(
        web.get("/password", &me).await.status(),
        StatusCode::SEE_OTHER
    );
    // Logout ends the session and clears the cookie.
    let me = web.sign_in("mrossi", PASSWORD).await.unwrap();
    let out = web.post_form("/logout", &me, &[]).await;
    assert_eq!(out.headers()[LOCATION], "/login");
    assert!(
        set_cookie(&out, "arcgw_session")
            .unwrap()
            .1
            .contains("Max-Age=0")
    );
    assert_eq!(
        web.get("/password", &me).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(audit(&web.store, "session.logout").await.len(), 1);
}

on_both_backends!(
    login_sets_a_strict_session_cookie,
    a_session_id_set_before_login_is_not_the_one_after,
    repeated_failures_lock_with_a_growing_delay,
    parallel_guesses_lock_as_serial_ones_do,
    unknown_logins_and_blocked_accounts_are_refused_alike,
    posts_without_the_session_token_are_refused,
    the_first_login_forces_the_password_change,
    a_compromised_password_stops_working_at_once,
    sessions_expire_when_idle_and_end_at_logout,
);

/// A Viewer put into the request by an outer layer (as the dashboard's tests may do) is left
/// as it is, and the anti-CSRF check asks for its token.
#[tokio::test]
async fn a_viewer_already_present_is_left_as_it_is() {
    use std::sync::Arc;

    use arcgw::app::AppState;
    use arcgw::app::Viewer;
    use arcgw::domain::FundNumber;
    use axum::body::Body;
    use axum::http::{Method, Request};
    use tower::ServiceExt;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_sqlite(
        sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("db.sqlite")),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let state = AppState::new(
        store,
        Arc::new(arcgw::clock::ManualClock::new(support::web::noon())),
        arcgw::calendar::ZasCalendar::geneva(),
        arcgw::config::HttpConfig::default(),
    );
    let viewer = Viewer {
        account_id: 7,
        login: "injected".into(),
        display_name: "Injected Person".into(),
        role: Role::Clerk,
        funds: vec![FundNumber::parse("066.000").unwrap()],
        csrf_token: "t".repeat(64),
    };
    let app = arcgw::web::behind_session(state.clone(), arcgw::web::pages())
        .layer(axum::Extension(viewer))
        .with_state(state);
    let page = app
        .clone()
        .oneshot(Request::get("/password").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = axum::body::to_bytes(page.into_body(), 1 << 20)
        .await
        .unwrap();
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(html.contains("Injected Person (clerk)"), "{html}");
    let post = |token: String| {
        Request::builder()
            .method(Method::POST)
            .uri("/logout")
            .header("x-csrf-token", token)
            .body(Body::empty())
            .unwrap()
    };
    let wrong = app.clone().oneshot(post("wrong".into())).await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let right = app.oneshot(post("t".repeat(64))).await.unwrap();
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
}
