//! Helpers shared by the wasm test suites: where the sandbox is, its admin API (what it
//! received, reset), and the generated clients pointed at it.
#![allow(dead_code)] // each suite uses its own part of the helpers

use repair_claims::generated::{ecologic, lalux, lalux_token};
use repair_claims::json::Json;
use repair_claims::transport::Context;
use serde_json::Value;

/// The sandbox the test command started (baked in at compile time by the test command).
pub const SANDBOX: &str = match option_env!("SANDBOX_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8787",
};

pub const REPAIRER_AUTH: &str = "sandbox-repairer/sandbox-repairer-secret";
pub const EXPERT_AUTH: &str = "sandbox-expert/sandbox-expert-secret";
pub const ECOLOGIC_KEY: &str = "C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B";
pub const SITE_ID: &str = "02c867c0-0000-0000-000-3cf8de2dc1c8";
/// How the sandbox's request log shows a secret.
pub const REDACTED: &str = "[redacted]";

fn url(path: &str) -> String {
    format!("{SANDBOX}{path}")
}

/// Forgets every request, token, upload and dossier.
pub async fn reset() {
    let response = reqwest::Client::new()
        .post(url("/_sandbox/reset"))
        .send()
        .await
        .expect("sandbox reachable");
    assert_eq!(response.status().as_u16(), 204, "reset");
}

/// The requests the sandbox received since the last reset, oldest first.
pub async fn received() -> Vec<Value> {
    let response = reqwest::Client::new()
        .get(url("/_sandbox/requests"))
        .send()
        .await
        .expect("sandbox reachable");
    response.json().await.expect("request log is JSON")
}

/// The only request received since the last reset.
pub async fn only_request() -> Value {
    let mut log = received().await;
    assert_eq!(log.len(), 1, "expected exactly one request, got {log:#?}");
    log.remove(0)
}

/// Asserts what every generated call must send: the credential header (redacted in the log)
/// and never progenitor's `api-version`.
pub fn assert_headers(request: &Value, credential: (&str, &str)) {
    let headers = &request["headers"];
    assert_eq!(
        headers[credential.0], credential.1,
        "{} header in {headers}",
        credential.0
    );
    assert!(
        headers.get("api-version").is_none(),
        "api-version must be stripped: {headers}"
    );
}

pub fn token_client(authorization: &str) -> lalux_token::Client {
    let context = Context::with_header("authorization", authorization).expect("valid header");
    lalux_token::Client::new(&url("/lalux/wts"), context)
}

pub fn lalux_client(access_token: &str) -> lalux::Client {
    let context = Context::with_header("authorization", &format!("Bearer {access_token}"))
        .expect("valid header");
    lalux::Client::new(&url("/lalux/api"), context)
}

pub fn ecologic_client(api_key: &str) -> ecologic::Client {
    let context = Context::with_header("api_key", api_key).expect("valid header");
    ecologic::Client::new(&url("/ecologic/api/v1/ecosupport"), context)
}

/// The generated clients take and hand over bodies as JSON (`json::Json`): the tests build and
/// read them as the spec's generated types, so a body that drifts from its schema fails here.
pub trait IntoTyped {
    fn into_typed<T: serde::de::DeserializeOwned>(self) -> T;
}

impl IntoTyped for progenitor_client::ResponseValue<Json> {
    fn into_typed<T: serde::de::DeserializeOwned>(self) -> T {
        serde_json::from_value(self.into_inner().0).expect("a reply of its schema")
    }
}

/// A generated type as the JSON body a generated operation takes.
pub fn json_body(typed: impl serde::Serialize) -> Json {
    Json(serde_json::to_value(typed).expect("JSON"))
}
