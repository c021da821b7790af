//! The CI complement (N. 2105; `schemas/arc-ci-complement-1.xsd`) and the splitting notice
//! (N. 2602; `schemas/arc-splitting-notice-1.xsd`) in arcgw's own DT XML: the writer's output
//! validates with `xmllint` and reads back the same, the fixtures are the writer's output, the
//! feed tells them apart by their root namespace, and the readers refuse hostile or invalid
//! documents with an error naming the element and the rule. The arbitrary-bytes property covers
//! every kind of the ZAS's messages (the closing order's too).

use std::path::PathBuf;

use arcgw::domain::{
    AvsNumber, CiChange, CiComplement, FundNumber, MessageHeader, MessageId, ParticipantId,
    PersonName, SpecialKey, SplitYear, SplittingNotice, SplittingOrder, Spouses, StateCode,
};
use arcgw::dtxml::{self, DtXmlError, ReadLimits, ZasKind, ZasMessage};
use chrono::{DateTime, NaiveDate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::support::{strategies, xmllint};

fn header(id: &str) -> MessageHeader {
    MessageHeader {
        sender_id: ParticipantId::new("T6-ZAS-1").expect("id"),
        recipient_id: ParticipantId::new("T7-066000-1").expect("id"),
        message_id: MessageId::new(id).expect("id"),
        reference_message_id: None,
        message_date: DateTime::parse_from_rfc3339("2027-01-25T06:30:00Z")
            .expect("date")
            .to_utc(),
        test_delivery: true,
    }
}

/// The complement of `tests/fixtures/ci-complement-example.xml`: a new name and a new country.
fn complement() -> CiComplement {
    let (name, _) = PersonName::stored("Rossi-Meier", "Anna Maria").expect("a name");
    CiComplement {
        header: header("c1d2e3f4-0000-4000-8000-000000000002"),
        fund: FundNumber::new(66, 0).expect("fund"),
        avs_number: AvsNumber::parse("756.3047.5009.62").expect("valid"),
        change: CiChange::new(Some(name), Some(StateCode::new(218).expect("Italy")))
            .expect("a change"),
        changed_on: NaiveDate::from_ymd_opt(2027, 1, 20).expect("day"),
    }
}

/// The notice of `tests/fixtures/splitting-notice-example.xml`.
fn notice() -> SplittingNotice {
    let year = |year, special| SplitYear { year, special };
    let order = SplittingOrder::new(
        AvsNumber::parse("756.1234.5678.97").expect("valid"),
        vec![
            year(1995, None),
            year(1996, Some(SpecialKey::InvalidityAverage)),
            year(1997, Some(SpecialKey::AlreadyCounted)),
        ],
    )
    .expect("years");
    SplittingNotice {
        header: header("c1d2e3f4-0000-4000-8000-000000000003"),
        fund: FundNumber::new(66, 0).expect("fund"),
        ordering_fund: FundNumber::new(1, 0).expect("fund"),
        spouses: Spouses::new(AvsNumber::parse("756.3047.5009.62").expect("valid"), order)
            .expect("two spouses"),
    }
}

/// One of the two kinds: its fixture, schema, example and reader.
struct Kind {
    kind: ZasKind,
    fixture: &'static str,
    schema: fn() -> PathBuf,
    example: ZasMessage,
    written: String,
}

fn kinds() -> [Kind; 2] {
    [
        Kind {
            kind: ZasKind::CiComplement,
            fixture: "ci-complement-example.xml",
            schema: xmllint::ci_complement_schema,
            example: ZasMessage::CiComplement(complement()),
            written: dtxml::write_ci_complement(&complement()).expect("writable"),
        },
        Kind {
            kind: ZasKind::SplittingNotice,
            fixture: "splitting-notice-example.xml",
            schema: xmllint::splitting_notice_schema,
            example: ZasMessage::SplittingNotice(notice()),
            written: dtxml::write_splitting_notice(&notice()).expect("writable"),
        },
    ]
}

impl Kind {
    fn read(&self, xml: &[u8]) -> Result<ZasMessage, DtXmlError> {
        self.kind.read(xml, &ReadLimits::default())
    }

    fn fixture_text(&self) -> String {
        std::fs::read_to_string(xmllint::fixture(self.fixture)).expect("fixture present")
    }

    /// The fixture with `from` replaced by `to`.
    fn fixture_with(&self, from: &str, to: &str) -> String {
        let fixture = self.fixture_text();
        assert!(fixture.contains(from), "{from} in {}", self.fixture);
        fixture.replacen(from, to, 1)
    }

    fn value_error(&self, xml: &str) -> (String, String) {
        match self.read(xml.as_bytes()) {
            Err(DtXmlError::Value { path, message }) => (path, message),
            other => panic!("expected a value error, got {other:?}"),
        }
    }
}

#[test]
fn the_fixtures_are_the_writers_output_validate_and_come_through_the_feed_reader() {
    for k in kinds() {
        let path = xmllint::fixture(k.fixture);
        if std::env::var_os("ARCGW_UPDATE_FIXTURES").is_some() {
            std::fs::write(&path, &k.written).expect("write fixture");
        }
        let fixture = k.fixture_text();
        assert_eq!(
            k.written,
            xmllint::with_current_version(&fixture),
            "the writer's output changed: check it, then run with ARCGW_UPDATE_FIXTURES=1"
        );
        assert_eq!(k.read(fixture.as_bytes()), Ok(k.example.clone()));
        assert_eq!(
            dtxml::read_zas_message(fixture.as_bytes(), &ReadLimits::default()),
            Ok(k.example.clone()),
            "the feed tells {} by its namespace",
            k.fixture
        );
        xmllint::assert_files_valid(&(k.schema)(), &[path]);
    }
}

/// Generated complements (name, country, both) and notices validate against their XSDs and
/// read back the same.
#[test]
fn generated_messages_validate_and_round_trip() {
    let mut runner = TestRunner::deterministic();
    let (complements, notices) = (strategies::ci_complement(), strategies::splitting_notice());
    let (mut written_complements, mut written_notices) = (Vec::new(), Vec::new());
    for _ in 0..150 {
        let c = complements.new_tree(&mut runner).expect("a tree").current();
        let xml = dtxml::write_ci_complement(&c).expect("writable");
        assert_eq!(
            dtxml::read_ci_complement(xml.as_bytes(), &ReadLimits::default()).as_ref(),
            Ok(&c),
            "{xml}"
        );
        written_complements.push(xml);
        let n = notices.new_tree(&mut runner).expect("a tree").current();
        let xml = dtxml::write_splitting_notice(&n).expect("writable");
        assert_eq!(
            dtxml::read_splitting_notice(xml.as_bytes(), &ReadLimits::default()).as_ref(),
            Ok(&n),
            "{xml}"
        );
        written_notices.push(xml);
    }
    for (with_name, with_country) in [(true, true), (true, false), (false, true)] {
        assert!(
            written_complements
                .iter()
                .any(|d| d.contains("<name>") == with_name
                    && d.contains("<countryOfOrigin>") == with_country),
            "name {with_name}, country {with_country} covered"
        );
    }
    xmllint::assert_valid(&xmllint::ci_complement_schema(), &written_complements);
    xmllint::assert_valid(&xmllint::splitting_notice_schema(), &written_notices);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the bytes, the reader of every kind of the ZAS's messages answers (a message
    /// or an error), never panics.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        for kind in ZasKind::ALL {
            let _ = kind.read(&bytes, &ReadLimits::default());
        }
        let _ = dtxml::read_zas_message(&bytes, &ReadLimits::default());
    }
}

