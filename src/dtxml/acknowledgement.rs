//! The acknowledgement (`urn:arcgw:xmlns:arc-acknowledgement:1`): the data-transfer types of
//! its content and their conversion to and from [`Acknowledgement`] (N. 3201–3203).

use serde::{Deserialize, Serialize};

use super::document::{MessageDoc, content_at};
use super::error::DtXmlError;
use super::lexical;
use super::path::At;
use super::schema::{ACKNOWLEDGEMENT, MINOR_VERSION};
use super::shared::{DateOfBirthDto, DeliveryOfficeDto, each_item, read_counted};
use crate::domain::acknowledgement::{MAX_OBSERVATIONS, MAX_WRONG_FIELDS};
use crate::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, CertificatePrint, FundNumber,
    Observation, Processing,
};

/// The root element `message` around the acknowledgement's content.
pub(crate) type AcknowledgementDoc = MessageDoc<ContentDto>;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentDto {
    /// From this date run the 15 working days of N. 3401 for entries still being processed.
    acknowledgement_date: String,
    #[serde(rename = "entry", default)]
    entries: Vec<EntryDto>,
    /// Like the trailer of the legacy lots: the reader checks it.
    number_of_entries: String,
}

/// One entry, matched to its announcement by fund and reference.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryDto {
    delivery_office: DeliveryOfficeDto,
    reference: String,
    key_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
    /// 0 done, 2 still being processed (N. 3202), 1/3/4/6/7 refused.
    processing_code: String,
    #[serde(rename = "observation", default)]
    observations: Vec<ObservationDto>,
    #[serde(rename = "wrongField", default)]
    wrong_fields: Vec<String>,
    /// The fund is invited to investigate, with the ZAS's instructions (N. 3202, 3401).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invitation_to_investigate: Option<String>,
    /// What comes with the entry (N. 3203).
    #[serde(rename = "$value", default, skip_serializing_if = "Option::is_none")]
    result: Option<ResultDto>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ObservationDto {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum ResultDto {
    Certificate(CertificateDto),
    AccountOpening(AccountOpeningDto),
    CollectionConfirmation(CollectionConfirmationDto),
    SplittingConfirmation(SplittingConfirmationDto),
}

/// Data to print the insurance certificate (annex 6).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertificateDto {
    vn: String,
    official_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_names: Option<String>,
    sex: String,
    date_of_birth: DateOfBirthDto,
    country_of_origin: String,
    issue_date: String,
}

/// Authorisation to open an individual account (N. 2202, 2706).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountOpeningDto {
    vn: String,
    delivery_office: DeliveryOfficeDto,
}

/// Confirmation of an RCI (N. 2705).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CollectionConfirmationDto {
    vn: String,
    #[serde(rename = "accountFund", default)]
    account_funds: Vec<DeliveryOfficeDto>,
    #[serde(rename = "otherVn", default)]
    other_vns: Vec<String>,
}

/// Confirmation of a splitting order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SplittingConfirmationDto {
    vn: String,
    spouse_vn: String,
    #[serde(rename = "accountFund", default)]
    account_funds: Vec<DeliveryOfficeDto>,
}

impl AcknowledgementDoc {
    pub fn from_domain(a: &Acknowledgement) -> Result<Self, DtXmlError> {
        let content = content_at();
        // Minor version 1 added the old RCI keys (annex 1, footnote); none, minor version 0.
        let minor_version = if a.entries.iter().any(|e| e.key.is_old_law()) {
            MINOR_VERSION
        } else {
            0
        };
        let body = ContentDto {
            acknowledgement_date: lexical::write_date(
                a.acknowledgement_date,
                &content.child("acknowledgementDate"),
            )?,
            entries: each_item(&a.entries, &content, "entry", entry_dto)?,
            number_of_entries: a.entries.len().to_string(),
        };
        MessageDoc::new(&ACKNOWLEDGEMENT, minor_version, &a.header, body)
    }

    pub fn to_domain(&self) -> Result<Acknowledgement, DtXmlError> {
        let header = self.header.to_domain(&ACKNOWLEDGEMENT)?;
        let content = content_at();
        let acknowledgement_date = lexical::date(
            &self.content.acknowledgement_date,
            &content.child("acknowledgementDate"),
        )?;
        let count = (
            self.content.number_of_entries.as_str(),
            "numberOfEntries",
            "the number of entries",
        );
        let entries = read_counted(&self.content.entries, &content, "entry", count, entry)?;
        Ok(Acknowledgement {
            header,
            acknowledgement_date,
            entries,
        })
    }
}

