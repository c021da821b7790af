//! `ARCGW_*` environment overrides: an explicit table, each variable parsed as the type of the
//! setting it overrides (no guessing that `0123` is a number), unknown ones refused.

use std::str::FromStr;

use super::{Config, ConfigError, LogFormat};
use crate::alerts::Secret;

type Setter = fn(&mut Config, &str) -> Result<(), String>;

fn parse<T: FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| e.to_string())
}

const OVERRIDES: &[(&str, Setter)] = &[
    ("ARCGW_LISTEN", |c, v| {
        c.listen = parse(v)?;
        Ok(())
    }),
    ("ARCGW_DATABASE_URL", |c, v| {
        c.database_url = v.to_string();
        Ok(())
    }),
    ("ARCGW_HTTP_MAX_BODY_BYTES", |c, v| {
        c.http.max_body_bytes = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_REQUEST_TIMEOUT_SECS", |c, v| {
        c.http.request_timeout_secs = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_RATE_LIMIT_PER_MINUTE", |c, v| {
        c.http.rate_limit_per_minute = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_HEADER_READ_TIMEOUT_SECS", |c, v| {
        c.http.header_read_timeout_secs = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_IDLE_TIMEOUT_SECS", |c, v| {
        c.http.idle_timeout_secs = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_MAX_CONNECTIONS", |c, v| {
        c.http.max_connections = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_UNAUTHENTICATED_PER_MINUTE", |c, v| {
        c.http.unauthenticated_per_minute = parse(v)?;
        Ok(())
    }),
    ("ARCGW_HTTP_LOGINS_PER_MINUTE", |c, v| {
        c.http.logins_per_minute = parse(v)?;
        Ok(())
    }),
    ("ARCGW_LOG_LEVEL", |c, v| {
        c.log.level = v.to_string();
        Ok(())
    }),
    ("ARCGW_LOG_FORMAT", |c, v| {
        c.log.format = match v {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err("text or json".into()),
        };
        Ok(())
    }),
    ("ARCGW_ALERTS_WEBHOOK_SECRET", |c, v| {
        match c.alerts.as_mut().and_then(|a| a.webhook.as_mut()) {
            Some(webhook) => webhook.secret = Secret::new(v),
            None => return Err("there is no [alerts.webhook] section to set it in".into()),
        }
        Ok(())
    }),
    ("ARCGW_ALERTS_SMTP_PASSWORD", |c, v| {
        match c.alerts.as_mut().and_then(|a| a.email.as_mut()) {
            Some(email) => email.password = Some(Secret::new(v)),
            None => return Err("there is no [alerts.email] section to set it in".into()),
        }
        Ok(())
    }),
    ("ARCGW_LETTERS_DEFAULT_LANGUAGE", |c, v| {
        c.letters.default_language = parse(v)?;
        Ok(())
    }),
];

/// Variables of the test harness, not of the service's configuration (the crash points of
/// `crate::failpoint` among them).
fn is_test_variable(name: &str) -> bool {
    name.starts_with("ARCGW_TEST_") || name == "ARCGW_FAILPOINT"
}

/// The variables that are the service's settings: `ARCGW_*`, without the test harness's.
pub(super) fn service_variables(
    vars: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    vars.into_iter()
        .filter(|(name, _)| name.starts_with("ARCGW_") && !is_test_variable(name))
        .collect()
}

/// Applies `vars`, the [`service_variables`]; an unknown one is an error.
pub(super) fn apply(
    config: &mut Config,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (name, value) in vars {
        let Some((_, set)) = OVERRIDES.iter().find(|(n, _)| *n == name) else {
            return Err(ConfigError::UnknownEnv {
                var: name,
                known: OVERRIDES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        set(config, &value).map_err(|message| ConfigError::Env { var: name, message })?;
    }
    Ok(())
}
