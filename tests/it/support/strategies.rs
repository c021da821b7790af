//! Proptest strategies for valid domain values, built only through the domain's constructors.
//!
//! Coverage: every key code in force (and so every `Particulars` variant), names with and
//! without given names (including names `PersonName::fit` had to shorten), both birth-date
//! precisions, every domicile code, special keys, every processing code, 0–3 observations and
//! wrong fields, free texts with awkward characters, every acknowledgement result.

use std::collections::BTreeMap;

use arcgw::domain::avs_number::check_digit;
use arcgw::domain::{
    Acknowledgement, AcknowledgementEntry, AcknowledgementResult, Announcement, AvsNumber,
    Beneficiary, BirthDate, CertificatePrint, CiChange, CiComplement, ClosingMonth, ClosingOrder,
    CollectionOrder, Domicile, DomicileInstruction, FieldSet, FundNumber, KeyCode, KeyGroup,
    MessageHeader, MessageId, Observation, ParticipantId, Particulars, Person, PersonName,
    Processing, RciKey, Reference, Sex, SpecialKey, SplitYear, SplittingNotice, SplittingOrder,
    Spouses, StateCode, Transmission,
};
use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

/// A valid AVS number: `756`, nine random digits, the check digit of annex 8.
pub fn avs_number() -> impl Strategy<Value = AvsNumber> {
    (0u64..1_000_000_000).prop_map(|body| {
        let first_twelve = 756_000_000_000 + body;
        let digits: Vec<u8> = first_twelve.to_string().bytes().map(|b| b - b'0').collect();
        let value = first_twelve * 10 + u64::from(check_digit(&digits));
        AvsNumber::from_digits(value).expect("check digit computed")
    })
}

pub fn fund_number() -> impl Strategy<Value = FundNumber> {
    (1u16..=999, 0u16..=999).prop_map(|(f, a)| FundNumber::new(f, a).expect("in range"))
}

/// 1–20 printable ASCII characters, no space at either end (includes `<`, `&`, `]]>`…).
pub fn reference() -> impl Strategy<Value = Reference> {
    "[!-~]([ -~]{0,18}[!-~])?".prop_map(|r| Reference::new(&r).expect("printable ASCII"))
}

/// A key in force, or now and then an old RCI key (annex 1, footnote).
pub fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        9 => prop::sample::select(KeyCode::all().collect::<Vec<_>>()),
        1 => prop::sample::select(KeyCode::old_law_keys().collect::<Vec<_>>()),
    ]
}

/// Letters of several scripts (all in the oldest Unicode versions, so that every XSD validator
/// knows them as letters).
const LETTERS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüÄÖÜéèêëàâçñßøåæœÉÈÇŁłŠšŽžčČřαβγΩΣжЖщЯ";

fn word(max: usize) -> impl Strategy<Value = String> {
    let letters: Vec<char> = LETTERS.chars().collect();
    (
        prop::collection::vec(prop::sample::select(letters), 1..=max),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(chars, dot)| {
            let mut w: String = chars.into_iter().collect();
            if dot {
                w.push('.');
            }
            w
        })
}

/// A surname: one to three words joined by a space, a hyphen or an apostrophe.
fn surname() -> impl Strategy<Value = String> {
    (
        word(14),
        prop::collection::vec(
            (prop::sample::select(vec![" ", "-", "'", "’"]), word(12)),
            0..=2,
        ),
    )
        .prop_map(|(first, rest)| {
            let mut s = first;
            for (sep, w) in rest {
                s.push_str(sep);
                s.push_str(&w);
            }
            s
        })
}

/// Given names: none (written `NN`), or up to five, some hyphenated.
fn given_names() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (word(12), prop::option::weighted(0.15, word(8))).prop_map(|(a, b)| match b {
            Some(b) => format!("{a}-{b}"),
            None => a,
        }),
        0..=5,
    )
    .prop_map(|names| names.join(" "))
}

/// A name as `PersonName::fit` leaves it, shortened or not.
pub fn person_name() -> impl Strategy<Value = PersonName> {
    (surname(), given_names()).prop_filter_map("surname too long to fit", |(s, g)| {
        PersonName::fit(&s, &g).ok().map(|(name, _)| name)
    })
}

