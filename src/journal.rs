//! A workflow's journal (option `journal`): `settle` and `claim()` record what each step gave in
//! the caller's store as it returns, so that a later run of the same workflow (its identity)
//! resumes where the last one stopped instead of sending again. One run at a time per identity:
//! a lease taken with the store's atomic set-if-absent, renewed while the run lasts.
//!
//! A store is any object with `get(key)`, `set(key, value, { ttlMs, ifAbsent })` and
//! `delete(key)`, sync or async (`repair-claims/journal` ships file, IndexedDB and Redis ones);
//! values are JSON text. `host.js` calls it, so that what it throws or how long it hangs never
//! reaches the module.

use crate::call::Settings;
use crate::error::{Code, FieldError, Kind, SdkError};
use futures_util::future::{Either, select};
use serde_json::{Map, Value};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(typescript_custom_section)]
const TS_JOURNAL: &str = r#"
/** Where `settle` and `claim()` record each step as it returns (option `journal`): a portal's own database fits behind these three methods. Values are JSON text; keys start with `repair-claims:`. */
export interface Journal {
  /** The value stored under `key`, or `null` when there is none (or it expired). */
  get(key: string): Promise<string | null | undefined> | string | null | undefined;
  /** Stores `value` under `key`, for `ttlMs` milliseconds when given (until deleted otherwise). With `ifAbsent`, stores only if no live value is there, atomically, and returns whether it stored: two runs of one workflow, on two machines, rely on it. */
  set(key: string, value: string, options?: { ttlMs?: number; ifAbsent?: boolean }): Promise<boolean | void> | boolean | void;
  delete(key: string): Promise<void> | void;
}
/** What names a workflow run in the journal: by default its business identity (LALUX: `idPrestataire` or `idExpert` with `referenceFacture`; Ecologic: `RepairSiteId` with `ConsumerInvoiceNumber`): a run with the same identity resumes the last one. */
export interface WorkflowIdentity {
  /** Names the run instead (1 to 200 characters): another key is another settlement or claim, sent anew. */
  idempotencyKey?: string;
}
/** The journal a client keeps when given none: this process's memory (a run after a crash of the process starts over; give `fileJournal`, `redisJournal` or `indexedDbJournal` from `repair-claims/journal` to survive one). */
export function memoryJournal(options?: { maxEntries?: number }): Journal;
"#;

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeMemoryJournal)]
    fn memory_journal(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = journalLacks)]
    fn journal_lacks(store: &JsValue) -> String;
    #[wasm_bindgen(js_name = journalCall)]
    fn journal_call(
        store: &JsValue,
        method: &str,
        key: &str,
        value: Option<String>,
        ttl_ms: f64,
        if_absent: bool,
        timeout_ms: f64,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = journalHold)]
    fn journal_hold(store: &JsValue, key: &str, owner: &str, lease_ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = journalRelease)]
    fn journal_release(store: &JsValue, key: &str, owner: &str, timeout_ms: f64);
    #[wasm_bindgen(js_name = digest)]
    fn digest(bytes: &JsValue) -> String;
    #[wasm_bindgen(js_name = accountOf)]
    fn account_of(text: &str) -> Option<String>;
}

/// A fingerprint of a file, to tell it from another of the same name and size: of the bytes a
/// stand-in text names (one of the call's `files`), or of the text itself (base64, as the
/// gateway relays small files); `None` for a stand-in that names none of them.
pub fn file_digest(text: &str, files: &crate::files::Files) -> Option<String> {
    match files.bytes(text) {
        Some(bytes) => Some(digest(&bytes.into())),
        None if crate::files::is_held(text) => None,
        None => Some(digest(&JsValue::from_str(text))),
    }
}

/// `memoryJournal(options)`, for a caller who shares one memory journal between clients.
#[wasm_bindgen(js_name = memoryJournal, skip_typescript)]
pub fn memory(options: JsValue) -> JsValue {
    memory_journal(&options)
}

/// How long a run holds its workflow without renewing (option `journalLeaseMs`): after a crash,
/// the next run resumes at most this long after.
const DEFAULT_LEASE_MS: u32 = 15_000;
const LEASE_BOUNDS: (u32, u32) = (100, 600_000);
/// How long a record is kept: a run within it resumes (LALUX's upload keys last 24 h of it).
const RECORD_TTL_MS: f64 = 30.0 * 24.0 * 3_600_000.0;
/// The longest a run waits for another run of the same workflow to finish.
const MOST_WAIT_MS: f64 = 600_000.0;
/// The record's layout; another one is not read.
const VERSION: u64 = 1;

