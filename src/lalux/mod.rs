//! `LaluxClient`: repairers' and experts' uploads and settlement requests, and the workflows
//! that chain them (`settle`).

pub(crate) mod rules;

use crate::auth::{Auth, TokenCache, TokenService};
use crate::call::{self, Policy, Repeat, Reply};
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::generated::lalux::{self, types as api};
use crate::generated::lalux_token::types::Scope;
use crate::input;
use crate::js::{self, CallPolicy, PerCall};
use crate::schema::Spec;
use crate::wire::ExpertSettlementRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

const TOKEN_URL: &str = "https://wts.lalux.lu";
const API_URL: &str = "https://api.lalux.lu";

#[wasm_bindgen(typescript_custom_section)]
const TS_LALUX: &str = r#"
/** `repairer.settle` input: the settlement without `refPDFFacture`, plus the invoice file. */
export type RepairSettleInput = Omit<RepairSettlement, 'refPDFFacture'> & {
  /** The invoice ("Facture"), PDF preferred, at most 5 242 880 bytes. */
  invoicePdf: FileData;
  /** Its name with extension (default `facture.pdf`). */
  invoiceFileName?: string;
};
/** `expert.settle` input: the settlement without the two keys, plus the two files. */
export type ExpertSettleInput = Omit<ExpertSettlement, 'refPdfHonoraires' | 'refPdfExpertise'> & {
  /** The fee note ("Mémoire d'honoraires"). */
  feeNotePdf: FileData;
  /** Its name with extension (default `honoraires.pdf`). */
  feeNoteFileName?: string;
  /** The expert report ("Rapport d'expertise"). */
  reportPdf: FileData;
  /** Its name with extension (default `expertise.pdf`). */
  reportFileName?: string;
};
"#;

/// `new LaluxClient(options)`.
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LaluxOptions {
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
    /// Instead of credentials: returns the headers to send (what a browser portal uses, through its back end).
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
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
}

/// What an upload gave: keep `key`, it cannot be recovered later and lives 24 h.
#[derive(Clone, Debug, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct UploadReceipt {
    /// The file's name as sent.
    pub file_name_with_extension: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// Scan outcome: only `Verified` files are kept.
    pub status: api::UploadStatus,
    /// Document key, present when `status` is `Verified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// When the reply came (ISO 8601, UTC).
    pub uploaded_at: String,
}

/// What `settle` gave: the uploads (keys and times) of the settlement LALUX accepted (202).
#[derive(Serialize, Tsify)]
pub struct SettleResult {
    pub uploads: Vec<UploadReceipt>,
}

struct Lalux {
    api_url: String,
    policy: Policy,
    tokens: Option<Rc<TokenCache>>,
    headers: Option<js_sys::Function>,
}

/// A LALUX provider: what repairers and experts send.
#[wasm_bindgen]
pub struct LaluxClient {
    inner: Rc<Lalux>,
}

#[wasm_bindgen]
impl LaluxClient {
    /// A client with credentials (server side) or a `headers` callback (browsers).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "LaluxOptions")] options: JsValue,
    ) -> Result<LaluxClient, JsValue> {
        Ok(Self {
            inner: Rc::new(Lalux::new(js::options(options)?)?),
        })
    }

    /// Repairers ("réparateurs"): invoice upload and repair settlement.
    #[wasm_bindgen(getter)]
    pub fn repairer(&self) -> LaluxRepairer {
        LaluxRepairer {
            inner: self.inner.clone(),
        }
    }

    /// Experts: fee note and report uploads, expert settlement.
    #[wasm_bindgen(getter)]
    pub fn expert(&self) -> LaluxExpert {
        LaluxExpert {
            inner: self.inner.clone(),
        }
    }
}

