//! The ZAS's closing-and-transmission orders (N. 2707–2713) as work items: stored once by
//! message id, read by the fund's system a page at a time, reported done, and reminded once
//! when the ten days of N. 2713 have passed.
//!
//! Security baseline (draft art. 3): the order's AVS number goes to `persons`; the order refers
//! to the person by id. The XML is not kept, only its SHA-256.

use chrono::{DateTime, NaiveDate, Utc};

use super::Store;
use super::alerts::RaisedReminders;
use super::dashboard::{Limited, Scope};
use super::error::StoreError;
use super::persons::parse_stored;
use super::redact::redact;
use super::reminders::date_text;
use super::sql::{Row, SqlBuilder, args};
use super::zas_messages::{Arrival, FundFeed, MessageIntake};
use crate::domain::closing_order::transmission_due;
use crate::domain::{AvsNumber, ClosingOrder};
use crate::domain::{
    ClosingMonth, ClosingOrderState, Domicile, DomicileInstruction, Environment, FundNumber,
    KeyCode, MessageId, RciKey,
};

/// A stored closing order, as the fund's system and the operators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredClosingOrder {
    pub id: i64,
    pub environment: Environment,
    pub message_id: MessageId,
    pub message_date: DateTime<Utc>,
    /// The mandated fund (N. 2707).
    pub fund: FundNumber,
    pub ordering_fund: FundNumber,
    pub avs_number: AvsNumber,
    pub key: RciKey,
    pub closing: ClosingMonth,
    pub order_date: NaiveDate,
    pub domicile: DomicileInstruction,
    pub received_at: DateTime<Utc>,
    /// The last day to transmit (N. 2713).
    pub due_on: NaiveDate,
    pub state: ClosingOrderState,
    pub state_since: DateTime<Utc>,
    /// The day the fund's system reported the CI transmitted (state `done`).
    pub sent_on: Option<NaiveDate>,
    /// Why the fund will not transmit a CI for it (state `cancelled`).
    pub cancel_reason: Option<String>,
    /// When the deadline scan found it overdue and raised its reminder.
    pub reminded_at: Option<DateTime<Utc>>,
}

/// How an open closing order ends (N. 2713).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// The CI was transmitted to the ordering fund on that day.
    Done(NaiveDate),
    /// The fund will not transmit a CI for the order, for this reason (it keeps no CI of the
    /// person, the order came to it in error, …).
    Cancelled(String),
}

/// What became of a settlement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettleReport {
    /// The order was open and is now settled.
    Recorded,
    /// It was settled the same way before: nothing changed.
    Repeated,
    /// It was settled otherwise before (another day, or the other way): nothing changed.
    SettledBefore(Settlement),
}

/// A reminder raised by [`Store::raise_closing_order_reminders`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaisedOrderReminder {
    pub closing_order_id: i64,
    pub fund: FundNumber,
    pub due_on: NaiveDate,
}

const SELECT_ORDER: &str = "SELECT c.id, c.environment, c.message_id, c.message_date, c.fund, \
     c.ordering_fund, p.avs_number, c.person_id, c.key_code, c.closing_month, c.order_date, \
     c.domicile_code, c.domicile_from, c.domicile_to, c.received_at, c.due_on, c.state, \
     c.state_since, c.sent_on, c.cancel_reason, r.raised_at AS reminded_at \
     FROM closing_orders c JOIN persons p ON p.id = c.person_id \
     LEFT JOIN closing_order_reminders r ON r.closing_order_id = c.id";

