//! Closing-and-transmission orders of the ZAS (N. 2707–2713) on both back ends (see
//! `support::db`), with the manual clock: taken in from the feed and from the sedex inbox, once
//! per message id; hostile ones kept and skipped; the due date of N. 2713 (ten calendar days,
//! across a month end and holidays); the reminder of an overdue order exactly once, none for an
//! order done in time; the fund API's cursor and its report of an order done.

use std::sync::Arc;

use arcgw::clock::{Clock, ManualClock};
use arcgw::domain::{
    ClosingMonth, ClosingOrder, ClosingOrderState, Domicile, DomicileInstruction, FundNumber,
    KeyCode, MessageHeader, MessageId, ParticipantId, RciKey,
};
use arcgw::dtxml::write_closing_order;
use arcgw::store::{Settlement, Store};
use arcgw::transport::sedex::{PLACEHOLDER_ACKNOWLEDGEMENT_TYPE, PLACEHOLDER_CLOSING_ORDER_TYPE};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support;
use crate::support::db::{TestDb, avs, count};
use crate::support::flow::{day, geneva};
use crate::support::zas::{
    FundApi, assert_pages, engine_on, engine_on_sedex, place, take_in_at_once,
};

/// An order for `fund` about the person of serial `person`, domicile code 1.
fn order(message_id: &str, fund: &str, person: u64) -> ClosingOrder {
    ClosingOrder {
        header: MessageHeader {
            sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
            recipient_id: ParticipantId::new("T7-066000-1").unwrap(),
            message_id: MessageId::new(message_id).unwrap(),
            reference_message_id: None,
            message_date: geneva(2026, 12, 23, 6, 0),
            test_delivery: false,
        },
        fund: FundNumber::parse(fund).unwrap(),
        ordering_fund: FundNumber::parse("001.000").unwrap(),
        avs_number: avs(person),
        key: RciKey::new(KeyCode::new(81).unwrap()).unwrap(),
        closing: ClosingMonth::new(2026, 11).unwrap(),
        order_date: day(2026, 12, 20),
        domicile: DomicileInstruction::new(Domicile::InSwitzerland {
            from: day(1990, 1, 1),
            to: day(2026, 11, 30),
        })
        .unwrap(),
    }
}

fn xml(o: &ClosingOrder) -> String {
    write_closing_order(o).unwrap()
}

async fn orders(store: &Store) -> i64 {
    count(store, "SELECT COUNT(*) FROM closing_orders").await
}

async fn reminders(store: &Store) -> i64 {
    count(store, "SELECT COUNT(*) FROM closing_order_reminders").await
}

// ---------------------------------------------------------------------------------------------
// The due date and the reminder

