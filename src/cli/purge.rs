//! `arcgw purge --older-than DAYS` (annex 2.7): removes the persons' data of announcements
//! closed longer than DAYS; the store records the purge in the audit, with counts only.

use chrono::TimeDelta;
use clap::Args as ClapArgs;

use super::Status;
use super::daemon::{ConfigArg, operator_event, with_store};
use crate::clock::{Clock, SystemClock};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The retention period: announcements done, rejected or withdrawn for longer than this
    /// many days lose their persons' data.
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    older_than: u32,
    #[command(flatten)]
    config: ConfigArg,
}

pub fn run(args: Args) -> Status {
    let retention = TimeDelta::days(i64::from(args.older_than));
    with_store("purge", &args.config, |store| async move {
        let actor = operator_event("purge", String::new(), serde_json::Value::Null).actor;
        let report = store.purge(retention, SystemClock.now(), &actor).await?;
        println!(
            "purge: {} announcements, {} acknowledgement entries, {} persons removed",
            report.announcements, report.entries, report.persons
        );
        Ok(())
    })
}
