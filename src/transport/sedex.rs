//! The sedex transport: a transmission is handed to the fund's sedex client as files in its
//! interface directory (payload `data_<id>.<zip|xml>`, then envelope `envl_<id>.xml`, each
//! written atomically, mode 0600, into `outbox/`); the sedex client's receipts come later, in
//! `receipts/`, and are put away into arcgw's own `done/` (or `rejected/`, with the reason)
//! once taken in. Messages from the ZAS come into `inbox/`, one sedex message type per kind:
//! the acknowledgement, the closing-and-transmission order, the CI complement and the splitting
//! notice (all placeholders). The message id is the transmission's on every resend, so a hand-over done
//! again after a crash is the same message (the client answers a repeat with receipt 201).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;

use super::{
    BoxFuture, Feed, Inbound, InboundKind, InboundPayload, LateReceipt, Receipt, ReceiptRead,
    Sending, Settled, Transport, TransportError,
};
use crate::domain::{MessageId, ParticipantId};
use crate::dtxml::ReadLimits;
use crate::failpoint;
use crate::sedex::FileKind;
use crate::sedex::folders::{self, FolderError, MessageFile};
use crate::sedex::{Envelope, Folders, MessageClass, PayloadFormat, SedexMessageId, SedexReceipt};

/// PLACEHOLDER: the sedex message type of an ARC transmission. The ZAS assigns the real number;
/// until then this one is arcgw's own (the DT XML's `messageType`).
pub const PLACEHOLDER_TRANSMISSION_TYPE: u32 = 2011;
/// PLACEHOLDER: the sedex message type of the ZAS's acknowledgement (arcgw's own number).
pub const PLACEHOLDER_ACKNOWLEDGEMENT_TYPE: u32 = 2012;
/// PLACEHOLDER: the sedex message type of the ZAS's closing-and-transmission order (N. 2707;
/// arcgw's own number).
pub const PLACEHOLDER_CLOSING_ORDER_TYPE: u32 = 2013;
/// PLACEHOLDER: the sedex message type of the ZAS's CI complement (N. 2105; arcgw's own
/// number).
pub const PLACEHOLDER_CI_COMPLEMENT_TYPE: u32 = 2014;
/// PLACEHOLDER: the sedex message type of the ZAS's splitting notice (N. 2602; arcgw's own
/// number).
pub const PLACEHOLDER_SPLITTING_NOTICE_TYPE: u32 = 2015;

/// `[zas.sedex]`: where the sedex client's interface directory is and how messages look.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SedexConfig {
    /// The interface directory holding `outbox/`, `inbox/`, `receipts/` and `processed/`.
    pub interface_directory: Option<PathBuf>,
    /// Each folder of the sedex client, when not under `interface_directory`.
    pub outbox: Option<PathBuf>,
    pub inbox: Option<PathBuf>,
    pub receipts: Option<PathBuf>,
    pub processed: Option<PathBuf>,
    /// arcgw's own folders (on the same file system: files are moved by renaming): receipts
    /// taken in, inbox messages taken in, and what could not be used (with the reason).
    /// Default: `arcgw/done`, `arcgw/processed`, `arcgw/rejected` under `interface_directory`.
    pub done: Option<PathBuf>,
    pub arcgw_processed: Option<PathBuf>,
    pub rejected: Option<PathBuf>,
    /// The sedex message type of a transmission. PLACEHOLDER default 2011: the ZAS assigns
    /// the real number.
    #[serde(default = "default_transmission_type")]
    pub transmission_message_type: u32,
    /// The sedex message type of an acknowledgement. PLACEHOLDER default 2012.
    #[serde(default = "default_acknowledgement_type")]
    pub acknowledgement_message_type: u32,
    /// The sedex message type of a closing-and-transmission order. PLACEHOLDER default 2013.
    #[serde(default = "default_closing_order_type")]
    pub closing_order_message_type: u32,
    /// The sedex message type of a CI complement. PLACEHOLDER default 2014.
    #[serde(default = "default_ci_complement_type")]
    pub ci_complement_message_type: u32,
    /// The sedex message type of a splitting notice. PLACEHOLDER default 2015.
    #[serde(default = "default_splitting_notice_type")]
    pub splitting_notice_message_type: u32,
    /// `zip` (default) or `xml`.
    #[serde(default)]
    pub payload_format: PayloadFormat,
    /// How often `receipts/` (and the inbox) are read, in milliseconds. Default 1000.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// A transmission without a receipt this long after its hand-over is flagged, an alert
    /// logged, and it is handed over again (same message id). Default 3600.
    #[serde(default = "default_receipt_timeout_secs")]
    pub receipt_timeout_secs: u64,
    /// An inbox envelope without payload, or payload without envelope, older than this is
    /// moved to `rejected/`; younger, it may still be being written. Default 300.
    #[serde(default = "default_inbox_grace_secs")]
    pub inbox_grace_secs: u64,
    /// How long one hand-over may take: the lease of a transmission being handed over. After
    /// a crash the transmission is handed over again (same message id) once it has run out.
    /// Default 60.
    #[serde(default = "default_hand_over_lease_secs")]
    pub hand_over_lease_secs: u64,
}

