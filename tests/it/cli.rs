//! The command line as docs/api.md describes it: outputs and exit statuses, with bad input of
//! every kind answered by a clear message, never a panic.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const TODAY: &str = "2026-11-23";

fn arcgw(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arcgw"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("arcgw starts");
    let mut pipe = child.stdin.take().unwrap();
    // The command may stop reading early (oversize input); a broken pipe is expected then.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_status(out: &Output, status: i32) {
    assert_eq!(
        out.status.code(),
        Some(status),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn validate_the_examples() {
    let out = arcgw(
        &[
            "validate",
            "config/examples/announcements.json",
            "--today",
            TODAY,
        ],
        b"",
    );
    assert_status(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("12 announcements, valid, 0 errors, 3 warnings"),
        "{stdout}"
    );
    assert!(stdout.contains("warning #1 person.country"), "{stdout}");

    let out = arcgw(
        &["validate", "config/examples/invalid.json", "--today", TODAY],
        b"",
    );
    assert_status(&out, 1);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("error   #0 avs_number: check digit is 7, not 3 (N. 1202)"),
        "{stdout}"
    );
    assert!(stdout.contains("3 announcements, 3 invalid"), "{stdout}");
}

#[test]
fn validate_json_report() {
    let out = arcgw(
        &["validate", "-", "--format", "json", "--today", TODAY],
        br#"{"fund": "066.000", "reference": "A1", "key": 61, "avs_number": "756.1234.5678.93"}"#,
    );
    assert_status(&out, 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"valid": false, "warnings": [], "errors": [
            {"index": 0, "field": "avs_number", "rule": "N. 1202", "message": "check digit is 7, not 3"}]})
    );
}

#[test]
fn unreadable_input_exits_2() {
    let cases: [(&[u8], &str); 5] = [
        (b"{\"fund\": ", "not JSON"),
        (b"[1, 2", "not JSON"),
        (&[b'{', b'"', 0xC3, 0x28, b'"', b'}'], "not UTF-8"),
        (b"42", "holds no announcements"),
        (b"", "not JSON"),
    ];
    for (input, expected) in cases {
        let out = arcgw(&["validate", "-"], input);
        assert_status(&out, 2);
        assert!(
            text(&out.stderr).contains(expected),
            "{expected}: {}",
            text(&out.stderr)
        );
    }
    let out = arcgw(&["validate", "no/such/file.json"], b"");
    assert_status(&out, 2);
    assert!(text(&out.stderr).contains("no/such/file.json"));
}

