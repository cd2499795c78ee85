//! Sending one operation of a spec: per-attempt timeout, authentication headers, retries with
//! exponential backoff and jitter (honouring `Retry-After`) where repeating is safe, one
//! re-authentication on 401, the reply read as the spec documents it, and the mapping of every
//! failure to an [`SdkError`]. One path, not generic, shared by every operation of both APIs.

use crate::error::{FieldError, Kind, SdkError};
use crate::files::Files;
use crate::fetch::{self, Failed, Headers, Incoming, Outgoing};
use crate::hooks::{Event, Hooks};
use crate::schema::{Body, Operation, Request, Spec};
use futures_util::future::{Either, LocalBoxFuture, select};
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsValue;

#[cfg(test)]
mod tests;

/// What the call path needs of the machine it runs on: one attempt, a clock, timers and chance.
/// In the module it is [`fetch::Js`] (the host's or the caller's `fetch`, `performance.now`,
/// `setTimeout`, `Math.random`); the native tests give a scripted host on a virtual clock.
pub trait Host {
    /// A request body as the attempts send it, made once per call.
    type Body;
    /// `body` (never [`Body::None`]) made for the attempts, with the call's `files`; `None` when
    /// a file it names is not one of them.
    fn body(&self, body: Body, files: &Files) -> Option<Self::Body>;
    /// Sends `outgoing` once and reads its reply, giving up after `timeout`; dropped, it is
    /// cancelled.
    fn attempt(
        &self,
        outgoing: &Outgoing<'_, Self::Body>,
        timeout: Duration,
    ) -> impl Future<Output = Result<Incoming, Failed>>;
    /// Waits `duration` (between attempts).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
    /// Resolves `duration` from now without keeping the process alive (a step's budget).
    fn after(&self, duration: Duration) -> impl Future<Output = ()>;
    /// Milliseconds on a monotonic clock.
    fn monotonic_ms(&self) -> f64;
    /// Milliseconds since 1970 (a `Retry-After` date is read against it).
    fn now_ms(&self) -> f64;
    /// A number in [0, 1) (the backoff's jitter).
    fn random(&self) -> f64;
}

/// The caller's `AbortSignal`, as the call path reads it.
pub trait Signal {
    fn aborted(&self) -> bool;
    /// Resolves once the signal fires (never when it cannot be listened to); its listener goes
    /// when this is dropped.
    fn fired(&self) -> LocalBoxFuture<'_, ()>;
    /// Its `reason`, if it has one.
    fn reason(&self) -> Option<JsValue>;
}

/// Where a call's authentication headers come from, given by the client (`auth::Auth`): the
/// call path does not know how they are made.
pub trait HeaderSource {
    /// The headers to send; `refresh` after the API refused the previous ones (401).
    fn headers(&self, refresh: bool) -> LocalBoxFuture<'_, Result<Headers, SdkError>>;
    /// Whether asking again with `refresh` may give other headers.
    fn refreshable(&self) -> bool;
}

/// Whether an operation may be sent again after it may have reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, LALUX uploads (a second one only makes an unused key), token requests: retried on
    /// network errors, timeouts, 429, 502–504.
    Safe,
    /// Creates something (LALUX settlements; Ecologic create, update, attach, submit): never
    /// re-sent once it may have reached the server, so no settlement or claim is duplicated;
    /// re-sent like a read when it certainly never left (see [`never_sent`]).
    Never,
}

/// How calls are retried and timed out, and what the caller hooks into them; from the client's
/// options.
#[derive(Clone)]
pub struct Policy {
    pub timeout: Duration,
    pub max_retries: u32,
    /// First backoff delay; doubled on every attempt, with full jitter.
    pub base_delay: Duration,
    pub hooks: Hooks,
    /// Where a client made with option `gateway` sends its calls (`{gateway}/{api}`): every
    /// method is relayed there (`crate::gateway`) instead of being sent to the API.
    pub gateway: Option<Rc<str>>,
}

