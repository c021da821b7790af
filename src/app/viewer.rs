//! Who a request comes from, as the pages and the accounts API see it: the signed-in person
//! ([`Viewer`]), as the login established them, and the client's address ([`Remote`]).
//!
//! The session layer of the pages (`crate::web::session`) puts a [`Viewer`] into a request's
//! extensions when its session cookie is valid; the pages' `require_viewer` and the accounts
//! API's own guard let only requests with one through. Handlers take `Extension<Viewer>` and
//! trust it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

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

/// The client's address, when the server was started with connection info.
#[derive(Clone, Debug, Default)]
pub struct Remote(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Remote {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Remote(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}
