//! The ZAS's CI complements (N. 2105): stored once by message id and offered to the fund's
//! system a page at a time ([`super::zas_messages`]). The fund applies the change to its own
//! register (N. 2105, 2802); arcgw keeps what the ZAS sent.

use chrono::NaiveDate;

use super::Store;
use super::error::StoreError;
use super::persons::parse_stored;
use super::reminders::date_text;
use super::sql::{Row, args};
use super::zas_messages::{Arrival, FundFeed, MessageIntake, Received};
use crate::domain::{AvsNumber, CiChange, CiComplement, FundNumber, PersonName, StateCode};

/// A stored CI complement, as the fund's system sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCiComplement {
    pub id: i64,
    pub received: Received,
    /// The fund that keeps the CI (N. 2105).
    pub fund: FundNumber,
    pub avs_number: AvsNumber,
    pub change: CiChange,
    pub changed_on: NaiveDate,
}

impl Store {
    /// Takes in a CI complement as it arrived, once by its message id.
    pub async fn take_in_ci_complement(
        &self,
        arrival: Arrival<'_>,
        complement: &CiComplement,
    ) -> Result<MessageIntake, StoreError> {
        let name = complement.change.name();
        self.take_in_once(
            arrival,
            (&complement.header, complement.fund),
            &[complement.avs_number],
            (
                "ci_complements",
                "person_id, surname, given_names, country_code, changed_on",
            ),
            |persons| {
                args![
                    persons[&complement.avs_number],
                    name.map(|n| n.surname().to_string()),
                    name.and_then(PersonName::given_names),
                    complement.change.country().map(|c| i64::from(c.code())),
                    date_text(complement.changed_on)
                ]
            },
        )
        .await
    }
}

impl FundFeed for StoredCiComplement {
    const SELECT: &'static str = "SELECT k.id, k.environment, k.message_id, k.message_date, \
         k.fund, p.avs_number, k.person_id, k.surname, k.given_names, k.country_code, \
         k.changed_on, k.received_at \
         FROM ci_complements k JOIN persons p ON p.id = k.person_id";

    fn decode(row: &Row) -> Result<Self, StoreError> {
        let id = row.int("id")?;
        let corrupt = |what| StoreError::corrupt(what, id);
        let name = match (row.opt_text("surname")?, row.opt_text("given_names")?) {
            (Some(surname), given) => Some(
                PersonName::stored(&surname, given.as_deref().unwrap_or(""))
                    .map_err(|_| corrupt("name of the CI complement"))?
                    .0,
            ),
            (None, None) => None,
            (None, Some(_)) => return Err(corrupt("name of the CI complement")),
        };
        let country = row
            .opt_int("country_code")?
            .map(|code| StateCode::new(code).map_err(|_| corrupt("country of the CI complement")))
            .transpose()?;
        Ok(StoredCiComplement {
            id,
            received: Received::decode(row, id)?,
            fund: FundNumber::parse(&row.text("fund")?).map_err(|_| corrupt("fund"))?,
            avs_number: parse_stored(Some(row.text("avs_number")?), Some(row.int("person_id")?))?
                .ok_or_else(|| corrupt("person"))?,
            change: CiChange::new(name, country)
                .ok_or_else(|| corrupt("change of the CI complement"))?,
            changed_on: NaiveDate::parse_from_str(&row.text("changed_on")?, "%Y-%m-%d")
                .map_err(|_| corrupt("day of the change"))?,
        })
    }

    fn id(&self) -> i64 {
        self.id
    }
}
