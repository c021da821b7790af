//! The sedex front end on temporary folders, without network: a fund's pair in, a receipt and
//! an acknowledgement out, every scenario and every sedex fault.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::super::config::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ENTRIES, SimConfig, TlsMaterial};
use super::super::receipt::{
    DUPLICATE, EXPIRED, HUB_UNREACHABLE, INVALID_ENVELOPE, NO_PAYLOAD, SENT, TOO_LARGE,
    TRANSMITTED, UNKNOWN_SENDER,
};
use super::super::scenario::{InboxFault, Outcome, ReceiptFault, Rule, Scenarios};
use super::super::zas::Shared;
use super::*;
use crate::calendar::CalendarConfig;
use crate::clock::ManualClock;
use crate::domain::{
    Acknowledgement, Announcement, AvsNumber, FundNumber, KeyCode, MessageHeader, MessageId,
    Particulars, Processing, Reference, RefusalCode, Transmission,
};
use crate::dtxml::{ReadLimits, read_acknowledgement, write_transmission};
use crate::sedex::folders::{self, FileKind, MessageFile};
use crate::sedex::{Envelope, MessageClass, PayloadFormat, SedexMessageId, SedexReceipt};

const ZAS: &str = "T6-ZAS-1";

fn id(text: &str) -> ParticipantId {
    ParticipantId::new(text).unwrap()
}

/// Thursday 19 November 2026, 10:00 in Geneva.
fn thursday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 19, 9, 0, 0).unwrap()
}

/// A simulator of `rules` (default `done`) on a fresh interface directory.
struct Sim {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    /// The simulated ZAS both front ends share (the HTTPS feed reads its queue).
    shared: Arc<Shared>,
    desk: SedexDesk,
    config: SedexSimConfig,
}

fn sim_with(rules: Vec<Rule>, max_body_bytes: Option<usize>) -> Sim {
    let dir = tempfile::tempdir().unwrap();
    let config = SedexSimConfig::below(dir.path());
    for (_, folder) in config.folders.named() {
        std::fs::create_dir(folder).unwrap();
    }
    // TLS and the listening address are the HTTPS front end's: not used here.
    let sim_config = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        participant_id: id(ZAS),
        tls: TlsMaterial {
            server_cert_pem: String::new(),
            server_key_pem: String::new(),
            client_ca_pem: String::new(),
        },
        max_body_bytes: max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
        max_entries: DEFAULT_MAX_ENTRIES,
        senders: None,
        scenarios: Scenarios::new(rules, Outcome::Done).unwrap(),
        calendar: CalendarConfig::geneva(),
        sedex: Some(config.clone()),
    };
    let clock = Arc::new(ManualClock::new(thursday()));
    let shared = Arc::new(Shared::new(&sim_config, clock.clone()).unwrap());
    let desk = SedexDesk::new(shared.clone(), config.clone(), id(ZAS));
    Sim {
        _dir: dir,
        clock,
        shared,
        desk,
        config,
    }
}

fn sim(rules: Vec<Rule>) -> Sim {
    sim_with(rules, None)
}

fn transmission(references: &[&str]) -> Transmission {
    let fund = FundNumber::new(66, 0).unwrap();
    let avs = AvsNumber::parse("756.1234.5678.97").unwrap();
    let announcement = |r: &&str| {
        let particulars = Particulars::Account { avs_number: avs };
        Announcement::new(
            fund,
            Reference::new(r).unwrap(),
            KeyCode::new(63).unwrap(),
            particulars,
        )
        .unwrap()
    };
    Transmission {
        header: MessageHeader {
            sender_id: id(DEFAULT_FUND_ID),
            recipient_id: id(ZAS),
            message_id: MessageId::new(&uuid::Uuid::new_v4().to_string()).unwrap(),
            reference_message_id: None,
            message_date: thursday(),
            test_delivery: true,
        },
        announcements: references.iter().map(announcement).collect(),
    }
}

/// The envelope the fund writes for `t`.
fn fund_envelope(t: &Transmission) -> Envelope {
    Envelope {
        message_id: SedexMessageId::from(&t.header.message_id),
        message_type: DEFAULT_TRANSMISSION_TYPE,
        message_class: MessageClass::Message,
        reference_message_id: None,
        sender_id: id(DEFAULT_FUND_ID),
        recipient_ids: vec![id(ZAS)],
        event_date: thursday(),
        message_date: thursday(),
    }
}

