//! `/announcements/{id}`: one announcement with its particulars, history, deadline explanation,
//! what the ZAS answered, its operator tasks and the XML of its transmission as sent (N. 3403),
//! and the forms of the letters about it where their rules allow (N. 2703: an RCI that is done;
//! N. 3301: an announcement the ZAS acknowledged; `letters.rs` writes them). The page shows AVS
//! numbers: every view is an audit event, and so is every refusal. An announcement of a fund
//! the viewer may not see is answered as if it did not exist (art. 7).

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

use super::context::{Ctx, PageError, html};
use super::table::swiss_time;
use super::tasks::TaskView;
use crate::deadlines::{Deadline, why_no_deadline};
use crate::domain::{Environment, Particulars};
use crate::engine::reproduce::transmission_xml;
use crate::letters::{CitedAnnouncement, Language, LetterKind, MAX_TEXT_CHARS};
use crate::presentation::acknowledgement::entry_json;
use crate::presentation::announcement::to_contract_json;
use crate::presentation::deadline::next_deadline_of;
use crate::store::{AnnouncementDetail, AuditOutcome, StoreError, StoredEntry};
use crate::web::Chrome;

#[derive(Template)]
#[template(path = "dashboard/announcement.html")]
struct AnnouncementPage {
    chrome: Chrome,
    id: i64,
    /// (label, value) pairs.
    fields: Vec<(&'static str, String)>,
    particulars: String,
    /// (when, from, to, actor, cause).
    history: Vec<[String; 5]>,
    deadline: Option<Deadline>,
    deadline_passed: bool,
    /// Why no deadline runs, when none does (an ABN announcement, a state without one).
    no_deadline: String,
    /// Each acknowledgement entry about it, as JSON.
    acknowledgements: Vec<String>,
    /// Its operator tasks (N. 3302, 2211), open and closed.
    tasks: Vec<TaskView>,
    transmission: Option<SentXml>,
    /// The letters about it its rules allow (N. 2703, 3301).
    letters: LetterForms,
}

/// The forms of the letters about the announcement, each shown only where its rule allows.
struct LetterForms {
    forms: Vec<LetterFormView>,
    /// The session's anti-CSRF token.
    csrf: String,
    /// The fund's language, chosen first.
    language: Language,
    languages: [Language; 3],
    /// For N. 3301: the field numbers the ZAS's last acknowledgement found wrong.
    wrong_fields: String,
    max_text: usize,
    /// Empty rows of CIs in the N. 2703 form.
    rows: usize,
}

struct LetterFormView {
    /// The last part of its path.
    slug: &'static str,
    title: &'static str,
}

/// The transmission of the announcement and its XML, or why the XML is not shown.
struct SentXml {
    id: i64,
    message_id: String,
    state: String,
    environment: Environment,
    xml: Result<String, String>,
}

/// `id` is read here, not by axum's extractor, so that a wrong one gets the page in the frame
/// (a 400 naming `id`) rather than a bare text answer.
pub async fn page(ctx: Ctx, Path(id): Path<String>) -> Response {
    let page = async {
        let id: i64 = id
            .parse()
            .map_err(|_| PageError::bad("id", "expected an announcement's number"))?;
        let detail = match ctx.state.store.announcement(id).await {
            Err(StoreError::NotFound { .. }) => return Err(PageError::NotFound),
            other => other?,
        };
        let fund = detail.announcement.announcement.fund();
        let target = Some(format!("announcement:{id}"));
        if !ctx.viewer.may_see(fund) {
            ctx.audit(
                "announcement.read",
                target,
                AuditOutcome::Denied,
                json!({"reason": "another fund"}),
            )
            .await?;
            return Err(PageError::NotFound);
        }
        ctx.audit(
            "announcement.read",
            target,
            AuditOutcome::Success,
            json!({"page": "dashboard"}),
        )
        .await?;
        let transmission = match detail.announcement.transmission_id {
            Some(t) => Some(sent_xml(&ctx, t).await?),
            None => None,
        };
        let deadline = next_deadline_of(&ctx.state, &detail.announcement)
            .await
            .map_err(|e| PageError::Internal(Box::new(e)))?;
        let entries = ctx.state.store.entries_of(id).await?;
        let acknowledgements = entries.iter().map(|e| pretty(&entry_json(e))).collect();
        let letters = letter_forms(&ctx, &detail, &entries);
        let tasks = ctx
            .state
            .store
            .operator_tasks_of(id)
            .await?
            .iter()
            .map(TaskView::of)
            .collect();
        let today = ctx.state.clock.today();
        html(&AnnouncementPage {
            chrome: ctx.chrome(),
            id,
            fields: fields(&detail),
            particulars: pretty(&to_contract_json(&detail.announcement.announcement)),
            history: detail
                .history
                .iter()
                .map(|h| {
                    [
                        swiss_time(h.at),
                        h.previous.map(|p| p.to_string()).unwrap_or_default(),
                        h.state.to_string(),
                        h.actor.clone(),
                        h.cause.clone(),
                    ]
                })
                .collect(),
            deadline_passed: deadline.as_ref().is_some_and(|d| d.has_passed(today)),
            no_deadline: why_no_deadline(
                detail.announcement.environment,
                detail.announcement.state,
            )
            .unwrap_or_default(),
            deadline,
            acknowledgements,
            tasks,
            transmission,
            letters,
        })
    };
    ctx.respond(page.await)
}

fn letter_forms(ctx: &Ctx, detail: &AnnouncementDetail, entries: &[StoredEntry]) -> LetterForms {
    let forms = match CitedAnnouncement::of(detail) {
        None => Vec::new(),
        Some(cited) => LetterKind::ALL
            .into_iter()
            .filter(|kind| kind.allowed(&cited, !entries.is_empty()).is_ok())
            .map(|kind| LetterFormView {
                slug: kind.slug(),
                title: match kind {
                    LetterKind::OpenAccounts => "CIs still open after this RCI (N. 2703)",
                    LetterKind::Correction => "Data of the ZAS wrong or incomplete (N. 3301)",
                },
            })
            .collect(),
    };
    let wrong_fields = entries
        .last()
        .map(|e| {
            let numbers: Vec<String> = e.entry.wrong_fields.iter().map(u8::to_string).collect();
            numbers.join(", ")
        })
        .unwrap_or_default();
    let fund = detail.announcement.announcement.fund();
    LetterForms {
        forms,
        csrf: ctx.viewer.csrf_token.clone(),
        language: ctx.state.letters.language_of(fund),
        languages: Language::ALL,
        wrong_fields,
        max_text: MAX_TEXT_CHARS,
        rows: OPEN_ACCOUNT_ROWS,
    }
}

/// The rows of CIs the N. 2703 form offers.
const OPEN_ACCOUNT_ROWS: usize = 5;

fn fields(detail: &AnnouncementDetail) -> Vec<(&'static str, String)> {
    let stored = &detail.announcement;
    let a = &stored.announcement;
    let mut fields = vec![
        ("ZAS environment", stored.environment.label().to_string()),
        ("Fund", a.fund().to_string()),
        ("Reference", a.reference().to_string()),
        ("Key", a.key().code().to_string()),
        ("State", stored.state.to_string()),
        ("In this state since", swiss_time(stored.state_since)),
        ("Submitted", swiss_time(stored.submitted_at)),
    ];
    // N. 3107–3110: `Surname, NN` for a person without given names.
    if let Particulars::Certificate { person, .. } = a.particulars() {
        fields.insert(4, ("Name", person.name.to_string()));
    }
    fields
}

/// The transmission's XML as sent, written again and checked against its SHA-256; shown only
/// when every announcement it carries is of the viewer's funds (art. 7). Audited.
async fn sent_xml(ctx: &Ctx, id: i64) -> Result<SentXml, PageError> {
    let (record, _) = ctx.state.store.transmission(id).await?;
    let funds = ctx.state.store.transmission_funds(id).await?;
    let xml = if funds.iter().all(|f| ctx.viewer.may_see(*f)) {
        match transmission_xml(&ctx.state.store, id).await {
            Ok((_, xml)) => {
                ctx.audit(
                    "transmission.xml.read",
                    Some(format!("transmission:{id}")),
                    AuditOutcome::Success,
                    json!({"page": "dashboard"}),
                )
                .await?;
                Ok(xml)
            }
            Err(e) => {
                tracing::error!(transmission = id, error = %e, "the XML as sent cannot be shown");
                Err(format!("The XML cannot be written again: {e}"))
            }
        }
    } else {
        Err("The transmission also carries announcements of funds you may not see; its XML is not shown (N. 2102; security baseline, draft art. 7).".to_string())
    };
    Ok(SentXml {
        id,
        message_id: record.header.message_id.to_string(),
        state: record.state.to_string(),
        environment: record.environment,
        xml,
    })
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
