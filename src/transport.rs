//! What every generated client does around a request, through progenitor's hooks.
//!
//! progenitor ignores security schemes and adds an `api-version` header to every request; the
//! hooks here inject the authentication header and remove `api-version` (Chromium's CORS
//! preflight rejects it). One implementation serves the three generated clients.

use crate::generated::{ecologic, lalux, lalux_token};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue};
use std::fmt;

/// The header progenitor adds to every request, which browsers' CORS preflight rejects.
const API_VERSION: &str = "api-version";

/// Per-client state the hooks read: the authentication header to send, if any.
#[derive(Clone, Default)]
pub struct Context {
    auth: Option<(HeaderName, HeaderValue)>,
}

impl Context {
    /// A context that sends `name: value` on every request; the value is marked sensitive.
    pub fn with_header(name: &str, value: &str) -> Result<Self, String> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))?;
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            format!("the value of header `{name}` has characters a header cannot carry")
        })?;
        value.set_sensitive(true);
        Ok(Self {
            auth: Some((name, value)),
        })
    }

    /// Applies this context to a request about to be sent.
    fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.remove(API_VERSION);
        if let Some((name, value)) = &self.auth {
            headers.insert(name.clone(), value.clone());
        }
    }
}

impl fmt::Debug for Context {
    /// Names the authentication header, never its value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = self.auth.as_ref().map(|(name, _)| name.as_str());
        f.debug_struct("Context")
            .field("auth_header", &header)
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
        }
    )+};
}

context_hooks!(lalux_token::Client, lalux::Client, ecologic::Client);
