//! The letters about one announcement to the ZAS's ARC control office (N. 3402): CIs still open
//! after an RCI (N. 2703) and data of the ZAS wrong or incomplete (N. 3301). Each cites the
//! announcement by its reference, key, AVS number, name (for the keys that carry personal data)
//! and the date it was announced (N. 3301), in the frame every letter shares. Pure: the caller
//! reads the announcement and whether the ZAS acknowledged it.

use chrono::NaiveDate;

use super::frame::{Letterhead, write_letter};
use super::language::Language;
use super::layout::Document;
use super::request::LetterRequest;
use super::wording::{LetterWords, Wording};
use crate::domain::Reference;
use crate::domain::{AnnouncementState, AvsNumber, KeyCode, KeyGroup, Particulars, PersonName};
use crate::store::AnnouncementDetail;

/// The announcement a letter is about, as the letter cites it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitedAnnouncement {
    pub id: i64,
    pub reference: Reference,
    pub key: KeyCode,
    pub state: AnnouncementState,
    /// `None` for a certificate key announced without one.
    pub avs_number: Option<AvsNumber>,
    /// For the keys that carry personal data (`Surname, NN` without given names, N. 3110).
    pub name: Option<PersonName>,
    /// The Swiss date it became `announced`: the reference of the letter (N. 3301).
    pub announced_on: NaiveDate,
}

impl CitedAnnouncement {
    /// The announcement of `detail`; `None` when it never reached the ZAS (nothing to cite).
    pub fn of(detail: &AnnouncementDetail) -> Option<Self> {
        let announced_at = detail
            .history
            .iter()
            .find(|h| h.state == AnnouncementState::Announced)?
            .at;
        let stored = &detail.announcement;
        let a = &stored.announcement;
        Some(CitedAnnouncement {
            id: stored.id,
            reference: a.reference().clone(),
            key: a.key(),
            state: stored.state,
            avs_number: a.avs_number(),
            name: match a.particulars() {
                Particulars::Certificate { person, .. } => Some(person.name.clone()),
                _ => None,
            },
            announced_on: announced_at
                .with_timezone(&chrono_tz::Europe::Zurich)
                .date_naive(),
        })
    }

    /// Its lines in the letter: reference, key, AVS number, name, date announced.
    fn rows(&self, w: &Wording, language: Language) -> Vec<(&'static str, String)> {
        let mut rows = vec![
            (w.reference, self.reference.to_string()),
            (w.key, self.key.code().to_string()),
            (
                w.avs_number,
                self.avs_number
                    .map_or_else(|| w.no_avs_number.to_string(), |n| n.to_string()),
            ),
        ];
        if let Some(name) = &self.name {
            rows.push((w.name, name.to_string()));
        }
        rows.push((w.announced_on, language.long_date(self.announced_on)));
        rows
    }
}

/// Which letter about an announcement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterKind {
    /// N. 2703: CIs still open after an RCI.
    OpenAccounts,
    /// N. 3301: data of the ZAS wrong or incomplete.
    Correction,
}

impl LetterKind {
    pub const ALL: [LetterKind; 2] = [LetterKind::OpenAccounts, LetterKind::Correction];

    /// The audit action of the letter.
    pub fn action(self) -> &'static str {
        match self {
            LetterKind::OpenAccounts => "letter.open_accounts",
            LetterKind::Correction => "letter.correction",
        }
    }

    /// Its name in paths and file names.
    pub fn slug(self) -> &'static str {
        match self {
            LetterKind::OpenAccounts => "open-accounts",
            LetterKind::Correction => "correction",
        }
    }

    /// The margin number of its rule.
    pub fn rule(self) -> &'static str {
        match self {
            LetterKind::OpenAccounts => "N. 2703",
            LetterKind::Correction => "N. 3301",
        }
    }

    /// Whether the letter may be written about `cited`; `acknowledged`: an acknowledgement of
    /// the ZAS mentions it.
    pub fn allowed(self, cited: &CitedAnnouncement, acknowledged: bool) -> Result<(), NotAllowed> {
        let (id, key, state) = (cited.id, cited.key.code(), cited.state);
        match self {
            // N. 2703: after an RCI was carried out (group 3 of annex 1: 71–85, and the old-law
            // keys of annex 4), CIs still open are reported by letter.
            LetterKind::OpenAccounts if cited.key.group() != KeyGroup::AccountCollection => {
                Err(NotAllowed::NotAnRci { id, key })
            }
            LetterKind::OpenAccounts if state != AnnouncementState::Done => {
                Err(NotAllowed::RciNotDone { id, state })
            }
            // N. 3301: the fund corrects data the ZAS communicated about the announcement.
            LetterKind::Correction if !acknowledged => {
                Err(NotAllowed::NotAcknowledged { id, state })
            }
            _ => Ok(()),
        }
    }
}

