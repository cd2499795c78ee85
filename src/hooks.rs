//! What a caller hooks into every request of a client (its options `fetch`, `onEvent`, `debug`):
//! its own `fetch`, and an event for each attempt, its reply and each retry. An event never holds
//! a header, a body, a token or an api key: the operation, the attempt, the method, the URL
//! (without userinfo), the status and the times.

use crate::error::{Code, FieldError};
use crate::fetch::{Failed, Incoming};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};

#[wasm_bindgen(typescript_custom_section)]
const TS_HOOKS: &str = r#"
/** What both clients take to hook into every request. */
export interface ClientHooks {
  /** Your own `fetch` (MSW, an outbound proxy's agent, instrumentation), used for every request instead of the host's; it is handed the headers, credentials included. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Hears of every request, reply and retry (`CallEvent`: never a header, a body or a secret). */
  onEvent?: (event: CallEvent) => void;
  /** Logs every `CallEvent` as one line: `true` through `console.debug`, or a logger (a function, or an object with a `debug` method). */
  debug?: boolean | ((message: string, event: CallEvent) => void) | { debug(message: string, event: CallEvent): void };
  /** Where `settle` / `claim()` record each step as it returns, so that a run after a crash resumes (default: `memoryJournal()`, this process's memory). See `Journal`. */
  journal?: Journal;
}
/** One step of a call, as `onEvent` and `debug` hear of it. Never a header, a body, a token or an api key. */
export interface CallEvent {
  /** `request`: an attempt leaves; `response`: its reply came, or none (`error`); `retry`: the call waits `delayMs`, then tries again. */
  type: 'request' | 'response' | 'retry';
  /** The API operation, as the spec names it (`createClaim`, `submitRepairSettlement`, `requestToken`); through a gateway, the method relayed (`brands`, `repairer.settle`). */
  operation: string;
  /** The attempt, from 1 (a retry or a renewed token makes another). */
  attempt: number;
  method: string;
  /** The request's URL, without userinfo. */
  url: string;
  /** `response`: the HTTP status, when a reply came. */
  status?: number;
  /** `response`: why no reply came (`status` absent), or why its body could not be read. */
  error?: 'network' | 'timeout' | 'tooLarge';
  /** `response`: milliseconds from the request to its reply. */
  durationMs?: number;
  /** `retry`: milliseconds until the next attempt. */
  delayMs?: number;
}
"#;

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// Hands an event (JSON text) to the caller's listener and logger; what they throw is ignored.
    fn notify(listener: &JsValue, logger: &JsValue, event: &str);
}

/// A client's hooks; none by default.
#[derive(Clone, Default)]
pub struct Hooks {
    /// The caller's `fetch`, used instead of the host's for every request.
    pub fetch: Option<js_sys::Function>,
    listener: Option<js_sys::Function>,
    /// `true` (`console`), a function, or an object with a `debug` method.
    logger: Option<JsValue>,
}

impl Hooks {
    /// The hooks of options `fetch`, `onEvent` and `debug` (each `undefined` when not given);
    /// a value of the wrong kind is a fault.
    pub fn read(
        fetch: &JsValue,
        on_event: &JsValue,
        debug: &JsValue,
        errors: &mut Vec<FieldError>,
    ) -> Self {
        let mut function = |value: &JsValue, name: &str| match value.dyn_ref::<js_sys::Function>() {
            Some(f) => Some(f.clone()),
            None if value.is_undefined() || value.is_null() => None,
            None => {
                errors.push(
                    FieldError::new(name, Code::Option, "must be a function")
                        .with("expected", "function"),
                );
                None
            }
        };
        let (fetch, listener) = (function(fetch, "fetch"), function(on_event, "onEvent"));
        // A logger: a function, or an object with a `debug` method (console, pino…).
        let logs = |value: &JsValue| {
            value.is_function()
                || js_sys::Reflect::get(value, &"debug".into()).is_ok_and(|d| d.is_function())
        };
        let logger = match debug.as_bool() {
            Some(true) => Some(JsValue::TRUE),
            Some(false) => None,
            None if debug.is_undefined() || debug.is_null() => None,
            None if logs(debug) => Some(debug.clone()),
            None => {
                errors.push(
                    FieldError::new(
                        "debug",
                        Code::Option,
                        "must be true, false, a function or a logger with a debug method",
                    )
                    .with("expected", "logger"),
                );
                None
            }
        };
        Self {
            fetch,
            listener,
            logger,
        }
    }

    /// Whether anyone hears of events (else none is built).
    pub fn listening(&self) -> bool {
        self.listener.is_some() || self.logger.is_some()
    }

    /// Tells the listener and the logger of `event`.
    pub fn emit(&self, event: &Event<'_>) {
        if !self.listening() {
            return;
        }
        let Ok(text) = serde_json::to_string(event) else {
            return;
        };
        let none = JsValue::UNDEFINED;
        let listener = self.listener.as_ref().map_or(&none, |f| f.as_ref());
        notify(listener, self.logger.as_ref().unwrap_or(&none), &text);
    }
}

/// One step of a call (TypeScript `CallEvent`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub operation: &'a str,
    pub attempt: u32,
    pub method: &'a str,
    pub url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl Event<'_> {
    /// The status and the failure an attempt's outcome shows.
    pub fn observed(outcome: &Result<Incoming, Failed>) -> (Option<u16>, Option<&'static str>) {
        let why = |failed: &Failed| match failed {
            Failed::Timeout => "timeout",
            Failed::Network { .. } => "network",
            Failed::TooLarge => "tooLarge",
            Failed::Redirect { .. } => "redirect",
        };
        match outcome {
            Ok(incoming) => (Some(incoming.status), incoming.body.as_ref().err().map(why)),
            Err(Failed::Redirect { status, .. }) => (Some(*status), None),
            Err(failed) => (None, Some(why(failed))),
        }
    }
}