/// A client's journal: the caller's store, or its own memory one.
#[derive(Clone)]
pub struct Journal {
    store: JsValue,
    lease_ms: u32,
    /// Option `shareCaches`: the prefix of this client's cache keys in the store (its API,
    /// base URL and account), when its token and referential caches are shared through it.
    shared: Option<std::rc::Rc<str>>,
}

impl Journal {
    /// Options `journal` (undefined: a memory journal of this client), `journalLeaseMs` and
    /// `shareCaches` (`account`: the API and the credentials its caches are of, which name them
    /// by their SHA-256 only).
    pub fn read(
        store: JsValue,
        lease_ms: Option<u32>,
        share: Option<bool>,
        account: Option<(&str, String)>,
        errors: &mut Vec<FieldError>,
    ) -> Self {
        let given = !(store.is_undefined() || store.is_null());
        let shared = match share {
            Some(true) if !given => {
                errors.push(
                    FieldError::new(
                        "shareCaches",
                        Code::Together,
                        "shares the caches through the journal: give the journal your instances share",
                    )
                    .with("other", "journal"),
                );
                None
            }
            // Tokens are secrets: never in a store a browser's user can read.
            Some(true) if crate::js::in_browser() => {
                errors.push(FieldError::new(
                    "shareCaches",
                    Code::SecretInBrowser,
                    "would keep LALUX tokens in a browser's store, where anyone can read them: share caches between back-end instances only",
                ));
                None
            }
            Some(true) => match account.map(|(api, credentials)| (api, account_of(&credentials))) {
                Some((api, Some(hash))) => Some(format!("repair-claims:cache:{api}:{hash}").into()),
                Some((_, None)) => {
                    errors.push(FieldError::new(
                        "shareCaches",
                        Code::Option,
                        "needs Node's crypto (node:crypto), which names the account in the store by a hash of its credentials",
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        "shareCaches",
                        Code::Option,
                        "needs the client's own credentials (the caches are the account's): a client with a headers callback or a gateway shares nothing",
                    ));
                    None
                }
            },
            _ => None,
        };
        let store = match given {
            true => store,
            false => memory_journal(&JsValue::UNDEFINED),
        };
        let lacks = journal_lacks(&store);
        if !lacks.is_empty() {
            errors.push(FieldError::new(
                "journal",
                Code::Option,
                format!(
                    "must be a journal store with get, set and delete methods (it lacks {lacks})"
                ),
            ));
        }
        let lease_ms = lease_ms.unwrap_or(DEFAULT_LEASE_MS);
        let (min, max) = LEASE_BOUNDS;
        if !(min..=max).contains(&lease_ms) {
            errors.push(
                FieldError::new(
                    "journalLeaseMs",
                    Code::Option,
                    format!("must be between {min} and {max}"),
                )
                .with("min", min)
                .with("max", max)
                .with("given", lease_ms),
            );
        }
        Self {
            store,
            lease_ms,
            shared,
        }
    }

    /// The value a client of the same account cached as `name` in the store (`shareCaches`),
    /// if it is there and readable; a store that fails is a cache miss.
    pub async fn cached(&self, name: &str, timeout_ms: f64) -> Option<Value> {
        let key = format!("{}:{name}", self.shared.as_deref()?);
        match self
            .store(timeout_ms)
            .call("get", &key, None, 0.0, false)
            .await
        {
            Ok(Value::String(text)) => serde_json::from_str(&text).ok(),
            _ => None,
        }
    }

    /// Caches `value` as `name` in the store for `ttl_ms` (`shareCaches`); a store that fails
    /// keeps nothing.
    pub async fn cache(&self, name: &str, value: &Value, ttl_ms: f64, timeout_ms: f64) {
        let Some(prefix) = self.shared.as_deref() else {
            return;
        };
        let key = format!("{prefix}:{name}");
        let _ = self
            .store(timeout_ms)
            .call("set", &key, Some(value.to_string()), ttl_ms.max(1.0), false)
            .await;
    }

    /// The caller's store, each call given up after `timeout_ms`.
    fn store(&self, timeout_ms: f64) -> Store {
        Store {
            store: self.store.clone(),
            timeout_ms,
        }
    }