/// What the fund does: the payload, then the envelope, each atomically.
fn fund_hands_over(outbox: &Path, t: &Transmission, envelope: &[u8], format: PayloadFormat) {
    let sid = SedexMessageId::from(&t.header.message_id);
    let xml = write_transmission(t).unwrap();
    let data = MessageFile::payload(&sid, format.extension()).unwrap();
    folders::write_atomically(outbox, &data, &format.pack(xml.as_bytes()).unwrap()).unwrap();
    folders::write_atomically(outbox, &MessageFile::envelope(&sid), envelope).unwrap();
}

impl Sim {
    fn outbox(&self) -> &Path {
        &self.config.folders.outbox
    }

    fn hand_over_with(&self, t: &Transmission, envelope: &[u8], format: PayloadFormat) {
        fund_hands_over(self.outbox(), t, envelope, format);
    }

    fn hand_over(&self, t: &Transmission) {
        let envelope = fund_envelope(t).to_xml();
        self.hand_over_with(t, envelope.as_bytes(), PayloadFormat::Zip);
    }

    /// Every receipt written so far, by message id, in the order written.
    fn receipts(&self) -> BTreeMap<String, Vec<SedexReceipt>> {
        let mut read: Vec<(std::time::SystemTime, SedexReceipt)> = Vec::new();
        for entry in std::fs::read_dir(&self.config.folders.receipts).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap();
            let modified = entry.metadata().unwrap().modified().unwrap();
            read.push((modified, SedexReceipt::read(&bytes).unwrap()));
        }
        read.sort_by_key(|(at, _)| *at);
        let mut by_id: BTreeMap<String, Vec<SedexReceipt>> = BTreeMap::new();
        for (_, r) in read {
            by_id.entry(r.message_id.to_string()).or_default().push(r);
        }
        by_id
    }

    fn codes(&self, t: &Transmission) -> Vec<u16> {
        self.receipts()
            .remove(t.header.message_id.as_str())
            .unwrap_or_default()
            .iter()
            .map(|r| r.status_code)
            .collect()
    }

    /// The inbox's messages by id: the envelope's bytes (if any) and the payload's XML (if any).
    fn inbox(&self) -> BTreeMap<SedexMessageId, InboxMessage> {
        let inbox = &self.config.folders.inbox;
        let mut messages: BTreeMap<SedexMessageId, InboxMessage> = BTreeMap::new();
        for file in folders::list(inbox).unwrap() {
            let bytes = folders::read_bounded(inbox, &file, 1 << 24).unwrap();
            let slot = messages.entry(file.id.clone()).or_default();
            match &file.kind {
                FileKind::Envelope => slot.0 = Some(bytes),
                FileKind::Payload { extension } => {
                    let format = PayloadFormat::from_extension(extension).unwrap();
                    slot.1 = Some(format.unpack(&bytes, 1 << 24).unwrap());
                }
            }
        }
        messages
    }

    /// The acknowledgements of the inbox with a valid envelope from the ZAS, with it; then
    /// what the fund does: both files removed.
    fn take_inbox(&self) -> Vec<(Envelope, Acknowledgement)> {
        let mut out = Vec::new();
        for (sid, (envelope, payload)) in self.inbox() {
            let (Some(envelope), Some(payload)) = (envelope, payload) else {
                continue;
            };
            let Ok(envelope) = Envelope::read(&envelope) else {
                continue;
            };
            if envelope.sender_id != id(ZAS)
                || envelope.message_type != DEFAULT_ACKNOWLEDGEMENT_TYPE
            {
                continue;
            }
            let ack = read_acknowledgement(&payload, &ReadLimits::default()).unwrap();
            assert_eq!(envelope.message_id, sid);
            out.push((envelope, ack));
        }
        self.empty_inbox();
        out
    }

    fn empty_inbox(&self) {
        for entry in std::fs::read_dir(&self.config.folders.inbox).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
    }

    fn names(&self, folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn round(&mut self) -> RoundReport {
        self.desk.round()
    }
}

/// An inbox message as found: the envelope's bytes and the payload's XML, each if there.
type InboxMessage = (Option<Vec<u8>>, Option<Vec<u8>>);

/// A change to the fund's envelope.
type Spoil = Box<dyn Fn(&mut Envelope)>;

/// The processing of the entry for `reference` in `acks`.
fn processing(acks: &[(Envelope, Acknowledgement)], reference: &str) -> Vec<Processing> {
    acks.iter()
        .flat_map(|(_, a)| &a.entries)
        .filter(|e| e.reference.as_str() == reference)
        .map(|e| e.processing)
        .collect()
}

