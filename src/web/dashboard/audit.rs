//! `/audit`: the review of the audit log (annex 2.5) with filters and paging, and
//! `/exports/audit.csv`: every event the filters match. Read only: no route changes or deletes
//! an event (and the database refuses it). The permission table says who may review it
//! ([`may_review_audit`]); each review and refusal is itself an event. Each person sees the
//! events of their own funds only, and the events of no fund (system events) only with the
//! permission table's right to them (art. 7).

use askama::Template;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::context::{Ctx, PageError, html};
use super::query::Params;
use super::table::{Cell, Table, csv_download};
use crate::domain::Action;
use crate::store::{AuditEvent, AuditOutcome, AuditQuery, AuditScope};
use crate::web::{Chrome, Viewer};

/// Events on one page of the review.
const PAGE: u32 = 100;

/// The most events one export holds.
const MAX_EXPORT: usize = 100_000;

/// Who may review the audit log: the permission table decides (src/domain/permission.rs).
pub fn may_review_audit(viewer: &Viewer) -> bool {
    viewer.role.may(Action::ReviewAudit)
}

/// The events `viewer` may review: those of their funds, and system events with the right.
fn scope_of(viewer: &Viewer) -> AuditScope {
    AuditScope::Funds {
        funds: viewer.funds.clone(),
        system: viewer.role.may(Action::ReviewSystemAudit),
    }
}

const OUTCOMES: [AuditOutcome; 3] = [
    AuditOutcome::Success,
    AuditOutcome::Failure,
    AuditOutcome::Denied,
];

/// The review's filters as given, to fill the form again.
#[derive(Default)]
struct Given {
    actor: String,
    action: String,
    outcome: String,
    from: String,
    to: String,
}

/// Reads the filters: `actor`, `action` (exact), `outcome`, `from` and `to` (Swiss dates, both
/// included), `before` (an event id: the page after).
fn read(params: &Params) -> Result<(AuditQuery, Given), PageError> {
    params.only(&["actor", "action", "outcome", "from", "to", "before"])?;
    let text = |s: &str| Ok::<_, std::convert::Infallible>(s.to_string());
    let actor = params.parsed("actor", text)?;
    let action = params.parsed("action", text)?;
    let outcome = params.parsed("outcome", |s| {
        OUTCOMES
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or("expected success, failure or denied")
    })?;
    let from = params.parsed("from", date)?;
    let to = params.parsed("to", date)?;
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(PageError::bad("to", "the last day is before the first"));
    }
    let before = params.parsed("before", |s| {
        s.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or("expected an event id (a positive whole number)")
    })?;
    let given = Given {
        actor: actor.clone().unwrap_or_default(),
        action: action.clone().unwrap_or_default(),
        outcome: outcome.map(|o| o.as_str().to_string()).unwrap_or_default(),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
    };
    let query = AuditQuery {
        actor,
        action,
        target: None,
        outcome,
        since: from.map(swiss_midnight),
        until: to.and_then(|d| d.succ_opt()).map(swiss_midnight),
        before_id: before,
        limit: PAGE,
        scope: AuditScope::Funds {
            funds: Vec::new(),
            system: false,
        },
    };
    Ok((query, given))
}

fn date(text: &str) -> Result<NaiveDate, &'static str> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected a date YYYY-MM-DD")
}

/// The start of `day` in Geneva.
fn swiss_midnight(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    chrono_tz::Europe::Zurich
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.to_utc())
        .unwrap_or_else(|| midnight.and_utc())
}

/// Where the times of a table are read: the page shows Swiss time (labelled), the CSV the one
/// export format with its zone ([`crate::csv::time`], UTC).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Page,
    Csv,
}

