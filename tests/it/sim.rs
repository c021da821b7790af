//! The ZAS simulator over real mutual TLS on loopback: certificates, receipts, every outcome and
//! every fault, the acknowledgement feed, and the `arcgw zas-sim` command.

use std::sync::Arc;
use std::time::Duration;

use arcgw::clock::{Clock, ManualClock, SystemClock};
use arcgw::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, Announcement, AvsNumber,
    Beneficiary, BirthDate, ClosingMonth, CollectionOrder, Domicile, FundNumber, KeyCode,
    MessageHeader, MessageId, Observation, ParticipantId, Particulars, Person, PersonName,
    Processing, Reference, RefusalCode, Sex, SplitYear, SplittingOrder, StateCode, Transmission,
};
use arcgw::dtxml::{self, ReadLimits};
use arcgw::pki::{self, DEFAULT_SERVER_NAMES, TestPki};
use arcgw::sim::{
    self, AcknowledgementPage, Outcome, Receipt, Rule, Scenarios, SimConfig, SimHandle,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use reqwest::{Certificate, Identity, StatusCode};

use crate::support::flow::day;

const FUND_SENDER: &str = "T7-000000-1";

// ---------------------------------------------------------------------------------------------
// Building transmissions

fn key(code: i64) -> KeyCode {
    KeyCode::new(code).unwrap()
}

fn fund() -> FundNumber {
    FundNumber::new(66, 0).unwrap()
}

fn avs() -> AvsNumber {
    AvsNumber::parse("756.1234.5678.97").unwrap()
}

fn spouse() -> AvsNumber {
    AvsNumber::parse("756.9217.0769.85").unwrap()
}

fn person() -> Person {
    Person {
        name: PersonName::fit("Muster", "Anna Maria").unwrap().0,
        sex: Sex::Female,
        birth_date: BirthDate::Day(NaiveDate::from_ymd_opt(1984, 9, 4).unwrap()),
        country: StateCode::new(100).unwrap(),
    }
}

/// An announcement of `code` with the particulars its key needs; certificate keys go without
/// an AVS number when `with_number` is false.
fn announcement(code: i64, reference: &str, with_number: bool) -> Announcement {
    let k = key(code);
    let particulars = match k.fields() {
        arcgw::domain::FieldSet::Certificate => Particulars::Certificate {
            avs_number: with_number.then(avs),
            person: person(),
        },
        arcgw::domain::FieldSet::Account => Particulars::Account { avs_number: avs() },
        arcgw::domain::FieldSet::Collection => Particulars::Collection {
            avs_number: avs(),
            order: CollectionOrder {
                beneficiary: Beneficiary::Insured,
                closing: ClosingMonth::new(2026, 12).unwrap(),
                order_date: day(2026, 11, 16),
                domicile: Domicile::NotInSwitzerland,
            },
        },
        arcgw::domain::FieldSet::Order => Particulars::Order {
            avs_number: avs(),
            order_date: day(2026, 11, 16),
        },
        arcgw::domain::FieldSet::Splitting => Particulars::Splitting {
            avs_number: avs(),
            order: SplittingOrder::new(
                spouse(),
                vec![SplitYear {
                    year: 2001,
                    special: None,
                }],
            )
            .unwrap(),
        },
        arcgw::domain::FieldSet::Domicile => Particulars::Domicile {
            avs_number: avs(),
            domicile: Domicile::Convention,
        },
        arcgw::domain::FieldSet::SplittingRevocation => Particulars::SplittingRevocation {
            avs_number: avs(),
            spouse: spouse(),
        },
        arcgw::domain::FieldSet::CollectionRevocation => Particulars::CollectionRevocation {
            avs_number: avs(),
            closing: ClosingMonth::new(2026, 12).unwrap(),
        },
    };
    Announcement::new(fund(), Reference::new(reference).unwrap(), k, particulars).unwrap()
}

fn transmission_from(sender: &str, announcements: Vec<Announcement>) -> Transmission {
    Transmission {
        header: MessageHeader {
            sender_id: ParticipantId::new(sender).unwrap(),
            recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
            message_id: MessageId::new(&uuid::Uuid::new_v4().to_string()).unwrap(),
            reference_message_id: None,
            message_date: Utc.with_ymd_and_hms(2026, 11, 19, 9, 0, 0).unwrap(),
            test_delivery: true,
        },
        announcements,
    }
}

fn transmission(announcements: Vec<Announcement>) -> Transmission {
    transmission_from(FUND_SENDER, announcements)
}

fn xml(t: &Transmission) -> String {
    dtxml::write_transmission(t).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Running the simulator and talking to it

/// Thursday 19 November 2026, 10:00 in Geneva.
fn thursday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 19, 9, 0, 0).unwrap()
}

