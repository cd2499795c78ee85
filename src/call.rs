//! Sending one operation through a generated client: per-attempt timeout, authentication
//! headers, retries with exponential backoff and jitter (honouring `Retry-After`) where
//! repeating is safe, one re-authentication on 401, and the mapping of every failure to an
//! [`SdkError`]. Shared by both APIs.

use crate::auth::Auth;
use crate::error::{Kind, SdkError};
use crate::transport::{Context, Observed};
use progenitor_client::{Error, ResponseValue};
use std::future::Future;
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;

/// Whether an operation may be sent again after it may have reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, LALUX uploads (a second one only makes an unused key), token requests: retried on
    /// network errors, timeouts, 429, 502–504.
    Safe,
    /// Creates something (LALUX settlements; Ecologic create, update, attach, submit): never
    /// re-sent once it may have reached the server, so no settlement or claim is duplicated.
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

/// Longest wait between attempts, whether from backoff or `Retry-After`.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// A reply: the documented success, or a documented refusal with its typed body.
pub enum Reply<T, E> {
    Success(ResponseValue<T>),
    Refusal { status: u16, body: E },
}

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
    },
}

/// Sends an operation: `attempt` runs it once with a fresh [`Context`].
pub async fn send<T, E, F, Fut>(
    policy: Policy,
    repeat: Repeat,
    auth: &Auth,
    mut attempt: F,
) -> Result<Reply<T, E>, SdkError>
where
    F: FnMut(Context) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    let mut retries = 0;
    let mut reauthenticated = false;
    loop {
        let headers = auth.headers(reauthenticated).await?;
        let context = Context::new(headers, Some(policy.timeout));
        let failure = match attempt(context.clone()).await {
            Ok(value) => return Ok(Reply::Success(value)),
            Err(error) => classify(error, context.observed(), repeat).await,
        };
        let (status, retryable, retry_after) = match &failure {
            Failure::Refusal {
                status,
                retry_after,
                ..
            } => (
                Some(*status),
                matches!(status, 429 | 502 | 503 | 504),
                retry_after.clone(),
            ),
            Failure::Error {
                error,
                retryable,
                retry_after,
            } => (error.status, *retryable, retry_after.clone()),
        };
        if status == Some(401) && !reauthenticated && auth.refreshable() {
            reauthenticated = true;
            continue;
        }
        let delay = backoff(policy, retries, retry_after.as_deref());
        if retryable
            && repeat == Repeat::Safe
            && retries < policy.max_retries
            && let Some(delay) = delay
        {
            retries += 1;
            sleep(delay).await;
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
    let may_have_reached = |e: SdkError| match repeat {
        Repeat::Never => e.with_detail("mayHaveReachedServer", true),
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
                error: may_have_reached(error.with_reply(status, None)),
                retryable: true,
                retry_after,
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
        may_have_reached(error)
    } else {
        error
    };
    Failure::Error {
        error,
        retryable,
        retry_after,
    }
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
    if let Some(asked) = retry_after.and_then(parse_retry_after) {
        return (asked <= MAX_DELAY).then_some(asked);
    }
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << retries.min(16))
        .min(MAX_DELAY);
    Some(ceiling.mul_f64(js_sys::Math::random()))
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = repair_dates::parse_http_date(value)?;
    let wait = at as f64 - js_sys::Date::now();
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
