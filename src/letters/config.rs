//! `[letters]` in the configuration: the language each fund writes to the ZAS in, and the
//! fund's own name and address at the head of its letters.
//!
//! ```toml
//! [letters]
//! default_language = "it"
//!
//! [letters.funds]
//! "066.000" = "de"
//!
//! [letters.senders]
//! "066.000" = ["Ausgleichskasse Beispiel", "Musterstrasse 1", "8000 Zürich"]
//! ```
//!
//! Unknown languages and malformed fund numbers stop the start with a one-line error.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use chrono::NaiveDate;

use super::compose::LetterContent;
use super::frame::Letterhead;
use super::language::Language;
use crate::domain::FundNumber;
use crate::store::LetterEntry;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LettersConfig {
    /// The language of funds not listed in `funds` (`ARCGW_LETTERS_DEFAULT_LANGUAGE`).
    pub default_language: Language,
    /// The language of a fund's letters, by fund number.
    #[serde(deserialize_with = "by_fund")]
    pub funds: BTreeMap<FundNumber, Language>,
    /// The fund's name and address, line by line; without them a letter is headed with the
    /// fund's number.
    #[serde(deserialize_with = "by_fund")]
    pub senders: BTreeMap<FundNumber, Vec<String>>,
}

impl Default for LettersConfig {
    fn default() -> Self {
        LettersConfig {
            default_language: Language::It,
            funds: BTreeMap::new(),
            senders: BTreeMap::new(),
        }
    }
}

impl LettersConfig {
    /// The language `fund` writes in.
    pub fn language_of(&self, fund: FundNumber) -> Language {
        self.funds
            .get(&fund)
            .copied()
            .unwrap_or(self.default_language)
    }

    /// The sender lines of `fund` (empty when none are configured).
    pub fn sender_of(&self, fund: FundNumber) -> Vec<String> {
        self.senders.get(&fund).cloned().unwrap_or_default()
    }

    /// The head of a letter of `fund` dated `day`, with this fund's sender lines.
    pub fn letterhead(&self, fund: FundNumber, day: NaiveDate) -> Letterhead {
        Letterhead {
            fund,
            day,
            sender: self.sender_of(fund),
        }
    }

    /// The letter of `fund` and `day` listing `entries`, from this fund's sender lines.
    pub fn letter(
        &self,
        fund: FundNumber,
        day: NaiveDate,
        entries: Vec<LetterEntry>,
    ) -> LetterContent {
        LetterContent {
            fund,
            day,
            sender: self.sender_of(fund),
            entries,
        }
    }
}

/// A table keyed by fund numbers (`"066.000"`), each checked.
fn by_fund<'de, D, T>(deserializer: D) -> Result<BTreeMap<FundNumber, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    BTreeMap::<String, T>::deserialize(deserializer)?
        .into_iter()
        .map(|(key, value)| {
            FundNumber::parse(&key)
                .map(|fund| (fund, value))
                .map_err(serde::de::Error::custom)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_senders_by_fund() {
        let c: LettersConfig = toml::from_str(
            "default_language = \"fr\"\n[funds]\n\"066.000\" = \"de\"\n\
             [senders]\n\"066.000\" = [\"AK Test\", \"8000 Zürich\"]\n",
        )
        .unwrap();
        let fund = FundNumber::parse("066.000").unwrap();
        let other = FundNumber::parse("067.000").unwrap();
        assert_eq!(c.language_of(fund), Language::De);
        assert_eq!(c.language_of(other), Language::Fr);
        assert_eq!(c.sender_of(fund), ["AK Test", "8000 Zürich"]);
        assert!(c.sender_of(other).is_empty());
        assert_eq!(
            toml::from_str::<LettersConfig>("").unwrap(),
            LettersConfig::default()
        );
    }

    #[test]
    fn the_default_file_and_the_environment_set_the_languages() {
        use crate::config::Config;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/arcgw.toml");
        let var = |v: &str| vec![("ARCGW_LETTERS_DEFAULT_LANGUAGE".to_string(), v.to_string())];
        let c = Config::load(Some(&path), Vec::new()).unwrap();
        assert_eq!(c.letters, LettersConfig::default());
        let c = Config::load(Some(&path), var("fr")).unwrap();
        assert_eq!(c.letters.default_language, Language::Fr);
        let e = Config::load(Some(&path), var("en"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "environment variable ARCGW_LETTERS_DEFAULT_LANGUAGE: unknown language \"en\": it, de or fr"
        );
    }

    #[test]
    fn unknown_languages_and_bad_fund_numbers_are_refused() {
        let e = toml::from_str::<LettersConfig>("default_language = \"en\"").unwrap_err();
        assert!(e.message().contains("unknown variant `en`"), "{e}");
        let e = toml::from_str::<LettersConfig>("[funds]\n\"66\" = \"it\"").unwrap_err();
        assert!(e.message().contains("NNN.NNN"), "{e}");
    }
}
