//! API tokens of the funds: a random secret shown once, of which only the SHA-256 is stored; found
//! by a public prefix; bound to one or more fund numbers (N. 2102; security baseline, draft art. 7:
//! access only for those who need it).
//!
//! A token reads `arcgw_<prefix>_<secret>`: 16 hexadecimal digits of public prefix, then 64 of
//! secret (32 bytes from the operating system's random source, through `uuid` v4: 244 random
//! bits).

use std::fmt;

use chrono::{DateTime, Utc};

use super::Store;
use super::announcements::environment_of;
use super::error::StoreError;
use super::funds::{funds_of, stored_fund};
use super::redact::redact;
use super::sql::{Row, Tx, args};
use crate::digest::{constant_time_eq, hex, sha256_hex};
use crate::domain::{Environment, FundNumber};

/// A token's fund number, as a corruption error names it.
const TOKEN_FUND: &str = "fund number of an API token";

const TOKEN_START: &str = "arcgw_";
const PREFIX_DIGITS: usize = 16;
const SECRET_DIGITS: usize = 64;

/// A stored API token (without its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    /// The public part of the token, by which it is found (and shown in lists and audit rows).
    pub prefix: String,
    pub label: String,
    /// The funds this token may act for; never empty.
    pub funds: Vec<FundNumber>,
    /// The ZAS environment its announcements go to and are read from (USNTools: access is
    /// requested per environment, ABN and PROD separately).
    pub environment: Environment,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Whether this token may act for `fund`.
    pub fn may_act_for(&self, fund: FundNumber) -> bool {
        self.funds.contains(&fund)
    }
}

/// The whole bearer token: shown once at creation and never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The text to hand to the fund (`Authorization: Bearer …`).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    /// Never prints the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(…)")
    }
}

/// A token just made: its record, and its secret to print once.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: TokenSecret,
}

/// The answer to a presented token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authentication {
    Granted(ApiToken),
    Denied(Denial),
}

/// Why a presented token is refused (for the audit log; the client learns only "401").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// Not of the form `arcgw_<prefix>_<secret>`.
    Malformed,
    /// No token has this prefix.
    Unknown,
    /// The prefix is known, the secret is not its secret.
    WrongSecret,
    /// The token was revoked.
    Revoked,
}

impl Store {
    /// [`Store::create_token_in`] production.
    pub async fn create_token(
        &self,
        label: &str,
        funds: &[FundNumber],
        at: DateTime<Utc>,
    ) -> Result<NewToken, StoreError> {
        self.create_token_in(Environment::Prod, label, funds, at)
            .await
    }

