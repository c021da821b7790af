//! The fund's side over sedex (eCH-0090), on both back ends (see `support::db`): a transmission is
//! handed over as payload and envelope in the sedex client's outbox (mode 0600, the
//! transmission's message id, the same on every hand-over); the receipts of each class are
//! applied as sedex's table says, once; a receipt that matches nothing is kept, one that cannot
//! be read is moved to `rejected/` with its reason; no receipt in time flags the transmission
//! and hands it over again; the state a crash leaves between writing the files and recording
//! the hand-over leads to the same message, not a new one.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use arcgw::clock::ManualClock;
use arcgw::domain::{AnnouncementState, ParticipantId};
use arcgw::dtxml::{ReadLimits, read_transmission};
use arcgw::engine::Engine;
use arcgw::sedex::folders::{self, MessageFile};
use arcgw::sedex::{Envelope, MessageClass, PayloadFormat, SedexMessageId, SedexReceipt};
use arcgw::store::{AttemptOutcome, Store, TransmissionRecord, TransmissionState};
use arcgw::transport::{SedexConfig, SedexTransport, Transport};
use chrono::TimeDelta;

use crate::support;
use crate::support::db::TestDb;
use crate::support::flow::{account, geneva, note};

struct Fund {
    engine: Engine,
    transport: Arc<SedexTransport>,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
}

fn config(root: &Path, format: PayloadFormat) -> SedexConfig {
    SedexConfig {
        payload_format: format,
        poll_interval_ms: 50,
        inbox_grace_secs: 0,
        ..SedexConfig::in_interface_directory(root.to_path_buf())
    }
}

fn make_folders(root: &Path) {
    config(root, PayloadFormat::Zip)
        .create_missing_folders()
        .unwrap();
}

fn fund(store: &Store, format: PayloadFormat) -> Fund {
    let dir = tempfile::tempdir().unwrap();
    make_folders(dir.path());
    let transport = Arc::new(
        SedexTransport::new(
            &config(dir.path(), format),
            ParticipantId::new("T7-066000-1").unwrap(),
            ParticipantId::new("T6-ZAS-1").unwrap(),
        )
        .unwrap(),
    );
    let clock = Arc::new(ManualClock::new(geneva(2026, 11, 2, 9, 0)));
    let engine = support::engine::engine_with(store.clone(), clock.clone(), transport.clone());
    Fund {
        engine,
        transport,
        clock,
        dir,
    }
}

impl Fund {
    fn outbox(&self) -> std::path::PathBuf {
        self.dir.path().join("outbox")
    }

