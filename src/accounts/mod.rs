//! Account management (USNTools, seeds/000 C): create, search, export, view, block, unblock,
//! reset the password, mark it compromised, remove. Whether the one asking may do it is checked
//! here (the permission table, their funds, the roles they may manage), the store makes the
//! change, and every change — refused ones too — is an audit event (annex 2.5). The dashboard,
//! the accounts API and the command line all go through here.

mod mail;
mod temporary;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::{Action, FundNumber, Password, PasswordError, Role};
use crate::store::{
    Account, AccountSearch, AuditOutcome, NewAccount, NewAuditEvent, Store, StoreError,
};

pub use mail::{AccountsConfig, Handover, PasswordMail};
pub use temporary::temporary_password;

/// Who manages accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manager {
    /// A signed-in person: acts within their funds, on roles at or below their own.
    Person {
        account_id: i64,
        login: String,
        role: Role,
        funds: Vec<FundNumber>,
    },
    /// The local operator on the command line (`operator:<name>@cli`): no fund restriction.
    Operator { name: String },
}

impl Manager {
    /// How the audit log names the manager.
    pub fn actor(&self) -> String {
        match self {
            Manager::Person { login, .. } => format!("user:{login}"),
            Manager::Operator { name } => format!("operator:{name}@cli"),
        }
    }

    /// The funds the manager is limited to (`None`: all).
    fn funds(&self) -> Option<&[FundNumber]> {
        match self {
            Manager::Person { funds, .. } => Some(funds),
            Manager::Operator { .. } => None,
        }
    }
}

/// Why an account operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The manager may not do this (the reason names the rule).
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// No such account, or none the manager may see.
    #[error("there is no account with id {0}")]
    NotFound(i64),
    #[error("there is no account with the login {0}")]
    UnknownLogin(String),
    #[error("{0}")]
    Field(#[from] crate::domain::AccountFieldError),
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("funds: at least one fund number NNN.NNN")]
    NoFund,
    #[error("the login {0} is taken")]
    LoginTaken(String),
    /// Removal is definitive and needs a confirmation (USNTools C.2.6).
    #[error("confirm: removing an account is definitive and must be confirmed")]
    NotConfirmed,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { id, .. } => AccountError::NotFound(id),
            StoreError::LoginTaken { login } => AccountError::LoginTaken(login),
            StoreError::AccountWithoutFund => AccountError::NoFund,
            other => AccountError::Store(other),
        }
    }
}

/// An account just made or reset, with the temporary password to hand over once.
#[derive(Debug)]
pub struct WithTemporaryPassword {
    pub account: Account,
    pub password: Password,
}

/// Account management by one manager at one time.
pub struct Accounts<'a> {
    pub store: &'a Store,
    pub manager: &'a Manager,
    pub at: DateTime<Utc>,
    /// The client's address, for requests that came over the network.
    pub remote: Option<String>,
    /// Where temporary passwords are mailed to their holders; none: shown once to the manager.
    pub password_mail: Option<&'a PasswordMail>,
}

