//! The fund API for the ZAS's closing-and-transmission orders (N. 2707–2713): the fund's core
//! system reads the orders of its token's funds with a cursor, and reports each done once it
//! has transmitted the CI to the ordering fund (within ten days, N. 2713). An order holds an
//! AVS number: every read is an audit event naming the orders read.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::feeds::{FeedQuery, read_feed};
use crate::app::AppState;
use crate::domain::closing_order::TRANSMISSION_DAYS;
use crate::domain::{ClosingOrderState, Domicile, Environment};
use crate::letters::{Language, mandate};
use crate::store::{AuditOutcome, SettleReport, Settlement, StoredClosingOrder};

/// The domicile instruction of N. 2712 with its mandate.
#[derive(Serialize, ToSchema)]
pub struct DomicileView {
    /// 1 domiciled in Switzerland from–to, 2 not domiciled, 3 conventions with Germany,
    /// Finland, Norway.
    pub code: u8,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// What the mandated fund must do for this code (N. 2712), in the fund's language of its
    /// letters (`[letters]`: it, de or fr).
    pub mandate: &'static str,
}

/// A closing-and-transmission order as the fund's system sees it.
#[derive(Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    /// `prod` or `abn`: always the token's own.
    #[schema(value_type = String)]
    pub environment: Environment,
    /// The ZAS's message id: the order's identity.
    pub message_id: String,
    /// The mandated fund, which keeps a CI of the person (N. 2707).
    pub fund: String,
    /// The fund to transmit the CI to; may be `fund` itself (N. 2709).
    pub ordering_fund: String,
    pub avs_number: String,
    /// The key code determining the RCI (N. 2708).
    pub key: u8,
    /// `YYYY-MM`: the CI is closed with its entries up to this month (N. 2710, 3116).
    pub closing_month: String,
    /// The day the ordering fund gave the order (N. 3117).
    pub order_date: NaiveDate,
    pub domicile: DomicileView,
    pub received_at: DateTime<Utc>,
    /// The last day to transmit (N. 2713).
    pub due_on: NaiveDate,
    /// How `due_on` was computed.
    pub due_explanation: String,
    /// `open`, `done` or `cancelled`.
    #[schema(value_type = String)]
    pub state: ClosingOrderState,
    pub state_since: DateTime<Utc>,
    /// The day the CI was transmitted, once reported.
    pub sent_on: Option<NaiveDate>,
    /// Why the fund will not transmit a CI for it (state `cancelled`; masked).
    pub cancel_reason: Option<String>,
    /// When the order was found overdue (its reminder raised); null while in time.
    pub overdue_since: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderListView {
    pub items: Vec<OrderView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

impl OrderView {
    /// The view of `o`, its mandate in `language`.
    fn of(o: StoredClosingOrder, language: Language) -> Self {
        let (from, to) = match o.domicile.domicile() {
            Domicile::InSwitzerland { from, to } => (Some(from), Some(to)),
            Domicile::NotInSwitzerland | Domicile::Convention => (None, None),
        };
        let received_on = o
            .received_at
            .with_timezone(&chrono_tz::Europe::Zurich)
            .date_naive();
        OrderView {
            id: o.id,
            environment: o.environment,
            message_id: o.message_id.as_str().to_string(),
            fund: o.fund.to_string(),
            ordering_fund: o.ordering_fund.to_string(),
            avs_number: o.avs_number.to_string(),
            key: o.key.code(),
            closing_month: o.closing.to_string(),
            order_date: o.order_date,
            domicile: DomicileView {
                code: o.domicile.code(),
                from,
                to,
                mandate: mandate(o.domicile, language),
            },
            received_at: o.received_at,
            due_on: o.due_on,
            due_explanation: format!(
                "received on {received_on} (Geneva) + {TRANSMISSION_DAYS} calendar days, weekends and holidays included (N. 2713)"
            ),
            state: o.state,
            state_since: o.state_since,
            sent_on: o.sent_on,
            cancel_reason: o.cancel_reason,
            overdue_since: o.reminded_at,
        }
    }
}

/// Lists the closing orders of the token's funds, oldest first, in pages: reading again with
/// the same cursor gives the same orders (nothing is consumed). Audited: the answer holds AVS
/// numbers.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(FeedQuery),
    responses((status = 200, body = OrderListView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<OrderListView>, ApiError> {
    let page = read_feed::<StoredClosingOrder>(
        &state,
        &caller,
        query,
        ("closing_order.list", "read closing orders"),
    )
    .await?;
    Ok(Json(OrderListView {
        items: page
            .items
            .into_iter()
            .map(|o| {
                let language = state.letters.language_of(o.fund);
                OrderView::of(o, language)
            })
            .collect(),
        next_after: page.next_after,
    }))
}

/// The body of a report: `{"sent_on": "YYYY-MM-DD"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DoneBody {
    /// The day the CI was transmitted to the ordering fund; not after today (Geneva).
    pub sent_on: NaiveDate,
}

/// The body of a cancellation: `{"reason": "…"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CancelBody {
    /// Why the fund will not transmit a CI for the order: 1 to 500 characters, no control
    /// characters but line breaks. Anything like an AVS number in it is masked.
    pub reason: String,
}

/// The longest reason of a cancellation, in characters.
const MAX_REASON: usize = 500;

fn invalid(field: &'static str, rule: &'static str, message: String) -> ApiError {
    ApiError::InvalidField {
        field,
        rule,
        message,
    }
}

/// The one field `name` of a JSON object body (null when absent), or why the body is not such
/// an object (`example` shows one).
fn only_field(body: &[u8], name: &str, example: &str) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::Unreadable(format!("the body is not JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        return Err(ApiError::Unreadable(format!(
            "the body is a JSON object: {example}"
        )));
    };
    if let Some(other) = fields.keys().find(|k| k.as_str() != name) {
        return Err(ApiError::Unreadable(format!(
            "unknown field {:?}: the body has {name} only",
            crate::dtxml::clip(other, 40)
        )));
    }
    Ok(fields.remove(name).unwrap_or(Value::Null))
}

