//! Running the real `arcgw` binary as a separate process: `serve` on a random loopback port,
//! token creation, submissions, and killing it as an operator (SIGTERM) or a crash (SIGKILL) would.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_arcgw");

/// A running `arcgw serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
}

/// The environment of a process on `database_url`, with an empty working directory so that no
/// `config/arcgw.toml` of the checkout is read.
pub fn command(database_url: &str, dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env_remove("ARCGW_LISTEN")
        // The last fallback for the operator's name (an environment without USER).
        .env("LOGNAME", "tests")
        .env("ARCGW_DATABASE_URL", database_url)
        .env("ARCGW_LOG_LEVEL", "warn");
    c
}

/// Creates an API token for `funds` with the binary; returns the token.
pub fn create_token(database_url: &str, dir: &Path, funds: &[&str]) -> String {
    create_token_in(database_url, dir, "prod", funds)
}

/// `arcgw token create --environment ENV --fund …`: a token of the ZAS environment `environment`.
pub fn create_token_in(
    database_url: &str,
    dir: &Path,
    environment: &str,
    funds: &[&str],
) -> String {
    let mut c = command(database_url, dir);
    c.args(["token", "create", "--environment", environment]);
    for f in funds {
        c.args(["--fund", f]);
    }
    let out = c.output().expect("arcgw token create runs");
    assert!(
        out.status.success(),
        "token create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Submits `announcements` (the JSON items of the fund API) to the gateway at `base` with
/// `token`: accepted (202); their ids.
pub async fn submit(base: &str, token: &str, announcements: Vec<serde_json::Value>) -> Vec<i64> {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/announcements"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "announcements": announcements }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: serde_json::Value = response.json().await.unwrap();
    serde_json::from_value(body["ids"].clone()).unwrap()
}

impl Server {
    /// Starts `arcgw serve` and waits for its address.
    pub fn start(cmd: Command) -> Server {
        Self::start_with(cmd, &[])
    }

    /// Starts `arcgw serve ARGS…` and waits for its address.
    pub fn start_with(mut cmd: Command, args: &[&str]) -> Server {
        let mut child = cmd
            .arg("serve")
            .args(args)
            .env("ARCGW_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("arcgw serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let base = loop {
            assert!(
                Instant::now() < deadline,
                "arcgw serve did not say where it listens"
            );
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(address) = line.strip_prefix("arcgw serve: listening on ") {
                        break address.to_string();
                    }
                }
                _ => panic!("arcgw serve stopped before listening"),
            }
        };
        // Keep draining stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill_hard(mut self) {
        self.signal("-KILL");
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits up to 20 s for a clean exit; returns the exit code.
    pub fn stop(mut self) -> Option<i32> {
        self.signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "arcgw serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
