//! Where a call's authentication headers come from: fixed secret headers (Ecologic `api_key`,
//! the LALUX token service's credentials), the caller's async headers callback (a browser
//! portal going through its back end holds no secret), or the LALUX token cache.
//!
//! LALUX tokens are cached per scope, renewed a minute before they expire and once on a 401;
//! concurrent calls share one token request.

use crate::call::{self, Policy, Repeat, Reply, Settings};
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::fetch::Headers;
use crate::schema::Operation;
use crate::schema::Spec;
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use serde_json::{Value, json};
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
    /// A LALUX bearer token for `scope`; `sent`: the one this call sent last (a 401 renews that
    /// one only: another call may have renewed it already).
    Token {
        cache: Rc<TokenCache>,
        scope: Scope,
        sent: RefCell<Option<String>>,
    },
}

impl Auth {
    /// A fixed secret header.
    pub fn header(name: &str, value: &str) -> Result<Self, SdkError> {
        Headers::one(name, value)
            .map(Self::Fixed)
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
            Self::Token { cache, scope, sent } => {
                let refused = sent.borrow().clone().filter(|_| refresh);
                let token = cache.token(*scope, refused.as_deref()).await?;
                sent.replace(Some(token.access_token.clone()));
                Headers::one("authorization", &format!("Bearer {}", token.access_token)).map_err(
                    |_| {
                        SdkError::new(
                            Kind::UnexpectedResponse,
                            "The token service sent a token that is not a valid header value.",
                        )
                    },
                )
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
    // What it returned holds header values (secrets): it is described, never handed back.
    let returned = |what: String| {
        SdkError::new(
            Kind::Authentication,
            format!(
                "The headers callback {what}: it must return, or resolve to, an object of header names and string values."
            ),
        )
    };
    let object = match outcome {
        Ok(object) if object.is_object() => object,
        Ok(other) => {
            let kind = crate::input::type_name(&other);
            return Err(returned(format!("returned a {kind}")));
        }
        Err(cause) => return Err(with_cause(failed(cause))),
    };
    let Some(entries) = crate::input::entries(&object) else {
        return Err(returned(
            "returned an object whose keys could not be read".to_owned(),
        ));
    };
    let mut headers = Headers::default();
    for (name, value) in entries {
        let value = match value {
            Ok(value) => value,
            Err(_) => {
                return Err(returned(format!(
                    "returned header `{name}` whose getter threw"
                )));
            }
        };
        let Some(value) = value.as_string() else {
            let kind = crate::input::type_name(&value);
            return Err(returned(format!(
                "returned header `{name}` as a {kind}, not a string"
            )));
        };
        headers.add(&name, &value).map_err(|m| {
            SdkError::new(
                Kind::Authentication,
                format!("The headers callback returned a bad header: {m}"),
            )
        })?;
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
    /// The `authorization` header: `{clientId}/{clientSecret}` (L3: the document's scheme, not
    /// HTTP Basic).
    pub credentials: Headers,
    /// Expert `username` / `password` for `/authen` (L4), which every expert call needs.
    pub expert_login: Option<(String, String)>,
    pub policy: Policy,
    /// Where tokens are shared with the client's other instances (option `shareCaches`).
    pub journal: crate::journal::Journal,
}

/// LALUX tokens per scope.
pub struct TokenCache {
    service: Rc<TokenService>,
    slots: RefCell<HashMap<&'static str, Slot>>,
}

/// A LALUX token's scope: the API function it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Reparateur,
    Expert,
}

impl Scope {
    /// As the token service writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reparateur => "/reparateur",
            Self::Expert => "/expert",
        }
    }
}

impl TokenCache {
    pub fn new(service: TokenService) -> Self {
        Self {
            service: Rc::new(service),
            slots: RefCell::default(),
        }
    }

