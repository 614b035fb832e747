//! Refusing JSON that a parser would not keep as written: an object naming a key twice
//! (one value is dropped without a word), and an object keyed
//! `"$serde_json::private::Number"` (serde_json's own mark for a number kept as text,
//! which it would turn into that number).

use std::collections::HashSet;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, Visitor};

/// Fails (with a message naming the key) when any object in `json` repeats a key or uses
/// serde_json's number mark as one; `Ok` for any other text, valid JSON or not (its parse
/// reports syntax errors).
pub(crate) fn check(json: &str) -> Result<(), String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match Unique.deserialize(&mut deserializer) {
        Err(e) if e.is_data() => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// Walks a value, checking every object's keys.
#[derive(Clone, Copy)]
struct Unique;

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while items.next_element_seed(Unique)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut entries: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = entries.next_key::<String>()? {
            if key == NUMBER_MARK {
                // A number of the text arrives as this one-entry map with its digits as an
                // owned string; an object written with the key gives its value otherwise.
                if !entries.next_value_seed(Digits)? {
                    return Err(de::Error::custom(format!(
                        "the key {NUMBER_MARK:?} is reserved by the JSON parser"
                    )));
                }
                continue;
            }
            entries.next_value_seed(Unique)?;
            if !seen.insert(key.clone()) {
                let shown: String = key.chars().take(60).collect();
                return Err(de::Error::custom(format!(
                    "the key {shown:?} appears twice in one object"
                )));
            }
        }
        Ok(())
    }
}

/// The key under which serde_json (with `arbitrary_precision`) hands over a number's text.
const NUMBER_MARK: &str = "$serde_json::private::Number";

/// Tells whether the value under [`NUMBER_MARK`] is a number's digits (an owned string).
struct Digits;

impl<'de> DeserializeSeed<'de> for Digits {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Digits {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number's digits")
    }

    fn visit_string<E>(self, _: String) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Ok(false)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        assert!(check(r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#).is_ok());
        assert!(check(r#"{"n": 18446744073709551617, "m": 1.5e400}"#).is_ok());
        for twice in [
            r#"{"a": 1, "a": 2}"#,
            r#"{"metadata": {"k": 1, "x": [], "k": 1}}"#,
            r#"[{"o": {"deep": {"z": 1, "z": null}}}]"#,
        ] {
            let message = check(twice).unwrap_err();
            assert!(message.contains("appears twice"), "{twice}: {message}");
        }
        assert!(
            check("{").is_ok(),
            "syntax errors are the parser's to report"
        );
    }
}
