//! Sending one operation through a generated client: per-attempt timeout, authentication
//! headers, retries with exponential backoff and jitter (honouring `Retry-After`) where
//! repeating is safe, one re-authentication on 401, and the mapping of every failure to an
//! [`SdkError`]. Shared by both APIs.

use crate::error::{FieldError, Kind, SdkError};
use crate::json::{Json, SuccessBody};
use crate::schema::Spec;
use crate::transport::{Context, Headers, Observed};
use futures_util::future::{Either, LocalBoxFuture, select};
use progenitor_client::{Error, ResponseValue};
use serde_json::Value;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};

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

/// How calls are retried and timed out; from the client's options.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub timeout: Duration,
    pub max_retries: u32,
    /// First backoff delay; doubled on every attempt, with full jitter.
    pub base_delay: Duration,
}

/// How one call is sent: the retry policy (the client's, or the call's own `timeoutMs` and
/// `maxRetries`) and the caller's `AbortSignal`.
#[derive(Clone)]
pub struct Settings {
    pub policy: Policy,
    pub abort: Abort,
}

impl Settings {
    /// The client's policy, and no signal.
    pub fn of(policy: Policy) -> Self {
        Self {
            policy,
            abort: Abort::default(),
        }
    }
}

/// The caller's `AbortSignal`, if one was given.
#[derive(Clone, Default)]
pub struct Abort(Option<JsValue>);

impl Abort {
    /// Watches `signal` (an `AbortSignal`, or anything with `aborted` and `addEventListener`).
    pub fn new(signal: JsValue) -> Self {
        Self(Some(signal))
    }

    fn aborted(&self) -> bool {
        self.0.as_ref().is_some_and(|signal| {
            js_sys::Reflect::get(signal, &"aborted".into()).is_ok_and(|a| a.is_truthy())
        })
    }

    /// Resolves once the signal fires; never without one (nor when it cannot be listened to).
    async fn fired(&self) {
        let listening = self.0.as_ref().and_then(|signal| {
            let listen: js_sys::Function = js_sys::Reflect::get(signal, &"addEventListener".into())
                .ok()?
                .dyn_into()
                .ok()?;
            let once = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&once, &"once".into(), &true.into());
            let mut failed = false;
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                failed = listen
                    .call3(signal, &"abort".into(), &resolve, &once)
                    .is_err();
            });
            (!failed).then_some(promise)
        });
        match listening {
            Some(promise) if !self.aborted() => {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
            Some(_) => {}
            None => std::future::pending::<()>().await,
        }
    }
}

/// The caller aborted: nothing more is sent.
fn aborted(repeat: Repeat, sent: bool) -> SdkError {
    let error = SdkError::new(
        Kind::Aborted,
        "The call was aborted through its signal; nothing more was sent.",
    );
    match repeat {
        Repeat::Never => error.with(|d| d.may_have_reached_server = Some(sent)),
        Repeat::Safe => error,
    }
}

/// Longest wait between attempts, whether from backoff or `Retry-After`.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// A reply: the documented success with its status, or a documented refusal with its typed body.
pub enum Reply<T, E> {
    Success { status: u16, value: T },
    Refusal { status: u16, body: E },
}

/// One attempt with the reply's value boxed: the send loop is compiled once per error type
/// rather than once per operation.
type Attempt<'a, E> = Pin<Box<dyn Future<Output = Result<(u16, Box<dyn Any>), Error<E>>> + 'a>>;

