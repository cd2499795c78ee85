//! Entry points for the fuzz targets in `fuzz/` (compiled with `--cfg fuzzing` only): the pure
//! code the client runs on a caller's input and on a server's reply, exactly as the client runs
//! it, without JavaScript.

use crate::ecologic::envelope;
use crate::error::{FieldError, SdkError};
use crate::lalux::rules;
use crate::schema::Spec;
use serde_json::Value;

/// An operation of one of the specs.
pub struct Operation {
    spec: &'static Spec,
    pub id: String,
}

/// Every operation a caller's input is checked against.
pub fn operations() -> Vec<Operation> {
    [Spec::lalux(), Spec::ecologic()]
        .into_iter()
        .flat_map(|spec| {
            spec.operation_ids()
                .into_iter()
                .map(move |id| Operation { spec, id })
        })
        .collect()
}

/// What the client does with a caller's input before sending it: normalises enum cases, checks
/// it against the operation's schema, then (LALUX settlements) the rules the spec cannot say.
pub fn check(operation: &Operation, mut input: Value) -> Vec<FieldError> {
    let Operation { spec, id } = operation;
    spec.normalise(id, &mut input);
    let mut errors = spec.check(id, &input);
    match id.as_str() {
        "submitRepairSettlement" => {
            rules::amounts_add_up(&input, rules::REPAIR_AMOUNTS, &mut errors);
            rules::replacement_days(&input, &mut errors);
        }
        "submitExpertSettlement" => {
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

/// Every fault a reply `body` of HTTP `status` has for every operation of both specs: the reply
/// check on any JSON value, as the call path runs it.
pub fn check_every_reply(status: u16, body: &Value) -> usize {
    [Spec::lalux_token(), Spec::lalux(), Spec::ecologic()]
        .into_iter()
        .flat_map(|spec| spec.operation_ids().into_iter().map(move |id| (spec, id)))
        .map(|(spec, id)| spec.check_reply(&id, status, body).len())
        .sum()
}

/// How many kinds of reply [`reply`] reads.
pub const REPLIES: u8 = 13;

/// The LALUX operations whose replies [`reply`] reads, after Ecologic's.
const LALUX: [&str; 2] = ["uploadRepairerFile", "submitRepairSettlement"];

/// The Ecologic operations whose replies [`reply`] reads, by kind.
const ECOLOGIC: [&str; 11] = [
    "getRepairSitesByAts",
    "printBrandList",
    "printProductTypeList",
    "printProductTypeWithLabelList",
    "calculateEcoSupport",
    "createSupportRequest",
    "getSupportRequestStatus",
    "createClaim",
    "getClaimStatus",
    "submitClaim",
    "attachFile",
];

/// What the client makes of a reply body of kind `which` with HTTP `status`, as the call path
/// (JSON, then the reply check) and the envelope code read it: `None` when the body does not read
/// (the client's `unexpectedResponse`), otherwise the data or a typed error.
pub fn reply(which: u8, status: u16, body: &[u8]) -> Option<Result<(), SdkError>> {
    let which = usize::from(which % REPLIES);
    if let Some(operation) = which.checked_sub(ECOLOGIC.len()).and_then(|i| LALUX.get(i)) {
        let body: Value = serde_json::from_slice(body).ok()?;
        if !Spec::lalux()
            .check_reply(operation, status, &body)
            .is_empty()
        {
            return None;
        }
        return Some(match status {
            200..=299 => Ok(()),
            _ => Err(crate::lalux::refusal(status, &body)),
        });
    }
    match ECOLOGIC.get(which) {
        Some(operation) => {
            let body: Value = serde_json::from_slice(body).ok()?;
            if !Spec::ecologic()
                .check_reply(operation, status, &body)
                .is_empty()
            {
                return None;
            }
            // `attachFile` stands for `ErrorReply`, every operation's refusal.
            Some(match status {
                200..=299 if *operation != "attachFile" => {
                    envelope::unwrap(status, body).map(|_| ())
                }
                _ => Err(envelope::error_reply(status, &body)),
            })
        }
        None => None,
    }
}
