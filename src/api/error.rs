//! Errors of the HTTP API and how they are answered: a status and a JSON body
//! `{"error": "<code>", "message": "…"}`. Nothing here carries an AVS number.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::app::BUSY_RETRY_AFTER_SECS;
use crate::presentation::deadline::DeadlineError;
use crate::store::StoreError;
use crate::validate::Report;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No or an unusable bearer token.
    #[error("a valid API token is required: Authorization: Bearer arcgw_…")]
    Unauthorized,
    /// The token may not act for this fund.
    #[error("{0}")]
    Forbidden(String),
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    /// The body is not announcements at all (not UTF-8, not JSON, too large, wrong shape).
    #[error("{0}")]
    Unreadable(String),
    /// Announcements that break rules of the directives: the validation report.
    #[error("the announcements are invalid")]
    Invalid(Report),
    /// Announced once (a rule of the system; the fund's own reference, N. 3105): the same fund
    /// and reference are stored with other content.
    #[error("{message}")]
    Conflict {
        index: usize,
        existing_id: i64,
        message: String,
    },
    /// The announcement is past the point where it can be withdrawn.
    #[error("{0}")]
    NotWithdrawable(String),
    /// Only a failed transmission can be resumed.
    #[error("{0}")]
    NotRetryable(String),
    /// A letter with no pending announcement left, or the print of an announcement that was
    /// never sent (N. 3401, 3403).
    #[error("{0}")]
    NothingToPrint(String),
    /// A field of a letter's request breaks a rule: names the field (a path such as
    /// `open_accounts[1].fund`) and the rule in its text (code `invalid_field`).
    #[error("{0}")]
    LetterField(String),
    /// A letter about an announcement its rule does not allow (N. 2703, 3301).
    #[error("{0}")]
    NotAllowed(String),
    #[error("a query parameter is wrong: {0}")]
    BadQuery(String),
    /// A field of the request body breaks a rule: the answer names both.
    #[error("{field}: {message}")]
    InvalidField {
        field: &'static str,
        rule: &'static str,
        message: String,
    },
    /// A closing order reported done before with another day, or cancelled (N. 2713).
    #[error("{0}")]
    OrderSettled(String),
    #[error("{0}")]
    BadHeader(String),
    /// The same Idempotency-Key was used before for a request with another body.
    #[error("this Idempotency-Key was used before for another request")]
    IdempotencyKeyReused,
    /// Annex 2.7: the announcement's persons' data were purged.
    #[error("{0}")]
    Purged(String),
    #[error("too many requests for this token; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The database was busy writing for longer than a writer waits; nothing was stored.
    #[error("the database is busy; nothing was stored; retry in {retry_after_secs} s")]
    Unavailable { retry_after_secs: u64 },
    /// Something failed on our side; the details are logged, not sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::NotFound { what, id },
            StoreError::Conflict { index, existing_id } => ApiError::Conflict {
                index,
                existing_id,
                message: e.to_string(),
            },
            StoreError::Purged { .. } => ApiError::Purged(e.to_string()),
            StoreError::Busy => ApiError::RateLimited {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            },
            StoreError::WriterBusy { .. } => ApiError::Unavailable {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            },
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl From<DeadlineError> for ApiError {
    fn from(e: DeadlineError) -> Self {
        match e {
            DeadlineError::Store(e) => ApiError::from(e),
            DeadlineError::Calendar(e) => ApiError::Internal(Box::new(e)),
        }
    }
}

/// The body of an error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `unauthorized`, `forbidden`, `not_found`, `unreadable`, `conflict`,
    /// `not_withdrawable`, `not_retryable`, `nothing_to_print`, `invalid_field`, `not_allowed`,
    /// `bad_query`, `bad_header`, `idempotency_key_reused`, `purged`, `rate_limited`,
    /// `unavailable`, `internal`, `order_settled`.
    pub error: &'static str,
    pub message: String,
    /// With `conflict`: the position of the announcement in the submission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// With `conflict`: the id of the stored announcement with the same fund and reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<i64>,
    /// With `invalid_field`: the field of the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// With `invalid_field`: the rule it breaks (`required`, `date`, `not_after_today`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Unreadable(_) | ApiError::BadQuery(_) | ApiError::BadHeader(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Invalid(_)
            | ApiError::IdempotencyKeyReused
            | ApiError::LetterField(_)
            | ApiError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict { .. }
            | ApiError::OrderSettled(_)
            | ApiError::NotWithdrawable(_)
            | ApiError::NotRetryable(_)
            | ApiError::NothingToPrint(_)
            | ApiError::NotAllowed(_) => StatusCode::CONFLICT,
            ApiError::Purged(_) => StatusCode::GONE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Unreadable(_) => "unreadable",
            ApiError::Invalid(_) => "invalid",
            ApiError::Conflict { .. } => "conflict",
            ApiError::NotWithdrawable(_) => "not_withdrawable",
            ApiError::NotRetryable(_) => "not_retryable",
            ApiError::NothingToPrint(_) => "nothing_to_print",
            ApiError::LetterField(_) => "invalid_field",
            ApiError::NotAllowed(_) => "not_allowed",
            ApiError::BadQuery(_) => "bad_query",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::OrderSettled(_) => "order_settled",
            ApiError::BadHeader(_) => "bad_header",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::Purged(_) => "purged",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            // docs/api.md: the body of a 422 is the validation report itself.
            ApiError::Invalid(report) => (status, Json(report)).into_response(),
            ApiError::Internal(ref source) => {
                tracing::error!(error = %source, "request failed");
                (status, Json(body(&self))).into_response()
            }
            ApiError::RateLimited { retry_after_secs }
            | ApiError::Unavailable { retry_after_secs } => (
                status,
                [("retry-after", retry_after_secs.to_string())],
                Json(body(&self)),
            )
                .into_response(),
            _ => (status, Json(body(&self))).into_response(),
        }
    }
}

fn body(e: &ApiError) -> ErrorBody {
    let (index, existing_id) = match e {
        ApiError::Conflict {
            index, existing_id, ..
        } => (Some(*index), Some(*existing_id)),
        _ => (None, None),
    };
    let (field, rule) = match e {
        ApiError::InvalidField { field, rule, .. } => (Some(*field), Some(*rule)),
        _ => (None, None),
    };
    ErrorBody {
        error: e.code(),
        message: e.to_string(),
        index,
        existing_id,
        field,
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purged_announcement_is_gone_not_an_internal_error() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let e = ApiError::from(StoreError::Purged { id: 7, at });
        assert_eq!(e.status(), StatusCode::GONE);
        assert_eq!(body(&e).error, "purged");
        assert!(body(&e).message.contains("annex 2.7"));
    }

    #[test]
    fn a_writer_queued_too_long_is_unavailable_with_retry_after() {
        let e = ApiError::from(StoreError::WriterBusy { waited_secs: 30 });
        assert_eq!(body(&e).error, "unavailable");
        let response = e.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()["retry-after"],
            BUSY_RETRY_AFTER_SECS.to_string()
        );
    }
}