impl SedexConfig {
    /// The usual folders below `interface_directory` (arcgw's own under its `arcgw/`), every
    /// other setting its default.
    pub fn in_interface_directory(interface_directory: PathBuf) -> SedexConfig {
        SedexConfig {
            interface_directory: Some(interface_directory),
            outbox: None,
            inbox: None,
            receipts: None,
            processed: None,
            done: None,
            arcgw_processed: None,
            rejected: None,
            transmission_message_type: default_transmission_type(),
            acknowledgement_message_type: default_acknowledgement_type(),
            closing_order_message_type: default_closing_order_type(),
            ci_complement_message_type: default_ci_complement_type(),
            splitting_notice_message_type: default_splitting_notice_type(),
            payload_format: PayloadFormat::default(),
            poll_interval_ms: default_poll_interval_ms(),
            receipt_timeout_secs: default_receipt_timeout_secs(),
            inbox_grace_secs: default_inbox_grace_secs(),
            hand_over_lease_secs: default_hand_over_lease_secs(),
        }
    }
}

fn default_hand_over_lease_secs() -> u64 {
    60
}

fn default_inbox_grace_secs() -> u64 {
    300
}

fn default_transmission_type() -> u32 {
    PLACEHOLDER_TRANSMISSION_TYPE
}
fn default_acknowledgement_type() -> u32 {
    PLACEHOLDER_ACKNOWLEDGEMENT_TYPE
}
fn default_closing_order_type() -> u32 {
    PLACEHOLDER_CLOSING_ORDER_TYPE
}
fn default_ci_complement_type() -> u32 {
    PLACEHOLDER_CI_COMPLEMENT_TYPE
}
fn default_splitting_notice_type() -> u32 {
    PLACEHOLDER_SPLITTING_NOTICE_TYPE
}
fn default_poll_interval_ms() -> u64 {
    1000
}
fn default_receipt_timeout_secs() -> u64 {
    3600
}

/// arcgw's own folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnFolders {
    pub done: PathBuf,
    pub processed: PathBuf,
    pub rejected: PathBuf,
}

/// Why the sedex configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SedexSetupError {
    #[error("[zas.sedex] needs interface_directory, or {0} set on its own")]
    Missing(&'static str),
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("cannot create the sedex folder {name} ({}): {source}", path.display())]
    Create {
        name: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SedexConfig {
    fn folder(
        &self,
        own: &Option<PathBuf>,
        under: &str,
        name: &'static str,
    ) -> Result<PathBuf, SedexSetupError> {
        own.clone()
            .or_else(|| self.interface_directory.as_ref().map(|d| d.join(under)))
            .ok_or(SedexSetupError::Missing(name))
    }

    /// The sedex client's folders.
    pub fn folders(&self) -> Result<Folders, SedexSetupError> {
        Ok(Folders {
            outbox: self.folder(&self.outbox, "outbox", "outbox")?,
            inbox: self.folder(&self.inbox, "inbox", "inbox")?,
            receipts: self.folder(&self.receipts, "receipts", "receipts")?,
            processed: self.folder(&self.processed, "processed", "processed")?,
        })
    }

    /// arcgw's own folders.
    pub fn own_folders(&self) -> Result<OwnFolders, SedexSetupError> {
        Ok(OwnFolders {
            done: self.folder(&self.done, "arcgw/done", "done")?,
            processed: self.folder(&self.arcgw_processed, "arcgw/processed", "arcgw_processed")?,
            rejected: self.folder(&self.rejected, "arcgw/rejected", "rejected")?,
        })
    }

    /// Every folder, named, for the start-up check.
    fn all_folders(&self) -> Result<Vec<(&'static str, PathBuf)>, SedexSetupError> {
        let f = self.folders()?;
        let o = self.own_folders()?;
        Ok(vec![
            ("outbox", f.outbox),
            ("inbox", f.inbox),
            ("receipts", f.receipts),
            ("processed", f.processed),
            ("done", o.done),
            ("arcgw_processed", o.processed),
            ("rejected", o.rejected),
        ])
    }

    /// Creates every folder of this configuration that is missing (mode 0700): for the demo,
    /// the benchmarks and tests on a fresh interface directory. A real one is the sedex
    /// client's, set up by its administrator: `serve` creates none and refuses a missing one.
    pub fn create_missing_folders(&self) -> Result<(), SedexSetupError> {
        use std::os::unix::fs::DirBuilderExt;
        for (name, path) in self.all_folders()? {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&path)
                .map_err(|source| SedexSetupError::Create { name, path, source })?;
        }
        Ok(())
    }
}

