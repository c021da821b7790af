//! What a dashboard handler works with: the application, the signed-in [`Viewer`], the
//! client's address; and what a page that cannot be shown answers instead ([`PageError`]),
//! rendered in the same frame (the ZAS environment is on every page, error pages too).

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::app::{AppState, Audit};
use crate::domain::Action;
use crate::store::{AuditOutcome, StoreError};
use crate::web::{Chrome, Viewer};

/// The request's context, extracted from every dashboard request.
pub struct Ctx {
    pub state: AppState,
    pub viewer: Viewer,
    pub remote: Option<SocketAddr>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // `require_viewer` guards the routes; without a viewer there is nothing to show.
        let Some(viewer) = parts.extensions.get::<Viewer>().cloned() else {
            return Err(Redirect::to("/login").into_response());
        };
        let remote = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(Ctx {
            state: state.clone(),
            viewer,
            remote,
        })
    }
}

impl Ctx {
    /// The frame of the viewer's pages, with the navigation they may use.
    pub fn chrome(&self) -> Chrome {
        let role = self.viewer.role;
        let mut chrome = Chrome::new(&self.state.environments, Some(self.viewer.clone()))
            .link("/", "Overview")
            .link("/tasks", "Operator tasks");
        for (action, href, label) in [
            (Action::ManageAccounts, "/accounts", "Accounts"),
            (Action::ReviewAudit, "/audit", "Audit log"),
            (
                Action::ViewZasConnection,
                "/connection",
                "Connection to the ZAS",
            ),
        ] {
            if role.may(action) {
                chrome = chrome.link(href, label);
            }
        }
        chrome
    }

    /// Records an audit event of the viewer (annex 2.5); the page fails when it cannot be
    /// written (fail closed).
    pub async fn audit(
        &self,
        action: &'static str,
        target: Option<String>,
        outcome: AuditOutcome,
        details: serde_json::Value,
    ) -> Result<(), PageError> {
        self.state
            .audit(Audit {
                actor: &self.viewer.actor(),
                funds: &self.viewer.funds,
                action,
                target,
                outcome,
                remote: self.remote,
                details,
            })
            .await
            .map_err(PageError::from)
    }

    /// The page, or the error page in the viewer's frame.
    pub fn respond(&self, page: Result<Response, PageError>) -> Response {
        match page {
            Ok(response) => response,
            Err(error) => error.page(self.chrome()),
        }
    }
}

/// Renders a page template.
pub fn html(page: &impl Template) -> Result<Response, PageError> {
    page.render()
        .map(|body| Html(body).into_response())
        .map_err(|e| PageError::Internal(Box::new(e)))
}

/// Why a page is not shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// A query parameter is wrong: names the parameter and the rule.
    #[error("{field}: {problem}")]
    BadFilter { field: String, problem: String },
    /// Nothing to show here, or nothing the viewer may see (art. 7: not said which).
    #[error("there is nothing here for you")]
    NotFound,
    /// What was asked breaks a rule of the directives (a letter its rule does not allow).
    #[error("{0}")]
    Refused(String),
    /// The viewer's role does not allow this page.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Something failed on our side; logged, not shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl PageError {
    pub fn bad(field: impl Into<String>, problem: impl Into<String>) -> Self {
        PageError::BadFilter {
            field: field.into(),
            problem: problem.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            PageError::BadFilter { .. } => StatusCode::BAD_REQUEST,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::Refused(_) => StatusCode::CONFLICT,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn page(self, chrome: Chrome) -> Response {
        if let PageError::Internal(e) = &self {
            tracing::error!(error = %e, "dashboard page failed");
        }
        let status = self.status();
        let page = ErrorPage {
            chrome,
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message: self.to_string(),
        };
        match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(_) => (status, self.to_string()).into_response(),
        }
    }
}

/// Only for extractors' rejections, which handlers take as a `Result` and answer with
/// [`Ctx::respond`] in the viewer's frame.
impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        (self.status(), self.to_string()).into_response()
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => PageError::NotFound,
            other => PageError::Internal(Box::new(other)),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    reason: &'static str,
    message: String,
}
