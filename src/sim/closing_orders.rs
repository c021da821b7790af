//! The closing-and-transmission orders the simulated ZAS sends (N. 2707–2712): for an
//! announcement whose rule says `closing_order`, an order to its fund — which keeps a CI of the
//! person — to close that CI and transmit it to the ordering fund. In arcgw's own XML
//! (`schemas/arc-closing-order-1.xsd`; the ZAS's is not public).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::acknowledgements::{Addressee, Document, DocumentKind};
use super::follow_ups::document;
use crate::domain::{
    Announcement, ClosingMonth, ClosingOrder, DomicileInstruction, FundNumber, KeyCode,
    ParticipantId, RciKey,
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
        let key = KeyCode::new(RCI_KEY)
            .map_err(|e| unwritable(e.to_string()))
            .and_then(|k| RciKey::new(k).map_err(|e| unwritable(e.to_string())))?;
        let closing = ClosingMonth::new(today.year() - 1, 12)
            .ok_or_else(|| unwritable(format!("no closing month before {today}")))?;
        let order = |header| ClosingOrder {
            header,
            fund: a.fund(),
            ordering_fund: self.ordering_fund.unwrap_or(a.fund()),
            avs_number,
            key,
            closing,
            order_date: today,
            domicile: self.domicile,
        };
        document(DocumentKind::ClosingOrder, zas, to, now, |header| {
            write_closing_order(&order(header))
        })
        .map(Some)
    }
}
