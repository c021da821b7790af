//! The store on both back ends: every test runs on SQLite, and on PostgreSQL when
//! `ARCGW_TEST_PG_URL` is set (see `support::db`).

use std::collections::{BTreeMap, BTreeSet};

use arcgw::domain::{Announcement, AnnouncementState, AvsNumber, Reference};
use arcgw::store::{
    AuditOutcome, AuditQuery, Authentication, Backend, ChangeNote, Denial, ListFilter,
    NewAuditEvent, Readiness, Store, StoreError,
};
use chrono::TimeDelta;
use serde_json::json;
use sqlx::Row;

use crate::support;
use crate::support::db::{TestDb, avs, columns, count, occurrences};
use crate::support::flow::fund;
use crate::support::store_data::{
    account, certificate, collection, note, one_of_each, order, splitting, t,
};

use AnnouncementState::*;

// ---------------------------------------------------------------------------------------------
// Submission

async fn submit_one_and_read_it_back(db: TestDb) {
    let a = collection("R-1", avs(1), None);
    let submitted = db
        .store
        .submit(std::slice::from_ref(&a), &note(0, "submitted"))
        .await
        .unwrap();
    assert_eq!(submitted.len(), 1);
    assert!(submitted[0].created);
    let detail = db.store.announcement(submitted[0].id).await.unwrap();
    assert_eq!(detail.announcement.announcement, a);
    assert_eq!(detail.announcement.state, Queued);
    assert_eq!(detail.announcement.submitted_at, t(0));
    assert_eq!(detail.announcement.state_since, t(0));
    assert_eq!(detail.announcement.transmission_id, None);
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.history[0].state, Queued);
    assert_eq!(detail.history[0].previous, None);
    assert_eq!(detail.history[0].cause, "submitted");
    assert_eq!(detail.history[0].actor, "test:runner");
}

async fn submit_many_of_every_kind(db: TestDb) {
    let all = one_of_each();
    let submitted = db.store.submit(&all, &note(0, "submitted")).await.unwrap();
    assert_eq!(submitted.len(), all.len());
    let ids: BTreeSet<i64> = submitted.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), all.len(), "distinct ids");
    for (s, a) in submitted.iter().zip(&all) {
        assert!(s.created);
        assert_eq!(
            &db.store
                .announcement(s.id)
                .await
                .unwrap()
                .announcement
                .announcement,
            a
        );
    }
    // A certificate without an AVS number refers to no person.
    let c = db
        .store
        .submit(&[certificate("C-2", None)], &note(1, "submitted"))
        .await
        .unwrap();
    let back = db.store.announcement(c[0].id).await.unwrap();
    assert_eq!(back.announcement.announcement.avs_number(), None);
    assert_eq!(
        count(
            &db.store,
            "SELECT COUNT(*) FROM announcements WHERE person_id IS NULL"
        )
        .await,
        1
    );
}

async fn submission_is_all_or_nothing(db: TestDb) {
    let first = db
        .store
        .submit(&[account("066.000", "K-1", avs(1))], &note(0, "s"))
        .await
        .unwrap();
    let persons_before = count(&db.store, "SELECT COUNT(*) FROM persons").await;
    let batch = [
        account("066.000", "K-2", avs(2)),
        order("K-3", 97, avs(3)),
        account("066.000", "K-1", avs(9)), // same fund and reference as `first`, other person
        order("K-4", 97, avs(4)),
    ];
    let err = db.store.submit(&batch, &note(1, "s")).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { index: 2, existing_id } if existing_id == first[0].id),
        "{err:?}"
    );
    assert_eq!(
        count(&db.store, "SELECT COUNT(*) FROM announcements").await,
        1
    );
    assert_eq!(
        count(&db.store, "SELECT COUNT(*) FROM announcement_history").await,
        1
    );
    assert_eq!(
        count(&db.store, "SELECT COUNT(*) FROM persons").await,
        persons_before
    );
}

async fn resubmission_with_same_content_returns_the_stored_ids(db: TestDb) {
    let all = one_of_each();
    let first = db.store.submit(&all, &note(0, "s")).await.unwrap();
    let tables = ["announcements", "announcement_history", "persons"];
    let before = [
        count(&db.store, "SELECT COUNT(*) FROM announcements").await,
        count(&db.store, "SELECT COUNT(*) FROM announcement_history").await,
        count(&db.store, "SELECT COUNT(*) FROM persons").await,
    ];
    let again = db.store.submit(&all, &note(5, "s")).await.unwrap();
    assert_eq!(
        again.iter().map(|s| s.id).collect::<Vec<_>>(),
        first.iter().map(|s| s.id).collect::<Vec<_>>()
    );
    assert!(again.iter().all(|s| !s.created));
    let after = [
        count(&db.store, "SELECT COUNT(*) FROM announcements").await,
        count(&db.store, "SELECT COUNT(*) FROM announcement_history").await,
        count(&db.store, "SELECT COUNT(*) FROM persons").await,
    ];
    assert_eq!(before, after, "{tables:?}");
    // A mix of stored and new announcements stores only the new ones.
    let mixed = [all[0].clone(), order("O-2", 97, avs(7))];
    let m = db.store.submit(&mixed, &note(6, "s")).await.unwrap();
    assert_eq!((m[0].id, m[0].created), (first[0].id, false));
    assert!(m[1].created);
}

