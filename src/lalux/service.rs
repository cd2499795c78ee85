//! The client's state and its operations: uploads and settlements through the shared call path,
//! LALUX's refusals, and what each role sends.

use crate::auth::{Auth, Scope};
use crate::call::{self, Repeat, Reply};
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::files;
use crate::generated::lalux::types as api;
use crate::js::{self, PerCall};
use crate::json::text;
use crate::schema::Operation;
use crate::schema::{Body, Request, Spec};
use serde::Serialize;
use serde_json::Value;
use std::rc::Rc;
use tsify::Tsify;

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
    #[tsify(type = "UploadReceipt[]")]
    pub uploads: Vec<Value>,
    /// Whether an earlier run of this settlement (its journal) had done some of it.
    pub resumed: bool,
    /// The steps this run did not send again, done by an earlier one: `upload:invoicePdf`
    /// (its key reused), `submit` (the settlement, for a finished one).
    pub skipped: Vec<String>,
}

/// One client's state: where the API is, its call policy, and how calls authenticate.
pub(super) struct Lalux {
    pub(super) api_url: String,
    pub(super) policy: call::Policy,
    pub(super) tokens: Option<Rc<crate::auth::TokenCache>>,
    pub(super) headers: Option<js_sys::Function>,
    /// Where `settle` records its steps.
    pub(super) journal: crate::journal::Journal,
}

impl Lalux {
    pub(super) fn auth(&self, role: Role) -> Auth {
        match (&self.tokens, &self.headers) {
            (Some(cache), _) => Auth::Token {
                cache: cache.clone(),
                scope: role.scope(),
                sent: Default::default(),
            },
            (None, Some(callback)) => Auth::callback(
                callback.clone(),
                &[("api", "lalux"), ("scope", role.scope().as_str())],
            ),
            (None, None) => Auth::Fixed(crate::fetch::Headers::default()),
        }
    }

    /// Sends `request` as `role`, through the shared call path.
    async fn send(
        &self,
        call: &PerCall,
        repeat: Repeat,
        role: Role,
        request: Request,
    ) -> Result<Reply, SdkError> {
        let target = (Spec::lalux(), self.api_url.as_str());
        call::send(&call.settings, repeat, &self.auth(role), target, request).await
    }

    /// Uploads one checked file (`uploadRepairerFile`/`uploadExpertFile`'s input).
    pub(super) async fn upload(
        &self,
        role: Role,
        file: Value,
        call: &PerCall,
    ) -> Result<UploadReceipt, SdkError> {
        let request = call::request(role.upload_operation(), file)?;
        let (name, bytes) = match &request.body {
            Body::Json(body) => (
                text(body, "fileNameWithExtension").unwrap_or_default(),
                body["file"].as_str().and_then(files::size).unwrap_or(0),
            ),
            _ => (String::new(), 0),
        };
        call.progress.emit("uploading", Some(&name), Some(bytes));
        let reply = self.send(call, Repeat::Safe, role, request).await?;
        let (status, key) = match reply {
            Reply::Success { value, .. } => (js::param(&value, "status")?, upload_key(&value)),
            // L7: a refused upload may say why in a 4xx `{status}` body.
            Reply::Refusal { body, .. } if body.get("status").is_some_and(Value::is_string) => {
                (js::param(&body, "status")?, None)
            }
            Reply::Refusal { status, body } => return Err(refusal(status, &body)),
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
    pub(super) async fn submit(
        &self,
        role: Role,
        settlement: Value,
        call: &PerCall,
    ) -> Result<(), SdkError> {
        let request = role.settlement(settlement)?;
        call.progress.emit("submitting", None, None);
        // Never re-sent once it may have reached LALUX: nothing in the document says a settlement
        // is deduplicated, and a duplicate payment request is worse than an error (spec: x-decision).
        let reply = self.send(call, Repeat::Never, role, request).await?;
        match reply {
            Reply::Success { .. } => {
                call.progress.emit("submitted", None, None);
                Ok(())
            }
            Reply::Refusal { status, body } => Err(refusal(status, &body)),
        }
    }
}

/// The key of an upload reply: L6, `key` (the example) or `Key` (the table).
fn upload_key(reply: &Value) -> Option<String> {
    text(reply, "key").or_else(|| text(reply, "Key"))
}

/// A LALUX refusal (documented status with the API's error body, `LaluxError`).
pub(crate) fn refusal(status: u16, body: &Value) -> SdkError {
    let fields: Vec<FieldError> = body["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            FieldError::new(
                text(f, "field").unwrap_or_default(),
                Code::Refused,
                text(f, "message").unwrap_or_default(),
            )
        })
        .collect();
    let (kind, message) = match status {
        401 | 403 => (Kind::Authentication, "LALUX refused the token. Check the credentials (and their scope) or what the headers callback returns.".to_owned()),
        413 => (Kind::Refused, "The file is over the 5 242 880-byte limit.".to_owned()),
        _ if !fields.is_empty() => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            (Kind::Refused, format!("LALUX refused the request. Fix: {}", names.join(", ")))
        }
        _ => (Kind::Refused, format!("LALUX refused the request: {}", text(body, "error_description").or_else(|| text(body, "error")).as_deref().unwrap_or("no reason given"))),
    };
    let text = serde_json::to_vec(body).ok();
    let mut error = SdkError::new(kind, message).with_reply(Some(status), text.as_deref());
    error.fields = fields;
    error
}

