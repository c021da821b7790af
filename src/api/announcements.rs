//! The fund API for announcements: submit, read one, list, withdraw (docs/api.md, "The HTTP API").

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::auth::{Caller, page_limit};
use super::error::{ApiError, ErrorBody};
use crate::app::{AppState, Audit};
use crate::deadlines::{Deadline, why_no_deadline};
use crate::domain::{Announcement, AnnouncementState, Environment};
use crate::presentation::acknowledgement::entry_json;
use crate::presentation::announcement::to_contract_json;
use crate::presentation::deadline::next_deadline_of;
use crate::store::{
    AuditOutcome, ChangeNote, IdempotentRequest, KeyClaim, ListFilter, RevokedRci, StoreError,
    Submitted,
};
use crate::validate::{Destination, Finding, Intake, Report, Rule, validate_json};

/// The answer to an accepted submission.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// The ids of the announcements, in the order submitted; an announcement stored before
    /// (same fund, reference and content) keeps its id.
    pub ids: Vec<i64>,
    /// How many of them were new.
    pub created: usize,
    /// Warnings of the validation (they do not stop the submission): the first 1 000; and for a
    /// revocation of an RCI (99) that the gateway knows no RCI of that person and fund with the
    /// closing date given (N. 2720; the ZAS decides).
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Finding>,
    /// How many warnings were found beyond those listed (only when there are some).
    #[serde(skip_serializing_if = "crate::validate::report::is_zero")]
    pub warnings_omitted: usize,
}

/// Submits announcements: all are stored, or none.
#[utoipa::path(post, path = "/api/v1/announcements", tag = "announcements",
    request_body(content = Object, description = "One announcement, an array, or {\"announcements\": [...]} (docs/api.md). The blocks by key (annex 9): person: 11, 13, 15, 19, 21, 25, 31, 35, 41 (avs_number optional); AVS number only: 33, 43, 61, 63, 65, 67, 92, 93, 97, 98; rci (beneficiary, closing, order_date, domicile; event optional): 71, 75, 79, 81, 85; with rci.old_law true: 73, 77, 83, 91 (old-law benefits, annex 1 footnote); rci.domicile only: 94 (Swiss compensation fund only, N. 2521); splitting (spouse_avs_number, years): 95; splitting.spouse_avs_number only: 96; rci.closing only: 99 (the closing month of the RCI revoked, N. 2720)."),
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters: a repeat with the same key and body gets the first answer; the same key with another body is refused (422). Without it, submissions are still idempotent by environment, fund, reference and content (a rule of the system: the fund's reference is its own key, N. 3105).")),
    responses(
        (status = 202, description = "All stored (or stored before)", body = Accepted),
        (status = 400, description = "Not readable as announcements", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The token may not announce for a fund", body = ErrorBody),
        (status = 409, description = "Same fund and reference stored with other content", body = ErrorBody),
        (status = 422, description = "Invalid: the validation report (the first 1 000 errors and warnings, and a count of the others); nothing stored. Or the Idempotency-Key was used for another body (`idempotency_key_reused`).", body = crate::app::openapi::ValidationReport),
    ),
    security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let request_sha256 = crate::digest::sha256_hex(&body);
    let audit = |outcome, details: Value| submit_event(&caller, outcome, details);
    // A repeat is answered before the body is validated; the key is claimed for good in the
    // submission's transaction below (parallel requests with one key: one stores).
    if let Some(key) = &idempotency_key
        && let Some(first) = state.store.idempotent_request(caller.token.id, key).await?
    {
        return answer_repeat(&state, &caller, first, &request_sha256).await;
    }
    let intake =
        Intake::new(state.clock.today(), Destination::Queue).with_swiss_fund(state.swiss_fund);
    let validated = match validate_json(&body, state.http.max_body_bytes, &intake) {
        Ok(v) => v,
        Err(e) => {
            state
                .audit(audit(
                    AuditOutcome::Failure,
                    json!({"reason": e.to_string()}),
                ))
                .await?;
            return Err(ApiError::Unreadable(e.to_string()));
        }
    };
    if !validated.report.valid {
        count_rejections(&state, &validated.report);
        let details = json!({"count": validated.count, "errors": validated.report.error_count()});
        state.audit(audit(AuditOutcome::Failure, details)).await?;
        return Err(ApiError::Invalid(validated.report));
    }
    // N. 2102 (security baseline, draft art. 7): a token announces only for its own funds.
    if let Some((index, a)) = validated
        .announcements
        .iter()
        .enumerate()
        .find(|(_, a)| !caller.may_act_for(a.fund()))
    {
        let message = format!(
            "announcement #{index}: this token may not announce for fund {}",
            a.fund()
        );
        state
            .audit(audit(AuditOutcome::Denied, json!({"reason": message})))
            .await?;
        return Err(ApiError::Forbidden(message));
    }
    let note = ChangeNote::new(state.now(), caller.actor.clone(), "submitted by the fund");
    // Annex 2.5: the success is audited in the submission's own transaction.
    let audit_success = {
        let (state, caller) = (state.clone(), caller.clone());
        move |submitted: &[Submitted]| {
            let created = submitted.iter().filter(|s| s.created).count();
            let details = json!({"count": submitted.len(), "created": created, "first_id": submitted.first().map(|s| s.id), "last_id": submitted.last().map(|s| s.id)});
            Some(state.audit_event(submit_event(&caller, AuditOutcome::Success, details)))
        }
    };
    let claim = idempotency_key
        .as_deref()
        .map(|key| KeyClaim::new(caller.token.id, key, &request_sha256));
    let submitted = match state
        .store
        .submit_audited(
            caller.token.environment,
            &validated.announcements,
            &note,
            claim.as_ref(),
            audit_success,
        )
        .await
    {
        Ok(s) => s,
        Err(StoreError::KeyClaimed { first }) => {
            return answer_repeat(&state, &caller, first, &request_sha256).await;
        }
        Err(e @ StoreError::Conflict { .. }) => {
            state
                .audit(audit(
                    AuditOutcome::Failure,
                    json!({"reason": e.to_string()}),
                ))
                .await?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    let ids: Vec<i64> = submitted.iter().map(|s| s.id).collect();
    let mut warnings = validated.report.warnings;
    warnings.extend(unknown_revoked_rcis(&validated.announcements, &submitted));
    warnings.sort_by_key(|w| w.index);
    let created = submitted.iter().filter(|s| s.created).count();
    state.metrics.submitted("stored", created as u64);
    state
        .metrics
        .submitted("already_stored", (submitted.len() - created) as u64);
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            ids,
            created,
            warnings,
            warnings_omitted: validated.report.warnings_omitted,
        }),
    ))
}

