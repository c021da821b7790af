//! Account management pages (USNTools C): search and list, CSV export, create, view, block,
//! unblock, unlock, reset the password, mark it compromised, remove after a confirmation. What may be
//! done is decided by [`crate::accounts`]; these handlers read forms and render pages.
//!
//! The JSON twin of these pages is [`super::accounts_api`]; both share the parsing here.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::login::{Remote, page};
use super::{Chrome, Viewer};
use crate::accounts::{AccountError, Accounts, Handover, Manager, is_locked, status};
use crate::api::AppState;
use crate::domain::{Action, FundNumber, Holder, Login, Role};
use crate::store::{Account, AccountSearch, AccountSort, NewAccount};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list).post(create))
        .route("/accounts.csv", get(export))
        .route("/accounts/new", get(new_form))
        .route("/accounts/{id}", get(view))
        .route("/accounts/{id}/remove", get(confirm_remove).post(remove))
        .route("/accounts/{id}/{change}", post(change))
}

/// The manager a signed-in person is.
pub(super) fn manager(viewer: &Viewer) -> Manager {
    Manager::Person {
        account_id: viewer.account_id,
        login: viewer.login.clone(),
        role: viewer.role,
        funds: viewer.funds.clone(),
    }
}

/// Account management for this request.
pub(super) fn accounts<'a>(
    state: &'a AppState,
    manager: &'a Manager,
    remote: Remote,
) -> Accounts<'a> {
    Accounts {
        store: &state.store,
        manager,
        at: state.now(),
        remote: remote.0,
        delivery: state.delivery(),
    }
}

/// The search of the list, as typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    sort: String,
}

impl SearchQuery {
    pub(super) fn parse(&self) -> Result<AccountSearch, String> {
        let fund = match self.fund.trim() {
            "" => None,
            text => Some(FundNumber::parse(text).map_err(|e| format!("fund: {e}"))?),
        };
        let sort = match self.sort.trim() {
            "" => AccountSort::default(),
            text => text
                .parse()
                .map_err(|e: crate::store::UnknownSort| e.to_string())?,
        };
        if self.q.chars().any(char::is_control) {
            return Err("q: control characters are not allowed".to_string());
        }
        Ok(AccountSearch {
            text: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            fund,
            sort,
            ..AccountSearch::default()
        })
    }
}

/// An account to create, as typed in the form or sent as JSON.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CreateForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    role: String,
    /// Fund numbers separated by spaces or commas.
    #[serde(default)]
    funds: String,
}

impl CreateForm {
    pub(super) fn parse(&self) -> Result<NewAccount, String> {
        let login = Login::parse(self.login.trim()).map_err(|e| e.to_string())?;
        let holder = Holder::parse(
            &self.surname,
            &self.given_name,
            &self.email,
            &self.birth_date,
        )
        .map_err(|e| e.to_string())?;
        let role: Role = self.role.trim().parse().map_err(|e| format!("role: {e}"))?;
        let funds = self
            .funds
            .split([' ', ','])
            .filter(|f| !f.is_empty())
            .map(|f| FundNumber::parse(f).map_err(|e| format!("funds: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if funds.is_empty() {
            return Err(AccountError::NoFund.to_string());
        }
        Ok(NewAccount {
            login,
            holder,
            role,
            funds,
        })
    }
}

/// An account as pages and the API show it to one viewer.
#[derive(Debug, Serialize)]
pub(super) struct AccountView {
    id: i64,
    login: String,
    surname: String,
    given_name: String,
    email: String,
    /// Only for the holder and those the permission table lets see birth dates (art. 7).
    birth_date: Option<String>,
    role: Role,
    #[serde(rename = "funds")]
    fund_list: Vec<String>,
    #[serde(skip)]
    funds: String,
    status: &'static str,
    must_change_password: bool,
}

impl AccountView {
    /// Account `a` as `viewer` may see it at `now`.
    pub(super) fn of(a: &Account, viewer: &Viewer, now: DateTime<Utc>) -> Self {
        let fund_list: Vec<String> = a.funds.iter().map(ToString::to_string).collect();
        let birth_date_shown = viewer.account_id == a.id || viewer.role.may(Action::ReadBirthDates);
        AccountView {
            id: a.id,
            login: a.login.to_string(),
            surname: a.holder.surname.clone(),
            given_name: a.holder.given_name.clone(),
            email: a.holder.email.clone(),
            birth_date: a
                .holder
                .birth_date
                .filter(|_| birth_date_shown)
                .map(|d| d.to_string()),
            role: a.role,
            funds: fund_list.join(", "),
            fund_list,
            status: status(a, now),
            must_change_password: a.must_change_password,
        }
    }
}

/// The changes of an account by one button (or API call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Block,
    Unblock,
    Unlock,
    ResetPassword,
    Compromised,
}

impl Change {
    const ALL: [(Change, &'static str, &'static str); 5] = [
        (Change::Block, "block", "Block"),
        (Change::Unblock, "unblock", "Unblock"),
        (Change::Unlock, "unlock", "Unlock"),
        (
            Change::ResetPassword,
            "reset-password",
            "Reset the password",
        ),
        (
            Change::Compromised,
            "compromised",
            "Mark the password compromised",
        ),
    ];

    pub(super) fn parse(text: &str) -> Option<Change> {
        Change::ALL
            .iter()
            .find(|(_, name, _)| *name == text)
            .map(|(c, _, _)| *c)
    }

    /// Applies the change; a reset or a compromised password hands a temporary password over.
    pub(super) async fn apply(
        self,
        accounts: &Accounts<'_>,
        id: i64,
    ) -> Result<(Account, Option<Handover>), AccountError> {
        Ok(match self {
            Change::Block => (accounts.block(id).await?, None),
            Change::Unblock => (accounts.unblock(id).await?, None),
            Change::Unlock => (accounts.unlock(id).await?, None),
            Change::Compromised => {
                let (account, handover) = accounts.mark_compromised(id).await?;
                (account, Some(handover))
            }
            Change::ResetPassword => {
                let mut made = accounts.reset_password(id).await?;
                let handover = accounts.hand_over(&mut made).await?;
                (made.account, Some(handover))
            }
        })
    }
}

/// The status an account error is answered with.
pub(super) fn error_status(e: &AccountError) -> StatusCode {
    match e {
        AccountError::Forbidden(_) => StatusCode::FORBIDDEN,
        AccountError::NotFound(_) | AccountError::UnknownLogin(_) => StatusCode::NOT_FOUND,
        AccountError::LoginTaken(_)
        | AccountError::LoginRemoved(_)
        | AccountError::NoDelivery(_) => StatusCode::CONFLICT,
        AccountError::Field(_)
        | AccountError::Password(_)
        | AccountError::NoFund
        | AccountError::NotConfirmed => StatusCode::UNPROCESSABLE_ENTITY,
        AccountError::Store(e) => {
            tracing::error!(error = %e, "account operation failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
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

/// The CSV of a search (`text/csv`), for the pages and the API.
pub(super) async fn export_csv(
    accounts: &Accounts<'_>,
    query: &SearchQuery,
) -> Result<Response, (StatusCode, String)> {
    let search = query.parse().map_err(|e| (StatusCode::BAD_REQUEST, e))?;
    let csv = accounts
        .export_csv(search)
        .await
        .map_err(|e| (error_status(&e), e.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"accounts.csv\""),
        ],
        csv,
    )
        .into_response())
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
