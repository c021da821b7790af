//! The jobs of `arcgw serve` that move announcements after intake: build transmissions from the
//! queue ([`build`]), send them ([`send`]), take in the ZAS's acknowledgements ([`intake`]),
//! raise the reminders of passed deadlines ([`deadlines`], N. 3401).
//! Each runs on its own interval until shutdown; several instances may run them at once on
//! one PostgreSQL (claims and leases in the store keep them apart).

pub mod build;
pub mod deadlines;
pub mod intake;
mod reading;
pub mod receipts;
pub mod reproduce;
pub mod send;

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;

use crate::calendar::ZasCalendar;
use crate::clock::Clock;
pub use crate::domain::Environment;
use crate::domain::ParticipantId;
use crate::store::Store;
use crate::transport::{SedexConfig, Transport, TransportConfig};

/// `[zas]`: how the gateway exchanges with the ZAS.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZasConfig {
    pub environment: Environment,
    /// The fund's sedex participant id (the transmissions' senderId).
    #[serde(deserialize_with = "participant")]
    pub sender_id: ParticipantId,
    /// The ZAS's participant id (recipientId).
    #[serde(deserialize_with = "participant")]
    pub recipient_id: ParticipantId,
    /// The most announcements in one transmission.
    #[serde(default = "defaults::batch_size")]
    pub batch_size: u32,
    /// Attempts before a transmission is `failed` (an operator can resume it).
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "defaults::backoff_initial_ms")]
    pub backoff_initial_ms: u64,
    #[serde(default = "defaults::backoff_max_secs")]
    pub backoff_max_secs: u64,
    /// How often queued announcements are built into transmissions and sent.
    #[serde(default = "defaults::send_interval_ms")]
    pub send_interval_ms: u64,
    /// How often the acknowledgement feed is read.
    #[serde(default = "defaults::poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// How often, in seconds, the pending announcements are scanned for passed deadlines
    /// (N. 3401) and their reminders raised; also once at start. Default 300.
    #[serde(default = "defaults::deadline_scan_interval_secs")]
    pub deadline_scan_interval_secs: u64,
    /// How the ZAS is reached: `sedex` (`[zas.sedex]`) or `https` (`[zas.tls]`). Without it,
    /// sedex; HTTPS when only `[zas.tls]` is there (`config::default_transport`).
    #[serde(default)]
    pub transport: TransportKind,
    /// The HTTPS connection: endpoint, certificates, timeouts (`transport = "https"`).
    pub tls: Option<TransportConfig>,
    /// The sedex client's interface directory and message types (`transport = "sedex"`).
    pub sedex: Option<SedexConfig>,
}

/// The transport of one environment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// arcgw's HTTPS protocol with mutual TLS (what `arcgw zas-sim` speaks).
    Https,
    /// Files in the fund's sedex client's interface directory (eCH-0090 envelopes): the
    /// default.
    #[default]
    Sedex,
}

impl ZasConfig {
    /// The section the chosen transport needs, or which is missing.
    pub fn check_transport(&self) -> Result<(), String> {
        match (self.transport, &self.tls, &self.sedex) {
            (TransportKind::Https, Some(_), _) | (TransportKind::Sedex, _, Some(_)) => Ok(()),
            (TransportKind::Https, None, _) => {
                Err("transport = \"https\" needs a [zas.tls] section".to_string())
            }
            (TransportKind::Sedex, _, None) => Err(
                "transport = \"sedex\" (the default) needs a [zas.sedex] section; for HTTPS set \
                 transport = \"https\" with a [zas.tls] section"
                    .to_string(),
            ),
        }
    }
}

mod defaults {
    pub fn batch_size() -> u32 {
        1000
    }
    pub fn max_attempts() -> u32 {
        8
    }
    pub fn backoff_initial_ms() -> u64 {
        500
    }
    pub fn backoff_max_secs() -> u64 {
        300
    }
    pub fn send_interval_ms() -> u64 {
        1000
    }
    pub fn poll_interval_ms() -> u64 {
        5000
    }
    pub fn deadline_scan_interval_secs() -> u64 {
        300
    }
}

