//! Every kind of eCH-0090 envelope and receipt arcgw writes validates against
//! `schemas/eCH-0090-2.xsd` (with `xmllint`, Debian package `libxml2-utils`), reads back the
//! same, and the schema refuses what the reader refuses.

use arcgw::domain::{MessageId, ParticipantId};
use arcgw::sedex::{Envelope, MessageClass, SedexMessageId, SedexReceipt};
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::support::xmllint;

fn participant() -> impl Strategy<Value = ParticipantId> {
    "T?[1-9]-[0-9A-Z]{1,8}-[0-9]{1,3}".prop_map(|s| ParticipantId::new(&s).expect("valid"))
}

fn message_id() -> impl Strategy<Value = SedexMessageId> {
    prop_oneof![
        Just(SedexMessageId::from(
            &MessageId::new(&uuid::Uuid::new_v4().to_string()).expect("a UUID")
        )),
        "[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}".prop_map(|s| SedexMessageId::new(&s).expect("valid")),
    ]
}

fn class() -> impl Strategy<Value = MessageClass> {
    prop_oneof![
        Just(MessageClass::Message),
        Just(MessageClass::Response),
        Just(MessageClass::Receipt),
        Just(MessageClass::Error),
    ]
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800).prop_map(|s| Utc.timestamp_opt(s, 0).single().expect("in range"))
}

fn envelope() -> impl Strategy<Value = Envelope> {
    (
        message_id(),
        0u32..=999_999_999,
        class(),
        proptest::option::of(message_id()),
        participant(),
        proptest::collection::vec(participant(), 1..4),
        instant(),
        instant(),
    )
        .prop_map(
            |(message_id, message_type, message_class, reference, sender, recipients, e, m)| {
                Envelope {
                    message_id,
                    message_type,
                    message_class,
                    reference_message_id: reference,
                    sender_id: sender,
                    recipient_ids: recipients,
                    event_date: e,
                    message_date: m,
                }
            },
        )
}

fn receipt() -> impl Strategy<Value = SedexReceipt> {
    (
        instant(),
        100u16..=999,
        "[ -~äöüéàç<>&\"']{0,80}",
        message_id(),
        0u32..=999_999_999,
        class(),
        participant(),
        participant(),
    )
        .prop_map(
            |(
                event_date,
                status_code,
                status_info,
                message_id,
                message_type,
                message_class,
                s,
                r,
            )| {
                SedexReceipt {
                    event_date,
                    status_code,
                    status_info,
                    message_id,
                    message_type,
                    message_class,
                    sender_id: s,
                    recipient_id: r,
                }
            },
        )
}

fn sample<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, n: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

/// Validates every document written from `values` and reads each back to the same value.
fn valid_and_read_back<T: PartialEq + std::fmt::Debug, E: std::fmt::Debug>(
    values: &[T],
    write: impl Fn(&T) -> String,
    read: impl Fn(&[u8]) -> Result<T, E>,
) {
    let documents: Vec<String> = values.iter().map(write).collect();
    xmllint::assert_valid(&xmllint::sedex_schema(), &documents);
    for (value, xml) in values.iter().zip(&documents) {
        assert_eq!(&read(xml.as_bytes()).expect("reads back"), value);
    }
}

#[test]
fn every_envelope_arcgw_writes_is_valid_and_reads_back() {
    valid_and_read_back(&sample(envelope(), 300), Envelope::to_xml, Envelope::read);
}

#[test]
fn every_receipt_arcgw_writes_is_valid_and_reads_back() {
    valid_and_read_back(
        &sample(receipt(), 300),
        SedexReceipt::to_xml,
        SedexReceipt::read,
    );
}

/// Broken envelopes: the schema and the reader both refuse each.
#[test]
fn the_schema_refuses_what_the_reader_refuses() {
    let good = sample(envelope(), 1).remove(0).to_xml();
    let without_recipients: String = good
        .lines()
        .filter(|l| !l.contains("<recipientId>"))
        .map(|l| format!("{l}\n"))
        .collect();
    let broken: Vec<String> = vec![
        good.replace("<messageId>", "<unknown>x</unknown><messageId>"),
        good.replace("version=\"2.0\"", "version=\"1.0\""),
        without_recipients,
        good.replace("<messageClass>", "<messageClass>9"),
        good.replace("eCH-0090/2", "eCH-0090/9"),
    ];
    let verdicts = xmllint::verdicts(&xmllint::sedex_schema(), &broken);
    for (xml, valid) in broken.iter().zip(verdicts) {
        assert!(!valid, "the XSD accepts:\n{xml}");
        assert!(
            Envelope::read(xml.as_bytes()).is_err(),
            "the reader accepts:\n{xml}"
        );
    }
}