fn table(events: &[AuditEvent], more: bool, shown: Shown) -> Table {
    Table {
        name: "audit",
        title: "Audit log",
        about: "Important activities and events (annex 2.5), newest first. AVS numbers are never recorded.",
        headings: vec![
            "Event",
            match shown {
                Shown::Page => "When (Swiss time)",
                Shown::Csv => "When (UTC)",
            },
            "Actor",
            "Action",
            "Target",
            "Outcome",
            "From",
            "Details",
            "Funds",
        ],
        rows: events
            .iter()
            .map(|e| {
                vec![
                    Cell::text(e.id),
                    match shown {
                        Shown::Page => Cell::time(e.at),
                        Shown::Csv => Cell::text(crate::csv::time(e.at)),
                    },
                    Cell::text(&e.actor),
                    Cell::text(&e.action),
                    Cell::text(e.target.as_deref().unwrap_or("")),
                    Cell::text(e.outcome.as_str()),
                    Cell::text(e.remote_addr.as_deref().unwrap_or("")),
                    // A step's change of state lists its announcements: long, no spaces.
                    Cell::long_text(&e.details),
                    Cell::text(
                        e.funds
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ]
            })
            .collect(),
        more,
    }
}

/// Refuses (and records the refusal of) a viewer who may not review the log.
async fn allowed(ctx: &Ctx, action: &'static str) -> Result<(), PageError> {
    if may_review_audit(&ctx.viewer) {
        return Ok(());
    }
    ctx.audit(
        action,
        None,
        AuditOutcome::Denied,
        json!({"role": ctx.viewer.role.as_str()}),
    )
    .await?;
    Err(PageError::Forbidden("clerks may not review the audit log"))
}

#[derive(Template)]
#[template(path = "dashboard/audit.html")]
struct AuditPage {
    chrome: Chrome,
    given: Given,
    outcomes: [AuditOutcome; 3],
    table: Table,
    /// The query string of the filters, without paging, for the export.
    query: String,
    /// The link to the next (older) page.
    older: Option<String>,
    chart: String,
}

pub async fn page(ctx: Ctx, params: Result<Params, PageError>) -> Response {
    let page = async {
        allowed(&ctx, "audit.review").await?;
        let (mut query, given) = read(&params?)?;
        query.scope = scope_of(&ctx.viewer);
        query.limit = PAGE + 1;
        let mut events = ctx.state.store.query_audit(&query).await?;
        let more = events.len() > PAGE as usize;
        events.truncate(PAGE as usize);
        ctx.audit(
            "audit.review",
            None,
            AuditOutcome::Success,
            json!({"events": events.len()}),
        )
        .await?;
        let filters = filters_query(&given);
        let older = match (more, events.last()) {
            (true, Some(last)) => Some(join_query(&filters, &format!("before={}", last.id))),
            _ => None,
        };
        html(&AuditPage {
            chrome: ctx.chrome(),
            given,
            outcomes: OUTCOMES,
            table: table(&events, false, Shown::Page),
            query: join_query(&filters, ""),
            older,
            chart: String::new(),
        })
    };
    ctx.respond(page.await)
}

pub async fn export(ctx: Ctx, params: Result<Params, PageError>) -> Response {
    let page = async {
        allowed(&ctx, "audit.export").await?;
        let (mut query, _) = read(&params?)?;
        query.scope = scope_of(&ctx.viewer);
        query.limit = crate::store::MAX_AUDIT_PAGE;
        let mut events = Vec::new();
        loop {
            let page = ctx.state.store.query_audit(&query).await?;
            let done = page.len() < query.limit as usize;
            query.before_id = page.last().map(|e| e.id);
            events.extend(page);
            if done || events.len() >= MAX_EXPORT {
                break;
            }
        }
        let more = events.len() > MAX_EXPORT;
        events.truncate(MAX_EXPORT);
        ctx.audit(
            "audit.export",
            None,
            AuditOutcome::Success,
            json!({"events": events.len(), "truncated": more}),
        )
        .await?;
        Ok(csv_download(
            "audit.csv",
            table(&events, more, Shown::Csv).to_csv(),
        ))
    };
    ctx.respond(page.await)
}

/// `name=value` pairs of the filters given, URL-encoded, joined by `&`.
fn filters_query(given: &Given) -> String {
    [
        ("actor", &given.actor),
        ("action", &given.action),
        ("outcome", &given.outcome),
        ("from", &given.from),
        ("to", &given.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

fn join_query(filters: &str, more: &str) -> String {
    let parts: Vec<&str> = [filters, more]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes all but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn clerks_do_not_review_the_log() {
        for role in Role::ALL {
            let viewer = Viewer {
                account_id: 1,
                login: "x".into(),
                display_name: "X".into(),
                role,
                funds: Vec::new(),
                csrf_token: String::new(),
            };
            assert_eq!(
                may_review_audit(&viewer),
                matches!(role, Role::Responsible | Role::Substitute | Role::Delegate),
                "{role}"
            );
        }
    }

    #[test]
    fn filters_are_encoded_for_links() {
        let given = Given {
            actor: "user:a b&c".into(),
            outcome: "denied".into(),
            ..Given::default()
        };
        assert_eq!(
            filters_query(&given),
            "actor=user%3Aa%20b%26c&outcome=denied"
        );
        assert_eq!(join_query("", "before=3"), "?before=3");
        assert_eq!(join_query("", ""), "");
    }

    /// The CSV writes times in the one export format, in UTC with their zone, so that no reader
    /// takes them for Swiss time; the page says that it shows Swiss time.
    #[test]
    fn the_csv_writes_times_with_their_zone() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 7, 1, 6, 5, 4).unwrap();
        let event = AuditEvent {
            id: 1,
            at,
            actor: "user:boss".into(),
            action: "audit.review".into(),
            target: None,
            outcome: AuditOutcome::Success,
            remote_addr: None,
            details: json!({}),
            funds: Vec::new(),
        };
        let csv = table(std::slice::from_ref(&event), false, Shown::Csv).to_csv();
        assert!(csv.starts_with("Event,When (UTC),"), "{csv}");
        assert!(csv.contains(",2026-07-01T06:05:04Z,"), "{csv}");
        let page = table(&[event], false, Shown::Page);
        assert_eq!(page.headings[1], "When (Swiss time)");
        assert_eq!(page.rows[0][1].text, "2026-07-01 08:05 CEST");
    }

    #[test]
    fn days_are_swiss_days() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            swiss_midnight(day).to_rfc3339(),
            "2026-06-30T22:00:00+00:00"
        );
    }
}
