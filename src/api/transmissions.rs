//! Resuming a failed transmission through the API. A fund's token may resume a transmission whose
//! announcements are all of its own funds (N. 2102; security baseline, draft art. 7); it is sent
//! again under the same message id.

use axum::Json;
use axum::extract::{Extension, Path, State};
use serde_json::json;

use super::announcements::TransmissionView;
use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use crate::app::{AppState, Audit};
use crate::store::{AuditOutcome, StoreError, TransmissionState};

/// Resumes a failed transmission.
#[utoipa::path(post, path = "/api/v1/transmissions/{id}/retry", tag = "transmissions",
    params(("id" = i64, Path, description = "The transmission's id")),
    responses((status = 200, body = TransmissionView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not failed")),
    security(("bearer" = [])))]
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<TransmissionView>, ApiError> {
    let (record, announcements) = state.store.transmission_content(id).await?;
    let allowed = announcements.iter().all(|a| caller.may_act_for(a.fund()))
        && record.environment == caller.token.environment;
    let audit = |outcome| Audit {
        actor: &caller.actor,
        funds: &caller.token.funds,
        action: "transmission.retry",
        target: Some(format!("transmission:{id}")),
        outcome,
        remote: caller.remote,
        details: json!({}),
    };
    if !allowed {
        state.audit(audit(AuditOutcome::Denied)).await?;
        return Err(ApiError::Forbidden(
            "this transmission carries announcements of other funds or of another environment"
                .into(),
        ));
    }
    match state.store.retry_transmission(id, state.now()).await {
        Ok(record) => {
            state.audit(audit(AuditOutcome::Success)).await?;
            Ok(Json(TransmissionView {
                id: record.id,
                message_id: record.header.message_id.to_string(),
                state: record.state.as_str().to_string(),
                environment: record.environment,
                sent_at: record.sent_at,
            }))
        }
        Err(StoreError::WrongTransmissionState { found, .. })
            if found != TransmissionState::Failed =>
        {
            state.audit(audit(AuditOutcome::Failure)).await?;
            Err(ApiError::NotRetryable(format!(
                "transmission {id} is {found}; only a failed one can be resumed"
            )))
        }
        Err(e) => Err(e.into()),
    }
}
