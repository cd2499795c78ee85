//! What every generated client does around a request, through progenitor's hooks.
//!
//! progenitor ignores security schemes and adds an `api-version` header to every request; the
//! hooks here inject the authentication headers, remove `api-version` (Chromium's CORS
//! preflight rejects it), apply the per-attempt timeout and note the reply's status and
//! `Retry-After` (which progenitor drops when a reply's body cannot be read). One implementation
//! serves the three generated clients.

use crate::generated::{ecologic, lalux, lalux_token};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue, RETRY_AFTER};
use std::{cell::RefCell, fmt, rc::Rc, time::Duration};

/// The header progenitor adds to every request, which browsers' CORS preflight rejects.
const API_VERSION: &str = "api-version";

/// Headers to send, values marked sensitive.
pub type Headers = Vec<(HeaderName, HeaderValue)>;

/// What the hooks saw of a reply.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
}

/// Per-attempt state the hooks read and write: headers to send, timeout, what came back.
#[derive(Clone, Default)]
pub struct Context {
    headers: Headers,
    timeout: Option<Duration>,
    observed: Rc<RefCell<Option<Observed>>>,
}

/// A header whose value is marked sensitive (never printed by `Debug`).
pub fn sensitive_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))?;
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        format!("the value of header `{name}` has characters a header cannot carry")
    })?;
    value.set_sensitive(true);
    Ok((name, value))
}

impl Context {
    /// A context that sends `name: value` on every request; the value is marked sensitive.
    pub fn with_header(name: &str, value: &str) -> Result<Self, String> {
        Ok(Self::new(vec![sensitive_header(name, value)?], None))
    }

    /// A context that sends `headers` and gives up after `timeout`.
    pub fn new(headers: Headers, timeout: Option<Duration>) -> Self {
        Self {
            headers,
            timeout,
            observed: Rc::default(),
        }
    }

    /// The status and `Retry-After` of the reply, once one came.
    pub fn observed(&self) -> Option<Observed> {
        self.observed.borrow().clone()
    }

    /// Applies this context to a request about to be sent.
    fn prepare(&self, request: &mut reqwest::Request) {
        *request.timeout_mut() = self.timeout;
        let headers = request.headers_mut();
        headers.remove(API_VERSION);
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
    }

    fn observe(&self, result: &reqwest::Result<reqwest::Response>) {
        if let Ok(response) = result {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            *self.observed.borrow_mut() = Some(Observed {
                status: response.status().as_u16(),
                retry_after,
            });
        }
    }
}

impl fmt::Debug for Context {
    /// Names the headers, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Context")
            .field("headers", &names)
            .field("timeout", &self.timeout)
            .finish()
    }
}

macro_rules! context_hooks {
    ($($client:ty),+) => {$(
        impl ClientHooks<Context> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &OperationInfo,
            ) -> Result<(), Error<E>> {
                self.inner().prepare(request);
                Ok(())
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                _info: &OperationInfo,
            ) -> Result<(), Error<E>> {
                self.inner().observe(result);
                Ok(())
            }
        }
    )+};
}

context_hooks!(lalux_token::Client, lalux::Client, ecologic::Client);
