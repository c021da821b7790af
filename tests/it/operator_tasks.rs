//! Operator tasks: an acknowledgement entry carrying arcgw's own observation
//! 3302 (N. 3302, the fund already keeps a CI for the number) or 2211 (N. 2211, an RCI or a
//! splitting already took place) makes one task for its announcement, once; the dashboard lists
//! the open ones of the viewer's funds and closes one with a note, audited; another fund's
//! viewer neither sees nor closes it; hostile close forms change nothing. The simulator sends
//! both observations through the real engine. SQLite always, PostgreSQL with
//! `ARCGW_TEST_PG_URL`.

use std::sync::Arc;

use arcgw::clock::{Clock, ManualClock};
use arcgw::domain::operator_task::{
    OBSERVATION_ACCOUNT_ALREADY_KEPT, OBSERVATION_RCI_OR_SPLITTING_DONE,
};
use arcgw::domain::{
    Acknowledgement, Announcement, Environment, FundNumber, KeyCode, Observation, Particulars,
    Reference, Role, TaskKind, TaskState,
};
use arcgw::sim::{Outcome, Rule};
use arcgw::store::{AuditOutcome, AuditQuery, ChangeNote, OperatorTask, Scope, Store};

use crate::support;
use crate::support::db::{TestDb, avs, execute, on_both_backends};
use crate::support::engine::{SimulatedZas, simulated_zas};
use crate::support::flow::{FUND, account, announce, day, entry, fund, header, take_in_from};
use crate::support::web::{SignedIn, start};

const OTHER: &str = "077.000";

fn observation(code: u16) -> Observation {
    Observation {
        code,
        text: Some("as the ZAS says".into()),
    }
}

/// An acknowledgement `message_id` dealing with each (announcement, observation codes).
fn ack_with(message_id: &str, about: &[(&Announcement, &[u16])]) -> Acknowledgement {
    Acknowledgement {
        header: header(message_id, "T6-ZAS-1", "T7-066000-1", support::web::noon()),
        acknowledgement_date: day(2026, 11, 23),
        entries: about
            .iter()
            .map(|(a, codes)| arcgw::domain::AcknowledgementEntry {
                fund: a.fund(),
                observations: codes.iter().map(|c| observation(*c)).collect(),
                ..entry(a.reference().as_str(), a.key().code().into(), None, 0)
            })
            .collect(),
    }
}

/// An opening of a CI (key 61) of fund `fund`.
fn opening(fund_number: &str, reference: &str, n: u64) -> Announcement {
    Announcement::new(
        fund(fund_number),
        Reference::new(reference).unwrap(),
        KeyCode::new(61).unwrap(),
        Particulars::Account { avs_number: avs(n) },
    )
    .unwrap()
}

async fn open_tasks(store: &Store, funds: &[&str]) -> Vec<OperatorTask> {
    let funds: Vec<FundNumber> = funds.iter().map(|f| fund(f)).collect();
    store
        .open_operator_tasks(Scope {
            funds: &funds,
            environment: None,
        })
        .await
        .unwrap()
        .items
}

