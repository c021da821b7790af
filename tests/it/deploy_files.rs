//! The deployment files say what the "Deployment" section of docs/operations.md promises: the example
//! configurations load, the compose file binds only to loopback and shares one database, the
//! systemd unit keeps its hardening, and the container does not run as root. No container engine
//! or systemd is needed: the files are read as text (no YAML crate), strictly enough that
//! weakening one of them fails a test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arcgw::config::{Config, LogFormat};

fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn load(relative: &str, vars: Vec<(String, String)>) -> Config {
    Config::load(Some(&path(relative)), vars).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn no_vars() -> Vec<(String, String)> {
    Vec::new()
}

// ---- example configurations -------------------------------------------------------------------

#[test]
fn single_fund_sqlite_example_is_valid_and_says_what_it_claims() {
    let c = load("config/examples/single-fund-sqlite.toml", no_vars());
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url, "sqlite:///var/lib/arcgw/arcgw.db");
    assert_eq!(
        c.sqlite_path(),
        Some(PathBuf::from("/var/lib/arcgw/arcgw.db"))
    );
    assert_eq!(
        c.calendar.holidays.len(),
        arcgw::calendar::CalendarConfig::geneva().holidays.len()
    );
    assert!(c.calendar.closing_days.is_empty());
}

#[test]
fn instances_postgres_example_is_valid_and_has_no_password() {
    let c = load("config/examples/instances-postgres.toml", no_vars());
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert!(
        c.database_url.starts_with("postgres://arcgw@"),
        "{}",
        c.database_url
    );
    assert_eq!(c.sqlite_path(), None);
    assert_eq!(c.log.format, LogFormat::Json);
    // The password comes from the environment, which replaces the whole URL.
    let url = "postgres://arcgw:secret@db.example.internal:5432/arcgw";
    let c = load(
        "config/examples/instances-postgres.toml",
        vec![("ARCGW_DATABASE_URL".into(), url.into())],
    );
    assert_eq!(c.database_url, url);
}

#[test]
fn default_configuration_loads() {
    let c = load("config/arcgw.toml", no_vars());
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
}

// ---- compose ----------------------------------------------------------------------------------

/// The lines of each service under `services:` (two-space indented keys), comments removed.
fn compose_services(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut services = BTreeMap::new();
    let mut in_services = false;
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = strip_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            in_services = line.trim_end() == "services:";
            current = None;
        } else if in_services && indent == 2 {
            let name = line
                .trim()
                .strip_suffix(':')
                .expect("a service name ends with ':'");
            current = Some(name.to_string());
            services.insert(name.to_string(), Vec::new());
        } else if let Some(name) = &current {
            services.get_mut(name).unwrap().push(line.to_string());
        }
    }
    services
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"').trim_matches('\'')
}

/// The entries of a service's `ports:` list.
fn ports(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_ports = None;
    for line in lines {
        let indent = line.len() - line.trim_start().len();
        if let Some(ports_indent) = in_ports {
            if indent > ports_indent && line.trim_start().starts_with("- ") {
                out.push(unquote(&line.trim_start()[2..]).to_string());
                continue;
            }
            in_ports = None;
        }
        if line.trim() == "ports:" {
            in_ports = Some(indent);
        }
    }
    out
}

/// The value of an environment variable in a service (map or list form).
fn env_value(lines: &[String], name: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let t = line.trim().trim_start_matches("- ");
        let rest = t.strip_prefix(name)?;
        let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
        Some(unquote(value).to_string())
    })
}

#[test]
fn compose_publishes_only_on_loopback() {
    let text = read("deploy/compose/compose.yaml");
    let services = compose_services(&text);
    assert_eq!(ports(&services["arcgw-1"]), ["127.0.0.1:8081:8080"]);
    assert_eq!(ports(&services["arcgw-2"]), ["127.0.0.1:8082:8080"]);
    for (name, lines) in &services {
        for port in ports(lines) {
            assert!(
                port.starts_with("127.0.0.1:"),
                "{name} publishes {port} beyond loopback"
            );
        }
        for line in lines {
            // The long syntax or host networking would escape the checks above.
            for forbidden in ["published:", "host_ip:", "network_mode", "0.0.0.0", "[::]"] {
                assert!(!line.contains(forbidden), "{name}: {}", line.trim());
            }
        }
    }
    assert!(
        ports(&services["postgres"]).is_empty(),
        "PostgreSQL is not published"
    );
}