/// An audit event `announcement.submit` of `caller`.
fn submit_event(caller: &Caller, outcome: AuditOutcome, details: Value) -> Audit<'_> {
    Audit {
        actor: &caller.actor,
        funds: &caller.token.funds,
        action: "announcement.submit",
        target: None,
        outcome,
        remote: caller.remote,
        details,
    }
}

/// The answer to a request whose Idempotency-Key was used before by `first`: its answer again
/// for the same body, `idempotency_key_reused` for another.
async fn answer_repeat(
    state: &AppState,
    caller: &Caller,
    first: IdempotentRequest,
    request_sha256: &str,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let audit = |outcome, details: Value| submit_event(caller, outcome, details);
    if first.request_sha256 != request_sha256 {
        state
            .audit(audit(
                AuditOutcome::Failure,
                json!({"reason": "idempotency key reused with another body"}),
            ))
            .await?;
        return Err(ApiError::IdempotencyKeyReused);
    }
    state
        .audit(audit(
            AuditOutcome::Success,
            json!({"replayed": true, "count": first.announcement_ids.len()}),
        ))
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            ids: first.announcement_ids,
            created: 0,
            warnings: Vec::new(),
            warnings_omitted: 0,
        }),
    ))
}

/// N. 2720: a warning for each revocation of an RCI (99) whose RCI the gateway does not know.
fn unknown_revoked_rcis(announcements: &[Announcement], submitted: &[Submitted]) -> Vec<Finding> {
    announcements
        .iter()
        .zip(submitted)
        .enumerate()
        .filter(|(_, (_, s))| s.revokes == Some(RevokedRci::Unknown))
        .map(|(index, (a, _))| Finding {
            index,
            field: "rci.closing".into(),
            rule: Rule::RevokedRci,
            message: format!(
                "arcgw knows no RCI of this person from fund {} with this closing month: the revocation is sent as given, and the ZAS decides which RCI it revokes",
                a.fund()
            ),
        })
        .collect()
}

