//! Starting and stopping the simulator: binds, serves over mutual TLS in a background task (and,
//! when configured, runs the sedex front end on a blocking thread, or round by round when the
//! caller asks: [`start_stepped`]), and hands back a [`SimHandle`] with the address, the sedex
//! folders and read-only inspectors for tests.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use super::acknowledgements::IssuedAcknowledgement;
use super::config::SimConfig;
use super::error::SimError;
use super::routes::{CutConnection, router};
use super::sedex::{RoundReport, SedexDesk, SedexSimConfig};
use super::tls::server_config;
use super::zas::Shared;
use crate::clock::Clock;
use crate::domain::{MessageId, ParticipantId};
use crate::sedex::Folders;

/// How long a shutdown lets requests in progress finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running simulator.
pub struct SimHandle {
    /// The address it listens on (the port chosen when the configuration said 0).
    pub addr: SocketAddr,
    handle: Handle<SocketAddr>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    shared: Arc<Shared>,
    sedex: Option<SedexRunning>,
}

/// The sedex front end: its folders, and how its rounds run.
struct SedexRunning {
    folders: Folders,
    rounds: Rounds,
}

/// Who runs the sedex front end's rounds.
enum Rounds {
    /// Its own thread, every poll interval; stopped through `stop`.
    Thread {
        stop: std::sync::mpsc::Sender<()>,
        task: JoinHandle<()>,
    },
    /// The caller, one at a time ([`SimHandle::sedex_round`]).
    Stepped(Arc<std::sync::Mutex<SedexDesk>>),
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Binds `config.listen` and serves the simulator in a background task of the current tokio
/// runtime, with time from `clock`; with `config.sedex`, runs the sedex front end too (on a
/// blocking thread of the runtime: file I/O), on the same state, after creating its four
/// folders if missing.
pub async fn start(config: SimConfig, clock: Arc<dyn Clock>) -> Result<SimHandle, SimError> {
    start_with(config, clock, false).await
}

/// [`start`], except that the sedex front end runs no round of its own: each runs when the
/// caller calls [`SimHandle::sedex_round`]. For tests on a manual clock, whose steps must
/// happen in a known order and a bounded number, without sleeping.
pub async fn start_stepped(
    config: SimConfig,
    clock: Arc<dyn Clock>,
) -> Result<SimHandle, SimError> {
    start_with(config, clock, true).await
}

async fn start_with(
    config: SimConfig,
    clock: Arc<dyn Clock>,
    stepped: bool,
) -> Result<SimHandle, SimError> {
    let tls = RustlsConfig::from_config(server_config(&config.tls)?);
    let listener = std::net::TcpListener::bind(config.listen).map_err(|source| SimError::Bind {
        addr: config.listen,
        source,
    })?;
    let bind_error = |source| SimError::Bind {
        addr: config.listen,
        source,
    };
    listener.set_nonblocking(true).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let shared = Arc::new(Shared::new(&config, clock)?);
    // The `reset` fault: a response marked `CutConnection` becomes a service error, on which
    // hyper closes the connection without sending anything.
    let service = ServiceExt::<Request>::map_result(
        router(shared.clone()),
        |result: Result<Response, Infallible>| -> Result<Response, ConnectionCut> {
            match result {
                Ok(response) if response.extensions().get::<CutConnection>().is_some() => {
                    Err(ConnectionCut)
                }
                Ok(response) => Ok(response),
                Err(never) => match never {},
            }
        },
    );
    let make_service = tower::service_fn(move |_remote: SocketAddr| {
        let service = service.clone();
        async move { Ok::<_, Infallible>(service) }
    });
    let handle = Handle::new();
    let server = axum_server::from_tcp_rustls(listener, tls)
        .map_err(bind_error)?
        .handle(handle.clone());
    let sedex = match config.sedex {
        Some(sedex) => Some(start_sedex(
            sedex,
            shared.clone(),
            config.participant_id,
            stepped,
        )?),
        None => None,
    };
    let task = tokio::spawn(async move { server.serve(make_service).await });
    tracing::info!(%addr, "ZAS simulator listening");
    Ok(SimHandle {
        addr,
        handle,
        task: Some(task),
        shared,
        sedex,
    })
}

fn start_sedex(
    config: SedexSimConfig,
    shared: Arc<Shared>,
    zas_id: ParticipantId,
    stepped: bool,
) -> Result<SedexRunning, SimError> {
    let folders = config.folders.clone();
    for (_, folder) in folders.named() {
        std::fs::create_dir_all(folder).map_err(|source| SimError::Folder {
            path: folder.to_path_buf(),
            source,
        })?;
    }
    let desk = SedexDesk::new(shared, config, zas_id);
    let rounds = if stepped {
        Rounds::Stepped(Arc::new(std::sync::Mutex::new(desk)))
    } else {
        let (stop, stopped) = std::sync::mpsc::channel();
        let task = tokio::task::spawn_blocking(move || desk.run(stopped));
        Rounds::Thread { stop, task }
    };
    Ok(SedexRunning { folders, rounds })
}

/// The service error that makes hyper drop a connection unanswered (the `reset` fault).
#[derive(Debug, thiserror::Error)]
#[error("connection cut by the simulator (reset)")]
struct ConnectionCut;

impl From<Infallible> for ConnectionCut {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

impl SimHandle {
    /// `https://ADDR`: the base URL of the simulator.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Stops the simulator, letting requests in progress finish for up to two seconds.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        self.stop().await
    }

