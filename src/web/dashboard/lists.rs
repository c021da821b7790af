//! The overview's six lists, read from the store for the viewer's funds and the filter:
//! overdue first (open reminders of N. 3401), then pending by age, announcements needing the
//! fund's action, acknowledgements that matched nothing, failed transmissions, and the open
//! closing orders of the ZAS (N. 2707–2713), the overdue ones first.

use chrono::NaiveDate;

use super::context::PageError;
use super::filter::Filter;
use super::table::{Cell, Table};
use crate::app::AppState;
use crate::calendar::ZasCalendar;
use crate::deadlines::DeadlineRule;
use crate::domain::{AnnouncementState, Environment, FundNumber, KeyCode, Reference};
use crate::letters::mandate;
use crate::store::{
    AnnouncementSummary, MAX_PAGE, PendingItem, Reminder, ReminderFilter, ReminderStatus,
};
use crate::web::Viewer;

/// The names of the lists, in the order the overview shows them; each is also an export.
pub const LISTS: [&str; 6] = [
    "overdue",
    "pending",
    "action",
    "unmatched",
    "failed",
    "orders",
];

/// A pending announcement and how many ZAS working days ago it was announced.
pub struct Aged<'a> {
    pub item: &'a PendingItem,
    pub working_days: i64,
}

/// The pending announcements with their age, oldest first.
pub fn aged<'a>(
    pending: &'a [PendingItem],
    calendar: &ZasCalendar,
    today: NaiveDate,
) -> Vec<Aged<'a>> {
    pending
        .iter()
        .map(|item| Aged {
            item,
            working_days: calendar.working_days_between(swiss_date(item.announced_at), today),
        })
        .collect()
}

fn swiss_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Zurich).date_naive()
}

/// The state an open reminder's announcement is in: the one its rule watches (an open reminder
/// is resolved as soon as the announcement leaves that state).
fn state_of_open(rule: DeadlineRule) -> AnnouncementState {
    match rule {
        DeadlineRule::NotMentioned => AnnouncementState::Announced,
        DeadlineRule::StillProcessing => AnnouncementState::InProgress,
    }
}

/// What the lists of announcements show first of each.
struct Heading<'a> {
    id: i64,
    environment: Environment,
    fund: FundNumber,
    reference: &'a Reference,
    key: KeyCode,
    state: AnnouncementState,
}

impl<'a> Heading<'a> {
    fn of(s: &'a AnnouncementSummary) -> Self {
        Heading {
            id: s.id,
            environment: s.environment,
            fund: s.fund,
            reference: &s.reference,
            key: s.key,
            state: s.state,
        }
    }

    /// The heading's cells, then `more`.
    fn row(&self, more: impl IntoIterator<Item = Cell>) -> Vec<Cell> {
        let mut cells = vec![
            Cell::announcement(self.id),
            Cell::text(self.environment.as_str().to_uppercase()),
            Cell::text(self.fund),
            Cell::text(self.reference),
            Cell::text(self.key.code()),
            Cell::text(self.state),
        ];
        cells.extend(more);
        cells
    }
}

