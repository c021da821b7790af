//! `/announcements/{id}`: one announcement with its particulars, history, deadline explanation,
//! what the ZAS answered, its operator tasks and the XML of its transmission as sent (N. 3403). The page shows AVS
//! numbers: every view is an audit event, and so is every refusal. An announcement of a fund
//! the viewer may not see is answered as if it did not exist (art. 7).

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

use super::context::{Ctx, PageError, html};
use super::table::swiss_time;
use super::tasks::TaskView;
use crate::api::{entry_json, next_deadline_of, to_contract_json};
use crate::deadlines::{Deadline, why_no_deadline};
use crate::domain::{Environment, Particulars};
use crate::engine::reproduce::transmission_xml;
use crate::store::{AnnouncementDetail, AuditOutcome, StoreError};
use crate::web::Chrome;

#[derive(Template)]
#[template(path = "dashboard/announcement.html")]
struct AnnouncementPage {
    chrome: Chrome,
    id: i64,
    /// (label, value) pairs.
    fields: Vec<(&'static str, String)>,
    particulars: String,
    /// (when, from, to, actor, cause).
    history: Vec<[String; 5]>,
    deadline: Option<Deadline>,
    deadline_passed: bool,
    /// Why no deadline runs, when none does (an ABN announcement, a state without one).
    no_deadline: String,
    /// Each acknowledgement entry about it, as JSON.
    acknowledgements: Vec<String>,
    /// Its operator tasks (N. 3302, 2211), open and closed.
    tasks: Vec<TaskView>,
    transmission: Option<SentXml>,
}

/// The transmission of the announcement and its XML, or why the XML is not shown.
struct SentXml {
    id: i64,
    message_id: String,
    state: String,
    environment: Environment,
    xml: Result<String, String>,
}

/// `id` is read here, not by axum's extractor, so that a wrong one gets the page in the frame
/// (a 400 naming `id`) rather than a bare text answer.
pub async fn page(ctx: Ctx, Path(id): Path<String>) -> Response {
    let page = async {
        let id: i64 = id
            .parse()
            .map_err(|_| PageError::bad("id", "expected an announcement's number"))?;
        let detail = match ctx.state.store.announcement(id).await {
            Err(StoreError::NotFound { .. }) => return Err(PageError::NotFound),
            other => other?,
        };
        let fund = detail.announcement.announcement.fund();
        let target = Some(format!("announcement:{id}"));
        if !ctx.viewer.may_see(fund) {
            ctx.audit(
                "announcement.read",
                target,
                AuditOutcome::Denied,
                json!({"reason": "another fund"}),
            )
            .await?;
            return Err(PageError::NotFound);
        }
        ctx.audit(
            "announcement.read",
            target,
            AuditOutcome::Success,
            json!({"page": "dashboard"}),
        )
        .await?;
        let transmission = match detail.announcement.transmission_id {
            Some(t) => Some(sent_xml(&ctx, t).await?),
            None => None,
        };
        let deadline = next_deadline_of(&ctx.state, &detail.announcement)
            .await
            .map_err(|e| PageError::Internal(Box::new(e)))?;
        let acknowledgements = ctx
            .state
            .store
            .entries_of(id)
            .await?
            .iter()
            .map(|e| pretty(&entry_json(e)))
            .collect();
        let tasks = ctx
            .state
            .store
            .operator_tasks_of(id)
            .await?
            .iter()
            .map(TaskView::of)
            .collect();
        let today = ctx.state.clock.today();
        html(&AnnouncementPage {
            chrome: ctx.chrome(),
            id,
            fields: fields(&detail),
            particulars: pretty(&to_contract_json(&detail.announcement.announcement)),
            history: detail
                .history
                .iter()
                .map(|h| {
                    [
                        swiss_time(h.at),
                        h.previous.map(|p| p.to_string()).unwrap_or_default(),
                        h.state.to_string(),
                        h.actor.clone(),
                        h.cause.clone(),
                    ]
                })
                .collect(),
            deadline_passed: deadline.as_ref().is_some_and(|d| d.has_passed(today)),
            no_deadline: why_no_deadline(
                detail.announcement.environment,
                detail.announcement.state,
            )
            .unwrap_or_default(),
            deadline,
            acknowledgements,
            tasks,
            transmission,
        })
    };
    ctx.respond(page.await)
}

fn fields(detail: &AnnouncementDetail) -> Vec<(&'static str, String)> {
    let stored = &detail.announcement;
    let a = &stored.announcement;
    let mut fields = vec![
        ("ZAS environment", stored.environment.label().to_string()),
        ("Fund", a.fund().to_string()),
        ("Reference", a.reference().to_string()),
        ("Key", a.key().code().to_string()),
        ("State", stored.state.to_string()),
        ("In this state since", swiss_time(stored.state_since)),
        ("Submitted", swiss_time(stored.submitted_at)),
    ];
    // N. 3107–3110: `Surname, NN` for a person without given names.
    if let Particulars::Certificate { person, .. } = a.particulars() {
        fields.insert(4, ("Name", person.name.to_string()));
    }
    fields
}

/// The transmission's XML as sent, written again and checked against its SHA-256; shown only
/// when every announcement it carries is of the viewer's funds (art. 7). Audited.
async fn sent_xml(ctx: &Ctx, id: i64) -> Result<SentXml, PageError> {
    let (record, _) = ctx.state.store.transmission(id).await?;
    let funds = ctx.state.store.transmission_funds(id).await?;
    let xml = if funds.iter().all(|f| ctx.viewer.may_see(*f)) {
        match transmission_xml(&ctx.state.store, id).await {
            Ok((_, xml)) => {
                ctx.audit(
                    "transmission.xml.read",
                    Some(format!("transmission:{id}")),
                    AuditOutcome::Success,
                    json!({"page": "dashboard"}),
                )
                .await?;
                Ok(xml)
            }
            Err(e) => {
                tracing::error!(transmission = id, error = %e, "the XML as sent cannot be shown");
                Err(format!("The XML cannot be written again: {e}"))
            }
        }
    } else {
        Err("The transmission also carries announcements of funds you may not see; its XML is not shown (N. 2102; security baseline, draft art. 7).".to_string())
    };
    Ok(SentXml {
        id,
        message_id: record.header.message_id.to_string(),
        state: record.state.to_string(),
        environment: record.environment,
        xml,
    })
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
