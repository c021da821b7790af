//! The configuration as its operator wrote it, one line per setting, for annex 2.5's audit of
//! configuration changes: each start of the service compares it with the last one recorded
//! and names what changed (`crate::serve::record_configuration`).
//!
//! Settings are the file's keys flattened (`zas.tls.endpoint`; the entries of `[[zas]]` as
//! `zas[1].environment`) and the `ARCGW_*` variables (`env:ARCGW_LISTEN`). Secrets — keys named
//! `secret` or `password`, and the database URL, which may hold a password — are kept only as
//! the start of their SHA-256, enough to see that they changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;

/// Every setting by its dotted name, as text (secrets hashed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Settings(BTreeMap<String, String>);

impl Settings {
    /// The settings of a configuration file's text and the `ARCGW_*` variables applied to it.
    pub fn of(file: Option<&toml::Table>, variables: &[(String, String)]) -> Settings {
        let mut settings = BTreeMap::new();
        if let Some(table) = file {
            flatten("", table, &mut settings);
        }
        for (name, value) in variables {
            settings.insert(format!("env:{name}"), shown(name, value));
        }
        Settings(settings)
    }

    /// The names of the settings that differ from `before`: changed, added or removed.
    pub fn changed_from(&self, before: &Settings) -> Vec<String> {
        let mut names: Vec<String> = self
            .0
            .iter()
            .filter(|(name, value)| before.0.get(*name) != Some(*value))
            .map(|(name, _)| name.clone())
            .chain(
                before
                    .0
                    .keys()
                    .filter(|name| !self.0.contains_key(*name))
                    .cloned(),
            )
            .collect();
        names.sort();
        names
    }

    /// The value of setting `name`, as recorded.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn flatten(prefix: &str, table: &toml::Table, into: &mut BTreeMap<String, String>) {
    for (key, value) in table {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&name, inner, into),
            toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
                for (i, item) in items.iter().enumerate() {
                    if let toml::Value::Table(inner) = item {
                        flatten(&format!("{name}[{i}]"), inner, into);
                    }
                }
            }
            toml::Value::String(text) => {
                into.insert(name.clone(), shown(&name, text));
            }
            other => {
                into.insert(name.clone(), shown(&name, &text(other)));
            }
        }
    }
}

/// A value as TOML writes it (the `toml` crate is built without its writer).
fn text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(table) => {
            let entries: Vec<String> = table
                .iter()
                .map(|(k, v)| format!("{k} = {}", text(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// The value as recorded: a secret only as the start of its SHA-256.
fn shown(name: &str, value: &str) -> String {
    let name = name.to_ascii_lowercase();
    let secret = ["secret", "password", "database_url"]
        .iter()
        .any(|word| name.ends_with(word));
    if secret {
        format!("sha256:{}", &sha256_hex(value.as_bytes())[..16])
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str, variables: &[(&str, &str)]) -> Settings {
        let table: toml::Table = toml::from_str(text).unwrap();
        let variables: Vec<(String, String)> = variables
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Settings::of(Some(&table), &variables)
    }

    const FILE: &str = r#"
listen = "127.0.0.1:8080"
database_url = "postgres://arcgw:hunter2@db/arcgw"
[calendar]
holidays = ["christmas", "new_year"]
[[zas]]
environment = "prod"
batch_size = 1000
[zas.tls]
endpoint = "https://zas.example"
[[zas]]
environment = "abn"
[alerts.webhook]
secret = "s3cret"
"#;

    #[test]
    fn settings_are_flattened_and_secrets_hashed() {
        let s = settings(
            FILE,
            &[
                ("ARCGW_ALERTS_SMTP_PASSWORD", "pw"),
                ("ARCGW_LISTEN", "0.0.0.0:1"),
            ],
        );
        assert_eq!(s.get("listen"), Some("127.0.0.1:8080"));
        assert_eq!(s.get("zas[0].tls.endpoint"), Some("https://zas.example"));
        assert_eq!(s.get("zas[0].batch_size"), Some("1000"));
        assert_eq!(s.get("zas[1].environment"), Some("abn"));
        assert_eq!(
            s.get("calendar.holidays"),
            Some(r#"["christmas", "new_year"]"#)
        );
        assert_eq!(s.get("env:ARCGW_LISTEN"), Some("0.0.0.0:1"));
        let recorded = serde_json::to_string(&s).unwrap();
        for secret in ["hunter2", "s3cret", "\"pw\""] {
            assert!(!recorded.contains(secret), "{secret} in {recorded}");
        }
        assert!(
            s.get("alerts.webhook.secret")
                .unwrap()
                .starts_with("sha256:")
        );
        assert!(s.get("database_url").unwrap().starts_with("sha256:"));
        assert!(
            s.get("env:ARCGW_ALERTS_SMTP_PASSWORD")
                .unwrap()
                .starts_with("sha256:")
        );
    }

    #[test]
    fn changes_are_named_changed_added_and_removed() {
        let before = settings(FILE, &[("ARCGW_LISTEN", "0.0.0.0:1")]);
        assert!(before.changed_from(&before).is_empty());
        let after = settings(
            &FILE
                .replace("https://zas.example", "https://zas2.example")
                .replace("s3cret", "other")
                .replace("batch_size = 1000\n", ""),
            &[("ARCGW_LOG_LEVEL", "debug")],
        );
        assert_eq!(
            after.changed_from(&before),
            [
                "alerts.webhook.secret",
                "env:ARCGW_LISTEN",
                "env:ARCGW_LOG_LEVEL",
                "zas[0].batch_size",
                "zas[0].tls.endpoint"
            ]
        );
        let json = serde_json::to_value(&after).unwrap();
        assert_eq!(serde_json::from_value::<Settings>(json).unwrap(), after);
    }
}