fn test_pki() -> TestPki {
    pki::install_crypto_provider();
    TestPki::generate(&DEFAULT_SERVER_NAMES, 2).unwrap()
}

async fn start_with(
    pki: &TestPki,
    config: impl FnOnce(&mut SimConfig),
    clock: Arc<dyn Clock>,
) -> SimHandle {
    let mut c = SimConfig::from_pki(pki);
    config(&mut c);
    sim::start(c, clock).await.unwrap()
}

async fn start(pki: &TestPki, rules: Vec<Rule>) -> SimHandle {
    let scenarios = Scenarios::new(rules, Outcome::Done).unwrap();
    start_with(
        pki,
        |c| c.scenarios = scenarios,
        Arc::new(ManualClock::new(thursday())),
    )
    .await
}

fn client_builder(pki: &TestPki) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .tls_certs_only([Certificate::from_pem(pki.ca_cert_pem.as_bytes()).unwrap()])
        .timeout(Duration::from_secs(20))
}

fn client(pki: &TestPki) -> reqwest::Client {
    client_builder(pki)
        .identity(Identity::from_pem(pki.client_identity_pem().as_bytes()).unwrap())
        .build()
        .unwrap()
}

async fn post_raw(
    client: &reqwest::Client,
    sim: &SimHandle,
    body: impl Into<reqwest::Body>,
    message_id: Option<&str>,
) -> (StatusCode, Receipt) {
    let mut request = client
        .post(format!("{}/v1/transmissions", sim.url()))
        .header("content-type", "application/xml")
        .body(body);
    if let Some(id) = message_id {
        request = request.header("X-Message-Id", id);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn post(
    client: &reqwest::Client,
    sim: &SimHandle,
    t: &Transmission,
) -> (StatusCode, Receipt) {
    post_raw(client, sim, xml(t), Some(t.header.message_id.as_str())).await
}

async fn poll(client: &reqwest::Client, sim: &SimHandle, after: u64) -> AcknowledgementPage {
    client
        .get(format!("{}/v1/acknowledgements?after={after}", sim.url()))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn read(xml: &str) -> Acknowledgement {
    dtxml::read_acknowledgement(xml.as_bytes(), &ReadLimits::default()).unwrap()
}

/// Every acknowledgement readable so far, read.
async fn all_acks(client: &reqwest::Client, sim: &SimHandle) -> Vec<Acknowledgement> {
    poll(client, sim, 0)
        .await
        .acknowledgements
        .iter()
        .map(|a| read(&a.xml))
        .collect()
}

fn entry<'a>(acks: &'a [Acknowledgement], reference: &str) -> Vec<&'a AcknowledgementEntry> {
    acks.iter()
        .flat_map(|a| &a.entries)
        .filter(|e| e.reference.as_str() == reference)
        .collect()
}

fn accepted(receipt: &(StatusCode, Receipt)) {
    assert_eq!(receipt.0, StatusCode::OK, "{receipt:?}");
    assert_eq!(receipt.1.status, sim::TRANSMITTED, "{receipt:?}");
}

// ---------------------------------------------------------------------------------------------
// Mutual TLS

#[tokio::test]
async fn a_client_without_a_certificate_is_refused() {
    let pki = test_pki();
    let sim = start(&pki, vec![]).await;
    let anonymous = client_builder(&pki).build().unwrap();
    let result = anonymous
        .get(format!("{}/v1/health", sim.url()))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    // The same request with the certificate goes through.
    let ok = client(&pki)
        .get(format!("{}/v1/health", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.unwrap(), "ok");
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_client_certificate_of_another_ca_is_refused() {
    let pki = test_pki();
    let sim = start(&pki, vec![]).await;
    let stranger = pki::foreign_client(FUND_SENDER, 2).unwrap();
    let client = client_builder(&pki)
        .identity(Identity::from_pem(stranger.identity_pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let t = transmission(vec![announcement(61, "A-1", true)]);
    let result = client
        .post(format!("{}/v1/transmissions", sim.url()))
        .header("X-Message-Id", t.header.message_id.as_str())
        .body(xml(&t))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    assert!(sim.received_message_ids().is_empty());
    sim.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Receipts

#[tokio::test]
async fn a_transmission_is_taken_once_and_its_acknowledgement_can_be_read() {
    let pki = test_pki();
    let sim = start(&pki, vec![]).await;
    let client = client(&pki);
    let t = transmission(vec![
        announcement(61, "A-1", true),
        announcement(63, "A-2", true),
    ]);
    let id = t.header.message_id.clone();

    let first = post(&client, &sim, &t).await;
    accepted(&first);
    assert_eq!(first.1.message_id, id.as_str());

    let page = poll(&client, &sim, 0).await;
    assert_eq!(page.acknowledgements.len(), 1);
    assert_eq!(page.next_after, page.acknowledgements[0].sequence);
    let ack = read(&page.acknowledgements[0].xml);
    assert_eq!(ack.header.sender_id.as_str(), "T6-ZAS-1");
    assert_eq!(ack.header.recipient_id.as_str(), FUND_SENDER);
    assert_eq!(ack.header.reference_message_id.as_ref(), Some(&id));
    assert_ne!(ack.header.message_id, id);
    assert_eq!(ack.acknowledgement_date, day(2026, 11, 19));
    assert_eq!(ack.entries.len(), 2);
    for (e, reference) in ack.entries.iter().zip(["A-1", "A-2"]) {
        assert_eq!(e.reference.as_str(), reference);
        assert_eq!(e.fund, fund());
        assert_eq!(e.avs_number, Some(avs()));
        assert_eq!(e.message_id.as_ref(), Some(&id));
        assert_eq!(e.processing, Processing::Done);
    }

    // The repeat: 201, not processed again, nothing issued again.
    let again = post(&client, &sim, &t).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(again.1.status, sim::DUPLICATE);
    assert_eq!(sim.transmissions_processed(), 1);
    assert_eq!(sim.received_message_ids(), vec![id.clone()]);
    assert_eq!(sim.duplicates(), vec![id]);
    assert_eq!(sim.acknowledgements_issued().len(), 1);

    // Nothing after the last sequence; next_after stays.
    let rest = poll(&client, &sim, page.next_after).await;
    assert!(rest.acknowledgements.is_empty());
    assert_eq!(rest.next_after, page.next_after);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_feed_pages_by_sequence() {
    let pki = test_pki();
    let sim = start(&pki, vec![]).await;
    let client = client(&pki);
    for i in 0..5 {
        accepted(
            &post(
                &client,
                &sim,
                &transmission(vec![announcement(61, &format!("P-{i}"), true)]),
            )
            .await,
        );
    }
    let page: AcknowledgementPage = client
        .get(format!("{}/v1/acknowledgements?after=1&limit=2", sim.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sequences: Vec<u64> = page.acknowledgements.iter().map(|a| a.sequence).collect();
    assert_eq!(sequences, [2, 3]);
    assert_eq!(page.next_after, 3);
    let rest = poll(&client, &sim, 3).await;
    assert_eq!(rest.acknowledgements.len(), 2);
    assert_eq!(rest.next_after, 5);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn envelope_errors_get_their_sedex_codes() {
    let pki = test_pki();
    let sim = start_with(
        &pki,
        |c| {
            c.max_body_bytes = 4000;
            c.senders = Some(vec![ParticipantId::new(FUND_SENDER).unwrap()]);
        },
        Arc::new(SystemClock),
    )
    .await;
    let client = client(&pki);
    let t = transmission(vec![announcement(61, "E-1", true)]);
    let id = t.header.message_id.as_str();

    // No X-Message-Id header.
    let r = post_raw(&client, &sim, xml(&t), None).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::BAD_REQUEST, sim::INVALID_ENVELOPE)
    );
    assert!(r.1.description.contains("X-Message-Id"), "{r:?}");

    // Header and XML disagree.
    let r = post_raw(&client, &sim, xml(&t), Some("another-id")).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::BAD_REQUEST, sim::INVALID_ENVELOPE)
    );
    assert!(r.1.description.contains("another-id"), "{r:?}");

    // Malformed XML: the reader's error is the description.
    let mut broken = xml(&t);
    broken.truncate(broken.len() - 30);
    let r = post_raw(&client, &sim, broken, Some(id)).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::BAD_REQUEST, sim::INVALID_ENVELOPE)
    );
    assert!(
        ["truncated", "malformed XML"]
            .iter()
            .any(|w| r.1.description.contains(w)),
        "{r:?}"
    );

    // Hostile XML: a DOCTYPE.
    let hostile = xml(&t).replacen(
        "<message",
        "<!DOCTYPE message [<!ENTITY x \"y\">]><message",
        1,
    );
    let r = post_raw(&client, &sim, hostile, Some(id)).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::BAD_REQUEST, sim::INVALID_ENVELOPE)
    );
    assert!(r.1.description.contains("DOCTYPE"), "{r:?}");

    // Empty body.
    let r = post_raw(&client, &sim, "", Some(id)).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::BAD_REQUEST, sim::NO_PAYLOAD)
    );

    // Too large.
    let r = post_raw(&client, &sim, "x".repeat(4001), Some(id)).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::PAYLOAD_TOO_LARGE, sim::TOO_LARGE)
    );

    // Unknown sender.
    let other = transmission_from("T7-066000-1", vec![announcement(61, "E-2", true)]);
    let r = post(&client, &sim, &other).await;
    assert_eq!(
        (r.0, r.1.status),
        (StatusCode::FORBIDDEN, sim::UNKNOWN_SENDER)
    );

    assert!(sim.received_message_ids().is_empty());
    assert!(sim.acknowledgements_issued().is_empty());
    // After all that, the good one goes through.
    accepted(&post(&client, &sim, &t).await);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_full_simulator_answers_503() {
    let pki = test_pki();
    let sim = start_with(&pki, |c| c.max_entries = 2, Arc::new(SystemClock)).await;
    let client = client(&pki);
    let t = transmission(vec![
        announcement(61, "F-1", true),
        announcement(63, "F-2", true),
    ]);
    accepted(&post(&client, &sim, &t).await);
    let more = transmission(vec![announcement(61, "F-3", true)]);
    let r = post(&client, &sim, &more).await;
    assert_eq!(r.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(sim.transmissions_processed(), 1);
    // A repeat of what it holds is still recognised.
    assert_eq!(post(&client, &sim, &t).await.1.status, sim::DUPLICATE);
    sim.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Outcomes

#[tokio::test]
async fn done_entries_carry_the_results_of_their_key() {
    let pki = test_pki();
    let sim = start(&pki, vec![]).await;
    let client = client(&pki);
    let t = transmission(vec![
        announcement(11, "C-11", false),
        announcement(21, "C-21", true),
        announcement(33, "C-33", true),
        announcement(43, "C-43", true),
        announcement(61, "C-61", true),
        announcement(71, "C-71", true),
        announcement(95, "C-95", true),
        announcement(92, "C-92", true),
        announcement(99, "C-99", true),
    ]);
    accepted(&post(&client, &sim, &t).await);
    let acks = all_acks(&client, &sim).await;
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].entries.len(), 9);
    let one = |r: &str| {
        let e = entry(&acks, r);
        assert_eq!(e.len(), 1, "{r}");
        assert_eq!(e[0].processing, Processing::Done, "{r}");
        e[0].clone()
    };

    // 11 without a number: a new, valid number, the same in the entry and on the certificate.
    let e11 = one("C-11");
    let assigned = e11.avs_number.expect("the ZAS assigns a number");
    assert_ne!(assigned, avs());
    assert_eq!(AvsNumber::parse(&assigned.digits()), Ok(assigned));
    match e11.result {
        Some(AcknowledgementResult::Certificate(print)) => {
            assert_eq!(print.avs_number, assigned);
            assert_eq!(print.name, person().name);
            assert_eq!(print.sex, Sex::Female);
            assert_eq!(print.birth_date, person().birth_date);
            assert_eq!(print.country, person().country);
            assert_eq!(print.issue_date, day(2026, 11, 19));
        }
        other => panic!("certificate expected, got {other:?}"),
    }
    // 21 (with CI): the certificate, with the given number.
    assert!(matches!(
        one("C-21").result,
        Some(AcknowledgementResult::Certificate(p)) if p.avs_number == avs()
    ));
    // 33: nothing; 43 and 61: the authorisation to open a CI for the announcing fund.
    assert_eq!(one("C-33").result, None);
    for r in ["C-43", "C-61"] {
        assert_eq!(
            one(r).result,
            Some(AcknowledgementResult::AccountOpening {
                avs_number: avs(),
                fund: fund()
            }),
            "{r}"
        );
    }
    // 71: the RCI confirmation with two account funds.
    match one("C-71").result {
        Some(AcknowledgementResult::CollectionConfirmation {
            avs_number,
            account_funds,
            other_avs_numbers,
        }) => {
            assert_eq!(avs_number, avs());
            assert_eq!(account_funds.len(), 2);
            assert_eq!(account_funds[0], fund());
            assert_ne!(account_funds[1], fund());
            assert!(other_avs_numbers.is_empty());
        }
        other => panic!("collection confirmation expected, got {other:?}"),
    }
    // 95: the splitting confirmation with the spouse.
    match one("C-95").result {
        Some(AcknowledgementResult::SplittingConfirmation {
            avs_number,
            spouse_avs_number,
            account_funds,
        }) => {
            assert_eq!((avs_number, spouse_avs_number), (avs(), spouse()));
            assert_eq!(account_funds.len(), 2);
        }
        other => panic!("splitting confirmation expected, got {other:?}"),
    }
    // 92 and 99: dealt with, no result.
    assert_eq!(one("C-92").result, None);
    assert_eq!(one("C-99").result, None);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn in_progress_refused_never_and_investigate() {
    let pki = test_pki();
    let refused = Outcome::Refused {
        code: RefusalCode::new(3).unwrap(),
        observations: vec![
            Observation {
                code: 112,
                text: Some("no RCI to revoke".into()),
            },
            Observation {
                code: 7,
                text: None,
            },
        ],
        wrong_fields: vec![7, 12],
    };
    let clock = Arc::new(ManualClock::new(thursday()));
    let scenarios = Scenarios::new(
        vec![
            Rule::reference_prefix("PEND-", Outcome::InProgress),
            Rule::reference_prefix("NEVER-", Outcome::Never),
            Rule::reference_prefix(
                "INV-",
                Outcome::Investigate {
                    instructions: "Check the birth date with the civil register.".into(),
                },
            ),
            Rule::key(key(99), refused),
        ],
        Outcome::Done,
    )
    .unwrap();
    let sim = start_with(&pki, |c| c.scenarios = scenarios, clock.clone()).await;
    let client = client(&pki);
    let t = transmission(vec![
        announcement(61, "PEND-1", true),
        announcement(61, "NEVER-1", true),
        announcement(11, "INV-1", false),
        announcement(99, "R-1", true),
        announcement(63, "OK-1", true),
    ]);
    accepted(&post(&client, &sim, &t).await);
    let acks = all_acks(&client, &sim).await;
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].entries.len(), 4, "nothing for NEVER-1");

    let pending = entry(&acks, "PEND-1");
    assert_eq!(pending[0].processing, Processing::InProgress);
    assert_eq!(pending[0].result, None);
    assert!(entry(&acks, "NEVER-1").is_empty());
    let investigate = entry(&acks, "INV-1");
    assert_eq!(investigate[0].processing, Processing::InProgress);
    assert_eq!(
        investigate[0].investigation.as_deref(),
        Some("Check the birth date with the civil register.")
    );
    assert_eq!(
        investigate[0].avs_number, None,
        "not assigned while investigating"
    );
    let r = entry(&acks, "R-1");
    assert_eq!(
        r[0].processing,
        Processing::Refused(RefusalCode::new(3).unwrap())
    );
    assert_eq!(r[0].observations.len(), 2);
    assert_eq!(r[0].observations[0].code, 112);
    assert_eq!(
        r[0].observations[0].text.as_deref(),
        Some("no RCI to revoke")
    );
    assert_eq!(r[0].wrong_fields, [7, 12]);
    assert_eq!(r[0].result, None);
    assert_eq!(entry(&acks, "OK-1")[0].processing, Processing::Done);

    // Thirty days later nothing more has come, for any of them.
    clock.advance(chrono::TimeDelta::days(30));
    assert_eq!(poll(&client, &sim, 0).await.acknowledgements.len(), 1);
    assert_eq!(sim.scheduled_entries(), 0);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn in_progress_then_done_follows_the_working_days_of_the_manual_clock() {
    let pki = test_pki();
    let clock = Arc::new(ManualClock::new(thursday()));
    let scenarios = Scenarios::new(
        vec![Rule::reference_prefix(
            "PROG-",
            Outcome::InProgressThenDone {
                after_working_days: 3,
            },
        )],
        Outcome::Done,
    )
    .unwrap();
    let sim = start_with(&pki, |c| c.scenarios = scenarios, clock.clone()).await;
    let client = client(&pki);
    let t = transmission(vec![
        announcement(11, "PROG-1", false),
        announcement(61, "N-1", true),
    ]);
    accepted(&post(&client, &sim, &t).await);

    // Thursday 19 November: code 2 for PROG-1, done for N-1, in one acknowledgement.
    let first = poll(&client, &sim, 0).await;
    assert_eq!(first.acknowledgements.len(), 1);
    let ack = read(&first.acknowledgements[0].xml);
    assert_eq!(
        entry(std::slice::from_ref(&ack), "PROG-1")[0].processing,
        Processing::InProgress
    );
    assert_eq!(entry(&[ack], "N-1")[0].processing, Processing::Done);
    assert_eq!(sim.scheduled_entries(), 1);

    // Friday 20, Saturday 21, Sunday 22, Monday 23: 1 and 2 working days; still nothing.
    for d in [20, 21, 22, 23] {
        clock.set(Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0).unwrap());
        let page = poll(&client, &sim, first.next_after).await;
        assert!(page.acknowledgements.is_empty(), "November {d}");
    }
    // Tuesday 24 November: the third working day; done, with the certificate of that day.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap());
    let page = poll(&client, &sim, first.next_after).await;
    assert_eq!(page.acknowledgements.len(), 1);
    let later = read(&page.acknowledgements[0].xml);
    assert_eq!(later.acknowledgement_date, day(2026, 11, 24));
    assert_eq!(
        later.header.reference_message_id.as_ref(),
        Some(&t.header.message_id)
    );
    assert_eq!(later.entries.len(), 1);
    let done = &later.entries[0];
    assert_eq!(done.reference.as_str(), "PROG-1");
    assert_eq!(done.processing, Processing::Done);
    assert_eq!(done.message_id.as_ref(), Some(&t.header.message_id));
    let number = done.avs_number.expect("assigned");
    match &done.result {
        Some(AcknowledgementResult::Certificate(print)) => {
            assert_eq!(print.avs_number, number);
            assert_eq!(print.issue_date, day(2026, 11, 24));
        }
        other => panic!("certificate expected, got {other:?}"),
    }
    assert_eq!(sim.scheduled_entries(), 0);
    // Issued once only.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 24, 9, 0, 0).unwrap());
    assert_eq!(poll(&client, &sim, 0).await.acknowledgements.len(), 2);
    sim.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn http_500_then_accepted() {
    let pki = test_pki();
    let sim = start(
        &pki,
        vec![Rule::reference_prefix(
            "ERR-",
            Outcome::Http500 { times: 2 },
        )],
    )
    .await;
    let client = client(&pki);
    let t = transmission(vec![announcement(61, "ERR-1", true)]);
    for _ in 0..2 {
        let r = post(&client, &sim, &t).await;
        assert_eq!(
            (r.0, r.1.status),
            (StatusCode::INTERNAL_SERVER_ERROR, sim::ADAPTER_ERROR)
        );
        assert!(sim.received_message_ids().is_empty());
    }
    accepted(&post(&client, &sim, &t).await);
    assert_eq!(post(&client, &sim, &t).await.1.status, sim::DUPLICATE);
    let acks = all_acks(&client, &sim).await;
    assert_eq!(acks.len(), 1);
    assert_eq!(entry(&acks, "ERR-1")[0].processing, Processing::Done);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn reset_records_then_cuts_and_the_resend_is_a_duplicate() {
    let pki = test_pki();
    let sim = start(&pki, vec![Rule::reference_prefix("CUT-", Outcome::Reset)]).await;
    let client = client(&pki);
    let t = transmission(vec![announcement(61, "CUT-1", true)]);
    let outcome = async {
        let response = client
            .post(format!("{}/v1/transmissions", sim.url()))
            .header("X-Message-Id", t.header.message_id.as_str())
            .body(xml(&t))
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "no answer expected: {outcome:?}");
    assert_eq!(
        sim.received_message_ids(),
        vec![t.header.message_id.clone()]
    );

    let again = post(&client, &sim, &t).await;
    assert_eq!(again.1.status, sim::DUPLICATE);
    assert_eq!(sim.transmissions_processed(), 1);
    let acks = all_acks(&client, &sim).await;
    assert_eq!(acks.len(), 1, "processed once");
    assert_eq!(entry(&acks, "CUT-1").len(), 1);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn slow_answers_exceed_the_client_timeout() {
    let pki = test_pki();
    let slow = |record_before_delay| Outcome::Slow {
        delay: Duration::from_millis(1500),
        record_before_delay,
        times: Some(1),
    };
    let sim = start(
        &pki,
        vec![
            Rule::reference_prefix("LATE-", slow(false)),
            Rule::reference_prefix("KEPT-", slow(true)),
        ],
    )
    .await;
    let impatient = client_builder(&pki)
        .identity(Identity::from_pem(pki.client_identity_pem().as_bytes()).unwrap())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let patient = client(&pki);

    // Not recorded before the delay: the timed-out POST left nothing.
    let late = transmission(vec![announcement(61, "LATE-1", true)]);
    let r = impatient
        .post(format!("{}/v1/transmissions", sim.url()))
        .header("X-Message-Id", late.header.message_id.as_str())
        .body(xml(&late))
        .send()
        .await;
    assert!(r.as_ref().is_err_and(reqwest::Error::is_timeout), "{r:?}");
    assert!(!sim.received_message_ids().contains(&late.header.message_id));
    // The second POST is not delayed (times = 1) and is taken in.
    let r = post(&patient, &sim, &late).await;
    assert!(
        matches!(r.1.status, sim::TRANSMITTED | sim::DUPLICATE),
        "{r:?}"
    );

    // Recorded before the delay: the timed-out POST was taken in; the resend is a duplicate.
    let kept = transmission(vec![announcement(61, "KEPT-1", true)]);
    let r = impatient
        .post(format!("{}/v1/transmissions", sim.url()))
        .header("X-Message-Id", kept.header.message_id.as_str())
        .body(xml(&kept))
        .send()
        .await;
    assert!(r.as_ref().is_err_and(reqwest::Error::is_timeout), "{r:?}");
    assert!(sim.received_message_ids().contains(&kept.header.message_id));
    assert_eq!(post(&patient, &sim, &kept).await.1.status, sim::DUPLICATE);

    // A patient client gets the delayed answer.
    let third = transmission(vec![announcement(61, "LATE-2", true)]);
    let started = std::time::Instant::now();
    accepted(&post(&patient, &sim, &third).await);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_malformed_acknowledgement_is_followed_by_the_good_one() {
    let pki = test_pki();
    let sim = start(
        &pki,
        vec![Rule::reference_prefix("BAD-", Outcome::MalformedAck)],
    )
    .await;
    let client = client(&pki);
    let t = transmission(vec![
        announcement(61, "BAD-1", true),
        announcement(63, "GOOD-1", true),
    ]);
    accepted(&post(&client, &sim, &t).await);
    let page = poll(&client, &sim, 0).await;
    assert_eq!(page.acknowledgements.len(), 2);
    let (bad, good) = (&page.acknowledgements[0], &page.acknowledgements[1]);
    assert_eq!(good.sequence, bad.sequence + 1);
    assert!(dtxml::read_acknowledgement(bad.xml.as_bytes(), &ReadLimits::default()).is_err());
    let ack = read(&good.xml);
    assert_eq!(ack.entries.len(), 2, "no entry lost");
    assert_eq!(
        ack.header.reference_message_id.as_ref(),
        Some(&t.header.message_id)
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_duplicate_acknowledgement_comes_twice_with_the_same_bytes() {
    let pki = test_pki();
    let sim = start(&pki, vec![Rule::key(key(61), Outcome::DuplicateAck)]).await;
    let client = client(&pki);
    let t = transmission(vec![announcement(61, "TWICE-1", true)]);
    accepted(&post(&client, &sim, &t).await);
    let page = poll(&client, &sim, 0).await;
    assert_eq!(page.acknowledgements.len(), 2);
    let (a, b) = (&page.acknowledgements[0], &page.acknowledgements[1]);
    assert_ne!(a.sequence, b.sequence);
    assert_eq!(a.xml, b.xml);
    assert_eq!(
        read(&a.xml).header.message_id,
        read(&b.xml).header.message_id
    );
    assert_eq!(
        entry(&[read(&a.xml)], "TWICE-1")[0].processing,
        Processing::Done
    );
    sim.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// The command

mod command {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;

    use super::*;

    fn arcgw() -> Command {
        Command::new(env!("CARGO_BIN_EXE_arcgw"))
    }

    #[test]
    fn a_wrong_configuration_is_one_line_and_exit_1() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zas-sim.toml");
        std::fs::write(&path, "listen = 5\n").unwrap();
        let out = arcgw()
            .arg("zas-sim")
            .arg("--config")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("arcgw zas-sim: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }

    #[test]
    fn the_example_configuration_reads() {
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config/zas-sim.toml");
        let text = std::fs::read_to_string(example).unwrap();
        // Its PEM paths point at the demo's files: made here in a scratch tree.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        test_pki().write_to(&dir.path().join("data/pki")).unwrap();
        let config = SimConfig::parse(
            &text,
            std::path::Path::new(example),
            &dir.path().join("config"),
        )
        .unwrap();
        assert_eq!(config.participant_id.as_str(), "T6-ZAS-1");
        assert_eq!(config.scenarios.rules().len(), 17);
        assert_eq!(config.scenarios.default_outcome(), &Outcome::Done);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn zas_sim_serves_until_sigterm() {
        let pki = test_pki();
        let dir = tempfile::tempdir().unwrap();
        pki.write_to(&dir.path().join("pki")).unwrap();
        let path = dir.path().join("zas-sim.toml");
        std::fs::write(
            &path,
            r#"
listen = "127.0.0.1:0"
server_cert = "pki/server.pem"
server_key = "pki/server-key.pem"
client_ca = "pki/ca.pem"
"#,
        )
        .unwrap();
        let mut child = arcgw()
            .arg("zas-sim")
            .arg("--config")
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let url = line
            .trim()
            .strip_prefix("arcgw zas-sim: listening on ")
            .map(str::to_string);
        let health = match &url {
            Some(url) => client(&pki)
                .get(format!("{url}/v1/health"))
                .send()
                .await
                .map(|r| r.status()),
            None => Ok(StatusCode::IM_A_TEAPOT),
        };
        let killed = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let mut status = None;
        for _ in 0..100 {
            if let Some(s) = child.try_wait().unwrap() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if status.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        assert!(url.is_some(), "first line: {line:?}");
        assert_eq!(health.unwrap(), StatusCode::OK);
        assert_eq!(status.and_then(|s| s.code()), Some(0));
    }
}
