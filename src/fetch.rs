//! The transport: one attempt is one call of the host's `fetch` (Node 18+, browsers, workers),
//! with a timeout, cancelled when the attempt is dropped (the caller's signal), and what the
//! reply said. The bottom of the call path: it knows no operation, no spec and no retry.

use crate::body::RequestBody;
use crate::call::{Host, Signal};
use crate::files::Files;
use crate::schema::Body;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;

/// One attempt in JS (`src/host.js`), so that it crosses the boundary once: `fetch` with a
/// plain init, its headers given as one `name\nvalue\n…` string (names are tokens and values
/// visible ASCII, so neither holds a line break), redirects followed only within the origin,
/// then the reply's bytes up to a limit, read by the same promise.
#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn attempt(
        url: &str,
        method: &str,
        headers: &str,
        body: &JsValue,
        length: Option<u32>,
        controller: &AbortController,
        limit: f64,
        fetcher: Option<&js_sys::Function>,
    ) -> Result<js_sys::Promise, JsValue>;

    /// What [`attempt`] resolves with: the status, `Retry-After`, and the body or why reading
    /// it failed.
    type Reply;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Reply) -> u16;
    #[wasm_bindgen(method, getter = retryAfter)]
    fn retry_after(this: &Reply) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Reply) -> Option<js_sys::Uint8Array>;
    #[wasm_bindgen(method, getter)]
    fn error(this: &Reply) -> JsValue;
    #[wasm_bindgen(method, getter = tooLarge)]
    fn too_large(this: &Reply) -> bool;
    /// The reply's `Headers`, as the host gave them.
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Reply) -> JsValue;
    /// The origin a redirect pointed at (empty where a browser does not say), not followed.
    #[wasm_bindgen(method, getter)]
    fn redirect(this: &Reply) -> Option<String>;

    /// `{ fired, stop }`: `fired` resolves once the signal is aborted; `stop()` removes the
    /// listener. `undefined` when the signal cannot be listened to.
    #[wasm_bindgen(js_name = whenAborted)]
    fn when_aborted(signal: &JsValue) -> Option<Watch>;
    type Watch;
    #[wasm_bindgen(method, getter)]
    fn fired(this: &Watch) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn stop(this: &Watch);
    /// Whether a signal is aborted (false when that cannot be read).
    #[wasm_bindgen(js_name = isAborted)]
    fn is_aborted(signal: &JsValue) -> bool;
    /// A signal's `reason` (`undefined` when none, or when it cannot be read).
    #[wasm_bindgen(js_name = abortReason)]
    fn abort_reason(signal: &JsValue) -> JsValue;
}

/// The most bytes of a reply read: no documented reply comes near it (the largest, a labelled
/// product-type referential, is well under 1 MiB); a longer or endless one is read no further.
pub const REPLY_LIMIT: usize = 8 * 1024 * 1024;

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    type AbortController;
    #[wasm_bindgen(constructor)]
    fn new() -> AbortController;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> AbortSignal;

    type AbortSignal;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &AbortSignal) -> bool;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> JsValue;
    /// Milliseconds on a monotonic clock (a change of the wall clock moves no deadline).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn monotonic_ms() -> f64;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Headers to send. Their values may be secrets: `Debug` names them, never shows them.
#[derive(Clone, Default)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// One header, checked: a token for a name, visible ASCII (and tabs) for a value.
    pub fn one(name: &str, value: &str) -> Result<Self, String> {
        let mut headers = Self::default();
        headers.add(name, value)?;
        Ok(headers)
    }

    /// Adds a header, checked as [`Self::one`].
    pub fn add(&mut self, name: &str, value: &str) -> Result<(), String> {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            return Err(format!("`{name}` is not a valid header name"));
        }
        if !value
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        {
            return Err(format!(
                "the value of header `{name}` has characters a header cannot carry"
            ));
        }
        self.0.push((name.to_ascii_lowercase(), value.to_owned()));
        Ok(())
    }

    /// Each header's name (in lower case) and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// A request as it goes out, with its body as the host sends it (`B`).
pub struct Outgoing<'a, B> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a Headers,
    pub content_type: Option<&'a str>,
    pub body: Option<&'a B>,
    /// The caller's `fetch` (option `fetch`), else the host's.
    pub fetcher: Option<&'a js_sys::Function>,
}

/// A reply: its status and headers, and its body read in full (or why that failed: a reply
/// whose status documents no body is complete without it).
pub struct Incoming {
    pub status: u16,
    /// `Retry-After`, as sent with an error status.
    pub retry_after: Option<String>,
    pub body: Result<Vec<u8>, Failed>,
    /// The host's `Headers` of the reply (what `withResponse()` hands over).
    pub headers: JsValue,
}

