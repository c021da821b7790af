//! The web application over real HTTP on loopback, and signing in as a person the way a
//! browser does: the login form (its anti-CSRF cookie and field), `POST /login`, the session
//! cookie, and the session's anti-CSRF token read from a page.
//!
//! For the dashboard's tests: `let web = start(db.store.clone()).await;
//! let me = web.person("mrossi", Role::Clerk, &["066.000"]).await;` then `web.get(path, &me)`,
//! `web.post_form(path, &me, &[...])` (adds the `csrf` field) or `web.post_json(path, &me, body)`
//! (adds `X-CSRF-Token`).
//!
//! For page tests with an application state of their own (engine, simulator, clock):
//! [`sign_in`] serves it, creates the viewer's account and signs in through the login form;
//! [`webdriver`] drives headless Chromium, which takes the session cookie.

pub mod webdriver;

use std::net::SocketAddr;
use std::sync::Arc;

use arcgw::app::{AppState, router};
use arcgw::calendar::ZasCalendar;
use arcgw::clock::ManualClock;
use arcgw::config::HttpConfig;
use arcgw::domain::{FundNumber, Holder, Login, Password, Role};
use arcgw::store::{Account, NewAccount, Store};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};

/// The password [`Web::person`] gives every account (keeps annex 2.3).
pub const PASSWORD: &str = "Sicuro-2026!";

pub fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T11:00:00Z")
        .unwrap()
        .to_utc()
}

pub const FORM: &str = "application/x-www-form-urlencoded";

/// A URL-encoded form body.
pub fn form(fields: &[(&str, &str)]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        body.append_pair(name, value);
    }
    body.finish()
}

/// A running application.
pub struct Web {
    pub base: String,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    /// Follows no redirects, keeps no cookies: each test sees exactly what the server sent.
    pub client: reqwest::Client,
}

/// A signed-in browser: its session cookie and the session's anti-CSRF token.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The session id (the cookie's value).
    pub session: String,
    pub csrf: String,
}

/// Starts the application on `store` on a free loopback port, its clock at [`noon`]. Temporary
/// passwords are shown to the manager (`handover = "show_to_manager"`, configured explicitly),
/// so that tests can sign in with them; the default hand-over (two e-mails) and its absence
/// are tested with [`start_with`].
pub async fn start(store: Store) -> Web {
    start_with(store, |state| state.with_handover_shown_to_manager()).await
}

/// [`start`], with the state `configure` makes of the default one.
pub async fn start_with(store: Store, configure: impl FnOnce(AppState) -> AppState) -> Web {
    let clock = Arc::new(ManualClock::new(noon()));
    let state = configure(AppState::new(
        store.clone(),
        clock.clone(),
        ZasCalendar::geneva(),
        HttpConfig::default(),
    ));
    Web {
        base: serve(router(state)).await,
        store,
        clock,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// Serves `app` (`arcgw::app::router` of a state) on a free loopback port, with each
/// connection's peer address; its base URL, `http://127.0.0.1:<port>`.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{address}")
}

/// `POST url` of `body` as JSON with the API token `token`.
pub async fn post_with_token(
    client: &reqwest::Client,
    url: String,
    token: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    client
        .post(url)
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// `GET url` with the API token `token`: the status and the JSON body (null when there is none).
pub async fn get_with_token(
    client: &reqwest::Client,
    url: String,
    token: &str,
) -> (StatusCode, serde_json::Value) {
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// Creates an API token for `funds` directly in the store, at `at`; its secret.
pub async fn token(store: &Store, label: &str, funds: &[&str], at: DateTime<Utc>) -> String {
    let funds: Vec<FundNumber> = funds
        .iter()
        .map(|f| FundNumber::parse(f).unwrap())
        .collect();
    store
        .create_token(label, &funds, at)
        .await
        .unwrap()
        .secret
        .expose()
        .to_string()
}

/// Creates an account directly in the store, with password [`PASSWORD`] (not temporary).
pub async fn create_account(store: &Store, login: &str, role: Role, funds: &[&str]) -> Account {
    let login = Login::parse(login).unwrap();
    let holder = Holder::parse(
        &format!("Surname {login}"),
        "Given",
        &format!("{login}@cassa.example"),
        "1980-04-02",
    )
    .unwrap();
    let password = Password::check(PASSWORD, &login, &holder).unwrap();
    let new = NewAccount {
        login,
        holder,
        role,
        funds: funds
            .iter()
            .map(|f| FundNumber::parse(f).unwrap())
            .collect(),
    };
    store
        .create_account(&new, &password, false, noon())
        .await
        .unwrap()
}

/// The value of cookie `name` among a response's `Set-Cookie` headers, and the whole header.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let value = v.strip_prefix(&format!("{name}="))?;
            Some((value.split(';').next()?.to_string(), v.to_string()))
        })
}

