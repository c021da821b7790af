//! The closing-and-transmission order in arcgw's own DT XML (N. 2707–2713;
//! `schemas/arc-closing-order-1.xsd`): the writer's output validates with `xmllint` and reads
//! back the same, the fixture is the writer's output, and the reader refuses hostile or invalid
//! documents with an error naming the element and the rule.

use arcgw::domain::{
    AvsNumber, ClosingMonth, ClosingOrder, Domicile, DomicileInstruction, FundNumber, KeyCode,
    MessageHeader, MessageId, ParticipantId, RciKey,
};
use arcgw::dtxml::{self, DtXmlError, ReadLimits};
use chrono::DateTime;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::support::flow::day;
use crate::support::{strategies, xmllint};

/// The order of `tests/fixtures/closing-order-example.xml`.
fn example() -> ClosingOrder {
    ClosingOrder {
        header: MessageHeader {
            sender_id: ParticipantId::new("T6-ZAS-1").expect("id"),
            recipient_id: ParticipantId::new("T7-066000-1").expect("id"),
            message_id: MessageId::new("c1d2e3f4-0000-4000-8000-000000000001").expect("id"),
            reference_message_id: None,
            message_date: DateTime::parse_from_rfc3339("2027-01-25T06:30:00Z")
                .expect("date")
                .to_utc(),
            test_delivery: true,
        },
        fund: FundNumber::new(66, 0).expect("fund"),
        ordering_fund: FundNumber::new(1, 0).expect("fund"),
        avs_number: AvsNumber::parse("756.3047.5009.62").expect("valid"),
        key: RciKey::new(KeyCode::new(81).expect("key")).expect("an RCI key"),
        closing: ClosingMonth::new(2026, 12).expect("month"),
        order_date: day(2027, 1, 20),
        domicile: DomicileInstruction::new(Domicile::InSwitzerland {
            from: day(1985, 1, 1),
            to: day(2026, 12, 31),
        })
        .expect("period in order"),
    }
}

fn read(xml: &str) -> Result<ClosingOrder, DtXmlError> {
    dtxml::read_closing_order(xml.as_bytes(), &ReadLimits::default())
}

#[test]
fn the_fixture_is_the_writers_output_and_validates() {
    let path = xmllint::fixture("closing-order-example.xml");
    let written = dtxml::write_closing_order(&example()).expect("writable");
    if std::env::var_os("ARCGW_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &written).expect("write fixture");
    }
    let fixture = std::fs::read_to_string(&path).expect("fixture present");
    assert_eq!(
        written,
        xmllint::with_current_version(&fixture),
        "the writer's output changed: check it, then run with ARCGW_UPDATE_FIXTURES=1"
    );
    assert_eq!(read(&fixture), Ok(example()));
    xmllint::assert_files_valid(&xmllint::closing_order_schema(), &[path]);
}

/// Generated orders (every RCI key, every domicile code) validate against the XSD and read back
/// the same.
#[test]
fn generated_orders_validate_and_round_trip() {
    let mut runner = TestRunner::deterministic();
    let strategy = strategies::closing_order();
    let mut documents = Vec::new();
    for _ in 0..200 {
        let order = strategy.new_tree(&mut runner).expect("a tree").current();
        let xml = dtxml::write_closing_order(&order).expect("writable");
        assert_eq!(read(&xml).as_ref(), Ok(&order), "{xml}");
        documents.push(xml);
    }
    for code in ["<code>1</code>", "<code>2</code>", "<code>3</code>"] {
        assert!(documents.iter().any(|d| d.contains(code)), "{code} covered");
    }
    xmllint::assert_valid(&xmllint::closing_order_schema(), &documents);
}

/// The fixture with `from` replaced by `to`.
fn fixture_with(from: &str, to: &str) -> String {
    let fixture = std::fs::read_to_string(xmllint::fixture("closing-order-example.xml"))
        .expect("fixture present");
    assert!(fixture.contains(from), "{from} in the fixture");
    fixture.replacen(from, to, 1)
}

fn value_error(xml: &str) -> (String, String) {
    match read(xml) {
        Err(DtXmlError::Value { path, message }) => (path, message),
        other => panic!("expected a value error, got {other:?}"),
    }
}

