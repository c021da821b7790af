//! The deadline and alert gauges of `GET /metrics`, read from the store at scrape time:
//! announcements overdue (N. 3401) by rule and fund, closing orders overdue (N. 2713), the oldest pending announcement's age by
//! state, the alert outbox by channel and status with its oldest undelivered alert's age, and
//! the time since the audit log was last reviewed (annex 2.5).
//! The rules in `deploy/prometheus/alerts.yml` use these names.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::metrics::family;
use super::state::AppState;
use crate::domain::AnnouncementState;
use crate::store::{DELIVERY_STATUSES, StoreError, rule_text};

/// Seconds from `since` to `now`, 0 when there is nothing.
fn age(now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> f64 {
    since.map_or(0.0, |t| (now - t).num_milliseconds() as f64 / 1000.0)
}

/// Appends the deadline and alert families to `out`.
pub async fn render(state: &AppState, out: &mut String) -> Result<(), StoreError> {
    let now = state.now();
    family(
        out,
        "arcgw_overdue_announcements",
        "gauge",
        "Announcements whose N. 3401 deadline passed and that are still waiting (open reminders), by rule and fund.",
    );
    for o in state.store.overdue_counts().await? {
        let _ = writeln!(
            out,
            "arcgw_overdue_announcements{{rule=\"{}\",fund=\"{}\"}} {}",
            rule_text(o.rule),
            o.fund,
            o.count
        );
    }
    family(
        out,
        "arcgw_closing_orders_overdue",
        "gauge",
        "Closing-and-transmission orders whose ten days (N. 2713) passed and that the fund's system has not reported done.",
    );
    let overdue_orders = state.store.overdue_closing_orders().await?;
    let _ = writeln!(out, "arcgw_closing_orders_overdue {overdue_orders}");
    family(
        out,
        "arcgw_oldest_pending_age_seconds",
        "gauge",
        "Time the oldest announcement waiting for the ZAS has been in its state (announced, in_progress); 0 when none.",
    );
    for s in [AnnouncementState::Announced, AnnouncementState::InProgress] {
        let since = state.store.oldest_in_state(s).await?;
        let _ = writeln!(
            out,
            "arcgw_oldest_pending_age_seconds{{state=\"{}\"}} {}",
            s.as_str(),
            age(now, since)
        );
    }
    family(
        out,
        "arcgw_alert_deliveries",
        "gauge",
        "Alert deliveries in the outbox by channel and status (pending, delivered, failed).",
    );
    let counts = state.store.alert_delivery_counts().await?;
    let mut channels: Vec<&str> = counts.iter().map(|c| c.channel.as_str()).collect();
    channels.dedup();
    for channel in channels {
        for status in DELIVERY_STATUSES {
            let n = counts
                .iter()
                .find(|c| c.channel == channel && c.status == status)
                .map_or(0, |c| c.count);
            let _ = writeln!(
                out,
                "arcgw_alert_deliveries{{channel=\"{channel}\",status=\"{status}\"}} {n}"
            );
        }
    }
    family(
        out,
        "arcgw_oldest_undelivered_alert_age_seconds",
        "gauge",
        "Age of the oldest alert not yet delivered on every channel; 0 when none.",
    );
    let oldest = state.store.oldest_pending_alert().await?;
    let _ = writeln!(
        out,
        "arcgw_oldest_undelivered_alert_age_seconds {}",
        age(now, oldest)
    );
    family(
        out,
        "arcgw_audit_unreviewed_seconds",
        "gauge",
        "Time since the audit log was last reviewed (page, CSV or arcgw audit; since its first event when never): annex 2.5 asks for periodic analysis.",
    );
    let reviewed = state.store.audit_last_reviewed().await?;
    let _ = writeln!(out, "arcgw_audit_unreviewed_seconds {}", age(now, reviewed));
    Ok(())
}
