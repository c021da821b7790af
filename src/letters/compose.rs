//! The letter of one fund and day to the ZAS's ARC control office (N. 3401, 3402): the
//! announcements whose reminders were raised that day and are still pending, each with its
//! reference, key, AVS number, the name when the key carries personal data (`NN` for no given
//! name, N. 3110), the date it was announced (N. 3301), the rule and since when it is pending. Pure: the caller reads the reminders.

use chrono::NaiveDate;

use super::frame::{Letterhead, write_letter};
use super::language::Language;
use super::layout::Document;
use crate::domain::FundNumber;
use crate::store::LetterEntry;

/// What a letter is written from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterContent {
    pub fund: FundNumber,
    /// The day the reminders were raised: the letter's date.
    pub day: NaiveDate,
    /// The fund's own name and address, line by line; empty: the fund's number.
    pub sender: Vec<String>,
    /// In the order the reminders were raised.
    pub entries: Vec<LetterEntry>,
}

/// The letter of `content` in `language`.
pub fn compose_letter(content: &LetterContent, language: Language) -> Document {
    let head = Letterhead {
        fund: content.fund,
        day: content.day,
        sender: content.sender.clone(),
    };
    write_letter(
        &head,
        language,
        |w| &w.pending,
        |doc, w| {
            let entries: Vec<Vec<(&str, String)>> = content
                .entries
                .iter()
                .map(|entry| {
                    let avs = entry
                        .avs_number
                        .map_or_else(|| w.no_avs_number.to_string(), |n| n.to_string());
                    let values = [
                        entry.reference.to_string(),
                        entry.key.code().to_string(),
                        avs,
                        language.long_date(entry.announced_on),
                        w.rule_text(entry.rule).to_string(),
                        language.long_date(entry.pending_since),
                    ];
                    let mut lines: Vec<(&str, String)> =
                        w.entry_labels().into_iter().zip(values).collect();
                    // After the AVS number, the name (`Surname, NN` without given names,
                    // N. 3110).
                    if let Some(name) = &entry.name {
                        lines.insert(3, (w.name, name.to_string()));
                    }
                    lines
                })
                .collect();
            doc.entries(&entries, true);
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlines::DeadlineRule;
    use crate::domain::{AvsNumber, KeyCode, PersonName, Reference};
    use crate::letters::layout::WIDTH;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn content() -> LetterContent {
        LetterContent {
            fund: FundNumber::parse("066.000").unwrap(),
            day: day(25),
            sender: Vec::new(),
            entries: vec![
                LetterEntry {
                    reminder_id: 1,
                    reference: Reference::new("K-2026-000121").unwrap(),
                    key: KeyCode::new(61).unwrap(),
                    avs_number: Some(AvsNumber::parse("756.1234.5678.97").unwrap()),
                    name: None,
                    announced_on: day(13),
                    rule: DeadlineRule::NotMentioned,
                    pending_since: day(13),
                },
                LetterEntry {
                    reminder_id: 2,
                    reference: Reference::new("K-2026-000122").unwrap(),
                    key: KeyCode::new(11).unwrap(),
                    avs_number: None,
                    name: Some(PersonName::fit("Brunner", "").unwrap().0),
                    announced_on: day(2),
                    rule: DeadlineRule::StillProcessing,
                    pending_since: day(4),
                },
            ],
        }
    }

    #[test]
    fn the_italian_letter_lists_every_field_of_every_entry() {
        let text = compose_letter(&content(), Language::It).text();
        for expected in [
            "Cassa di compensazione 066.000",
            "Ufficio centrale di compensazione",
            "Ufficio di controllo degli ARC",
            "1211 Ginevra 28",
            "Registrescentraux@zas.admin.ch",
            "25 novembre 2026",
            "1. Riferimento         K-2026-000121",
            "   Chiave              61",
            "   Numero AVS          756.1234.5678.97",
            "   Data dell'annuncio  13 novembre 2026",
            "2. Riferimento         K-2026-000122",
            "   Numero AVS          nessuno (non annunciato)",
            "   Nome                Brunner, NN",
            "   In sospeso dal      4 novembre 2026",
            "«ancora in via di elaborazione»",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in\n{text}");
        }
        // N. 3402: the seed's "11211 Ginevra 28" is a typo; the real postcode is printed.
        assert!(!text.contains("11211"), "{text}");
    }

    #[test]
    fn each_language_has_its_address_dates_and_rule_texts() {
        let de = compose_letter(&content(), Language::De).text();
        for expected in [
            "Ausgleichskasse 066.000",
            "Zentrale Ausgleichsstelle",
            "1211 Genf 28",
            "25. November 2026",
            "AHV-Nummer",
            "756.1234.5678.97",
            "13. November 2026",
            "«noch in Bearbeitung»",
        ] {
            assert!(de.contains(expected), "{expected:?} missing in\n{de}");
        }
        let fr = compose_letter(&content(), Language::Fr).text();
        for expected in [
            "Caisse de compensation 066.000",
            "Centrale de compensation",
            "1211 Genève 28",
            "25 novembre 2026",
            "Numéro AVS",
            "« encore en traitement »",
        ] {
            assert!(fr.contains(expected), "{expected:?} missing in\n{fr}");
        }
    }

    #[test]
    fn configured_sender_lines_head_and_sign_the_letter() {
        let mut c = content();
        c.sender = vec!["Cassa cantonale di prova".into(), "Via Test 1".into()];
        let doc = compose_letter(&c, Language::It);
        assert_eq!(doc.lines[..2], ["Cassa cantonale di prova", "Via Test 1"]);
        assert_eq!(doc.lines.last().unwrap(), "Cassa cantonale di prova");
    }

    #[test]
    fn every_line_fits_the_page_in_every_language() {
        for language in Language::ALL {
            let doc = compose_letter(&content(), language);
            assert!(
                doc.lines.iter().all(|l| l.chars().count() <= WIDTH),
                "{language}"
            );
            // The long rule texts were wrapped, not cut.
            assert!(doc.text().contains("3401)"), "{language}");
        }
    }
}