    /// Starts or resumes the workflow `identity` (`repair-claims:…`): its result when a run
    /// finished it (and `done` says it is what this run asks for), or the run, holding the
    /// workflow until dropped, with what earlier runs recorded. Waits while another run holds it.
    pub async fn begin(
        &self,
        identity: String,
        settings: &Settings,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Begun, SdkError> {
        let store = self.store(settings.policy.timeout.as_millis() as f64);
        let lease = format!("{identity}:lease");
        let owner = format!(
            "{:013x}{:013x}",
            (js_sys::Math::random() * 4_503_599_627_370_496.0) as u64,
            js_sys::Date::now() as u64
        );
        let lease_ms = f64::from(self.lease_ms);
        let started = js_sys::Date::now();
        loop {
            if let Some(result) = store.record(&identity).await?.0.remove("result")
                && done(&result)
            {
                return Ok(Begun::Finished(result));
            }
            let held = store
                .call("set", &lease, Some(owner.clone()), lease_ms, true)
                .await?;
            if held.as_bool() == Some(true) {
                let mut run = Run {
                    hold: journal_hold(&self.store, &lease, &owner, lease_ms),
                    store,
                    record: Map::new(),
                    lease,
                    owner,
                    seq: 0,
                    identity,
                };
                // The run that held it may have finished since the record was read.
                (run.record, run.seq) = run.store.record(&run.identity).await?;
                return match run.record.remove("result") {
                    Some(result) if done(&result) => Ok(Begun::Finished(result)),
                    _ => Ok(Begun::Running(run)),
                };
            }
            if let Some(aborted) = settings.abort.stopped() {
                return Err(aborted);
            }
            if js_sys::Date::now() - started > MOST_WAIT_MS {
                return Err(SdkError::new(
                    Kind::Journal,
                    "Another run of this workflow has held it for 10 minutes: nothing was sent.",
                ));
            }
            let poll = Duration::from_millis(u64::from((self.lease_ms / 4).clamp(20, 250)));
            let pause = Box::pin(crate::fetch::sleep(poll));
            if let Either::Right(_) = select(pause, Box::pin(settings.abort.fired())).await {
                return Err(settings.abort.stopped().unwrap_or_else(|| {
                    SdkError::new(Kind::Aborted, "The call was aborted through its signal.")
                }));
            }
        }
    }
}

/// What [`Journal::begin`] found.
pub enum Begun {
    /// An earlier run finished the workflow: its result.
    Finished(Value),
    /// This run holds it.
    Running(Run),
}

/// A run holding its workflow: what the earlier runs recorded, and each step it records.
pub struct Run {
    store: Store,
    identity: String,
    lease: String,
    owner: String,
    /// How many writes the record has had, as this run last wrote or read it.
    seq: u64,
    /// `{ stop }` of `journalHold`.
    hold: JsValue,
    /// What the runs of this workflow recorded so far (no `result`: the workflow is not done).
    pub record: Map<String, Value>,
}

impl Run {
    /// Whether an earlier run recorded a step.
    pub fn resumed(&self) -> bool {
        !self.record.is_empty()
    }

    /// Records `value` as `step` of the workflow, in the store, before anything else happens
    /// (once sure no other run wrote meanwhile).
    pub async fn note(&mut self, step: &str, value: Value) -> Result<(), SdkError> {
        self.holds().await?;
        self.record.insert(step.to_owned(), value);
        self.write().await
    }

    /// Whether this run still has its workflow to itself: the record is as this run left it (the
    /// lease keeps other runs waiting, and it may lapse: a paused process, a slow store; the
    /// record says whether another run went on meanwhile). Otherwise a `journal` error, and this
    /// run sends nothing more.
    pub async fn holds(&self) -> Result<(), SdkError> {
        let (_, seq) = self.store.record(&self.identity).await?;
        if seq != self.seq {
            return Err(SdkError::new(
                Kind::Journal,
                "Another run of this workflow went on meanwhile (this run's lease lapsed), or the journal's store lost its record: nothing more was sent.",
            ));
        }
        Ok(())
    }

    /// Forgets `step` (a write certainly not received: a later run sends it).
    pub async fn forget(&mut self, step: &str) -> Result<(), SdkError> {
        if !self.record.contains_key(step) {
            return Ok(());
        }
        self.holds().await?;
        self.record.remove(step);
        self.write().await
    }

    /// Records the workflow's result: a later run returns it and sends nothing.
    pub async fn finish(mut self, result: Value) -> Result<(), SdkError> {
        self.note("result", result).await
    }