#[test]
fn a_complement_without_a_change_is_refused_by_both() {
    let [k, _] = kinds();
    let xml = k.fixture_with(
        "<name>\n      <officialName>Rossi-Meier</officialName>\n      <firstNames>Anna Maria</firstNames>\n    </name>\n    <countryOfOrigin>218</countryOfOrigin>\n",
        "",
    );
    let (path, message) = k.value_error(&xml);
    assert_eq!(path, "content");
    assert!(message.contains("N. 2105"), "{message}");
    assert!(xmllint::refuses(&xmllint::ci_complement_schema(), &xml));
}

#[test]
fn a_complement_with_an_unknown_state_code_is_refused_by_both() {
    let [k, _] = kinds();
    let xml = k.fixture_with(
        "<countryOfOrigin>218</countryOfOrigin>",
        "<countryOfOrigin>101</countryOfOrigin>",
    );
    assert_eq!(k.value_error(&xml).0, "content/countryOfOrigin");
    assert!(xmllint::refuses(&xmllint::ci_complement_schema(), &xml));
}

#[test]
fn a_splitting_between_one_person_and_herself_is_refused() {
    let [_, k] = kinds();
    let xml = k.fixture_with(
        "<spouseVn>7561234567897</spouseVn>",
        "<spouseVn>7563047500962</spouseVn>",
    );
    let (path, message) = k.value_error(&xml);
    assert_eq!(path, "content/splitting/spouseVn");
    assert!(message.contains("N. 2601"), "{message}");
    let twice = k.fixture_with(
        "<calendarYear>1996</calendarYear>",
        "<calendarYear>1995</calendarYear>",
    );
    assert!(k.value_error(&twice).1.contains("N. 3119"));
    let early = k.fixture_with(
        "<calendarYear>1995</calendarYear>",
        "<calendarYear>1947</calendarYear>",
    );
    assert_eq!(
        k.value_error(&early).0,
        "content/splitting/splitYear[1]/calendarYear"
    );
    assert!(xmllint::refuses(
        &xmllint::splitting_notice_schema(),
        &early
    ));
}