/// The `Idempotency-Key` header, when given: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()));
    key.map(|k| Some(k.to_string())).ok_or_else(|| {
        ApiError::BadHeader("Idempotency-Key must be 1 to 255 visible ASCII characters".into())
    })
}

/// Counts each invalid announcement once, under the rule of its first error.
fn count_rejections(state: &AppState, report: &Report) {
    let mut last = None;
    for e in &report.errors {
        if last != Some(e.index) {
            state.metrics.rejected(e.rule.reference());
            last = Some(e.index);
        }
    }
}

/// One entry of an announcement's history.
#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    #[schema(value_type = String)]
    pub state: AnnouncementState,
    #[schema(value_type = Option<String>)]
    pub previous: Option<AnnouncementState>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub cause: String,
}

/// An announcement as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct AnnouncementView {
    pub id: i64,
    /// The ZAS environment it is announced in: `prod`, or `abn` (acceptance, test data).
    #[schema(value_type = String)]
    pub environment: Environment,
    #[schema(value_type = String)]
    pub state: AnnouncementState,
    pub state_since: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    pub fund: String,
    pub reference: String,
    pub key: u8,
    /// The announcement in the JSON of docs/api.md.
    #[schema(value_type = Object)]
    pub announcement: Value,
    pub transmission_id: Option<i64>,
    /// For a revocation of an RCI (key 99): the id of the stored RCI it revokes — the one of
    /// the same person and fund with the closing date the revocation gives (annex 9 row 4,
    /// N. 2720) — or null when the gateway knows none.
    pub revokes_id: Option<i64>,
    /// The transmission that carried it, once there is one.
    pub transmission: Option<TransmissionView>,
    /// What the ZAS answered about it, oldest first (N. 3201–3203).
    #[schema(value_type = Vec<Object>)]
    pub acknowledgements: Vec<Value>,
    pub history: Vec<HistoryView>,
    /// The next deadline of N. 3401, while one runs (PROD, `announced`, `in_progress`), with
    /// its explanation.
    #[schema(value_type = Option<Object>)]
    pub next_deadline: Option<Deadline>,
    /// Why no deadline runs, when `next_deadline` is null (an ABN announcement, or a state
    /// without one); null while one runs.
    pub next_deadline_explanation: Option<String>,
    /// The AVS number the ZAS assigned (N. 1102, 1203) to a certificate announcement sent
    /// without one, once an acknowledgement brought it; `announcement` stays as sent.
    pub assigned_avs_number: Option<String>,
}