#[test]
fn a_pair_in_the_outbox_gets_receipt_100_moves_to_processed_and_is_acknowledged() {
    let mut sim = sim(vec![]);
    let t = transmission(&["A-1"]);
    sim.hand_over(&t);
    let report = sim.round();
    assert_eq!(
        (report.taken, report.receipts, report.inbox_messages),
        (1, 1, 1)
    );

    assert!(sim.names(sim.outbox()).is_empty());
    let mid = t.header.message_id.as_str();
    assert_eq!(
        sim.names(&sim.config.folders.processed),
        vec![format!("data_{mid}.zip"), format!("envl_{mid}.xml")]
    );
    let receipts = sim.receipts();
    let receipt = &receipts[mid][0];
    assert_eq!(receipt.status_code, TRANSMITTED);
    assert_eq!(receipt.message_type, DEFAULT_TRANSMISSION_TYPE);
    assert_eq!(receipt.message_class, MessageClass::Message);
    assert_eq!(receipt.sender_id, id(DEFAULT_FUND_ID));
    assert_eq!(receipt.recipient_id, id(ZAS));

    let acks = sim.take_inbox();
    assert_eq!(acks.len(), 1);
    let (envelope, ack) = &acks[0];
    assert_eq!(envelope.message_class, MessageClass::Response);
    assert_eq!(
        envelope.reference_message_id.as_ref().map(|r| r.as_str()),
        Some(mid)
    );
    assert_eq!(envelope.recipient_ids, vec![id(DEFAULT_FUND_ID)]);
    assert_eq!(envelope.message_id.as_str(), ack.header.message_id.as_str());
    assert_eq!(processing(&acks, "A-1"), vec![Processing::Done]);
    assert_eq!(
        ack.header.reference_message_id.as_ref(),
        Some(&t.header.message_id)
    );

    // Nothing more on the next round.
    assert_eq!(sim.round(), RoundReport::default());
}

#[test]
fn every_scenario_reaches_the_inbox_by_the_clock() {
    let refused = Outcome::Refused {
        code: RefusalCode::new(3).unwrap(),
        observations: vec![],
        wrong_fields: vec![7],
    };
    let rules = vec![
        Rule::reference_prefix(
            "LATE-",
            Outcome::InProgressThenDone {
                after_working_days: 1,
            },
        ),
        Rule::reference_prefix("PEND-", Outcome::InProgress),
        Rule::reference_prefix("REFU-", refused),
        Rule::reference_prefix("LOST-", Outcome::Never),
        Rule::reference_prefix(
            "CHECK-",
            Outcome::Investigate {
                instructions: "compare the birth date".into(),
            },
        ),
    ];
    let mut sim = sim(rules);
    // One transmission each: every acknowledgement is its own inbox message.
    for r in ["DONE-1", "LATE-1", "PEND-1", "REFU-1", "LOST-1", "CHECK-1"] {
        sim.hand_over(&transmission(&[r]));
    }
    sim.round();
    let acks = sim.take_inbox();
    assert_eq!(acks.len(), 5, "never: no acknowledgement");
    assert_eq!(processing(&acks, "DONE-1"), vec![Processing::Done]);
    assert_eq!(processing(&acks, "LATE-1"), vec![Processing::InProgress]);
    assert_eq!(processing(&acks, "PEND-1"), vec![Processing::InProgress]);
    assert!(matches!(
        processing(&acks, "REFU-1")[..],
        [Processing::Refused(code)] if code.code() == 3
    ));
    assert!(processing(&acks, "LOST-1").is_empty());
    let check = acks
        .iter()
        .flat_map(|(_, a)| &a.entries)
        .find(|e| e.reference.as_str() == "CHECK-1")
        .unwrap();
    assert_eq!(
        check.investigation.as_deref(),
        Some("compare the birth date")
    );

    // Not yet: the same day.
    sim.round();
    assert!(sim.take_inbox().is_empty());
    // Friday: one working day later, the late one is done.
    sim.clock.advance(TimeDelta::days(1));
    sim.round();
    let acks = sim.take_inbox();
    assert_eq!(acks.len(), 1);
    assert_eq!(processing(&acks, "LATE-1"), vec![Processing::Done]);
}

#[test]
fn a_duplicate_message_id_gets_201_and_is_not_processed_again() {
    let mut sim = sim(vec![]);
    let t = transmission(&["D-1"]);
    sim.hand_over(&t);
    sim.round();
    sim.hand_over(&t);
    sim.round();
    assert_eq!(sim.codes(&t), vec![TRANSMITTED, DUPLICATE]);
    assert_eq!(sim.take_inbox().len(), 1);
    // Both sendings are in processed/, neither overwritten.
    assert_eq!(sim.names(&sim.config.folders.processed).len(), 4);
}

