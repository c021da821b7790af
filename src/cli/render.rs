//! `arcgw render [FILE|-]`: arcgw's DT XML (its own format, not the ZAS's unpublished schema) of one transmission holding the given announcements;
//! exit 0, or 1 when they are invalid (report on standard error), 2 when unreadable.

use chrono::{NaiveDate, SubsecRound, Utc};
use clap::Args as ClapArgs;

use super::input::Source;
use super::{Status, today};
use crate::domain::{MessageHeader, MessageId, ParticipantId, Transmission};
use crate::dtxml::write_transmission;
use crate::validate::Destination;

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub source: Source,
    /// The sender's sedex participant id.
    #[arg(long, default_value = "T7-000000-1", value_parser = participant)]
    pub sender_id: ParticipantId,
    /// The ZAS's sedex participant id.
    #[arg(long, default_value = "T6-ZAS-1", value_parser = participant)]
    pub recipient_id: ParticipantId,
    /// The message id (default: a new random one).
    #[arg(long, value_parser = message_id)]
    pub message_id: Option<MessageId>,
    /// Mark the message as production data (testDeliveryFlag false); by default it is a test.
    #[arg(long)]
    pub production: bool,
    /// Validate as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_parser = super::workdays::date_arg)]
    pub today: Option<NaiveDate>,
}

fn participant(text: &str) -> Result<ParticipantId, String> {
    ParticipantId::new(text).map_err(|e| e.to_string())
}

fn message_id(text: &str) -> Result<MessageId, String> {
    MessageId::new(text).map_err(|e| e.to_string())
}

pub fn run(args: Args) -> Status {
    // One transmission: the pairs of N. 3102 are errors here.
    let validated = match super::validate::read_and_validate(
        &args.source,
        today(args.today),
        Destination::OneTransmission,
        "render",
    ) {
        Ok(v) => v,
        Err(status) => return status,
    };
    if !validated.report.valid {
        eprint!("{}", super::validate::text(&args.source.name(), &validated));
        return Status::Invalid;
    }
    let message_id = args.message_id.unwrap_or_else(|| {
        MessageId::new(&uuid::Uuid::new_v4().to_string()).expect("a UUID is a valid message id")
    });
    let transmission = Transmission {
        header: MessageHeader {
            sender_id: args.sender_id,
            recipient_id: args.recipient_id,
            message_id,
            reference_message_id: None,
            message_date: Utc::now().trunc_subsecs(0),
            test_delivery: !args.production,
        },
        announcements: validated.announcements,
    };
    match write_transmission(&transmission) {
        Ok(xml) => {
            print!("{xml}");
            Status::Ok
        }
        Err(e) => {
            eprintln!("arcgw render: {e}");
            Status::Invalid
        }
    }
}
