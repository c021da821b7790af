//! The one place where AVS numbers are stored (security baseline, draft art. 3): every other table
//! refers to a person by id.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::Backend;
use super::error::StoreError;
use super::sql::{Arg, Row, Sql, SqlBuilder, Tx, time_field};
use crate::domain::AvsNumber;

/// The ids of the persons with these AVS numbers, adding those whose number is new (created
/// `at`): [`person_ids_since`].
pub(crate) async fn person_ids(
    tx: &mut Tx,
    numbers: &BTreeSet<AvsNumber>,
    at: DateTime<Utc>,
) -> Result<BTreeMap<AvsNumber, i64>, StoreError> {
    let numbers: BTreeMap<AvsNumber, DateTime<Utc>> = numbers.iter().map(|n| (*n, at)).collect();
    person_ids_since(tx, &numbers).await
}

/// The ids of the persons with these AVS numbers, adding those whose number is new, each
/// created at the time given with its number: one statement to find them, one to add the new
/// ones ([`insert_persons`]), however many there are.
pub(crate) async fn person_ids_since(
    tx: &mut Tx,
    numbers: &BTreeMap<AvsNumber, DateTime<Utc>>,
) -> Result<BTreeMap<AvsNumber, i64>, StoreError> {
    if numbers.is_empty() {
        return Ok(BTreeMap::new());
    }
    let backend = tx.backend();
    let (sql, args) = persons_statement(backend, numbers.keys());
    let mut ids: BTreeMap<AvsNumber, i64> = read_persons(tx.fetch_all(sql, args).await?)?
        .map(|(id, number)| (number, id))
        .collect();
    let new = person_rows(numbers.iter().filter(|(n, _)| !ids.contains_key(*n)));
    if new.is_empty() {
        return Ok(ids);
    }
    // A concurrent transaction may add the same person: the no-op update makes RETURNING give
    // the existing row's id then. (`WHERE true`: SQLite's parser needs it before `ON CONFLICT`.)
    let mut sql = insert_persons(backend, &new);
    sql.push(
        " ON CONFLICT (avs_number) DO UPDATE SET avs_number = excluded.avs_number \
         RETURNING id, avs_number",
    );
    let (sql, args) = sql.finish();
    ids.extend(read_persons(tx.fetch_all(sql, args).await?)?.map(|(id, number)| (number, id)));
    Ok(ids)
}

/// [`person_ids_since`] for numbers that are mostly new (those of a group of submissions):
/// the new persons added first (a number known already is left as it is), then every number's
/// person read; on SQLite both in one hand-over to the connection's worker thread.
pub(crate) async fn person_ids_added(
    tx: &mut Tx,
    numbers: &BTreeMap<AvsNumber, DateTime<Utc>>,
) -> Result<BTreeMap<AvsNumber, i64>, StoreError> {
    if numbers.is_empty() {
        return Ok(BTreeMap::new());
    }
    let backend = tx.backend();
    let mut add = insert_persons(backend, &person_rows(numbers.iter()));
    add.push(" ON CONFLICT (avs_number) DO NOTHING");
    let read = persons_query(backend, numbers.keys());
    let persons = tx.fetch_all_after([add], read).await?;
    Ok(read_persons(persons)?
        .map(|(id, number)| (number, id))
        .collect())
}

/// A row of [`insert_persons`]: number, time created.
type PersonRow = (String, String);

/// The rows of [`insert_persons`].
fn person_rows<'a>(
    numbers: impl Iterator<Item = (&'a AvsNumber, &'a DateTime<Utc>)>,
) -> Vec<PersonRow> {
    numbers
        .map(|(n, at)| (n.digits(), time_field(*at)))
        .collect()
}

/// The insert of the persons of `rows` (`[number, time]`), in the order of their numbers (so
/// that concurrent transactions naming the same persons lock them in the same order and
/// cannot deadlock), to be followed by its `ON CONFLICT` clause. (`WHERE true`: SQLite's
/// parser needs it before `ON CONFLICT`.)
fn insert_persons(backend: Backend, rows: &[PersonRow]) -> SqlBuilder {
    let mut sql =
        SqlBuilder::new("INSERT INTO persons (avs_number, created_at) SELECT value->>0, ");
    sql.push_row_time(backend, "value->>1")
        .push(" FROM ")
        .push_rows(backend, rows)
        .push(" WHERE true ORDER BY value->>0");
    sql
}

/// The persons with these AVS numbers.
pub(super) fn persons_statement<'a>(
    backend: Backend,
    numbers: impl IntoIterator<Item = &'a AvsNumber>,
) -> (Sql, Vec<Arg>) {
    persons_query(backend, numbers).finish()
}

fn persons_query<'a>(
    backend: Backend,
    numbers: impl IntoIterator<Item = &'a AvsNumber>,
) -> SqlBuilder {
    let rows: Vec<(String,)> = numbers.into_iter().map(|n| (n.digits(),)).collect();
    let mut sql = SqlBuilder::new(
        "SELECT id, avs_number FROM persons WHERE avs_number IN (SELECT value->>0 FROM ",
    );
    sql.push_rows(backend, &rows).push(")");
    sql
}

/// Reads rows of `id, avs_number`.
fn read_persons(rows: Vec<Row>) -> Result<impl Iterator<Item = (i64, AvsNumber)>, StoreError> {
    let mut persons = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.int("id")?;
        if let Some(number) = parse_stored(Some(row.text("avs_number")?), Some(id))? {
            persons.push((id, number));
        }
    }
    Ok(persons.into_iter())
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
    let mut sql = SqlBuilder::new("SELECT id, avs_number FROM persons WHERE ");
    sql.push_id_rows(tx.backend(), "id", ids);
    let (sql, args) = sql.finish();
    Ok(read_persons(tx.fetch_all(sql, args).await?)?.collect())
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