#[test]
fn a_50_mb_input_is_refused_without_reading_it_all() {
    let big = vec![b' '; 50 * 1024 * 1024];
    let out = arcgw(&["validate", "-"], &big);
    assert_status(&out, 2);
    assert!(
        text(&out.stderr).contains("more than the limit"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn wrong_types_and_impossible_dates_are_findings() {
    let input = br#"[{"fund": "066.000", "reference": "A1", "key": "21",
        "person": {"surname": "Brunner", "sex": 1, "birth_date": "1963-02-30", "country": 100}},
        {"fund": "066.000", "reference": "A2", "key": 120, "avs_number": "756.1234.5678.97"}]"#;
    let out = arcgw(&["validate", "-", "--today", TODAY], input);
    assert_status(&out, 1);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("#0 key: expected a whole number, found a string (N. 3114)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("#0 person.birth_date: `1963-02-30` is not a calendar date"),
        "{stdout}"
    );
    assert!(
        stdout.contains("#1 key: 120 is not an ARC key code (annex 1)"),
        "{stdout}"
    );
}

#[test]
fn render_prints_one_transmission() {
    let out = arcgw(
        &[
            "render",
            "config/examples/announcements.json",
            "--today",
            TODAY,
            "--message-id",
            "demo-1",
        ],
        b"",
    );
    assert_status(&out, 0);
    let xml = text(&out.stdout);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<messageId>demo-1</messageId>"));
    assert!(xml.contains("<numberOfAnnouncements>12</numberOfAnnouncements>"));
    assert!(xml.contains("<testDeliveryFlag>true</testDeliveryFlag>"));
}

/// Key 94 only from the Swiss compensation fund (N. 2521), whose number the command is told.
#[test]
fn validate_key_94_with_the_swiss_fund() {
    let input =
        br#"{"fund": "025.000", "reference": "R-94", "key": 94, "avs_number": "756.1234.5678.97",
        "rci": {"domicile": {"code": 3}}}"#;
    let out = arcgw(&["validate", "-", "--today", TODAY], input);
    assert_status(&out, 1);
    assert!(
        text(&out.stdout).contains("swiss_compensation_fund"),
        "{}",
        text(&out.stdout)
    );
    let out = arcgw(
        &["validate", "-", "--today", TODAY, "--swiss-fund", "25"],
        input,
    );
    assert_status(&out, 0);
    let out = arcgw(
        &["validate", "-", "--today", TODAY, "--swiss-fund", "66"],
        input,
    );
    assert_status(&out, 1);
    assert!(
        text(&out.stdout).contains("(N. 2521)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn render_refuses_a_revocation_with_its_new_order() {
    let input = br#"[
        {"fund": "066.000", "reference": "R-99", "key": 99, "avs_number": "756.1234.5678.97", "rci": {"closing": "2026-10"}},
        {"fund": "066.000", "reference": "R-81", "key": 81, "avs_number": "756.1234.5678.97",
         "rci": {"beneficiary": "insured", "closing": "2026-12", "order_date": "2026-11-20", "domicile": {"code": 2}}}]"#;
    let out = arcgw(&["render", "-", "--today", TODAY], input);
    assert_status(&out, 1);
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("(N. 3102)"),
        "{}",
        text(&out.stderr)
    );
    // `validate` accepts them for the queue, with a warning.
    let out = arcgw(&["validate", "-", "--today", TODAY], input);
    assert_status(&out, 0);
    assert!(
        text(&out.stdout).contains("warning #1 key"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn avs_check() {
    let out = arcgw(&["avs", "check", "756.1234.5678.97"], b"");
    assert_status(&out, 0);
    assert_eq!(text(&out.stdout), "756.1234.5678.97: valid\n");
    let out = arcgw(&["avs", "check", "7561234567897"], b"");
    assert_status(&out, 0);
    let out = arcgw(&["avs", "check", "756.1234.5678.93"], b"");
    assert_status(&out, 1);
    assert_eq!(
        text(&out.stdout),
        "756.1234.5678.93: invalid: check digit is 7, not 3\n"
    );
    let out = arcgw(&["avs", "check", "hello"], b"");
    assert_status(&out, 1);
}

#[test]
fn workdays_add() {
    let out = arcgw(&["workdays", "add", "2026-12-22", "7"], b"");
    assert_status(&out, 0);
    assert_eq!(text(&out.stdout), "2027-01-05\n");
    let out = arcgw(&["workdays", "add", "2026-12-22", "7", "--explain"], b"");
    assert_status(&out, 0);
    assert!(
        text(&out.stdout).contains("Christmas"),
        "{}",
        text(&out.stdout)
    );
    let out = arcgw(&["workdays", "add", "1963-02-30", "7"], b"");
    assert_status(&out, 2);
    assert!(
        text(&out.stderr).contains("1963-02-30"),
        "{}",
        text(&out.stderr)
    );
    let out = arcgw(&["workdays", "add", "2026-12-22", "-3"], b"");
    assert_status(&out, 2);
}

/// The demo over HTTPS with `--serve`: the table, then the gateway keeps serving until
/// interrupted, with the client certificate's expiry on `/metrics` (the Prometheus rule in
/// `deploy/` reads it).
#[test]
fn the_demo_over_https_reaches_every_state() {
    use std::io::{BufRead, BufReader, Read};
    use std::sync::mpsc;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_arcgw"))
        .args(["demo", "--transport", "https", "--serve", "--data-dir"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("arcgw starts");
    let (lines, received) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = String::new();
    while !seen.contains("serving until Ctrl-C") {
        match received.recv_timeout(Duration::from_secs(240)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => {
                let _ = child.kill();
                let mut stderr = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
                panic!("the demo did not reach serving: {seen}\n{stderr}");
            }
        }
    }
    let base = seen
        .lines()
        .find_map(|l| l.strip_prefix("gateway"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|url| url.strip_prefix("http://"))
        .expect("the gateway's address is printed")
        .to_string();
    let metrics = http_get(&base, "/metrics");
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(
        metrics.contains("arcgw_client_certificate_expiry_seconds{environment=\"abn\"}"),
        "{metrics}"
    );
    assert_eq!(status.code(), Some(0), "{seen}");
    let stdout = seen;
    assert!(
        stdout.contains("22 of 22 announcements reached their expected state")
            && stdout.contains(
                "closing order   1: fund 066.000 transmits the CI (RCI key 81) to fund 001.000 by"
            ),
        "{stdout}"
    );
    for state in [
        "done",
        "in_progress",
        "rejected",
        "announced",
        "investigate",
    ] {
        assert!(stdout.contains(state), "{state}: {stdout}");
    }
}

/// The demo over sedex (the default): every outcome and fault reaches its state, and the
/// interface directory it leaves shows the folder contract: the outbox taken into
/// `processed/` pair by pair, receipts and inbox messages taken in (`arcgw/done`,
/// `arcgw/processed`), the
/// faulty inbox messages kept in `arcgw/rejected` with their reasons.
#[test]
fn the_demo_over_sedex_reaches_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = arcgw(&["demo", "--data-dir", data], b"");
    assert_status(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("30 of 30 announcements reached their expected state")
            && stdout.contains(
                "closing order   1: fund 066.000 transmits the CI (RCI key 81) to fund 001.000 by"
            ),
        "{stdout}"
    );
    for fault in ["sending, failed", "sending, overdue", "receipt 401"] {
        assert!(stdout.contains(fault), "{fault}: {stdout}");
    }
    let names = |folder: &str| -> Vec<String> {
        std::fs::read_dir(dir.path().join("sedex").join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    // The outbox may still hold a message handed over again (the "no receipt" fault) that the
    // client has not taken yet, but never an envelope without its payload.
    let outbox = names("outbox");
    for envelope in outbox.iter().filter(|n| n.starts_with("envl_")) {
        let id = envelope
            .trim_start_matches("envl_")
            .trim_end_matches(".xml");
        assert!(
            outbox.iter().any(|n| n.starts_with(&format!("data_{id}."))),
            "{outbox:?}"
        );
    }
    for (folder, prefix) in [
        ("processed", "envl_"),
        ("processed", "data_"),
        ("arcgw/processed", "envl_"),
        ("arcgw/rejected", ""),
    ] {
        assert!(
            names(folder).iter().any(|n| n.starts_with(prefix)),
            "{folder}: {:?}",
            names(folder)
        );
    }
    assert!(!names("arcgw/done").is_empty(), "receipts taken in");
    assert!(
        names("arcgw/rejected")
            .iter()
            .any(|n| n.ends_with(".reason.txt")),
        "{:?}",
        names("arcgw/rejected")
    );
}

/// A plain HTTP/1.0 GET on loopback: the body as text.
fn http_get(address: &str, path: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// The database holds AVS numbers: the directory and the SQLite file arcgw creates for it, and
/// SQLite's `-wal` and `-shm` files beside it, are readable by their owner only.
#[test]
fn a_database_arcgw_creates_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("new/data/arcgw.db");
    let out = Command::new(env!("CARGO_BIN_EXE_arcgw"))
        .args([
            "token",
            "create",
            "--fund",
            "066.000",
            "--operator",
            "test",
            "--config",
            "config/arcgw.toml",
        ])
        .env(
            "ARCGW_DATABASE_URL",
            format!("sqlite://{}", database.display()),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_status(&out, 0);
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(database.parent().unwrap()), 0o700);
    assert_eq!(mode(&database), 0o600);
    for side in ["arcgw.db-wal", "arcgw.db-shm"] {
        let path = database.with_file_name(side);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{side}");
        }
    }
}
