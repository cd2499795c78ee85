//! The sandbox's core ([`sandbox::Sandbox`]) for JavaScript hosts: `js/host.js` turns an HTTP
//! request (node:http's, or a Service Worker's `Request`) into [`Core::handle`]'s arguments and
//! its [`Answer`] back into a response. No behaviour lives here: the same core serves the Rust
//! binary.

use sandbox::{Config, Delivery, Request, Sandbox};
use wasm_bindgen::prelude::*;

/// One sandbox: its own state, clock offset, faults and log.
#[wasm_bindgen]
pub struct Core {
    sandbox: Sandbox,
}

/// A response as the host must deliver it.
#[wasm_bindgen(getter_with_clone)]
pub struct Answer {
    pub status: u16,
    /// `[[name, value], …]` as JSON.
    pub headers: String,
    pub body: Vec<u8>,
    /// Milliseconds to wait before answering (fault injection).
    #[wasm_bindgen(js_name = delayMs)]
    pub delay_ms: f64,
    /// `whole`, `drop` (close without answering) or `truncate` (announce the length, send half).
    pub delivery: String,
}

impl From<sandbox::Response> for Answer {
    fn from(response: sandbox::Response) -> Self {
        Self {
            status: response.status,
            headers: serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".into()),
            body: response.body,
            delay_ms: response.delay_ms as f64,
            delivery: match response.delivery {
                Delivery::Whole => "whole",
                Delivery::Drop => "drop",
                Delivery::Truncate => "truncate",
            }
            .to_owned(),
        }
    }
}

#[wasm_bindgen]
impl Core {
    /// A fresh sandbox (`seed` as `--seed`, `strict` as `--strict`) at `now_ms`.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: f64, strict: bool, now_ms: f64) -> Result<Core, String> {
        let config = Config {
            seed: seed as u64,
            strict,
            ..Config::default()
        };
        Ok(Self {
            sandbox: Sandbox::new(config, now_ms as i64)?,
        })
    }

    /// Answers one request. `headers` is `[[name, value], …]` as JSON; `query` has no `?`.
    pub fn handle(
        &mut self,
        method: String,
        path: String,
        query: String,
        headers: &str,
        body: Vec<u8>,
        now_ms: f64,
    ) -> Answer {
        let headers = serde_json::from_str(headers).unwrap_or_default();
        let request = Request {
            method,
            path,
            query,
            headers,
            body,
        };
        self.sandbox.handle(request, now_ms as i64).into()
    }

    /// The banner hosts print at start-up, ending with `SANDBOX_URL=origin`.
    pub fn banner(&self, origin: &str) -> String {
        self.sandbox.banner(origin)
    }

    /// The credentials and api keys accepted, as JSON (`GET /_sandbox/info`).
    pub fn info(&self) -> String {
        serde_json::to_string(&self.sandbox.info()).unwrap_or_default()
    }
}

/// The answer to a body over [`max_body_bytes`], refused before it is read whole.
#[wasm_bindgen(js_name = tooLarge)]
pub fn too_large() -> Answer {
    Sandbox::too_large().into()
}

/// The path prefix of every simulated host and of the admin API, as JSON
/// (`{ laluxToken, laluxApi, ecologicProduction, ecologicPreproduction, admin }`).
#[wasm_bindgen]
pub fn bases() -> String {
    use sandbox::Bases;
    serde_json::json!({
        "laluxToken": Bases::LALUX_TOKEN,
        "laluxApi": Bases::LALUX_API,
        "ecologicProduction": Bases::ECOLOGIC_PRODUCTION,
        "ecologicPreproduction": Bases::ECOLOGIC_PREPRODUCTION,
        "admin": Bases::ADMIN,
    })
    .to_string()
}

/// The largest request body a host reads.
#[wasm_bindgen(js_name = maxBodyBytes)]
pub fn max_body_bytes() -> f64 {
    sandbox::MAX_BODY_BYTES as f64
}
