//! Server-side sessions of the dashboard: the cookie carries 32 random bytes, the database only
//! their SHA-256 (a copy of the table opens no session). A session ends after a time without
//! use (idle) and, whatever the use, after a fixed time (absolute); it ends at once when its
//! account is blocked, removed, marked compromised or given a new password.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use super::Store;
use super::accounts::{Account, read};
use super::error::StoreError;
use super::sql::args;
use crate::digest::sha256_hex;
use crate::secret::random_hex32;

/// How long sessions live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session not used for this long ends.
    pub idle: TimeDelta,
    /// A session ends this long after the login, used or not.
    pub absolute: TimeDelta,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: TimeDelta::minutes(30),
            absolute: TimeDelta::hours(12),
        }
    }
}

/// The session id as the cookie carries it; never stored, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(String);

impl SessionSecret {
    /// The cookie's value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(…)")
    }
}

/// A session just opened.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub secret: SessionSecret,
    pub csrf_token: String,
}

/// A live session and its account.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    pub account: Account,
    pub csrf_token: String,
}

impl Store {
    /// Opens a session for `account_id` at `at`, with a fresh id and anti-CSRF token.
    pub async fn open_session(
        &self,
        account_id: i64,
        at: DateTime<Utc>,
        policy: SessionPolicy,
    ) -> Result<NewSession, StoreError> {
        let secret = random_hex32();
        let csrf_token = random_hex32();
        let mut tx = self.begin_write().await?;
        tx.execute(
            "INSERT INTO sessions (secret_hash, account_id, csrf_token, created_at, \
             last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
            args![
                sha256_hex(secret.as_bytes()),
                account_id,
                csrf_token.as_str(),
                at,
                at + policy.absolute
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            secret: SessionSecret(secret),
            csrf_token,
        })
    }

    /// The live session whose cookie value is `presented`, touched at `at`; `None` when there
    /// is none, it has expired (and is then deleted), or its account is blocked.
    pub async fn session(
        &self,
        presented: &str,
        at: DateTime<Utc>,
        policy: SessionPolicy,
    ) -> Result<Option<ActiveSession>, StoreError> {
        if presented.len() != 64 {
            return Ok(None);
        }
        let hash = sha256_hex(presented.as_bytes());
        let mut tx = self.begin_write().await?;
        let Some(row) = tx
            .fetch_optional(
                "SELECT id, account_id, csrf_token, last_seen_at, expires_at FROM sessions \
                 WHERE secret_hash = $1",
                args![hash.as_str()],
            )
            .await?
        else {
            return Ok(None);
        };
        let id = row.int("id")?;
        if row.time("expires_at")? <= at || row.time("last_seen_at")? + policy.idle <= at {
            tx.execute("DELETE FROM sessions WHERE id = $1", args![id])
                .await?;
            tx.commit().await?;
            return Ok(None);
        }
        let account = read(&mut tx, row.int("account_id")?).await?;
        if account.blocked_at.is_some() {
            return Ok(None);
        }
        tx.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2",
            args![at, id],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(ActiveSession {
            account,
            csrf_token: row.text("csrf_token")?,
        }))
    }

    /// Ends the session whose cookie value is `presented` (logout).
    pub async fn close_session(&self, presented: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        tx.execute(
            "DELETE FROM sessions WHERE secret_hash = $1",
            args![sha256_hex(presented.as_bytes())],
        )
        .await?;
        tx.commit().await
    }
}
