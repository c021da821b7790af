//! The stored form of what an acknowledgement entry says besides its heading: the observations,
//! the wrong fields, the invitation to investigate (N. 3202, 3401) and the result (N. 3203), as
//! JSON without any AVS number.
//!
//! Security baseline (draft art. 3): the AVS numbers of a result (the insured person, the other
//! numbers of the same person, a splitting spouse) are stored in the `persons` table only; here
//! they are person ids. The free texts of the ZAS (observations, instructions) are masked where
//! they look like an AVS number. Decoding rebuilds the domain types with their own constructors, so
//! a stored value that is no longer valid is reported, never trusted.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codec::{CodecError, StoredBirthDate};
use super::redact::redact;
use crate::domain::{
    AcknowledgementEntry, AcknowledgementResult, AvsNumber, BirthDate, CertificatePrint,
    FundNumber, Observation, PersonName, Sex, StateCode,
};

/// The details of an entry as stored in `acknowledgement_entries.details`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredDetails {
    observations: Vec<StoredObservation>,
    wrong_fields: Vec<u8>,
    /// The ZAS's instructions when it invites the fund to investigate (N. 3202, 3401).
    investigation: Option<String>,
    result: Option<StoredResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredObservation {
    code: u16,
    text: Option<String>,
}

/// A result of N. 3203 with person ids in place of AVS numbers; the `kind` tag names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum StoredResult {
    /// Data to print the insurance certificate (annex 6).
    Certificate {
        person_id: i64,
        surname: String,
        given_names: Option<String>,
        sex: u8,
        birth_date: StoredBirthDate,
        country: u16,
        issue_date: NaiveDate,
    },
    /// Authorisation to open an individual account (N. 2202, 2706).
    AccountOpening { person_id: i64, fund: String },
    /// Confirmation of an RCI (N. 2705).
    CollectionConfirmation {
        person_id: i64,
        account_funds: Vec<String>,
        other_person_ids: Vec<i64>,
    },
    /// Confirmation of a splitting order.
    SplittingConfirmation {
        person_id: i64,
        spouse_person_id: i64,
        account_funds: Vec<String>,
    },
}

/// The details of an entry in domain types, AVS numbers restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Details {
    pub observations: Vec<Observation>,
    pub wrong_fields: Vec<u8>,
    pub investigation: Option<String>,
    pub result: Option<AcknowledgementResult>,
}

/// Every AVS number an entry names: its own and those of its result.
pub(crate) fn numbers(entry: &AcknowledgementEntry) -> Vec<AvsNumber> {
    let mut numbers: Vec<AvsNumber> = entry.avs_number.into_iter().collect();
    match &entry.result {
        None => {}
        Some(AcknowledgementResult::Certificate(print)) => numbers.push(print.avs_number),
        Some(AcknowledgementResult::AccountOpening { avs_number, .. }) => {
            numbers.push(*avs_number);
        }
        Some(AcknowledgementResult::CollectionConfirmation {
            avs_number,
            other_avs_numbers,
            ..
        }) => {
            numbers.push(*avs_number);
            numbers.extend(other_avs_numbers.iter().copied());
        }
        Some(AcknowledgementResult::SplittingConfirmation {
            avs_number,
            spouse_avs_number,
            ..
        }) => numbers.extend([*avs_number, *spouse_avs_number]),
    }
    numbers
}

/// The stored form of an entry's details; `persons` gives the id of every number of
/// [`numbers`]. Free texts are masked where they look like an AVS number.
pub(crate) fn encode(
    entry: &AcknowledgementEntry,
    persons: &BTreeMap<AvsNumber, i64>,
) -> Result<StoredDetails, CodecError> {
    let id = |number: &AvsNumber| {
        persons
            .get(number)
            .copied()
            .ok_or(CodecError::MissingPerson("result"))
    };
    let funds = |funds: &[FundNumber]| funds.iter().map(ToString::to_string).collect();
    let result = match &entry.result {
        None => None,
        Some(AcknowledgementResult::Certificate(print)) => Some(StoredResult::Certificate {
            person_id: id(&print.avs_number)?,
            surname: print.name.surname().to_string(),
            given_names: print.name.given_names().map(str::to_string),
            sex: print.sex.code(),
            birth_date: match print.birth_date {
                BirthDate::Day(day) => StoredBirthDate::Day(day),
                BirthDate::Year(year) => StoredBirthDate::Year(year),
            },
            country: print.country.code(),
            issue_date: print.issue_date,
        }),
        Some(AcknowledgementResult::AccountOpening { avs_number, fund }) => {
            Some(StoredResult::AccountOpening {
                person_id: id(avs_number)?,
                fund: fund.to_string(),
            })
        }
        Some(AcknowledgementResult::CollectionConfirmation {
            avs_number,
            account_funds,
            other_avs_numbers,
        }) => Some(StoredResult::CollectionConfirmation {
            person_id: id(avs_number)?,
            account_funds: funds(account_funds),
            other_person_ids: other_avs_numbers.iter().map(id).collect::<Result<_, _>>()?,
        }),
        Some(AcknowledgementResult::SplittingConfirmation {
            avs_number,
            spouse_avs_number,
            account_funds,
        }) => Some(StoredResult::SplittingConfirmation {
            person_id: id(avs_number)?,
            spouse_person_id: id(spouse_avs_number)?,
            account_funds: funds(account_funds),
        }),
    };
    Ok(StoredDetails {
        observations: entry
            .observations
            .iter()
            .map(|o| StoredObservation {
                code: o.code,
                text: o.text.as_deref().map(|t| redact(t).into_owned()),
            })
            .collect(),
        wrong_fields: entry.wrong_fields.clone(),
        investigation: entry
            .investigation
            .as_deref()
            .map(|t| redact(t).into_owned()),
        result,
    })
}

