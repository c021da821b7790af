//! The HTTP API of `arcgw serve` (axum): the fund API with bearer tokens, and the accounts API
//! for signed-in people (`accounts.rs`). Handlers call the store; no SQL here. The
//! application's router (`crate::app::router`) mounts them next to the pages.

pub(crate) mod accounts;
pub(crate) mod announcements;
mod auth;
mod error;
mod feeds;
pub(crate) mod letter_body;
pub(crate) mod letters;
pub(crate) mod notices;
pub(crate) mod orders;
pub(crate) mod print;
pub(crate) mod reminders;
pub(crate) mod transmissions;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::app::AppState;

pub use error::{ApiError, ErrorBody};

/// The fund API's routes, each behind the check of its bearer token.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
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
        .route_layer(from_fn_with_state(state, auth::require_token))
}
