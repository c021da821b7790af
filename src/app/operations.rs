//! Endpoints for operators and their tools: liveness, readiness, Prometheus metrics.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::metrics::family;
use super::state::AppState;
use crate::api::ApiError;
use crate::domain::AnnouncementState;
use crate::store::Readiness;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

#[derive(Serialize, ToSchema)]
pub struct ReadinessView {
    pub ready: bool,
    /// `ready`, `unreachable`, `migrations_pending` or `migrations_mismatch`.
    pub database: &'static str,
}

/// The service can serve: the database answers and its migrations are current.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = ReadinessView), (status = 503, body = ReadinessView)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<ReadinessView>) {
    let readiness = state.store.readiness().await;
    let database = match readiness {
        Readiness::Ready => "ready",
        Readiness::Unreachable => "unreachable",
        Readiness::MigrationsPending { .. } => "migrations_pending",
        Readiness::MigrationsMismatch { .. } => "migrations_mismatch",
    };
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(ReadinessView {
            ready: readiness.is_ready(),
            database,
        }),
    )
}

/// Metrics in the Prometheus text format: announcements by state, the oldest queued
/// announcement's age, sedex receipts overdue, submissions and rejections by rule, request latency; deadlines and alerts
/// (`deadline_metrics.rs`).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    // Unauthenticated, and its reads grow with the tables: a flood of scrapes shares renders.
    let out = state.scrape.get(|| render(&state)).await?;
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    ))
}

/// The metrics' text, read now.
async fn render(state: &AppState) -> Result<String, ApiError> {
    let counts = state.store.counts_by_state().await?;
    let oldest = state.store.oldest_queued_age(state.now()).await?;
    let mut out = String::new();
    family(
        &mut out,
        "arcgw_announcements",
        "gauge",
        "Announcements by state.",
    );
    for s in AnnouncementState::ALL {
        let n = counts.get(&s).copied().unwrap_or(0);
        out.push_str(&format!(
            "arcgw_announcements{{state=\"{}\"}} {n}\n",
            s.as_str()
        ));
    }
    family(
        &mut out,
        "arcgw_oldest_queued_age_seconds",
        "gauge",
        "Age of the oldest queued announcement (0 when none).",
    );
    let age = oldest
        .map(|d| d.num_milliseconds() as f64 / 1000.0)
        .unwrap_or(0.0);
    out.push_str(&format!("arcgw_oldest_queued_age_seconds {age}\n"));
    if !state.certificate_expires.is_empty() {
        family(
            &mut out,
            "arcgw_client_certificate_expiry_seconds",
            "gauge",
            "Seconds until the client certificate for the ZAS expires (warned under 30 days).",
        );
        for (environment, expires) in &state.certificate_expires {
            out.push_str(&format!(
                "arcgw_client_certificate_expiry_seconds{{environment=\"{environment}\"}} {}\n",
                (*expires - state.now()).num_seconds()
            ));
        }
    }
    family(
        &mut out,
        "arcgw_sedex_receipts_overdue",
        "gauge",
        "Transmissions handed over to the sedex client without a receipt within \
         receipt_timeout_secs (flagged, handed over again under the same message id).",
    );
    let overdue = state.store.receipts_overdue().await?;
    out.push_str(&format!("arcgw_sedex_receipts_overdue {overdue}\n"));
    super::deadline_metrics::render(state, &mut out).await?;
    state.metrics.render(&mut out);
    Ok(out)
}