/// Reads `{"sent_on": "YYYY-MM-DD"}`, naming the field and the rule it breaks.
fn sent_on(body: &[u8], today: NaiveDate) -> Result<NaiveDate, ApiError> {
    let day = match only_field(body, "sent_on", "{\"sent_on\": \"YYYY-MM-DD\"}")? {
        Value::Null => {
            return Err(invalid(
                "sent_on",
                "required",
                "the day the CI was transmitted is required".into(),
            ));
        }
        Value::String(text) => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| {
                invalid(
                    "sent_on",
                    "date",
                    "a day written YYYY-MM-DD, such as 2027-02-04".into(),
                )
            })?,
        _ => {
            return Err(invalid(
                "sent_on",
                "date",
                "a day written YYYY-MM-DD, as a string".into(),
            ));
        }
    };
    if day > today {
        return Err(invalid(
            "sent_on",
            "not_after_today",
            format!("{day} is after today ({today}, Geneva): report a CI once it is sent"),
        ));
    }
    Ok(day)
}

/// Reads `{"reason": "…"}`, naming the field and the rule it breaks.
fn cancel_reason(body: &[u8]) -> Result<String, ApiError> {
    let reason = match only_field(body, "reason", "{\"reason\": \"…\"}")? {
        Value::String(text) if !text.trim().is_empty() => text,
        Value::Null | Value::String(_) => {
            return Err(invalid(
                "reason",
                "required",
                "why the fund will not transmit a CI for the order is required".into(),
            ));
        }
        _ => {
            return Err(invalid("reason", "text", "the reason is a string".into()));
        }
    };
    let length = reason.chars().count();
    if length > MAX_REASON {
        return Err(invalid(
            "reason",
            "length",
            format!("{length} characters, at most {MAX_REASON}"),
        ));
    }
    if reason.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(
            "reason",
            "text",
            "no control characters but line breaks".into(),
        ));
    }
    Ok(reason)
}

