//! Alerts: the last step of the flow. A reminder of N. 3401, and a transmission over sedex whose
//! receipt is overdue or that expires soon (receipt 701), write their alert into the store's
//! outbox in the same transaction (`store/alerts.rs`), so a restart loses none; the delivery
//! job here sends each alert once to every configured channel — a log event, a signed webhook,
//! an e-mail — claiming due deliveries with a lease, recording every attempt, retrying with
//! capped exponential backoff, and marking a delivery `failed` after `max_attempts` (counted in
//! `/metrics`). Delivery is at least once; the alert id is stable, for the receiver to
//! de-duplicate on. An alert never carries an AVS number.

pub mod config;
pub mod email;
pub mod message;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::domain::avs_mask::contains_avs_number;
use crate::store::{AlertOutcome, AlertSubject, ClaimedDelivery, Store, StoreError};
use crate::transport::backoff;

pub use config::{AlertsConfig, EmailConfig, Secret, WebhookConfig};
pub use message::{AlertAbout, AlertMessage};

/// The most deliveries one step claims.
const CLAIM_BATCH: u32 = 100;

/// Why a delivery attempt failed, or a channel could not be set up. No secret, no AVS number.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("alert channel {channel}: {reason}")]
    Setup {
        channel: &'static str,
        reason: String,
    },
    #[error("webhook: {0}")]
    Webhook(String),
    #[error("e-mail: {0}")]
    Email(String),
    /// Security baseline (draft art. 3): an alert text that looks like it holds an AVS number is
    /// not sent.
    #[error("the alert text looks like it holds an AVS number; not sent")]
    AvsNumber,
}

/// Where an alert goes.
pub enum Channel {
    /// A `warn` tracing event.
    Log,
    Webhook(webhook::Webhook),
    Email(email::Email),
}

impl Channel {
    /// The name stored with its deliveries.
    pub fn name(&self) -> &'static str {
        match self {
            Channel::Log => "log",
            Channel::Webhook(_) => "webhook",
            Channel::Email(_) => "email",
        }
    }

    async fn deliver(
        &self,
        alert: &AlertMessage,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DeliveryError> {
        match self {
            Channel::Log => {
                match &alert.about {
                    AlertAbout::Deadline(d) => {
                        tracing::warn!(alert_id = %alert.alert_id, kind = alert.kind, fund = %d.fund, reference = %d.reference, key = d.key, rule = ?d.rule, announced_on = %d.announced_on, due = %d.due, url = %d.announcement_url, "alert: {}", alert.headline())
                    }
                    AlertAbout::Transmission(t) => {
                        tracing::warn!(alert_id = %alert.alert_id, kind = alert.kind, transmission = t.transmission_id, environment = %t.environment, message_id = %t.message_id, detail = %t.detail, url = %t.connection_url, "alert: {}", alert.headline())
                    }
                    AlertAbout::ClosingOrder(c) => {
                        tracing::warn!(alert_id = %alert.alert_id, kind = alert.kind, closing_order = c.closing_order_id, fund = %c.fund, ordering_fund = %c.ordering_fund, due = %c.due, url = %c.orders_url, "alert: {}", alert.headline())
                    }
                }
                Ok(())
            }
            Channel::Webhook(webhook) => webhook.deliver(alert, now).await,
            Channel::Email(email) => email.deliver(alert, now).await,
        }
    }
}

/// What one delivery step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryOutcome {
    pub delivered: usize,
    /// Failed attempts that will be tried again.
    pub retrying: usize,
    /// Deliveries that failed for good in this step.
    pub failed: usize,
}

/// The delivery job: the store's outbox to the configured channels.
#[derive(Clone)]
pub struct AlertJob {
    store: Store,
    clock: Arc<dyn Clock>,
    config: Arc<AlertsConfig>,
    channels: Arc<Vec<Channel>>,
}

