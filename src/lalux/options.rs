//! `new LaluxClient(options)`: the options and the client state they make.

use super::service::Lalux;
use crate::auth::{TokenCache, TokenService};
use crate::error::{Code, FieldError, SdkError};
use crate::hooks::Hooks;
use crate::journal::Journal;
use crate::js::{self, CallPolicy};
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::{JsCast, JsValue};

const TOKEN_URL: &str = "https://wts.lalux.lu";
const API_URL: &str = "https://api.lalux.lu";

#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
/** `new LaluxClient(options)`: `clientId` and `clientSecret` (server side), a `gateway` (a browser portal, through `repair-claims/server` on its back end) or a `headers` callback, one of them. */
export type LaluxOptions = Omit<LaluxOptionFields, 'clientId' | 'clientSecret' | 'headers' | 'gateway'> & ClientHooks & (
  | { clientId: string; clientSecret: string; headers?: never; gateway?: never }
  | { headers: HeadersCallback; clientId?: never; clientSecret?: never; gateway?: never }
  | { gateway: string; clientId?: never; clientSecret?: never; headers?: never; username?: never; password?: never; tokenUrl?: never; apiUrl?: never }
);
"#;

/// `new LaluxClient(options)` (its TypeScript, `LaluxOptions`, says "credentials or a headers
/// callback").
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
// Its `headers` callback is declared for TypeScript and read apart (`js::Apart`), as the hooks
// (`ClientHooks`) are.
#[allow(dead_code)]
pub struct LaluxOptionFields {
    /// Token service base URL (default `https://wts.lalux.lu`); point it at your back end or the sandbox.
    #[tsify(optional)]
    token_url: Option<String>,
    /// API base URL (default `https://api.lalux.lu`).
    #[tsify(optional)]
    api_url: Option<String>,
    /// Client id given by LALUX. Server side only: never ship it to a browser.
    #[tsify(optional)]
    client_id: Option<String>,
    /// Client secret given by LALUX. Server side only: never ship it to a browser.
    #[tsify(optional)]
    client_secret: Option<String>,
    /// Expert login for `/authen` (with `password`): expert calls need it (L4; `/token` is the repairers').
    #[tsify(optional)]
    username: Option<String>,
    /// Expert password for `/authen`.
    #[tsify(optional)]
    password: Option<String>,
    /// Called before each attempt (with `refresh: true` after a 401), and only then: cache its
    /// result yourself if it is costly. Instead of credentials: returns the headers to send (what a browser portal uses, through its back end).
    #[serde(default, deserialize_with = "crate::js::set_apart")]
    #[tsify(optional, type = "HeadersCallback")]
    headers: JsValue,
    /// Milliseconds to wait for each attempt's reply (default 30 000, at most 600 000).
    #[serde(default)]
    timeout_ms: Option<u32>,
    /// Retries of a call that is safe to repeat, after a network error, a timeout, 429 or 502–504 (default 2).
    #[serde(default)]
    max_retries: Option<u32>,
    /// First backoff delay in milliseconds, doubled on each retry with jitter (default 300); a `Retry-After` header wins.
    #[serde(default)]
    retry_delay_ms: Option<u32>,
    /// How long a workflow run holds its journal entry without renewing it, in milliseconds
    /// (default 15 000): after a crash, the next run of the same workflow resumes at most this
    /// long after. Renewed every third of it while the run lasts.
    #[serde(default)]
    journal_lease_ms: Option<u32>,
    /// With a `journal` your back-end instances share: they share LALUX tokens (each kept until a
    /// minute before it expires) and Ecologic's referentials (for `referentialMaxAgeMs`) through
    /// it too, instead of asking for them once per instance. Tokens are secrets: never in a browser.
    #[tsify(optional)]
    share_caches: Option<bool>,
    /// Your back end's gateway (`repair-claims/server`), for a browser portal: every call goes
    /// there, which holds the credentials (`/api/repair-claims`, relative to the page). Nothing
    /// else is given with it.
    #[tsify(optional)]
    gateway: Option<String>,
    /// Lets a secret (`clientSecret`, `password`) be given where a browser runs (refused otherwise):
    /// anyone who opens the page can read it.
    #[tsify(optional)]
    dangerously_allow_browser: Option<bool>,
}

