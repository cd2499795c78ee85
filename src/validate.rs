//! The one validation of a caller's input before anything is sent, pure (no JS, no network, no
//! client state): the defaults the documents imply, the spec's check, then the rules the spec
//! cannot say that need no referential. The shells run it (`js::checked`, `Ecologic::check`,
//! the workflows), and so do the fuzz targets (`crate::fuzzing`), so that what they check is
//! what a caller meets. Rules that need the referentials or the client's state (an invoice number
//! used twice) come after it, in `Ecologic::check`.

use crate::ecologic::rules as ecologic;
use crate::error::FieldError;
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