#[test]
fn a_payload_without_its_envelope_and_temporary_names_are_not_taken() {
    let mut sim = sim(vec![]);
    let t = transmission(&["H-1"]);
    let sid = SedexMessageId::from(&t.header.message_id);
    let xml = write_transmission(&t).unwrap();
    // Half a payload under a temporary name, and a complete one without envelope yet.
    std::fs::write(
        sim.outbox().join(".arcgw-write-1.tmp"),
        &xml.as_bytes()[..10],
    )
    .unwrap();
    let data = MessageFile::payload(&sid, "xml").unwrap();
    folders::write_atomically(sim.outbox(), &data, xml.as_bytes()).unwrap();
    assert_eq!(sim.round(), RoundReport::default());
    assert_eq!(sim.names(sim.outbox()).len(), 2);
    assert!(sim.receipts().is_empty());

    let envelope = fund_envelope(&t).to_xml();
    folders::write_atomically(
        sim.outbox(),
        &MessageFile::envelope(&sid),
        envelope.as_bytes(),
    )
    .unwrap();
    assert_eq!(sim.round().taken, 1);
    assert_eq!(sim.codes(&t), vec![TRANSMITTED]);
    // The temporary file is left alone.
    assert_eq!(
        sim.names(sim.outbox()),
        vec![".arcgw-write-1.tmp".to_string()]
    );
}

#[test]
fn a_bare_xml_payload_is_taken_too() {
    let mut sim = sim(vec![]);
    let t = transmission(&["X-1"]);
    sim.hand_over_with(
        &t,
        fund_envelope(&t).to_xml().as_bytes(),
        PayloadFormat::Xml,
    );
    sim.round();
    assert_eq!(sim.codes(&t), vec![TRANSMITTED]);
}

#[test]
fn envelopes_the_client_refuses_get_their_codes() {
    let mut sim = sim(vec![]);
    let cases: Vec<(Spoil, u16)> = vec![
        (Box::new(|e| e.sender_id = id("T7-999999-1")), 300),
        (Box::new(|e| e.recipient_ids = vec![id("T6-OTHER-1")]), 301),
        (Box::new(|e| e.message_type = 1), 303),
        (Box::new(|e| e.message_class = MessageClass::Response), 304),
        (
            Box::new(|e| e.message_id = SedexMessageId::new("other-id").unwrap()),
            INVALID_ENVELOPE,
        ),
    ];
    let mut sent = Vec::new();
    for (change, code) in cases {
        let t = transmission(&["E-1"]);
        let mut envelope = fund_envelope(&t);
        change(&mut envelope);
        sim.hand_over_with(&t, envelope.to_xml().as_bytes(), PayloadFormat::Zip);
        sent.push((t, code));
    }
    // Not XML at all.
    let t = transmission(&["E-2"]);
    sim.hand_over_with(&t, b"<envelope", PayloadFormat::Zip);
    sent.push((t, INVALID_ENVELOPE));
    // An envelope without payload.
    let t = transmission(&["E-3"]);
    let sid = SedexMessageId::from(&t.header.message_id);
    folders::write_atomically(
        sim.outbox(),
        &MessageFile::envelope(&sid),
        fund_envelope(&t).to_xml().as_bytes(),
    )
    .unwrap();
    sent.push((t, NO_PAYLOAD));
    sim.round();
    for (t, code) in &sent {
        assert_eq!(sim.codes(t), vec![*code], "{t:?}");
    }
    assert!(sim.names(sim.outbox()).is_empty());
    assert!(sim.take_inbox().is_empty(), "nothing refused is delivered");
}

#[test]
fn receipt_401_then_100_on_the_resend() {
    let rule = Rule::reference_prefix(
        "R401-",
        Outcome::Receipt(ReceiptFault::Unreachable { times: 1 }),
    );
    let mut sim = sim(vec![rule]);
    let t = transmission(&["R401-1"]);
    sim.hand_over(&t);
    sim.round();
    assert_eq!(sim.codes(&t), vec![HUB_UNREACHABLE]);
    assert!(sim.take_inbox().is_empty(), "not delivered");
    sim.hand_over(&t);
    sim.round();
    assert_eq!(sim.codes(&t), vec![HUB_UNREACHABLE, TRANSMITTED]);
    assert_eq!(
        processing(&sim.take_inbox(), "R401-1"),
        vec![Processing::Done]
    );
}