impl Policy {
    /// The longest its attempts and the waits between them take (a `Retry-After` aside): how
    /// long a call waits for a step it does not send itself (a shared read, its headers).
    pub fn budget(&self) -> Duration {
        let waits = (0..self.max_retries)
            .map(|retry| {
                self.base_delay
                    .saturating_mul(1u32 << retry.min(16))
                    .min(MAX_DELAY)
            })
            .fold(Duration::ZERO, Duration::saturating_add);
        self.timeout
            .saturating_mul(self.max_retries.saturating_add(1))
            .saturating_add(waits)
    }
}

/// How one call is sent: the retry policy (the client's, or the call's own `timeoutMs` and
/// `maxRetries`) and the caller's `AbortSignal`; and where its last reply is told.
#[derive(Clone)]
pub struct Settings {
    pub policy: Policy,
    pub abort: Abort,
    pub seen: Seen,
    /// The files the call was given, which its input's stand-in texts name.
    pub files: Files,
}

impl Settings {
    /// The client's policy, no signal, and a reply no caller asks for.
    pub fn of(policy: Policy) -> Self {
        Self {
            policy,
            abort: Abort::default(),
            seen: Seen::default(),
            files: Files::default(),
        }
    }
}

/// The last successful reply of a call (its `withResponse()`): status, headers (the host's
/// `Headers`), and how long it took.
#[derive(Clone, Default)]
pub struct Seen(Rc<RefCell<Option<Raw>>>);

/// What [`Seen`] holds.
pub struct Raw {
    pub status: u16,
    pub headers: JsValue,
    pub duration_ms: f64,
}

impl Seen {
    pub(crate) fn record(&self, raw: Raw) {
        self.0.replace(Some(raw));
    }

    /// The reply recorded, if a request of the call's own succeeded.
    pub fn take(&self) -> Option<Raw> {
        self.0.take()
    }
}

/// The caller's `AbortSignal`, if one was given.
#[derive(Clone, Default)]
pub struct Abort(Option<Rc<dyn Signal>>);

impl Abort {
    /// Watches `signal`.
    pub fn new(signal: impl Signal + 'static) -> Self {
        Self(Some(Rc::new(signal)))
    }

    fn aborted(&self) -> bool {
        self.0.as_ref().is_some_and(|s| s.aborted())
    }

    /// The caller aborted: nothing more is sent. The signal's `reason` is the error's `cause`.
    fn error(&self, repeat: Repeat, sent: bool) -> SdkError {
        let mut error = SdkError::new(
            Kind::Aborted,
            "The call was aborted through its signal; nothing more was sent.",
        );
        error.cause = self.0.as_ref().and_then(|s| s.reason());
        reached(error, repeat, sent)
    }

    /// The `aborted` error, when the signal fired (nothing of the step was sent).
    pub fn stopped(&self) -> Option<SdkError> {
        self.aborted().then(|| self.error(Repeat::Safe, false))
    }

    /// Resolves once the signal fires; never without one (nor when it cannot be listened to).
    /// Its listener goes when this is dropped.
    pub async fn fired(&self) {
        match &self.0 {
            Some(signal) => signal.fired().await,
            None => std::future::pending::<()>().await,
        }
    }
}

/// A write's error says whether the write may have reached the server (a read's needs not).
fn reached(error: SdkError, repeat: Repeat, reached: bool) -> SdkError {
    match repeat {
        Repeat::Never => error.with(|d| d.may_have_reached_server = Some(reached)),
        Repeat::Safe => error,
    }
}

/// The request of `operation` for its checked `input`.
pub fn request(operation: Operation, input: Value) -> Result<Request, SdkError> {
    operation.spec().request(operation, input).ok_or_else(|| {
        SdkError::new(
            Kind::UnexpectedResponse,
            format!("The spec has no operation {}.", operation.id()),
        )
    })
}

/// Longest wait between attempts, whether from backoff or `Retry-After`.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// A reply: the documented success, or a documented refusal, each with its JSON body (`null`
/// when its status documents none), checked against the spec.
pub enum Reply {
    Success { status: u16, value: Value },
    Refusal { status: u16, body: Value },
}