#[test]
fn a_key_that_does_not_determine_an_rci_is_refused_by_both() {
    let xml = fixture_with("<keyCode>81</keyCode>", "<keyCode>65</keyCode>");
    let (path, message) = value_error(&xml);
    assert_eq!(path, "content/keyCode");
    assert!(message.contains("N. 2708"), "{message}");
    assert!(xmllint::refuses(&xmllint::closing_order_schema(), &xml));
}

#[test]
fn a_domicile_period_that_ends_before_it_starts_is_refused() {
    let xml = fixture_with("<to>2026-12-31</to>", "<to>1980-12-31</to>");
    let (path, message) = value_error(&xml);
    assert_eq!(path, "content/domicile");
    assert!(message.contains("N. 2712"), "{message}");
}

#[test]
fn code_2_and_3_carry_no_period_and_code_1_needs_one() {
    let xml = fixture_with("<code>1</code>", "<code>2</code>");
    let (path, message) = value_error(&xml);
    assert_eq!(path, "content/domicile");
    assert!(message.contains("only code 1"), "{message}");
    let xml = fixture_with("<from>1985-01-01</from>\n      <to>2026-12-31</to>\n", "");
    let (_, message) = value_error(&xml);
    assert!(message.contains("needs the period"), "{message}");
    let xml = fixture_with("<code>1</code>", "<code>4</code>");
    assert!(xmllint::refuses(&xmllint::closing_order_schema(), &xml));
    assert_eq!(value_error(&xml).0, "content/domicile/code");
}

#[test]
fn a_wrong_check_digit_is_refused_without_echoing_the_number() {
    let xml = fixture_with("<vn>7563047500962</vn>", "<vn>7563047500963</vn>");
    let (path, message) = value_error(&xml);
    assert_eq!(path, "content/vn");
    assert!(!message.contains("7563047500963"), "{message}");
}

#[test]
fn an_acknowledgement_is_not_a_closing_order() {
    let ack = std::fs::read(xmllint::fixture("acknowledgement-example.xml")).expect("fixture");
    assert!(matches!(
        dtxml::read_closing_order(&ack, &ReadLimits::default()),
        Err(DtXmlError::WrongNamespace { .. })
    ));
    let xml = fixture_with("<subMessageType>000301", "<subMessageType>000201");
    assert_eq!(value_error(&xml).0, "header/subMessageType");
}

#[test]
fn hostile_documents_are_refused_with_named_errors() {
    let doctype = fixture_with(
        "<message ",
        "<!DOCTYPE message [<!ENTITY x \"x\">]>\n<message ",
    );
    assert!(matches!(read(&doctype), Err(DtXmlError::Doctype { .. })));

    let entity = fixture_with("<branch>0</branch>", "<branch>&x;</branch>");
    assert!(matches!(read(&entity), Err(DtXmlError::Entity { .. })));

    let fixture = std::fs::read(xmllint::fixture("closing-order-example.xml")).expect("fixture");
    let small = ReadLimits {
        max_bytes: 100,
        ..ReadLimits::default()
    };
    assert!(matches!(
        dtxml::read_closing_order(&fixture, &small),
        Err(DtXmlError::TooLarge { .. })
    ));
    let shallow = ReadLimits {
        max_depth: 3,
        ..ReadLimits::default()
    };
    assert!(matches!(
        dtxml::read_closing_order(&fixture, &shallow),
        Err(DtXmlError::TooDeep { .. })
    ));

    let mut latin1 = fixture.clone();
    latin1.extend_from_slice(b"\xe9");
    assert!(matches!(
        dtxml::read_closing_order(&latin1, &ReadLimits::default()),
        Err(DtXmlError::NotUtf8 { .. })
    ));

    let truncated = &fixture[..fixture.len() / 2];
    assert!(matches!(
        dtxml::read_closing_order(truncated, &ReadLimits::default()),
        Err(DtXmlError::Truncated { .. } | DtXmlError::Malformed { .. })
    ));

    let extra = fixture_with("<vn>", "<reference>X</reference>\n    <vn>");
    assert!(matches!(
        read(&extra),
        Err(DtXmlError::UnknownElement { .. } | DtXmlError::MisplacedElement { .. })
    ));
    assert!(xmllint::refuses(&xmllint::closing_order_schema(), &extra));
}
