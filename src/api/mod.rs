//! The HTTP API of `arcgw serve` (axum): the fund API with bearer tokens, and the operators'
//! endpoints. Handlers call the store; no SQL here.

mod acknowledgement_json;
mod announcement_json;
mod announcements;
mod auth;
mod deadline_metrics;
mod documents;
mod error;
mod feeds;
mod layers;
mod letter_body;
mod letters;
mod metrics;
mod notices;
mod openapi;
mod operations;
mod orders;
mod print;
mod rate_limit;
mod refusals;
mod reminders;
mod state;
mod transmissions;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

pub use acknowledgement_json::entry_json;
pub use announcement_json::to_contract_json;
pub use announcements::next_deadline_of;
pub use documents::{DocumentFormat, document_download};
pub use error::{ApiError, BUSY_RETRY_AFTER_SECS};
pub use letters::{letter_about, letter_audit_details, letter_file_name};
pub use openapi::ApiDoc;
pub use rate_limit::client_key;
pub use state::AppState;
pub use state::Audit;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let fund_api = Router::new()
        .route(
            "/api/v1/announcements",
            post(announcements::submit).get(announcements::list),
        )
        .route("/api/v1/announcements/{id}", get(announcements::read_one))
        .route(
            "/api/v1/announcements/{id}/withdraw",
            post(announcements::withdraw),
        )
        .route(
            "/api/v1/transmissions/{id}/retry",
            post(transmissions::retry),
        )
        .route("/api/v1/announcements/{id}/print", get(print::print))
        .route("/api/v1/orders", get(orders::list))
        .route("/api/v1/orders/{id}/done", post(orders::done))
        .route("/api/v1/orders/{id}/cancel", post(orders::cancel))
        .route("/api/v1/complements", get(notices::complements))
        .route("/api/v1/splitting-notices", get(notices::splitting_notices))
        .route(
            "/api/v1/announcements/{id}/letters/open-accounts",
            post(letters::open_accounts),
        )
        .route(
            "/api/v1/announcements/{id}/letters/correction",
            post(letters::correction),
        )
        .route("/api/v1/reminders", get(reminders::list))
        .route("/api/v1/reminders/{id}/letter", get(reminders::letter))
        .route_layer(from_fn_with_state(state.clone(), auth::require_token));
    let router = Router::new()
        .merge(fund_api)
        .merge(crate::web::router(state.clone()))
        .route("/healthz", get(operations::healthz))
        .route("/readyz", get(operations::readyz))
        .route("/metrics", get(operations::metrics))
        .route("/api/v1/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(state.http.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), layers::measure));
    layers::around(router, &state.http).with_state(state)
}
