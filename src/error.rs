//! The one error type of the JavaScript surface: a JS `Error` with a stable `kind`.
//!
//! Messages are English and say what to do. No secret (client secret, token, api key) is ever
//! put in an error: they only live in request headers, which errors never copy.

use serde::Serialize;
use serde_json::Value;
use tsify::Tsify;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &str = r#"
/** What went wrong, stable across versions. */
export type ErrorKind =
  /** The input breaks a rule of the API; nothing was sent. See `fields`. */
  | 'validation'
  /** Credentials, token or api key refused (or the headers callback failed). */
  | 'authentication'
  /** The API answered with a refusal: see `status`, `fields` (LALUX) or `responseStatus`, `responseMessage`, `validationErrors` (Ecologic). */
  | 'refused'
  /** No reply: the network failed. */
  | 'network'
  /** No reply within `timeoutMs`. */
  | 'timeout'
  /** The call's `signal` was aborted; nothing more was sent (see `mayHaveReachedServer` for writes). */
  | 'aborted'
  /** A reply the API documents no such way (undocumented status, malformed body). */
  | 'unexpectedResponse'
  /** A workflow's journal (option `journal`) failed, was too slow, or says an earlier run's write may have reached the API: nothing more was sent (see `mayHaveReachedServer`, and `uploads` / `claimId`: what the server gave is on the error). */
  | 'journal'
  /** The gateway (`repair-claims/server`) refused the call: its `authorize` said no, or the origin is not allowed. Nothing was sent. (Made by the gateway only, never by the module.) */
  | 'forbidden';

/** Every error this package throws or rejects with: an `Error` with `name === 'RepairClaimsError'`; what it says beyond its kind is in `ErrorDetails`, derived from the Rust that sets it. */
export interface RepairClaimsError extends Error, ErrorDetails {
  name: 'RepairClaimsError';
  kind: ErrorKind;
  /** Every field at fault, named as on the wire (`Consumer.Zip`, `SpareParts[0].Quantity`): `validation` errors, LALUX refusals that name fields, and (`unexpectedResponse`) the fields of a reply that does not match its documentation. */
  fields: InvalidField[];
  /** HTTP status, when a reply came. */
  status?: number;
  /** The reply's body as text, when a reply came (at most 4 000 characters). */
  body?: string;
  /** The method that failed, as called: `createClaim`, `claim`, `repairer.settle`, `expert.upload`… */
  operation: string;
  /** What the `headers` callback threw, as it was; for `aborted`, the signal's `reason`. */
  cause?: unknown;
}

/** Whether `error` was thrown by this package. */
export function isRepairClaimsError(error: unknown): error is RepairClaimsError;
"#;

/// The stable discriminant of an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    Validation,
    Authentication,
    Refused,
    Network,
    Timeout,
    Aborted,
    UnexpectedResponse,
    Journal,
}

pub use crate::field::{Code, FieldError};

// Its TypeScript (`ErrorDetails`) is derived from this struct: what is declared is what can be set.
/// What an error says beyond its kind: one property of the error per field, each set only where
/// it applies.
#[derive(Clone, Debug, Default, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    /// Ecologic envelope status: `W` business refusal, `E` error.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "'S' | 'W' | 'E'")]
    pub response_status: Option<String>,
    /// Ecologic's `ResponseMessage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub response_message: Option<String>,
    /// Ecologic's `ResponseErrorMessage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub response_error_message: Option<String>,
    /// Why Ecologic refused, when it says something a caller acts on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub reason: Option<RefusalReason>,
    /// Files uploaded before a workflow failed: their keys cannot be recovered later.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "UploadReceipt[]")]
    pub uploads: Option<Value>,
    /// The claim created before a later step failed (`claim()`), or by a write whose reply then
    /// broke its schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub claim_id: Option<i64>,
    /// The support request a write created or updated, when a later check of its reply failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub request_id: Option<i64>,
    /// `claim()`: the files attached before a later step failed (`FileName.FileExtension`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub attached: Option<Vec<String>>,
    /// For calls never re-sent automatically (LALUX settlements, Ecologic create, update,
    /// attach, submit): whether the request may have reached the server. Check the dossier's
    /// status before sending it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub may_have_reached_server: Option<bool>,
    /// `validation`: how many more fields were at fault than `fields` lists (at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub more_fields: Option<usize>,
    /// The LALUX token service's error code (`invalid_client`, `invalid_scope`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub error: Option<String>,
}

/// Why Ecologic refused. `invalidOrganization`: it does not cover this brand and product (E13;
/// the sister eco-organism Ecosystem might). `invalidClaim`: it no longer knows the request or
/// claim id ("Invalid claim", R7): create it again. `notAuthorised`: the account's sites do not
/// hold the product's competence ("fiche métier"); `claim()` refuses so before creating anything.
/// `ecosystem`: the calculation gives the product to Ecosystem (`EcoOrganizationId` 45, T4), whose
/// claims go through its own API: `claim()` creates nothing. `invoiceUsed`: the
/// `ConsumerInvoiceNumber` is already another claim's (T11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum RefusalReason {
    InvalidOrganization,
    InvalidClaim,
    NotAuthorised,
    Ecosystem,
    InvoiceUsed,
}

/// The most fields an error lists (input with thousands of faults is reported, not echoed).
pub const MAX_FIELDS: usize = 100;

/// The longest reply body an error carries.
const BODY_LIMIT: usize = 4000;

