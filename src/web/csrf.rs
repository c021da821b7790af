//! Anti-CSRF: every POST of the web router carries the session's token, as the form field
//! `csrf` or the header `X-CSRF-Token`; others are refused with 403 and audited. The login
//! form, sent before there is a session, always carries the token of its own cookie instead
//! (double submit, [`LOGIN_CSRF_COOKIE`]).

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Viewer;
use super::session::cookie;
use crate::app::{AppState, client_key};
use crate::digest::constant_time_eq;
use crate::store::{AuditOutcome, NewAuditEvent};

/// The header a script sends the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field forms send the token in.
pub const CSRF_FIELD: &str = "csrf";
/// The cookie of the login form's token (the login page sets it).
pub const LOGIN_CSRF_COOKIE: &str = "arcgw_login_csrf";
/// A form larger than this is refused before its token is looked for.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The middleware: see the module's documentation.
pub async fn require_csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let viewer = request.extensions().get::<Viewer>().cloned();
    // The login form always carries its own token, also from a browser signed in already.
    let expected = if request.uri().path() == "/login" {
        cookie(request.headers(), LOGIN_CSRF_COOKIE)
    } else {
        viewer.as_ref().map(|v| v.csrf_token.clone())
    };
    let (request, presented) = match presented_token(request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let matches = match (&expected, &presented) {
        (Some(e), Some(p)) => !e.is_empty() && constant_time_eq(e.as_bytes(), p.as_bytes()),
        _ => false,
    };
    if matches {
        return next.run(request).await;
    }
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let token = if presented.is_some() {
        "wrong"
    } else {
        "missing"
    };
    let audited = match &viewer {
        // Without a session, counted per address and minute: one audit event each, however
        // many refusals a flood brings.
        None => {
            let reason = format!("token {token}");
            state
                .refused("web.csrf", &client_key(address), &reason)
                .await
        }
        Some(viewer) => state
            .store
            .append_audit(&csrf_event(&state, viewer, &request, address, token))
            .await
            .map(|_| ()),
    };
    if let Err(e) = audited {
        tracing::error!(error = %e, "audit of a CSRF refusal failed");
    }
    (
        StatusCode::FORBIDDEN,
        "csrf: the request lacks this session's anti-forgery token (form field csrf or header \
         X-CSRF-Token)",
    )
        .into_response()
}

/// The audit event of a signed-in viewer's request refused for its anti-CSRF token.
fn csrf_event(
    state: &AppState,
    viewer: &Viewer,
    request: &Request,
    address: Option<std::net::IpAddr>,
    token: &str,
) -> NewAuditEvent {
    NewAuditEvent {
        at: state.now(),
        actor: viewer.actor(),
        action: "web.csrf".into(),
        target: Some(request.uri().path().to_string()),
        outcome: AuditOutcome::Denied,
        remote_addr: address.map(|a| a.to_string()),
        details: json!({ "token": token }),
        funds: viewer.funds.clone(),
    }
}

/// The token of the request: its header, else the `csrf` field of a URL-encoded form (the body
/// is read and put back).
async fn presented_token(request: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request.headers().get(CSRF_HEADER) {
        let token = value.to_str().ok().map(str::to_string);
        return Ok((request, token));
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("form: at most {MAX_FORM_BYTES} bytes"),
        )
            .into_response()
    })?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}