#[test]
fn a_wrong_check_digit_is_refused_without_echoing_the_number() {
    for k in kinds() {
        let xml = k.fixture_with("<vn>7563047500962</vn>", "<vn>7563047500963</vn>");
        let (path, message) = k.value_error(&xml);
        assert_eq!(path, "content/vn");
        assert!(!message.contains("7563047500963"), "{message}");
    }
}

#[test]
fn one_kind_is_not_another() {
    let [complement, notice] = kinds();
    let order = std::fs::read(xmllint::fixture("closing-order-example.xml")).expect("fixture");
    for k in [&complement, &notice] {
        assert!(matches!(
            k.read(&order),
            Err(DtXmlError::WrongNamespace { .. })
        ));
    }
    assert!(matches!(
        complement.read(notice.fixture_text().as_bytes()),
        Err(DtXmlError::WrongNamespace { .. })
    ));
    let xml = complement.fixture_with("<subMessageType>000401", "<subMessageType>000501");
    assert_eq!(complement.value_error(&xml).0, "header/subMessageType");
}

#[test]
fn hostile_documents_are_refused_with_named_errors() {
    for k in kinds() {
        let doctype = k.fixture_with(
            "<message ",
            "<!DOCTYPE message [<!ENTITY x \"x\">]>\n<message ",
        );
        assert!(matches!(
            k.read(doctype.as_bytes()),
            Err(DtXmlError::Doctype { .. })
        ));
        let entity = k.fixture_with("<branch>0</branch>", "<branch>&x;</branch>");
        assert!(matches!(
            k.read(entity.as_bytes()),
            Err(DtXmlError::Entity { .. })
        ));
        let fixture = k.fixture_text().into_bytes();
        let small = ReadLimits {
            max_bytes: 100,
            ..ReadLimits::default()
        };
        assert!(matches!(
            k.kind.read(&fixture, &small),
            Err(DtXmlError::TooLarge { .. })
        ));
        let shallow = ReadLimits {
            max_depth: 3,
            ..ReadLimits::default()
        };
        assert!(matches!(
            k.kind.read(&fixture, &shallow),
            Err(DtXmlError::TooDeep { .. })
        ));
        let mut latin1 = fixture.clone();
        latin1.extend_from_slice(b"\xe9");
        assert!(matches!(k.read(&latin1), Err(DtXmlError::NotUtf8 { .. })));
        assert!(matches!(
            k.read(&fixture[..fixture.len() / 2]),
            Err(DtXmlError::Truncated { .. } | DtXmlError::Malformed { .. })
        ));
        let extra = k.fixture_with("<vn>", "<reference>X</reference>\n    <vn>");
        assert!(matches!(
            k.read(extra.as_bytes()),
            Err(DtXmlError::UnknownElement { .. } | DtXmlError::MisplacedElement { .. })
        ));
        assert!(xmllint::refuses(&(k.schema)(), &extra));
    }
}