impl Store {
    /// Takes in a closing order received at `received_at` in `environment`, in one
    /// transaction: its AVS number to `persons`, the order with its due date (N. 2713:
    /// [`transmission_due`] of the Geneva day of `received_at`), and, for an order read from
    /// the feed, cursor `feed.0` advanced to `feed.1`. An order whose message id was taken in
    /// before changes nothing but the cursor (`new: false`).
    pub async fn take_in_closing_order(
        &self,
        environment: Environment,
        feed: Option<(&str, i64)>,
        order: &ClosingOrder,
        xml_sha256: &str,
        received_at: DateTime<Utc>,
    ) -> Result<MessageIntake, StoreError> {
        let received_on = received_at
            .with_timezone(&chrono_tz::Europe::Zurich)
            .date_naive();
        let (domicile_from, domicile_to) = match order.domicile.domicile() {
            Domicile::InSwitzerland { from, to } => (Some(date_text(from)), Some(date_text(to))),
            Domicile::NotInSwitzerland | Domicile::Convention => (None, None),
        };
        let arrival = Arrival {
            environment,
            feed,
            xml_sha256,
            received_at,
        };
        self.take_in_once(
            arrival,
            (&order.header, order.fund),
            &[order.avs_number],
            (
                "closing_orders",
                "ordering_fund, person_id, key_code, closing_month, order_date, domicile_code, \
                 domicile_from, domicile_to, due_on, state, state_since",
            ),
            |persons| {
                args![
                    order.ordering_fund.to_string(),
                    persons[&order.avs_number],
                    i64::from(order.key.code()),
                    order.closing.to_string(),
                    date_text(order.order_date),
                    i64::from(order.domicile.code()),
                    domicile_from,
                    domicile_to,
                    date_text(transmission_due(received_on)),
                    ClosingOrderState::Open.as_str(),
                    received_at
                ]
            },
        )
        .await
    }

    /// One closing order.
    pub async fn closing_order(&self, id: i64) -> Result<StoredClosingOrder, StoreError> {
        let mut sql = SqlBuilder::new(SELECT_ORDER);
        sql.push(" WHERE c.id = ").push_arg(id);
        let (sql, args) = sql.finish();
        let rows = self.fetch_all(sql, args).await?;
        match rows.first() {
            Some(row) => decode(row),
            None => Err(StoreError::NotFound {
                what: "closing order",
                id,
            }),
        }
    }

    /// The open closing orders in `scope` for the operators' dashboard, the earliest due date
    /// first (so the overdue ones lead), at most [`super::MAX_PAGE`], and whether there are more.
    pub async fn open_closing_orders_of(
        &self,
        scope: Scope<'_>,
    ) -> Result<Limited<StoredClosingOrder>, StoreError> {
        if scope.funds.is_empty() {
            return Ok(Limited {
                items: Vec::new(),
                more: false,
            });
        }
        let mut sql = SqlBuilder::new(SELECT_ORDER);
        sql.push(" WHERE c.state = 'open' AND c.fund IN (")
            .push_list(scope.funds.iter().map(ToString::to_string))
            .push(")");
        if let Some(environment) = scope.environment {
            sql.push(" AND c.environment = ")
                .push_arg(environment.as_str());
        }
        let rows = self.read_limited(sql, " ORDER BY c.due_on, c.id").await?;
        let mut items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() > super::MAX_PAGE as usize;
        items.truncate(super::MAX_PAGE as usize);
        Ok(Limited { items, more })
    }

