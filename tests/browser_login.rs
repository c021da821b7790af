//! A real headless Chromium, driven through ChromeDriver's WebDriver protocol over loopback,
//! signs in with a temporary password, is sent to change it, and reaches the accounts page: the
//! session cookie works in a browser with its flags (Secure, HttpOnly, SameSite=Strict; Chromium
//! accepts Secure cookies on http://127.0.0.1). Skipped, saying so, without chromedriver.

mod support_db;
mod support_web;

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use arcgw::accounts::{Accounts, Manager};
use arcgw::domain::{FundNumber, Holder, Login, Role};
use arcgw::store::NewAccount;
use serde_json::{Value, json};
use support_db::{TestDb, on_both_backends};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A ChromeDriver process and one browser session of it; both end on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Browser {
    /// Ends ChromeDriver and the browser it started (its own process group), also when the
    /// test failed before closing the session.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    async fn start() -> Option<Browser> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            http: reqwest::Client::new(),
        };
        // Bounded wait for the driver to listen.
        for _ in 0..100 {
            let ready = browser
                .http
                .get(format!("{}/status", browser.base))
                .send()
                .await;
            if ready.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": ["--headless=new",
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}}}});
        let answer = browser.call("POST", "/session", Some(capabilities)).await;
        browser.session = answer["sessionId"].as_str()?.to_string();
        Some(browser)
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "POST" => self.http.post(url).json(&body.unwrap_or(json!({}))),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        answer["value"].clone()
    }

    async fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
            .await
    }

    async fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The WebDriver id of the element `css` selects.
    async fn find(&self, css: &str) -> String {
        let element = self
            .session_call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        element[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {element}"))
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.session_call("POST", &format!("/element/{id}/click"), None)
            .await;
    }

    async fn url(&self) -> String {
        self.session_call("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits (at most 10 s) until the browser is at `url`, after a click that navigates; the
    /// URL it is at in the end.
    async fn arrive_at(&self, url: &str) -> String {
        let mut now = self.url().await;
        for _ in 0..100 {
            if now == url {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            now = self.url().await;
        }
        now
    }

    async fn source(&self) -> String {
        self.session_call("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }
}

async fn a_browser_signs_in_and_changes_the_temporary_password(db: TestDb) {
    let web = support_web::start(db.store.clone()).await;
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: chromedriver and chromium are needed (scripts/test.sh installs them)");
        return;
    };
    let operator = Manager::Operator {
        name: "test".into(),
    };
    let made = Accounts {
        store: &web.store,
        manager: &operator,
        at: support_web::noon(),
        remote: None,
    }
    .create(NewAccount {
        login: Login::parse("mrossi").unwrap(),
        holder: Holder::parse("Rossi", "Maria", "m.rossi@cassa.example", "").unwrap(),
        role: Role::Responsible,
        funds: vec![FundNumber::parse("066.000").unwrap()],
    })
    .await
    .unwrap();
    browser.open(&web.url("/login")).await;
    browser.type_into("input[name=login]", "mrossi").await;
    browser
        .type_into("input[name=password]", made.password.expose())
        .await;
    browser.click("#login button").await;
    assert_eq!(
        browser.arrive_at(&web.url("/password")).await,
        web.url("/password")
    );
    assert!(browser.source().await.contains(r#"id="forced""#));
    let cookies = browser.session_call("GET", "/cookie", None).await;
    let session = cookies
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "arcgw_session")
        .unwrap_or_else(|| panic!("the browser keeps the session cookie: {cookies}"));
    assert_eq!(
        (
            &session["secure"],
            &session["httpOnly"],
            &session["sameSite"]
        ),
        (&json!(true), &json!(true), &json!("Strict"))
    );
    browser
        .type_into("input[name=current]", made.password.expose())
        .await;
    browser
        .type_into("input[name=new]", "Nuovo-Segreto-7")
        .await;
    browser
        .type_into("input[name=repeat]", "Nuovo-Segreto-7")
        .await;
    browser.click("#password button").await;
    assert_eq!(browser.arrive_at(&web.url("/")).await, web.url("/"));
    browser.open(&web.url("/accounts")).await;
    let page = browser.source().await;
    assert!(page.contains(">mrossi</a>"), "{page}");
    assert!(page.contains("Maria Rossi (responsible)"), "{page}");
    // Signing out from the page ends the session.
    browser.click("form.logout button").await;
    assert_eq!(
        browser.arrive_at(&web.url("/login")).await,
        web.url("/login")
    );
    browser.open(&web.url("/accounts")).await;
    assert_eq!(
        browser.arrive_at(&web.url("/login")).await,
        web.url("/login")
    );
    browser.session_call("DELETE", "", None).await;
}

on_both_backends!(a_browser_signs_in_and_changes_the_temporary_password);
