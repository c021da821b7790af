//! `/`: the operator's overview, and `/exports/<list>.csv`: each of its lists as CSV with the
//! same filters.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

use super::chart;
use super::context::{Ctx, PageError, html};
use super::filter::Filter;
use super::lists::{self, LISTS};
use super::query::Params;
use super::table::{Table, csv_download};
use super::tasks;
use crate::domain::{AnnouncementState, Environment, FundNumber};
use crate::store::AuditOutcome;
use crate::web::Chrome;

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct Overview {
    chrome: Chrome,
    /// The viewer's funds, for the filter's choice.
    funds: Vec<FundNumber>,
    states: [AnnouncementState; 8],
    fund: String,
    state: String,
    environments: [Environment; 2],
    environment: String,
    /// `?fund=…&state=…&environment=…` for the export links.
    query: String,
    tables: Vec<Table>,
    chart: String,
    /// How many operator tasks are open in the filter (N. 3302, 2211), and whether more.
    open_tasks: usize,
    more_tasks: bool,
}

pub async fn page(ctx: Ctx, params: Result<Params, PageError>) -> Response {
    let page = async {
        let filter = Filter::read(&params?, &ctx.viewer)?;
        let (tables, ages) = lists::all(&ctx.state, &filter, &ctx.viewer).await?;
        let tasks = tasks::open_tasks(&ctx, &filter).await?;
        html(&Overview {
            chrome: ctx.chrome(),
            funds: ctx.viewer.funds.clone(),
            states: AnnouncementState::ALL,
            fund: filter.fund.map(|f| f.to_string()).unwrap_or_default(),
            state: filter.state.map(|s| s.to_string()).unwrap_or_default(),
            environments: Environment::ALL,
            environment: filter
                .environment
                .map(|e| e.to_string())
                .unwrap_or_default(),
            query: filter.query(),
            tables,
            chart: chart::svg(&ages),
            open_tasks: tasks.items.len(),
            more_tasks: tasks.more,
        })
    };
    ctx.respond(page.await)
}

/// `/exports/{file}`: `<list>.csv` for each list of the overview. Audited (who took which list
/// out of the application); the lists hold no AVS number.
pub async fn export(
    ctx: Ctx,
    Path(file): Path<String>,
    params: Result<Params, PageError>,
) -> Response {
    let page = async {
        let name = file
            .strip_suffix(".csv")
            .filter(|n| LISTS.contains(n))
            .ok_or(PageError::NotFound)?;
        let filter = Filter::read(&params?, &ctx.viewer)?;
        let table = lists::one(&ctx.state, &filter, &ctx.viewer, name)
            .await?
            .ok_or(PageError::NotFound)?;
        ctx.audit(
            "dashboard.export",
            Some(format!("list:{name}")),
            AuditOutcome::Success,
            json!({"rows": table.rows.len(), "fund": filter.fund.map(|f| f.to_string()), "state": filter.state, "environment": filter.environment}),
        )
        .await?;
        Ok(csv_download(&file, table.to_csv()))
    };
    ctx.respond(page.await)
}
