//! What crosses the JavaScript boundary, for both clients: options shared by both, promises,
//! replies as plain objects, inputs checked against the spec, progress events.

use crate::call::{Abort, Policy, Seen, Settings};
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::hooks::Hooks;
use crate::input;
use crate::json::{self, Plain, ReadError};
use crate::schema::Operation;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use std::future::Future;
use std::time::Duration;
use wasm_bindgen::{JsCast, prelude::*};

#[wasm_bindgen(typescript_custom_section)]
const TS_CALLBACKS: &str = r#"
/** What a headers callback is asked for. `refresh` is true after the API refused the previous headers (401). */
export interface HeadersRequest { api: 'lalux' | 'ecologic'; scope?: '/reparateur' | '/expert'; refresh: boolean }
/** Returns the headers to send (for example `{ authorization: 'Bearer …' }` from your back end, or a session header your back-end proxy expects). */
export type HeadersCallback = (request: HeadersRequest) => Promise<Record<string, string>> | Record<string, string>;
/** A step of an upload or a workflow. fetch reports no upload progress, so events come at step boundaries, with the file's size. */
export interface ProgressEvent {
  step: 'uploading' | 'uploaded' | 'submitting' | 'submitted' | 'creating' | 'created' | 'attaching' | 'attached';
  /** The file concerned, for `uploading`/`uploaded`/`attaching`/`attached`. */
  file?: string;
  /** Its size in bytes. */
  bytes?: number;
}
/** Options of one call (the client's options otherwise). */
export interface CallOptions {
  /** Aborting it rejects the call with a `RepairClaimsError` of kind `aborted`, and nothing more is sent. */
  signal?: AbortSignal;
  /** Milliseconds to wait for each attempt's reply (1 to 600 000). */
  timeoutMs?: number;
  /** Retries of this call where repeating is safe (0 to 10). */
  maxRetries?: number;
  /** Steps of an upload or a workflow. */
  onProgress?: (event: ProgressEvent) => void;
}
/** What every method returns: the promise of its value, whose `withResponse()` also gives the reply the value came from. */
export interface ApiPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: RawResponse | null }>;
}
/** The last successful reply of a call (a workflow's: its last request's); `null` when the value came from a cache or a read shared with other calls. */
export interface RawResponse {
  status: number;
  /** As the host's `fetch` gave them (`response.headers.get('x-request-id')`). */
  headers: Headers;
  /** Milliseconds from the request to its reply. */
  durationMs: number;
}
"#;

/// Default per-attempt timeout.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Longest timeout accepted (the browser timer's limit is about 24 days; no call needs more).
const MAX_TIMEOUT_MS: u32 = 600_000;
/// Most retries of one call.
const MAX_RETRIES: u32 = 10;
/// Longest first backoff delay (waits never exceed 30 s anyway).
const MAX_DELAY_MS: u32 = 30_000;

/// The call options both clients take (documented on `LaluxOptions` and `EcologicOptions`).
#[derive(Clone, Default)]
pub struct CallPolicy {
    pub timeout_ms: Option<u32>,
    pub max_retries: Option<u32>,
    pub retry_delay_ms: Option<u32>,
    pub hooks: Hooks,
    /// `{gateway}/{api}`, for a client made with option `gateway`.
    pub gateway: Option<std::rc::Rc<str>>,
}