async fn resubmission_with_other_content_is_a_conflict(db: TestDb) {
    let stored = db
        .store
        .submit(&[collection("R-1", avs(1), None)], &note(0, "s"))
        .await
        .unwrap();
    // Same person, other beneficiary.
    let other = collection("R-1", avs(1), Some(avs(2)));
    let err = db.store.submit(&[other], &note(1, "s")).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { index: 0, existing_id } if existing_id == stored[0].id),
        "{err:?}"
    );
    assert!(err.to_string().contains("N. 3105, a rule of the system"));
    // The same reference in another fund is another announcement.
    let elsewhere = db
        .store
        .submit(&[account("067.000", "R-1", avs(1))], &note(2, "s"))
        .await
        .unwrap();
    assert!(elsewhere[0].created);
}

// ---------------------------------------------------------------------------------------------
// Data protection (security baseline, draft art. 3)

async fn the_avs_number_is_stored_once(db: TestDb) {
    let number = avs(1);
    db.store
        .submit(
            &[
                account("066.000", "A-1", number),
                order("O-1", 97, number),
                collection("R-1", avs(2), Some(number)),
                splitting("S-1", 95, avs(3), number),
            ],
            &note(0, "s"),
        )
        .await
        .unwrap();
    db.store
        .submit(&[order("O-2", 97, number)], &note(1, "s"))
        .await
        .unwrap();
    let digits = number.digits();
    let once = occurrences(&db.store, "persons", "avs_number", &digits).await;
    assert_eq!(once, 1);
    assert_eq!(count(&db.store, "SELECT COUNT(*) FROM persons").await, 3);
}

