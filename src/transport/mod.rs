//! Getting DT XML to the ZAS and acknowledgements back: a [`Transport`] trait, its HTTPS
//! implementation with mutual TLS ([`https`]), its sedex implementation ([`sedex`]: files in the
//! sedex client's interface directory, receipts later), and the retry policy ([`backoff`]).
//! Knows no SQL.
//!
//! The wire protocol (also what `arcgw zas-sim` speaks):
//! - `POST /v1/transmissions` with the XML and `X-Message-Id`; the answer is a receipt in the
//!   style of sedex (`100` transmitted, `201` duplicate message id, `2xx`/`3xx` refused, `4xx`
//!   transport, `5xx` adapter);
//! - `GET /v1/acknowledgements?after=N&limit=M`: the feed of the ZAS's messages to the fund, by
//!   sequence. Besides acknowledgements it carries closing-and-transmission orders (N. 2707):
//!   each item's XML says what it is by its root element's namespace
//!   (`urn:arcgw:xmlns:arc-closing-order:1` for an order; see [`crate::dtxml::read_zas_message`]),
//!   so the feed's wire format stays as it is.
//!
//! Over sedex each kind is a message type of its own (placeholders, see [`sedex`]): the
//! envelope's type decides how the payload is read.

pub mod backoff;
pub mod https;
pub mod sedex;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};

use serde::Deserialize;

use crate::domain::MessageId;

pub use https::{HttpsTransport, TransportConfig};
pub use sedex::{SedexConfig, SedexTransport};

/// A boxed future, so that [`Transport`] can be used as `Arc<dyn Transport>`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A receipt: the ZAS's answer to one sending of a transmission. It confirms delivery, not
/// processing (the acknowledgement does that).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Receipt {
    /// The sedex-style status code.
    pub status: u16,
    #[serde(default)]
    pub description: String,
}

/// What a receipt means for the transmission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// `100`: the ZAS has it.
    Transmitted,
    /// `201`: the ZAS had it already under this message id (an earlier sending arrived).
    Duplicate,
    /// `2xx`/`3xx` other than 201: refused; sending the same bytes again will not help.
    Refused,
    /// `4xx`/`5xx` and anything else: try again later.
    Retry,
}

impl Receipt {
    pub fn delivery(&self) -> Delivery {
        match self.status {
            100 => Delivery::Transmitted,
            201 => Delivery::Duplicate,
            200..=399 => Delivery::Refused,
            _ => Delivery::Retry,
        }
    }
}

/// What one sending came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sending {
    /// The answer came with the sending (HTTPS): its receipt.
    Answered(Receipt),
    /// Handed over for delivery (sedex: the files are in the client's outbox); the receipt
    /// comes later through [`Transport::receipts`], expected within `receipt_within`.
    HandedOver { receipt_within: Duration },
}

/// A receipt that came after its sending (sedex), read from where the transport keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LateReceipt {
    /// Where it was read (a file name), to settle it after it was taken in.
    pub key: String,
    /// The message it is about: the transmission's message id when it is one of ours.
    pub message_id: String,
    pub receipt: Receipt,
    pub event_date: DateTime<Utc>,
}

/// One item read from the transport's receipts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiptRead {
    Read(LateReceipt),
    /// Not readable as a receipt: kept for operators with the reason.
    Unreadable {
        key: String,
        reason: String,
    },
}

/// What became of a receipt read, for the transport to put it away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Taken in (or a repeat, or kept as unmatched in the store).
    TakenIn,
    /// Not usable: kept aside with this reason.
    Rejected(String),
}

/// A message that came in as a message of its own (sedex inbox), not from a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// Its message id (sedex: the envelope's), to settle it after it was taken in.
    pub key: String,
    /// Its kind and the XML of its payload, or why it is refused (foreign sender, unknown
    /// message type, no payload, unreadable envelope, …): then it is kept aside with that
    /// reason.
    pub content: Result<InboundPayload, String>,
}

/// What a message that came in of its own is, by its envelope's message type: one sedex
/// message type per kind of the ZAS's messages.
pub use crate::dtxml::ZasKind as InboundKind;

/// The payload of an inbound message and the kind its envelope announces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundPayload {
    pub kind: InboundKind,
    pub xml: Vec<u8>,
}

/// One acknowledgement of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct FeedItem {
    pub sequence: i64,
    pub xml: String,
}

/// A page of the acknowledgement feed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Feed {
    pub acknowledgements: Vec<FeedItem>,
    pub next_after: i64,
}

/// Why a sending or a fetch did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot connect to the ZAS: {0}")]
    Connect(String),
    #[error("the ZAS did not answer in time")]
    Timeout,
    #[error("the connection failed: {0}")]
    Io(String),
    #[error("the ZAS answered HTTP {status} without a receipt: {body}")]
    Http { status: u16, body: String },
    #[error("the ZAS's answer is not readable: {0}")]
    Decode(String),
    #[error("the ZAS's answer is larger than {limit} bytes: not read")]
    TooLarge { limit: usize },
    #[error("the sedex interface directory: {0}")]
    Folder(String),
}

/// Sends transmissions, reads the receipts that come later and the acknowledgement feed.
pub trait Transport: Send + Sync {
    /// Sends the XML of a transmission; the same message id on every resend.
    fn send<'a>(
        &'a self,
        message_id: &'a MessageId,
        xml: &'a str,
    ) -> BoxFuture<'a, Result<Sending, TransportError>>;

    /// The acknowledgements after sequence `after`, at most `limit`.
    fn fetch<'a>(&'a self, after: i64, limit: u32) -> BoxFuture<'a, Result<Feed, TransportError>>;

    /// How long one sending may take at most (the lease of a transmission being sent).
    fn attempt_time(&self) -> Duration;

    /// Receipts that came after their sending, at most `limit`: none for a transport whose
    /// answer comes with the sending.
    fn receipts<'a>(
        &'a self,
        _limit: usize,
    ) -> BoxFuture<'a, Result<Vec<ReceiptRead>, TransportError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Messages that came in (the ZAS's messages over sedex, [`InboundKind`]), at most
    /// `limit`: none for a transport with a feed.
    fn inbound<'a>(&'a self, _limit: usize) -> BoxFuture<'a, Result<Vec<Inbound>, TransportError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Puts away a message read by [`Transport::inbound`] once the store has it (or kept aside,
    /// with the reason, when it was refused).
    fn settle_inbound<'a>(
        &'a self,
        _key: &'a str,
        _settled: &'a Settled,
    ) -> BoxFuture<'a, Result<(), TransportError>> {
        Box::pin(async { Ok(()) })
    }

    /// Puts away a receipt read by [`Transport::receipts`] once the store has it.
    fn settle_receipt<'a>(
        &'a self,
        _key: &'a str,
        _settled: &'a Settled,
    ) -> BoxFuture<'a, Result<(), TransportError>> {
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_codes() {
        let r = |status| {
            Receipt {
                status,
                description: String::new(),
            }
            .delivery()
        };
        assert_eq!(r(100), Delivery::Transmitted);
        assert_eq!(r(201), Delivery::Duplicate);
        for refused in [200, 202, 203, 204, 300, 310, 330] {
            assert_eq!(r(refused), Delivery::Refused, "{refused}");
        }
        for retry in [400, 404, 500, 501, 601] {
            assert_eq!(r(retry), Delivery::Retry, "{retry}");
        }
    }
}
