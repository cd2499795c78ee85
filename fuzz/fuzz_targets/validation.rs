//! Input validation: arbitrary JSON against every operation, as the client checks a caller's
//! input before sending it. No panic; every refusal names a field and says why.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_claims::fuzzing::{Operation, check, operations};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    let operations = OPERATIONS.get_or_init(operations);
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let Some(&operation) = operations.get(usize::from(pick) % operations.len()) else {
        return;
    };
    for error in check(operation, input).0 {
        assert!(
            !error.field.is_empty(),
            "{}: a refusal without a field: {error:?}",
            operation.id()
        );
        assert!(
            !error.message.is_empty(),
            "{}: a refusal without a reason: {error:?}",
            operation.id()
        );
    }
});