/// Reports the CI of a closing order transmitted to the ordering fund (N. 2713): the order
/// becomes `done`. Reported again with the same day, the answer is the same and nothing
/// changes; with another day, or for a cancelled order, 409. Audited.
#[utoipa::path(post, path = "/api/v1/orders/{id}/done", tag = "orders",
    params(("id" = i64, Path, description = "The order's id")),
    request_body(content = DoneBody, description = "{\"sent_on\": \"YYYY-MM-DD\"}"),
    responses(
        (status = 200, description = "Done (now or before, with the same day)", body = OrderView),
        (status = 400, description = "Not a JSON object with sent_on only", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Reported done before with another day, or cancelled", body = ErrorBody),
        (status = 422, description = "sent_on breaks a rule: the body names the field and the rule", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn done(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<OrderView>, ApiError> {
    let today = state.clock.today();
    let read = sent_on(&body, today).map(Settlement::Done);
    settle(&state, &caller, id, "closing_order.done", read).await
}

/// Cancels a closing order: the fund will not transmit a CI for it (it keeps no CI of the
/// person, the order came to it in error, …), with its reason. Cancelled again with the same
/// reason, the answer is the same and nothing changes; for an order done or cancelled with
/// another reason, 409. Audited.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path, description = "The order's id")),
    request_body(content = CancelBody, description = "{\"reason\": \"…\"}"),
    responses(
        (status = 200, description = "Cancelled (now or before, with the same reason)", body = OrderView),
        (status = 400, description = "Not a JSON object with reason only", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Done, or cancelled with another reason", body = ErrorBody),
        (status = 422, description = "reason breaks a rule: the body names the field and the rule", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<OrderView>, ApiError> {
    let read = cancel_reason(&body).map(Settlement::Cancelled);
    settle(&state, &caller, id, "closing_order.cancel", read).await
}

/// Settles order `id` as `read` (the body, read) says, for `caller`; audits each outcome as
/// `action`.
async fn settle(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: &'static str,
    read: Result<Settlement, ApiError>,
) -> Result<Json<OrderView>, ApiError> {
    let order = state.store.closing_order(id).await?;
    let target = format!("closing_order:{id}");
    caller
        .require_fund_in(
            state,
            order.fund,
            order.environment,
            action,
            &target,
            "settle closing orders",
        )
        .await?;
    let audit = |outcome, details| caller.audit(action, &target, outcome, details);
    let settlement = match read {
        Ok(settlement) => settlement,
        Err(e) => {
            state
                .audit(audit(
                    AuditOutcome::Failure,
                    json!({"reason": e.to_string()}),
                ))
                .await?;
            return Err(e);
        }
    };
    let report = state
        .store
        .settle_closing_order(id, &settlement, state.now())
        .await?;
    if let SettleReport::SettledBefore(before) = &report {
        let message = match before {
            Settlement::Done(day) => {
                format!("closing order {id} was reported done with sent_on {day}; it stays so")
            }
            Settlement::Cancelled(_) => {
                format!("closing order {id} was cancelled with another reason; it stays so")
            }
        };
        state
            .audit(audit(AuditOutcome::Failure, json!({"reason": message})))
            .await?;
        return Err(ApiError::OrderSettled(message));
    }
    // The reason is not audited: it is the fund's free text (kept, masked, with the order).
    let repeated = report == SettleReport::Repeated;
    let details = match &settlement {
        Settlement::Done(day) => json!({"sent_on": day, "repeated": repeated}),
        Settlement::Cancelled(_) => json!({"cancelled": true, "repeated": repeated}),
    };
    state.audit(audit(AuditOutcome::Success, details)).await?;
    let order = state.store.closing_order(id).await?;
    let language = state.letters.language_of(order.fund);
    Ok(Json(OrderView::of(order, language)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn field_error(body: &str) -> (&'static str, &'static str) {
        match sent_on(body.as_bytes(), day(2027, 2, 4)) {
            Err(ApiError::InvalidField { field, rule, .. }) => (field, rule),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn the_report_names_field_and_rule() {
        assert_eq!(
            sent_on(br#"{"sent_on": "2027-02-03"}"#, day(2027, 2, 4)).unwrap(),
            day(2027, 2, 3)
        );
        assert_eq!(field_error("{}"), ("sent_on", "required"));
        assert_eq!(
            field_error(r#"{"sent_on": "3.2.2027"}"#),
            ("sent_on", "date")
        );
        assert_eq!(
            field_error(r#"{"sent_on": "2027-2-3"}"#),
            ("sent_on", "date")
        );
        assert_eq!(field_error(r#"{"sent_on": 20270203}"#), ("sent_on", "date"));
        assert_eq!(
            field_error(r#"{"sent_on": "2027-02-05"}"#),
            ("sent_on", "not_after_today")
        );
        for unreadable in ["", "[]", "{\"sent\": \"2027-02-03\"}", "\u{0}"] {
            assert!(
                matches!(
                    sent_on(unreadable.as_bytes(), day(2027, 2, 4)),
                    Err(ApiError::Unreadable(_))
                ),
                "{unreadable:?}"
            );
        }
    }
}
