//! `arcgw plans`: the query plans of the engine's hot statements on the configured database,
//! each checked for a scan of a whole table or bound rows read again per row (exit 1 when one
//! is found). For an operator after an upgrade of the database, or when the engine slows down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args as ClapArgs;

use super::Status;
use super::daemon::{ConfigArg, with_store};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Bring the database's statistics up to date first (PostgreSQL `ANALYZE`).
    #[arg(long)]
    analyze: bool,
    #[command(flatten)]
    config: ConfigArg,
}

pub fn run(args: Args) -> Status {
    let unhealthy = Arc::new(AtomicBool::new(false));
    let found = Arc::clone(&unhealthy);
    let status = with_store("plans", &args.config, |store| async move {
        if args.analyze {
            store.refresh_statistics().await?;
        }
        for plan in store.hot_statement_plans().await? {
            let verdict = if plan.problems.is_empty() {
                "ok"
            } else {
                "PROBLEM"
            };
            println!("{verdict}: {}", plan.statement);
            for problem in &plan.problems {
                println!("  ! {problem}");
            }
            for line in &plan.plan {
                println!("    {line}");
            }
            if !plan.problems.is_empty() {
                found.store(true, Ordering::Relaxed);
            }
        }
        Ok(())
    });
    match status {
        Status::Ok if unhealthy.load(Ordering::Relaxed) => Status::Invalid,
        other => other,
    }
}
