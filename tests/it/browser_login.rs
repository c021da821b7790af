//! A real headless Chromium, driven through ChromeDriver's WebDriver protocol over loopback,
//! signs in with a temporary password, is sent to change it, and reaches the accounts page: the
//! session cookie works in a browser with its flags (Secure, HttpOnly, SameSite=Strict; Chromium
//! accepts Secure cookies on http://127.0.0.1). Uses the shared WebDriver client
//! (`support::web::webdriver`).

use arcgw::accounts::{Accounts, Manager};
use arcgw::domain::{FundNumber, Holder, Login, Role};
use arcgw::store::NewAccount;
use serde_json::json;

use crate::support;
use crate::support::db::{TestDb, on_both_backends};
use crate::support::web::webdriver::Browser;

async fn a_browser_signs_in_and_changes_the_temporary_password(db: TestDb) {
    let web = support::web::start(db.store.clone()).await;
    let browser = Browser::start().await;
    let operator = Manager::Operator {
        name: "test".into(),
    };
    let made = Accounts {
        store: &web.store,
        manager: &operator,
        at: support::web::noon(),
        remote: None,
        delivery: arcgw::accounts::Delivery::ShowToOperator,
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
    browser
        .find("input[name=login]")
        .await
        .type_text("mrossi")
        .await;
    browser
        .find("input[name=password]")
        .await
        .type_text(made.password.expose())
        .await;
    browser.find("#login button").await.click().await;
    assert_eq!(
        browser.arrive_at(&web.url("/password")).await,
        web.url("/password")
    );
    assert!(browser.source().await.contains(r#"id="forced""#));
    let cookies = browser.cookies().await;
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
        .find("input[name=current]")
        .await
        .type_text(made.password.expose())
        .await;
    browser
        .find("input[name=new]")
        .await
        .type_text("Nuovo-Segreto-7")
        .await;
    browser
        .find("input[name=repeat]")
        .await
        .type_text("Nuovo-Segreto-7")
        .await;
    browser.find("#password button").await.click().await;
    assert_eq!(browser.arrive_at(&web.url("/")).await, web.url("/"));
    browser.open(&web.url("/accounts")).await;
    let page = browser.source().await;
    assert!(page.contains(">mrossi</a>"), "{page}");
    assert!(page.contains("Maria Rossi (responsible)"), "{page}");
    // Signing out from the page ends the session.
    browser.find("form.logout button").await.click().await;
    assert_eq!(
        browser.arrive_at(&web.url("/login")).await,
        web.url("/login")
    );
    browser.open(&web.url("/accounts")).await;
    assert_eq!(
        browser.arrive_at(&web.url("/login")).await,
        web.url("/login")
    );
    browser.close().await;
}

on_both_backends!(a_browser_signs_in_and_changes_the_temporary_password);
