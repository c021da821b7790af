//! The simulator's configuration: in memory ([`SimConfig::from_pki`], for tests and the demo)
//! or from a TOML file ([`SimConfig::load`], for `arcgw zas-sim`), whose PEM paths are relative
//! to the file. See `config/zas-sim.toml` for a commented example.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::follow_ups::Notice;
use super::receipt::{EXPIRED, TOO_LARGE, UNKNOWN_SENDER};
use super::scenario::{
    DEFAULT_INVESTIGATION, InboxFault, Matcher, Outcome, ReceiptFault, Rule, ScenarioError,
    Scenarios,
};
use super::sedex::{SedexFile, SedexSimConfig};
use crate::calendar::CalendarConfig;
use crate::domain::{
    Domicile, DomicileInstruction, FundNumber, KeyCode, Observation, ParticipantId, RefusalCode,
};
use crate::pki::TestPki;

/// Where `arcgw zas-sim` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// The simulator's sedex participant id unless told otherwise.
pub const DEFAULT_PARTICIPANT_ID: &str = "T6-ZAS-1";
/// The largest transmission body accepted (16 MiB); larger ones get receipt 330.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The most announcements the simulator keeps; beyond, transmissions are refused with HTTP 503.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// The simulator's certificate and key, and the CA its clients' certificates must come from,
/// in PEM.
#[derive(Clone)]
pub struct TlsMaterial {
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub client_ca_pem: String,
}

impl std::fmt::Debug for TlsMaterial {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsMaterial(…)")
    }
}

/// Everything the simulator runs with.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Port 0 picks a free port (see `SimHandle::addr`).
    pub listen: SocketAddr,
    /// The `senderId` of the acknowledgements.
    pub participant_id: ParticipantId,
    pub tls: TlsMaterial,
    /// Larger bodies get receipt 330 (HTTP 413); also the reader's size limit.
    pub max_body_bytes: usize,
    /// The most announcements kept in memory (accepted so far); beyond, HTTP 503.
    pub max_entries: usize,
    /// The senders accepted (`senderId`); `None`: any.
    pub senders: Option<Vec<ParticipantId>>,
    pub scenarios: Scenarios,
    /// The ZAS working days for `in_progress_then_done` and `in_progress_repeated` (default:
    /// Geneva).
    pub calendar: CalendarConfig,
    /// The sedex front end, beside the HTTPS one: `None`, HTTPS only.
    pub sedex: Option<SedexSimConfig>,
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: {at}: {problem}")]
    Invalid {
        path: PathBuf,
        at: String,
        problem: String,
    },
}