    /// A valid token for `scope`: cached, shared with a request in flight, or requested. After
    /// a 401, `refused` is the token the API refused: only that one is renewed (one renewal
    /// serves every call refused with it).
    async fn token(&self, scope: Scope, refused: Option<&str>) -> Result<Token, SdkError> {
        let key = scope.as_str();
        let pending = {
            let mut slots = self.slots.borrow_mut();
            match slots.get(key) {
                Some(Slot::Ready(token))
                    if refused != Some(token.access_token.as_str())
                        && js_sys::Date::now() < token.renew_at_ms =>
                {
                    return Ok(token.clone());
                }
                Some(Slot::Pending(pending)) => pending.clone(),
                _ => {
                    let service = self.service.clone();
                    let refused = refused.map(str::to_owned);
                    let pending = async move { shared_token(&service, scope, refused).await }
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

/// A token another instance of the client shared (`shareCaches`), unless it is the one refused
/// or due for renewal; otherwise a new one, shared in turn until its renewal.
async fn shared_token(
    service: &TokenService,
    scope: Scope,
    refused: Option<String>,
) -> Result<Token, SdkError> {
    let name = format!("token:{}", scope.as_str());
    let timeout_ms = service.policy.timeout.as_millis() as f64;
    if let Some(kept) = service.journal.cached(&name, timeout_ms).await {
        let token = Token {
            access_token: text(&kept, "accessToken"),
            renew_at_ms: kept["renewAtMs"].as_f64().unwrap_or(0.0),
        };
        if !token.access_token.is_empty()
            && refused.as_deref() != Some(token.access_token.as_str())
            && js_sys::Date::now() < token.renew_at_ms
        {
            return Ok(token);
        }
    }
    let token = request_token(service, scope).await?;
    let kept = json!({"accessToken": token.access_token, "renewAtMs": token.renew_at_ms});
    let ttl_ms = token.renew_at_ms - js_sys::Date::now();
    if ttl_ms > 0.0 {
        service
            .journal
            .cache(&name, &kept, ttl_ms, timeout_ms)
            .await;
    }
    Ok(token)
}

async fn request_token(service: &TokenService, scope: Scope) -> Result<Token, SdkError> {
    let auth = Auth::Fixed(service.credentials.clone());
    let started = js_sys::Date::now();
    let (operation, form) = match &service.expert_login {
        Some((username, password)) if scope == Scope::Expert => {
            for (field, value) in [("username", username), ("password", password)] {
                if value.is_empty() {
                    return Err(login_error(field));
                }
            }
            let form = json!({"grant_type": "password", "username": username, "password": password, "scope": scope.as_str()});
            (Operation::AuthenticateExpert, form)
        }
        // L4: experts sign in at `/authen`; LALUX's `/token` is the repairers'.
        None if scope == Scope::Expert => {
            return Err(SdkError::validation(vec![
                FieldError::new(
                    "username",
                    Code::Required,
                    "is required for expert calls (with password): experts sign in at /authen (L4)",
                )
                .with("hint", "expertLogin"),
            ]));
        }
        _ => {
            let form = json!({"grant_type": "client_credentials", "scope": scope.as_str()});
            (Operation::RequestToken, form)
        }
    };
    let spec = Spec::lalux_token();
    let request = call::request(operation, form)?;
    let settings = Settings::of(service.policy.clone());
    let target = (spec, service.base_url.as_str());
    let sent = call::send(&settings, Repeat::Safe, &auth, target, request).await;
    // A token URL that is not the token service's: the hint Ecologic's routing 404 gives.
    let sent = sent.map_err(|e| match e.status {
        Some(404) => SdkError::new(
            Kind::UnexpectedResponse,
            "The LALUX token service found no route for the call (404): this is a fault of the base URL, not of the credentials. Check `tokenUrl`: the token service's base (https://wts.lalux.lu), without /token or /authen.",
        )
        .with_reply(Some(404), None),
        _ => e,
    });
    match sent? {
        Reply::Success { value: token, .. } => {
            let lifetime_ms = (token["expires_in"].as_i64().unwrap_or(0).max(0) as f64) * 1000.0;
            Ok(Token {
                access_token: text(&token, "access_token"),
                renew_at_ms: started + (lifetime_ms - RENEW_MARGIN_MS).max(0.0),
            })
        }
        Reply::Refusal { status, body } => {
            let code = text(&body, "error");
            Err(SdkError::new(
                Kind::Authentication,
                format!(
                    "The LALUX token service refused the credentials ({code}). Check clientId, clientSecret{} and the base URL of the token service.",
                    if scope == Scope::Expert { ", username and password" } else { "" }
                ),
            )
            .with_reply(Some(status), None)
            .with(|d| d.error = Some(code)))
        }
    }
}

/// The string at `key` of a checked reply, or an empty one.
fn text(reply: &Value, key: &str) -> String {
    crate::json::text(reply, key).unwrap_or_default()
}

fn login_error(field: &str) -> SdkError {
    SdkError::validation(vec![
        FieldError::new(field, Code::TooShort, "must not be empty").with("min", 1),
    ])
}
