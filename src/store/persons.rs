//! The one place where AVS numbers are stored (ordinance art. 3): every other table refers to a
//! person by id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::error::StoreError;
use super::sql::{SqlBuilder, Tx, args};
use crate::domain::AvsNumber;

/// The id of the person with this AVS number, adding the person when the number is new.
pub(crate) async fn person_id(
    tx: &mut Tx,
    number: AvsNumber,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let found = tx
        .fetch_optional(
            "SELECT id FROM persons WHERE avs_number = $1",
            args![number.digits()],
        )
        .await?;
    if let Some(row) = found {
        return Ok(row.int("id")?);
    }
    // A concurrent transaction may add the same person: the no-op update makes RETURNING give
    // the existing row's id then.
    let row = tx
        .fetch_one(
            "INSERT INTO persons (avs_number, created_at) VALUES ($1, $2) \
             ON CONFLICT (avs_number) DO UPDATE SET avs_number = excluded.avs_number \
             RETURNING id",
            args![number.digits(), at],
        )
        .await?;
    Ok(row.int("id")?)
}

/// The AVS numbers of the persons with these ids (an unknown id is left out).
pub(crate) async fn numbers_of(
    tx: &mut Tx,
    ids: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, AvsNumber>, StoreError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut sql = SqlBuilder::new("SELECT id, avs_number FROM persons WHERE id IN (");
    sql.push_list(ids).push(")");
    let (sql, args) = sql.finish();
    let mut numbers = BTreeMap::new();
    for row in tx.fetch_all(sql, args).await? {
        let id = row.int("id")?;
        if let Some(number) = parse_stored(Some(row.text("avs_number")?), Some(id))? {
            numbers.insert(id, number);
        }
    }
    Ok(numbers)
}

/// Reads a stored AVS number; the text is never put into the error.
pub(crate) fn parse_stored(
    text: Option<String>,
    person_id: Option<i64>,
) -> Result<Option<AvsNumber>, StoreError> {
    match text {
        None => Ok(None),
        Some(text) => AvsNumber::parse(&text)
            .map(Some)
            .map_err(|_| StoreError::Corrupt {
                what: "AVS number of a person",
                id: person_id,
            }),
    }
}
