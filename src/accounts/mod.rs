//! Account management (USNTools, seeds/000 C): create, search, export, view, block, unblock,
//! unlock, reset the password, mark it compromised, remove. Whether the one asking may do it is
//! checked here (the permission table, their funds, the roles they may manage), the store makes
//! the change, and every change — refused ones too — is an audit event (annex 2.5) that names
//! the account by its user id and its id and records the funds it concerns. The dashboard, the
//! accounts API and the command line all go through here.

mod mail;
mod temporary;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::{Action, FundNumber, Password, PasswordError, Role};
use crate::store::{
    Account, AccountSearch, AuditOutcome, NewAccount, NewAuditEvent, Store, StoreError,
};

pub use mail::{AccountsConfig, Delivery, Handover, HandoverSetting, NO_MAIL, PasswordMail};
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
    #[error("{0}")]
    LoginRemoved(String),
    /// No temporary password can reach its holder ([`NO_MAIL`]).
    #[error("{0}")]
    NoDelivery(&'static str),
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
            e @ StoreError::LoginRemoved { .. } => AccountError::LoginRemoved(e.to_string()),
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
    /// How temporary passwords reach their holders.
    pub delivery: Delivery<'a>,
}

impl Accounts<'_> {
    /// Creates an account with a temporary password, to be changed at first login.
    pub async fn create(&self, new: NewAccount) -> Result<WithTemporaryPassword, AccountError> {
        let target = format!("account:{}", new.login);
        let details = json!({ "role": new.role.as_str(), "funds": fund_texts(&new.funds) });
        if let Err(e) = self
            .may_change(&new.funds, new.role)
            .and_then(|()| self.can_deliver())
        {
            return Err(self
                .refusal(&target, "account.create", e, &details, &new.funds)
                .await);
        }
        let password = temporary_password(&new.login, &new.holder);
        let made = self
            .store
            .create_account(&new, &password, true, self.at)
            .await;
        let mut details = details;
        if let Ok(account) = &made {
            details["account_id"] = json!(account.id);
        }
        let account = self
            .done(&target, "account.create", details, &new.funds, made)
            .await?;
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
        let funds = self.manager.funds().map(<[FundNumber]>::to_vec);
        self.audit(
            "accounts",
            "account.export",
            AuditOutcome::Success,
            json!({ "rows": accounts.len() }),
            funds.as_deref().unwrap_or(&[]),
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
                status(a, self.at).to_string(),
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
        let account = self.change(id, "account.block").await?;
        let result = self.store.set_blocked(id, Some(self.at)).await;
        self.changed(&account, "account.block", result).await
    }

    /// Unblocks the account (USNTools C.2.4).
    pub async fn unblock(&self, id: i64) -> Result<Account, AccountError> {
        let account = self.change(id, "account.unblock").await?;
        let result = self.store.set_blocked(id, None).await;
        self.changed(&account, "account.unblock", result).await
    }

    /// Ends the lock that failed logins put on the account, and clears their count.
    pub async fn unlock(&self, id: i64) -> Result<Account, AccountError> {
        let account = self.change(id, "account.unlock").await?;
        let result = self.store.unlock_account(id).await;
        self.changed(&account, "account.unlock", result).await
    }

    /// Gives the account a temporary password (USNTools C.2.5); its sessions end. Refused when
    /// it cannot be delivered.
    pub async fn reset_password(&self, id: i64) -> Result<WithTemporaryPassword, AccountError> {
        let account = self.change(id, "account.reset_password").await?;
        if let Err(e) = self.can_deliver() {
            return Err(self
                .refusal(
                    &self.target_of(&account),
                    "account.reset_password",
                    e,
                    &json!({ "account_id": id }),
                    &account.funds,
                )
                .await);
        }
        self.replace_password(&account, "account.reset_password")
            .await
    }

    /// Annex 2.3 c: the password may be known to others, so it stops working at once. It is
    /// replaced by a temporary password handed over to the holder ([`Accounts::hand_over`]);
    /// every session ends. When no password can be delivered the account is blocked as well
    /// (a reset delivers one later).
    pub async fn mark_compromised(&self, id: i64) -> Result<(Account, Handover), AccountError> {
        let account = self.change(id, "account.compromised").await?;
        let mut made = self
            .replace_password(&account, "account.compromised")
            .await?;
        let handover = self.hand_over(&mut made).await?;
        Ok((made.account, handover))
    }

    /// Sets a new temporary password on `account` (ending its sessions), audited as `action`.
    async fn replace_password(
        &self,
        account: &Account,
        action: &'static str,
    ) -> Result<WithTemporaryPassword, AccountError> {
        let password = temporary_password(&account.login, &account.holder);
        let result = self
            .store
            .set_password(account.id, &password, true, self.at)
            .await;
        let account = self.changed(account, action, result).await?;
        Ok(WithTemporaryPassword { account, password })
    }

    /// Removes the account for good, once confirmed (USNTools C.2.6); its user id is never
    /// given again.
    pub async fn remove(&self, id: i64, confirmed: bool) -> Result<Account, AccountError> {
        if !confirmed {
            return Err(AccountError::NotConfirmed);
        }
        let account = self.change(id, "account.remove").await?;
        let result = self.store.remove_account(id, self.at).await;
        self.changed(&account, "account.remove", result).await
    }

    /// The audit target of an account: `account:<login>` (a login is never reused).
    fn target_of(&self, account: &Account) -> String {
        format!("account:{}", account.login)
    }

    /// Records how the store's change `action` of `account` ended, and passes its result on.
    async fn changed(
        &self,
        account: &Account,
        action: &'static str,
        result: Result<Account, StoreError>,
    ) -> Result<Account, AccountError> {
        self.done(
            &self.target_of(account),
            action,
            json!({ "account_id": account.id }),
            &account.funds,
            result,
        )
        .await
    }

    /// Checks that the manager may change account `id`, recording a refusal; returns the
    /// account as it is.
    async fn change(&self, id: i64, action: &'static str) -> Result<Account, AccountError> {
        let details = json!({ "account_id": id });
        let account = match self.view(id).await {
            Ok(a) => a,
            Err(e) => {
                // Not the manager's to see: the event concerns the manager's funds only.
                let mine = self.manager.funds().map(<[FundNumber]>::to_vec);
                return Err(self
                    .refusal(
                        &format!("account:{id}"),
                        action,
                        e,
                        &details,
                        mine.as_deref().unwrap_or(&[]),
                    )
                    .await);
            }
        };
        let check = match self.manager {
            Manager::Person { account_id, .. } if *account_id == id => Err(
                AccountError::Forbidden("one's own account is changed on /password only"),
            ),
            _ => self.may_change(&account.funds, account.role),
        };
        match check {
            Ok(()) => Ok(account),
            Err(e) => Err(self
                .refusal(
                    &self.target_of(&account),
                    action,
                    e,
                    &details,
                    &account.funds,
                )
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
        funds: &[FundNumber],
    ) -> AccountError {
        let mut details = details.clone();
        details["reason"] = json!(e.to_string());
        match self
            .audit(target, action, AuditOutcome::Denied, details, funds)
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
        funds: &[FundNumber],
        result: Result<T, StoreError>,
    ) -> Result<T, AccountError> {
        let outcome = match &result {
            Ok(_) => AuditOutcome::Success,
            Err(e) => {
                details["reason"] = json!(e.to_string());
                AuditOutcome::Failure
            }
        };
        self.audit(target, action, outcome, details, funds).await?;
        result.map_err(AccountError::from)
    }

    /// Appends an event about the funds `funds` (the account's, or the manager's when the
    /// account is not theirs to see); the acting person's account id is in the details.
    async fn audit(
        &self,
        target: &str,
        action: &'static str,
        outcome: AuditOutcome,
        mut details: Value,
        funds: &[FundNumber],
    ) -> Result<(), AccountError> {
        if let Manager::Person { account_id, .. } = self.manager {
            details["actor_account_id"] = json!(account_id);
        }
        self.store
            .append_audit(&NewAuditEvent {
                at: self.at,
                actor: self.manager.actor(),
                action: action.to_string(),
                target: Some(target.to_string()),
                outcome,
                remote_addr: self.remote.clone(),
                details,
                funds: funds.to_vec(),
            })
            .await?;
        Ok(())
    }
}

/// `active`, `blocked`, or `locked` while failed logins lock it at `now` (a lock that has
/// ended is no longer shown).
pub fn status(account: &Account, now: DateTime<Utc>) -> &'static str {
    if account.blocked_at.is_some() {
        "blocked"
    } else if is_locked(account, now) {
        "locked"
    } else {
        "active"
    }
}

/// Whether failed logins lock the account at `now`.
pub fn is_locked(account: &Account, now: DateTime<Utc>) -> bool {
    account.locked_until.is_some_and(|until| until > now)
}

fn fund_texts(funds: &[FundNumber]) -> Vec<String> {
    funds.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::domain::{Holder, Login};

    fn account(blocked: bool, locked_until: Option<DateTime<Utc>>) -> Account {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 0).unwrap();
        Account {
            id: 1,
            login: Login::parse("mrossi").unwrap(),
            holder: Holder::parse("Rossi", "Maria", "m@c.ch", "").unwrap(),
            role: Role::Clerk,
            funds: vec![FundNumber::parse("066.000").unwrap()],
            must_change_password: false,
            blocked_at: blocked.then_some(at),
            failed_logins: 6,
            locked_until,
            created_at: at,
        }
    }

    /// "Locked" only while the lock lasts.
    #[test]
    fn the_status_is_the_real_state() {
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();
        let later = now + TimeDelta::minutes(1);
        let earlier = now - TimeDelta::minutes(1);
        assert_eq!(status(&account(false, Some(later)), now), "locked");
        assert_eq!(status(&account(false, Some(earlier)), now), "active");
        assert_eq!(status(&account(false, None), now), "active");
        assert_eq!(status(&account(true, Some(later)), now), "blocked");
    }

    /// E-mail is the default hand-over; showing it is configured explicitly.
    #[test]
    fn the_hand_over_setting() {
        let config: AccountsConfig = toml::from_str("").unwrap();
        assert_eq!(config.handover, HandoverSetting::Email);
        let config: AccountsConfig = toml::from_str("handover = \"show_to_manager\"").unwrap();
        assert_eq!(config.handover, HandoverSetting::ShowToManager);
        assert!(toml::from_str::<AccountsConfig>("handover = \"print\"").is_err());
    }
}
