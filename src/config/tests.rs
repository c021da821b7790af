use super::*;

fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    f
}

#[test]
fn defaults() {
    let c = Config::default();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url, "sqlite://data/arcgw.db");
    assert_eq!(c.sqlite_path().unwrap(), PathBuf::from("data/arcgw.db"));
    assert_eq!(c.http.max_body_bytes, 16 * 1024 * 1024);
}

#[test]
fn file_and_environment() {
    let f = file("listen = \"0.0.0.0:9000\"\n[http]\nrate_limit_per_minute = 5\n");
    let c = Config::load(
        Some(f.path()),
        vars(&[
            ("ARCGW_DATABASE_URL", "postgres://x@h/db"),
            ("ARCGW_HTTP_MAX_BODY_BYTES", "4096"),
            ("PATH", "/bin"),
            ("ARCGW_TEST_PG_URL", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.http.rate_limit_per_minute, 5);
    assert_eq!(c.http.max_body_bytes, 4096);
    assert_eq!(c.database_url, "postgres://x@h/db");
    assert_eq!(c.sqlite_path(), None);
}

#[test]
fn mistakes_are_one_line_errors() {
    type Case = (
        Option<tempfile::NamedTempFile>,
        Vec<(String, String)>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (Some(file("listen = 5\n")), vec![], "line 1"),
        (
            Some(file("colour = \"blue\"\n")),
            vec![],
            "unknown field `colour`",
        ),
        (None, vars(&[("ARCGW_LISTEN", "nowhere")]), "ARCGW_LISTEN"),
        (
            None,
            vars(&[("ARCGW_LISTN", "1.2.3.4:5")]),
            "unknown environment variable ARCGW_LISTN",
        ),
        (
            None,
            vars(&[("ARCGW_DATABASE_URL", "mysql://x")]),
            "database_url",
        ),
        (
            None,
            vars(&[("ARCGW_HTTP_MAX_BODY_BYTES", "lots")]),
            "ARCGW_HTTP_MAX_BODY_BYTES",
        ),
        (
            Some(file("[calendar]\nholidays = [\"easter_tuesday\"]\n")),
            vec![],
            "easter_tuesday",
        ),
    ];
    for (f, env, expected) in cases {
        let err = Config::load(f.as_ref().map(|f| f.path()), env)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
    let err = Config::load(Some(Path::new("no/such.toml")), vec![])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no/such.toml"), "{err}");
}
