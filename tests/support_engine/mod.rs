//! An engine for tests that never talk to a ZAS: the deadline scan, building transmissions,
//! recording their sending directly. Its transport refuses every call.
#![allow(dead_code)]

use std::sync::Arc;

use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::domain::{MessageId, ParticipantId};
use arcgw::engine::{Engine, Environment, ZasConfig};
use arcgw::store::Store;
use arcgw::transport::{
    BoxFuture, Feed, FeedItem, Sending, Transport, TransportConfig, TransportError,
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
    let config = ZasConfig {
        environment: Environment::Prod,
        sender_id: ParticipantId::new("T7-066000-1").unwrap(),
        recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        batch_size: 1000,
        max_attempts: 8,
        backoff_initial_ms: 10,
        backoff_max_secs: 1,
        send_interval_ms: 50,
        poll_interval_ms: 50,
        deadline_scan_interval_secs: 300,
        transport: arcgw::engine::TransportKind::Https,
        sedex: None,
        tls: Some(TransportConfig {
            endpoint: "https://127.0.0.1:9".to_string(),
            ca_cert: "ca.pem".into(),
            client_cert: "client.pem".into(),
            client_key: "client.key".into(),
            connect_timeout_secs: 1,
            request_timeout_secs: 1,
        }),
    };
    Engine {
        store,
        transport,
        clock,
        config: Arc::new(config),
        calendar: Arc::new(ZasCalendar::geneva()),
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