pub fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

/// A day from 1870-01-01 to 2099-12-31.
pub fn date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1870, 1, 1).expect("valid");
    (0u64..84_000).prop_map(move |d| first + chrono::Days::new(d))
}

/// Both precisions of N. 3112.
pub fn birth_date() -> impl Strategy<Value = BirthDate> {
    prop_oneof![
        date().prop_map(BirthDate::Day),
        (1870i32..=2026).prop_map(BirthDate::Year),
    ]
}

/// Every code of the BFS list, 998 and 999.
pub fn state_code() -> impl Strategy<Value = StateCode> {
    let codes: Vec<StateCode> = (0..=999).filter_map(|c| StateCode::new(c).ok()).collect();
    prop::sample::select(codes)
}

pub fn person() -> impl Strategy<Value = Person> {
    (person_name(), sex(), birth_date(), state_code()).prop_map(
        |(name, sex, birth_date, country)| Person {
            name,
            sex,
            birth_date,
            country,
        },
    )
}

/// Every domicile code (N. 3118).
pub fn domicile() -> impl Strategy<Value = Domicile> {
    prop_oneof![
        (date(), date()).prop_map(|(from, to)| Domicile::InSwitzerland { from, to }),
        Just(Domicile::NotInSwitzerland),
        Just(Domicile::Convention),
    ]
}

pub fn collection_order() -> impl Strategy<Value = CollectionOrder> {
    (
        prop_oneof![
            Just(Beneficiary::Insured),
            avs_number().prop_map(Beneficiary::Other)
        ],
        (1948i32..=2100, 1u32..=12),
        date(),
        domicile(),
    )
        .prop_map(
            |(beneficiary, (y, m), order_date, domicile)| CollectionOrder {
                beneficiary,
                closing: ClosingMonth::new(y, m).expect("in range"),
                order_date,
                domicile,
            },
        )
}

pub fn special_key() -> impl Strategy<Value = SpecialKey> {
    prop_oneof![
        Just(SpecialKey::InvalidityAverage),
        Just(SpecialKey::AlreadyCounted)
    ]
}

pub fn splitting_order() -> impl Strategy<Value = SplittingOrder> {
    (
        avs_number(),
        prop::collection::btree_map(1948i32..=2030, prop::option::of(special_key()), 1..8),
    )
        .prop_map(
            |(spouse, years): (AvsNumber, BTreeMap<i32, Option<SpecialKey>>)| {
                let years = years
                    .into_iter()
                    .map(|(year, special)| SplitYear { year, special })
                    .collect();
                SplittingOrder::new(spouse, years).expect("distinct years")
            },
        )
}

/// The particulars a key's field set needs (annex 9).
pub fn particulars(fields: FieldSet) -> BoxedStrategy<Particulars> {
    match fields {
        FieldSet::Certificate => (prop::option::of(avs_number()), person())
            .prop_map(|(avs_number, person)| Particulars::Certificate { avs_number, person })
            .boxed(),
        FieldSet::Account => avs_number()
            .prop_map(|avs_number| Particulars::Account { avs_number })
            .boxed(),
        FieldSet::Collection => (avs_number(), collection_order())
            .prop_map(|(avs_number, order)| Particulars::Collection { avs_number, order })
            .boxed(),
        FieldSet::Order => (avs_number(), date())
            .prop_map(|(avs_number, order_date)| Particulars::Order {
                avs_number,
                order_date,
            })
            .boxed(),
        FieldSet::Splitting => (avs_number(), splitting_order())
            .prop_map(|(avs_number, order)| Particulars::Splitting { avs_number, order })
            .boxed(),
        FieldSet::Domicile => (avs_number(), domicile())
            .prop_map(|(avs_number, domicile)| Particulars::Domicile {
                avs_number,
                domicile,
            })
            .boxed(),
        FieldSet::SplittingRevocation => (avs_number(), avs_number())
            .prop_map(|(avs_number, spouse)| Particulars::SplittingRevocation {
                avs_number,
                spouse,
            })
            .boxed(),
        FieldSet::CollectionRevocation => (avs_number(), 1948i32..=2100, 1u32..=12)
            .prop_map(|(avs_number, y, m)| Particulars::CollectionRevocation {
                avs_number,
                closing: ClosingMonth::new(y, m).expect("in range"),
            })
            .boxed(),
    }
}