async fn no_avs_number_anywhere_else(db: TestDb) {
    let all = one_of_each();
    let ids: Vec<i64> = db
        .store
        .submit(&all, &note(0, "s"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    db.store.claim_queued(2, &note(1, "claimed")).await.unwrap();
    db.store
        .withdraw(ids[4], &note(2, "withdrawn by the fund"))
        .await
        .unwrap();
    db.store
        .create_token("fund 066", &[fund("066.000")], t(3))
        .await
        .unwrap();
    db.store
        .append_audit(&NewAuditEvent {
            at: t(4),
            actor: "token:0123".into(),
            action: "announcement.submit".into(),
            target: Some(format!("person {}", avs(1))),
            outcome: AuditOutcome::Success,
            remote_addr: Some("127.0.0.1".into()),
            details: json!({"avs_number": avs(2).to_string(), "raw": avs(3).digits(),
                            "n": avs(4).value(), "note": format!("spouse {}", avs(5))}),
            funds: Vec::new(),
        })
        .await
        .unwrap();
    let numbers: Vec<AvsNumber> = (1..=5).map(avs).collect();
    let mut found = BTreeMap::new();
    for (table, column) in columns(&db.store).await {
        for number in &numbers {
            for form in [number.digits(), number.to_string()] {
                let n = occurrences(&db.store, &table, &column, &form).await;
                if n > 0 {
                    *found.entry((table.clone(), column.clone())).or_insert(0) += n;
                }
            }
        }
    }
    assert_eq!(
        found,
        BTreeMap::from([(("persons".to_string(), "avs_number".to_string()), 5)]),
        "AVS numbers only in persons.avs_number, each once"
    );
}

async fn a_reference_like_an_avs_number_is_refused(db: TestDb) {
    // A reference cannot hold an AVS number at all: the domain type refuses it, so the store
    // never sees one (security baseline, draft art. 3).
    assert!(Reference::new(&avs(7).to_string()).is_err());
    assert!(Reference::new(&format!("K-{}", avs(7).digits())).is_err());
    // Free text is masked instead.
    let id = db
        .store
        .submit(&[order("O-2", 97, avs(3))], &note(1, "s"))
        .await
        .unwrap()[0]
        .id;
    let cause = format!("asked by {}", avs(3));
    db.store.withdraw(id, &note(2, &cause)).await.unwrap();
    let history = db.store.history(id).await.unwrap();
    assert_eq!(history[1].cause, "asked by 756.****.****.**");
}

// ---------------------------------------------------------------------------------------------
// Reading

async fn read_with_history(db: TestDb) {
    let id = db
        .store
        .submit(&[order("O-1", 97, avs(1))], &note(0, "submitted"))
        .await
        .unwrap()[0]
        .id;
    db.store
        .claim_queued(10, &note(1, "claimed for transmission"))
        .await
        .unwrap();
    db.store
        .change_state(id, Announced, &note(2, "transmission sent"))
        .await
        .unwrap();
    db.store
        .change_state(id, InProgress, &note(3, "acknowledgement 1"))
        .await
        .unwrap();
    let detail = db.store.announcement(id).await.unwrap();
    assert_eq!(detail.announcement.state, InProgress);
    assert_eq!(detail.announcement.state_since, t(3));
    assert_eq!(detail.announcement.submitted_at, t(0));
    let steps: Vec<_> = detail
        .history
        .iter()
        .map(|h| (h.previous, h.state, h.at, h.cause.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (None, Queued, t(0), "submitted"),
            (Some(Queued), Sending, t(1), "claimed for transmission"),
            (Some(Sending), Announced, t(2), "transmission sent"),
            (Some(Announced), InProgress, t(3), "acknowledgement 1"),
        ]
    );
    assert_eq!(db.store.history(id).await.unwrap(), detail.history);
    assert!(matches!(
        db.store.announcement(id + 1000).await,
        Err(StoreError::NotFound {
            what: "announcement",
            ..
        })
    ));
}

async fn list_filters_and_paging(db: TestDb) {
    let mut batch = Vec::new();
    for i in 0..9u64 {
        let f = ["066.000", "066.001", "067.000"][(i % 3) as usize];
        batch.push(account(f, &format!("L-{i}"), avs(100 + i)));
    }
    let ids: Vec<i64> = db
        .store
        .submit(&batch, &note(0, "s"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    // The first two are claimed, the third withdrawn.
    db.store.claim_queued(2, &note(1, "c")).await.unwrap();
    db.store.withdraw(ids[2], &note(2, "w")).await.unwrap();

    let all = db
        .store
        .list_announcements(&ListFilter::default())
        .await
        .unwrap();
    assert_eq!(all.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids);
    assert_eq!(all.next_after, None);

    let by_fund = ListFilter {
        funds: Some(vec![fund("066.001"), fund("067.000")]),
        ..ListFilter::default()
    };
    let page = db.store.list_announcements(&by_fund).await.unwrap();
    assert_eq!(page.items.len(), 6);
    assert!(page.items.iter().all(|a| a.fund != fund("066.000")));

    let queued = ListFilter {
        state: Some(Queued),
        ..ListFilter::default()
    };
    let page = db.store.list_announcements(&queued).await.unwrap();
    assert_eq!(
        page.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        ids[3..]
    );

    let both = ListFilter {
        funds: Some(vec![fund("066.000")]),
        state: Some(Sending),
        ..ListFilter::default()
    };
    let page = db.store.list_announcements(&both).await.unwrap();
    assert_eq!(
        page.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        [ids[0]]
    );
    assert_eq!(page.items[0].reference.as_str(), "L-0");
    assert_eq!(page.items[0].key.code(), 61);

    // Pages of two, following the cursor.
    let mut seen = Vec::new();
    let mut filter = ListFilter {
        limit: 2,
        ..ListFilter::default()
    };
    let mut pages = 0;
    loop {
        let page = db.store.list_announcements(&filter).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|a| a.id));
        match page.next_after {
            Some(after) => filter.after_id = Some(after),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    assert_eq!(pages, 5);

    let none = ListFilter {
        funds: Some(Vec::new()),
        ..ListFilter::default()
    };
    assert!(
        db.store
            .list_announcements(&none)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Withdrawal and changes of state

async fn withdraw_a_queued_announcement(db: TestDb) {
    let id = db
        .store
        .submit(&[order("O-1", 97, avs(1))], &note(0, "s"))
        .await
        .unwrap()[0]
        .id;
    let change = db
        .store
        .withdraw(id, &note(1, "withdrawn by the fund"))
        .await
        .unwrap();
    assert_eq!(
        (change.from, change.to, change.at),
        (Queued, Withdrawn, t(1))
    );
    let detail = db.store.announcement(id).await.unwrap();
    assert_eq!(detail.announcement.state, Withdrawn);
    assert_eq!(detail.history.len(), 2);
    // A withdrawn announcement is never claimed.
    assert!(
        db.store
            .claim_queued(10, &note(2, "c"))
            .await
            .unwrap()
            .is_empty()
    );
    // Withdrawing twice is refused.
    assert!(matches!(
        db.store.withdraw(id, &note(3, "again")).await,
        Err(StoreError::InvalidTransition {
            from: Withdrawn,
            to: Withdrawn,
            ..
        })
    ));
}

async fn withdraw_once_sending_is_refused(db: TestDb) {
    let id = db
        .store
        .submit(&[order("O-1", 97, avs(1))], &note(0, "s"))
        .await
        .unwrap()[0]
        .id;
    db.store.claim_queued(1, &note(1, "claimed")).await.unwrap();
    let err = db
        .store
        .withdraw(id, &note(2, "too late"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidTransition { id: i, from: Sending, to: Withdrawn } if i == id),
        "{err:?}"
    );
    let detail = db.store.announcement(id).await.unwrap();
    assert_eq!(detail.announcement.state, Sending);
    assert_eq!(detail.history.len(), 2, "the refusal leaves no history");
    assert!(matches!(
        db.store.withdraw(id + 1000, &note(3, "unknown")).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn invalid_transitions_are_refused(db: TestDb) {
    let id = db
        .store
        .submit(&[order("O-1", 97, avs(1))], &note(0, "s"))
        .await
        .unwrap()[0]
        .id;
    for to in [Announced, InProgress, Investigate, Done, Rejected, Queued] {
        let err = db
            .store
            .change_state(id, to, &note(1, "x"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidTransition { from: Queued, to: t, .. } if t == to),
            "{err:?}"
        );
    }
    // The whole way, with an abandoned send and a repeated "still being processed".
    let path = [
        Sending,
        Queued,
        Sending,
        Announced,
        InProgress,
        InProgress,
        Investigate,
        Done,
    ];
    for (i, to) in path.into_iter().enumerate() {
        db.store
            .change_state(id, to, &note(i as i64 + 2, "step"))
            .await
            .unwrap();
    }
    for to in AnnouncementState::ALL {
        assert!(matches!(
            db.store
                .change_state(id, to, &note(20, "after the end"))
                .await,
            Err(StoreError::InvalidTransition { from: Done, .. })
        ));
    }
    let detail = db.store.announcement(id).await.unwrap();
    assert_eq!(detail.announcement.state, Done);
    assert_eq!(detail.history.len(), 1 + path.len());
    assert!(matches!(
        db.store
            .change_state(id + 1000, Sending, &note(21, "x"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Claiming work

async fn claim_takes_the_oldest_and_returns_them_whole(db: TestDb) {
    let all = one_of_each();
    let ids: Vec<i64> = db
        .store
        .submit(&all, &note(0, "s"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert!(
        db.store
            .claim_queued(0, &note(1, "c"))
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = db.store.claim_queued(3, &note(1, "claimed")).await.unwrap();
    assert_eq!(claimed.iter().map(|a| a.id).collect::<Vec<_>>(), ids[..3]);
    for (c, a) in claimed.iter().zip(&all) {
        assert_eq!(&c.announcement, a);
        assert_eq!((c.state, c.state_since), (Sending, t(1)));
    }
    let rest = db
        .store
        .claim_queued(10, &note(2, "claimed"))
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|a| a.id).collect::<Vec<_>>(), ids[3..]);
    assert!(
        db.store
            .claim_queued(10, &note(3, "claimed"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn concurrent_claimers_never_share(db: TestDb) {
    const ANNOUNCEMENTS: u64 = 90;
    let batch: Vec<Announcement> = (0..ANNOUNCEMENTS)
        .map(|i| account("066.000", &format!("C-{i}"), avs(1000 + i)))
        .collect();
    let ids: BTreeSet<i64> = db
        .store
        .submit(&batch, &note(0, "s"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    // Two instances of the gateway: two pools on the same database, four claimers each.
    let instances = [db.store.clone(), db.another_store().await];
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = instances[worker % 2].clone();
        tasks.push(tokio::spawn(async move {
            let note = ChangeNote::new(t(1), format!("test:worker-{worker}"), "claimed");
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_queued(4, &note).await.unwrap();
                if claimed.is_empty() {
                    break;
                }
                mine.extend(claimed.iter().map(|a| a.id));
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        distinct.len(),
        "an announcement was claimed twice"
    );
    assert_eq!(distinct, ids, "every announcement was claimed");
    assert_eq!(
        count(
            &db.store,
            "SELECT COUNT(*) FROM announcement_history WHERE state = 'sending'"
        )
        .await,
        ANNOUNCEMENTS as i64
    );
    instances[1].close().await;
}

async fn withdrawal_racing_a_claim_has_one_winner(db: TestDb) {
    let batch: Vec<Announcement> = (0..40)
        .map(|i| account("066.000", &format!("W-{i}"), avs(2000 + i)))
        .collect();
    let ids: Vec<i64> = db
        .store
        .submit(&batch, &note(0, "s"))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let other = db.another_store().await;
    let claimer = tokio::spawn(async move {
        let mut claimed = BTreeSet::new();
        loop {
            let got = other.claim_queued(3, &note(1, "claimed")).await.unwrap();
            if got.is_empty() {
                break;
            }
            claimed.extend(got.iter().map(|a| a.id));
            tokio::task::yield_now().await;
        }
        other.close().await;
        claimed
    });
    let mut withdrawn = BTreeSet::new();
    for id in ids.iter().rev() {
        match db.store.withdraw(*id, &note(1, "withdrawn")).await {
            Ok(_) => {
                withdrawn.insert(*id);
            }
            Err(StoreError::InvalidTransition {
                from: Sending,
                to: Withdrawn,
                ..
            }) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    let claimed = claimer.await.unwrap();
    assert!(
        claimed.is_disjoint(&withdrawn),
        "withdrawn and claimed at once"
    );
    let union: Vec<i64> = claimed.union(&withdrawn).copied().collect();
    assert_eq!(union, ids);
    let counts = db.store.counts_by_state().await.unwrap();
    assert_eq!(counts[&Sending] as usize, claimed.len());
    assert_eq!(counts[&Withdrawn] as usize, withdrawn.len());
}

async fn concurrent_identical_submissions_store_once(db: TestDb) {
    let batch = one_of_each();
    let instances = [db.store.clone(), db.another_store().await];
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = instances[i % 2].clone();
        let batch = batch.clone();
        tasks.push(tokio::spawn(async move {
            let submitted = store.submit(&batch, &note(i as i64, "s")).await.unwrap();
            submitted.iter().map(|s| s.id).collect::<Vec<_>>()
        }));
    }
    let mut answers = BTreeSet::new();
    for task in tasks {
        answers.insert(task.await.unwrap());
    }
    assert_eq!(answers.len(), 1, "every submitter got the same ids");
    assert_eq!(
        count(&db.store, "SELECT COUNT(*) FROM announcements").await,
        batch.len() as i64
    );
    assert_eq!(count(&db.store, "SELECT COUNT(*) FROM persons").await, 5);
    instances[1].close().await;
}

// ---------------------------------------------------------------------------------------------
// API tokens

async fn tokens(db: TestDb) {
    let store = &db.store;
    assert!(matches!(
        store.create_token("nobody", &[], t(0)).await,
        Err(StoreError::TokenWithoutFund)
    ));
    let new = store
        .create_token(
            "fund 066",
            &[fund("066.001"), fund("066.000"), fund("066.000")],
            t(0),
        )
        .await
        .unwrap();
    let secret = new.secret.expose().to_string();
    assert!(secret.starts_with("arcgw_"), "{secret}");
    assert_eq!(secret.len(), "arcgw_".len() + 16 + 1 + 64);
    assert!(
        !format!("{new:?}").contains(&secret[23..]),
        "Debug hides the secret"
    );
    assert_eq!(new.token.funds, [fund("066.000"), fund("066.001")]);
    assert_eq!(new.token.created_at, t(0));

    match store.authenticate(&secret).await.unwrap() {
        Authentication::Granted(token) => {
            assert_eq!(token, new.token);
            assert!(token.may_act_for(fund("066.001")));
            assert!(!token.may_act_for(fund("067.000")));
        }
        denied => panic!("{denied:?}"),
    }
    let prefix = &new.token.prefix;
    let wrong = format!("arcgw_{prefix}_{}", "0".repeat(64));
    assert_eq!(
        store.authenticate(&wrong).await.unwrap(),
        Authentication::Denied(Denial::WrongSecret)
    );
    let unknown = format!("arcgw_{}_{}", "f".repeat(16), &secret[23..]);
    assert_eq!(
        store.authenticate(&unknown).await.unwrap(),
        Authentication::Denied(Denial::Unknown)
    );
    assert_eq!(
        store.authenticate("Bearer x").await.unwrap(),
        Authentication::Denied(Denial::Malformed)
    );

    // Only the hash of the secret is stored.
    let secret_part = &secret[23..];
    for (table, column) in columns(store).await {
        assert_eq!(
            occurrences(store, &table, &column, secret_part).await,
            0,
            "{table}.{column}"
        );
    }

    let other = store
        .create_token("fund 067", &[fund("067.000")], t(1))
        .await
        .unwrap();
    let revoked = store.revoke_token(new.token.id, t(2)).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(t(2)));
    assert_eq!(
        store
            .revoke_token(new.token.id, t(3))
            .await
            .unwrap()
            .revoked_at,
        Some(t(2))
    );
    assert_eq!(
        store.authenticate(&secret).await.unwrap(),
        Authentication::Denied(Denial::Revoked)
    );
    assert!(matches!(
        store.authenticate(other.secret.expose()).await.unwrap(),
        Authentication::Granted(_)
    ));
    let list = store.list_tokens().await.unwrap();
    assert_eq!(list, [revoked, other.token]);
    assert!(matches!(
        store.revoke_token(9999, t(4)).await,
        Err(StoreError::NotFound {
            what: "API token",
            id: 9999
        })
    ));
}

// ---------------------------------------------------------------------------------------------
// Audit log

fn event(minute: i64, actor: &str, action: &str, outcome: AuditOutcome) -> NewAuditEvent {
    NewAuditEvent {
        at: t(minute),
        actor: actor.into(),
        action: action.into(),
        target: Some(format!("announcement:{minute}")),
        outcome,
        remote_addr: Some("192.0.2.7".into()),
        details: json!({"minute": minute}),
        funds: Vec::new(),
    }
}

async fn audit_append_and_query(db: TestDb) {
    let store = &db.store;
    let mut ids = Vec::new();
    for (m, actor, action, outcome) in [
        (0, "token:a", "announcement.submit", AuditOutcome::Success),
        (1, "token:b", "announcement.submit", AuditOutcome::Denied),
        (2, "token:a", "announcement.withdraw", AuditOutcome::Failure),
        (3, "operator:eva", "token.create", AuditOutcome::Success),
        (4, "token:a", "announcement.submit", AuditOutcome::Success),
    ] {
        ids.push(
            store
                .append_audit(&event(m, actor, action, outcome))
                .await
                .unwrap(),
        );
    }
    let all = store.query_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).rev().collect::<Vec<_>>(),
        ids,
        "newest first"
    );
    assert_eq!(all[4].at, t(0));
    assert_eq!(all[4].details, json!({"minute": 0}));
    assert_eq!(all[4].remote_addr.as_deref(), Some("192.0.2.7"));

    let by_actor = AuditQuery {
        actor: Some("token:a".into()),
        ..AuditQuery::default()
    };
    assert_eq!(store.query_audit(&by_actor).await.unwrap().len(), 3);
    let submits_ok = AuditQuery {
        action: Some("announcement.submit".into()),
        outcome: Some(AuditOutcome::Success),
        ..AuditQuery::default()
    };
    let found = store.query_audit(&submits_ok).await.unwrap();
    assert_eq!(found.iter().map(|e| e.at).collect::<Vec<_>>(), [t(4), t(0)]);
    let window = AuditQuery {
        since: Some(t(1)),
        until: Some(t(3)),
        ..AuditQuery::default()
    };
    let found = store.query_audit(&window).await.unwrap();
    assert_eq!(found.iter().map(|e| e.at).collect::<Vec<_>>(), [t(2), t(1)]);
    let target = AuditQuery {
        target: Some("announcement:3".into()),
        ..AuditQuery::default()
    };
    assert_eq!(
        store.query_audit(&target).await.unwrap()[0].actor,
        "operator:eva"
    );
    let page = AuditQuery {
        limit: 2,
        before_id: Some(ids[3]),
        ..AuditQuery::default()
    };
    let found = store.query_audit(&page).await.unwrap();
    assert_eq!(
        found.iter().map(|e| e.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );

    // No AVS number goes in.
    let mut leaky = event(5, "token:a", "announcement.submit", AuditOutcome::Failure);
    leaky.target = Some(format!("person {}", avs(1)));
    leaky.details = json!({"input": {"avs_number": avs(1).to_string(), "n": avs(1).value()}});
    let id = store.append_audit(&leaky).await.unwrap();
    let back = store.query_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(back[0].id, id);
    assert_eq!(back[0].target.as_deref(), Some("person 756.****.****.**"));
    assert_eq!(
        back[0].details,
        json!({"input": {"avs_number": "756.****.****.**", "n": "756.****.****.**"}})
    );

    // Append-only.
    let refused = match store {
        Store::Sqlite(pool) => {
            sqlx::query("UPDATE audit_events SET actor = 'x'")
                .execute(pool)
                .await
                .is_err()
                && sqlx::query("DELETE FROM audit_events")
                    .execute(pool)
                    .await
                    .is_err()
        }
        Store::Postgres(pool) => {
            sqlx::query("UPDATE audit_events SET actor = 'x'")
                .execute(pool)
                .await
                .is_err()
                && sqlx::query("DELETE FROM audit_events")
                    .execute(pool)
                    .await
                    .is_err()
        }
    };
    assert!(refused, "audit events cannot be changed or deleted");
}

// ---------------------------------------------------------------------------------------------
// Metrics and readiness

async fn counts_by_state_and_oldest_queued(db: TestDb) {
    let store = &db.store;
    let counts = store.counts_by_state().await.unwrap();
    assert_eq!(counts.len(), AnnouncementState::ALL.len());
    assert!(counts.values().all(|n| *n == 0));
    assert_eq!(store.oldest_queued_age(t(0)).await.unwrap(), None);

    store
        .submit(
            &[order("O-1", 97, avs(1)), order("O-2", 97, avs(2))],
            &note(0, "s"),
        )
        .await
        .unwrap();
    store
        .submit(&[order("O-3", 97, avs(3))], &note(10, "s"))
        .await
        .unwrap();
    let w = store
        .submit(&[order("O-4", 97, avs(4))], &note(20, "s"))
        .await
        .unwrap()[0]
        .id;
    store.withdraw(w, &note(21, "w")).await.unwrap();
    store.claim_queued(1, &note(30, "c")).await.unwrap();

    let counts = store.counts_by_state().await.unwrap();
    assert_eq!(counts[&Queued], 2);
    assert_eq!(counts[&Sending], 1);
    assert_eq!(counts[&Withdrawn], 1);
    assert_eq!(counts[&Done], 0);
    // Only the states asked for, each present (zero included), duplicates once.
    let some = store
        .counts_in(&[Queued, Withdrawn, Done, Queued])
        .await
        .unwrap();
    assert_eq!(
        some.into_iter().collect::<Vec<_>>(),
        vec![(Queued, 2), (Done, 0), (Withdrawn, 1)]
    );
    assert!(store.counts_in(&[]).await.unwrap().is_empty());
    assert_eq!(
        store.counts_in(&AnnouncementState::ALL).await.unwrap(),
        counts
    );
    // O-1 was claimed; the oldest queued is O-2, submitted at minute 0.
    assert_eq!(
        store.oldest_queued_age(t(60)).await.unwrap(),
        Some(TimeDelta::minutes(60))
    );
    store.claim_queued(1, &note(61, "c")).await.unwrap();
    assert_eq!(
        store.oldest_queued_age(t(60)).await.unwrap(),
        Some(TimeDelta::minutes(50))
    );
}

async fn readiness(db: TestDb) {
    assert_eq!(db.store.readiness().await, Readiness::Ready);
    let empty = db.empty_store().await;
    // Every migration file of the back end is known (other branches add theirs).
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(
        empty.readiness().await,
        Readiness::MigrationsPending {
            applied: 0,
            known: files
        }
    );
    empty.migrate().await.unwrap();
    assert!(empty.readiness().await.is_ready());
    // Migrating again changes nothing.
    empty.migrate().await.unwrap();
    assert!(empty.readiness().await.is_ready());
    empty.close().await;
    assert_eq!(empty.readiness().await, Readiness::Unreachable);
}

async fn backend_is_the_one_asked_for(db: TestDb) {
    let expected = if matches!(db.store, Store::Sqlite(_)) {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    assert_eq!(db.backend(), expected);
    if expected == Backend::Sqlite {
        let Store::Sqlite(pool) = &db.store else {
            unreachable!()
        };
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(fk, 1);
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(sync, 2, "FULL");
    }
}

// ---------------------------------------------------------------------------------------------

/// The statements the engine runs for every batch read no whole table and read a batch's bound
/// rows once (a join that parsed them again for each announcement made the gateway 20 times
/// slower, unnoticed). Checked on a database the size of a few months of a fund's work (100 000
/// announcements, mostly done, with their persons, transmissions, acknowledgements and
/// history) with 10 000 queued, with and without the statistics a running PostgreSQL gathers.
async fn hot_statements_read_no_whole_table_and_bound_rows_once(db: TestDb) {
    a_busy_database(&db.store, false).await;
    let plans = db.store.hot_statement_plans().await.unwrap();
    assert!(plans.len() >= 10, "every hot statement is checked");
    let before = unhealthy(plans);
    db.store.refresh_statistics().await.unwrap();
    let after = unhealthy(db.store.hot_statement_plans().await.unwrap());
    assert!(
        before.is_empty() && after.is_empty(),
        "without statistics:\n{}\nwith statistics:\n{}",
        before.join("\n"),
        after.join("\n")
    );
}

/// The same on PostgreSQL with statistics gathered while the database was young (1 000 queued
/// announcements, none `sending` yet) and not since, as between two runs of autovacuum after a
/// burst: the claim's update once joined its picked rows by a hash join over every
/// announcement there.
async fn hot_statements_hold_with_stale_statistics(db: TestDb) {
    a_busy_database(&db.store, true).await;
    let plans = unhealthy(db.store.hot_statement_plans().await.unwrap());
    assert!(plans.is_empty(), "{}", plans.join("\n"));
}

/// 1 000 announcements submitted, 500 of them claimed, then [`seed_a_busy_database`]; with
/// `statistics_while_young`, PostgreSQL's statistics are gathered before the claim.
async fn a_busy_database(store: &Store, statistics_while_young: bool) {
    let queued: Vec<Announcement> = (0..1000)
        .map(|i| account("066.000", &format!("Q-{i}"), avs(200_000 + i)))
        .collect();
    store.submit(&queued, &note(0, "submitted")).await.unwrap();
    if statistics_while_young {
        store.refresh_statistics().await.unwrap();
    }
    store.claim_queued(500, &note(1, "claimed")).await.unwrap();
    seed_a_busy_database(store).await;
}

/// The plans with a problem, each with its problems and its plan.
fn unhealthy(plans: Vec<arcgw::store::StatementPlan>) -> Vec<String> {
    plans
        .into_iter()
        .filter(|p| !p.problems.is_empty())
        .map(|p| {
            format!(
                "{}: {:?}\n  {}",
                p.statement,
                p.problems,
                p.plan.join("\n  ")
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_hot_statements_hold_with_stale_statistics() {
    support::db::run(Backend::Postgres, hot_statements_hold_with_stale_statistics).await;
}

/// 100 000 persons and announcements (80 % done, the rest queued, announced or still being
/// processed) in 100 transmissions, an acknowledgement entry and a history row each, and a
/// reminder for one in fifty: written directly, in one statement a table.
async fn seed_a_busy_database(store: &Store) {
    for sql in [
        concat!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) ",
            "INSERT INTO transmissions (message_id, environment, state, created_at) \
             SELECT 'seed-' || CAST(i AS text), 'prod', 'sent', '2026-09-01T10:00:00+00:00' FROM n"
        ),
        concat!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) ",
            "INSERT INTO acknowledgements (message_id, received_at, environment, sequence, \
             acknowledgement_date) SELECT 'seed-ack-' || CAST(i AS text), \
             '2026-09-02T10:00:00+00:00', 'prod', i, '2026-09-02' FROM n"
        ),
    ] {
        support::db::execute(store, sql).await.unwrap();
    }
    for sql in [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO persons (avs_number, created_at) \
         SELECT CAST(7560000000000 + i AS text), '2026-09-01T10:00:00+00:00' FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO announcements (environment, fund, reference, key_code, person_id, \
         particulars, content_hash, state, state_since, submitted_at, transmission_id) \
         SELECT 'prod', '066.000', 'S-' || CAST(i AS text), 61, i, '{}', 'seed', \
         CASE WHEN i % 10 = 1 THEN 'announced' WHEN i % 10 = 2 THEN 'in_progress' \
         WHEN i % 10 = 3 THEN 'queued' ELSE 'done' END, '2026-09-03T10:00:00+00:00', '2026-09-01T10:00:00+00:00', \
         1 + i % 100 FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO acknowledgement_entries (acknowledgement_id, position, announcement_id, \
         fund, reference, key_code, person_id, processing_code, details) \
         SELECT 1 + i % 100, i, i, '066.000', 'S-' || CAST(i AS text), 61, i, \
         CASE WHEN i % 10 = 2 THEN 2 ELSE 1 END, '{}' FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO announcement_history (announcement_id, state, previous_state, at, cause, \
         actor) SELECT i, 'done', 'announced', '2026-09-03T10:00:00+00:00', 'seed', 'test' \
         FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO reminders (announcement_id, rule, raised_at, due_date) \
         SELECT i, 'not_mentioned', '2026-09-20T10:00:00+00:00', '2026-09-19' FROM n \
         WHERE i % 50 = 1",
        // The running deadlines of the pending ones not reminded.
        "INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, state_since) \
         SELECT a.id, a.state, '2026-09-03', a.fund, a.state_since FROM announcements a \
         WHERE a.state IN ('announced', 'in_progress') AND a.reference LIKE 'S-%' \
         AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.announcement_id = a.id)",
    ] {
        support::db::execute(store, sql).await.unwrap();
    }
}

/// A reference stored before AVS numbers written with other separators were refused at intake
/// is still read (nothing stored is lost); new ones are refused.
async fn a_reference_stored_under_earlier_rules_is_still_read(db: TestDb) {
    let a = collection("OLD-1", avs(1), None);
    let id = db.store.submit(&[a], &note(0, "submitted")).await.unwrap()[0].id;
    support::db::execute(
        &db.store,
        "UPDATE announcements SET reference = '756/1234/5678/97' WHERE reference = 'OLD-1'",
    )
    .await
    .unwrap();
    let read = db.store.announcement(id).await.unwrap();
    assert_eq!(
        read.announcement.announcement.reference().as_str(),
        "756/1234/5678/97"
    );
    assert!(Reference::new("756/1234/5678/97").is_err());
}

support::db::on_both_backends!(
    submit_one_and_read_it_back,
    submit_many_of_every_kind,
    submission_is_all_or_nothing,
    resubmission_with_same_content_returns_the_stored_ids,
    resubmission_with_other_content_is_a_conflict,
    the_avs_number_is_stored_once,
    no_avs_number_anywhere_else,
    a_reference_like_an_avs_number_is_refused,
    read_with_history,
    list_filters_and_paging,
    withdraw_a_queued_announcement,
    withdraw_once_sending_is_refused,
    invalid_transitions_are_refused,
    claim_takes_the_oldest_and_returns_them_whole,
    concurrent_claimers_never_share,
    withdrawal_racing_a_claim_has_one_winner,
    concurrent_identical_submissions_store_once,
    tokens,
    audit_append_and_query,
    counts_by_state_and_oldest_queued,
    readiness,
    backend_is_the_one_asked_for,
    hot_statements_read_no_whole_table_and_bound_rows_once,
    a_reference_stored_under_earlier_rules_is_still_read,
);

/// The gateway's PostgreSQL connections send each message at once (`TCP_NODELAY`). Without it
/// a statement whose bound batch filled more than a segment waited for the server's delayed
/// acknowledgement, about 40 ms a statement: sqlx 0.9.0 had stopped setting it (sqlx issue
/// 4335), 0.9.1 sets it again. Read from the socket itself, found by the connection's port.
async fn connections_send_without_delay(db: TestDb) {
    let Store::Postgres(pool) = &db.store else {
        panic!("a PostgreSQL store")
    };
    let mut conn = pool.acquire().await.unwrap();
    let port: i32 = sqlx::query("SELECT inet_client_port()")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    let fd = socket_of_local_port(u16::try_from(port).unwrap())
        .expect("the connection's socket among this process's descriptors");
    // SAFETY: the descriptor belongs to the connection held above, which outlives `stream`;
    // `ManuallyDrop` keeps it from being closed here.
    let stream = std::mem::ManuallyDrop::new(unsafe {
        <std::net::TcpStream as std::os::fd::FromRawFd>::from_raw_fd(fd)
    });
    assert!(
        stream.nodelay().unwrap(),
        "TCP_NODELAY on the connection to PostgreSQL"
    );
    drop(conn);
}

/// This process's descriptor of the TCP socket with local port `port` (Linux `/proc`).
fn socket_of_local_port(port: u16) -> Option<std::os::fd::RawFd> {
    let inodes: BTreeSet<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|text| {
            text.lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let local = fields.get(1)?;
                    let local_port = u16::from_str_radix(local.rsplit(':').next()?, 16).ok()?;
                    (local_port == port).then(|| fields.get(9).map(|i| i.to_string()))?
                })
                .collect::<Vec<_>>()
        })
        .collect();
    std::fs::read_dir("/proc/self/fd")
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let target = std::fs::read_link(entry.path()).ok()?;
            let inode = target
                .to_str()?
                .strip_prefix("socket:[")?
                .strip_suffix(']')?;
            if inodes.contains(inode) {
                entry.file_name().to_str()?.parse().ok()
            } else {
                None
            }
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_send_without_delay() {
    support::db::run(Backend::Postgres, connections_send_without_delay).await;
}
