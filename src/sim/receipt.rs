//! The receipt the simulator answers a `POST /v1/transmissions` with: a sedex status code, the
//! message id and a text (DOMAIN.md, "sedex"). A receipt confirms delivery, not processing.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// sedex 100: transmitted (new message id, read and accepted).
pub const TRANSMITTED: u16 = 100;
/// sedex 200: invalid envelope (message id header missing or different, XML refused).
pub const INVALID_ENVELOPE: u16 = 200;
/// sedex 201: duplicate message id (received before, not processed again).
pub const DUPLICATE: u16 = 201;
/// sedex 204: message expired (not delivered in time).
pub const EXPIRED: u16 = 204;
/// sedex 202: no payload.
pub const NO_PAYLOAD: u16 = 202;
/// sedex 310: not allowed to send (the HTTPS front end answers it to a sender not in
/// `senders`).
pub const UNKNOWN_SENDER: u16 = 310;
/// sedex 330: message too large.
pub const TOO_LARGE: u16 = 330;
/// sedex 500: adapter error.
pub const ADAPTER_ERROR: u16 = 500;
/// sedex 401: the OSCI hub is not reachable (the sending client retries).
pub const HUB_UNREACHABLE: u16 = 401;
/// sedex 601: sent, not yet received by the recipient.
pub const SENT: u16 = 601;

/// The JSON receipt: `{"status": 100, "message_id": "…", "description": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The sedex status code.
    pub status: u16,
    /// The message id of the transmission (empty when none could be read).
    pub message_id: String,
    pub description: String,
}

/// A receipt with the HTTP status it is sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptResponse {
    pub http: StatusCode,
    pub receipt: Receipt,
}

impl ReceiptResponse {
    pub fn new(
        http: StatusCode,
        status: u16,
        message_id: &str,
        description: impl Into<String>,
    ) -> Self {
        ReceiptResponse {
            http,
            receipt: Receipt {
                status,
                message_id: message_id.to_string(),
                description: description.into(),
            },
        }
    }

    pub fn transmitted(message_id: &str, announcements: usize) -> Self {
        Self::new(
            StatusCode::OK,
            TRANSMITTED,
            message_id,
            format!("transmitted: {announcements} announcement(s) accepted"),
        )
    }

    pub fn duplicate(message_id: &str) -> Self {
        Self::new(
            StatusCode::OK,
            DUPLICATE,
            message_id,
            "duplicate messageId: received before, not processed again",
        )
    }

    pub fn invalid_envelope(message_id: &str, why: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_ENVELOPE, message_id, why)
    }

    pub fn no_payload(message_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            NO_PAYLOAD,
            message_id,
            "no payload: the body is empty",
        )
    }

    pub fn too_large(message_id: &str, limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            TOO_LARGE,
            message_id,
            format!("message too large: more than {limit} bytes"),
        )
    }

    pub fn unknown_sender(message_id: &str, sender: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            UNKNOWN_SENDER,
            message_id,
            format!("unknown sender {sender}"),
        )
    }

    pub fn adapter_error(message_id: &str, why: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ADAPTER_ERROR,
            message_id,
            why,
        )
    }

    /// The simulator holds as many announcements as it may: HTTP 503, sedex 500.
    pub fn full(message_id: &str, limit: usize) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ADAPTER_ERROR,
            message_id,
            format!("the simulator holds its maximum of {limit} announcements"),
        )
    }
}

impl IntoResponse for ReceiptResponse {
    fn into_response(self) -> Response {
        (self.http, Json(self.receipt)).into_response()
    }
}
