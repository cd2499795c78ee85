//! Entry points for the fuzz targets in `fuzz/` (compiled with `--cfg fuzzing` only): the pure
//! code the client runs on a caller's input and on a server's reply, exactly as the client runs
//! it, without JavaScript.

use crate::ecologic::envelope::{self, Envelope};
use crate::error::{FieldError, SdkError};
use crate::generated::{ecologic::types as eco, lalux::types as lux};
use crate::lalux::rules;
use crate::schema::Spec;
use serde::de::DeserializeOwned;
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

/// How many kinds of reply [`reply`] reads.
pub const REPLIES: u8 = 13;

/// What the client makes of a reply body of kind `which` with HTTP `status`, as the generated
/// client and the envelope code read it: `None` when the body does not deserialise (the
/// client's `unexpectedResponse`), otherwise the data or a typed error.
pub fn reply(which: u8, status: u16, body: &[u8]) -> Option<Result<(), SdkError>> {
    fn unwrap<E: Envelope + DeserializeOwned>(
        status: u16,
        body: &[u8],
    ) -> Option<Result<(), SdkError>> {
        let envelope: E = serde_json::from_slice(body).ok()?;
        Some(envelope::unwrap(status, envelope).map(|_| ()))
    }
    fn read<T: DeserializeOwned>(body: &[u8]) -> Option<Result<(), SdkError>> {
        serde_json::from_slice::<T>(body).ok().map(|_| Ok(()))
    }
    match which % REPLIES {
        0 => unwrap::<eco::RepairSiteListEnvelope>(status, body),
        1 => unwrap::<eco::BrandListEnvelope>(status, body),
        2 => unwrap::<eco::ProductTypeListEnvelope>(status, body),
        3 => unwrap::<eco::LabelledProductTypeListEnvelope>(status, body),
        4 => unwrap::<eco::EcoSupportEnvelope>(status, body),
        5 => unwrap::<eco::SupportRequestEnvelope>(status, body),
        6 => unwrap::<eco::SupportRequestStatusEnvelope>(status, body),
        7 => unwrap::<eco::ClaimEnvelope>(status, body),
        8 => unwrap::<eco::ClaimStatusEnvelope>(status, body),
        9 => unwrap::<eco::SubmitClaimEnvelope>(status, body),
        10 => serde_json::from_slice::<eco::ErrorReply>(body)
            .ok()
            .map(|refusal| Err(envelope::error_reply(status, refusal))),
        11 => read::<crate::wire::UploadResult>(body),
        _ => read::<lux::LaluxError>(body),
    }
}
