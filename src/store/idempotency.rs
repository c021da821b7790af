//! The `Idempotency-Key` of submissions: per token and key, the SHA-256 of the request and the
//! ids it was answered with.
//!
//! The key itself is never stored, only its SHA-256 (a client may put an AVS
//! number into it; ordinance art. 3). A key is claimed in the submission's own
//! transaction, by the primary key (token, key hash), so that of parallel submissions with one
//! key exactly one stores.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::error::StoreError;
use super::sql::{SqlBuilder, Tx, args, time_field};
use super::submit::Submitted;
use super::{Backend, Store};
use crate::digest::sha256_hex;

/// What a key was first used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentRequest {
    pub request_sha256: String,
    pub announcement_ids: Vec<i64>,
}

/// A submission's claim of its Idempotency-Key: the token, the key's SHA-256 and the
/// request's.
#[derive(Clone, Debug)]
pub struct KeyClaim {
    token_id: i64,
    key_sha256: String,
    request_sha256: String,
}

impl KeyClaim {
    /// The claim of `key` by token `token_id` for the request whose SHA-256 is
    /// `request_sha256`.
    pub fn new(token_id: i64, key: &str, request_sha256: &str) -> Self {
        KeyClaim {
            token_id,
            key_sha256: sha256_hex(key.as_bytes()),
            request_sha256: request_sha256.to_string(),
        }
    }

    /// Claims the key in `tx`; [`StoreError::KeyClaimed`] when it was claimed before (on
    /// PostgreSQL, a claim of a transaction still open is waited for).
    pub(super) async fn claim(&self, tx: &mut Tx, at: DateTime<Utc>) -> Result<(), StoreError> {
        let claimed = tx
            .execute(
                "INSERT INTO idempotency_keys (token_id, key_sha256, request_sha256, \
                 announcement_ids, created_at) VALUES ($1, $2, $3, '[]', $4) \
                 ON CONFLICT DO NOTHING",
                args![
                    self.token_id,
                    self.key_sha256.as_str(),
                    self.request_sha256.as_str(),
                    at
                ],
            )
            .await?;
        if claimed == 1 {
            return Ok(());
        }
        match first_request(tx, self.token_id, &self.key_sha256).await? {
            Some(first) => Err(StoreError::KeyClaimed { first }),
            None => Err(StoreError::Corrupt {
                what: "idempotency key",
                id: Some(self.token_id),
            }),
        }
    }

    /// Records the answer of the submission that claimed the key, in its transaction.
    pub(super) async fn answer(
        &self,
        tx: &mut Tx,
        submitted: &[Submitted],
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = submitted.iter().map(|s| s.id).collect();
        let ids = serde_json::to_string(&ids).expect("ids serialise");
        tx.execute(
            "UPDATE idempotency_keys SET announcement_ids = $1 \
             WHERE token_id = $2 AND key_sha256 = $3",
            args![ids, self.token_id, self.key_sha256.as_str()],
        )
        .await?;
        Ok(())
    }
}

/// The statement that claims each key of `claims` (at least one) with its answer (the
/// announcements its submission stored) and the time of its submission: the keys of a group
/// of submissions stored together ([`super::submit_group`]). It fails when a key was claimed
/// before, or is twice in `claims` (the group is then stored one submission at a time, where
/// that claim fails alone).
pub(super) fn claims_answered_statement(
    backend: Backend,
    claims: &[(&KeyClaim, &[Submitted], DateTime<Utc>)],
) -> SqlBuilder {
    let rows: Vec<Value> = claims
        .iter()
        .map(|(claim, submitted, at)| {
            let ids: Vec<i64> = submitted.iter().map(|s| s.id).collect();
            json!([
                claim.token_id,
                claim.key_sha256,
                claim.request_sha256,
                Value::from(ids).to_string(),
                time_field(*at)
            ])
        })
        .collect();
    let mut sql = SqlBuilder::new(
        "INSERT INTO idempotency_keys (token_id, key_sha256, request_sha256, \
         announcement_ids, created_at) SELECT CAST(value->>0 AS bigint), value->>1, value->>2, \
         value->>3, ",
    );
    sql.push_row_time(backend, "value->>4")
        .push(" FROM ")
        .push_rows(backend, &rows);
    sql
}

impl Store {
    /// The request first made with this token and key, if any.
    pub async fn idempotent_request(
        &self,
        token_id: i64,
        key: &str,
    ) -> Result<Option<IdempotentRequest>, StoreError> {
        let mut tx = self.begin_read().await?;
        let first = first_request(&mut tx, token_id, &sha256_hex(key.as_bytes())).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// SQLite has no SHA-256 in SQL: migration 0012 leaves the keys stored before it in
    /// `idempotency_keys_unhashed`; this moves them, hashed, into `idempotency_keys` and drops
    /// that table, its pages overwritten (`secure_delete`). Nothing to do on PostgreSQL (the
    /// migration hashes them) or once done.
    pub(super) async fn hash_stored_idempotency_keys(&self) -> Result<(), StoreError> {
        let Store::Sqlite(pool) = self else {
            return Ok(());
        };
        let mut connection = pool.acquire().await?;
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master \
             WHERE type = 'table' AND name = 'idempotency_keys_unhashed'",
        )
        .fetch_one(&mut *connection)
        .await?;
        if left == 0 {
            return Ok(());
        }
        sqlx::query("PRAGMA secure_delete = ON")
            .execute(&mut *connection)
            .await?;
        let mut tx = sqlx::Connection::begin(&mut *connection).await?;
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT token_id, idempotency_key, request_sha256, announcement_ids, created_at \
             FROM idempotency_keys_unhashed",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (token_id, key, request_sha256, ids, created_at) in rows {
            sqlx::query(
                "INSERT INTO idempotency_keys (token_id, key_sha256, request_sha256, \
                 announcement_ids, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(token_id)
            .bind(sha256_hex(key.as_bytes()))
            .bind(request_sha256)
            .bind(ids)
            .bind(created_at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM idempotency_keys_unhashed")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DROP TABLE idempotency_keys_unhashed")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The request first made with this token and key hash, if any.
async fn first_request(
    tx: &mut Tx,
    token_id: i64,
    key_sha256: &str,
) -> Result<Option<IdempotentRequest>, StoreError> {
    let row = tx
        .fetch_optional(
            "SELECT request_sha256, announcement_ids FROM idempotency_keys \
             WHERE token_id = $1 AND key_sha256 = $2",
            args![token_id, key_sha256],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let announcement_ids =
        serde_json::from_str(&row.text("announcement_ids")?).map_err(|_| StoreError::Corrupt {
            what: "idempotency key",
            id: Some(token_id),
        })?;
    Ok(Some(IdempotentRequest {
        request_sha256: row.text("request_sha256")?,
        announcement_ids,
    }))
}