impl Lalux {
    fn new(options: LaluxOptions) -> Result<Self, SdkError> {
        let mut errors = Vec::new();
        let token_url = js::base_url(&options.token_url, "tokenUrl", TOKEN_URL, &mut errors);
        let api_url = js::base_url(&options.api_url, "apiUrl", API_URL, &mut errors);
        let policy = CallPolicy {
            timeout_ms: options.timeout_ms,
            max_retries: options.max_retries,
            retry_delay_ms: options.retry_delay_ms,
        }
        .policy();
        let client_id = js::non_empty(&options.client_id, "clientId", &mut errors);
        let client_secret = js::non_empty(&options.client_secret, "clientSecret", &mut errors);
        let username = js::non_empty(&options.username, "username", &mut errors);
        let password = js::non_empty(&options.password, "password", &mut errors);
        let headers = options.headers.dyn_into::<js_sys::Function>().ok();
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
                errors.push(FieldError::new(
                    "clientId",
                    Code::Required,
                    "is required (with clientSecret), unless a headers callback is given",
                ));
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
            Err(e) => {
                errors.extend(e.fields);
                None
            }
        };
        let (Some(policy), true) = (policy, errors.is_empty()) else {
            return Err(SdkError::validation(errors));
        };
        let tokens = match credentials {
            Some(credentials) => {
                let (_, credentials) =
                    crate::transport::sensitive_header("authorization", &credentials).map_err(
                        |_| {
                            SdkError::validation(vec![FieldError::new(
                                "clientSecret",
                                Code::HeaderValue,
                                "has characters a header cannot carry",
                            )])
                        },
                    )?;
                Some(Rc::new(TokenCache::new(TokenService {
                    base_url: token_url,
                    credentials,
                    expert_login: username
                        .zip(password)
                        .map(|(u, p)| (u.to_owned(), p.to_owned())),
                    policy,
                })))
            }
            None => None,
        };
        Ok(Self {
            api_url,
            policy,
            tokens,
            headers,
        })
    }

    fn auth(&self, role: Role) -> Auth {
        match (&self.tokens, &self.headers) {
            (Some(cache), _) => Auth::Token {
                cache: cache.clone(),
                scope: role.scope(),
            },
            (None, Some(callback)) => Auth::callback(
                callback.clone(),
                &[("api", "lalux"), ("scope", &role.scope().to_string())],
            ),
            (None, None) => Auth::Fixed(Vec::new()),
        }
    }

    fn client(&self, context: crate::transport::Context) -> lalux::Client {
        lalux::Client::new(&self.api_url, context)
    }

    /// Uploads one checked file.
    async fn upload(
        &self,
        role: Role,
        file: api::FileUpload,
        call: &PerCall,
    ) -> Result<UploadReceipt, SdkError> {
        let name = file.file_name_with_extension.to_string();
        let bytes = file.file.byte_len();
        call.progress.emit("uploading", Some(&name), Some(bytes));
        let reply = call::send(&call.settings, Repeat::Safe, &self.auth(role), |c| {
            let (client, file) = (self.client(c), &file);
            async move {
                match role {
                    Role::Repairer => client.upload_repairer_file(file).await,
                    Role::Expert => client.upload_expert_file(file).await,
                }
            }
        })
        .await?;
        let (status, key) = match reply {
            Reply::Success { value, .. } => (value.status, value.key),
            // L7: a refused upload may say why in a 4xx `{status}` body.
            Reply::Refusal {
                body:
                    api::LaluxError {
                        status: Some(status),
                        ..
                    },
                ..
            } => (status, None),
            Reply::Refusal { status, body } => return Err(refusal(status, body)),
        };
        call.progress.emit("uploaded", Some(&name), Some(bytes));
        Ok(UploadReceipt {
            file_name_with_extension: name,
            bytes,
            status,
            key,
            uploaded_at: js::now_iso(),
        })
    }

    /// Submits one checked settlement (202, no content).
    async fn submit(
        &self,
        role: Role,
        settlement: Settlement,
        call: &PerCall,
    ) -> Result<(), SdkError> {
        call.progress.emit("submitting", None, None);
        // Never re-sent once it may have reached LALUX: nothing in the document says a settlement
        // is deduplicated, and a duplicate payment request is worse than an error (spec: x-decision).
        let reply = call::send(&call.settings, Repeat::Never, &self.auth(role), |c| {
            let (client, settlement) = (self.client(c), &settlement);
            async move {
                match settlement {
                    Settlement::Repair(s) => client.submit_repair_settlement(s).await,
                    Settlement::Expert(s) => client.submit_expert_settlement(s).await,
                }
            }
        })
        .await?;
        match reply {
            Reply::Success { .. } => {
                call.progress.emit("submitted", None, None);
                Ok(())
            }
            Reply::Refusal { status, body } => Err(refusal(status, body)),
        }
    }

    /// Checks a settle input, uploads its files in order, then submits: the receipts of every
    /// upload reach the caller, with the settlement's outcome or with the error.
    async fn settle(
        &self,
        role: Role,
        js_input: JsValue,
        call: PerCall,
    ) -> Result<JsValue, SdkError> {
        let read = input::read(&js_input, "input").await;
        let mut errors = read.errors;
        let mut settlement = match read.value {
            Value::Object(map) => map,
            _ => {
                return Err(SdkError::validation(vec![
                    FieldError::new("input", Code::Type, "must be an object")
                        .with("expected", "object"),
                ]));
            }
        };
        let mut files = Vec::new();
        for document in role.documents() {
            let file = settlement.remove(document.file).unwrap_or(Value::Null);
            let name = settlement
                .remove(document.name)
                .unwrap_or_else(|| Value::String(document.default_name.to_owned()));
            if settlement.contains_key(document.key) {
                errors.push(
                    FieldError::new(
                        document.key,
                        Code::SetByWorkflow,
                        format!("is set by settle from the upload of {}", document.file),
                    )
                    .with("file", document.file),
                );
            }
            settlement.insert(
                document.key.to_owned(),
                Value::String("pending-upload.pdf".to_owned()),
            );
            let upload = Value::Object(Map::from_iter([
                ("fileNameWithExtension".to_owned(), name),
                ("file".to_owned(), file),
            ]));
            let mut upload_errors = Vec::new();
            js::check(
                Spec::lalux(),
                role.upload_operation(),
                &upload,
                &mut upload_errors,
            );
            errors.extend(upload_errors.into_iter().map(|e| FieldError {
                field: if e.field == "file" {
                    document.file.to_owned()
                } else {
                    document.name.to_owned()
                },
                ..e
            }));
            files.push(upload);
        }
        let mut settlement = Value::Object(settlement);
        js::check(
            Spec::lalux(),
            role.submit_operation(),
            &settlement,
            &mut errors,
        );
        role.rules(&settlement, &mut errors);
        if !errors.is_empty() {
            return Err(SdkError::validation(errors));
        }
        let mut uploads = Vec::new();
        for (document, file) in role.documents().iter().zip(files) {
            let outcome = match js::typed::<api::FileUpload>(file) {
                Ok(file) => self.upload(role, file, &call).await,
                Err(e) => Err(e),
            };
            let receipt = outcome.map_err(|e| e.with_detail("uploads", &uploads))?;
            let verified = receipt.status == api::UploadStatus::Verified;
            match (&receipt.key, verified) {
                (Some(key), true) => settlement[document.key] = Value::String(key.clone()),
                _ => {
                    let message = format!(
                        "LALUX did not keep {} ({}): nothing was submitted. {}",
                        receipt.file_name_with_extension,
                        receipt.status,
                        match receipt.status {
                            api::UploadStatus::Infected =>
                                "The file is infected: send a clean copy.",
                            api::UploadStatus::FileTooBig => "The file is over 5 242 880 bytes.",
                            _ => "Try again later.",
                        }
                    );
                    uploads.push(receipt);
                    return Err(
                        SdkError::new(Kind::Refused, message).with_detail("uploads", &uploads)
                    );
                }
            }
            uploads.push(receipt);
        }
        let typed = role
            .settlement(settlement)
            .map_err(|e| e.with_detail("uploads", &uploads))?;
        self.submit(role, typed, &call)
            .await
            .map_err(|e| e.with_detail("uploads", &uploads))?;
        js::to_js(&SettleResult { uploads })
    }
}

