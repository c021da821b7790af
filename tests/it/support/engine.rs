//! Engines for the tests: one that never talks to a ZAS (the deadline scan, building
//! transmissions, recording their sending directly; its transport refuses every call), one on a
//! transport of the test's, and one over mutual TLS to the simulated ZAS.

use std::sync::Arc;

use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::domain::{MessageId, ParticipantId};
use arcgw::engine::{Engine, Environment, ZasConfig};
use arcgw::pki::{DEFAULT_SERVER_NAMES, TEST_CLIENT_ID, TestPki, install_crypto_provider};
use arcgw::sim::{Outcome, Rule, Scenarios, SimConfig, SimHandle};
use arcgw::store::Store;
use arcgw::transport::{
    BoxFuture, Feed, FeedItem, HttpsTransport, Sending, Transport, TransportConfig, TransportError,
};

/// A transport that reaches no ZAS.
pub struct NoZas;

impl Transport for NoZas {
    fn send<'a>(
        &'a self,
        _message_id: &'a MessageId,
        _xml: &'a str,
    ) -> BoxFuture<'a, Result<Sending, TransportError>> {
        Box::pin(async { Err(TransportError::Connect("no ZAS in this test".to_string())) })
    }

    fn fetch<'a>(
        &'a self,
        _after: i64,
        _limit: u32,
    ) -> BoxFuture<'a, Result<Feed, TransportError>> {
        Box::pin(async { Err(TransportError::Connect("no ZAS in this test".to_string())) })
    }

    fn attempt_time(&self) -> std::time::Duration {
        std::time::Duration::from_secs(5)
    }
}

/// The engine of `store` on `clock` (PROD, fund T7-066000-1, batches of 1000, a scan every 300 s)
/// with [`NoZas`].
pub fn engine_without_zas(store: Store, clock: Arc<ManualClock>) -> Engine {
    engine_with(store, clock, Arc::new(NoZas))
}

/// [`engine_without_zas`] with `transport` in place of [`NoZas`].
pub fn engine_with(store: Store, clock: Arc<ManualClock>, transport: Arc<dyn Transport>) -> Engine {
    let config = zas_config(
        "T7-066000-1",
        8,
        Some(TransportConfig {
            endpoint: "https://127.0.0.1:9".to_string(),
            ca_cert: "ca.pem".into(),
            client_cert: "client.pem".into(),
            client_key: "client.key".into(),
            connect_timeout_secs: 1,
            request_timeout_secs: 1,
        }),
    );
    Engine {
        store,
        transport,
        clock,
        config: Arc::new(config),
        calendar: Arc::new(ZasCalendar::geneva()),
    }
}

/// The ZAS configuration of the tests: PROD, from `sender_id` to T6-ZAS-1 over HTTPS (`tls`),
/// batches of 1000, failed after `max_attempts` sendings, a backoff of 10 ms to 1 s, sending and
/// polling every 50 ms, a deadline scan every 300 s.
pub fn zas_config(sender_id: &str, max_attempts: u32, tls: Option<TransportConfig>) -> ZasConfig {
    ZasConfig {
        environment: Environment::Prod,
        sender_id: ParticipantId::new(sender_id).unwrap(),
        recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        batch_size: 1000,
        max_attempts,
        backoff_initial_ms: 10,
        backoff_max_secs: 1,
        send_interval_ms: 50,
        poll_interval_ms: 50,
        deadline_scan_interval_secs: 300,
        transport: arcgw::engine::TransportKind::Https,
        sedex: None,
        tls,
    }
}

/// The simulated ZAS over mutual TLS and the engine that talks to it.
pub struct SimulatedZas {
    pub engine: Engine,
    pub sim: SimHandle,
    /// The test PKI's files; removed when dropped.
    pub pki_dir: tempfile::TempDir,
}

/// The engine of `store` on `clock` ([`zas_config`] as [`TEST_CLIENT_ID`], `max_attempts`), over
/// HTTPS with a test PKI of its own to a simulated ZAS that deals with each announcement as the
/// first of `rules` matching it says, else `done`.
pub async fn simulated_zas(
    store: &Store,
    clock: &Arc<ManualClock>,
    rules: Vec<Rule>,
    max_attempts: u32,
) -> SimulatedZas {
    install_crypto_provider();
    let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).unwrap();
    let pki_dir = tempfile::tempdir().unwrap();
    let paths = pki.write_to(pki_dir.path()).unwrap();
    let mut sim_config = SimConfig::from_pki(&pki);
    sim_config.scenarios = Scenarios::new(rules, Outcome::Done).unwrap();
    let sim = arcgw::sim::start(sim_config, clock.clone()).await.unwrap();
    let tls = TransportConfig {
        endpoint: sim.url(),
        ca_cert: paths.ca_cert.clone(),
        client_cert: paths.client_cert.clone(),
        client_key: paths.client_key.clone(),
        connect_timeout_secs: 5,
        request_timeout_secs: 10,
    };
    let engine = Engine {
        store: store.clone(),
        transport: Arc::new(HttpsTransport::new(&tls).unwrap()),
        clock: clock.clone(),
        config: Arc::new(zas_config(TEST_CLIENT_ID, max_attempts, Some(tls))),
        calendar: Arc::new(ZasCalendar::geneva()),
    };
    SimulatedZas {
        engine,
        sim,
        pki_dir,
    }
}

/// A ZAS whose feed holds these items (acknowledgements, closing orders), in sequence order.
pub struct Feeding(pub Vec<FeedItem>);

impl Transport for Feeding {
    fn send<'a>(
        &'a self,
        _: &'a MessageId,
        _: &'a str,
    ) -> BoxFuture<'a, Result<Sending, TransportError>> {
        Box::pin(async { Err(TransportError::Connect("this ZAS only feeds".into())) })
    }

    fn fetch<'a>(&'a self, after: i64, limit: u32) -> BoxFuture<'a, Result<Feed, TransportError>> {
        let page: Vec<FeedItem> = self
            .0
            .iter()
            .filter(|i| i.sequence > after)
            .take(limit as usize)
            .cloned()
            .collect();
        let next_after = page.last().map_or(after, |i| i.sequence);
        Box::pin(async move {
            Ok(Feed {
                acknowledgements: page,
                next_after,
            })
        })
    }

    fn attempt_time(&self) -> std::time::Duration {
        std::time::Duration::from_secs(5)
    }
}
