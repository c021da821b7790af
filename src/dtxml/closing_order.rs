//! The closing-and-transmission order (`urn:arcgw:xmlns:arc-closing-order:1`, N. 2707–2713):
//! the data-transfer types of its content and their conversion to and from [`ClosingOrder`].
//! arcgw's own format: the ZAS's content schemas are not public.

use serde::{Deserialize, Serialize};

use super::document::content_at;
use super::error::DtXmlError;
use super::grammar;
use super::item::ItemContent;
use super::lexical;
use super::schema::{CLOSING_ORDER, MessageKind};
use super::shared::{DeliveryOfficeDto, DomicileDto, domicile, domicile_dto};
use super::structure::Grammar;
use crate::domain::{ClosingOrder, DomicileInstruction, MessageHeader, RciKey};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentDto {
    /// The mandated fund, which keeps a CI of the person (N. 2707).
    delivery_office: DeliveryOfficeDto,
    /// The fund that ordered the RCI (N. 2709: may be the mandated fund).
    ordering_fund: DeliveryOfficeDto,
    vn: String,
    /// The key determining the RCI (N. 2708).
    key_code: String,
    closing_month: String,
    order_date: String,
    /// N. 2712.
    domicile: DomicileDto,
}

impl ItemContent for ContentDto {
    type Item = ClosingOrder;
    const KIND: &'static MessageKind = &CLOSING_ORDER;
    const GRAMMAR: &'static Grammar = &grammar::CLOSING_ORDER;

    fn from_item(o: &ClosingOrder) -> Result<Self, DtXmlError> {
        let content = content_at();
        Ok(ContentDto {
            delivery_office: DeliveryOfficeDto::from_domain(o.fund),
            ordering_fund: DeliveryOfficeDto::from_domain(o.ordering_fund),
            vn: lexical::write_vn(o.avs_number),
            key_code: o.key.code().to_string(),
            closing_month: lexical::write_year_month(o.closing),
            order_date: lexical::write_date(o.order_date, &content.child("orderDate"))?,
            domicile: domicile_dto(o.domicile.domicile(), &content.child("domicile"))?,
        })
    }

    fn to_item(&self, header: MessageHeader) -> Result<ClosingOrder, DtXmlError> {
        let at = content_at();
        let c = self;
        let key_at = at.child("keyCode");
        let key = RciKey::new(lexical::key_code(&c.key_code, &key_at)?)
            .map_err(|e| lexical::invalid(&key_at, e))?;
        let domicile_at = at.child("domicile");
        let domicile = DomicileInstruction::new(domicile(&c.domicile, &domicile_at)?)
            .map_err(|e| lexical::invalid(&domicile_at, e))?;
        Ok(ClosingOrder {
            header,
            fund: c.delivery_office.to_domain(&at.child("deliveryOffice"))?,
            ordering_fund: c.ordering_fund.to_domain(&at.child("orderingFund"))?,
            avs_number: lexical::vn(&c.vn, &at.child("vn"))?,
            key,
            closing: lexical::year_month(&c.closing_month, &at.child("closingMonth"))?,
            order_date: lexical::date(&c.order_date, &at.child("orderDate"))?,
            domicile,
        })
    }
}