impl Lalux {
    pub(super) fn new(options: LaluxOptionFields, apart: js::Apart) -> Result<Self, SdkError> {
        let mut errors = Vec::new();
        let token_url = js::base_url(&options.token_url, "tokenUrl", TOKEN_URL, &mut errors);
        let api_url = js::base_url(&options.api_url, "apiUrl", API_URL, &mut errors);
        let headers = apart.headers.dyn_into::<js_sys::Function>().ok();
        let given = [
            ("clientId", options.client_id.is_some()),
            ("clientSecret", options.client_secret.is_some()),
            ("username", options.username.is_some()),
            ("password", options.password.is_some()),
            ("headers", headers.is_some()),
            ("tokenUrl", options.token_url.is_some()),
            ("apiUrl", options.api_url.is_some()),
            ("journal", !apart.journal.is_undefined()),
            ("journalLeaseMs", options.journal_lease_ms.is_some()),
            ("shareCaches", options.share_caches.is_some()),
        ];
        let gateway = js::gateway(&options.gateway, "lalux", &given, &mut errors);
        js::secrets_outside_browsers(
            &[given[1], given[3]],
            options.dangerously_allow_browser,
            &mut errors,
        );
        // The account its caches are of: another secret or login is another account.
        let account = match (&options.client_id, &options.client_secret) {
            (Some(id), Some(secret)) => Some((
                "lalux",
                format!(
                    "{token_url}\n{id}\n{secret}\n{}\n{}",
                    options.username.as_deref().unwrap_or_default(),
                    options.password.as_deref().unwrap_or_default()
                ),
            )),
            _ => None,
        };
        let journal = Journal::read(
            apart.journal,
            options.journal_lease_ms,
            options.share_caches,
            account,
            &mut errors,
        );
        let policy = CallPolicy {
            timeout_ms: options.timeout_ms,
            max_retries: options.max_retries,
            retry_delay_ms: options.retry_delay_ms,
            hooks: Hooks::read(&apart.fetch, &apart.on_event, &apart.debug, &mut errors),
            gateway: gateway.clone(),
        }
        .policy();
        if gateway.is_some() {
            return match policy {
                Ok(policy) if errors.is_empty() => Ok(Self {
                    api_url,
                    policy,
                    tokens: None,
                    headers: None,
                    journal,
                }),
                Ok(_) => Err(SdkError::validation(errors)),
                Err(mut e) => {
                    errors.append(&mut e.fields);
                    Err(SdkError::validation(errors))
                }
            };
        }
        let client_id = js::non_empty(&options.client_id, "clientId", &mut errors);
        let client_secret = js::non_empty(&options.client_secret, "clientSecret", &mut errors);
        let username = js::non_empty(&options.username, "username", &mut errors);
        let password = js::non_empty(&options.password, "password", &mut errors);
        let credentials = match (client_id, client_secret, &headers) {
            (Some(id), Some(secret), None) => Some(format!("{id}/{secret}")),
            (None, None, Some(_)) => None,
            (Some(_), Some(_), Some(_)) => {
                errors.push(
                    FieldError::new(
                        "headers",
                        Code::Exclusive,
                        "give credentials or a headers callback, not both",
                    )
                    .with("other", "clientId"),
                );
                None
            }
            (None, None, None) if errors.is_empty() => {
                errors.push(
                    FieldError::new(
                        "clientId",
                        Code::Required,
                        "is required (with clientSecret), unless a headers callback is given",
                    )
                    .with("unless", "headers")
                    .with("other", "clientSecret"),
                );
                None
            }
            (id, _, _) => {
                let missing = if id.is_none() {
                    "clientId"
                } else {
                    "clientSecret"
                };
                let other = if id.is_none() {
                    "clientSecret"
                } else {
                    "clientId"
                };
                errors.push(
                    FieldError::new(
                        missing,
                        Code::Together,
                        "is required with the other credential",
                    )
                    .with("other", other),
                );
                None
            }
        };
        if username.is_some() != password.is_some() {
            let (missing, other) = match username {
                None => ("username", "password"),
                Some(_) => ("password", "username"),
            };
            errors.push(
                FieldError::new(missing, Code::Together, "username and password go together")
                    .with("other", other),
            );
        }
        let policy = match policy {
            Ok(policy) => Some(policy),
            Err(mut e) => {
                errors.append(&mut e.fields);
                None
            }
        };
        let (Some(policy), true) = (policy, errors.is_empty()) else {
            return Err(SdkError::validation(errors));
        };
        let tokens = match credentials {
            Some(credentials) => {
                let credentials = crate::fetch::Headers::one("authorization", &credentials)
                    .map_err(|_| {
                        SdkError::validation(vec![FieldError::new(
                            "clientSecret",
                            Code::HeaderValue,
                            "has characters a header cannot carry",
                        )])
                    })?;
                Some(Rc::new(TokenCache::new(TokenService {
                    base_url: token_url,
                    credentials,
                    expert_login: username
                        .zip(password)
                        .map(|(u, p)| (u.to_owned(), p.to_owned())),
                    policy: policy.clone(),
                    journal: journal.clone(),
                })))
            }
            None => None,
        };
        Ok(Self {
            api_url,
            policy,
            tokens,
            headers,
            journal,
        })
    }
}