fn participant<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ParticipantId, D::Error> {
    let text = String::deserialize(d)?;
    ParticipantId::new(&text).map_err(serde::de::Error::custom)
}

/// What the jobs share.
#[derive(Clone)]
pub struct Engine {
    pub store: Store,
    pub transport: Arc<dyn Transport>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<ZasConfig>,
    /// The ZAS working days the deadlines of N. 3401 are counted in.
    pub calendar: Arc<ZasCalendar>,
}

impl Engine {
    /// Runs the jobs until `stop` turns true; each finishes the step it is in first.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let sender = {
            let engine = self.clone();
            let stop = stop.clone();
            let every = Duration::from_millis(self.config.send_interval_ms);
            tokio::spawn(async move {
                every_until(every, stop, || async {
                    let (built, sent) = engine.build_and_send().await;
                    if let Err(e) = built {
                        tracing::error!(error = %e, "building transmissions failed");
                    }
                    if let Err(e) = sent {
                        tracing::error!(error = %e, "sending transmissions failed");
                    }
                })
                .await
            })
        };
        let poller = {
            let engine = self.clone();
            let stop = stop.clone();
            let every = Duration::from_millis(self.config.poll_interval_ms);
            tokio::spawn(async move {
                every_until(every, stop, || async {
                    if let Err(e) = engine.take_in_acknowledgements().await {
                        tracing::warn!(error = %e, "reading acknowledgements failed");
                    }
                })
                .await
            })
        };
        let receipts = {
            let engine = self.clone();
            let stop = stop.clone();
            let every = Duration::from_millis(
                self.config
                    .sedex
                    .as_ref()
                    .map_or(self.config.poll_interval_ms, |s| s.poll_interval_ms),
            );
            tokio::spawn(async move {
                every_until(every, stop, || async {
                    if let Err(e) = engine.take_in_receipts().await {
                        tracing::warn!(error = %e, "reading receipts failed");
                    }
                    if let Err(e) = engine.take_in_inbound_this_tick().await {
                        tracing::warn!(error = %e, "reading the inbox failed");
                    }
                })
                .await
            })
        };
        let scanner = {
            let engine = self.clone();
            let every = Duration::from_secs(self.config.deadline_scan_interval_secs.max(1));
            tokio::spawn(async move {
                every_until(every, stop, || async {
                    match engine.scan_deadlines_this_tick().await {
                        Ok(None) => {
                            tracing::debug!("deadline scan of this tick run by another instance")
                        }
                        Ok(Some(outcome)) => {
                            tracing::debug!(
                                scanned = outcome.scanned,
                                raised = outcome.raised,
                                "deadlines scanned"
                            );
                        }
                        Err(e) => tracing::error!(error = %e, "scanning deadlines failed"),
                    }
                })
                .await
            })
        };
        let _ = tokio::join!(sender, poller, receipts, scanner);
    }
}

/// This process's name among the instances sharing a database (in the store's job ticks).
pub(crate) fn instance_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
}

/// Runs `step` now and then every `every`, until `stop` turns true.
pub(crate) async fn every_until<F, Fut>(
    every: Duration,
    mut stop: watch::Receiver<bool>,
    mut step: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    loop {
        if *stop.borrow() {
            return;
        }
        step().await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Why a job's step failed; the next tick tries again.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("writing the DT XML: {0}")]
    Xml(#[from] crate::dtxml::DtXmlError),
    #[error(
        "transmission {message_id}: the XML written again differs from the one stored (SHA-256); not sent"
    )]
    ContentChanged { message_id: String },
    #[error("the transport: {0}")]
    Feed(#[from] crate::transport::TransportError),
    #[error("the ZAS calendar cannot count today's deadlines: {0}")]
    Calendar(#[from] crate::calendar::CalendarError),
}