    /// Settles the open order `id` at `at`: done (its CI transmitted on a day) or cancelled
    /// (with the fund's reason, masked). The same settlement again changes nothing
    /// ([`SettleReport::Repeated`]); another one, for an order settled before, changes nothing
    /// and says how it was settled.
    pub async fn settle_closing_order(
        &self,
        id: i64,
        settlement: &Settlement,
        at: DateTime<Utc>,
    ) -> Result<SettleReport, StoreError> {
        let mut tx = self.begin_write().await?;
        let (state, sent_on, reason) = match settlement {
            Settlement::Done(day) => ("done", Some(date_text(*day)), None),
            Settlement::Cancelled(reason) => ("cancelled", None, Some(redact(reason).into_owned())),
        };
        let changed = tx
            .execute(
                "UPDATE closing_orders SET state = $2, sent_on = $3, cancel_reason = $4, \
                 state_since = $5 WHERE id = $1 AND state = 'open'",
                args![id, state, sent_on, reason.clone(), at],
            )
            .await?;
        let report = if changed == 1 {
            SettleReport::Recorded
        } else {
            let row = tx
                .fetch_optional(
                    "SELECT state, sent_on, cancel_reason FROM closing_orders WHERE id = $1",
                    args![id],
                )
                .await?
                .ok_or(StoreError::NotFound {
                    what: "closing order",
                    id,
                })?;
            let before = settlement_of(&row, id)?
                .ok_or(StoreError::corrupt("state of the closing order", id))?;
            let asked = match settlement {
                Settlement::Done(day) => Settlement::Done(*day),
                Settlement::Cancelled(_) => Settlement::Cancelled(reason.unwrap_or_default()),
            };
            if before == asked {
                SettleReport::Repeated
            } else {
                SettleReport::SettledBefore(before)
            }
        };
        tx.commit().await?;
        Ok(report)
    }

    /// Raises the reminder of every open PROD closing order whose ten days (N. 2713) ended
    /// before `today` (its due date is before `today`), at `at`: exactly once per order, whatever
    /// scans and instances run (the reminder's primary key decides), each with its alert in the
    /// same transaction (the outbox of `alerts.rs`). Returns those raised by this call. ABN orders are test data of the acceptance environment: no reminder, as for
    /// the N. 3401 deadlines.
    pub async fn raise_closing_order_reminders(
        &self,
        today: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<Vec<RaisedOrderReminder>, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = tx
            .fetch_all(
                "INSERT INTO closing_order_reminders (closing_order_id, due_on, raised_at) \
                 SELECT c.id, c.due_on, $2 FROM closing_orders c \
                 WHERE c.state = 'open' AND c.due_on < $1 AND c.environment = $3 \
                 AND NOT EXISTS (SELECT 1 FROM closing_order_reminders r \
                 WHERE r.closing_order_id = c.id) \
                 ON CONFLICT (closing_order_id) DO NOTHING \
                 RETURNING closing_order_id, due_on",
                args![date_text(today), at, Environment::Prod.as_str()],
            )
            .await?;
        let mut due = std::collections::BTreeMap::new();
        for row in rows {
            let id = row.int("closing_order_id")?;
            due.insert(
                id,
                parse_date(&row.text("due_on")?, "due date of the closing order", id)?,
            );
        }
        let ids: Vec<i64> = due.keys().copied().collect();
        super::alerts::record_for_reminders(&mut tx, RaisedReminders::ClosingOrders, &ids, at)
            .await?;
        let mut raised = Vec::with_capacity(due.len());
        if !due.is_empty() {
            let mut sql = SqlBuilder::new("SELECT id, fund FROM closing_orders WHERE ");
            sql.push_id_rows(tx.backend(), "id", due.keys().copied())
                .push(" ORDER BY id");
            let (sql, args) = sql.finish();
            for row in tx.fetch_all(sql, args).await? {
                let id = row.int("id")?;
                raised.push(RaisedOrderReminder {
                    closing_order_id: id,
                    fund: FundNumber::parse(&row.text("fund")?)
                        .map_err(|_| StoreError::corrupt("fund of the closing order", id))?,
                    due_on: due[&id],
                });
            }
        }
        tx.commit().await?;
        Ok(raised)
    }

    /// The open closing orders whose reminder is raised: overdue, not yet reported done.
    pub async fn overdue_closing_orders(&self) -> Result<i64, StoreError> {
        let rows = self
            .fetch_all(
                "SELECT COUNT(*) AS overdue FROM closing_orders c \
                 JOIN closing_order_reminders r ON r.closing_order_id = c.id \
                 WHERE c.state = 'open'",
                args![],
            )
            .await?;
        match rows.first() {
            Some(row) => Ok(row.int("overdue")?),
            None => Ok(0),
        }
    }
}