impl SimConfig {
    /// For in-process use: listens on `127.0.0.1`, a free port; TLS from `pki` (server
    /// certificate and key, client CA); the defaults otherwise, every announcement `done`.
    pub fn from_pki(pki: &TestPki) -> SimConfig {
        SimConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            participant_id: default_participant(),
            tls: TlsMaterial {
                server_cert_pem: pki.server_cert_pem.clone(),
                server_key_pem: pki.server_key_pem.clone(),
                client_ca_pem: pki.ca_cert_pem.clone(),
            },
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_entries: DEFAULT_MAX_ENTRIES,
            senders: None,
            scenarios: Scenarios::default(),
            calendar: CalendarConfig::geneva(),
            sedex: None,
        }
    }

    /// Reads a TOML configuration file; the PEM paths in it are relative to its directory.
    pub fn load(path: &Path) -> Result<SimConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, path, base)
    }

    /// Reads a configuration from `text` (named `path` in errors), PEM paths relative to `base`.
    pub fn parse(text: &str, path: &Path, base: &Path) -> Result<SimConfig, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: one_line(text, &e),
        })?;
        let invalid = |at: &str, problem: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            at: at.to_string(),
            problem,
        };
        let participant_id = match &file.participant_id {
            Some(id) => {
                ParticipantId::new(id).map_err(|e| invalid("participant_id", e.to_string()))?
            }
            None => default_participant(),
        };
        let senders = file
            .senders
            .as_ref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, s)| {
                        ParticipantId::new(s)
                            .map_err(|e| invalid(&format!("senders[{i}]"), e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let rules = file
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.to_rule().map_err(|p| invalid(&format!("rules[{i}]"), p)))
            .collect::<Result<Vec<_>, _>>()?;
        let default = match &file.default {
            Some(d) => {
                if d.reference_prefix.is_some() || d.key.is_some() {
                    return Err(invalid(
                        "default",
                        "reference_prefix and key belong in [[rules]]".into(),
                    ));
                }
                d.to_outcome().map_err(|p| invalid("default", p))?
            }
            None => Outcome::Done,
        };
        let scenarios = Scenarios::new(rules, default)
            .map_err(|ScenarioError { at, problem }| invalid(&at, problem))?;
        let read_pem = |field: &str, relative: &Path| {
            let full = base.join(relative);
            std::fs::read_to_string(&full)
                .map_err(|e| invalid(field, format!("cannot read {}: {e}", full.display())))
        };
        let sedex = file
            .sedex
            .as_ref()
            .map(|s| s.to_config(base))
            .transpose()
            .map_err(|(at, problem)| invalid(&at, problem))?;
        if sedex
            .as_ref()
            .is_some_and(|s| s.foreign_sender_id == participant_id)
        {
            return Err(invalid(
                "sedex.foreign_sender_id",
                "must differ from participant_id".into(),
            ));
        }
        let max_body_bytes = file.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 {
            return Err(invalid("max_body_bytes", "must be at least 1".into()));
        }
        Ok(SimConfig {
            listen: file.listen.unwrap_or_else(default_listen),
            participant_id,
            tls: TlsMaterial {
                server_cert_pem: read_pem("server_cert", &file.server_cert)?,
                server_key_pem: read_pem("server_key", &file.server_key)?,
                client_ca_pem: read_pem("client_ca", &file.client_ca)?,
            },
            max_body_bytes,
            max_entries: file.max_entries.unwrap_or(DEFAULT_MAX_ENTRIES),
            senders,
            scenarios,
            calendar: file.calendar.unwrap_or_else(CalendarConfig::geneva),
            sedex,
        })
    }
}

fn default_participant() -> ParticipantId {
    // A constant that passes the check; the fallback is never taken.
    ParticipantId::new(DEFAULT_PARTICIPANT_ID)
        .unwrap_or_else(|_| unreachable!("the default participant id is valid"))
}

fn default_listen() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 8443))
}

/// A TOML error on one line: `line N: message`.
fn one_line(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let line = text
                .get(..span.start)
                .map_or(0, |before| before.matches('\n').count())
                + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<SocketAddr>,
    participant_id: Option<String>,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_ca: PathBuf,
    max_body_bytes: Option<usize>,
    max_entries: Option<usize>,
    senders: Option<Vec<String>>,
    default: Option<ScenarioFile>,
    #[serde(default)]
    rules: Vec<ScenarioFile>,
    calendar: Option<CalendarConfig>,
    sedex: Option<SedexFile>,
}

/// The outcome names of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeName {
    Done,
    InProgress,
    InProgressThenDone,
    InProgressRepeated,
    Refused,
    Never,
    Investigate,
    #[serde(rename = "http_500")]
    Http500,
    Reset,
    Slow,
    MalformedAck,
    DuplicateAck,
    #[serde(rename = "receipt_401")]
    Receipt401,
    #[serde(rename = "receipt_601")]
    Receipt601,
    #[serde(rename = "receipt_204")]
    Receipt204,
    #[serde(rename = "receipt_310")]
    Receipt310,
    #[serde(rename = "receipt_330")]
    Receipt330,
    NoReceipt,
    InboxForeignSender,
    InboxUnknownType,
    InboxWithoutEnvelope,
    InboxMalformedEnvelope,
    AccountAlreadyKept,
    RciAlreadyDone,
    ClosingOrder,
    CiComplement,
    SplittingNotice,
}