/// What the caller gave up on, before it became an error.
enum Failure {
    Refusal {
        status: u16,
        body: Value,
        retry_after: Option<String>,
    },
    Error {
        error: SdkError,
        retryable: bool,
        retry_after: Option<String>,
        /// The connection was never made (Node's fetch said so): even a write may go again.
        unsent: bool,
    },
}

/// Sends operation `request` of `spec` to the API at `base_url`: authentication, timeout, abort,
/// retries, re-authentication; the reply is read as the spec documents it for its status, and
/// one that does not match is an `unexpectedResponse` naming every field at fault. The one call
/// path of every operation: nothing here depends on which it is.
pub async fn send(
    settings: &Settings,
    repeat: Repeat,
    auth: &dyn HeaderSource,
    target: (&Spec, &str),
    request: Request,
) -> Result<Reply, SdkError> {
    send_on(&fetch::Js, settings, repeat, auth, target, request).await
}

/// What the replies of one call mean, by status: an operation of a spec, or a method relayed to
/// a gateway (`crate::gateway`). The call path reads every reply through it.
pub trait Contract {
    /// The call's name in events (`createClaim`; a relayed `repairer.settle`).
    fn name(&self) -> &'static str;
    /// Whether a reply of `status` has a body (`Some(false)`: it has none), `None` when the
    /// status is not documented.
    fn documents(&self, status: u16) -> Option<bool>;
    /// Whether its replies hold a secret (a token): never shown in an error.
    fn secret_replies(&self) -> bool;
    /// Where `body`, a reply of `status`, breaks what is documented for it.
    fn check_reply(&self, status: u16, body: &Value) -> Vec<FieldError>;
    /// Whether a reply of `status` says the call went no further than it (a gateway's own
    /// `429`): it may go again, as a call that never left.
    fn held_back(&self, _status: u16) -> bool {
        false
    }
}

/// Operation `.1` of spec `.0`.
struct Documented<'a>(&'a Spec, Operation);

impl Contract for Documented<'_> {
    fn name(&self) -> &'static str {
        self.1.id()
    }
    fn documents(&self, status: u16) -> Option<bool> {
        self.0.documents(self.1, status)
    }
    fn secret_replies(&self) -> bool {
        self.0.secret_replies(self.1)
    }
    fn check_reply(&self, status: u16, body: &Value) -> Vec<FieldError> {
        self.0.check_reply(self.1, status, body)
    }
}

/// [`send`] on `host`.
pub async fn send_on<H: Host>(
    host: &H,
    settings: &Settings,
    repeat: Repeat,
    auth: &dyn HeaderSource,
    (spec, base_url): (&Spec, &str),
    request: Request,
) -> Result<Reply, SdkError> {
    let url = format!("{base_url}{}", request.target);
    let contract = Documented(spec, request.operation);
    send_to(
        host,
        settings,
        repeat,
        auth,
        &contract,
        (&request.method, &url),
        request.body,
    )
    .await
}

