//! The fund API for reminders and letters (N. 3401, 3402): the reminders of the token's funds,
//! and the letter of a reminder's fund and day to the ZAS's ARC control office, as text or PDF.
//! A letter holds AVS numbers: every letter served is an audit event.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::auth::{Caller, page_limit};
use super::error::{ApiError, ErrorBody};
use crate::app::{AppState, Audit};
use crate::deadlines::DeadlineRule;
use crate::domain::Environment;
use crate::letters::compose_letter;
use crate::presentation::documents::{DocumentQuery, document_response};
use crate::store::{AuditOutcome, Reminder, ReminderQuery, ReminderStatus};

/// `open` (default) or `all`.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusParam {
    #[default]
    Open,
    All,
}

/// Filters of the list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReminderListQuery {
    /// Only this fund (`NNN.NNN`), which must be one of the token's.
    pub fund: Option<String>,
    /// `not_mentioned` (7 working days) or `still_processing` (15 working days).
    #[param(value_type = Option<String>)]
    pub rule: Option<DeadlineRule>,
    /// `open` (default: the fund still has to write) or `all`.
    #[param(value_type = Option<String>)]
    pub status: Option<StatusParam>,
    /// Only reminders raised on this day (Geneva), `YYYY-MM-DD`.
    pub raised_on: Option<NaiveDate>,
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

/// A reminder: the fund must write to the ZAS about an announcement. No personal data.
#[derive(Serialize, ToSchema)]
pub struct ReminderView {
    pub id: i64,
    pub announcement_id: i64,
    pub fund: String,
    pub reference: String,
    pub key: u8,
    /// `not_mentioned` or `still_processing` (N. 3401).
    #[schema(value_type = String)]
    pub rule: DeadlineRule,
    /// The Geneva date the announcement was announced (N. 3301).
    pub announced_on: NaiveDate,
    /// The last working day of the deadline that passed.
    pub due: NaiveDate,
    pub raised_at: DateTime<Utc>,
    /// The Geneva day it was raised: the day of its letter.
    pub raised_on: NaiveDate,
    /// `open` or `resolved`.
    pub status: &'static str,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The letter of its fund and day.
    pub letter: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReminderListView {
    pub items: Vec<ReminderView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

impl From<Reminder> for ReminderView {
    fn from(r: Reminder) -> Self {
        ReminderView {
            id: r.id,
            announcement_id: r.announcement_id,
            fund: r.fund.to_string(),
            reference: r.reference.to_string(),
            key: r.key.code(),
            rule: r.rule,
            announced_on: r.announced_on(),
            due: r.due,
            raised_at: r.raised_at,
            raised_on: raised_on(&r),
            status: if r.is_open() { "open" } else { "resolved" },
            resolved_at: r.resolved_at,
            letter: format!("/api/v1/reminders/{}/letter", r.id),
        }
    }
}

/// The Geneva day a reminder was raised: the day of its letter.
fn raised_on(r: &Reminder) -> NaiveDate {
    r.raised_at
        .with_timezone(&chrono_tz::Europe::Zurich)
        .date_naive()
}

/// Lists the reminders of the token's funds, filtered, oldest first, in pages.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "reminders", params(ReminderListQuery),
    responses((status = 200, body = ReminderListView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ReminderListQuery>, QueryRejection>,
) -> Result<Json<ReminderListView>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let audit = |outcome, target, details| Audit {
        actor: &caller.actor,
        funds: &caller.token.funds,
        action: "reminder.list",
        target,
        outcome,
        remote: caller.remote,
        details,
    };
    // Reminders are of PROD announcements only (ABN holds test data).
    caller
        .require_environment(
            &state,
            Environment::Prod,
            "reminder.list",
            "reminders",
            "read reminders",
        )
        .await?;
    let funds = caller
        .funds_to_list(
            &state,
            query.fund.as_deref(),
            "reminder.list",
            "read reminders",
        )
        .await?;
    let limit = page_limit(query.limit)?;
    let page = state
        .store
        .find_reminders(&ReminderQuery {
            funds: Some(funds),
            rule: query.rule,
            raised_on: query.raised_on,
            status: match query.status.unwrap_or_default() {
                StatusParam::Open => ReminderStatus::Open,
                StatusParam::All => ReminderStatus::All,
            },
            after_id: query.after,
            limit,
        })
        .await?;
    let details = json!({"items": page.items.len()});
    state
        .audit(audit(AuditOutcome::Success, None, details))
        .await?;
    Ok(Json(ReminderListView {
        items: page.items.into_iter().map(ReminderView::from).collect(),
        next_after: page.next_after,
    }))
}

/// The letter of the reminder's fund and day to the ZAS's ARC control office (N. 3401, 3402):
/// every announcement of that fund whose reminder was raised that day and is still open, with
/// reference, key, AVS number, date announced (N. 3301), rule and since when it is pending.
/// Audited: the letter holds AVS numbers.
#[utoipa::path(get, path = "/api/v1/reminders/{id}/letter", tag = "reminders",
    params(("id" = i64, Path, description = "The reminder's id"), DocumentQuery),
    responses(
        (status = 200, description = "The letter", content(("text/plain"), ("application/pdf"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Every announcement of the letter was resolved since"),
    ),
    security(("bearer" = [])))]
pub async fn letter(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let reminder = state.store.reminder(id).await?;
    let (fund, day) = (reminder.fund, raised_on(&reminder));
    let format = query.format.unwrap_or_default();
    let language = query.language_for(&state.letters, fund);
    let target = format!("reminder:{id}");
    let audit = |outcome, details| caller.audit("letter.read", &target, outcome, details);
    // Reminders and letters are of PROD announcements only (ABN holds test data).
    caller
        .require_fund_in(
            &state,
            fund,
            Environment::Prod,
            "letter.read",
            &target,
            "read the letters",
        )
        .await?;
    let entries = state.store.letter_entries(fund, day).await?;
    let details = json!({"fund": fund.to_string(), "day": day, "language": language,
        "format": format.as_str(), "announcements": entries.len()});
    if entries.is_empty() {
        state.audit(audit(AuditOutcome::Failure, details)).await?;
        return Err(ApiError::NothingToPrint(format!(
            "the letter of fund {fund} of {day} lists nothing: every announcement whose reminder \
             was raised that day has been dealt with since"
        )));
    }
    let doc = compose_letter(&state.letters.letter(fund, day, entries), language);
    state.audit(audit(AuditOutcome::Success, details)).await?;
    Ok(document_response(
        &doc,
        format,
        &format!("letter-{fund}-{day}-{language}"),
    ))
}