/// The sedex transport of one environment.
pub struct SedexTransport {
    inner: Arc<Inner>,
}

struct Inner {
    folders: Folders,
    own: OwnFolders,
    format: PayloadFormat,
    sender_id: ParticipantId,
    recipient_id: ParticipantId,
    transmission_type: u32,
    /// The sedex message type of each kind of the ZAS's messages.
    inbound_types: [(u32, InboundKind); 4],
    receipt_within: Duration,
    inbox_grace: Duration,
    hand_over_lease: Duration,
}

/// The largest receipt file read.
const RECEIPT_MAX_BYTES: u64 = crate::sedex::MAX_DOCUMENT_BYTES as u64;

impl SedexTransport {
    /// Checks every folder (one error naming the first missing or unwritable one).
    pub fn new(
        config: &SedexConfig,
        sender_id: ParticipantId,
        recipient_id: ParticipantId,
    ) -> Result<Self, SedexSetupError> {
        for (name, path) in config.all_folders()? {
            folders::check_folder(name, &path)?;
        }
        Ok(SedexTransport {
            inner: Arc::new(Inner {
                folders: config.folders()?,
                own: config.own_folders()?,
                format: config.payload_format,
                sender_id,
                recipient_id,
                transmission_type: config.transmission_message_type,
                inbound_types: [
                    (
                        config.acknowledgement_message_type,
                        InboundKind::Acknowledgement,
                    ),
                    (config.closing_order_message_type, InboundKind::ClosingOrder),
                    (config.ci_complement_message_type, InboundKind::CiComplement),
                    (
                        config.splitting_notice_message_type,
                        InboundKind::SplittingNotice,
                    ),
                ],
                receipt_within: Duration::from_secs(config.receipt_timeout_secs.max(1)),
                inbox_grace: Duration::from_secs(config.inbox_grace_secs),
                hand_over_lease: Duration::from_secs(config.hand_over_lease_secs.max(1)),
            }),
        })
    }

    pub fn folders(&self) -> &Folders {
        &self.inner.folders
    }

    pub fn own_folders(&self) -> &OwnFolders {
        &self.inner.own
    }
}

impl SedexTransport {
    /// Runs `settle` for `key` off the async threads.
    fn settle_with<'a>(
        &'a self,
        key: &str,
        settled: &Settled,
        settle: fn(&Inner, &str, &Settled) -> Result<(), TransportError>,
    ) -> BoxFuture<'a, Result<(), TransportError>> {
        let inner = Arc::clone(&self.inner);
        let key = key.to_string();
        let settled = settled.clone();
        Box::pin(blocking(move || settle(&inner, &key, &settled)))
    }
}

fn folder_error(e: FolderError) -> TransportError {
    TransportError::Folder(e.to_string())
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, TransportError> + Send + 'static,
) -> Result<T, TransportError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| TransportError::Folder(format!("file work stopped: {e}")))?
}

impl Inner {
    /// Payload, then envelope, each atomically into the outbox.
    fn hand_over(&self, message_id: &MessageId, xml: &str) -> Result<(), TransportError> {
        let id = SedexMessageId::from(message_id);
        let payload = self
            .format
            .pack(xml.as_bytes())
            .map_err(|e| TransportError::Folder(e.to_string()))?;
        let data = MessageFile::payload(&id, self.format.extension())
            .expect("the payload formats' extensions are file-safe");
        folders::write_atomically(&self.folders.outbox, &data, &payload).map_err(folder_error)?;
        failpoint::hit(failpoint::AFTER_PAYLOAD);
        let now = Utc::now();
        let envelope = Envelope {
            message_id: id.clone(),
            message_type: self.transmission_type,
            message_class: MessageClass::Message,
            reference_message_id: None,
            sender_id: self.sender_id.clone(),
            recipient_ids: vec![self.recipient_id.clone()],
            event_date: now,
            message_date: now,
        };
        folders::write_atomically(
            &self.folders.outbox,
            &MessageFile::envelope(&id),
            envelope.to_xml().as_bytes(),
        )
        .map_err(folder_error)?;
        Ok(())
    }

