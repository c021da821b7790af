//! `/connection`: the settings of the connection to the ZAS and its client certificate, for the
//! roles the permission table allows (USNTools: not open to delegates). Reading it is an audit
//! event; so is a refusal. The settings are changed in the configuration file, not here.

use askama::Template;
use axum::response::Response;
use serde_json::json;

use super::context::{Ctx, PageError, html};
use crate::domain::Action;
use crate::store::AuditOutcome;
use crate::web::Chrome;

#[derive(Template)]
#[template(path = "dashboard/connection.html")]
struct ConnectionPage {
    chrome: Chrome,
    /// One per environment; none without a `[zas]` section.
    connections: Vec<Connection>,
}

/// The connection to one ZAS environment, each with its own endpoint and certificates.
struct Connection {
    environment: &'static str,
    /// (setting, value) in the order shown.
    settings: Vec<(&'static str, String)>,
}

pub async fn page(ctx: Ctx) -> Response {
    let page = show(&ctx).await;
    ctx.respond(page)
}

async fn show(ctx: &Ctx) -> Result<Response, PageError> {
    const ACTION: &str = "zas.connection.read";
    if !ctx.viewer.role.may(Action::ViewZasConnection) {
        ctx.audit(
            ACTION,
            None,
            AuditOutcome::Denied,
            json!({"role": ctx.viewer.role.as_str()}),
        )
        .await?;
        return Err(PageError::Forbidden(
            "delegates and clerks may not see the connection to the ZAS and its certificates",
        ));
    }
    ctx.audit(ACTION, None, AuditOutcome::Success, json!({}))
        .await?;
    let connections = ctx
        .state
        .zas
        .iter()
        .map(|zas| {
            let mut settings = vec![("transport", format!("{:?}", zas.transport).to_lowercase())];
            if let Some(tls) = &zas.tls {
                settings.push(("endpoint", tls.endpoint.clone()));
            }
            if let Some(sedex) = &zas.sedex {
                if let Ok(folders) = sedex.folders() {
                    settings.push(("sedex outbox", folders.outbox.display().to_string()));
                    settings.push(("sedex receipts", folders.receipts.display().to_string()));
                }
                settings.push((
                    "sedex message type of a transmission",
                    sedex.transmission_message_type.to_string(),
                ));
            }
            settings.push(("sender id (the fund)", zas.sender_id.to_string()));
            settings.push(("recipient id (the ZAS)", zas.recipient_id.to_string()));
            if let Some(tls) = &zas.tls {
                settings.push((
                    "CA certificate of the ZAS",
                    tls.ca_cert.display().to_string(),
                ));
                settings.push(("client certificate", tls.client_cert.display().to_string()));
                settings.push((
                    "client certificate expires",
                    ctx.state
                        .certificate_expiry(zas.environment)
                        .map_or_else(|| "unknown".to_string(), |at| at.to_rfc3339()),
                ));
            }
            Connection {
                environment: zas.environment.label(),
                settings,
            }
        })
        .collect();
    html(&ConnectionPage {
        chrome: ctx.chrome(),
        connections,
    })
}
