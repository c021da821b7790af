//! The closing-and-transmission order (`urn:arcgw:xmlns:arc-closing-order:1`, N. 2707–2713):
//! the data-transfer types of its content and their conversion to and from [`ClosingOrder`].
//! arcgw's own format: the ZAS's content schemas are not public.

use serde::{Deserialize, Serialize};

use super::error::DtXmlError;
use super::header::HeaderDto;
use super::lexical;
use super::path::At;
use super::schema::{CLOSING_ORDER, CLOSING_ORDER_NAMESPACE};
use super::shared::{DeliveryOfficeDto, DomicileDto, domicile, domicile_dto};
use crate::domain::{ClosingOrder, DomicileInstruction, RciKey};

/// The root element `message`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "message")]
pub(crate) struct ClosingOrderDoc {
    /// Written as the default namespace; on reading the guard has checked the namespace.
    #[serde(rename = "@xmlns", default)]
    xmlns: String,
    /// Checked by the shape pass on reading.
    #[serde(rename = "@minorVersion", default)]
    minor_version: String,
    header: HeaderDto,
    content: ContentDto,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContentDto {
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

fn content_at() -> At {
    At::root().child("content")
}

impl ClosingOrderDoc {
    pub fn from_domain(o: &ClosingOrder) -> Result<Self, DtXmlError> {
        let content = content_at();
        Ok(ClosingOrderDoc {
            xmlns: CLOSING_ORDER_NAMESPACE.to_string(),
            minor_version: "0".to_string(),
            header: HeaderDto::from_domain(&o.header, &CLOSING_ORDER)?,
            content: ContentDto {
                delivery_office: DeliveryOfficeDto::from_domain(o.fund),
                ordering_fund: DeliveryOfficeDto::from_domain(o.ordering_fund),
                vn: lexical::write_vn(o.avs_number),
                key_code: o.key.code().to_string(),
                closing_month: lexical::write_year_month(o.closing),
                order_date: lexical::write_date(o.order_date, &content.child("orderDate"))?,
                domicile: domicile_dto(o.domicile.domicile(), &content.child("domicile"))?,
            },
        })
    }

    pub fn to_domain(&self) -> Result<ClosingOrder, DtXmlError> {
        let header = self.header.to_domain(&CLOSING_ORDER)?;
        let at = content_at();
        let c = &self.content;
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
