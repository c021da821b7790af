//! `arcgw user …` as an operator runs it: the real binary on SQLite and (with
//! `ARCGW_TEST_PG_URL`) PostgreSQL. The first responsible account is made here.

mod support_db;
mod support_proc;

use arcgw::store::{AuditQuery, SignIn};
use support_db::{TestDb, on_both_backends};

fn user(db: &TestDb, dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = support_proc::command(&db.url(), dir)
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
    let (ok, out, err) = user(
        &db,
        dir,
        &[
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
        ],
    );
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

on_both_backends!(the_operator_manages_accounts_from_the_command_line);
