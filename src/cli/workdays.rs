//! `arcgw workdays add DATE N`: the date N ZAS working days after DATE.

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Format, Status};
use crate::calendar::{ZasCalendar, parse_iso_date};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the date N ZAS working days after DATE (weekends and Geneva holidays skipped).
    Add {
        /// The start date, YYYY-MM-DD (not counted itself).
        #[arg(value_parser = date_arg)]
        date: NaiveDate,
        /// How many working days to add.
        n: u32,
        /// Also say which days were counted and which skipped, and why.
        #[arg(long)]
        explain: bool,
        /// With --explain: text or JSON.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// A clap value parser for `YYYY-MM-DD`, with the calendar's message for a bad date.
pub fn date_arg(text: &str) -> Result<NaiveDate, String> {
    parse_iso_date(text).map_err(|e| e.to_string())
}

pub fn run(command: Command) -> Status {
    let Command::Add {
        date,
        n,
        explain,
        format,
    } = command;
    let calendar = ZasCalendar::geneva();
    if !explain {
        return match calendar.add_working_days(date, n) {
            Ok(result) => {
                println!("{}", result.format("%Y-%m-%d"));
                Status::Ok
            }
            Err(e) => fail(e),
        };
    }
    match calendar.explain_add(date, n) {
        Ok(explanation) => {
            match format {
                Format::Text => println!("{explanation}"),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&explanation).expect("serialises")
                ),
            }
            Status::Ok
        }
        Err(e) => fail(e),
    }
}

fn fail(e: crate::calendar::CalendarError) -> Status {
    eprintln!("arcgw workdays add: {e}");
    Status::Unreadable
}
