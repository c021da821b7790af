//! The transmission (`urn:arcgw:xmlns:arc-transmission:1`): the data-transfer types of its
//! content and their conversion to and from [`Transmission`] (fields a–o, N. 3104–3119).

use serde::{Deserialize, Serialize};

use super::document::{MessageDoc, content_at};
use super::error::DtXmlError;
use super::lexical;
use super::path::At;
use super::schema::{TRANSMISSION, minor_version_of};
use super::shared::{
    DateOfBirthDto, DeliveryOfficeDto, DomicileDto, SplittingDto, domicile, domicile_dto,
    each_item, read_counted, splitting, splitting_dto,
};
use crate::domain::{
    Announcement, Beneficiary, CollectionOrder, FieldSet, Particulars, Person, Transmission,
};

/// The root element `message` around the transmission's content.
pub(crate) type TransmissionDoc = MessageDoc<ContentDto>;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentDto {
    #[serde(rename = "announcement", default)]
    announcements: Vec<AnnouncementDto>,
    /// Like the trailer of the legacy lots: the reader checks it.
    number_of_announcements: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnnouncementDto {
    delivery_office: DeliveryOfficeDto,
    reference: String,
    key_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vn: Option<String>,
    /// Absent for the keys that need the AVS number only (annex 9).
    #[serde(rename = "$value", default, skip_serializing_if = "Option::is_none")]
    particulars: Option<ParticularsDto>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum ParticularsDto {
    Person(PersonDto),
    Collection(CollectionDto),
    /// 94 (minor version 1).
    Domicile(DomicileDto),
    Splitting(SplittingDto),
    /// 96 (minor version 1).
    SplittingRevocation(SplittingRevocationDto),
    /// 99 (minor version 1).
    CollectionRevocation(CollectionRevocationDto),
    /// 92–94, 97–99 as written before minor version 1.
    Order(OrderDto),
}

/// d–g. Personal data (N. 3107–3113).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonDto {
    official_name: String,
    /// Absent for a person without given names, who is `NN` (N. 3110).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_names: Option<String>,
    sex: String,
    date_of_birth: DateOfBirthDto,
    country_of_origin: String,
}

/// k–n. The RCI block (N. 3115–3118).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CollectionDto {
    beneficiary: BeneficiaryDto,
    closing_month: String,
    order_date: String,
    domicile: DomicileDto,
}

/// k. Code 1 is `insuredPerson`; code 0 is `otherPerson` with the beneficiary's AVS number.
#[derive(Debug, Serialize, Deserialize)]
struct BeneficiaryDto {
    #[serde(rename = "$value")]
    who: WhoDto,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum WhoDto {
    InsuredPerson(EmptyDto),
    OtherPerson(OtherPersonDto),
}

#[derive(Debug, Serialize, Deserialize)]
struct EmptyDto {}

#[derive(Debug, Serialize, Deserialize)]
struct OtherPersonDto {
    vn: String,
}

/// 96: the spouse's number alone (annex 9 row 9).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SplittingRevocationDto {
    spouse_vn: String,
}

/// 99: the closing month l of the RCI revoked (annex 9 row 4; N. 2720).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CollectionRevocationDto {
    closing_month: String,
}

/// m. The order date alone (N. 3117): 92–94, 97–99 before minor version 1.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderDto {
    order_date: String,
}

impl TransmissionDoc {
    pub fn from_domain(t: &Transmission) -> Result<Self, DtXmlError> {
        let content = content_at();
        let minor_version = minor_version_of(
            t.announcements
                .iter()
                .map(|a| (a.key(), a.particulars().field_set())),
        );
        let body = ContentDto {
            announcements: each_item(&t.announcements, &content, "announcement", announcement_dto)?,
            number_of_announcements: t.announcements.len().to_string(),
        };
        MessageDoc::new(&TRANSMISSION, minor_version, &t.header, body)
    }

    pub fn to_domain(&self) -> Result<Transmission, DtXmlError> {
        let header = self.header.to_domain(&TRANSMISSION)?;
        let content = content_at();
        let count = (
            self.content.number_of_announcements.as_str(),
            "numberOfAnnouncements",
            "the number of announcements",
        );
        let announcements = read_counted(
            &self.content.announcements,
            &content,
            "announcement",
            count,
            announcement,
        )?;
        Ok(Transmission {
            header,
            announcements,
        })
    }
}

