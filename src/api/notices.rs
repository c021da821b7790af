//! The fund API for the ZAS's CI complements (N. 2105) and splitting notices (N. 2602): the
//! fund's core system reads those of its token's funds with a cursor and applies them in its
//! own register (N. 2105, 2802) or transmits the CI entries to the ordering fund (N. 2603).
//! Each holds AVS numbers: every read is an audit event naming the items read.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::feeds::{FeedQuery, read_feed};
use crate::app::AppState;
use crate::domain::Environment;
use crate::store::{Received, StoredCiComplement, StoredSplittingNotice};

/// d. A name as it stands in the central register.
#[derive(Serialize, ToSchema)]
pub struct NameView {
    /// The official surname (N. 3107).
    pub surname: String,
    /// All official given names; null for a person without (NN, N. 3110).
    pub given_names: Option<String>,
}

/// g. A country of origin (N. 3113).
#[derive(Serialize, ToSchema)]
pub struct CountryView {
    /// The state code of the BFS list (100 Switzerland, 998 stateless, 999 unknown).
    pub code: u16,
    /// Its English name.
    pub name: &'static str,
}

/// Where and when a message of the ZAS came.
#[derive(Serialize, ToSchema)]
pub struct ReceivedView {
    /// `prod` or `abn`: always the token's own.
    #[schema(value_type = String)]
    pub environment: Environment,
    /// The ZAS's message id: the message's identity.
    pub message_id: String,
    pub received_at: DateTime<Utc>,
}

impl From<Received> for ReceivedView {
    fn from(r: Received) -> Self {
        ReceivedView {
            environment: r.environment,
            message_id: r.message_id.as_str().to_string(),
            received_at: r.received_at,
        }
    }
}

/// A CI complement as the fund's system sees it: what to change in its register (N. 2105).
#[derive(Serialize, ToSchema)]
pub struct CiComplementView {
    pub id: i64,
    #[serde(flatten)]
    pub received: ReceivedView,
    /// The fund that keeps the CI (N. 2105).
    pub fund: String,
    pub avs_number: String,
    /// The new name; null when the name did not change.
    pub name: Option<NameView>,
    /// The new country of origin; null when it did not change.
    pub country_of_origin: Option<CountryView>,
    /// The day of the change in the central register.
    pub changed_on: NaiveDate,
}

impl From<StoredCiComplement> for CiComplementView {
    fn from(c: StoredCiComplement) -> Self {
        CiComplementView {
            id: c.id,
            received: c.received.into(),
            fund: c.fund.to_string(),
            avs_number: c.avs_number.to_string(),
            name: c.change.name().map(|n| NameView {
                surname: n.surname().to_string(),
                given_names: n.given_names().map(str::to_string),
            }),
            country_of_origin: c.change.country().map(|code| CountryView {
                code: code.code(),
                name: code.name(),
            }),
            changed_on: c.changed_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CiComplementListView {
    pub items: Vec<CiComplementView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// o. A year to split (N. 3119).
#[derive(Serialize, ToSchema)]
pub struct SplitYearView {
    pub year: i32,
    /// 4: average income split over invalidity years; 5: income already counted for a pension
    /// (N. 2613); null when none applies.
    pub special_key: Option<u8>,
}

/// A splitting notice as the fund's system sees it (N. 2602).
#[derive(Serialize, ToSchema)]
pub struct SplittingNoticeView {
    pub id: i64,
    #[serde(flatten)]
    pub received: ReceivedView,
    /// The fund involved (it keeps a CI of a spouse, or ordered the splitting).
    pub fund: String,
    /// The fund that gave the splitting order (N. 2601); it receives the CI entries (N. 2603).
    pub ordering_fund: String,
    /// The insured person the order was given for.
    pub avs_number: String,
    /// The other spouse (N. 3119).
    pub spouse_avs_number: String,
    pub split_years: Vec<SplitYearView>,
}

impl From<StoredSplittingNotice> for SplittingNoticeView {
    fn from(n: StoredSplittingNotice) -> Self {
        let order = n.spouses.order();
        SplittingNoticeView {
            id: n.id,
            received: n.received.into(),
            fund: n.fund.to_string(),
            ordering_fund: n.ordering_fund.to_string(),
            avs_number: n.spouses.insured().to_string(),
            spouse_avs_number: order.spouse().to_string(),
            split_years: order
                .years()
                .iter()
                .map(|y| SplitYearView {
                    year: y.year,
                    special_key: y.special.map(|k| k.code()),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SplittingNoticeListView {
    pub items: Vec<SplittingNoticeView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// Lists the CI complements of the token's funds, oldest first, in pages: reading again with
/// the same cursor gives the same complements (nothing is consumed). Audited: the answer holds
/// AVS numbers.
#[utoipa::path(get, path = "/api/v1/complements", tag = "notices", params(FeedQuery),
    responses((status = 200, body = CiComplementListView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn complements(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<CiComplementListView>, ApiError> {
    let page = read_feed::<StoredCiComplement>(
        &state,
        &caller,
        query,
        ("ci_complement.list", "read CI complements"),
    )
    .await?;
    Ok(Json(CiComplementListView {
        items: page.items.into_iter().map(Into::into).collect(),
        next_after: page.next_after,
    }))
}

/// Lists the splitting notices of the token's funds, oldest first, in pages: reading again
/// with the same cursor gives the same notices (nothing is consumed). Audited: the answer holds
/// AVS numbers.
#[utoipa::path(get, path = "/api/v1/splitting-notices", tag = "notices", params(FeedQuery),
    responses((status = 200, body = SplittingNoticeListView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn splitting_notices(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<SplittingNoticeListView>, ApiError> {
    let page = read_feed::<StoredSplittingNotice>(
        &state,
        &caller,
        query,
        ("splitting_notice.list", "read splitting notices"),
    )
    .await?;
    Ok(Json(SplittingNoticeListView {
        items: page.items.into_iter().map(Into::into).collect(),
        next_after: page.next_after,
    }))
}
