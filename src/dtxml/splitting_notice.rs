//! The splitting notice (`urn:arcgw:xmlns:arc-splitting-notice:1`, N. 2602): the data-transfer
//! types of its content and their conversion to and from [`SplittingNotice`]. arcgw's own
//! format: the ZAS's content schemas are not public.

use serde::{Deserialize, Serialize};

use super::document::content_at;
use super::error::DtXmlError;
use super::grammar;
use super::item::ItemContent;
use super::lexical;
use super::schema::{MessageKind, SPLITTING_NOTICE};
use super::shared::{DeliveryOfficeDto, SplittingDto, splitting, splitting_dto};
use super::structure::Grammar;
use crate::domain::{MessageHeader, SplittingNotice, Spouses};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentDto {
    /// The fund involved: it keeps a CI of a spouse (N. 2602 → N. 2707).
    delivery_office: DeliveryOfficeDto,
    /// The fund that gave the splitting order (N. 2601).
    ordering_fund: DeliveryOfficeDto,
    /// The insured person the order was given for.
    vn: String,
    /// o. The spouse's number and the years to split (N. 3119, 2613).
    splitting: SplittingDto,
}

impl ItemContent for ContentDto {
    type Item = SplittingNotice;
    const KIND: &'static MessageKind = &SPLITTING_NOTICE;
    const GRAMMAR: &'static Grammar = &grammar::SPLITTING_NOTICE;

    fn from_item(n: &SplittingNotice) -> Result<Self, DtXmlError> {
        Ok(ContentDto {
            delivery_office: DeliveryOfficeDto::from_domain(n.fund),
            ordering_fund: DeliveryOfficeDto::from_domain(n.ordering_fund),
            vn: lexical::write_vn(n.spouses.insured()),
            splitting: splitting_dto(n.spouses.order(), &content_at().child("splitting"))?,
        })
    }

    fn to_item(&self, header: MessageHeader) -> Result<SplittingNotice, DtXmlError> {
        let at = content_at();
        let c = self;
        let splitting_at = at.child("splitting");
        let order = splitting(&c.splitting, &splitting_at)?;
        let spouses = Spouses::new(lexical::vn(&c.vn, &at.child("vn"))?, order)
            .map_err(|e| lexical::invalid(&splitting_at.child("spouseVn"), e))?;
        Ok(SplittingNotice {
            header,
            fund: c.delivery_office.to_domain(&at.child("deliveryOffice"))?,
            ordering_fund: c.ordering_fund.to_domain(&at.child("orderingFund"))?,
            spouses,
        })
    }
}
