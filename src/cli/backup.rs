//! `arcgw backup PATH` and `arcgw restore PATH` (annex 2.6; the drill is in docs/operations.md "Backup
//! and restore"). Both are audited in the database they leave behind.

use std::path::PathBuf;

use clap::Args as ClapArgs;

use super::Status;
use super::daemon::{ConfigArg, block_on, operator_event};
use crate::store::Store;
use crate::store::backup::{self, TableCounts};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The backup file: SQLite, a database file; PostgreSQL, a pg_dump archive (custom format).
    path: PathBuf,
    #[command(flatten)]
    config: ConfigArg,
}

/// `arcgw backup PATH`: a consistent copy of the running database into a new file.
pub fn run_backup(args: Args) -> Status {
    run("backup", args, |url, path| async move {
        backup::backup(&url, &path).await
    })
}

/// `arcgw restore PATH`: the backup into the configured database, which must be empty.
pub fn run_restore(args: Args) -> Status {
    run("restore", args, |url, path| async move {
        backup::restore(&url, &path).await
    })
}

fn run<F, Fut>(command: &'static str, args: Args, work: F) -> Status
where
    F: FnOnce(String, PathBuf) -> Fut,
    Fut: Future<Output = Result<TableCounts, backup::BackupError>>,
{
    let config = match args.config.load(command) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let path = args.path;
    block_on(command, async move {
        let counts = work(config.database_url.clone(), path.clone()).await?;
        let rows: i64 = counts.values().sum();
        let store = Store::connect(&config.database_url).await?;
        let details = serde_json::json!({ "path": path.display().to_string(), "tables": counts });
        let audited = store
            .append_audit(&operator_event(command, "database".into(), details))
            .await;
        store.close().await;
        audited?;
        println!(
            "{command}: {} ({} tables, {rows} rows) checked",
            path.display(),
            counts.len()
        );
        Ok(())
    })
}