/// A LALUX refusal (documented status with the API's error body).
fn refusal(status: u16, body: api::LaluxError) -> SdkError {
    let fields: Vec<FieldError> = body
        .fields
        .iter()
        .map(|f| FieldError::new(f.field.clone(), Code::Refused, f.message.clone()))
        .collect();
    let (kind, message) = match status {
        401 | 403 => (Kind::Authentication, "LALUX refused the token. Check the credentials (and their scope) or what the headers callback returns.".to_owned()),
        413 => (Kind::Refused, "The file is over the 5 242 880-byte limit.".to_owned()),
        _ if !fields.is_empty() => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            (Kind::Refused, format!("LALUX refused the request. Fix: {}", names.join(", ")))
        }
        _ => (Kind::Refused, format!("LALUX refused the request: {}", body.error_description.as_deref().or(body.error.as_deref()).unwrap_or("no reason given"))),
    };
    let text = serde_json::to_vec(&body).ok();
    let mut error = SdkError::new(kind, message).with_reply(Some(status), text.as_deref());
    error.fields = fields;
    error
}

/// A repairer or an expert: which operations and files are theirs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Repairer,
    Expert,
}

/// A file a settle workflow uploads, and the settlement field that takes its key.
struct Document {
    file: &'static str,
    name: &'static str,
    default_name: &'static str,
    key: &'static str,
}

