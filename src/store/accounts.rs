//! People's accounts (USNTools, seeds/000 C): bound to one or more funds, with a role, an argon2
//! password hash, a "must change" mark (temporary or compromised password, annex 2.3 c), a
//! block (reversible) and the count of failed logins with the lock it leads to.
//!
//! A removed account is deleted with its funds and sessions (definitive, C.2.6); the audit log
//! keeps what happened, and its user id is kept in `removed_logins` so that it is never given
//! to somebody else (the audit log names people by it).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};

use super::Store;
use super::error::StoreError;
use super::funds::funds_of;
use super::password_hash;
use super::sql::{Row, SqlBuilder, Tx, args};
use crate::domain::{FundNumber, Holder, Login, Password, Role};

/// The most accounts one search returns.
pub const MAX_ACCOUNT_PAGE: u32 = 1000;

/// A stored account (without its password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub login: Login,
    pub holder: Holder,
    pub role: Role,
    /// The funds the person works for; never empty.
    pub funds: Vec<FundNumber>,
    /// The password is temporary or was marked compromised: it must be changed at next login.
    pub must_change_password: bool,
    pub blocked_at: Option<DateTime<Utc>>,
    /// Failed logins since the last successful one.
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Account {
    /// Whether the account is bound to `fund`.
    pub fn works_for(&self, fund: FundNumber) -> bool {
        self.funds.contains(&fund)
    }
}

/// An account to create.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub login: Login,
    pub holder: Holder,
    pub role: Role,
    pub funds: Vec<FundNumber>,
}

/// The order of a search's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AccountSort {
    #[default]
    Surname,
    GivenName,
    Login,
    Email,
    Created,
}

/// A sort field that is none of [`AccountSort`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sort: one of surname, given_name, login, email, created")]
pub struct UnknownSort;

impl FromStr for AccountSort {
    type Err = UnknownSort;
    fn from_str(s: &str) -> Result<Self, UnknownSort> {
        Ok(match s {
            "surname" => AccountSort::Surname,
            "given_name" => AccountSort::GivenName,
            "login" => AccountSort::Login,
            "email" => AccountSort::Email,
            "created" => AccountSort::Created,
            _ => return Err(UnknownSort),
        })
    }
}

impl AccountSort {
    fn order_by(self) -> &'static str {
        match self {
            AccountSort::Surname => " ORDER BY lower(a.surname), lower(a.given_name), a.id",
            AccountSort::GivenName => " ORDER BY lower(a.given_name), lower(a.surname), a.id",
            AccountSort::Login => " ORDER BY a.login, a.id",
            AccountSort::Email => " ORDER BY lower(a.email), a.id",
            AccountSort::Created => " ORDER BY a.created_at, a.id",
        }
    }
}

/// Which accounts to find (USNTools C.2.1): all conditions must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSearch {
    /// Part of the surname, given name, e-mail address or login (any case).
    pub text: Option<String>,
    /// Accounts bound to this fund.
    pub fund: Option<FundNumber>,
    /// Only accounts bound to at least one of these funds (the searcher's own, art. 7); `None`
    /// for the operator on the command line.
    pub within: Option<Vec<FundNumber>>,
    pub sort: AccountSort,
    /// At most this many, between 1 and [`MAX_ACCOUNT_PAGE`].
    pub limit: u32,
}

impl Default for AccountSearch {
    fn default() -> Self {
        AccountSearch {
            text: None,
            fund: None,
            within: None,
            sort: AccountSort::default(),
            limit: MAX_ACCOUNT_PAGE,
        }
    }
}

/// The answer to a login attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    Granted(Account),
    Denied(LoginDenial),
}

/// Why a login was refused (for the audit log; the person learns only "refused", or when they
/// may try again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginDenial {
    UnknownLogin,
    /// The password is wrong; this was failure number `failures` in a row.
    WrongPassword {
        account_id: i64,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
    },
    /// Too many failures: no login is tried before `until`.
    Locked {
        account_id: i64,
        until: DateTime<Utc>,
    },
    Blocked {
        account_id: i64,
    },
}

const COLUMNS: &str = "SELECT a.id, a.login, a.surname, a.given_name, a.email, a.birth_date, \
     a.role, a.must_change_password, a.blocked_at, a.failed_logins, a.locked_until, \
     a.created_at FROM accounts a";

