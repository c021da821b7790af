//! The operator dashboard and the audit review, end to end: announcements of two funds driven
//! through the real engine and the ZAS simulator (mutual TLS on loopback) into every list, the
//! whole application served on loopback, the pages loaded in headless Chromium (Debian's
//! `chromium` through `chromedriver`) and over plain HTTP. Screenshots go to
//! `target/screenshots/`. SQLite always, PostgreSQL with `ARCGW_TEST_PG_URL`.

use std::collections::BTreeMap;
use std::sync::Arc;

use arcgw::app::AppState;
use arcgw::app::Viewer;
use arcgw::calendar::ZasCalendar;
use arcgw::clock::{Clock, ManualClock};
use arcgw::config::HttpConfig;
use arcgw::domain::{
    Acknowledgement, AcknowledgementEntry, Announcement, AnnouncementState, ClosingMonth,
    ClosingOrder, Domicile, DomicileInstruction, FundNumber, KeyCode, MessageHeader, MessageId,
    ParticipantId, Particulars, RciKey, Reference, RefusalCode, Role,
};
use arcgw::engine::Environment;
use arcgw::pki::TEST_CLIENT_ID;
use arcgw::sim::{Outcome, Rule, SimHandle};
use arcgw::store::{AuditOutcome, AuditQuery, ChangeNote, Store};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::support;
use crate::support::db::{TestDb, avs, on_both_backends};
use crate::support::engine::{SimulatedZas, simulated_zas};
use crate::support::web::webdriver::Browser;
use crate::support::web::{Served, sign_in};

const OWN: &str = "066.000";
const OTHER: &str = "077.000";

/// The overview's lists, in order, and how many rows each has for the viewer in [`world`].
const LIST_ROWS: [(&str, usize); 6] = [
    ("overdue", 1),
    ("pending", 3),
    ("action", 2),
    ("unmatched", 1),
    ("failed", 1),
    ("orders", 2),
];

// ---------------------------------------------------------------------------------------------
// The world: what the engine and the simulator made of a few announcements

/// `hh:mm` on that day in Geneva.
fn geneva(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Zurich
        .with_ymd_and_hms(y, m, d, hh, mm, 0)
        .unwrap()
        .to_utc()
}

/// An opening of a CI (key 61) of `fund` for person number `n`.
fn account(fund: &str, reference: &str, n: u64) -> Announcement {
    Announcement::new(
        FundNumber::parse(fund).unwrap(),
        Reference::new(reference).unwrap(),
        KeyCode::new(61).unwrap(),
        Particulars::Account { avs_number: avs(n) },
    )
    .unwrap()
}

/// An announcement to submit: fund, reference, person number.
type Submission = (&'static str, &'static str, u64);

struct World {
    db: TestDb,
    clock: Arc<ManualClock>,
    /// Announcement ids by reference.
    ids: BTreeMap<&'static str, i64>,
    /// The message id of the failed transmission.
    failed_message_id: String,
    _sim: SimHandle,
    _pki_dir: tempfile::TempDir,
}

