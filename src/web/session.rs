//! The session layer of the web router: reads the session cookie, checks the session in the
//! database (server-side; idle and absolute expiry) and puts the signed-in [`Viewer`] into the
//! request's extensions. A Viewer already there is left as it is. A person whose password must
//! be changed (temporary, or marked compromised: annex 2.3 c) reaches only `/password` and
//! `/logout` until they change it. [`require_viewer`] guards every page that needs a Viewer
//! and sends everybody else to the login page.

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::{AppState, Viewer};
use crate::store::{ActiveSession, SessionPolicy};

/// The cookie holding the session id.
pub const SESSION_COOKIE: &str = "arcgw_session";

/// In a request's extensions: the signed-in person must change their password first.
#[derive(Clone, Copy, Debug)]
pub struct PasswordChangeDue;

/// How long sessions live.
pub fn policy() -> SessionPolicy {
    SessionPolicy::default()
}

/// The value of cookie `name` in the request's headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: Secure, HttpOnly, SameSite=Strict; `None` as value clears the cookie.
pub fn set_cookie(name: &str, value: Option<&str>, path: &str) -> HeaderValue {
    let text = match value {
        Some(v) => format!("{name}={v}; Path={path}; Secure; HttpOnly; SameSite=Strict"),
        None => format!("{name}=; Path={path}; Max-Age=0; Secure; HttpOnly; SameSite=Strict"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

/// The Viewer of a live session.
pub fn viewer_of(session: &ActiveSession) -> Viewer {
    let account = &session.account;
    Viewer {
        account_id: account.id,
        login: account.login.to_string(),
        display_name: account.holder.display_name(),
        role: account.role,
        funds: account.funds.clone(),
        csrf_token: session.csrf_token.clone(),
    }
}

/// The middleware: see the module's documentation.
pub async fn load_viewer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.extensions().get::<Viewer>().is_none()
        && let Some(presented) = cookie(request.headers(), SESSION_COOKIE)
    {
        match state.store.session(&presented, state.now(), policy()).await {
            Ok(Some(session)) => {
                if session.account.must_change_password {
                    request.extensions_mut().insert(PasswordChangeDue);
                }
                request.extensions_mut().insert(viewer_of(&session));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    let path = request.uri().path();
    if request.extensions().get::<PasswordChangeDue>().is_some()
        && !matches!(path, "/password" | "/logout")
    {
        if path.starts_with("/api/") {
            return (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({
                    "error": "password_change_required",
                    "message": "the password must be changed first, on /password (annex 2.3)"
                })),
            )
                .into_response();
        }
        return Redirect::to("/password").into_response();
    }
    next.run(request).await
}

/// Lets a request through only with a [`Viewer`]; sends others to `/login`.
pub async fn require_viewer(request: Request, next: Next) -> Response {
    if request.extensions().get::<Viewer>().is_some() {
        next.run(request).await
    } else {
        Redirect::to("/login").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_and_written_with_their_flags() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; arcgw_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        let set = set_cookie(SESSION_COOKIE, Some("abc"), "/");
        assert_eq!(
            set.to_str().unwrap(),
            "arcgw_session=abc; Path=/; Secure; HttpOnly; SameSite=Strict"
        );
        assert!(
            set_cookie(SESSION_COOKIE, None, "/")
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }
}
