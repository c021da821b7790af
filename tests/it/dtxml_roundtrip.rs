//! DT XML round trips (domain → XML → domain) for both message kinds, and XSD validation of
//! every document the writer produces here, with `xmllint` (which must be installed:
//! Debian package `libxml2-utils`).

use std::collections::BTreeSet;

use arcgw::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, Announcement, AvsNumber,
    Beneficiary, BirthDate, CertificatePrint, ClosingMonth, CollectionOrder, Domicile, KeyCode,
    MessageHeader, MessageId, Observation, ParticipantId, Particulars, Person, PersonName,
    Processing, Reference, Sex, SpecialKey, SplitYear, SplittingOrder, StateCode, Transmission,
};
use arcgw::dtxml::{
    self, ACKNOWLEDGEMENT_NAMESPACE, DtXmlError, ReadLimits, TRANSMISSION_NAMESPACE,
};
use chrono::{DateTime, NaiveDate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::support::flow::{day, fund};
use crate::support::{strategies, xmllint};

fn write_t(t: &Transmission) -> String {
    dtxml::write_transmission(t).expect("a generated transmission is writable")
}

fn write_a(a: &Acknowledgement) -> String {
    dtxml::write_acknowledgement(a).expect("a generated acknowledgement is writable")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn transmissions_round_trip(t in strategies::transmission()) {
        let xml = write_t(&t);
        let back = dtxml::read_transmission(xml.as_bytes(), &ReadLimits::default());
        prop_assert_eq!(back.as_ref(), Ok(&t), "{}", xml);
    }

    #[test]
    fn acknowledgements_round_trip(a in strategies::acknowledgement()) {
        let xml = write_a(&a);
        let back = dtxml::read_acknowledgement(xml.as_bytes(), &ReadLimits::default());
        prop_assert_eq!(back.as_ref(), Ok(&a), "{}", xml);
    }

    /// The same document with every element under a namespace prefix reads the same.
    #[test]
    fn prefixed_documents_read_the_same(t in strategies::transmission(), a in strategies::acknowledgement()) {
        let xml = prefixed(&write_t(&t), TRANSMISSION_NAMESPACE);
        prop_assert_eq!(dtxml::read_transmission(xml.as_bytes(), &ReadLimits::default()), Ok(t));
        let xml = prefixed(&write_a(&a), ACKNOWLEDGEMENT_NAMESPACE);
        prop_assert_eq!(dtxml::read_acknowledgement(xml.as_bytes(), &ReadLimits::default()), Ok(a));
    }
}

/// Rewrites a written document so that every element carries the prefix `arc:` (declared on
/// the root instead of the default namespace).
fn prefixed(xml: &str, namespace: &str) -> String {
    let xml = xml.replace(
        &format!("xmlns=\"{namespace}\""),
        &format!("xmlns:arc=\"{namespace}\""),
    );
    let mut out = String::with_capacity(xml.len() + xml.len() / 4);
    let mut rest = xml.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.starts_with('?') {
            continue;
        }
        if let Some(r) = rest.strip_prefix('/') {
            out.push('/');
            rest = r;
        }
        out.push_str("arc:");
    }
    out.push_str(rest);
    out
}

/// Generates `n` values with a deterministic runner (reproducible across runs).
fn sample<S: Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("strategy generates")
                .current()
        })
        .collect()
}

/// Every document the writer produces for a few hundred generated values validates against
/// its XSD and reads back; together the samples cover every key, every particulars variant,
/// every processing code and every result variant.
#[test]
fn written_documents_validate_against_the_xsds() {
    let transmissions = sample(strategies::transmission(), 300);
    let mut keys = BTreeSet::new();
    let mut documents = Vec::new();
    for t in &transmissions {
        keys.extend(t.announcements.iter().map(|a| a.key().code()));
        let xml = write_t(t);
        assert_eq!(
            dtxml::read_transmission(xml.as_bytes(), &ReadLimits::default()).as_ref(),
            Ok(t)
        );
        documents.push(xml);
    }
    // One announcement of every key (and of the old RCI keys), whatever the sample held.
    for key in KeyCode::all().chain(KeyCode::old_law_keys()) {
        let announcements = sample(strategies::announcement_with(key), 3);
        documents.push(write_t(&Transmission {
            header: example_header(),
            announcements,
        }));
    }
    assert!(
        KeyCode::all().all(|k| keys.contains(&k.code())),
        "the sample covers every key"
    );
    xmllint::assert_valid(&xmllint::transmission_schema(), &documents);

    let acknowledgements = sample(strategies::acknowledgement(), 300);
    let mut codes = BTreeSet::new();
    let mut results = BTreeSet::new();
    let mut documents = Vec::new();
    for a in &acknowledgements {
        for e in &a.entries {
            codes.insert(e.processing.code());
            results.insert(match &e.result {
                None => "none",
                Some(AcknowledgementResult::Certificate(_)) => "certificate",
                Some(AcknowledgementResult::AccountOpening { .. }) => "account opening",
                Some(AcknowledgementResult::CollectionConfirmation { .. }) => "collection",
                Some(AcknowledgementResult::SplittingConfirmation { .. }) => "splitting",
            });
        }
        let xml = write_a(a);
        assert_eq!(
            dtxml::read_acknowledgement(xml.as_bytes(), &ReadLimits::default()).as_ref(),
            Ok(a)
        );
        documents.push(xml);
    }
    assert_eq!(codes.len(), 7, "every processing code: {codes:?}");
    assert_eq!(results.len(), 5, "every result variant: {results:?}");
    xmllint::assert_valid(&xmllint::acknowledgement_schema(), &documents);
}