/// The particulars of `key`: mostly those it needs now, now and then (for the keys whose
/// particulars minor version 1 corrected) those it had before, as stored or sent then.
fn particulars_of(key: KeyCode) -> BoxedStrategy<Particulars> {
    match key.fields_before() {
        Some(before) => {
            prop_oneof![3 => particulars(key.fields()), 1 => particulars(before)].boxed()
        }
        None => particulars(key.fields()),
    }
}

/// An announcement with the given key.
pub fn announcement_with(key: KeyCode) -> impl Strategy<Value = Announcement> {
    (fund_number(), reference(), particulars_of(key)).prop_map(
        move |(fund, reference, particulars)| {
            Announcement::new(fund, reference, key, particulars).expect("particulars fit the key")
        },
    )
}

/// An announcement of any key in force.
pub fn announcement() -> impl Strategy<Value = Announcement> {
    key_code().prop_flat_map(announcement_with)
}

pub fn participant_id() -> impl Strategy<Value = ParticipantId> {
    "T?[1-9]-[0-9A-Z]{1,8}-[0-9]{1,4}".prop_map(|p| ParticipantId::new(&p).expect("pattern"))
}

pub fn message_id() -> impl Strategy<Value = MessageId> {
    "[A-Za-z0-9-]{1,36}".prop_map(|m| MessageId::new(&m).expect("pattern"))
}

/// A UTC time to the second (the XML carries no finer time), 2000 to 2099.
pub fn message_date() -> impl Strategy<Value = DateTime<Utc>> {
    (946_684_800i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"))
}

pub fn header() -> impl Strategy<Value = MessageHeader> {
    (
        participant_id(),
        participant_id(),
        message_id(),
        prop::option::of(message_id()),
        message_date(),
        any::<bool>(),
    )
        .prop_map(
            |(sender_id, recipient_id, message_id, reference_message_id, message_date, test)| {
                MessageHeader {
                    sender_id,
                    recipient_id,
                    message_id,
                    reference_message_id,
                    message_date,
                    test_delivery: test,
                }
            },
        )
}

pub fn transmission() -> impl Strategy<Value = Transmission> {
    (header(), prop::collection::vec(announcement(), 0..6)).prop_map(|(header, announcements)| {
        Transmission {
            header,
            announcements,
        }
    })
}

/// Every processing code: 0, 2 and the refusals 1, 3, 4, 6, 7.
pub fn processing() -> impl Strategy<Value = Processing> {
    prop::sample::select(vec![0u8, 1, 2, 3, 4, 6, 7])
        .prop_map(|c| Processing::from_code(c).expect("known code"))
}

fn xml_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("a character XML 1.0 allows", |c| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    })
}

/// A free text as the ZAS may send it: empty, white space at the ends, line breaks (also
/// `\r`), markup characters, any character XML 1.0 can carry.
pub fn free_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        prop::collection::vec(xml_char(), 0..30).prop_map(|c| c.into_iter().collect()),
        prop::sample::select(vec![
            "",
            " ",
            "  leading",
            "trailing\t",
            "line\r\nbreak\rcr\nlf",
            "a]]>b <c> &amp; 'q' \"qq\"",
            "Prière de vérifier l’adresse.",
        ])
        .prop_map(str::to_string),
    ]
}

pub fn observation() -> impl Strategy<Value = Observation> {
    (any::<u16>(), prop::option::of(free_text()))
        .prop_map(|(code, text)| Observation { code, text })
}