fn parse_date(text: &str, what: &'static str, id: i64) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::corrupt(what, id))
}

/// The fund's system reads its funds' closing orders with a cursor (`GET /api/v1/orders`).
impl FundFeed for StoredClosingOrder {
    const SELECT: &'static str = SELECT_ORDER;

    fn decode(row: &Row) -> Result<Self, StoreError> {
        decode(row)
    }

    fn id(&self) -> i64 {
        self.id
    }
}

/// How the order of `row` (with `state`, `sent_on`, `cancel_reason`) was settled; `None` while
/// it is open.
fn settlement_of(row: &Row, id: i64) -> Result<Option<Settlement>, StoreError> {
    let state = ClosingOrderState::parse(&row.text("state")?)
        .map_err(|_| StoreError::corrupt("state of the closing order", id))?;
    Ok(match state {
        ClosingOrderState::Open => None,
        ClosingOrderState::Done => Some(Settlement::Done(parse_date(
            &row.opt_text("sent_on")?.unwrap_or_default(),
            "sent_on of the closing order",
            id,
        )?)),
        ClosingOrderState::Cancelled => Some(Settlement::Cancelled(
            row.opt_text("cancel_reason")?.unwrap_or_default(),
        )),
    })
}

fn decode(row: &Row) -> Result<StoredClosingOrder, StoreError> {
    let id = row.int("id")?;
    let corrupt = |what| StoreError::corrupt(what, id);
    let date = |column: &str, what| parse_date(&row.text(column)?, what, id);
    let domicile = match row.int("domicile_code")? {
        1 => Domicile::InSwitzerland {
            from: parse_date(
                &row.opt_text("domicile_from")?.unwrap_or_default(),
                "domicile period",
                id,
            )?,
            to: parse_date(
                &row.opt_text("domicile_to")?.unwrap_or_default(),
                "domicile period",
                id,
            )?,
        },
        2 => Domicile::NotInSwitzerland,
        3 => Domicile::Convention,
        _ => return Err(corrupt("domicile code")),
    };
    let closing = row.text("closing_month")?;
    let closing = closing
        .split_once('-')
        .and_then(|(y, m)| ClosingMonth::new(y.parse().ok()?, m.parse().ok()?))
        .ok_or_else(|| corrupt("closing month"))?;
    Ok(StoredClosingOrder {
        id,
        environment: row
            .text("environment")?
            .parse()
            .map_err(|_| corrupt("environment"))?,
        message_id: MessageId::new(&row.text("message_id")?).map_err(|_| corrupt("message id"))?,
        message_date: row.time("message_date")?,
        fund: FundNumber::parse(&row.text("fund")?).map_err(|_| corrupt("fund"))?,
        ordering_fund: FundNumber::parse(&row.text("ordering_fund")?)
            .map_err(|_| corrupt("ordering fund"))?,
        avs_number: parse_stored(Some(row.text("avs_number")?), Some(row.int("person_id")?))?
            .ok_or_else(|| corrupt("person"))?,
        key: KeyCode::from_register(row.int("key_code")?)
            .ok()
            .and_then(|k| RciKey::new(k).ok())
            .ok_or_else(|| corrupt("key code"))?,
        closing,
        order_date: date("order_date", "order date")?,
        domicile: DomicileInstruction::new(domicile).map_err(|_| corrupt("domicile period"))?,
        received_at: row.time("received_at")?,
        due_on: date("due_on", "due date")?,
        state: ClosingOrderState::parse(&row.text("state")?).map_err(|_| corrupt("state"))?,
        state_since: row.time("state_since")?,
        sent_on: row
            .opt_text("sent_on")?
            .map(|d| parse_date(&d, "sent_on", id))
            .transpose()?,
        cancel_reason: row.opt_text("cancel_reason")?,
        reminded_at: row.opt_time("reminded_at")?,
    })
}
