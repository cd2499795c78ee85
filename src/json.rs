//! JSON bodies. A request is the caller's input once checked against the spec (`Spec::check`),
//! written by the spec (`Spec::request`); a reply is checked against the schema its operation
//! documents for its status (`Spec::check_reply`) instead of being deserialised into typed
//! Rust; the client reads the few fields it needs and hands the rest to JavaScript as it came.
//! [`Json`] stands for every JSON body in the generated types (`build.rs`'s `AS_JSON`).

use serde::{Deserialize, Serialize, de};
use serde_json::Value;

/// A request or reply body, as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Json(pub Value);

/// The string at `key` of an object.
pub fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The array at `key` of an object, or an empty one.
pub fn list(value: &Value, key: &str) -> Value {
    match value.get(key) {
        Some(items @ Value::Array(_)) => items.clone(),
        _ => Value::Array(Vec::new()),
    }
}

/// `value` read as a typed `T` (a client's options, a field error, a reply's field): what
/// `serde_json::from_value` does, with messages that never print the value itself. serde's own
/// words for an unexpected float are what linked `core`'s float printing into the module.
pub fn read<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ReadError> {
    T::deserialize(Plain(value))
}

/// Why [`read`] refused a value: serde's message, e.g. ``missing field `x` `` or `expected u32`.
#[derive(Debug)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<M: std::fmt::Display>(message: M) -> Self {
        Self(message.to_string())
    }
    fn invalid_type(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Self(format!("invalid type, expected {expected}"))
    }
    fn invalid_value(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Self(format!("invalid value, expected {expected}"))
    }
}

/// A JSON value as a serde `Deserializer` whose errors are [`ReadError`]s.
pub struct Plain(pub Value);

impl<'de> de::IntoDeserializer<'de, ReadError> for Plain {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Plain {
    type Error = ReadError;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(flag) => visitor.visit_bool(flag),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(n), _, _) => visitor.visit_u64(n),
                (_, Some(n), _) => visitor.visit_i64(n),
                (_, _, n) => visitor.visit_f64(n.unwrap_or(f64::NAN)),
            },
            Value::String(text) => visitor.visit_string(text),
            Value::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.into_iter().map(Plain),
            )),
            Value::Object(entries) => visitor.visit_map(de::value::MapDeserializer::new(
                entries.into_iter().map(|(k, v)| (k, Plain(v))),
            )),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::String(text) => visitor.visit_enum(de::value::StringDeserializer::new(text)),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("a non-string"),
                &visitor,
            )),
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Kind {
        Small,
        Large,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Read {
        count: u32,
        kind: Kind,
        label: Option<String>,
        tags: Vec<String>,
        extra: serde_json::Map<String, Value>,
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let value = json!({ "count": 3, "kind": "large", "label": null, "tags": ["a"], "extra": { "x": [1.5] } });
        let read: Read = read(value.clone())
            .map_err(|e| e.0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.count, 3);
        assert_eq!(read.kind, Kind::Large);
        assert_eq!(read.label, None);
        assert_eq!(read.tags, ["a"]);
        assert_eq!(Value::Object(read.extra), value["extra"]);
    }

    #[test]
    fn says_what_was_expected_without_the_value() {
        let fault = |value: Value| read::<Read>(value).map(|_| ()).unwrap_err().0;
        let with = |key: &str, v: Value| {
            let mut value = json!({ "count": 1, "kind": "small", "tags": [], "extra": {} });
            value[key] = v;
            value
        };
        assert_eq!(
            fault(with("count", json!(1.5))),
            "invalid type, expected u32"
        );
        assert_eq!(
            fault(with("count", json!(-1))),
            "invalid value, expected u32"
        );
        assert_eq!(
            fault(with("count", json!("secret"))),
            "invalid type, expected u32"
        );
        assert_eq!(
            fault(with("kind", json!("huge"))),
            "unknown variant `huge`, expected `small` or `large`"
        );
        let mut missing = with("count", Value::Null);
        missing.as_object_mut().map(|o| o.remove("count"));
        assert_eq!(fault(missing), "missing field `count`");
    }
}