/// Sends `body` to `url` with HTTP `method` on `host`, its replies read by `contract`: the
/// call path itself, whatever is called.
pub async fn send_to<H: Host>(
    host: &H,
    settings: &Settings,
    repeat: Repeat,
    auth: &dyn HeaderSource,
    contract: &dyn Contract,
    (method, url): (&str, &str),
    body: Body,
) -> Result<Reply, SdkError> {
    let Settings {
        policy,
        abort,
        seen,
        files,
    } = settings;
    let content_type = body.content_type();
    let body = match body {
        Body::None => None,
        body => Some(host.body(body, files).ok_or_else(|| {
            reached(
                SdkError::new(
                    Kind::Validation,
                    "The body names a file that is not one of this call's; nothing was sent.",
                ),
                repeat,
                false,
            )
        })?),
    };
    let mut retries = 0;
    let mut reauthenticated = false;
    // Whether the next attempt's headers must be new ones: only right after a 401.
    let mut refresh = false;
    let mut sent = false;
    let mut attempts = 0;
    let hooks = &policy.hooks;
    let event = |kind, attempt| Event {
        kind,
        operation: contract.name(),
        attempt,
        method,
        url,
        status: None,
        error: None,
        duration_ms: None,
        delay_ms: None,
    };
    loop {
        if abort.aborted() {
            return Err(abort.error(repeat, sent));
        }
        let headers = within_on(
            host,
            settings,
            repeat,
            sent,
            auth.headers(std::mem::take(&mut refresh)),
        )
        .await?;
        let outgoing = Outgoing {
            method,
            url,
            headers: &headers,
            content_type,
            body: body.as_ref(),
            fetcher: hooks.fetch.as_ref(),
        };
        attempts += 1;
        hooks.emit(&event("request", attempts));
        let started = host.monotonic_ms();
        // Dropping the attempt on abort cancels its fetch.
        let attempt = Box::pin(host.attempt(&outgoing, policy.timeout));
        let failure = match select(attempt, Box::pin(abort.fired())).await {
            Either::Left((outcome, _)) => {
                let headers = outcome
                    .as_ref()
                    .map_or(JsValue::UNDEFINED, |i| i.headers.clone());
                let elapsed_ms = (host.monotonic_ms() - started).max(0.0);
                let outcome = observe(hooks, outcome, event("response", attempts), elapsed_ms);
                match classify(outcome, contract, repeat) {
                    Ok(reply) => {
                        let reply = checked(reply, contract, repeat);
                        if let Ok(Reply::Success { status, .. }) = &reply {
                            seen.record(Raw {
                                status: *status,
                                headers,
                                duration_ms: elapsed_ms,
                            });
                        }
                        return reply;
                    }
                    Err(failure) => failure,
                }
            }
            Either::Right(_) => return Err(abort.error(repeat, true)),
        };
        let (status, retryable, retry_after, unsent) = match &failure {
            Failure::Refusal {
                status,
                retry_after,
                ..
            } => (
                Some(*status),
                retryable(*status),
                retry_after.clone(),
                contract.held_back(*status),
            ),
            Failure::Error {
                error,
                retryable,
                retry_after,
                unsent,
            } => (error.status, *retryable, retry_after.clone(), *unsent),
        };
        sent |= !unsent;
        if status == Some(401) && !reauthenticated && auth.refreshable() {
            reauthenticated = true;
            refresh = true;
            continue;
        }
        let delay = backoff(host, policy, retries, retry_after.as_deref());
        if retryable
            && (repeat == Repeat::Safe || unsent)
            && retries < policy.max_retries
            && let Some(delay) = delay
        {
            retries += 1;
            hooks.emit(&Event {
                delay_ms: Some(delay.as_millis() as u64),
                ..event("retry", attempts)
            });
            if let Either::Right(_) =
                select(Box::pin(host.sleep(delay)), Box::pin(abort.fired())).await
            {
                return Err(abort.error(repeat, sent));
            }
            continue;
        }
        return match failure {
            Failure::Refusal { status, body, .. } => {
                checked(Reply::Refusal { status, body }, contract, repeat)
            }
            Failure::Error { error, .. } => Err(error),
        };
    }
}

/// `outcome`, told to the hooks as the `response` of `event`'s attempt, which took `elapsed_ms`.
fn observe(
    hooks: &Hooks,
    outcome: Result<Incoming, Failed>,
    event: Event<'_>,
    elapsed_ms: f64,
) -> Result<Incoming, Failed> {
    if hooks.listening() {
        let (status, error) = Event::observed(&outcome);
        hooks.emit(&Event {
            status,
            error,
            duration_ms: Some(elapsed_ms as u64),
            ..event
        });
    }
    outcome
}

