//! Where a call's authentication headers come from: fixed secret headers (Ecologic `api_key`,
//! the LALUX token service's credentials), the caller's async headers callback (a browser
//! portal going through its back end holds no secret), or the LALUX token cache.
//!
//! LALUX tokens are cached per scope, renewed a minute before they expire and once on a 401;
//! concurrent calls share one token request.

use crate::call::{self, Policy, Repeat, Reply, Settings};
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::generated::lalux_token::{self, types as tok};
use crate::transport::{Headers, sensitive_header};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use reqwest::header::HeaderValue;
use std::{cell::RefCell, collections::HashMap, rc::Rc};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A token is renewed this long before it expires.
const RENEW_MARGIN_MS: f64 = 60_000.0;

/// The source of a call's authentication headers.
#[derive(Clone)]
pub enum Auth {
    /// Fixed headers.
    Fixed(Headers),
    /// `callback(argument)` returns (a promise of) an object of headers.
    Callback {
        callback: js_sys::Function,
        argument: JsValue,
    },
    /// A LALUX bearer token for `scope`.
    Token {
        cache: Rc<TokenCache>,
        scope: tok::Scope,
    },
}

impl Auth {
    /// A fixed secret header.
    pub fn header(name: &str, value: &str) -> Result<Self, SdkError> {
        sensitive_header(name, value)
            .map(|h| Self::Fixed(vec![h]))
            .map_err(|m| SdkError::new(Kind::Validation, m))
    }

    /// The caller's headers callback, asked with `{ ...fields, refresh }`.
    pub fn callback(callback: js_sys::Function, fields: &[(&str, &str)]) -> Self {
        let argument = js_sys::Object::new();
        for (key, value) in fields {
            let _ = js_sys::Reflect::set(&argument, &(*key).into(), &(*value).into());
        }
        Self::Callback {
            callback,
            argument: argument.into(),
        }
    }

    /// The headers for the next attempt; `refresh` after a 401.
    async fn read(&self, refresh: bool) -> Result<Headers, SdkError> {
        match self {
            Self::Fixed(headers) => Ok(headers.clone()),
            Self::Callback { callback, argument } => {
                callback_headers(callback, argument, refresh).await
            }
            Self::Token { cache, scope } => {
                let token = cache.token(*scope, refresh).await?;
                let header =
                    sensitive_header("authorization", &format!("Bearer {}", token.access_token))
                        .map_err(|_| {
                            SdkError::new(
                                Kind::UnexpectedResponse,
                                "The token service sent a token that is not a valid header value.",
                            )
                        })?;
                Ok(vec![header])
            }
        }
    }
}

impl call::HeaderSource for Auth {
    fn headers(&self, refresh: bool) -> LocalBoxFuture<'_, Result<Headers, SdkError>> {
        self.read(refresh).boxed_local()
    }

    /// Whether asking again may give other headers (so a 401 is worth one retry).
    fn refreshable(&self) -> bool {
        !matches!(self, Self::Fixed(_))
    }
}

async fn callback_headers(
    callback: &js_sys::Function,
    argument: &JsValue,
    refresh: bool,
) -> Result<Headers, SdkError> {
    let failed = |cause: JsValue| {
        let error = SdkError::new(
            Kind::Authentication,
            "The headers callback failed (see `cause`): it must return, or resolve to, an object of header names and string values.",
        );
        (error, cause)
    };
    // A fresh object per call: the caller may keep the one it was given.
    let argument: JsValue =
        js_sys::Object::assign(&js_sys::Object::new(), argument.unchecked_ref()).into();
    let _ = js_sys::Reflect::set(&argument, &"refresh".into(), &refresh.into());
    let outcome = match callback.call1(&JsValue::UNDEFINED, &argument) {
        Ok(value) => JsFuture::from(js_sys::Promise::resolve(&value)).await,
        Err(e) => Err(e),
    };
    let object = match outcome {
        Ok(object) if object.is_object() => object,
        Ok(other) => return Err(with_cause(failed(other))),
        Err(cause) => return Err(with_cause(failed(cause))),
    };
    let Some(entries) = crate::input::entries(&object) else {
        return Err(with_cause(failed(object)));
    };
    let mut headers = Vec::new();
    for (name, value) in entries {
        let Some(value) = value.ok().and_then(|v| v.as_string()) else {
            return Err(with_cause(failed(object)));
        };
        headers.push(sensitive_header(&name, &value).map_err(|m| {
            SdkError::new(
                Kind::Authentication,
                format!("The headers callback returned a bad header: {m}"),
            )
        })?);
    }
    Ok(headers)
}

/// Hands back what the callback threw or gave as the error's `cause`, as it was: the caller's own
/// value, never copied into the message (it may hold a secret).
fn with_cause((error, cause): (SdkError, JsValue)) -> SdkError {
    error.with_cause(cause)
}