enum Settlement {
    Repair(api::RepairSettlement),
    Expert(ExpertSettlementRequest),
}

impl Role {
    fn scope(self) -> Scope {
        match self {
            Self::Repairer => Scope::Reparateur,
            Self::Expert => Scope::Expert,
        }
    }

    fn upload_operation(self) -> &'static str {
        match self {
            Self::Repairer => "uploadRepairerFile",
            Self::Expert => "uploadExpertFile",
        }
    }

    fn submit_operation(self) -> &'static str {
        match self {
            Self::Repairer => "submitRepairSettlement",
            Self::Expert => "submitExpertSettlement",
        }
    }

    fn documents(self) -> &'static [Document] {
        match self {
            Self::Repairer => &[Document {
                file: "invoicePdf",
                name: "invoiceFileName",
                default_name: "facture.pdf",
                key: "refPDFFacture",
            }],
            Self::Expert => &[
                Document {
                    file: "feeNotePdf",
                    name: "feeNoteFileName",
                    default_name: "honoraires.pdf",
                    key: "refPdfHonoraires",
                },
                Document {
                    file: "reportPdf",
                    name: "reportFileName",
                    default_name: "expertise.pdf",
                    key: "refPdfExpertise",
                },
            ],
        }
    }

    fn rules(self, input: &Value, errors: &mut Vec<FieldError>) {
        match self {
            Self::Repairer => {
                rules::amounts_add_up(input, rules::REPAIR_AMOUNTS, errors);
                rules::replacement_days(input, errors);
            }
            Self::Expert => rules::amounts_add_up(input, rules::EXPERT_AMOUNTS, errors),
        }
    }

    fn settlement(self, value: Value) -> Result<Settlement, SdkError> {
        Ok(match self {
            Self::Repairer => Settlement::Repair(js::typed(value)?),
            Self::Expert => Settlement::Expert(js::typed::<api::ExpertSettlement>(value)?.into()),
        })
    }
}

