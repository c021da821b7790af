//! One typed configuration: `config/arcgw.toml` (or `--config FILE`) with `ARCGW_*` environment
//! overrides, validated at start so that a mistake stops the service with a one-line reason.

mod env;
mod error;
mod settings;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::accounts::AccountsConfig;
use crate::alerts::AlertsConfig;
use crate::calendar::{CalendarConfig, ZasCalendar};
use crate::engine::ZasConfig;
use crate::letters::LettersConfig;
use crate::store::{RetentionTooShort, RetentionYears};

pub use error::ConfigError;
pub use settings::Settings;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_PATH: &str = "config/arcgw.toml";

/// `[intake]`: settings of the validation of announcements.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IntakeConfig {
    /// The fund number (1–999) of the Swiss compensation fund (Cassa svizzera di compensazione),
    /// the only fund that announces key 94 (N. 2521, annex 1). No default: without it, key 94
    /// is refused with a message saying that this setting is missing.
    pub swiss_compensation_fund: Option<u16>,
}

/// The whole configuration of `arcgw`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the HTTP API and dashboard listen (`ARCGW_LISTEN`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// `sqlite://PATH` (the embedded default) or `postgres://…` (`ARCGW_DATABASE_URL`).
    #[serde(default = "default_database_url")]
    pub database_url: String,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub log: LogConfig,
    /// The ZAS working-day calendar: holiday rules and extra closing days.
    #[serde(default)]
    pub calendar: CalendarConfig,
    /// The exchanges with the ZAS: `[zas]` for one environment, or one `[[zas]]` per
    /// environment (ABN and PROD, each with its own endpoint and certificates). Without any,
    /// the service takes in announcements but sends none.
    #[serde(default, deserialize_with = "one_or_many")]
    pub zas: Vec<ZasConfig>,
    /// Where alerts of passed deadlines go; without it they wait in the outbox.
    pub alerts: Option<AlertsConfig>,
    /// The letters to the ZAS (N. 3401–3403): each fund's language and sender lines.
    #[serde(default)]
    pub letters: LettersConfig,
    /// Accounts: whether temporary passwords are sent by e-mail.
    #[serde(default)]
    pub accounts: AccountsConfig,
    /// What the intake needs to know beyond the directives' text.
    #[serde(default)]
    pub intake: IntakeConfig,
    /// What `arcgw purge` must keep (N. 3403).
    #[serde(default)]
    pub purge: PurgeConfig,
    /// The settings as written (file and `ARCGW_*` variables), for the audit of configuration
    /// changes (annex 2.5).
    #[serde(skip)]
    pub settings: Settings,
}

/// Limits of the HTTP API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// The largest request body accepted, in bytes (`ARCGW_HTTP_MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// A request taking longer is answered 408 (`ARCGW_HTTP_REQUEST_TIMEOUT_SECS`).
    pub request_timeout_secs: u64,
    /// Requests per minute and token before 429 (`ARCGW_HTTP_RATE_LIMIT_PER_MINUTE`).
    pub rate_limit_per_minute: u32,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
    /// A request's headers must arrive whole within this many seconds; also how long a kept
    /// alive connection may wait for its next request (`ARCGW_HTTP_HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout_secs: u64,
    /// A connection on which nothing is read or written for this many seconds is closed; more
    /// than `request_timeout_secs` (`ARCGW_HTTP_IDLE_TIMEOUT_SECS`).
    pub idle_timeout_secs: u64,
    /// Connections served at once; further ones wait in the kernel's listen queue. Keep it well
    /// below `LimitNOFILE` of the systemd unit (`ARCGW_HTTP_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// Requests per minute and client address that fail authentication before that address
    /// is refused (429) without a look at its token (`ARCGW_HTTP_UNAUTHENTICATED_PER_MINUTE`).
    pub unauthenticated_per_minute: u32,
    /// Login attempts per minute and client address, each a password hash, before 429
    /// (`ARCGW_HTTP_LOGINS_PER_MINUTE`).
    pub logins_per_minute: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout_secs: 30,
            rate_limit_per_minute: 600,
            shutdown_grace_secs: 10,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_connections: 512,
            unauthenticated_per_minute: 60,
            logins_per_minute: 60,
        }
    }
}

/// `[purge]`: what the purge of persons' data (annex 2.7) must keep.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PurgeConfig {
    /// How many years a transmitted announcement keeps its data after it closed, whatever
    /// `arcgw purge --older-than` says, so that the fund can produce it on paper on request
    /// (N. 3403). At least 1; default 10.
    pub min_retention_years: u32,
}

impl Default for PurgeConfig {
    fn default() -> Self {
        PurgeConfig {
            min_retention_years: RetentionYears::DEFAULT.years(),
        }
    }
}

impl PurgeConfig {
    /// The minimum retention, checked.
    pub fn min_retention(&self) -> Result<RetentionYears, RetentionTooShort> {
        RetentionYears::new(self.min_retention_years)
    }
}

