//! JSON bodies. A request is the caller's input once checked against the spec (`Spec::check`),
//! written by the spec (`Spec::request`); a reply is checked against the schema its operation
//! documents for its status (`Spec::check_reply`) instead of being deserialised into typed
//! Rust; the client reads the few fields it needs and hands the rest to JavaScript as it came.
//! [`Json`] stands for every JSON body in the generated types (`build.rs`'s `AS_JSON`).

use serde::{Deserialize, Serialize};
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