async fn audits(
    store: &Store,
    action: &str,
    outcome: AuditOutcome,
) -> Vec<arcgw::store::AuditEvent> {
    store
        .query_audit(&AuditQuery {
            action: Some(action.into()),
            outcome: Some(outcome),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

/// `KEPT-1` (066.000) acknowledged with observation 3302: its announcement id and task.
async fn one_task(store: &Store) -> (i64, OperatorTask) {
    let kept = account("KEPT-1", 1);
    let ids = announce(
        store,
        std::slice::from_ref(&kept),
        "t-kept",
        support::web::noon(),
    )
    .await;
    let ack = ack_with("ack-kept", &[(&kept, &[OBSERVATION_ACCOUNT_ALREADY_KEPT])]);
    let intake = take_in_from(store, Environment::Prod, 1, &ack, support::web::noon()).await;
    assert_eq!(intake.tasks, 1);
    let tasks = open_tasks(store, &[FUND]).await;
    assert_eq!(tasks.len(), 1);
    (ids[0], tasks[0].clone())
}

async fn text(response: reqwest::Response) -> (u16, String) {
    (response.status().as_u16(), response.text().await.unwrap())
}

// ---------------------------------------------------------------------------------------------

/// Each observation makes one task for its announcement; another observation, an unmatched
/// entry and a repeated intake make none.
async fn each_observation_makes_one_task_once(db: TestDb) {
    let store = &db.store;
    let at = support::web::noon();
    let kept = account("KEPT-1", 1);
    let rci = account("RCI-1", 2);
    let plain = account("PLAIN-1", 3);
    let ids = announce(
        store,
        &[kept.clone(), rci.clone(), plain.clone()],
        "t-1",
        at,
    )
    .await;
    let ghost = account("GHOST-1", 4);
    let ack = ack_with(
        "ack-1",
        &[
            (&kept, &[OBSERVATION_ACCOUNT_ALREADY_KEPT]),
            // Twice in one entry, beside a code of no task: still one task.
            (
                &rci,
                &[
                    112,
                    OBSERVATION_RCI_OR_SPLITTING_DONE,
                    OBSERVATION_RCI_OR_SPLITTING_DONE,
                ],
            ),
            (&plain, &[112]),
            // Matches no announcement: listed as unmatched, no task.
            (&ghost, &[OBSERVATION_ACCOUNT_ALREADY_KEPT]),
        ],
    );
    let intake = take_in_from(store, Environment::Prod, 1, &ack, at).await;
    assert_eq!((intake.new, intake.matched, intake.tasks), (true, 3, 2));
    let tasks = open_tasks(store, &[FUND]).await;
    let found: Vec<(i64, TaskKind, TaskState)> = tasks
        .iter()
        .map(|t| (t.announcement_id, t.kind, t.state))
        .collect();
    assert_eq!(
        found,
        [
            (ids[0], TaskKind::AccountAlreadyKept, TaskState::Open),
            (ids[1], TaskKind::RciOrSplittingDone, TaskState::Open),
        ]
    );
    assert_eq!(tasks[0].acknowledgement_message_id, "ack-1");
    assert_eq!(tasks[0].reference.as_str(), "KEPT-1");
    assert!(tasks[0].closed.is_none());
    assert!(store.operator_tasks_of(ids[2]).await.unwrap().is_empty());

    // The same acknowledgement again (the feed repeats it, or it comes over sedex too).
    let again = take_in_from(store, Environment::Prod, 2, &ack, at).await;
    assert_eq!((again.new, again.tasks), (false, 0));
    let delivered = store
        .take_in_acknowledgement_message(
            Environment::Prod,
            &ack,
            support::flow::SHA,
            &support::flow::note(at, "sedex"),
        )
        .await
        .unwrap();
    assert_eq!((delivered.new, delivered.tasks), (false, 0));
    assert_eq!(open_tasks(store, &[FUND]).await, tasks);
    // And the table itself refuses a second task of the same announcement, kind and
    // acknowledgement (two instances taking the same message in at once).
    assert!(
        execute(
            store,
            "INSERT INTO operator_tasks (announcement_id, kind, acknowledgement_id, entry_id, \
             created_at) SELECT announcement_id, kind, acknowledgement_id, entry_id, created_at \
             FROM operator_tasks",
        )
        .await
        .is_err()
    );
    assert_eq!(store.operator_tasks_of(ids[0]).await.unwrap().len(), 1);
}

/// The page lists the task with what to do; a note is required; closing is audited with the
/// actor and the note (masked), takes the task off the open list and shows on the
/// announcement's page; a second close changes nothing.
async fn closing_needs_a_note_and_is_audited(db: TestDb) {
    let web = start(db.store.clone()).await;
    let clerk = web.person("mrossi", Role::Clerk, &[FUND]).await;
    let (announcement, task) = one_task(&web.store).await;

    let (status, page) = text(web.get("/tasks", &clerk).await).await;
    assert_eq!(status, 200);
    assert!(page.contains("N. 3302"), "{page}");
    assert!(
        page.contains("request the opening of the CI again"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/announcements/{announcement}\"")));
    assert!(page.contains(&format!("action=\"/tasks/{}/close\"", task.id)));
    let (_, overview) = text(web.get("/", &clerk).await).await;
    assert!(overview.contains("id=\"tasks-count\">1<"), "{overview}");
    assert!(overview.contains("href=\"/tasks\""));
    let (status, csv) = text(web.get("/exports/tasks.csv", &clerk).await).await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("KEPT-1") && csv.contains("N. 3302"), "{csv}");

    let close = format!("/tasks/{}/close", task.id);
    for note in ["", "  \n  "] {
        let (status, body) = text(web.post_form(&close, &clerk, &[("note", note)]).await).await;
        assert_eq!(status, 400, "{note:?}");
        assert!(body.contains("note: required"), "{body}");
    }
    assert_eq!(open_tasks(&web.store, &[FUND]).await.len(), 1);

    let response = web
        .post_form(
            &close,
            &clerk,
            &[(
                "note",
                "Compared with our CI 756.1234.5678.97: the same CI, nothing to do.",
            )],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/tasks");
    assert!(open_tasks(&web.store, &[FUND]).await.is_empty());
    let (_, page) = text(web.get("/tasks", &clerk).await).await;
    assert!(!page.contains(&format!("task-{}", task.id)), "{page}");
    let (_, overview) = text(web.get("/", &clerk).await).await;
    assert!(overview.contains("id=\"tasks-count\">0<"));

    let closed = web.store.operator_tasks_of(announcement).await.unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].state, TaskState::Closed);
    let closing = closed[0].closed.clone().unwrap();
    assert_eq!(closing.by, "user:mrossi");
    assert_eq!(closing.at, web.clock_now());
    assert_eq!(
        closing.note,
        "Compared with our CI 756.****.****.**: the same CI, nothing to do."
    );
    let events = audits(&web.store, "operator_task.close", AuditOutcome::Success).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, "user:mrossi");
    assert_eq!(
        events[0].target.as_deref(),
        Some(format!("operator_task:{}", task.id).as_str())
    );
    assert_eq!(events[0].details["note"], closing.note.as_str());
    assert_eq!(events[0].details["kind"], "n3302_account_already_kept");

    let (status, body) = text(web.post_form(&close, &clerk, &[("note", "again")]).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("closed already by user:mrossi"), "{body}");
    assert_eq!(
        audits(&web.store, "operator_task.close", AuditOutcome::Success)
            .await
            .len(),
        1
    );
    let (_, page) = text(
        web.get(&format!("/announcements/{announcement}"), &clerk)
            .await,
    )
    .await;
    assert!(page.contains("Closed by user:mrossi"), "{page}");
    assert!(page.contains("N. 3302"));
}

