//! The letters about one announcement to the ZAS's ARC control office (N. 3402), written on the
//! fund's request: CIs still open after an RCI (N. 2703) and data of the ZAS wrong or incomplete
//! (N. 3301), as text or PDF. A letter holds an AVS number: every letter written or refused is
//! an audit event (`letter.open_accounts`, `letter.correction`), without the AVS numbers or the
//! text. The dashboard writes them through [`letter_about`] too.

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::response::Response;
use serde_json::json;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::letter_body::{CorrectionBody, OpenAccountsBody, read_letter_body};
use crate::app::AppState;
use crate::letters::LetterKind;
use crate::presentation::documents::document_response;
use crate::presentation::letters::{letter_about, letter_audit_details, letter_file_name};
use crate::store::AuditOutcome;

/// Writes the letter reporting CIs still open for the person after an RCI that is done
/// (N. 2703), to the ZAS's ARC control office (N. 3402), citing the date of the announcement
/// (N. 3301). Audited.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/letters/open-accounts", tag = "letters",
    params(("id" = i64, Path, description = "The announcement of the RCI")),
    request_body(content = OpenAccountsBody, description = "arcgw's own format"),
    responses(
        (status = 200, description = "The letter", content(("text/plain"), ("application/pdf"))),
        (status = 400, body = ErrorBody, description = "Not UTF-8, not JSON, not an object"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`not_allowed`: not an RCI, or the RCI is not done (N. 2703)"),
        (status = 413, description = "Larger than [http] max_body_bytes"),
        (status = 422, body = ErrorBody, description = "`invalid_field`: a field breaks a rule; the message names it"),
    ),
    security(("bearer" = [])))]
pub async fn open_accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    serve(&state, &caller, id, LetterKind::OpenAccounts, &body).await
}

/// Writes the letter telling the ZAS that data it communicated about an announcement it
/// acknowledged are wrong or incomplete (N. 3301), citing the date of the announcement, to the
/// ZAS's ARC control office (N. 3402). Audited.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/letters/correction", tag = "letters",
    params(("id" = i64, Path, description = "The announcement")),
    request_body(content = CorrectionBody, description = "arcgw's own format"),
    responses(
        (status = 200, description = "The letter", content(("text/plain"), ("application/pdf"))),
        (status = 400, body = ErrorBody, description = "Not UTF-8, not JSON, not an object"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`not_allowed`: no acknowledgement of the ZAS mentions the announcement (N. 3301)"),
        (status = 413, description = "Larger than [http] max_body_bytes"),
        (status = 422, body = ErrorBody, description = "`invalid_field`: a field breaks a rule; the message names it"),
    ),
    security(("bearer" = [])))]
pub async fn correction(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    serve(&state, &caller, id, LetterKind::Correction, &body).await
}

async fn serve(
    state: &AppState,
    caller: &Caller,
    id: i64,
    kind: LetterKind,
    body: &[u8],
) -> Result<Response, ApiError> {
    let detail = state.store.announcement(id).await?;
    let stored = &detail.announcement;
    let fund = stored.announcement.fund();
    let target = format!("announcement:{id}");
    let audit = |outcome, details| caller.audit(kind.action(), &target, outcome, details);
    // N. 2102 (security baseline, draft art. 7): letters about the token's funds only.
    caller
        .require_fund_in(
            state,
            fund,
            stored.environment,
            kind.action(),
            &target,
            "write letters about announcements",
        )
        .await?;
    let order = match read_letter_body(kind, body) {
        Ok(order) => order,
        Err(e) => {
            let details = json!({"reason": e.to_string()});
            state.audit(audit(AuditOutcome::Failure, details)).await?;
            return Err(e);
        }
    };
    let language = order
        .language
        .unwrap_or_else(|| state.letters.language_of(fund));
    let details = letter_audit_details(&order.request, language, order.format.as_str());
    match letter_about(state, &detail, &order.request, language).await? {
        Err(refusal) => {
            let mut details = details;
            details["reason"] = json!(refusal.to_string());
            state.audit(audit(AuditOutcome::Failure, details)).await?;
            Err(ApiError::NotAllowed(refusal.to_string()))
        }
        Ok(doc) => {
            state.audit(audit(AuditOutcome::Success, details)).await?;
            Ok(document_response(
                &doc,
                order.format,
                &letter_file_name(kind, id, language),
            ))
        }
    }
}
