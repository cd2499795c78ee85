//! The browser half of the gateway (`repair-claims/server`): a client made with option `gateway`
//! holds no credential and sends each method it is called with, and what it was given, to
//! `{gateway}/{api}/{method}` as `{ "args": [...] }` (its files' bytes after the JSON, see
//! [`RequestBody::relayed`]). The gateway checks the
//! input again with the same rules (it calls the same method of a client of its own, which holds
//! the tenant's credentials), sends the call to the API once, and answers `{ "data": … }` or
//! `{ "error": … }` (the `RepairClaimsError` its client gave, or its own: `forbidden`,
//! `validation`, `authentication`), which `src/host.js` (`relay`) hands back as it came.
//!
//! A relayed call is one attempt: the gateway's client retries what is safe to retry; only a
//! `429` of the gateway's own rate limit (nothing was forwarded) is tried again, after its
//! `Retry-After`.

use crate::body::RequestBody;
use crate::call::Raw;
use crate::error::{Kind, SdkError};
use crate::js::PerCall;
use serde_json::json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// One relayed call: `{ data, status, headers, durationMs }`, or a `RepairClaimsError`.
    #[wasm_bindgen(js_name = relay, catch)]
    #[allow(clippy::too_many_arguments)]
    fn relay_js(
        url: &str,
        operation: &str,
        text: &str,
        files: js_sys::Array,
        timeout_ms: f64,
        max_retries: u32,
        options: &JsValue,
        fetcher: Option<js_sys::Function>,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Relays method `method`, with its `input` (if it takes one) and call `options`, to the gateway
/// at `url` (`{gateway}/{api}`).
pub async fn relay(
    url: Rc<str>,
    method: &'static str,
    input: Option<JsValue>,
    options: JsValue,
    call: PerCall,
) -> Result<JsValue, SdkError> {
    let mut read = Vec::new();
    if let Some(input) = input {
        let input = crate::input::read(&input, "input").await;
        if !input.errors.is_empty() {
            return Err(SdkError::validation(input.errors));
        }
        read.push(input.value);
    }
    // Files are held as stand-ins in `read`: their bytes go after the text, as they are.
    let (text, files) = RequestBody::relayed(json!({ "args": read })).ok_or_else(|| {
        SdkError::new(
            Kind::Validation,
            "A file given to this call can no longer be read; nothing was sent.",
        )
    })?;
    let policy = &call.settings.policy;
    // The gateway's client may take every attempt it allows, and the waits between them.
    let timeout = policy.budget().saturating_add(policy.timeout);
    let sent = relay_js(
        &format!("{url}/{method}"),
        method,
        &text,
        files,
        timeout.as_millis() as f64,
        policy.max_retries,
        &options,
        policy.hooks.fetch.clone(),
    );
    let reply = match sent {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    }
    .map_err(SdkError::thrown)?;
    let get = |key: &str| js_sys::Reflect::get(&reply, &key.into()).unwrap_or_default();
    call.settings.seen.record(Raw {
        status: get("status").as_f64().unwrap_or_default() as u16,
        headers: get("headers"),
        duration_ms: get("durationMs").as_f64().unwrap_or_default(),
    });
    Ok(get("data"))
}