/// An error on its way to JavaScript: boxed, so that every `Result` stays one pointer wide on
/// its error side ([`ErrorData`] holds the fields).
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct SdkError(Box<ErrorData>);

/// What an [`SdkError`] says.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    pub kind: Kind,
    #[serde(skip)]
    pub message: String,
    pub fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The JS method that failed (`createClaim`, `repairer.settle`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<&'static str>,
    /// What the error says beyond its kind, merged into the JS error.
    #[serde(flatten)]
    pub details: ErrorDetails,
    /// A `RepairClaimsError` made on the JS side (a gateway's, `crate::gateway`): thrown as it is.
    #[serde(skip)]
    pub thrown: Option<JsValue>,
    /// What a caller's callback threw, handed back as the error's `cause`.
    #[serde(skip)]
    pub cause: Option<JsValue>,
    /// A reply that broke its schema, as read (never one holding a secret): what a service
    /// still takes from it (the id a write created).
    #[serde(skip)]
    pub reply: Option<Value>,
}

impl std::ops::Deref for SdkError {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for SdkError {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

impl SdkError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorData {
            kind,
            message: message.into(),
            fields: Vec::new(),
            status: None,
            body: None,
            operation: None,
            details: ErrorDetails::default(),
            thrown: None,
            cause: None,
            reply: None,
        }))
    }

    /// Input at fault: every field (the first [`MAX_FIELDS`], and how many more), and nothing
    /// was sent.
    pub fn validation(mut fields: Vec<FieldError>) -> Self {
        let more = fields.len().saturating_sub(MAX_FIELDS);
        fields.truncate(MAX_FIELDS);
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        let mut message = format!("Invalid input, nothing was sent. Fix: {}", names.join(", "));
        if more > 0 {
            message.push_str(&format!(" (and {more} more fields)"));
        }
        let mut error = Self::new(Kind::Validation, message);
        error.fields = fields;
        error.details.more_fields = (more > 0).then_some(more);
        error
    }

    /// `error`, a `RepairClaimsError` the JS side made, to be thrown as it is.
    pub fn thrown(error: JsValue) -> Self {
        let mut made = Self::new(Kind::UnexpectedResponse, "");
        made.thrown = Some(error);
        made
    }

    /// Hands `cause` (what a caller's callback threw) back as the error's `cause`.
    pub fn with_cause(mut self, cause: JsValue) -> Self {
        self.cause = Some(cause);
        self
    }

    /// Records the reply this error is about.
    pub fn with_reply(mut self, status: Option<u16>, body: Option<&[u8]>) -> Self {
        self.status = status;
        self.body = body.map(|b| {
            let text = String::from_utf8_lossy(b);
            text.chars().take(BODY_LIMIT).collect()
        });
        self
    }

    /// Sets details (`error.with(|d| d.claim_id = Some(id))`).
    pub fn with(mut self, set: impl FnOnce(&mut ErrorDetails)) -> Self {
        set(&mut self.details);
        self
    }

    /// Says the error came from `read`, an operation the call needed before its own request.
    pub fn before(mut self, read: crate::schema::Operation) -> Self {
        let read = read.id();
        self.message = format!(
            "{} (while reading {read}, which the call needs before its own request)",
            self.message
        );
        self
    }

    /// Names the JS method that failed, unless a step of it already did.
    pub fn in_operation(mut self, operation: &'static str) -> Self {
        self.operation.get_or_insert(operation);
        self
    }

    /// The JS `Error` thrown to the caller.
    pub fn into_js(self) -> JsValue {
        if let Some(thrown) = self.0.thrown {
            return thrown;
        }
        let error = js_sys::Error::new(&self.message);
        error.set_name("RepairClaimsError");
        // Its properties cross as JSON text, read by the host's `JSON.parse`.
        let props = serde_json::to_string(&*self.0)
            .ok()
            .and_then(|text| js_sys::JSON::parse(&text).ok());
        if let Some(props) = props {
            js_sys::Object::assign(&error, &props.unchecked_into());
        }
        if let Some(cause) = self.0.cause {
            // Like `new Error(message, { cause })`: an own, non-enumerable property.
            let descriptor = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&descriptor, &"value".into(), &cause);
            let _ = js_sys::Reflect::set(&descriptor, &"writable".into(), &true.into());
            let _ = js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into());
            js_sys::Object::define_property(&error, &"cause".into(), &descriptor);
        }
        error.into()
    }
}

impl From<SdkError> for JsValue {
    fn from(error: SdkError) -> Self {
        error.into_js()
    }
}

/// Whether `error` was thrown by this package.
#[wasm_bindgen(js_name = isRepairClaimsError, skip_typescript)]
pub fn is_repair_claims_error(error: &JsValue) -> bool {
    error.is_instance_of::<js_sys::Error>()
        && js_sys::Reflect::get(error, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == "RepairClaimsError")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_error_lists_at_most_100_fields_and_says_how_many_more() {
        let fields = (0..250)
            .map(|i| FieldError::new(format!("f{i}"), Code::UnknownField, "is not a field here"))
            .collect();
        let error = SdkError::validation(fields);
        assert_eq!(error.fields.len(), MAX_FIELDS);
        assert_eq!(error.details.more_fields, Some(150));
        assert!(
            error.message.ends_with("f99 (and 150 more fields)"),
            "{}",
            error.message
        );
        let one = SdkError::validation(vec![FieldError::required("a")]);
        assert_eq!((one.fields.len(), one.details.more_fields), (1, None));
    }
}