/// A viewer of another fund does not see the task (page, CSV, overview count) and cannot close
/// it: the attempt is answered as if it did not exist, and audited.
async fn another_fund_neither_sees_nor_closes(db: TestDb) {
    let web = start(db.store.clone()).await;
    let (_, task) = one_task(&web.store).await;
    // A task of the other fund, for contrast.
    let theirs = opening(OTHER, "THEIRS-1", 9);
    announce(
        &web.store,
        std::slice::from_ref(&theirs),
        "t-theirs",
        support::web::noon(),
    )
    .await;
    let ack = ack_with(
        "ack-theirs",
        &[(&theirs, &[OBSERVATION_RCI_OR_SPLITTING_DONE])],
    );
    take_in_from(&web.store, Environment::Prod, 2, &ack, support::web::noon()).await;
    let other = web.person("bverdi", Role::Responsible, &[OTHER]).await;

    let (status, page) = text(web.get("/tasks", &other).await).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("THEIRS-1") && !page.contains("KEPT-1"),
        "{page}"
    );
    let (_, csv) = text(web.get("/exports/tasks.csv", &other).await).await;
    assert!(csv.contains("THEIRS-1") && !csv.contains("KEPT-1"), "{csv}");
    let (status, _) = text(web.get(&format!("/tasks?fund={FUND}"), &other).await).await;
    assert_eq!(status, 400);

    let (status, _) = text(
        web.post_form(
            &format!("/tasks/{}/close", task.id),
            &other,
            &[("note", "not ours, closing anyway")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(open_tasks(&web.store, &[FUND]).await, vec![task.clone()]);
    let denied = audits(&web.store, "operator_task.close", AuditOutcome::Denied).await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].actor, "user:bverdi");
    assert!(
        audits(&web.store, "operator_task.close", AuditOutcome::Success)
            .await
            .is_empty()
    );
}

