//! The `Idempotency-Key` of submissions: per token and key, the SHA-256 of the request and the
//! ids it was answered with.

use chrono::{DateTime, Utc};

use super::Store;
use super::error::StoreError;
use super::sql::args;

/// What a key was first used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentRequest {
    pub request_sha256: String,
    pub announcement_ids: Vec<i64>,
}

impl Store {
    /// The request first made with this token and key, if any.
    pub async fn idempotent_request(
        &self,
        token_id: i64,
        key: &str,
    ) -> Result<Option<IdempotentRequest>, StoreError> {
        let mut tx = self.begin_read().await?;
        let row = tx
            .fetch_optional(
                "SELECT request_sha256, announcement_ids FROM idempotency_keys \
                 WHERE token_id = $1 AND idempotency_key = $2",
                args![token_id, key],
            )
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let announcement_ids =
            serde_json::from_str(&row.text("announcement_ids")?).map_err(|_| {
                StoreError::Corrupt {
                    what: "idempotency key",
                    id: Some(token_id),
                }
            })?;
        Ok(Some(IdempotentRequest {
            request_sha256: row.text("request_sha256")?,
            announcement_ids,
        }))
    }

    /// Remembers a key's first request; a key already remembered keeps its first request.
    pub async fn remember_idempotent_request(
        &self,
        token_id: i64,
        key: &str,
        request: &IdempotentRequest,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let ids = serde_json::to_string(&request.announcement_ids).expect("ids serialise");
        let mut tx = self.begin_write().await?;
        tx.execute(
            "INSERT INTO idempotency_keys (token_id, idempotency_key, request_sha256, \
             announcement_ids, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            args![token_id, key, request.request_sha256.as_str(), ids, at],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
