//! Bearer-token authentication of the fund API, with the per-token rate limit. Every refusal is
//! audited; the client learns only 401 or 429.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::error::ApiError;
use crate::app::{AppState, Audit, client_key};
use crate::domain::{Environment, FundNumber};
use crate::store::{ApiToken, AuditOutcome, Authentication};

/// The authenticated caller of a request: a fund's API token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token: ApiToken,
    pub remote: Option<SocketAddr>,
    /// `token:<prefix>`, as written in histories and the audit log.
    pub actor: String,
}

impl Caller {
    /// N. 2102 (security baseline, draft art. 7): a token acts only for its own funds.
    pub fn may_act_for(&self, fund: FundNumber) -> bool {
        self.token.may_act_for(fund)
    }

    /// An audit event of this caller: `action` on `target`.
    pub fn audit<'a>(
        &'a self,
        action: &'static str,
        target: &str,
        outcome: AuditOutcome,
        details: serde_json::Value,
    ) -> Audit<'a> {
        Audit {
            actor: &self.actor,
            funds: &self.token.funds,
            action,
            target: Some(target.to_string()),
            outcome,
            remote: self.remote,
            details,
        }
    }

    /// The funds a list asks for: the query's `fund`, which must be one of the token's (art. 7;
    /// a refusal as [`Caller::require_fund`]), or else all the token's funds.
    pub async fn funds_to_list(
        &self,
        state: &AppState,
        fund: Option<&str>,
        action: &'static str,
        what: &str,
    ) -> Result<Vec<FundNumber>, ApiError> {
        let Some(text) = fund else {
            return Ok(self.token.funds.clone());
        };
        let fund = FundNumber::parse(text).map_err(|e| ApiError::BadQuery(format!("fund: {e}")))?;
        self.require_fund(state, fund, action, &format!("fund:{fund}"), what)
            .await?;
        Ok(vec![fund])
    }

    /// N. 2102 (security baseline, draft art. 7): lets the caller on for its own funds only; a
    /// refusal is an audit event (`denied`) and a 403 saying that this token may not `what` of
    /// `fund`.
    pub async fn require_fund(
        &self,
        state: &AppState,
        fund: FundNumber,
        action: &'static str,
        target: &str,
        what: &str,
    ) -> Result<(), ApiError> {
        if self.may_act_for(fund) {
            return Ok(());
        }
        state
            .audit(self.audit(action, target, AuditOutcome::Denied, json!({})))
            .await?;
        Err(ApiError::Forbidden(format!(
            "this token may not {what} of fund {fund}"
        )))
    }

    /// Lets the caller on in its token's ZAS environment only (USNTools: access is granted per
    /// environment; nothing sent to ABN counts for PROD); a refusal is an audit event
    /// (`denied`) and a 403 naming both environments.
    pub async fn require_environment(
        &self,
        state: &AppState,
        environment: Environment,
        action: &'static str,
        target: &str,
        what: &str,
    ) -> Result<(), ApiError> {
        if self.token.environment == environment {
            return Ok(());
        }
        let details =
            json!({"environment": environment, "token_environment": self.token.environment});
        state
            .audit(self.audit(action, target, AuditOutcome::Denied, details))
            .await?;
        Err(ApiError::Forbidden(format!(
            "this token is for {}: it may not {what} in {}",
            self.token.environment.label(),
            environment.label()
        )))
    }

    /// [`Caller::require_fund`] and [`Caller::require_environment`]: an announcement of
    /// `fund` in `environment`.
    pub async fn require_fund_in(
        &self,
        state: &AppState,
        fund: FundNumber,
        environment: Environment,
        action: &'static str,
        target: &str,
        what: &str,
    ) -> Result<(), ApiError> {
        self.require_fund(state, fund, action, target, what).await?;
        self.require_environment(state, environment, action, target, what)
            .await
    }
}

/// The audit action of refused authentications.
const AUTHENTICATE: &str = "api.authenticate";

fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Authenticates the request and puts a [`Caller`] into its extensions.
pub async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let path = request.uri().path().to_string();
    // A flood of wrong tokens must cost neither a token lookup nor an audit row each: an
    // address with too many failed authentications (`[http] unauthenticated_per_minute`) is
    // refused before its token is looked at; refusals are counted in the audit per address and
    // minute.
    let address = client_key(remote.map(|r| r.ip()));
    let now = Instant::now();
    if let Err(wait) = state.unauthenticated.peek(&address, now) {
        state
            .refused(AUTHENTICATE, &address, "too many failed authentications")
            .await?;
        return Err(ApiError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let authentication = match bearer(&request) {
        Some(presented) => match state.store.authenticate(presented).await? {
            Authentication::Granted(token) => Ok(token),
            Authentication::Denied(why) => Err(format!("{why:?}")),
        },
        None => Err("no bearer token".to_string()),
    };
    let token = match authentication {
        Ok(token) => token,
        Err(reason) => {
            let _ = state.unauthenticated.check(&address, now);
            state.refused(AUTHENTICATE, &address, &reason).await?;
            return Err(ApiError::Unauthorized);
        }
    };
    let actor = format!("token:{}", token.prefix);
    if let Err(wait) = state.rate.check(&token.id, now) {
        state
            .audit(Audit {
                actor: &actor,
                funds: &token.funds,
                action: "api.rate_limit",
                target: Some(path.clone()),
                outcome: AuditOutcome::Denied,
                remote,
                details: json!({ "retry_after_secs": wait.as_secs().max(1) }),
            })
            .await?;
        return Err(ApiError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    request.extensions_mut().insert(Caller {
        token,
        remote,
        actor,
    });
    Ok(next.run(request).await)
}

/// The page size a list asks for: 1 to 1000, 100 when not given.
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(100);
    if (1..=1000).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::BadQuery(format!(
            "limit must be from 1 to 1000, not {limit}"
        )))
    }
}
