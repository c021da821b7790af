//! Letters to the ZAS (N. 3401–3403, 3301), on both back ends (see `support::db`): announcements
//! built into real transmissions by the engine, recorded as sent, left pending until the deadline
//! scan raises reminders on a manual clock; then the letters per fund and day over real HTTP in
//! Italian, German and French, as text and as PDF (read back with `pdftotext`), the print of a
//! transmitted announcement as sent, and the command line. The letters about one announcement
//! (N. 2703: CIs still open after an RCI; N. 3301: data of the ZAS wrong or incomplete) over the
//! API and from the dashboard's form, with the refusals of their rules and hostile input.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::{Clock, ManualClock};
use arcgw::config::HttpConfig;
use arcgw::deadlines::DeadlineRule;
use arcgw::domain::{
    Announcement, Beneficiary, ClosingMonth, CollectionOrder, Domicile, KeyCode, Particulars,
    Reference, Role,
};
use arcgw::engine::Engine;
use arcgw::letters::{Language, LettersConfig, compose_letter};
use arcgw::store::{AuditOutcome, AuditQuery, ChangeNote, Store, TransmissionState};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support;
use crate::support::db::{TestDb, avs};
use crate::support::flow::{day, fund};

// ---------------------------------------------------------------------------------------------
// Test data: funds 066.000 and 067.000; the AVS numbers are avs(n), 756.0000.0000n.c

const FUND: &str = "066.000";
const OTHER_FUND: &str = "067.000";

/// `hh:mm` on that day in Geneva.
fn geneva(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Zurich
        .with_ymd_and_hms(y, m, d, hh, mm, 0)
        .unwrap()
        .to_utc()
}

