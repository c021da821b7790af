//! Password attempts on an account: logins and the current-password check of a password change.
//!
//! Annex 2.3 (passwords must not be guessable by trying):
//! each attempt first takes its turn in ONE write transaction — refused while the account is
//! locked, otherwise counted as a failure, and the lock that count leads to set — and only
//! then is the password compared; a right one clears the count. So parallel guesses lock the
//! account exactly as serial ones do: no more than [`crate::domain::lockout::FREE_ATTEMPTS`]
//! of them are ever compared before the lock.

use chrono::{DateTime, Utc};

use super::Store;
use super::accounts::{LoginDenial, SignIn};
use super::error::StoreError;
use super::password_hash;
use super::sql::{Tx, args};
use crate::domain::lockout::delay_after;

/// The answer to a check of an account's password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password is right; the count of failures is cleared.
    Right,
    /// The password is wrong: failure number `failures` in a row, locking until `locked_until`.
    Wrong {
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
    },
    /// Too many failures: no password is compared before `until`.
    Locked { until: DateTime<Utc> },
}

/// An attempt's turn, taken before the password is compared.
enum Turn {
    Locked {
        until: DateTime<Utc>,
    },
    Taken {
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        hash: String,
        blocked: bool,
    },
}

impl Store {
    /// A login attempt at `at`: refused while locked; a wrong password counts a failure and,
    /// from [`crate::domain::lockout::FREE_ATTEMPTS`] failures on, locks with a growing delay;
    /// a right one clears the count (and is refused when the account is blocked).
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        at: DateTime<Utc>,
    ) -> Result<SignIn, StoreError> {
        let id = self
            .fetch_all("SELECT id FROM accounts WHERE login = $1", args![login])
            .await?
            .pop()
            .map(|row| row.int("id"))
            .transpose()?;
        let Some(account_id) = id else {
            // As long as for a known login, so that timing tells nobody which logins exist.
            password_hash::verify_dummy(password).await?;
            return Ok(SignIn::Denied(LoginDenial::UnknownLogin));
        };
        let (check, blocked) = self.attempt(account_id, password, at).await?;
        Ok(match check {
            PasswordCheck::Locked { until } => {
                SignIn::Denied(LoginDenial::Locked { account_id, until })
            }
            PasswordCheck::Wrong {
                failures,
                locked_until,
            } => SignIn::Denied(LoginDenial::WrongPassword {
                account_id,
                failures,
                locked_until,
            }),
            PasswordCheck::Right if blocked => SignIn::Denied(LoginDenial::Blocked { account_id }),
            PasswordCheck::Right => SignIn::Granted(self.account(account_id).await?),
        })
    }

    /// Whether `password` is account `id`'s current password (the check before a password
    /// change), under the same count and lock as a login.
    pub async fn check_password(
        &self,
        id: i64,
        password: &str,
        at: DateTime<Utc>,
    ) -> Result<PasswordCheck, StoreError> {
        Ok(self.attempt(id, password, at).await?.0)
    }

    /// Takes the attempt's turn, then compares the password; and whether the account is
    /// blocked.
    async fn attempt(
        &self,
        id: i64,
        password: &str,
        at: DateTime<Utc>,
    ) -> Result<(PasswordCheck, bool), StoreError> {
        let mut tx = self.begin_write().await?;
        let turn = take_turn(&mut tx, id, at).await?;
        tx.commit().await?;
        let (failures, locked_until, hash, blocked) = match turn {
            Turn::Locked { until } => return Ok((PasswordCheck::Locked { until }, false)),
            Turn::Taken {
                failures,
                locked_until,
                hash,
                blocked,
            } => (failures, locked_until, hash, blocked),
        };
        if !password_hash::verify(&hash, password).await? {
            let check = PasswordCheck::Wrong {
                failures,
                locked_until,
            };
            return Ok((check, blocked));
        }
        let mut tx = self.begin_write().await?;
        tx.execute(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            args![id],
        )
        .await?;
        tx.commit().await?;
        Ok((PasswordCheck::Right, blocked))
    }
}

/// In one write transaction (the row locked on PostgreSQL, the database on SQLite): refused
/// while locked at `at`; otherwise one more failure counted and its lock set.
async fn take_turn(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<Turn, StoreError> {
    let sql = match tx {
        Tx::Sqlite(..) => {
            "SELECT password_hash, blocked_at, failed_logins, locked_until FROM accounts \
             WHERE id = $1"
        }
        Tx::Postgres(_) => {
            "SELECT password_hash, blocked_at, failed_logins, locked_until FROM accounts \
             WHERE id = $1 FOR UPDATE"
        }
    };
    let row = tx
        .fetch_optional(sql, args![id])
        .await?
        .ok_or(StoreError::NotFound {
            what: "account",
            id,
        })?;
    if let Some(until) = row.opt_time("locked_until")?.filter(|u| *u > at) {
        return Ok(Turn::Locked { until });
    }
    let failures = u32::try_from(row.int("failed_logins")?)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let locked_until = delay_after(failures).map(|d| at + d);
    tx.execute(
        "UPDATE accounts SET failed_logins = $1, locked_until = $2 WHERE id = $3",
        args![i64::from(failures), locked_until, id],
    )
    .await?;
    Ok(Turn::Taken {
        failures,
        locked_until,
        hash: row.text("password_hash")?,
        blocked: row.opt_time("blocked_at")?.is_some(),
    })
}