pub fn certificate_print() -> impl Strategy<Value = CertificatePrint> {
    (
        avs_number(),
        person_name(),
        sex(),
        birth_date(),
        state_code(),
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

/// Every result variant of N. 3203.
pub fn acknowledgement_result() -> impl Strategy<Value = AcknowledgementResult> {
    prop_oneof![
        certificate_print().prop_map(AcknowledgementResult::Certificate),
        (avs_number(), fund_number()).prop_map(|(avs_number, fund)| {
            AcknowledgementResult::AccountOpening { avs_number, fund }
        }),
        (
            avs_number(),
            prop::collection::vec(fund_number(), 0..4),
            prop::collection::vec(avs_number(), 0..3),
        )
            .prop_map(|(avs_number, account_funds, other_avs_numbers)| {
                AcknowledgementResult::CollectionConfirmation {
                    avs_number,
                    account_funds,
                    other_avs_numbers,
                }
            }),
        (
            avs_number(),
            avs_number(),
            prop::collection::vec(fund_number(), 0..4)
        )
            .prop_map(|(avs_number, spouse_avs_number, account_funds)| {
                AcknowledgementResult::SplittingConfirmation {
                    avs_number,
                    spouse_avs_number,
                    account_funds,
                }
            }),
    ]
}

pub fn acknowledgement_entry() -> impl Strategy<Value = AcknowledgementEntry> {
    (
        (fund_number(), reference(), key_code()),
        prop::option::of(avs_number()),
        prop::option::of(message_id()),
        processing(),
        prop::collection::vec(observation(), 0..=3),
        prop::collection::vec(any::<u8>(), 0..=3),
        prop::option::of(free_text()),
        prop::option::of(acknowledgement_result()),
    )
        .prop_map(
            |(
                (fund, reference, key),
                avs_number,
                message_id,
                processing,
                observations,
                wrong_fields,
                investigation,
                result,
            )| AcknowledgementEntry {
                fund,
                reference,
                key,
                avs_number,
                message_id,
                processing,
                observations,
                wrong_fields,
                investigation,
                result,
            },
        )
}

pub fn acknowledgement() -> impl Strategy<Value = Acknowledgement> {
    (
        header(),
        date(),
        prop::collection::vec(acknowledgement_entry(), 0..6),
    )
        .prop_map(|(header, acknowledgement_date, entries)| Acknowledgement {
            header,
            acknowledgement_date,
            entries,
        })
}

/// A closing-and-transmission order (N. 2707–2712): every RCI key, every domicile code.
pub fn closing_order() -> impl Strategy<Value = ClosingOrder> {
    let rci_keys: Vec<RciKey> = KeyCode::all()
        .chain(KeyCode::old_law_keys())
        .filter(|k| k.group() == KeyGroup::AccountCollection)
        .map(|k| RciKey::new(k).expect("an RCI key"))
        .collect();
    (
        header(),
        (fund_number(), fund_number()),
        avs_number(),
        prop::sample::select(rci_keys),
        (1948i32..=2100, 1u32..=12),
        date(),
        domicile().prop_map(|d| match d {
            Domicile::InSwitzerland { from, to } if to < from => {
                Domicile::InSwitzerland { from: to, to: from }
            }
            other => other,
        }),
    )
        .prop_map(
            |(header, (fund, ordering_fund), avs_number, key, (y, m), order_date, domicile)| {
                ClosingOrder {
                    header,
                    fund,
                    ordering_fund,
                    avs_number,
                    key,
                    closing: ClosingMonth::new(y, m).expect("in range"),
                    order_date,
                    domicile: DomicileInstruction::new(domicile).expect("period in order"),
                }
            },
        )
}

/// A CI complement (N. 2105): a new name, a new country of origin, or both.
pub fn ci_complement() -> impl Strategy<Value = CiComplement> {
    (
        header(),
        fund_number(),
        avs_number(),
        prop::option::of(person_name()),
        prop::option::of(state_code()),
        date(),
    )
        .prop_filter_map(
            "a change of the name or the country",
            |(header, fund, avs_number, name, country, changed_on)| {
                Some(CiComplement {
                    header,
                    fund,
                    avs_number,
                    change: CiChange::new(name, country)?,
                    changed_on,
                })
            },
        )
}

/// A splitting notice (N. 2602): two spouses of different numbers, the years with and without
/// special keys.
pub fn splitting_notice() -> impl Strategy<Value = SplittingNotice> {
    (
        header(),
        (fund_number(), fund_number()),
        avs_number(),
        splitting_order(),
    )
        .prop_filter_map(
            "two spouses",
            |(header, (fund, ordering_fund), insured, order)| {
                Some(SplittingNotice {
                    header,
                    fund,
                    ordering_fund,
                    spouses: Spouses::new(insured, order).ok()?,
                })
            },
        )
}