#[test]
fn receipt_601_then_100_and_delivery_on_the_next_round() {
    let rule = Rule::reference_prefix("R601-", Outcome::Receipt(ReceiptFault::SentThenReceived));
    let mut sim = sim(vec![rule]);
    let t = transmission(&["R601-1"]);
    sim.hand_over(&t);
    sim.round();
    assert_eq!(sim.codes(&t), vec![SENT]);
    assert!(sim.take_inbox().is_empty(), "not received yet");
    sim.round();
    assert_eq!(sim.codes(&t), vec![SENT, TRANSMITTED]);
    assert_eq!(
        processing(&sim.take_inbox(), "R601-1"),
        vec![Processing::Done]
    );
}

#[test]
fn refused_receipts_and_no_receipt_are_never_delivered() {
    let refused = |status| Outcome::Receipt(ReceiptFault::Refused { status });
    let rules = vec![
        Rule::reference_prefix("R204-", refused(EXPIRED)),
        Rule::reference_prefix("R310-", refused(UNKNOWN_SENDER)),
        Rule::reference_prefix("R330-", refused(TOO_LARGE)),
        Rule::reference_prefix("NONE-", Outcome::Receipt(ReceiptFault::Never)),
    ];
    let mut sim = sim(rules);
    let sent: Vec<(Transmission, Vec<u16>)> = [
        ("R204-1", vec![EXPIRED]),
        ("R310-1", vec![UNKNOWN_SENDER]),
        ("R330-1", vec![TOO_LARGE]),
        ("NONE-1", vec![]),
    ]
    .into_iter()
    .map(|(r, codes)| (transmission(&[r]), codes))
    .collect();
    for (t, _) in &sent {
        sim.hand_over(t);
    }
    for _ in 0..2 {
        sim.round();
    }
    for (t, codes) in &sent {
        assert_eq!(&sim.codes(t), codes, "{:?}", t.announcements[0].reference());
    }
    assert!(sim.names(sim.outbox()).is_empty(), "all taken");
    assert!(sim.take_inbox().is_empty(), "none delivered");
}

#[test]
fn a_payload_over_the_limit_gets_330() {
    let mut sim = sim_with(vec![], Some(200));
    let t = transmission(&["BIG-1"]);
    sim.hand_over(&t);
    sim.round();
    assert_eq!(sim.codes(&t), vec![TOO_LARGE]);
}

#[test]
fn inbox_faults_come_before_the_good_acknowledgement() {
    let rules = vec![
        Rule::reference_prefix("FORN-", Outcome::Inbox(InboxFault::ForeignSender)),
        Rule::reference_prefix("TYPE-", Outcome::Inbox(InboxFault::UnknownType)),
        Rule::reference_prefix("NOEN-", Outcome::Inbox(InboxFault::WithoutEnvelope)),
        Rule::reference_prefix("MALF-", Outcome::Inbox(InboxFault::MalformedEnvelope)),
    ];
    let mut sim = sim(rules);
    for r in ["FORN-1", "TYPE-1", "NOEN-1", "MALF-1"] {
        sim.hand_over(&transmission(&[r]));
    }
    let report = sim.round();
    assert_eq!(report.inbox_messages, 8, "a faulty and a good message each");
    let inbox = sim.inbox();
    let mut foreign = 0;
    let mut unknown_type = 0;
    let mut without_envelope = 0;
    let mut malformed = 0;
    let mut good = 0;
    for (envelope, payload) in inbox.values() {
        assert!(payload.is_some(), "every message has its payload");
        match envelope.as_deref().map(Envelope::read) {
            None => without_envelope += 1,
            Some(Err(_)) => malformed += 1,
            Some(Ok(e)) if e.sender_id == id(DEFAULT_FOREIGN_SENDER_ID) => {
                foreign += 1;
            }
            Some(Ok(e)) if e.message_type == DEFAULT_UNKNOWN_TYPE => unknown_type += 1,
            Some(Ok(_)) => good += 1,
        }
    }
    assert_eq!(
        (foreign, unknown_type, without_envelope, malformed, good),
        (1, 1, 1, 1, 4)
    );
    let acks = sim.take_inbox();
    for r in ["FORN-1", "TYPE-1", "NOEN-1", "MALF-1"] {
        assert_eq!(processing(&acks, r), vec![Processing::Done], "{r}");
    }
}

#[test]
fn a_duplicate_inbox_message_comes_again_once_the_first_is_taken() {
    let mut sim = sim(vec![Rule::reference_prefix(
        "TWICE-",
        Outcome::DuplicateAck,
    )]);
    sim.hand_over(&transmission(&["TWICE-1"]));
    sim.round();
    let first = sim.inbox();
    assert_eq!(first.len(), 1);
    // Not yet taken: the second copy waits.
    sim.round();
    assert_eq!(sim.inbox(), first);
    sim.empty_inbox();
    sim.round();
    assert_eq!(sim.inbox(), first, "the same message id and bytes again");
}