/// A rule (or the default) as written: the conditions, the outcome and its settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    reference_prefix: Option<String>,
    key: Option<i64>,
    outcome: OutcomeName,
    after_working_days: Option<u32>,
    every_working_days: Option<u32>,
    code: Option<u8>,
    observations: Option<Vec<ObservationFile>>,
    wrong_fields: Option<Vec<u8>>,
    instructions: Option<String>,
    times: Option<u32>,
    delay_ms: Option<u64>,
    record_before_delay: Option<bool>,
    /// `closing_order`: 1 (domiciled in Switzerland, with `domicile_from` and `domicile_to`,
    /// quoted `"YYYY-MM-DD"` strings), 2 or 3 (N. 2712).
    domicile_code: Option<u8>,
    domicile_from: Option<chrono::NaiveDate>,
    domicile_to: Option<chrono::NaiveDate>,
    /// `closing_order`: the fund that ordered the RCI (`NNN.NNN`); the announcing fund itself
    /// when not given (N. 2709). `splitting_notice`: the fund that ordered the splitting.
    ordering_fund: Option<String>,
    /// `ci_complement`: the new surname (with `given_names`, none for NN) and/or the new
    /// country of origin's state code (N. 2105).
    surname: Option<String>,
    given_names: Option<String>,
    country_of_origin: Option<i64>,
    /// `splitting_notice`: the spouse's AVS number and the years to split (N. 3119); when not
    /// given, those of the announcement's own splitting order (key 95).
    spouse_vn: Option<String>,
    split_years: Option<Vec<i32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservationFile {
    code: u16,
    text: Option<String>,
}

impl ScenarioFile {
    fn to_rule(&self) -> Result<Rule, String> {
        let key = self
            .key
            .map(|k| KeyCode::new(k).map_err(|e| format!("key: {e}")))
            .transpose()?;
        Ok(Rule {
            matcher: Matcher {
                reference_prefix: self.reference_prefix.clone(),
                key,
            },
            outcome: self.to_outcome()?,
        })
    }

