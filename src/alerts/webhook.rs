//! The webhook channel: the alert as JSON, POSTed with two headers:
//!
//! - `X-Arcgw-Alert-Id: <uuid>`, the same on every attempt (the receiver de-duplicates on it,
//!   as on the body's `alert_id`);
//! - `X-Arcgw-Signature: t=<unix seconds>,v1=<hex>`, where `v1` is HMAC-SHA256 with the
//!   configured secret over `<t>.<body>`. A receiver recomputes it, compares in constant time
//!   and refuses a `t` too far from its clock (replay).
//!
//! A 2xx answer is a delivery; anything else, or no answer within the time limit, is retried.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::DeliveryError;
use super::config::{Secret, WebhookConfig};
use super::message::AlertMessage;

pub const SIGNATURE_HEADER: &str = "X-Arcgw-Signature";
pub const ALERT_ID_HEADER: &str = "X-Arcgw-Alert-Id";

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is not `t=<seconds>,v1=<hex>`")]
    Malformed,
    #[error("the signature's time is more than {tolerance_secs} s from now")]
    Stale { tolerance_secs: i64 },
    #[error("the signature does not match the body")]
    Mismatch,
}

fn mac(secret: &Secret, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Arcgw-Signature` value of `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Checks an `X-Arcgw-Signature` value against `body`, with the sender's clock at most
/// `tolerance_secs` from `now`, as a receiver does.
pub fn verify(
    secret: &Secret,
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut tag = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => tag = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(tag)) = (timestamp, tag) else {
        return Err(SignatureError::Malformed);
    };
    if (now.timestamp() - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Stale { tolerance_secs });
    }
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

/// A configured webhook.
pub struct Webhook {
    url: reqwest::Url,
    secret: Secret,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(config: &WebhookConfig, timeout: Duration) -> Result<Self, DeliveryError> {
        Ok(Webhook {
            url: reqwest::Url::parse(&config.url).map_err(|_| DeliveryError::Setup {
                channel: "webhook",
                reason: "the URL does not parse".into(),
            })?,
            secret: config.secret.clone(),
            client: reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .build()
                .map_err(|e| DeliveryError::Setup {
                    channel: "webhook",
                    reason: e.to_string(),
                })?,
        })
    }

    /// POSTs the alert, signed at `now`.
    pub async fn deliver(
        &self,
        alert: &AlertMessage,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let body = alert.json();
        let signature = sign(&self.secret, now.timestamp(), &body);
        let response = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(ALERT_ID_HEADER, &alert.alert_id)
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError::Webhook(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Webhook(format!("answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_time() {
        let secret = Secret::new("0123456789abcdef-secret");
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let header = sign(&secret, now.timestamp(), b"{\"a\":1}");
        assert!(header.starts_with("t=1800000000,v1="), "{header}");
        assert_eq!(verify(&secret, &header, b"{\"a\":1}", now, 300), Ok(()));
        assert_eq!(
            verify(
                &Secret::new("another secret 123"),
                &header,
                b"{\"a\":1}",
                now,
                300
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secret, &header, b"{\"a\":2}", now, 300),
            Err(SignatureError::Mismatch)
        );
        let later = now + chrono::TimeDelta::seconds(301);
        assert_eq!(
            verify(&secret, &header, b"{\"a\":1}", later, 300),
            Err(SignatureError::Stale {
                tolerance_secs: 300
            })
        );
        assert_eq!(
            verify(&secret, "v1=00", b"", now, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let config = WebhookConfig {
            url: "https://example.org/hook".into(),
            secret: Secret::new("do-not-show-this-secret"),
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("do-not-show"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
    }
}
