//! `GET /api/v1/announcements/{id}/print`: a transmitted announcement on paper, as it was sent
//! (N. 3403). Its transmission's XML is written again byte for byte (checked against the
//! SHA-256 kept since it was built) and the announcement's fields are printed as they stand in
//! it. Audited: the print holds AVS numbers.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::response::Response;
use serde_json::json;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::dtxml::announcement_fields;
use crate::engine::reproduce::transmission_xml;
use crate::letters::{SentAnnouncement, compose_print};
use crate::presentation::documents::{DocumentQuery, document_response};
use crate::store::{AuditOutcome, TransmissionState};

/// Prints a transmitted announcement as it was sent to the ZAS (N. 3403).
#[utoipa::path(get, path = "/api/v1/announcements/{id}/print", tag = "announcements",
    params(("id" = i64, Path, description = "The announcement's id"), DocumentQuery),
    responses(
        (status = 200, description = "The announcement as sent", content(("text/plain"), ("application/pdf"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The announcement was never sent to the ZAS"),
    ),
    security(("bearer" = [])))]
pub async fn print(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let stored = state.store.announcement(id).await?.announcement;
    let fund = stored.announcement.fund();
    let format = query.format.unwrap_or_default();
    let language = query.language_for(&state.letters, fund);
    let target = format!("announcement:{id}");
    let audit = |outcome, details| caller.audit("announcement.print", &target, outcome, details);
    caller
        .require_fund_in(
            &state,
            fund,
            stored.environment,
            "announcement.print",
            &target,
            "print announcements",
        )
        .await?;
    let sent = match stored.transmission_id {
        Some(t) => Some(state.store.transmission(t).await?.0),
        None => None,
    }
    .filter(|record| record.state == TransmissionState::Sent);
    let Some(record) = sent else {
        let reason = format!(
            "announcement {id} was never sent to the ZAS (it is {}): there is nothing to print \
             as sent (N. 3403)",
            stored.state
        );
        let details = json!({"reason": reason});
        state.audit(audit(AuditOutcome::Failure, details)).await?;
        return Err(ApiError::NothingToPrint(reason));
    };
    let (record, xml) = transmission_xml(&state.store, record.id)
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    let reference = stored.announcement.reference();
    let fields = announcement_fields(&xml, reference.as_str())
        .map_err(|e| ApiError::Internal(Box::new(e)))?
        .ok_or_else(|| {
            ApiError::Internal(
                format!("transmission {} does not hold announcement {id}", record.id).into(),
            )
        })?;
    let doc = compose_print(
        &SentAnnouncement {
            fund,
            reference: reference.clone(),
            message_id: record.header.message_id.to_string(),
            message_date: record.header.message_date,
            sent_at: record.sent_at,
            sender_id: record.header.sender_id.to_string(),
            recipient_id: record.header.recipient_id.to_string(),
            fields,
        },
        language,
    );
    let details = json!({"transmission_id": record.id, "language": language,
        "format": format.as_str()});
    state.audit(audit(AuditOutcome::Success, details)).await?;
    Ok(document_response(
        &doc,
        format,
        &format!("announcement-{id}-{language}"),
    ))
}
