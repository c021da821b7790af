//! The stored form of an announcement's particulars: JSON without any AVS number.
//!
//! Security baseline (draft art. 3): within the database the AVS number is stored in one place
//! only, the `persons` table. So the insured person, an RCI beneficiary given by number and a
//! splitting spouse leave the particulars as [`PersonNumbers`], which the store turns into person
//! ids; everything else (name, sex, birth date, country, the RCI block without the beneficiary's
//! number, the split years without the spouse's number) is kept here. Decoding rebuilds the domain
//! types with their own constructors, so a stored value that is no longer valid is reported, never
//! trusted.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{
    AvsNumber, Beneficiary, BirthDate, ClosingMonth, CollectionOrder, Domicile, Particulars,
    Person, PersonName, Sex, SpecialKey, SplitYear, SplittingOrder, StateCode,
};

/// The AVS numbers taken out of the particulars, by the role of the person.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PersonNumbers {
    /// The insured person (absent only for a certificate key without a number).
    pub insured: Option<AvsNumber>,
    /// The beneficiary of an RCI when it is not the insured person (N. 3115).
    pub beneficiary: Option<AvsNumber>,
    /// The other spouse of a splitting order (N. 3119).
    pub spouse: Option<AvsNumber>,
}

/// Why stored particulars do not make valid domain particulars.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CodecError {
    #[error("the stored particulars are not the expected JSON")]
    Json(#[from] serde_json::Error),
    #[error("the stored {0} is not valid")]
    Invalid(&'static str),
    #[error("the stored particulars need the {0} person, and none is referenced")]
    MissingPerson(&'static str),
    #[error("the stored particulars reference a {0} person they do not use")]
    StrayPerson(&'static str),
}

impl CodecError {
    /// What was wrong, for [`super::StoreError::Corrupt`].
    pub(crate) fn what(&self) -> &'static str {
        match self {
            CodecError::Json(_) => "particulars (not the expected JSON)",
            CodecError::Invalid(what) => what,
            CodecError::MissingPerson(_) | CodecError::StrayPerson(_) => {
                "person references of the particulars"
            }
        }
    }
}

/// The AVS-free particulars; the `kind` tag names the field set of annex 9.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum StoredParticulars {
    Certificate {
        person: StoredPerson,
    },
    Account {},
    Collection {
        beneficiary: StoredBeneficiary,
        closing: StoredMonth,
        order_date: NaiveDate,
        domicile: StoredDomicile,
    },
    /// 94: the domicile alone (annex 9 row 6).
    Domicile {
        domicile: StoredDomicile,
    },
    Splitting {
        years: Vec<StoredYear>,
    },
    /// 96: the spouse alone (annex 9 row 9), a person reference.
    SplittingRevocation {},
    /// 99: the closing month of the RCI revoked (annex 9 row 4).
    CollectionRevocation {
        closing: StoredMonth,
    },
    /// 92–94, 97–99 as stored before the annex 9 correction: the order date.
    Order {
        order_date: NaiveDate,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredPerson {
    surname: String,
    given_names: Option<String>,
    sex: u8,
    birth_date: StoredBirthDate,
    country: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum StoredBirthDate {
    Day(NaiveDate),
    Year(i32),
}

/// k. Who receives the benefit; for `other` the number is a person reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StoredBeneficiary {
    Insured,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredMonth {
    year: i32,
    month: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub(crate) enum StoredDomicile {
    InSwitzerland { from: NaiveDate, to: NaiveDate },
    NotInSwitzerland,
    Convention,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredYear {
    year: i32,
    special: Option<u8>,
}

/// Splits particulars into their AVS-free stored form and the AVS numbers they refer to.
pub(crate) fn encode(particulars: &Particulars) -> (StoredParticulars, PersonNumbers) {
    let mut numbers = PersonNumbers {
        insured: particulars.avs_number(),
        ..PersonNumbers::default()
    };
    let stored = match particulars {
        Particulars::Certificate { person, .. } => StoredParticulars::Certificate {
            person: StoredPerson {
                surname: person.name.surname().to_string(),
                given_names: person.name.given_names().map(str::to_string),
                sex: person.sex.code(),
                birth_date: match person.birth_date {
                    BirthDate::Day(day) => StoredBirthDate::Day(day),
                    BirthDate::Year(year) => StoredBirthDate::Year(year),
                },
                country: person.country.code(),
            },
        },
        Particulars::Account { .. } => StoredParticulars::Account {},
        Particulars::Collection { order, .. } => StoredParticulars::Collection {
            beneficiary: match order.beneficiary {
                Beneficiary::Insured => StoredBeneficiary::Insured,
                Beneficiary::Other(number) => {
                    numbers.beneficiary = Some(number);
                    StoredBeneficiary::Other
                }
            },
            closing: StoredMonth::of(order.closing),
            order_date: order.order_date,
            domicile: StoredDomicile::of(order.domicile),
        },
        Particulars::Domicile { domicile, .. } => StoredParticulars::Domicile {
            domicile: StoredDomicile::of(*domicile),
        },
        Particulars::SplittingRevocation { spouse, .. } => {
            numbers.spouse = Some(*spouse);
            StoredParticulars::SplittingRevocation {}
        }
        Particulars::CollectionRevocation { closing, .. } => {
            StoredParticulars::CollectionRevocation {
                closing: StoredMonth::of(*closing),
            }
        }
        Particulars::Order { order_date, .. } => StoredParticulars::Order {
            order_date: *order_date,
        },
        Particulars::Splitting { order, .. } => {
            numbers.spouse = Some(order.spouse());
            StoredParticulars::Splitting {
                years: order
                    .years()
                    .iter()
                    .map(|y| StoredYear {
                        year: y.year,
                        special: y.special.map(SpecialKey::code),
                    })
                    .collect(),
            }
        }
    };
    (stored, numbers)
}

impl StoredMonth {
    fn of(month: ClosingMonth) -> Self {
        StoredMonth {
            year: month.year(),
            month: month.month(),
        }
    }

    fn decode(self) -> Result<ClosingMonth, CodecError> {
        ClosingMonth::new(self.year, self.month)
            .ok_or(CodecError::Invalid("closing month of the particulars"))
    }
}

impl StoredDomicile {
    fn of(domicile: Domicile) -> Self {
        match domicile {
            Domicile::InSwitzerland { from, to } => StoredDomicile::InSwitzerland { from, to },
            Domicile::NotInSwitzerland => StoredDomicile::NotInSwitzerland,
            Domicile::Convention => StoredDomicile::Convention,
        }
    }

    fn decode(self) -> Domicile {
        match self {
            StoredDomicile::InSwitzerland { from, to } => Domicile::InSwitzerland { from, to },
            StoredDomicile::NotInSwitzerland => Domicile::NotInSwitzerland,
            StoredDomicile::Convention => Domicile::Convention,
        }
    }
}

impl StoredParticulars {
    /// The closing month of an RCI (`None` for the other field sets), for linking a revocation
    /// (99) to the RCI it revokes (N. 2720).
    pub(crate) fn rci_closing(&self) -> Option<(i32, u32)> {
        match self {
            StoredParticulars::Collection { closing, .. } => Some((closing.year, closing.month)),
            _ => None,
        }
    }

    /// The JSON text stored in `announcements.particulars`.
    pub(crate) fn to_json(&self) -> Result<String, CodecError> {
        Ok(serde_json::to_string(self)?)
    }

    pub(crate) fn from_json(text: &str) -> Result<Self, CodecError> {
        Ok(serde_json::from_str(text)?)
    }
}

/// Rebuilds domain particulars from their stored form and the referenced persons' numbers.
pub(crate) fn decode(
    stored: StoredParticulars,
    numbers: PersonNumbers,
) -> Result<Particulars, CodecError> {
    let insured = || numbers.insured.ok_or(CodecError::MissingPerson("insured"));
    let no_stray = |role: &'static str, number: Option<AvsNumber>| match number {
        Some(_) => Err(CodecError::StrayPerson(role)),
        None => Ok(()),
    };
    if !matches!(stored, StoredParticulars::Collection { .. }) {
        no_stray("beneficiary", numbers.beneficiary)?;
    }
    if !matches!(
        stored,
        StoredParticulars::Splitting { .. } | StoredParticulars::SplittingRevocation {}
    ) {
        no_stray("spouse", numbers.spouse)?;
    }
    Ok(match stored {
        StoredParticulars::Certificate { person } => Particulars::Certificate {
            avs_number: numbers.insured,
            person: decode_person(person)?,
        },
        StoredParticulars::Account {} => Particulars::Account {
            avs_number: insured()?,
        },
        StoredParticulars::Collection {
            beneficiary,
            closing,
            order_date,
            domicile,
        } => {
            let beneficiary = match beneficiary {
                StoredBeneficiary::Insured => {
                    no_stray("beneficiary", numbers.beneficiary)?;
                    Beneficiary::Insured
                }
                StoredBeneficiary::Other => Beneficiary::Other(
                    numbers
                        .beneficiary
                        .ok_or(CodecError::MissingPerson("beneficiary"))?,
                ),
            };
            Particulars::Collection {
                avs_number: insured()?,
                order: CollectionOrder {
                    beneficiary,
                    closing: closing.decode()?,
                    order_date,
                    domicile: domicile.decode(),
                },
            }
        }
        StoredParticulars::Domicile { domicile } => Particulars::Domicile {
            avs_number: insured()?,
            domicile: domicile.decode(),
        },
        StoredParticulars::SplittingRevocation {} => Particulars::SplittingRevocation {
            avs_number: insured()?,
            spouse: numbers.spouse.ok_or(CodecError::MissingPerson("spouse"))?,
        },
        StoredParticulars::CollectionRevocation { closing } => Particulars::CollectionRevocation {
            avs_number: insured()?,
            closing: closing.decode()?,
        },
        StoredParticulars::Order { order_date } => Particulars::Order {
            avs_number: insured()?,
            order_date,
        },
        StoredParticulars::Splitting { years } => {
            let spouse = numbers.spouse.ok_or(CodecError::MissingPerson("spouse"))?;
            let years = years
                .into_iter()
                .map(|y| {
                    let special = match y.special {
                        None => None,
                        Some(code) => Some(
                            SpecialKey::new(i64::from(code))
                                .ok_or(CodecError::Invalid("special key of the particulars"))?,
                        ),
                    };
                    Ok(SplitYear {
                        year: y.year,
                        special,
                    })
                })
                .collect::<Result<Vec<_>, CodecError>>()?;
            Particulars::Splitting {
                avs_number: insured()?,
                order: SplittingOrder::new(spouse, years)
                    .ok_or(CodecError::Invalid("split years of the particulars"))?,
            }
        }
    })
}

fn decode_person(stored: StoredPerson) -> Result<Person, CodecError> {
    let (name, _) =
        PersonName::stored(&stored.surname, stored.given_names.as_deref().unwrap_or(""))
            .map_err(|_| CodecError::Invalid("name of the particulars"))?;
    Ok(Person {
        name,
        sex: Sex::new(i64::from(stored.sex))
            .ok_or(CodecError::Invalid("sex of the particulars"))?,
        birth_date: match stored.birth_date {
            StoredBirthDate::Day(day) => BirthDate::Day(day),
            StoredBirthDate::Year(year) => BirthDate::Year(year),
        },
        country: StateCode::new(i64::from(stored.country))
            .map_err(|_| CodecError::Invalid("country of the particulars"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::avs_number::check_digit;
    use proptest::prelude::*;

    fn round_trip(particulars: &Particulars) -> Particulars {
        let (stored, numbers) = encode(particulars);
        let json = stored.to_json().expect("serialises");
        let back = StoredParticulars::from_json(&json).expect("own JSON reads back");
        decode(back, numbers).expect("own form decodes")
    }

    fn avs() -> impl Strategy<Value = AvsNumber> {
        (0u64..1_000_000_000).prop_map(|n| {
            let first: Vec<u8> = format!("756{n:09}").bytes().map(|b| b - b'0').collect();
            let value = format!("756{n:09}{}", check_digit(&first));
            AvsNumber::parse(&value).expect("check digit computed")
        })
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        let (min, max) = (NaiveDate::MIN, NaiveDate::MAX);
        let span = (max - min).num_days();
        (0..=span).prop_map(move |d| min + chrono::Duration::days(d))
    }

    fn name() -> impl Strategy<Value = PersonName> {
        let word = "[A-Za-zÀ-ÿ'’.-]{1,14}";
        (
            proptest::collection::vec(word, 1..3),
            proptest::collection::vec(word, 0..5),
            any::<bool>(),
        )
            .prop_filter_map("name does not fit", |(surname, given, nn)| {
                let given = if nn {
                    "NN".to_string()
                } else {
                    given.join(" ")
                };
                PersonName::stored(&surname.join(" "), &given)
                    .ok()
                    .map(|(n, _)| n)
            })
    }

    fn person() -> impl Strategy<Value = Person> {
        let states: Vec<StateCode> = [100, 207, 218, 220, 486, 998, 999]
            .into_iter()
            .filter_map(|c| StateCode::new(c).ok())
            .collect();
        (
            name(),
            prop_oneof![Just(Sex::Male), Just(Sex::Female)],
            prop_oneof![
                date().prop_map(BirthDate::Day),
                any::<i32>().prop_map(BirthDate::Year)
            ],
            proptest::sample::select(states),
        )
            .prop_map(|(name, sex, birth_date, country)| Person {
                name,
                sex,
                birth_date,
                country,
            })
    }

    fn collection() -> impl Strategy<Value = CollectionOrder> {
        (
            prop_oneof![
                Just(Beneficiary::Insured),
                avs().prop_map(Beneficiary::Other)
            ],
            (1948..=9999i32, 1..=12u32),
            date(),
            prop_oneof![
                (date(), date()).prop_map(|(from, to)| Domicile::InSwitzerland { from, to }),
                Just(Domicile::NotInSwitzerland),
                Just(Domicile::Convention),
            ],
        )
            .prop_filter_map(
                "closing month",
                |(beneficiary, (y, m), order_date, domicile)| {
                    Some(CollectionOrder {
                        beneficiary,
                        closing: ClosingMonth::new(y, m)?,
                        order_date,
                        domicile,
                    })
                },
            )
    }

    fn splitting() -> impl Strategy<Value = SplittingOrder> {
        let year = (
            any::<i32>(),
            prop_oneof![
                Just(None),
                Just(Some(SpecialKey::InvalidityAverage)),
                Just(Some(SpecialKey::AlreadyCounted))
            ],
        )
            .prop_map(|(year, special)| SplitYear { year, special });
        (avs(), proptest::collection::vec(year, 1..8))
            .prop_filter_map("distinct years", |(spouse, years)| {
                SplittingOrder::new(spouse, years)
            })
    }

    fn particulars() -> impl Strategy<Value = Particulars> {
        prop_oneof![
            (proptest::option::of(avs()), person())
                .prop_map(|(avs_number, person)| Particulars::Certificate { avs_number, person }),
            avs().prop_map(|avs_number| Particulars::Account { avs_number }),
            (avs(), collection())
                .prop_map(|(avs_number, order)| Particulars::Collection { avs_number, order }),
            (avs(), date()).prop_map(|(avs_number, order_date)| Particulars::Order {
                avs_number,
                order_date
            }),
            (avs(), splitting())
                .prop_map(|(avs_number, order)| Particulars::Splitting { avs_number, order }),
            (
                avs(),
                prop_oneof![
                    (date(), date()).prop_map(|(from, to)| Domicile::InSwitzerland { from, to }),
                    Just(Domicile::NotInSwitzerland),
                    Just(Domicile::Convention),
                ]
            )
                .prop_map(|(avs_number, domicile)| Particulars::Domicile {
                    avs_number,
                    domicile
                }),
            (avs(), avs()).prop_map(|(avs_number, spouse)| Particulars::SplittingRevocation {
                avs_number,
                spouse
            }),
            (avs(), 1948..=9999i32, 1..=12u32).prop_map(|(avs_number, y, m)| {
                Particulars::CollectionRevocation {
                    avs_number,
                    closing: ClosingMonth::new(y, m).expect("in range"),
                }
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn every_variant_round_trips(p in particulars()) {
            prop_assert_eq!(round_trip(&p), p);
        }

        #[test]
        fn the_stored_form_holds_no_avs_number(p in particulars()) {
            let (stored, numbers) = encode(&p);
            let json = stored.to_json().expect("serialises");
            for number in [numbers.insured, numbers.beneficiary, numbers.spouse].into_iter().flatten() {
                prop_assert!(!json.contains(&number.digits()));
                prop_assert!(!json.contains(&number.to_string()));
            }
        }
    }

    #[test]
    fn the_stored_form_is_readable() {
        let avs = AvsNumber::parse("756.1234.5678.97").unwrap();
        let spouse = AvsNumber::parse("756.9217.0769.85").unwrap();
        let order = SplittingOrder::new(
            spouse,
            vec![
                SplitYear {
                    year: 1997,
                    special: Some(SpecialKey::InvalidityAverage),
                },
                SplitYear {
                    year: 1996,
                    special: None,
                },
            ],
        )
        .unwrap();
        let (stored, numbers) = encode(&Particulars::Splitting {
            avs_number: avs,
            order,
        });
        assert_eq!(
            stored.to_json().unwrap(),
            r#"{"kind":"splitting","years":[{"year":1996,"special":null},{"year":1997,"special":4}]}"#
        );
        assert_eq!(numbers.spouse, Some(spouse));
        assert_eq!(numbers.insured, Some(avs));
    }

    #[test]
    fn invalid_stored_values_are_reported() {
        let numbers = PersonNumbers {
            insured: AvsNumber::parse("756.1234.5678.97").ok(),
            ..PersonNumbers::default()
        };
        let bad_month = r#"{"kind":"collection","beneficiary":"insured","closing":{"year":2026,"month":13},"order_date":"2026-11-23","domicile":{"code":"convention"}}"#;
        let stored = StoredParticulars::from_json(bad_month).unwrap();
        assert!(matches!(
            decode(stored, numbers),
            Err(CodecError::Invalid("closing month of the particulars"))
        ));
        let other = r#"{"kind":"collection","beneficiary":"other","closing":{"year":2026,"month":12},"order_date":"2026-11-23","domicile":{"code":"convention"}}"#;
        let stored = StoredParticulars::from_json(other).unwrap();
        assert!(matches!(
            decode(stored, numbers),
            Err(CodecError::MissingPerson("beneficiary"))
        ));
        let account = StoredParticulars::from_json(r#"{"kind":"account"}"#).unwrap();
        assert!(matches!(
            decode(account, PersonNumbers::default()),
            Err(CodecError::MissingPerson("insured"))
        ));
        assert!(StoredParticulars::from_json(r#"{"kind":"pension"}"#).is_err());
    }
}