/// Hostile close forms are refused with the field and the rule, and change nothing: a note too
/// long or with control characters, a body over the form limit, no or a wrong anti-CSRF token,
/// an id that is no number or no task.
async fn hostile_close_forms_are_refused(db: TestDb) {
    let web = start(db.store.clone()).await;
    let clerk = web.person("mrossi", Role::Clerk, &[FUND]).await;
    let (_, task) = one_task(&web.store).await;
    let close = format!("/tasks/{}/close", task.id);

    let long = "x".repeat(1001);
    let (status, body) = text(web.post_form(&close, &clerk, &[("note", &long)]).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("at most 1000 characters"), "{body}");
    let (status, body) = text(
        web.post_form(&close, &clerk, &[("note", "ok\u{0}no")])
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("control character"), "{body}");

    let without_token = web
        .client
        .post(web.url(&close))
        .header("cookie", format!("arcgw_session={}", clerk.session))
        .header("content-type", support::web::FORM)
        .body(support::web::form(&[("note", "closing without a token")]))
        .send()
        .await
        .unwrap();
    assert_eq!(without_token.status().as_u16(), 403);
    let forged = SignedIn {
        csrf: "forged".into(),
        ..clerk.clone()
    };
    let status = web
        .post_form(&close, &forged, &[("note", "a forged token")])
        .await
        .status()
        .as_u16();
    assert_eq!(status, 403);

    let (status, body) = text(
        web.post_form("/tasks/x1/close", &clerk, &[("note", "n")])
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("id: expected an operator task"), "{body}");
    let status = web
        .post_form("/tasks/999999/close", &clerk, &[("note", "n")])
        .await
        .status()
        .as_u16();
    assert_eq!(status, 404);
    // Last of the requests: the server closes the connection after a 413 it answered before
    // reading the body, and the client's pool may hand that connection to a next request.
    let huge = "y".repeat(200 * 1024);
    let status = web
        .post_form(&close, &clerk, &[("note", &huge)])
        .await
        .status()
        .as_u16();
    assert_eq!(status, 413);

    assert_eq!(open_tasks(&web.store, &[FUND]).await, vec![task]);
    assert!(
        audits(&web.store, "operator_task.close", AuditOutcome::Success)
            .await
            .is_empty()
    );
    assert_eq!(
        audits(&web.store, "web.csrf", AuditOutcome::Denied)
            .await
            .len(),
        2
    );
}

/// The simulator's `account_already_kept` and `rci_already_done` outcomes, through the real
/// engine over mutual TLS: the announcements are dealt with and each gets its task.
async fn the_simulator_sends_both_observations(db: TestDb) {
    let clock = Arc::new(ManualClock::new(support::web::noon()));
    let SimulatedZas { engine, sim, .. } = simulated_zas(
        &db.store,
        &clock,
        vec![
            Rule::reference_prefix("KEPT-", Outcome::AccountAlreadyKept),
            Rule::reference_prefix("RCIDONE-", Outcome::RciAlreadyDone),
        ],
        3,
    )
    .await;
    let batch = [
        account("KEPT-1", 1),
        account("RCIDONE-1", 2),
        account("PLAIN-1", 3),
    ];
    let note = ChangeNote::new(clock.now(), "test:fund", "submitted");
    let ids: Vec<i64> = db
        .store
        .submit(&batch, &note)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    engine.build_all().await.unwrap();
    engine.send_due().await.unwrap();
    engine.take_in_acknowledgements().await.unwrap();
    let tasks = open_tasks(&db.store, &[FUND]).await;
    let found: Vec<(i64, TaskKind)> = tasks.iter().map(|t| (t.announcement_id, t.kind)).collect();
    assert_eq!(
        found,
        [
            (ids[0], TaskKind::AccountAlreadyKept),
            (ids[1], TaskKind::RciOrSplittingDone),
        ]
    );
    for id in &ids {
        let stored = db.store.announcement(*id).await.unwrap();
        assert_eq!(
            stored.announcement.state,
            arcgw::domain::AnnouncementState::Done
        );
    }
    // Reading the feed again makes nothing more.
    engine.take_in_acknowledgements().await.unwrap();
    assert_eq!(open_tasks(&db.store, &[FUND]).await, tasks);
    drop(sim);
}

on_both_backends!(
    each_observation_makes_one_task_once,
    closing_needs_a_note_and_is_audited,
    another_fund_neither_sees_nor_closes,
    hostile_close_forms_are_refused,
    the_simulator_sends_both_observations,
);
