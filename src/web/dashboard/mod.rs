//! The operator dashboard and the audit review (annex 2.5): server-drawn pages of the viewer's
//! funds only (N. 2102; security baseline, draft art. 7), every list exportable as CSV.
//!
//! - `/`: overdue first, pending by age (with an SVG chart), rejected or to investigate,
//!   acknowledgements that matched nothing, failed transmissions, open closing orders (N. 2713,
//!   overdue first); filters `fund` and `state`.
//! - `/exports/<list>.csv`: each list with the same filters; `/exports/audit.csv`.
//! - `/announcements/{id}`: one announcement, its history, deadline, operator tasks and XML as
//!   sent (audited), and the forms of the letters about it (N. 2703, 3301) where their rules
//!   allow.
//! - `/tasks`: the open operator tasks (N. 3302, 2211), each closed with a note (audited);
//!   `/exports/tasks.csv`.
//! - `/audit`: the audit log, for the roles the permission table allows.
//! - `/connection`: the connection to the ZAS and its certificate (not for delegates).

mod announcement;
mod audit;
mod chart;
mod connection;
mod context;
mod filter;
mod letters;
mod lists;
mod overview;
mod query;
mod table;
mod tasks;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};

use super::session::require_viewer;
use crate::app::AppState;

pub use audit::may_review_audit;

/// The dashboard's routes, each behind [`require_viewer`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::page))
        .route("/exports/audit.csv", get(audit::export))
        .route("/exports/tasks.csv", get(tasks::export))
        .route("/tasks", get(tasks::page))
        .route("/tasks/{id}/close", post(tasks::close))
        .route("/exports/{file}", get(overview::export))
        .route("/announcements/{id}", get(announcement::page))
        .route("/announcements/{id}/letters/{kind}", post(letters::write))
        .route("/audit", get(audit::page))
        .route("/connection", get(connection::page))
        .route_layer(from_fn(require_viewer))
}
