//! The operators' web pages (server-rendered HTML, askama): the login, account management and
//! the dashboard. Handlers call the store; no SQL here. Every page but the login needs a
//! [`Viewer`].
//!
//! Every request of this router passes the session layer ([`session::load_viewer`]: the
//! Viewer from the session cookie) and then the anti-CSRF check ([`csrf::require_csrf`]: every
//! POST carries the session's token).

pub mod accounts;
pub mod accounts_api;
pub mod csrf;
pub mod dashboard;
pub mod login;
pub mod page;
pub mod session;
pub mod viewer;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

use crate::api::AppState;

pub use page::Chrome;
pub use viewer::{Viewer, require_viewer};

/// The pages, to be merged into the application's router.
pub fn router(state: AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .merge(accounts::routes())
        .merge(dashboard::router())
        .route_layer(from_fn(require_viewer));
    Router::new()
        .merge(login::routes())
        .merge(signed_in)
        .merge(accounts_api::routes())
        .layer(from_fn_with_state(state.clone(), csrf::require_csrf))
        .layer(from_fn_with_state(state, session::load_viewer))
}
