//! `arcgw letter --fund NNN.NNN --day YYYY-MM-DD [--language it] [--pdf FILE]`: the letter of a
//! fund and day to the ZAS's ARC control office (N. 3401, 3402), printed as text or written as
//! PDF. It holds AVS numbers: each letter produced is an audit event.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args as ClapArgs;

use super::Status;
use super::daemon::{ConfigArg, operator_event, with_store};
use super::reminders::fund_arg;
use crate::domain::FundNumber;
use crate::letters::{Language, compose_letter, render_pdf};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The fund, NNN.NNN.
    #[arg(long, value_parser = fund_arg)]
    fund: FundNumber,
    /// The day its reminders were raised (Geneva), YYYY-MM-DD.
    #[arg(long)]
    day: NaiveDate,
    /// it, de or fr; default: the fund's language in the configuration.
    #[arg(long)]
    language: Option<Language>,
    /// Write the letter as PDF to this file instead of printing it as text.
    #[arg(long, value_name = "FILE")]
    pdf: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

pub fn run(args: Args) -> Status {
    let letters = match args.config.load("letter") {
        Ok(config) => config.letters,
        Err(status) => return status,
    };
    let (fund, day) = (args.fund, args.day);
    let language = args.language.unwrap_or_else(|| letters.language_of(fund));
    let format = if args.pdf.is_some() { "pdf" } else { "text" };
    let mut entries = Vec::new();
    let read = &mut entries;
    let status = with_store("letter", &args.config, |store| async move {
        *read = store.letter_entries(fund, day).await?;
        if !read.is_empty() {
            let details = serde_json::json!({"day": day, "language": language,
                "format": format, "announcements": read.len()});
            store
                .append_audit(&operator_event(
                    "letter.print",
                    format!("fund:{fund}"),
                    details,
                ))
                .await?;
        }
        Ok(())
    });
    if status != Status::Ok {
        return status;
    }
    if entries.is_empty() {
        eprintln!(
            "arcgw letter: fund {fund} has no pending announcement whose reminder was raised on \
             {day} (see arcgw reminders list --fund {fund} --status all)"
        );
        return Status::Invalid;
    }
    let count = entries.len();
    let doc = compose_letter(&letters.letter(fund, day, entries), language);
    match &args.pdf {
        None => {
            print!("{}", doc.text());
            Status::Ok
        }
        Some(path) => match std::fs::write(path, render_pdf(&doc)) {
            Ok(()) => {
                println!(
                    "{}: the letter of fund {fund} of {day} ({language}, {count} announcements)",
                    path.display()
                );
                Status::Ok
            }
            Err(e) => {
                eprintln!("arcgw letter: cannot write {}: {e}", path.display());
                Status::Invalid
            }
        },
    }
}
