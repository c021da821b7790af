//! The simulator's HTTP interface (all over mutual TLS):
//! - `POST /v1/transmissions`: a DT XML transmission, header `X-Message-Id`; answers a
//!   [`Receipt`](super::receipt::Receipt);
//! - `GET /v1/acknowledgements?after=N&limit=M`: the acknowledgements issued after sequence N
//!   (first issuing those that have come due by the simulator's clock);
//! - `GET /v1/health`: `ok`.

use std::pin::Pin;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::acknowledgements::IssuedAcknowledgement;
use super::intake::Intake;
use super::receipt::ReceiptResponse;
use super::zas::Shared;

/// The header naming the transmission's message id.
pub const MESSAGE_ID_HEADER: &str = "x-message-id";
/// The default and the largest `limit` of `GET /v1/acknowledgements`.
pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 1000;

/// The answer of `GET /v1/acknowledgements`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgementPage {
    /// Oldest first.
    pub acknowledgements: Vec<IssuedAcknowledgement>,
    /// The last sequence returned, or `after` when none.
    pub next_after: u64,
}

/// Marks a response whose connection must be cut instead (the `reset` fault); the service
/// around the router turns it into an error, and hyper then closes the connection unanswered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CutConnection;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/transmissions", post(post_transmission))
        .route("/v1/acknowledgements", get(get_acknowledgements))
        .route("/v1/health", get(health))
        .with_state(shared)
}

async fn health() -> &'static str {
    "ok"
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

async fn get_acknowledgements(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<PageQuery>,
) -> Json<AcknowledgementPage> {
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
    let acknowledgements: Vec<IssuedAcknowledgement> = shared
        .issued_after(after, limit)
        .iter()
        .map(|i| i.to_feed())
        .collect();
    let next_after = acknowledgements.last().map_or(after, |a| a.sequence);
    Json(AcknowledgementPage {
        acknowledgements,
        next_after,
    })
}

enum BodyProblem {
    TooLarge,
    Broken(String),
}

/// Reads the body, stopping as soon as it is larger than `limit`.
async fn read_limited(mut body: Body, limit: usize) -> Result<Vec<u8>, BodyProblem> {
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| BodyProblem::Broken(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len().saturating_add(data.len()) > limit {
                return Err(BodyProblem::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// Runs `work` on a blocking thread: reading a transmission and writing its acknowledgement
/// take milliseconds for a thousand announcements, which on a runtime worker would hold back
/// every task queued there (with `arcgw demo` and the benchmarks, the gateway's too).
async fn apart<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done,
        Err(failed) => std::panic::resume_unwind(failed.into_panic()),
    }
}

async fn post_transmission(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let header_id = headers
        .get(MESSAGE_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let label = header_id.as_deref().unwrap_or("");
    let limit = shared.max_body_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        tracing::warn!(message_id = label, "transmission refused: too large");
        return ReceiptResponse::too_large(label, limit).into_response();
    }
    let bytes = match read_limited(body, limit).await {
        Ok(bytes) => bytes,
        Err(BodyProblem::TooLarge) => {
            tracing::warn!(message_id = label, "transmission refused: too large");
            return ReceiptResponse::too_large(label, limit).into_response();
        }
        Err(BodyProblem::Broken(e)) => {
            return ReceiptResponse::adapter_error(
                label,
                format!("the body could not be read: {e}"),
            )
            .into_response();
        }
    };
    if bytes.is_empty() {
        tracing::warn!(message_id = label, "transmission refused: no payload");
        return ReceiptResponse::no_payload(label).into_response();
    }
    let Some(header_id) = header_id else {
        tracing::warn!("transmission refused: no X-Message-Id header");
        return ReceiptResponse::invalid_envelope(
            "",
            "invalid envelope: the X-Message-Id header is missing",
        )
        .into_response();
    };
    let reader = Arc::clone(&shared);
    let t = match apart(move || reader.read(&bytes, &header_id)).await {
        Ok(t) => Arc::new(t),
        Err(receipt) => return receipt.into_response(),
    };
    let id = t.header.message_id.clone();
    let faults = shared.scenarios.faults_for(&t);
    let attempt = if faults.counts_attempts() {
        match shared.lock().count_attempt(&id, shared.max_entries) {
            Some(n) => n,
            None => return ReceiptResponse::full(id.as_str(), shared.max_entries).into_response(),
        }
    } else {
        0
    };
    if attempt > 0 && attempt <= faults.http_500_times {
        tracing::warn!(message_id = %id, attempt, "simulated adapter error (http_500)");
        return ReceiptResponse::adapter_error(
            id.as_str(),
            format!(
                "adapter error (simulated, attempt {attempt} of {})",
                faults.http_500_times
            ),
        )
        .into_response();
    }
    let slow = faults
        .slow
        .filter(|(_, _, times)| times.is_none_or(|n| attempt <= n));
    let take_in = || {
        let (desk, t, faults) = (Arc::clone(&shared), Arc::clone(&t), faults.clone());
        apart(move || desk.take_in(&t, &faults))
    };
    let intake = match slow {
        Some((delay, true, _)) => {
            let intake = take_in().await;
            tracing::info!(message_id = %id, delay_ms = delay.as_millis(), "answer delayed (slow)");
            tokio::time::sleep(delay).await;
            intake
        }
        Some((delay, false, _)) => {
            tracing::info!(message_id = %id, delay_ms = delay.as_millis(), "answer delayed (slow)");
            tokio::time::sleep(delay).await;
            take_in().await
        }
        None => take_in().await,
    };
    if intake == Intake::Accepted && faults.reset {
        tracing::warn!(message_id = %id, "connection cut after recording (reset)");
        let mut response = shared.receipt(&t, &intake).into_response();
        response.extensions_mut().insert(CutConnection);
        return response;
    }
    shared.receipt(&t, &intake).into_response()
}
