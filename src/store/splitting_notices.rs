//! The ZAS's splitting notices (N. 2602): stored once by message id and offered to the fund's
//! system a page at a time. The fund transmits the CI entries of both spouses to the ordering
//! fund (N. 2603) in its own system; arcgw keeps what the ZAS sent. Both spouses' AVS numbers
//! go to `persons` ([`super::zas_messages`]).

use super::Store;
use super::error::StoreError;
use super::persons::parse_stored;
use super::sql::{Row, args};
use super::zas_messages::{Arrival, FundFeed, MessageIntake, Received};
use crate::domain::{FundNumber, SpecialKey, SplitYear, SplittingNotice, SplittingOrder, Spouses};

/// A stored splitting notice, as the fund's system sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSplittingNotice {
    pub id: i64,
    pub received: Received,
    /// The fund involved (N. 2602).
    pub fund: FundNumber,
    pub ordering_fund: FundNumber,
    pub spouses: Spouses,
}

/// The years as stored: ascending, comma-separated, `:4` or `:5` for a special key (N. 2613).
fn years_text(years: &[SplitYear]) -> String {
    years
        .iter()
        .map(|y| match y.special {
            Some(key) => format!("{}:{}", y.year, key.code()),
            None => y.year.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_years(text: &str) -> Option<Vec<SplitYear>> {
    text.split(',')
        .map(|item| {
            let (year, special) = match item.split_once(':') {
                Some((year, key)) => (year, Some(SpecialKey::new(key.parse().ok()?)?)),
                None => (item, None),
            };
            Some(SplitYear {
                year: year.parse().ok()?,
                special,
            })
        })
        .collect()
}

impl Store {
    /// Takes in a splitting notice as it arrived, once by its message id.
    pub async fn take_in_splitting_notice(
        &self,
        arrival: Arrival<'_>,
        notice: &SplittingNotice,
    ) -> Result<MessageIntake, StoreError> {
        let (insured, order) = (notice.spouses.insured(), notice.spouses.order());
        self.take_in_once(
            arrival,
            (&notice.header, notice.fund),
            &[insured, order.spouse()],
            (
                "splitting_notices",
                "ordering_fund, person_id, spouse_person_id, split_years",
            ),
            |persons| {
                args![
                    notice.ordering_fund.to_string(),
                    persons[&insured],
                    persons[&order.spouse()],
                    years_text(order.years())
                ]
            },
        )
        .await
    }
}

impl FundFeed for StoredSplittingNotice {
    const SELECT: &'static str = "SELECT s.id, s.environment, s.message_id, s.message_date, s.fund, \
         s.ordering_fund, p.avs_number, s.person_id, q.avs_number AS spouse_avs_number, \
         s.spouse_person_id, s.split_years, s.received_at \
         FROM splitting_notices s JOIN persons p ON p.id = s.person_id \
         JOIN persons q ON q.id = s.spouse_person_id";

    fn decode(row: &Row) -> Result<Self, StoreError> {
        let id = row.int("id")?;
        let corrupt = |what| StoreError::corrupt(what, id);
        let number = |text: &str, person: &str| -> Result<_, StoreError> {
            parse_stored(Some(row.text(text)?), Some(row.int(person)?))?
                .ok_or_else(|| corrupt("person"))
        };
        let years =
            parse_years(&row.text("split_years")?).ok_or_else(|| corrupt("years to split"))?;
        let order = SplittingOrder::new(number("spouse_avs_number", "spouse_person_id")?, years)
            .ok_or_else(|| corrupt("years to split"))?;
        Ok(StoredSplittingNotice {
            id,
            received: Received::decode(row, id)?,
            fund: FundNumber::parse(&row.text("fund")?).map_err(|_| corrupt("fund"))?,
            ordering_fund: FundNumber::parse(&row.text("ordering_fund")?)
                .map_err(|_| corrupt("ordering fund"))?,
            spouses: Spouses::new(number("avs_number", "person_id")?, order)
                .map_err(|_| corrupt("spouses"))?,
        })
    }

    fn id(&self) -> i64 {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_years_read_back() {
        let years = vec![
            SplitYear {
                year: 1990,
                special: None,
            },
            SplitYear {
                year: 1991,
                special: Some(SpecialKey::InvalidityAverage),
            },
            SplitYear {
                year: 1992,
                special: Some(SpecialKey::AlreadyCounted),
            },
        ];
        assert_eq!(years_text(&years), "1990,1991:4,1992:5");
        assert_eq!(parse_years("1990,1991:4,1992:5"), Some(years));
        for bad in ["", "1990:6", "x", "1990,"] {
            assert_eq!(parse_years(bad), None, "{bad}");
        }
    }
}