/// An announcement of `key` (61: opening of a CI; 71: an RCI; 97: an order) for the insured
/// avs(number).
fn announcement(fund_number: &str, reference: &str, key: u8, number: u64) -> Announcement {
    let avs_number = avs(number);
    let particulars = match key {
        61 => Particulars::Account { avs_number },
        71 => Particulars::Collection {
            avs_number,
            order: CollectionOrder {
                beneficiary: Beneficiary::Insured,
                closing: ClosingMonth::new(2026, 12).unwrap(),
                order_date: day(2026, 10, 1),
                domicile: Domicile::Convention,
            },
        },
        _ => Particulars::Order {
            avs_number,
            order_date: day(2026, 10, 1),
        },
    };
    Announcement::new(
        fund(fund_number),
        Reference::new(reference).unwrap(),
        KeyCode::new(i64::from(key)).unwrap(),
        particulars,
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The engine: builds real transmissions; never talks to a ZAS (sending is recorded directly).

struct World {
    store: Store,
    clock: Arc<ManualClock>,
    engine: Engine,
}

impl World {
    fn new(store: Store) -> World {
        let clock = Arc::new(ManualClock::new(geneva(2026, 10, 26, 9, 0)));
        let engine = support::engine::engine_without_zas(store.clone(), clock.clone());
        World {
            store,
            clock,
            engine,
        }
    }

    fn note(&self, cause: &str) -> ChangeNote {
        ChangeNote::new(self.clock.now(), "test:runner", cause)
    }

    /// Submits `batch` at `at`; the engine builds its transmission, which the ZAS takes (receipt
    /// 100): the announcements are `announced` since `at`. Returns their ids.
    async fn announce(&self, batch: &[Announcement], at: DateTime<Utc>) -> Vec<i64> {
        self.clock.set(at);
        let ids: Vec<i64> = self.submit(batch).await;
        assert_eq!(self.engine.build_all().await.unwrap(), 1);
        let pending = self
            .store
            .list_transmissions(Some(TransmissionState::Pending), 10)
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        support::flow::record_sent(&self.store, pending[0].id, self.clock.now()).await;
        ids
    }

    async fn submit(&self, batch: &[Announcement]) -> Vec<i64> {
        self.store
            .submit(batch, &self.note("submitted"))
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect()
    }

    /// Takes in the acknowledgement of `date` saying `code` about `a` (key 61 or 97).
    async fn acknowledge(&self, sequence: i64, date: NaiveDate, a: &Announcement, code: u8) {
        let ack = support::flow::ack_about(&format!("ack-{sequence}"), date, a, code);
        support::flow::take_in(&self.store, sequence, &ack, self.clock.now()).await;
    }

    async fn scan_at(&self, at: DateTime<Utc>) -> usize {
        self.clock.set(at);
        self.engine.scan_deadlines().await.unwrap().raised
    }
}

/// What the tests drive through: the announcements by reference, with their ids.
struct Scenario {
    world: World,
    ids: BTreeMap<&'static str, i64>,
    announcements: BTreeMap<&'static str, Announcement>,
}

/// - C-1 (fund 066.000, key 97, avs 3) announced Tue 27 October; acknowledged "still being
///   processed" on Thu 29 October: 15 working days end Thu 19 November.
/// - A-1, A-2 (066.000, key 61, avs 1 and 2) and B-1 (067.000, avs 4) announced Tue 10
///   November: 7 working days end Thu 19 November.
/// - A-3 (066.000, avs 5) announced Wed 11 November: 7 working days end Fri 20 November.
/// - Q-1 (066.000) submitted, never transmitted.
///
/// The scan of Fri 20 November 08:00 raises C-1, A-1, A-2, B-1; that of Mon 23 November
/// raises A-3.
async fn scenario(store: Store) -> Scenario {
    let world = World::new(store);
    let mut announcements = BTreeMap::new();
    for (reference, fund_number, key, number) in [
        ("C-1", FUND, 97, 3),
        ("A-1", FUND, 61, 1),
        ("A-2", FUND, 61, 2),
        ("B-1", OTHER_FUND, 61, 4),
        ("A-3", FUND, 61, 5),
        ("Q-1", FUND, 61, 6),
    ] {
        announcements.insert(reference, announcement(fund_number, reference, key, number));
    }
    let a = |r: &str| announcements[r].clone();
    let mut ids = BTreeMap::new();
    let [c1] = world
        .announce(&[a("C-1")], geneva(2026, 10, 27, 10, 0))
        .await
        .try_into()
        .unwrap();
    ids.insert("C-1", c1);
    world.clock.set(geneva(2026, 10, 29, 18, 0));
    world
        .acknowledge(1, day(2026, 10, 29), &announcements["C-1"], 2)
        .await;
    let batch = world
        .announce(&[a("A-1"), a("A-2"), a("B-1")], geneva(2026, 11, 10, 10, 0))
        .await;
    ids.extend(["A-1", "A-2", "B-1"].into_iter().zip(batch));
    let [a3] = world
        .announce(&[a("A-3")], geneva(2026, 11, 11, 10, 0))
        .await
        .try_into()
        .unwrap();
    ids.insert("A-3", a3);
    let [q1] = world.submit(&[a("Q-1")]).await.try_into().unwrap();
    ids.insert("Q-1", q1);

    assert_eq!(world.scan_at(geneva(2026, 11, 19, 23, 0)).await, 0);
    assert_eq!(world.scan_at(geneva(2026, 11, 20, 8, 0)).await, 4);
    assert_eq!(world.scan_at(geneva(2026, 11, 20, 17, 0)).await, 0);
    assert_eq!(world.scan_at(geneva(2026, 11, 23, 8, 0)).await, 1);
    Scenario {
        world,
        ids,
        announcements,
    }
}

/// The AVS number of `n` as printed: 756.0000.0000.nc
fn printed_avs(n: u64) -> String {
    avs(n).to_string()
}

// ---------------------------------------------------------------------------------------------
// The letters, composed from the store

/// Each letter lists every pending announcement of its fund and day with reference, key, AVS
/// number, the date announced, the rule and since when, in each language; two reminders of one
/// fund and day make one letter; another fund or day makes another.
async fn one_letter_per_fund_and_day_in_three_languages(db: TestDb) {
    let s = scenario(db.store.clone()).await;
    let store = &s.world.store;
    let entries = store
        .letter_entries(fund(FUND), day(2026, 11, 20))
        .await
        .unwrap();
    let references: Vec<&str> = entries.iter().map(|e| e.reference.as_str()).collect();
    assert_eq!(references, ["C-1", "A-1", "A-2"]);
    let c1 = &entries[0];
    assert_eq!(
        (c1.key.code(), c1.avs_number, c1.rule),
        (97, Some(avs(3)), DeadlineRule::StillProcessing)
    );
    assert_eq!(
        (c1.announced_on, c1.pending_since),
        (day(2026, 10, 27), day(2026, 10, 29))
    );
    let a1 = &entries[1];
    assert_eq!(
        (a1.key.code(), a1.avs_number, a1.rule),
        (61, Some(avs(1)), DeadlineRule::NotMentioned)
    );
    assert_eq!(
        (a1.announced_on, a1.pending_since),
        (day(2026, 11, 10), day(2026, 11, 10))
    );

    let config = LettersConfig::default();
    let expected: [(Language, [&str; 9]); 3] = [
        (
            Language::It,
            [
                "Ufficio di controllo degli ARC",
                "1211 Ginevra 28",
                "20 novembre 2026",
                "1. Riferimento         C-1",
                "   Chiave              97",
                "   Data dell'annuncio  27 ottobre 2026",
                "   In sospeso dal      29 ottobre 2026",
                "«ancora in via di elaborazione»",
                "   Data dell'annuncio  10 novembre 2026",
            ],
        ),
        (
            Language::De,
            [
                "Zentrale Ausgleichsstelle",
                "1211 Genf 28",
                "20. November 2026",
                "1. Referenz           C-1",
                "   Schlüssel          97",
                "   Datum der Meldung  27. Oktober 2026",
                "   Hängig seit        29. Oktober 2026",
                "«noch in Bearbeitung»",
                "   Datum der Meldung  10. November 2026",
            ],
        ),
        (
            Language::Fr,
            [
                "Centrale de compensation",
                "1211 Genève 28",
                "20 novembre 2026",
                "1. Référence             C-1",
                "   Clé                   97",
                "   Date de l'annonce     27 octobre 2026",
                "   En suspens depuis le  29 octobre 2026",
                "« encore en traitement »",
                "   Date de l'annonce     10 novembre 2026",
            ],
        ),
    ];
    for (language, lines) in expected {
        let letter = config.letter(fund(FUND), day(2026, 11, 20), entries.clone());
        let text = compose_letter(&letter, language).text();
        for line in lines {
            assert!(
                text.contains(line),
                "{language}: {line:?} missing in\n{text}"
            );
        }
        for (n, reference) in [(3, "C-1"), (1, "A-1"), (2, "A-2")] {
            assert!(
                text.contains(&printed_avs(n)),
                "{language}: AVS of {reference}"
            );
            assert!(text.contains(reference), "{language}: {reference}");
        }
        for absent in ["B-1", "A-3", "Q-1", &printed_avs(4), &printed_avs(5)] {
            assert!(
                !text.contains(absent),
                "{language}: {absent} is not in this letter"
            );
        }
    }

    let other = store
        .letter_entries(fund(OTHER_FUND), day(2026, 11, 20))
        .await
        .unwrap();
    assert_eq!(
        other
            .iter()
            .map(|e| e.reference.as_str())
            .collect::<Vec<_>>(),
        ["B-1"]
    );
    let later = store
        .letter_entries(fund(FUND), day(2026, 11, 23))
        .await
        .unwrap();
    assert_eq!(
        later
            .iter()
            .map(|e| e.reference.as_str())
            .collect::<Vec<_>>(),
        ["A-3"]
    );
    assert!(
        store
            .letter_entries(fund(FUND), day(2026, 11, 21))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .letter_entries(fund(FUND), day(2026, 11, 19))
            .await
            .unwrap()
            .is_empty()
    );
}

/// An announcement dealt with leaves the letter; once all are, there is nothing to write.
/// N. 3110: a certificate announcement (key 11, sent without an AVS number) of a person without
/// given names is listed in the letter with `NN` in their place (and its AVS number as none).
async fn a_person_without_given_names_is_nn_in_the_letter(db: TestDb) {
    let world = World::new(db.store.clone());
    let certificate = support::flow::certificate_without_given_names("NN-1");
    world
        .announce(&[certificate], geneva(2026, 11, 10, 10, 0))
        .await;
    // 7 working days end Thursday 19 November: raised on the 20th.
    assert_eq!(world.scan_at(geneva(2026, 11, 20, 8, 0)).await, 1);
    let entries = world
        .store
        .letter_entries(fund(FUND), day(2026, 11, 20))
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].avs_number, None);
    assert_eq!(
        entries[0].name.as_ref().map(ToString::to_string).as_deref(),
        Some("Muster, NN")
    );
    let content = arcgw::letters::LetterContent {
        fund: fund(FUND),
        day: day(2026, 11, 20),
        sender: Vec::new(),
        entries,
    };
    let text = compose_letter(&content, Language::It).text();
    assert!(text.contains("   Nome                Muster, NN"), "{text}");
}

