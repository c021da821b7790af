//! `arcgw purge --older-than DAYS` (annex 2.7): removes the persons' data of announcements
//! closed longer than DAYS, except what the directives still need — splitting orders (N. 2606)
//! and transmitted announcements within `[purge] min_retention_years` (N. 3403) — and says what
//! it kept and why; the store records the purge in the audit, with counts only.

use chrono::TimeDelta;
use clap::Args as ClapArgs;

use super::Status;
use super::daemon::{ConfigArg, operator_event, with_store};
use crate::clock::{Clock, SystemClock};
use crate::store::{PurgeReport, PurgeRules};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The retention period: announcements done, rejected or withdrawn for longer than this
    /// many days lose their persons' data (splitting orders and, within the minimum
    /// retention of the configuration, transmitted announcements are kept).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    older_than: u32,
    #[command(flatten)]
    config: ConfigArg,
}

pub fn run(args: Args) -> Status {
    let config = match args.config.load("purge") {
        Ok(c) => c,
        Err(status) => return status,
    };
    let Ok(min_retention) = config.purge.min_retention() else {
        // Config::load has checked it.
        return Status::Invalid;
    };
    let rules = PurgeRules {
        older_than: TimeDelta::days(i64::from(args.older_than)),
        min_retention,
    };
    with_store("purge", &args.config, |store| async move {
        let actor = operator_event("purge", String::new(), serde_json::Value::Null).actor;
        let report = store.purge(&rules, SystemClock.now(), &actor).await?;
        println!("{}", summary(&report, &rules));
        Ok(())
    })
}

/// What was removed, and what was kept and why.
fn summary(report: &PurgeReport, rules: &PurgeRules) -> String {
    let mut text = format!(
        "purge: {} announcements, {} acknowledgement entries, {} persons removed",
        report.announcements, report.entries, report.persons
    );
    if report.kept_splitting > 0 {
        text.push_str(&format!(
            "\nkept: {} splitting orders (95, 96) with their confirmations, until late entries \
             are no longer possible (N. 2606)",
            report.kept_splitting
        ));
    }
    if report.kept_for_print > 0 {
        text.push_str(&format!(
            "\nkept: {} transmitted announcements closed less than {} years ago \
             ([purge] min_retention_years), to be produced on paper on request (N. 3403)",
            report.kept_for_print,
            rules.min_retention.years()
        ));
    }
    text
}
