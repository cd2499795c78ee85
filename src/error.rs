//! The one error type of the JavaScript surface: a JS `Error` with a stable `kind`.
//!
//! Messages are English and say what to do. No secret (client secret, token, api key) is ever
//! put in an error: they only live in request headers, which errors never copy.

use serde::Serialize;
use serde_json::Value;
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
  /** A reply the API documents no such way (undocumented status, malformed body). */
  | 'unexpectedResponse';

/** Every error this package throws or rejects with: an `Error` with `name === 'RepairClaimsError'`. */
export interface RepairClaimsError extends Error {
  name: 'RepairClaimsError';
  kind: ErrorKind;
  /** Every field at fault, named as on the wire (`Consumer.Zip`, `SpareParts[0].Quantity`): `validation` errors, and LALUX refusals that name fields. */
  fields: FieldError[];
  /** HTTP status, when a reply came. */
  status?: number;
  /** The reply's body as text, when a reply came (at most 4 000 characters). */
  body?: string;
  /** Ecologic envelope status: `W` business refusal, `E` error. */
  responseStatus?: 'S' | 'W' | 'E';
  responseMessage?: string;
  responseErrorMessage?: string;
  validationErrors?: ValidationError[];
  /** `invalidOrganization`: Ecologic does not cover this brand and product (E13; the sister eco-organism Ecosystem might). */
  reason?: 'invalidOrganization';
  /** Files uploaded before a workflow failed: their keys cannot be recovered later. */
  uploads?: UploadReceipt[];
  /** For calls never re-sent automatically (Ecologic create, update, attach, submit): whether the request may have reached the server. Check the dossier's status before sending it again. */
  mayHaveReachedServer?: boolean;
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
    UnexpectedResponse,
}

/// One field at fault, by wire name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The longest reply body an error carries.
const BODY_LIMIT: usize = 4000;

/// An error on its way to JavaScript.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SdkError {
    pub kind: Kind,
    #[serde(skip)]
    pub message: String,
    pub fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// API-specific details (Ecologic envelope, workflow uploads), merged into the JS error.
    #[serde(flatten)]
    pub details: serde_json::Map<String, Value>,
}

impl SdkError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fields: Vec::new(),
            status: None,
            body: None,
            details: serde_json::Map::new(),
        }
    }

    /// Input at fault: every field, and nothing was sent.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        let message = format!("Invalid input, nothing was sent. Fix: {}", names.join(", "));
        Self {
            fields,
            ..Self::new(Kind::Validation, message)
        }
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

    /// Adds an API-specific detail (camelCase key).
    pub fn with_detail(mut self, key: &str, value: impl Serialize) -> Self {
        if let Ok(value) = serde_json::to_value(value) {
            self.details.insert(key.to_owned(), value);
        }
        self
    }

    /// The JS `Error` thrown to the caller.
    pub fn into_js(self) -> JsValue {
        let error = js_sys::Error::new(&self.message);
        error.set_name("RepairClaimsError");
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        if let Ok(props) = self.serialize(&serializer) {
            js_sys::Object::assign(&error, &props.unchecked_into());
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
