//! The settings of the sedex front end: the fund's interface directory (or each of its four
//! folders), the participants and the message types, as in the `[sedex]` section of
//! `zas-sim.toml`.
//!
//! The message types are placeholders: the ZAS assigns the real numbers for ARC exchange and
//! does not publish them. They must be the numbers the fund's arcgw is configured with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::domain::ParticipantId;
use crate::sedex::{Folders, PayloadFormat};
use crate::transport::SedexConfig;
use crate::transport::sedex::SedexSetupError;

/// PLACEHOLDER: the sedex message type of a fund's transmission (the ZAS's is not public): the
/// sedex transport's default (`transmission_message_type` of `[zas.sedex]`).
pub const DEFAULT_TRANSMISSION_TYPE: u32 = crate::transport::sedex::PLACEHOLDER_TRANSMISSION_TYPE;
/// PLACEHOLDER: the sedex message type of the ZAS's acknowledgement (the ZAS's is not public):
/// the sedex transport's default (`acknowledgement_message_type`).
pub const DEFAULT_ACKNOWLEDGEMENT_TYPE: u32 =
    crate::transport::sedex::PLACEHOLDER_ACKNOWLEDGEMENT_TYPE;
/// PLACEHOLDER: the sedex message type of the ZAS's closing-and-transmission order (the ZAS's
/// is not public): the sedex transport's default (`closing_order_message_type`).
pub const DEFAULT_CLOSING_ORDER_TYPE: u32 = crate::transport::sedex::PLACEHOLDER_CLOSING_ORDER_TYPE;
/// PLACEHOLDER: the sedex message type of the ZAS's CI complement (N. 2105; the ZAS's is not
/// public): the sedex transport's default (`ci_complement_message_type`).
pub const DEFAULT_CI_COMPLEMENT_TYPE: u32 = crate::transport::sedex::PLACEHOLDER_CI_COMPLEMENT_TYPE;
/// PLACEHOLDER: the sedex message type of the ZAS's splitting notice (N. 2602; the ZAS's is not
/// public): the sedex transport's default (`splitting_notice_message_type`).
pub const DEFAULT_SPLITTING_NOTICE_TYPE: u32 =
    crate::transport::sedex::PLACEHOLDER_SPLITTING_NOTICE_TYPE;
/// The message type of the `inbox_unknown_type` fault: none of the ones above.
pub const DEFAULT_UNKNOWN_TYPE: u32 = 9999;
/// PLACEHOLDER: the fund's sedex participant id (the demo's client certificate's).
pub const DEFAULT_FUND_ID: &str = crate::pki::TEST_CLIENT_ID;
/// The sender of the `inbox_foreign_sender` fault: a participant that is not the ZAS.
pub const DEFAULT_FOREIGN_SENDER_ID: &str = "T1-000000-9";
/// How long the front end waits between two rounds.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Everything the sedex front end runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SedexSimConfig {
    /// The fund's interface directory as the sedex client sees it: pairs are taken from
    /// `outbox`, moved to `processed`; receipts go into `receipts`, acknowledgements into
    /// `inbox`.
    pub folders: Folders,
    /// The fund's participant id: the only sender taken from the outbox (else receipt 300), the
    /// recipient of the inbox messages.
    pub fund_id: ParticipantId,
    /// The messageType of the fund's transmissions (else receipt 303).
    pub transmission_type: u32,
    /// The messageType of the acknowledgements written into the inbox.
    pub acknowledgement_type: u32,
    /// The messageType of the closing-and-transmission orders written into the inbox.
    pub closing_order_type: u32,
    /// The messageType of the CI complements written into the inbox.
    pub ci_complement_type: u32,
    /// The messageType of the splitting notices written into the inbox.
    pub splitting_notice_type: u32,
    /// The messageType of the `inbox_unknown_type` fault.
    pub unknown_type: u32,
    /// The senderId of the `inbox_foreign_sender` fault.
    pub foreign_sender_id: ParticipantId,
    /// How the acknowledgements' payloads are written: `data_<id>.zip` (a ZIP holding the DT
    /// XML) or `data_<id>.xml`.
    pub inbox_payload: PayloadFormat,
    pub poll_interval: Duration,
}

