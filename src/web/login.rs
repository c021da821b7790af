//! Signing in and out, and changing one's password.
//!
//! - `GET /login`, `POST /login`: the login form (its own anti-CSRF cookie). A successful login
//!   ends the session the browser had, if any, and opens a new one with a new id (no session
//!   fixation). Refusals tell nothing of why; failures count towards the lock (growing delay).
//! - `POST /logout`: ends the session.
//! - `GET /password`, `POST /password`: the change of one's password under annex 2.3, forced
//!   while the password is temporary or marked compromised. The change ends every session of
//!   the account and opens a new one for this browser.
//!
//! Each step is an audit event (annex 2.5): `session.login`, `session.logout`,
//! `password.change`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::json;

use super::csrf::LOGIN_CSRF_COOKIE;
use super::session::{PasswordChangeDue, SESSION_COOKIE, cookie, policy, set_cookie, with_cookie};
use super::{Chrome, Viewer};
use crate::app::{AppState, BUSY_RETRY_AFTER_SECS, Remote, client_key};
use crate::domain::{FundNumber, Login, Password, PasswordError};
use crate::secret::random_hex32;
use crate::store::{AuditOutcome, LoginDenial, NewAuditEvent, PasswordCheck, SignIn, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    login: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    error: Option<String>,
}

