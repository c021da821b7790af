//! The results the simulated ZAS sends with a dealt-with entry (N. 3203), and the AVS numbers it
//! assigns (N. 1102, 1203).
//!
//! Which key gets which result:
//! - certificate keys 11, 13, 15, 19, 21, 25, 31, 35, 41: data to print the certificate (name,
//!   sex, birth date and country from the announcement; issue date = the simulator's today).
//!   The "with CI" keys 21, 25 and 41 get the certificate as well, not an account opening: an
//!   entry carries one result, and the certificate is what the fund cannot make without the ZAS;
//! - 43 (several CAs, with CI) and the account keys 61, 63, 65, 67: the authorisation to open a
//!   CI, for the announcing fund; 33 (several CAs, without CI) gets no result;
//! - RCI keys 71, 75, 79, 81, 85: the confirmation, naming the announcing fund and one other
//!   account fund ([`other_account_fund`]), no other AVS numbers;
//! - 95: the splitting confirmation (the spouse's number, the same two funds);
//! - 92, 93, 94, 96, 97, 98, 99: no result.

use chrono::NaiveDate;

use crate::domain::avs_number::check_digit;
use crate::domain::{
    AcknowledgementResult, Announcement, AvsNumber, CertificatePrint, FundNumber, Particulars,
};

/// A new AVS number as the ZAS assigns one: `756`, nine random digits, the check digit of
/// annex 8.
pub fn assign_avs_number() -> AvsNumber {
    loop {
        let random = uuid::Uuid::new_v4().as_u128() % 1_000_000_000;
        // Below 10^9: the cast cannot truncate.
        let first_twelve = 756_000_000_000u64 + random as u64;
        let digits: Vec<u8> = first_twelve.to_string().bytes().map(|b| b - b'0').collect();
        let value = first_twelve * 10 + u64::from(check_digit(&digits));
        // Always a valid number; the loop only guards the type's constructor.
        if let Ok(number) = AvsNumber::from_digits(value) {
            return number;
        }
    }
}

/// The second fund named in RCI and splitting confirmations: the next fund number after the
/// announcing fund's (999 wraps to 001), main office (agency 000).
pub fn other_account_fund(fund: FundNumber) -> FundNumber {
    let next = fund.fund() % 999 + 1;
    FundNumber::new(next, 0).unwrap_or(fund)
}

/// The AVS number the entry carries: the announcement's, or `assigned` when it had none.
pub fn entry_avs_number(a: &Announcement, assigned: Option<AvsNumber>) -> Option<AvsNumber> {
    a.avs_number().or(assigned)
}

/// Whether the ZAS assigns a number for this announcement: a certificate key without one.
pub fn needs_number(a: &Announcement) -> bool {
    matches!(
        a.particulars(),
        Particulars::Certificate {
            avs_number: None,
            ..
        }
    )
}

/// The result of a dealt-with announcement, if its key has one (see the module's table).
/// `avs_number` is the number the entry carries (given or assigned).
pub fn result_for(
    a: &Announcement,
    avs_number: Option<AvsNumber>,
    today: NaiveDate,
) -> Option<AcknowledgementResult> {
    let avs_number = avs_number?;
    let funds = || vec![a.fund(), other_account_fund(a.fund())];
    match a.particulars() {
        Particulars::Certificate { person, .. } => {
            Some(AcknowledgementResult::Certificate(CertificatePrint {
                avs_number,
                name: person.name.clone(),
                sex: person.sex,
                birth_date: person.birth_date,
                country: person.country,
                issue_date: today,
            }))
        }
        // The keys that open a CI (43, 61, 63, 65, 67); not 33, nor 92, 93, 97, 98.
        Particulars::Account { .. } => {
            a.key()
                .info()
                .with_account
                .then(|| AcknowledgementResult::AccountOpening {
                    avs_number,
                    fund: a.fund(),
                })
        }
        Particulars::Collection { .. } => Some(AcknowledgementResult::CollectionConfirmation {
            avs_number,
            account_funds: funds(),
            other_avs_numbers: Vec::new(),
        }),
        Particulars::Splitting { order, .. } if a.key().code() == 95 => {
            Some(AcknowledgementResult::SplittingConfirmation {
                avs_number,
                spouse_avs_number: order.spouse(),
                account_funds: funds(),
            })
        }
        Particulars::Splitting { .. }
        | Particulars::Domicile { .. }
        | Particulars::SplittingRevocation { .. }
        | Particulars::CollectionRevocation { .. }
        | Particulars::Order { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigned_numbers_are_valid_and_differ() {
        let a = assign_avs_number();
        let b = assign_avs_number();
        assert!(a.digits().starts_with("756"));
        assert_eq!(AvsNumber::parse(&a.digits()), Ok(a));
        assert_ne!(a, b, "nine random digits");
    }

    #[test]
    fn the_other_fund_differs() {
        let f = |n| FundNumber::new(n, 1).unwrap();
        assert_eq!(other_account_fund(f(66)), FundNumber::new(67, 0).unwrap());
        assert_eq!(other_account_fund(f(999)), FundNumber::new(1, 0).unwrap());
    }
}
