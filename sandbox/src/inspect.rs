//! The log of requests received, as the admin API shows it: secrets are redacted.

use crate::http::{Request, form_pairs};
use serde::Serialize;
use serde_json::{Map, Value};

/// What replaces a secret in the log.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are secrets.
const SECRET_HEADERS: &[&str] = &["authorization", "api_key", "cookie"];
/// Body fields whose values are secrets (the expert password of `/authen`).
const SECRET_FIELDS: &[&str] = &["password", "client_secret"];

/// One request as received, secrets redacted.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Decoded query pairs, for assertions that do not care about encoding.
    pub query_params: Vec<(String, String)>,
    pub headers: Map<String, Value>,
    /// The JSON body, the form fields of a form body, the text of another body, or null.
    pub body: Value,
    /// What a strict reading of the spec would have refused, answered as the real server would
    /// (the `X-Sandbox-Deviation` header sent back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deviations: Option<String>,
}

impl LoggedRequest {
    pub fn from_request(request: &Request) -> Self {
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let value = if SECRET_HEADERS.contains(&name.as_str()) {
                    redact_header(value)
                } else {
                    value.clone()
                };
                (name, Value::String(value))
            })
            .collect();
        Self {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            query_params: request.query_pairs(),
            headers,
            body: body_value(request),
            deviations: None,
        }
    }
}

/// Keeps the scheme of an `Authorization` value (`Bearer`) so tests can check it, never the secret.
fn redact_header(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_owned(),
    }
}

fn body_value(request: &Request) -> Value {
    if request.body.is_empty() {
        return Value::Null;
    }
    let content_type = request.header("content-type").unwrap_or_default();
    let text = String::from_utf8_lossy(&request.body);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let fields = form_pairs(&text)
            .into_iter()
            .map(|(name, value)| {
                let value = if SECRET_FIELDS.contains(&name.as_str()) {
                    REDACTED.to_owned()
                } else {
                    value
                };
                (name, Value::String(value))
            })
            .collect();
        return Value::Object(fields);
    }
    serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()))
}
