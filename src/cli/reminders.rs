//! `arcgw reminders list`: the reminders the deadline scan raised (N. 3401), by fund, rule, day
//! and status, with the command that prints each one's letter. No personal data.

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use super::Status;
use super::daemon::{ConfigArg, with_store};
use crate::deadlines::DeadlineRule;
use crate::domain::FundNumber;
use crate::store::{Reminder, ReminderQuery, ReminderStatus};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List reminders, oldest first: open ones (the fund must still write) unless --status all.
    List {
        /// Only this fund NNN.NNN (repeat for several).
        #[arg(long = "fund", value_parser = fund_arg)]
        funds: Vec<FundNumber>,
        /// Only this rule of N. 3401.
        #[arg(long, value_enum)]
        rule: Option<RuleArg>,
        #[arg(long, value_enum, default_value_t = StatusArg::Open)]
        status: StatusArg,
        /// Only those raised on this day (Geneva), YYYY-MM-DD.
        #[arg(long)]
        day: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleArg {
    /// 7 working days without an acknowledgement mentioning it.
    NotMentioned,
    /// 15 working days "still being processed".
    StillProcessing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Open,
    All,
}

pub(super) fn fund_arg(text: &str) -> Result<FundNumber, String> {
    FundNumber::parse(text).map_err(|e| e.to_string())
}

fn line(r: &Reminder) -> String {
    let day = r
        .raised_at
        .with_timezone(&chrono_tz::Europe::Zurich)
        .date_naive();
    let status = match r.resolved_at {
        None => "open".to_string(),
        Some(at) => format!("resolved {}", at.format("%Y-%m-%d %H:%M UTC")),
    };
    format!(
        "{:>6}  {}  {:<20} key {:<2}  announced {}  {:<16} due {}  raised {}  {}  \
         (arcgw letter --fund {} --day {})",
        r.id,
        r.fund,
        r.reference.to_string(),
        r.key.code(),
        r.announced_on(),
        r.rule.as_str(),
        r.due,
        day,
        status,
        r.fund,
        day
    )
}

pub fn run(command: Command) -> Status {
    let Command::List {
        funds,
        rule,
        status,
        day,
        limit,
        config,
    } = command;
    let query = ReminderQuery {
        funds: (!funds.is_empty()).then_some(funds),
        rule: rule.map(|r| match r {
            RuleArg::NotMentioned => DeadlineRule::NotMentioned,
            RuleArg::StillProcessing => DeadlineRule::StillProcessing,
        }),
        raised_on: day,
        status: match status {
            StatusArg::Open => ReminderStatus::Open,
            StatusArg::All => ReminderStatus::All,
        },
        after_id: None,
        limit: limit.clamp(1, 1000),
    };
    with_store("reminders list", &config, |store| async move {
        let page = store.find_reminders(&query).await?;
        for r in &page.items {
            println!("{}", line(r));
        }
        if page.next_after.is_some() {
            eprintln!("(more: the first {limit} are shown; narrow with --fund, --day, --rule)");
        }
        Ok(())
    })
}
