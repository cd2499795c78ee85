//! What Ecologic's replies become for the caller.

use crate::generated::ecologic::types as api;
use serde::Serialize;
use tsify::Tsify;

/// The outcome of creating or updating a request or a claim: 200 and 206 are both success (E6).
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DossierOutcome {
    /// `RequestId` or `ClaimId`.
    pub id: i64,
    /// Whether Ecologic has all it needs (200); otherwise see `validationErrors` (206).
    pub complete: bool,
    pub validation_errors: Vec<api::ValidationError>,
}

/// The outcome of a submission: submitted, or the claim's status and what is still missing.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SubmitOutcome {
    pub claim_id: i64,
    pub submitted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
    pub validation_errors: Vec<api::ValidationError>,
}

/// The outcome of the claim workflow.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ClaimOutcome {
    pub claim_id: i64,
    /// The files attached, in order (`FileName.FileExtension`).
    pub attached: Vec<String>,
    /// Whether the claim is submitted; otherwise `validationErrors` says what is missing.
    pub submitted: bool,
    pub last_status: String,
    pub validation_errors: Vec<api::ValidationError>,
}

pub(super) fn request_outcome(result: api::SupportRequestResult) -> DossierOutcome {
    DossierOutcome {
        id: result.request_id.0,
        complete: result.is_valid,
        validation_errors: result.validation_errors,
    }
}

pub(super) fn claim_outcome(result: api::ClaimResult) -> DossierOutcome {
    DossierOutcome {
        id: result.claim_id.0,
        complete: result.is_valid,
        validation_errors: result.validation_errors,
    }
}
