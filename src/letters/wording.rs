//! What the letters say, in each language: one table per language, so that the three letters
//! cannot drift apart in structure.
//!
//! The address is that of N. 3402. The Italian seed gives it in full; the German and French
//! names of the ZAS (Zentrale Ausgleichsstelle, Centrale de compensation) are its official
//! names, the names of its ARC control office are translations of the Italian one.

use super::language::Language;
use crate::deadlines::DeadlineRule;

/// What one letter says of its own: its subject, the paragraph that opens it and the thanks that
/// close it. Each intro cites the rule and says that the date of the announcement is the
/// reference (N. 3301).
pub struct LetterWords {
    pub subject: &'static str,
    pub intro: &'static str,
    pub thanks: &'static str,
}

/// The words of one language.
pub struct Wording {
    /// N. 3402: the ZAS's ARC control office, line by line.
    pub recipient: [&'static str; 4],
    /// "Compensation fund", before the fund number when no sender lines are configured.
    pub fund: &'static str,
    pub salutation: &'static str,
    /// N. 3401: the letter of the pending announcements.
    pub pending: LetterWords,
    /// N. 2703: CIs still open after an RCI.
    pub open_accounts: LetterWords,
    /// N. 3301: data of the ZAS wrong or incomplete.
    pub correction: LetterWords,
    pub reference: &'static str,
    pub key: &'static str,
    pub avs_number: &'static str,
    /// The insured person's name, for the keys that carry personal data (N. 3107–3110).
    pub name: &'static str,
    pub announced_on: &'static str,
    pub rule: &'static str,
    pub pending_since: &'static str,
    /// For an announcement of a certificate key sent without an AVS number.
    pub no_avs_number: &'static str,
    pub not_mentioned: &'static str,
    pub still_processing: &'static str,
    pub greeting: &'static str,
    /// N. 2703: the heading of the CIs still open, and the fund that keeps one.
    pub open_accounts_heading: &'static str,
    pub account_fund: &'static str,
    /// N. 3301: the numbers of the fields found wrong (annex 9), and the heading of what is
    /// wrong.
    pub wrong_fields: &'static str,
    pub remarks: &'static str,
    /// N. 3403: the print of an announcement as it was sent.
    pub print_title: &'static str,
    pub message_id: &'static str,
    pub message_date: &'static str,
    pub sent_at: &'static str,
    pub sender_id: &'static str,
    pub recipient_id: &'static str,
    pub fields: &'static str,
}

impl Wording {
    pub fn of(language: Language) -> &'static Wording {
        match language {
            Language::It => &ITALIAN,
            Language::De => &GERMAN,
            Language::Fr => &FRENCH,
        }
    }

    /// What rule `rule` of N. 3401 says happened.
    pub fn rule_text(&self, rule: DeadlineRule) -> &'static str {
        match rule {
            DeadlineRule::NotMentioned => self.not_mentioned,
            DeadlineRule::StillProcessing => self.still_processing,
        }
    }

    /// The labels of a pending announcement's lines, in order.
    pub fn entry_labels(&self) -> [&'static str; 6] {
        [
            self.reference,
            self.key,
            self.avs_number,
            self.announced_on,
            self.rule,
            self.pending_since,
        ]
    }
}