/// What the caller gave up on, before it became an error.
enum Failure<E> {
    Refusal {
        status: u16,
        body: E,
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

/// Sends an operation: `attempt` runs it once with a fresh [`Context`].
pub async fn send<'a, T, E, F, Fut>(
    settings: &Settings,
    repeat: Repeat,
    auth: &dyn HeaderSource,
    mut attempt: F,
) -> Result<Reply<T, E>, SdkError>
where
    T: 'static,
    E: 'a,
    F: FnMut(Context) -> Fut + 'a,
    Fut: Future<Output = Result<ResponseValue<T>, Error<E>>> + 'a,
{
    let mut erased = move |context| -> Attempt<'a, E> {
        let attempt = attempt(context);
        Box::pin(async move {
            let value = attempt.await?;
            Ok((
                value.status().as_u16(),
                Box::new(value.into_inner()) as Box<dyn Any>,
            ))
        })
    };
    match send_erased(settings, repeat, auth, &mut erased).await? {
        Reply::Success { status, value } => match value.downcast::<T>() {
            Ok(value) => Ok(Reply::Success {
                status,
                value: *value,
            }),
            Err(_) => Err(SdkError::new(
                Kind::UnexpectedResponse,
                "The reply could not be read as its operation's type.",
            )),
        },
        Reply::Refusal { status, body } => Ok(Reply::Refusal { status, body }),
    }
}

/// [`send`] for an operation whose replies are JSON (`build.rs`'s `AS_JSON`; a success may have
/// no body): the reply is checked against the schema `spec` documents for `operation_id` and its
/// status. One that does not match is an `unexpectedResponse` naming every field at fault, as a
/// typed read would have refused it.
pub async fn send_json<'a, T, F, Fut>(
    settings: &Settings,
    repeat: Repeat,
    auth: &dyn HeaderSource,
    (spec, operation_id): (&Spec, &str),
    attempt: F,
) -> Result<Reply<Value, Value>, SdkError>
where
    T: SuccessBody,
    F: FnMut(Context) -> Fut + 'a,
    Fut: Future<Output = Result<ResponseValue<T>, Error<Json>>> + 'a,
{
    let (status, body, success) = match send(settings, repeat, auth, attempt).await? {
        Reply::Success { status, value } => (status, value.into_json(), true),
        Reply::Refusal { status, body } => (status, body.0, false),
    };
    let faults = spec.check_reply(operation_id, status, &body);
    if !faults.is_empty() {
        return Err(undocumented(repeat, status, &body, faults));
    }
    Ok(match success {
        true => Reply::Success {
            status,
            value: body,
        },
        false => Reply::Refusal { status, body },
    })
}

/// A reply whose body is not what its operation documents (`faults`, from `Spec::check_reply`).
fn undocumented(repeat: Repeat, status: u16, body: &Value, faults: Vec<FieldError>) -> SdkError {
    let text = serde_json::to_vec(body).ok();
    let mut error = SdkError::new(
        Kind::UnexpectedResponse,
        "The API replied in a way its documentation does not describe. See `fields` and `body`.",
    )
    .with_reply(Some(status), text.as_deref());
    error.fields = faults;
    match repeat {
        Repeat::Never => error.with(|d| d.may_have_reached_server = Some(true)),
        Repeat::Safe => error,
    }
}