#[test]
fn a_malformed_acknowledgement_has_a_valid_envelope_and_its_own_id() {
    let mut sim = sim(vec![Rule::reference_prefix("BAD-", Outcome::MalformedAck)]);
    sim.hand_over(&transmission(&["BAD-1"]));
    sim.round();
    let inbox = sim.inbox();
    assert_eq!(inbox.len(), 2);
    let unreadable = inbox
        .values()
        .filter(|(_, payload)| {
            read_acknowledgement(payload.as_deref().unwrap(), &ReadLimits::default()).is_err()
        })
        .count();
    assert_eq!(unreadable, 1);
    for (envelope, _) in inbox.values() {
        Envelope::read(envelope.as_deref().unwrap()).unwrap();
    }
}

#[test]
fn the_configured_folders_and_placeholders_read() {
    let dir = tempfile::tempdir().unwrap();
    let file: SedexFile = toml::from_str(
        r#"
interface_dir = "sedex"
inbox = "elsewhere/in"
fund_participant_id = "T7-066000-1"
transmission_message_type = 11
acknowledgement_message_type = 12
inbox_payload = "xml"
"#,
    )
    .unwrap();
    let c = file.to_config(dir.path()).unwrap();
    assert_eq!(c.folders.outbox, dir.path().join("sedex/outbox"));
    assert_eq!(c.folders.inbox, dir.path().join("elsewhere/in"));
    assert_eq!(c.fund_id.as_str(), "T7-066000-1");
    assert_eq!((c.transmission_type, c.acknowledgement_type), (11, 12));
    assert_eq!(c.inbox_payload, PayloadFormat::Xml);
    for (text, at) in [
        ("outbox = \"o\"", "sedex.inbox"),
        (
            "interface_dir = \"s\"\nunknown_message_type = 2011",
            "sedex.unknown_message_type",
        ),
        (
            "interface_dir = \"s\"\npoll_interval_ms = 0",
            "sedex.poll_interval_ms",
        ),
        (
            "interface_dir = \"s\"\nfund_participant_id = \"fund\"",
            "sedex.fund_participant_id",
        ),
    ] {
        let file: SedexFile = toml::from_str(text).unwrap();
        assert_eq!(file.to_config(dir.path()).unwrap_err().0, at, "{text}");
    }
}

