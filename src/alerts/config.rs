//! `[alerts]`: where alerts go (a log event, a signed webhook, e-mail over SMTP), how often the
//! outbox is delivered and how delivery is retried. Secrets never appear in `Debug` output.

use std::fmt;
use std::net::IpAddr;

use serde::Deserialize;

/// A secret setting (webhook key, SMTP password): `Debug` shows `[redacted]`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `[alerts]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// The dashboard's address; an alert links to `{dashboard_url}/announcements/{id}`.
    pub dashboard_url: String,
    /// Whether every alert is also written as a log event (`warn`). Default true.
    #[serde(default = "defaults::log")]
    pub log: bool,
    pub webhook: Option<WebhookConfig>,
    pub email: Option<EmailConfig>,
    /// Attempts per channel before a delivery is `failed`. Default 10.
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: u32,
    /// The wait after the first failed attempt, doubled after each (with jitter). Default 5000.
    #[serde(default = "defaults::backoff_initial_ms")]
    pub backoff_initial_ms: u64,
    /// The longest wait between attempts. Default 3600.
    #[serde(default = "defaults::backoff_max_secs")]
    pub backoff_max_secs: u64,
    /// How often the outbox is read. Default 10000.
    #[serde(default = "defaults::delivery_interval_ms")]
    pub delivery_interval_ms: u64,
    /// The time limit of one attempt (connect and answer). Default 10.
    #[serde(default = "defaults::timeout_secs")]
    pub timeout_secs: u64,
}

/// `[alerts.webhook]`: a JSON POST signed with HMAC-SHA256 (see `webhook.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The key of the signature (`ARCGW_ALERTS_WEBHOOK_SECRET`); at least 16 characters.
    pub secret: Secret,
}

/// `[alerts.email]`: plain-text e-mail over SMTP, STARTTLS required unless the host is
/// loopback.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: String,
    #[serde(default = "defaults::smtp_port")]
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
    pub username: Option<String>,
    /// `ARCGW_ALERTS_SMTP_PASSWORD`.
    pub password: Option<Secret>,
}

impl EmailConfig {
    /// Whether the SMTP server is on this machine: then plain SMTP is allowed.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

/// `localhost` or a loopback address (`[::1]` included, as a URL writes it).
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

mod defaults {
    pub fn log() -> bool {
        true
    }
    pub fn max_attempts() -> u32 {
        10
    }
    pub fn backoff_initial_ms() -> u64 {
        5000
    }
    pub fn backoff_max_secs() -> u64 {
        3600
    }
    pub fn delivery_interval_ms() -> u64 {
        10_000
    }
    pub fn timeout_secs() -> u64 {
        10
    }
    pub fn smtp_port() -> u16 {
        587
    }
}

impl AlertsConfig {
    /// Checks the settings; the error names the field.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        reqwest::Url::parse(&self.dashboard_url)
            .map_err(|e| ("alerts.dashboard_url", format!("not a URL: {e}")))?;
        if self.max_attempts == 0
            || self.timeout_secs == 0
            || self.delivery_interval_ms == 0
            || self.backoff_initial_ms == 0
        {
            return Err((
                "alerts",
                "max_attempts, timeout_secs, delivery_interval_ms and backoff_initial_ms must be \
                 above 0"
                    .into(),
            ));
        }
        if let Some(webhook) = &self.webhook {
            let url = reqwest::Url::parse(&webhook.url)
                .map_err(|e| ("alerts.webhook.url", format!("not a URL: {e}")))?;
            let loopback = url.host_str().is_some_and(is_loopback_host);
            if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
                return Err((
                    "alerts.webhook.url",
                    "must be https:// (http:// only to a loopback host)".into(),
                ));
            }
            if webhook.secret.expose().len() < 16 {
                return Err((
                    "alerts.webhook.secret",
                    "must be at least 16 characters".into(),
                ));
            }
        }
        if let Some(email) = &self.email {
            for address in std::iter::once(&email.from).chain(&email.to) {
                address.parse::<lettre::message::Mailbox>().map_err(|e| {
                    (
                        "alerts.email",
                        format!("{address:?} is not an address: {e}"),
                    )
                })?;
            }
            if email.to.is_empty() {
                return Err(("alerts.email.to", "names no recipient".into()));
            }
            if email.username.is_some() != email.password.is_some() {
                return Err(("alerts.email", "username and password go together".into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    const SECTION: &str = r#"
[alerts]
dashboard_url = "https://arcgw.fund.example"

[alerts.webhook]
url = "https://hooks.fund.example/arcgw"
secret = "from-the-file-0123456789"

[alerts.email]
host = "smtp.fund.example"
from = "arcgw@fund.example"
to = ["operators@fund.example"]
username = "arcgw"
password = "smtp-password-in-file"
"#;

    fn load(text: &str, vars: &[(&str, &str)]) -> Result<Config, crate::config::ConfigError> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        Config::load(
            Some(f.path()),
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn secrets_come_from_the_environment_and_never_show() {
        let c = load(
            SECTION,
            &[
                ("ARCGW_ALERTS_WEBHOOK_SECRET", "from-the-environment-0123"),
                ("ARCGW_ALERTS_SMTP_PASSWORD", "smtp-password-from-env"),
            ],
        )
        .unwrap();
        let alerts = c.alerts.as_ref().unwrap();
        let webhook = alerts.webhook.as_ref().unwrap();
        assert_eq!(webhook.secret.expose(), "from-the-environment-0123");
        let email = alerts.email.as_ref().unwrap();
        assert_eq!(
            email.password.as_ref().unwrap().expose(),
            "smtp-password-from-env"
        );
        assert_eq!((email.port, email.is_loopback()), (587, false));
        assert_eq!((alerts.max_attempts, alerts.log), (10, true));
        let debug = format!("{c:?}");
        for secret in ["from-the", "smtp-password"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn mistakes_name_the_field() {
        let cases = [
            (
                SECTION.replace("https://hooks", "http://hooks"),
                "alerts.webhook.url",
            ),
            (
                SECTION.replace("from-the-file-0123456789", "short"),
                "alerts.webhook.secret",
            ),
            (
                SECTION.replace("[\"operators@fund.example\"]", "[\"nobody\"]"),
                "alerts.email",
            ),
            (
                SECTION.replace("https://arcgw.fund.example", "arcgw"),
                "alerts.dashboard_url",
            ),
            (
                SECTION.replace("username = \"arcgw\"\n", ""),
                "alerts.email",
            ),
        ];
        for (text, field) in cases {
            let error = load(&text, &[]).unwrap_err().to_string();
            assert!(error.contains(field), "{field}: {error}");
            assert!(!error.contains("from-the-file"), "{error}");
        }
        let error = load("", &[("ARCGW_ALERTS_WEBHOOK_SECRET", "x-secret-value")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("ARCGW_ALERTS_WEBHOOK_SECRET"), "{error}");
        assert!(!error.contains("x-secret-value"), "{error}");
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
            assert!(super::is_loopback_host(host), "{host}");
        }
        for host in ["smtp.fund.example", "10.0.0.1", "localhost.example"] {
            assert!(!super::is_loopback_host(host), "{host}");
        }
    }
}
