//! What the fund API's feeds of the ZAS's messages have in common (closing orders, CI
//! complements, splitting notices): the query (fund, cursor, page size), the token's funds and
//! environment only, and an audit event for every read naming the ids shown (the answers hold
//! AVS numbers).

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::auth::{Caller, page_limit};
use super::error::ApiError;
use crate::app::{AppState, Audit};
use crate::store::{AuditOutcome, FundFeed, Page};

/// The cursor and the page size.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// Only this fund (`NNN.NNN`), which must be one of the token's.
    pub fund: Option<String>,
    /// The `next_after` of the previous page (or the id of the last item read).
    pub after: Option<i64>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

/// Reads one page of the feed of `T` for the token's environment and the funds asked for (the
/// token's, or the one fund of the query if it is the token's), audited as `action` with the
/// ids shown (`what`: the right it needs, for a refusal). Reading does not consume: the same
/// cursor gives the same page.
pub(super) async fn read_feed<T: FundFeed>(
    state: &AppState,
    caller: &Caller,
    query: Result<Query<FeedQuery>, QueryRejection>,
    (action, what): (&'static str, &'static str),
) -> Result<Page<T>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let funds = caller
        .funds_to_list(state, query.fund.as_deref(), action, what)
        .await?;
    let limit = page_limit(query.limit)?;
    let page = state
        .store
        .fund_feed::<T>(caller.token.environment, &funds, query.after, limit)
        .await?;
    let ids: Vec<i64> = page.items.iter().map(T::id).collect();
    state
        .audit(Audit {
            actor: &caller.actor,
            funds: &caller.token.funds,
            action,
            target: None,
            outcome: AuditOutcome::Success,
            remote: caller.remote,
            details: json!({"after": query.after, "items": ids.len(), "ids": ids}),
        })
        .await?;
    Ok(page)
}
