//! What every request handler shares: the store, the clock, the limits, the counters.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::metrics::Metrics;
use super::rate_limit::RateLimiter;
use super::refusals::Refusals;
use super::scrape::SharedRender;
use crate::accounts::{Delivery, PasswordMail};
use crate::calendar::ZasCalendar;
use crate::clock::Clock;
use crate::config::HttpConfig;
use crate::domain::FundNumber;
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
    /// Failed authentications per client address (`[http] unauthenticated_per_minute`): when
    /// empty, the address is refused before its token is looked at.
    pub unauthenticated: RateLimiter<String>,
    /// Login attempts per client address: each costs a password hash.
    pub logins: RateLimiter<String>,
    /// Refused unauthenticated requests, written to the audit log one event per address and
    /// minute.
    pub refusals: Refusals,
    /// When the client certificate of each environment the service sends to expires.
    pub certificate_expires: Vec<(Environment, DateTime<Utc>)>,
    /// The ZAS environments this instance sends to, shown on every page (PROD when none is
    /// configured).
    pub environments: Vec<Environment>,
    /// Each fund's language and sender lines for its letters to the ZAS.
    pub letters: LettersConfig,
    /// Where temporary passwords are mailed to their holders (two e-mails, the default way).
    pub password_mail: Option<Arc<PasswordMail>>,
    /// `[accounts] handover = "show_to_manager"`: temporary passwords are shown to the manager.
    pub show_to_manager: bool,
    /// The connections to the ZAS, one per environment, shown to those the permission table
    /// allows; none without a `[zas]` section.
    pub zas: Vec<Arc<ZasConfig>>,
    /// The fund number of the Swiss compensation fund, the only one that announces key 94
    /// (N. 2521, annex 1): `[intake] swiss_compensation_fund`; none when not set.
    pub swiss_fund: Option<u16>,
    /// The last rendering of `/metrics`: one render at a time, shared by the scrapes that
    /// waited for it (`scrape.rs`).
    pub scrape: SharedRender<String>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// One audit event in the making (annex 2.5): who did what to what, from where, for which funds
/// (none: a system event).
pub struct Audit<'a> {
    pub actor: &'a str,
    pub funds: &'a [FundNumber],
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
        let unauthenticated = RateLimiter::new(http.unauthenticated_per_minute);
        let logins = RateLimiter::new(http.logins_per_minute);
        AppState(Arc::new(Inner {
            store,
            clock,
            calendar,
            http,
            metrics: Metrics::default(),
            rate,
            unauthenticated,
            logins,
            refusals: Refusals::default(),
            certificate_expires: Vec::new(),
            environments: vec![Environment::Prod],
            zas: Vec::new(),
            password_mail: None,
            show_to_manager: false,
            letters: LettersConfig::default(),
            swiss_fund: None,
            scrape: SharedRender::default(),
        }))
    }

    /// Sets the fund number of the Swiss compensation fund (key 94, N. 2521).
    pub fn with_swiss_fund(mut self, swiss_fund: Option<u16>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.swiss_fund = swiss_fund;
        }
        self
    }

    /// Reports when the client certificate of `environment` expires
    /// (`arcgw_client_certificate_expiry_seconds{environment}`).
    pub fn with_certificate_expiry(mut self, environment: Environment, at: DateTime<Utc>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.certificate_expires.retain(|(e, _)| *e != environment);
            inner.certificate_expires.push((environment, at));
        }
        self
    }

    /// Sets the connections to the ZAS (one per environment) and so the environments shown
    /// on the pages.
    pub fn with_zas(mut self, zas: impl IntoIterator<Item = Arc<ZasConfig>>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.zas = zas.into_iter().collect();
            if !inner.zas.is_empty() {
                inner.environments = inner.zas.iter().map(|z| z.environment).collect();
            }
        }
        self
    }

    /// Sets the ZAS environment shown on the pages (for an instance without `[zas]`).
    pub fn with_environment(mut self, environment: Environment) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.environments = vec![environment];
        }
        self
    }

    /// When the client certificate of `environment` expires, when it is known.
    pub fn certificate_expiry(&self, environment: Environment) -> Option<DateTime<Utc>> {
        self.certificate_expires
            .iter()
            .find(|(e, _)| *e == environment)
            .map(|(_, at)| *at)
    }

    /// Mails temporary passwords to their holders through `mail`.
    pub fn with_password_mail(mut self, mail: PasswordMail) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.password_mail = Some(Arc::new(mail));
        }
        self
    }

    /// `[accounts] handover = "show_to_manager"`: shows temporary passwords to the manager.
    pub fn with_handover_shown_to_manager(mut self) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.show_to_manager = true;
        }
        self
    }

    /// How temporary passwords reach their holders (`crate::accounts::mail`).
    pub fn delivery(&self) -> Delivery<'_> {
        match (&self.password_mail, self.show_to_manager) {
            (_, true) => Delivery::ShowToManager,
            (Some(mail), false) => Delivery::Email(mail),
            (None, false) => Delivery::NoMail,
        }
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

    /// Counts a refused unauthenticated request of `action` from `address` (a
    /// [`super::rate_limit::client_key`]) for `reason`; writes the counts of the minutes that
    /// are over, one audit event per address, action and minute (annex 2.5).
    pub async fn refused(
        &self,
        action: &'static str,
        address: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        self.refusals.count(now, address, action, reason);
        self.write_refusals(false).await
    }

    /// Writes the counted refusals of the minutes that are over (of every minute with `all`,
    /// at shutdown).
    pub async fn write_refusals(&self, all: bool) -> Result<(), StoreError> {
        for event in self.refusals.take(self.now(), all) {
            self.store.append_audit(&event).await?;
        }
        Ok(())
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
            funds: a.funds.to_vec(),
        }
    }
}