    async fn write(&mut self) -> Result<(), SdkError> {
        let mut record = self.record.clone();
        record.insert("v".to_owned(), VERSION.into());
        record.insert("seq".to_owned(), (self.seq + 1).into());
        let text = Value::Object(record).to_string();
        self.store
            .call("set", &self.identity, Some(text), RECORD_TTL_MS, false)
            .await?;
        self.seq += 1;
        Ok(())
    }
}

impl Drop for Run {
    /// Lets the workflow go: its lease is no longer renewed, and deleted (a later run need not
    /// wait for it to lapse).
    fn drop(&mut self) {
        let stop = js_sys::Reflect::get(&self.hold, &"stop".into()).unwrap_or_default();
        if let Some(stop) = stop.dyn_ref::<js_sys::Function>() {
            let _ = stop.call0(&JsValue::UNDEFINED);
        }
        journal_release(
            &self.store.store,
            &self.lease,
            &self.owner,
            self.store.timeout_ms,
        );
    }
}

/// The caller's store, each call bounded by the call's timeout.
struct Store {
    store: JsValue,
    timeout_ms: f64,
}

impl Store {
    /// `method` on `key`: what it answered, or a `journal` error (what the store threw is its
    /// cause).
    async fn call(
        &self,
        method: &str,
        key: &str,
        value: Option<String>,
        ttl_ms: f64,
        if_absent: bool,
    ) -> Result<Value, SdkError> {
        let answer = JsFuture::from(journal_call(
            &self.store,
            method,
            key,
            value,
            ttl_ms,
            if_absent,
            self.timeout_ms,
        ))
        .await
        .unwrap_or_default();
        let get = |name: &str| js_sys::Reflect::get(&answer, &name.into()).unwrap_or_default();
        match get("fault").as_string() {
            Some(fault) => Err(SdkError::new(
                Kind::Journal,
                format!("The workflow's journal store {fault}: this step was not recorded, and nothing more was sent."),
            )
            .with_cause(get("cause"))),
            None => {
                let value = get("value");
                Ok(match value.as_string() {
                    Some(text) => Value::String(text),
                    None => Value::Bool(value.as_bool() == Some(true)),
                })
            }
        }
    }

    /// The record under `identity` and how many writes it had: empty when there is none.
    async fn record(&self, identity: &str) -> Result<(Map<String, Value>, u64), SdkError> {
        let Value::String(text) = self.call("get", identity, None, 0.0, false).await? else {
            return Ok((Map::new(), 0));
        };
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(mut record))
                if record.get("v").and_then(Value::as_u64) == Some(VERSION) =>
            {
                record.remove("v");
                let seq = record.remove("seq").and_then(|n| n.as_u64()).unwrap_or(0);
                Ok((record, seq))
            }
            _ => Err(SdkError::new(
                Kind::Journal,
                format!(
                    "The workflow's journal holds under {identity} something this version does not read: nothing was sent. Delete it to start the workflow over."
                ),
            )),
        }
    }
}

/// A write an earlier run sent whose answer it did not record: a `journal` error, nothing sent.
pub fn in_doubt(message: &str) -> SdkError {
    SdkError::new(Kind::Journal, message).with(|d| d.may_have_reached_server = Some(true))
}

/// Whether a write's error says it made nothing: refused (4xx), or certainly never received (a
/// later run may send it again).
pub fn never_made(error: &SdkError) -> bool {
    let refusal = error.status.is_some_and(|s| (400..500).contains(&s));
    match error.kind {
        Kind::Validation => true,
        // A 4xx refusal: a 5xx with the API's words may come after the write was made.
        Kind::Refused | Kind::Authentication => refusal,
        _ => error.details.may_have_reached_server == Some(false),
    }
}

/// The identity of a workflow, `repair-claims:{api}:{base}:{workflow}:{parts}`: the caller's
/// `idempotencyKey`, or its business identity (`parts`, as JSON text), on the API at `base` (a
/// journal shared by a test and a production client keeps their workflows apart).
pub fn identity(
    api: &str,
    base: &str,
    workflow: &str,
    given: Option<&str>,
    parts: &[&Value],
) -> String {
    match given {
        Some(key) => format!("repair-claims:{api}:{base}:{workflow}:key:{key}"),
        None => format!(
            "repair-claims:{api}:{base}:{workflow}:{}",
            Value::Array(parts.iter().map(|v| (*v).clone()).collect())
        ),
    }
}

/// A workflow's own input key `idempotencyKey`, taken out of `input`: a string of 1 to 200
/// characters, or absent.
pub fn idempotency_key(input: &mut Value, errors: &mut Vec<FieldError>) -> Option<String> {
    const FIELD: &str = "idempotencyKey";
    match input.as_object_mut().and_then(|o| o.remove(FIELD)) {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) if (1..=200).contains(&key.chars().count()) => Some(key),
        Some(_) => {
            errors.push(
                FieldError::new(FIELD, Code::Type, "must be a string of 1 to 200 characters")
                    .with("expected", "string"),
            );
            None
        }
    }
}
