//! `arcgw token create|list|revoke`: the funds' API tokens. A token's secret is printed once, at
//! creation; only its SHA-256 is stored.

use clap::Subcommand;

use super::Status;
use super::daemon::{ConfigArg, operator_event, with_store};
use crate::clock::{Clock, SystemClock};
use crate::domain::{Environment, FundNumber, UnknownEnvironment};
use crate::serve::ServeError;
use crate::store::ApiToken;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a token for one or more funds; prints it once.
    Create {
        /// A fund number NNN.NNN the token may act for (repeat for several).
        #[arg(long = "fund", required = true, value_parser = fund_arg)]
        funds: Vec<FundNumber>,
        /// A note to tell tokens apart, e.g. the fund system's name.
        #[arg(long, default_value = "")]
        label: String,
        /// The ZAS environment the token's announcements go to: prod, or abn (acceptance, test
        /// data). A fund asks for each separately, as in USNTools.
        #[arg(long, default_value = "prod", value_parser = environment_arg)]
        environment: Environment,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List the tokens (never their secrets).
    List {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Revoke a token by its id: it is refused from then on.
    Revoke {
        id: i64,
        #[command(flatten)]
        config: ConfigArg,
    },
}

fn fund_arg(text: &str) -> Result<FundNumber, String> {
    FundNumber::parse(text).map_err(|e| e.to_string())
}

fn environment_arg(text: &str) -> Result<Environment, String> {
    text.parse().map_err(|e: UnknownEnvironment| e.to_string())
}

fn line(t: &ApiToken) -> String {
    let funds: Vec<String> = t.funds.iter().map(ToString::to_string).collect();
    let state = match t.revoked_at {
        Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
        None => "active".into(),
    };
    format!(
        "{:>4}  {}  {:<4}  {:<24} {}  {}",
        t.id,
        t.prefix,
        t.environment,
        funds.join(","),
        state,
        t.label
    )
}

pub fn run(command: Command) -> Status {
    match command {
        Command::Create {
            funds,
            label,
            environment,
            config,
        } => with_store("token create", &config, |store| async move {
            let new = store
                .create_token_in(environment, &label, &funds, SystemClock.now())
                .await?;
            let funds: Vec<String> = new.token.funds.iter().map(ToString::to_string).collect();
            let details = serde_json::json!({ "funds": funds, "environment": environment });
            store
                .append_audit(&operator_event(
                    "token.create",
                    format!("token:{}", new.token.prefix),
                    details,
                ))
                .await?;
            eprintln!(
                "created: {}\nThe token is shown only now: keep it in the fund system's secrets.",
                line(&new.token).trim()
            );
            println!("{}", new.secret.expose());
            Ok::<(), ServeError>(())
        }),
        Command::List { config } => with_store("token list", &config, |store| async move {
            for t in store.list_tokens().await? {
                println!("{}", line(&t));
            }
            Ok(())
        }),
        Command::Revoke { id, config } => with_store("token revoke", &config, |store| async move {
            let t = store.revoke_token(id, SystemClock.now()).await?;
            store
                .append_audit(&operator_event(
                    "token.revoke",
                    format!("token:{}", t.prefix),
                    serde_json::json!({}),
                ))
                .await?;
            println!("{}", line(&t));
            Ok(())
        }),
    }
}
