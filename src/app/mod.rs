//! The HTTP application of `arcgw serve`: what every handler shares (the state with its store,
//! clock, limits, counters, rate limiters and audit; who a request comes from), the layers
//! around every request, and the assembly of the router from the fund API (`crate::api`), the
//! pages (`crate::web`), the operators' endpoints and the OpenAPI document.
//!
//! `api` and `web` use this module and `crate::presentation`, never each other.

mod deadline_metrics;
mod layers;
mod metrics;
pub(crate) mod openapi;
mod operations;
mod rate_limit;
mod refusals;
mod state;
mod viewer;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

pub use openapi::ApiDoc;
pub use rate_limit::client_key;
pub use state::{AppState, Audit};
pub use viewer::{Remote, Viewer};

/// When to try again after [`crate::store::StoreError::Busy`] and
/// [`crate::store::StoreError::WriterBusy`] (`Retry-After`, in seconds), in the API and on the
/// pages.
pub const BUSY_RETRY_AFTER_SECS: u64 = 5;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let signed_in_area = crate::web::pages().merge(crate::api::accounts::routes());
    let router = Router::new()
        .merge(crate::api::routes(state.clone()))
        .merge(crate::web::behind_session(state.clone(), signed_in_area))
        .route("/healthz", get(operations::healthz))
        .route("/readyz", get(operations::readyz))
        .route("/metrics", get(operations::metrics))
        .route("/api/v1/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(state.http.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), layers::measure));
    layers::around(router, &state.http).with_state(state)
}
