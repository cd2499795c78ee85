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
use repair_dates::Day;
use serde_json::Value;

/// Checks `value`, the input of `operation`, on calendar day `today` (in Paris): fills what the
/// documents imply when it is left out, normalises enum cases, then adds every fault to `errors`
/// (one per field, the first; a field already at fault keeps its first).
pub fn offline(operation: Operation, value: &mut Value, today: &Day, errors: &mut Vec<FieldError>) {
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
                ecologic::not_after(value, day, today, errors);
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
    today: &Day,
    errors: &mut Vec<FieldError>,
) {
    let before = errors.len();
    offline(operation, value, today, errors);
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

    fn today() -> Day {
        Day::new(2026, 12, 3).unwrap_or(Day {
            year: 2026,
            month: 12,
            day: 3,
        })
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
            &today(),
            &mut errors,
        );
        assert_eq!(fields(&errors), ["refPDFFacture"]);

        let mut value = settlement.clone();
        let mut errors = Vec::new();
        step(
            Operation::SubmitRepairSettlement,
            &mut value,
            &["refPDFFacture"],
            &today(),
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
            &today(),
            &mut errors,
        );
        let found = fields(&errors);
        assert!(
            found.contains(&"earlier".to_owned()) && found.contains(&"ClaimId".to_owned()),
            "{found:?}"
        );
    }
}
