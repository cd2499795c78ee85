//! Entry points for the fuzz targets in `fuzz/` (compiled with `--cfg fuzzing` only): the pure
//! code the client runs on a caller's input and on a server's reply, exactly as the client runs
//! it, without JavaScript.

use crate::ecologic::envelope;
use crate::error::{FieldError, SdkError};
use crate::lalux::rules;
use serde_json::Value;

use crate::schema::Api;
pub use crate::schema::Operation;

/// Every operation a caller's input is checked against (the token service's take none).
pub fn operations() -> Vec<Operation> {
    Operation::ALL
        .into_iter()
        .filter(|op| op.api() != Api::LaluxToken)
        .collect()
}

/// What the client does with a caller's input before sending it: normalises enum cases, checks
/// it against the operation's schema, then (LALUX settlements) the rules the spec cannot say.
pub fn check(operation: Operation, mut input: Value) -> Vec<FieldError> {
    let spec = operation.spec();
    spec.normalise(operation, &mut input);
    let mut errors = spec.check(operation, &input);
    match operation {
        Operation::SubmitRepairSettlement => {
            rules::amounts_add_up(&input, rules::REPAIR_AMOUNTS, &mut errors);
            rules::replacement_days(&input, &mut errors);
        }
        Operation::SubmitExpertSettlement => {
            rules::amounts_add_up(&input, rules::EXPERT_AMOUNTS, &mut errors)
        }
        _ => {}
    }
    errors
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
    let operations = operations();
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