fn entry_dto(e: &AcknowledgementEntry, at: &At) -> Result<EntryDto, DtXmlError> {
    if e.observations.len() > MAX_OBSERVATIONS {
        return Err(lexical::not_writable(
            at,
            format!(
                "{} observations, at most {MAX_OBSERVATIONS}",
                e.observations.len()
            ),
        ));
    }
    if e.wrong_fields.len() > MAX_WRONG_FIELDS {
        return Err(lexical::not_writable(
            at,
            format!(
                "{} wrong fields, at most {MAX_WRONG_FIELDS}",
                e.wrong_fields.len()
            ),
        ));
    }
    Ok(EntryDto {
        delivery_office: DeliveryOfficeDto::from_domain(e.fund),
        reference: e.reference.as_str().to_string(),
        key_code: e.key.code().to_string(),
        vn: e.avs_number.map(lexical::write_vn),
        message_id: e.message_id.as_ref().map(|id| id.as_str().to_string()),
        processing_code: e.processing.code().to_string(),
        observations: e
            .observations
            .iter()
            .enumerate()
            .map(|(i, o)| {
                Ok(ObservationDto {
                    code: o.code.to_string(),
                    text: o
                        .text
                        .as_deref()
                        .map(|t| lexical::write_text(t, &at.item("observation", i).child("text")))
                        .transpose()?,
                })
            })
            .collect::<Result<_, DtXmlError>>()?,
        wrong_fields: e.wrong_fields.iter().map(u8::to_string).collect(),
        invitation_to_investigate: e
            .investigation
            .as_deref()
            .map(|t| lexical::write_text(t, &at.child("invitationToInvestigate")))
            .transpose()?,
        result: e.result.as_ref().map(|r| result_dto(r, at)).transpose()?,
    })
}

fn result_dto(r: &AcknowledgementResult, at: &At) -> Result<ResultDto, DtXmlError> {
    let funds = |funds: &[FundNumber]| {
        funds
            .iter()
            .copied()
            .map(DeliveryOfficeDto::from_domain)
            .collect()
    };
    Ok(match r {
        AcknowledgementResult::Certificate(c) => {
            let at = at.child("certificate");
            ResultDto::Certificate(CertificateDto {
                vn: lexical::write_vn(c.avs_number),
                official_name: c.name.surname().to_string(),
                first_names: c.name.given_names().map(str::to_string),
                sex: c.sex.code().to_string(),
                date_of_birth: DateOfBirthDto::from_domain(c.birth_date, &at.child("dateOfBirth"))?,
                country_of_origin: c.country.code().to_string(),
                issue_date: lexical::write_date(c.issue_date, &at.child("issueDate"))?,
            })
        }
        AcknowledgementResult::AccountOpening { avs_number, fund } => {
            ResultDto::AccountOpening(AccountOpeningDto {
                vn: lexical::write_vn(*avs_number),
                delivery_office: DeliveryOfficeDto::from_domain(*fund),
            })
        }
        AcknowledgementResult::CollectionConfirmation {
            avs_number,
            account_funds,
            other_avs_numbers,
        } => ResultDto::CollectionConfirmation(CollectionConfirmationDto {
            vn: lexical::write_vn(*avs_number),
            account_funds: funds(account_funds),
            other_vns: other_avs_numbers
                .iter()
                .copied()
                .map(lexical::write_vn)
                .collect(),
        }),
        AcknowledgementResult::SplittingConfirmation {
            avs_number,
            spouse_avs_number,
            account_funds,
        } => ResultDto::SplittingConfirmation(SplittingConfirmationDto {
            vn: lexical::write_vn(*avs_number),
            spouse_vn: lexical::write_vn(*spouse_avs_number),
            account_funds: funds(account_funds),
        }),
    })
}

