//! The one validation of a caller's input before anything is sent, pure (no JS, no network, no
//! client state): the defaults the documents imply, the spec's check, then the rules the spec
//! cannot say that need no referential. The shells run it (`js::checked`, `Ecologic::check`,
//! the workflows), and so do the fuzz targets (`crate::fuzzing`), so that what they check is
//! what a caller meets. Rules that need the referentials or the client's state (an invoice number
//! used twice) come after it, in `Ecologic::check`.

use crate::ecologic::rules as ecologic;
use crate::error::{Code, FieldError};
use crate::lalux::rules as lalux;
use crate::schema::{Api, Operation};
use repair_dates::WallClock;
use serde_json::Value;

/// Checks `value`, the input of `operation`, at `now` (Paris wall clock): fills what the spec's
/// `x-client-default`s and the documents imply when it is left out, normalises enum cases, then
/// adds every fault to `errors` (one per field, the first; a field already at fault keeps its
/// first).
pub fn offline(
    operation: Operation,
    value: &mut Value,
    now: &WallClock,
    errors: &mut Vec<FieldError>,
) {
    operation.spec().fill(operation, value, now);
    if operation.api() == Api::Ecologic {
        let request = matches!(
            operation,
            Operation::CreateSupportRequest | Operation::UpdateSupportRequest
        );
        ecologic::offline_mode(value, request, errors);
        ecologic::empty_purchase_date(value);
        ecologic::default_currency(value);
    }
    operation.spec().normalise(operation, value);
    spec(operation, value, errors);
    match operation {
        Operation::SubmitRepairSettlement => {
            lalux::amounts_add_up(value, lalux::REPAIR_AMOUNTS, errors);
            lalux::replacement_days(value, errors);
        }
        Operation::SubmitExpertSettlement => {
            lalux::amounts_add_up(value, lalux::EXPERT_AMOUNTS, errors)
        }
        _ if operation.api() == Api::Ecologic => {
            ecologic::french_zip(value, errors);
            ecologic::brand_name(value, errors);
            ecologic::record_ids(value, errors);
            ecologic::phone(value, errors);
            ecologic::totals_in_order(value, errors);
            for day in ["RepairEndDate", "RepairDate", "CallDate"] {
                ecologic::not_after(value, day, &now.day, errors);
            }
        }
        _ => {}
    }
}

/// [`offline`] for a step of a workflow, whose fields `filled` the workflow fills from an earlier
/// step (an upload's key, the claim's id): they are not asked of the caller, and nothing stands
/// in for them.
pub fn step(
    operation: Operation,
    value: &mut Value,
    filled: &[&str],
    now: &WallClock,
    errors: &mut Vec<FieldError>,
) {
    let before = errors.len();
    offline(operation, value, now, errors);
    let mut at = 0;
    errors.retain(|e| {
        at += 1;
        at <= before || e.code != Code::Required || !filled.contains(&e.field.as_str())
    });
}