/// Why a letter about an announcement is not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAllowed {
    #[error(
        "announcement {id} is {state}: it never reached the ZAS, there is nothing to write \
         about ({rule})"
    )]
    NeverAnnounced {
        id: i64,
        state: AnnouncementState,
        rule: &'static str,
    },
    #[error(
        "announcement {id} has key {key}, not an RCI (keys 71–85 of annex 1): CIs still open \
         are reported after an RCI only (N. 2703)"
    )]
    NotAnRci { id: i64, key: u8 },
    #[error(
        "announcement {id} is {state}: CIs still open are reported once the ZAS has carried the \
         RCI out, i.e. the announcement is done (N. 2703)"
    )]
    RciNotDone { id: i64, state: AnnouncementState },
    #[error(
        "announcement {id} is {state} and no acknowledgement of the ZAS mentions it: there are \
         no data of the ZAS to correct (N. 3301)"
    )]
    NotAcknowledged { id: i64, state: AnnouncementState },
}

/// The letter of `request` about `cited`, written by `head`, in `language`.
pub fn compose_about(
    head: &Letterhead,
    cited: &CitedAnnouncement,
    request: &LetterRequest,
    language: Language,
) -> Document {
    let words: fn(&'static Wording) -> &'static LetterWords = match request {
        LetterRequest::OpenAccounts(_) => |w| &w.open_accounts,
        LetterRequest::Correction { .. } => |w| &w.correction,
    };
    write_letter(head, language, words, |doc, w| {
        doc.entries(&[cited.rows(w, language)], false);
        match request {
            LetterRequest::OpenAccounts(accounts) => {
                doc.blank();
                doc.paragraph(w.open_accounts_heading);
                let entries: Vec<Vec<(&str, String)>> = accounts
                    .iter()
                    .map(|a| {
                        let mut rows = vec![(w.account_fund, a.fund.to_string())];
                        if let Some(n) = a.avs_number {
                            rows.push((w.avs_number, n.to_string()));
                        }
                        rows
                    })
                    .collect();
                doc.entries(&entries, true);
            }
            LetterRequest::Correction { fields, text } => {
                if !fields.is_empty() {
                    let numbers: Vec<String> = fields.iter().map(u8::to_string).collect();
                    doc.entries(&[vec![(w.wrong_fields, numbers.join(", "))]], false);
                }
                doc.blank();
                doc.paragraph(w.remarks);
                for line in text.lines() {
                    doc.paragraph(line);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FundNumber;
    use crate::letters::layout::WIDTH;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn head() -> Letterhead {
        Letterhead {
            fund: FundNumber::parse("066.000").unwrap(),
            day: day(27),
            sender: Vec::new(),
        }
    }

    fn rci(state: AnnouncementState) -> CitedAnnouncement {
        CitedAnnouncement {
            id: 7,
            reference: Reference::new("R-2026-71").unwrap(),
            key: KeyCode::new(71).unwrap(),
            state,
            avs_number: Some(AvsNumber::parse("756.1234.5678.97").unwrap()),
            name: None,
            announced_on: day(3),
        }
    }

    fn open_accounts() -> LetterRequest {
        LetterRequest::open_accounts(&[
            ("067.000".into(), Some("756.9217.0769.85".into())),
            ("066.001".into(), None),
        ])
        .unwrap()
    }

    #[test]
    fn the_open_accounts_letter_cites_the_rci_and_lists_the_cis() {
        let text = compose_about(
            &head(),
            &rci(AnnouncementState::Done),
            &open_accounts(),
            Language::It,
        )
        .text();
        for expected in [
            "Cassa di compensazione 066.000",
            "Ufficio di controllo degli ARC",
            "1211 Ginevra 28",
            "27 novembre 2026",
            "CI ancora aperti dopo una RCI (N. 2703)",
            "Riferimento         R-2026-71",
            "Chiave              71",
            "Numero AVS          756.1234.5678.97",
            "Data dell'annuncio  3 novembre 2026",
            "CI ancora aperti:",
            "1. Cassa       067.000",
            "   Numero AVS  756.9217.0769.85",
            "2. Cassa       066.001",
            "RCI complementare",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in\n{text}");
        }
    }

    #[test]
    fn the_correction_letter_cites_the_date_fields_and_text_in_each_language() {
        let request =
            LetterRequest::correction(&[7, 12], "Il cognome è Rossi.\n\nNon Rosi.").unwrap();
        let mut cited = rci(AnnouncementState::Rejected);
        cited.key = KeyCode::new(11).unwrap();
        cited.name = Some(PersonName::fit("Brunner", "").unwrap().0);
        for (language, expected) in [
            (
                Language::It,
                &[
                    "(N. 3301)",
                    "3 novembre 2026",
                    "Campi (allegato 9)  7, 12",
                    "Brunner, NN",
                ][..],
            ),
            (
                Language::De,
                &[
                    "(Rz. 3301)",
                    "3. November 2026",
                    "Felder (Anhang 9)  7, 12",
                    "Bemerkungen:",
                ],
            ),
            (
                Language::Fr,
                &[
                    "(N° 3301)",
                    "3 novembre 2026",
                    "Champs (annexe 9)  7, 12",
                    "Remarques :",
                ],
            ),
        ] {
            let doc = compose_about(&head(), &cited, &request, language);
            let text = doc.text();
            for e in expected.iter().chain(&["Il cognome è Rossi.", "Non Rosi."]) {
                assert!(text.contains(e), "{language}: {e:?} missing in\n{text}");
            }
            assert!(doc.lines.iter().all(|l| l.chars().count() <= WIDTH));
        }
    }

    #[test]
    fn a_long_text_is_wrapped_not_cut() {
        let text = "parola ".repeat(280);
        let request = LetterRequest::correction(&[], &text).unwrap();
        let doc = compose_about(
            &head(),
            &rci(AnnouncementState::Done),
            &request,
            Language::It,
        );
        assert!(doc.lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert_eq!(doc.text().matches("parola").count(), 280);
    }

    #[test]
    fn each_letter_is_allowed_only_where_its_rule_says() {
        use AnnouncementState::*;
        let done = rci(Done);
        assert_eq!(LetterKind::OpenAccounts.allowed(&done, true), Ok(()));
        let e = LetterKind::OpenAccounts
            .allowed(&rci(InProgress), true)
            .unwrap_err();
        assert!(e.to_string().contains("in_progress") && e.to_string().contains("N. 2703"));
        let mut account = rci(Done);
        account.key = KeyCode::new(61).unwrap();
        let e = LetterKind::OpenAccounts
            .allowed(&account, true)
            .unwrap_err();
        assert_eq!(e, NotAllowed::NotAnRci { id: 7, key: 61 });
        let mut old_law = rci(Done);
        old_law.key = KeyCode::old_law(91).unwrap();
        assert_eq!(LetterKind::OpenAccounts.allowed(&old_law, true), Ok(()));
        assert_eq!(LetterKind::Correction.allowed(&account, true), Ok(()));
        let e = LetterKind::Correction
            .allowed(&rci(Announced), false)
            .unwrap_err();
        assert!(e.to_string().contains("N. 3301"), "{e}");
    }
}