/// The headings of [`Heading::row`], then `more`.
fn about_announcement(more: &[&'static str]) -> Vec<&'static str> {
    let mut headings = vec![
        "Announcement",
        "Environment",
        "Fund",
        "Reference",
        "Key",
        "State",
    ];
    headings.extend_from_slice(more);
    headings
}

fn rule_text(rule: DeadlineRule) -> &'static str {
    match rule {
        DeadlineRule::NotMentioned => "N. 3401: not mentioned within 7 working days",
        DeadlineRule::StillProcessing => "N. 3401: still being processed after 15 working days",
    }
}

/// The open reminders of the viewer's funds (in the filter), earliest deadline first.
async fn overdue(state: &AppState, filter: &Filter, viewer: &Viewer) -> Result<Table, PageError> {
    // Reminders are of PROD announcements only (ABN holds test data, with no deadline).
    let (mut reminders, more) = if filter.environment.is_none_or(|e| e == Environment::Prod) {
        open_reminders(state, filter, viewer).await?
    } else {
        (Vec::new(), false)
    };
    reminders.sort_by_key(|r| (r.due, r.id));
    Ok(Table {
        name: "overdue",
        title: "Overdue",
        about: "The deadline of N. 3401 has passed: the fund must write to the ZAS (N. 3402).",
        headings: about_announcement(&["Rule", "Last working day", "Announced", "Reminder raised"]),
        rows: reminders
            .iter()
            .map(|r| {
                let heading = Heading {
                    id: r.announcement_id,
                    // Reminders are raised for PROD announcements only.
                    environment: Environment::Prod,
                    fund: r.fund,
                    reference: &r.reference,
                    key: r.key,
                    state: state_of_open(r.rule),
                };
                heading.row([
                    Cell::text(rule_text(r.rule)),
                    Cell::text(r.due),
                    Cell::time(r.announced_at),
                    Cell::time(r.raised_at),
                ])
            })
            .collect(),
        more,
    })
}

/// The open reminders of the viewer's funds in the filter's state, at most [`MAX_PAGE`], and
/// whether there are more.
async fn open_reminders(
    state: &AppState,
    filter: &Filter,
    viewer: &Viewer,
) -> Result<(Vec<Reminder>, bool), PageError> {
    let mut reminders: Vec<Reminder> = Vec::new();
    let mut after_id = None;
    loop {
        let page = state
            .store
            .list_reminders(&ReminderFilter {
                status: ReminderStatus::Open,
                funds: Some(filter.funds(viewer)),
                after_id,
                limit: MAX_PAGE,
            })
            .await?;
        reminders.extend(
            page.items
                .into_iter()
                .filter(|r| filter.state.is_none_or(|s| s == state_of_open(r.rule))),
        );
        match page.next_after {
            Some(id) if reminders.len() < MAX_PAGE as usize => after_id = Some(id),
            Some(_) => return Ok((reminders, true)),
            None => return Ok((reminders, false)),
        }
    }
}

fn pending(aged: &[Aged<'_>], more: bool) -> Table {
    Table {
        name: "pending",
        title: "Pending, by age",
        about: "Announced and waiting for the ZAS, oldest first; age in ZAS working days since the day announced.",
        headings: about_announcement(&["Announced", "Working days since"]),
        rows: aged
            .iter()
            .map(|a| {
                Heading::of(&a.item.summary)
                    .row([Cell::time(a.item.announced_at), Cell::text(a.working_days)])
            })
            .collect(),
        more,
    }
}

async fn needing_action(
    state: &AppState,
    filter: &Filter,
    viewer: &Viewer,
) -> Result<Table, PageError> {
    let list = state
        .store
        .needing_action(filter.scope(&filter.funds(viewer)), filter.state)
        .await?;
    Ok(Table {
        name: "action",
        title: "Rejected or to investigate",
        about: "Refused by the central register, or the ZAS asks the fund to investigate (N. 3202): the fund must act.",
        headings: about_announcement(&["Since", "Cause"]),
        rows: list
            .items
            .iter()
            .map(|a| {
                Heading::of(&a.summary)
                    .row([Cell::time(a.summary.state_since), Cell::text(&a.cause)])
            })
            .collect(),
        more: list.more,
    })
}

async fn unmatched(state: &AppState, filter: &Filter, viewer: &Viewer) -> Result<Table, PageError> {
    let funds = filter.funds(viewer);
    let list = state.store.unmatched_of(filter.scope(&funds)).await?;
    Ok(Table {
        name: "unmatched",
        title: "Acknowledgements that matched nothing",
        about: "Entries of the ZAS's acknowledgements whose fund and reference match no announcement sent, or that name another transmission than the one that carried it (kept, not applied; newest first; not filtered by state).",
        headings: vec![
            "Entry",
            "Acknowledgement",
            "Acknowledgement date",
            "Received",
            "Fund",
            "Reference",
            "Key",
            "Processing code",
            "Why",
        ],
        rows: list
            .items
            .iter()
            .map(|u| {
                vec![
                    Cell::text(u.entry_id),
                    Cell::text(&u.acknowledgement_message_id),
                    Cell::text(u.acknowledgement_date),
                    Cell::time(u.received_at),
                    Cell::text(u.fund),
                    Cell::text(&u.reference),
                    Cell::text(u.key.code()),
                    Cell::text(u.processing_code),
                    Cell::text(
                        u.mismatch
                            .as_deref()
                            .unwrap_or("no announcement sent with this fund and reference"),
                    ),
                ]
            })
            .collect(),
        more: list.more,
    })
}

async fn failed(state: &AppState, filter: &Filter, viewer: &Viewer) -> Result<Table, PageError> {
    let list = state
        .store
        .failed_transmissions_of(filter.scope(&filter.funds(viewer)))
        .await?;
    Ok(Table {
        name: "failed",
        title: "Failed transmissions",
        about: "Given up after their attempts; an operator may resume them (newest first; not filtered by state).",
        headings: vec![
            "Transmission",
            "Message id",
            "Environment",
            "Created",
            "Attempts",
            "Your announcements",
            "Failure",
        ],
        rows: list
            .items
            .iter()
            .map(|t| {
                vec![
                    Cell::text(t.id),
                    Cell::text(&t.message_id),
                    Cell::text(t.environment.as_str().to_uppercase()),
                    Cell::time(t.created_at),
                    Cell::text(t.attempts),
                    Cell::text(t.announcements),
                    Cell::text(t.failure.as_deref().unwrap_or("")),
                ]
            })
            .collect(),
        more: list.more,
    })
}

/// The open closing orders of the viewer's funds (in the filter's environment), the earliest
/// due first: an overdue one (its ten days of N. 2713 passed) leads. The AVS number is not shown
/// here: the fund's system reads it through the API, where each read is audited.
async fn closing_orders(
    state: &AppState,
    filter: &Filter,
    viewer: &Viewer,
) -> Result<Table, PageError> {
    let list = state
        .store
        .open_closing_orders_of(filter.scope(&filter.funds(viewer)))
        .await?;
    let today = state.clock.today();
    Ok(Table {
        name: "orders",
        title: "Closing orders",
        about: "Orders of the ZAS to close a CI and transmit it to the ordering fund within ten calendar days (N. 2707–2713); overdue first; not filtered by state.",
        headings: vec![
            "Order",
            "Environment",
            "Fund",
            "Ordering fund",
            "Key",
            "Closing",
            "Domicile (N. 2712)",
            "Received",
            "Last day to transmit",
            "Overdue",
        ],
        rows: list
            .items
            .iter()
            .map(|o| {
                vec![
                    Cell::text(o.id),
                    Cell::text(o.environment.as_str().to_uppercase()),
                    Cell::text(o.fund),
                    Cell::text(o.ordering_fund),
                    Cell::text(o.key.code()),
                    Cell::text(o.closing),
                    Cell::text(format!(
                        "{}: {}",
                        o.domicile.code(),
                        mandate(o.domicile, state.letters.language_of(o.fund))
                    )),
                    Cell::time(o.received_at),
                    Cell::text(o.due_on),
                    Cell::text(if o.due_on < today { "yes" } else { "no" }),
                ]
            })
            .collect(),
        more: list.more,
    })
}

/// The pending announcements of the viewer's funds in the filter, and whether there were more.
pub async fn read_pending(
    state: &AppState,
    filter: &Filter,
    viewer: &Viewer,
) -> Result<(Vec<PendingItem>, bool), PageError> {
    let list = state
        .store
        .pending_by_age(filter.scope(&filter.funds(viewer)), filter.state)
        .await?;
    Ok((list.items, list.more))
}

/// List `name` of [`LISTS`]; `None` for another name.
pub async fn one(
    state: &AppState,
    filter: &Filter,
    viewer: &Viewer,
    name: &str,
) -> Result<Option<Table>, PageError> {
    Ok(Some(match name {
        "overdue" => overdue(state, filter, viewer).await?,
        "pending" => {
            let (items, more) = read_pending(state, filter, viewer).await?;
            pending(&aged(&items, &state.calendar, state.clock.today()), more)
        }
        "action" => needing_action(state, filter, viewer).await?,
        "unmatched" => unmatched(state, filter, viewer).await?,
        "failed" => failed(state, filter, viewer).await?,
        "orders" => closing_orders(state, filter, viewer).await?,
        _ => return Ok(None),
    }))
}

/// Every list in the order of [`LISTS`], with the pending announcements' ages for the chart.
pub async fn all(
    state: &AppState,
    filter: &Filter,
    viewer: &Viewer,
) -> Result<(Vec<Table>, Vec<i64>), PageError> {
    let (items, more) = read_pending(state, filter, viewer).await?;
    let aged = aged(&items, &state.calendar, state.clock.today());
    let ages = aged.iter().map(|a| a.working_days).collect();
    let tables = vec![
        overdue(state, filter, viewer).await?,
        pending(&aged, more),
        needing_action(state, filter, viewer).await?,
        unmatched(state, filter, viewer).await?,
        failed(state, filter, viewer).await?,
        closing_orders(state, filter, viewer).await?,
    ];
    Ok((tables, ages))
}
