//! The person looking at the dashboard, as the login established them.
//!
//! The session layer puts a [`Viewer`] into a request's extensions when its session cookie is
//! valid; [`require_viewer`] guards every page that needs one and sends everybody else to the
//! login page. Handlers take `Extension<Viewer>` and trust it.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::{FundNumber, Role};

/// A signed-in person.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The account's row id.
    pub account_id: i64,
    /// The account's user id, as typed at login.
    pub login: String,
    /// Given name and surname, for the page header.
    pub display_name: String,
    pub role: Role,
    /// The funds the account is bound to; the person sees and acts for these only (art. 7).
    pub funds: Vec<FundNumber>,
    /// The session's anti-CSRF token, to be echoed by every form as the field `csrf`.
    pub csrf_token: String,
}

impl Viewer {
    /// N. 2102 (security baseline, draft art. 7): a person acts only within their funds.
    pub fn may_see(&self, fund: FundNumber) -> bool {
        self.funds.contains(&fund)
    }

    /// `user:<login>`, as written in histories and the audit log.
    pub fn actor(&self) -> String {
        format!("user:{}", self.login)
    }
}

/// Lets a request through only with a [`Viewer`]; sends others to `/login`.
pub async fn require_viewer(request: Request, next: Next) -> Response {
    if request.extensions().get::<Viewer>().is_some() {
        next.run(request).await
    } else {
        Redirect::to("/login").into_response()
    }
}