/// The send loop: authentication, timeout, abort, retries, re-authentication.
async fn send_erased<'a, E>(
    settings: &Settings,
    repeat: Repeat,
    auth: &dyn HeaderSource,
    attempt: &mut dyn FnMut(Context) -> Attempt<'a, E>,
) -> Result<Reply<Box<dyn Any>, E>, SdkError> {
    let Settings { policy, abort } = settings;
    let policy = *policy;
    let mut retries = 0;
    let mut reauthenticated = false;
    let mut sent = false;
    loop {
        if abort.aborted() {
            return Err(aborted(repeat, sent));
        }
        let headers = auth.headers(reauthenticated).await?;
        let context = Context::new(headers, Some(policy.timeout));
        // Dropping the attempt on abort cancels its fetch (reqwest's guard aborts it).
        let outcome = select(Box::pin(attempt(context.clone())), Box::pin(abort.fired())).await;
        let failure = match outcome {
            Either::Left((Ok((status, value)), _)) => return Ok(Reply::Success { status, value }),
            Either::Left((Err(error), _)) => classify(error, context.observed(), repeat).await,
            Either::Right(_) => return Err(aborted(repeat, true)),
        };
        let (status, retryable, retry_after, unsent) = match &failure {
            Failure::Refusal {
                status,
                retry_after,
                ..
            } => (
                Some(*status),
                matches!(status, 429 | 502 | 503 | 504),
                retry_after.clone(),
                false,
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
            continue;
        }
        let delay = backoff(policy, retries, retry_after.as_deref());
        if retryable
            && (repeat == Repeat::Safe || unsent)
            && retries < policy.max_retries
            && let Some(delay) = delay
        {
            retries += 1;
            if let Either::Right(_) = select(Box::pin(sleep(delay)), Box::pin(abort.fired())).await
            {
                return Err(aborted(repeat, sent));
            }
            continue;
        }
        return match failure {
            Failure::Refusal { status, body, .. } => Ok(Reply::Refusal { status, body }),
            Failure::Error { error, .. } => Err(error),
        };
    }
}

async fn classify<E>(error: Error<E>, observed: Option<Observed>, repeat: Repeat) -> Failure<E> {
    let retry_after = observed.as_ref().and_then(|o| o.retry_after.clone());
    let status = observed.as_ref().map(|o| o.status);
    let may_have_reached = |e: SdkError, reached: bool| match repeat {
        Repeat::Never => e.with(|d| d.may_have_reached_server = Some(reached)),
        Repeat::Safe => e,
    };
    let error = match error {
        Error::ErrorResponse(value) => {
            let status = value.status().as_u16();
            return Failure::Refusal {
                status,
                body: value.into_inner(),
                retry_after,
            };
        }
        Error::CommunicationError(e) | Error::ResponseBodyError(e) | Error::InvalidUpgrade(e) => {
            let unsent = never_sent(&e);
            let error = if e.is_timeout() {
                SdkError::new(
                    Kind::Timeout,
                    "No reply within timeoutMs. Raise `timeoutMs` or try again later.",
                )
            } else {
                SdkError::new(
                    Kind::Network,
                    "The network failed before a complete reply came (connection refused, reset or blocked by CORS). Check the base URL and the network, then try again.",
                )
            };
            return Failure::Error {
                error: may_have_reached(error.with_reply(status, None), !unsent),
                retryable: true,
                retry_after,
                unsent,
            };
        }
        Error::InvalidResponsePayload(bytes, _) => unexpected(status, Some(&bytes)),
        Error::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await.ok();
            unexpected(Some(status), body.as_deref())
        }
        Error::InvalidRequest(message) => {
            SdkError::validation(vec![crate::error::FieldError::new(
                "input",
                crate::error::Code::Invalid,
                message,
            )])
        }
        Error::Custom(message) => SdkError::new(Kind::UnexpectedResponse, message),
    };
    let retryable = matches!(error.status, Some(429 | 502 | 503 | 504));
    let error = if error.kind == Kind::UnexpectedResponse {
        may_have_reached(error, true)
    } else {
        error
    };
    Failure::Error {
        error,
        retryable,
        retry_after,
        unsent: false,
    }
}

/// Whether the fetch failed before a connection was made: the package's glue
/// (`scripts/fetch-glue.mjs`) writes `[not sent: CODE]` into the error when Node's fetch says
/// so. Browsers never say why a fetch failed, so there this is always false (the safe side).
fn never_sent(error: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if e.to_string().contains("[not sent: ") {
            return true;
        }
        source = e.source();
    }
    false
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
fn backoff(policy: Policy, retries: u32, retry_after: Option<&str>) -> Option<Duration> {
    if let Some(asked) = retry_after.and_then(|v| parse_retry_after(v, js_sys::Date::now())) {
        return (asked <= MAX_DELAY).then_some(asked);
    }
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << retries.min(16))
        .min(MAX_DELAY);
    Some(ceiling.mul_f64(js_sys::Math::random()))
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

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> wasm_bindgen::JsValue;
}

/// Waits `duration` (a `setTimeout`, in Node and in browsers).
pub async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, duration.as_millis() as f64);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = 1_700_000_000_000.0; // 2023-11-14T22:13:20Z
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now),
            Some(Duration::ZERO),
            "a date already past: no wait"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
