//! `arcgw user …` as an operator runs it: the real binary on SQLite and (with
//! `ARCGW_TEST_PG_URL`) PostgreSQL. The first responsible account is made here.

use arcgw::store::{AuditQuery, SignIn};

use crate::support;
use crate::support::db::{TestDb, on_both_backends};

/// `arcgw user create` of the first responsible account, Maria Rossi of 066.000.
const CREATE_MROSSI: [&str; 11] = [
    "create",
    "--login",
    "mrossi",
    "--surname",
    "Rossi",
    "--given-name",
    "Maria",
    "--email",
    "maria.rossi@cassa.example",
    "--fund",
    "066.000",
];

fn user(db: &TestDb, dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = support::proc::command(&db.url(), dir)
        .arg("user")
        .args(args)
        .env("USER", "ops")
        .env_remove("SUDO_USER")
        .output()
        .expect("arcgw user runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

async fn the_operator_manages_accounts_from_the_command_line(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (ok, out, err) = user(&db, dir, &CREATE_MROSSI);
    assert!(ok, "{err}");
    let temporary = out.trim().to_string();
    assert_eq!(
        temporary.len(),
        16,
        "the temporary password alone on stdout: {out:?}"
    );
    assert!(err.contains("responsible"), "{err}");
    let now = chrono::Utc::now();
    let SignIn::Granted(account) = db.store.sign_in("mrossi", &temporary, now).await.unwrap()
    else {
        panic!("the temporary password opens the account");
    };
    assert!(account.must_change_password);
    // The same login twice is refused with its reason.
    let (ok, _, err) = user(
        &db,
        dir,
        &[
            "create",
            "--login",
            "mrossi",
            "--surname",
            "R",
            "--given-name",
            "M",
            "--email",
            "m@c.ch",
            "--fund",
            "066.000",
        ],
    );
    assert!(!ok);
    assert!(err.contains("the login mrossi is taken"), "{err}");
    let (ok, _, err) = user(
        &db,
        dir,
        &[
            "create",
            "--login",
            "Bad Login",
            "--surname",
            "R",
            "--given-name",
            "M",
            "--email",
            "m@c.ch",
            "--fund",
            "066.000",
        ],
    );
    assert!(!ok && err.contains("login: 2 to 64 characters"), "{err}");

    let (ok, out, _) = user(&db, dir, &["block", "mrossi"]);
    assert!(ok && out.contains("blocked"), "{out}");
    let (ok, out, _) = user(&db, dir, &["unblock", "mrossi"]);
    assert!(ok && out.contains("active"), "{out}");
    let (ok, out, _) = user(&db, dir, &["list", "--csv"]);
    assert!(ok && out.contains(",mrossi,Rossi,Maria,"), "{out}");
    let (ok, reset, _) = user(&db, dir, &["reset-password", "mrossi"]);
    assert!(ok);
    assert_ne!(reset.trim(), temporary);
    let (ok, _, _) = user(&db, dir, &["compromised", "mrossi"]);
    assert!(ok);
    let (ok, _, err) = user(&db, dir, &["remove", "mrossi"]);
    assert!(!ok && err.contains("confirm"), "{err}");
    let (ok, _, _) = user(&db, dir, &["remove", "mrossi", "--yes"]);
    assert!(ok);
    let (ok, out, _) = user(&db, dir, &["list"]);
    assert!(ok && out.trim().is_empty(), "{out}");
    let (ok, _, err) = user(&db, dir, &["block", "mrossi"]);
    assert!(
        !ok && err.contains("no account with the login mrossi"),
        "{err}"
    );

    let events = db
        .store
        .query_audit(&AuditQuery {
            actor: Some("operator:ops@cli".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = events
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    let actions: Vec<&str> = actions
        .iter()
        .map(|(action, outcome)| {
            if *outcome == "success" {
                *action
            } else {
                "refused"
            }
        })
        .collect();
    assert_eq!(
        actions,
        [
            "account.create",
            "refused",
            "account.block",
            "account.unblock",
            "account.export",
            "account.reset_password",
            "account.compromised",
            "account.remove"
        ]
    );
}

/// Annex 2.5, every change attributed to a person: without `USER`, `SUDO_USER` (and the others) a
/// changing command is refused before it changes anything; `--operator NAME` names the operator in
/// the audit.
async fn the_operator_must_be_known(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let create = |operator: Option<&str>| {
        let mut c = support::proc::command(&db.url(), dir.path());
        for name in ["USER", "SUDO_USER", "LOGNAME", "ARCGW_OPERATOR"] {
            c.env_remove(name);
        }
        if let Some(name) = operator {
            c.args(["--operator", name]);
        }
        c.arg("user")
            .args(CREATE_MROSSI)
            .output()
            .expect("arcgw user runs")
    };
    let refused = create(None);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--operator NAME"), "{err}");
    assert_eq!(
        support::db::count(&db.store, "SELECT COUNT(*) AS n FROM accounts").await,
        0,
        "nothing changed"
    );
    let made = create(Some("mbianchi"));
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let events = db
        .store
        .query_audit(&AuditQuery {
            action: Some("account.create".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, "operator:mbianchi@cli");
    assert!(events.iter().all(|e| !e.actor.contains("unknown")));
}

on_both_backends!(
    the_operator_manages_accounts_from_the_command_line,
    the_operator_must_be_known,
);
