//! Reading typed values out of a JSON object, collecting every problem as a finding with its
//! dotted field path instead of stopping at the first.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::input::json_kind;
use super::report::{Finding, Rule};

/// The errors and warnings found so far in one announcement. Beyond `room` of each kind, a
/// finding is only counted (`omitted`), so that a hostile input cannot make the report grow
/// without bound.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub index: usize,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
    /// How many more errors and warnings may be kept.
    room: (usize, usize),
    /// Errors and warnings found but not kept.
    pub omitted: (usize, usize),
}

impl Findings {
    /// Findings of announcement `index` that keep at most `room` errors and warnings.
    pub fn within(index: usize, room: (usize, usize)) -> Self {
        Findings {
            index,
            room,
            ..Findings::default()
        }
    }

    fn finding(&self, field: &str, rule: Rule, message: String) -> Finding {
        Finding {
            index: self.index,
            field: field.to_string(),
            rule,
            message,
        }
    }

    pub fn error(&mut self, field: &str, rule: Rule, message: impl Into<String>) {
        if self.errors.len() < self.room.0 {
            let f = self.finding(field, rule, message.into());
            self.errors.push(f);
        } else {
            self.omitted.0 += 1;
        }
    }

    pub fn warn(&mut self, field: &str, rule: Rule, message: impl Into<String>) {
        if self.warnings.len() < self.room.1 {
            let f = self.finding(field, rule, message.into());
            self.warnings.push(f);
        } else {
            self.omitted.1 += 1;
        }
    }

    /// The errors found, kept or not.
    pub fn error_count(&self) -> usize {
        self.errors.len() + self.omitted.0
    }
}

/// A JSON object being read, with its path and the fields it may have.
pub(crate) struct Object<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Object<'a> {
    /// Opens `value` as an object; reports a wrong type and every field not in `known`.
    pub fn open(
        value: &'a Value,
        path: &str,
        known: &[&str],
        findings: &mut Findings,
    ) -> Option<Object<'a>> {
        let Value::Object(map) = value else {
            let what = if path.is_empty() {
                "an announcement"
            } else {
                path
            };
            findings.error(
                if path.is_empty() { "" } else { path },
                Rule::InputFormat,
                format!("{what} must be a JSON object, not {}", json_kind(value)),
            );
            return None;
        };
        let object = Object {
            path: path.to_string(),
            map,
        };
        for name in map.keys().filter(|k| !known.contains(&k.as_str())) {
            findings.error(
                &object.path_of(name),
                Rule::InputFormat,
                format!("unknown field (known here: {})", known.join(", ")),
            );
        }
        Some(object)
    }

    pub fn path_of(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// The field's value; `null` counts as absent.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A string field; a value of another type is an error under `rule`.
    pub fn string(&self, name: &str, rule: Rule, findings: &mut Findings) -> Option<&'a str> {
        match self.get(name)? {
            Value::String(s) => Some(s),
            other => {
                findings.error(
                    &self.path_of(name),
                    rule,
                    format!("expected a string, found {}", json_kind(other)),
                );
                None
            }
        }
    }

    /// A whole-number field; a value of another type is an error under `rule`.
    pub fn integer(&self, name: &str, rule: Rule, findings: &mut Findings) -> Option<i64> {
        self.typed(name, rule, findings, Value::as_i64, "a whole number")
    }

    /// A boolean field; a value of another type is an error under `rule`.
    pub fn boolean(&self, name: &str, rule: Rule, findings: &mut Findings) -> Option<bool> {
        self.typed(name, rule, findings, Value::as_bool, "true or false")
    }

    /// A field read by `convert`; a value it does not take is an error under `rule` saying
    /// what was `expected`.
    fn typed<T>(
        &self,
        name: &str,
        rule: Rule,
        findings: &mut Findings,
        convert: impl Fn(&Value) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let value = self.get(name)?;
        let read = convert(value);
        if read.is_none() {
            findings.error(
                &self.path_of(name),
                rule,
                format!("expected {expected}, found {}", json_kind(value)),
            );
        }
        read
    }

    /// A date field `YYYY-MM-DD`.
    pub fn date(&self, name: &str, rule: Rule, findings: &mut Findings) -> Option<NaiveDate> {
        let text = self.string(name, rule, findings)?;
        match parse_date(text) {
            Ok(date) => Some(date),
            Err(message) => {
                findings.error(&self.path_of(name), rule, message);
                None
            }
        }
    }

    /// Reports a required field that is absent.
    pub fn require(&self, name: &str, rule: Rule, why: &str, findings: &mut Findings) {
        if !self.has(name) {
            findings.error(&self.path_of(name), rule, format!("required {why}"));
        }
    }
}

/// `YYYY-MM-DD`, refusing dates that do not exist such as `1963-02-30`.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    crate::calendar::parse_iso_date(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(parse_date("1963-04-12").is_ok());
        assert_eq!(
            parse_date("1963-02-30").unwrap_err(),
            "`1963-02-30` is not a calendar date: February 1963 has 28 days, there is no day 30"
        );
        assert!(parse_date("12.04.1963").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("1963-4-12").is_err());
    }
}
