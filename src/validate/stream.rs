//! Reading the announcement JSON one announcement at a time (issue 12, item 1): each is handed
//! on as soon as it is read and dropped after, so that an input of millions of tiny items
//! (`[{}, {}, …]`) never lies in memory as millions of JSON values. The shapes and errors are
//! those of [`super::input::read`].

use std::fmt;

use serde::Deserializer as _;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::input::{InputError, json_kind, not_json, text};

/// Reads `bytes` and hands each announcement's JSON value to `each`, in order.
pub(crate) fn each_announcement(
    bytes: &[u8],
    max_bytes: usize,
    each: &mut dyn FnMut(Value),
) -> Result<(), InputError> {
    let text = text(bytes, max_bytes)?;
    let mut reader = serde_json::Deserializer::from_str(text);
    let found = reader
        .deserialize_any(Shape { each, top: true })
        .and_then(|found| reader.end().map(|()| found))
        .map_err(|e| not_json(&e))?;
    match found {
        Found::Announcements => Ok(()),
        Found::Other(found) => Err(InputError::Shape { found }),
    }
}

/// What the input held.
enum Found {
    /// Announcements, all handed on.
    Announcements,
    /// Something else, of this kind.
    Other(&'static str),
}

/// The whole input (`top`: an array, `{"announcements": [...]}`, or one announcement), or the
/// value of `"announcements"` (an array).
struct Shape<'f> {
    each: &'f mut dyn FnMut(Value),
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Shape<'_> {
    type Value = Found;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shape<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("announcements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            (self.each)(value);
        }
        Ok(Found::Announcements)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        if !self.top {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Found::Other(json_kind(&Value::Object(Map::new()))));
        }
        let Some(first) = map.next_key::<String>()? else {
            (self.each)(Value::Object(Map::new()));
            return Ok(Found::Announcements);
        };
        if first == "announcements" {
            let list = Shape {
                each: self.each,
                top: false,
            };
            let found = map.next_value_seed(list)?;
            if map.next_key::<String>()?.is_some() {
                return Err(A::Error::custom(
                    "\"announcements\" must be the only field of the object around them",
                ));
            }
            return Ok(found);
        }
        // One announcement: read whole.
        let mut object = Map::new();
        object.insert(first, map.next_value()?);
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            object.insert(key, value);
        }
        (self.each)(Value::Object(object));
        Ok(Found::Announcements)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Found, E> {
        Ok(Found::Other(json_kind(&Value::Bool(true))))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Found, E> {
        Ok(Found::Other(json_kind(&Value::from(0))))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Found, E> {
        Ok(Found::Other(json_kind(&Value::from(0))))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Found, E> {
        Ok(Found::Other(json_kind(&Value::from(0))))
    }

    fn visit_str<E>(self, _: &str) -> Result<Found, E> {
        Ok(Found::Other(json_kind(&Value::String(String::new()))))
    }

    fn visit_unit<E>(self) -> Result<Found, E> {
        Ok(Found::Other(json_kind(&Value::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Vec<Value>, InputError> {
        let mut values = Vec::new();
        each_announcement(bytes, 1000, &mut |v| values.push(v))?;
        Ok(values)
    }

    #[test]
    fn the_shapes_and_errors_of_the_reader() {
        for input in [
            &br#"{"fund":"066.000"}"#[..],
            br#"[{}, {}]"#,
            br#"{"announcements": [{}, {}, {}]}"#,
            br#"{}"#,
            br#"[]"#,
            b"42",
            br#"{"announcements": 3}"#,
            br#""x""#,
            b"null",
            br#"{"fund": 1, "announcements": []}"#,
        ] {
            assert_eq!(
                read(input),
                super::super::input::read(input, 1000),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        assert!(matches!(
            read(b"[1,"),
            Err(InputError::NotJson { line: 1, .. })
        ));
        assert!(matches!(read(b"[] x"), Err(InputError::NotJson { .. })));
        assert!(matches!(
            read(&[b'[', 0xff, b']']),
            Err(InputError::NotUtf8 { offset: 1 })
        ));
        assert!(matches!(
            read(br#"{"announcements": [], "fund": 1}"#),
            Err(InputError::NotJson { .. })
        ));
    }
}
