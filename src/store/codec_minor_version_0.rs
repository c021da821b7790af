//! Announcements stored before the field sets of annex 9 were corrected (keys 92–94 and
//! 97–99 with an order date, 96 with the years to split) are still read, printed and written
//! again byte for byte. The fixtures are what the code of that time (commit 0b3ce5f) wrote: the
//! particulars JSON as `store/codec.rs` stored it, and the XML as `arcgw render` wrote it for the
//! same announcements (`tests/fixtures/transmission-minor-version-0.xml`, DT XML minor
//! version 0). They are never rewritten.

use super::codec::{PersonNumbers, StoredParticulars, decode};
use crate::domain::{
    Announcement, AvsNumber, FundNumber, KeyCode, MessageHeader, Reference, Transmission,
};
use crate::dtxml::{self, ReadLimits};
use crate::letters::{Language, SentAnnouncement, compose_print};

const STORED: &str = include_str!("../../tests/fixtures/particulars-minor-version-0.json");
const XML_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/transmission-minor-version-0.xml"
);

#[derive(serde::Deserialize)]
struct Row {
    reference: String,
    key: i64,
    particulars: String,
    spouse: Option<String>,
}

/// The header of the transmission as written then (`arcgw render` of that time).
fn header() -> MessageHeader {
    let xml = std::fs::read_to_string(XML_PATH).expect("fixture present");
    dtxml::read_transmission(xml.as_bytes(), &ReadLimits::default())
        .expect("the XML of that time reads")
        .header
}

/// The stored rows decoded as the store decodes them.
fn transmission() -> Transmission {
    let rows: Vec<Row> = serde_json::from_str(STORED).expect("fixture JSON");
    let announcements = rows
        .into_iter()
        .map(|row| {
            let numbers = PersonNumbers {
                insured: AvsNumber::parse("756.1234.5678.97").ok(),
                beneficiary: None,
                spouse: row.spouse.map(|s| AvsNumber::parse(&s).expect("spouse")),
            };
            let stored = StoredParticulars::from_json(&row.particulars).expect("stored JSON");
            let particulars = decode(stored, numbers).expect("a stored row decodes");
            Announcement::new(
                FundNumber::parse("066.000").expect("fund"),
                Reference::new(&row.reference).expect("reference"),
                KeyCode::new(row.key).expect("key"),
                particulars,
            )
            .expect("a stored row is an announcement")
        })
        .collect();
    Transmission {
        header: header(),
        announcements,
    }
}

/// The fixture with this build's product version (the header is written with it).
fn current(fixture: &str) -> String {
    let start = fixture.find("<productVersion>").expect("tag") + "<productVersion>".len();
    let end = fixture.find("</productVersion>").expect("tag");
    format!(
        "{}{}{}",
        &fixture[..start],
        env!("CARGO_PKG_VERSION"),
        &fixture[end..]
    )
}

#[test]
fn rows_stored_before_the_annex_9_correction_are_written_again_byte_for_byte() {
    let t = transmission();
    let written = dtxml::write_transmission(&t).expect("writes");
    let fixture = std::fs::read_to_string(XML_PATH).expect("fixture present");
    assert_eq!(written, current(&fixture));
    let read = dtxml::read_transmission(fixture.as_bytes(), &ReadLimits::default())
        .expect("the XML of that time reads");
    assert_eq!(read, t);
}

#[test]
fn rows_stored_before_the_annex_9_correction_are_printed_as_sent() {
    let t = transmission();
    let xml = dtxml::write_transmission(&t).expect("writes");
    let fields = dtxml::announcement_fields(&xml, "L-99")
        .expect("reads")
        .expect("present");
    let sent = SentAnnouncement {
        fund: FundNumber::parse("066.000").expect("fund"),
        reference: Reference::new("L-99").expect("reference"),
        message_id: t.header.message_id.to_string(),
        message_date: t.header.message_date,
        sent_at: None,
        sender_id: t.header.sender_id.to_string(),
        recipient_id: t.header.recipient_id.to_string(),
        fields,
    };
    let text = compose_print(&sent, Language::It).text();
    assert!(text.contains("keyCode"), "{text}");
    assert!(text.contains("order/orderDate"), "{text}");
    assert!(text.contains("2026-11-23"), "{text}");
    let fields = dtxml::announcement_fields(&xml, "L-96")
        .expect("reads")
        .expect("present");
    assert!(
        fields
            .iter()
            .any(|f| f.path == "splitting/splitYear/calendarYear")
    );
}
