//! A sandbox served on 127.0.0.1:0 for one test, and small request helpers.
#![allow(dead_code)] // each test file uses its own part

use base64::Engine;
use reqwest::{Method, StatusCode};
use sandbox::{Config, Sandbox, server};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const REPAIRER: &str = "sandbox-repairer/sandbox-repairer-secret";
pub const EXPERT: &str = "sandbox-expert/sandbox-expert-secret";
pub const KEY: &str = "C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B";
pub const KEY_ALL_SITES: &str = "5D6E0F4A-2B7C-4E1D-8A3F-9C0B1D2E3F40";
/// The pre-production key of the first account's site: refused on the production host.
pub const KEY_PREPROD: &str = "7A1F3C5E-9B2D-4C6E-8F0A-1B3D5E7F9A2C";
pub const SITE: &str = "02c867c0-0000-0000-000-3cf8de2dc1c8";
pub const ECO: &str = "/ecologic/api/v1/ecosupport";

/// A running sandbox and a client for it; the server task ends with the test's runtime.
pub struct Running {
    pub url: String,
    pub http: reqwest::Client,
}

/// A reply: status, headers, body as JSON (or as a JSON string when it is not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

pub async fn start() -> Running {
    start_with(Config::default()).await
}

pub async fn start_with(config: Config) -> Running {
    let sandbox = Sandbox::new(config, server::now_ms()).expect("seed parses");
    let (listener, address) = server::bind(0).await.expect("bind 127.0.0.1:0");
    tokio::spawn(server::serve(listener, Arc::new(Mutex::new(sandbox))));
    Running {
        url: format!("http://{address}"),
        http: reqwest::Client::new(),
    }
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Running {
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Body>,
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request = match body {
            Some(Body::Json(value)) => request.json(&value),
            Some(Body::Form(text)) => request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(text),
            Some(Body::Raw(bytes)) => request.body(bytes),
            None => request,
        };
        let response = request.send().await.expect("sandbox answers");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(
            method,
            &format!("/_sandbox{path}"),
            &[],
            body.map(Body::Json),
        )
        .await
    }

    pub async fn advance(&self, seconds: i64) {
        let reply = self
            .admin(
                Method::POST,
                "/clock",
                Some(json!({"advanceSeconds": seconds})),
            )
            .await;
        assert_eq!(reply.status, 200);
    }

    pub async fn token(&self, auth: &str, form: &str) -> Reply {
        self.send(
            Method::POST,
            "/lalux/wts/token",
            &[("authorization", auth)],
            Some(Body::Form(form.into())),
        )
        .await
    }

    /// `POST /authen` with the expert client's credentials and `form`.
    pub async fn authen(&self, form: &str) -> Reply {
        self.send(
            Method::POST,
            "/lalux/wts/authen",
            &[("authorization", EXPERT)],
            Some(Body::Form(form.into())),
        )
        .await
    }

    /// A repairer token, asked for as the spec does (the grant in the query and the form, R3),
    /// so that a strict sandbox grants it too.
    pub async fn repairer_token(&self) -> String {
        let form = "grant_type=client_credentials&scope=%2Freparateur";
        let path = format!("/lalux/wts/token?{form}");
        let auth = [("authorization", REPAIRER)];
        let body = Some(Body::Form(form.into()));
        access_token(self.send(Method::POST, &path, &auth, body).await)
    }

    /// An expert token, asked for as [`Self::repairer_token`] is.
    pub async fn expert_token(&self) -> String {
        let form =
            "grant_type=password&username=expert&password=sandbox-expert-password&scope=/expert";
        let path = "/lalux/wts/authen?grant_type=password&scope=/expert";
        let auth = [("authorization", EXPERT)];
        let body = Some(Body::Form(form.into()));
        access_token(self.send(Method::POST, path, &auth, body).await)
    }

    /// `PUT /lalux/api{path}` with a bearer token.
    pub async fn lalux(&self, path: &str, token: &str, body: Value) -> Reply {
        let auth = format!("Bearer {token}");
        self.send(
            Method::PUT,
            &format!("/lalux/api{path}"),
            &[("authorization", &auth)],
            Some(Body::Json(body)),
        )
        .await
    }

    pub async fn upload(&self, function: &str, token: &str, name: &str, content: &[u8]) -> Reply {
        self.lalux(
            &format!("/{function}/upload"),
            token,
            json!({"fileNameWithExtension": name, "file": b64(content)}),
        )
        .await
    }

    /// An Ecologic call with the default key: `op` may carry a query string.
    pub async fn eco(&self, method: Method, op: &str, body: Option<Value>) -> Reply {
        self.eco_with(KEY, method, op, body).await
    }

    pub async fn eco_with(
        &self,
        key: &str,
        method: Method,
        op: &str,
        body: Option<Value>,
    ) -> Reply {
        self.send(
            method,
            &format!("{ECO}/{op}"),
            &[("api_key", key)],
            body.map(Body::Json),
        )
        .await
    }
}

/// The `access_token` of a successful token reply.
fn access_token(reply: Reply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// An invoice number no other claim of the process holds (`F-1`, `F-2`…).
pub fn invoice() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!(
        "F-{}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// The `X-Sandbox-Deviation` header of a reply, if any.
pub fn deviation(reply: &Reply) -> Option<&str> {
    reply
        .headers
        .get("x-sandbox-deviation")
        .and_then(|v| v.to_str().ok())
}

/// Whether a reply is Ecologic's "Invalid claim": a 500 `E` envelope (R7).
pub fn invalid_claim(reply: &Reply) -> bool {
    reply.status == 500
        && reply.json["ResponseStatus"] == "E"
        && reply.json["ResponseErrorMessage"] == "Invalid claim"
}

pub enum Body {
    Json(Value),
    Form(String),
    Raw(Vec<u8>),
}

/// The `Field`s of an Ecologic reply's `ResponseData.ValidationErrors`.
pub fn fields(reply: &Reply) -> Vec<String> {
    reply.json["ResponseData"]["ValidationErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["Field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The `ErrorMessage`s of an Ecologic reply's validation errors.
pub fn messages(reply: &Reply) -> Vec<String> {
    reply.json["ResponseData"]["ValidationErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["ErrorMessage"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A complete dossier for the document's steam iron (`EEE.M5.024`, brand Calor, site of `KEY`).
pub fn iron() -> Value {
    json!({
        "Consumer": {"Title": 3, "LastName": "Dupont", "FirstName": "Jean", "Zip": "78280", "City": "GUYANCOURT",
            "Country": "250", "Phone": "0600000000"},
        "Product": {"ProductId": "EEE.M5.024", "BrandId": "2194", "SerialNumber": "ABCDE", "IRISSymptom": "XX13", "IRISSection": "G18"},
        "Quote": {"TotalAmountExclVAT": {"Amount": 100, "Currency": "EUR"}, "TotalAmountInclVAT": {"Amount": 120, "Currency": "EUR"}}
    })
}
