//! Differential: an input the client accepts is one the sandbox's contract accepts. Arbitrary
//! JSON against every operation, checked as the client checks a caller's input; when it passes,
//! the request the client writes from it (method, path, query, JSON body) is checked against the
//! specs read strictly (`sandbox::contract`, as `--strict` reads them, with `jsonschema`): no
//! fault, no required parameter missing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_claims::fuzzing::{Api, check, from_caller, pick, request};
use sandbox::contract::{self, Contract, Strictness};

fuzz_target!(|data: &[u8]| {
    let Some((operation, input)) = pick(data).filter(|(_, input)| from_caller(input)) else {
        return;
    };
    let api = match operation.api() {
        Api::Lalux => contract::Api::Lalux,
        Api::Ecologic => contract::Api::Ecologic,
        Api::LaluxToken => return,
    };
    let (errors, checked) = check(operation, input.clone());
    if !errors.is_empty() {
        return;
    }
    let Some((method, target, body)) = request(operation, checked) else {
        panic!(
            "{}: the client accepts {input} but cannot write its request",
            operation.id()
        );
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let sent = sandbox::Request {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: body.unwrap_or_default(),
    };
    let contract = Contract::get().expect("the specs compile as a contract");
    let found = contract.check(api, path, &sent, Strictness::Strict);
    assert!(
        found.faults.is_empty() && found.missing.is_empty(),
        "{}: the client accepts {input} and sends {} {target} {}, which the contract refuses: {:?}, missing {:?}",
        operation.id(),
        sent.method,
        String::from_utf8_lossy(&sent.body),
        found.faults,
        found.missing,
    );
});