/// Why no complete reply came.
#[derive(Debug, PartialEq, Eq)]
pub enum Failed {
    /// None within the timeout (the request was aborted).
    Timeout,
    /// The network failed. `unsent`: the connection was certainly never made (Node's fetch says
    /// why in `error.cause.code`; browsers never say, so there it is always false).
    Network { unsent: bool },
    /// The reply's body is over [`REPLY_LIMIT`]: it was read no further.
    TooLarge,
    /// The server redirected the call to another origin (`origin`, empty where a browser does not
    /// say which), with HTTP `status`: not followed, so no credential went there.
    Redirect { status: u16, origin: String },
}

/// Codes of Node's fetch failures that happen before the request is written.
const NOT_SENT: [&str; 6] = [
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "UND_ERR_CONNECT_TIMEOUT",
];

/// Aborts the request when dropped before its reply was read (the caller gave up), and takes
/// its deadline off the clock in any case.
struct Guard {
    controller: AbortController,
    /// Its id on the clock.
    on_clock: u64,
    read: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        Clock::with(|clock| clock.stop(self.on_clock));
        if !self.read {
            self.controller.abort();
        }
    }
}

/// The deadlines of the attempts under way, on one host timer set for the earliest: an attempt
/// starts no timer of its own (a `setTimeout` and `clearTimeout` per attempt cost more than the
/// rest of its timeout). The timer is `unref`'d in Node: it never keeps a process alive, the
/// attempts' sockets do; where it cannot be (Deno), it is cleared when no attempt is left. An
/// attempt through a caller's `fetch` may hold no socket (a mock that never answers): while one
/// is pending the timer keeps the process alive, so that the attempt still times out.
#[derive(Default)]
struct Clock {
    /// Each attempt's deadline ([`monotonic_ms`]), id and controller, and whether the timer must
    /// keep the process alive for it.
    pending: Vec<(f64, u64, AbortController, bool)>,
    /// When the timer fires ([`monotonic_ms`]), the timer, and whether it keeps the host's
    /// event loop alive (not `unref`'d), if set.
    alarm: Option<(f64, JsValue, bool)>,
    last_id: u64,
    /// The timer's callback, made once.
    ring: Option<wasm_bindgen::closure::Closure<dyn FnMut()>>,
}

thread_local! {
    static CLOCK: std::cell::RefCell<Clock> = std::cell::RefCell::default();
}

impl Clock {
    fn with<T>(f: impl FnOnce(&mut Clock) -> T) -> T {
        CLOCK.with_borrow_mut(f)
    }

    /// Puts an attempt's `controller` on the clock, aborted `timeout` from now (keeping the
    /// process alive until then if `holds`); its id.
    fn start(controller: &AbortController, timeout: Duration, holds: bool) -> u64 {
        let now = monotonic_ms();
        let deadline = now + timeout.as_millis() as f64;
        Self::with(|clock| {
            clock.last_id += 1;
            clock
                .pending
                .push((deadline, clock.last_id, controller.clone(), holds));
            clock.wind(now);
            clock.last_id
        })
    }

    /// Sets the timer for the earliest deadline, unless it already fires by then; it keeps the
    /// process alive while a pending attempt needs it to.
    fn wind(&mut self, now: f64) {
        let Some(earliest) = self.pending.iter().map(|(d, ..)| *d).reduce(f64::min) else {
            return;
        };
        let keep = self.pending.iter().any(|(.., holds)| *holds);
        match &mut self.alarm {
            Some((alarm, timer, held)) if *alarm <= earliest => {
                if keep && !*held {
                    *held = call_method(timer, "ref");
                }
                return;
            }
            // Only an attempt with a shorter timeout than those under way winds it earlier.
            Some((_, timer, _)) => clear_timeout(timer),
            None => {}
        }
        let ring = self.ring.get_or_insert_with(|| {
            wasm_bindgen::closure::Closure::new(|| {
                // Aborted outside the clock's borrow: an abort event runs listeners at once.
                for (_, _, controller, _) in Clock::with(Clock::rang) {
                    controller.abort();
                }
            })
        });
        let timer = set_timeout(ring.as_ref().unchecked_ref(), earliest - now);
        let holds = keep || !call_method(&timer, "unref");
        self.alarm = Some((earliest, timer, holds));
    }

    /// Takes attempt `id` off the clock (its reply came, or it was given up).
    fn stop(&mut self, id: u64) {
        self.pending.retain(|(_, pending, ..)| *pending != id);
        if self.pending.is_empty()
            && let Some((_, timer, true)) = &self.alarm
        {
            clear_timeout(timer);
            self.alarm = None;
        }
    }

    /// The timer fired: takes every attempt past its deadline off the clock (to be aborted), and
    /// winds it for the next.
    fn rang(&mut self) -> Vec<(f64, u64, AbortController, bool)> {
        let now = monotonic_ms();
        self.alarm = None;
        let (late, on_time) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition::<Vec<_>, _>(|(deadline, ..)| *deadline <= now);
        self.pending = on_time;
        self.wind(now);
        late
    }
}

