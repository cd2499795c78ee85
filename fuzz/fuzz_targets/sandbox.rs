//! The sandbox core: arbitrary requests to every route (any method, case, query, headers and
//! body). No panic, and no 5xx but the one the real Ecologic server documents (R7: a 500 with its
//! `E` envelope, for an unknown or stale id). The admin API is left out: it injects 5xx on purpose.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_claims::fuzzing::{Api, Operation};
use sandbox::{Bases, Config, Request, Sandbox};
use std::sync::{Mutex, OnceLock};

const NOW_MS: i64 = 1_795_000_000_000;
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];
/// Every operation's route at the sandbox, from the specs (`Operation::ALL`), in its spec's case,
/// then in upper case, one on Ecologic's pre-production host, and one that is no route.
fn routes() -> Vec<String> {
    let mut routes: Vec<String> = Operation::ALL
        .into_iter()
        .map(|op| {
            let base = match op.api() {
                Api::LaluxToken => Bases::LALUX_TOKEN,
                Api::Lalux => Bases::LALUX_API,
                Api::Ecologic => Bases::ECOLOGIC_PRODUCTION,
            };
            format!("{base}{}", op.path())
        })
        .collect();
    let upper: Vec<String> = routes.iter().map(|r| r.to_uppercase()).collect();
    routes.extend(upper);
    routes.push(format!("{}/submitclaim", Bases::ECOLOGIC_PREPRODUCTION));
    routes.push("/elsewhere".to_owned());
    routes
}
const AUTHORIZATIONS: [&str; 4] = [
    "sandbox-repairer/sandbox-repairer-secret",
    "sandbox-expert/sandbox-expert-secret",
    "Bearer nothing",
    "",
];

static ROUTES: OnceLock<Vec<String>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    static SANDBOX: Mutex<Option<Sandbox>> = Mutex::new(None);
    let [method, route, auth, rest @ ..] = data else {
        return;
    };
    let mut parts = rest.splitn(3, |b| *b == 0xff);
    let query = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let content_type = match parts.next().unwrap_or_default().first() {
        Some(0) => "application/x-www-form-urlencoded",
        Some(1) => "text/plain",
        _ => "application/json",
    };
    let body = parts.next().unwrap_or_default().to_vec();
    let mut headers = vec![
        ("content-type".to_owned(), content_type.to_owned()),
        (
            "api_key".to_owned(),
            "C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B".to_owned(),
        ),
    ];
    let authorization = AUTHORIZATIONS[usize::from(*auth) % AUTHORIZATIONS.len()];
    if !authorization.is_empty() {
        headers.push(("authorization".to_owned(), authorization.to_owned()));
    }
    let all = ROUTES.get_or_init(routes);
    let request = Request {
        method: METHODS[usize::from(*method) % METHODS.len()].to_owned(),
        path: all[usize::from(*route) % all.len()].clone(),
        query,
        headers,
        body,
    };
    let mut guard = SANDBOX
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let sandbox = guard
        .get_or_insert_with(|| Sandbox::new(Config::default(), NOW_MS).expect("the seed loads"));
    let response = sandbox.handle(request.clone(), NOW_MS);
    if response.status >= 500 {
        let envelope: serde_json::Value =
            serde_json::from_slice(&response.body).unwrap_or_default();
        assert!(
            response.status == 500 && envelope["ResponseStatus"] == "E",
            "{} {}?{} gave {} {}",
            request.method,
            request.path,
            request.query,
            response.status,
            String::from_utf8_lossy(&response.body)
        );
    }
});
