//! The operators' web pages (server-rendered HTML, askama): the login, account management and
//! the dashboard. Handlers call the store; no SQL here. Every page but the login needs a
//! [`Viewer`].

pub mod dashboard;
pub mod page;
pub mod viewer;

use axum::Router;

use crate::api::AppState;

pub use page::Chrome;
pub use viewer::Viewer;

/// The pages, to be merged into the application's router.
pub fn router() -> Router<AppState> {
    Router::new().merge(dashboard::router())
}
