//! Reply mapping: an arbitrary status and body for every kind of reply, read as the generated
//! client reads it and unwrapped as the client does. No panic; a typed outcome.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_claims::error::Kind;
use repair_claims::fuzzing::reply;

fuzz_target!(|data: &[u8]| {
    let [which, high, low, body @ ..] = data else {
        return;
    };
    let status = 100 + u16::from_be_bytes([*high, *low]) % 500;
    if let Some(Err(error)) = reply(*which, status, body) {
        assert!(
            matches!(
                error.kind,
                Kind::Refused | Kind::UnexpectedResponse | Kind::Authentication
            ),
            "status {status}: {:?}",
            error.kind
        );
        assert!(!error.message.is_empty());
    }
});