/// Calls `timer.name()` (Node's `ref` / `unref`); whether it could.
fn call_method(timer: &JsValue, name: &str) -> bool {
    js_sys::Reflect::get(timer, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .is_some_and(|f| f.call0(timer).is_ok())
}

/// The host the module runs on (Node, a browser, a worker): what [`call`](crate::call) sends
/// through.
pub struct Js;

impl Host for Js {
    type Body = RequestBody;

    fn body(&self, body: Body, files: &Files) -> Option<RequestBody> {
        match body {
            Body::Json(value) => RequestBody::json(value, files),
            Body::Form(text) => Some(RequestBody::text(&text)),
            Body::Relayed(value) => RequestBody::relayed(value, files),
            Body::None => Some(RequestBody::text("")),
        }
    }

    fn attempt(
        &self,
        outgoing: &Outgoing<'_, RequestBody>,
        timeout: Duration,
    ) -> impl Future<Output = Result<Incoming, Failed>> {
        fetch(outgoing, timeout)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        sleep(duration)
    }

    fn after(&self, duration: Duration) -> impl Future<Output = ()> {
        after(duration)
    }

    fn monotonic_ms(&self) -> f64 {
        monotonic_ms()
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

/// A caller's `AbortSignal` (or anything with `aborted` and `addEventListener`).
pub struct JsSignal(pub JsValue);

impl Signal for JsSignal {
    fn aborted(&self) -> bool {
        is_aborted(&self.0)
    }

    fn fired(&self) -> futures_util::future::LocalBoxFuture<'_, ()> {
        Box::pin(aborted(&self.0))
    }

    fn reason(&self) -> Option<JsValue> {
        Some(abort_reason(&self.0)).filter(|r| !r.is_undefined())
    }
}

/// Sends `request` once and reads its reply, giving up after `timeout`.
async fn fetch(request: &Outgoing<'_, RequestBody>, timeout: Duration) -> Result<Incoming, Failed> {
    let controller = AbortController::new();
    let mut headers = String::from("accept\napplication/json");
    let content_type = request.content_type.map(|value| ("content-type", value));
    for (name, value) in content_type.into_iter().chain(request.headers.iter()) {
        for part in ["\n", name, "\n", value] {
            headers.push_str(part);
        }
    }
    let mut guard = Guard {
        on_clock: Clock::start(&controller, timeout, request.fetcher.is_some()),
        controller,
        read: false,
    };
    let failed = |error: JsValue, guard: &Guard| match guard.controller.signal().aborted() {
        true => Failed::Timeout,
        false => Failed::Network {
            unsent: never_sent(&error),
        },
    };
    let none = JsValue::UNDEFINED;
    let (body, length) = match request.body {
        Some(body) => (&body.value, body.length),
        None => (&none, None),
    };
    let sent = match attempt(
        request.url,
        request.method,
        &headers,
        body,
        length,
        &guard.controller,
        REPLY_LIMIT as f64,
        request.fetcher,
    ) {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    let reply: Reply = sent.map_err(|e| failed(e, &guard))?.unchecked_into();
    if let Some(origin) = reply.redirect() {
        guard.read = true;
        return Err(Failed::Redirect {
            status: reply.status(),
            origin,
        });
    }
    // Its bytes, not its text: JSON is read from UTF-8, with no round trip through UTF-16.
    let body = match reply.body() {
        Some(bytes) => {
            guard.read = true;
            Ok(bytes.to_vec())
        }
        None if reply.too_large() => {
            guard.read = true;
            Err(Failed::TooLarge)
        }
        None => Err(failed(reply.error(), &guard)),
    };
    Ok(Incoming {
        status: reply.status(),
        retry_after: reply.retry_after(),
        body,
        headers: reply.headers(),
    })
}

/// Whether a fetch's rejection says the connection was never made.
fn never_sent(error: &JsValue) -> bool {
    let code = js_sys::Reflect::get(error, &"cause".into())
        .and_then(|cause| js_sys::Reflect::get(&cause, &"code".into()))
        .ok()
        .and_then(|code| code.as_string());
    code.is_some_and(|code| NOT_SENT.contains(&code.as_str()))
}

/// Waits `duration` (a `setTimeout`, in Node and in browsers).
pub(crate) async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, duration.as_millis() as f64);
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves `timeout` from now, on the attempts' clock (it never keeps a process alive); dropped
/// earlier, it is taken off the clock.
async fn after(timeout: Duration) {
    let controller = AbortController::new();
    let _guard = Guard {
        on_clock: Clock::start(&controller, timeout, false),
        controller: controller.clone(),
        read: true,
    };
    aborted(&controller.signal().into()).await;
}

/// Resolves once `signal` (an `AbortSignal`, or anything with `aborted` and `addEventListener`)
/// is aborted; never when it cannot be listened to. Its listener is removed when this is
/// dropped, so that a long-lived signal holds none for calls that ended.
async fn aborted(signal: &JsValue) {
    struct Listening(Watch);
    impl Drop for Listening {
        fn drop(&mut self) {
            self.0.stop();
        }
    }
    match when_aborted(signal) {
        Some(watch) => {
            let fired = watch.fired();
            let _listening = Listening(watch);
            let _ = JsFuture::from(fired).await;
        }
        None => std::future::pending::<()>().await,
    }
}
