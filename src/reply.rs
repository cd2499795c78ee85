//! Replies as JSON: what the generated operations of the specs in `build.rs`'s `JSON_REPLIES`
//! return. The client checks a reply against the schema its operation documents for its status
//! (`Spec::check_reply`, the validator the inputs go through) instead of deserialising it into
//! typed Rust, reads the few fields it needs, and hands the rest to JavaScript as it came.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A reply body, as JSON.
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
