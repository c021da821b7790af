//! Reading the announcement JSON one announcement at a time: each is handed
//! on as soon as it is read and dropped after, so that an input of millions of tiny items
//! (`[{}, {}, …]`) never lies in memory as millions of JSON values; and one announcement may
//! hold at most [`MOST_VALUES`] JSON values, so that neither does one huge announcement. The
//! shapes and errors are those of [`super::input::read`].

use std::fmt;

use serde::Deserializer as _;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::input::{InputError, json_kind, not_json, text};

/// The most JSON values (objects, arrays, keys, strings, numbers, …) one announcement may hold.
pub const MOST_VALUES: usize = 10_000;

/// Reads `bytes` and hands each announcement's JSON value to `each`, in order.
pub(crate) fn each_announcement(
    bytes: &[u8],
    max_bytes: usize,
    each: &mut dyn FnMut(Value),
) -> Result<(), InputError> {
    let text = text(bytes, max_bytes)?;
    let mut reader = serde_json::Deserializer::from_str(text);
    let mut count = 0;
    let mut each = |value| {
        count += 1;
        each(value);
    };
    let mut too_complex = false;
    let shape = Shape {
        each: &mut each,
        top: true,
        too_complex: &mut too_complex,
    };
    let found = reader
        .deserialize_any(shape)
        .and_then(|found| reader.end().map(|()| found));
    let found = match found {
        Ok(found) => found,
        Err(_) if too_complex => {
            return Err(InputError::TooComplex {
                index: count,
                limit: MOST_VALUES,
            });
        }
        Err(e) => return Err(not_json(&e)),
    };
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
    /// Set when an announcement held more than [`MOST_VALUES`].
    too_complex: &'f mut bool,
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
        loop {
            let mut budget = Budget::new(self.too_complex);
            let Some(value) = seq.next_element_seed(&mut budget)? else {
                return Ok(Found::Announcements);
            };
            (self.each)(value);
        }
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
                too_complex: self.too_complex,
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
        let mut budget = Budget::new(self.too_complex);
        let object = budget.entries(Some(first), map)?;
        (self.each)(object);
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

/// Reads one announcement's JSON value, at most [`MOST_VALUES`] of them.
struct Budget<'f> {
    left: usize,
    too_complex: &'f mut bool,
}

impl<'f> Budget<'f> {
    fn new(too_complex: &'f mut bool) -> Self {
        Budget {
            left: MOST_VALUES,
            too_complex,
        }
    }

    /// Counts one value.
    fn take<E: serde::de::Error>(&mut self) -> Result<(), E> {
        if self.left == 0 {
            *self.too_complex = true;
            return Err(E::custom("too many values"));
        }
        self.left -= 1;
        Ok(())
    }

    /// The object of `map`'s entries, after `first` (a key read already).
    fn entries<'de, A: MapAccess<'de>>(
        &mut self,
        first: Option<String>,
        mut map: A,
    ) -> Result<Value, A::Error> {
        self.take()?;
        let mut object = Map::new();
        let mut key = first;
        loop {
            let Some(name) = key
                .take()
                .map_or_else(|| map.next_key::<String>(), |k| Ok(Some(k)))?
            else {
                return Ok(Value::Object(object));
            };
            self.take()?;
            let value = map.next_value_seed(&mut *self)?;
            object.insert(name, value);
        }
    }
}

impl<'de> DeserializeSeed<'de> for &mut Budget<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Budget<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.take().map(|()| Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.take().map(|()| Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.take().map(|()| Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.take().map(|()| Value::from(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.take().map(|()| Value::String(v.to_string()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.take().map(|()| Value::String(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.take().map(|()| Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.take()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(&mut *self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        self.entries(None, map)
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

    #[test]
    fn an_announcement_holds_a_bounded_number_of_values() {
        // 8 million zeros in one announcement took 295 MB as JSON values.
        let mut values = 0;
        // The object, its key, the array and its zeros: MOST_VALUES values.
        let fits = format!("[{{}}, {{\"x\": [{}0]}}]", "0,".repeat(MOST_VALUES - 4));
        each_announcement(fits.as_bytes(), 1 << 20, &mut |_| values += 1).unwrap();
        assert_eq!(values, 2);
        let over = format!("[{{}}, {{\"x\": [{}0]}}]", "0,".repeat(MOST_VALUES - 3));
        assert_eq!(
            each_announcement(over.as_bytes(), 1 << 20, &mut |_| {}),
            Err(InputError::TooComplex {
                index: 1,
                limit: MOST_VALUES
            })
        );
        let one = format!("{{\"x\": [{}0]}}", "0,".repeat(MOST_VALUES));
        assert!(matches!(
            each_announcement(one.as_bytes(), 1 << 20, &mut |_| {}),
            Err(InputError::TooComplex { index: 0, .. })
        ));
    }
}
