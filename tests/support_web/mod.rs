//! Serving the whole application on loopback for page tests, signed in as a given person, and
//! a WebDriver client for headless Chromium (`webdriver.rs`).
#![allow(dead_code)]

pub mod webdriver;

use std::net::SocketAddr;

use arcgw::api::{AppState, router};
use arcgw::web::Viewer;
use axum::Extension;

/// The application served on a free loopback port.
pub struct Served {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// An HTTP client of the signed-in person.
    pub http: reqwest::Client,
}

impl Served {
    /// GETs `path` (`/…`); the answer's status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// Serves `arcgw::api::router(state)` with `viewer` signed in for every request.
///
/// The one place tests sign in: until the login lands, an outer layer puts the [`Viewer`] into
/// each request, as the session layer will; switch this to the real login form then.
pub async fn sign_in(state: AppState, viewer: Viewer) -> Served {
    let app = router(state).layer(Extension(viewer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Served {
        base,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap(),
    }
}