    /// The outcome, refusing settings that belong to another outcome.
    fn to_outcome(&self) -> Result<Outcome, String> {
        use OutcomeName as N;
        let allowed: &[&str] = match self.outcome {
            N::InProgressThenDone => &["after_working_days"],
            N::InProgressRepeated => &["every_working_days"],
            N::Refused => &["code", "observations", "wrong_fields"],
            N::Investigate => &["instructions"],
            N::Http500 | N::Receipt401 => &["times"],
            N::Slow => &["delay_ms", "record_before_delay", "times"],
            N::ClosingOrder => &[
                "domicile_code",
                "domicile_from",
                "domicile_to",
                "ordering_fund",
            ],
            N::CiComplement => &["surname", "given_names", "country_of_origin"],
            N::SplittingNotice => &["spouse_vn", "split_years", "ordering_fund"],
            _ => &[],
        };
        let given = [
            ("after_working_days", self.after_working_days.is_some()),
            ("every_working_days", self.every_working_days.is_some()),
            ("code", self.code.is_some()),
            ("observations", self.observations.is_some()),
            ("wrong_fields", self.wrong_fields.is_some()),
            ("instructions", self.instructions.is_some()),
            ("times", self.times.is_some()),
            ("delay_ms", self.delay_ms.is_some()),
            ("record_before_delay", self.record_before_delay.is_some()),
            ("domicile_code", self.domicile_code.is_some()),
            ("domicile_from", self.domicile_from.is_some()),
            ("domicile_to", self.domicile_to.is_some()),
            ("ordering_fund", self.ordering_fund.is_some()),
            ("surname", self.surname.is_some()),
            ("given_names", self.given_names.is_some()),
            ("country_of_origin", self.country_of_origin.is_some()),
            ("spouse_vn", self.spouse_vn.is_some()),
            ("split_years", self.split_years.is_some()),
        ];
        if let Some((name, _)) = given.iter().find(|(n, g)| *g && !allowed.contains(n)) {
            return Err(format!(
                "`{name}` is not a setting of outcome {:?}",
                self.outcome_name()
            ));
        }
        let missing = |name: &str| format!("outcome {:?} needs `{name}`", self.outcome_name());
        Ok(match self.outcome {
            N::Done => Outcome::Done,
            N::InProgress => Outcome::InProgress,
            N::InProgressThenDone => Outcome::InProgressThenDone {
                after_working_days: self
                    .after_working_days
                    .ok_or_else(|| missing("after_working_days"))?,
            },
            N::InProgressRepeated => Outcome::InProgressRepeated {
                every_working_days: self
                    .every_working_days
                    .ok_or_else(|| missing("every_working_days"))?,
            },
            N::Refused => {
                let code = self.code.ok_or_else(|| missing("code"))?;
                Outcome::Refused {
                    code: RefusalCode::new(code)
                        .ok_or_else(|| format!("a refusal code is 1, 3, 4, 6 or 7, not {code}"))?,
                    observations: self
                        .observations
                        .iter()
                        .flatten()
                        .map(|o| Observation {
                            code: o.code,
                            text: o.text.clone(),
                        })
                        .collect(),
                    wrong_fields: self.wrong_fields.clone().unwrap_or_default(),
                }
            }
            N::Never => Outcome::Never,
            N::Investigate => Outcome::Investigate {
                instructions: self
                    .instructions
                    .clone()
                    .unwrap_or_else(|| DEFAULT_INVESTIGATION.to_string()),
            },
            N::Http500 => Outcome::Http500 {
                times: self.times.unwrap_or(1),
            },
            N::Reset => Outcome::Reset,
            N::Slow => Outcome::Slow {
                delay: Duration::from_millis(self.delay_ms.ok_or_else(|| missing("delay_ms"))?),
                record_before_delay: self.record_before_delay.unwrap_or(false),
                times: self.times,
            },
            N::MalformedAck => Outcome::MalformedAck,
            N::DuplicateAck => Outcome::DuplicateAck,
            N::Receipt401 => Outcome::Receipt(ReceiptFault::Unreachable {
                times: self.times.unwrap_or(1),
            }),
            N::Receipt601 => Outcome::Receipt(ReceiptFault::SentThenReceived),
            N::Receipt204 => Outcome::Receipt(ReceiptFault::Refused { status: EXPIRED }),
            N::Receipt310 => Outcome::Receipt(ReceiptFault::Refused {
                status: UNKNOWN_SENDER,
            }),
            N::Receipt330 => Outcome::Receipt(ReceiptFault::Refused { status: TOO_LARGE }),
            N::NoReceipt => Outcome::Receipt(ReceiptFault::Never),
            N::InboxForeignSender => Outcome::Inbox(InboxFault::ForeignSender),
            N::InboxUnknownType => Outcome::Inbox(InboxFault::UnknownType),
            N::InboxWithoutEnvelope => Outcome::Inbox(InboxFault::WithoutEnvelope),
            N::InboxMalformedEnvelope => Outcome::Inbox(InboxFault::MalformedEnvelope),
            N::AccountAlreadyKept => Outcome::AccountAlreadyKept,
            N::RciAlreadyDone => Outcome::RciAlreadyDone,
            N::ClosingOrder => Outcome::ClosingOrder {
                domicile: self.domicile()?,
                ordering_fund: self.ordering_fund()?,
            },
            N::CiComplement => Outcome::Notice(Notice::complement(
                self.surname.as_deref(),
                self.given_names.as_deref(),
                self.country_of_origin,
            )?),
            N::SplittingNotice => Outcome::Notice(Notice::splitting(
                self.spouse_vn.as_deref(),
                self.split_years.as_deref(),
                self.ordering_fund()?,
            )?),
        })
    }

    /// The ordering fund of a `closing_order` or a `splitting_notice`.
    fn ordering_fund(&self) -> Result<Option<FundNumber>, String> {
        self.ordering_fund
            .as_deref()
            .map(|f| FundNumber::parse(f).map_err(|e| format!("ordering_fund: {e}")))
            .transpose()
    }