/// `step`, a part of a call that sends nothing of its own to the API (its authentication headers,
/// a referential it needs first), given up when the caller aborts or after the time the call's
/// own attempts may take ([`Policy::budget`]), whatever the step waits for. `sent`: whether an
/// earlier attempt of the call may have reached the server.
pub async fn within<T>(
    settings: &Settings,
    repeat: Repeat,
    sent: bool,
    step: impl Future<Output = Result<T, SdkError>>,
) -> Result<T, SdkError> {
    within_on(&fetch::Js, settings, repeat, sent, step).await
}

/// [`within`] on `host`.
async fn within_on<H: Host, T>(
    host: &H,
    settings: &Settings,
    repeat: Repeat,
    sent: bool,
    step: impl Future<Output = Result<T, SdkError>>,
) -> Result<T, SdkError> {
    if settings.abort.aborted() {
        return Err(settings.abort.error(repeat, sent));
    }
    let stop = select(
        Box::pin(settings.abort.fired()),
        Box::pin(host.after(settings.policy.budget())),
    );
    match select(Box::pin(step), stop).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right((Either::Left(_), _)) => Err(settings.abort.error(repeat, sent)),
        Either::Right((Either::Right(_), _)) => Err(reached(
            SdkError::new(
                Kind::Timeout,
                "A step before the request (authentication or a referential) took longer than the call's attempts may (timeoutMs for each of its 1 + maxRetries attempts). Raise `timeoutMs` or try again later.",
            ),
            repeat,
            sent,
        )),
    }
}

/// Whether a reply of HTTP `status` may be worth another attempt: 429 and 502–504.
fn retryable(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// What one attempt gave: a documented reply, or why not.
fn classify(
    outcome: Result<Incoming, Failed>,
    contract: &dyn Contract,
    repeat: Repeat,
) -> Result<Reply, Failure> {
    let failed = |failed: Failed| {
        let (error, unsent) = match failed {
            Failed::Timeout => (
                SdkError::new(
                    Kind::Timeout,
                    "No reply within timeoutMs. Raise `timeoutMs` or try again later.",
                ),
                false,
            ),
            Failed::Network { unsent } => (
                SdkError::new(
                    Kind::Network,
                    "The network failed before a complete reply came (connection refused, reset or blocked by CORS). Check the base URL and the network, then try again.",
                ),
                unsent,
            ),
            Failed::TooLarge => {
                let error = SdkError::new(
                    Kind::UnexpectedResponse,
                    format!(
                        "The reply is over {} MiB, more than any documented reply: it was read no further. Check the base URL.",
                        fetch::REPLY_LIMIT >> 20
                    ),
                );
                return Failure::Error {
                    error: reached(error, repeat, true),
                    retryable: false,
                    retry_after: None,
                    unsent: false,
                };
            }
            Failed::Redirect { status, origin } => {
                let to = match origin.as_str() {
                    "" => "another address (the browser does not say which)".to_owned(),
                    origin => origin.to_owned(),
                };
                let error = SdkError::new(
                    Kind::UnexpectedResponse,
                    format!(
                        "The API redirected the call to {to}; it was not followed, so no credential went there. Check the base URL."
                    ),
                )
                .with_reply(Some(status), None);
                return Failure::Error {
                    error: reached(error, repeat, true),
                    retryable: false,
                    retry_after: None,
                    unsent: false,
                };
            }
        };
        Failure::Error {
            error: reached(error, repeat, !unsent),
            retryable: true,
            retry_after: None,
            unsent,
        }
    };
    let Incoming {
        status,
        retry_after,
        body: bytes,
        ..
    } = outcome.map_err(failed)?;
    // A documented status's body (`None`: not JSON, or not documented) and the bytes it came as.
    let (body, bytes) = match (contract.documents(status), bytes) {
        // No body documented: the reply is complete whatever its body did.
        (Some(false), _) => (Some(Value::Null), None),
        (Some(true), Err(failure)) => return Err(failed(failure)),
        (Some(true), Ok(bytes)) => (json(&bytes), Some(bytes)),
        (None, bytes) => (None, bytes.ok()),
    };
    match body {
        Some(value) if (200..300).contains(&status) => Ok(Reply::Success { status, value }),
        Some(body) => Err(Failure::Refusal {
            status,
            body,
            retry_after,
        }),
        None => {
            let shown = bytes.as_deref().filter(|_| !contract.secret_replies());
            let error = unexpected(Some(status), shown);
            let error = match error.kind {
                Kind::UnexpectedResponse => reached(error, repeat, true),
                _ => error,
            };
            Err(Failure::Error {
                error,
                retryable: retryable(status),
                retry_after,
                unsent: contract.held_back(status),
            })
        }
    }
}

/// A reply's body as JSON, decoded as `fetch`'s `text()` decodes it (UTF-8, a byte-order mark
/// dropped, an invalid sequence replaced), then read as text: the one JSON reader the module
/// holds (`from_slice` would be a second).
pub(crate) fn json(bytes: &[u8]) -> Option<Value> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_str(&String::from_utf8_lossy(bytes)).ok()
}

