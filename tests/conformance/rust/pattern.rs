//! The conformance suite's patterns, substitutions and result normalisation
//! (`tests/conformance/README.md`, "Patterns" and "The outcome file").

use serde_json::{Map, Value};

/// Matches any value except null or a missing key.
const ANY: &str = "<any>";
/// In an object pattern: the key is missing or null.
const ABSENT: &str = "<absent>";
/// Result fields that differ from run to run.
const VOLATILE: [&str; 3] = ["id", "createdAt", "updatedAt"];

/// `Ok` when `actual` matches `pattern`; otherwise where and how it differs.
pub fn matches(pattern: &Value, actual: &Value) -> Result<(), String> {
    at("$", pattern, actual)
}

fn at(path: &str, pattern: &Value, actual: &Value) -> Result<(), String> {
    match (pattern, actual) {
        (Value::String(p), _) if p == ANY => {
            if actual.is_null() {
                Err(format!("{path}: expected a value, got null"))
            } else {
                Ok(())
            }
        }
        (Value::Object(expected), Value::Object(got)) => {
            for (key, p) in expected {
                let inner = format!("{path}.{key}");
                match (p, got.get(key)) {
                    (Value::String(s), None | Some(Value::Null)) if s == ABSENT => {}
                    (Value::String(s), Some(value)) if s == ABSENT => {
                        return Err(format!("{inner}: expected absent, got {value}"));
                    }
                    (_, None) => return Err(format!("{inner}: missing")),
                    (p, Some(value)) => at(&inner, p, value)?,
                }
            }
            Ok(())
        }
        (Value::Array(expected), Value::Array(got)) => {
            if expected.len() != got.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}: {actual}",
                    expected.len(),
                    got.len()
                ));
            }
            for (index, (p, value)) in expected.iter().zip(got).enumerate() {
                at(&format!("{path}[{index}]"), p, value)?;
            }
            Ok(())
        }
        (Value::Number(p), Value::Number(a)) if p.as_f64() == a.as_f64() => Ok(()),
        _ if pattern == actual => Ok(()),
        _ => Err(format!("{path}: expected {pattern}, got {actual}")),
    }
}

/// `value` with `${base_url}`-style references replaced in every string: `${name}` is a
/// string variable, `${name.key}` a field of a saved JSON object.
pub fn substitute(value: &Value, vars: &Map<String, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => Value::String(substitute_text(text, vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), substitute(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

fn substitute_text(text: &str, vars: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let reference = &rest[start + 2..start + len];
        out.push_str(&rest[..start]);
        out.push_str(
            &lookup(reference, vars)
                .ok_or_else(|| format!("${{{reference}}} refers to nothing saved"))?,
        );
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup(reference: &str, vars: &Map<String, Value>) -> Option<String> {
    let mut parts = reference.split('.');
    let mut value = vars.get(parts.next()?)?;
    for key in parts {
        value = value.get(key)?;
    }
    Some(match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    })
}

/// The result as the outcome file holds it: the API's JSON exactly, volatile values masked.
pub fn normalise_result(result: &Value) -> Value {
    let Value::Object(map) = result else {
        return result.clone();
    };
    Value::Object(
        map.iter()
            .map(|(key, value)| {
                let value = if VOLATILE.contains(&key.as_str()) {
                    Value::String("<volatile>".into())
                } else {
                    value.clone()
                };
                (key.clone(), value)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_accept_subsets_and_reject_differences() {
        let actual = json!({"a": 1, "b": [true, {"c": "x"}], "d": null});
        assert!(matches(&json!({"a": 1.0, "b": [true, {}]}), &actual).is_ok());
        assert!(
            matches(
                &json!({"a": "<any>", "d": "<absent>", "e": "<absent>"}),
                &actual
            )
            .is_ok()
        );
        assert!(matches(&json!({"a": 2}), &actual).is_err());
        assert!(matches(&json!({"d": "<any>"}), &actual).is_err());
        assert!(matches(&json!({"a": "<absent>"}), &actual).is_err());
        assert!(matches(&json!({"b": [true]}), &actual).is_err());
        assert!(matches(&json!({"z": 1}), &actual).is_err());
        assert!(matches(&json!(null), &json!({})).is_err());
    }

    #[test]
    fn substitutions_fill_strings_anywhere() {
        let mut vars = Map::new();
        vars.insert("base_url".into(), json!("http://h"));
        vars.insert("tokens".into(), json!({"access_token": "at", "n": 3}));
        let step =
            json!({"x": ["${base_url}/oauth/token", "${tokens.access_token}", "${tokens.n}"]});
        assert_eq!(
            substitute(&step, &vars),
            Ok(json!({"x": ["http://h/oauth/token", "at", "3"]}))
        );
        assert!(substitute(&json!("${nothing.here}"), &vars).is_err());
    }

    #[test]
    fn normalising_masks_volatile_fields_and_keeps_nulls() {
        let result = json!({"id": "1", "createdAt": "t", "status": "A", "errorCode": null, "metadata": {"id": 1}});
        assert_eq!(
            normalise_result(&result),
            json!({"id": "<volatile>", "createdAt": "<volatile>", "status": "A", "errorCode": null, "metadata": {"id": 1}})
        );
    }
}