#[tokio::test]
async fn start_runs_the_sedex_front_end_until_shutdown() {
    crate::pki::install_crypto_provider();
    let pki = crate::pki::TestPki::generate(&crate::pki::DEFAULT_SERVER_NAMES, 2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut sedex = SedexSimConfig::below(&dir.path().join("sedex"));
    sedex.poll_interval = std::time::Duration::from_millis(20);
    let mut config = SimConfig::from_pki(&pki);
    config.sedex = Some(sedex.clone());
    let sim = crate::sim::start(config, Arc::new(ManualClock::new(thursday())))
        .await
        .unwrap();
    assert_eq!(
        sim.sedex_folders(),
        Some(&sedex.folders),
        "the folders made"
    );
    let t = transmission(&["RUN-1"]);
    let envelope = fund_envelope(&t).to_xml();
    fund_hands_over(
        &sedex.folders.outbox,
        &t,
        envelope.as_bytes(),
        PayloadFormat::Zip,
    );
    let count = |folder: &Path| std::fs::read_dir(folder).unwrap().count();
    for _ in 0..500 {
        if count(&sedex.folders.receipts) == 1 && count(&sedex.folders.inbox) == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count(&sedex.folders.receipts), 1);
    assert_eq!(count(&sedex.folders.inbox), 2, "envelope and payload");
    assert_eq!(
        sim.received_message_ids(),
        vec![t.header.message_id.clone()]
    );
    sim.shutdown().await.unwrap();

    // Stopped: nothing is taken any more.
    let later = transmission(&["RUN-2"]);
    let envelope = fund_envelope(&later).to_xml();
    fund_hands_over(
        &sedex.folders.outbox,
        &later,
        envelope.as_bytes(),
        PayloadFormat::Zip,
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(count(&sedex.folders.outbox), 2);
}

/// The fund's sedex transport hands over, the simulator answers, the transport reads the
/// receipts and the inbox: both sides agree on the folders, the names, the envelopes and the
/// payloads; the faulty inbox messages are the ones the transport refuses.
#[tokio::test]
async fn the_fund_transport_and_the_simulator_agree() {
    use crate::transport::{ReceiptRead, Transport};
    let rules = vec![
        Rule::reference_prefix("R601-", Outcome::Receipt(ReceiptFault::SentThenReceived)),
        Rule::reference_prefix("FORN-", Outcome::Inbox(InboxFault::ForeignSender)),
        Rule::reference_prefix("TYPE-", Outcome::Inbox(InboxFault::UnknownType)),
        Rule::reference_prefix("MALF-", Outcome::Inbox(InboxFault::MalformedEnvelope)),
    ];
    let mut sim = sim(rules);
    let fund = fund_transport(&sim);
    let sent: Vec<Transmission> = ["FUND-1", "R601-1", "FORN-1", "TYPE-1", "MALF-1"]
        .iter()
        .map(|r| transmission(&[r]))
        .collect();
    for t in &sent {
        let xml = write_transmission(t).unwrap();
        fund.send(&t.header.message_id, &xml).await.unwrap();
    }
    sim.round();
    sim.round();
    let mut codes: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for read in fund.receipts(100).await.unwrap() {
        let ReceiptRead::Read(late) = read else {
            panic!("unreadable receipt: {read:?}");
        };
        codes
            .entry(late.message_id)
            .or_default()
            .push(late.receipt.status);
    }
    for v in codes.values_mut() {
        v.sort_unstable();
    }
    assert_eq!(codes[sent[0].header.message_id.as_str()], vec![TRANSMITTED]);
    assert_eq!(
        codes[sent[1].header.message_id.as_str()],
        vec![TRANSMITTED, SENT]
    );

    let inbound = fund.inbound(100).await.unwrap();
    let refused = inbound.iter().filter(|m| m.content.is_err()).count();
    assert_eq!(
        refused, 3,
        "foreign sender, unknown type, malformed envelope"
    );
    let mut done = Vec::new();
    for m in inbound.iter().filter_map(|m| m.content.as_ref().ok()) {
        let ack = read_acknowledgement(&m.xml, &ReadLimits::default()).unwrap();
        done.extend(ack.entries.iter().map(|e| e.reference.as_str().to_string()));
    }
    done.sort();
    assert_eq!(done, ["FORN-1", "FUND-1", "MALF-1", "R601-1", "TYPE-1"]);
}

/// The fund's sedex transport on the simulator's interface directory, with arcgw's own folders.
fn fund_transport(sim: &Sim) -> crate::transport::SedexTransport {
    let root = sim._dir.path().to_path_buf();
    for own in ["done", "processed", "rejected"] {
        std::fs::create_dir_all(root.join("arcgw").join(own)).unwrap();
    }
    let config: crate::transport::SedexConfig = toml::from_str(&format!(
        "interface_directory = {:?}",
        root.display().to_string()
    ))
    .unwrap();
    crate::transport::SedexTransport::new(&config, id(DEFAULT_FUND_ID), id(ZAS)).unwrap()
}

/// The messages the HTTPS feed hands out, in sequence order, read as the fund reads them.
fn feed_messages(sim: &Sim) -> Vec<crate::dtxml::ZasMessage> {
    sim.shared
        .issued_after(0, 10)
        .iter()
        .map(|i| {
            crate::dtxml::read_zas_message(i.to_feed().xml.as_bytes(), &ReadLimits::default())
                .unwrap()
        })
        .collect()
}

/// A `closing_order` rule: the announcement is acknowledged done, then the ZAS sends the fund a
/// closing-and-transmission order for its person — into the inbox as a message of its own type,
/// which the fund's transport reads as a closing order, and in the HTTPS feed after the
/// acknowledgement.
#[tokio::test]
async fn a_closing_order_follows_the_acknowledgement_over_both_front_ends() {
    use crate::clock::Clock;
    use crate::domain::{Domicile, DomicileInstruction};
    use crate::dtxml::{ZasMessage, read_closing_order};
    use crate::transport::{InboundKind, Transport};
    let domicile = DomicileInstruction::new(Domicile::Convention).unwrap();
    let rules = vec![Rule::reference_prefix(
        "ORD-",
        Outcome::ClosingOrder {
            domicile,
            ordering_fund: Some(FundNumber::new(1, 0).unwrap()),
        },
    )];
    let mut sim = sim(rules);
    let fund = fund_transport(&sim);
    let t = transmission(&["ORD-1"]);
    fund.send(&t.header.message_id, &write_transmission(&t).unwrap())
        .await
        .unwrap();
    sim.round();
    let inbound = fund.inbound(10).await.unwrap();
    let kinds: Vec<InboundKind> = inbound
        .iter()
        .map(|m| m.content.as_ref().unwrap().kind)
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&InboundKind::Acknowledgement));
    let order = inbound
        .iter()
        .filter_map(|m| m.content.as_ref().ok())
        .find(|p| p.kind == InboundKind::ClosingOrder)
        .map(|p| read_closing_order(&p.xml, &ReadLimits::default()).unwrap())
        .expect("a closing order in the inbox");
    assert_eq!(order.fund, FundNumber::new(66, 0).unwrap());
    assert_eq!(order.ordering_fund, FundNumber::new(1, 0).unwrap());
    assert_eq!(
        order.avs_number,
        AvsNumber::parse("756.1234.5678.97").unwrap()
    );
    assert_eq!(order.key.code(), 81);
    assert_eq!(order.domicile, domicile);
    assert_eq!(order.order_date, sim.clock.today());
    assert_eq!(order.header.recipient_id, id(DEFAULT_FUND_ID));

    // The HTTPS feed hands out the same queue: the acknowledgement, then the order.
    let feed = feed_messages(&sim);
    assert!(matches!(feed[0], ZasMessage::Acknowledgement(_)));
    assert_eq!(feed[1], ZasMessage::ClosingOrder(order));
}