    /// Makes a token of `environment` for `funds` (at least one) and returns it with its
    /// secret, which is stored only as a SHA-256. Anything in `label` that looks like an AVS
    /// number is masked.
    pub async fn create_token_in(
        &self,
        environment: Environment,
        label: &str,
        funds: &[FundNumber],
        at: DateTime<Utc>,
    ) -> Result<NewToken, StoreError> {
        let label = redact(label).into_owned();
        let mut funds = funds.to_vec();
        funds.sort_unstable();
        funds.dedup();
        if funds.is_empty() {
            return Err(StoreError::TokenWithoutFund);
        }
        let prefix = hex(&uuid::Uuid::new_v4().as_bytes()[..PREFIX_DIGITS / 2]);
        let mut secret_bytes = Vec::with_capacity(SECRET_DIGITS / 2);
        secret_bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret_bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        let secret = hex(&secret_bytes);
        let mut tx = self.begin_write().await?;
        let id = tx
            .fetch_one(
                "INSERT INTO api_tokens (prefix, secret_hash, label, created_at, environment) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                args![
                    prefix.as_str(),
                    sha256_hex(secret.as_bytes()),
                    label.as_str(),
                    at,
                    environment.as_str()
                ],
            )
            .await?
            .int("id")?;
        for fund in &funds {
            tx.execute(
                "INSERT INTO api_token_funds (token_id, fund) VALUES ($1, $2)",
                args![id, fund.to_string()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(NewToken {
            secret: TokenSecret(format!("{TOKEN_START}{prefix}_{secret}")),
            token: ApiToken {
                id,
                prefix,
                label,
                funds,
                environment,
                created_at: super::sql::stored(at),
                revoked_at: None,
            },
        })
    }

    /// Checks a presented bearer token: found by its prefix, its secret's SHA-256 compared in
    /// constant time, refused when revoked.
    pub async fn authenticate(&self, presented: &str) -> Result<Authentication, StoreError> {
        let Some((prefix, secret)) = split_token(presented) else {
            return Ok(Authentication::Denied(Denial::Malformed));
        };
        // One statement, the token with its funds (a row per fund): one snapshot without a
        // transaction, one hand-over to the database per request.
        let rows = self
            .fetch_all(
                "SELECT t.id, t.prefix, t.secret_hash, t.label, t.environment, t.created_at, \
                 t.revoked_at, f.fund FROM api_tokens t \
                 LEFT JOIN api_token_funds f ON f.token_id = t.id \
                 WHERE t.prefix = $1 ORDER BY f.fund",
                args![prefix],
            )
            .await?;
        let Some(row) = rows.first() else {
            return Ok(Authentication::Denied(Denial::Unknown));
        };
        let stored_hash = row.text("secret_hash")?;
        if !constant_time_eq(
            stored_hash.as_bytes(),
            sha256_hex(secret.as_bytes()).as_bytes(),
        ) {
            return Ok(Authentication::Denied(Denial::WrongSecret));
        }
        let id = row.int("id")?;
        let funds = rows
            .iter()
            .filter_map(|row| row.opt_text("fund").transpose())
            .map(|fund| stored_fund(&fund?, TOKEN_FUND, id))
            .collect::<Result<Vec<_>, _>>()?;
        let token = token_of(row, funds)?;
        if token.revoked_at.is_some() {
            return Ok(Authentication::Denied(Denial::Revoked));
        }
        Ok(Authentication::Granted(token))
    }

    /// Every token, revoked ones included, oldest first.
    pub async fn list_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch_all(
                "SELECT id, prefix, label, environment, created_at, revoked_at FROM api_tokens \
                 ORDER BY id",
                args![],
            )
            .await?;
        let tokens = with_funds(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Revokes token `id` from `at` on (a token revoked before keeps its first time).
    pub async fn revoke_token(&self, id: i64, at: DateTime<Utc>) -> Result<ApiToken, StoreError> {
        let mut tx = self.begin_write().await?;
        tx.execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            args![at, id],
        )
        .await?;
        let rows = tx
            .fetch_all(
                "SELECT id, prefix, label, environment, created_at, revoked_at FROM api_tokens \
                 WHERE id = $1",
                args![id],
            )
            .await?;
        let token = with_funds(&mut tx, rows)
            .await?
            .pop()
            .ok_or(StoreError::NotFound {
                what: "API token",
                id,
            })?;
        tx.commit().await?;
        Ok(token)
    }
}

/// `arcgw_<prefix>_<secret>` → (prefix, secret), when the shape is right.
fn split_token(presented: &str) -> Option<(&str, &str)> {
    let rest = presented.trim().strip_prefix(TOKEN_START)?;
    let (prefix, secret) = rest.split_once('_')?;
    let lower_hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    (lower_hex(prefix, PREFIX_DIGITS) && lower_hex(secret, SECRET_DIGITS))
        .then_some((prefix, secret))
}

/// Reads token rows and the funds each is bound to.
async fn with_funds(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<ApiToken>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = rows
        .iter()
        .map(|row| row.int("id"))
        .collect::<Result<Vec<i64>, _>>()?;
    let mut funds = funds_of(
        tx,
        "SELECT token_id AS owner, fund FROM api_token_funds WHERE token_id IN (",
        &ids,
        TOKEN_FUND,
    )
    .await?;
    rows.iter()
        .map(|row| {
            let id = row.int("id")?;
            token_of(row, funds.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// The token of `row` (columns of `api_tokens`), which may act for `funds` (at least one).
fn token_of(row: &Row, funds: Vec<FundNumber>) -> Result<ApiToken, StoreError> {
    let id = row.int("id")?;
    if funds.is_empty() {
        return Err(StoreError::corrupt("funds of an API token", id));
    }
    Ok(ApiToken {
        id,
        prefix: row.text("prefix")?,
        label: row.text("label")?,
        funds,
        environment: environment_of(row, id)?,
        created_at: row.time("created_at")?,
        revoked_at: row.opt_time("revoked_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        let prefix = "0123456789abcdef";
        let secret = "ab".repeat(32);
        let token = format!("arcgw_{prefix}_{secret}");
        assert_eq!(split_token(&token), Some((prefix, secret.as_str())));
        assert_eq!(split_token(&token.to_uppercase()), None);
        assert_eq!(split_token("arcgw_0123_abcd"), None);
        assert_eq!(split_token("Bearer something"), None);
        assert!(!format!("{:?}", TokenSecret(token)).contains(prefix));
    }
}
