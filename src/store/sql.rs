//! The thin layer that runs one SQL text on either back end: arguments, rows and transactions
//! that look the same for SQLite and PostgreSQL.
//!
//! SQL texts use `$N` placeholders, which both back ends accept. A text is either a literal
//! (`&'static str`) or made by [`SqlBuilder`], which joins literals and numbered placeholders
//! only, so no value ever becomes part of a SQL text.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sqlx::SqlitePool;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{AssertSqlSafe, Postgres, Row as _, SqlSafeStr, SqlStr, Sqlite, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use serde::Serialize;

use super::error::StoreError;
use super::{Backend, Store};

/// A SQL text with `$N` placeholders.
#[derive(Debug, Clone)]
pub(crate) enum Sql {
    Literal(&'static str),
    /// Made by [`SqlBuilder`] from literals and placeholders only.
    Built(String),
}

impl From<&'static str> for Sql {
    fn from(text: &'static str) -> Self {
        Sql::Literal(text)
    }
}

impl SqlSafeStr for Sql {
    fn into_sql_str(self) -> SqlStr {
        match self {
            Sql::Literal(text) => text.into_sql_str(),
            // Only literals and `$N` placeholders were joined (see `SqlBuilder`).
            Sql::Built(text) => AssertSqlSafe(text).into_sql_str(),
        }
    }
}

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    /// A set of ids ([`SqlBuilder::push_id_in`] makes one on PostgreSQL): a `bigint[]` there,
    /// a JSON array of arrays (`[[7],[8]]`, what `jsonb_each` reads) if bound on SQLite.
    IntList(Vec<i64>),
}

/// Times are kept to the microsecond, the precision of PostgreSQL, on both back ends; on SQLite
/// they are RFC 3339 text in UTC, whose text order is time order.
pub(crate) fn stored(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}

/// A time as a field of a row of [`SqlBuilder::push_rows`], read with
/// [`SqlBuilder::push_row_time`]: the text SQLite stores when the time is bound (sqlx binds a
/// time as RFC 3339 text with 0, 3, 6 or 9 decimals), which PostgreSQL reads with a cast.
pub(crate) fn time_field(time: DateTime<Utc>) -> String {
    stored(time).to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Int(value)
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Arg::OptInt(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Self {
        Arg::OptText(value)
    }
}

impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Self {
        Arg::OptText(value.map(str::to_string))
    }
}

impl From<DateTime<Utc>> for Arg {
    fn from(value: DateTime<Utc>) -> Self {
        Arg::Time(stored(value))
    }
}

impl From<Option<DateTime<Utc>>> for Arg {
    fn from(value: Option<DateTime<Utc>>) -> Self {
        Arg::OptTime(value.map(stored))
    }
}

/// `args![a, b, c]`: the arguments of a query, in placeholder order.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::store::sql::Arg::from($value)),*]
    };
}
pub(crate) use args;

/// Binds `$args` to `$query`; a set of ids as `$list` makes it.
macro_rules! bind_all {
    ($query:expr, $args:expr, $list:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::OptInt(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
                Arg::Time(v) => query.bind(v),
                Arg::OptTime(v) => query.bind(v),
                Arg::IntList(v) => query.bind($list(v)),
            };
        }
        query
    }};
}

fn on_sqlite(sql: Sql, args: Vec<Arg>) -> Query<'static, Sqlite, SqliteArguments> {
    bind_all!(sqlx::query::<Sqlite>(sql), args, id_rows_json)
}

fn on_postgres(sql: Sql, args: Vec<Arg>) -> Query<'static, Postgres, PgArguments> {
    bind_all!(sqlx::query::<Postgres>(sql), args, |ids: Vec<i64>| ids)
}

/// A set of ids as SQLite reads it: `[[7],[8],[9]]`.
fn id_rows_json(ids: Vec<i64>) -> String {
    let rows: Vec<(i64,)> = ids.into_iter().map(|id| (id,)).collect();
    serde_json::to_string(&rows).expect("ids serialize")
}