fn avs(text: &str) -> AvsNumber {
    AvsNumber::parse(text).expect("valid AVS number")
}

fn name(surname: &str, given: &str) -> PersonName {
    PersonName::fit(surname, given).expect("fits").0
}

fn example_header() -> MessageHeader {
    MessageHeader {
        sender_id: ParticipantId::new("T7-066000-1").expect("id"),
        recipient_id: ParticipantId::new("T6-ZAS-1").expect("id"),
        message_id: MessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").expect("id"),
        reference_message_id: None,
        message_date: DateTime::parse_from_rfc3339("2026-11-23T16:00:00Z")
            .expect("date")
            .to_utc(),
        test_delivery: true,
    }
}

fn announce(f: &str, reference: &str, key: i64, particulars: Particulars) -> Announcement {
    Announcement::new(
        fund(f),
        Reference::new(reference).expect("reference"),
        KeyCode::new(key).expect("key"),
        particulars,
    )
    .expect("particulars fit the key")
}

/// The transmission of `tests/fixtures/transmission-example.xml`: one announcement of every
/// particulars variant of minor version 1 and the special cases (no AVS number, NN, year-only
/// birth date, an old RCI key). The variants of before minor version 1 are in
/// `tests/fixtures/transmission-minor-version-0.xml`.
fn example_transmission() -> Transmission {
    let brunner = Person {
        name: name("Brunner", "Anton Hugo"),
        sex: Sex::Male,
        birth_date: BirthDate::Day(day(1963, 4, 12)),
        country: StateCode::new(100).expect("Switzerland"),
    };
    let nn = Person {
        name: name("Keller-Dubois", ""),
        sex: Sex::Female,
        birth_date: BirthDate::Year(1958),
        country: StateCode::new(998).expect("stateless"),
    };
    Transmission {
        header: example_header(),
        announcements: vec![
            announce(
                "066.000",
                "K-2026-000121",
                11,
                Particulars::Certificate {
                    avs_number: None,
                    person: nn,
                },
            ),
            announce(
                "066.000",
                "K-2026-000122",
                25,
                Particulars::Certificate {
                    avs_number: Some(avs("756.1234.5678.97")),
                    person: brunner,
                },
            ),
            announce(
                "066.001",
                "K-2026-000123",
                81,
                Particulars::Collection {
                    avs_number: avs("756.1234.5678.97"),
                    order: CollectionOrder {
                        beneficiary: Beneficiary::Insured,
                        closing: ClosingMonth::new(2026, 12).expect("month"),
                        order_date: day(2026, 11, 23),
                        domicile: Domicile::InSwitzerland {
                            from: day(1985, 1, 1),
                            to: day(2026, 12, 31),
                        },
                    },
                },
            ),
            announce(
                "066.001",
                "K-2026-000124",
                71,
                Particulars::Collection {
                    avs_number: avs("756.3047.5009.62"),
                    order: CollectionOrder {
                        beneficiary: Beneficiary::Other(avs("756.9217.0769.85")),
                        closing: ClosingMonth::new(2026, 10).expect("month"),
                        order_date: day(2026, 11, 20),
                        domicile: Domicile::Convention,
                    },
                },
            ),
            announce(
                "066.000",
                "K-2026-000125",
                63,
                Particulars::Account {
                    avs_number: avs("756.9217.0769.85"),
                },
            ),
            announce(
                "066.000",
                "K-2026-000126",
                97,
                Particulars::Account {
                    avs_number: avs("756.3047.5009.62"),
                },
            ),
            announce(
                "066.000",
                "K-2026-000127",
                95,
                Particulars::Splitting {
                    avs_number: avs("756.1234.5678.97"),
                    order: SplittingOrder::new(
                        avs("756.9217.0769.85"),
                        vec![
                            SplitYear {
                                year: 1996,
                                special: None,
                            },
                            SplitYear {
                                year: 1997,
                                special: Some(SpecialKey::InvalidityAverage),
                            },
                        ],
                    )
                    .expect("years"),
                },
            ),
            announce(
                "025.000",
                "K-2026-000128",
                94,
                Particulars::Domicile {
                    avs_number: avs("756.3047.5009.62"),
                    domicile: Domicile::Convention,
                },
            ),
            announce(
                "066.000",
                "K-2026-000129",
                96,
                Particulars::SplittingRevocation {
                    avs_number: avs("756.1234.5678.97"),
                    spouse: avs("756.9217.0769.85"),
                },
            ),
            announce(
                "066.001",
                "K-2026-000130",
                99,
                Particulars::CollectionRevocation {
                    avs_number: avs("756.3047.5009.62"),
                    closing: ClosingMonth::new(2026, 10).expect("month"),
                },
            ),
            Announcement::new(
                fund("066.000"),
                Reference::new("K-2026-000131").expect("reference"),
                KeyCode::old_law(73).expect("old RCI key"),
                Particulars::Collection {
                    avs_number: avs("756.9217.0769.85"),
                    order: CollectionOrder {
                        beneficiary: Beneficiary::Insured,
                        closing: ClosingMonth::new(2026, 11).expect("month"),
                        order_date: day(2026, 11, 20),
                        domicile: Domicile::NotInSwitzerland,
                    },
                },
            )
            .expect("an old-law RCI"),
        ],
    }
}