    /// The domicile instruction of a `closing_order` (N. 2712).
    fn domicile(&self) -> Result<DomicileInstruction, String> {
        let domicile = match (self.domicile_code, self.domicile_from, self.domicile_to) {
            (None, _, _) => return Err("outcome \"closing_order\" needs `domicile_code`".into()),
            (Some(1), Some(from), Some(to)) => Domicile::InSwitzerland { from, to },
            (Some(1), _, _) => {
                return Err(
                    "domicile_code 1 (domiciled in Switzerland) needs domicile_from and domicile_to (N. 2712)"
                        .into(),
                );
            }
            (Some(2), None, None) => Domicile::NotInSwitzerland,
            (Some(3), None, None) => Domicile::Convention,
            (Some(2 | 3), _, _) => {
                return Err("only domicile_code 1 has a period (N. 2712)".into());
            }
            (Some(code), _, _) => {
                return Err(format!(
                    "domicile_code is 1 (in Switzerland), 2 (not) or 3 (conventions with Germany, Finland, Norway), not {code}"
                ));
            }
        };
        DomicileInstruction::new(domicile).map_err(|e| e.to_string())
    }

    fn outcome_name(&self) -> &'static str {
        use OutcomeName as N;
        match self.outcome {
            N::Receipt401 => "receipt_401",
            N::Receipt601 => "receipt_601",
            N::Receipt204 => "receipt_204",
            N::Receipt310 => "receipt_310",
            N::Receipt330 => "receipt_330",
            N::NoReceipt => "no_receipt",
            N::InboxForeignSender => "inbox_foreign_sender",
            N::InboxUnknownType => "inbox_unknown_type",
            N::InboxWithoutEnvelope => "inbox_without_envelope",
            N::InboxMalformedEnvelope => "inbox_malformed_envelope",
            N::ClosingOrder => "closing_order",
            N::CiComplement => "ci_complement",
            N::SplittingNotice => "splitting_notice",
            N::Done => "done",
            N::InProgress => "in_progress",
            N::InProgressThenDone => "in_progress_then_done",
            N::InProgressRepeated => "in_progress_repeated",
            N::Refused => "refused",
            N::Never => "never",
            N::Investigate => "investigate",
            N::Http500 => "http_500",
            N::Reset => "reset",
            N::Slow => "slow",
            N::MalformedAck => "malformed_ack",
            N::DuplicateAck => "duplicate_ack",
            N::AccountAlreadyKept => "account_already_kept",
            N::RciAlreadyDone => "rci_already_done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEMS: &str = r#"
server_cert = "server.pem"
server_key = "server-key.pem"
client_ca = "ca.pem"
"#;

    fn parse(extra: &str) -> Result<SimConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        for f in ["server.pem", "server-key.pem", "ca.pem"] {
            std::fs::write(dir.path().join(f), format!("pem of {f}")).unwrap();
        }
        let text = format!("{PEMS}{extra}");
        let path = dir.path().join("zas-sim.toml");
        std::fs::write(&path, &text).unwrap();
        SimConfig::load(&path)
    }

    #[test]
    fn a_full_file_reads() {
        let c = parse(
            r#"
listen = "127.0.0.1:0"
participant_id = "T6-ZAS-2"
max_body_bytes = 1000
max_entries = 10
senders = ["T7-066000-1"]
default = { outcome = "in_progress" }

[[rules]]
reference_prefix = "PROG-"
outcome = "in_progress_then_done"
after_working_days = 3

[[rules]]
key = 99
outcome = "refused"
code = 3
observations = [{ code = 112, text = "no RCI to revoke" }]
wrong_fields = [7]

[[rules]]
reference_prefix = "SLOW-"
outcome = "slow"
delay_ms = 1500

[calendar]
closing_days = [{ date = "2026-12-24", reason = "ZAS closed" }]
"#,
        )
        .unwrap();
        assert_eq!(c.participant_id.as_str(), "T6-ZAS-2");
        assert_eq!(c.tls.server_key_pem, "pem of server-key.pem");
        assert_eq!(c.max_body_bytes, 1000);
        assert_eq!(c.senders.as_ref().map(Vec::len), Some(1));
        assert_eq!(c.scenarios.default_outcome(), &Outcome::InProgress);
        assert_eq!(c.scenarios.rules().len(), 3);
        assert_eq!(
            c.scenarios.rules()[0].outcome,
            Outcome::InProgressThenDone {
                after_working_days: 3
            }
        );
        assert!(matches!(
            &c.scenarios.rules()[1].outcome,
            Outcome::Refused { code, observations, wrong_fields }
                if code.code() == 3 && observations.len() == 1 && wrong_fields == &[7]
        ));
        assert_eq!(c.calendar.closing_days.len(), 1);
    }

