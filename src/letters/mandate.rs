//! The mandates of N. 2712 — what the fund keeping a CI must do, by the domicile code of a
//! closing-and-transmission order — in the fund's language. The Italian texts are the
//! directives' own (the seed); the German and French ones are arcgw's translations, since the
//! directives' German and French editions are not among its sources: replace them with their
//! wording where a fund has it.

use super::Language;
use crate::domain::{Domicile, DomicileInstruction};

/// The mandate of `domicile` (N. 2712) in `language`.
pub fn mandate(domicile: DomicileInstruction, language: Language) -> &'static str {
    use Language::*;
    match (domicile.domicile(), language) {
        (Domicile::InSwitzerland { .. }, It) => {
            "Non è più necessario fare ricerche riguardanti le iscrizioni al CI corrispondenti a \
             questo periodo. Soltanto per iscrizioni nel CI per periodi precedenti e seguenti \
             quello del domicilio in Svizzera che cadono negli anni prima del 1969 va indicato il \
             ramo d'attività."
        }
        (Domicile::InSwitzerland { .. }, De) => {
            "Für die IK-Einträge dieser Zeitspanne sind keine Nachforschungen mehr nötig. Nur für \
             IK-Einträge der Zeitspannen vor und nach dem Wohnsitz in der Schweiz, die in die \
             Jahre vor 1969 fallen, ist der Erwerbszweig anzugeben."
        }
        (Domicile::InSwitzerland { .. }, Fr) => {
            "Il n'est plus nécessaire de faire des recherches concernant les inscriptions au CI \
             de cette période. Seulement pour les inscriptions au CI des périodes antérieures et \
             postérieures au domicile en Suisse qui tombent dans les années avant 1969, la \
             branche d'activité doit être indiquée."
        }
        (Domicile::NotInSwitzerland, It) => {
            "In questo caso i CI devono, di regola, contenere la durata di contribuzione esatta \
             per quanto riguarda gli anni dopo il 1969. Mentre per periodi prima del 1969 va \
             indicato in ogni caso il ramo d'attività."
        }
        (Domicile::NotInSwitzerland, De) => {
            "In diesem Fall müssen die IK in der Regel die genaue Beitragsdauer für die Jahre \
             nach 1969 enthalten. Für Zeitspannen vor 1969 ist in jedem Fall der Erwerbszweig \
             anzugeben."
        }
        (Domicile::NotInSwitzerland, Fr) => {
            "Dans ce cas, les CI doivent en règle générale contenir la durée de cotisation exacte \
             pour les années après 1969. Pour les périodes avant 1969, la branche d'activité doit \
             être indiquée dans tous les cas."
        }
        (Domicile::Convention, It) => {
            "Si veda il mandato per il codice 2: in questo caso i CI devono, di regola, contenere \
             la durata di contribuzione esatta per quanto riguarda gli anni dopo il 1969. Mentre \
             per periodi prima del 1969 va indicato in ogni caso il ramo d'attività."
        }
        (Domicile::Convention, De) => {
            "Siehe den Auftrag für Code 2: Die IK müssen in der Regel die genaue Beitragsdauer \
             für die Jahre nach 1969 enthalten. Für Zeitspannen vor 1969 ist in jedem Fall der \
             Erwerbszweig anzugeben."
        }
        (Domicile::Convention, Fr) => {
            "Voir le mandat pour le code 2 : les CI doivent en règle générale contenir la durée \
             de cotisation exacte pour les années après 1969. Pour les périodes avant 1969, la \
             branche d'activité doit être indiquée dans tous les cas."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_mandate_in_every_language() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let codes = [
            Domicile::InSwitzerland {
                from: day(1990, 1, 1),
                to: day(2000, 12, 31),
            },
            Domicile::NotInSwitzerland,
            Domicile::Convention,
        ]
        .map(|d| DomicileInstruction::new(d).unwrap());
        for language in Language::ALL {
            let texts: Vec<&str> = codes.iter().map(|c| mandate(*c, language)).collect();
            assert!(texts.iter().all(|t| t.contains("1969")), "{texts:?}");
            assert_ne!(texts[0], texts[1]);
            // Code 3 refers to code 2's mandate and repeats it.
            assert!(
                texts[2].ends_with(&texts[1][texts[1].len() - 40..]),
                "{texts:?}"
            );
        }
        // The directives' own words (N. 2712).
        assert!(mandate(codes[0], Language::It).starts_with("Non è più necessario"));
    }
}