    /// Submits one announcement and builds its transmission; returns it.
    async fn transmission(&self, reference: &str, number: u64) -> TransmissionRecord {
        let store = &self.engine.store;
        store
            .submit(
                &[account(reference, number)],
                &note(self.clock_now(), "submitted"),
            )
            .await
            .unwrap();
        assert_eq!(self.engine.build_all().await.unwrap(), 1);
        store.list_transmissions(None, 1).await.unwrap().remove(0)
    }

    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        arcgw::clock::Clock::now(self.clock.as_ref())
    }

    /// Writes a receipt of the sedex client for `message_id` with `code`, as file `name`.
    fn receipt(&self, message_id: &str, code: u16, name: &str) {
        let receipt = SedexReceipt {
            event_date: self.clock_now(),
            status_code: code,
            status_info: format!("status {code} <info>"),
            message_id: SedexMessageId::new(message_id).unwrap(),
            message_type: 2011,
            message_class: MessageClass::Message,
            sender_id: ParticipantId::new("T7-066000-1").unwrap(),
            recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        };
        std::fs::write(
            self.dir.path().join("receipts").join(name),
            receipt.to_xml(),
        )
        .unwrap();
    }

    /// The sedex client takes everything from the outbox.
    fn client_takes_outbox(&self) -> Vec<MessageFile> {
        let files = folders::list(&self.outbox()).unwrap();
        folders::move_files(&self.outbox(), &self.dir.path().join("processed"), &files).unwrap();
        files
    }

    async fn record(&self, id: i64) -> TransmissionRecord {
        self.engine.store.transmission(id).await.unwrap().0
    }

    async fn outcomes(&self, id: i64) -> Vec<(AttemptOutcome, Option<i64>)> {
        self.engine
            .store
            .transmission(id)
            .await
            .unwrap()
            .1
            .into_iter()
            .map(|a| (a.outcome, a.receipt_code))
            .collect()
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

async fn hand_over_writes_the_pair_privately_under_the_transmissions_id(db: TestDb) {
    for format in [PayloadFormat::Zip, PayloadFormat::Xml] {
        let f = fund(&db.store, format);
        let t = f
            .transmission(&format!("S-{}", format.extension()), 1)
            .await;
        let id = t.header.message_id.to_string();
        assert_eq!(f.engine.send_due().await.unwrap(), 1);
        let data = format!("data_{id}.{}", format.extension());
        let envl = format!("envl_{id}.xml");
        assert_eq!(names(&f.outbox()), {
            let mut n = vec![data.clone(), envl.clone()];
            n.sort();
            n
        });
        for name in [&data, &envl] {
            let mode = std::fs::metadata(f.outbox().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let envelope = Envelope::read(&std::fs::read(f.outbox().join(&envl)).unwrap()).unwrap();
        assert_eq!(envelope.message_id.as_str(), id);
        assert_eq!(envelope.message_type, 2011);
        assert_eq!(envelope.message_class, MessageClass::Message);
        assert_eq!(envelope.sender_id.as_str(), "T7-066000-1");
        assert_eq!(envelope.recipient_ids.len(), 1);
        assert_eq!(envelope.recipient_ids[0].as_str(), "T6-ZAS-1");
        let xml = format
            .unpack(&std::fs::read(f.outbox().join(&data)).unwrap(), 1 << 20)
            .unwrap();
        let sent = read_transmission(&xml, &ReadLimits::default()).unwrap();
        assert_eq!(sent.header.message_id, t.header.message_id);
        assert_eq!(sent.announcements.len(), 1);

        let record = f.record(t.id).await;
        assert_eq!(record.state, TransmissionState::Pending);
        assert!(record.handed_over_at.is_some());
        assert_eq!(
            f.outcomes(t.id).await,
            vec![(AttemptOutcome::HandedOver, None)]
        );
        // Handed over: not handed over again while its receipt is awaited.
        f.clock.advance(TimeDelta::minutes(59));
        assert_eq!(f.engine.send_due().await.unwrap(), 0);
    }
}

async fn receipts_of_each_class_apply_once(db: TestDb) {
    let f = fund(&db.store, PayloadFormat::Zip);
    let store = &db.store;

    // 100: delivered, its announcement announced; taken in again: nothing changes.
    let t = f.transmission("R-100", 1).await;
    let id = t.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    f.client_takes_outbox();
    f.receipt(&id, 100, "receipt_a.xml");
    assert_eq!(f.engine.take_in_receipts().await.unwrap(), 1);
    let record = f.record(t.id).await;
    assert_eq!(record.state, TransmissionState::Sent);
    assert_eq!(record.handed_over_at, None);
    assert_eq!(
        names(&f.dir.path().join("arcgw/done")),
        vec!["receipt_a.xml"]
    );
    assert!(names(&f.dir.path().join("receipts")).is_empty());
    let announced = store.list_transmissions(None, 1).await.unwrap()[0].announcement_count;
    assert_eq!(announced, 1);
    f.receipt(&id, 100, "receipt_a_again.xml");
    assert_eq!(f.engine.take_in_receipts().await.unwrap(), 1);
    assert_eq!(f.outcomes(t.id).await.len(), 2, "a repeat records nothing");
    assert_eq!(
        support::db::count(store, "SELECT COUNT(*) FROM sedex_receipts").await,
        1
    );

    // 601 then 100: waiting, then delivered.
    let t = f.transmission("R-601", 2).await;
    let id = t.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    f.receipt(&id, 601, "receipt_b1.xml");
    f.engine.take_in_receipts().await.unwrap();
    let record = f.record(t.id).await;
    assert_eq!(record.state, TransmissionState::Pending);
    assert!(
        record.handed_over_at.is_some(),
        "the receipt timeout runs on"
    );
    f.clock.advance(TimeDelta::seconds(1));
    f.receipt(&id, 100, "receipt_b2.xml");
    f.engine.take_in_receipts().await.unwrap();
    assert_eq!(f.record(t.id).await.state, TransmissionState::Sent);
    assert_eq!(
        f.outcomes(t.id).await,
        vec![
            (AttemptOutcome::HandedOver, None),
            (AttemptOutcome::Waiting, Some(601)),
            (AttemptOutcome::Transmitted, Some(100)),
        ]
    );

    // 310: refused; failed with the code and the client's statusInfo, for an operator.
    let t = f.transmission("R-310", 3).await;
    let id = t.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    f.receipt(&id, 310, "receipt_c.xml");
    f.engine.take_in_receipts().await.unwrap();
    let record = f.record(t.id).await;
    assert_eq!(record.state, TransmissionState::Failed);
    let failure = record.failure.unwrap();
    assert!(
        failure.contains("310") && failure.contains("status 310 <info>"),
        "{failure}"
    );

    // 401: retried after the backoff, handed over again under the same message id; then 201.
    let t = f.transmission("R-401", 4).await;
    let id = t.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    f.client_takes_outbox();
    f.receipt(&id, 401, "receipt_d1.xml");
    f.engine.take_in_receipts().await.unwrap();
    let record = f.record(t.id).await;
    assert_eq!(record.state, TransmissionState::Pending);
    assert!(record.next_attempt_at.unwrap() <= f.clock_now() + TimeDelta::seconds(2));
    f.clock.advance(TimeDelta::seconds(2));
    assert_eq!(f.engine.send_due().await.unwrap(), 1);
    let again = f.client_takes_outbox();
    assert!(again.iter().all(|file| file.id.as_str() == id), "{again:?}");
    assert_eq!(again.len(), 2);
    f.receipt(&id, 201, "receipt_d2.xml");
    f.engine.take_in_receipts().await.unwrap();
    assert_eq!(f.record(t.id).await.state, TransmissionState::Sent);

    // 701: a warning recorded; the transmission waits on.
    let t = f.transmission("R-701", 5).await;
    let id = t.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    f.receipt(&id, 701, "receipt_e.xml");
    f.engine.take_in_receipts().await.unwrap();
    assert_eq!(f.record(t.id).await.state, TransmissionState::Pending);
    assert_eq!(
        f.outcomes(t.id).await.last(),
        Some(&(AttemptOutcome::Warning, Some(701)))
    );

    // A receipt of no transmission of ours: kept and listed; its file in done/.
    f.receipt("not-ours-1", 100, "receipt_f.xml");
    f.engine.take_in_receipts().await.unwrap();
    let unmatched = store.unmatched_receipts(10).await.unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].message_id, "not-ours-1");
    assert_eq!(unmatched[0].file_name, "receipt_f.xml");
    assert!(names(&f.dir.path().join("arcgw/done")).contains(&"receipt_f.xml".to_string()));

    // Unreadable: moved to rejected/ with the reason beside it; the job goes on.
    std::fs::write(
        f.dir.path().join("receipts/receipt_g.xml"),
        "<!DOCTYPE x [<!ENTITY a \"b\">]><receipt/>",
    )
    .unwrap();
    f.engine.take_in_receipts().await.unwrap();
    let rejected = f.dir.path().join("arcgw/rejected");
    assert_eq!(
        names(&rejected),
        vec!["receipt_g.xml", "receipt_g.xml.reason.txt"]
    );
    let reason = std::fs::read_to_string(rejected.join("receipt_g.xml.reason.txt")).unwrap();
    assert!(reason.contains("DOCTYPE"), "{reason}");
    // A symlink in receipts/ is never read.
    std::os::unix::fs::symlink("/etc/passwd", f.dir.path().join("receipts/receipt_h.xml")).unwrap();
    assert_eq!(f.engine.take_in_receipts().await.unwrap(), 0);
}

async fn no_receipt_in_time_flags_and_hands_over_again(db: TestDb) {
    let f = fund(&db.store, PayloadFormat::Zip);
    let t = f.transmission("T-1", 1).await;
    let id = t.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    let first = f.client_takes_outbox();
    f.clock.advance(TimeDelta::seconds(3601));
    assert_eq!(f.engine.send_due().await.unwrap(), 1);
    let record = f.record(t.id).await;
    assert!(record.receipt_overdue_at.is_some());
    assert_eq!(db.store.receipts_overdue().await.unwrap(), 1);
    assert_eq!(
        f.client_takes_outbox(),
        first,
        "the same files: the same message id"
    );
    // The client answers the repeat with 201: delivered.
    f.receipt(&id, 201, "receipt_1.xml");
    f.engine.take_in_receipts().await.unwrap();
    let record = f.record(t.id).await;
    assert_eq!(record.state, TransmissionState::Sent);
    assert_eq!(record.receipt_overdue_at, None);
    assert_eq!(db.store.receipts_overdue().await.unwrap(), 0);
    let announcement = db.store.announcement(1).await.unwrap().announcement.state;
    assert_eq!(announcement, AnnouncementState::Announced);
}

/// What a crash leaves — the files written (all, or the payload only), the hand-over not
/// recorded — leads to a hand-over of the same message once the lease has run out.
async fn a_crash_between_files_and_record_resends_the_same_message(db: TestDb) {
    let f = fund(&db.store, PayloadFormat::Zip);
    let t = f.transmission("C-1", 1).await;
    let id = t.header.message_id.clone();
    // The lease taken, then the process "stops" before sending: as a crash leaves it.
    let lease = TimeDelta::seconds(60);
    let leased = db
        .store
        .lease_due_transmission(t.environment, f.clock_now(), lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leased.id, t.id);
    // After the payload, before the envelope: only the payload is there.
    let xml = arcgw::engine::reproduce::transmission_xml(&db.store, t.id)
        .await
        .unwrap()
        .1;
    let payload = MessageFile::payload(&SedexMessageId::from(&id), "zip").unwrap();
    folders::write_atomically(
        &f.outbox(),
        &payload,
        &PayloadFormat::Zip.pack(xml.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(f.engine.send_due().await.unwrap(), 0, "leased still");
    f.clock.advance(lease + TimeDelta::seconds(1));
    assert_eq!(f.engine.send_due().await.unwrap(), 1);
    assert_eq!(folders::list(&f.outbox()).unwrap().len(), 2);
    assert!(
        folders::list(&f.outbox())
            .unwrap()
            .iter()
            .all(|m| m.id.as_str() == id.as_str())
    );

    // After the envelope, before the record: the files are complete, nothing recorded.
    let t = f.transmission("C-2", 2).await;
    let id = t.header.message_id.clone();
    db.store
        .lease_due_transmission(t.environment, f.clock_now(), lease)
        .await
        .unwrap()
        .unwrap();
    f.transport
        .send(
            &id,
            &arcgw::engine::reproduce::transmission_xml(&db.store, t.id)
                .await
                .unwrap()
                .1,
        )
        .await
        .unwrap();
    let before = f.outcomes(t.id).await;
    assert!(before.is_empty());
    // The client takes them before the restart; after it, the same message again.
    let taken = f.client_takes_outbox();
    f.clock.advance(lease + TimeDelta::seconds(1));
    assert_eq!(f.engine.send_due().await.unwrap(), 1);
    let again: Vec<MessageFile> = folders::list(&f.outbox())
        .unwrap()
        .into_iter()
        .filter(|m| m.id.as_str() == id.as_str())
        .collect();
    assert_eq!(again.len(), 2);
    assert!(
        taken
            .iter()
            .filter(|m| m.id.as_str() == id.as_str())
            .count()
            == 2
    );
    f.receipt(id.as_str(), 201, "receipt_c2.xml");
    f.engine.take_in_receipts().await.unwrap();
    assert_eq!(f.record(t.id).await.state, TransmissionState::Sent);
    assert_eq!(
        support::db::count(&db.store, "SELECT COUNT(*) FROM transmissions").await,
        2,
        "no second transmission, no new message id"
    );
}

impl Fund {
    /// The sedex client places a message into the inbox: payload (if any) and envelope (if
    /// any) under `id`.
    fn inbox(
        &self,
        id: &str,
        sender: &str,
        message_type: u32,
        payload: Option<&[u8]>,
        envelope: bool,
    ) {
        let inbox = self.dir.path().join("inbox");
        let id = SedexMessageId::new(id).unwrap();
        if let Some(xml) = payload {
            let packed = PayloadFormat::Zip.pack(xml).unwrap();
            folders::write_atomically(&inbox, &MessageFile::payload(&id, "zip").unwrap(), &packed)
                .unwrap();
        }
        if envelope {
            let e = Envelope {
                message_id: id.clone(),
                message_type,
                message_class: MessageClass::Response,
                reference_message_id: None,
                sender_id: ParticipantId::new(sender).unwrap(),
                recipient_ids: vec![ParticipantId::new("T7-066000-1").unwrap()],
                event_date: self.clock_now(),
                message_date: self.clock_now(),
            };
            folders::write_atomically(&inbox, &MessageFile::envelope(&id), e.to_xml().as_bytes())
                .unwrap();
        }
    }
}

async fn the_inbox_is_taken_in_once_and_rejects_are_kept(db: TestDb) {
    let store = &db.store;
    let f = fund(store, PayloadFormat::Zip);
    let t = f.transmission("I-1", 1).await;
    f.engine.send_due().await.unwrap();
    f.receipt(t.header.message_id.as_str(), 100, "receipt_1.xml");
    f.engine.take_in_receipts().await.unwrap();
    let ack = arcgw::dtxml::write_acknowledgement(&support::flow::ack(
        "ack-1",
        support::flow::day(2026, 11, 3),
        "I-1",
        0,
    ))
    .unwrap();
    let zas = "T6-ZAS-1";
    f.inbox("sedex-ack-1", zas, 2012, Some(ack.as_bytes()), true);
    assert_eq!(f.engine.take_in_inbound().await.unwrap(), 1);
    let state = store.announcement(1).await.unwrap().announcement.state;
    assert_eq!(state, AnnouncementState::Done);
    assert!(names(&f.dir.path().join("inbox")).is_empty());
    assert_eq!(
        names(&f.dir.path().join("arcgw/processed")),
        vec!["data_sedex-ack-1.zip", "envl_sedex-ack-1.xml"]
    );

    // Delivered twice by the client, or read again after a crash between the store and the
    // move: stored once, nothing changes, the files still put away.
    f.inbox("sedex-ack-1", zas, 2012, Some(ack.as_bytes()), true);
    f.engine.take_in_inbound().await.unwrap();
    assert_eq!(
        support::db::count(store, "SELECT COUNT(*) FROM acknowledgements").await,
        1
    );
    assert!(names(&f.dir.path().join("inbox")).is_empty());
    assert_eq!(names(&f.dir.path().join("arcgw/processed")).len(), 4);

    // Refused, each kept in rejected/ with its reason; the job goes on to the good one.
    let other = arcgw::dtxml::write_acknowledgement(&support::flow::ack(
        "ack-2",
        support::flow::day(2026, 11, 3),
        "I-1",
        0,
    ))
    .unwrap();
    f.inbox("r-foreign", "1-999-1", 2012, Some(other.as_bytes()), true);
    f.inbox("r-type", zas, 9999, Some(other.as_bytes()), true);
    f.inbox("r-no-envelope", zas, 2012, Some(other.as_bytes()), false);
    f.inbox("r-no-payload", zas, 2012, None, true);
    f.inbox(
        "r-unreadable",
        zas,
        2012,
        Some(b"<message>not DT XML</message>"),
        true,
    );
    std::fs::write(f.dir.path().join("inbox/envl_r-malformed.xml"), "<envelope").unwrap();
    std::fs::write(f.dir.path().join("inbox/data_r-malformed.xml"), &other).unwrap();
    f.inbox("sedex-ack-3", zas, 2012, Some(other.as_bytes()), true);
    assert_eq!(f.engine.take_in_inbound().await.unwrap(), 1);
    assert!(names(&f.dir.path().join("inbox")).is_empty());
    let rejected = f.dir.path().join("arcgw/rejected");
    let reason =
        |name: &str| std::fs::read_to_string(rejected.join(format!("{name}.reason.txt"))).unwrap();
    assert!(reason("envl_r-foreign.xml").contains("not the ZAS"));
    assert!(reason("envl_r-type.xml").contains("message type 9999"));
    assert!(reason("data_r-no-envelope.zip").contains("without envelope"));
    assert!(reason("envl_r-no-payload.xml").contains("without payload"));
    assert!(reason("data_r-unreadable.zip").contains("payload"));
    assert!(reason("envl_r-malformed.xml").contains("envelope"));
    assert!(rejected.join("data_r-malformed.xml").exists());
    assert_eq!(
        support::db::count(store, "SELECT COUNT(*) FROM acknowledgements").await,
        2
    );
}

/// Two instances on one database and one interface directory: each transmission is handed
/// over once (the store's lease), each inbox message taken in once (one reader per tick).
async fn two_instances_on_one_interface_directory(db: TestDb) {
    let a = fund(&db.store, PayloadFormat::Zip);
    let other = Arc::new(
        SedexTransport::new(
            &config(a.dir.path(), PayloadFormat::Zip),
            ParticipantId::new("T7-066000-1").unwrap(),
            ParticipantId::new("T6-ZAS-1").unwrap(),
        )
        .unwrap(),
    );
    let b = support::engine::engine_with(db.another_store().await, a.clock.clone(), other);
    for i in 0..6 {
        a.transmission(&format!("P-{i}"), i + 1).await;
    }
    let (x, y) = tokio::join!(a.engine.send_due(), b.send_due());
    assert_eq!(x.unwrap() + y.unwrap(), 6);
    for t in db.store.list_transmissions(None, 10).await.unwrap() {
        assert_eq!(
            a.outcomes(t.id).await,
            vec![(AttemptOutcome::HandedOver, None)]
        );
    }
    assert_eq!(folders::list(&a.outbox()).unwrap().len(), 12);

    let ack = arcgw::dtxml::write_acknowledgement(&support::flow::ack(
        "ack-p",
        support::flow::day(2026, 11, 3),
        "P-0",
        0,
    ))
    .unwrap();
    a.inbox("sedex-ack-p", "T6-ZAS-1", 2012, Some(ack.as_bytes()), true);
    let (x, y) = tokio::join!(
        a.engine.take_in_inbound_this_tick(),
        b.take_in_inbound_this_tick()
    );
    let mut runs = [x.unwrap(), y.unwrap()];
    runs.sort();
    assert_eq!(
        runs,
        [None, Some(1)],
        "one instance reads the inbox in a tick"
    );
    assert_eq!(
        support::db::count(&db.store, "SELECT COUNT(*) FROM acknowledgements").await,
        1
    );
    assert!(names(&a.dir.path().join("arcgw/rejected")).is_empty());
    assert_eq!(names(&a.dir.path().join("arcgw/processed")).len(), 2);
}

/// Receipt 701 and a receipt overdue each write one alert to the outbox, in the transaction that
/// takes the receipt in or flags the transmission; taken in again or still overdue, nothing more.
/// The delivery job sends them to a real webhook receiver and a real SMTP listener on loopback,
/// with the transmission, its message id and the receipt's statusInfo, no AVS number.
async fn sedex_alerts_go_out_once_by_webhook_and_email(db: TestDb) {
    let f = fund(&db.store, PayloadFormat::Zip);
    let alerts =
        |store| async move { support::db::count(store, "SELECT COUNT(*) FROM alerts").await };
    let warned = f.transmission("A-701", 1).await;
    let warned_id = warned.header.message_id.to_string();
    f.engine.send_due().await.unwrap();
    f.receipt(&warned_id, 701, "receipt_701.xml");
    f.engine.take_in_receipts().await.unwrap();
    f.receipt(&warned_id, 701, "receipt_701_again.xml");
    f.engine.take_in_receipts().await.unwrap();
    assert_eq!(alerts(&db.store).await, 1, "one alert for receipt 701");

    let silent = f.transmission("A-none", 2).await;
    f.clock.advance(TimeDelta::seconds(10));
    f.engine.send_due().await.unwrap();
    f.clock.advance(TimeDelta::seconds(3601));
    f.engine.send_due().await.unwrap();
    assert!(f.record(silent.id).await.receipt_overdue_at.is_some());
    f.clock.advance(TimeDelta::seconds(3601));
    f.engine.send_due().await.unwrap();
    assert_eq!(
        alerts(&db.store).await,
        3,
        "one more for each transmission whose receipt is overdue, once: {:?}",
        support::db::count(
            &db.store,
            "SELECT COUNT(*) FROM alerts WHERE kind = 'sedex_receipt_overdue'"
        )
        .await
    );
    let overdue = support::db::count(
        &db.store,
        "SELECT COUNT(*) FROM alerts WHERE kind = 'sedex_receipt_overdue'",
    )
    .await;
    assert_eq!(overdue, 2, "A-701 waited past the timeout too");

    let (receiver, url) = support::webhook::Receiver::start(0).await;
    let smtp = support::smtp::SmtpServer::start().await;
    let job = arcgw::alerts::AlertJob::new(
        db.store.clone(),
        f.clock.clone(),
        support::webhook::alerts_config(&url, smtp.address.port(), 3),
    )
    .unwrap();
    let outcome = job.deliver_due().await.unwrap();
    assert_eq!(outcome.delivered, 9, "three alerts on three channels");
    assert_eq!(job.deliver_due().await.unwrap().delivered, 0);
    let bodies: Vec<serde_json::Value> = receiver
        .accepted()
        .iter()
        .map(|hook| serde_json::from_slice(&hook.body).unwrap())
        .collect();
    let expiring: Vec<_> = bodies
        .iter()
        .filter(|b| b["kind"] == "sedex_message_expires_soon")
        .collect();
    assert_eq!(expiring.len(), 1, "{bodies:?}");
    assert_eq!(expiring[0]["transmission_id"], warned.id);
    assert_eq!(expiring[0]["message_id"], warned_id.as_str());
    let detail = expiring[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("701") && detail.contains("status 701 <info>"),
        "{detail}"
    );
    let silent_body = bodies
        .iter()
        .find(|b| b["kind"] == "sedex_receipt_overdue" && b["transmission_id"] == silent.id)
        .expect("the overdue receipt's alert");
    assert_eq!(silent_body["environment"], "prod");
    assert_eq!(
        silent_body["connection_url"],
        "https://arcgw.fund.example/connection"
    );
    let mails = smtp.received();
    assert_eq!(mails.len(), 3);
    assert!(
        mails
            .iter()
            .any(|m| m.data.contains("No sedex receipt in time")),
        "{:?}",
        mails.iter().map(|m| &m.data).collect::<Vec<_>>()
    );
    for text in bodies
        .iter()
        .map(|b| b.to_string())
        .chain(mails.iter().map(|m| m.data.clone()))
    {
        // Shaped like an AVS number, not merely "756": a random alert id holds that often.
        assert!(
            !arcgw::domain::avs_mask::contains_avs_number(&text),
            "no AVS number: {text}"
        );
    }
}

support::db::on_both_backends!(
    sedex_alerts_go_out_once_by_webhook_and_email,
    two_instances_on_one_interface_directory,
    the_inbox_is_taken_in_once_and_rejects_are_kept,
    hand_over_writes_the_pair_privately_under_the_transmissions_id,
    receipts_of_each_class_apply_once,
    no_receipt_in_time_flags_and_hands_over_again,
    a_crash_between_files_and_record_resends_the_same_message,
);

#[test]
fn start_up_refuses_a_missing_folder_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    make_folders(dir.path());
    std::fs::remove_dir(dir.path().join("arcgw/rejected")).unwrap();
    let e = SedexTransport::new(
        &config(dir.path(), PayloadFormat::Zip),
        ParticipantId::new("T7-066000-1").unwrap(),
        ParticipantId::new("T6-ZAS-1").unwrap(),
    )
    .err()
    .expect("refused")
    .to_string();
    assert!(e.starts_with("sedex folder rejected ("), "{e}");
    assert!(!e.contains('\n'));
}
