//! `/tasks`: the open operator tasks of the viewer's funds (N. 3302, 2211),
//! each with its announcement, what the rule asks and a form to close it with a note;
//! `POST /tasks/{id}/close` closes one (audited with the actor and the note, in the same
//! transaction); `/exports/tasks.csv` lists them as CSV. A task of another fund is answered as
//! if it did not exist (art. 7), and the attempt is audited.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::extract::rejection::FormRejection;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::context::{Ctx, PageError, html};
use super::filter::Filter;
use super::query::Params;
use super::table::{Cell, Table, csv_download, swiss_time};
use crate::app::Audit;
use crate::domain::{Action, MAX_NOTE_CHARS, TaskNote};
use crate::store::{AuditOutcome, Limited, OperatorTask, StoreError, TaskClose};
use crate::web::Chrome;

/// A task as the pages show it.
pub struct TaskView {
    pub id: i64,
    pub announcement_id: i64,
    pub environment: String,
    pub fund: String,
    pub reference: String,
    pub key: u8,
    pub title: &'static str,
    pub what_to_do: &'static str,
    pub created: String,
    pub acknowledgement: String,
    pub state: String,
    /// "by, at: note" once closed.
    pub closed: Option<String>,
}

impl TaskView {
    pub fn of(t: &OperatorTask) -> TaskView {
        TaskView {
            id: t.id,
            announcement_id: t.announcement_id,
            environment: t.environment.as_str().to_uppercase(),
            fund: t.fund.to_string(),
            reference: t.reference.to_string(),
            key: t.key.code(),
            title: t.kind.title(),
            what_to_do: t.kind.what_to_do(),
            created: swiss_time(t.created_at),
            acknowledgement: t.acknowledgement_message_id.clone(),
            state: t.state.to_string(),
            closed: t
                .closed
                .as_ref()
                .map(|c| format!("{}, {}: {}", c.by, swiss_time(c.at), c.note)),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/tasks.html")]
struct TasksPage {
    chrome: Chrome,
    tasks: Vec<TaskView>,
    more: bool,
    may_close: bool,
    max_note: usize,
    /// `?fund=…&environment=…` for the export link.
    query: String,
}

/// The open tasks of the viewer's funds in the filter (its fund and environment; tasks are not
/// filtered by state).
pub async fn open_tasks(ctx: &Ctx, filter: &Filter) -> Result<Limited<OperatorTask>, PageError> {
    let funds = filter.funds(&ctx.viewer);
    Ok(ctx
        .state
        .store
        .open_operator_tasks(filter.scope(&funds))
        .await?)
}

pub async fn page(ctx: Ctx, params: Result<Params, PageError>) -> Response {
    let page = async {
        let filter = Filter::read(&params?, &ctx.viewer)?;
        let tasks = open_tasks(&ctx, &filter).await?;
        html(&TasksPage {
            chrome: ctx.chrome(),
            tasks: tasks.items.iter().map(TaskView::of).collect(),
            more: tasks.more,
            may_close: ctx.viewer.role.may(Action::CloseOperatorTasks),
            max_note: MAX_NOTE_CHARS,
            query: filter.query(),
        })
    };
    ctx.respond(page.await)
}

/// `/exports/tasks.csv`: the open tasks as CSV, with the same filters. Audited like the other
/// exports; the list holds no AVS number.
pub async fn export(ctx: Ctx, params: Result<Params, PageError>) -> Response {
    let page = async {
        let filter = Filter::read(&params?, &ctx.viewer)?;
        let tasks = open_tasks(&ctx, &filter).await?;
        let table = Table {
            name: "tasks",
            title: "Operator tasks",
            about: "Open operator tasks (N. 3302, 2211).",
            headings: vec![
                "Task",
                "Announcement",
                "Environment",
                "Fund",
                "Reference",
                "Key",
                "Rule",
                "What to do",
                "Acknowledgement",
                "Created",
            ],
            rows: tasks
                .items
                .iter()
                .map(|t| {
                    vec![
                        Cell::text(t.id),
                        Cell::announcement(t.announcement_id),
                        Cell::text(t.environment.as_str().to_uppercase()),
                        Cell::text(t.fund),
                        Cell::text(&t.reference),
                        Cell::text(t.key.code()),
                        Cell::text(t.kind.title()),
                        Cell::text(t.kind.what_to_do()),
                        Cell::text(&t.acknowledgement_message_id),
                        Cell::time(t.created_at),
                    ]
                })
                .collect(),
            more: tasks.more,
        };
        ctx.audit(
            "dashboard.export",
            Some("list:tasks".into()),
            AuditOutcome::Success,
            json!({"rows": table.rows.len(), "fund": filter.fund.map(|f| f.to_string()), "environment": filter.environment}),
        )
        .await?;
        Ok(csv_download("tasks.csv", table.to_csv()))
    };
    ctx.respond(page.await)
}

/// The close form: the note (the CSRF token is checked before, by the web router's layer).
#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    note: String,
}

/// `POST /tasks/{id}/close`: closes an open task of the viewer's funds with a note, then back
/// to `/tasks`. A note that is blank, too long or holds control characters gets a 400 naming
/// the field and the rule; nothing changes.
pub async fn close(
    ctx: Ctx,
    Path(id): Path<String>,
    form: Result<Form<CloseForm>, FormRejection>,
) -> Response {
    let page = async {
        let id: i64 = id
            .parse()
            .map_err(|_| PageError::bad("id", "expected an operator task's number"))?;
        let target = Some(format!("operator_task:{id}"));
        if !ctx.viewer.role.may(Action::CloseOperatorTasks) {
            ctx.audit(
                "operator_task.close",
                target,
                AuditOutcome::Denied,
                json!({"reason": "role"}),
            )
            .await?;
            return Err(PageError::Forbidden(
                "your role may not close operator tasks",
            ));
        }
        let Form(form) = form.map_err(|e| PageError::bad("form", e.body_text()))?;
        let note = TaskNote::new(&form.note).map_err(|e| PageError::bad("note", e.to_string()))?;
        let funds = &ctx.viewer.funds;
        let task = match ctx.state.store.operator_task(id, funds).await {
            Err(StoreError::NotFound { .. }) => {
                ctx.audit(
                    "operator_task.close",
                    target,
                    AuditOutcome::Denied,
                    json!({"reason": "no such task of your funds"}),
                )
                .await?;
                return Err(PageError::NotFound);
            }
            other => other?,
        };
        let event = ctx.state.audit_event(Audit {
            actor: &ctx.viewer.actor(),
            funds: std::slice::from_ref(&task.fund),
            action: "operator_task.close",
            target,
            outcome: AuditOutcome::Success,
            remote: ctx.remote,
            details: json!({
                "kind": task.kind.as_str(),
                "announcement": task.announcement_id,
                "note": note.as_str(),
            }),
        });
        match ctx
            .state
            .store
            .close_operator_task(id, funds, &note, &event)
            .await?
        {
            TaskClose::Closed => Ok(Redirect::to("/tasks").into_response()),
            TaskClose::AlreadyClosed(closing) => Err(PageError::bad(
                "id",
                format!(
                    "task {id} was closed already by {} at {}",
                    closing.by,
                    swiss_time(closing.at)
                ),
            )),
        }
    };
    ctx.respond(page.await)
}