/// Builds a SQL text from literals and numbered placeholders, for lists and optional filters.
#[derive(Debug, Default)]
pub(crate) struct SqlBuilder {
    text: String,
    args: Vec<Arg>,
    /// Where each placeholder of `text` is, in order (start and end byte).
    placeholders: Vec<(usize, usize)>,
}

impl SqlBuilder {
    pub(crate) fn new(start: &'static str) -> Self {
        SqlBuilder {
            text: start.to_string(),
            ..SqlBuilder::default()
        }
    }

    /// Appends the statement `next` after this one (`; `), its placeholders numbered on after
    /// this one's: one text of several statements, for [`Tx::execute_all`] on SQLite.
    pub(crate) fn then(&mut self, next: SqlBuilder) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push_str("; ");
        }
        let mut copied = 0;
        for ((start, end), arg) in next.placeholders.into_iter().zip(next.args) {
            self.text.push_str(&next.text[copied..start]);
            self.push_arg(arg);
            copied = end;
        }
        self.text.push_str(&next.text[copied..]);
        self
    }

    /// Appends a literal piece of SQL.
    pub(crate) fn push(&mut self, literal: &'static str) -> &mut Self {
        self.text.push_str(literal);
        self
    }

    /// Appends a placeholder `$N` bound to `value`.
    pub(crate) fn push_arg(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        let start = self.text.len();
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self.placeholders.push((start, self.text.len()));
        self
    }

    /// Appends `$N, $M, …`, one placeholder per value (nothing for no values).
    pub(crate) fn push_list<A: Into<Arg>>(
        &mut self,
        values: impl IntoIterator<Item = A>,
    ) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.push_arg(value);
        }
        self
    }

    /// Appends a table with one row per element of `rows`, bound as ONE parameter (a JSON array
    /// of arrays; a row's fields are read as `value->>0`, `value->>1`, …, text or NULL, to be
    /// `CAST` where a number is meant): SQLite `jsonb_each($N)`, PostgreSQL
    /// `jsonb_array_elements(CAST($N AS jsonb))`. A statement over a batch is then one text
    /// whatever the batch's size, prepared once. SQLite's `jsonb_each` parses the text once and
    /// gives each row as JSONB, which `->>` reads as it is (`json_each` gave it as text, which
    /// each `->>` parsed again).
    ///
    /// A row is anything that serializes as a JSON array: a `json!([…])` value, or a tuple,
    /// which is written straight into the text without a `Value` built per field first.
    pub(crate) fn push_rows<R: Serialize>(&mut self, backend: Backend, rows: &[R]) -> &mut Self {
        let json = serde_json::to_string(rows).expect("rows of plain values serialize");
        match backend {
            Backend::Sqlite => {
                self.push("jsonb_each(").push_arg(json).push(")");
            }
            Backend::Postgres => {
                self.push("jsonb_array_elements(CAST(")
                    .push_arg(json)
                    .push(" AS jsonb))");
            }
        }
        self
    }

    /// Appends the time held by the row field `field` (e.g. `value->>8`, made by
    /// [`time_field`]) as a value of a time column: the text itself on SQLite, cast on
    /// PostgreSQL.
    pub(crate) fn push_row_time(&mut self, backend: Backend, field: &'static str) -> &mut Self {
        match backend {
            Backend::Sqlite => self.push(field),
            Backend::Postgres => self.push("CAST(").push(field).push(" AS timestamptz)"),
        }
    }

    /// Appends the condition that `column` is one of `ids`, the set bound as ONE parameter,
    /// for a statement with other conditions on the table: PostgreSQL
    /// `column = ANY(CAST($N AS bigint[]))`, which its planner drives from the column's index
    /// however selective stale statistics make the other conditions look (the set read as rows
    /// became, with statistics that knew no `sending` announcement, a join reading 5 000 ids
    /// again for every queued announcement: 2.5 s per transmission); SQLite
    /// `column IN (SELECT … FROM jsonb_each($N))`, read once.
    pub(crate) fn push_id_in(
        &mut self,
        backend: Backend,
        column: &'static str,
        ids: impl IntoIterator<Item = i64>,
    ) -> &mut Self {
        match backend {
            Backend::Sqlite => self.push_id_rows(backend, column, ids),
            Backend::Postgres => self
                .push(column)
                .push(" = ANY(CAST(")
                .push_arg(Arg::IntList(ids.into_iter().collect()))
                .push(" AS bigint[]))"),
        }
    }

    /// Appends the condition that `column` is one of `ids`, the set bound as ONE parameter and
    /// read as rows, `column IN (SELECT … )`: for a statement whose only condition on the table
    /// is the set, where the rows drive the column's index in every plan (PostgreSQL without
    /// statistics planned `= ANY` of 1 000 ids as a read of the whole table).
    pub(crate) fn push_id_rows(
        &mut self,
        backend: Backend,
        column: &'static str,
        ids: impl IntoIterator<Item = i64>,
    ) -> &mut Self {
        let rows: Vec<(i64,)> = ids.into_iter().map(|id| (id,)).collect();
        self.push(column)
            .push(" IN (SELECT CAST(value->>0 AS bigint) FROM ")
            .push_rows(backend, &rows)
            .push(")")
    }

    pub(crate) fn finish(self) -> (Sql, Vec<Arg>) {
        (Sql::Built(self.text), self.args)
    }
}