async fn resolved_announcements_leave_the_letter(db: TestDb) {
    let s = scenario(db.store.clone()).await;
    let w = &s.world;
    w.clock.set(geneva(2026, 11, 20, 11, 0));
    w.acknowledge(2, day(2026, 11, 20), &s.announcements["A-1"], 0)
        .await;
    let entries = w
        .store
        .letter_entries(fund(FUND), day(2026, 11, 20))
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.reference.as_str())
            .collect::<Vec<_>>(),
        ["C-1", "A-2"]
    );
    w.acknowledge(3, day(2026, 11, 20), &s.announcements["A-2"], 0)
        .await;
    w.acknowledge(4, day(2026, 11, 20), &s.announcements["C-1"], 0)
        .await;
    assert!(
        w.store
            .letter_entries(fund(FUND), day(2026, 11, 20))
            .await
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Over HTTP

struct App {
    base: String,
    token: String,
    other_token: String,
    client: reqwest::Client,
}

async fn start(store: &Store) -> App {
    let noon = geneva(2026, 11, 23, 12, 0);
    let token = support::web::token(store, "fund 066", &[FUND], noon).await;
    let other_token = support::web::token(store, "fund 067", &[OTHER_FUND], noon).await;
    let letters: LettersConfig =
        toml::from_str("default_language = \"it\"\n[funds]\n\"067.000\" = \"fr\"\n").unwrap();
    // Bodies over 64 KiB are refused (413): the letters' hostile-input test sends one.
    let http = HttpConfig {
        max_body_bytes: 64 * 1024,
        ..HttpConfig::default()
    };
    let state = AppState::new(
        store.clone(),
        Arc::new(ManualClock::new(noon)),
        ZasCalendar::geneva(),
        http,
    )
    .with_letters(letters);
    App {
        base: support::web::serve(router(state)).await,
        token,
        other_token,
        client: reqwest::Client::new(),
    }
}

impl App {
    /// Status, content type and body of a GET.
    async fn get(&self, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    }

    /// Status, content type and body of a POST of `body` as JSON.
    async fn post(
        &self,
        path: &str,
        token: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, String, Vec<u8>) {
        let url = format!("{}{path}", self.base);
        let response = support::web::post_with_token(&self.client, url, token, body).await;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    }

    /// A POST answered with an error: its status and JSON body.
    async fn post_refused(
        &self,
        path: &str,
        token: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let (status, _, body) = self.post(path, token, body).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn json(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.get(path, token).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn text(&self, path: &str) -> String {
        let (status, content_type, body) = self.get(path, &self.token).await;
        let body = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(content_type, "text/plain; charset=utf-8");
        body
    }

    async fn pdf(&self, path: &str) -> String {
        let (status, content_type, body) = self.get(path, &self.token).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(content_type, "application/pdf");
        pdftotext(&body)
    }
}

/// The text of a PDF as `pdftotext -layout` reads it.
fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    pdftotext_file(&path)
}

fn pdftotext_file(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: scripts/test.sh installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every non-blank line of `text` is, spaces aside, a line of `pdf_text`, in the same order.
fn assert_same_lines(text: &str, pdf_text: &str) {
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let pdf_lines: Vec<String> = pdf_text
        .lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .collect();
    let text_lines: Vec<String> = text
        .lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(text_lines, pdf_lines, "the PDF holds the lines of the text");
}

/// The reminders of the token's funds with filters and paging; each links its letter; the letter
/// of one fund and day is one (whichever of its reminders links it), in the fund's language or
/// the one asked for; another fund's token gets 403 and nothing; every letter is audited.
async fn reminders_and_letters_over_http(db: TestDb) {
    let s = scenario(db.store.clone()).await;
    let app = start(&db.store).await;

    let (status, list) = app.json("/api/v1/reminders", &app.token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    let references: Vec<&str> = items
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["C-1", "A-1", "A-2", "A-3"]);
    assert_eq!(items[0]["rule"], "still_processing");
    assert_eq!(items[1]["rule"], "not_mentioned");
    assert_eq!(items[1]["announced_on"], "2026-11-10");
    assert_eq!(items[1]["due"], "2026-11-19");
    assert_eq!(items[1]["raised_on"], "2026-11-20");
    assert_eq!(items[1]["status"], "open");
    assert_eq!(items[1]["announcement_id"], s.ids["A-1"]);
    let letter_of = |i: usize| items[i]["letter"].as_str().unwrap().to_string();
    assert_eq!(
        letter_of(1),
        format!("/api/v1/reminders/{}/letter", items[1]["id"])
    );
    assert!(
        !list.to_string().contains(&avs(1).digits()),
        "the list holds no AVS number"
    );

    let filtered = |query: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .json(&format!("/api/v1/reminders?{query}"), &app.token)
                .await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["reference"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(filtered("rule=still_processing").await, ["C-1"]);
    assert_eq!(filtered("raised_on=2026-11-23").await, ["A-3"]);
    assert_eq!(
        filtered("fund=066.000&raised_on=2026-11-20&rule=not_mentioned").await,
        ["A-1", "A-2"]
    );
    assert_eq!(
        filtered("status=all&raised_on=2026-11-21").await,
        Vec::<String>::new()
    );
    let (_, page) = app.json("/api/v1/reminders?limit=3", &app.token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let after = page["next_after"].as_i64().unwrap();
    let (_, rest) = app
        .json(
            &format!("/api/v1/reminders?limit=3&after={after}"),
            &app.token,
        )
        .await;
    assert_eq!(rest["items"][0]["reference"], "A-3");
    assert!(rest["next_after"].is_null());
    for bad in [
        "rule=late",
        "status=none",
        "raised_on=20.11.2026",
        "limit=0",
        "fund=66",
        "colour=red",
    ] {
        let (status, body) = app
            .json(&format!("/api/v1/reminders?{bad}"), &app.token)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }

    // One letter for the fund and day, whichever reminder links it.
    let letter = app.text(&letter_of(1)).await;
    assert_eq!(app.text(&letter_of(2)).await, letter);
    assert_eq!(app.text(&letter_of(0)).await, letter);
    for expected in [
        "Ufficio centrale di compensazione",
        "20 novembre 2026",
        "C-1",
        "A-1",
        "A-2",
        &printed_avs(1),
        &printed_avs(2),
        &printed_avs(3),
    ] {
        assert!(
            letter.contains(expected),
            "{expected:?} missing in\n{letter}"
        );
    }
    let later = app.text(&letter_of(3)).await;
    assert_ne!(later, letter, "another day, another letter");
    assert!(later.contains("A-3") && later.contains("23 novembre 2026") && !later.contains("A-1"));
    let german = app.text(&format!("{}?language=de", letter_of(1))).await;
    assert!(german.contains("Zentrale Ausgleichsstelle") && german.contains("20. November 2026"));
    let (status, _, _) = app
        .get(&format!("{}?language=en", letter_of(1)), &app.token)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The other fund: its letter in its configured language (French), its token only.
    let (_, theirs) = app.json("/api/v1/reminders", &app.other_token).await;
    let theirs = theirs["items"].as_array().unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["reference"], "B-1");
    let their_letter = theirs[0]["letter"].as_str().unwrap().to_string();
    let (status, _, body) = app.get(&their_letter, &app.other_token).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Centrale de compensation") && body.contains(&printed_avs(4)));
    let (status, _, body) = app.get(&their_letter, &app.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!String::from_utf8_lossy(&body).contains(&printed_avs(4)));
    let (status, _, body) = app.get(&letter_of(1), &app.other_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = String::from_utf8(body).unwrap();
    for n in 1..=3 {
        assert!(!body.contains(&printed_avs(n)) && !body.contains(&avs(n).digits()));
    }
    let (status, body) = app
        .json("/api/v1/reminders?fund=066.000", &app.other_token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, _) = app.get("/api/v1/reminders/999999/letter", &app.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.get(&letter_of(1), "arcgw_nonsense").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Every letter served or refused is an audit event, without an AVS number.
    let events = db
        .store
        .query_audit(&AuditQuery {
            action: Some("letter.read".into()),
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let count = |o: AuditOutcome| events.iter().filter(|e| e.outcome == o).count();
    assert_eq!(count(AuditOutcome::Success), 6, "{events:?}");
    assert_eq!(count(AuditOutcome::Denied), 2);
    for e in &events {
        let text = format!("{} {:?}", e.details, e.target);
        assert!((1..=6).all(|n| !text.contains(&avs(n).digits())), "{text}");
    }

    // The OpenAPI document describes the three endpoints.
    let (_, doc) = app.json("/api/v1/openapi.json", &app.token).await;
    for path in [
        "/api/v1/reminders",
        "/api/v1/reminders/{id}/letter",
        "/api/v1/announcements/{id}/print",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} in the OpenAPI document"
        );
    }

    // All dealt with: nothing left to write.
    s.world.clock.set(geneva(2026, 11, 24, 9, 0));
    s.world
        .acknowledge(5, day(2026, 11, 24), &s.announcements["A-3"], 0)
        .await;
    let (status, body) = app.json(&letter_of(3), &app.token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "nothing_to_print");
}

/// The PDF of a letter holds the same lines as its text, in each language.
async fn the_pdf_letter_reads_back_as_its_text(db: TestDb) {
    scenario(db.store.clone()).await;
    let app = start(&db.store).await;
    let (_, list) = app
        .json("/api/v1/reminders?raised_on=2026-11-20", &app.token)
        .await;
    let letter = list["items"][0]["letter"].as_str().unwrap().to_string();
    for language in ["it", "de", "fr"] {
        let path = format!("{letter}?language={language}");
        let text = app.text(&path).await;
        let pdf = app.pdf(&format!("{path}&format=pdf")).await;
        assert_same_lines(&text, &pdf);
        assert!(pdf.contains(&printed_avs(3)), "{language}");
    }
}

/// A transmitted announcement prints as it was sent (N. 3403): the transmission's header and
/// its fields as in the XML; one never sent cannot be printed; another fund's token gets 403.
async fn a_transmitted_announcement_prints_as_sent(db: TestDb) {
    let s = scenario(db.store.clone()).await;
    let app = start(&db.store).await;
    let detail = db
        .store
        .announcement(s.ids["C-1"])
        .await
        .unwrap()
        .announcement;
    let (record, _) = db
        .store
        .transmission(detail.transmission_id.unwrap())
        .await
        .unwrap();
    let path = format!("/api/v1/announcements/{}/print", s.ids["C-1"]);
    let print = app.text(&path).await;
    for expected in [
        "Annuncio ARC come trasmesso all'UCC (N. 3403)",
        &record.header.message_id.to_string(),
        "T7-066000-1",
        "T6-ZAS-1",
        "27 ottobre 2026, 10:00:00 CET",
        "deliveryOffice/officeIdentifier  66",
        "deliveryOffice/branch            0",
        "reference                        C-1",
        "keyCode                          97",
        &format!("vn                               {}", avs(3).digits()),
        "order/orderDate                  2026-10-01",
    ] {
        assert!(print.contains(expected), "{expected:?} missing in\n{print}");
    }
    let pdf = app.pdf(&format!("{path}?format=pdf&language=de")).await;
    let german = app.text(&format!("{path}?language=de")).await;
    assert!(german.contains("ARC-Meldung, wie sie der ZAS übermittelt wurde"));
    assert_same_lines(&german, &pdf);

    let (status, body) = app
        .json(
            &format!("/api/v1/announcements/{}/print", s.ids["Q-1"]),
            &app.token,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "nothing_to_print");
    assert!(
        body["message"].as_str().unwrap().contains("never sent"),
        "{body}"
    );
    let (status, _, body) = app.get(&path, &app.other_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!String::from_utf8_lossy(&body).contains(&avs(3).digits()));
    let (status, _, _) = app
        .get("/api/v1/announcements/999999/print", &app.token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let events = db
        .store
        .query_audit(&AuditQuery {
            action: Some("announcement.print".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        events.len(),
        5,
        "three prints, one refused as unsent, one denied"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line

/// `arcgw reminders list` and `arcgw letter` on the same database, text and PDF, with the
/// fund's language from the configuration file; an unknown language stops it with one line.
async fn the_command_line_lists_reminders_and_writes_letters(db: TestDb) {
    scenario(db.store.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let url = db.url();
    let config = dir.path().join("arcgw.toml");
    std::fs::write(
        &config,
        "[letters]\n[letters.funds]\n\"066.000\" = \"de\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = support::proc::command(&url, dir.path())
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, err) = tokio::task::block_in_place(|| run(&["reminders", "list"]));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(
        out.contains("arcgw letter --fund 067.000 --day 2026-11-20"),
        "{out}"
    );
    assert!(!out.contains(&avs(1).digits()));
    let (_, out, _) = tokio::task::block_in_place(|| {
        run(&[
            "reminders",
            "list",
            "--fund",
            "066.000",
            "--day",
            "2026-11-23",
        ])
    });
    assert_eq!(out.lines().count(), 1, "{out}");

    let (code, letter, err) = tokio::task::block_in_place(|| {
        run(&["letter", "--fund", "066.000", "--day", "2026-11-20"])
    });
    assert_eq!(code, Some(0), "{err}");
    assert!(letter.contains("Zentrale Ausgleichsstelle") && letter.contains(&printed_avs(1)));
    let pdf = dir.path().join("letter.pdf");
    let (code, _, err) = tokio::task::block_in_place(|| {
        run(&[
            "letter",
            "--fund",
            "066.000",
            "--day",
            "2026-11-20",
            "--language",
            "it",
            "--pdf",
            pdf.to_str().unwrap(),
        ])
    });
    assert_eq!(code, Some(0), "{err}");
    let italian = tokio::task::block_in_place(|| {
        run(&[
            "letter",
            "--fund",
            "066.000",
            "--day",
            "2026-11-20",
            "--language",
            "it",
        ])
        .1
    });
    assert_same_lines(&italian, &pdftotext_file(&pdf));

    let (code, _, err) = tokio::task::block_in_place(|| {
        run(&["letter", "--fund", "066.000", "--day", "2026-11-21"])
    });
    assert_eq!(code, Some(1));
    assert!(err.contains("no pending announcement"), "{err}");
    std::fs::write(&config, "[letters]\ndefault_language = \"en\"\n").unwrap();
    let (code, _, err) = tokio::task::block_in_place(|| run(&["reminders", "list"]));
    assert_eq!(code, Some(1));
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("unknown variant `en`"), "{err}");

    let events = db
        .store
        .query_audit(&AuditQuery {
            action: Some("letter.print".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "each letter produced is audited");
}

// ---------------------------------------------------------------------------------------------
// The letters about one announcement (N. 2703, 3301)

/// Announced together on Tue 3 November 2026 at 10:00:
/// - R-1 (066.000, key 71, avs 7): the RCI was carried out (acknowledged 0 on 5 November): done.
/// - R-2 (066.000, key 71, avs 8): "still being processed" on 5 November: in_progress.
/// - A-1 (066.000, key 61, avs 1): dealt with on 5 November: done, not an RCI.
/// - A-2 (066.000, key 61, avs 2): no acknowledgement yet: announced.
/// - B-1 (067.000, key 71, avs 4): done, of the other fund.
async fn about_scenario(store: Store) -> Scenario {
    let world = World::new(store);
    let mut announcements = BTreeMap::new();
    for (reference, fund_number, key, number) in [
        ("R-1", FUND, 71, 7),
        ("R-2", FUND, 71, 8),
        ("A-1", FUND, 61, 1),
        ("A-2", FUND, 61, 2),
        ("B-1", OTHER_FUND, 71, 4),
    ] {
        announcements.insert(reference, announcement(fund_number, reference, key, number));
    }
    let batch: Vec<Announcement> = announcements.values().cloned().collect();
    let stored = world.announce(&batch, geneva(2026, 11, 3, 10, 0)).await;
    let ids: BTreeMap<&'static str, i64> = announcements.keys().copied().zip(stored).collect();
    world.clock.set(geneva(2026, 11, 5, 18, 0));
    for (sequence, (reference, code)) in [("R-1", 0), ("R-2", 2), ("A-1", 0), ("B-1", 0)]
        .into_iter()
        .enumerate()
    {
        let sequence = i64::try_from(sequence).unwrap() + 1;
        world
            .acknowledge(sequence, day(2026, 11, 5), &announcements[reference], code)
            .await;
    }
    Scenario {
        world,
        ids,
        announcements,
    }
}

fn letter_path(id: i64, kind: &str) -> String {
    format!("/api/v1/announcements/{id}/letters/{kind}")
}

/// Each letter in Italian, German and French, as text and as PDF (the same lines): to the
/// address of N. 3402, dated the day it is written, citing the announcement's reference, key,
/// AVS number and the date it was announced (N. 3301); N. 2703 lists the CIs still open with
/// their funds and AVS numbers; N. 3301 the fields and the text. Each is audited, without AVS
/// numbers or the text.
async fn letters_about_an_announcement_in_three_languages(db: TestDb) {
    let s = about_scenario(db.store.clone()).await;
    let app = start(&db.store).await;
    let open_accounts = |language: &str, format: &str| {
        serde_json::json!({"language": language, "format": format, "open_accounts": [
            {"fund": "067.000", "avs_number": printed_avs(9)},
            {"fund": "066.001"},
        ]})
        .to_string()
    };
    let correction = |language: &str, format: &str| {
        serde_json::json!({"language": language, "format": format, "fields": [7, 12],
            "text": "Il cognome comunicato è «Rossi»,\nquello giusto «Rossi-Bianchi»."})
        .to_string()
    };
    for (language, address, announced, rule_2703, rule_3301) in [
        (
            "it",
            "1211 Ginevra 28",
            "3 novembre 2026",
            "(N. 2703)",
            "(N. 3301)",
        ),
        (
            "de",
            "1211 Genf 28",
            "3. November 2026",
            "(Rz. 2703)",
            "(Rz. 3301)",
        ),
        (
            "fr",
            "1211 Genève 28",
            "3 novembre 2026",
            "(N° 2703)",
            "(N° 3301)",
        ),
    ] {
        let path = letter_path(s.ids["R-1"], "open-accounts");
        let (status, content_type, text) = app
            .post(&path, &app.token, open_accounts(language, "text"))
            .await;
        let text = String::from_utf8(text).unwrap();
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(content_type, "text/plain; charset=utf-8");
        for expected in [
            address,
            "Registrescentraux@zas.admin.ch",
            announced,
            rule_2703,
            "R-1",
            "71",
            &printed_avs(7),
            "067.000",
            &printed_avs(9),
            "066.001",
        ] {
            assert!(
                text.contains(expected),
                "{language}: {expected:?} missing in\n{text}"
            );
        }
        let (status, content_type, pdf) = app
            .post(&path, &app.token, open_accounts(language, "pdf"))
            .await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "application/pdf")
        );
        assert_same_lines(&text, &pdftotext(&pdf));

        let path = letter_path(s.ids["R-2"], "correction");
        let (status, _, text) = app
            .post(&path, &app.token, correction(language, "text"))
            .await;
        let text = String::from_utf8(text).unwrap();
        assert_eq!(status, StatusCode::OK, "{text}");
        for expected in [
            address,
            announced,
            rule_3301,
            "R-2",
            &printed_avs(8),
            "7, 12",
            "«Rossi»,",
            "«Rossi-Bianchi».",
        ] {
            assert!(
                text.contains(expected),
                "{language}: {expected:?} missing in\n{text}"
            );
        }
        let (status, _, pdf) = app
            .post(&path, &app.token, correction(language, "pdf"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_same_lines(&text, &pdftotext(&pdf));
    }
    // The date of the letter is the day it is written; without a language, the fund's.
    let (status, _, text) = app
        .post(
            &letter_path(s.ids["A-1"], "correction"),
            &app.token,
            r#"{"text":"Manca il numero AVS."}"#,
        )
        .await;
    let text = String::from_utf8(text).unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        text.contains("23 novembre 2026") && text.contains("Manca il numero AVS."),
        "{text}"
    );
    assert!(
        !text.contains("Campi (allegato 9)"),
        "no fields, no line of fields:\n{text}"
    );

    // The OpenAPI document describes both, with their bodies.
    let (_, doc) = app.json("/api/v1/openapi.json", &app.token).await;
    for (kind, schema) in [
        ("open-accounts", "OpenAccountsBody"),
        ("correction", "CorrectionBody"),
    ] {
        let path = format!("/api/v1/announcements/{{id}}/letters/{kind}");
        assert!(doc["paths"][&path]["post"].is_object(), "{path}");
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }

    for (action, successes) in [("letter.open_accounts", 6), ("letter.correction", 7)] {
        let events = db
            .store
            .query_audit(&AuditQuery {
                action: Some(action.into()),
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(events.len(), successes, "{action}: {events:?}");
        for e in &events {
            assert_eq!(e.outcome, AuditOutcome::Success);
            let text = format!("{} {:?}", e.details, e.target);
            assert!(
                [7, 8, 9, 1]
                    .iter()
                    .all(|n| !text.contains(&avs(*n).digits()) && !text.contains(&printed_avs(*n))),
                "{text}"
            );
            assert!(!text.contains("Rossi") && !text.contains("Manca"), "{text}");
        }
    }
}

/// The rules: N. 2703 only for an RCI that is done, N. 3301 only for an announcement the ZAS
/// acknowledged (409 naming the rule); another fund's announcement is refused (403); hostile
/// bodies are refused naming the field and the rule (huge, not UTF-8, unknown language, a
/// malformed fund); every refusal is audited and nothing stored changes.
async fn letters_refused_where_their_rules_do_not_allow(db: TestDb) {
    let s = about_scenario(db.store.clone()).await;
    let app = start(&db.store).await;
    let states_before = {
        let mut states = Vec::new();
        for id in s.ids.values() {
            states.push(db.store.announcement(*id).await.unwrap());
        }
        states
    };
    let one_account = r#"{"open_accounts":[{"fund":"067.000"}]}"#;
    let a_text = r#"{"text":"Nome errato"}"#;
    for (reference, kind, body, contains) in [
        (
            "R-2",
            "open-accounts",
            one_account,
            &["N. 2703", "in_progress"][..],
        ),
        (
            "A-1",
            "open-accounts",
            one_account,
            &["N. 2703", "key 61, not an RCI"],
        ),
        (
            "A-2",
            "correction",
            a_text,
            &["N. 3301", "no acknowledgement"],
        ),
    ] {
        let (status, body) = app
            .post_refused(&letter_path(s.ids[reference], kind), &app.token, body)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{reference}: {body}");
        assert_eq!(body["error"], "not_allowed");
        let message = body["message"].as_str().unwrap();
        for c in contains {
            assert!(
                message.contains(c),
                "{reference}: {c:?} missing in {message}"
            );
        }
    }
    // Another fund's announcement, and one's own with another fund's token.
    for (reference, token) in [("B-1", &app.token), ("R-1", &app.other_token)] {
        let (status, _, body) = app
            .post(
                &letter_path(s.ids[reference], "open-accounts"),
                token,
                one_account,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{reference}");
        let body = String::from_utf8_lossy(&body).to_string();
        assert!(!body.contains(&printed_avs(4)) && !body.contains(&printed_avs(7)));
    }
    let (status, _, _) = app
        .post(&letter_path(999_999, "correction"), &app.token, a_text)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .post(
            &letter_path(s.ids["R-1"], "correction"),
            "arcgw_nonsense",
            a_text,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Hostile bodies.
    let r1 = letter_path(s.ids["R-1"], "open-accounts");
    let a1 = letter_path(s.ids["A-1"], "correction");
    let long_text = serde_json::json!({"text": "x".repeat(10_000)}).to_string();
    for (path, body, status, error, start) in [
        (
            &a1,
            long_text.into_bytes(),
            422,
            "invalid_field",
            "text: 10000 characters, at most 2000",
        ),
        (
            &a1,
            b"{\"text\":\"Nome \xff\"}".to_vec(),
            400,
            "unreadable",
            "body: not UTF-8",
        ),
        (
            &a1,
            br#"{"text":"x","language":"en"}"#.to_vec(),
            422,
            "invalid_field",
            "language: unknown language \"en\"",
        ),
        (
            &a1,
            br#"{"text":"x\u0000"}"#.to_vec(),
            422,
            "invalid_field",
            "text: character 2 (U+0000)",
        ),
        (
            &a1,
            br#"{"text":"x","fields":[0]}"#.to_vec(),
            422,
            "invalid_field",
            "fields[0]: 0 is not a field number",
        ),
        (
            &r1,
            br#"{"open_accounts":[{"fund":"66"}]}"#.to_vec(),
            422,
            "invalid_field",
            "open_accounts[0].fund: ",
        ),
        (
            &r1,
            br#"{"open_accounts":[{"fund":"067.000","avs_number":"756.0000.0000.00"}]}"#.to_vec(),
            422,
            "invalid_field",
            "open_accounts[0].avs_number: ",
        ),
        (
            &r1,
            br#"{"open_accounts":[{"fund":"067.000"}],"format":"docx"}"#.to_vec(),
            422,
            "invalid_field",
            "format: unknown format",
        ),
        (
            &r1,
            b"not json".to_vec(),
            400,
            "unreadable",
            "body: not JSON",
        ),
    ] {
        let (got, body) = app.post_refused(path, &app.token, body).await;
        assert_eq!(got.as_u16(), status, "{start}: {body}");
        assert_eq!(body["error"], error, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(start),
            "{message:?} does not start with {start:?}"
        );
    }
    // Larger than [http] max_body_bytes: refused before it is read.
    let (status, _, _) = app.post(&a1, &app.token, vec![b'x'; 200 * 1024]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Every refusal is audited; nothing stored changed.
    let events = db
        .store
        .query_audit(&AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let count = |action: &str, outcome: AuditOutcome| {
        events
            .iter()
            .filter(|e| e.action == action && e.outcome == outcome)
            .count()
    };
    assert_eq!(count("letter.open_accounts", AuditOutcome::Failure), 2 + 4);
    assert_eq!(count("letter.correction", AuditOutcome::Failure), 1 + 5);
    assert_eq!(count("letter.open_accounts", AuditOutcome::Denied), 2);
    assert_eq!(count("letter.open_accounts", AuditOutcome::Success), 0);
    for (id, before) in s.ids.values().zip(states_before) {
        assert_eq!(db.store.announcement(*id).await.unwrap(), before);
    }
}

/// The dashboard's announcement page offers each letter's form only where its rule allows; the
/// form, posted with the page's anti-CSRF token, answers the letter as a file to save; a form
/// without the token is refused; a wrong field is named; another fund's announcement is not
/// found. Audited as the API's letters.
async fn the_dashboard_offers_and_writes_the_letters(db: TestDb) {
    let s = about_scenario(db.store.clone()).await;
    let web = support::web::start(db.store.clone()).await;
    let clerk = web.person("clerk", Role::Clerk, &[FUND]).await;
    let page = |reference: &str| {
        let (web, clerk) = (&web, &clerk);
        let id = s.ids[reference];
        async move {
            let response = web.get(&format!("/announcements/{id}"), clerk).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    let html = page("R-1").await;
    assert!(html.contains(r#"id="letter-open-accounts""#), "{html}");
    assert!(html.contains(r#"id="letter-correction""#));
    assert!(html.contains(&format!(r#"name="csrf" value="{}""#, clerk.csrf)));
    let html = page("R-2").await;
    assert!(
        !html.contains(r#"id="letter-open-accounts""#)
            && html.contains(r#"id="letter-correction""#)
    );
    let html = page("A-2").await;
    assert!(
        html.contains(r#"id="no-letters""#)
            && !html.contains("<form method=\"post\" action=\"/announcements/")
    );

    let r1 = format!("/announcements/{}/letters/open-accounts", s.ids["R-1"]);
    let nine = printed_avs(9);
    let rows = [
        ("language", "de"),
        ("format", "pdf"),
        ("fund", "067.000"),
        ("avs_number", nine.as_str()),
        ("fund", ""),
        ("avs_number", ""),
    ];
    let response = web.post_form(&r1, &clerk, &rows).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"letter-open-accounts-{}-de.pdf\"",
            s.ids["R-1"]
        )
    );
    let pdf = pdftotext(&response.bytes().await.unwrap());
    for expected in [
        "Zentrale Ausgleichsstelle",
        "(Rz. 2703)",
        "3. November 2026",
        &printed_avs(7),
        &nine,
    ] {
        assert!(pdf.contains(expected), "{expected:?} missing in\n{pdf}");
    }
    let r2 = format!("/announcements/{}/letters/correction", s.ids["R-2"]);
    let response = web
        .post_form(
            &r2,
            &clerk,
            &[
                ("format", "text"),
                ("fields", "7, 12"),
                ("text", "Il nome è sbagliato."),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains("(N. 3301)")
            && text.contains("7, 12")
            && text.contains("Il nome è sbagliato."),
        "{text}"
    );

    // Refused: the rule, a wrong field, no anti-CSRF token, another fund's announcement.
    let refused = web
        .post_form(
            &format!("/announcements/{}/letters/open-accounts", s.ids["R-2"]),
            &clerk,
            &rows,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("N. 2703"));
    let bad = web
        .post_form(&r2, &clerk, &[("text", "x"), ("fields", "7 x")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("fields[1]"));
    let forged = web
        .client
        .post(web.url(&r2))
        .header("cookie", format!("arcgw_session={}", clerk.session))
        .header("content-type", support::web::FORM)
        .body(support::web::form(&[("text", "x")]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let theirs = web
        .post_form(
            &format!("/announcements/{}/letters/correction", s.ids["B-1"]),
            &clerk,
            &[("text", "x")],
        )
        .await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert!(!theirs.text().await.unwrap().contains(&printed_avs(4)));

    let events = db
        .store
        .query_audit(&AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let letters: Vec<_> = events
        .iter()
        .filter(|e| e.action.starts_with("letter."))
        .collect();
    let outcomes = |o: AuditOutcome| letters.iter().filter(|e| e.outcome == o).count();
    assert_eq!(outcomes(AuditOutcome::Success), 2, "{letters:?}");
    assert_eq!(outcomes(AuditOutcome::Failure), 2);
    assert_eq!(outcomes(AuditOutcome::Denied), 1);
    assert!(letters.iter().all(|e| e.actor == "user:clerk"));
}

support::db::on_both_backends!(
    one_letter_per_fund_and_day_in_three_languages,
    a_person_without_given_names_is_nn_in_the_letter,
    resolved_announcements_leave_the_letter,
    reminders_and_letters_over_http,
    the_pdf_letter_reads_back_as_its_text,
    a_transmitted_announcement_prints_as_sent,
    the_command_line_lists_reminders_and_writes_letters,
    letters_about_an_announcement_in_three_languages,
    letters_refused_where_their_rules_do_not_allow,
    the_dashboard_offers_and_writes_the_letters,
);