/// A repairer or an expert: which operations and files are theirs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Repairer,
    Expert,
}

/// A file a settle workflow uploads, and the settlement field that takes its key.
pub(super) struct Document {
    pub(super) file: &'static str,
    pub(super) name: &'static str,
    pub(super) default_name: &'static str,
    pub(super) key: &'static str,
}

impl Role {
    pub(super) fn scope(self) -> Scope {
        match self {
            Self::Repairer => Scope::Reparateur,
            Self::Expert => Scope::Expert,
        }
    }

    pub(super) fn upload_operation(self) -> Operation {
        match self {
            Self::Repairer => Operation::UploadRepairerFile,
            Self::Expert => Operation::UploadExpertFile,
        }
    }

    /// The workflow's name, as its method is called.
    pub(super) fn settle_name(self) -> &'static str {
        match self {
            Self::Repairer => "repairer.settle",
            Self::Expert => "expert.settle",
        }
    }

    /// The settlement field naming who is paid.
    pub(super) fn provider_field(self) -> &'static str {
        match self {
            Self::Repairer => "idPrestataire",
            Self::Expert => "idExpert",
        }
    }

    pub(super) fn submit_operation(self) -> Operation {
        match self {
            Self::Repairer => Operation::SubmitRepairSettlement,
            Self::Expert => Operation::SubmitExpertSettlement,
        }
    }

    pub(super) fn documents(self) -> &'static [Document] {
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

    /// The request of a checked settlement: R2, an expert's `abandonVehicule` also goes as
    /// `AbandonVehicule` (the document's table spelling), with the same value.
    pub(super) fn settlement(self, settlement: Value) -> Result<Request, SdkError> {
        let mut request = call::request(self.submit_operation(), settlement)?;
        if let (Self::Expert, Body::Json(body)) = (self, &mut request.body)
            && let Some(abandon) = body.get("abandonVehicule").cloned()
        {
            body["AbandonVehicule"] = abandon;
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_upload_key_is_read_as_key_or_key_with_a_capital() {
        for reply in [
            json!({"key": "a.pdf", "status": "Verified"}),
            json!({"Key": "a.pdf", "status": "Verified"}),
        ] {
            assert_eq!(upload_key(&reply).as_deref(), Some("a.pdf"), "{reply}");
        }
        assert_eq!(upload_key(&json!({"status": "Infected"})), None);
    }

    #[test]
    fn a_refusal_names_every_field_lalux_gave() {
        let body = json!({"error": "invalid_request", "fields": [
            {"field": "factureTTC", "message": "HT + TVA != TTC"},
            {"field": "refPDFFacture", "message": "unknown key"}]});
        let error = refusal(400, &body);
        let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["factureTTC", "refPDFFacture"]);
        assert_eq!(error.kind, Kind::Refused);
        assert_eq!(refusal(401, &json!({})).kind, Kind::Authentication);
    }
}
