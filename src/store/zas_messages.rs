//! What the ZAS's messages of their own have in common in the store (closing orders, CI
//! complements, splitting notices): each is taken in once by its message id, in one
//! transaction with its persons and the feed's cursor, and the fund's system reads those of
//! its funds a page at a time with the last id as its cursor.
//!
//! Security baseline (draft art. 3): their AVS numbers go to `persons`; their rows refer to the
//! persons by id. The XML is not kept, only its SHA-256.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::Store;
use super::acknowledgements::advance;
use super::announcements::Page;
use super::error::StoreError;
use super::persons::person_ids;
use super::sql::{Arg, Row, SqlBuilder, args};
use crate::domain::{AvsNumber, Environment, FundNumber, MessageHeader, MessageId};

/// What taking in a message of the ZAS did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageIntake {
    /// The stored message's id.
    pub id: i64,
    /// `false` when a message with the same message id was taken in before (nothing changed).
    pub new: bool,
}

/// How a message of the ZAS arrived.
#[derive(Clone, Copy, Debug)]
pub struct Arrival<'a> {
    pub environment: Environment,
    /// Read from the feed: its cursor and the message's sequence (the cursor is advanced in
    /// the same transaction); `None` from the inbox.
    pub feed: Option<(&'a str, i64)>,
    /// The SHA-256 of the message's XML, kept instead of the XML.
    pub xml_sha256: &'a str,
    pub received_at: DateTime<Utc>,
}

/// Where and when a stored message of the ZAS came, as the fund's system sees it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub environment: Environment,
    /// The ZAS's message id: the message's identity.
    pub message_id: MessageId,
    pub message_date: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

impl Received {
    pub(super) fn decode(row: &Row, id: i64) -> Result<Self, StoreError> {
        let corrupt = |what| StoreError::corrupt(what, id);
        Ok(Received {
            environment: row
                .text("environment")?
                .parse()
                .map_err(|_| corrupt("environment"))?,
            message_id: MessageId::new(&row.text("message_id")?)
                .map_err(|_| corrupt("message id"))?,
            message_date: row.time("message_date")?,
            received_at: row.time("received_at")?,
        })
    }
}

/// A kind of the ZAS's messages the fund's system reads in a feed of its funds.
pub(crate) trait FundFeed: Sized {
    /// The stored items, with at least the columns `id`, `environment` and `fund`.
    const SELECT: &'static str;
    fn decode(row: &Row) -> Result<Self, StoreError>;
    /// The item's id: the feed's cursor.
    fn id(&self) -> i64;
}

impl Store {
    /// Takes in a message of the ZAS (`header`, for `fund`) in one transaction: the persons of
    /// `numbers` (added when new; they exist already when the message is a repeat), a row of
    /// `table` with the columns of `arrival` and `columns` (their values: `values` of the
    /// persons' ids), and,
    /// for a message read from the feed, its cursor advanced. A message whose id is in `table`
    /// already changes nothing but the cursor (`new: false`); a concurrent intake of the same
    /// message waits at the insert for the first to finish.
    pub(super) async fn take_in_once(
        &self,
        arrival: Arrival<'_>,
        (header, fund): (&MessageHeader, FundNumber),
        numbers: &[AvsNumber],
        (table, columns): (&'static str, &'static str),
        values: impl FnOnce(&BTreeMap<AvsNumber, i64>) -> Vec<Arg>,
    ) -> Result<MessageIntake, StoreError> {
        let mut tx = self.begin_write().await?;
        let wanted: BTreeSet<AvsNumber> = numbers.iter().copied().collect();
        let persons = person_ids(&mut tx, &wanted, arrival.received_at).await?;
        if !wanted.iter().all(|n| persons.contains_key(n)) {
            return Err(StoreError::NotFound {
                what: "person of a message of the ZAS",
                id: 0,
            });
        }
        let message_id = header.message_id.as_str();
        let mut sql = SqlBuilder::new("INSERT INTO ");
        sql.push(table)
            .push(
                " (environment, message_id, sequence, fund, message_date, xml_sha256, \
                 received_at, ",
            )
            .push(columns)
            .push(") VALUES (")
            .push_list(
                args![
                    arrival.environment.as_str(),
                    message_id,
                    arrival.feed.map(|(_, sequence)| sequence),
                    fund.to_string(),
                    header.message_date,
                    arrival.xml_sha256,
                    arrival.received_at
                ]
                .into_iter()
                .chain(values(&persons)),
            )
            .push(") ON CONFLICT (message_id) DO NOTHING RETURNING id");
        let (sql, args) = sql.finish();
        let intake = match tx.fetch_optional(sql, args).await? {
            Some(row) => MessageIntake {
                id: row.int("id")?,
                new: true,
            },
            None => {
                let mut sql = SqlBuilder::new("SELECT id FROM ");
                sql.push(table)
                    .push(" WHERE message_id = ")
                    .push_arg(message_id);
                let (sql, args) = sql.finish();
                MessageIntake {
                    id: tx.fetch_one(sql, args).await?.int("id")?,
                    new: false,
                }
            }
        };
        if let Some((cursor, sequence)) = arrival.feed {
            advance(&mut tx, cursor, sequence).await?;
        }
        tx.commit().await?;
        Ok(intake)
    }

    /// The items of kind `T` of `funds` in `environment` with an id above `after`, oldest
    /// first, at most `limit` (1–1000): the fund's system reads them with the last id as its
    /// cursor.
    pub(crate) async fn fund_feed<T: FundFeed>(
        &self,
        environment: Environment,
        funds: &[FundNumber],
        after: Option<i64>,
        limit: u32,
    ) -> Result<Page<T>, StoreError> {
        if funds.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_after: None,
            });
        }
        let limit = limit.clamp(1, 1000);
        let mut sql = SqlBuilder::new("SELECT * FROM (");
        sql.push(T::SELECT)
            .push(") n WHERE n.environment = ")
            .push_arg(environment.as_str())
            .push(" AND n.fund IN (")
            .push_list(funds.iter().map(ToString::to_string))
            .push(") AND n.id > ")
            .push_arg(after.unwrap_or(0))
            .push(" ORDER BY n.id LIMIT ")
            .push_arg(i64::from(limit) + 1);
        let (sql, args) = sql.finish();
        let rows = self.fetch_all(sql, args).await?;
        let mut items = rows.iter().map(T::decode).collect::<Result<Vec<_>, _>>()?;
        let next_after = if rows.len() > limit as usize {
            items.truncate(limit as usize);
            let last = rows.get(limit as usize - 1).map(|r| r.int("id"));
            last.transpose()?
        } else {
            None
        };
        Ok(Page { items, next_after })
    }
}
