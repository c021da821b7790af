//! Masking whatever looks like an AVS number in free text that the store keeps (audit rows, history
//! causes, token labels), and refusing it where it cannot be masked (security baseline, draft
//! art. 3: the AVS number is stored in the `persons` table only).

use std::borrow::Cow;

use serde_json::Value;

#[cfg(test)]
use crate::domain::avs_mask::MASK;
pub(crate) use crate::domain::avs_mask::mask as redact;

/// [`redact`] applied to every string, key and number of a JSON value.
pub(crate) fn redact_json(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(redact(s).into_owned()),
        Value::Number(n) => {
            let text = n.to_string();
            match redact(&text) {
                Cow::Borrowed(_) => value.clone(),
                Cow::Owned(masked) => Value::String(masked),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (redact(k).into_owned(), redact_json(v)))
                .collect(),
        ),
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn avs_numbers_are_masked_in_every_form() {
        assert_eq!(
            redact("person 756.1234.5678.97 ok"),
            "person 756.****.****.** ok"
        );
        assert_eq!(redact("x7561234567897y"), "x756.****.****.**y");
        assert_eq!(redact("756 1234 5678 97"), MASK);
        assert_eq!(
            redact("Zürich 7569217076985 é"),
            "Zürich 756.****.****.** é"
        );
        assert_eq!(
            redact("756123456789"),
            "756123456789",
            "12 digits are no AVS number"
        );
        assert_eq!(redact("announcement:42"), "announcement:42");
        assert!(matches!(redact("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_details_are_masked_throughout() {
        let details = json!({"avs": "756.1234.5678.97", "n": 7561234567897_u64,
                             "list": ["7569217076985", 3], "7561234567897": true});
        let masked = redact_json(&details).to_string();
        assert!(!masked.contains("1234"), "{masked}");
        assert!(!masked.contains("9217"), "{masked}");
        assert!(
            masked.contains("\"list\":[\"756.****.****.**\",3]"),
            "{masked}"
        );
    }
}
