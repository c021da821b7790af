//! `arcgw audit`: read and export the audit log (annex 2.5: the log is analysed periodically).
//! Reading it is itself audited.

use chrono::{NaiveDate, NaiveTime};
use clap::{Args as ClapArgs, ValueEnum};

use super::Status;
use super::daemon::{ConfigArg, operator_event, with_store};
use crate::store::{AuditEvent, AuditOutcome, AuditQuery, AuditScope};

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum Export {
    #[default]
    Text,
    Json,
    Csv,
}

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Events on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = super::workdays::date_arg)]
    since: Option<NaiveDate>,
    /// Events before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = super::workdays::date_arg)]
    until: Option<NaiveDate>,
    /// Only this actor, e.g. `token:1f2e3d4c5b6a7980`.
    #[arg(long)]
    actor: Option<String>,
    /// Only this action, e.g. `announcement.read`.
    #[arg(long)]
    action: Option<String>,
    /// Only this outcome.
    #[arg(long, value_parser = ["success", "failure", "denied"])]
    outcome: Option<String>,
    /// At most this many events, newest first (1–1000).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
    limit: u32,
    #[arg(long, value_enum, default_value_t)]
    format: Export,
    #[command(flatten)]
    config: ConfigArg,
}

pub fn run(args: Args) -> Status {
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    let query = AuditQuery {
        actor: args.actor.clone(),
        action: args.action.clone(),
        target: None,
        outcome: args.outcome.as_deref().map(|o| match o {
            "success" => AuditOutcome::Success,
            "failure" => AuditOutcome::Failure,
            _ => AuditOutcome::Denied,
        }),
        since: args.since.map(midnight),
        until: args.until.map(midnight),
        before_id: None,
        limit: args.limit,
        scope: AuditScope::All,
    };
    let format = args.format;
    with_store("audit", &args.config, |store| async move {
        let events = store.query_audit(&query).await?;
        let details = serde_json::json!({ "events": events.len(), "format": format!("{format:?}").to_lowercase() });
        store
            .append_audit(&operator_event("audit.export", "audit".into(), details))
            .await?;
        print!("{}", render(&events, format));
        Ok(())
    })
}

/// The funds of an event, separated by spaces (empty for a system event).
fn funds(e: &AuditEvent) -> String {
    e.funds
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn render(events: &[AuditEvent], format: Export) -> String {
    match format {
        Export::Json => {
            let rows: Vec<serde_json::Value> = events.iter().map(|e| serde_json::json!({
                "id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
                "outcome": e.outcome, "remote_addr": e.remote_addr, "details": e.details,
                "funds": funds(e),
            })).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&rows).expect("serialises")
            )
        }
        Export::Csv => {
            let mut out = crate::csv::row([
                "id",
                "at",
                "actor",
                "action",
                "target",
                "outcome",
                "remote_addr",
                "details",
                "funds",
            ]);
            for e in events {
                out.push_str(&crate::csv::row([
                    e.id.to_string(),
                    crate::csv::time(e.at),
                    e.actor.clone(),
                    e.action.clone(),
                    e.target.clone().unwrap_or_default(),
                    e.outcome.as_str().to_string(),
                    e.remote_addr.clone().unwrap_or_default(),
                    e.details.to_string(),
                    funds(e),
                ]));
            }
            out
        }
        Export::Text => events
            .iter()
            .map(|e| {
                format!(
                    "{:>6} {} {:<8} {:<28} {:<24} {} {}\n",
                    e.id,
                    crate::csv::time(e.at),
                    e.outcome.as_str(),
                    e.action,
                    e.actor,
                    e.target.as_deref().unwrap_or("-"),
                    e.remote_addr.as_deref().unwrap_or("")
                )
            })
            .collect(),
    }
}
