//! The CI complement (`urn:arcgw:xmlns:arc-ci-complement:1`, N. 2105): the data-transfer types
//! of its content and their conversion to and from [`CiComplement`]. arcgw's own format: the
//! ZAS's content schemas are not public.

use serde::{Deserialize, Serialize};

use super::document::content_at;
use super::error::DtXmlError;
use super::grammar;
use super::item::ItemContent;
use super::lexical;
use super::schema::{CI_COMPLEMENT, MessageKind};
use super::shared::DeliveryOfficeDto;
use super::structure::Grammar;
use crate::domain::{CiChange, CiComplement, MessageHeader};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentDto {
    /// The fund that keeps the CI (N. 2105).
    delivery_office: DeliveryOfficeDto,
    vn: String,
    /// d. The name as it now stands in the central register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<NameDto>,
    /// g. The country of origin as it now stands in the central register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country_of_origin: Option<String>,
    change_date: String,
}

/// d. Official surname and all given names (N. 3107, 3108); no `firstNames` for NN (N. 3110).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameDto {
    official_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_names: Option<String>,
}

impl ItemContent for ContentDto {
    type Item = CiComplement;
    const KIND: &'static MessageKind = &CI_COMPLEMENT;
    const GRAMMAR: &'static Grammar = &grammar::CI_COMPLEMENT;

    fn from_item(c: &CiComplement) -> Result<Self, DtXmlError> {
        Ok(ContentDto {
            delivery_office: DeliveryOfficeDto::from_domain(c.fund),
            vn: lexical::write_vn(c.avs_number),
            name: c.change.name().map(|name| NameDto {
                official_name: name.surname().to_string(),
                first_names: name.given_names().map(str::to_string),
            }),
            country_of_origin: c.change.country().map(|code| code.code().to_string()),
            change_date: lexical::write_date(c.changed_on, &content_at().child("changeDate"))?,
        })
    }

    fn to_item(&self, header: MessageHeader) -> Result<CiComplement, DtXmlError> {
        let at = content_at();
        let c = self;
        let name = c
            .name
            .as_ref()
            .map(|n| {
                lexical::name(
                    &n.official_name,
                    n.first_names.as_deref(),
                    &at.child("name"),
                )
            })
            .transpose()?;
        let country = c
            .country_of_origin
            .as_deref()
            .map(|code| lexical::state_code(code, &at.child("countryOfOrigin")))
            .transpose()?;
        // N. 2105: a complement tells of a change of the name or of the country of origin.
        let change = CiChange::new(name, country).ok_or_else(|| {
            lexical::invalid(
                &at,
                "a CI complement changes the name, the country of origin or both: it needs name or countryOfOrigin (N. 2105)",
            )
        })?;
        Ok(CiComplement {
            header,
            fund: c.delivery_office.to_domain(&at.child("deliveryOffice"))?,
            avs_number: lexical::vn(&c.vn, &at.child("vn"))?,
            change,
            changed_on: lexical::date(&c.change_date, &at.child("changeDate"))?,
        })
    }
}
