//! Hostile XML at the gateway's own XML entry, the ZAS's acknowledgement feed, on
//! both back ends (see `support::db`): an acknowledgement with a DTD and entities (billion
//! laughs), one nested too deep, one too large, and a truncated one are each kept as unreadable
//! for operators and skipped — nothing expanded, nothing applied — and the good one after them
//! is taken in. (The simulator's own entry, for transmissions: `tests/it/sim.rs`; the readers:
//! `tests/it/dtxml_hostile.rs`.)

use std::sync::Arc;

use arcgw::clock::ManualClock;
use arcgw::domain::AnnouncementState;
use arcgw::dtxml::{ReadLimits, write_acknowledgement};
use arcgw::transport::FeedItem;

use crate::support;
use crate::support::db::{TestDb, count};
use crate::support::engine::Feeding;
use crate::support::flow::{account, ack, announce, day, geneva};

async fn hostile_acknowledgements_are_kept_and_skipped(db: TestDb) {
    let store = &db.store;
    let at = geneva(2026, 11, 2, 9, 0);
    let id = announce(store, &[account("H-1", 1)], "msg-h", at).await[0];
    let good = write_acknowledgement(&ack("ack-good", day(2026, 11, 3), "H-1", 0)).unwrap();
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]>{}",
        (1..10)
            .map(|i| format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&lol{};", i - 1).repeat(10)
            ))
            .collect::<String>()
            .replace("&lol0;", "&lol;"),
        good.replacen(">H-1<", ">&lol9;H-1<", 1)
    );
    assert!(laughs.contains("&lol9;H-1"), "the entity is used");
    let deep = good.replacen(
        "</",
        &format!("{}{}</", "<x>".repeat(200), "</x>".repeat(200)),
        1,
    );
    let huge = format!("{good}<!--{}-->", "x".repeat(ReadLimits::DEFAULT_MAX_BYTES));
    let truncated = good[..good.len() / 2].to_string();
    let items = [laughs, deep, huge, truncated, good]
        .into_iter()
        .zip(1..)
        .map(|(xml, sequence)| FeedItem { sequence, xml })
        .collect();
    let clock = Arc::new(ManualClock::new(at));
    let engine = support::engine::engine_with(store.clone(), clock, Arc::new(Feeding(items)));

    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 1);
    assert_eq!(
        store.announcement(id).await.unwrap().announcement.state,
        AnnouncementState::Done
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM unreadable_acknowledgements").await,
        4
    );
    let errors = support::db::texts(
        store,
        "SELECT sequence || ': ' || error FROM unreadable_acknowledgements ORDER BY sequence",
    )
    .await;
    assert!(
        errors[0].starts_with("1: ") && errors[0].contains("DOCTYPE"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("2: ") && errors[1].contains("deep"),
        "{errors:?}"
    );
    assert!(
        errors[2].starts_with("3: ") && errors[2].contains("bytes"),
        "{errors:?}"
    );
    assert!(errors[3].starts_with("4: "), "{errors:?}");
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 5);
    // Read again: nothing new, nothing twice.
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 0);
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM acknowledgements").await,
        1
    );
}

support::db::on_both_backends!(hostile_acknowledgements_are_kept_and_skipped);