impl StoredDetails {
    /// The JSON text stored in `acknowledgement_entries.details`.
    pub(crate) fn to_json(&self) -> Result<String, CodecError> {
        Ok(serde_json::to_string(self)?)
    }

    pub(crate) fn from_json(text: &str) -> Result<Self, CodecError> {
        Ok(serde_json::from_str(text)?)
    }

    /// The ids of the persons the details refer to.
    pub(crate) fn person_ids(&self) -> Vec<i64> {
        match &self.result {
            None => Vec::new(),
            Some(
                StoredResult::Certificate { person_id, .. }
                | StoredResult::AccountOpening { person_id, .. },
            ) => vec![*person_id],
            Some(StoredResult::CollectionConfirmation {
                person_id,
                other_person_ids,
                ..
            }) => std::iter::once(*person_id)
                .chain(other_person_ids.iter().copied())
                .collect(),
            Some(StoredResult::SplittingConfirmation {
                person_id,
                spouse_person_id,
                ..
            }) => vec![*person_id, *spouse_person_id],
        }
    }

    /// What is left after a purge (annex 2.7): the observation codes and the numbers of the
    /// wrong fields; the free texts and the result, which describe a person, are dropped.
    pub(crate) fn without_persons(self) -> Self {
        StoredDetails {
            observations: self
                .observations
                .into_iter()
                .map(|o| StoredObservation {
                    code: o.code,
                    text: None,
                })
                .collect(),
            wrong_fields: self.wrong_fields,
            investigation: None,
            result: None,
        }
    }