fn entry(reference: &str, key: i64, processing: u8) -> AcknowledgementEntry {
    AcknowledgementEntry {
        fund: fund("066.000"),
        reference: Reference::new(reference).expect("reference"),
        key: KeyCode::new(key).expect("key"),
        avs_number: None,
        message_id: Some(MessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").expect("id")),
        processing: Processing::from_code(processing).expect("code"),
        observations: Vec::new(),
        wrong_fields: Vec::new(),
        investigation: None,
        result: None,
    }
}

/// The acknowledgement of `tests/fixtures/acknowledgement-example.xml`: every result, a
/// refusal with observations and wrong fields, an entry still being processed with an
/// invitation to investigate.
fn example_acknowledgement() -> Acknowledgement {
    let mut header = example_header();
    header.sender_id = ParticipantId::new("T6-ZAS-1").expect("id");
    header.recipient_id = ParticipantId::new("T7-066000-1").expect("id");
    header.message_id = MessageId::new("a7c1d2e3-0000-4000-8000-000000000001").expect("id");
    header.reference_message_id =
        Some(MessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").expect("id"));
    header.message_date = DateTime::parse_from_rfc3339("2027-03-25T06:30:00Z")
        .expect("date")
        .to_utc();
    Acknowledgement {
        header,
        acknowledgement_date: day(2027, 3, 25),
        entries: vec![
            AcknowledgementEntry {
                avs_number: Some(avs("756.3047.5009.62")),
                result: Some(AcknowledgementResult::Certificate(CertificatePrint {
                    avs_number: avs("756.3047.5009.62"),
                    name: name("Keller-Dubois", ""),
                    sex: Sex::Female,
                    birth_date: BirthDate::Year(1958),
                    country: StateCode::new(998).expect("stateless"),
                    issue_date: day(2027, 3, 24),
                })),
                ..entry("K-2026-000121", 11, 0)
            },
            AcknowledgementEntry {
                avs_number: Some(avs("756.1234.5678.97")),
                observations: vec![
                    Observation {
                        code: 123,
                        text: Some("date of birth differs from the register".to_string()),
                    },
                    Observation {
                        code: 7,
                        text: None,
                    },
                ],
                wrong_fields: vec![5, 6],
                ..entry("K-2026-000122", 25, 3)
            },
            AcknowledgementEntry {
                avs_number: Some(avs("756.1234.5678.97")),
                investigation: Some(
                    "Please check the domicile period & send the residence certificate."
                        .to_string(),
                ),
                ..entry("K-2026-000123", 81, 2)
            },
            AcknowledgementEntry {
                avs_number: Some(avs("756.3047.5009.62")),
                result: Some(AcknowledgementResult::CollectionConfirmation {
                    avs_number: avs("756.3047.5009.62"),
                    account_funds: vec![fund("066.000"), fund("001.000")],
                    other_avs_numbers: vec![avs("756.9217.0769.85")],
                }),
                ..entry("K-2026-000124", 71, 0)
            },
            AcknowledgementEntry {
                avs_number: Some(avs("756.9217.0769.85")),
                result: Some(AcknowledgementResult::AccountOpening {
                    avs_number: avs("756.9217.0769.85"),
                    fund: fund("066.000"),
                }),
                ..entry("K-2026-000125", 63, 0)
            },
            AcknowledgementEntry {
                avs_number: Some(avs("756.1234.5678.97")),
                result: Some(AcknowledgementResult::SplittingConfirmation {
                    avs_number: avs("756.1234.5678.97"),
                    spouse_avs_number: avs("756.9217.0769.85"),
                    account_funds: vec![fund("066.000")],
                }),
                ..entry("K-2026-000127", 95, 0)
            },
        ],
    }
}

/// The fixture with the writer's product version in place of the one committed.
fn current(fixture: &str) -> String {
    let start =
        fixture.find("<productVersion>").expect("productVersion") + "<productVersion>".len();
    let end = fixture.find("</productVersion>").expect("productVersion");
    format!(
        "{}{}{}",
        &fixture[..start],
        env!("CARGO_PKG_VERSION"),
        &fixture[end..]
    )
}

/// Compares `written` with a committed fixture; `ARCGW_UPDATE_FIXTURES=1` rewrites it instead.
fn check_fixture(name: &str, written: &str) -> String {
    let path = xmllint::fixture(name);
    if std::env::var_os("ARCGW_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, written).expect("write fixture");
    }
    let fixture = std::fs::read_to_string(&path).expect("fixture present");
    assert_eq!(
        written,
        current(&fixture),
        "the writer's output changed: check it, then run with ARCGW_UPDATE_FIXTURES=1"
    );
    fixture
}

#[test]
fn transmission_fixture() {
    let example = example_transmission();
    let fixture = check_fixture("transmission-example.xml", &write_t(&example));
    assert_eq!(
        dtxml::read_transmission(fixture.as_bytes(), &ReadLimits::default()),
        Ok(example)
    );
    // And the transmission as written before minor version 1 stays valid.
    xmllint::assert_files_valid(
        &xmllint::transmission_schema(),
        &[
            xmllint::fixture("transmission-example.xml"),
            xmllint::fixture("transmission-minor-version-0.xml"),
        ],
    );
}

#[test]
fn acknowledgement_fixture() {
    let example = example_acknowledgement();
    let fixture = check_fixture("acknowledgement-example.xml", &write_a(&example));
    assert_eq!(
        dtxml::read_acknowledgement(fixture.as_bytes(), &ReadLimits::default()),
        Ok(example)
    );
    xmllint::assert_files_valid(
        &xmllint::acknowledgement_schema(),
        &[xmllint::fixture("acknowledgement-example.xml")],
    );
}

/// The enumerations of the XSDs are the domain's lists.
#[test]
fn xsd_enumerations_match_the_domain() {
    fn enumeration(xsd: &str, type_name: &str) -> BTreeSet<i64> {
        let start = xsd
            .find(&format!("<xs:simpleType name=\"{type_name}\">"))
            .expect("type present");
        let end = start + xsd[start..].find("</xs:simpleType>").expect("type ends");
        xsd[start..end]
            .split("<xs:enumeration value=\"")
            .skip(1)
            .map(|s| s[..s.find('"').expect("quote")].parse().expect("number"))
            .collect()
    }
    for schema in [
        xmllint::transmission_schema(),
        xmllint::acknowledgement_schema(),
    ] {
        let xsd = std::fs::read_to_string(&schema).expect("schema");
        let keys: BTreeSet<i64> = KeyCode::all()
            .chain(KeyCode::old_law_keys())
            .map(|k| i64::from(k.code()))
            .collect();
        assert_eq!(
            enumeration(&xsd, "keyCodeType"),
            keys,
            "{}",
            schema.display()
        );
        let states: BTreeSet<i64> = (0..=999).filter(|c| StateCode::new(*c).is_ok()).collect();
        assert_eq!(
            enumeration(&xsd, "countryOfOriginType"),
            states,
            "{}",
            schema.display()
        );
        assert_eq!(enumeration(&xsd, "sexType"), BTreeSet::from([1, 2]));
    }
    let ack = std::fs::read_to_string(xmllint::acknowledgement_schema()).expect("schema");
    let codes: BTreeSet<i64> = (0..=9)
        .filter(|c| Processing::from_code(*c as u8).is_some())
        .collect();
    assert_eq!(enumeration(&ack, "processingCodeType"), codes);
}

/// Values the schema cannot carry are refused by the writer, never written broken.
#[test]
fn unwritable_values_are_refused() {
    let mut a = example_acknowledgement();
    a.entries[1].observations[0].text = Some("bell \u{7}".to_string());
    assert!(matches!(
        dtxml::write_acknowledgement(&a),
        Err(DtXmlError::NotWritable { path, .. }) if path == "content/entry[2]/observation[1]/text"
    ));
    let mut a = example_acknowledgement();
    a.entries[1].wrong_fields = vec![1, 2, 3, 4];
    assert!(matches!(
        dtxml::write_acknowledgement(&a),
        Err(DtXmlError::NotWritable { .. })
    ));
    let mut t = example_transmission();
    t.header.message_date = NaiveDate::from_ymd_opt(10000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("representable in chrono")
        .and_utc();
    assert!(matches!(
        dtxml::write_transmission(&t),
        Err(DtXmlError::NotWritable { path, .. }) if path == "header/messageDate"
    ));
}

/// The writer drops fractions of a second; the XML carries whole seconds only.
#[test]
fn message_dates_are_written_to_the_second() {
    let mut t = example_transmission();
    t.header.message_date += chrono::Duration::milliseconds(750);
    let xml = write_t(&t);
    assert!(
        xml.contains("<messageDate>2026-11-23T16:00:00Z</messageDate>"),
        "{xml}"
    );
    let back = dtxml::read_transmission(xml.as_bytes(), &ReadLimits::default()).expect("reads");
    assert_eq!(back.header.message_date, example_header().message_date);
}

/// Lexical variants that the XSD accepts read to the same value: the reader is not stricter
/// than the schema about how a valid value is written.
#[test]
fn valid_variants_read_the_same() {
    let fixture =
        std::fs::read_to_string(xmllint::fixture("transmission-example.xml")).expect("fixture");
    let expected = example_transmission();
    let root = format!("<message xmlns=\"{TRANSMISSION_NAMESPACE}\" minorVersion=\"1\">");
    let variants: Vec<(&str, String)> = vec![
        (
            root.as_str(),
            format!(
                "<message xmlns='{TRANSMISSION_NAMESPACE}' xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{TRANSMISSION_NAMESPACE} arc-transmission-1.xsd\" minorVersion='3'>"
            ),
        ),
        (
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            String::new(),
        ),
        ("encoding=\"UTF-8\"", "encoding=\"utf-8\"".to_string()),
        (
            "<keyCode>11</keyCode>",
            "<keyCode> 1<!-- one -->1\n</keyCode>".to_string(),
        ),
        (
            "<vn>7561234567897</vn>",
            "<vn>\n  7561234567897\n</vn>".to_string(),
        ),
        (
            "<reference>K-2026-000121</reference>",
            "<reference><![CDATA[K-2026]]>-000121</reference>".to_string(),
        ),
        (
            "<officialName>Brunner</officialName>",
            "<officialName>&#x42;run&#110;er</officialName>".to_string(),
        ),
        (
            "<officeIdentifier>66</officeIdentifier>",
            "<officeIdentifier>066</officeIdentifier>".to_string(),
        ),
        ("<branch>0</branch>", "<branch>000</branch>".to_string()),
        (
            "<insuredPerson/>",
            "<insuredPerson></insuredPerson>".to_string(),
        ),
        (
            "<testDeliveryFlag>true</testDeliveryFlag>",
            "<testDeliveryFlag>\ttrue </testDeliveryFlag>".to_string(),
        ),
        (
            "<content>",
            "<!-- the announcements -->\n  <content>".to_string(),
        ),
        (
            "<closingMonth>2026-12</closingMonth>",
            "<closingMonth> 2026-12 </closingMonth>".to_string(),
        ),
    ];
    let mut documents = Vec::new();
    let mut all = fixture.clone();
    for (from, to) in &variants {
        assert!(fixture.contains(from), "{from}");
        documents.push(fixture.replacen(from, to, 1));
        all = all.replacen(from, to, 1);
    }
    documents.push(all.replace('\n', "\r\n"));
    documents.push(all);
    for document in &documents {
        assert_eq!(
            dtxml::read_transmission(document.as_bytes(), &ReadLimits::default()).as_ref(),
            Ok(&expected),
            "{document}"
        );
    }
    xmllint::assert_valid(&xmllint::transmission_schema(), &documents);
}