/// A bearer token and when it stops being used.
#[derive(Clone)]
pub struct Token {
    access_token: String,
    renew_at_ms: f64,
}

type Pending = Shared<LocalBoxFuture<'static, Result<Token, SdkError>>>;

enum Slot {
    Ready(Token),
    Pending(Pending),
}

/// How the LALUX token service is reached and with which credentials.
pub struct TokenService {
    pub base_url: String,
    /// `{clientId}/{clientSecret}` (L3: the document's scheme, not HTTP Basic).
    pub credentials: HeaderValue,
    /// Expert `username` / `password` for `/authen` (L4), which every expert call needs.
    pub expert_login: Option<(String, String)>,
    pub policy: Policy,
}

/// LALUX tokens per scope.
pub struct TokenCache {
    service: Rc<TokenService>,
    slots: RefCell<HashMap<&'static str, Slot>>,
}

fn scope_key(scope: tok::Scope) -> &'static str {
    match scope {
        tok::Scope::Reparateur => "/reparateur",
        tok::Scope::Expert => "/expert",
    }
}

impl TokenCache {
    pub fn new(service: TokenService) -> Self {
        Self {
            service: Rc::new(service),
            slots: RefCell::default(),
        }
    }

    /// A valid token for `scope`: cached, shared with a request in flight, or requested.
    async fn token(&self, scope: tok::Scope, refresh: bool) -> Result<Token, SdkError> {
        let key = scope_key(scope);
        let pending = {
            let mut slots = self.slots.borrow_mut();
            match slots.get(key) {
                Some(Slot::Ready(token)) if !refresh && js_sys::Date::now() < token.renew_at_ms => {
                    return Ok(token.clone());
                }
                Some(Slot::Pending(pending)) => pending.clone(),
                _ => {
                    let service = self.service.clone();
                    let pending = async move { request_token(&service, scope).await }
                        .boxed_local()
                        .shared();
                    slots.insert(key, Slot::Pending(pending.clone()));
                    pending
                }
            }
        };
        let outcome = pending.await;
        let mut slots = self.slots.borrow_mut();
        match &outcome {
            Ok(token) => {
                slots.insert(key, Slot::Ready(token.clone()));
            }
            Err(_) => {
                slots.remove(key);
            }
        }
        outcome
    }
}

async fn request_token(service: &TokenService, scope: tok::Scope) -> Result<Token, SdkError> {
    let auth = Auth::Fixed(vec![(
        reqwest::header::AUTHORIZATION,
        service.credentials.clone(),
    )]);
    let client = |context| lalux_token::Client::new(&service.base_url, context);
    let started = js_sys::Date::now();
    let reply = match &service.expert_login {
        Some((username, password)) if scope == tok::Scope::Expert => {
            let form = tok::PasswordForm {
                grant_type: tok::PasswordGrantType::Password,
                username: username.parse().map_err(|_| login_error("username"))?,
                password: password.parse().map_err(|_| login_error("password"))?,
                scope,
            };
            call::send(&Settings::of(service.policy), Repeat::Safe, &auth, |c| {
                let (client, form) = (client(c), form.clone());
                async move {
                    client
                        .authenticate_expert(form.grant_type, scope, &form)
                        .await
                }
            })
            .await?
        }
        // L4: experts sign in at `/authen`; LALUX's `/token` is the repairers'.
        None if scope == tok::Scope::Expert => {
            return Err(SdkError::validation(vec![FieldError::new(
                "username",
                Code::Required,
                "is required for expert calls (with password): experts sign in at /authen (L4)",
            )]));
        }
        _ => {
            let form = tok::ClientCredentialsForm {
                grant_type: tok::ClientCredentialsGrantType::ClientCredentials,
                scope,
            };
            call::send(&Settings::of(service.policy), Repeat::Safe, &auth, |c| {
                let (client, form) = (client(c), form.clone());
                async move { client.request_token(form.grant_type, scope, &form).await }
            })
            .await?
        }
    };
    match reply {
        Reply::Success { value: token, .. } => {
            let lifetime_ms = (token.expires_in.max(0) as f64) * 1000.0;
            Ok(Token {
                access_token: token.access_token,
                renew_at_ms: started + (lifetime_ms - RENEW_MARGIN_MS).max(0.0),
            })
        }
        Reply::Refusal { status, body } => {
            let code = body.error.unwrap_or_default();
            Err(SdkError::new(
                Kind::Authentication,
                format!(
                    "The LALUX token service refused the credentials ({code}). Check clientId, clientSecret{} and the base URL of the token service.",
                    if scope == tok::Scope::Expert { ", username and password" } else { "" }
                ),
            )
            .with_reply(Some(status), None)
            .with(|d| d.error = Some(code)))
        }
    }
}

fn login_error(field: &str) -> SdkError {
    SdkError::validation(vec![
        FieldError::new(field, Code::TooShort, "must not be empty").with("min", 1),
    ])
}