/// Received on Thursday 24 December 2026 in Geneva: the ten calendar days of N. 2713 run over
/// Christmas, the Restoration of the Republic (31 December), the year's and the month's end and
/// New Year, all counted, and end on Sunday 3 January 2027, which is not moved to a working
/// day. No reminder on the 3rd; one from midnight on the 4th, once, however often and on however
/// many instances the scan runs.
async fn ten_calendar_days_across_a_month_end_and_holidays(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2026, 12, 24, 9, 30)));
    let engine = engine_on(store, &clock, &[xml(&order("order-1", "066.000", 1))]);
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 1);
    let stored = store.closing_order(1).await.unwrap();
    assert_eq!(stored.due_on, day(2027, 1, 3));
    assert_eq!(stored.state, ClosingOrderState::Open);
    assert_eq!(stored.avs_number, avs(1));
    assert_eq!(stored.received_at, clock.now());

    clock.set(geneva(2027, 1, 3, 23, 59));
    assert!(engine.scan_closing_orders().await.unwrap().is_empty());
    assert_eq!(reminders(store).await, 0, "not on the last day");

    clock.set(geneva(2027, 1, 4, 0, 0));
    let raised = engine.scan_closing_orders().await.unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].closing_order_id, 1);
    assert_eq!(raised[0].due_on, day(2027, 1, 3));
    assert_eq!(store.overdue_closing_orders().await.unwrap(), 1);
    let second = support::engine::engine_with(
        db.another_store().await,
        clock.clone(),
        support::zas::feed(&[]),
    );
    for _ in 0..3 {
        clock.advance(chrono::TimeDelta::hours(7));
        assert!(engine.scan_closing_orders().await.unwrap().is_empty());
        assert!(second.scan_closing_orders().await.unwrap().is_empty());
        assert!(engine.scan_deadlines_this_tick().await.unwrap().is_some());
    }
    assert_eq!(reminders(store).await, 1);
    assert_eq!(
        store.closing_order(1).await.unwrap().reminded_at,
        Some(geneva(2027, 1, 4, 0, 0))
    );
    // Its alert, written with the reminder, once; delivered by webhook and e-mail.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM alerts WHERE kind = 'closing_order_overdue' AND closing_order_id = 1"
        )
        .await,
        1
    );
    let (receiver, url) = support::webhook::Receiver::start(0).await;
    let smtp = support::smtp::SmtpServer::start().await;
    let job = arcgw::alerts::AlertJob::new(
        store.clone(),
        clock.clone(),
        support::webhook::alerts_config(&url, smtp.address.port(), 3),
    )
    .unwrap();
    assert_eq!(
        job.deliver_due().await.unwrap().delivered,
        3,
        "log, webhook, e-mail"
    );
    let hooks = receiver.accepted();
    assert_eq!(hooks.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&hooks[0].body).unwrap();
    assert_eq!(body["kind"], "closing_order_overdue");
    assert_eq!(body["closing_order_id"], 1);
    assert_eq!(body["fund"], "066.000");
    assert_eq!(body["due"], "2027-01-03");
    // Shaped like an AVS number, not merely "756": a random alert id holds that often.
    assert!(
        !arcgw::domain::avs_mask::contains_avs_number(&body.to_string()),
        "no AVS number: {body}"
    );
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].data.contains("N. 2713"), "{}", mails[0].data);

    // Reported done late: no longer counted overdue; the reminder stays as the lapse's record.
    store
        .settle_closing_order(1, &Settlement::Done(day(2027, 1, 4)), clock.now())
        .await
        .unwrap();
    assert_eq!(store.overdue_closing_orders().await.unwrap(), 0);
    assert_eq!(reminders(store).await, 1);
}

/// Received at 00:30 on 1 February in Geneva, still 31 January in UTC: the Geneva day counts.
async fn the_geneva_day_of_receipt_counts(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 2, 1, 0, 30)));
    let engine = engine_on(store, &clock, &[xml(&order("order-feb", "066.000", 2))]);
    engine.take_in_acknowledgements().await.unwrap();
    assert_eq!(
        store.closing_order(1).await.unwrap().due_on,
        day(2027, 2, 11)
    );
}

/// Reported done before its due date: no scan after it raises anything.
async fn done_before_the_due_date_raises_nothing(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let engine = engine_on(store, &clock, &[xml(&order("order-2", "066.000", 3))]);
    engine.take_in_acknowledgements().await.unwrap();
    clock.set(geneva(2027, 2, 1, 10, 0));
    store
        .settle_closing_order(1, &Settlement::Done(day(2027, 2, 1)), clock.now())
        .await
        .unwrap();
    for days in [5, 30, 400] {
        clock.set(geneva(2027, 2, 1, 10, 0) + chrono::TimeDelta::days(days));
        assert!(engine.scan_closing_orders().await.unwrap().is_empty());
    }
    assert_eq!(reminders(store).await, 0);
    assert_eq!(store.overdue_closing_orders().await.unwrap(), 0);
}

/// An ABN order is test data of the acceptance environment: no reminder (as for N. 3401).
async fn an_abn_order_is_never_reminded(db: TestDb) {
    let store = &db.store;
    let received = geneva(2027, 1, 25, 8, 0);
    store
        .take_in_closing_order(
            arcgw::domain::Environment::Abn,
            None,
            &order("order-abn", "066.000", 4),
            "sha",
            received,
        )
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(received + chrono::TimeDelta::days(30)));
    let engine = engine_on(store, &clock, &[]);
    assert!(engine.scan_closing_orders().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Intake

/// The same order twice in the feed (and once more later): stored once, its person once, the
/// cursor past both; nothing of the first changes.
async fn a_repeated_message_changes_nothing(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let same = xml(&order("order-3", "066.000", 5));
    let engine = engine_on(store, &clock, &[same.clone(), same.clone()]);
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 2);
    let first = store.closing_order(1).await.unwrap();
    assert_eq!(orders(store).await, 1);
    assert_eq!(count(store, "SELECT COUNT(*) FROM persons").await, 1);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 2);

    clock.set(geneva(2027, 1, 27, 8, 0));
    let later = store
        .take_in_closing_order(
            arcgw::domain::Environment::Prod,
            Some(("acknowledgements:prod", 3)),
            &order("order-3", "066.000", 5),
            "another sha",
            clock.now(),
        )
        .await
        .unwrap();
    assert!(!later.new);
    assert_eq!(store.closing_order(1).await.unwrap(), first);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 3);
}