/// Own fund: D-1 dealt with, R-1 refused, I-1 to investigate, P-1 still being processed, N-1
/// never mentioned (overdue), N-2 announced three days later (not yet overdue), F-1 in a
/// transmission the ZAS refuses with 500 until it fails. The other fund: N-77, never
/// mentioned (overdue). One unmatched acknowledgement entry for each fund. Today is Monday
/// 7 December 2026.
async fn world(db: TestDb) -> World {
    let clock = Arc::new(ManualClock::new(geneva(2026, 11, 23, 10, 0)));
    let SimulatedZas {
        engine,
        sim,
        pki_dir,
    } = simulated_zas(
        &db.store,
        &clock,
        vec![
            Rule::reference_prefix(
                "R-",
                Outcome::Refused {
                    code: RefusalCode::new(3).unwrap(),
                    observations: Vec::new(),
                    wrong_fields: Vec::new(),
                },
            ),
            Rule::reference_prefix("N-", Outcome::Never),
            Rule::reference_prefix("P-", Outcome::InProgress),
            Rule::reference_prefix(
                "I-",
                Outcome::Investigate {
                    instructions: "Check the civil register.".into(),
                },
            ),
            Rule::reference_prefix("F-", Outcome::Http500 { times: 1000 }),
        ],
        1,
    )
    .await;
    let store = db.store.clone();
    let mut ids = BTreeMap::new();
    let batches: [(&[Submission], i64); 4] = [
        (
            &[
                (OWN, "D-1", 1),
                (OWN, "R-1", 2),
                (OWN, "I-1", 3),
                (OWN, "P-1", 4),
                (OWN, "N-1", 5),
            ],
            3,
        ),
        (&[(OWN, "N-2", 6)], 0),
        (&[(OTHER, "N-77", 7)], 0),
        (&[(OWN, "F-1", 8)], 0),
    ];
    for (batch, days_after) in batches {
        let announcements: Vec<Announcement> = batch
            .iter()
            .map(|(fund, reference, n)| account(fund, reference, *n))
            .collect();
        let note = ChangeNote::new(clock.now(), "test:fund", "submitted");
        let submitted = store.submit(&announcements, &note).await.unwrap();
        for ((_, reference, _), s) in batch.iter().zip(&submitted) {
            ids.insert(*reference, s.id);
        }
        engine.build_all().await.unwrap();
        engine.send_due().await.unwrap();
        engine.take_in_acknowledgements().await.unwrap();
        clock.advance(TimeDelta::days(days_after));
    }
    for (sequence, fund, reference) in [(1, OWN, "GHOST-1"), (2, OTHER, "GHOST-77")] {
        let ack = unmatched_ack(sequence, fund, reference, clock.now());
        let note = ChangeNote::new(clock.now(), "test:feed", "acknowledgement");
        let intake = store
            .take_in_acknowledgement(
                Environment::Prod,
                "test:unmatched",
                sequence,
                &ack,
                "00",
                &note,
            )
            .await
            .unwrap();
        assert_eq!(intake.unmatched, 1);
    }
    // Closing orders of the ZAS (N. 2707–2713): for the viewer's fund one received on
    // 23 November (its ten days ended on 3 December: overdue on the 7th) and one received on
    // 4 December; one for the other fund.
    for (number, fund, received) in [
        (1, OWN, geneva(2026, 11, 23, 11, 0)),
        (2, OWN, geneva(2026, 12, 4, 11, 0)),
        (3, OTHER, geneva(2026, 11, 23, 11, 0)),
    ] {
        let order = closing_order(number, fund);
        store
            .take_in_closing_order(Environment::Prod, None, &order, "00", received)
            .await
            .unwrap();
    }
    clock.set(geneva(2026, 12, 7, 10, 0));
    engine.scan_deadlines().await.unwrap();
    let failed = store
        .list_transmissions(Some(arcgw::store::TransmissionState::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "F-1's transmission failed");
    let expected = [
        ("D-1", AnnouncementState::Done),
        ("R-1", AnnouncementState::Rejected),
        ("I-1", AnnouncementState::Investigate),
        ("P-1", AnnouncementState::InProgress),
        ("N-1", AnnouncementState::Announced),
        ("N-2", AnnouncementState::Announced),
        ("N-77", AnnouncementState::Announced),
    ];
    for (reference, state) in expected {
        let found = store.announcement(ids[reference]).await.unwrap();
        assert_eq!(found.announcement.state, state, "{reference}");
    }
    World {
        db,
        clock,
        ids,
        failed_message_id: failed[0].header.message_id.to_string(),
        _sim: sim,
        _pki_dir: pki_dir,
    }
}

/// A closing order for `fund` about person `number` (key 81, not domiciled in Switzerland).
fn closing_order(number: u64, fund: &str) -> ClosingOrder {
    ClosingOrder {
        header: MessageHeader {
            sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
            recipient_id: ParticipantId::new(TEST_CLIENT_ID).unwrap(),
            message_id: MessageId::new(&format!("order-{number}")).unwrap(),
            reference_message_id: None,
            message_date: geneva(2026, 11, 20, 6, 0),
            test_delivery: false,
        },
        fund: FundNumber::parse(fund).unwrap(),
        ordering_fund: FundNumber::parse("001.000").unwrap(),
        avs_number: avs(900 + number),
        key: RciKey::new(KeyCode::new(81).unwrap()).unwrap(),
        closing: ClosingMonth::new(2026, 10).unwrap(),
        order_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
        domicile: DomicileInstruction::new(Domicile::NotInSwitzerland).unwrap(),
    }
}

fn unmatched_ack(sequence: i64, fund: &str, reference: &str, at: DateTime<Utc>) -> Acknowledgement {
    Acknowledgement {
        header: MessageHeader {
            sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
            recipient_id: ParticipantId::new(TEST_CLIENT_ID).unwrap(),
            message_id: MessageId::new(&format!("ghost-ack-{sequence}")).unwrap(),
            reference_message_id: None,
            message_date: at,
            test_delivery: true,
        },
        acknowledgement_date: at.date_naive(),
        entries: vec![AcknowledgementEntry {
            fund: FundNumber::parse(fund).unwrap(),
            ..support::flow::entry(reference, 61, None, 0)
        }],
    }
}

fn viewer(role: Role) -> Viewer {
    Viewer {
        account_id: 1,
        // One account per role in a test's database.
        login: match role {
            Role::Substitute => "msubstitute".into(),
            _ => "mrossi".into(),
        },
        display_name: "Maria Rossi".into(),
        role,
        funds: vec![FundNumber::parse(OWN).unwrap()],
        csrf_token: "csrf".into(),
    }
}

async fn serve(world: &World, role: Role) -> Served {
    let state = AppState::new(
        world.db.store.clone(),
        world.clock.clone(),
        ZasCalendar::geneva(),
        HttpConfig::default(),
    )
    .with_environment(Environment::Abn);
    sign_in(state, viewer(role)).await
}

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF) into rows of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "CSV ends with a line break"
    );
    rows
}