impl AlertJob {
    /// Sets up the channels `config` names.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: AlertsConfig,
    ) -> Result<Self, DeliveryError> {
        let timeout = Duration::from_secs(config.timeout_secs);
        let mut channels = Vec::new();
        if config.log {
            channels.push(Channel::Log);
        }
        if let Some(webhook) = &config.webhook {
            channels.push(Channel::Webhook(webhook::Webhook::new(webhook, timeout)?));
        }
        if let Some(email) = &config.email {
            channels.push(Channel::Email(email::Email::new(email, timeout)?));
        }
        Ok(AlertJob {
            store,
            clock,
            config: Arc::new(config),
            channels: Arc::new(channels),
        })
    }

    /// Delivers every due delivery of the configured channels once (one attempt each).
    pub async fn deliver_due(&self) -> Result<DeliveryOutcome, StoreError> {
        let names: Vec<&str> = self.channels.iter().map(Channel::name).collect();
        let mut outcome = DeliveryOutcome::default();
        loop {
            let now = self.clock.now();
            // The lease outlasts an attempt's time limit: nobody else tries meanwhile.
            let lease = now + TimeDelta::seconds(self.config.timeout_secs as i64 + 5);
            let claimed = self
                .store
                .claim_alert_deliveries(&names, now, lease, CLAIM_BATCH)
                .await?;
            if claimed.is_empty() {
                return Ok(outcome);
            }
            for delivery in claimed {
                let Some(channel) = self.channels.iter().find(|c| c.name() == delivery.channel)
                else {
                    continue;
                };
                let alert = self.message(&delivery).await?;
                let result = if contains_avs_number(&alert.text())
                    || contains_avs_number(&String::from_utf8_lossy(&alert.json()))
                {
                    Err(DeliveryError::AvsNumber)
                } else {
                    channel.deliver(&alert, self.clock.now()).await
                };
                let at = self.clock.now();
                let recorded = match result {
                    Ok(()) => {
                        outcome.delivered += 1;
                        AlertOutcome::Delivered
                    }
                    Err(e) => {
                        let retry_at = (delivery.attempt < self.config.max_attempts).then(|| {
                            at + backoff::delay(
                                delivery.attempt,
                                Duration::from_millis(self.config.backoff_initial_ms),
                                Duration::from_secs(self.config.backoff_max_secs),
                                backoff::random_share(),
                            )
                        });
                        if retry_at.is_some() {
                            outcome.retrying += 1;
                            tracing::warn!(alert_id = %delivery.alert_id, channel = channel.name(), attempt = delivery.attempt, error = %e, "alert not delivered; tried again later");
                        } else {
                            outcome.failed += 1;
                            tracing::error!(alert_id = %delivery.alert_id, channel = channel.name(), attempts = delivery.attempt, error = %e, "alert not delivered after the last attempt: failed");
                        }
                        AlertOutcome::Error {
                            detail: e.to_string(),
                            retry_at,
                        }
                    }
                };
                self.store
                    .record_alert_attempt(delivery.id, delivery.attempt, at, &recorded)
                    .await?;
            }
        }
    }

    /// What the alert of `delivery` says.
    async fn message(&self, delivery: &ClaimedDelivery) -> Result<AlertMessage, StoreError> {
        let dashboard = &self.config.dashboard_url;
        Ok(match &delivery.subject {
            AlertSubject::Reminder(id) => {
                let reminder = self.store.reminder(*id).await?;
                AlertMessage::deadline_passed(&delivery.alert_id, &reminder, dashboard)
            }
            AlertSubject::ClosingOrder(id) => {
                let order = self.store.closing_order(*id).await?;
                let raised_at = order.reminded_at.unwrap_or(order.state_since);
                AlertMessage::closing_order_overdue(
                    &delivery.alert_id,
                    &order,
                    raised_at,
                    dashboard,
                )
            }
            AlertSubject::Transmission {
                kind,
                transmission_id,
                detail,
                raised_at,
            } => {
                let (transmission, _) = self.store.transmission(*transmission_id).await?;
                AlertMessage::of_transmission(
                    &delivery.alert_id,
                    *kind,
                    &transmission,
                    detail,
                    *raised_at,
                    dashboard,
                )
            }
        })
    }

    /// Delivers due alerts every `delivery_interval_ms` until `stop` turns true.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let every = Duration::from_millis(self.config.delivery_interval_ms);
        crate::engine::every_until(every, stop, || async {
            if let Err(e) = self.deliver_due().await {
                tracing::error!(error = %e, "delivering alerts failed");
            }
        })
        .await
    }
}
