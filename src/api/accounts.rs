//! The accounts API under `/api/v1/accounts`: the same operations as the pages, as JSON, for a
//! signed-in person (session cookie + `X-CSRF-Token` on every POST). Fund API tokens get 403:
//! they submit and read announcements only (permission table). The application's router
//! (`crate::app::router`) serves these routes behind the pages' session layer and anti-CSRF
//! check, which put the [`Viewer`] in; the parsing and the views are the pages' own
//! ([`crate::presentation::accounts`]).
//!
//! - `GET /api/v1/accounts?q=&fund=&sort=` — search; `GET /api/v1/accounts/export.csv` — CSV
//! - `POST /api/v1/accounts` — create; answers the account and how its temporary password was
//!   handed over (`temporary_password_sent_to`, or `temporary_password` when configured to be
//!   shown, or `undelivered` with the account blocked)
//! - `GET /api/v1/accounts/{id}`
//! - `POST /api/v1/accounts/{id}/{block|unblock|unlock|reset-password|compromised}`
//! - `POST /api/v1/accounts/{id}/remove` with `{"confirm": true}`

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::accounts::{AccountError, Handover};
use crate::app::{AppState, Remote, Viewer};
use crate::presentation::accounts::{
    AccountView, Change, CreateForm, SearchQuery, accounts, error_status, export_csv, manager,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", get(list).post(create))
        .route("/api/v1/accounts/export.csv", get(export))
        .route("/api/v1/accounts/{id}", get(view))
        .route("/api/v1/accounts/{id}/remove", post(remove))
        .route("/api/v1/accounts/{id}/{change}", post(change))
        .route_layer(from_fn(require_person))
}

type Answer = Result<Json<Value>, (StatusCode, Json<Value>)>;

fn refusal(status: StatusCode, code: &str, message: String) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "error": code, "message": message })))
}

fn account_error(e: &AccountError) -> (StatusCode, Json<Value>) {
    let status = error_status(e);
    let code = match status {
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::CONFLICT => "conflict",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ => "internal",
    };
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        "internal error".to_string()
    } else {
        e.to_string()
    };
    refusal(status, code, message)
}

/// Only a signed-in person: 403 for a fund's API token, 401 for nobody.
async fn require_person(request: Request, next: Next) -> Response {
    if request.extensions().get::<Viewer>().is_some() {
        return next.run(request).await;
    }
    if request.headers().contains_key(AUTHORIZATION) {
        return refusal(
            StatusCode::FORBIDDEN,
            "forbidden",
            "fund API tokens submit and read announcements only; accounts are managed by \
             signed-in people (permission table)"
                .into(),
        )
        .into_response();
    }
    refusal(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "sign in first: POST /login, then send the session cookie and X-CSRF-Token".into(),
    )
    .into_response()
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", operation_id = "accounts_search",
    params(("q" = Option<String>, Query, description = "Part of a surname, given name, e-mail or user id"),
        ("fund" = Option<String>, Query, description = "A fund number NNN.NNN"),
        ("sort" = Option<String>, Query, description = "surname, given_name, login, email or created")),
    responses((status = 200, body = Object, description = "{\"accounts\": [...]}"),
        (status = 400, body = Object), (status = 401, body = Object), (status = 403, body = Object)),
    security(("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Query(query): Query<SearchQuery>,
) -> Answer {
    let search = query
        .parse()
        .map_err(|e| refusal(StatusCode::BAD_REQUEST, "bad_query", e))?;
    let manager = manager(&viewer);
    let found = accounts(&state, &manager, remote)
        .search(search)
        .await
        .map_err(|e| account_error(&e))?;
    let views: Vec<AccountView> = found
        .iter()
        .map(|a| AccountView::of(a, &viewer, state.now()))
        .collect();
    Ok(Json(json!({ "accounts": views })))
}

#[utoipa::path(get, path = "/api/v1/accounts/export.csv", tag = "accounts", operation_id = "accounts_export",
    params(("q" = Option<String>, Query), ("fund" = Option<String>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String)),
    security(("session" = [])))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Query(query): Query<SearchQuery>,
) -> Response {
    let manager = manager(&viewer);
    match export_csv(&accounts(&state, &manager, remote), &query).await {
        Ok(r) => r,
        Err((status, text)) => refusal(status, "bad_query", text).into_response(),
    }
}