impl CallPolicy {
    /// The policy, or every option out of its bounds.
    pub fn policy(&self) -> Result<Policy, SdkError> {
        let bounded = |name: &str, value: u32, min: u32, max: u32| {
            (value < min || value > max).then(|| {
                FieldError::new(
                    name,
                    Code::Option,
                    format!("must be between {min} and {max}"),
                )
                .with("min", min)
                .with("max", max)
                .with("given", value)
            })
        };
        let timeout = self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        let max_retries = self.max_retries.unwrap_or(2);
        let delay = self.retry_delay_ms.unwrap_or(300);
        let errors: Vec<FieldError> = [
            bounded("timeoutMs", timeout, 1, MAX_TIMEOUT_MS),
            bounded("maxRetries", max_retries, 0, MAX_RETRIES),
            bounded("retryDelayMs", delay, 0, MAX_DELAY_MS),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !errors.is_empty() {
            return Err(SdkError::validation(errors));
        }
        Ok(Policy {
            timeout: Duration::from_millis(timeout.into()),
            max_retries,
            base_delay: Duration::from_millis(delay.into()),
            hooks: self.hooks.clone(),
            gateway: self.gateway.clone(),
        })
    }
}

/// A client's options JSON cannot carry (functions, a logger), as given: [`options`] reads them
/// apart from the rest, whose struct declares them for TypeScript only ([`set_apart`]).
#[derive(Default)]
pub struct Apart {
    pub headers: JsValue,
    pub fetch: JsValue,
    pub on_event: JsValue,
    pub debug: JsValue,
    pub journal: JsValue,
}

/// The options both clients take to hook into their requests (`ClientHooks`).
const HOOKS: [&str; 4] = ["fetch", "onEvent", "debug", "journal"];

impl Apart {
    /// Where option `name` goes, if it is one of these.
    fn slot(&mut self, name: &str) -> Option<&mut JsValue> {
        match name {
            "headers" => Some(&mut self.headers),
            "fetch" => Some(&mut self.fetch),
            "onEvent" => Some(&mut self.on_event),
            "debug" => Some(&mut self.debug),
            "journal" => Some(&mut self.journal),
            _ => None,
        }
    }
}

/// Reads a client's options object; an option it does not know (a typo) is a fault.
pub fn options<T: DeserializeOwned>(options: JsValue) -> Result<(T, Apart), SdkError> {
    let entries = input::entries(&options).unwrap_or_default();
    if options.is_object() {
        // The struct's fields, and the hooks (`ClientHooks`), which only `Apart` holds.
        let known: Vec<&str> = field_names::<T>().iter().copied().chain(HOOKS).collect();
        let unknown: Vec<FieldError> = entries
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| {
                FieldError::new(
                    k,
                    Code::UnknownOption,
                    format!("is not an option (options are {})", known.join(", ")),
                )
                .with("allowed", known.clone())
            })
            .collect();
        if !unknown.is_empty() {
            return Err(SdkError::validation(unknown));
        }
    }
    // The options are flat: each one a string, a number, a boolean, or set apart.
    let mut apart = Apart::default();
    let mut map = serde_json::Map::new();
    for (name, value) in entries {
        let Ok(value) = value else { continue };
        match apart.slot(&name) {
            Some(slot) => *slot = value,
            None if value.is_undefined() || value.is_null() => {}
            None => {
                map.insert(name, option_value(&value));
            }
        }
    }
    if !options.is_object() {
        return Err(SdkError::validation(vec![option_fault(
            "",
            "not an object",
            &options,
        )]));
    }
    let mut at = String::new();
    let read = T::deserialize(Flat {
        entries: map.into_iter(),
        at: &mut at,
    })
    .map_err(|e| SdkError::validation(vec![option_fault(&at, &e.to_string(), &options)]))?;
    Ok((read, apart))
}

/// The options as a struct's fields, noting in `at` the one being read: a fault names it.
struct Flat<'a> {
    entries: serde_json::map::IntoIter,
    at: &'a mut String,
}

/// [`Flat`]'s entries, each key then its value.
struct FlatAccess<'a>(Flat<'a>, Option<Value>);

impl<'de> serde::Deserializer<'de> for Flat<'_> {
    type Error = ReadError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_map(FlatAccess(self, None))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> serde::de::MapAccess<'de> for FlatAccess<'_> {
    type Error = ReadError;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.0.entries.next() else {
            return Ok(None);
        };
        self.0.at.clone_from(&key);
        self.1 = Some(value);
        seed.deserialize(Plain(Value::String(key))).map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(Plain(self.1.take().unwrap_or(Value::Null)))
    }
}

/// An option that is not JSON (a callback, a logger): declared for TypeScript, read by [`options`]
/// into [`Apart`].
pub fn set_apart<'de, D: serde::Deserializer<'de>>(given: D) -> Result<JsValue, D::Error> {
    serde::de::IgnoredAny::deserialize(given)?;
    Ok(JsValue::UNDEFINED)
}