static ITALIAN: Wording = Wording {
    // N. 3402. The seed prints the postcode line as "11211 Ginevra 28": a typo (a Swiss postcode
    // has four digits; the ZAS's Geneva postcode is 1211). The letter keeps the real postcode,
    // here and in the German and French wordings.
    recipient: [
        "Ufficio centrale di compensazione",
        "Ufficio di controllo degli ARC",
        "1211 Ginevra 28",
        "Registrescentraux@zas.admin.ch",
    ],
    fund: "Cassa di compensazione",
    salutation: "Gentili signore e signori,",
    pending: LetterWords {
        subject: "Annunci ARC in sospeso (N. 3401)",
        intro: "vi comunichiamo i seguenti annunci ARC rimasti in sospeso (N.\u{a0}3401). \
                Come riferimento indichiamo la data dell'annuncio (N.\u{a0}3301).",
        thanks: "Vi ringraziamo per la verifica.",
    },
    open_accounts: LetterWords {
        subject: "CI ancora aperti dopo una RCI (N. 2703)",
        intro: "dopo l'esecuzione della RCI sotto indicata vi sono ancora CI aperti per la \
                medesima persona (N.\u{a0}2703). Vi preghiamo di registrare i dati, di inviare \
                l'ordine di chiusura e di trasmissione del CI alle casse coinvolte e di \
                confermarci la RCI complementare. Come riferimento indichiamo la data \
                dell'annuncio (N.\u{a0}3301).",
        thanks: "Vi ringraziamo per la conferma della RCI complementare.",
    },
    correction: LetterWords {
        subject: "Dati dell'UCC errati o incompleti (N. 3301)",
        intro: "abbiamo costatato che i dati comunicati dall'UCC sull'annuncio sotto indicato \
                contengono errori o non sono completi (N.\u{a0}3301). Come riferimento \
                indichiamo la data dell'annuncio.",
        thanks: "Vi ringraziamo per la rettifica.",
    },
    reference: "Riferimento",
    key: "Chiave",
    avs_number: "Numero AVS",
    name: "Nome",
    announced_on: "Data dell'annuncio",
    rule: "Motivo",
    pending_since: "In sospeso dal",
    no_avs_number: "nessuno (non annunciato)",
    not_mentioned: "entro 7 giorni lavorativi dall'annuncio ARC il caso non è stato \
                    menzionato in un avviso di ricevimento ARC (N.\u{a0}3401)",
    still_processing: "il caso è segnalato «ancora in via di elaborazione» e non è stato \
                       evaso entro 15 giorni lavorativi (N.\u{a0}3401)",
    greeting: "Distinti saluti",
    open_accounts_heading: "CI ancora aperti:",
    account_fund: "Cassa",
    wrong_fields: "Campi (allegato 9)",
    remarks: "Osservazioni:",
    print_title: "Annuncio ARC come trasmesso all'UCC (N. 3403)",
    message_id: "Messaggio",
    message_date: "Data del messaggio",
    sent_at: "Trasmesso il",
    sender_id: "Mittente",
    recipient_id: "Destinatario",
    fields: "Dati annunciati",
};

static GERMAN: Wording = Wording {
    recipient: [
        "Zentrale Ausgleichsstelle",
        "Kontrollstelle ARC",
        "1211 Genf 28",
        "Registrescentraux@zas.admin.ch",
    ],
    fund: "Ausgleichskasse",
    salutation: "Sehr geehrte Damen und Herren",
    pending: LetterWords {
        subject: "Hängige ARC-Meldungen (Rz. 3401)",
        intro: "Folgende ARC-Meldungen sind hängig geblieben (Rz.\u{a0}3401). Als Referenz \
                geben wir das Datum der Meldung an (Rz.\u{a0}3301).",
        thanks: "Wir danken Ihnen für die Abklärung.",
    },
    open_accounts: LetterWords {
        subject: "Nach einem Zusammenruf noch offene IK (Rz. 2703)",
        intro: "Nach Durchführung des unten genannten IK-Zusammenrufs bestehen für dieselbe \
                Person noch offene IK (Rz.\u{a0}2703). Wir bitten Sie, die Daten zu erfassen, \
                den beteiligten Kassen den Auftrag zum Abschluss und zur Übermittlung des IK \
                zu erteilen und uns den ergänzenden Zusammenruf zu bestätigen. Als Referenz \
                geben wir das Datum der Meldung an (Rz.\u{a0}3301).",
        thanks: "Wir danken Ihnen für die Bestätigung des ergänzenden Zusammenrufs.",
    },
    correction: LetterWords {
        subject: "Fehlerhafte oder unvollständige Daten der ZAS (Rz. 3301)",
        intro: "Wir haben festgestellt, dass die von der ZAS zur unten genannten Meldung \
                mitgeteilten Daten fehlerhaft oder unvollständig sind (Rz.\u{a0}3301). Als \
                Referenz geben wir das Datum der Meldung an.",
        thanks: "Wir danken Ihnen für die Berichtigung.",
    },
    reference: "Referenz",
    key: "Schlüssel",
    avs_number: "AHV-Nummer",
    name: "Name",
    announced_on: "Datum der Meldung",
    rule: "Grund",
    pending_since: "Hängig seit",
    no_avs_number: "keine (nicht gemeldet)",
    not_mentioned: "innert 7 Arbeitstagen nach der ARC-Meldung in keiner ARC-Quittung \
                    erwähnt (Rz.\u{a0}3401)",
    still_processing: "als «noch in Bearbeitung» gemeldet und innert 15 Arbeitstagen \
                       nicht erledigt (Rz.\u{a0}3401)",
    greeting: "Freundliche Grüsse",
    open_accounts_heading: "Noch offene IK:",
    account_fund: "Kasse",
    wrong_fields: "Felder (Anhang 9)",
    remarks: "Bemerkungen:",
    print_title: "ARC-Meldung, wie sie der ZAS übermittelt wurde (Rz. 3403)",
    message_id: "Nachricht",
    message_date: "Datum der Nachricht",
    sent_at: "Übermittelt am",
    sender_id: "Absender",
    recipient_id: "Empfänger",
    fields: "Gemeldete Daten",
};