async fn audit_count(store: &Store, action: &str, outcome: AuditOutcome) -> usize {
    store
        .query_audit(&AuditQuery {
            actor: Some("user:mrossi".into()),
            action: Some(action.into()),
            outcome: Some(outcome),
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .len()
}

/// Each (path, field): a 400 page in the frame (environment shown) naming the field.
async fn assert_bad_filters(served: &Served, cases: &[(&str, &str)]) {
    for (path, field) in cases {
        let (status, body) = served.get(path).await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains(&format!("{field}: ")), "{path}: {body}");
        assert!(body.contains("ZAS environment: ABN"), "{path}");
    }
}

// ---------------------------------------------------------------------------------------------
// In Chromium

/// The overview, an announcement's page and the audit review in headless Chromium.
async fn pages_in_chromium(db: TestDb) {
    let backend = format!("{:?}", db.backend()).to_lowercase();
    let world = world(db).await;
    let served = serve(&world, Role::Responsible).await;
    let browser = Browser::start().await;
    served.sign_in_browser(&browser).await;

    // The overview: overdue first, then the other lists; the other fund is nowhere.
    browser.open(&format!("{}/", served.base)).await;
    assert!(browser.title().await.starts_with("Overview"));
    assert!(browser.text("#environment").await.contains("ABN"));
    let mut order = Vec::new();
    for section in browser.find_all("section.list").await {
        order.push(section.attribute("id").await.unwrap());
    }
    assert_eq!(
        order,
        [
            "overdue",
            "pending",
            "action",
            "unmatched",
            "failed",
            "orders"
        ]
    );
    // Closing orders: the overdue one first, the other fund's nowhere.
    let orders = browser.text("#orders tbody").await;
    let (first, second) = (orders.find("2026-12-03"), orders.find("2026-12-14"));
    assert!(
        first.is_some() && second.is_some() && first < second,
        "{orders}"
    );
    assert!(
        orders.contains("yes") && !orders.contains(OTHER),
        "{orders}"
    );
    let overdue = browser.text("#overdue tbody").await;
    assert!(
        overdue.contains("N-1") && overdue.contains("2026-12-02"),
        "{overdue}"
    );
    assert_eq!(browser.find_all("#overdue tbody tr").await.len(), 1);
    let pending: Vec<String> = {
        let mut rows = Vec::new();
        for row in browser.find_all("#pending tbody tr").await {
            rows.push(row.text().await);
        }
        rows
    };
    assert_eq!(pending.len(), 3, "{pending:?}");
    assert!(
        pending[0].contains("N-1") || pending[0].contains("P-1"),
        "oldest first: {pending:?}"
    );
    assert!(pending[2].contains("N-2"), "{pending:?}");
    let bars = browser.find_all("#pending-chart rect.bar").await;
    assert_eq!(bars.len(), 6);
    let mut counts = BTreeMap::new();
    for bar in &bars {
        counts.insert(
            bar.attribute("data-bucket").await.unwrap(),
            bar.attribute("data-count").await.unwrap(),
        );
    }
    // N-1 and P-1 were announced 10 working days ago, N-2 7.
    assert_eq!(counts["6–7"], "1", "{counts:?}");
    assert_eq!(counts["8–10"], "2", "{counts:?}");
    let action = browser.text("#action tbody").await;
    assert!(action.contains("R-1") && action.contains("I-1"), "{action}");
    assert!(browser.text("#unmatched tbody").await.contains("GHOST-1"));
    assert!(
        browser
            .text("#failed tbody")
            .await
            .contains(&world.failed_message_id)
    );
    let source = browser.source().await;
    for absent in [OTHER, "N-77", "GHOST-77"] {
        assert!(
            !source.contains(absent),
            "{absent} shown to a person of {OWN}"
        );
    }
    browser
        .screenshot(&format!("dashboard-overview-{backend}"))
        .await;

    // Each list's CSV link downloads the same rows.
    for (list, rows) in LIST_ROWS {
        let link = browser.find(&format!("#{list}-export")).await;
        let href = link.property("href").await.as_str().unwrap().to_string();
        let csv = served
            .http
            .get(&href)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let parsed = parse_csv(&csv);
        assert_eq!(parsed.len(), rows + 1, "{list}: {csv}");
        assert!(
            parsed.iter().all(|r| r.len() == parsed[0].len()),
            "{list}: {csv}"
        );
    }

    // Filtered by state through the form's values.
    browser
        .open(&format!("{}/?fund={OWN}&state=in_progress", served.base))
        .await;
    assert_eq!(browser.find_all("#pending tbody tr").await.len(), 1);
    assert!(browser.text("#pending tbody").await.contains("P-1"));
    assert!(browser.find_all("#overdue tbody tr").await.is_empty());
    let export = browser
        .find("#pending-export")
        .await
        .attribute("href")
        .await;
    assert_eq!(
        export.as_deref(),
        Some("/exports/pending.csv?fund=066.000&state=in_progress")
    );
    browser
        .screenshot(&format!("dashboard-filtered-{backend}"))
        .await;

    // N-1's page: fields, history, deadline explanation, the XML as sent; audited.
    let n1 = world.ids["N-1"];
    browser
        .open(&format!("{}/announcements/{n1}", served.base))
        .await;
    assert!(browser.text("#environment").await.contains("ABN"));
    assert!(browser.text("#fields").await.contains("N-1"));
    assert_eq!(browser.text("#deadline-due").await, "2026-12-02");
    assert!(!browser.text("#deadline-explanation").await.is_empty());
    let history = browser.text("#history").await;
    for state in ["queued", "sending", "announced"] {
        assert!(history.contains(state), "{history}");
    }
    let xml = browser.text("#xml").await;
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains(&avs(5).digits()),
        "the XML as sent holds the AVS number"
    );
    assert!(xml.contains("N-1"));
    browser
        .screenshot(&format!("dashboard-announcement-{backend}"))
        .await;
    let store = &world.db.store;
    assert_eq!(
        audit_count(store, "announcement.read", AuditOutcome::Success).await,
        1
    );
    assert_eq!(
        audit_count(store, "transmission.xml.read", AuditOutcome::Success).await,
        1
    );

    // The other fund's announcement is as absent as one that does not exist.
    browser
        .open(&format!(
            "{}/announcements/{}",
            served.base, world.ids["N-77"]
        ))
        .await;
    let refused = browser.text("main").await;
    assert!(browser.text("#error-status").await.starts_with("404"));
    assert!(browser.text("#environment").await.contains("ABN"));
    browser
        .open(&format!("{}/announcements/999999", served.base))
        .await;
    assert_eq!(browser.text("main").await, refused);
    assert_eq!(
        audit_count(store, "announcement.read", AuditOutcome::Denied).await,
        1
    );

    // The audit review, filtered.
    browser
        .open(&format!("{}/audit?action=announcement.read", served.base))
        .await;
    assert!(browser.text("#environment").await.contains("ABN"));
    let rows = browser.find_all("#audit tbody tr").await;
    assert_eq!(rows.len(), 2, "one read, one refused");
    assert!(browser.text("#audit tbody").await.contains("denied"));
    browser
        .screenshot(&format!("dashboard-audit-{backend}"))
        .await;
    browser.close().await;
}

