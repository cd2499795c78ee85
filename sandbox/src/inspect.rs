//! The log of requests received, as the admin API shows it: secrets are redacted, large bodies
//! are kept as their length, hash and prefix, and only the latest entries are kept, so memory
//! stays flat however many uploads a test sends.

use crate::http::{Request, form_pairs};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::VecDeque;

/// Entries kept; older ones are dropped and counted ([`Log::dropped`]).
pub const LOG_CAPACITY: usize = 1000;
/// Bodies up to this many bytes are logged whole; larger ones as a [`BodySummary`].
pub const LOGGED_BODY_BYTES: usize = 4096;
/// Characters of a large body kept in its summary.
const PREFIX_CHARS: usize = 200;

/// The requests received, oldest first, at most [`LOG_CAPACITY`].
#[derive(Clone, Debug, Default)]
pub struct Log {
    entries: VecDeque<LoggedRequest>,
    dropped: u64,
}

impl Log {
    pub fn push(&mut self, entry: LoggedRequest) {
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }

    pub fn last_mut(&mut self) -> Option<&mut LoggedRequest> {
        self.entries.back_mut()
    }

    pub fn entries(&self) -> &VecDeque<LoggedRequest> {
        &self.entries
    }

    /// How many of the oldest entries were dropped to keep the log bounded.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// A body over [`LOGGED_BODY_BYTES`], as the log keeps it.
#[derive(Clone, Debug, Serialize)]
pub struct BodySummary {
    pub bytes: usize,
    /// FNV-1a 64-bit hash of the body's bytes, in hex: compare it with what was sent.
    pub fnv1a64: String,
    /// Its first characters (none for a form body, which may hold a secret).
    pub prefix: String,
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

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
    /// The JSON body, the form fields of a form body, the text of another body, or null (none,
    /// or one over [`LOGGED_BODY_BYTES`]: see `bodySummary`).
    pub body: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_summary: Option<BodySummary>,
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
        let large = request.body.len() > LOGGED_BODY_BYTES;
        Self {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            query_params: request.query_pairs(),
            headers,
            body: if large {
                Value::Null
            } else {
                body_value(request)
            },
            body_summary: large.then(|| summary(request)),
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

fn summary(request: &Request) -> BodySummary {
    let form = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let head = request
        .body
        .get(..PREFIX_CHARS * 4)
        .unwrap_or(&request.body);
    BodySummary {
        bytes: request.body.len(),
        fnv1a64: format!("{:016x}", fnv1a64(&request.body)),
        prefix: match form {
            true => String::new(),
            false => String::from_utf8_lossy(head)
                .chars()
                .take(PREFIX_CHARS)
                .collect(),
        },
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
