//! A webhook receiver for the tests: a real HTTP server (axum) on a loopback port that keeps
//! every request with its alert-id and signature headers, and can answer 500 a number of times
//! before it accepts.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use arcgw::alerts::webhook::{ALERT_ID_HEADER, SIGNATURE_HEADER};
use arcgw::alerts::{AlertsConfig, EmailConfig, Secret, WebhookConfig};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

#[derive(Clone, Debug)]
pub struct Hook {
    pub alert_id_header: String,
    pub signature: String,
    pub body: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct Receiver {
    /// Requests answered 500 before the receiver accepts.
    refuse_first: Arc<AtomicU32>,
    /// Every request, accepted or not.
    requests: Arc<Mutex<Vec<Hook>>>,
    /// The requests answered 200.
    accepted: Arc<Mutex<Vec<Hook>>>,
}

impl Receiver {
    pub async fn start(refuse_first: u32) -> (Receiver, String) {
        let receiver = Receiver::default();
        receiver.refuse_first.store(refuse_first, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    pub fn requests(&self) -> Vec<Hook> {
        self.requests.lock().unwrap().clone()
    }

    pub fn accepted(&self) -> Vec<Hook> {
        self.accepted.lock().unwrap().clone()
    }
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let hook = Hook {
        alert_id_header: header(ALERT_ID_HEADER),
        signature: header(SIGNATURE_HEADER),
        body: body.to_vec(),
    };
    r.requests.lock().unwrap().push(hook.clone());
    let refused = r
        .refuse_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if refused {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    r.accepted.lock().unwrap().push(hook);
    StatusCode::OK
}

/// The webhook secret of the tests.
pub const SECRET: &str = "a-webhook-secret-of-the-test";

/// `[alerts]` of the tests: a log event, the webhook at `webhook_url` (secret [`SECRET`]),
/// e-mail to the SMTP server on loopback port `smtp_port`; backoff 1 s doubling to 60 s.
pub fn alerts_config(webhook_url: &str, smtp_port: u16, max_attempts: u32) -> AlertsConfig {
    AlertsConfig {
        dashboard_url: "https://arcgw.fund.example/".to_string(),
        log: true,
        webhook: Some(WebhookConfig {
            url: webhook_url.to_string(),
            secret: Secret::new(SECRET),
        }),
        email: Some(EmailConfig {
            host: "127.0.0.1".to_string(),
            port: smtp_port,
            from: "arcgw <arcgw@fund.example>".to_string(),
            to: vec!["operators@fund.example".to_string()],
            username: None,
            password: None,
        }),
        max_attempts,
        backoff_initial_ms: 1000,
        backoff_max_secs: 60,
        delivery_interval_ms: 1000,
        timeout_secs: 5,
    }
}