// ---------------------------------------------------------------------------------------------
// Over plain HTTP

/// Every list downloads as CSV with the filters; bad filters get a 400 page naming the field.
async fn exports_and_filter_validation(db: TestDb) {
    let world = world(db).await;
    let served = serve(&world, Role::Clerk).await;
    for (list, rows) in LIST_ROWS {
        let response = served
            .http
            .get(format!("{}/exports/{list}.csv", served.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{list}");
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let csv = parse_csv(&response.text().await.unwrap());
        assert_eq!(csv.len(), rows + 1, "{list}");
        assert!(
            !csv.concat()
                .iter()
                .any(|f| f.contains(OTHER) || f == "N-77" || f == "GHOST-77"),
            "{list}"
        );
    }
    let (status, body) = served.get("/exports/action.csv?state=rejected").await;
    assert_eq!(status, 200);
    let rows = parse_csv(&body);
    assert_eq!(rows.len(), 2);
    assert!(rows[1].contains(&"R-1".to_string()), "{rows:?}");
    assert_eq!(
        audit_count(&world.db.store, "dashboard.export", AuditOutcome::Success).await,
        LIST_ROWS.len() + 1
    );

    assert_bad_filters(
        &served,
        &[
            ("/?state=lost", "state"),
            ("/?fund=077.000", "fund"),
            ("/?fund=66", "fund"),
            ("/?colour=red", "colour"),
            ("/?state=done&state=rejected", "state"),
            ("/exports/pending.csv?fund=077.000", "fund"),
        ],
    )
    .await;
    assert_eq!(served.get("/exports/secrets.csv").await.0, 404);
    let (status, body) = served.get("/?state=").await;
    assert_eq!(status, 200, "an empty filter is no filter");
    assert!(body.contains("GHOST-1"));

    // An ABN announcement waiting for the ZAS since long: listed under ABN and under both,
    // not under PROD, and never overdue (ABN holds test data, with no deadline).
    let abn_id = support::flow::announce_in(
        &world.db.store,
        Environment::Abn,
        &[support::flow::account("ABN-1", 91)],
        "msg-abn-1",
        geneva(2026, 10, 1, 9, 0),
    )
    .await[0];
    // Its page shows no deadline, and says why (N. 3401 watches PROD only).
    let (status, page) = served.get(&format!("/announcements/{abn_id}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("deadline-due"), "{page}");
    assert!(
        page.contains(r#"<p id="no-deadline">No deadline: ABN is the ZAS"#),
        "{page}"
    );
    let pending = |query: &'static str| {
        let served = &served;
        async move {
            let (status, body) = served.get(&format!("/exports/pending.csv{query}")).await;
            assert_eq!(status, 200, "{query}");
            parse_csv(&body)
        }
    };
    let prod_rows = LIST_ROWS.iter().find(|(l, _)| *l == "pending").unwrap().1;
    let abn = pending("?environment=abn").await;
    assert_eq!(abn.len(), 2, "{abn:?}");
    assert_eq!(abn[1][1..3], ["ABN", OWN], "{abn:?}");
    assert_eq!(abn[0][1], "Environment");
    let prod = pending("?environment=prod").await;
    assert_eq!(prod.len(), prod_rows + 1);
    assert!(prod[1..].iter().all(|row| row[1] == "PROD"), "{prod:?}");
    assert_eq!(pending("").await.len(), prod_rows + 2);
    let (_, overdue) = served.get("/exports/overdue.csv?environment=abn").await;
    assert_eq!(parse_csv(&overdue).len(), 1, "no reminder in ABN");
    let (status, page) = served.get("/?environment=abn").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"<option value="abn" selected>"#), "{page}");
    assert!(
        page.contains("/exports/pending.csv?environment=abn"),
        "the exports keep the filter"
    );
    assert_bad_filters(&served, &[("/?environment=test", "environment")]).await;

    // N. 3110: a person without given names is `Surname, NN` on the announcement's page.
    let certificate = support::flow::certificate_without_given_names("NN-1");
    let nn = support::flow::announce_in(
        &world.db.store,
        Environment::Abn,
        &[certificate],
        "msg-abn-2",
        geneva(2026, 10, 2, 9, 0),
    )
    .await[0];
    let (status, page) = served.get(&format!("/announcements/{nn}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Muster, NN"), "{page}");
}

/// The audit review: for the responsible person and substitutes only; filters validated; the
/// CSV holds what the filters match; no route changes or deletes an event.
async fn audit_review(db: TestDb) {
    let world = world(db).await;
    let store = world.db.store.clone();
    let clerk = serve(&world, Role::Clerk).await;
    assert_eq!(clerk.get("/audit").await.0, 403);
    assert_eq!(clerk.get("/exports/audit.csv").await.0, 403);
    assert!(!clerk.get("/").await.1.contains("href=\"/audit\""));
    assert_eq!(
        audit_count(&store, "audit.review", AuditOutcome::Denied).await,
        1
    );
    assert_eq!(
        audit_count(&store, "audit.export", AuditOutcome::Denied).await,
        1
    );

    let substitute = serve(&world, Role::Substitute).await;
    let (status, body) = substitute.get("/audit?outcome=denied").await;
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/audit\""));
    assert_eq!(body.matches("<td>denied</td>").count(), 2, "{body}");
    assert_bad_filters(
        &substitute,
        &[
            ("/audit?outcome=maybe", "outcome"),
            ("/audit?from=2026-13-01", "from"),
            ("/audit?from=2026-12-07&to=2026-12-01", "to"),
            ("/audit?before=-3", "before"),
            ("/audit?target=x", "target"),
        ],
    )
    .await;
    // Every change of state so far was audited by the engine; the export holds all of those of
    // the viewer's fund, and none of the other fund's (each person sees the audit of their own
    // funds only).
    let (status, csv) = substitute
        .get("/exports/audit.csv?action=announcement.state&from=2026-11-01&to=2026-12-31")
        .await;
    assert_eq!(status, 200);
    let rows = parse_csv(&csv);
    let all = support::db::audit_events(&store, "announcement.state").await;
    let own = FundNumber::parse(OWN).unwrap();
    let expected: Vec<_> = all.iter().filter(|e| e.funds == [own]).collect();
    assert!(expected.len() < all.len(), "the other fund's events exist");
    assert!(
        all.iter().all(|e| e.funds.len() == 1),
        "each names its fund"
    );
    assert_eq!(rows.len(), expected.len() + 1);
    assert_eq!(rows[1][0], expected[0].id.to_string(), "newest first");
    let (_, none) = substitute
        .get("/exports/audit.csv?action=announcement.state&to=2026-11-22")
        .await;
    assert_eq!(parse_csv(&none).len(), 1, "nothing before the first day");

    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = substitute
            .http
            .request(method.clone(), format!("{}/audit", substitute.base))
            // With the session's anti-CSRF token: the route itself refuses the method.
            .header("X-CSRF-Token", &substitute.signed_in.csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method}");
    }
    let before = store.query_audit(&AuditQuery::default()).await.unwrap();
    assert!(
        before
            .iter()
            .all(|e| !e.details.to_string().contains(&avs(5).digits()))
    );
}

on_both_backends!(
    pages_in_chromium,
    exports_and_filter_validation,
    audit_review
);
