//! Input validation: arbitrary JSON against every operation, as the client checks a caller's
//! input before sending it. No panic; every refusal names a field and says why.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_claims::fuzzing::{check, pick};

fuzz_target!(|data: &[u8]| {
    let Some((operation, input)) = pick(data) else {
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
