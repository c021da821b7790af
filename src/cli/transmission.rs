//! `arcgw transmission list|show|retry`, `arcgw acknowledgements unmatched` and
//! `arcgw receipts unmatched` (sedex receipts that matched no transmission): what operators
//! need to see and do about the exchange with the ZAS. Resuming a transmission is audited.

use clap::Subcommand;

use super::Status;
use super::daemon::{ConfigArg, operator_event, with_store};
use crate::clock::{Clock, SystemClock};
use crate::engine::reproduce::transmission_xml;
use crate::store::{TransmissionRecord, TransmissionState};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List transmissions, newest first.
    List {
        /// Only pending, sent or failed ones.
        #[arg(long, value_parser = ["pending", "sent", "failed"])]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Show a transmission with its attempts; `--xml` prints it as it was sent (N. 3403).
    Show {
        id: i64,
        #[arg(long)]
        xml: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Resume a failed transmission: it is sent again, under the same message id.
    Retry {
        id: i64,
        #[command(flatten)]
        config: ConfigArg,
    },
}

/// `arcgw acknowledgements …`
#[derive(Debug, Subcommand)]
pub enum AcknowledgementCommand {
    /// Entries of acknowledgements that matched no announcement (kept, never dropped).
    Unmatched {
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        config: ConfigArg,
    },
}

/// `arcgw receipts …`
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// sedex receipts that matched no transmission of their environment (kept, their files in
    /// arcgw's done folder).
    Unmatched {
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        config: ConfigArg,
    },
}

fn line(t: &TransmissionRecord) -> String {
    format!(
        "{:>5}  {}  {:<7} {:<4} {:>5} announcements  {} attempts  created {}{}",
        t.id,
        t.header.message_id,
        t.state.as_str(),
        t.environment,
        t.announcement_count,
        t.attempts,
        t.created_at.format("%Y-%m-%d %H:%M:%S"),
        t.failure
            .as_deref()
            .map(|f| format!("  failed: {f}"))
            .unwrap_or_default()
    )
}

fn state(text: &str) -> TransmissionState {
    match text {
        "pending" => TransmissionState::Pending,
        "sent" => TransmissionState::Sent,
        _ => TransmissionState::Failed,
    }
}

pub fn run(command: Command) -> Status {
    match command {
        Command::List {
            state: filter,
            limit,
            config,
        } => with_store("transmission list", &config, |store| async move {
            for t in store
                .list_transmissions(filter.as_deref().map(state), limit)
                .await?
            {
                println!("{}", line(&t));
            }
            Ok(())
        }),
        Command::Show { id, xml, config } => {
            with_store("transmission show", &config, |store| async move {
                let (record, attempts) = store.transmission(id).await?;
                if xml {
                    let (_, text) = transmission_xml(&store, id).await?;
                    store
                        .append_audit(&operator_event(
                            "transmission.print",
                            format!("transmission:{id}"),
                            serde_json::json!({}),
                        ))
                        .await?;
                    print!("{text}");
                    return Ok(());
                }
                println!("{}", line(&record));
                for a in attempts {
                    println!(
                        "       attempt {} at {}: {:?} {}",
                        a.attempt,
                        a.at.format("%Y-%m-%d %H:%M:%S"),
                        a.outcome,
                        a.detail
                    );
                }
                Ok(())
            })
        }
        Command::Retry { id, config } => {
            with_store("transmission retry", &config, |store| async move {
                let record = store.retry_transmission(id, SystemClock.now()).await?;
                store
                    .append_audit(&operator_event(
                        "transmission.retry",
                        format!("transmission:{id}"),
                        serde_json::json!({}),
                    ))
                    .await?;
                println!("{}", line(&record));
                Ok(())
            })
        }
    }
}

pub fn run_acknowledgements(command: AcknowledgementCommand) -> Status {
    let AcknowledgementCommand::Unmatched { limit, config } = command;
    with_store("acknowledgements unmatched", &config, |store| async move {
        for e in store.unmatched_entries(limit).await? {
            println!(
                "{:>6}  acknowledgement {} of {}  fund {} reference {} key {} processing code {}",
                e.id,
                e.acknowledgement_message_id,
                e.acknowledgement_date,
                e.entry.fund,
                e.entry.reference,
                e.entry.key,
                e.entry.processing.code()
            );
            if let Some(why) = &e.mismatch {
                println!("        {why}");
            }
        }
        Ok(())
    })
}

pub fn run_receipts(command: ReceiptCommand) -> Status {
    let ReceiptCommand::Unmatched { limit, config } = command;
    with_store("receipts unmatched", &config, |store| async move {
        for r in store.unmatched_receipts(limit).await? {
            println!(
                "{:>6}  {:<4} message {}  receipt {} ({})  event {}  taken in {}  file {}{}",
                r.id,
                r.environment,
                r.message_id,
                r.status_code,
                u16::try_from(r.status_code).map_or("?", crate::sedex::receipt::meaning),
                r.event_date.format("%Y-%m-%d %H:%M:%S"),
                r.received_at.format("%Y-%m-%d %H:%M:%S"),
                r.file_name,
                if r.status_info.is_empty() {
                    String::new()
                } else {
                    format!("  info: {}", r.status_info)
                }
            );
        }
        Ok(())
    })
}
