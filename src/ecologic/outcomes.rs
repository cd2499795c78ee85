//! What Ecologic's replies become for the caller.

use crate::json::{list, text};
use serde::Serialize;
use serde_json::Value;
use tsify::Tsify;

/// The outcome of creating or updating a request or a claim: 200 and 206 are both success (E6).
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DossierOutcome {
    /// `RequestId` or `ClaimId`.
    pub id: i64,
    /// Whether Ecologic has all it needs (200); otherwise see `validationErrors` (206).
    pub complete: bool,
    #[tsify(type = "ValidationError[]")]
    pub validation_errors: Value,
}

/// The outcome of a submission: submitted, or the claim's status and what is still missing.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SubmitOutcome {
    pub claim_id: i64,
    pub submitted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
    #[tsify(type = "ValidationError[]")]
    pub validation_errors: Value,
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
    #[tsify(type = "ValidationError[]")]
    pub validation_errors: Value,
    /// Whether an earlier run of this claim (its journal) had done some of it.
    pub resumed: bool,
    /// The steps this run did not send again, done by an earlier one: `createClaim` (its id
    /// read back), `attach:{name}`, and for a finished claim `submitClaim`.
    pub skipped: Vec<String>,
}

/// A support request's result (`RequestId`) or a claim's (`ClaimId`), checked against its schema.
pub(super) fn dossier_outcome(result: &Value, id: &str) -> DossierOutcome {
    DossierOutcome {
        id: record(result, id),
        complete: result.get("IsValid").and_then(Value::as_bool) == Some(true),
        validation_errors: list(result, "ValidationErrors"),
    }
}

/// A submission's result.
pub(super) fn submit_outcome(result: &Value) -> SubmitOutcome {
    SubmitOutcome {
        claim_id: record(result, "ClaimId"),
        submitted: result.get("IsValid").and_then(Value::as_bool) == Some(true),
        last_status: text(result, "LastStatus"),
        validation_errors: list(result, "ValidationErrors"),
    }
}

/// The id at `key` (the reply's schema requires it).
pub(super) fn record(result: &Value, key: &str) -> i64 {
    result.get(key).and_then(Value::as_i64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_206_is_an_incomplete_dossier_with_its_errors_not_a_failure() {
        let errors =
            json!([{"Field": "Invoice", "Message": "Facture manquante", "MessageType": "E"}]);
        let result = json!({"ClaimId": 42, "IsValid": false, "ValidationErrors": errors.clone()});
        let outcome = dossier_outcome(&result, "ClaimId");
        assert_eq!(
            (outcome.id, outcome.complete, outcome.validation_errors),
            (42, false, errors)
        );
        let complete = dossier_outcome(&json!({"RequestId": 7, "IsValid": true}), "RequestId");
        assert_eq!(
            (complete.id, complete.complete, complete.validation_errors),
            (7, true, json!([]))
        );
    }

    #[test]
    fn a_submission_is_submitted_only_when_ecologic_says_valid() {
        let refused = submit_outcome(
            &json!({"ClaimId": 3, "IsValid": false, "LastStatus": "Dossier incomplet"}),
        );
        assert_eq!(
            (
                refused.claim_id,
                refused.submitted,
                refused.last_status.as_deref()
            ),
            (3, false, Some("Dossier incomplet"))
        );
        assert!(submit_outcome(&json!({"ClaimId": 3, "IsValid": true})).submitted);
        assert!(
            !submit_outcome(&json!({"ClaimId": 3})).submitted,
            "no IsValid: not submitted"
        );
    }
}
