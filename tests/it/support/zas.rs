//! Helpers for the tests of the ZAS's messages of their own (closing orders, CI complements,
//! splitting notices): a feed holding documents, an engine on a sedex inbox and the placing of a
//! message into it, and the fund API with a token of fund 066.000 and one of fund 067.000.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::config::HttpConfig;
use arcgw::domain::ParticipantId;
use arcgw::engine::Engine;
use arcgw::sedex::folders::{self, MessageFile};
use arcgw::sedex::{Envelope, MessageClass, PayloadFormat, SedexMessageId};
use arcgw::store::{MessageIntake, Store};
use arcgw::transport::{FeedItem, SedexConfig, SedexTransport};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::engine::{self, Feeding};
use crate::support::web;

/// A ZAS whose feed holds these documents under the sequences 1, 2, …
pub fn feed(items: &[String]) -> Arc<Feeding> {
    Arc::new(Feeding(
        items
            .iter()
            .enumerate()
            .map(|(i, xml)| FeedItem {
                sequence: i as i64 + 1,
                xml: xml.clone(),
            })
            .collect(),
    ))
}

/// The engine of `store` on `clock` reading the feed of `items`.
pub fn engine_on(store: &Store, clock: &Arc<ManualClock>, items: &[String]) -> Engine {
    engine::engine_with(store.clone(), clock.clone(), feed(items))
}

/// The engine of `store` on `clock` over sedex, on a new interface directory (the fund
/// T7-066000-1, the ZAS T6-ZAS-1; no grace for half-written messages).
pub fn engine_on_sedex(store: &Store, clock: &Arc<ManualClock>) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = SedexConfig {
        inbox_grace_secs: 0,
        ..SedexConfig::in_interface_directory(dir.path().to_path_buf())
    };
    config.create_missing_folders().unwrap();
    let transport = Arc::new(
        SedexTransport::new(
            &config,
            ParticipantId::new("T7-066000-1").unwrap(),
            ParticipantId::new("T6-ZAS-1").unwrap(),
        )
        .unwrap(),
    );
    (
        engine::engine_with(store.clone(), clock.clone(), transport),
        dir,
    )
}

/// The sedex client places a message from the ZAS into the inbox under `id`.
pub fn place(dir: &Path, id: &str, message_type: u32, payload: &[u8], at: DateTime<Utc>) {
    let inbox = dir.join("inbox");
    let id = SedexMessageId::new(id).unwrap();
    let packed = PayloadFormat::Zip.pack(payload).unwrap();
    folders::write_atomically(&inbox, &MessageFile::payload(&id, "zip").unwrap(), &packed).unwrap();
    let envelope = Envelope {
        message_id: id.clone(),
        message_type,
        message_class: MessageClass::Message,
        reference_message_id: None,
        sender_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        recipient_ids: vec![ParticipantId::new("T7-066000-1").unwrap()],
        event_date: at,
        message_date: at,
    };
    folders::write_atomically(
        &inbox,
        &MessageFile::envelope(&id),
        envelope.to_xml().as_bytes(),
    )
    .unwrap();
}

/// The fund API on a local port, with a token of fund 066.000 (`token`) and one of 067.000
/// (`other_token`).
pub struct FundApi {
    pub base: String,
    pub token: String,
    pub other_token: String,
    pub clock: Arc<ManualClock>,
    pub client: reqwest::Client,
}

impl FundApi {
    pub async fn start(store: &Store, clock: Arc<ManualClock>) -> FundApi {
        use arcgw::clock::Clock;
        let now = clock.now();
        let token = web::token(store, "fund system", &["066.000"], now).await;
        let other_token = web::token(store, "another fund", &["067.000"], now).await;
        let state = AppState::new(
            store.clone(),
            clock.clone(),
            ZasCalendar::geneva(),
            HttpConfig::default(),
        );
        FundApi {
            base: web::serve(router(state)).await,
            token,
            other_token,
            clock,
            client: reqwest::Client::new(),
        }
    }

    /// `GET path` with `token`: the status and the JSON body (null when there is none).
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        web::get_with_token(&self.client, format!("{}{path}", self.base), token).await
    }

    /// The OpenAPI document.
    pub async fn openapi(&self) -> Value {
        self.client
            .get(format!("{}/api/v1/openapi.json", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// The ids of the items of a page of a feed.
pub fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

/// Pages through the feed at `path` as the fund's system of 066.000 does, and checks the
/// rules every feed keeps: a first page of two items (`mine[0]`, `mine[1]`, the cursor at the
/// last), the same page again for the same cursor (nothing is consumed), the rest after the
/// cursor, only `theirs` for the token of 067.000, 403 for a fund not the token's, 400 for a
/// page size out of range or an unknown parameter, 401 without a valid token. Returns the first
/// page. Each of the four reads it answers is an audit event of the feed's.
pub async fn assert_pages(app: &FundApi, path: &str, mine: [i64; 3], theirs: &[i64]) -> Value {
    let (status, page) = app.get(&format!("{path}?limit=2"), &app.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(ids(&page), mine[..2], "{path}");
    assert_eq!(page["next_after"], mine[1], "{path}");
    let (_, again) = app.get(&format!("{path}?limit=2"), &app.token).await;
    assert_eq!(again, page, "reading {path} does not consume");
    let after = format!("{path}?after={}&limit=2", mine[1]);
    let (_, next) = app.get(&after, &app.token).await;
    assert_eq!(ids(&next), mine[2..], "{after}");
    assert_eq!(next["next_after"], Value::Null, "{after}");
    let (_, other) = app.get(path, &app.other_token).await;
    assert_eq!(ids(&other), theirs, "{path} for 067.000");
    for (query, refused) in [
        ("fund=067.000", StatusCode::FORBIDDEN),
        ("limit=0", StatusCode::BAD_REQUEST),
        ("colour=red", StatusCode::BAD_REQUEST),
    ] {
        let (status, _) = app.get(&format!("{path}?{query}"), &app.token).await;
        assert_eq!(status, refused, "{path}?{query}");
    }
    let (status, _) = app.get(path, "not a token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    page
}

/// Two instances (the stores `one` and `other`, pools on one database) take in the same message
/// at the same moment with `take`: both are told the same id, one of them that it is new.
pub async fn take_in_at_once<F, Fut>(one: &Store, other: &Store, take: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = MessageIntake> + Send + 'static,
{
    let (a, b) = tokio::join!(
        tokio::spawn(take(one.clone())),
        tokio::spawn(take(other.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.id, b.id);
    assert_eq!([a.new, b.new].iter().filter(|n| **n).count(), 1);
}
