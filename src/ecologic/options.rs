//! `new EcologicClient(options)`: the options and the client state they make.

use super::referential::Referentials;
use super::service::{Connection, Ecologic};
use crate::auth::Auth;
use crate::error::{Code, FieldError, SdkError};
use crate::hooks::Hooks;
use crate::journal::Journal;
use crate::js::{self, CallPolicy};
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::{JsCast, JsValue};

const PRODUCTION: &str = "https://apiecologic.e-reparateur.eco/api/v1/ecosupport";
const PREPRODUCTION: &str = "https://preprod-apiecologic.e-reparateur.eco/api/v1/ecosupport";
/// E16: referentials are read again after a day.
const DAY_MS: u32 = 86_400_000;

/// Which Ecologic platform; ids and keys differ between them.
#[derive(Clone, Copy, Debug, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Calls trigger real actions with the Fonds Réparations EEE.
    Production,
    /// Pre-production; key from support@e-reparateur.eco.
    Preproduction,
}

#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
/** `new EcologicClient(options)`: an `apiKey` (server side), a `gateway` (a browser portal, through `repair-claims/server` on its back end) or a `headers` callback, one of them. */
export type EcologicOptions = Omit<EcologicOptionFields, 'apiKey' | 'headers' | 'gateway' | 'environment'> & ClientHooks & (
  | { environment: Environment; apiKey: string; headers?: never; gateway?: never }
  | { environment: Environment; headers: HeadersCallback; apiKey?: never; gateway?: never }
  | { gateway: string; environment?: never; apiKey?: never; headers?: never; baseUrl?: never }
);
"#;

/// `new EcologicClient(options)` (its TypeScript, `EcologicOptions`, says "an api key or a
/// headers callback").
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
// Its `headers` callback is declared for TypeScript and read apart (`js::Apart`), as the hooks
// (`ClientHooks`) are.
#[allow(dead_code)]
pub struct EcologicOptionFields {
    /// Which platform (required, unless `gateway`: the gateway's credentials say it).
    #[tsify(optional)]
    environment: Option<Environment>,
    /// Base URL override (your back end, or the sandbox); the environment's host otherwise.
    #[tsify(optional)]
    base_url: Option<String>,
    /// The account's api key (`api_key` header). Server side only: never ship it to a browser.
    #[tsify(optional)]
    api_key: Option<String>,
    /// Called before each attempt (with `refresh: true` after a 401), and only then: cache its
    /// result yourself if it is costly. Instead of `apiKey`: returns the headers to send (what a browser portal uses, through its back end).
    #[serde(default, deserialize_with = "crate::js::set_apart")]
    #[tsify(optional, type = "HeadersCallback")]
    headers: JsValue,
    /// How long referentials are kept, in milliseconds (default and maximum 86 400 000: 24 h).
    #[serde(default)]
    referential_max_age_ms: Option<u32>,
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
    /// there, which holds the api key (`/api/repair-claims`, relative to the page). Nothing else
    /// is given with it.
    #[tsify(optional)]
    gateway: Option<String>,
    /// Lets `apiKey` be given where a browser runs (refused otherwise): anyone who opens the page
    /// can read it.
    #[tsify(optional)]
    dangerously_allow_browser: Option<bool>,
}

impl Ecologic {
    pub(super) fn new(options: EcologicOptionFields, apart: js::Apart) -> Result<Self, SdkError> {
        let mut errors = Vec::new();
        let callback = apart.headers.dyn_into::<js_sys::Function>().ok();
        let given = [
            ("apiKey", options.api_key.is_some()),
            ("headers", callback.is_some()),
            ("environment", options.environment.is_some()),
            ("baseUrl", options.base_url.is_some()),
            ("journal", !apart.journal.is_undefined()),
            ("journalLeaseMs", options.journal_lease_ms.is_some()),
            ("shareCaches", options.share_caches.is_some()),
        ];
        let gateway = js::gateway(&options.gateway, "ecologic", &given, &mut errors);
        js::secrets_outside_browsers(&given[..1], options.dangerously_allow_browser, &mut errors);
        let default_url = match options.environment {
            Some(Environment::Production) => PRODUCTION,
            Some(Environment::Preproduction) => PREPRODUCTION,
            None if gateway.is_some() => "",
            None => {
                errors.push(FieldError::required("environment"));
                PRODUCTION
            }
        };
        let base_url = match gateway {
            Some(_) => String::new(),
            None => js::base_url(&options.base_url, "baseUrl", default_url, &mut errors),
        };
        let api_key = js::non_empty(&options.api_key, "apiKey", &mut errors);
        let auth = match (api_key, callback) {
            _ if gateway.is_some() => Some(Auth::Fixed(crate::fetch::Headers::default())),
            (Some(key), None) => Auth::header("api_key", key).ok(),
            (None, Some(callback)) => Some(Auth::callback(callback, &[("api", "ecologic")])),
            (Some(_), Some(_)) => {
                errors.push(
                    FieldError::new(
                        "headers",
                        Code::Exclusive,
                        "give apiKey or a headers callback, not both",
                    )
                    .with("other", "apiKey"),
                );
                None
            }
            (None, None) => {
                if errors.is_empty() {
                    errors.push(
                        FieldError::new(
                            "apiKey",
                            Code::Required,
                            "is required, unless a headers callback is given",
                        )
                        .with("unless", "headers"),
                    );
                }
                None
            }
        };
        let max_age = options.referential_max_age_ms.unwrap_or(DAY_MS);
        if max_age > DAY_MS {
            errors.push(
                FieldError::new(
                    "referentialMaxAgeMs",
                    Code::Option,
                    format!("must be at most {DAY_MS} (24 h, E16)"),
                )
                .with("max", DAY_MS)
                .with("given", max_age),
            );
        }
        // The account its caches are of.
        let account = api_key.map(|key| ("ecologic", format!("{base_url}\n{key}")));
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
            gateway,
        }
        .policy();
        match (policy, auth) {
            (Ok(policy), Some(auth)) if errors.is_empty() => Ok(Self {
                connection: Rc::new(Connection {
                    base_url,
                    policy,
                    auth,
                }),
                referential_max_age_ms: max_age.into(),
                referentials: Referentials::default(),
                invoices: Default::default(),
                journal,
            }),
            (policy, auth) => {
                if let Err(mut e) = policy {
                    errors.append(&mut e.fields);
                }
                if auth.is_none() && errors.is_empty() {
                    errors.push(FieldError::new(
                        "apiKey",
                        Code::HeaderValue,
                        "has characters a header cannot carry",
                    ));
                }
                Err(SdkError::validation(errors))
            }
        }
    }
}