fn announcement_dto(a: &Announcement, at: &At) -> Result<AnnouncementDto, DtXmlError> {
    let particulars = match a.particulars() {
        Particulars::Certificate { person, .. } => Some(ParticularsDto::Person(person_dto(
            person,
            &at.child("person"),
        )?)),
        Particulars::Account { .. } => None,
        Particulars::Collection { order, .. } => Some(ParticularsDto::Collection(collection_dto(
            order,
            &at.child("collection"),
        )?)),
        Particulars::Domicile { domicile, .. } => Some(ParticularsDto::Domicile(domicile_dto(
            *domicile,
            &at.child("domicile"),
        )?)),
        Particulars::Splitting { order, .. } => Some(ParticularsDto::Splitting(splitting_dto(
            order,
            &at.child("splitting"),
        )?)),
        Particulars::SplittingRevocation { spouse, .. } => Some(
            ParticularsDto::SplittingRevocation(SplittingRevocationDto {
                spouse_vn: lexical::write_vn(*spouse),
            }),
        ),
        Particulars::CollectionRevocation { closing, .. } => Some(
            ParticularsDto::CollectionRevocation(CollectionRevocationDto {
                closing_month: lexical::write_year_month(*closing),
            }),
        ),
        Particulars::Order { order_date, .. } => Some(ParticularsDto::Order(OrderDto {
            order_date: lexical::write_date(*order_date, &at.child("order").child("orderDate"))?,
        })),
    };
    Ok(AnnouncementDto {
        delivery_office: DeliveryOfficeDto::from_domain(a.fund()),
        reference: a.reference().as_str().to_string(),
        key_code: a.key().code().to_string(),
        vn: a.avs_number().map(lexical::write_vn),
        particulars,
    })
}

fn person_dto(p: &Person, at: &At) -> Result<PersonDto, DtXmlError> {
    Ok(PersonDto {
        official_name: p.name.surname().to_string(),
        first_names: p.name.given_names().map(str::to_string),
        sex: p.sex.code().to_string(),
        date_of_birth: DateOfBirthDto::from_domain(p.birth_date, &at.child("dateOfBirth"))?,
        country_of_origin: p.country.code().to_string(),
    })
}

fn collection_dto(order: &CollectionOrder, at: &At) -> Result<CollectionDto, DtXmlError> {
    Ok(CollectionDto {
        beneficiary: BeneficiaryDto {
            who: match order.beneficiary {
                Beneficiary::Insured => WhoDto::InsuredPerson(EmptyDto {}),
                Beneficiary::Other(vn) => WhoDto::OtherPerson(OtherPersonDto {
                    vn: lexical::write_vn(vn),
                }),
            },
        },
        closing_month: lexical::write_year_month(order.closing),
        order_date: lexical::write_date(order.order_date, &at.child("orderDate"))?,
        domicile: domicile_dto(order.domicile, &at.child("domicile"))?,
    })
}

/// The element that carries the particulars of a field set (none for `Account`).
fn element_of(fields: FieldSet) -> &'static str {
    match fields {
        FieldSet::Certificate => "person",
        FieldSet::Account => "(none)",
        FieldSet::Collection => "collection",
        FieldSet::Domicile => "domicile",
        FieldSet::Splitting => "splitting",
        FieldSet::SplittingRevocation => "splittingRevocation",
        FieldSet::CollectionRevocation => "collectionRevocation",
        FieldSet::Order => "order",
    }
}