/// A documented reply, its body checked against the schema the spec gives its status.
fn checked(reply: Reply, contract: &dyn Contract, repeat: Repeat) -> Result<Reply, SdkError> {
    let (Reply::Success {
        status,
        value: body,
    }
    | Reply::Refusal { status, body }) = &reply;
    let mut faults = contract.check_reply(*status, body);
    if faults.is_empty() {
        return Ok(reply);
    }
    let secret = contract.secret_replies();
    if secret {
        // A token reply's fields are named, never what they hold.
        faults.iter_mut().for_each(|f| f.params.clear());
    }
    let shown = (!secret).then_some(body);
    Err(undocumented(repeat, *status, shown, faults))
}

/// A reply whose body is not what its operation documents (`faults`, from `Spec::check_reply`);
/// `body`: `None` when it holds a secret.
fn undocumented(
    repeat: Repeat,
    status: u16,
    body: Option<&Value>,
    faults: Vec<FieldError>,
) -> SdkError {
    let text = body.and_then(|body| serde_json::to_vec(body).ok());
    let mut error = SdkError::new(
        Kind::UnexpectedResponse,
        match body {
            Some(_) => "The API replied in a way its documentation does not describe. See `fields` and `body`.",
            None => "The API replied in a way its documentation does not describe. See `fields` (its body holds a secret and is not kept).",
        },
    )
    .with_reply(Some(status), text.as_deref());
    error.fields = faults;
    error.reply = body.cloned();
    reached(error, repeat, true)
}

/// A reply that the spec does not document that way.
fn unexpected(status: Option<u16>, body: Option<&[u8]>) -> SdkError {
    let (kind, message) = match status {
        Some(401 | 403) => (
            Kind::Authentication,
            "The credentials were refused. Check the client id and secret, the api key or what the headers callback returns.",
        ),
        Some(429) => (
            Kind::UnexpectedResponse,
            "Too many requests: the API asks to slow down. Try again later.",
        ),
        Some(s) if s >= 500 => (
            Kind::UnexpectedResponse,
            "The API failed or is unavailable. Try again later.",
        ),
        _ => (
            Kind::UnexpectedResponse,
            "The API replied in a way its documentation does not describe. See `status` and `body`.",
        ),
    };
    SdkError::new(kind, message).with_reply(status, body)
}

/// The wait before the next attempt, or `None` when the server asks for longer than we wait.
fn backoff(
    host: &impl Host,
    policy: &Policy,
    retries: u32,
    retry_after: Option<&str>,
) -> Option<Duration> {
    if let Some(asked) = retry_after.and_then(|v| parse_retry_after(v, host.now_ms())) {
        return (asked <= MAX_DELAY).then_some(asked);
    }
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << retries.min(16))
        .min(MAX_DELAY);
    Some(ceiling.mul_f64(host.random().clamp(0.0, 1.0)))
}

/// `Retry-After` as seconds or as an HTTP date (`now_ms`: the current time, in ms since 1970).
fn parse_retry_after(value: &str, now_ms: f64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = repair_dates::parse_http_date(value)?;
    let wait = at as f64 - now_ms;
    Some(Duration::from_millis(wait.max(0.0) as u64))
}