impl Accounts<'_> {
    /// Creates an account with a temporary password, to be changed at first login.
    pub async fn create(&self, new: NewAccount) -> Result<WithTemporaryPassword, AccountError> {
        let target = format!("account:{}", new.login);
        let details = json!({ "role": new.role.as_str(), "funds": fund_texts(&new.funds) });
        if let Err(e) = self.may_change(&new.funds, new.role) {
            return Err(self.refusal(&target, "account.create", e, &details).await);
        }
        let password = temporary_password(&new.login, &new.holder);
        let made = self
            .store
            .create_account(&new, &password, true, self.at)
            .await;
        let account = self.done(&target, "account.create", details, made).await?;
        Ok(WithTemporaryPassword { account, password })
    }

    /// The accounts matching `search` among those the manager may see (USNTools C.2.1).
    pub async fn search(&self, mut search: AccountSearch) -> Result<Vec<Account>, AccountError> {
        self.allowed_to_manage()?;
        search.within = self.manager.funds().map(<[FundNumber]>::to_vec);
        Ok(self.store.search_accounts(&search).await?)
    }

    /// The accounts of `search` as CSV (USNTools C.2.1); the export is audited.
    pub async fn export_csv(&self, search: AccountSearch) -> Result<String, AccountError> {
        let accounts = self.search(search).await?;
        self.audit(
            "accounts",
            "account.export",
            AuditOutcome::Success,
            json!({ "rows": accounts.len() }),
        )
        .await?;
        let mut csv = crate::csv::row([
            "id",
            "login",
            "surname",
            "given_name",
            "email",
            "role",
            "funds",
            "status",
        ]);
        for a in &accounts {
            csv.push_str(&crate::csv::row([
                a.id.to_string(),
                a.login.to_string(),
                a.holder.surname.clone(),
                a.holder.given_name.clone(),
                a.holder.email.clone(),
                a.role.to_string(),
                fund_texts(&a.funds).join(" "),
                status(a).to_string(),
            ]));
        }
        Ok(csv)
    }

    /// Account `id`, when the manager may see it (USNTools C.2.2).
    pub async fn view(&self, id: i64) -> Result<Account, AccountError> {
        self.allowed_to_manage()?;
        let account = self.store.account(id).await?;
        let visible = match self.manager.funds() {
            None => true,
            Some(mine) => account.funds.iter().any(|f| mine.contains(f)),
        };
        if visible {
            Ok(account)
        } else {
            Err(AccountError::NotFound(id))
        }
    }

    /// Blocks the account (reversible, USNTools C.2.3); its sessions end.
    pub async fn block(&self, id: i64) -> Result<Account, AccountError> {
        let target = self.change(id, "account.block").await?;
        let result = self.store.set_blocked(id, Some(self.at)).await;
        self.done(
            &target,
            "account.block",
            json!({ "account_id": id }),
            result,
        )
        .await
    }

    /// Unblocks the account (USNTools C.2.4).
    pub async fn unblock(&self, id: i64) -> Result<Account, AccountError> {
        let target = self.change(id, "account.unblock").await?;
        let result = self.store.set_blocked(id, None).await;
        self.done(
            &target,
            "account.unblock",
            json!({ "account_id": id }),
            result,
        )
        .await
    }

    /// Gives the account a temporary password (USNTools C.2.5); its sessions end.
    pub async fn reset_password(&self, id: i64) -> Result<WithTemporaryPassword, AccountError> {
        let target = self.change(id, "account.reset_password").await?;
        let account = self.store.account(id).await?;
        let password = temporary_password(&account.login, &account.holder);
        let result = self.store.set_password(id, &password, true, self.at).await;
        let account = self
            .done(
                &target,
                "account.reset_password",
                json!({ "account_id": id }),
                result,
            )
            .await?;
        Ok(WithTemporaryPassword { account, password })
    }

    /// Annex 2.3 c: the password may be known to others; it must be changed at next login.
    pub async fn mark_compromised(&self, id: i64) -> Result<Account, AccountError> {
        let target = self.change(id, "account.compromised").await?;
        let result = self.store.mark_compromised(id).await;
        self.done(
            &target,
            "account.compromised",
            json!({ "account_id": id }),
            result,
        )
        .await
    }

    /// Removes the account for good, once confirmed (USNTools C.2.6).
    pub async fn remove(&self, id: i64, confirmed: bool) -> Result<Account, AccountError> {
        if !confirmed {
            return Err(AccountError::NotConfirmed);
        }
        let target = self.change(id, "account.remove").await?;
        let result = self.store.remove_account(id).await;
        self.done(
            &target,
            "account.remove",
            json!({ "account_id": id }),
            result,
        )
        .await
    }

    /// Checks that the manager may change account `id`, recording a refusal; returns the audit
    /// target of the account (`account:<login>`, kept after a removal).
    async fn change(&self, id: i64, action: &'static str) -> Result<String, AccountError> {
        let account = match self.view(id).await {
            Ok(a) => a,
            Err(e) => {
                let details = json!({ "account_id": id });
                return Err(self
                    .refusal(&format!("account:{id}"), action, e, &details)
                    .await);
            }
        };
        let check = match self.manager {
            Manager::Person { account_id, .. } if *account_id == id => Err(
                AccountError::Forbidden("one's own account is changed on /password only"),
            ),
            _ => self.may_change(&account.funds, account.role),
        };
        let target = format!("account:{}", account.login);
        match check {
            Ok(()) => Ok(target),
            Err(e) => Err(self
                .refusal(&target, action, e, &json!({ "account_id": id }))
                .await),
        }
    }

    /// Whether the manager may create or change an account of `role` bound to `funds`.
    fn may_change(&self, funds: &[FundNumber], role: Role) -> Result<(), AccountError> {
        let Manager::Person {
            role: mine,
            funds: my_funds,
            ..
        } = self.manager
        else {
            return Ok(());
        };
        self.allowed_to_manage()?;
        if !mine.may_manage(role) {
            return Err(AccountError::Forbidden(
                "accounts of a role above one's own (permission table)",
            ));
        }
        if !funds.iter().all(|f| my_funds.contains(f)) {
            return Err(AccountError::Forbidden(
                "accounts bound to funds other than one's own (N. 2102; security baseline, draft art. 7)",
            ));
        }
        Ok(())
    }

    fn allowed_to_manage(&self) -> Result<(), AccountError> {
        match self.manager {
            Manager::Person { role, .. } if !role.may(Action::ManageAccounts) => Err(
                AccountError::Forbidden("this role manages no accounts (permission table)"),
            ),
            _ => Ok(()),
        }
    }

    /// Records the refusal `e` of `action` on `target` and returns it (or the audit's failure).
    async fn refusal(
        &self,
        target: &str,
        action: &'static str,
        e: AccountError,
        details: &Value,
    ) -> AccountError {
        let mut details = details.clone();
        details["reason"] = json!(e.to_string());
        match self
            .audit(target, action, AuditOutcome::Denied, details)
            .await
        {
            Ok(()) => e,
            Err(audit_failed) => audit_failed,
        }
    }

    /// Records how the store's change for `action` ended, and passes its result on.
    async fn done<T>(
        &self,
        target: &str,
        action: &'static str,
        mut details: Value,
        result: Result<T, StoreError>,
    ) -> Result<T, AccountError> {
        let outcome = match &result {
            Ok(_) => AuditOutcome::Success,
            Err(e) => {
                details["reason"] = json!(e.to_string());
                AuditOutcome::Failure
            }
        };
        self.audit(target, action, outcome, details).await?;
        result.map_err(AccountError::from)
    }

    async fn audit(
        &self,
        target: &str,
        action: &'static str,
        outcome: AuditOutcome,
        details: Value,
    ) -> Result<(), AccountError> {
        self.store
            .append_audit(&NewAuditEvent {
                at: self.at,
                actor: self.manager.actor(),
                action: action.to_string(),
                target: Some(target.to_string()),
                outcome,
                remote_addr: self.remote.clone(),
                details,
            })
            .await?;
        Ok(())
    }
}

/// `active`, `blocked`, or `locked` (too many failed logins, for now).
pub fn status(account: &Account) -> &'static str {
    if account.blocked_at.is_some() {
        "blocked"
    } else if account.locked_until.is_some() {
        "locked"
    } else {
        "active"
    }
}

fn fund_texts(funds: &[FundNumber]) -> Vec<String> {
    funds.iter().map(ToString::to_string).collect()
}