/// `statements` as one text ([`SqlBuilder::then`]).
fn joined(statements: impl IntoIterator<Item = SqlBuilder>) -> SqlBuilder {
    let mut all = SqlBuilder::default();
    for statement in statements {
        all.then(statement);
    }
    all
}

/// A row of either back end.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

macro_rules! get {
    ($row:expr, $column:expr, $ty:ty) => {
        match $row {
            Row::Sqlite(r) => r.try_get::<$ty, _>($column),
            Row::Postgres(r) => r.try_get::<$ty, _>($column),
        }
    };
}

impl Row {
    pub(crate) fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        get!(self, column, i64)
    }

    pub(crate) fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        get!(self, column, Option<i64>)
    }

    pub(crate) fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        get!(self, column, String)
    }

    /// A column of PostgreSQL's type `json` (whose binary form is its text), as text.
    pub(crate) fn json_text(&self, column: &str) -> Result<String, sqlx::Error> {
        match self {
            Row::Sqlite(r) => r.try_get::<String, _>(column),
            Row::Postgres(r) => r.try_get_unchecked::<String, _>(column),
        }
    }

    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        get!(self, column, Option<String>)
    }

    pub(crate) fn time(&self, column: &str) -> Result<DateTime<Utc>, sqlx::Error> {
        get!(self, column, DateTime<Utc>)
    }

    pub(crate) fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        get!(self, column, Option<DateTime<Utc>>)
    }
}