    /// Rebuilds the domain details; `numbers` holds the AVS number of every id of
    /// [`StoredDetails::person_ids`].
    pub(crate) fn decode(self, numbers: &BTreeMap<i64, AvsNumber>) -> Result<Details, CodecError> {
        let number = |id: &i64| {
            numbers
                .get(id)
                .copied()
                .ok_or(CodecError::MissingPerson("result"))
        };
        let funds = |funds: Vec<String>| {
            funds
                .iter()
                .map(|f| {
                    FundNumber::parse(f)
                        .map_err(|_| CodecError::Invalid("fund number of the result"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let result = match self.result {
            None => None,
            Some(StoredResult::Certificate {
                person_id,
                surname,
                given_names,
                sex,
                birth_date,
                country,
                issue_date,
            }) => {
                let (name, _) = PersonName::stored(&surname, given_names.as_deref().unwrap_or(""))
                    .map_err(|_| CodecError::Invalid("name of the certificate data"))?;
                Some(AcknowledgementResult::Certificate(CertificatePrint {
                    avs_number: number(&person_id)?,
                    name,
                    sex: Sex::new(i64::from(sex))
                        .ok_or(CodecError::Invalid("sex of the certificate data"))?,
                    birth_date: match birth_date {
                        StoredBirthDate::Day(day) => BirthDate::Day(day),
                        StoredBirthDate::Year(year) => BirthDate::Year(year),
                    },
                    country: StateCode::new(i64::from(country))
                        .map_err(|_| CodecError::Invalid("country of the certificate data"))?,
                    issue_date,
                }))
            }
            Some(StoredResult::AccountOpening { person_id, fund }) => {
                Some(AcknowledgementResult::AccountOpening {
                    avs_number: number(&person_id)?,
                    fund: FundNumber::parse(&fund)
                        .map_err(|_| CodecError::Invalid("fund number of the result"))?,
                })
            }
            Some(StoredResult::CollectionConfirmation {
                person_id,
                account_funds,
                other_person_ids,
            }) => Some(AcknowledgementResult::CollectionConfirmation {
                avs_number: number(&person_id)?,
                account_funds: funds(account_funds)?,
                other_avs_numbers: other_person_ids
                    .iter()
                    .map(number)
                    .collect::<Result<_, _>>()?,
            }),
            Some(StoredResult::SplittingConfirmation {
                person_id,
                spouse_person_id,
                account_funds,
            }) => Some(AcknowledgementResult::SplittingConfirmation {
                avs_number: number(&person_id)?,
                spouse_avs_number: number(&spouse_person_id)?,
                account_funds: funds(account_funds)?,
            }),
        };
        Ok(Details {
            observations: self
                .observations
                .into_iter()
                .map(|o| Observation {
                    code: o.code,
                    text: o.text,
                })
                .collect(),
            wrong_fields: self.wrong_fields,
            investigation: self.investigation,
            result,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::avs_number::check_digit;
    use crate::domain::{KeyCode, Processing, Reference};
    use proptest::prelude::*;

    fn avs() -> impl Strategy<Value = AvsNumber> {
        (0u64..1_000_000_000).prop_map(|n| {
            let first: Vec<u8> = format!("756{n:09}").bytes().map(|b| b - b'0').collect();
            AvsNumber::parse(&format!("756{n:09}{}", check_digit(&first)))
                .expect("check digit computed")
        })
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (0i64..200_000).prop_map(|d| NaiveDate::MIN + chrono::Duration::days(d * 17))
    }

    fn fund() -> impl Strategy<Value = FundNumber> {
        (1u16..=150, 0u16..=999).prop_filter_map("fund number", |(f, a)| FundNumber::new(f, a).ok())
    }

    fn name() -> impl Strategy<Value = PersonName> {
        let word = "[A-Za-zÀ-ÿ'’.-]{1,14}";
        (
            proptest::collection::vec(word, 1..3),
            proptest::collection::vec(word, 0..4),
        )
            .prop_filter_map("name does not fit", |(surname, given)| {
                PersonName::stored(&surname.join(" "), &given.join(" "))
                    .ok()
                    .map(|(n, _)| n)
            })
    }

    /// Free text without anything that looks like an AVS number (that is masked, see below).
    fn text() -> impl Strategy<Value = String> {
        "[A-Za-zÀ-ÿ0-9 ,.;:()'-]{0,60}".prop_filter("no AVS-like number", |t| {
            !crate::domain::avs_mask::contains_avs_number(t)
        })
    }

    fn certificate() -> impl Strategy<Value = CertificatePrint> {
        let states: Vec<StateCode> = [100, 207, 218, 486, 999]
            .into_iter()
            .filter_map(|c| StateCode::new(c).ok())
            .collect();
        (
            avs(),
            name(),
            prop_oneof![Just(Sex::Male), Just(Sex::Female)],
            prop_oneof![
                date().prop_map(BirthDate::Day),
                any::<i32>().prop_map(BirthDate::Year)
            ],
            proptest::sample::select(states),
            date(),
        )
            .prop_map(|(avs_number, name, sex, birth_date, country, issue_date)| {
                CertificatePrint {
                    avs_number,
                    name,
                    sex,
                    birth_date,
                    country,
                    issue_date,
                }
            })
    }

    fn result() -> impl Strategy<Value = AcknowledgementResult> {
        let funds = || proptest::collection::vec(fund(), 0..4);
        prop_oneof![
            certificate().prop_map(AcknowledgementResult::Certificate),
            (avs(), fund()).prop_map(|(avs_number, fund)| {
                AcknowledgementResult::AccountOpening { avs_number, fund }
            }),
            (avs(), funds(), proptest::collection::vec(avs(), 0..4)).prop_map(
                |(avs_number, account_funds, other_avs_numbers)| {
                    AcknowledgementResult::CollectionConfirmation {
                        avs_number,
                        account_funds,
                        other_avs_numbers,
                    }
                }
            ),
            (avs(), avs(), funds()).prop_map(|(avs_number, spouse_avs_number, account_funds)| {
                AcknowledgementResult::SplittingConfirmation {
                    avs_number,
                    spouse_avs_number,
                    account_funds,
                }
            }),
        ]
    }

    fn entry() -> impl Strategy<Value = AcknowledgementEntry> {
        (
            proptest::option::of(avs()),
            proptest::collection::vec(
                (any::<u16>(), proptest::option::of(text()))
                    .prop_map(|(code, text)| Observation { code, text }),
                0..=3,
            ),
            proptest::collection::vec(any::<u8>(), 0..=3),
            proptest::option::of(text()),
            proptest::option::of(result()),
        )
            .prop_map(
                |(avs_number, observations, wrong_fields, investigation, result)| {
                    AcknowledgementEntry {
                        fund: FundNumber::new(66, 0).expect("valid"),
                        reference: Reference::new("R-1").expect("valid"),
                        key: KeyCode::new(11).expect("valid"),
                        avs_number,
                        message_id: None,
                        processing: Processing::Done,
                        observations,
                        wrong_fields,
                        investigation,
                        result,
                    }
                },
            )
    }

    /// Gives every number a person id, as the `persons` table would.
    fn persons(entry: &AcknowledgementEntry) -> BTreeMap<AvsNumber, i64> {
        let mut persons = BTreeMap::new();
        for number in numbers(entry) {
            let next = persons.len() as i64 + 1;
            persons.entry(number).or_insert(next);
        }
        persons
    }

    fn round_trip(entry: &AcknowledgementEntry) -> Details {
        let persons = persons(entry);
        let json = encode(entry, &persons)
            .expect("encodes")
            .to_json()
            .expect("serialises");
        let back = StoredDetails::from_json(&json).expect("own JSON reads back");
        let by_id: BTreeMap<i64, AvsNumber> = persons.iter().map(|(n, id)| (*id, *n)).collect();
        assert!(back.person_ids().iter().all(|id| by_id.contains_key(id)));
        back.decode(&by_id).expect("own form decodes")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn every_result_round_trips(e in entry()) {
            let back = round_trip(&e);
            prop_assert_eq!(back.observations, e.observations);
            prop_assert_eq!(back.wrong_fields, e.wrong_fields);
            prop_assert_eq!(back.investigation, e.investigation);
            prop_assert_eq!(back.result, e.result);
        }

        #[test]
        fn the_stored_form_holds_no_avs_number(e in entry()) {
            let json = encode(&e, &persons(&e)).expect("encodes").to_json().expect("serialises");
            for number in numbers(&e) {
                prop_assert!(!json.contains(&number.digits()));
                prop_assert!(!json.contains(&number.to_string()));
            }
        }
    }

    #[test]
    fn every_variant_is_generated() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let r = result().new_tree(&mut runner).expect("a value").current();
            kinds.insert(match r {
                AcknowledgementResult::Certificate(_) => "certificate",
                AcknowledgementResult::AccountOpening { .. } => "account_opening",
                AcknowledgementResult::CollectionConfirmation { .. } => "collection",
                AcknowledgementResult::SplittingConfirmation { .. } => "splitting",
            });
        }
        assert_eq!(kinds.len(), 4, "{kinds:?}");
    }

    #[test]
    fn free_text_is_masked_and_the_form_is_readable() {
        let number = AvsNumber::parse("756.1234.5678.97").expect("valid");
        let spouse = AvsNumber::parse("756.9217.0769.85").expect("valid");
        let entry = AcknowledgementEntry {
            fund: FundNumber::new(66, 0).expect("valid"),
            reference: Reference::new("S-1").expect("valid"),
            key: KeyCode::new(95).expect("valid"),
            avs_number: Some(number),
            message_id: None,
            processing: Processing::InProgress,
            observations: vec![Observation {
                code: 12,
                text: Some(format!("spouse {spouse} unknown")),
            }],
            wrong_fields: vec![7],
            investigation: Some(format!("ask for the certificate of {}", number.digits())),
            result: Some(AcknowledgementResult::SplittingConfirmation {
                avs_number: number,
                spouse_avs_number: spouse,
                account_funds: vec![FundNumber::new(66, 0).expect("valid")],
            }),
        };
        let persons = BTreeMap::from([(number, 4), (spouse, 9)]);
        let json = encode(&entry, &persons)
            .expect("encodes")
            .to_json()
            .expect("json");
        assert_eq!(
            json,
            r#"{"observations":[{"code":12,"text":"spouse 756.****.****.** unknown"}],"wrong_fields":[7],"investigation":"ask for the certificate of 756.****.****.**","result":{"kind":"splitting_confirmation","person_id":4,"spouse_person_id":9,"account_funds":["066.000"]}}"#
        );
        let stored = StoredDetails::from_json(&json).expect("reads");
        assert_eq!(stored.person_ids(), [4, 9]);
        let missing = stored.decode(&BTreeMap::from([(4, number)]));
        assert!(matches!(missing, Err(CodecError::MissingPerson(_))));
        assert!(encode(&entry, &BTreeMap::new()).is_err());
    }

    #[test]
    fn invalid_stored_values_are_reported() {
        let bad_fund = r#"{"observations":[],"wrong_fields":[],"investigation":null,"result":{"kind":"account_opening","person_id":1,"fund":"66"}}"#;
        let stored = StoredDetails::from_json(bad_fund).expect("JSON");
        let numbers = BTreeMap::from([(1, AvsNumber::parse("756.1234.5678.97").expect("valid"))]);
        assert!(matches!(
            stored.decode(&numbers),
            Err(CodecError::Invalid("fund number of the result"))
        ));
        assert!(StoredDetails::from_json(r#"{"observations":[]}"#).is_err());
    }
}
