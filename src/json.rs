//! JSON bodies: what the generated operations of the specs in `build.rs`'s `AS_JSON` take and
//! return. A request body is the caller's input once checked against the spec (`Spec::check`),
//! without its parameters (`Spec::body`); a reply is checked against the schema its operation
//! documents for its status (`Spec::check_reply`) instead of being deserialised into typed
//! Rust; the client reads the few fields it needs and hands the rest to JavaScript as it came.

use progenitor_client::{Error, ResponseValue};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request or reply body, as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Json(pub Value);

/// What a generated operation with a JSON reply returns.
pub type Sent = Result<ResponseValue<Json>, Error<Json>>;

/// A success's body as JSON: a JSON reply, or none (`()`: a 202, an attachment's 200).
pub trait SuccessBody: 'static {
    fn into_json(self) -> Value;
}

impl SuccessBody for Json {
    fn into_json(self) -> Value {
        self.0
    }
}

impl SuccessBody for () {
    fn into_json(self) -> Value {
        Value::Null
    }
}

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