/// Two instances take in the same order at the same moment: one row, both told its id.
async fn two_instances_take_in_the_same_order_once(db: TestDb) {
    let store = &db.store;
    let other = db.another_store().await;
    let at = geneva(2027, 1, 25, 8, 0);
    let same = order("order-twice", "066.000", 9);
    let take = |s: Store| {
        let same = same.clone();
        async move {
            s.take_in_closing_order(arcgw::domain::Environment::Prod, None, &same, "sha", at)
                .await
                .unwrap()
        }
    };
    take_in_at_once(store, &other, take).await;
    assert_eq!(orders(store).await, 1);
    assert_eq!(count(store, "SELECT COUNT(*) FROM persons").await, 1);
    other.close().await;
}

/// A closing order with a DTD and an entity, one with a key that determines no RCI, a truncated
/// one and one too deep are each kept as unreadable and skipped; the good one after them and an
/// acknowledgement in the same feed are taken in.
async fn a_hostile_message_is_kept_and_skipped(db: TestDb) {
    let store = &db.store;
    let good = xml(&order("order-4", "066.000", 6));
    let with_entity = good.replacen(
        "<message ",
        "<!DOCTYPE message [<!ENTITY x \"7563047500962\">]>\n<message ",
        1,
    );
    let wrong_key = good.replacen("<keyCode>81</keyCode>", "<keyCode>11</keyCode>", 1);
    let truncated = good[..good.len() / 2].to_string();
    let deep = good.replacen(
        "</vn>",
        &format!("</vn>{}{}", "<x>".repeat(100), "</x>".repeat(100)),
        1,
    );
    let ack = arcgw::dtxml::write_acknowledgement(&support::flow::ack(
        "ack-1",
        day(2027, 1, 25),
        "NONE-1",
        0,
    ))
    .unwrap();
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let engine = engine_on(
        store,
        &clock,
        &[with_entity, wrong_key, truncated, deep, good, ack],
    );
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 2);
    assert_eq!(orders(store).await, 1);
    assert_eq!(
        store.closing_order(1).await.unwrap().message_id.as_str(),
        "order-4"
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM acknowledgements").await,
        1
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM unreadable_acknowledgements").await,
        4
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM unreadable_acknowledgements WHERE error LIKE '%keyCode%N. 2708%'"
        )
        .await,
        1
    );
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 6);
    // Read again from the start: nothing more.
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 0);
    assert_eq!(orders(store).await, 1);
}

/// Over sedex a closing order is a message type of its own: taken in once, however often the
/// client delivers it; a closing order under the acknowledgement's type, or an acknowledgement
/// under the closing order's, is refused and kept with the reason.
async fn over_sedex_as_a_message_type_of_its_own(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let (engine, dir) = engine_on_sedex(store, &clock);
    let good = xml(&order("order-5", "066.000", 7));
    let now = clock.now();
    place(
        dir.path(),
        "s-order",
        PLACEHOLDER_CLOSING_ORDER_TYPE,
        good.as_bytes(),
        now,
    );
    assert_eq!(engine.take_in_inbound().await.unwrap(), 1);
    place(
        dir.path(),
        "s-order",
        PLACEHOLDER_CLOSING_ORDER_TYPE,
        good.as_bytes(),
        now,
    );
    assert_eq!(engine.take_in_inbound().await.unwrap(), 1);
    assert_eq!(orders(store).await, 1);
    assert_eq!(
        store.closing_order(1).await.unwrap().due_on,
        day(2027, 2, 4)
    );

    let other = xml(&order("order-6", "066.000", 8));
    place(
        dir.path(),
        "s-as-ack",
        PLACEHOLDER_ACKNOWLEDGEMENT_TYPE,
        other.as_bytes(),
        now,
    );
    let ack = arcgw::dtxml::write_acknowledgement(&support::flow::ack(
        "ack-2",
        day(2027, 1, 25),
        "NONE-2",
        0,
    ))
    .unwrap();
    place(
        dir.path(),
        "s-ack-as-order",
        PLACEHOLDER_CLOSING_ORDER_TYPE,
        ack.as_bytes(),
        now,
    );
    assert_eq!(engine.take_in_inbound().await.unwrap(), 0);
    assert_eq!(orders(store).await, 1);
    let rejected = dir.path().join("arcgw/rejected");
    for name in ["data_s-as-ack.zip", "data_s-ack-as-order.zip"] {
        let reason = std::fs::read_to_string(rejected.join(format!("{name}.reason.txt"))).unwrap();
        assert!(reason.contains("namespace"), "{name}: {reason}");
    }
}

