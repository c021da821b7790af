//! The e-mail channel: the alert as a plain-text message over SMTP (lettre). STARTTLS is
//! required unless the server is on loopback; the Message-ID is made from the alert id, so a
//! mail system can tell a repeated attempt.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Mailboxes};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::DeliveryError;
use super::config::EmailConfig;
use super::message::AlertMessage;

/// A configured SMTP server and its addresses.
pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Mailboxes,
}

fn setup(reason: impl ToString) -> DeliveryError {
    DeliveryError::Setup {
        channel: "email",
        reason: reason.to_string(),
    }
}

impl Email {
    pub fn new(config: &EmailConfig, timeout: Duration) -> Result<Self, DeliveryError> {
        let builder = if config.is_loopback() {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host).map_err(setup)?
        };
        let mut builder = builder.port(config.port).timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        let mut to = Mailboxes::new();
        for address in &config.to {
            to.push(address.parse().map_err(setup)?);
        }
        Ok(Email {
            transport: builder.build(),
            from: config.from.parse().map_err(setup)?,
            to,
        })
    }

    /// Sends the alert to the configured addresses, dated `now`.
    pub async fn deliver(
        &self,
        alert: &AlertMessage,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DeliveryError> {
        let message_id = format!("<{}@arcgw>", alert.alert_id);
        self.send(
            &self.to,
            &alert.subject(),
            alert.text(),
            Some(message_id),
            now,
        )
        .await
    }

    /// Sends a plain-text message to the one address `to` (not to the alerts' addresses),
    /// from the configured sender, dated `now`.
    pub async fn send_to(
        &self,
        to: &str,
        subject: &str,
        text: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DeliveryError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e: lettre::address::AddressError| DeliveryError::Email(e.to_string()))?;
        self.send(&Mailboxes::from(to), subject, text, None, now)
            .await
    }

    async fn send(
        &self,
        to: &Mailboxes,
        subject: &str,
        text: String,
        message_id: Option<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DeliveryError> {
        let mut message = Message::builder()
            .date(now.into())
            .from(self.from.clone())
            .subject(subject)
            .message_id(message_id)
            .header(ContentType::TEXT_PLAIN);
        for to in to.iter() {
            message = message.to(to.clone());
        }
        let message = message.body(text).map_err(setup)?;
        self.transport
            .send(message)
            .await
            .map_err(|e| DeliveryError::Email(e.to_string()))?;
        Ok(())
    }
}