/// A transaction on either back end. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    /// With this process's turn to write, for a transaction that writes (see [`writer_queue`]).
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedSemaphorePermit>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn execute(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Arg>,
    ) -> Result<u64, StoreError> {
        let sql = sql.into();
        Ok(match self {
            Tx::Sqlite(tx, _) => on_sqlite(sql, args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => on_postgres(sql, args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs `statements` (each without a result) in order; the rows they changed, in all.
    /// On SQLite as one text of several statements: one hand-over to the connection's worker
    /// thread instead of one each. PostgreSQL takes one statement per prepared text: one after
    /// the other there.
    pub(crate) async fn execute_all(
        &mut self,
        statements: impl IntoIterator<Item = SqlBuilder>,
    ) -> Result<u64, StoreError> {
        if self.backend() == Backend::Sqlite {
            let all = joined(statements);
            if all.text.is_empty() {
                return Ok(0);
            }
            let (sql, args) = all.finish();
            return self.execute(sql, args).await;
        }
        let mut changed = 0;
        for statement in statements {
            let (sql, args) = statement.finish();
            changed += self.execute(sql, args).await?;
        }
        Ok(changed)
    }

    /// Runs `before` (statements without a result) as [`Tx::execute_all`] does, then `query`;
    /// the rows of `query`. On SQLite all in one hand-over.
    pub(crate) async fn fetch_all_after(
        &mut self,
        before: impl IntoIterator<Item = SqlBuilder>,
        query: SqlBuilder,
    ) -> Result<Vec<Row>, StoreError> {
        if self.backend() == Backend::Sqlite {
            let (sql, args) = joined(before.into_iter().chain([query])).finish();
            return self.fetch_all(sql, args).await;
        }
        self.execute_all(before).await?;
        let (sql, args) = query.finish();
        self.fetch_all(sql, args).await
    }

    pub(crate) async fn fetch_all(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Arg>,
    ) -> Result<Vec<Row>, StoreError> {
        let sql = sql.into();
        Ok(match self {
            Tx::Sqlite(tx, _) => on_sqlite(sql, args)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Tx::Postgres(tx) => on_postgres(sql, args)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub(crate) async fn fetch_optional(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Arg>,
    ) -> Result<Option<Row>, StoreError> {
        let sql = sql.into();
        Ok(match self {
            Tx::Sqlite(tx, _) => on_sqlite(sql, args)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Sqlite),
            Tx::Postgres(tx) => on_postgres(sql, args)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Postgres),
        })
    }

    pub(crate) async fn fetch_one(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Arg>,
    ) -> Result<Row, StoreError> {
        let sql = sql.into();
        Ok(match self {
            Tx::Sqlite(tx, _) => Row::Sqlite(on_sqlite(sql, args).fetch_one(&mut **tx).await?),
            Tx::Postgres(tx) => Row::Postgres(on_postgres(sql, args).fetch_one(&mut **tx).await?),
        })
    }

    /// Undoes everything done in the transaction.
    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx, _) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx, turn) => {
                tx.commit().await?;
                // The next writer of this process goes once this one has committed.
                drop(turn);
            }
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// How long a writer waits for its turn in [`writer_queue`] (as long as SQLite's busy timeout).
const WRITER_WAIT: Duration = Duration::from_secs(30);

/// SQLite lets one transaction write at a time. The writers of this process take their turn
/// here, first come first served, one queue per database file, before `BEGIN IMMEDIATE`: a
/// writer starts as soon as the one before commits, instead of sleeping in SQLite's busy
/// handler, which waits up to 100 ms between tries however soon the lock is free (the tail of
/// concurrent submissions). Another process on the same file still waits in the busy handler.
fn writer_queue(pool: &SqlitePool) -> Arc<Semaphore> {
    static QUEUES: OnceLock<Mutex<HashMap<PathBuf, Arc<Semaphore>>>> = OnceLock::new();
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut queues = QUEUES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(
        queues
            .entry(file)
            .or_insert_with(|| Arc::new(Semaphore::new(1))),
    )
}

/// This process's turn to write on the SQLite file of `pool` (see [`writer_queue`]), waited
/// for until `deadline`: [`StoreError::WriterBusy`] after it.
pub(crate) async fn writer_turn(
    pool: &SqlitePool,
    deadline: Instant,
) -> Result<OwnedSemaphorePermit, StoreError> {
    let busy = || StoreError::WriterBusy {
        waited_secs: WRITER_WAIT.as_secs(),
    };
    tokio::time::timeout_at(deadline, writer_queue(pool).acquire_owned())
        .await
        .map_err(|_| busy())?
        // The queues are never closed.
        .map_err(|_| busy())
}

/// The latest moment a writer starting now waits for its turn until.
pub(crate) fn writer_deadline() -> Instant {
    Instant::now() + WRITER_WAIT
}

/// Begins a SQLite transaction that writes, taking the write lock at once (`BEGIN IMMEDIATE`),
/// so that two writers queue on the busy timeout instead of failing when a read lock cannot be
/// upgraded. `turn` (this process's, see [`writer_queue`]) is given back after the commit; a
/// caller that keeps the turn itself passes `None`.
pub(crate) async fn begin_immediate(
    pool: &SqlitePool,
    turn: Option<OwnedSemaphorePermit>,
) -> Result<Tx, StoreError> {
    Ok(Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn))
}

impl Store {
    /// Begins a transaction that will write; on SQLite after this process's turn to write
    /// ([`writer_queue`]), with the write lock taken at once ([`begin_immediate`]).
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Store::Sqlite(pool) => {
                let turn = writer_turn(pool, writer_deadline()).await?;
                begin_immediate(pool, Some(turn)).await?
            }
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Begins a transaction that only reads, for a consistent view over several queries.
    pub(crate) async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin().await?, None),
            Store::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    pub(crate) async fn fetch_all(
        &self,
        sql: impl Into<Sql>,
        args: Vec<Arg>,
    ) -> Result<Vec<Row>, StoreError> {
        let sql = sql.into();
        Ok(match self {
            Store::Sqlite(pool) => on_sqlite(sql, args)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Store::Postgres(pool) => on_postgres(sql, args)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub(crate) async fn fetch_one(
        &self,
        sql: impl Into<Sql>,
        args: Vec<Arg>,
    ) -> Result<Row, StoreError> {
        let sql = sql.into();
        Ok(match self {
            Store::Sqlite(pool) => Row::Sqlite(on_sqlite(sql, args).fetch_one(pool).await?),
            Store::Postgres(pool) => Row::Postgres(on_postgres(sql, args).fetch_one(pool).await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_builder_numbers_placeholders() {
        let mut b = SqlBuilder::new("SELECT id FROM t WHERE a = ");
        b.push_arg(1_i64)
            .push(" AND b IN (")
            .push_list(["x", "y"])
            .push(")");
        let (sql, args) = b.finish();
        let Sql::Built(text) = sql else {
            panic!("built")
        };
        assert_eq!(text, "SELECT id FROM t WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(args.len(), 3);
    }

    #[test]
    fn a_set_of_ids_is_one_parameter_on_both_back_ends() {
        let texts = [Backend::Sqlite, Backend::Postgres].map(|backend| {
            let mut b = SqlBuilder::new("SELECT id FROM t WHERE a = ");
            b.push_arg(1_i64)
                .push(" AND ")
                .push_id_in(backend, "id", [7, 8, 9]);
            let (Sql::Built(text), args) = b.finish() else {
                panic!("built")
            };
            assert_eq!(args.len(), 2, "one parameter for the whole set");
            // The set as SQLite reads it, whichever way it is bound.
            let bound = match &args[1] {
                Arg::IntList(ids) => id_rows_json(ids.clone()),
                Arg::Text(json) => json.clone(),
                other => panic!("the set as one argument, not {other:?}"),
            };
            assert_eq!(bound, "[[7],[8],[9]]");
            text
        });
        assert_eq!(
            texts[0],
            "SELECT id FROM t WHERE a = $1 AND id IN \
             (SELECT CAST(value->>0 AS bigint) FROM jsonb_each($2))"
        );
        assert_eq!(
            texts[1],
            "SELECT id FROM t WHERE a = $1 AND id = ANY(CAST($2 AS bigint[]))"
        );
        let rows = [Backend::Sqlite, Backend::Postgres].map(|backend| {
            let mut b = SqlBuilder::new("SELECT id FROM t WHERE ");
            b.push_id_rows(backend, "id", [7, 8]);
            let (Sql::Built(text), args) = b.finish() else {
                panic!("built")
            };
            assert!(matches!(&args[..], [Arg::Text(json)] if json == "[[7],[8]]"));
            text
        });
        assert_eq!(
            rows,
            [
                "SELECT id FROM t WHERE id IN \
                 (SELECT CAST(value->>0 AS bigint) FROM jsonb_each($1))",
                "SELECT id FROM t WHERE id IN \
                 (SELECT CAST(value->>0 AS bigint) FROM jsonb_array_elements(CAST($1 AS jsonb)))"
            ]
        );
    }

    #[test]
    fn rows_as_tuples_are_bound_as_the_same_text_as_json_values() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let quoted = "a \"cause\" \\ with\nlines";
        type TupleRow<'a> = (i64, &'a str, Option<&'a str>, Option<i64>, String);
        let tuples: Vec<TupleRow> = vec![
            (7, quoted, None, Some(3), time_field(at)),
            (-8, "", Some("x"), None, time_field(at)),
        ];
        let values: Vec<Value> = vec![
            json!([7, quoted, null, 3, time_field(at)]),
            json!([-8, "", "x", null, time_field(at)]),
        ];
        let bound = |rows: SqlBuilder| {
            let (_, args) = rows.finish();
            match &args[..] {
                [Arg::Text(json)] => json.clone(),
                other => panic!("one text argument, not {other:?}"),
            }
        };
        let mut from_tuples = SqlBuilder::default();
        from_tuples.push_rows(Backend::Sqlite, &tuples);
        let mut from_values = SqlBuilder::default();
        from_values.push_rows(Backend::Sqlite, &values);
        let text = bound(from_tuples);
        assert_eq!(text, bound(from_values));
        assert_eq!(
            text,
            "[[7,\"a \\\"cause\\\" \\\\ with\\nlines\",null,3,\"2026-11-23T10:00:00.123456+00:00\"],\
             [-8,\"\",\"x\",null,\"2026-11-23T10:00:00.123456+00:00\"]]"
        );
    }

    #[test]
    fn times_are_kept_to_the_microsecond() {
        let t = DateTime::parse_from_rfc3339("2026-11-23T10:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let Arg::Time(stored) = Arg::from(t) else {
            panic!("a time")
        };
        assert_eq!(stored.to_rfc3339(), "2026-11-23T10:00:00.123456+00:00");
    }

    #[test]
    fn statements_joined_number_their_placeholders_on() {
        let mut first = SqlBuilder::new("INSERT INTO t (a, b) VALUES (");
        first.push_arg(1).push(", ").push_arg("x").push(")");
        let mut second = SqlBuilder::new("UPDATE t SET b = ");
        second.push_arg("y").push(" WHERE a = ").push_arg(2);
        first.then(second);
        let (Sql::Built(text), args) = first.finish() else {
            panic!("built")
        };
        assert_eq!(
            text,
            "INSERT INTO t (a, b) VALUES ($1, $2); UPDATE t SET b = $3 WHERE a = $4"
        );
        let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
        assert_eq!(args, ["Int(1)", "Text(\"x\")", "Text(\"y\")", "Int(2)"]);
    }

    /// On SQLite, statements run as one text: every one of them runs, with its own arguments.
    #[tokio::test]
    async fn statements_run_together_each_with_its_arguments() {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (a INTEGER, b TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        let mut tx = Tx::Sqlite(pool.begin().await.unwrap(), None);
        let statements = (1..=3).map(|a| {
            let mut sql = SqlBuilder::new("INSERT INTO t (a, b) VALUES (");
            sql.push_arg(a)
                .push(", ")
                .push_arg(format!("row {a}"))
                .push(")");
            sql
        });
        assert_eq!(tx.execute_all(statements).await.unwrap(), 3);
        assert_eq!(tx.execute_all([]).await.unwrap(), 0, "nothing to run");
        let mut query = SqlBuilder::new("SELECT a, b FROM t WHERE a >= ");
        query.push_arg(2);
        let mut before = SqlBuilder::new("DELETE FROM t WHERE a = ");
        before.push_arg(3);
        let read = tx.fetch_all_after([before], query).await.unwrap();
        assert_eq!(
            read.len(),
            1,
            "the rows of the query, after the statement before"
        );
        assert_eq!(read[0].int("a").unwrap(), 2);
        tx.commit().await.unwrap();
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT a, b FROM t ORDER BY a")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(rows, [(1, "row 1".into()), (2, "row 2".into())]);
    }

    /// A time written as a row field is stored as the same text as the time bound: equal,
    /// and ordered as times, whatever its fraction of a second.
    #[tokio::test]
    async fn a_time_in_a_row_is_stored_as_the_time_bound() {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        for text in [
            "2026-11-23T10:00:00Z",
            "2026-11-23T10:00:00.120Z",
            "2026-11-23T10:00:00.123456789Z",
        ] {
            let t = DateTime::parse_from_rfc3339(text).unwrap().to_utc();
            let mut sql = SqlBuilder::new("SELECT ");
            sql.push_arg(t)
                .push(" AS bound, ")
                .push_row_time(Backend::Sqlite, "value->>0")
                .push(" AS field FROM ")
                .push_rows(Backend::Sqlite, &[json!([time_field(t)])]);
            let (sql, args) = sql.finish();
            let row = on_sqlite(sql, args).fetch_one(&pool).await.unwrap();
            let bound: String = row.get("bound");
            let field: String = row.get("field");
            assert_eq!(bound, field, "{text}");
        }
    }
}
