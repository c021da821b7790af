//! What the letters say, in each language: one table per language, so that the three letters
//! cannot drift apart in structure.
//!
//! The address is that of N. 3402. The Italian seed gives it in full; the German and French
//! names of the ZAS (Zentrale Ausgleichsstelle, Centrale de compensation) are its official
//! names, the names of its ARC control office are translations of the Italian one.

use super::language::Language;
use crate::deadlines::DeadlineRule;

/// The words of one language.
pub struct Wording {
    /// N. 3402: the ZAS's ARC control office, line by line.
    pub recipient: [&'static str; 4],
    /// "Compensation fund", before the fund number when no sender lines are configured.
    pub fund: &'static str,
    pub subject: &'static str,
    pub salutation: &'static str,
    /// N. 3301: the letter refers to the date of the announcement.
    pub intro: &'static str,
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
    pub thanks: &'static str,
    pub greeting: &'static str,
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
    subject: "Annunci ARC in sospeso (N. 3401)",
    salutation: "Gentili signore e signori,",
    intro: "vi comunichiamo i seguenti annunci ARC rimasti in sospeso (N.\u{a0}3401). \
            Come riferimento indichiamo la data dell'annuncio (N.\u{a0}3301).",
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
    thanks: "Vi ringraziamo per la verifica.",
    greeting: "Distinti saluti",
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
    subject: "Hängige ARC-Meldungen (Rz. 3401)",
    salutation: "Sehr geehrte Damen und Herren",
    intro: "Folgende ARC-Meldungen sind hängig geblieben (Rz.\u{a0}3401). Als Referenz \
            geben wir das Datum der Meldung an (Rz.\u{a0}3301).",
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
    thanks: "Wir danken Ihnen für die Abklärung.",
    greeting: "Freundliche Grüsse",
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
    subject: "Annonces ARC en suspens (N° 3401)",
    salutation: "Mesdames, Messieurs,",
    intro: "Les annonces ARC suivantes sont restées en suspens (N°\u{a0}3401). Nous indiquons \
            comme référence la date de l'annonce (N°\u{a0}3301).",
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
    thanks: "Nous vous remercions de votre examen.",
    greeting: "Veuillez agréer, Mesdames, Messieurs, nos salutations distinguées.",
    print_title: "Annonce ARC telle que transmise à la CdC (N° 3403)",
    message_id: "Message",
    message_date: "Date du message",
    sent_at: "Transmis le",
    sender_id: "Expéditeur",
    recipient_id: "Destinataire",
    fields: "Données annoncées",
};