/// One announcement; the particulars must be those its key needs (annex 9).
fn announcement(dto: &AnnouncementDto, at: &At) -> Result<Announcement, DtXmlError> {
    let fund = dto.delivery_office.to_domain(&at.child("deliveryOffice"))?;
    let reference = lexical::reference(&dto.reference, &at.child("reference"))?;
    let key = lexical::key_code(&dto.key_code, &at.child("keyCode"))?;
    let vn_at = at.child("vn");
    let avs_number = dto
        .vn
        .as_deref()
        .map(|text| lexical::vn(text, &vn_at))
        .transpose()?;
    let found = match dto.particulars {
        None => FieldSet::Account,
        Some(ParticularsDto::Person(_)) => FieldSet::Certificate,
        Some(ParticularsDto::Collection(_)) => FieldSet::Collection,
        Some(ParticularsDto::Domicile(_)) => FieldSet::Domicile,
        Some(ParticularsDto::Splitting(_)) => FieldSet::Splitting,
        Some(ParticularsDto::SplittingRevocation(_)) => FieldSet::SplittingRevocation,
        Some(ParticularsDto::CollectionRevocation(_)) => FieldSet::CollectionRevocation,
        Some(ParticularsDto::Order(_)) => FieldSet::Order,
    };
    // A document written before minor version 1 may carry the field set of before the annex 9 correction.
    if found != key.fields() && key.fields_before() != Some(found) {
        return Err(lexical::invalid(
            at,
            format!(
                "key {key} needs the particulars {} (annex 9), not {}",
                element_of(key.fields()),
                element_of(found)
            ),
        ));
    }
    let required = |avs_number: Option<_>| {
        avs_number.ok_or_else(|| {
            lexical::invalid(
                &vn_at,
                format!("key {key} needs the AVS number (annex 9), and it is missing"),
            )
        })
    };
    let particulars = match &dto.particulars {
        Some(ParticularsDto::Person(p)) => Particulars::Certificate {
            avs_number,
            person: person(p, &at.child("person"))?,
        },
        None => Particulars::Account {
            avs_number: required(avs_number)?,
        },
        Some(ParticularsDto::Collection(c)) => Particulars::Collection {
            avs_number: required(avs_number)?,
            order: collection(c, &at.child("collection"))?,
        },
        Some(ParticularsDto::Domicile(d)) => Particulars::Domicile {
            avs_number: required(avs_number)?,
            domicile: domicile(d, &at.child("domicile"))?,
        },
        Some(ParticularsDto::Splitting(s)) => Particulars::Splitting {
            avs_number: required(avs_number)?,
            order: splitting(s, &at.child("splitting"))?,
        },
        Some(ParticularsDto::SplittingRevocation(s)) => Particulars::SplittingRevocation {
            avs_number: required(avs_number)?,
            spouse: lexical::vn(
                &s.spouse_vn,
                &at.child("splittingRevocation").child("spouseVn"),
            )?,
        },
        Some(ParticularsDto::CollectionRevocation(c)) => Particulars::CollectionRevocation {
            avs_number: required(avs_number)?,
            closing: lexical::year_month(
                &c.closing_month,
                &at.child("collectionRevocation").child("closingMonth"),
            )?,
        },
        Some(ParticularsDto::Order(o)) => Particulars::Order {
            avs_number: required(avs_number)?,
            order_date: lexical::date(&o.order_date, &at.child("order").child("orderDate"))?,
        },
    };
    Announcement::new(fund, reference, key, particulars).map_err(|e| lexical::invalid(at, e))
}

fn person(dto: &PersonDto, at: &At) -> Result<Person, DtXmlError> {
    Ok(Person {
        name: lexical::name(&dto.official_name, dto.first_names.as_deref(), at)?,
        sex: lexical::sex(&dto.sex, &at.child("sex"))?,
        birth_date: dto.date_of_birth.to_domain(&at.child("dateOfBirth"))?,
        country: lexical::state_code(&dto.country_of_origin, &at.child("countryOfOrigin"))?,
    })
}

fn collection(dto: &CollectionDto, at: &At) -> Result<CollectionOrder, DtXmlError> {
    let beneficiary = match &dto.beneficiary.who {
        WhoDto::InsuredPerson(_) => Beneficiary::Insured,
        WhoDto::OtherPerson(other) => Beneficiary::Other(lexical::vn(
            &other.vn,
            &at.child("beneficiary").child("otherPerson").child("vn"),
        )?),
    };
    Ok(CollectionOrder {
        beneficiary,
        closing: lexical::year_month(&dto.closing_month, &at.child("closingMonth"))?,
        order_date: lexical::date(&dto.order_date, &at.child("orderDate"))?,
        domicile: domicile(&dto.domicile, &at.child("domicile"))?,
    })
}
