//! The operators' web pages (server-rendered HTML, askama): the login, account management and
//! the dashboard. Handlers call the store; no SQL here. Every page but the login needs a
//! [`Viewer`].
//!
//! Every request of these pages passes the session layer ([`session::load_viewer`]: the
//! Viewer from the session cookie) and then the anti-CSRF check ([`csrf::require_csrf`]: every
//! POST carries the session's token); the application's router (`crate::app::router`) puts the
//! accounts API behind the same two ([`behind_session`]).

pub mod accounts;
pub mod csrf;
pub mod dashboard;
pub mod login;
pub mod page;
pub mod session;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

use crate::app::AppState;

pub use crate::app::Viewer;
pub use page::Chrome;
pub use session::require_viewer;

/// The pages: the login, and for a signed-in person the accounts and the dashboard.
pub fn pages() -> Router<AppState> {
    let signed_in = Router::new()
        .merge(accounts::routes())
        .merge(dashboard::router())
        .route_layer(from_fn(require_viewer));
    Router::new().merge(login::routes()).merge(signed_in)
}

/// `routes` behind the session layer and then the anti-CSRF check.
pub fn behind_session(state: AppState, routes: Router<AppState>) -> Router<AppState> {
    routes
        .layer(from_fn_with_state(state.clone(), csrf::require_csrf))
        .layer(from_fn_with_state(state, session::load_viewer))
}
