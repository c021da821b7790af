//! What every request handler shares: the store, the clock, the limits, the counters.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::metrics::Metrics;
use super::rate_limit::RateLimiter;
use crate::calendar::ZasCalendar;
use crate::clock::Clock;
use crate::config::HttpConfig;
use crate::engine::{Environment, ZasConfig};
use crate::letters::LettersConfig;
use crate::store::{AuditOutcome, NewAuditEvent, Store, StoreError};

/// The state of a running API; cloning shares it.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub calendar: ZasCalendar,
    pub http: HttpConfig,
    pub metrics: Metrics,
    pub rate: RateLimiter,
    /// When the client certificate for the ZAS expires, when the service sends to the ZAS.
    pub certificate_expires: Option<DateTime<Utc>>,
    /// The ZAS environment this instance sends to, shown on every page (PROD when unset).
    pub environment: Environment,
    /// Each fund's language and sender lines for its letters to the ZAS.
    pub letters: LettersConfig,
    /// The connection to the ZAS, shown to those the permission table allows; none without
    /// a `[zas]` section.
    pub zas: Option<Arc<ZasConfig>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// One audit event in the making (annex 2.5): who did what to what, from where.
pub struct Audit<'a> {
    pub actor: &'a str,
    pub action: &'static str,
    pub target: Option<String>,
    pub outcome: AuditOutcome,
    pub remote: Option<SocketAddr>,
    pub details: Value,
}

impl AppState {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        calendar: ZasCalendar,
        http: HttpConfig,
    ) -> Self {
        let rate = RateLimiter::new(http.rate_limit_per_minute);
        AppState(Arc::new(Inner {
            store,
            clock,
            calendar,
            http,
            metrics: Metrics::default(),
            rate,
            certificate_expires: None,
            environment: Environment::Prod,
            zas: None,
            letters: LettersConfig::default(),
        }))
    }

    /// Reports when the client certificate expires (`arcgw_client_certificate_expiry_seconds`).
    pub fn with_certificate_expiry(mut self, at: Option<DateTime<Utc>>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.certificate_expires = at;
        }
        self
    }

    /// Sets the connection to the ZAS (and its environment) shown on the pages.
    pub fn with_zas(mut self, zas: Arc<ZasConfig>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.environment = zas.environment;
            inner.zas = Some(zas);
        }
        self
    }

    /// Sets the ZAS environment shown on the pages.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.environment = environment;
        }
        self
    }

    /// Sets the funds' languages and sender lines of the letters.
    pub fn with_letters(mut self, letters: LettersConfig) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.letters = letters;
        }
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Records an audit event; a request whose audit cannot be written fails (fail closed).
    pub async fn audit(&self, a: Audit<'_>) -> Result<(), StoreError> {
        self.store
            .append_audit(&self.audit_event(a))
            .await
            .map(|_| ())
    }

    /// The event recorded for `a`, now.
    pub fn audit_event(&self, a: Audit<'_>) -> NewAuditEvent {
        NewAuditEvent {
            at: self.now(),
            actor: a.actor.to_string(),
            action: a.action.to_string(),
            target: a.target,
            outcome: a.outcome,
            remote_addr: a.remote.map(|r| r.ip().to_string()),
            details: a.details,
        }
    }
}