/// An option's value as JSON; what JSON cannot hold (`NaN`, a function, an object) as what
/// serde then refuses by its type.
fn option_value(value: &JsValue) -> Value {
    if let Some(text) = value.as_string() {
        return Value::String(text);
    }
    if let Some(flag) = value.as_bool() {
        return Value::Bool(flag);
    }
    if let Some(n) = value.as_f64() {
        return input::number(n).unwrap_or_else(|| Value::String(crate::money::shortest(n)));
    }
    match input::type_name(value).as_str() {
        "array" => Value::Array(Vec::new()),
        _ => Value::Object(serde_json::Map::new()),
    }
}

/// A bad option, named, with what it allows in place of serde's words.
fn option_fault(path: &str, serde_message: &str, options: &JsValue) -> FieldError {
    if let Some(name) = between(serde_message, "missing field `", "`") {
        return FieldError::required(name);
    }
    if !options.is_object() {
        return FieldError::new("options", Code::Type, "must be an object of options")
            .with("expected", "object");
    }
    let value = js_sys::Reflect::get(options, &path.into()).unwrap_or_default();
    // A credential's value is never echoed, whatever its type; another's at most in part.
    let given = match CREDENTIALS.contains(&path) {
        true => String::new(),
        false => js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .map(|s| s.chars().take(GIVEN_LIMIT).collect())
            .unwrap_or_default(),
    };
    let expected = serde_message
        .split_once("expected ")
        .map_or(serde_message, |(_, e)| e);
    let allowed = match (path, expected) {
        ("timeoutMs", _) => format!("a whole number of milliseconds from 1 to {MAX_TIMEOUT_MS}"),
        ("retryDelayMs" | "referentialMaxAgeMs", _) => "a whole number of milliseconds".to_owned(),
        (_, "u32") => "a whole number, 0 or more".to_owned(),
        (_, other) => other.replace("one of ", "one of: "),
    };
    let got = match given.is_empty() {
        true => format!(" (got a {})", input::type_name(&value)),
        false => format!(" (got {given})"),
    };
    let fault = FieldError::new(path, Code::Option, format!("must be {allowed}{got}"));
    // The same details as parameters, for `formatFieldError`'s French.
    let fault = match (path, expected) {
        ("timeoutMs", _) => fault.with("min", 1).with("max", MAX_TIMEOUT_MS),
        ("retryDelayMs" | "referentialMaxAgeMs", _) => fault.with("expected", "milliseconds"),
        (_, "u32") => fault.with("expected", "wholeNumber"),
        // serde's "one of `a`, `b`" or "`a` or `b`": the names between backticks.
        (_, other) if other.contains('`') => {
            let names = other.split('`').skip(1).step_by(2).map(str::to_owned);
            fault.with("allowed", names.collect::<Vec<_>>())
        }
        _ => fault,
    };
    match given.is_empty() {
        true => fault,
        false => fault.with("given", given),
    }
}

/// The options that hold credentials: their values never appear in an error.
const CREDENTIALS: [&str; 5] = ["clientId", "clientSecret", "username", "password", "apiKey"];
/// The most characters of a bad option's value an error echoes.
const GIVEN_LIMIT: usize = 100;

/// The text between `start` and the next `end` in `text`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.get(text.find(start)? + start.len()..)?;
    rest.get(..rest.find(end)?)
}

/// The wire names of a struct's fields, as its `Deserialize` implementation declares them.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    struct Probe(&'static [&'static str]);
    #[derive(Debug)]
    struct Found;
    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Found {}
    impl de::Error for Found {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Found
        }
    }
    impl<'de> de::Deserializer<'de> for &mut Probe {
        type Error = Found;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            self.0 = fields;
            Err(Found)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut probe = Probe(&[]);
    let _ = T::deserialize(&mut probe);
    probe.0
}

/// A non-empty string option, if given.
pub fn non_empty<'a>(
    value: &'a Option<String>,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<&'a str> {
    match value.as_deref().map(str::trim) {
        Some("") => {
            errors.push(FieldError::new(name, Code::TooShort, "must not be empty").with("min", 1));
            None
        }
        other => other,
    }
}