static FRENCH: Wording = Wording {
    recipient: [
        "Centrale de compensation",
        "Office de contrôle des ARC",
        "1211 Genève 28",
        "Registrescentraux@zas.admin.ch",
    ],
    fund: "Caisse de compensation",
    salutation: "Mesdames, Messieurs,",
    pending: LetterWords {
        subject: "Annonces ARC en suspens (N° 3401)",
        intro: "Les annonces ARC suivantes sont restées en suspens (N°\u{a0}3401). Nous \
                indiquons comme référence la date de l'annonce (N°\u{a0}3301).",
        thanks: "Nous vous remercions de votre examen.",
    },
    open_accounts: LetterWords {
        subject: "CI encore ouverts après un RCI (N° 2703)",
        intro: "Après l'exécution du RCI indiqué ci-dessous, des CI sont encore ouverts pour \
                la même personne (N°\u{a0}2703). Nous vous prions d'enregistrer les données, \
                d'adresser aux caisses concernées l'ordre de clôture et de transmission du CI \
                et de nous confirmer le RCI complémentaire. Nous indiquons comme référence la \
                date de l'annonce (N°\u{a0}3301).",
        thanks: "Nous vous remercions de la confirmation du RCI complémentaire.",
    },
    correction: LetterWords {
        subject: "Données de la CdC erronées ou incomplètes (N° 3301)",
        intro: "Nous avons constaté que les données communiquées par la CdC au sujet de \
                l'annonce ci-dessous sont erronées ou incomplètes (N°\u{a0}3301). Nous \
                indiquons comme référence la date de l'annonce.",
        thanks: "Nous vous remercions de la rectification.",
    },
    reference: "Référence",
    key: "Clé",
    avs_number: "Numéro AVS",
    name: "Nom",
    announced_on: "Date de l'annonce",
    rule: "Motif",
    pending_since: "En suspens depuis le",
    no_avs_number: "aucun (non annoncé)",
    not_mentioned: "dans les 7 jours ouvrables suivant l'annonce ARC, le cas n'a été \
                    mentionné dans aucun accusé de réception ARC (N°\u{a0}3401)",
    still_processing: "le cas est signalé «\u{a0}encore en traitement\u{a0}» et n'a pas été liquidé \
                       dans les 15 jours ouvrables (N°\u{a0}3401)",
    greeting: "Veuillez agréer, Mesdames, Messieurs, nos salutations distinguées.",
    open_accounts_heading: "CI encore ouverts\u{a0}:",
    account_fund: "Caisse",
    wrong_fields: "Champs (annexe 9)",
    remarks: "Remarques\u{a0}:",
    print_title: "Annonce ARC telle que transmise à la CdC (N° 3403)",
    message_id: "Message",
    message_date: "Date du message",
    sent_at: "Transmis le",
    sender_id: "Expéditeur",
    recipient_id: "Destinataire",
    fields: "Données annoncées",
};