    /// Serves until `signal` completes (then shuts down) or the server fails.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<(), SimError> {
        let Some(task) = self.task.as_mut() else {
            return Ok(());
        };
        tokio::select! {
            () = signal => self.stop().await,
            ended = task => {
                self.task = None;
                match ended {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(SimError::Serve(e.to_string())),
                    Err(e) => Err(SimError::Serve(e.to_string())),
                }
            }
        }
    }

    /// The sedex front end's folders, when it runs.
    pub fn sedex_folders(&self) -> Option<&Folders> {
        self.sedex.as_ref().map(|s| &s.folders)
    }

    /// One round of the sedex front end (see [`sedex`](super::sedex): deliveries after a 601,
    /// the outbox taken with its receipts, the inbox written), on a blocking thread; `None`
    /// unless it was started by [`start_stepped`] with a sedex front end.
    pub async fn sedex_round(&self) -> Option<RoundReport> {
        let Some(SedexRunning {
            rounds: Rounds::Stepped(desk),
            ..
        }) = &self.sedex
        else {
            return None;
        };
        let desk = Arc::clone(desk);
        let round = tokio::task::spawn_blocking(move || {
            desk.lock().unwrap_or_else(PoisonError::into_inner).round()
        });
        // A round logs its folder errors itself; a panic in it is the caller's to see.
        Some(
            round
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
        )
    }

    async fn stop(&mut self) -> Result<(), SimError> {
        if let Some(SedexRunning {
            rounds: Rounds::Thread { stop, task },
            ..
        }) = self.sedex.take()
        {
            // The thread ends within its current round.
            let _ = stop.send(());
            task.await
                .map_err(|e| SimError::Serve(format!("sedex front end: {e}")))?;
        }
        self.handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
        match self.task.take() {
            Some(task) => match task.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(SimError::Serve(e.to_string())),
                Err(e) => Err(SimError::Serve(e.to_string())),
            },
            None => Ok(()),
        }
    }

    /// The message ids taken in (answered 100), in order of receipt.
    pub fn received_message_ids(&self) -> Vec<MessageId> {
        self.shared.lock().received_message_ids()
    }

    /// One element per POST answered 201 (duplicate message id).
    pub fn duplicates(&self) -> Vec<MessageId> {
        self.shared.lock().duplicates()
    }

    /// Every acknowledgement message issued so far (as `GET /v1/acknowledgements` would hand
    /// it out, including malformed and repeated ones), without issuing those come due.
    pub fn acknowledgements_issued(&self) -> Vec<IssuedAcknowledgement> {
        self.shared
            .lock()
            .queue
            .after(0, usize::MAX)
            .iter()
            .map(|i| i.to_feed())
            .collect()
    }

    /// How many transmissions were taken in and processed (each message id once).
    pub fn transmissions_processed(&self) -> usize {
        self.shared.lock().transmissions_processed()
    }

    /// How many entries wait for their day (`in_progress_then_done`).
    pub fn scheduled_entries(&self) -> usize {
        self.shared.lock().queue.scheduled_count()
    }
}

impl Drop for SimHandle {
    /// A handle dropped without `shutdown` stops the server at once.
    fn drop(&mut self) {
        if self.task.is_some() {
            self.handle.shutdown();
        }
        if let Some(SedexRunning {
            rounds: Rounds::Thread { stop, .. },
            ..
        }) = self.sedex.take()
        {
            // The thread ends after its current round.
            let _ = stop.send(());
        }
    }
}
