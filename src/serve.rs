//! `arcgw serve`: the daemon. Opens the store (migrating it), serves the HTTP API, and on
//! SIGTERM/SIGINT stops accepting, lets in-flight requests finish within the grace period, and
//! closes the database. Every accepted submission is committed before its 202 is sent, so a kill
//! at any moment loses nothing that was acknowledged.

use std::net::SocketAddr;
use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::accounts::{HandoverSetting, PasswordMail};
use crate::alerts::AlertJob;
use crate::app::{AppState, router};
use chrono::{DateTime, TimeDelta, Utc};

use crate::calendar::ZasCalendar;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, ConfigError, Settings};
use crate::connections::{ConnectionLimits, serve_connections};
use crate::engine::TransportKind;
use crate::engine::{Engine, ZasConfig};
use crate::store::{AuditEvent, AuditOutcome, AuditQuery, NewAuditEvent, Store, StoreError};
use crate::transport::{HttpsTransport, SedexTransport, Transport};

/// Why the daemon could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Server(std::io::Error),
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    #[error("the connection to the ZAS: {0}")]
    Transport(#[from] crate::transport::https::SetupError),
    #[error("{0}")]
    Sedex(crate::transport::sedex::SedexSetupError),
    #[error(transparent)]
    Account(#[from] crate::accounts::AccountError),
    #[error(transparent)]
    Backup(#[from] crate::store::backup::BackupError),
    #[error(transparent)]
    Alerts(#[from] crate::alerts::DeliveryError),
}

/// Opens the store of `config`, creating a SQLite file's directory (mode 0700), and migrates it.
pub async fn open_store(config: &Config) -> Result<Store, ServeError> {
    if let Some(dir) = config
        .sqlite_path()
        .as_deref()
        .and_then(std::path::Path::parent)
        && !dir.as_os_str().is_empty()
    {
        // The database holds AVS numbers (security baseline, draft art. 7): a directory made
        // here is the service user's alone.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| ServeError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
    }
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Annex 2.5: records the configuration this start runs with, compared with the one recorded
/// before: `config.changed` naming the settings that differ, or `config.loaded` when nothing
/// changed or nothing was recorded yet. Secrets appear only as the start of their SHA-256
/// ([`Settings`]). Returns the names of the changed settings.
pub async fn record_configuration(
    store: &Store,
    settings: &Settings,
    at: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let mut last: Option<AuditEvent> = None;
    for action in [CONFIG_LOADED, CONFIG_CHANGED] {
        let query = AuditQuery {
            action: Some(action.to_string()),
            limit: 1,
            ..AuditQuery::default()
        };
        if let Some(event) = store.query_audit(&query).await?.pop()
            && last.as_ref().is_none_or(|l| l.id < event.id)
        {
            last = Some(event);
        }
    }
    let before = last.and_then(|event| {
        serde_json::from_value::<Settings>(event.details["settings"].clone()).ok()
    });
    let changed = before
        .as_ref()
        .map(|before| settings.changed_from(before))
        .unwrap_or_default();
    store
        .append_audit(&NewAuditEvent {
            at,
            actor: "service".to_string(),
            action: if changed.is_empty() {
                CONFIG_LOADED
            } else {
                CONFIG_CHANGED
            }
            .to_string(),
            target: None,
            outcome: AuditOutcome::Success,
            remote_addr: None,
            details: serde_json::json!({
                "first": before.is_none(),
                "changed": changed,
                "settings": settings,
            }),
            // A system event: it concerns no fund.
            funds: Vec::new(),
        })
        .await?;
    Ok(changed)
}

const CONFIG_LOADED: &str = "config.loaded";
const CONFIG_CHANGED: &str = "config.changed";

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    // Installed before anything starts: a SIGTERM that comes once the service has said where it
    // listens (or while it starts) stops it cleanly, never by the signal's default action.
    let shutdown = ShutdownSignal::install().map_err(ServeError::Server)?;
    let store = open_store(&config).await?;
    let changed = record_configuration(&store, &config.settings, SystemClock.now()).await?;
    if !changed.is_empty() {
        tracing::info!(settings = %changed.join(", "), "the configuration changed since the last start");
    }
    let (stop_engine, engine_stop) = tokio::sync::watch::channel(false);
    // One engine per environment (ABN and PROD each with its own endpoint and certificates);
    // each claims, sends and reads acknowledgements of its own environment only.
    let mut engines = Vec::new();
    let mut certificate_expires = Vec::new();
    if config.zas.is_empty() {
        tracing::warn!("no [zas] section: announcements are taken in but not sent");
    } else {
        let calendar = Arc::new(config.calendar()?);
        for zas in &config.zas {
            let (jobs, expires) = start_engine(
                store.clone(),
                zas.clone(),
                calendar.clone(),
                engine_stop.clone(),
            )?;
            engines.push(tokio::spawn(jobs));
            if let Some(expires) = expires {
                certificate_expires.push((zas.environment, expires));
            }
        }
    }
    let alerts = match &config.alerts {
        Some(alerts) => {
            let job = AlertJob::new(store.clone(), Arc::new(SystemClock), alerts.clone())?;
            Some(tokio::spawn(job.run(stop_engine.subscribe())))
        }
        None => {
            tracing::warn!("no [alerts] section: alerts of passed deadlines wait in the outbox");
            None
        }
    };
    let state = AppState::new(
        store.clone(),
        Arc::new(SystemClock),
        config.calendar()?,
        config.http.clone(),
    )
    .with_letters(config.letters.clone())
    .with_swiss_fund(config.intake.swiss_compensation_fund)
    .with_zas(config.zas.iter().cloned().map(Arc::new));
    let state = certificate_expires
        .into_iter()
        .fold(state, |state, (environment, at)| {
            state.with_certificate_expiry(environment, at)
        });
    // Temporary passwords go by two e-mails through [alerts.email] (the default); without it
    // none can be delivered (creating accounts and resets are refused), unless the manager is
    // shown them, configured explicitly (crate::accounts::mail).
    let state = match config.alerts.as_ref().and_then(|a| a.email.as_ref()) {
        Some(email) => state.with_password_mail(PasswordMail::new(email)?),
        None => state,
    };
    let state = match config.accounts.handover {
        HandoverSetting::ShowToManager => {
            tracing::warn!(
                "[accounts] handover = \"show_to_manager\": temporary passwords are shown to \
                 the manager, not delivered to their holders alone (annex 2.3)"
            );
            state.with_handover_shown_to_manager()
        }
        HandoverSetting::Email => state,
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(ServeError::Server)?;
    tracing::info!(%address, backend = ?store.backend(), "arcgw serve listening");
    // For scripts and tests that start the service on port 0.
    println!("arcgw serve: listening on http://{address}");

    let stopping = Arc::new(Notify::new());
    // Refused unauthenticated requests are counted per address and minute, so that a flood
    // writes one audit event per address and minute; the counts of each minute are written
    // once it is over.
    let refusals = tokio::spawn({
        let state = state.clone();
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(30));
            loop {
                every.tick().await;
                if let Err(e) = state.write_refusals(false).await {
                    tracing::error!(error = %e, "the refused requests could not be audited");
                }
            }
        }
    });
    let app_state = state.clone();
    // Header-read and idle timeouts, and a cap on connections: slow or idle clients cannot
    // hold the server's connections.
    let server = serve_connections(
        listener,
        router(state),
        ConnectionLimits::from(&config.http),
        {
            let stopping = stopping.clone();
            async move {
                shutdown.received().await;
                tracing::info!("stopping: finishing in-flight requests");
                stopping.notify_one();
            }
        },
    );
    let grace = Duration::from_secs(config.http.shutdown_grace_secs);
    let result = tokio::select! {
        () = server => Ok(()),
        () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests abandoned after the grace period; their transactions roll back");
            Ok(())
        }
    };
    refusals.abort();
    if let Err(e) = app_state.write_refusals(true).await {
        tracing::error!(error = %e, "the refused requests could not be audited");
    }
    // The jobs finish the step they are in (each step is its own transactions).
    let _ = stop_engine.send(true);
    if !engines.is_empty()
        && tokio::time::timeout(grace, join_engines(engines))
            .await
            .is_err()
    {
        tracing::warn!("engine step abandoned after the grace period");
    }
    if let Some(alerts) = alerts
        && tokio::time::timeout(grace, alerts).await.is_err()
    {
        tracing::warn!("alert delivery abandoned after the grace period");
    }
    store.close().await;
    tracing::info!("stopped");
    result
}

/// A transport to the ZAS, and when its client certificate expires (HTTPS only).
pub type Connection = (Arc<dyn Transport>, Option<DateTime<Utc>>);

/// The transport `zas` names: sedex (every folder checked: a missing or unwritable one stops
/// the start, named) or HTTPS, with when its client certificate expires; warns when that is
/// within 30 days of `now` (N. 2102; security baseline, draft art. 8: the connection to the ZAS
/// must stay encrypted and authenticated).
pub fn connect_transport(zas: &ZasConfig, now: DateTime<Utc>) -> Result<Connection, ServeError> {
    Ok(match (zas.transport, &zas.tls, &zas.sedex) {
        (TransportKind::Sedex, _, Some(sedex)) => {
            let transport =
                SedexTransport::new(sedex, zas.sender_id.clone(), zas.recipient_id.clone())
                    .map_err(ServeError::Sedex)?;
            tracing::info!(environment = %zas.environment, outbox = %transport.folders().outbox.display(), "sedex transport");
            (Arc::new(transport), None)
        }
        (TransportKind::Https, Some(tls), _) => {
            let transport = HttpsTransport::new(tls).map_err(ServeError::Transport)?;
            let expires = transport.certificate_expires;
            let left = expires - now;
            if left < TimeDelta::days(30) {
                tracing::warn!(environment = %zas.environment, expires = %transport.certificate_expires, days_left = left.num_days(), "the client certificate for the ZAS expires within 30 days");
            }
            (Arc::new(transport), Some(expires))
        }
        _ => {
            return Err(ServeError::Config(crate::config::ConfigError::Invalid {
                field: "zas.transport",
                message: zas.check_transport().err().unwrap_or_default(),
            }));
        }
    })
}

/// Sets up the transport ([`connect_transport`]) and the jobs. Returns the jobs to spawn and
/// when the client certificate expires (HTTPS).
fn start_engine(
    store: Store,
    zas: ZasConfig,
    calendar: Arc<ZasCalendar>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(impl std::future::Future<Output = ()>, Option<DateTime<Utc>>), ServeError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (transport, expires) = connect_transport(&zas, clock.now())?;
    let engine = Engine {
        store,
        transport,
        clock,
        config: Arc::new(zas),
        calendar,
    };
    let jobs = async move {
        if let Err(e) = engine.recover_orphans().await {
            tracing::error!(error = %e, "returning orphaned claims to the queue failed");
        }
        engine.run(stop).await;
    };
    Ok((jobs, expires))
}

/// Waits for every handle (their results are the jobs' own business: they log their errors).
async fn join_engines(handles: Vec<tokio::task::JoinHandle<()>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

/// SIGTERM and SIGINT, listened for from the moment it is installed.
struct ShutdownSignal {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    async fn received(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }
}
