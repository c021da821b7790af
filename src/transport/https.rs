//! The HTTPS transport: reqwest with rustls, the client certificate and the ZAS's CA from
//! configuration (mutual TLS, only that CA trusted: N. 2102; security baseline, draft art. 8),
//! connect and request timeouts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{BoxFuture, Feed, Receipt, Sending, Transport, TransportError};
use crate::domain::MessageId;

/// Where and how to reach the ZAS.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportConfig {
    /// e.g. `https://zas.example:8443` (the simulator: `https://127.0.0.1:8443`).
    pub endpoint: String,
    /// The CA that signed the ZAS's server certificate (PEM); the only one trusted.
    pub ca_cert: PathBuf,
    /// The fund's client certificate (PEM, the chain) and its PKCS#8 key (PEM).
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
}

fn default_connect_timeout() -> u64 {
    5
}

fn default_request_timeout() -> u64 {
    30
}

/// Why the transport cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a usable PEM {what}: {message}", path.display())]
    Pem {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    #[error("the endpoint must be an https:// URL, not {0:?}")]
    Endpoint(String),
    #[error("cannot build the HTTPS client: {0}")]
    Client(String),
}

fn read(path: &Path) -> Result<Vec<u8>, SetupError> {
    std::fs::read(path).map_err(|source| SetupError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// When the client certificate (the first in its PEM file) expires.
pub fn client_certificate_expiry(pem: &[u8]) -> Result<DateTime<Utc>, String> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).map_err(|e| e.to_string())?;
    let cert = pem.parse_x509().map_err(|e| e.to_string())?;
    DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
        .ok_or_else(|| "expiry out of range".into())
}

/// Sends to the ZAS over HTTPS with a client certificate.
pub struct HttpsTransport {
    client: reqwest::Client,
    endpoint: String,
    /// Connect and request timeout, and a margin: the longest one sending takes.
    attempt_time: Duration,
    /// When the client certificate expires (for the 30-day warning).
    pub certificate_expires: DateTime<Utc>,
}

impl HttpsTransport {
    pub fn new(config: &TransportConfig) -> Result<Self, SetupError> {
        if !config.endpoint.starts_with("https://") {
            return Err(SetupError::Endpoint(config.endpoint.clone()));
        }
        crate::pki::install_crypto_provider();
        let ca_pem = read(&config.ca_cert)?;
        let ca = reqwest::Certificate::from_pem(&ca_pem).map_err(|e| SetupError::Pem {
            path: config.ca_cert.clone(),
            what: "certificate",
            message: e.to_string(),
        })?;
        let cert_pem = read(&config.client_cert)?;
        let mut identity_pem = cert_pem.clone();
        identity_pem.push(b'\n');
        identity_pem.extend(read(&config.client_key)?);
        let identity = reqwest::Identity::from_pem(&identity_pem).map_err(|e| SetupError::Pem {
            path: config.client_key.clone(),
            what: "certificate and key",
            message: e.to_string(),
        })?;
        let certificate_expires =
            client_certificate_expiry(&cert_pem).map_err(|message| SetupError::Pem {
                path: config.client_cert.clone(),
                what: "certificate",
                message,
            })?;
        let client = reqwest::Client::builder()
            .tls_certs_only([ca])
            .identity(identity)
            .https_only(true)
            .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
            .timeout(Duration::from_secs(config.request_timeout_secs))
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(HttpsTransport {
            client,
            endpoint: config.endpoint.trim_end_matches('/').to_string(),
            attempt_time: Duration::from_secs(
                config.connect_timeout_secs + config.request_timeout_secs + 5,
            ),
            certificate_expires,
        })
    }
}

fn failure(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout
    } else if e.is_connect() {
        TransportError::Connect(error_chain(&e))
    } else {
        TransportError::Io(error_chain(&e))
    }
}

/// The most bytes read of a receipt (a small JSON object).
const RECEIPT_MAX_BYTES: usize = 64 * 1024;
/// The most bytes read of one page of the acknowledgement feed: as much as one acknowledgement
/// may hold.
const FEED_PAGE_MAX_BYTES: usize = crate::dtxml::ReadLimits::DEFAULT_MAX_BYTES;

/// Reads an answer's body, refusing it once it passes `limit` bytes: a broken or hostile
/// endpoint must not fill the gateway's memory.
async fn body_at_most(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(TransportError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failure)? {
        if body.len() + chunk.len() > limit {
            return Err(TransportError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The error with its causes, which say what went wrong in TLS or on the connection.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl Transport for HttpsTransport {
    fn send<'a>(
        &'a self,
        message_id: &'a MessageId,
        xml: &'a str,
    ) -> BoxFuture<'a, Result<Sending, TransportError>> {
        Box::pin(async move {
            let response = self
                .client
                .post(format!("{}/v1/transmissions", self.endpoint))
                .header("content-type", "application/xml")
                .header("x-message-id", message_id.as_str())
                .body(xml.to_string())
                .send()
                .await
                .map_err(failure)?;
            let status = response.status().as_u16();
            let body = body_at_most(response, RECEIPT_MAX_BYTES).await?;
            serde_json::from_slice::<Receipt>(&body)
                .map(Sending::Answered)
                .map_err(|_| TransportError::Http {
                    status,
                    body: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
                })
        })
    }

    fn attempt_time(&self) -> Duration {
        self.attempt_time
    }

    fn fetch<'a>(&'a self, after: i64, limit: u32) -> BoxFuture<'a, Result<Feed, TransportError>> {
        Box::pin(async move {
            let response = self
                .client
                .get(format!(
                    "{}/v1/acknowledgements?after={after}&limit={limit}",
                    self.endpoint
                ))
                .send()
                .await
                .map_err(failure)?;
            let status = response.status();
            let body = body_at_most(response, FEED_PAGE_MAX_BYTES).await?;
            if !status.is_success() {
                return Err(TransportError::Http {
                    status: status.as_u16(),
                    body: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
                });
            }
            serde_json::from_slice(&body).map_err(|e| TransportError::Decode(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback HTTP server answering one request with `head` and then `body_len` bytes of
    /// `x`, written in pieces (so that the limit is met while reading, not from the header).
    async fn answering(head: String, body_len: usize) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            socket.write_all(head.as_bytes()).await.unwrap();
            let piece = vec![b'x'; 16 * 1024];
            let mut left = body_len;
            while left > 0 {
                let n = left.min(piece.len());
                if socket.write_all(&piece[..n]).await.is_err() {
                    return; // the reader stopped reading: what the limit is for
                }
                left -= n;
            }
        });
        format!("http://{address}/")
    }

    async fn read(url: &str, limit: usize) -> Result<Vec<u8>, TransportError> {
        let response = reqwest::get(url).await.unwrap();
        body_at_most(response, limit).await
    }

    #[tokio::test]
    async fn an_answer_over_the_limit_is_not_read() {
        // Announced too large: refused before reading.
        let url = answering(
            "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n".into(),
            100_000,
        )
        .await;
        assert!(matches!(
            read(&url, 64 * 1024).await,
            Err(TransportError::TooLarge { limit: 65536 })
        ));
        // Chunked, with no length: refused once the limit is passed.
        let url = answering(
            "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".into(),
            1_000_000,
        )
        .await;
        let refused = read(&url, 64 * 1024).await.unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the ZAS's answer is larger than 65536 bytes: not read"
        );
        // Within the limit: read whole.
        let url = answering(
            "HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n".into(),
            5000,
        )
        .await;
        assert_eq!(read(&url, 64 * 1024).await.unwrap().len(), 5000);
    }
}