/// Adds the faults of `value` for `operation`'s schema to `errors`, one per field (the first),
/// except for fields already at fault. Linear in the faults (a caller may send thousands).
pub fn spec(operation: Operation, value: &Value, errors: &mut Vec<FieldError>) {
    let mut at_fault: std::collections::HashSet<String> =
        errors.iter().map(|e| e.field.clone()).collect();
    for error in operation.spec().check(operation, value) {
        if at_fault.insert(error.field.clone()) {
            errors.push(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Midnight in Paris on 2026-12-03.
    fn now() -> WallClock {
        WallClock::midnight(repair_dates::Day {
            year: 2026,
            month: 12,
            day: 3,
        })
    }

    fn faults(operation: Operation, mut value: Value) -> (Vec<FieldError>, Value) {
        let mut errors = Vec::new();
        offline(operation, &mut value, &now(), &mut errors);
        (errors, value)
    }

    #[test]
    fn what_the_client_fills_is_filled_from_the_spec() {
        let support = json!({
            "TotalAmountExclVAT": 100, "TotalAmountInclVAT": 120, "BrandId": "0001",
            "BrandName": "B", "ProductId": "EEE.M1.001",
        });
        let (errors, value) = faults(Operation::CalculateEcoSupport, support.clone());
        let currencies = |v: &Value| (v["TotalAmountExclVAT_Currency"].clone(), v["TotalAmountInclVATCurrency"].clone());
        assert!(!errors.iter().any(|e| e.field.contains("Currency")), "{errors:?}");
        assert_eq!(currencies(&value), (json!("EUR"), json!("EUR")));

        // `$Name`: the other parameter's value, as given (a currency the spec does not list
        // is then refused under both names).
        let mut given = support.clone();
        given["TotalAmountExclVAT_Currency"] = json!("USD");
        let (errors, value) = faults(Operation::CalculateEcoSupport, given);
        assert_eq!(currencies(&value), (json!("USD"), json!("USD")));
        assert_eq!(errors.iter().filter(|e| e.code == Code::Enum).count(), 2, "{errors:?}");

        // `$now`: the Paris wall clock of the check.
        let (errors, value) = faults(Operation::CreateSupportRequest, json!({}));
        assert_eq!(value["CallDate"], json!(now().to_string()));
        assert!(!errors.iter().any(|e| e.field == "CallDate"), "{errors:?}");

        // One id under either name is sent under both; neither is one fault, naming both.
        let (errors, value) = faults(Operation::UpdateSupportRequest, json!({ "claimId": 7 }));
        assert_eq!((value["RequestId"].clone(), value["claimId"].clone()), (json!(7), json!(7)));
        assert!(!errors.iter().any(|e| e.field == "RequestId" || e.field == "claimId"), "{errors:?}");
        let (_, value) = faults(Operation::UpdateSupportRequest, json!({ "RequestId": 8 }));
        assert_eq!(value["claimId"], json!(8));
        let (errors, _) = faults(Operation::UpdateSupportRequest, json!({}));
        let id: Vec<_> = errors.iter().filter(|e| e.field == "RequestId" || e.field == "claimId").collect();
        assert_eq!(id.len(), 1, "{errors:?}");
        assert_eq!((id[0].field.as_str(), id[0].code, id[0].params.get("other").cloned()), ("RequestId", Code::Required, Some(json!("claimId"))));
    }

    /// The input TypeScript `build.rs` writes asks for exactly the parameters the validator
    /// refuses an input without: what `tsc` accepts, the client does not refuse as missing.
    #[test]
    fn the_input_typescript_requires_what_the_validator_requires() {
        let ts = include_str!(concat!(env!("OUT_DIR"), "/inputs.ts"));
        let mut seen = 0;
        for block in ts.split("export type ").skip(1) {
            let Some((name, body)) = block.split_once(" = {") else { continue };
            let id = name.strip_suffix("Input").unwrap_or(name);
            let id = id[..1].to_ascii_lowercase() + &id[1..];
            let operation = Operation::from_id(&id).unwrap_or_else(|| panic!("{name}: no operation {id}"));
            let (object, rest) = body.split_once("\n}").unwrap_or((body, ""));
            let field = |line: &str| line.trim().split_once(':').map(|(n, _)| n.to_owned());
            let mut params: Vec<String> = object.lines().filter_map(field).filter(|n| !n.starts_with("/**")).collect();
            let mut required: Vec<String> = params.iter().filter(|n| !n.ends_with('?')).cloned().collect();
            params.iter_mut().for_each(|n| *n = n.trim_end_matches('?').to_owned());
            // `x-one-of-required`: the validator names the first of the alternatives.
            if let Some(first) = rest.split_once("({ ").and_then(|(_, a)| a.split_once(':')) {
                required.push(first.0.to_owned());
            }
            let (errors, _) = faults(operation, json!({}));
            let mut refused: Vec<String> = errors
                .iter()
                .filter(|e| e.code == Code::Required && params.contains(&e.field))
                .map(|e| e.field.clone())
                .collect();
            required.sort();
            refused.sort();
            assert_eq!(required, refused, "{name}");
            seen += 1;
        }
        assert!(seen >= 6, "{seen} input types in {ts}");
    }

    #[test]
    fn a_step_is_checked_without_the_fields_its_workflow_fills_and_nothing_else_is_let_off() {
        let settlement = json!({
            "idPrestataire": "XT1234", "referenceFacture": "F-1", "dateFacture": "2024-03-01",
            "numeroSinistre": "S-1", "referenceInterneLalux": "PEC-1", "immatriculationVehicule": "AB1234",
            "numeroChassisVehicule": "1HGBH41JXMN109186", "type": "F", "typeFacture": "VHR", "nbrJourVehiculeRemplacement": 2,
            "factureHT": 1000, "factureTVA": "170.50", "factureTTC": 1170.5,
        });
        let fields =
            |errors: &[FieldError]| errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>();
        let mut errors = Vec::new();
        offline(
            Operation::SubmitRepairSettlement,
            &mut settlement.clone(),
            &now(),
            &mut errors,
        );
        assert_eq!(fields(&errors), ["refPDFFacture"]);

        let mut value = settlement.clone();
        let mut errors = Vec::new();
        step(
            Operation::SubmitRepairSettlement,
            &mut value,
            &["refPDFFacture"],
            &now(),
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");

        // A filled field's other faults, and a fault found before, stay.
        let mut value = json!({ "ClaimId": 0, "FileName": "f", "FileExtension": "pdf", "DocumentType": "INVOICE" });
        let mut errors = vec![FieldError::required("earlier")];
        step(
            Operation::AttachFile,
            &mut value,
            &["ClaimId", "earlier"],
            &now(),
            &mut errors,
        );
        let found = fields(&errors);
        assert!(
            found.contains(&"earlier".to_owned()) && found.contains(&"ClaimId".to_owned()),
            "{found:?}"
        );
    }
}