impl SedexSimConfig {
    /// The usual folders below `interface_dir`; the defaults (placeholders) otherwise.
    pub fn below(interface_dir: &Path) -> SedexSimConfig {
        SedexSimConfig {
            folders: Folders::in_interface_directory(interface_dir),
            fund_id: participant(DEFAULT_FUND_ID),
            transmission_type: DEFAULT_TRANSMISSION_TYPE,
            acknowledgement_type: DEFAULT_ACKNOWLEDGEMENT_TYPE,
            closing_order_type: DEFAULT_CLOSING_ORDER_TYPE,
            ci_complement_type: DEFAULT_CI_COMPLEMENT_TYPE,
            splitting_notice_type: DEFAULT_SPLITTING_NOTICE_TYPE,
            unknown_type: DEFAULT_UNKNOWN_TYPE,
            foreign_sender_id: participant(DEFAULT_FOREIGN_SENDER_ID),
            inbox_payload: PayloadFormat::Zip,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }
}

/// The simulator and a fund on one interface directory, both polling every `poll` (the set-up
/// of the demo and the end-to-end benchmark): the simulator's configuration, and the fund's
/// (`[zas.sedex]`) with its folders created.
pub fn on_one_interface_directory(
    interface_dir: &Path,
    poll: Duration,
) -> Result<(SedexSimConfig, SedexConfig), SedexSetupError> {
    let sim = SedexSimConfig {
        poll_interval: poll,
        ..SedexSimConfig::below(interface_dir)
    };
    let fund = SedexConfig {
        poll_interval_ms: u64::try_from(poll.as_millis()).unwrap_or(u64::MAX),
        ..SedexConfig::in_interface_directory(interface_dir.to_path_buf())
    };
    fund.create_missing_folders()?;
    Ok((sim, fund))
}

fn participant(id: &str) -> ParticipantId {
    // Constants that pass the check; the fallback is never taken.
    ParticipantId::new(id).unwrap_or_else(|_| unreachable!("{id} is a valid participant id"))
}

/// The `[sedex]` section as written; paths relative to the configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SedexFile {
    interface_dir: Option<PathBuf>,
    outbox: Option<PathBuf>,
    inbox: Option<PathBuf>,
    receipts: Option<PathBuf>,
    processed: Option<PathBuf>,
    fund_participant_id: Option<String>,
    transmission_message_type: Option<u32>,
    acknowledgement_message_type: Option<u32>,
    closing_order_message_type: Option<u32>,
    ci_complement_message_type: Option<u32>,
    splitting_notice_message_type: Option<u32>,
    unknown_message_type: Option<u32>,
    foreign_sender_id: Option<String>,
    inbox_payload: Option<PayloadFormat>,
    poll_interval_ms: Option<u64>,
}

impl SedexFile {
    /// The settings, or the field at fault and the problem.
    pub fn to_config(&self, base: &Path) -> Result<SedexSimConfig, (String, String)> {
        let invalid = |at: &str, problem: String| (format!("sedex.{at}"), problem);
        let folder = |given: &Option<PathBuf>, name: &str, usual: PathBuf| match given {
            Some(path) => Ok(base.join(path)),
            None if self.interface_dir.is_some() => Ok(usual),
            None => Err(invalid(
                name,
                "missing: give interface_dir or each of outbox, inbox, receipts, processed".into(),
            )),
        };
        let below = Folders::in_interface_directory(
            &base.join(self.interface_dir.clone().unwrap_or_default()),
        );
        let folders = Folders {
            outbox: folder(&self.outbox, "outbox", below.outbox)?,
            inbox: folder(&self.inbox, "inbox", below.inbox)?,
            receipts: folder(&self.receipts, "receipts", below.receipts)?,
            processed: folder(&self.processed, "processed", below.processed)?,
        };
        let id = |given: &Option<String>, at: &str, default: &str| {
            ParticipantId::new(given.as_deref().unwrap_or(default))
                .map_err(|e| invalid(at, e.to_string()))
        };
        let config = SedexSimConfig {
            folders,
            fund_id: id(
                &self.fund_participant_id,
                "fund_participant_id",
                DEFAULT_FUND_ID,
            )?,
            transmission_type: self
                .transmission_message_type
                .unwrap_or(DEFAULT_TRANSMISSION_TYPE),
            acknowledgement_type: self
                .acknowledgement_message_type
                .unwrap_or(DEFAULT_ACKNOWLEDGEMENT_TYPE),
            closing_order_type: self
                .closing_order_message_type
                .unwrap_or(DEFAULT_CLOSING_ORDER_TYPE),
            ci_complement_type: self
                .ci_complement_message_type
                .unwrap_or(DEFAULT_CI_COMPLEMENT_TYPE),
            splitting_notice_type: self
                .splitting_notice_message_type
                .unwrap_or(DEFAULT_SPLITTING_NOTICE_TYPE),
            unknown_type: self.unknown_message_type.unwrap_or(DEFAULT_UNKNOWN_TYPE),
            foreign_sender_id: id(
                &self.foreign_sender_id,
                "foreign_sender_id",
                DEFAULT_FOREIGN_SENDER_ID,
            )?,
            inbox_payload: self.inbox_payload.unwrap_or_default(),
            poll_interval: self
                .poll_interval_ms
                .map_or(DEFAULT_POLL_INTERVAL, Duration::from_millis),
        };
        if config.poll_interval.is_zero() {
            return Err(invalid("poll_interval_ms", "must be at least 1".into()));
        }
        if [
            config.transmission_type,
            config.acknowledgement_type,
            config.closing_order_type,
            config.ci_complement_type,
            config.splitting_notice_type,
        ]
        .contains(&config.unknown_type)
        {
            return Err(invalid(
                "unknown_message_type",
                "must differ from the transmission's and the ZAS's message types".into(),
            ));
        }
        Ok(config)
    }
}