/// The body is as the form's fields, with `funds` a list.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", operation_id = "accounts_create",
    request_body(content = Object, description = "login, surname, given_name, email, birth_date, role, funds (list)"),
    responses((status = 201, body = Object, description = "{\"account\": …} with temporary_password_sent_to (two e-mails to the holder), or temporary_password (shown once, handover = show_to_manager), or undelivered (the account blocked)"),
        (status = 403, body = Object), (status = 409, body = Object, description = "The login is taken or was removed, or no temporary password can be delivered"), (status = 422, body = Object)),
    security(("session" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), (StatusCode, Json<Value>)> {
    let Json(mut form) =
        body.map_err(|e| refusal(StatusCode::BAD_REQUEST, "unreadable", e.body_text()))?;
    // `funds` is a list in JSON, a text in the form.
    if let Some(list) = form.get("funds").and_then(Value::as_array) {
        let joined: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
        form["funds"] = json!(joined.join(" "));
    }
    let form: CreateForm = serde_json::from_value(form)
        .map_err(|e| refusal(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()))?;
    let new = form
        .parse()
        .map_err(|e| refusal(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e))?;
    let manager = manager(&viewer);
    let accounts = accounts(&state, &manager, remote);
    let mut made = accounts.create(new).await.map_err(|e| account_error(&e))?;
    let handover = accounts
        .hand_over(&mut made)
        .await
        .map_err(|e| account_error(&e))?;
    let mut answer = json!({ "account": AccountView::of(&made.account, &viewer, state.now()) });
    with_handover(&mut answer, handover);
    Ok((StatusCode::CREATED, Json(answer)))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", operation_id = "accounts_view",
    params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = Object)),
    security(("session" = [])))]
pub(crate) async fn view(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path(id): Path<i64>,
) -> Answer {
    let manager = manager(&viewer);
    let account = accounts(&state, &manager, remote)
        .view(id)
        .await
        .map_err(|e| account_error(&e))?;
    Ok(Json(
        json!({ "account": AccountView::of(&account, &viewer, state.now()) }),
    ))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/{change}", tag = "accounts", operation_id = "accounts_change",
    params(("id" = i64, Path), ("change" = String, Path, description = "block, unblock, unlock, reset-password or compromised")),
    responses((status = 200, body = Object, description = "The account; with reset-password and compromised how the new temporary password was handed over"),
        (status = 403, body = Object), (status = 404, body = Object)),
    security(("session" = [])))]
pub(crate) async fn change(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path((id, change)): Path<(i64, String)>,
) -> Answer {
    let change = Change::parse(&change).ok_or_else(|| {
        refusal(
            StatusCode::NOT_FOUND,
            "not_found",
            "change: one of block, unblock, unlock, reset-password, compromised".into(),
        )
    })?;
    let manager = manager(&viewer);
    let (account, handover) = change
        .apply(&accounts(&state, &manager, remote), id)
        .await
        .map_err(|e| account_error(&e))?;
    let mut answer = json!({ "account": AccountView::of(&account, &viewer, state.now()) });
    if let Some(handover) = handover {
        with_handover(&mut answer, handover);
    }
    Ok(Json(answer))
}

/// `temporary_password_sent_to` when it was mailed to the holder, `temporary_password` when it
/// is to be shown (`handover = "show_to_manager"`), `undelivered` (the reason; the account is
/// blocked) when it could not be delivered.
fn with_handover(answer: &mut Value, handover: Handover) {
    match handover {
        Handover::Mailed { to } => answer["temporary_password_sent_to"] = json!(to),
        Handover::Shown { password } => answer["temporary_password"] = json!(password),
        Handover::Blocked { reason } => answer["undelivered"] = json!(reason),
    }
}

#[derive(Deserialize)]
pub(crate) struct RemoveBody {
    #[serde(default)]
    confirm: bool,
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/remove", tag = "accounts", operation_id = "accounts_remove",
    params(("id" = i64, Path)), request_body(content = Object, description = "{\"confirm\": true}"),
    responses((status = 200, body = Object), (status = 403, body = Object), (status = 404, body = Object),
        (status = 422, body = Object, description = "Not confirmed")),
    security(("session" = [])))]
pub(crate) async fn remove(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path(id): Path<i64>,
    body: Result<Json<RemoveBody>, JsonRejection>,
) -> Answer {
    let Json(body) =
        body.map_err(|e| refusal(StatusCode::BAD_REQUEST, "unreadable", e.body_text()))?;
    let manager = manager(&viewer);
    let account = accounts(&state, &manager, remote)
        .remove(id, body.confirm)
        .await
        .map_err(|e| account_error(&e))?;
    Ok(Json(
        json!({ "removed": AccountView::of(&account, &viewer, state.now()) }),
    ))
}
