//! The ZAS's CI complement (N. 2105): a change of the name or of the country of origin made in
//! the central register of insured persons, sent to a fund that keeps a CI of the person. The
//! fund makes the same change in its register (N. 2105, 2106); names and the country of origin
//! are the stored data it may change, on the ZAS's announcement (N. 2802).

use std::fmt;

use chrono::NaiveDate;

use super::avs_number::AvsNumber;
use super::fund_number::FundNumber;
use super::message::MessageHeader;
use super::name::PersonName;
use super::state_code::StateCode;

/// What changed in the central register (N. 2105): the name, the country of origin, or both.
/// A complement without a change cannot be built.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum CiChange {
    /// d. The official surname and given names (N. 3107).
    Name(PersonName),
    /// g. The state code of the country of origin (N. 3113).
    Country(StateCode),
    NameAndCountry(PersonName, StateCode),
}

impl CiChange {
    /// The change of `name` and/or `country`; `None` when neither is given.
    pub fn new(name: Option<PersonName>, country: Option<StateCode>) -> Option<Self> {
        match (name, country) {
            (Some(name), Some(country)) => Some(CiChange::NameAndCountry(name, country)),
            (Some(name), None) => Some(CiChange::Name(name)),
            (None, Some(country)) => Some(CiChange::Country(country)),
            (None, None) => None,
        }
    }

    /// The new name, when the name changed.
    pub fn name(&self) -> Option<&PersonName> {
        match self {
            CiChange::Name(name) | CiChange::NameAndCountry(name, _) => Some(name),
            CiChange::Country(_) => None,
        }
    }

    /// The new country of origin, when it changed.
    pub fn country(&self) -> Option<StateCode> {
        match self {
            CiChange::Country(country) | CiChange::NameAndCountry(_, country) => Some(*country),
            CiChange::Name(_) => None,
        }
    }
}

impl fmt::Debug for CiChange {
    /// The name is personal data: only which parts changed, and the state code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CiChange")
            .field("name", &self.name().is_some())
            .field("country", &self.country())
            .finish()
    }
}

/// A CI complement as the ZAS sends it to one fund keeping a CI of the person.
#[derive(Clone, PartialEq, Eq)]
pub struct CiComplement {
    /// The message id identifies the complement: a repeated message is the same complement.
    pub header: MessageHeader,
    /// The fund that keeps the CI and applies the change (N. 2105).
    pub fund: FundNumber,
    pub avs_number: AvsNumber,
    pub change: CiChange,
    /// The day the change was made in the central register.
    pub changed_on: NaiveDate,
}

impl fmt::Debug for CiComplement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CiComplement")
            .field("message_id", &self.header.message_id)
            .field("fund", &self.fund)
            .field("change", &self.change)
            .field("changed_on", &self.changed_on)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_holds_a_name_a_country_or_both() {
        let (name, _) = PersonName::stored("Rossi", "Anna").unwrap();
        let italy = StateCode::new(218).unwrap();
        assert_eq!(CiChange::new(None, None), None);
        let both = CiChange::new(Some(name.clone()), Some(italy)).unwrap();
        assert_eq!((both.name(), both.country()), (Some(&name), Some(italy)));
        let only_name = CiChange::new(Some(name.clone()), None).unwrap();
        assert_eq!(only_name.country(), None);
        let only_country = CiChange::new(None, Some(italy)).unwrap();
        assert_eq!(only_country.name(), None);
        assert!(!format!("{both:?}").contains("Rossi"));
    }
}
