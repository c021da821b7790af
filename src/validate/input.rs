//! Reading the announcement JSON: size, encoding, syntax and the three accepted shapes
//! (one object, an array, or `{"announcements": [...]}`).

use serde_json::Value;

/// The largest input read by default: 16 MiB, room for tens of thousands of announcements.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Why an input could not be read as announcements at all (the CLI's exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the input has {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error(
        "announcement #{index} holds more than {limit} JSON values (an announcement needs fewer \
         than a hundred)"
    )]
    TooComplex { index: usize, limit: usize },
    #[error("the input is not UTF-8: invalid byte at offset {offset}")]
    NotUtf8 { offset: usize },
    #[error("the input is not JSON: {message} at line {line}, column {column}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the input holds no announcements: expected an object, an array of objects or {{\"announcements\": [...]}}, found {found}"
    )]
    Shape { found: &'static str },
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the input into one JSON value per announcement.
pub fn read(bytes: &[u8], max_bytes: usize) -> Result<Vec<Value>, InputError> {
    let text = text(bytes, max_bytes)?;
    let value: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) if map.len() == 1 && map.contains_key("announcements") => {
            match map.remove("announcements") {
                Some(Value::Array(items)) => Ok(items),
                Some(other) => Err(InputError::Shape {
                    found: json_kind(&other),
                }),
                None => unreachable!("checked above"),
            }
        }
        Value::Object(map) => Ok(vec![Value::Object(map)]),
        other => Err(InputError::Shape {
            found: json_kind(&other),
        }),
    }
}

/// The input as text: at most `max_bytes`, UTF-8.
pub(crate) fn text(bytes: &[u8], max_bytes: usize) -> Result<&str, InputError> {
    if bytes.len() > max_bytes {
        return Err(InputError::TooLarge {
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        offset: e.valid_up_to(),
    })
}

/// The error of input that is not JSON, with its position.
pub(crate) fn not_json(e: &serde_json::Error) -> InputError {
    InputError::NotJson {
        line: e.line(),
        column: e.column(),
        message: without_position(&e.to_string()),
    }
}

/// serde_json appends " at line L column C"; the error carries them separately.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(read(br#"{"fund":"066.000"}"#, 100).unwrap().len(), 1);
        assert_eq!(read(br#"[{}, {}]"#, 100).unwrap().len(), 2);
        assert_eq!(
            read(br#"{"announcements": [{}, {}, {}]}"#, 100)
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            read(b"42", 100),
            Err(InputError::Shape { found: "a number" })
        );
        assert_eq!(
            read(br#"{"announcements": 3}"#, 100),
            Err(InputError::Shape { found: "a number" })
        );
    }

    #[test]
    fn unreadable_input() {
        assert_eq!(
            read(&[b'[', 0xff, b']'], 100),
            Err(InputError::NotUtf8 { offset: 1 })
        );
        assert!(matches!(
            read(b"[1,", 100),
            Err(InputError::NotJson { line: 1, .. })
        ));
        assert_eq!(
            read(&[b' '; 101], 100),
            Err(InputError::TooLarge {
                size: 101,
                limit: 100
            })
        );
        let err = read(b"{\n\"a\": }", 100).unwrap_err().to_string();
        assert!(err.contains("line 2, column"), "{err}");
        assert_eq!(
            err.matches("line").count(),
            1,
            "serde_json's own position is not repeated: {err}"
        );
    }
}