/// Shared by both roles' JS classes.
async fn upload(
    inner: Rc<Lalux>,
    role: Role,
    input: JsValue,
    options: Option<js_sys::Object>,
) -> Result<JsValue, SdkError> {
    let call = PerCall::read(&options, inner.policy)?;
    let value = js::checked(&input, Spec::lalux(), role.upload_operation(), |_, _| {}).await?;
    let receipt = inner.upload(role, js::typed(value)?, &call).await?;
    js::to_js(&receipt)
}

async fn submit(
    inner: Rc<Lalux>,
    role: Role,
    input: JsValue,
    options: Option<js_sys::Object>,
) -> Result<JsValue, SdkError> {
    let call = PerCall::read(&options, inner.policy)?;
    let value = js::checked(&input, Spec::lalux(), role.submit_operation(), |v, e| {
        role.rules(v, e)
    })
    .await?;
    inner.submit(role, role.settlement(value)?, &call).await?;
    Ok(JsValue::UNDEFINED)
}

/// The JS class of one role: `upload`, the role's submission method and `settle`.
macro_rules! role_class {
    (
        $doc:literal $class:ident, $role:expr, $name:literal,
        $submit_doc:literal $submit:ident as $submit_js:literal, $settlement:literal,
        $settle_doc:literal settle($settle_input:literal)
    ) => {
        #[doc = $doc]
        #[wasm_bindgen]
        pub struct $class {
            inner: Rc<Lalux>,
        }

        #[wasm_bindgen]
        impl $class {
            /// Uploads a file: checked (at most 5 242 880 bytes, with an extension), base64-encoded,
            /// scanned by LALUX. An `Infected` or `Error` scan is a receipt, not an error.
            #[wasm_bindgen(unchecked_return_type = "Promise<UploadReceipt>")]
            pub fn upload(
                &self,
                #[wasm_bindgen(unchecked_param_type = "FileUpload")] input: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
                    js_sys::Object,
                >,
            ) -> js_sys::Promise {
                js::promise(
                    concat!($name, ".upload"),
                    upload(self.inner.clone(), $role, input, options),
                )
            }

            #[doc = $submit_doc]
            #[wasm_bindgen(js_name = $submit_js, unchecked_return_type = "Promise<void>")]
            pub fn $submit(
                &self,
                #[wasm_bindgen(unchecked_param_type = $settlement)] settlement: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
                    js_sys::Object,
                >,
            ) -> js_sys::Promise {
                js::promise(
                    concat!($name, ".", $submit_js),
                    submit(self.inner.clone(), $role, settlement, options),
                )
            }

            #[doc = $settle_doc]
            #[wasm_bindgen(unchecked_return_type = "Promise<SettleResult>")]
            pub fn settle(
                &self,
                #[wasm_bindgen(unchecked_param_type = $settle_input)] input: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
                    js_sys::Object,
                >,
            ) -> js_sys::Promise {
                let inner = self.inner.clone();
                js::promise(concat!($name, ".settle"), async move {
                    let call = PerCall::read(&options, inner.policy)?;
                    inner.settle($role, input, call).await
                })
            }
        }
    };
}

role_class! {
    "`lalux.repairer`: what a repairer sends (the invoice, the repair settlement)."
    LaluxRepairer, Role::Repairer, "repairer",
    "Sends the repair settlement request (`refPDFFacture` from an upload); resolves on 202."
    submit_invoice as "submitInvoice", "RepairSettlement",
    "Uploads the invoice, then submits the settlement with its key. Checks everything first; the upload's receipt reaches the caller even when the submission fails."
    settle("RepairSettleInput")
}

role_class! {
    "`lalux.expert`: what an expert sends (the fee note, the report, the expert settlement)."
    LaluxExpert, Role::Expert, "expert",
    "Sends the expert settlement request (both keys from uploads); resolves on 202."
    submit_settlement as "submitSettlement", "ExpertSettlement",
    "Uploads the fee note and the report, then submits the settlement with their keys. Checks everything first; the receipts reach the caller even when a later step fails."
    settle("ExpertSettleInput")
}
