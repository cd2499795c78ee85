//! The browser half of the gateway (`repair-claims/server`): a client made with option `gateway`
//! holds no credential and sends each method it is called with, and what it was given, to
//! `{gateway}/{api}/{method}` as `{ "args": [...] }`: in header `x-repair-claims-args` for a
//! small read (no body), else as the body (its files' bytes after the JSON, see
//! [`RequestBody::relayed`](crate::body::RequestBody::relayed)). The gateway checks the input
//! again with the same rules (it calls the same method of a client of its own, which holds the
//! tenant's credentials), sends the call to the API once, and answers `{ "data": … }` or
//! `{ "error": … }` (the `RepairClaimsError` its client gave, or its own: `forbidden`,
//! `validation`, `authentication`), which is handed back as it came.
//!
//! A relayed call goes through the call path like an operation ([`Relayed`] says what its
//! replies mean): its timeout, abort, redirects and reply limit are the same. It is never sent
//! twice once it may have reached the gateway (the gateway's client retries what is safe to
//! retry); it goes again only when it never left, or after a `429` of the gateway's own rate
//! limit (nothing was forwarded), after its `Retry-After`.

use crate::auth::Auth;
use crate::call::{self, Contract, Repeat, Reply};
use crate::error::{FieldError, SdkError};
use crate::fetch::Headers;
use crate::js::PerCall;
use crate::schema::{Body, Operation};
use serde_json::{Value, json};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// What the replies of a relayed method mean: `{ "data": … }` on success, else the gateway's
/// `{ "error": RepairClaimsError }`.
struct Relayed(&'static str);

impl Contract for Relayed {
    fn name(&self) -> &'static str {
        self.0
    }
    fn documents(&self, _status: u16) -> Option<bool> {
        Some(true)
    }
    fn secret_replies(&self) -> bool {
        false
    }
    fn check_reply(&self, status: u16, body: &Value) -> Vec<FieldError> {
        let error = &body["error"];
        match status {
            200..=299 if body.get("data").is_none() => vec![FieldError::required("data")],
            200..=299 => Vec::new(),
            _ if error["name"] == "RepairClaimsError" && error["kind"].is_string() => Vec::new(),
            _ => vec![FieldError::required("error")],
        }
    }
    fn held_back(&self, status: u16) -> bool {
        status == 429
    }
}

/// Relays method `method`, with its `input` (if it takes one), to the gateway at `url`
/// (`{gateway}/{api}`), within `call`'s options (its timeout, retries, signal, hooks).
pub async fn relay(
    url: Rc<str>,
    method: &'static str,
    input: Option<JsValue>,
    call: PerCall,
) -> Result<JsValue, SdkError> {
    let mut read = Vec::new();
    if let Some(input) = input {
        let input = crate::input::read(&input, "input", &call.settings.files).await;
        if !input.errors.is_empty() {
            return Err(SdkError::validation(input.errors));
        }
        read.push(input.value);
    }
    let mut settings = call.settings;
    let policy = &mut settings.policy;
    // One attempt may take what every attempt of the gateway's client, and the waits between
    // them, may take.
    policy.timeout = policy.budget().saturating_add(policy.timeout);
    // What the API takes in its URL (a read's query) may go in a header; what it takes in a
    // body (a dossier: names, phones, addresses) stays in the body, out of the headers that
    // proxies and monitoring tools log.
    let read_only =
        read.is_empty() || Operation::from_id(method).is_some_and(|o| o.method() == "GET");
    let args = json!({ "args": read });
    let (headers, body) = match in_header(&args).filter(|_| read_only) {
        Some(headers) => (headers, Body::None),
        None => (Headers::default(), Body::Relayed(args)),
    };
    let sent = call::send_to(
        &crate::fetch::Js,
        &settings,
        Repeat::Never,
        &Auth::Fixed(headers),
        &Relayed(method),
        ("POST", &format!("{url}/{method}")),
        body,
    )
    .await?;
    match sent {
        Reply::Success { mut value, .. } => crate::js::to_js(&value["data"].take()),
        Reply::Refusal { mut body, .. } => {
            Err(SdkError::thrown(error(body["error"].take(), method)))
        }
    }
}

/// The most bytes of `args` carried in a header (well within a proxy's line limit: nginx's is
/// 8 KiB).
const IN_HEADER: usize = 4096;

/// The header carrying `args` (their JSON, URI-encoded: a header's value is ASCII), when they
/// hold no file and fit in [`IN_HEADER`] bytes (a read's, see [`relay`]): the call is then a POST without a body, which
/// Node's fetch sends 0.1 ms faster than one with a body (`scripts/bench.mjs gateway`).
/// Otherwise `None`: they go as the body.
fn in_header(args: &Value) -> Option<Headers> {
    let text = serde_json::to_string(args).ok()?;
    // A held file's stand-in starts with U+0001 (a caller's text may hold one: it goes as a body).
    if text.as_bytes().windows(6).any(|w| w == b"\\u0001") {
        return None;
    }
    let encoded = String::from(js_sys::encode_uri_component(&text));
    if encoded.len() > IN_HEADER {
        return None;
    }
    Headers::one(ARGS_HEADER, &encoded).ok()
}

/// The header a relayed call's `args` go in (`repair-claims/server` reads them from it).
const ARGS_HEADER: &str = "x-repair-claims-args";

/// The `RepairClaimsError` of `props` (a gateway's `error`, checked by [`Relayed`]), naming
/// `method`: its own properties but those that are not data (`__proto__`, `stack`, `cause`),
/// with `fields` an array.
fn error(props: Value, method: &'static str) -> JsValue {
    let mut props = match props {
        Value::Object(props) => props,
        _ => Default::default(),
    };
    for key in ["__proto__", "stack", "cause"] {
        props.remove(key);
    }
    if !props.get("fields").is_some_and(Value::is_array) {
        props.insert("fields".into(), json!([]));
    }
    props.insert("operation".into(), method.into());
    let made = js_sys::Error::new(
        props
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("The gateway failed."),
    );
    if let Ok(props) = crate::js::to_js(&props) {
        js_sys::Object::assign(&made, &props.unchecked_into());
    }
    made.set_name("RepairClaimsError");
    made.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gateway_reply_is_its_data_or_a_repair_claims_error_and_only_its_429_held_the_call_back() {
        let contract = Relayed("brands");
        let faults = |status, body: Value| contract.check_reply(status, &body).len();
        assert_eq!(faults(200, json!({ "data": null })), 0);
        assert_eq!(faults(200, json!({ "other": 1 })), 1);
        assert_eq!(faults(200, json!([1])), 1);
        let error = json!({ "error": { "name": "RepairClaimsError", "kind": "forbidden" } });
        assert_eq!(faults(403, error), 0);
        assert_eq!(
            faults(403, json!({ "error": "denied" })),
            1,
            "a proxy's error is not the gateway's"
        );
        assert_eq!(
            faults(502, json!({ "error": { "name": "Error", "kind": "x" } })),
            1
        );
        assert!(contract.held_back(429) && !contract.held_back(503));
    }
}