/// The transmission an announcement went in.
#[derive(Serialize, ToSchema)]
pub struct TransmissionView {
    pub id: i64,
    pub message_id: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    /// `abn` or `prod`.
    #[schema(value_type = String)]
    pub environment: Environment,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Reads one announcement with its history and next deadline. Audited: the answer holds an
/// AVS number.
#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "announcements",
    params(("id" = i64, Path, description = "The announcement's id")),
    responses((status = 200, body = AnnouncementView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn read_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<AnnouncementView>, ApiError> {
    let detail = state.store.announcement(id).await?;
    let stored = &detail.announcement;
    let target = format!("announcement:{id}");
    caller
        .require_fund_in(
            &state,
            stored.announcement.fund(),
            stored.environment,
            "announcement.read",
            &target,
            "read announcements",
        )
        .await?;
    state
        .audit(caller.audit(
            "announcement.read",
            &target,
            AuditOutcome::Success,
            json!({}),
        ))
        .await?;
    let entries = state.store.entries_of(id).await?;
    let next_deadline = next_deadline_of(&state, stored).await?;
    let assigned = state.store.assigned_avs_number(id).await?;
    let transmission = match stored.transmission_id {
        Some(t) => {
            let (record, _) = state.store.transmission(t).await?;
            Some(TransmissionView {
                id: record.id,
                message_id: record.header.message_id.to_string(),
                state: record.state.as_str().to_string(),
                environment: record.environment,
                sent_at: record.sent_at,
            })
        }
        None => None,
    };
    let a = &stored.announcement;
    Ok(Json(AnnouncementView {
        id: stored.id,
        environment: stored.environment,
        state: stored.state,
        state_since: stored.state_since,
        submitted_at: stored.submitted_at,
        fund: a.fund().to_string(),
        reference: a.reference().to_string(),
        key: a.key().code(),
        announcement: to_contract_json(a),
        transmission_id: stored.transmission_id,
        revokes_id: stored.revokes_id,
        transmission,
        acknowledgements: entries.iter().map(entry_json).collect(),
        history: detail
            .history
            .into_iter()
            .map(|h| HistoryView {
                state: h.state,
                previous: h.previous,
                at: h.at,
                actor: h.actor,
                cause: h.cause,
            })
            .collect(),
        next_deadline_explanation: why_no_deadline(stored.environment, stored.state),
        assigned_avs_number: assigned.map(|n| n.to_string()),
        next_deadline,
    }))
}

/// Filters of the list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only announcements in this state.
    pub state: Option<String>,
    /// Only this fund (`NNN.NNN`), which must be one of the token's.
    pub fund: Option<String>,
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

/// A list item: no personal data.
#[derive(Serialize, ToSchema)]
pub struct SummaryView {
    pub id: i64,
    /// `prod` or `abn`: always the token's own.
    #[schema(value_type = String)]
    pub environment: Environment,
    pub fund: String,
    pub reference: String,
    pub key: u8,
    #[schema(value_type = String)]
    pub state: AnnouncementState,
    pub state_since: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    pub transmission_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ListView {
    pub items: Vec<SummaryView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// Lists the token's announcements, filtered, oldest first, in pages.
#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements", params(ListQuery),
    responses((status = 200, body = ListView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ListView>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let state_filter = query
        .state
        .as_deref()
        .map(str::parse::<AnnouncementState>)
        .transpose()
        .map_err(|e| ApiError::BadQuery(e.to_string()))?;
    let funds = caller
        .funds_to_list(
            &state,
            query.fund.as_deref(),
            "announcement.list",
            "read announcements",
        )
        .await?;
    let limit = page_limit(query.limit)?;
    let page = state
        .store
        .list_announcements(&ListFilter {
            funds: Some(funds),
            environment: Some(caller.token.environment),
            state: state_filter,
            after_id: query.after,
            limit,
        })
        .await?;
    state
        .audit(Audit {
            actor: &caller.actor,
            funds: &caller.token.funds,
            action: "announcement.list",
            target: None,
            outcome: AuditOutcome::Success,
            remote: caller.remote,
            details: json!({"items": page.items.len()}),
        })
        .await?;
    Ok(Json(ListView {
        items: page
            .items
            .into_iter()
            .map(|s| SummaryView {
                id: s.id,
                environment: s.environment,
                fund: s.fund.to_string(),
                reference: s.reference.to_string(),
                key: s.key.code(),
                state: s.state,
                state_since: s.state_since,
                submitted_at: s.submitted_at,
                transmission_id: s.transmission_id,
            })
            .collect(),
        next_after: page.next_after,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Withdrawn {
    pub id: i64,
    #[schema(value_type = String)]
    pub state: AnnouncementState,
}

/// Withdraws an announcement that is still queued; refused once it is being sent.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/withdraw", tag = "announcements",
    params(("id" = i64, Path, description = "The announcement's id")),
    responses((status = 200, body = Withdrawn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<Withdrawn>, ApiError> {
    let detail = state.store.announcement(id).await?;
    let fund = detail.announcement.announcement.fund();
    let target = format!("announcement:{id}");
    let audit = |outcome, details| caller.audit("announcement.withdraw", &target, outcome, details);
    caller
        .require_fund_in(
            &state,
            fund,
            detail.announcement.environment,
            "announcement.withdraw",
            &target,
            "withdraw announcements",
        )
        .await?;
    let note = ChangeNote::new(state.now(), caller.actor.clone(), "withdrawn by the fund");
    match state.store.withdraw(id, &note).await {
        Ok(t) => {
            state.audit(audit(AuditOutcome::Success, json!({}))).await?;
            Ok(Json(Withdrawn { id, state: t.to }))
        }
        Err(StoreError::InvalidTransition { from, .. }) => {
            state
                .audit(audit(AuditOutcome::Failure, json!({"state": from})))
                .await?;
            Err(ApiError::NotWithdrawable(format!(
                "announcement {id} is {from} and can no longer be withdrawn"
            )))
        }
        Err(e) => Err(e.into()),
    }
}
