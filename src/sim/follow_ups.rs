//! The messages of its own the simulated ZAS sends after an announcement's acknowledgement, as
//! the announcement's rule says: a closing-and-transmission order (`closing_order`, N. 2707;
//! [`super::closing_orders`]), a CI complement (`ci_complement`, N. 2105) or a splitting notice
//! (`splitting_notice`, N. 2602), to the announcing fund about the announcement's person. In
//! arcgw's own XML (`schemas/arc-*.xsd`; the ZAS's is not public); in the HTTPS feed after the
//! acknowledgement, over sedex each as a message type of its own.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use super::acknowledgements::{Addressee, Document, DocumentKind};
use super::closing_orders::ClosingOrderFor;
use super::scenario::Outcome;
use crate::domain::{
    Announcement, AvsNumber, CiChange, CiComplement, FundNumber, MessageHeader, MessageId,
    ParticipantId, Particulars, PersonName, SplitYear, SplittingNotice, SplittingOrder, Spouses,
    StateCode,
};
use crate::dtxml::{DtXmlError, write_ci_complement, write_splitting_notice};

/// A CI complement or a splitting notice a rule calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// `ci_complement`: the ZAS changed the person's name and/or country of origin in the
    /// central register today (`change`), and tells the announcing fund, which keeps a CI of
    /// the person (N. 2105).
    CiComplement { change: CiChange },
    /// `splitting_notice`: the ZAS tells the announcing fund of a splitting ordered by
    /// `ordering_fund` (the fund itself when `None`) for the announcement's person, with the
    /// spouse and years of `splitting` — or, when `None`, those of the announcement's own
    /// splitting order (key 95) (N. 2602, 3119).
    SplittingNotice {
        splitting: Option<SplittingOrder>,
        ordering_fund: Option<FundNumber>,
    },
}

impl Notice {
    /// The configuration name of the outcome.
    pub fn name(&self) -> &'static str {
        match self {
            Notice::CiComplement { .. } => "ci_complement",
            Notice::SplittingNotice { .. } => "splitting_notice",
        }
    }

    /// A `ci_complement` rule's settings: the new surname (with `given_names`, none for NN)
    /// and/or the new country of origin's state code.
    pub fn complement(
        surname: Option<&str>,
        given_names: Option<&str>,
        country: Option<i64>,
    ) -> Result<Notice, String> {
        let name = match (surname, given_names) {
            (Some(surname), given) => Some(
                PersonName::stored(surname, given.unwrap_or(""))
                    .map_err(|e| format!("surname, given_names: {e}"))?
                    .0,
            ),
            (None, Some(_)) => return Err("given_names needs surname".into()),
            (None, None) => None,
        };
        let country = country
            .map(|code| StateCode::new(code).map_err(|e| format!("country_of_origin: {e}")))
            .transpose()?;
        let change = CiChange::new(name, country)
            .ok_or("outcome \"ci_complement\" needs `surname` or `country_of_origin` (N. 2105)")?;
        Ok(Notice::CiComplement { change })
    }

    /// A `splitting_notice` rule's settings: the spouse's AVS number and the years to split,
    /// both or neither (then the announcement's own splitting order gives them).
    pub fn splitting(
        spouse: Option<&str>,
        years: Option<&[i32]>,
        ordering_fund: Option<FundNumber>,
    ) -> Result<Notice, String> {
        let splitting = match (spouse, years) {
            (Some(spouse), Some(years)) => {
                let spouse = AvsNumber::parse(spouse).map_err(|e| format!("spouse_vn: {e}"))?;
                let years = years
                    .iter()
                    .map(|&year| SplitYear {
                        year,
                        special: None,
                    })
                    .collect();
                Some(
                    SplittingOrder::new(spouse, years)
                        .ok_or("split_years: at least one year, each named once (N. 3119)")?,
                )
            }
            (None, None) => None,
            _ => return Err("spouse_vn and split_years go together".into()),
        };
        Ok(Notice::SplittingNotice {
            splitting,
            ordering_fund,
        })
    }

    /// The notice about `a`'s person, written; `None` when there is none to send (no AVS
    /// number, no spouse and years, or the spouse is the person).
    fn document(
        &self,
        a: &Announcement,
        zas: &ParticipantId,
        to: &Addressee,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Option<Document>, DtXmlError> {
        let Some(avs_number) = a.avs_number() else {
            return Ok(None);
        };
        match self {
            Notice::CiComplement { change } => {
                let complement = |header| CiComplement {
                    header,
                    fund: a.fund(),
                    avs_number,
                    change: change.clone(),
                    changed_on: today,
                };
                document(DocumentKind::CiComplement, zas, to, now, |h| {
                    write_ci_complement(&complement(h))
                })
                .map(Some)
            }
            Notice::SplittingNotice {
                splitting,
                ordering_fund,
            } => {
                let own = match a.particulars() {
                    Particulars::Splitting { order, .. } => Some(order),
                    _ => None,
                };
                let Some(spouses) = splitting
                    .as_ref()
                    .or(own)
                    .and_then(|order| Spouses::new(avs_number, order.clone()).ok())
                else {
                    return Ok(None);
                };
                let notice = |header| SplittingNotice {
                    header,
                    fund: a.fund(),
                    ordering_fund: ordering_fund.unwrap_or(a.fund()),
                    spouses: spouses.clone(),
                };
                document(DocumentKind::SplittingNotice, zas, to, now, |h| {
                    write_splitting_notice(&notice(h))
                })
                .map(Some)
            }
        }
    }
}

/// A message of the ZAS of `kind` to the fund of `to`, under a new message id, written by
/// `write` from its header, ready to issue.
pub(crate) fn document(
    kind: DocumentKind,
    zas: &ParticipantId,
    to: &Addressee,
    now: DateTime<Utc>,
    write: impl FnOnce(MessageHeader) -> Result<String, DtXmlError>,
) -> Result<Document, DtXmlError> {
    let message_id =
        MessageId::new(&uuid::Uuid::new_v4().to_string()).map_err(|e| DtXmlError::Serialise {
            message: e.to_string(),
        })?;
    let xml: Arc<str> = write(MessageHeader {
        sender_id: zas.clone(),
        recipient_id: to.recipient.clone(),
        message_id: message_id.clone(),
        reference_message_id: None,
        message_date: now.trunc_subsecs(0),
        test_delivery: to.test_delivery,
    })?
    .into();
    Ok(Document {
        kind,
        xml,
        message_id: Some(message_id),
        answers: to.transmission.clone(),
        inbox_fault: None,
    })
}

/// The message of its own that `outcome` calls for after `a`'s acknowledgement, written;
/// `None` when it calls for none, or there is none to send for `a`.
pub(crate) fn follow_up(
    outcome: &Outcome,
    a: &Announcement,
    zas: &ParticipantId,
    to: &Addressee,
    (now, today): (DateTime<Utc>, NaiveDate),
) -> Result<Option<Document>, DtXmlError> {
    match outcome {
        Outcome::ClosingOrder {
            domicile,
            ordering_fund,
        } => ClosingOrderFor {
            announcement: a,
            domicile: *domicile,
            ordering_fund: *ordering_fund,
        }
        .document(zas, to, now, today),
        Outcome::Notice(notice) => notice.document(a, zas, to, now, today),
        _ => Ok(None),
    }
}