    #[test]
    fn in_progress_repeated_reads() {
        let c = parse("default = { outcome = \"in_progress_repeated\", every_working_days = 5 }")
            .unwrap();
        assert_eq!(
            c.scenarios.default_outcome(),
            &Outcome::InProgressRepeated {
                every_working_days: 5
            }
        );
    }

    #[test]
    fn a_sedex_section_reads_relative_to_the_file() {
        let c = parse(
            "[sedex]\ninterface_dir = \"sedex\"\n\n[[rules]]\nreference_prefix = \"R4-\"\noutcome = \"receipt_401\"\ntimes = 2",
        )
        .unwrap();
        let sedex = c.sedex.unwrap();
        assert!(sedex.folders.outbox.ends_with("sedex/outbox"), "{sedex:?}");
        assert_eq!(
            c.scenarios.rules()[0].outcome,
            Outcome::Receipt(ReceiptFault::Unreachable { times: 2 })
        );
        assert_eq!(parse("").unwrap().sedex, None, "HTTPS only");
        let e = parse("participant_id = \"T6-ZAS-1\"\n[sedex]\ninterface_dir = \"s\"\nforeign_sender_id = \"T6-ZAS-1\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sedex.foreign_sender_id: must differ"), "{e}");
        let e = parse("[sedex]\noutbox = \"o\"").unwrap_err().to_string();
        assert!(e.contains("sedex.inbox: missing"), "{e}");
    }

    #[test]
    fn a_closing_order_rule_reads_with_its_domicile() {
        let c = parse(
            "[[rules]]\nkey = 61\noutcome = \"closing_order\"\ndomicile_code = 1\ndomicile_from = \"1990-01-01\"\ndomicile_to = \"2026-11-30\"\nordering_fund = \"001.000\"\n\n[[rules]]\nreference_prefix = \"C3-\"\noutcome = \"closing_order\"\ndomicile_code = 3",
        )
        .unwrap();
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            c.scenarios.rules()[0].outcome,
            Outcome::ClosingOrder {
                domicile: DomicileInstruction::new(Domicile::InSwitzerland {
                    from: day(1990, 1, 1),
                    to: day(2026, 11, 30)
                })
                .unwrap(),
                ordering_fund: Some(FundNumber::new(1, 0).unwrap()),
            }
        );
        assert_eq!(c.scenarios.rules()[1].outcome.name(), "closing_order");
        for (rule, expected) in [
            ("", "needs `domicile_code`"),
            ("\ndomicile_code = 1", "needs domicile_from and domicile_to"),
            (
                "\ndomicile_code = 2\ndomicile_to = \"2020-01-01\"",
                "only domicile_code 1",
            ),
            ("\ndomicile_code = 4", "not 4"),
            (
                "\ndomicile_code = 1\ndomicile_from = \"2020-01-01\"\ndomicile_to = \"2010-01-01\"",
                "cannot end before it starts",
            ),
            (
                "\ndomicile_code = 2\nordering_fund = \"x\"",
                "ordering_fund",
            ),
        ] {
            let text = format!("[[rules]]\nkey = 61\noutcome = \"closing_order\"{rule}");
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(expected), "{rule}: {e}");
        }
    }

    #[test]
    fn defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.participant_id.as_str(), DEFAULT_PARTICIPANT_ID);
        assert_eq!(c.max_entries, DEFAULT_MAX_ENTRIES);
        assert_eq!(c.senders, None);
        assert_eq!(c.scenarios, Scenarios::default());
    }

    #[test]
    fn mistakes_are_named_on_one_line() {
        let cases = [
            ("colour = 1", "unknown field"),
            ("default = { outcome = \"finished\" }", "unknown variant"),
            ("[[rules]]\noutcome = \"done\"", "rules[0]: a rule needs"),
            (
                "[[rules]]\nkey = 73\noutcome = \"done\"",
                "no longer in force",
            ),
            (
                "[[rules]]\nkey = 99\noutcome = \"refused\"\ncode = 2",
                "refusal code",
            ),
            (
                "[[rules]]\nkey = 99\noutcome = \"done\"\ncode = 3",
                "`code` is not a setting",
            ),
            (
                "[[rules]]\nkey = 99\noutcome = \"slow\"",
                "needs `delay_ms`",
            ),
            (
                "default = { outcome = \"done\", key = 11 }",
                "belong in [[rules]]",
            ),
            ("participant_id = \"ZAS\"", "participant_id"),
            (
                "default = { outcome = \"in_progress_repeated\" }",
                "needs `every_working_days`",
            ),
            (
                "default = { outcome = \"in_progress_repeated\", every_working_days = 0 }",
                "every_working_days is between 1",
            ),
        ];
        for (extra, expected) in cases {
            let e = parse(extra).unwrap_err().to_string();
            assert!(e.contains(expected), "{extra}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        for f in ["server.pem", "server-key.pem"] {
            std::fs::write(dir.path().join(f), "pem").unwrap();
        }
        std::fs::write(&path, PEMS.replace("ca.pem", "missing.pem")).unwrap();
        let e = SimConfig::load(&path).unwrap_err().to_string();
        assert!(e.contains("client_ca: cannot read"), "{e}");
    }

    #[test]
    fn complement_and_splitting_notice_rules_read_with_their_settings() {
        use crate::sim::Notice;
        let c = parse(
            "[[rules]]\nkey = 61\noutcome = \"ci_complement\"\nsurname = \"Rossi\"\ngiven_names = \"Anna\"\ncountry_of_origin = 218\n\n[[rules]]\nkey = 95\noutcome = \"splitting_notice\"\n\n[[rules]]\nkey = 63\noutcome = \"splitting_notice\"\nspouse_vn = \"756.3047.5009.62\"\nsplit_years = [1995, 1996]\nordering_fund = \"001.000\"",
        )
        .unwrap();
        let rules = c.scenarios.rules();
        let Outcome::Notice(Notice::CiComplement { change }) = &rules[0].outcome else {
            panic!("{:?}", rules[0].outcome);
        };
        assert_eq!(change.name().map(|n| n.surname()), Some("Rossi"));
        assert_eq!(change.country().map(|c| c.code()), Some(218));
        assert_eq!(
            rules[1].outcome,
            Outcome::Notice(Notice::SplittingNotice {
                splitting: None,
                ordering_fund: None
            })
        );
        assert_eq!(rules[2].outcome.name(), "splitting_notice");
        for (rule, expected) in [
            (
                "outcome = \"ci_complement\"",
                "needs `surname` or `country_of_origin`",
            ),
            (
                "outcome = \"ci_complement\"\ngiven_names = \"Anna\"",
                "given_names needs surname",
            ),
            (
                "outcome = \"ci_complement\"\ncountry_of_origin = 101",
                "country_of_origin",
            ),
            (
                "outcome = \"ci_complement\"\nspouse_vn = \"756.3047.5009.62\"",
                "`spouse_vn` is not a setting",
            ),
            (
                "outcome = \"splitting_notice\"\nsplit_years = [1995]",
                "go together",
            ),
            (
                "outcome = \"splitting_notice\"\nspouse_vn = \"756.3047.5009.63\"\nsplit_years = [1995]",
                "spouse_vn",
            ),
            (
                "outcome = \"splitting_notice\"\nspouse_vn = \"756.3047.5009.62\"\nsplit_years = []",
                "N. 3119",
            ),
            (
                "outcome = \"splitting_notice\"\nsurname = \"Rossi\"",
                "`surname` is not a setting",
            ),
        ] {
            let e = parse(&format!("[[rules]]\nkey = 61\n{rule}"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{rule}: {e}");
        }
    }
}