#[test]
fn compose_instances_share_one_database_and_commit_no_password() {
    let text = read("deploy/compose/compose.yaml");
    let services = compose_services(&text);
    let url1 =
        env_value(&services["arcgw-1"], "ARCGW_DATABASE_URL").expect("arcgw-1 has a database");
    let url2 =
        env_value(&services["arcgw-2"], "ARCGW_DATABASE_URL").expect("arcgw-2 has a database");
    assert_eq!(url1, url2, "both instances on one database");
    assert_eq!(
        url1,
        "postgres://arcgw:${ARCGW_PG_PASSWORD}@postgres:5432/arcgw"
    );
    let password = env_value(&services["postgres"], "POSTGRES_PASSWORD").unwrap();
    assert!(
        password.starts_with("${ARCGW_PG_PASSWORD:?"),
        "required, not a literal: {password}"
    );
    assert_eq!(
        env_value(&services["postgres"], "POSTGRES_USER").as_deref(),
        Some("arcgw")
    );
    assert!(text.contains("image: docker.io/library/postgres:16"));
    assert!(text.contains("pg_isready"));
    for name in ["arcgw-1", "arcgw-2"] {
        let block = services[name].join("\n");
        assert!(
            block.contains("condition: service_healthy"),
            "{name} waits for postgres"
        );
        assert!(
            block.contains("build: *arcgw-build"),
            "{name} is built from the Containerfile"
        );
    }
    assert!(text.contains("dockerfile: deploy/container/Containerfile"));
}

