//! Account management (USNTools C) as a signed-in person is offered it, the same on the pages
//! (`crate::web::accounts`) and in the accounts API (`crate::api::accounts`): the search and the
//! new account as typed, the account as shown to one viewer, the changes of one button or call,
//! the CSV of a search, and the status a refusal is answered with. What may be done is decided by
//! [`crate::accounts`].

use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::{AccountError, Accounts, Handover, Manager, status};
use crate::app::{AppState, Remote, Viewer};
use crate::domain::{Action, FundNumber, Holder, Login, Role};
use crate::store::{Account, AccountSearch, AccountSort, NewAccount};

/// The manager a signed-in person is.
pub fn manager(viewer: &Viewer) -> Manager {
    Manager::Person {
        account_id: viewer.account_id,
        login: viewer.login.clone(),
        role: viewer.role,
        funds: viewer.funds.clone(),
    }
}

/// Account management for this request.
pub fn accounts<'a>(state: &'a AppState, manager: &'a Manager, remote: Remote) -> Accounts<'a> {
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
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub fund: String,
    #[serde(default)]
    pub sort: String,
}

impl SearchQuery {
    pub fn parse(&self) -> Result<AccountSearch, String> {
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
pub struct CreateForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub role: String,
    /// Fund numbers separated by spaces or commas.
    #[serde(default)]
    pub funds: String,
}

impl CreateForm {
    pub fn parse(&self) -> Result<NewAccount, String> {
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
pub struct AccountView {
    pub id: i64,
    pub login: String,
    pub surname: String,
    pub given_name: String,
    pub email: String,
    /// Only for the holder and those the permission table lets see birth dates (art. 7).
    pub birth_date: Option<String>,
    pub role: Role,
    #[serde(rename = "funds")]
    pub fund_list: Vec<String>,
    #[serde(skip)]
    pub funds: String,
    pub status: &'static str,
    pub must_change_password: bool,
}

impl AccountView {
    /// Account `a` as `viewer` may see it at `now`.
    pub fn of(a: &Account, viewer: &Viewer, now: DateTime<Utc>) -> Self {
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
pub enum Change {
    Block,
    Unblock,
    Unlock,
    ResetPassword,
    Compromised,
}

impl Change {
    pub const ALL: [(Change, &'static str, &'static str); 5] = [
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

    pub fn parse(text: &str) -> Option<Change> {
        Change::ALL
            .iter()
            .find(|(_, name, _)| *name == text)
            .map(|(c, _, _)| *c)
    }

    /// Applies the change; a reset or a compromised password hands a temporary password over.
    pub async fn apply(
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
pub fn error_status(e: &AccountError) -> StatusCode {
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

/// The CSV of a search (`text/csv`), for the pages and the API.
pub async fn export_csv(
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