/// Option `gateway` (`repair-claims/server`): the base `{gateway}/{api}` of a client that holds no
/// credential; each option of `given` (name, whether given) that is one is at fault beside it.
pub fn gateway(
    value: &Option<String>,
    api: &str,
    given: &[(&str, bool)],
    errors: &mut Vec<FieldError>,
) -> Option<std::rc::Rc<str>> {
    value.as_ref()?;
    for (name, _) in given.iter().filter(|(_, given)| *given) {
        errors.push(
            FieldError::new(
                *name,
                Code::Exclusive,
                "cannot be given with gateway: the gateway holds the credentials",
            )
            .with("other", "gateway"),
        );
    }
    let base = base_url(value, "gateway", "", errors);
    Some(format!("{base}/{api}").into())
}

/// A secret option given where a browser page or worker runs: refused (each named), unless
/// `dangerouslyAllowBrowser`, as openai-node does. A secret in a page is anyone's.
pub fn secrets_outside_browsers(
    given: &[(&str, bool)],
    allowed: Option<bool>,
    errors: &mut Vec<FieldError>,
) {
    if allowed == Some(true) || !in_browser() {
        return;
    }
    for (name, _) in given.iter().filter(|(_, given)| *given) {
        errors.push(FieldError::new(
            *name,
            Code::SecretInBrowser,
            "is a secret and this code runs in a browser, where anyone can read it: use the gateway (option gateway, repair-claims/server), or give dangerouslyAllowBrowser: true if you know why",
        ));
    }
}

/// Whether a browser page (`window` and `document`) or worker (`importScripts`) runs this code.
pub(crate) fn in_browser() -> bool {
    let global = js_sys::global();
    let has = |name: &str| {
        js_sys::Reflect::get(&global, &name.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null())
    };
    (has("window") && has("document")) || has("importScripts")
}