// ---------------------------------------------------------------------------------------------
// The fund API

/// The fund API's tokens and client, with the report of an order done and the gauge.
struct App(FundApi);

impl std::ops::Deref for App {
    type Target = FundApi;

    fn deref(&self) -> &FundApi {
        &self.0
    }
}

impl App {
    async fn start(store: &Store, clock: Arc<ManualClock>) -> App {
        App(FundApi::start(store, clock).await)
    }

    async fn done(&self, id: i64, token: &str, body: &str) -> (StatusCode, Value) {
        self.settle(id, "done", token, body).await
    }

    async fn cancel(&self, id: i64, token: &str, body: &str) -> (StatusCode, Value) {
        self.settle(id, "cancel", token, body).await
    }

    /// `POST /api/v1/orders/{id}/{how}` with `body`.
    async fn settle(&self, id: i64, how: &str, token: &str, body: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/api/v1/orders/{id}/{how}", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn metric(&self) -> String {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find(|l| l.starts_with("arcgw_closing_orders_overdue "))
            .unwrap_or_default()
            .to_string()
    }
}

/// Three orders of fund 066 and one of 067: the fund's system pages through its own with the
/// cursor (the same page again for the same cursor), every read audited with the ids it
/// showed; it reports one done before its due date (idempotent, errors naming field and rule),
/// the other fund may not; the scan after the due date reminds only the others, and the gauge
/// counts them until they are done.
async fn the_api_pages_with_a_cursor_and_takes_reports(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let items: Vec<String> = [
        order("o-1", "066.000", 11),
        order("o-2", "067.000", 12),
        order("o-3", "066.000", 13),
        order("o-4", "066.000", 14),
    ]
    .iter()
    .map(xml)
    .collect();
    let engine = engine_on(store, &clock, &items);
    engine.take_in_acknowledgements().await.unwrap();
    let app = App::start(store, clock.clone()).await;

    let page = assert_pages(&app, "/api/v1/orders", [1, 3, 4], &[2]).await;
    let first = &page["items"][0];
    assert_eq!(first["avs_number"], avs(11).to_string());
    assert_eq!(first["fund"], "066.000");
    assert_eq!(first["ordering_fund"], "001.000");
    assert_eq!(first["key"], 81);
    assert_eq!(first["domicile"]["code"], 1);
    assert_eq!(first["domicile"]["from"], "1990-01-01");
    // In the fund's language of its letters: Italian by default, the directives' own words.
    assert!(
        first["domicile"]["mandate"]
            .as_str()
            .unwrap()
            .starts_with("Non è più necessario fare ricerche"),
        "{first}"
    );
    assert_eq!(first["due_on"], "2027-02-04");
    assert!(
        first["due_explanation"]
            .as_str()
            .unwrap()
            .contains("N. 2713")
    );
    assert_eq!(first["state"], "open");
    assert_eq!(first["overdue_since"], Value::Null);
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'closing_order.list' AND outcome = 'success'"
        )
        .await,
        4
    );

    // Reported done on 1 February, before the due date (4 February).
    app.clock.set(geneva(2027, 2, 1, 10, 0));
    let (status, body) = app
        .done(3, &app.token, r#"{"sent_on": "2027-02-05"}"#)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (body["field"].as_str(), body["rule"].as_str()),
        (Some("sent_on"), Some("not_after_today"))
    );
    let (status, body) = app.done(3, &app.token, r#"{"sent_on": "1.2.2027"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["rule"], "date");
    let (status, _) = app.done(3, &app.token, "not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .done(3, &app.other_token, r#"{"sent_on": "2027-02-01"}"#)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .done(99, &app.token, r#"{"sent_on": "2027-02-01"}"#)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        store.closing_order(3).await.unwrap().state,
        ClosingOrderState::Open,
        "refused reports change nothing"
    );
    let (status, done) = app
        .done(3, &app.token, r#"{"sent_on": "2027-02-01"}"#)
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "done");
    assert_eq!(done["sent_on"], "2027-02-01");
    app.clock.set(geneva(2027, 2, 2, 10, 0));
    let (status, repeated) = app
        .done(3, &app.token, r#"{"sent_on": "2027-02-01"}"#)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(repeated, done, "done twice answers the same");
    let (status, body) = app
        .done(3, &app.token, r#"{"sent_on": "2027-01-31"}"#)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "order_settled");
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'closing_order.done'"
        )
        .await,
        7
    );

    // After the due date: the two open orders of 066 and the one of 067 are reminded, the
    // done one is not.
    assert_eq!(app.metric().await, "arcgw_closing_orders_overdue 0");
    app.clock.set(geneva(2027, 2, 5, 0, 0));
    let raised: Vec<i64> = engine
        .scan_closing_orders()
        .await
        .unwrap()
        .iter()
        .map(|r| r.closing_order_id)
        .collect();
    assert_eq!(raised, [1, 2, 4]);
    assert_eq!(app.metric().await, "arcgw_closing_orders_overdue 3");
    let (_, page) = app.get("/api/v1/orders", &app.token).await;
    assert_eq!(
        page["items"][0]["overdue_since"],
        json!(geneva(2027, 2, 5, 0, 0))
    );
    assert_eq!(page["items"][1]["overdue_since"], Value::Null);
    let (status, _) = app
        .done(1, &app.token, r#"{"sent_on": "2027-02-05"}"#)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.metric().await, "arcgw_closing_orders_overdue 2");

    // Order 4 is cancelled: the fund keeps no CI of the person. Its reason is checked, kept
    // masked, and the order counts overdue no more; settling it otherwise is refused.
    let (status, body) = app.cancel(4, &app.token, "{}").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (&body["field"], &body["rule"]),
        (&json!("reason"), &json!("required"))
    );
    let long = json!({"reason": "x".repeat(501)}).to_string();
    let (status, body) = app.cancel(4, &app.token, &long).await;
    assert_eq!(
        (status, &body["rule"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("length"))
    );
    let (status, body) = app.cancel(4, &app.token, r#"{"reason": "a\u0000b"}"#).await;
    assert_eq!(
        (status, &body["rule"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("text"))
    );
    let (status, _) = app.cancel(4, &app.token, r#"{"reason": 7}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.cancel(4, &app.token, r#"{"why": "x"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .cancel(4, &app.other_token, r#"{"reason": "not ours"}"#)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let reason = format!(r#"{{"reason": "we keep no CI of {} (checked)"}}"#, avs(14));
    let (status, cancelled) = app.cancel(4, &app.token, &reason).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["state"], "cancelled");
    let kept = cancelled["cancel_reason"].as_str().unwrap();
    assert!(
        kept.starts_with("we keep no CI of 756.") && !kept.contains(&avs(14).to_string()),
        "masked: {kept}"
    );
    let (status, again) = app.cancel(4, &app.token, &reason).await;
    assert_eq!(
        (status, &again),
        (StatusCode::OK, &cancelled),
        "the same twice"
    );
    let (status, body) = app
        .cancel(4, &app.token, r#"{"reason": "another one"}"#)
        .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::CONFLICT, &json!("order_settled"))
    );
    let (status, _) = app
        .done(4, &app.token, r#"{"sent_on": "2027-02-05"}"#)
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a cancelled order is not done"
    );
    let (status, _) = app.cancel(3, &app.token, r#"{"reason": "too late"}"#).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a done order is not cancelled"
    );
    assert_eq!(app.metric().await, "arcgw_closing_orders_overdue 1");
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'closing_order.cancel'"
        )
        .await,
        10
    );

    let openapi = app.openapi().await;
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}/done",
        "/api/v1/orders/{id}/cancel",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} in the OpenAPI document"
        );
    }
    assert!(openapi["components"]["schemas"].get("OrderView").is_some());
}

support::db::on_both_backends!(
    ten_calendar_days_across_a_month_end_and_holidays,
    the_geneva_day_of_receipt_counts,
    done_before_the_due_date_raises_nothing,
    an_abn_order_is_never_reminded,
    a_repeated_message_changes_nothing,
    two_instances_take_in_the_same_order_once,
    a_hostile_message_is_kept_and_skipped,
    over_sedex_as_a_message_type_of_its_own,
    the_api_pages_with_a_cursor_and_takes_reports,
);