/// Log output.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `arcgw=debug,info` (`ARCGW_LOG_LEVEL`).
    pub level: String,
    /// `text` or `json` (`ARCGW_LOG_FORMAT`).
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// `[zas]` (one table) or `[[zas]]` (an array of tables). Read through a `toml::Value`, not an
/// untagged enum, so that a mistake in a section is reported as itself.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ZasConfig>, D::Error> {
    use serde::de::Error;
    let mut value = toml::Value::deserialize(d)?;
    match &mut value {
        toml::Value::Array(sections) => sections.iter_mut().for_each(default_transport),
        section => default_transport(section),
    }
    let read = if value.is_array() {
        Vec::<ZasConfig>::deserialize(value)
    } else {
        ZasConfig::deserialize(value).map(|zas| vec![zas])
    };
    read.map_err(|e| D::Error::custom(e.message().trim_end()))
}

/// sedex is the default transport: a `[zas]` section without `transport` uses sedex, unless it
/// has only a `[zas.tls]` section (then HTTPS, as configurations written before sedex do).
fn default_transport(section: &mut toml::Value) {
    if let toml::Value::Table(table) = section
        && !table.contains_key("transport")
    {
        let kind = if table.contains_key("tls") && !table.contains_key("sedex") {
            "https"
        } else {
            "sedex"
        };
        table.insert("transport".into(), toml::Value::String(kind.into()));
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_database_url() -> String {
    "sqlite://data/arcgw.db".into()
}

impl Default for Config {
    fn default() -> Self {
        toml::from_str("").expect("the empty configuration is valid")
    }
}

impl Config {
    /// Loads `path` (or [`DEFAULT_PATH`] when it exists), applies the `ARCGW_*` variables of
    /// `vars`, and checks the result.
    pub fn load(
        path: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (mut config, file) = match path {
            Some(path) => Self::read(path)?,
            None if Path::new(DEFAULT_PATH).exists() => Self::read(Path::new(DEFAULT_PATH))?,
            None => (Config::default(), None),
        };
        let variables = env::service_variables(vars);
        env::apply(&mut config, variables.iter().cloned())?;
        config.settings = Settings::of(file.as_ref(), &variables);
        config.check()?;
        Ok(config)
    }

    /// Loads with the process's environment.
    pub fn from_environment(path: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load(path, std::env::vars())
    }

    /// The configuration of the file at `path`, and its table as written.
    fn read(path: &Path) -> Result<(Config, Option<toml::Table>), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.message().to_string(),
            line: e.span().map(|s| text[..s.start].lines().count().max(1)),
        })?;
        Ok((config, toml::from_str(&text).ok()))
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid =
            |field: &'static str, message: String| ConfigError::Invalid { field, message };
        if !(self.database_url.starts_with("sqlite://")
            || self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database_url",
                "must start with sqlite:// or postgres://".into(),
            ));
        }
        if self.http.max_body_bytes < 1024 {
            return Err(invalid(
                "http.max_body_bytes",
                "must be at least 1024".into(),
            ));
        }
        let http = &self.http;
        if [
            http.request_timeout_secs,
            u64::from(http.rate_limit_per_minute),
            http.header_read_timeout_secs,
            http.max_connections as u64,
            u64::from(http.unauthenticated_per_minute),
            u64::from(http.logins_per_minute),
        ]
        .contains(&0)
        {
            return Err(invalid(
                "http",
                "request_timeout_secs, rate_limit_per_minute, header_read_timeout_secs, \
                 max_connections, unauthenticated_per_minute and logins_per_minute must be \
                 above 0"
                    .into(),
            ));
        }
        if http.idle_timeout_secs <= http.request_timeout_secs {
            return Err(invalid(
                "http.idle_timeout_secs",
                format!(
                    "must be more than request_timeout_secs ({}): a request being answered \
                     is not idle",
                    http.request_timeout_secs
                ),
            ));
        }
        let mut environments = std::collections::BTreeSet::new();
        for zas in &self.zas {
            zas.check_transport()
                .map_err(|message| invalid("zas.transport", message))?;
            if !environments.insert(zas.environment) {
                return Err(invalid(
                    "zas.environment",
                    format!(
                        "{} is configured twice: one [[zas]] section per environment",
                        zas.environment
                    ),
                ));
            }
        }
        if self.accounts.email_temporary_passwords
            && self
                .alerts
                .as_ref()
                .and_then(|a| a.email.as_ref())
                .is_none()
        {
            return Err(invalid(
                "accounts.email_temporary_passwords",
                "needs the SMTP server of [alerts.email]".into(),
            ));
        }
        if let Some(fund) = self.intake.swiss_compensation_fund
            && !(1..=999).contains(&fund)
        {
            return Err(invalid(
                "intake.swiss_compensation_fund",
                format!("a fund number is 1 to 999, not {fund}"),
            ));
        }
        self.calendar()?;
        self.purge
            .min_retention()
            .map_err(|e| invalid("purge.min_retention_years", e.to_string()))?;
        if let Some(alerts) = &self.alerts {
            alerts
                .check()
                .map_err(|(field, message)| invalid(field, message))?;
        }
        Ok(())
    }

    /// The ZAS calendar this configuration describes.
    pub fn calendar(&self) -> Result<ZasCalendar, ConfigError> {
        self.calendar.build().map_err(|e| ConfigError::Invalid {
            field: "calendar",
            message: e.to_string(),
        })
    }

    /// The SQLite file of a `sqlite://` URL, to create its directory.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests;
