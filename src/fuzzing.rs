//! Entry points for the fuzz targets in `fuzz/` (compiled with `--cfg fuzzing` only): the pure
//! code the client runs on a caller's input and on a server's reply, exactly as the client runs
//! it, without JavaScript.

use crate::ecologic::envelope;
use crate::error::{FieldError, SdkError};
use serde_json::Value;

pub use crate::schema::{Api, Operation};

/// Every operation a caller's input is checked against (the token service's take none).
pub fn operations() -> Vec<Operation> {
    Operation::ALL
        .into_iter()
        .filter(|op| op.api() != Api::LaluxToken)
        .collect()
}

/// A fuzz input as an operation (its first byte, modulo [`operations`]) and a JSON input (the
/// rest); `None` when the rest is not JSON.
pub fn pick(data: &[u8]) -> Option<(Operation, Value)> {
    let (&which, json) = data.split_first()?;
    let input: Value = serde_json::from_slice(json).ok()?;
    static OPERATIONS: std::sync::OnceLock<Vec<Operation>> = std::sync::OnceLock::new();
    let operations = OPERATIONS.get_or_init(operations);
    let operation = *operations.get(usize::from(which) % operations.len())?;
    Some((operation, input))
}

/// Whether `input` is what a caller can give: no text in it starts with U+0001, which
/// `readInput` refuses (the client's stand-ins for files start so, and the validator measures a
/// stand-in by what its text says).
pub fn from_caller(input: &Value) -> bool {
    match input {
        Value::String(text) => !text.starts_with('\u{1}'),
        Value::Array(items) => items.iter().all(from_caller),
        Value::Object(map) => map.values().all(from_caller),
        _ => true,
    }
}

/// The moment the fuzz targets check inputs at: midnight in Paris (a repair may not be after
/// its day).
pub fn now() -> repair_dates::WallClock {
    repair_dates::WallClock::midnight(repair_dates::Day {
        year: 2026,
        month: 12,
        day: 3,
    })
}

/// What the client does with a caller's input before sending it (`crate::validate::offline`,
/// at [`now`]): the faults, and the input as it would be sent.
pub fn check(operation: Operation, mut input: Value) -> (Vec<FieldError>, Value) {
    let mut errors = Vec::new();
    crate::validate::offline(operation, &mut input, &now(), &mut errors);
    (errors, input)
}

/// The request the client writes for `input`, checked: its method, path and query (from the
/// spec's server on), and its JSON body if it has one; `None` if the spec cannot write it.
pub fn request(operation: Operation, input: Value) -> Option<(String, String, Option<Vec<u8>>)> {
    let request = crate::call::request(operation, input).ok()?;
    let body = match request.body {
        crate::schema::Body::Json(value) => Some(serde_json::to_vec(&value).ok()?),
        crate::schema::Body::None => None,
        _ => return None,
    };
    Some((request.method, request.target, body))
}

/// A reply body as the call path reads it (`fetch`'s `text()` decoding, then JSON): `None` when
/// it does not read.
pub fn read_reply(bytes: &[u8]) -> Option<Value> {
    crate::call::json(bytes)
}

/// The most bytes of a reply the client reads.
pub const REPLY_LIMIT: usize = crate::fetch::REPLY_LIMIT;

/// Every fault a reply `body` of HTTP `status` has for every operation of the specs: the reply
/// check on any JSON value, as the call path runs it.
pub fn check_every_reply(status: u16, body: &Value) -> usize {
    Operation::ALL
        .into_iter()
        .map(|op| op.spec().check_reply(op, status, body).len())
        .sum()
}

/// What the client makes of a reply body of operation `which` (of [`operations`], modulo their
/// number) with HTTP `status`, as the call path (JSON, then the reply check) and the reply
/// mapping read it: `None` when the body does not read (the client's `unexpectedResponse`),
/// otherwise the data or a typed error.
pub fn reply(which: u8, status: u16, body: &[u8]) -> Option<Result<(), SdkError>> {
    static OPERATIONS: std::sync::OnceLock<Vec<Operation>> = std::sync::OnceLock::new();
    let operations = OPERATIONS.get_or_init(operations);
    let operation = *operations.get(usize::from(which) % operations.len())?;
    let body: Value = serde_json::from_slice(body).ok()?;
    let spec = operation.spec();
    if !spec.check_reply(operation, status, &body).is_empty() {
        return None;
    }
    let success = (200..300).contains(&status);
    Some(match operation.api() {
        Api::Ecologic if success && spec.documents(operation, status) == Some(true) => {
            envelope::unwrap(status, body).map(|_| ())
        }
        // `ErrorReply`, every operation's refusal (and what `attachFile`'s bodiless 200 is read as).
        Api::Ecologic => Err(envelope::error_reply(status, &body)),
        _ if success => Ok(()),
        _ => Err(crate::lalux::refusal(status, &body)),
    })
}
