//! CI complements (N. 2105) and splitting notices (N. 2602) of the ZAS on both back ends (see
//! `support::db`): taken in from the feed (told apart by their root namespace) and from the
//! sedex inbox (each a message type of its own), once per message id; a repeated message
//! changes nothing; hostile ones kept and skipped; the AVS numbers in `persons` only; the fund
//! API's feeds with their cursor, the token's funds and environment, and the audit of every
//! read with the ids shown.

use std::sync::Arc;

use arcgw::clock::{Clock, ManualClock};
use arcgw::domain::{
    CiChange, CiComplement, Environment, FundNumber, MessageHeader, MessageId, ParticipantId,
    PersonName, SpecialKey, SplitYear, SplittingNotice, SplittingOrder, Spouses, StateCode,
};
use arcgw::dtxml::{write_ci_complement, write_splitting_notice};
use arcgw::store::{Arrival, Store};
use arcgw::transport::sedex::{PLACEHOLDER_CI_COMPLEMENT_TYPE, PLACEHOLDER_SPLITTING_NOTICE_TYPE};

use crate::support;
use crate::support::db::{TestDb, avs, count};
use crate::support::flow::{day, geneva};
use crate::support::zas::{
    FundApi, assert_pages, engine_on, engine_on_sedex, ids, place, take_in_at_once,
};

fn header(message_id: &str) -> MessageHeader {
    MessageHeader {
        sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        recipient_id: ParticipantId::new("T7-066000-1").unwrap(),
        message_id: MessageId::new(message_id).unwrap(),
        reference_message_id: None,
        message_date: geneva(2027, 1, 25, 6, 0),
        test_delivery: false,
    }
}

/// A complement for `fund` about the person of serial `person`: a new name, and Italy as the
/// country of origin.
fn complement(message_id: &str, fund: &str, person: u64) -> CiComplement {
    let (name, _) = PersonName::stored("Rossi", "Anna").unwrap();
    CiComplement {
        header: header(message_id),
        fund: FundNumber::parse(fund).unwrap(),
        avs_number: avs(person),
        change: CiChange::new(Some(name), Some(StateCode::new(218).unwrap())).unwrap(),
        changed_on: day(2027, 1, 20),
    }
}

/// A notice to `fund` of the splitting ordered by 001.000 for the person of serial `person`
/// with the spouse of serial `spouse`, for 1995 and 1996 (special key 4).
fn notice(message_id: &str, fund: &str, person: u64, spouse: u64) -> SplittingNotice {
    let years = vec![
        SplitYear {
            year: 1995,
            special: None,
        },
        SplitYear {
            year: 1996,
            special: Some(SpecialKey::InvalidityAverage),
        },
    ];
    SplittingNotice {
        header: header(message_id),
        fund: FundNumber::parse(fund).unwrap(),
        ordering_fund: FundNumber::parse("001.000").unwrap(),
        spouses: Spouses::new(
            avs(person),
            SplittingOrder::new(avs(spouse), years).unwrap(),
        )
        .unwrap(),
    }
}

/// How many complements, notices and persons are stored.
async fn stored(store: &Store) -> [i64; 3] {
    [
        count(store, "SELECT COUNT(*) FROM ci_complements").await,
        count(store, "SELECT COUNT(*) FROM splitting_notices").await,
        count(store, "SELECT COUNT(*) FROM persons").await,
    ]
}

// ---------------------------------------------------------------------------------------------
// Intake