/// A page, or a plain 500 when it cannot be rendered.
pub(super) fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page not rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A store failure on a page: logged, answered 500; too many password checks at once: 503
/// with `Retry-After`.
pub(super) fn internal(e: StoreError) -> Response {
    if matches!(e, StoreError::Busy) {
        tracing::warn!(error = %e, "request refused");
        let wait = BUSY_RETRY_AFTER_SECS.to_string();
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, wait)],
            e.to_string(),
        )
            .into_response();
    }
    tracing::error!(error = %e, "request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

async fn login_form(State(state): State<AppState>, viewer: Option<Extension<Viewer>>) -> Response {
    if viewer.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(&state, String::new(), None, StatusCode::OK)
}

/// The login form with a fresh anti-CSRF token in its cookie and its field.
fn login_page(
    state: &AppState,
    login: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = random_hex32();
    let page = page(
        status,
        &LoginPage {
            chrome: Chrome::new(&state.environments, None),
            csrf: csrf.clone(),
            login,
            error,
        },
    );
    with_cookie(page, set_cookie(LOGIN_CSRF_COOKIE, Some(&csrf), "/login"))
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

const REFUSED: &str = "The login was refused. After repeated failures, logins are refused for a \
     time that grows with each failure.";

const TOO_MANY: &str = "Too many login attempts from this address: try again in a minute.";

async fn login(
    State(state): State<AppState>,
    remote: Remote,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let at = state.now();
    let remote = remote.0;
    let login = form.login.trim().to_string();
    // Each attempt costs a password hash: an address gets so many a minute
    // (`[http] logins_per_minute`), so that a flood of logins cannot keep the cores hashing.
    let address = client_key(remote.as_deref().and_then(|r| r.parse().ok()));
    if let Err(wait) = state.logins.check(&address, std::time::Instant::now()) {
        if let Err(e) = state
            .refused("session.login", &address, "too many login attempts")
            .await
        {
            return internal(e);
        }
        let mut page = login_page(
            &state,
            login,
            Some(TOO_MANY.into()),
            StatusCode::TOO_MANY_REQUESTS,
        );
        let wait = wait.as_secs().max(1).to_string();
        if let Ok(value) = axum::http::HeaderValue::from_str(&wait) {
            page.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        return page;
    }
    let outcome = match state.store.sign_in(&login, &form.password, at).await {
        Ok(o) => o,
        Err(e) => return internal(e),
    };
    let account = match outcome {
        SignIn::Granted(account) => account,
        SignIn::Denied(denial) => {
            // The event concerns the funds of the account tried; an unknown user id is a
            // system event (art. 7: each fund reviews its own).
            let account_id = match denial {
                LoginDenial::UnknownLogin => None,
                LoginDenial::WrongPassword { account_id, .. }
                | LoginDenial::Locked { account_id, .. }
                | LoginDenial::Blocked { account_id } => Some(account_id),
            };
            let funds = match account_id {
                None => Vec::new(),
                Some(id) => match state.store.account_funds(id).await {
                    Ok(funds) => funds,
                    Err(e) => return internal(e),
                },
            };
            let mut details = match denial {
                LoginDenial::UnknownLogin => json!({ "reason": "unknown login" }),
                LoginDenial::WrongPassword {
                    failures,
                    locked_until,
                    ..
                } => json!({ "reason": "wrong password", "failures": failures,
                             "locked_until": locked_until }),
                LoginDenial::Locked { until, .. } => json!({ "reason": "locked", "until": until }),
                LoginDenial::Blocked { .. } => json!({ "reason": "blocked" }),
            };
            if let Some(id) = account_id {
                details["account_id"] = json!(id);
            }
            let event = login_event(
                at,
                // Only a well-formed user id is written as the actor; anything else typed into
                // the field stays out of the log.
                Login::parse(&login).map_or_else(|_| "anonymous".into(), |l| format!("user:{l}")),
                AuditOutcome::Failure,
                remote,
                details,
                funds,
            );
            if let Err(e) = state.store.append_audit(&event).await {
                return internal(e);
            }
            return login_page(
                &state,
                login,
                Some(REFUSED.into()),
                StatusCode::UNAUTHORIZED,
            );
        }
    };
    // Session fixation: whatever session id the browser came with is ended, never reused.
    if let Some(old) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.close_session(&old).await
    {
        return internal(e);
    }
    let session = match state.store.open_session(account.id, at, policy()).await {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let details = json!({ "account_id": account.id,
                          "must_change_password": account.must_change_password });
    let event = login_event(
        at,
        format!("user:{}", account.login),
        AuditOutcome::Success,
        remote,
        details,
        account.funds.clone(),
    );
    if let Err(e) = state.store.append_audit(&event).await {
        return internal(e);
    }
    let next = if account.must_change_password {
        "/password"
    } else {
        "/"
    };
    let response = with_cookie(
        Redirect::to(next).into_response(),
        set_cookie(SESSION_COOKIE, Some(session.secret.expose()), "/"),
    );
    with_cookie(response, set_cookie(LOGIN_CSRF_COOKIE, None, "/login"))
}

fn login_event(
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    outcome: AuditOutcome,
    remote_addr: Option<String>,
    details: serde_json::Value,
    funds: Vec<FundNumber>,
) -> NewAuditEvent {
    NewAuditEvent {
        at,
        actor,
        action: "session.login".into(),
        target: None,
        outcome,
        remote_addr,
        details,
        funds,
    }
}

async fn logout(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    remote: Remote,
    headers: HeaderMap,
) -> Response {
    if let Some(presented) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.close_session(&presented).await
    {
        return internal(e);
    }
    if let Some(Extension(viewer)) = viewer {
        let event = NewAuditEvent {
            action: "session.logout".into(),
            ..login_event(
                state.now(),
                viewer.actor(),
                AuditOutcome::Success,
                remote.0,
                json!({ "account_id": viewer.account_id }),
                viewer.funds.clone(),
            )
        };
        if let Err(e) = state.store.append_audit(&event).await {
            return internal(e);
        }
    }
    with_cookie(
        Redirect::to("/login").into_response(),
        set_cookie(SESSION_COOKIE, None, "/"),
    )
}

async fn password_form(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    due: Option<Extension<PasswordChangeDue>>,
) -> Response {
    let Some(Extension(viewer)) = viewer else {
        return Redirect::to("/login").into_response();
    };
    password_page(&state, viewer, due.is_some(), None)
}

fn password_page(
    state: &AppState,
    viewer: Viewer,
    forced: bool,
    error: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        status,
        &PasswordPage {
            chrome: Chrome::new(&state.environments, Some(viewer)),
            forced,
            error,
        },
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    due: Option<Extension<PasswordChangeDue>>,
    remote: Remote,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(Extension(viewer)) = viewer else {
        return Redirect::to("/login").into_response();
    };
    let at = state.now();
    let account = match state.store.account(viewer.account_id).await {
        Ok(a) => a,
        Err(e) => return internal(e),
    };
    // The current password counts towards the same lock as a login (annex 2.3).
    let checked = match state
        .store
        .check_password(account.id, &form.current, at)
        .await
    {
        Ok(PasswordCheck::Wrong { .. }) => {
            Err("current: this is not your current password".to_string())
        }
        Ok(PasswordCheck::Locked { until }) => Err(format!(
            "current: too many wrong passwords; try again after {}",
            until.format("%Y-%m-%d %H:%M:%S UTC")
        )),
        Ok(PasswordCheck::Right) if form.new != form.repeat => {
            Err("repeat: the two new passwords differ".to_string())
        }
        Ok(PasswordCheck::Right) if form.new == form.current => {
            Err(PasswordError::Unchanged.to_string())
        }
        Ok(PasswordCheck::Right) => {
            Password::check(&form.new, &account.login, &account.holder).map_err(|e| e.to_string())
        }
        Err(e) => return internal(e),
    };
    let (outcome, details) = match &checked {
        Ok(_) => (AuditOutcome::Success, json!({ "account_id": account.id })),
        Err(reason) => (
            AuditOutcome::Failure,
            json!({ "account_id": account.id, "reason": reason }),
        ),
    };
    let event = NewAuditEvent {
        action: "password.change".into(),
        target: Some(format!("account:{}", account.login)),
        ..login_event(
            at,
            viewer.actor(),
            outcome,
            remote.0,
            details,
            account.funds.clone(),
        )
    };
    if let Err(e) = state.store.append_audit(&event).await {
        return internal(e);
    }
    let password = match checked {
        Ok(p) => p,
        Err(reason) => return password_page(&state, viewer, due.is_some(), Some(reason)),
    };
    // Every session of the account ends; this browser gets a new one.
    let session = match state
        .store
        .set_password(account.id, &password, false, at)
        .await
    {
        Ok(_) => state.store.open_session(account.id, at, policy()).await,
        Err(e) => Err(e),
    };
    match session {
        Ok(s) => with_cookie(
            Redirect::to("/").into_response(),
            set_cookie(SESSION_COOKIE, Some(s.secret.expose()), "/"),
        ),
        Err(e) => internal(e),
    }
}
