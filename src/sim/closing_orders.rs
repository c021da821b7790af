//! The closing-and-transmission orders the simulated ZAS sends (N. 2707–2712): for an
//! announcement whose rule says `closing_order`, an order to its fund — which keeps a CI of the
//! person — to close that CI and transmit it to the ordering fund. In arcgw's own XML
//! (`schemas/arc-closing-order-1.xsd`; the ZAS's is not public).

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};

use super::acknowledgements::{Addressee, Document, DocumentKind};
use crate::domain::{
    Announcement, ClosingMonth, ClosingOrder, DomicileInstruction, FundNumber, KeyCode,
    MessageHeader, MessageId, ParticipantId, RciKey,
};
use crate::dtxml::{DtXmlError, write_closing_order};

/// The key of the simulated RCI: an old-age pension, with CI (annex 1).
const RCI_KEY: i64 = 81;

/// The order a `closing_order` rule calls for, about one announcement's person.
pub(crate) struct ClosingOrderFor<'a> {
    pub announcement: &'a Announcement,
    pub domicile: DomicileInstruction,
    /// The fund that ordered the RCI; the announcing fund itself when `None` (N. 2709).
    pub ordering_fund: Option<FundNumber>,
}

impl ClosingOrderFor<'_> {
    /// The order from `zas` to the announcing fund, written and ready to issue: key 81,
    /// closing month December of last year (N. 3116), ordered today. `None` when the
    /// announcement has no AVS number.
    pub fn document(
        &self,
        zas: &ParticipantId,
        to: &Addressee,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Option<Document>, DtXmlError> {
        let a = self.announcement;
        let Some(avs_number) = a.avs_number() else {
            return Ok(None);
        };
        let unwritable = |message: String| DtXmlError::Serialise { message };
        let message_id = MessageId::new(&uuid::Uuid::new_v4().to_string())
            .map_err(|e| unwritable(e.to_string()))?;
        let key = KeyCode::new(RCI_KEY)
            .map_err(|e| unwritable(e.to_string()))
            .and_then(|k| RciKey::new(k).map_err(|e| unwritable(e.to_string())))?;
        let closing = ClosingMonth::new(today.year() - 1, 12)
            .ok_or_else(|| unwritable(format!("no closing month before {today}")))?;
        let order = ClosingOrder {
            header: MessageHeader {
                sender_id: zas.clone(),
                recipient_id: to.recipient.clone(),
                message_id: message_id.clone(),
                reference_message_id: None,
                message_date: now.trunc_subsecs(0),
                test_delivery: to.test_delivery,
            },
            fund: a.fund(),
            ordering_fund: self.ordering_fund.unwrap_or(a.fund()),
            avs_number,
            key,
            closing,
            order_date: today,
            domicile: self.domicile,
        };
        let xml: Arc<str> = write_closing_order(&order)?.into();
        Ok(Some(Document {
            kind: DocumentKind::ClosingOrder,
            xml,
            message_id: Some(message_id),
            answers: to.transmission.clone(),
            inbox_fault: None,
        }))
    }
}