/// A complement, a notice and an acknowledgement in one feed, the complement and the notice
/// each twice: each stored once with what it said, the three spouses' and the person's numbers
/// in `persons` only, the cursor past all. Taken in again later with another hash, nothing of
/// the first changes but the cursor.
async fn the_feed_carries_both_kinds_once_each(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let c = complement("compl-1", "066.000", 1);
    let n = notice("split-1", "066.000", 2, 3);
    let ack = arcgw::dtxml::write_acknowledgement(&support::flow::ack(
        "ack-1",
        day(2027, 1, 25),
        "NONE-1",
        0,
    ))
    .unwrap();
    let items = [
        write_ci_complement(&c).unwrap(),
        write_splitting_notice(&n).unwrap(),
        write_ci_complement(&c).unwrap(),
        ack,
        write_splitting_notice(&n).unwrap(),
    ];
    let engine = engine_on(store, &clock, &items);
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 5);
    assert_eq!(stored(store).await, [1, 1, 3]);
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM acknowledgements").await,
        1
    );
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 5);
    // The numbers are in persons only: the rows refer to them by id.
    for sql in [
        "SELECT COUNT(*) FROM ci_complements WHERE surname LIKE '756%' OR given_names LIKE '756%'",
        "SELECT COUNT(*) FROM splitting_notices WHERE split_years LIKE '%756%'",
    ] {
        assert_eq!(count(store, sql).await, 0, "{sql}");
    }

    // As the fund's system reads them.
    let app = FundApi::start(store, clock.clone()).await;
    let read = || async {
        (
            app.get("/api/v1/complements", &app.token).await.1,
            app.get("/api/v1/splitting-notices", &app.token).await.1,
        )
    };
    let first = read().await;
    let (c0, n0) = (&first.0["items"][0], &first.1["items"][0]);
    assert_eq!(c0["avs_number"], avs(1).to_string());
    assert_eq!(c0["message_id"], "compl-1");
    assert_eq!(c0["name"]["surname"], "Rossi");
    assert_eq!(c0["country_of_origin"]["code"], 218);
    assert_eq!(c0["country_of_origin"]["name"], "Italy");
    assert_eq!(c0["changed_on"], "2027-01-20");
    assert_eq!(c0["received_at"], serde_json::json!(clock.now()));
    assert_eq!(n0["avs_number"], avs(2).to_string());
    assert_eq!(n0["spouse_avs_number"], avs(3).to_string());
    assert_eq!(n0["ordering_fund"], "001.000");

    clock.set(geneva(2027, 1, 27, 8, 0));
    let arrival = Arrival {
        environment: Environment::Prod,
        feed: Some(("acknowledgements:prod", 6)),
        xml_sha256: "another sha",
        received_at: clock.now(),
    };
    let again = store.take_in_ci_complement(arrival, &c).await.unwrap();
    assert!(!again.new);
    assert_eq!(Some(again.id), c0["id"].as_i64());
    let arrival = Arrival {
        feed: Some(("acknowledgements:prod", 7)),
        ..arrival
    };
    let again = store.take_in_splitting_notice(arrival, &n).await.unwrap();
    assert!(!again.new);
    assert_eq!(read().await, first);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 7);
}

/// Two instances take in the same notice at the same moment: one row, both told its id.
async fn two_instances_take_in_the_same_notice_once(db: TestDb) {
    let store = &db.store;
    let other = db.another_store().await;
    let at = geneva(2027, 1, 25, 8, 0);
    let same = notice("split-twice", "066.000", 4, 5);
    let take = |s: Store| {
        let same = same.clone();
        async move {
            let arrival = Arrival {
                environment: Environment::Prod,
                feed: None,
                xml_sha256: "sha",
                received_at: at,
            };
            s.take_in_splitting_notice(arrival, &same).await.unwrap()
        }
    };
    take_in_at_once(store, &other, take).await;
    assert_eq!(stored(store).await, [0, 1, 2]);
    other.close().await;
}