impl Store {
    /// Creates an account with `password` (marked "must change" when temporary).
    pub async fn create_account(
        &self,
        new: &NewAccount,
        password: &Password,
        must_change: bool,
        at: DateTime<Utc>,
    ) -> Result<Account, StoreError> {
        let mut funds = new.funds.clone();
        funds.sort_unstable();
        funds.dedup();
        if funds.is_empty() {
            return Err(StoreError::AccountWithoutFund);
        }
        let hash = password_hash::hash(password.expose()).await?;
        let mut tx = self.begin_write().await?;
        let taken = tx
            .fetch_optional(
                "SELECT id FROM accounts WHERE login = $1",
                args![new.login.as_str()],
            )
            .await?;
        if taken.is_some() {
            return Err(StoreError::LoginTaken {
                login: new.login.to_string(),
            });
        }
        let removed = tx
            .fetch_optional(
                "SELECT login FROM removed_logins WHERE login = $1",
                args![new.login.as_str()],
            )
            .await?;
        if removed.is_some() {
            return Err(StoreError::LoginRemoved {
                login: new.login.to_string(),
            });
        }
        let id = tx
            .fetch_one(
                "INSERT INTO accounts (login, surname, given_name, email, birth_date, role, \
                 password_hash, must_change_password, created_at, password_changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                args![
                    new.login.as_str(),
                    new.holder.surname.as_str(),
                    new.holder.given_name.as_str(),
                    new.holder.email.as_str(),
                    new.holder.birth_date.map(|d| d.to_string()),
                    new.role.as_str(),
                    hash,
                    i64::from(must_change),
                    at
                ],
            )
            .await?
            .int("id")?;
        for fund in &funds {
            tx.execute(
                "INSERT INTO account_funds (account_id, fund) VALUES ($1, $2)",
                args![id, fund.to_string()],
            )
            .await?;
        }
        let account = read(&mut tx, id).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// The account `id`.
    pub async fn account(&self, id: i64) -> Result<Account, StoreError> {
        let mut tx = self.begin_read().await?;
        let account = read(&mut tx, id).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// How many accounts there are.
    pub async fn count_accounts(&self) -> Result<i64, StoreError> {
        self.fetch_one("SELECT COUNT(*) AS n FROM accounts", args![])
            .await?
            .int("n")
            .map_err(StoreError::from)
    }

    /// The accounts matching `search`. Every value is bound as an argument; the sort is one of
    /// [`AccountSort`]'s fixed orders.
    pub async fn search_accounts(
        &self,
        search: &AccountSearch,
    ) -> Result<Vec<Account>, StoreError> {
        let mut sql = SqlBuilder::new(COLUMNS);
        sql.push(" WHERE 1 = 1");
        if let Some(text) = search
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = format!("%{}%", like_escaped(&text.to_lowercase()));
            sql.push(" AND (lower(a.surname) LIKE ")
                .push_arg(pattern.as_str())
                .push(" ESCAPE '\\' OR lower(a.given_name) LIKE ")
                .push_arg(pattern.as_str())
                .push(" ESCAPE '\\' OR lower(a.email) LIKE ")
                .push_arg(pattern.as_str())
                .push(" ESCAPE '\\' OR a.login LIKE ")
                .push_arg(pattern)
                .push(" ESCAPE '\\')");
        }
        if let Some(fund) = search.fund {
            sql.push(
                " AND EXISTS (SELECT 1 FROM account_funds f WHERE f.account_id = a.id \
                 AND f.fund = ",
            )
            .push_arg(fund.to_string())
            .push(")");
        }
        if let Some(within) = &search.within {
            if within.is_empty() {
                return Ok(Vec::new());
            }
            sql.push(
                " AND EXISTS (SELECT 1 FROM account_funds w WHERE w.account_id = a.id \
                 AND w.fund IN (",
            )
            .push_list(within.iter().map(ToString::to_string))
            .push("))");
        }
        sql.push(search.sort.order_by())
            .push(" LIMIT ")
            .push_arg(i64::from(search.limit.clamp(1, MAX_ACCOUNT_PAGE)));
        let (sql, args) = sql.finish();
        let mut tx = self.begin_read().await?;
        let rows = tx.fetch_all(sql, args).await?;
        let accounts = with_funds(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(accounts)
    }

    /// Blocks the account from `at` on (and ends its sessions), or unblocks it (`None`).
    pub async fn set_blocked(
        &self,
        id: i64,
        blocked: Option<DateTime<Utc>>,
    ) -> Result<Account, StoreError> {
        let mut tx = self.begin_write().await?;
        read(&mut tx, id).await?;
        tx.execute(
            "UPDATE accounts SET blocked_at = $1, failed_logins = 0, locked_until = NULL \
             WHERE id = $2",
            args![blocked, id],
        )
        .await?;
        if blocked.is_some() {
            end_sessions(&mut tx, id).await?;
        }
        let account = read(&mut tx, id).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Sets a new password (temporary when `must_change`), clears the failed logins, and ends
    /// every session of the account.
    pub async fn set_password(
        &self,
        id: i64,
        password: &Password,
        must_change: bool,
        at: DateTime<Utc>,
    ) -> Result<Account, StoreError> {
        let hash = password_hash::hash(password.expose()).await?;
        let mut tx = self.begin_write().await?;
        read(&mut tx, id).await?;
        tx.execute(
            "UPDATE accounts SET password_hash = $1, must_change_password = $2, \
             password_changed_at = $3, failed_logins = 0, locked_until = NULL WHERE id = $4",
            args![hash, i64::from(must_change), at, id],
        )
        .await?;
        end_sessions(&mut tx, id).await?;
        let account = read(&mut tx, id).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Ends the lock of failed logins and clears their count.
    pub async fn unlock_account(&self, id: i64) -> Result<Account, StoreError> {
        let mut tx = self.begin_write().await?;
        read(&mut tx, id).await?;
        tx.execute(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            args![id],
        )
        .await?;
        let account = read(&mut tx, id).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// The funds account `id` is bound to.
    pub async fn account_funds(&self, id: i64) -> Result<Vec<FundNumber>, StoreError> {
        let mut tx = self.begin_read().await?;
        let mut funds = funds_of(
            &mut tx,
            "SELECT account_id AS owner, fund FROM account_funds WHERE account_id IN (",
            &[id],
            "fund number of an account",
        )
        .await?;
        tx.commit().await?;
        Ok(funds.remove(&id).unwrap_or_default())
    }

    /// Removes the account for good (its sessions and funds with it) and returns what it was;
    /// its user id is kept among the removed ones, never to be given again.
    pub async fn remove_account(&self, id: i64, at: DateTime<Utc>) -> Result<Account, StoreError> {
        let mut tx = self.begin_write().await?;
        let account = read(&mut tx, id).await?;
        end_sessions(&mut tx, id).await?;
        tx.execute(
            "INSERT INTO removed_logins (login, account_id, removed_at) VALUES ($1, $2, $3)",
            args![account.login.as_str(), id, at],
        )
        .await?;
        tx.execute("DELETE FROM account_funds WHERE account_id = $1", args![id])
            .await?;
        tx.execute("DELETE FROM accounts WHERE id = $1", args![id])
            .await?;
        tx.commit().await?;
        Ok(account)
    }
}

/// Ends every session of account `id`.
pub(super) async fn end_sessions(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE account_id = $1", args![id])
        .await?;
    Ok(())
}

/// `%`, `_` and `\` stand for themselves in a LIKE pattern with `ESCAPE '\'`.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Reads account `id` within a transaction.
pub(super) async fn read(tx: &mut Tx, id: i64) -> Result<Account, StoreError> {
    let mut sql = SqlBuilder::new(COLUMNS);
    sql.push(" WHERE a.id = ").push_arg(id);
    let (sql, args) = sql.finish();
    let rows = tx.fetch_all(sql, args).await?;
    with_funds(tx, rows)
        .await?
        .pop()
        .ok_or(StoreError::NotFound {
            what: "account",
            id,
        })
}

/// Reads account rows and the funds each is bound to, in the rows' order.
async fn with_funds(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<Account>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = rows
        .iter()
        .map(|row| row.int("id"))
        .collect::<Result<Vec<i64>, _>>()?;
    let mut funds = funds_of(
        tx,
        "SELECT account_id AS owner, fund FROM account_funds WHERE account_id IN (",
        &ids,
        "fund number of an account",
    )
    .await?;
    rows.iter()
        .map(|row| {
            let id = row.int("id")?;
            decode(row, funds.remove(&id).unwrap_or_default())
        })
        .collect()
}

fn decode(row: &Row, funds: Vec<FundNumber>) -> Result<Account, StoreError> {
    let id = row.int("id")?;
    let corrupt = |what| StoreError::corrupt(what, id);
    if funds.is_empty() {
        return Err(corrupt("funds of an account"));
    }
    let birth_date = row
        .opt_text("birth_date")?
        .map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d"))
        .transpose()
        .map_err(|_| corrupt("birth date of an account"))?;
    Ok(Account {
        id,
        login: Login::parse(&row.text("login")?).map_err(|_| corrupt("login of an account"))?,
        holder: Holder {
            surname: row.text("surname")?,
            given_name: row.text("given_name")?,
            email: row.text("email")?,
            birth_date,
        },
        role: row
            .text("role")?
            .parse()
            .map_err(|_| corrupt("role of an account"))?,
        funds,
        must_change_password: row.int("must_change_password")? != 0,
        blocked_at: row.opt_time("blocked_at")?,
        failed_logins: u32::try_from(row.int("failed_logins")?)
            .map_err(|_| corrupt("failed logins of an account"))?,
        locked_until: row.opt_time("locked_until")?,
        created_at: row.time("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escaped(r"50%_a\b"), r"50\%\_a\\b");
    }

    #[test]
    fn sort_fields() {
        assert_eq!("email".parse(), Ok(AccountSort::Email));
        assert_eq!(
            "surname; DROP TABLE accounts".parse::<AccountSort>(),
            Err(UnknownSort)
        );
    }
}
