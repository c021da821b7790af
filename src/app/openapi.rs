//! The OpenAPI document of the API, generated from the handlers' annotations and the types they
//! answer with (`GET /api/v1/openapi.json`).

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::operations;
use crate::api::{
    ErrorBody, accounts, announcements, letter_body, letters, notices, orders, print, reminders,
    transmissions,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "arcgw", description = "ARC announcements from compensation funds to the ZAS"),
    paths(
        announcements::submit,
        announcements::list,
        announcements::read_one,
        announcements::withdraw,
        transmissions::retry,
        print::print,
        reminders::list,
        reminders::letter,
        orders::list,
        orders::done,
        orders::cancel,
        notices::complements,
        notices::splitting_notices,
        letters::open_accounts,
        letters::correction,
        operations::healthz,
        operations::readyz,
        operations::metrics,
        accounts::list,
        accounts::export,
        accounts::create,
        accounts::view,
        accounts::change,
        accounts::remove,
    ),
    components(schemas(
        announcements::Accepted,
        announcements::AnnouncementView,
        announcements::HistoryView,
        announcements::ListView,
        announcements::SummaryView,
        announcements::Withdrawn,
        announcements::TransmissionView,
        operations::ReadinessView,
        reminders::ReminderListView,
        reminders::ReminderView,
        orders::OrderListView,
        orders::OrderView,
        orders::DomicileView,
        orders::DoneBody,
        orders::CancelBody,
        notices::ReceivedView,
        notices::CiComplementListView,
        notices::CiComplementView,
        notices::NameView,
        notices::CountryView,
        notices::SplittingNoticeListView,
        notices::SplittingNoticeView,
        notices::SplitYearView,
        letter_body::OpenAccountsBody,
        letter_body::OpenAccountBody,
        letter_body::CorrectionBody,
        ErrorBody,
        ValidationReport,
    )),
    modifiers(&BearerToken),
)]
pub struct ApiDoc;

/// The validation report of a refused submission (422, `crate::validate::Report`). It lists
/// at most the first 1 000 errors and, apart, the first 1 000 warnings, in input order; the
/// others are only counted, so that the answer stays small whatever the input.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ValidationReport {
    /// `false`: at least one error.
    valid: bool,
    /// The first 1 000 errors: `index` (the announcement's position, from 0), `field` (a dotted
    /// path), `rule` (`N. 1202`, …) and `message`.
    #[schema(value_type = Vec<Object>)]
    errors: Vec<()>,
    /// The first 1 000 warnings, as the errors.
    #[schema(value_type = Vec<Object>)]
    warnings: Vec<()>,
    /// How many errors were found beyond those listed; absent when none.
    errors_omitted: Option<usize>,
    /// How many warnings were found beyond those listed; absent when none.
    warnings_omitted: Option<usize>,
}

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The accounts API: the dashboard's session cookie, with X-CSRF-Token on every POST.
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("arcgw_session"))),
        );
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, body = Object)))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