    /// The receipts in `receipts/`, read and checked.
    fn read_receipts(&self, limit: usize) -> Result<Vec<ReceiptRead>, TransportError> {
        let dir = &self.folders.receipts;
        let names = folders::list_names(dir, |n| n.ends_with(".xml")).map_err(folder_error)?;
        Ok(names
            .into_iter()
            .take(limit)
            .map(|name| read_receipt(dir, name))
            .collect())
    }

    /// The complete messages of the inbox, each checked: envelope first (sender the ZAS,
    /// message type one of the ZAS's messages', recipient us), then the payload, bounded. A file
    /// without its partner is left for `inbox_grace` (it may be being written), then refused.
    fn read_inbox(&self, limit: usize) -> Result<Vec<Inbound>, TransportError> {
        let dir = &self.folders.inbox;
        let files = folders::list(dir).map_err(folder_error)?;
        let mut by_id: std::collections::BTreeMap<SedexMessageId, Vec<MessageFile>> =
            std::collections::BTreeMap::new();
        for file in files {
            by_id.entry(file.id.clone()).or_default().push(file);
        }
        let mut inbound = Vec::new();
        for (id, files) in by_id {
            if inbound.len() >= limit {
                break;
            }
            let envelope = files.iter().find(|f| f.kind == FileKind::Envelope);
            let payloads: Vec<&MessageFile> = files
                .iter()
                .filter(|f| f.kind != FileKind::Envelope)
                .collect();
            let content = match (envelope, payloads.as_slice()) {
                (Some(envelope), [payload]) => self.message(envelope, payload),
                (Some(_), [_, _, ..]) => Err("more than one payload for one envelope".to_string()),
                (Some(_), []) if self.older_than_grace(&files) => {
                    Err("an envelope without payload".to_string())
                }
                (None, _) if self.older_than_grace(&files) => {
                    Err("a payload without envelope".to_string())
                }
                _ => continue,
            };
            inbound.push(Inbound {
                key: id.to_string(),
                content,
            });
        }
        Ok(inbound)
    }

    /// Whether every one of `files` was last changed longer than the grace period ago.
    fn older_than_grace(&self, files: &[MessageFile]) -> bool {
        files.iter().all(|f| {
            std::fs::symlink_metadata(self.folders.inbox.join(f.name()))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= self.inbox_grace)
        })
    }

    /// The envelope checked, then the payload's XML with the kind the envelope's type gives.
    fn message(
        &self,
        envelope: &MessageFile,
        payload: &MessageFile,
    ) -> Result<InboundPayload, String> {
        let dir = &self.folders.inbox;
        let bytes = folders::read_bounded(dir, envelope, crate::sedex::MAX_DOCUMENT_BYTES as u64)
            .map_err(|e| e.to_string())?;
        let envelope = Envelope::read(&bytes).map_err(|e| format!("envelope: {e}"))?;
        if envelope.sender_id != self.recipient_id {
            return Err(format!(
                "sender {} is not the ZAS ({})",
                envelope.sender_id, self.recipient_id
            ));
        }
        let Some(&(_, kind)) = self
            .inbound_types
            .iter()
            .find(|(message_type, _)| *message_type == envelope.message_type)
        else {
            let known: Vec<String> = self
                .inbound_types
                .iter()
                .map(|(message_type, kind)| format!("{} {message_type}", kind.label()))
                .collect();
            return Err(format!(
                "message type {} is none of the ZAS's message types ({})",
                envelope.message_type,
                known.join(", ")
            ));
        };
        if !envelope.recipient_ids.contains(&self.sender_id) {
            return Err(format!("not addressed to this fund ({})", self.sender_id));
        }
        let FileKind::Payload { extension } = &payload.kind else {
            return Err("no payload".to_string());
        };
        let format = PayloadFormat::from_extension(extension)
            .ok_or_else(|| format!("payload of unknown format .{extension}"))?;
        let limit = ReadLimits::DEFAULT_MAX_BYTES;
        let packed =
            folders::read_bounded(dir, payload, limit as u64).map_err(|e| e.to_string())?;
        let xml = format.unpack(&packed, limit).map_err(|e| e.to_string())?;
        Ok(InboundPayload { kind, xml })
    }

    /// Moves the files of inbox message `key` to arcgw's `processed/`, or to `rejected/` with
    /// the reason beside each.
    fn settle_message(&self, key: &str, settled: &Settled) -> Result<(), TransportError> {
        let id = SedexMessageId::new(key).map_err(|e| TransportError::Folder(e.to_string()))?;
        let dir = &self.folders.inbox;
        let names: Vec<String> = folders::list(dir)
            .map_err(folder_error)?
            .into_iter()
            .filter(|f| f.id == id)
            .map(|f| f.name())
            .collect();
        match settled {
            Settled::TakenIn => folders::move_named(dir, &self.own.processed, &names),
            Settled::Rejected(reason) => names
                .iter()
                .try_for_each(|name| reject(dir, &self.own.rejected, name, reason)),
        }
        .map_err(folder_error)
    }

    fn settle(&self, key: &str, settled: &Settled) -> Result<(), TransportError> {
        let from = &self.folders.receipts;
        let names = [key.to_string()];
        match settled {
            Settled::TakenIn => folders::move_named(from, &self.own.done, &names),
            Settled::Rejected(reason) => reject(from, &self.own.rejected, key, reason),
        }
        .map_err(folder_error)
    }
}