fn entry(dto: &EntryDto, at: &At) -> Result<AcknowledgementEntry, DtXmlError> {
    let processing_at = at.child("processingCode");
    let code = lexical::small(
        &dto.processing_code,
        &processing_at,
        1,
        "the processing code",
    )?;
    let processing = u8::try_from(code).ok().and_then(Processing::from_code).ok_or_else(|| {
        lexical::invalid(
            &processing_at,
            "the processing code is 0 (done), 2 (still being processed) or 1, 3, 4, 6, 7 (refused)",
        )
    })?;
    Ok(AcknowledgementEntry {
        fund: dto.delivery_office.to_domain(&at.child("deliveryOffice"))?,
        reference: lexical::reference(&dto.reference, &at.child("reference"))?,
        key: lexical::key_code(&dto.key_code, &at.child("keyCode"))?,
        avs_number: dto
            .vn
            .as_deref()
            .map(|t| lexical::vn(t, &at.child("vn")))
            .transpose()?,
        message_id: dto
            .message_id
            .as_deref()
            .map(|t| lexical::message_id(t, &at.child("messageId")))
            .transpose()?,
        processing,
        observations: dto
            .observations
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let code_at = at.item("observation", i).child("code");
                let code = lexical::unsigned(&o.code, &code_at, 5, "an observation code")?;
                Ok(Observation {
                    code: u16::try_from(code).map_err(|_| {
                        lexical::invalid(&code_at, "an observation code is at most 65535")
                    })?,
                    text: o.text.clone(),
                })
            })
            .collect::<Result<_, DtXmlError>>()?,
        wrong_fields: dto
            .wrong_fields
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let field_at = at.item("wrongField", i);
                let number = lexical::unsigned(w, &field_at, 3, "a field number")?;
                u8::try_from(number)
                    .map_err(|_| lexical::invalid(&field_at, "a field number is at most 255"))
            })
            .collect::<Result<_, DtXmlError>>()?,
        investigation: dto.invitation_to_investigate.clone(),
        result: dto.result.as_ref().map(|r| result(r, at)).transpose()?,
    })
}

fn funds(dtos: &[DeliveryOfficeDto], at: &At) -> Result<Vec<FundNumber>, DtXmlError> {
    dtos.iter()
        .enumerate()
        .map(|(i, d)| d.to_domain(&at.item("accountFund", i)))
        .collect()
}

fn result(dto: &ResultDto, at: &At) -> Result<AcknowledgementResult, DtXmlError> {
    Ok(match dto {
        ResultDto::Certificate(c) => {
            let at = at.child("certificate");
            AcknowledgementResult::Certificate(CertificatePrint {
                avs_number: lexical::vn(&c.vn, &at.child("vn"))?,
                name: lexical::name(&c.official_name, c.first_names.as_deref(), &at)?,
                sex: lexical::sex(&c.sex, &at.child("sex"))?,
                birth_date: c.date_of_birth.to_domain(&at.child("dateOfBirth"))?,
                country: lexical::state_code(&c.country_of_origin, &at.child("countryOfOrigin"))?,
                issue_date: lexical::date(&c.issue_date, &at.child("issueDate"))?,
            })
        }
        ResultDto::AccountOpening(o) => {
            let at = at.child("accountOpening");
            AcknowledgementResult::AccountOpening {
                avs_number: lexical::vn(&o.vn, &at.child("vn"))?,
                fund: o.delivery_office.to_domain(&at.child("deliveryOffice"))?,
            }
        }
        ResultDto::CollectionConfirmation(c) => {
            let at = at.child("collectionConfirmation");
            AcknowledgementResult::CollectionConfirmation {
                avs_number: lexical::vn(&c.vn, &at.child("vn"))?,
                account_funds: funds(&c.account_funds, &at)?,
                other_avs_numbers: c
                    .other_vns
                    .iter()
                    .enumerate()
                    .map(|(i, v)| lexical::vn(v, &at.item("otherVn", i)))
                    .collect::<Result<_, _>>()?,
            }
        }
        ResultDto::SplittingConfirmation(s) => {
            let at = at.child("splittingConfirmation");
            AcknowledgementResult::SplittingConfirmation {
                avs_number: lexical::vn(&s.vn, &at.child("vn"))?,
                spouse_avs_number: lexical::vn(&s.spouse_vn, &at.child("spouseVn"))?,
                account_funds: funds(&s.account_funds, &at)?,
            }
        }
    })
}