/// A `ci_complement` and a `splitting_notice` rule: the announcements are acknowledged done,
/// then the ZAS sends the fund a CI complement and a splitting notice for their person — into
/// the inbox each as a message of its own type, which the fund's transport reads as that kind,
/// and in the HTTPS feed after the acknowledgement.
#[tokio::test]
async fn a_complement_and_a_splitting_notice_follow_over_both_front_ends() {
    use crate::domain::{CiChange, SplitYear, SplittingOrder, StateCode};
    use crate::dtxml::ZasMessage;
    use crate::sim::Notice;
    use crate::transport::Transport;
    let spouse = AvsNumber::parse("756.3047.5009.62").unwrap();
    let years = vec![SplitYear {
        year: 1995,
        special: None,
    }];
    let change = CiChange::new(None, Some(StateCode::new(218).unwrap())).unwrap();
    let rules = vec![
        Rule::reference_prefix(
            "CPL-",
            Outcome::Notice(Notice::CiComplement {
                change: change.clone(),
            }),
        ),
        Rule::reference_prefix(
            "SPL-",
            Outcome::Notice(Notice::SplittingNotice {
                splitting: Some(SplittingOrder::new(spouse, years.clone()).unwrap()),
                ordering_fund: Some(FundNumber::new(1, 0).unwrap()),
            }),
        ),
    ];
    let mut sim = sim(rules);
    let fund = fund_transport(&sim);
    let t = transmission(&["CPL-1", "SPL-1"]);
    fund.send(&t.header.message_id, &write_transmission(&t).unwrap())
        .await
        .unwrap();
    sim.round();
    let mut inbound: Vec<ZasMessage> = fund
        .inbound(10)
        .await
        .unwrap()
        .iter()
        .map(|m| {
            let payload = m.content.as_ref().unwrap();
            payload
                .kind
                .read(&payload.xml, &ReadLimits::default())
                .unwrap()
        })
        .collect();
    assert_eq!(
        inbound.len(),
        3,
        "the acknowledgement, the complement, the notice"
    );
    let person = AvsNumber::parse("756.1234.5678.97").unwrap();
    let complement = inbound.iter().find_map(|m| match m {
        ZasMessage::CiComplement(c) => Some(c.clone()),
        _ => None,
    });
    let complement = complement.expect("a complement in the inbox, under its own type");
    assert_eq!(complement.avs_number, person);
    assert_eq!(complement.change, change);
    assert_eq!(complement.fund, FundNumber::new(66, 0).unwrap());
    let notice = inbound.iter().find_map(|m| match m {
        ZasMessage::SplittingNotice(n) => Some(n.clone()),
        _ => None,
    });
    let notice = notice.expect("a notice in the inbox, under its own type");
    assert_eq!(notice.spouses.insured(), person);
    assert_eq!(notice.spouses.order().spouse(), spouse);
    assert_eq!(notice.ordering_fund, FundNumber::new(1, 0).unwrap());

    // The HTTPS feed hands out the same queue: the acknowledgement, then the two.
    let feed = feed_messages(&sim);
    assert!(matches!(feed[0], ZasMessage::Acknowledgement(_)));
    inbound.retain(|m| !matches!(m, ZasMessage::Acknowledgement(_)));
    // The inbox is read in the order of the sedex message ids; the feed in the order issued.
    assert_eq!(feed.len(), 3);
    assert!(feed[1..].iter().all(|m| inbound.contains(m)), "{feed:?}");
}