fn read_receipt(dir: &Path, name: String) -> ReceiptRead {
    let unreadable = |reason: String| ReceiptRead::Unreadable {
        key: name.clone(),
        reason,
    };
    let bytes = match folders::read_named_bounded(dir, &name, RECEIPT_MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => return unreadable(e.to_string()),
    };
    match SedexReceipt::read(&bytes) {
        Ok(r) => ReceiptRead::Read(LateReceipt {
            key: name.clone(),
            message_id: r.message_id.to_string(),
            receipt: Receipt {
                status: r.status_code,
                description: r.status_info,
            },
            event_date: r.event_date,
        }),
        Err(e) => unreadable(e.to_string()),
    }
}

/// Moves `name` from `from` into `rejected` and writes the reason beside it
/// (`<name>.reason.txt`): kept for an operator, never deleted.
pub(crate) fn reject(
    from: &Path,
    rejected: &Path,
    name: &str,
    reason: &str,
) -> Result<(), FolderError> {
    folders::write_named_atomically(
        rejected,
        &format!("{name}.reason.txt"),
        format!("{reason}\n").as_bytes(),
    )?;
    folders::move_named(from, rejected, &[name.to_string()])
}

impl Transport for SedexTransport {
    fn send<'a>(
        &'a self,
        message_id: &'a MessageId,
        xml: &'a str,
    ) -> BoxFuture<'a, Result<Sending, TransportError>> {
        let inner = Arc::clone(&self.inner);
        let message_id = message_id.clone();
        let xml = xml.to_string();
        Box::pin(async move {
            let within = inner.receipt_within;
            blocking(move || inner.hand_over(&message_id, &xml)).await?;
            Ok(Sending::HandedOver {
                receipt_within: within,
            })
        })
    }

    /// Over sedex, acknowledgements come into the inbox, not from a feed.
    fn fetch<'a>(&'a self, after: i64, _limit: u32) -> BoxFuture<'a, Result<Feed, TransportError>> {
        Box::pin(async move {
            Ok(Feed {
                acknowledgements: Vec::new(),
                next_after: after,
            })
        })
    }

    fn attempt_time(&self) -> Duration {
        self.inner.hand_over_lease
    }

    fn receipts<'a>(
        &'a self,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<ReceiptRead>, TransportError>> {
        let inner = Arc::clone(&self.inner);
        Box::pin(blocking(move || inner.read_receipts(limit)))
    }

    fn inbound<'a>(&'a self, limit: usize) -> BoxFuture<'a, Result<Vec<Inbound>, TransportError>> {
        let inner = Arc::clone(&self.inner);
        Box::pin(blocking(move || inner.read_inbox(limit)))
    }

    fn settle_inbound<'a>(
        &'a self,
        key: &'a str,
        settled: &'a Settled,
    ) -> BoxFuture<'a, Result<(), TransportError>> {
        self.settle_with(key, settled, Inner::settle_message)
    }

    fn settle_receipt<'a>(
        &'a self,
        key: &'a str,
        settled: &'a Settled,
    ) -> BoxFuture<'a, Result<(), TransportError>> {
        self.settle_with(key, settled, Inner::settle)
    }
}