/// A complement with a DTD and an entity, one without a change, a notice between one person
/// and herself, a truncated notice and one too deep are each kept as unreadable and skipped;
/// the good ones after them are taken in.
async fn a_hostile_message_is_kept_and_skipped(db: TestDb) {
    let store = &db.store;
    let good_complement = write_ci_complement(&complement("compl-2", "066.000", 6)).unwrap();
    let good_notice = write_splitting_notice(&notice("split-2", "066.000", 7, 8)).unwrap();
    let with_entity = good_complement.replacen(
        "<message ",
        "<!DOCTYPE message [<!ENTITY x \"7563047500962\">]>\n<message ",
        1,
    );
    let start = good_complement.find("<name>").unwrap();
    let end = good_complement.find("<changeDate>").unwrap();
    let no_change = format!("{}{}", &good_complement[..start], &good_complement[end..]);
    let herself = good_notice.replacen(
        &format!("<spouseVn>{}</spouseVn>", avs(8).digits()),
        &format!("<spouseVn>{}</spouseVn>", avs(7).digits()),
        1,
    );
    assert_ne!(herself, good_notice);
    let truncated = good_notice[..good_notice.len() / 2].to_string();
    let deep = good_notice.replacen(
        "</vn>",
        &format!("</vn>{}{}", "<x>".repeat(100), "</x>".repeat(100)),
        1,
    );
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let engine = engine_on(
        store,
        &clock,
        &[
            with_entity,
            no_change,
            herself,
            truncated,
            deep,
            good_complement,
            good_notice,
        ],
    );
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 2);
    assert_eq!(
        stored(store).await,
        [1, 1, 3],
        "no person of a refused message"
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM unreadable_acknowledgements").await,
        5
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM unreadable_acknowledgements WHERE error LIKE '%content%N. 2105%'"
        )
        .await,
        1,
        "the complement without a change names the rule"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM unreadable_acknowledgements WHERE error LIKE '%spouseVn%N. 2601%'"
        )
        .await,
        1,
        "the splitting of one person names the rule"
    );
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 7);
    assert_eq!(engine.take_in_acknowledgements().await.unwrap(), 0);
}

/// Over sedex each kind is a message type of its own: taken in once however often the client
/// delivers it; a complement under the notice's type is refused and kept with the reason, and
/// so is a message of a type that is none of the ZAS's.
async fn over_sedex_as_message_types_of_their_own(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let (engine, dir) = engine_on_sedex(store, &clock);
    let now = clock.now();
    let c = write_ci_complement(&complement("compl-3", "066.000", 9)).unwrap();
    let n = write_splitting_notice(&notice("split-3", "066.000", 10, 11)).unwrap();
    for _ in 0..2 {
        place(
            dir.path(),
            "s-compl",
            PLACEHOLDER_CI_COMPLEMENT_TYPE,
            c.as_bytes(),
            now,
        );
        place(
            dir.path(),
            "s-split",
            PLACEHOLDER_SPLITTING_NOTICE_TYPE,
            n.as_bytes(),
            now,
        );
        assert_eq!(engine.take_in_inbound().await.unwrap(), 2);
    }
    assert_eq!(stored(store).await, [1, 1, 3]);
    assert_eq!(store.feed_cursor("acknowledgements:prod").await.unwrap(), 0);

    let other = write_ci_complement(&complement("compl-4", "066.000", 12)).unwrap();
    place(
        dir.path(),
        "s-compl-as-split",
        PLACEHOLDER_SPLITTING_NOTICE_TYPE,
        other.as_bytes(),
        now,
    );
    place(dir.path(), "s-unknown", 2016, other.as_bytes(), now);
    assert_eq!(engine.take_in_inbound().await.unwrap(), 0);
    assert_eq!(stored(store).await, [1, 1, 3]);
    let rejected = dir.path().join("arcgw/rejected");
    let reason =
        |name: &str| std::fs::read_to_string(rejected.join(format!("{name}.reason.txt"))).unwrap();
    let wrong_kind = reason("data_s-compl-as-split.zip");
    assert!(wrong_kind.contains("namespace"), "{wrong_kind}");
    let unknown = reason("envl_s-unknown.xml");
    assert!(
        unknown.contains("2016") && unknown.contains("CI complement 2014"),
        "{unknown}"
    );
}

// ---------------------------------------------------------------------------------------------
// The fund API