#[test]
fn compose_environment_is_a_valid_configuration_in_the_image() {
    // What an instance runs with: the image's file, the image's ENV, then the compose variables
    // (a misspelt ARCGW_* variable is refused at start, so it would fail here too).
    let text = read("deploy/compose/compose.yaml");
    let services = compose_services(&text);
    let mut vars = containerfile_env(&read("deploy/container/Containerfile"));
    for line in &services["arcgw-1"] {
        let t = line.trim();
        if let Some((name, value)) = t.split_once(':').filter(|(n, _)| n.starts_with("ARCGW_")) {
            vars.push((
                name.to_string(),
                unquote(value).replace("${ARCGW_PG_PASSWORD}", "pw"),
            ));
        }
    }
    let c = load("config/examples/single-fund-sqlite.toml", vars);
    assert_eq!(c.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(c.database_url, "postgres://arcgw:pw@postgres:5432/arcgw");
    assert_eq!(c.log.format, LogFormat::Json);
}

// ---- systemd ----------------------------------------------------------------------------------

/// `Key=value` lines of one section, comments removed; a key may repeat.
fn unit_section(text: &str, section: &str) -> Vec<(String, String)> {
    let mut current = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            current = line.to_string();
        } else if current == format!("[{section}]") {
            let (key, value) = line.split_once('=').expect("Key=value");
            out.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    out
}

#[test]
fn systemd_unit_keeps_its_hardening() {
    let service = unit_section(&read("deploy/systemd/arcgw.service"), "Service");
    let has = |key: &str, value: &str| service.iter().any(|(k, v)| k == key && v == value);
    let required = [
        ("User", "arcgw"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectKernelLogs", "yes"),
        ("ProtectControlGroups", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("RestrictNamespaces", "yes"),
        ("LockPersonality", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("SystemCallFilter", "@system-service"),
        ("CapabilityBoundingSet", ""),
        ("StateDirectory", "arcgw"),
        ("ConfigurationDirectory", "arcgw"),
        ("ReadWritePaths", "/var/lib/arcgw"),
        ("UMask", "0077"),
        ("Restart", "on-failure"),
        ("KillSignal", "SIGTERM"),
        (
            "ExecStart",
            "/usr/local/bin/arcgw serve --config /etc/arcgw/arcgw.toml",
        ),
        ("WorkingDirectory", "/var/lib/arcgw"),
    ];
    for (key, value) in required {
        assert!(has(key, value), "[Service] lacks {key}={value}");
    }
    // Nothing widens what is listed: one ReadWritePaths, no capabilities granted back.
    assert_eq!(
        service
            .iter()
            .filter(|(k, _)| k == "ReadWritePaths")
            .count(),
        1
    );
    assert_eq!(
        service
            .iter()
            .filter(|(k, _)| k == "CapabilityBoundingSet")
            .count(),
        1
    );
    for (key, value) in &service {
        assert!(
            key != "AmbientCapabilities" || value.is_empty(),
            "AmbientCapabilities={value}"
        );
        assert!(!(key == "User" && value == "root"));
    }
}

#[test]
fn systemd_stop_timeout_exceeds_the_shutdown_grace() {
    let service = unit_section(&read("deploy/systemd/arcgw.service"), "Service");
    let timeout = service
        .iter()
        .find(|(k, _)| k == "TimeoutStopSec")
        .map(|(_, v)| {
            v.trim_end_matches('s')
                .parse::<u64>()
                .expect("TimeoutStopSec in seconds")
        })
        .expect("TimeoutStopSec is set");
    for file in [
        "config/examples/single-fund-sqlite.toml",
        "config/examples/instances-postgres.toml",
    ] {
        let grace = load(file, no_vars()).http.shutdown_grace_secs;
        assert!(
            timeout > grace + 5,
            "TimeoutStopSec={timeout} not above {file}'s grace {grace} s"
        );
    }
}

#[test]
fn systemd_file_limit_leaves_room_above_the_connection_cap() {
    // Every connection is an open file: under the usual soft limit of 1 024 files, 1 100 slow
    // connections took the service down. The unit raises it well above http.max_connections.
    let service = unit_section(&read("deploy/systemd/arcgw.service"), "Service");
    let files = service
        .iter()
        .find(|(k, _)| k == "LimitNOFILE")
        .map(|(_, v)| v.parse::<usize>().expect("LimitNOFILE a number"))
        .expect("LimitNOFILE is set");
    for file in [
        "config/arcgw.toml",
        "config/examples/single-fund-sqlite.toml",
        "config/examples/instances-postgres.toml",
    ] {
        let connections = load(file, no_vars()).http.max_connections;
        assert!(
            files >= 2 * connections + 256,
            "LimitNOFILE={files} leaves too little room above {file}'s {connections} connections"
        );
    }
}

// ---- container --------------------------------------------------------------------------------

/// The lines of the last stage (from its `FROM`), continuation lines joined.
fn runtime_stage(text: &str) -> Vec<String> {
    let joined = text.replace("\\\n", " ");
    let lines: Vec<String> = joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let start = lines
        .iter()
        .rposition(|l| l.to_uppercase().starts_with("FROM "))
        .expect("a FROM");
    lines[start..].to_vec()
}

fn containerfile_env(text: &str) -> Vec<(String, String)> {
    runtime_stage(text)
        .iter()
        .filter_map(|l| l.strip_prefix("ENV "))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), unquote(v).to_string()))
        .collect()
}

#[test]
fn container_runs_as_a_user_other_than_root() {
    let stage = runtime_stage(&read("deploy/container/Containerfile"));
    let user = stage
        .iter()
        .filter_map(|l| l.strip_prefix("USER "))
        .next_back()
        .expect("the runtime stage sets USER");
    let name = user.split(':').next().unwrap().trim();
    assert!(!["root", "0", ""].contains(&name), "runs as {user}");
    let group = user.split(':').nth(1).map(str::trim);
    assert!(!matches!(group, Some("root" | "0")), "group {user}");
    assert!(stage.iter().any(|l| l == r#"ENTRYPOINT ["arcgw"]"#));
    assert!(stage.iter().any(|l| l == "EXPOSE 8080"));
    assert!(
        stage
            .iter()
            .any(|l| l.starts_with("HEALTHCHECK ") && l.contains("/healthz"))
    );
}

#[test]
fn container_copies_only_paths_that_exist() {
    // No engine on the build machine: at least make sure every COPY from the context exists.
    let text = read("deploy/container/Containerfile");
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from="))
    {
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        for source in &words[..words.len() - 1] {
            assert!(
                path(source).exists(),
                "{line}: {source} is not in the project"
            );
        }
    }
    assert!(text.contains("cargo build --release --locked"));
}
