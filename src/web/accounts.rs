//! Account management pages (USNTools C): search and list, CSV export, create, view, block,
//! unblock, unlock, reset the password, mark it compromised, remove after a confirmation. What may be
//! done is decided by [`crate::accounts`]; these handlers read forms and render pages.
//!
//! The JSON twin of these pages is the accounts API (`/api/v1/accounts`); both share
//! [`crate::presentation::accounts`]: the forms as typed and the accounts as shown.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;

use super::login::page;
use super::{Chrome, Viewer};
use crate::accounts::{AccountError, Handover, is_locked};
use crate::app::{AppState, Remote};
use crate::domain::Role;
use crate::presentation::accounts::{
    AccountView, Change, CreateForm, SearchQuery, accounts, error_status, export_csv, manager,
};
use crate::store::Account;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list).post(create))
        .route("/accounts.csv", get(export))
        .route("/accounts/new", get(new_form))
        .route("/accounts/{id}", get(view))
        .route("/accounts/{id}/remove", get(confirm_remove).post(remove))
        .route("/accounts/{id}/{change}", post(change))
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    fund: String,
    sort: String,
    /// The CSV export of this search.
    export: String,
    sorts: [(&'static str, &'static str); 5],
    accounts: Vec<AccountView>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/new.html")]
struct NewPage {
    chrome: Chrome,
    roles: [Role; 4],
    form: CreateForm,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/view.html")]
struct ViewPage {
    chrome: Chrome,
    account: AccountView,
    actions: Vec<(&'static str, &'static str)>,
    /// Shown once (`handover = "show_to_manager"`).
    temporary_password: Option<String>,
    /// The temporary password went by two e-mails to this address.
    mailed_to: Option<String>,
    /// It could not be delivered, for this reason: the account is blocked.
    undelivered: Option<String>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/remove.html")]
struct RemovePage {
    chrome: Chrome,
    account: AccountView,
}

#[derive(Template)]
#[template(path = "accounts/message.html")]
struct MessagePage {
    chrome: Chrome,
    message: String,
}

fn chrome(state: &AppState, viewer: &Viewer) -> Chrome {
    Chrome::new(&state.environments, Some(viewer.clone()))
        .link("/", "Overview")
        .link("/accounts", "Accounts")
}

fn message(state: &AppState, viewer: &Viewer, status: StatusCode, text: String) -> Response {
    page(
        status,
        &MessagePage {
            chrome: chrome(state, viewer),
            message: text,
        },
    )
}

fn failed(state: &AppState, viewer: &Viewer, e: &AccountError) -> Response {
    message(state, viewer, error_status(e), e.to_string())
}

async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Query(query): Query<SearchQuery>,
) -> Response {
    let manager = manager(&viewer);
    let (found, error) = match query.parse() {
        Ok(search) => match accounts(&state, &manager, remote).search(search).await {
            Ok(found) => (found, None),
            Err(e) => return failed(&state, &viewer, &e),
        },
        Err(e) => (Vec::new(), Some(e)),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(
        status,
        &ListPage {
            chrome: chrome(&state, &viewer),
            q: query.q.clone(),
            fund: query.fund.clone(),
            sort: query.sort.clone(),
            export: format!(
                "/accounts.csv?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &query.q)
                    .append_pair("fund", &query.fund)
                    .append_pair("sort", &query.sort)
                    .finish()
            ),
            sorts: [
                ("surname", "surname"),
                ("given_name", "given name"),
                ("login", "user id"),
                ("email", "e-mail"),
                ("created", "creation"),
            ],
            accounts: found
                .iter()
                .map(|a| AccountView::of(a, &viewer, state.now()))
                .collect(),
            error,
        },
    )
}

async fn export(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Query(query): Query<SearchQuery>,
) -> Response {
    let manager = manager(&viewer);
    match export_csv(&accounts(&state, &manager, remote), &query).await {
        Ok(r) => r,
        Err((status, text)) => message(&state, &viewer, status, text),
    }
}

async fn new_form(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Response {
    new_page(&state, &viewer, CreateForm::default(), None)
}

fn new_page(
    state: &AppState,
    viewer: &Viewer,
    form: CreateForm,
    error: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        status,
        &NewPage {
            chrome: chrome(state, viewer),
            roles: Role::ALL,
            form,
            error,
        },
    )
}

async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Form(form): Form<CreateForm>,
) -> Response {
    let new = match form.parse() {
        Ok(n) => n,
        Err(e) => return new_page(&state, &viewer, form, Some(e)),
    };
    let manager = manager(&viewer);
    let accounts = accounts(&state, &manager, remote);
    let mut made = match accounts.create(new).await {
        Ok(made) => made,
        Err(e @ (AccountError::Forbidden(_) | AccountError::Store(_))) => {
            return failed(&state, &viewer, &e);
        }
        Err(e) => return new_page(&state, &viewer, form, Some(e.to_string())),
    };
    match accounts.hand_over(&mut made).await {
        Ok(handover) => view_page(
            &state,
            &viewer,
            &made.account,
            Some(handover),
            Some("The account was created.".into()),
        ),
        Err(e) => failed(&state, &viewer, &e),
    }
}

fn view_page(
    state: &AppState,
    viewer: &Viewer,
    account: &Account,
    handover: Option<Handover>,
    notice: Option<String>,
) -> Response {
    let (temporary_password, mailed_to, undelivered) = match handover {
        None => (None, None, None),
        Some(Handover::Mailed { to }) => (None, Some(to), None),
        Some(Handover::Shown { password }) => (Some(password), None, None),
        Some(Handover::Blocked { reason }) => (None, None, Some(reason)),
    };
    let blocked = account.blocked_at.is_some();
    let locked = is_locked(account, state.now());
    let actions = Change::ALL
        .iter()
        .filter(|(c, _, _)| match c {
            Change::Block => !blocked,
            Change::Unblock => blocked,
            Change::Unlock => locked,
            _ => true,
        })
        .map(|(_, name, label)| (*name, *label))
        .collect();
    page(
        StatusCode::OK,
        &ViewPage {
            chrome: chrome(state, viewer),
            account: AccountView::of(account, viewer, state.now()),
            actions,
            temporary_password,
            mailed_to,
            undelivered,
            notice,
        },
    )
}

async fn view(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path(id): Path<i64>,
) -> Response {
    let manager = manager(&viewer);
    match accounts(&state, &manager, remote).view(id).await {
        Ok(account) => view_page(&state, &viewer, &account, None, None),
        Err(e) => failed(&state, &viewer, &e),
    }
}

async fn change(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path((id, change)): Path<(i64, String)>,
) -> Response {
    let Some(change) = Change::parse(&change) else {
        return message(
            &state,
            &viewer,
            StatusCode::NOT_FOUND,
            "no such change".into(),
        );
    };
    let manager = manager(&viewer);
    match change.apply(&accounts(&state, &manager, remote), id).await {
        Ok((account, handover)) => {
            view_page(&state, &viewer, &account, handover, Some("Done.".into()))
        }
        Err(e) => failed(&state, &viewer, &e),
    }
}

async fn confirm_remove(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path(id): Path<i64>,
) -> Response {
    let manager = manager(&viewer);
    match accounts(&state, &manager, remote).view(id).await {
        Ok(account) => page(
            StatusCode::OK,
            &RemovePage {
                chrome: chrome(&state, &viewer),
                account: AccountView::of(&account, &viewer, state.now()),
            },
        ),
        Err(e) => failed(&state, &viewer, &e),
    }
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    confirm: String,
}

async fn remove(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    remote: Remote,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Response {
    let manager = manager(&viewer);
    let confirmed = form.confirm == "yes";
    match accounts(&state, &manager, remote)
        .remove(id, confirmed)
        .await
    {
        Ok(_) => Redirect::to("/accounts").into_response(),
        Err(e) => failed(&state, &viewer, &e),
    }
}
