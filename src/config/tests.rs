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
        (
            Some(file("[accounts]\nemail_temporary_passwords = true\n")),
            vec![],
            "accounts.email_temporary_passwords: needs the SMTP server of [alerts.email]",
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

const ZAS_PROD: &str = r#"
environment = "prod"
sender_id = "7-066000-1"
recipient_id = "6-ZAS-1"
[zas.tls]
endpoint = "https://zas.example:443"
ca_cert = "prod-ca.pem"
client_cert = "prod-client.pem"
client_key = "prod-client.key"
"#;

const ZAS_ABN: &str = r#"
environment = "abn"
sender_id = "T7-066000-1"
recipient_id = "T6-ZAS-1"
[zas.tls]
endpoint = "https://abn.zas.example:443"
ca_cert = "abn-ca.pem"
client_cert = "abn-client.pem"
client_key = "abn-client.key"
"#;

#[test]
fn one_zas_section_or_one_per_environment_each_with_its_own_connection() {
    let one = Config::load(Some(file(&format!("[zas]{ZAS_PROD}")).path()), vec![]).unwrap();
    assert_eq!(one.zas.len(), 1);
    assert_eq!(one.zas[0].environment, crate::domain::Environment::Prod);

    let both = Config::load(
        Some(file(&format!("[[zas]]{ZAS_PROD}\n[[zas]]{ZAS_ABN}")).path()),
        vec![],
    )
    .unwrap();
    let seen: Vec<_> = both
        .zas
        .iter()
        .map(|z| {
            (
                z.environment.as_str(),
                z.sender_id.to_string(),
                z.tls.as_ref().unwrap().endpoint.as_str(),
                z.tls.as_ref().unwrap().client_cert.display().to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "prod",
                "7-066000-1".to_string(),
                "https://zas.example:443",
                "prod-client.pem".to_string()
            ),
            (
                "abn",
                "T7-066000-1".to_string(),
                "https://abn.zas.example:443",
                "abn-client.pem".to_string()
            ),
        ]
    );

    let twice = Config::load(
        Some(file(&format!("[[zas]]{ZAS_PROD}\n[[zas]]{ZAS_PROD}")).path()),
        vec![],
    )
    .unwrap_err()
    .to_string();
    assert!(twice.contains("zas.environment"), "{twice}");
    assert!(twice.contains("prod is configured twice"), "{twice}");

    let typo = Config::load(
        Some(file(&format!("[zas]\nbatch_sise = 5{ZAS_PROD}")).path()),
        vec![],
    )
    .unwrap_err()
    .to_string();
    assert!(typo.contains("unknown field `batch_sise`"), "{typo}");
    assert!(!typo.contains('\n'), "one line: {typo}");
}

#[test]
fn the_minimum_retention_is_ten_years_and_at_least_one() {
    assert_eq!(Config::default().purge.min_retention().unwrap().years(), 10);
    let f = file("[purge]\nmin_retention_years = 2\n");
    let c = Config::load(Some(f.path()), vars(&[])).unwrap();
    assert_eq!(c.purge.min_retention().unwrap().years(), 2);
    let f = file("[purge]\nmin_retention_years = 0\n");
    let err = Config::load(Some(f.path()), vars(&[]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "configuration purge.min_retention_years: min_retention_years is 0: it must be at least 1 \
         year, since a fund must be able to produce on paper, on request, the data it announced \
         (N. 3403)"
    );
}

#[test]
fn connection_limits_are_configured_and_checked() {
    // Typed, with defaults; unknown keys still refused.
    let c = Config::default();
    assert_eq!(
        (
            c.http.header_read_timeout_secs,
            c.http.idle_timeout_secs,
            c.http.max_connections,
            c.http.unauthenticated_per_minute,
            c.http.logins_per_minute
        ),
        (10, 60, 512, 60, 60)
    );
    let f = file("[http]\nheader_read_timeout_secs = 5\nmax_connections = 100\n");
    let c = Config::load(
        Some(f.path()),
        vars(&[("ARCGW_HTTP_LOGINS_PER_MINUTE", "7")]),
    )
    .unwrap();
    assert_eq!(c.http.header_read_timeout_secs, 5);
    assert_eq!(c.http.max_connections, 100);
    assert_eq!(c.http.logins_per_minute, 7);
    for (text, expected) in [
        (
            "[http]\nmax_connection = 5\n",
            "unknown field `max_connection`",
        ),
        ("[http]\nmax_connections = 0\n", "above 0"),
        ("[http]\nidle_timeout_secs = 30\n", "http.idle_timeout_secs"),
    ] {
        let f = file(text);
        let e = Config::load(Some(f.path()), vec![])
            .unwrap_err()
            .to_string();
        assert!(e.contains(expected), "{text}: {e}");
    }
}

#[test]
fn sedex_transport_with_its_section_and_placeholder_message_types() {
    let sedex = r#"[zas]
environment = "abn"
sender_id = "T7-066000-1"
recipient_id = "T6-ZAS-1"
transport = "sedex"
[zas.sedex]
interface_directory = "/var/lib/sedex/interface"
payload_format = "xml"
"#;
    let config = Config::load(Some(file(sedex).path()), vec![]).unwrap();
    let zas = &config.zas[0];
    assert_eq!(zas.transport, crate::engine::TransportKind::Sedex);
    assert!(zas.tls.is_none());
    let s = zas.sedex.as_ref().unwrap();
    assert_eq!(
        s.transmission_message_type,
        crate::transport::sedex::PLACEHOLDER_TRANSMISSION_TYPE
    );
    assert_eq!(
        s.acknowledgement_message_type,
        crate::transport::sedex::PLACEHOLDER_ACKNOWLEDGEMENT_TYPE
    );
    assert_eq!(s.receipt_timeout_secs, 3600);
    assert_eq!(s.payload_format, crate::sedex::PayloadFormat::Xml);
    let folders = s.folders().unwrap();
    assert_eq!(
        folders.receipts,
        std::path::Path::new("/var/lib/sedex/interface/receipts")
    );
    assert_eq!(
        s.own_folders().unwrap().done,
        std::path::Path::new("/var/lib/sedex/interface/arcgw/done")
    );

    let without = sedex.split("[zas.sedex]").next().unwrap();
    let err = Config::load(Some(file(without).path()), vec![])
        .unwrap_err()
        .to_string();
    assert!(err.contains("[zas.sedex]"), "{err}");
    let https_without_tls = without.replace("transport = \"sedex\"", "transport = \"https\"");
    let err = Config::load(Some(file(&https_without_tls).path()), vec![])
        .unwrap_err()
        .to_string();
    assert!(err.contains("[zas.tls]"), "{err}");
}

/// sedex is the default transport: without `transport`, a `[zas.sedex]` section is used (also
/// beside a `[zas.tls]`), a lone `[zas.tls]` keeps HTTPS as before, and neither names both.
#[test]
fn sedex_is_the_default_transport() {
    let head =
        "[zas]\nenvironment = \"prod\"\nsender_id = \"T7-066000-1\"\nrecipient_id = \"T6-ZAS-1\"\n";
    let sedex = "[zas.sedex]\ninterface_directory = \"/var/lib/sedex/interface\"\n";
    let tls = "[zas.tls]\nendpoint = \"https://zas.example\"\nca_cert = \"ca.pem\"\nclient_cert = \"c.pem\"\nclient_key = \"k.pem\"\n";
    let kind = |text: String| {
        Config::load(Some(file(&text).path()), vec![])
            .map(|c| c.zas[0].transport)
            .map_err(|e| e.to_string())
    };
    use crate::engine::TransportKind::{Https, Sedex};
    assert_eq!(kind(format!("{head}{sedex}")), Ok(Sedex));
    assert_eq!(kind(format!("{head}{sedex}{tls}")), Ok(Sedex));
    assert_eq!(kind(format!("{head}{tls}")), Ok(Https));
    let two = "[[zas]]\nenvironment = \"abn\"\nsender_id = \"T7-066000-1\"\nrecipient_id = \"T6-ZAS-1\"\n[zas.tls]\nendpoint = \"https://zas.example\"\nca_cert = \"ca.pem\"\nclient_cert = \"c.pem\"\nclient_key = \"k.pem\"\n[[zas]]\nenvironment = \"prod\"\nsender_id = \"T7-066000-1\"\nrecipient_id = \"T6-ZAS-1\"\n[zas.sedex]\ninterface_directory = \"/srv/sedex\"\n";
    let config = Config::load(Some(file(two).path()), vec![]).unwrap();
    assert_eq!(config.zas[0].transport, Https);
    assert_eq!(config.zas[1].transport, Sedex);
    let err = kind(head.to_string()).unwrap_err();
    assert!(
        err.contains("zas.transport") && err.contains("[zas.sedex]") && err.contains("[zas.tls]"),
        "{err}"
    );
}