/// The `value` of the first `name="csrf"` field of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let start = html.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    Some(html[start..].split('"').next()?.to_string())
}

impl Web {
    pub fn clock_now(&self) -> DateTime<Utc> {
        use arcgw::clock::Clock;
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /login`: the login form's anti-CSRF cookie value and field value.
    pub async fn login_form(&self) -> (String, String) {
        let response = self.client.get(self.url("/login")).send().await.unwrap();
        let (cookie, _) = set_cookie(&response, "arcgw_login_csrf").expect("login CSRF cookie");
        let field = csrf_of(&response.text().await.unwrap()).expect("login CSRF field");
        (cookie, field)
    }

    /// `POST /login` as a browser sends it, with `extra_cookie` (e.g. a session id set before).
    pub async fn post_login(
        &self,
        login: &str,
        password: &str,
        extra_cookie: Option<&str>,
    ) -> reqwest::Response {
        let (cookie, field) = self.login_form().await;
        let mut cookies = format!("arcgw_login_csrf={cookie}");
        if let Some(extra) = extra_cookie {
            cookies.push_str("; ");
            cookies.push_str(extra);
        }
        self.client
            .post(self.url("/login"))
            .header(COOKIE, cookies)
            .header(CONTENT_TYPE, FORM)
            .body(form(&[
                ("login", login),
                ("password", password),
                ("csrf", &field),
            ]))
            .send()
            .await
            .unwrap()
    }

    /// Signs in; the status of the refusal otherwise.
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<SignedIn, StatusCode> {
        let response = self.post_login(login, password, None).await;
        if response.status() != StatusCode::SEE_OTHER {
            return Err(response.status());
        }
        let (session, _) = set_cookie(&response, "arcgw_session").expect("session cookie");
        let mut signed_in = SignedIn {
            session,
            csrf: String::new(),
        };
        let page = self
            .get("/password", &signed_in)
            .await
            .text()
            .await
            .unwrap();
        signed_in.csrf = csrf_of(&page).expect("the page carries the session's token");
        Ok(signed_in)
    }

    /// Creates an account (password [`PASSWORD`]) and signs in with it.
    pub async fn person(&self, login: &str, role: Role, funds: &[&str]) -> SignedIn {
        create_account(&self.store, login, role, funds).await;
        self.sign_in(login, PASSWORD).await.unwrap()
    }

    pub async fn get(&self, path: &str, who: &SignedIn) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(COOKIE, format!("arcgw_session={}", who.session))
            .send()
            .await
            .unwrap()
    }

    /// A form post with the session's `csrf` field added.
    pub async fn post_form(
        &self,
        path: &str,
        who: &SignedIn,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &who.csrf));
        self.client
            .post(self.url(path))
            .header(COOKIE, format!("arcgw_session={}", who.session))
            .header(CONTENT_TYPE, FORM)
            .body(form(&fields))
            .send()
            .await
            .unwrap()
    }

    /// A JSON post with the session's `X-CSRF-Token` header.
    pub async fn post_json(
        &self,
        path: &str,
        who: &SignedIn,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header(COOKIE, format!("arcgw_session={}", who.session))
            .header("x-csrf-token", &who.csrf)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// An application state of the test's own, served on a free loopback port, and a person
/// signed in to it through the real login form.
pub struct Served {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// An HTTP client that sends the person's session cookie.
    pub http: reqwest::Client,
    /// The person's session.
    pub signed_in: SignedIn,
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

    /// Gives `browser` the person's session (the cookie of this host).
    pub async fn sign_in_browser(&self, browser: &webdriver::Browser) {
        browser.open(&format!("{}/login", self.base)).await;
        browser
            .add_cookie("arcgw_session", &self.signed_in.session)
            .await;
    }
}

/// Serves `arcgw::app::router(state)` ([`serve`]), creates the account of `viewer` (its login, role and
/// funds) in the state's store and signs in with it through `POST /login`, as a browser does.
pub async fn sign_in(state: AppState, viewer: arcgw::app::Viewer) -> Served {
    let store = state.store.clone();
    let base = serve(router(state)).await;
    let funds: Vec<String> = viewer.funds.iter().map(ToString::to_string).collect();
    let funds: Vec<&str> = funds.iter().map(String::as_str).collect();
    create_account(&store, &viewer.login, viewer.role, &funds).await;
    let web = Web {
        base: base.clone(),
        store,
        clock: Arc::new(ManualClock::new(noon())),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap(),
    };
    let signed_in = web.sign_in(&viewer.login, PASSWORD).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        COOKIE,
        format!("arcgw_session={}", signed_in.session)
            .parse()
            .unwrap(),
    );
    Served {
        base,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .default_headers(headers)
            .build()
            .unwrap(),
        signed_in,
    }
}