/// A base URL option: `http(s)://…`, without a trailing slash. In a browser, a path such as
/// `/api/lalux` is relative to the page's origin (a portal's own back end).
pub fn base_url(
    value: &Option<String>,
    name: &str,
    default: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    let url = value
        .as_deref()
        .unwrap_or(default)
        .trim()
        .trim_end_matches('/');
    let url = match page_origin() {
        Some(origin) if url.starts_with('/') && !url.starts_with("//") => format!("{origin}{url}"),
        _ => url.to_owned(),
    };
    let url = url.as_str();
    match Url::new(url) {
        Ok(parsed) if matches!(parsed.protocol().as_str(), "http:" | "https:") => url.to_owned(),
        _ => {
            errors.push(FieldError::new(name, Code::Url, "must be an http(s) URL"));
            String::new()
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// The host's WHATWG `URL`, which `fetch` reads base URLs with.
    #[wasm_bindgen(js_name = URL)]
    type Url;
    #[wasm_bindgen(catch, constructor, js_class = "URL")]
    fn new(url: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn protocol(this: &Url) -> String;
}

/// `location.origin` of the page, when there is one (browsers, not Node).
fn page_origin() -> Option<String> {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok()?;
    js_sys::Reflect::get(&location, &"origin".into())
        .ok()?
        .as_string()
}

/// The message of a field error in `locale` (`fr` or `en`).
#[wasm_bindgen(js_name = formatFieldError, skip_typescript)]
pub fn format_field_error(error: JsValue, locale: JsValue) -> Result<String, JsValue> {
    let text = js_sys::JSON::stringify(&error)
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    let refused = |field: FieldError| {
        SdkError::validation(vec![field])
            .in_operation("formatFieldError")
            .into_js()
    };
    let error: FieldError = serde_json::from_str(&text)
        .ok()
        .and_then(|value| json::read(value).ok())
        .ok_or_else(|| {
            refused(
                FieldError::new(
                    "error",
                    Code::Type,
                    "must be a field error ({ field, code, message, params }) of a RepairClaimsError",
                )
                .with("expected", "object"),
            )
        })?;
    match locale.as_string() {
        Some(locale) if locale == "fr" => Ok(error.french()),
        Some(_) => Ok(error.message),
        None => Err(refused(
            FieldError::new("locale", Code::Type, "must be 'fr' or 'en'")
                .with("expected", "string"),
        )),
    }
}

/// Runs `work`, the JS method `operation`, with its call options (`CallOptions`, read against the
/// client's `policy`) and its `input` (`None` for a method that takes none; `work` is given it),
/// as a JS promise: it resolves with its value or rejects with a `RepairClaimsError` naming the
/// operation; its `withResponse()` also gives the reply the value came from. A client made with
/// option `gateway` relays the method and its input to the gateway instead, within its options
/// (`crate::gateway`), and the gateway runs `work` on its side.
pub fn run<F, Fut>(
    operation: &'static str,
    options: &Option<js_sys::Object>,
    policy: Policy,
    input: Option<JsValue>,
    work: F,
) -> js_sys::Promise
where
    F: FnOnce(PerCall, JsValue) -> Fut + 'static,
    Fut: Future<Output = Result<JsValue, SdkError>> + 'static,
{
    // Only this boxing is per method: what follows is one function for all of them.
    start(
        operation,
        options,
        policy,
        input,
        Box::new(move |call, input| Box::pin(work(call, input))),
    )
}

/// A method's work, boxed (see [`run`]).
type Work = Box<
    dyn FnOnce(
        PerCall,
        JsValue,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<JsValue, SdkError>>>>,
>;

/// [`run`], once for every method.
fn start(
    operation: &'static str,
    options: &Option<js_sys::Object>,
    policy: Policy,
    input: Option<JsValue>,
    work: Work,
) -> js_sys::Promise {
    if let Some(url) = policy.gateway.clone() {
        let policy = Policy {
            gateway: None,
            ..policy
        };
        let relayed: Work =
            Box::new(move |call, _| Box::pin(crate::gateway::relay(url, operation, input, call)));
        return start(operation, options, policy, None, relayed);
    }
    match PerCall::read(options, policy) {
        Ok(call) => {
            let seen = call.settings.seen.clone();
            settle(operation, seen, work(call, input.unwrap_or_default()))
        }
        Err(error) => {
            let error = error.in_operation(operation).into_js();
            api_promise(&js_sys::Promise::reject(&error))
        }
    }
}

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// The promise of a call's value, with `withResponse()`, from that of `{ data, response }`.
    #[wasm_bindgen(js_name = apiPromise)]
    fn api_promise(settled: &js_sys::Promise) -> js_sys::Promise;
    /// `{ data, response }`: the reply's `{ status, headers, durationMs }`, or `null` (no status).
    fn settled(data: &JsValue, status: Option<u16>, headers: &JsValue, duration_ms: f64) -> JsValue;
}

/// The one (type-erased) way a call's future becomes a promise: every method shares this code.
fn settle(
    operation: &'static str,
    seen: Seen,
    work: std::pin::Pin<Box<dyn Future<Output = Result<JsValue, SdkError>>>>,
) -> js_sys::Promise {
    api_promise(&wasm_bindgen_futures::future_to_promise(async move {
        let data = work
            .await
            .map_err(|e| e.in_operation(operation).into_js())?;
        Ok(match seen.take() {
            Some(raw) => settled(&data, Some(raw.status), &raw.headers, raw.duration_ms.round()),
            None => settled(&data, None, &JsValue::NULL, 0.0),
        })
    }))
}

/// A reply as plain JS objects: its JSON text, crossed once and read by the host's `JSON.parse`
/// (faster than building each object and property across the boundary).
pub fn to_js(value: &impl Serialize) -> Result<JsValue, SdkError> {
    let failed = |e: &dyn std::fmt::Display| {
        SdkError::new(
            Kind::UnexpectedResponse,
            format!("A reply could not be handed to JavaScript: {e}"),
        )
    };
    let text = serde_json::to_string(value).map_err(|e| failed(&e))?;
    js_sys::JSON::parse(&text).map_err(|_| failed(&"JSON.parse refused it"))
}

/// Reads a call's input and validates it for `operation` (`crate::validate::offline`): every
/// fault, or the checked input.
pub async fn checked(
    js: &JsValue,
    operation: Operation,
    files: &crate::files::Files,
) -> Result<Value, SdkError> {
    let input = input::read(js, "input", files).await;
    let mut errors = input.errors;
    let mut value = input.value;
    crate::validate::offline(operation, &mut value, &now(), &mut errors);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(SdkError::validation(errors))
    }
}

/// The Paris wall clock by the host's clock (its day is the one a repair may not be after).
pub fn now() -> repair_dates::WallClock {
    repair_dates::WallClock::paris(js_sys::Date::now() as i64)
}

/// Field `name` of a checked value as a generated type `T` (an `Option` for an optional one).
pub fn param<T: DeserializeOwned>(input: &Value, name: &str) -> Result<T, SdkError> {
    let value = input.get(name).cloned().unwrap_or(Value::Null);
    json::read(value).map_err(|e| {
        SdkError::validation(vec![FieldError::new(name, Code::Invalid, e.to_string())])
    })
}

/// What one call was given beside its input (`CallOptions`): how it is sent, who hears of it.
pub struct PerCall {
    pub settings: Settings,
    pub progress: Progress,
}

/// The call options, and what each allows.
const CALL_OPTIONS: [&str; 4] = ["signal", "timeoutMs", "maxRetries", "onProgress"];

impl PerCall {
    /// Reads `{ signal, timeoutMs, maxRetries, onProgress }`, the client's `policy` where left out;
    /// every option at fault is reported.
    pub fn read(options: &Option<js_sys::Object>, policy: Policy) -> Result<Self, SdkError> {
        let mut call = Self {
            settings: Settings::of(policy),
            progress: Progress(None),
        };
        let Some(options) = options else {
            return Ok(call);
        };
        let mut errors = Vec::new();
        let whole = |value: &JsValue, low: f64, high: f64| {
            value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (low..=high).contains(n))
        };
        for (name, value) in input::entries(options).unwrap_or_default() {
            let Ok(value) = value else { continue };
            if value.is_undefined() {
                continue;
            }
            let fault = |code, message: String| FieldError::new(name.as_str(), code, message);
            match name.as_str() {
                "signal" if value.is_object() => {
                    call.settings.abort = Abort::new(crate::fetch::JsSignal(value))
                }
                "timeoutMs" => match whole(&value, 1.0, f64::from(MAX_TIMEOUT_MS)) {
                    Some(ms) => call.settings.policy.timeout = Duration::from_millis(ms as u64),
                    None => errors.push(
                        fault(
                            Code::Option,
                            format!(
                                "must be a whole number of milliseconds from 1 to {MAX_TIMEOUT_MS}"
                            ),
                        )
                        .with("min", 1)
                        .with("max", MAX_TIMEOUT_MS),
                    ),
                },
                "maxRetries" => match whole(&value, 0.0, f64::from(MAX_RETRIES)) {
                    Some(n) => call.settings.policy.max_retries = n as u32,
                    None => errors.push(
                        fault(
                            Code::Option,
                            format!("must be a whole number from 0 to {MAX_RETRIES}"),
                        )
                        .with("min", 0)
                        .with("max", MAX_RETRIES),
                    ),
                },
                "onProgress" if value.is_function() => {
                    call.progress = Progress(value.dyn_into().ok())
                }
                "signal" | "onProgress" => {
                    let (what, expected) = match name.as_str() {
                        "signal" => ("an AbortSignal", "AbortSignal"),
                        _ => ("a function", "function"),
                    };
                    errors.push(
                        fault(Code::Option, format!("must be {what}")).with("expected", expected),
                    )
                }
                _ => errors.push(
                    fault(
                        Code::UnknownOption,
                        format!(
                            "is not a call option (options are {})",
                            CALL_OPTIONS.join(", ")
                        ),
                    )
                    .with("allowed", CALL_OPTIONS.to_vec()),
                ),
            }
        }
        match errors.is_empty() {
            true => Ok(call),
            false => Err(SdkError::validation(errors)),
        }
    }
}

/// Progress events of one call, to the caller's `onProgress`, if any.
pub struct Progress(Option<js_sys::Function>);

impl Progress {
    /// Tells the caller; an exception in the callback does not stop the call.
    pub fn emit(&self, step: &str, file: Option<&str>, bytes: Option<usize>) {
        let Some(callback) = &self.0 else { return };
        let event = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&event, &"step".into(), &step.into());
        if let Some(file) = file {
            let _ = js_sys::Reflect::set(&event, &"file".into(), &file.into());
        }
        if let Some(bytes) = bytes {
            let _ = js_sys::Reflect::set(&event, &"bytes".into(), &(bytes as f64).into());
        }
        let _ = callback.call1(&JsValue::UNDEFINED, &event);
    }
}

/// The current instant, ISO 8601 in UTC.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}