/// Three complements and three notices of fund 066, one of each of 067 and one of each of 066
/// in ABN: the fund's system pages through its own with the cursor (the same page again for the
/// same cursor), sees neither the other fund's nor the other environment's; every read is
/// audited with the ids shown.
async fn the_feeds_page_with_a_cursor_for_the_tokens_funds(db: TestDb) {
    let store = &db.store;
    let clock = Arc::new(ManualClock::new(geneva(2027, 1, 25, 8, 0)));
    let items = [
        write_ci_complement(&complement("c-1", "066.000", 21)).unwrap(),
        write_ci_complement(&complement("c-2", "067.000", 22)).unwrap(),
        write_splitting_notice(&notice("n-1", "066.000", 31, 32)).unwrap(),
        write_ci_complement(&complement("c-3", "066.000", 23)).unwrap(),
        write_splitting_notice(&notice("n-2", "067.000", 33, 34)).unwrap(),
        write_ci_complement(&complement("c-4", "066.000", 24)).unwrap(),
        write_splitting_notice(&notice("n-3", "066.000", 35, 36)).unwrap(),
        write_splitting_notice(&notice("n-4", "066.000", 39, 40)).unwrap(),
    ];
    engine_on(store, &clock, &items)
        .take_in_acknowledgements()
        .await
        .unwrap();
    let abn = Arrival {
        environment: Environment::Abn,
        feed: None,
        xml_sha256: "sha",
        received_at: clock.now(),
    };
    store
        .take_in_ci_complement(abn, &complement("c-abn", "066.000", 25))
        .await
        .unwrap();
    store
        .take_in_splitting_notice(abn, &notice("n-abn", "066.000", 37, 38))
        .await
        .unwrap();
    let app = FundApi::start(store, clock.clone()).await;

    let page = assert_pages(&app, "/api/v1/complements", [1, 3, 4], &[2]).await;
    let first = &page["items"][0];
    assert_eq!(first["avs_number"], avs(21).to_string());
    assert_eq!(first["fund"], "066.000");
    assert_eq!(first["environment"], "prod");
    assert_eq!(first["message_id"], "c-1");
    assert_eq!(first["name"]["surname"], "Rossi");
    assert_eq!(first["name"]["given_names"], "Anna");
    assert_eq!(first["country_of_origin"]["code"], 218);
    assert_eq!(first["changed_on"], "2027-01-20");

    let page = assert_pages(&app, "/api/v1/splitting-notices", [1, 3, 4], &[2]).await;
    let first = &page["items"][0];
    assert_eq!(first["avs_number"], avs(31).to_string());
    assert_eq!(first["spouse_avs_number"], avs(32).to_string());
    assert_eq!(first["ordering_fund"], "001.000");
    assert_eq!(
        first["split_years"],
        serde_json::json!([{"year": 1995, "special_key": null}, {"year": 1996, "special_key": 4}])
    );
    let (_, one) = app
        .get("/api/v1/splitting-notices?fund=066.000&after=3", &app.token)
        .await;
    assert_eq!(ids(&one), [4], "the fund of the token asked for");

    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'ci_complement.list' AND outcome = 'success'"
        )
        .await,
        4
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'ci_complement.list' AND details LIKE '%\"ids\":[1,3]%'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'splitting_notice.list' AND outcome = 'success' AND details LIKE '%\"ids\":[4]%'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('ci_complement.list', 'splitting_notice.list') AND outcome <> 'success'"
        )
        .await,
        2,
        "the other fund asked for: denied"
    );

    let openapi = app.openapi().await;
    for path in ["/api/v1/complements", "/api/v1/splitting-notices"] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} in the OpenAPI document"
        );
    }
    for schema in ["CiComplementView", "SplittingNoticeView"] {
        assert!(
            openapi["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}

support::db::on_both_backends!(
    the_feed_carries_both_kinds_once_each,
    two_instances_take_in_the_same_notice_once,
    a_hostile_message_is_kept_and_skipped,
    over_sedex_as_message_types_of_their_own,
    the_feeds_page_with_a_cursor_for_the_tokens_funds,
);
